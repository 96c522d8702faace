//! The page's requests as Playwright models them: one record per hop of a redirect chain
//! (CDP reuses one request id for the whole chain), each with its frame, headers, post data and
//! whether it navigates; responses (redirect responses too) carry the record of their request,
//! so a test can go from one to the other.

use std::collections::HashMap;

use base64::Engine as _;
use chromiumoxide::cdp::browser_protocol::network;
use serde::Serialize;

use super::events::PageEvent;

/// A network request, or a response with the record of its request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestEvent {
    /// Unique per hop: the CDP request id, with `#n` for the n-th redirect.
    pub id: String,
    /// URL.
    pub url: String,
    /// Method (requests) or empty.
    pub method: String,
    /// Status (responses), 0 for requests.
    pub status: u16,
    /// Reason phrase (responses).
    pub status_text: String,
    /// Resource type (`document`, `script`, `fetch`, ...).
    pub resource_type: String,
    /// Failure text for failed requests.
    pub failure: Option<String>,
    /// The frame that made the request, when it has one.
    pub frame: Option<String>,
    /// Request headers (requests) or response headers (responses), names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body sent, base64.
    pub post_data: Option<String>,
    /// Whether the request loads a frame's document.
    pub is_navigation: bool,
    /// The hop this one was redirected from.
    pub redirected_from: Option<String>,
    /// Responses: the request's record.
    pub request: Option<Box<RequestEvent>>,
    /// Responses: the server's address.
    pub remote_address: Option<RemoteAddress>,
    /// CDP's id of the request (shared by a redirect chain).
    #[serde(skip)]
    pub(crate) cdp_id: String,
}

/// Where a response came from (`response.serverAddr()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteAddress {
    /// IP address.
    pub ip_address: String,
    /// Port.
    pub port: i64,
}

/// The body of a request, decoded from CDP's post data entries.
pub(crate) fn post_data_bytes(request: &network::Request) -> Option<Vec<u8>> {
    request.post_data_entries.as_ref().map(|entries| {
        let mut bytes = Vec::new();
        for e in entries {
            if let Some(b) = &e.bytes {
                let text: &str = b.as_ref();
                if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(text) {
                    bytes.extend(decoded);
                }
            }
        }
        bytes
    })
}

fn resource_type(t: Option<&network::ResourceType>) -> String {
    t.and_then(|t| serde_json::to_value(t).ok())
        .and_then(|v| v.as_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

fn response_of(request: &RequestEvent, response: &network::Response) -> RequestEvent {
    RequestEvent {
        id: request.id.clone(),
        url: response.url.clone(),
        status: u16::try_from(response.status).unwrap_or(0),
        status_text: response.status_text.clone(),
        resource_type: request.resource_type.clone(),
        frame: request.frame.clone(),
        headers: super::header_pairs(&response.headers),
        request: Some(Box::new(request.clone())),
        remote_address: response.remote_ip_address.clone().map(|ip| RemoteAddress {
            ip_address: ip,
            port: response.remote_port.unwrap_or(0),
        }),
        cdp_id: request.cdp_id.clone(),
        ..RequestEvent::default()
    }
}

/// The requests of a page in flight, by CDP id: the record of each one's current hop.
#[derive(Default)]
pub(crate) struct Tracker {
    inflight: HashMap<String, (u32, RequestEvent)>,
    /// Favicon requests (and their redirects), which are not reported.
    hidden: std::collections::HashSet<String>,
}

impl Tracker {
    /// A request went out: its record, after the response of the hop it was redirected from.
    pub(crate) fn sent(&mut self, ev: &network::EventRequestWillBeSent) -> Vec<PageEvent> {
        let cdp_id = ev.request_id.inner().clone();
        if self.hidden.contains(&cdp_id) || crate::route::is_favicon(&ev.request.url) {
            self.hidden.insert(cdp_id);
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut hop = 0;
        let mut redirected_from = None;
        if let Some((n, previous)) = self.inflight.remove(&cdp_id)
            && let Some(redirect) = &ev.redirect_response
        {
            out.push(PageEvent::Response(response_of(&previous, redirect)));
            hop = n + 1;
            redirected_from = Some(previous.id.clone());
        }
        let resource_type = resource_type(ev.r#type.as_ref());
        let record = RequestEvent {
            id: if hop == 0 {
                cdp_id.clone()
            } else {
                format!("{cdp_id}#{hop}")
            },
            url: ev.request.url.clone(),
            method: ev.request.method.clone(),
            is_navigation: resource_type == "document"
                && ev.request_id.inner() == ev.loader_id.inner(),
            resource_type,
            frame: ev.frame_id.as_ref().map(|f| f.inner().clone()),
            headers: super::header_pairs(&ev.request.headers),
            post_data: post_data_bytes(&ev.request)
                .map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
            redirected_from,
            cdp_id: cdp_id.clone(),
            ..RequestEvent::default()
        };
        self.inflight.insert(cdp_id, (hop, record.clone()));
        out.push(PageEvent::Request(record));
        out
    }

    /// The id of the hop of request `cdp_id` that is paused at `url` (a route sees it maybe
    /// before its `requestWillBeSent`): the hop in flight when it is at that URL, else the
    /// next one (a redirect), else the first.
    pub(crate) fn hop_id(&self, cdp_id: &str, url: &str) -> String {
        match self.inflight.get(cdp_id) {
            Some((_, record)) if record.url == url => record.id.clone(),
            Some((hop, _)) => format!("{cdp_id}#{}", hop + 1),
            None => cdp_id.to_string(),
        }
    }

    /// A response arrived for the current hop of a request.
    pub(crate) fn responded(&mut self, ev: &network::EventResponseReceived) -> Option<PageEvent> {
        let (_, request) = self.inflight.get(ev.request_id.inner())?;
        Some(PageEvent::Response(response_of(request, &ev.response)))
    }

    /// A request finished loading.
    pub(crate) fn finished(&mut self, ev: &network::EventLoadingFinished) -> Option<PageEvent> {
        self.hidden.remove(ev.request_id.inner());
        let (_, request) = self.inflight.remove(ev.request_id.inner())?;
        Some(PageEvent::RequestFinished(request))
    }

    /// A request failed.
    pub(crate) fn failed(&mut self, ev: &network::EventLoadingFailed) -> Option<PageEvent> {
        self.hidden.remove(ev.request_id.inner());
        let (_, mut request) = self.inflight.remove(ev.request_id.inner())?;
        request.failure = Some(ev.error_text.clone());
        Some(PageEvent::RequestFailed(request))
    }
}

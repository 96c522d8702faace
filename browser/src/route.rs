//! Request routing through CDP's `Fetch` domain: `route(url, handler)` on a page or a context
//! pauses matching requests and hands them to the handler, which fulfills, aborts or continues
//! them. Page routes run before context routes, the newest first, as in Playwright; a request no
//! route claims (or whose handler returns without answering) continues unchanged.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;

use base64::Engine as _;
use chromiumoxide::cdp::browser_protocol::fetch;
use chromiumoxide::cdp::browser_protocol::network;
use futures::StreamExt as _;
use futures::future::BoxFuture;

use crate::error::BrowserError;
use crate::error::cdp;
use crate::page::Page;
use crate::page::UrlMatch;

/// Handles a routed request; it should call one of [`Route::fulfill`], [`Route::abort`] or
/// [`Route::continue_request`].
pub type RouteHandler =
    Arc<dyn Fn(Route) -> BoxFuture<'static, Result<(), BrowserError>> + Send + Sync>;

/// A registered route.
#[derive(Clone)]
pub(crate) struct RouteEntry {
    pub(crate) matcher: UrlMatch,
    pub(crate) regex: Option<regex::Regex>,
    pub(crate) handler: RouteHandler,
}

impl RouteEntry {
    pub(crate) fn new(matcher: UrlMatch, handler: RouteHandler) -> Result<Self, BrowserError> {
        let regex = match &matcher {
            UrlMatch::Exact(_) => None,
            UrlMatch::Glob(g) => Some(crate::page::glob_to_regex(g)),
            UrlMatch::Regex { pattern, flags } => Some(if flags.contains('i') {
                format!("(?i){pattern}")
            } else {
                pattern.clone()
            }),
        }
        .map(|src| {
            regex::Regex::new(&src).map_err(|e| {
                BrowserError::InvalidArgument(format!("invalid route pattern {src}: {e}"))
            })
        })
        .transpose()?;
        Ok(Self {
            matcher,
            regex,
            handler,
        })
    }

    pub(crate) fn matches_url(&self, url: &str) -> bool {
        match (&self.matcher, &self.regex) {
            (UrlMatch::Exact(u), _) => u == url,
            (_, Some(re)) => re.is_match(url),
            _ => false,
        }
    }
}

/// The request a route sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRequest {
    /// Full URL.
    pub url: String,
    /// Method.
    pub method: String,
    /// Header pairs.
    pub headers: Vec<(String, String)>,
    /// Request body, if any.
    pub post_data: Option<Vec<u8>>,
    /// `document`, `script`, `image`, `fetch`, `xhr`, ...
    pub resource_type: String,
}

/// A response to serve from a route.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fulfill {
    /// Status (default 200).
    pub status: Option<u16>,
    /// Header pairs.
    pub headers: Vec<(String, String)>,
    /// Content type (added as a header when set).
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// Changes to a request that continues to the network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContinueOverrides {
    /// Another URL (same protocol).
    pub url: Option<String>,
    /// Another method.
    pub method: Option<String>,
    /// Replacement headers.
    pub headers: Option<Vec<(String, String)>>,
    /// Another body.
    pub post_data: Option<Vec<u8>>,
}

/// A paused request. Answer it exactly once.
pub struct Route {
    page: chromiumoxide::Page,
    id: fetch::RequestId,
    request: RouteRequest,
    handled: Arc<AtomicBool>,
}

impl Route {
    /// The request.
    pub fn request(&self) -> &RouteRequest {
        &self.request
    }

    fn claim(&self) -> Result<(), BrowserError> {
        if self.handled.swap(true, Ordering::SeqCst) {
            return Err(BrowserError::InvalidArgument(format!(
                "route for {} is already handled",
                self.request.url
            )));
        }
        Ok(())
    }

    /// Answers with a response of our own; the network is never touched.
    pub async fn fulfill(&self, response: Fulfill) -> Result<(), BrowserError> {
        self.claim()?;
        let mut headers: Vec<fetch::HeaderEntry> = response
            .headers
            .iter()
            .map(|(k, v)| fetch::HeaderEntry::new(k.clone(), v.clone()))
            .collect();
        if let Some(ct) = &response.content_type {
            headers.retain(|h| !h.name.eq_ignore_ascii_case("content-type"));
            headers.push(fetch::HeaderEntry::new("content-type", ct.clone()));
        }
        let status = response.status.unwrap_or(200);
        let mut params = fetch::FulfillRequestParams::new(self.id.clone(), i64::from(status));
        params.response_headers = Some(headers);
        params.body = Some(
            base64::engine::general_purpose::STANDARD
                .encode(&response.body)
                .into(),
        );
        params.response_phrase = Some(http_reason(status).to_string());
        self.page
            .execute(params)
            .await
            .map_err(|e| cdp("Fetch.fulfillRequest", e))?;
        Ok(())
    }

    /// Fails the request with a network error (`failed`, `aborted`, `timedout`,
    /// `connectionrefused`, `accessdenied`, `blockedbyclient`, ...).
    pub async fn abort(&self, error_code: &str) -> Result<(), BrowserError> {
        let reason = match error_code.to_ascii_lowercase().as_str() {
            "" | "failed" => network::ErrorReason::Failed,
            "aborted" => network::ErrorReason::Aborted,
            "timedout" => network::ErrorReason::TimedOut,
            "accessdenied" => network::ErrorReason::AccessDenied,
            "connectionclosed" => network::ErrorReason::ConnectionClosed,
            "connectionreset" => network::ErrorReason::ConnectionReset,
            "connectionrefused" => network::ErrorReason::ConnectionRefused,
            "connectionaborted" => network::ErrorReason::ConnectionAborted,
            "connectionfailed" => network::ErrorReason::ConnectionFailed,
            "namenotresolved" => network::ErrorReason::NameNotResolved,
            "internetdisconnected" => network::ErrorReason::InternetDisconnected,
            "addressunreachable" => network::ErrorReason::AddressUnreachable,
            "blockedbyclient" => network::ErrorReason::BlockedByClient,
            "blockedbyresponse" => network::ErrorReason::BlockedByResponse,
            other => {
                return Err(BrowserError::InvalidArgument(format!(
                    "unknown abort error code \"{other}\" (use failed, aborted, timedout, accessdenied, connectionrefused, blockedbyclient, ...)"
                )));
            }
        };
        self.claim()?;
        self.page
            .execute(fetch::FailRequestParams::new(self.id.clone(), reason))
            .await
            .map_err(|e| cdp("Fetch.failRequest", e))?;
        Ok(())
    }

    /// Lets the request go to the network, optionally changed.
    pub async fn continue_request(&self, overrides: ContinueOverrides) -> Result<(), BrowserError> {
        // The request goes on to the network, so only to a network URL of the same protocol
        // (a `file:` override would be a way around the navigation policy).
        if let Some(url) = &overrides.url {
            let scheme = |u: &str| u.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
            if scheme(url) != scheme(&self.request.url) {
                return Err(BrowserError::InvalidArgument(format!(
                    "route.continue: New URL must have same protocol as overridden URL ({url} for {})",
                    self.request.url
                )));
            }
        }
        self.claim()?;
        send_continue(&self.page, self.id.clone(), overrides).await
    }
}

async fn send_continue(
    page: &chromiumoxide::Page,
    id: fetch::RequestId,
    overrides: ContinueOverrides,
) -> Result<(), BrowserError> {
    let mut params = fetch::ContinueRequestParams::new(id);
    params.url = overrides.url;
    params.method = overrides.method;
    params.headers = overrides.headers.map(|h| {
        h.into_iter()
            .map(|(k, v)| fetch::HeaderEntry::new(k, v))
            .collect()
    });
    params.post_data = overrides
        .post_data
        .map(|b| base64::engine::general_purpose::STANDARD.encode(b).into());
    page.execute(params)
        .await
        .map_err(|e| cdp("Fetch.continueRequest", e))?;
    Ok(())
}

/// The reason phrase CDP needs beside a status (Chromium refuses an empty one).
fn http_reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown")
}

/// The browser's own favicon requests, which Playwright hides from pages' events and routes.
pub(crate) fn is_favicon(url: &str) -> bool {
    url.split(['?', '#'])
        .next()
        .is_some_and(|u| u.ends_with("/favicon.ico"))
}

fn request_of(ev: &fetch::EventRequestPaused) -> RouteRequest {
    let headers = crate::page::header_pairs(&ev.request.headers);
    let post_data = crate::page::post_data_bytes(&ev.request);
    let resource_type = serde_json::to_value(&ev.resource_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    RouteRequest {
        url: ev.request.url.clone(),
        method: ev.request.method.clone(),
        headers,
        post_data,
        resource_type,
    }
}

/// Per-page routing state: the page's own routes and whether interception runs.
#[derive(Default)]
pub(crate) struct PageRoutes {
    pub(crate) routes: Mutex<Vec<RouteEntry>>,
    pub(crate) enabled: AtomicBool,
}

impl Page {
    /// Routes requests matching `url` to `handler` on this page.
    pub async fn route(&self, url: UrlMatch, handler: RouteHandler) -> Result<(), BrowserError> {
        self.ensure_open("adding a route")?;
        let entry = RouteEntry::new(url, handler)?;
        self.inner
            .routes
            .routes
            .lock()
            .map_err(|_| BrowserError::Closed(Some("adding a route".into())))?
            .push(entry);
        self.enable_routing().await
    }

    /// Removes every route of this page for `url`.
    pub fn unroute(&self, url: &UrlMatch) {
        if let Ok(mut routes) = self.inner.routes.routes.lock() {
            routes.retain(|r| &r.matcher != url);
        }
    }

    /// Starts intercepting this page's requests (once).
    pub(crate) async fn enable_routing(&self) -> Result<(), BrowserError> {
        if self.inner.routes.enabled.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let cdp_page = self.cdp().clone();
        let mut paused = cdp_page
            .event_listener::<fetch::EventRequestPaused>()
            .await
            .map_err(|e| cdp("Fetch.requestPaused", e))?;
        let params = fetch::EnableParams {
            patterns: Some(vec![fetch::RequestPattern {
                url_pattern: Some("*".into()),
                resource_type: None,
                request_stage: Some(fetch::RequestStage::Request),
            }]),
            handle_auth_requests: None,
        };
        cdp_page
            .execute(params)
            .await
            .map_err(|e| cdp("Fetch.enable", e))?;
        let weak = std::sync::Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            while let Some(ev) = paused.next().await {
                let Some(inner) = weak.upgrade() else { break };
                let page = Page { inner };
                let request = request_of(&ev);
                let entry = page.matching_route(&request.url);
                let cdp_page = page.cdp().clone();
                let id = ev.request_id.clone();
                drop(page);
                let favicon = is_favicon(&request.url);
                tokio::spawn(async move {
                    let Some(entry) = entry else {
                        let _ = send_continue(&cdp_page, id, ContinueOverrides::default()).await;
                        return;
                    };
                    // As in Playwright, the browser's own favicon requests never reach a
                    // handler: a routed one is aborted, so it cannot go to the network.
                    if favicon {
                        let _ = cdp_page
                            .execute(fetch::FailRequestParams::new(
                                id,
                                chromiumoxide::cdp::browser_protocol::network::ErrorReason::Aborted,
                            ))
                            .await;
                        return;
                    }
                    let handled = Arc::new(AtomicBool::new(false));
                    let route = Route {
                        page: cdp_page.clone(),
                        id: id.clone(),
                        request,
                        handled: handled.clone(),
                    };
                    let result = (entry.handler)(route).await;
                    if let Err(e) = result {
                        tracing::warn!(target: "isolate_browser::route", "route handler failed: {e}");
                    }
                    if !handled.load(Ordering::SeqCst) {
                        let _ = send_continue(&cdp_page, id, ContinueOverrides::default()).await;
                    }
                });
            }
        });
        Ok(())
    }

    fn matching_route(&self, url: &str) -> Option<RouteEntry> {
        let own = self
            .inner
            .routes
            .routes
            .lock()
            .ok()
            .and_then(|r| r.iter().rev().find(|e| e.matches_url(url)).cloned());
        own.or_else(|| self.context().matching_route(url))
    }
}

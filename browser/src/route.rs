//! Request routing through CDP's `Fetch` domain: `route(url, handler)` on a page or a context
//! pauses matching requests and hands them to the handler, which fulfills, aborts or continues
//! them, or falls back to the next route. Page routes run before context routes, the newest
//! first, as in Playwright: a handler that falls back (or returns without answering) hands the
//! request, with any changes it made, to the next route matching its (maybe changed) URL, and a
//! request no route answers continues to the network with those changes.

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

/// How a route is registered beyond its URL pattern.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteOptions {
    /// Handle this many requests, then stop matching (`{ times }`); `None` is no limit.
    pub times: Option<usize>,
    /// The embedder's name for the handler, so that [`Page::unroute_tagged`] can remove just
    /// it (Playwright's `unroute(url, handler)`).
    pub tag: Option<u64>,
}

/// A registered route.
#[derive(Clone)]
pub(crate) struct RouteEntry {
    /// Unique among all routes, so a chain runs each route once.
    uid: u64,
    pub(crate) matcher: UrlMatch,
    regex: Option<regex::Regex>,
    handler: RouteHandler,
    tag: Option<u64>,
    /// Requests it may still handle.
    remaining: Option<usize>,
}

impl RouteEntry {
    pub(crate) fn new(
        matcher: UrlMatch,
        handler: RouteHandler,
        options: RouteOptions,
    ) -> Result<Self, BrowserError> {
        static NEXT_UID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
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
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            matcher,
            regex,
            handler,
            tag: options.tag,
            remaining: options.times,
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

/// The routes of a page or a context, oldest first.
#[derive(Default)]
pub(crate) struct RouteList {
    entries: Mutex<Vec<RouteEntry>>,
}

impl RouteList {
    pub(crate) fn push(&self, entry: RouteEntry) -> Result<(), BrowserError> {
        self.entries
            .lock()
            .map_err(|_| BrowserError::Closed(Some("adding a route".into())))?
            .push(entry);
        Ok(())
    }

    /// Removes the routes registered for `url` (only those tagged `tag`, when given).
    pub(crate) fn remove(&self, url: &UrlMatch, tag: Option<u64>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|r| &r.matcher != url || (tag.is_some() && r.tag != tag));
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.lock().map(|e| e.is_empty()).unwrap_or(true)
    }

    fn any_match(&self, url: &str) -> bool {
        self.entries
            .lock()
            .map(|e| e.iter().any(|e| e.matches_url(url)))
            .unwrap_or(false)
    }

    /// The newest route matching `url` that this request's chain has not run yet; it uses up
    /// one of the route's `times` (a used-up route is removed).
    fn take_next(&self, url: &str, tried: &[u64]) -> Option<RouteEntry> {
        let mut entries = self.entries.lock().ok()?;
        let index = entries
            .iter()
            .rposition(|e| !tried.contains(&e.uid) && e.matches_url(url))?;
        let entry = entries[index].clone();
        if let Some(left) = &mut entries[index].remaining {
            *left = left.saturating_sub(1);
            if *left == 0 {
                entries.remove(index);
            }
        }
        Some(entry)
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
    /// The page's id of this request (hop), as its request events carry it.
    pub id: Option<String>,
    /// The frame that made it.
    pub frame: Option<String>,
    /// Whether it loads a frame's document.
    pub is_navigation: bool,
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

impl ContinueOverrides {
    /// These changes, then `later`'s on top.
    fn and(self, later: ContinueOverrides) -> ContinueOverrides {
        ContinueOverrides {
            url: later.url.or(self.url),
            method: later.method.or(self.method),
            headers: later.headers.or(self.headers),
            post_data: later.post_data.or(self.post_data),
        }
    }

    fn apply_to(&self, request: &mut RouteRequest) {
        if let Some(url) = &self.url {
            request.url.clone_from(url);
        }
        if let Some(method) = &self.method {
            request.method.clone_from(method);
        }
        if let Some(headers) = &self.headers {
            request.headers.clone_from(headers);
        }
        if let Some(body) = &self.post_data {
            request.post_data = Some(body.clone());
        }
    }
}

/// What one route of a chain did with the request.
#[derive(Debug, Default)]
enum Answer {
    /// Nothing yet: returning so is falling back unchanged.
    #[default]
    None,
    /// Fulfilled, aborted or continued: the chain ends.
    Final,
    /// Handed to the next route with these changes.
    Fallback(ContinueOverrides),
}

/// A paused request as one route of its chain sees it. Answer it once: [`Route::fulfill`],
/// [`Route::abort`] and [`Route::continue_request`] end the chain, [`Route::fallback`] hands it
/// on.
pub struct Route {
    owner: Page,
    page: chromiumoxide::Page,
    id: fetch::RequestId,
    request: RouteRequest,
    /// The changes earlier routes of the chain made, which a continue sends too.
    earlier: ContinueOverrides,
    answer: Arc<Mutex<Answer>>,
}

impl Route {
    /// The request.
    pub fn request(&self) -> &RouteRequest {
        &self.request
    }

    /// The page whose request it is.
    pub fn page(&self) -> &Page {
        &self.owner
    }

    fn claim(&self, answer: Answer) -> Result<(), BrowserError> {
        let mut current = self
            .answer
            .lock()
            .map_err(|_| BrowserError::Closed(Some("answering a route".into())))?;
        if !matches!(*current, Answer::None) {
            return Err(BrowserError::InvalidArgument(
                "Route is already handled!".to_string(),
            ));
        }
        *current = answer;
        Ok(())
    }

    /// Hands the request to the next route matching it (by its URL after `overrides`), or,
    /// when none is left, to the network; later routes see the request as changed.
    pub fn fallback(&self, overrides: ContinueOverrides) -> Result<(), BrowserError> {
        same_protocol(overrides.url.as_deref(), &self.request.url, "fallback")?;
        self.claim(Answer::Fallback(overrides))
    }

    /// Answers with a response of our own; the network is never touched.
    pub async fn fulfill(&self, response: Fulfill) -> Result<(), BrowserError> {
        self.claim(Answer::Final)?;
        if let Some(id) = &self.request.id {
            self.owner.remember_fulfilled(id, &response.body);
        }
        // A value of several lines is that many headers (`Set-Cookie: a=b\nc=d` sets both).
        let mut headers: Vec<fetch::HeaderEntry> = response
            .headers
            .iter()
            .flat_map(|(k, v)| {
                v.split('\n')
                    .map(|line| fetch::HeaderEntry::new(k.clone(), line.trim_end_matches('\r')))
            })
            .collect();
        if let Some(ct) = &response.content_type {
            headers.retain(|h| !h.name.eq_ignore_ascii_case("content-type"));
            headers.push(fetch::HeaderEntry::new("content-type", ct.clone()));
        }
        add_cors_headers(&self.request, &mut headers);
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
            .map_or_else(|e| answer_error("Fetch.fulfillRequest", e), |_| Ok(()))?;
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
        self.claim(Answer::Final)?;
        self.page
            .execute(fetch::FailRequestParams::new(self.id.clone(), reason))
            .await
            .map_or_else(|e| answer_error("Fetch.failRequest", e), |_| Ok(()))?;
        Ok(())
    }

    /// Lets the request go to the network, optionally changed.
    pub async fn continue_request(&self, overrides: ContinueOverrides) -> Result<(), BrowserError> {
        same_protocol(overrides.url.as_deref(), &self.request.url, "continue")?;
        self.claim(Answer::Final)?;
        send_continue(
            &self.page,
            self.id.clone(),
            self.earlier.clone().and(overrides),
        )
        .await
    }
}

/// A request goes on to the network, so only to a network URL of the same protocol (a `file:`
/// override would be a way around the navigation policy).
fn same_protocol(new_url: Option<&str>, old_url: &str, api: &str) -> Result<(), BrowserError> {
    let Some(url) = new_url else { return Ok(()) };
    let scheme = |u: &str| u.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    if scheme(url) != scheme(old_url) {
        return Err(BrowserError::InvalidArgument(format!(
            "route.{api}: New URL must have same protocol as overridden URL ({url} for {old_url})"
        )));
    }
    Ok(())
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
        .map_or_else(|e| answer_error("Fetch.continueRequest", e), |_| Ok(()))?;
    Ok(())
}

/// The origin a cross-origin request came from, if it is one.
fn cross_origin(request: &RouteRequest) -> Option<String> {
    let origin = header(request, "origin")?.trim().to_string();
    let url = url::Url::parse(&request.url).ok()?;
    if !url.scheme().starts_with("http") || url.origin().ascii_serialization() == origin {
        return None;
    }
    Some(origin)
}

fn header<'a>(request: &'a RouteRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A response served to a cross-origin request allows that origin unless it says otherwise,
/// as Playwright's fulfill does: a mock of another origin's API works from the page.
fn add_cors_headers(request: &RouteRequest, headers: &mut Vec<fetch::HeaderEntry>) {
    let Some(origin) = cross_origin(request) else {
        return;
    };
    if headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("access-control-allow-origin"))
    {
        return;
    }
    headers.push(fetch::HeaderEntry::new(
        "access-control-allow-origin",
        origin,
    ));
    headers.push(fetch::HeaderEntry::new(
        "access-control-allow-credentials",
        "true",
    ));
    headers.push(fetch::HeaderEntry::new("vary", "Origin"));
}

/// A CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) of a routed request is
/// answered at once, allowing what it asks, so that the request it asks for reaches the route.
async fn answer_preflight(
    page: &chromiumoxide::Page,
    id: fetch::RequestId,
    request: &RouteRequest,
) {
    let origin = header(request, "origin").unwrap_or("*").to_string();
    let method =
        header(request, "access-control-request-method").unwrap_or("GET, POST, OPTIONS, DELETE");
    let mut headers = vec![
        fetch::HeaderEntry::new("access-control-allow-origin", origin),
        fetch::HeaderEntry::new("access-control-allow-methods", method),
        fetch::HeaderEntry::new("access-control-allow-credentials", "true"),
    ];
    if let Some(asked) = header(request, "access-control-request-headers") {
        headers.push(fetch::HeaderEntry::new(
            "access-control-allow-headers",
            asked,
        ));
    }
    let mut params = fetch::FulfillRequestParams::new(id, 204);
    params.response_headers = Some(headers);
    params.response_phrase = Some(http_reason(204).to_string());
    let _ = page.execute(params).await;
}

fn is_preflight(request: &RouteRequest) -> bool {
    request.method.eq_ignore_ascii_case("OPTIONS")
        && header(request, "access-control-request-method").is_some()
}

/// A failed answer to a paused request: none when the request is gone (the page cancelled it,
/// or navigated away), as in Playwright, else the browser's error.
fn answer_error(call: &str, e: chromiumoxide::error::CdpError) -> Result<(), BrowserError> {
    if e.to_string().contains("Invalid InterceptionId") {
        return Ok(());
    }
    Err(cdp(call, e))
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

fn request_of(page: &Page, ev: &fetch::EventRequestPaused) -> RouteRequest {
    let headers = crate::page::header_pairs(&ev.request.headers);
    let post_data = crate::page::post_data_bytes(&ev.request);
    let resource_type = serde_json::to_value(&ev.resource_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let id = ev
        .network_id
        .as_ref()
        .map(|n| page.request_hop_id(n.inner(), &ev.request.url));
    RouteRequest {
        url: ev.request.url.clone(),
        method: ev.request.method.clone(),
        headers,
        post_data,
        is_navigation: resource_type == "document",
        resource_type,
        id,
        frame: Some(ev.frame_id.inner().clone()),
    }
}

/// Per-page routing state: the page's own routes and whether interception runs.
#[derive(Default)]
pub(crate) struct PageRoutes {
    pub(crate) routes: RouteList,
    pub(crate) enabled: AtomicBool,
}

impl Page {
    /// Routes requests matching `url` to `handler` on this page.
    pub async fn route(&self, url: UrlMatch, handler: RouteHandler) -> Result<(), BrowserError> {
        self.route_with(url, handler, RouteOptions::default()).await
    }

    /// [`Page::route`] with a use count and a tag.
    pub async fn route_with(
        &self,
        url: UrlMatch,
        handler: RouteHandler,
        options: RouteOptions,
    ) -> Result<(), BrowserError> {
        self.ensure_open("adding a route")?;
        self.inner
            .routes
            .routes
            .push(RouteEntry::new(url, handler, options)?)?;
        self.enable_routing().await
    }

    /// Removes every route of this page for `url`.
    pub fn unroute(&self, url: &UrlMatch) {
        self.inner.routes.routes.remove(url, None);
    }

    /// Removes the routes of this page for `url` that were registered with `tag`.
    pub fn unroute_tagged(&self, url: &UrlMatch, tag: u64) {
        self.inner.routes.routes.remove(url, Some(tag));
    }

    /// Removes every route of this page.
    pub fn unroute_all(&self) {
        self.inner.routes.routes.clear();
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
                let request = request_of(&page, &ev);
                tokio::spawn(run_chain(page, ev.request_id.clone(), request));
            }
        });
        Ok(())
    }

    /// Whether a route of this page or its context matches `url`.
    fn has_route_for(&self, url: &str) -> bool {
        self.inner.routes.routes.any_match(url) || self.context().routes().any_match(url)
    }

    /// The next route of a request's chain: the page's own routes, then the context's.
    fn next_route(&self, url: &str, tried: &[u64]) -> Option<RouteEntry> {
        self.inner
            .routes
            .routes
            .take_next(url, tried)
            .or_else(|| self.context().routes().take_next(url, tried))
    }
}

/// Runs a paused request through the routes matching it, newest first, until one answers; a
/// request every route falls back from continues with their changes.
async fn run_chain(page: Page, id: fetch::RequestId, mut request: RouteRequest) {
    let cdp_page = page.cdp().clone();
    let weak = Arc::downgrade(&page.inner);
    drop(page);
    if is_preflight(&request)
        && weak
            .upgrade()
            .is_some_and(|inner| Page { inner }.has_route_for(&request.url))
    {
        answer_preflight(&cdp_page, id, &request).await;
        return;
    }
    let mut tried = Vec::new();
    let mut earlier = ContinueOverrides::default();
    loop {
        let entry = weak
            .upgrade()
            .and_then(|inner| Page { inner }.next_route(&request.url, &tried));
        let Some(entry) = entry else { break };
        tried.push(entry.uid);
        // As in Playwright, the browser's own favicon requests never reach a handler: a
        // routed one is aborted, so it cannot go to the network.
        if is_favicon(&request.url) {
            let _ = cdp_page
                .execute(fetch::FailRequestParams::new(
                    id,
                    network::ErrorReason::Aborted,
                ))
                .await;
            return;
        }
        let answer = Arc::new(Mutex::new(Answer::None));
        let Some(owner) = weak.upgrade().map(|inner| Page { inner }) else {
            return;
        };
        let route = Route {
            owner,
            page: cdp_page.clone(),
            id: id.clone(),
            request: request.clone(),
            earlier: earlier.clone(),
            answer: answer.clone(),
        };
        if let Err(e) = (entry.handler)(route).await {
            tracing::warn!(target: "isolate_browser::route", "route handler failed: {e}");
        }
        let answer = answer
            .lock()
            .map(|mut a| std::mem::take(&mut *a))
            .unwrap_or(Answer::Final);
        match answer {
            Answer::Final => return,
            Answer::None => {}
            Answer::Fallback(changes) => {
                changes.apply_to(&mut request);
                earlier = earlier.and(changes);
            }
        }
    }
    let _ = send_continue(&cdp_page, id, earlier).await;
}

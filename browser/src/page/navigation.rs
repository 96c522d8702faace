//! Navigation: `goto`, `reload`, history, and waiting for URLs and load states. A navigation
//! runs in the background while lifecycle events decide when Playwright's `waitUntil` state is
//! reached; its main response is picked from the network events of the committed document.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::network;
use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use futures::StreamExt as _;
use serde::Serialize;

use super::Page;
use crate::error::BrowserError;
use crate::error::cdp;

/// When a navigation counts as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WaitUntil {
    /// The response was received and the document started loading.
    Commit,
    /// `DOMContentLoaded` fired.
    DomContentLoaded,
    /// `load` fired (the default).
    #[default]
    Load,
    /// No network connections for 500 ms.
    NetworkIdle,
}

impl WaitUntil {
    /// Parses Playwright's spelling (`load`, `domcontentloaded`, `networkidle`, `commit`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "commit" => Some(Self::Commit),
            "domcontentloaded" => Some(Self::DomContentLoaded),
            "load" => Some(Self::Load),
            "networkidle" => Some(Self::NetworkIdle),
            _ => None,
        }
    }

    fn lifecycle_name(self) -> &'static str {
        match self {
            Self::Commit => "commit",
            Self::DomContentLoaded => "DOMContentLoaded",
            Self::Load => "load",
            Self::NetworkIdle => "networkIdle",
        }
    }
}

/// Options of `goto`/`reload`.
#[derive(Debug, Clone, Copy, Default)]
pub struct GotoOptions {
    /// When the navigation is done.
    pub wait_until: WaitUntil,
    /// Overrides the context's navigation timeout.
    pub timeout: Option<Duration>,
}

/// The main resource's response of a navigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Reason phrase.
    pub status_text: String,
    /// Final URL.
    pub url: String,
    /// Header pairs.
    pub headers: Vec<(String, String)>,
    /// CDP's id of the request (see [`Page::navigation_request`]).
    pub request_id: String,
    /// The server's address, when known.
    pub remote_address: Option<super::RemoteAddress>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Which URLs `wait_for_url` accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlMatch {
    /// The whole URL.
    Exact(String),
    /// A glob: `**` any characters, `*` any but `/`, `?` one character, `{a,b}` alternatives.
    Glob(String),
    /// A JS regular expression.
    Regex {
        /// The pattern.
        pattern: String,
        /// Flags.
        flags: String,
    },
}

impl UrlMatch {
    /// The JS expression (over `u`, the URL string) that tests it.
    pub(crate) fn js_test(&self) -> String {
        let (pattern, flags) = match self {
            Self::Exact(s) => return format!("u === {}", js_string(s)),
            Self::Glob(g) => (glob_to_regex(g), String::new()),
            Self::Regex { pattern, flags } => (pattern.clone(), flags.clone()),
        };
        format!(
            "new RegExp({}, {}).test(u)",
            js_string(&pattern),
            js_string(&flags)
        )
    }

    fn describe(&self) -> String {
        match self {
            Self::Exact(s) | Self::Glob(s) => format!("\"{s}\""),
            Self::Regex { pattern, flags } => format!("/{pattern}/{flags}"),
        }
    }
}

fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Converts Playwright's URL glob to an anchored regex source.
pub(crate) fn glob_to_regex(glob: &str) -> String {
    let mut out = String::from("^");
    let chars: Vec<char> = glob.chars().collect();
    let mut i = 0;
    let mut in_group = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                out.push_str(".*");
                i += 1;
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push('.'),
            '{' => {
                in_group = true;
                out.push_str("(?:");
            }
            '}' if in_group => {
                in_group = false;
                out.push(')');
            }
            ',' if in_group => out.push('|'),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                out.push('\\');
                out.push(chars[i]);
            }
            c if "^$.+()|[]{}".contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        i += 1;
    }
    out.push('$');
    out
}

/// A document state to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadState {
    /// `DOMContentLoaded` fired.
    DomContentLoaded,
    /// `load` fired (the default).
    #[default]
    Load,
    /// `load` fired and no requests were started for 500 ms.
    NetworkIdle,
}

impl Page {
    /// Navigates and waits for `wait_until`; returns the main response (`None` for a
    /// same-document navigation such as a hash change).
    pub async fn goto(
        &self,
        url: &str,
        options: GotoOptions,
    ) -> Result<Option<Response>, BrowserError> {
        self.ensure_open("navigating")?;
        let url = self.resolve_url(url);
        // Chromium answers an invalid URL with no navigation at all; say why instead of
        // waiting for a load that never comes.
        let scheme_ok = url.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        if !scheme_ok {
            return Err(BrowserError::InvalidArgument(format!(
                "page.goto: invalid URL \"{url}\": a relative URL needs a base URL (set use.baseURL in the config, or pass an absolute URL)"
            )));
        }
        let context = self.context();
        context
            .network_policy()
            .check_navigation(&url)
            .map_err(|refusal| BrowserError::Refused {
                what: "page.goto".into(),
                refusal,
            })?;
        let mark = context.network_mark();
        let timeout = options.timeout.unwrap_or(self.navigation_timeout());
        let result = if self.is_fragment_change(&url).await {
            let nav = self.fragment_navigation(&url).await?;
            self.wait_navigation(&url, "page.goto", options.wait_until, timeout, nav, None)
                .await
        } else {
            let nav = {
                let page = self.inner.cdp.clone();
                let url = url.clone();
                async move { page.execute(cdp_page::NavigateParams::new(url)).await }
            };
            self.navigate(&url, "page.goto", options.wait_until, timeout, nav)
                .await
        };
        // A document that no request fetched (`data:`, `about:`) has no response, as in
        // Playwright.
        let local = ["data:", "about:"].iter().any(|s| {
            url.get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        });
        let result = if local { result.map(|_| None) } else { result };
        self.explain_failure("page.goto", mark, result)
    }

    /// Whether going to `url` only changes the current document's fragment.
    async fn is_fragment_change(&self, url: &str) -> bool {
        let Some((base, _)) = url.split_once('#') else {
            return false;
        };
        self.last_known_url()
            .await
            .is_some_and(|current| current.split('#').next() == Some(base))
    }

    /// A same-document navigation, started from the main frame's isolated world.
    /// chromiumoxide holds a `Page.navigate` until the frame loads, which a fragment change
    /// never does, and holds every later navigation of the page behind it.
    async fn fragment_navigation(
        &self,
        url: &str,
    ) -> Result<
        impl Future<Output = Result<NavOutcome, chromiumoxide::error::CdpError>> + Send + 'static,
        BrowserError,
    > {
        let page = self.inner.cdp.clone();
        let main = page
            .mainframe()
            .await
            .map_err(|e| cdp("Page.getFrameTree", e))?
            .ok_or_else(|| BrowserError::Protocol {
                call: "page.goto".into(),
                reason: "the page has no main frame".into(),
            })?;
        let ctx = page
            .frame_secondary_execution_context(main)
            .await
            .map_err(|e| cdp("Runtime.executionContext", e))?;
        let mut params = chromiumoxide::cdp::js_protocol::runtime::EvaluateParams::new(format!(
            "location.href = {}; undefined",
            serde_json::Value::String(url.to_string())
        ));
        params.context_id = ctx;
        Ok(async move { page.execute(params).await.map(|_| NavOutcome::default()) })
    }

    /// A navigation that failed because a connection did: says that the policy refused it
    /// (naming the URL or host), or gives the error Chromium would have given without the
    /// proxy in between.
    pub(super) fn explain_failure<T>(
        &self,
        what: &str,
        mark: u64,
        result: Result<T, BrowserError>,
    ) -> Result<T, BrowserError> {
        let Err(BrowserError::Navigation { url, reason }) = result else {
            return result;
        };
        let failures = self.context().network_failures_since(mark);
        // The URL's own connection, if it was refused: Chromium's background connections of
        // the same moment (accounts.google.com, say) are refused too, and are not the reason.
        let own = |target: &str| {
            url::Url::parse(&url).is_ok_and(|u| {
                u.host_str()
                    .zip(u.port_or_known_default())
                    .is_some_and(|(h, p)| {
                        target == format!("{}:{p}", h.trim_matches(['[', ']']))
                            || target == format!("{h}:{p}")
                    })
            })
        };
        let refused = failures
            .iter()
            .find(|f| f.is_policy() && own(&f.target))
            .or_else(|| failures.iter().find(|f| f.is_policy()))
            .cloned();
        if let Some(mut refusal) = refused {
            if own(&refusal.target) {
                refusal.target = url;
            } else {
                // A redirect's connection was refused.
                refusal.target = format!("{} (reached from {url})", refusal.target);
            }
            return Err(BrowserError::Refused {
                what: what.to_string(),
                refusal,
            });
        }
        let reason = failures
            .last()
            .and_then(|f| f.net_error())
            .filter(|_| reason.contains("ERR_SOCKS") || reason.contains("ERR_PROXY"))
            .map_or(reason, str::to_string);
        Err(BrowserError::Navigation { url, reason })
    }

    /// Reloads the page.
    pub async fn reload(&self, options: GotoOptions) -> Result<Option<Response>, BrowserError> {
        self.ensure_open("reloading")?;
        let url = self.url().await?;
        let timeout = options.timeout.unwrap_or(self.navigation_timeout());
        let nav = {
            let page = self.inner.cdp.clone();
            async move {
                page.execute(cdp_page::ReloadParams::default())
                    .await
                    .map(|_| None::<String>)
            }
        };
        let nav = async move { nav.await.map(|_| NavOutcome::default()) };
        let mark = self.context().network_mark();
        let result = self
            .wait_navigation(&url, "page.reload", options.wait_until, timeout, nav, None)
            .await;
        self.explain_failure("page.reload", mark, result)
    }

    async fn navigate(
        &self,
        url: &str,
        what: &str,
        wait_until: WaitUntil,
        timeout: Duration,
        nav: impl Future<
            Output = Result<
                chromiumoxide::types::CommandResponse<cdp_page::NavigateReturns>,
                chromiumoxide::error::CdpError,
            >,
        > + Send
        + 'static,
    ) -> Result<Option<Response>, BrowserError> {
        let nav = async move {
            nav.await.map(|r| NavOutcome {
                loader_id: r.result.loader_id.map(|l| l.inner().clone()),
                error: r.result.error_text,
                definitive: true,
            })
        };
        self.wait_navigation(url, what, wait_until, timeout, nav, None)
            .await
    }

    /// Drives one navigation of the main frame, or of `frame`: the command runs in the
    /// background while lifecycle events decide when `wait_until` is reached.
    pub(super) async fn wait_navigation(
        &self,
        url: &str,
        what: &str,
        wait_until: WaitUntil,
        timeout: Duration,
        nav: impl Future<Output = Result<NavOutcome, chromiumoxide::error::CdpError>> + Send + 'static,
        frame: Option<&str>,
    ) -> Result<Option<Response>, BrowserError> {
        self.settle_storage().await;
        let page = &self.inner.cdp;
        let mut lifecycle = page
            .event_listener::<cdp_page::EventLifecycleEvent>()
            .await
            .map_err(|e| cdp("Page.lifecycleEvent", e))?;
        let mut navigated = page
            .event_listener::<cdp_page::EventFrameNavigated>()
            .await
            .map_err(|e| cdp("Page.frameNavigated", e))?;
        let mut same_document = page
            .event_listener::<cdp_page::EventNavigatedWithinDocument>()
            .await
            .map_err(|e| cdp("Page.navigatedWithinDocument", e))?;
        let mut responses = page
            .event_listener::<network::EventResponseReceived>()
            .await
            .map_err(|e| cdp("Network.responseReceived", e))?;
        let main_frame = match frame {
            Some(f) => Some(f.to_string()),
            None => page
                .mainframe()
                .await
                .map_err(|e| cdp("Page.getFrameTree", e))?
                .map(|f| f.inner().clone()),
        };
        let mut nav = tokio::spawn(nav);
        let mut nav_done = false;
        let mut nav_loaded = false;
        let mut loader: Option<String> = None;
        let mut committed = false;
        let mut seen: Vec<String> = Vec::new();
        let mut response: Option<Response> = None;
        let mut responses_by_loader: Vec<(String, Response)> = Vec::new();
        let deadline = tokio::time::Instant::now() + timeout;
        let is_main = |frame: &str| main_frame.as_deref().is_none_or(|m| m == frame);
        loop {
            let reached = match wait_until {
                WaitUntil::Commit => committed,
                // chromiumoxide answers `Page.navigate` only after the load event.
                WaitUntil::Load => nav_loaded || seen.iter().any(|n| n == "load"),
                other => seen.iter().any(|n| n == other.lifecycle_name()),
            };
            if reached {
                // Events arrive in protocol order: anything already dispatched belongs here.
                while let Some(Some(ev)) = futures::FutureExt::now_or_never(responses.next()) {
                    if ev.r#type == network::ResourceType::Document {
                        responses_by_loader
                            .push((ev.loader_id.inner().clone(), response_from_cdp(&ev)));
                    }
                }
                if response.is_none()
                    && let Some(l) = &loader
                {
                    response = responses_by_loader
                        .iter()
                        .find(|(id, _)| id == l)
                        .map(|(_, r)| r.clone());
                }
                return Ok(response);
            }
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => {
                    let mut call_log = vec![format!("navigating to \"{url}\", waiting until \"{}\"", wait_until_name(wait_until))];
                    if committed { call_log.push("navigation committed".into()); }
                    for n in &seen { call_log.push(format!("\"{n}\" event fired")); }
                    return Err(BrowserError::Timeout { what: what.to_string(), timeout, call_log });
                }
                result = &mut nav, if !nav_done => {
                    nav_done = true;
                    let outcome = match result {
                        Ok(Ok(outcome)) => outcome,
                        Ok(Err(e)) => return Err(cdp(what, e)),
                        Err(e) => return Err(BrowserError::Protocol { call: what.to_string(), reason: e.to_string() }),
                    };
                    nav_loaded = outcome.definitive;
                    if let Some(reason) = outcome.error {
                        return Err(BrowserError::Navigation { url: url.to_string(), reason });
                    }
                    match outcome.loader_id {
                        Some(l) => { loader.get_or_insert(l); committed = true; }
                        None if !committed && outcome.definitive => return Ok(None),
                        None => {}
                    }
                }
                Some(ev) = navigated.next() => {
                    // Chromium commits its error page for a failed navigation; the failure
                    // itself arrives with the navigate answer.
                    let ours = match frame {
                        None => ev.frame.parent_id.is_none(),
                        Some(f) => ev.frame.id.inner() == f,
                    };
                    if ours && !ev.frame.url.starts_with("chrome-error://") {
                        committed = true;
                        loader = Some(ev.frame.loader_id.inner().clone());
                    } else if ours && frame.is_some() {
                        // A frame's navigation is started from its document: there is no
                        // navigate answer to carry the failure, only the error page.
                        return Err(BrowserError::Navigation { url: url.to_string(), reason: "net::ERR_FAILED".into() });
                    }
                }
                Some(ev) = same_document.next() => {
                    if is_main(ev.frame_id.inner()) && !committed {
                        return Ok(None);
                    }
                }
                Some(ev) = lifecycle.next() => {
                    // Only the new document's events count; it is known once it commits.
                    if is_main(ev.frame_id.inner()) && loader.as_deref() == Some(ev.loader_id.inner()) {
                        seen.push(ev.name.clone());
                    }
                }
                Some(ev) = responses.next() => {
                    if ev.r#type == network::ResourceType::Document
                        && ev.frame_id.as_ref().is_none_or(|f| is_main(f.inner()))
                    {
                        let r = response_from_cdp(&ev);
                        if loader.as_deref() == Some(ev.loader_id.inner()) {
                            response = Some(r.clone());
                        }
                        responses_by_loader.push((ev.loader_id.inner().clone(), r));
                    }
                }
            }
        }
    }

    /// Goes back in history; `None` when there is no previous entry.
    pub async fn go_back(&self, options: GotoOptions) -> Result<Option<Response>, BrowserError> {
        self.go_history(-1, "page.goBack", options).await
    }

    /// Goes forward in history; `None` when there is no next entry.
    pub async fn go_forward(&self, options: GotoOptions) -> Result<Option<Response>, BrowserError> {
        self.go_history(1, "page.goForward", options).await
    }

    async fn go_history(
        &self,
        delta: i64,
        what: &str,
        options: GotoOptions,
    ) -> Result<Option<Response>, BrowserError> {
        self.ensure_open("navigating")?;
        let history = self
            .inner
            .cdp
            .execute(cdp_page::GetNavigationHistoryParams::default())
            .await
            .map_err(|e| cdp("Page.getNavigationHistory", e))?
            .result;
        let target = history.current_index + delta;
        let Some(entry) = usize::try_from(target)
            .ok()
            .and_then(|i| history.entries.get(i))
        else {
            return Ok(None);
        };
        let url = entry.url.clone();
        let timeout = options.timeout.unwrap_or(self.navigation_timeout());
        let page = self.inner.cdp.clone();
        let id = entry.id;
        let nav = async move {
            page.execute(cdp_page::NavigateToHistoryEntryParams::new(id))
                .await
                .map(|_| NavOutcome::default())
        };
        self.wait_navigation(&url, what, options.wait_until, timeout, nav, None)
            .await
    }

    /// Waits until the page's URL matches.
    pub async fn wait_for_url(
        &self,
        url: &UrlMatch,
        timeout: Option<Duration>,
    ) -> Result<(), BrowserError> {
        self.ensure_open("waiting for a URL")?;
        let timeout = timeout.unwrap_or(self.navigation_timeout());
        let expr = format!(
            "(() => {{ const u = location.href; return {}; }})()",
            url.js_test()
        );
        let log =
            crate::wait::CallLog::new(format!("waiting for navigation to {}", url.describe()));
        crate::wait::poll("page.waitForURL", timeout, log, |_| {
            let expr = expr.clone();
            async move {
                match self.evaluate_value(&expr).await {
                    Ok(v) if v.as_bool() == Some(true) => crate::wait::Attempt::Ready(()),
                    Ok(_) => match self.evaluate_value("location.href").await {
                        Ok(u) => crate::wait::Attempt::Retry(format!(
                            "current URL is \"{}\"",
                            u.as_str().unwrap_or_default()
                        )),
                        Err(_) => crate::wait::Attempt::Retry("page is navigating".into()),
                    },
                    Err(BrowserError::Closed(w)) => {
                        crate::wait::Attempt::Fail(BrowserError::Closed(w))
                    }
                    Err(_) => crate::wait::Attempt::Retry("page is navigating".into()),
                }
            }
        })
        .await
    }

    /// Waits until the current document reaches a load state.
    pub async fn wait_for_load_state(
        &self,
        state: LoadState,
        timeout: Option<Duration>,
    ) -> Result<(), BrowserError> {
        self.ensure_open("waiting for a load state")?;
        let timeout = timeout.unwrap_or(self.navigation_timeout());
        let expr = match state {
            LoadState::DomContentLoaded => "document.readyState !== 'loading'",
            LoadState::Load => "document.readyState === 'complete'",
            // Quiet for 500 ms: no resource started or finished in that window.
            LoadState::NetworkIdle => {
                "document.readyState === 'complete' && performance.getEntriesByType('resource').every((e) => e.responseEnd > 0 && performance.now() - e.responseEnd > 500) && performance.now() - (performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? 0) > 500"
            }
        };
        let log = crate::wait::CallLog::new(format!("waiting for load state \"{state:?}\""));
        crate::wait::poll("page.waitForLoadState", timeout, log, |_| async move {
            match self.evaluate_value(expr).await {
                Ok(v) if v.as_bool() == Some(true) => crate::wait::Attempt::Ready(()),
                Ok(_) => crate::wait::Attempt::Retry("not reached yet".into()),
                Err(BrowserError::Closed(w)) => crate::wait::Attempt::Fail(BrowserError::Closed(w)),
                Err(_) => crate::wait::Attempt::Retry("page is navigating".into()),
            }
        })
        .await
    }
}

#[derive(Debug, Default)]
pub(super) struct NavOutcome {
    pub(super) loader_id: Option<String>,
    pub(super) error: Option<String>,
    /// `Page.navigate` answers without a loader exactly for same-document navigations; reload
    /// and history commands answer before anything is known.
    pub(super) definitive: bool,
}

fn wait_until_name(w: WaitUntil) -> &'static str {
    match w {
        WaitUntil::Commit => "commit",
        WaitUntil::DomContentLoaded => "domcontentloaded",
        WaitUntil::Load => "load",
        WaitUntil::NetworkIdle => "networkidle",
    }
}

/// CDP's header object as lower-case name/value pairs.
pub(crate) fn header_pairs(headers: &network::Headers) -> Vec<(String, String)> {
    headers
        .inner()
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.to_ascii_lowercase(),
                        v.as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn response_from_cdp(ev: &network::EventResponseReceived) -> Response {
    let r = &ev.response;
    Response {
        status: u16::try_from(r.status).unwrap_or(0),
        status_text: r.status_text.clone(),
        url: r.url.clone(),
        headers: header_pairs(&r.headers),
        request_id: ev.request_id.inner().clone(),
        remote_address: r
            .remote_ip_address
            .clone()
            .map(|ip_address| super::RemoteAddress {
                ip_address,
                port: r.remote_port.unwrap_or(0),
            }),
    }
}

impl Page {
    /// The record of the request a navigation's response answered (`response.request()`), when
    /// the page still keeps it.
    pub fn navigation_request(&self, response: &Response) -> Option<super::RequestEvent> {
        self.request_record(&response.request_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_become_anchored_regexes() {
        assert_eq!(glob_to_regex("**/done"), "^.*/done$");
        assert_eq!(
            glob_to_regex("http://a.test/*.html"),
            "^http://a\\.test/[^/]*\\.html$"
        );
        assert_eq!(glob_to_regex("**/{a,b}?x"), "^.*/(?:a|b).x$");
    }

    #[test]
    fn wait_until_parses_playwright_names() {
        assert_eq!(
            WaitUntil::parse("networkidle"),
            Some(WaitUntil::NetworkIdle)
        );
        assert_eq!(WaitUntil::parse("bogus"), None);
    }
}

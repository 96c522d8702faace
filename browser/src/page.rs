//! [`Page`]: one tab. Navigation with Playwright's `waitUntil` states, evaluation, content,
//! screenshots and viewport; locators start here.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::emulation;
use chromiumoxide::cdp::browser_protocol::network;
use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use chromiumoxide::cdp::browser_protocol::security;
use chromiumoxide::cdp::js_protocol::runtime;
use futures::StreamExt as _;
use serde::Serialize;

use crate::context::Context;
use crate::context::Viewport;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::locator::Locator;

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
}

impl Response {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Screenshot options.
#[derive(Debug, Clone, Default)]
pub struct ScreenshotOptions {
    /// The whole scrollable page instead of the viewport.
    pub full_page: bool,
    /// Only this rectangle (CSS pixels): x, y, width, height.
    pub clip: Option<(f64, f64, f64, f64)>,
    /// JPEG instead of PNG.
    pub jpeg: bool,
    /// JPEG quality 0-100.
    pub quality: Option<u8>,
    /// Transparent instead of the default white background (PNG only).
    pub omit_background: bool,
}

pub(crate) struct PageInner {
    pub(crate) context: Context,
    pub(crate) cdp: chromiumoxide::Page,
    closed: AtomicBool,
}

/// A browser tab. Clones share it.
#[derive(Clone)]
pub struct Page {
    pub(crate) inner: Arc<PageInner>,
}

impl Page {
    pub(crate) async fn create(
        context: Context,
        cdp_page: chromiumoxide::Page,
    ) -> Result<Self, BrowserError> {
        let page = Self {
            inner: Arc::new(PageInner {
                context,
                cdp: cdp_page,
                closed: AtomicBool::new(false),
            }),
        };
        page.apply_emulation().await?;
        Ok(page)
    }

    async fn apply_emulation(&self) -> Result<(), BrowserError> {
        let o = self.inner.context.options().clone();
        let p = &self.inner.cdp;
        if let Some(v) = o.viewport {
            self.set_viewport_size(v).await?;
        }
        if o.user_agent.is_some() || o.locale.is_some() {
            let ua = match &o.user_agent {
                Some(ua) => ua.clone(),
                None => p.user_agent().await.map_err(|e| cdp("Browser.getVersion", e))?,
            };
            let mut params = emulation::SetUserAgentOverrideParams::new(ua);
            params.accept_language = o.locale.clone();
            p.execute(params)
                .await
                .map_err(|e| cdp("Emulation.setUserAgentOverride", e))?;
        }
        if let Some(locale) = &o.locale {
            p.execute(emulation::SetLocaleOverrideParams {
                locale: Some(locale.clone()),
            })
            .await
            .map_err(|e| cdp("Emulation.setLocaleOverride", e))?;
        }
        if let Some(tz) = &o.timezone_id {
            p.execute(emulation::SetTimezoneOverrideParams::new(tz.clone()))
                .await
                .map_err(|e| BrowserError::InvalidArgument(format!("invalid timezoneId `{tz}`: {e}")))?;
        }
        if let Some(scheme) = o.color_scheme {
            let params = emulation::SetEmulatedMediaParams {
                media: None,
                features: Some(vec![emulation::MediaFeature::new(
                    "prefers-color-scheme",
                    scheme.as_str(),
                )]),
            };
            p.execute(params)
                .await
                .map_err(|e| cdp("Emulation.setEmulatedMedia", e))?;
        }
        if !o.extra_http_headers.is_empty() {
            let map: serde_json::Map<String, serde_json::Value> = o
                .extra_http_headers
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            p.execute(network::SetExtraHttpHeadersParams::new(network::Headers::new(
                serde_json::Value::Object(map),
            )))
            .await
            .map_err(|e| cdp("Network.setExtraHTTPHeaders", e))?;
        }
        if o.offline {
            self.set_offline(true).await?;
        }
        if !o.java_script_enabled {
            p.execute(emulation::SetScriptExecutionDisabledParams::new(true))
                .await
                .map_err(|e| cdp("Emulation.setScriptExecutionDisabled", e))?;
        }
        p.execute(security::SetIgnoreCertificateErrorsParams::new(o.ignore_https_errors))
            .await
            .map_err(|e| cdp("Security.setIgnoreCertificateErrors", e))?;
        Ok(())
    }

    /// The context this page belongs to.
    pub fn context(&self) -> &Context {
        &self.inner.context
    }

    /// Whether the page was closed.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    pub(crate) fn ensure_open(&self, doing: &str) -> Result<(), BrowserError> {
        self.inner.context.ensure_open(doing)?;
        if self.is_closed() {
            return Err(BrowserError::InvalidArgument(format!(
                "page is closed (while {doing})"
            )));
        }
        Ok(())
    }

    pub(crate) fn cdp(&self) -> &chromiumoxide::Page {
        &self.inner.cdp
    }

    /// Resolves `url` against the context's base URL.
    pub fn resolve_url(&self, url: &str) -> String {
        match &self.inner.context.options().base_url {
            Some(base) if !url.contains("://") && !url.starts_with("about:") && !url.starts_with("data:") => {
                join_url(base, url)
            }
            _ => url.to_string(),
        }
    }

    /// Navigates and waits for `wait_until`; returns the main response (`None` for a
    /// same-document navigation such as a hash change).
    pub async fn goto(&self, url: &str, options: GotoOptions) -> Result<Option<Response>, BrowserError> {
        self.ensure_open("navigating")?;
        let url = self.resolve_url(url);
        let timeout = options
            .timeout
            .unwrap_or(self.inner.context.options().navigation_timeout);
        let nav = {
            let page = self.inner.cdp.clone();
            let url = url.clone();
            async move { page.execute(cdp_page::NavigateParams::new(url)).await }
        };
        self.navigate(&url, "page.goto", options.wait_until, timeout, nav).await
    }

    /// Reloads the page.
    pub async fn reload(&self, options: GotoOptions) -> Result<Option<Response>, BrowserError> {
        self.ensure_open("reloading")?;
        let url = self.url().await?;
        let timeout = options
            .timeout
            .unwrap_or(self.inner.context.options().navigation_timeout);
        let nav = {
            let page = self.inner.cdp.clone();
            async move {
                page.execute(cdp_page::ReloadParams::default())
                    .await
                    .map(|_| None::<String>)
            }
        };
        let nav = async move { nav.await.map(|_| NavOutcome::default()) };
        self.wait_navigation(&url, "page.reload", options.wait_until, timeout, nav)
            .await
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
            })
        };
        self.wait_navigation(url, what, wait_until, timeout, nav).await
    }

    /// Drives one navigation: the command runs in the background while lifecycle events
    /// decide when `wait_until` is reached.
    async fn wait_navigation(
        &self,
        url: &str,
        what: &str,
        wait_until: WaitUntil,
        timeout: Duration,
        nav: impl Future<Output = Result<NavOutcome, chromiumoxide::error::CdpError>> + Send + 'static,
    ) -> Result<Option<Response>, BrowserError> {
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
        let main_frame = page
            .mainframe()
            .await
            .map_err(|e| cdp("Page.getFrameTree", e))?
            .map(|f| f.inner().clone());
        let mut nav = tokio::spawn(nav);
        let mut nav_done = false;
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
                WaitUntil::Load => nav_done || seen.iter().any(|n| n == "load"),
                other => seen.iter().any(|n| n == other.lifecycle_name()),
            };
            if reached {
                // Events arrive in protocol order: anything already dispatched belongs here.
                while let Some(Some(ev)) = futures::FutureExt::now_or_never(responses.next()) {
                    if ev.r#type == network::ResourceType::Document {
                        responses_by_loader.push((ev.loader_id.inner().clone(), response_from_cdp(&ev.response)));
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
                    if let Some(reason) = outcome.error {
                        return Err(BrowserError::Navigation { url: url.to_string(), reason });
                    }
                    match outcome.loader_id {
                        Some(l) => { loader.get_or_insert(l); committed = true; }
                        None if !committed => return Ok(None),
                        None => {}
                    }
                }
                Some(ev) = navigated.next() => {
                    // Chromium commits its error page for a failed navigation; the failure
                    // itself arrives with the navigate answer.
                    if ev.frame.parent_id.is_none() && !ev.frame.url.starts_with("chrome-error://") {
                        committed = true;
                        loader = Some(ev.frame.loader_id.inner().clone());
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
                        let r = response_from_cdp(&ev.response);
                        if loader.as_deref() == Some(ev.loader_id.inner()) {
                            response = Some(r.clone());
                        }
                        responses_by_loader.push((ev.loader_id.inner().clone(), r));
                    }
                }
            }
        }
    }

    /// The current URL.
    pub async fn url(&self) -> Result<String, BrowserError> {
        self.ensure_open("reading the URL")?;
        let url = self
            .evaluate_value("location.href")
            .await?;
        Ok(url.as_str().unwrap_or_default().to_string())
    }

    /// The document title.
    pub async fn title(&self) -> Result<String, BrowserError> {
        self.ensure_open("reading the title")?;
        let title = self.evaluate_value("document.title").await?;
        Ok(title.as_str().unwrap_or_default().to_string())
    }

    /// The full HTML of the document, doctype included.
    pub async fn content(&self) -> Result<String, BrowserError> {
        self.ensure_open("reading the content")?;
        let html = self
            .evaluate_value(
                "(() => { let s = ''; if (document.doctype) s = new XMLSerializer().serializeToString(document.doctype); return s + (document.documentElement ? document.documentElement.outerHTML : ''); })()",
            )
            .await?;
        Ok(html.as_str().unwrap_or_default().to_string())
    }

    /// Replaces the document with `html` and waits for it to load.
    pub async fn set_content(&self, html: &str) -> Result<(), BrowserError> {
        self.ensure_open("setting the content")?;
        let html = serde_json::to_string(html).map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        self.evaluate_value(&format!(
            "(async () => {{ document.open(); document.write({html}); document.close(); if (document.readyState !== 'complete') await new Promise((r) => addEventListener('load', r, {{ once: true }})); }})()"
        ))
        .await?;
        Ok(())
    }

    /// Evaluates `script` in the page: an expression, or a function source that is called with
    /// `arg`. Promises are awaited; the result comes back as JSON. Exceptions come back as
    /// [`BrowserError::Evaluation`] with the page's message and stack.
    pub async fn evaluate(
        &self,
        script: &str,
        arg: Option<serde_json::Value>,
    ) -> Result<serde_json::Value, BrowserError> {
        self.ensure_open("evaluating")?;
        let source = serde_json::to_string(script).map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let arg = serde_json::to_string(&arg.unwrap_or(serde_json::Value::Null))
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        self.evaluate_value(&format!(
            "(async () => {{ const __src = {source}; let __v; try {{ __v = (0, eval)('(' + __src + '\\n)'); }} catch (e) {{ if (!(e instanceof SyntaxError)) throw e; __v = (0, eval)(__src); }} return typeof __v === 'function' ? await __v({arg}) : await __v; }})()"
        ))
        .await
    }

    pub(crate) async fn evaluate_value(&self, expression: &str) -> Result<serde_json::Value, BrowserError> {
        let params = runtime::EvaluateParams::builder()
            .expression(expression)
            .return_by_value(true)
            .await_promise(true)
            .user_gesture(true)
            .build()
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let res = self
            .inner
            .cdp
            .execute(params)
            .await
            .map_err(|e| cdp("Runtime.evaluate", e))?;
        if let Some(ex) = res.result.exception_details {
            return Err(exception(&ex));
        }
        Ok(res.result.result.value.unwrap_or(serde_json::Value::Null))
    }

    /// Captures a PNG (or JPEG) of the viewport, the full page or a clip.
    pub async fn screenshot(&self, options: ScreenshotOptions) -> Result<Vec<u8>, BrowserError> {
        self.ensure_open("taking a screenshot")?;
        let mut params = chromiumoxide::page::ScreenshotParams::builder()
            .full_page(options.full_page)
            .omit_background(options.omit_background);
        params = if options.jpeg {
            params.format(cdp_page::CaptureScreenshotFormat::Jpeg)
        } else {
            params.format(cdp_page::CaptureScreenshotFormat::Png)
        };
        if let Some(q) = options.quality {
            params = params.quality(i64::from(q.min(100)));
        }
        if let Some((x, y, width, height)) = options.clip {
            params = params.clip(cdp_page::Viewport {
                x,
                y,
                width,
                height,
                scale: 1.0,
            });
        }
        self.inner
            .cdp
            .screenshot(params.build())
            .await
            .map_err(|e| cdp("Page.captureScreenshot", e))
    }

    /// Changes the viewport size of this page.
    pub async fn set_viewport_size(&self, viewport: Viewport) -> Result<(), BrowserError> {
        let params = emulation::SetDeviceMetricsOverrideParams::new(
            i64::from(viewport.width),
            i64::from(viewport.height),
            1.0,
            false,
        );
        self.inner
            .cdp
            .execute(params)
            .await
            .map_err(|e| cdp("Emulation.setDeviceMetricsOverride", e))?;
        Ok(())
    }

    /// Switches network emulation on or off for this page.
    pub async fn set_offline(&self, offline: bool) -> Result<(), BrowserError> {
        // The replacement (`overrideNetworkState`) has no effect on Chromium 156 yet.
        #[expect(deprecated, reason = "the non-deprecated call does not take effect")]
        let params = network::EmulateNetworkConditionsParams::new(offline, 0.0, -1.0, -1.0);
        self.inner
            .cdp
            .execute(params)
            .await
            .map_err(|e| cdp("Network.emulateNetworkConditions", e))?;
        Ok(())
    }

    /// Closes the page.
    pub async fn close(&self) -> Result<(), BrowserError> {
        if self.inner.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        if !self.inner.context.inner.browser.is_connected() {
            return Ok(());
        }
        self.inner
            .cdp
            .clone()
            .close()
            .await
            .map_err(|e| cdp("Target.closeTarget", e))
    }

    /// A locator for a selector (`css`, `text=…`, `xpath=…`, `id=…`, `data-testid=…`, chained
    /// with `>>`).
    pub fn locator(&self, selector: &str) -> Locator {
        Locator::root(self.clone()).locator(selector)
    }
}

#[derive(Debug, Default)]
struct NavOutcome {
    loader_id: Option<String>,
    error: Option<String>,
}

fn wait_until_name(w: WaitUntil) -> &'static str {
    match w {
        WaitUntil::Commit => "commit",
        WaitUntil::DomContentLoaded => "domcontentloaded",
        WaitUntil::Load => "load",
        WaitUntil::NetworkIdle => "networkidle",
    }
}

fn response_from_cdp(r: &network::Response) -> Response {
    let headers = r
        .headers
        .inner()
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    Response {
        status: u16::try_from(r.status).unwrap_or(0),
        status_text: r.status_text.clone(),
        url: r.url.clone(),
        headers,
    }
}

pub(crate) fn exception(ex: &runtime::ExceptionDetails) -> BrowserError {
    let description = ex
        .exception
        .as_ref()
        .and_then(|e| e.description.clone())
        .or_else(|| {
            ex.exception
                .as_ref()
                .and_then(|e| e.value.as_ref())
                .map(|v| format!("Uncaught {v}"))
        })
        .unwrap_or_else(|| ex.text.clone());
    let (message, stack) = match description.split_once("\n    at ") {
        Some((msg, rest)) => (msg.to_string(), Some(format!("    at {rest}"))),
        None => (description, None),
    };
    BrowserError::Evaluation { message, stack }
}

fn join_url(base: &str, url: &str) -> String {
    let Some((scheme, rest)) = base.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    if url.starts_with('/') {
        return format!("{scheme}://{authority}{url}");
    }
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    };
    format!("{scheme}://{authority}/{dir}{url}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_join_the_base() {
        assert_eq!(join_url("http://a.test:8080", "/x?y"), "http://a.test:8080/x?y");
        assert_eq!(join_url("http://a.test/app/", "page"), "http://a.test/app/page");
        assert_eq!(join_url("http://a.test/app/index.html", "page"), "http://a.test/app/page");
    }

    #[test]
    fn wait_until_parses_playwright_names() {
        assert_eq!(WaitUntil::parse("networkidle"), Some(WaitUntil::NetworkIdle));
        assert_eq!(WaitUntil::parse("bogus"), None);
    }
}

//! [`Page`]: one tab. Navigation with Playwright's `waitUntil` states, evaluation, content,
//! screenshots and viewport; locators start here.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;

use chromiumoxide::cdp::browser_protocol::emulation;
use chromiumoxide::cdp::browser_protocol::network;
use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use chromiumoxide::cdp::browser_protocol::security;
use chromiumoxide::cdp::js_protocol::runtime;

use crate::context::Context;
use crate::context::Viewport;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::locator::Locator;

mod events;
mod expose;
mod file_chooser;
mod frame;
mod frames;
mod handle;
mod navigation;
mod overrides;
mod requests;
mod screencast;
mod screenshot;
mod video;
mod wait_function;

pub use expose::BindingCall;
pub use frame::Frame;

/// How Playwright previews a node (`JSHandle@<div id="x">text</div>`, call logs): a JS
/// function of the node.
pub(crate) const PREVIEW_JS: &str = include_str!("preview.js");
pub use frames::FrameInfo;
pub use handle::JsHandle;
pub use overrides::EmulateMedia;
pub(crate) use overrides::Overrides;

pub use events::ConsoleLocation;
pub use events::ConsoleMessage;
pub use events::DialogAction;
pub use events::DialogEvent;
pub use events::DialogHandler;
pub use events::MessageFilter;
pub use events::PageErrorRecord;
pub use events::PageEvent;
pub use file_chooser::FileChooserEvent;
pub use requests::RemoteAddress;
pub use requests::RequestEvent;
pub use screencast::Frame as ScreencastFrame;
pub use screenshot::ImageFormat;
pub use screenshot::ScreenshotOptions;
pub use video::FFMPEG_ENV;
pub use video::RecordVideo;
pub use video::Video;
pub use video::find_ffmpeg;
pub(crate) use video::no_ffmpeg as video_needs_ffmpeg;
pub use wait_function::Polling;

pub use navigation::GotoOptions;
pub use navigation::LoadState;
pub use navigation::Response;
pub use navigation::UrlMatch;
pub use navigation::WaitUntil;
pub(crate) use navigation::glob_to_regex;
pub(crate) use navigation::header_pairs;
pub(crate) use requests::post_data_bytes;

pub(crate) struct PageInner {
    pub(crate) context: Context,
    pub(crate) cdp: chromiumoxide::Page,
    closed: AtomicBool,
    pub(crate) routes: crate::route::PageRoutes,
    pub(crate) events: events::PageEvents,
    pub(crate) frames: frames::FrameTree,
    /// The page's requests in flight (shared with the event loop that keeps it).
    pub(crate) requests: Arc<std::sync::Mutex<requests::Tracker>>,
    /// Names `exposeBinding` defined.
    pub(crate) exposed: std::sync::Mutex<Vec<String>>,
    /// Mouse buttons currently held (CDP bit mask).
    pub(crate) mouse_buttons: std::sync::atomic::AtomicI64,
    /// Where the mouse is.
    pub(crate) mouse_position: std::sync::Mutex<(f64, f64)>,
    /// Keys held down.
    pub(crate) keyboard: std::sync::Mutex<crate::keyboard::KeyboardState>,
    /// The storage binding and script now installed (see `storage`).
    pub(crate) storage: Arc<tokio::sync::Mutex<crate::storage::InstalledStorage>>,
    /// The media emulated now (`emulateMedia`).
    media: std::sync::Mutex<overrides::MediaState>,
    /// Timeouts and extra headers set on the page.
    overrides: overrides::Overrides,
    /// Held while a screenshot prepares, captures and restores the page: one at a time.
    pub(crate) screenshots: tokio::sync::Mutex<()>,
    /// The page's video, in a context that records them.
    video: std::sync::OnceLock<Video>,
    /// Its screencast, once someone wants frames.
    screencast: screencast::Screencast,
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
        init_scripts: &[String],
        preset_viewport: Option<Viewport>,
    ) -> Result<Self, BrowserError> {
        let storage = Arc::new(tokio::sync::Mutex::new(
            crate::storage::InstalledStorage::default(),
        ));
        // Taken now, so that nothing reaches the page's storage script before the first
        // install below has finished.
        let first_install = storage
            .clone()
            .try_lock_owned()
            .map_err(|_| BrowserError::Closed(Some("opening a page".into())))?;
        let color_scheme = context.options().color_scheme;
        let page = Self {
            inner: Arc::new(PageInner {
                context,
                cdp: cdp_page,
                closed: AtomicBool::new(false),
                routes: crate::route::PageRoutes::default(),
                events: events::PageEvents::default(),
                frames: frames::FrameTree::default(),
                requests: Arc::default(),
                exposed: std::sync::Mutex::new(Vec::new()),
                mouse_buttons: std::sync::atomic::AtomicI64::new(0),
                mouse_position: std::sync::Mutex::new((0.0, 0.0)),
                keyboard: std::sync::Mutex::new(Default::default()),
                storage,
                media: std::sync::Mutex::new(overrides::MediaState::new(color_scheme)),
                overrides: overrides::Overrides::default(),
                screenshots: tokio::sync::Mutex::new(()),
                video: std::sync::OnceLock::new(),
                screencast: screencast::Screencast::default(),
            }),
        };
        page.keep_service_workers_running().await;
        page.start_events().await?;
        page.start_frames().await?;
        // The storage script (only in a context with saved storage not yet written) goes in
        // first, so init scripts see saved storage. It is installed in the background (the
        // first commands to a new renderer are slow) and navigations wait for it.
        let installing = {
            let page = page.clone();
            let mut guard = first_install;
            tokio::spawn(async move { page.sync_storage_locked(&mut guard).await })
        };
        if !init_scripts.is_empty() {
            installing
                .await
                .map_err(|_| BrowserError::Closed(Some("opening a page".into())))??;
        }
        for script in init_scripts {
            page.add_init_script(script).await?;
        }
        page.apply_emulation(preset_viewport).await?;
        if page.inner.context.has_routes() {
            page.enable_routing().await?;
        }
        if let Some(record) = &page.inner.context.options().record_video {
            let size = record.frame_size(page.inner.context.options().viewport);
            let video = Video::start(&page, &record.dir, size).await?;
            page.inner.context.add_video(video.clone());
            let _ = page.inner.video.set(video);
        }
        Ok(page)
    }

    /// The page's session auto-attaches what the page starts and holds it until told to run
    /// (so a popup gets its emulation first), but nothing tells a service worker to run:
    /// registering one would never finish. Service workers are left out of auto-attaching.
    async fn keep_service_workers_running(&self) {
        use chromiumoxide::cdp::browser_protocol::target;
        let entry = |kind: &str, exclude: bool| {
            let mut e = target::FilterEntry::builder().r#type(kind).build();
            e.exclude = Some(exclude);
            e
        };
        let filter = vec![
            entry("browser", true),
            entry("tab", true),
            entry("service_worker", true),
            target::FilterEntry::builder().build(),
        ];
        let mut params = target::SetAutoAttachParams::new(true, true);
        params.flatten = Some(true);
        params.filter = Some(target::TargetFilter::new(filter));
        let _ = self.inner.cdp.execute(params).await;
    }

    async fn apply_emulation(&self, preset_viewport: Option<Viewport>) -> Result<(), BrowserError> {
        let o = self.inner.context.options().clone();
        let p = &self.inner.cdp;
        // A pre-made page already has the default viewport; resizing a fresh renderer costs
        // about 50 ms.
        if let Some(v) = o.viewport
            && preset_viewport != Some(v)
        {
            self.set_viewport_size(v).await?;
        }
        if o.user_agent.is_some() || o.locale.is_some() {
            let ua = match &o.user_agent {
                Some(ua) => ua.clone(),
                None => p
                    .user_agent()
                    .await
                    .map_err(|e| cdp("Browser.getVersion", e))?,
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
                .map_err(|e| {
                    BrowserError::InvalidArgument(format!("invalid timezoneId `{tz}`: {e}"))
                })?;
        }
        if o.color_scheme.is_some() {
            self.apply_media().await?;
        }
        if !self.inner.context.extra_http_headers().is_empty() {
            self.apply_extra_http_headers().await?;
        }
        if self.inner.context.is_offline() {
            self.set_offline(true).await?;
        }
        if self.inner.context.geolocation().is_some() {
            self.apply_geolocation().await?;
        }
        if !o.java_script_enabled {
            p.execute(emulation::SetScriptExecutionDisabledParams::new(true))
                .await
                .map_err(|e| cdp("Emulation.setScriptExecutionDisabled", e))?;
        }
        p.execute(security::SetIgnoreCertificateErrorsParams::new(
            o.ignore_https_errors,
        ))
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
        if self.is_crashed() {
            return Err(BrowserError::Crashed);
        }
        if self.is_closed() {
            return Err(BrowserError::InvalidArgument(format!(
                "page is closed (while {doing})"
            )));
        }
        Ok(())
    }

    /// The page's id of the hop of network request `cdp_id` paused at `url`.
    pub(crate) fn request_hop_id(&self, cdp_id: &str, url: &str) -> String {
        self.inner
            .requests
            .lock()
            .map(|t| t.hop_id(cdp_id, url))
            .unwrap_or_else(|_| cdp_id.to_string())
    }

    /// Whether `other` is this page (clones are).
    pub fn same_page(&self, other: &Page) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    pub(crate) fn cdp(&self) -> &chromiumoxide::Page {
        &self.inner.cdp
    }

    /// Resolves `url` against the context's base URL.
    pub fn resolve_url(&self, url: &str) -> String {
        match &self.inner.context.options().base_url {
            Some(base)
                if !url.contains("://")
                    && !url.starts_with("about:")
                    && !url.starts_with("data:") =>
            {
                join_url(base, url)
            }
            _ => url.to_string(),
        }
    }

    /// The current URL.
    pub async fn url(&self) -> Result<String, BrowserError> {
        self.ensure_open("reading the URL")?;
        let url = self.evaluate_value("location.href").await?;
        Ok(url.as_str().unwrap_or_default().to_string())
    }

    /// The main frame's URL as the last navigation event reported it: no round trip to the
    /// page, so it is cheap enough to read after every call (Playwright's `page.url()` is
    /// synchronous).
    pub async fn last_known_url(&self) -> Option<String> {
        if self.is_closed() {
            return None;
        }
        self.inner.cdp.url().await.ok().flatten()
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
        let html = serde_json::to_string(html)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
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
        let source = serde_json::to_string(script)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let arg = serde_json::to_string(&arg.unwrap_or(serde_json::Value::Null))
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        self.evaluate_value(&format!(
            "(async () => {{ const __src = {source}; let __v; try {{ __v = (0, eval)('(' + __src + '\\n)'); }} catch (e) {{ if (!(e instanceof SyntaxError)) throw e; __v = (0, eval)(__src); }} return typeof __v === 'function' ? await __v({arg}) : await __v; }})()"
        ))
        .await
    }

    /// [`Self::evaluate`] with the argument and the result in the wire format of `wire.js`
    /// ([`WIRE_JS`]): what JSON cannot carry (undefined, NaN, -0, BigInt, Date, RegExp, Error,
    /// typed arrays, cycles) survives both ways.
    pub async fn evaluate_wire(
        &self,
        script: &str,
        arg: serde_json::Value,
        handles: &[JsHandle],
    ) -> Result<serde_json::Value, BrowserError> {
        self.ensure_open("evaluating")?;
        let remote = self
            .call_wire(
                None,
                None,
                &wire_function(script, &arg, true)?,
                handles,
                true,
            )
            .await?;
        wire_value(remote.value)
    }

    /// Calls `declaration` with `handles` as its arguments in the main world of `frame` (the
    /// main frame's when `None`), whose context is `ctx` when the caller knows it.
    pub(crate) async fn call_wire(
        &self,
        frame: Option<&cdp_page::FrameId>,
        ctx: Option<runtime::ExecutionContextId>,
        declaration: &str,
        handles: &[JsHandle],
        by_value: bool,
    ) -> Result<runtime::RemoteObject, BrowserError> {
        let ctx = match ctx {
            Some(ctx) => ctx,
            None => self
                .inner
                .cdp
                .execution_context()
                .await
                .map_err(|e| cdp("Runtime.executionContext", e))?
                .ok_or_else(|| {
                    BrowserError::Closed(Some("evaluating: the page is navigating".into()))
                })?,
        };
        let arguments = handle_arguments(self, frame, ctx, handles).await?;
        let mut params = runtime::CallFunctionOnParams::new(declaration);
        params.arguments = Some(arguments);
        params.execution_context_id = Some(ctx);
        params.return_by_value = Some(by_value);
        params.await_promise = Some(true);
        params.user_gesture = Some(true);
        let res = self.inner.cdp.execute(params).await.map_err(|e| {
            match cdp("Runtime.callFunctionOn", e) {
                BrowserError::Protocol { reason, .. }
                    if reason.contains("Inspected target navigated or closed") =>
                {
                    BrowserError::Evaluation {
                        message:
                            "Execution context was destroyed, most likely because of a navigation"
                                .into(),
                        stack: None,
                    }
                }
                other => other,
            }
        })?;
        if let Some(ex) = res.result.exception_details {
            return Err(exception(&ex));
        }
        Ok(res.result.result)
    }

    pub(crate) async fn evaluate_value(
        &self,
        expression: &str,
    ) -> Result<serde_json::Value, BrowserError> {
        let remote = self.evaluate_remote(expression, None, true).await?;
        Ok(remote.value.unwrap_or(serde_json::Value::Null))
    }

    /// `Runtime.evaluate` in `context` (the main frame's main world when `None`).
    pub(crate) async fn evaluate_remote(
        &self,
        expression: &str,
        context: Option<runtime::ExecutionContextId>,
        by_value: bool,
    ) -> Result<runtime::RemoteObject, BrowserError> {
        let mut params = runtime::EvaluateParams::builder()
            .expression(expression)
            .return_by_value(by_value)
            .await_promise(true)
            .user_gesture(true)
            .build()
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        params.context_id = context;
        let res = self
            .inner
            .cdp
            .execute(params)
            .await
            .map_err(|e| cdp("Runtime.evaluate", e))?;
        if let Some(ex) = res.result.exception_details {
            return Err(exception(&ex));
        }
        Ok(res.result.result)
    }

    /// Prints the page to PDF (A4-ish Letter defaults, backgrounds off, as Chromium does).
    pub async fn pdf(&self) -> Result<Vec<u8>, BrowserError> {
        self.ensure_open("printing")?;
        self.inner
            .cdp
            .pdf(cdp_page::PrintToPdfParams::default())
            .await
            .map_err(|e| cdp("Page.printToPDF", e))
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

    /// Makes the page the active tab of its window (`Page.bringToFront`), which also gives it
    /// the animation frames a page behind another does not get.
    pub async fn bring_to_front(&self) -> Result<(), BrowserError> {
        self.ensure_open("bringing the page to front")?;
        self.inner
            .cdp
            .execute(chromiumoxide::cdp::browser_protocol::page::BringToFrontParams::default())
            .await
            .map_err(|e| cdp("Page.bringToFront", e))?;
        Ok(())
    }

    /// The page's video, when its context records them (`recordVideo`).
    pub fn video(&self) -> Option<Video> {
        self.inner.video.get().cloned()
    }

    /// Closes the page.
    pub async fn close(&self) -> Result<(), BrowserError> {
        if self.inner.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        if let Some(video) = self.inner.video.get() {
            video.stop();
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

/// The in-page half of the evaluate wire format: an expression for `{ parse, serialize, text }`.
pub(crate) const WIRE_JS: &str = include_str!("wire.js");

/// `DOM.describeNode` of the node `object` (of any world): its backend id, name, frame.
pub(crate) async fn describe_node(
    cdp_page: &chromiumoxide::Page,
    object: &runtime::RemoteObjectId,
) -> Result<chromiumoxide::cdp::browser_protocol::dom::Node, BrowserError> {
    use chromiumoxide::cdp::browser_protocol::dom;
    let node = cdp_page
        .execute(dom::DescribeNodeParams {
            node_id: None,
            backend_node_id: None,
            object_id: Some(object.clone()),
            depth: None,
            pierce: None,
        })
        .await
        .map_err(|e| cdp("DOM.describeNode", e))?;
    Ok(node.result.node)
}

/// How deep the JSON of a wire value may nest (`wire.js` stops at 190 objects, three levels
/// each).
const MAX_WIRE_DEPTH: usize = 640;

/// The deepest nesting of brackets in `text` outside strings (at least; exact once there are
/// enough brackets to matter).
fn json_depth(text: &str) -> usize {
    // Few brackets cannot nest deep: skip the scan (a 100 MB string result has none).
    let brackets = memchr::memchr2_iter(b'[', b'{', text.as_bytes()).count();
    if brackets <= MAX_WIRE_DEPTH {
        return brackets;
    }
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// A wire value the page returned as `text` (a JSON string, so that depth never reaches the
/// protocol's parsers), parsed without a depth limit (`wire.js` bounds it).
pub(crate) fn wire_value(
    returned: Option<serde_json::Value>,
) -> Result<serde_json::Value, BrowserError> {
    use serde::Deserialize;
    let Some(serde_json::Value::String(text)) = returned else {
        return Ok(returned.unwrap_or(serde_json::Value::Null));
    };
    // The page writes this text and may forge it: bound the nesting before parsing
    // recursively (our own serializer stays far below).
    if json_depth(&text) > MAX_WIRE_DEPTH {
        return Err(BrowserError::Evaluation {
            message: "Cannot serialize result: object reference chain is too long.".into(),
            stack: None,
        });
    }
    let mut de = serde_json::Deserializer::from_str(&text);
    de.disable_recursion_limit();
    serde_json::Value::deserialize(&mut de).map_err(|e| BrowserError::Evaluation {
        message: format!("the page returned a result that is not JSON: {e}"),
        stack: None,
    })
}

/// The function that runs `script` (an expression, or a function source called with the
/// wire-format `arg`, whose handles are the function's arguments) and, with `serialize`,
/// returns its result in the wire format.
pub(crate) fn wire_function(
    script: &str,
    arg: &serde_json::Value,
    serialize: bool,
) -> Result<String, BrowserError> {
    let source =
        serde_json::to_string(script).map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
    let arg =
        serde_json::to_string(arg).map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
    let result = if serialize { "__w.text(__r)" } else { "__r" };
    Ok(format!(
        "async function (...__hs) {{ const __w = {WIRE_JS}; const __src = {source}; let __v; try {{ __v = (0, eval)('(' + __src + '\\n)'); }} catch (e) {{ if (!(e instanceof SyntaxError)) throw e; __v = (0, eval)(__src); }} const __r = typeof __v === 'function' ? await __v(__w.parse({arg}, __hs)) : await __v; return {result}; }}"
    ))
}

/// Handles as call arguments (`Runtime.callFunctionOn`) of a call in `frame`'s main world
/// (`None`: the main frame's), whose context is `ctx`: Playwright's errors for disposed
/// handles and for values of another frame. Element handles of another frame of the same
/// origin are adopted (resolved into `ctx`), as Playwright does.
pub(crate) async fn handle_arguments(
    page: &Page,
    frame: Option<&cdp_page::FrameId>,
    ctx: runtime::ExecutionContextId,
    handles: &[JsHandle],
) -> Result<Vec<runtime::CallArgument>, BrowserError> {
    let tree = page.frames();
    let main = tree
        .iter()
        .find(|f| f.parent.is_none())
        .map(|f| f.id.clone());
    let norm = |f: Option<&cdp_page::FrameId>| {
        f.map(|f| f.inner().clone())
            .filter(|f| Some(f) != main.as_ref())
            .or_else(|| main.clone())
    };
    let origin = |id: &Option<String>| {
        let url = tree
            .iter()
            .find(|f| Some(&f.id) == id.as_ref())
            .map(|f| f.url.clone())
            .unwrap_or_default();
        url::Url::parse(&url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    };
    let want = norm(frame);
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        // Playwright's words for a disposed handle passed as an argument.
        let id = h.object_id().map_err(|_| BrowserError::Evaluation {
            message: "no object with guid: the handle was disposed".into(),
            stack: None,
        })?;
        let same_page = std::sync::Arc::ptr_eq(&h.page().inner, &page.inner);
        let from = norm(h.frame_id());
        let object_id = match id {
            None => {
                out.push(h.primitive_argument());
                continue;
            }
            Some(id) if same_page && from == want => id.clone(),
            Some(id) if same_page && h.is_element() => {
                if origin(&from) != origin(&want) {
                    return Err(BrowserError::Evaluation {
                        message: "Unable to adopt element handle from a different document".into(),
                        stack: None,
                    });
                }
                crate::locator::resolve_into(page.cdp(), id, ctx).await?
            }
            Some(_) => {
                return Err(BrowserError::Evaluation {
                    message: "JSHandles can be evaluated only in the context they were created!"
                        .into(),
                    stack: None,
                });
            }
        };
        out.push(runtime::CallArgument {
            value: None,
            unserializable_value: None,
            object_id: Some(object_id),
        });
    }
    Ok(out)
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
        assert_eq!(
            join_url("http://a.test:8080", "/x?y"),
            "http://a.test:8080/x?y"
        );
        assert_eq!(
            join_url("http://a.test/app/", "page"),
            "http://a.test/app/page"
        );
        assert_eq!(
            join_url("http://a.test/app/index.html", "page"),
            "http://a.test/app/page"
        );
    }
}

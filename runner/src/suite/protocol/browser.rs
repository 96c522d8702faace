//! Arguments and replies of the browser calls (see the table in `mod.rs`). Every struct our own
//! JS fills refuses fields it does not know, so the two sides cannot drift apart silently; the
//! context options are the exception: they are the user's option bag, as in Playwright.

use serde::Deserialize;
use serde::Serialize;

use super::values::Base64;
use super::values::ClickArg;
use super::values::ContextId;
use super::values::DialogId;
use super::values::HandleId;
use super::values::LocatorStep;
use super::values::PageId;
use super::values::Rect;
use super::values::RouteId;
use super::values::RouteRequestId;
use super::values::UrlArg;
use super::values::nullable;

/// A call without arguments.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoArgs {}

/// A new context or page: its id.
#[derive(Debug, Serialize)]
pub(crate) struct Created<Id> {
    pub id: Id,
    /// A new page's frames (so `page.mainFrame()` answers before any call about it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames: Option<Vec<isolate_browser_browser::FrameInfo>>,
}

// ---- browser -----------------------------------------------------------------------------------

/// `selectors.register(name, script)`: the engine's source (or a project file holding it).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegisterSelectorArgs {
    pub name: String,
    pub source: Option<String>,
    pub path: Option<String>,
}

/// `selectors.setTestIdAttribute(name)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TestIdAttributeArgs {
    /// `None`: back to what each context's options say (a test's end).
    pub name: Option<String>,
}

/// `browser.newContext(options)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewContextArgs {
    pub options: Box<ContextOptionsArg>,
}

/// `storageState`: a file of the project, or the state itself.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum StorageStateArg {
    /// A path relative to the project.
    Path(String),
    /// A storage state object.
    State(Box<isolate_browser_browser::StorageState>),
}

/// Browser context options in Playwright's spelling, plus a virtual profile's options.
/// Options Playwright has that are not listed here are accepted and ignored, as the config's
/// `use` block warns about them once.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContextOptionsArg {
    #[serde(default, deserialize_with = "nullable")]
    pub viewport: Option<Option<isolate_browser_browser::Viewport>>,
    pub user_agent: Option<String>,
    pub locale: Option<String>,
    pub timezone_id: Option<String>,
    #[serde(rename = "baseURL")]
    pub base_url: Option<String>,
    pub test_id_attribute: Option<String>,
    pub color_scheme: Option<String>,
    #[serde(rename = "extraHTTPHeaders")]
    pub extra_http_headers: Option<serde_json::Map<String, serde_json::Value>>,
    pub offline: Option<bool>,
    pub java_script_enabled: Option<bool>,
    #[serde(rename = "ignoreHTTPSErrors")]
    pub ignore_https_errors: Option<bool>,
    pub action_timeout: Option<f64>,
    pub navigation_timeout: Option<f64>,
    pub storage_state: Option<StorageStateArg>,
    /// Permissions granted to every origin.
    pub permissions: Option<Vec<String>>,
    pub geolocation: Option<isolate_browser_browser::Geolocation>,
    /// Record a video of every page (`{ dir, size }`).
    pub record_video: Option<RecordVideoArg>,
    /// A virtual profile id: the context opens on it.
    pub profile: Option<String>,
    #[serde(flatten)]
    pub profile_options: ProfileOptionsArg,
}

/// `recordVideo`: where the context's videos go, and their size.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordVideoArg {
    /// A directory test code may write to.
    pub dir: String,
    pub size: Option<isolate_browser_browser::Viewport>,
}

/// `context.tracing.start(options)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TracingStartArgs {
    pub context: ContextId,
    pub title: Option<String>,
    /// Record screencast frames (default true).
    pub screenshots: bool,
}

/// `context.tracing.stop({ path })`, with the calls the isolate recorded on its pages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TracingStopArgs {
    pub context: ContextId,
    /// Where the trace goes; none discards it.
    pub path: Option<String>,
    /// Library events (`before`, `log`, `after`) of the calls made on the context's pages.
    pub events: Vec<serde_json::Value>,
}

/// A DOM snapshot of a traced page before or after a call.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct TraceSnapshotArgs {
    pub page: PageId,
    pub call_id: String,
    /// `before` or `after`.
    pub phase: String,
}

/// `video.saveAs(path)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VideoSaveArgs {
    pub page: PageId,
    pub path: String,
}

/// How a context uses its profile.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProfileOptionsArg {
    /// `storage` (default) or `persistent`.
    pub mode: Option<String>,
    pub autosave: Option<bool>,
    pub reset: Option<bool>,
    pub max_age_seconds: Option<u64>,
    #[serde(rename = "indexedDB")]
    pub indexed_db: Option<bool>,
}

// ---- context -----------------------------------------------------------------------------------

/// A call about one context.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContextArgs {
    pub context: ContextId,
}

/// `context.cookies(urls)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CookiesArgs {
    pub context: ContextId,
    pub urls: Vec<String>,
}

/// `context.addCookies(cookies)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddCookiesArgs {
    pub context: ContextId,
    pub cookies: Vec<isolate_browser_browser::NewCookie>,
}

/// `context.storageState({ path, indexedDB })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct StorageStateArgs {
    pub context: ContextId,
    pub path: Option<String>,
    #[serde(rename = "indexedDB")]
    pub indexed_db: bool,
}

/// `context.setOffline(offline)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetOfflineArgs {
    pub context: ContextId,
    pub offline: bool,
}

/// `context.route(url, handler)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ContextRouteArgs {
    pub context: ContextId,
    pub url: UrlArg,
    pub route_id: RouteId,
    /// `{ times }`: how many requests it handles.
    #[serde(default)]
    pub times: Option<usize>,
}

/// `context.unroute(url)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ContextUnrouteArgs {
    pub context: ContextId,
    /// `None` for `unrouteAll()`.
    pub url: Option<UrlArg>,
    /// `unroute(url, handler)`: the ids the handler was registered under.
    #[serde(default)]
    pub route_ids: Option<Vec<RouteId>>,
}

/// `context.addInitScript(script)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContextScriptArgs {
    pub context: ContextId,
    pub source: String,
}

/// `context.grantPermissions(permissions, { origin })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GrantPermissionsArgs {
    pub context: ContextId,
    pub permissions: Vec<String>,
    pub origin: Option<String>,
}

/// `context.setGeolocation(geolocation | null)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GeolocationArgs {
    pub context: ContextId,
    pub geolocation: Option<isolate_browser_browser::Geolocation>,
}

/// `context.close()`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloseContextArgs {
    pub context: ContextId,
    #[serde(default)]
    pub background: bool,
}

/// `context.setDefaultTimeout(ms)` and `setDefaultNavigationTimeout(ms)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContextTimeoutArgs {
    pub context: ContextId,
    pub timeout: serde_json::Value,
}

/// `context.setExtraHTTPHeaders(headers)`, as `[name, value]` entries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContextHeadersArgs {
    pub context: ContextId,
    pub headers: Vec<(String, serde_json::Value)>,
}

// ---- page --------------------------------------------------------------------------------------

/// A call about one page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageArgs {
    pub page: PageId,
}

/// `page.consoleMessages({ filter })` / `page.pageErrors({ filter })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MessagesArgs {
    pub page: PageId,
    /// `all` or `since-navigation` (the default).
    pub filter: Option<String>,
}

/// `request.response()`: the page and the request hop's id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestResponseArgs {
    pub page: PageId,
    pub request: String,
}

/// A file chooser the page opened: whether it takes several files, and its input.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileChooserInfo {
    pub multiple: bool,
    pub element: HandleInfo,
}

/// A console message with handles of its arguments (`consoleMessage.args()`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ConsoleInfo {
    #[serde(flatten)]
    pub message: isolate_browser_browser::ConsoleMessage,
    pub args: Vec<HandleInfo>,
}

/// `page.goto(url, options)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct GotoArgs {
    pub page: PageId,
    pub url: String,
    pub wait_until: Option<String>,
    pub timeout: Option<f64>,
}

/// `reload`, `goBack`, `goForward`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct NavArgs {
    pub page: PageId,
    pub wait_until: Option<String>,
    pub timeout: Option<f64>,
}

/// `page.setContent(html)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetContentArgs {
    pub page: PageId,
    pub html: String,
}

/// `page.evaluate(fn | expression, arg)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct EvaluateArgs {
    pub page: PageId,
    /// A function's source or an expression; the page tells them apart, unless `isFunction`
    /// says (false: an expression whose value is the result, even a function).
    pub expression: String,
    pub arg: Option<serde_json::Value>,
    pub is_function: Option<bool>,
}

/// `page.waitForFunction(fn | expression, arg, { polling, timeout })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct WaitForFunctionArgs {
    pub page: PageId,
    /// A child frame's id (`frame.waitForFunction`); absent: the main frame.
    #[serde(default)]
    pub frame: Option<String>,
    pub expression: String,
    pub is_function: bool,
    /// In the wire format.
    pub arg: Option<serde_json::Value>,
    /// Milliseconds between checks; absent: every animation frame.
    pub polling: Option<f64>,
    /// Zero is no limit; absent: the page's default.
    pub timeout: Option<f64>,
}

/// `page.waitForURL(url, { timeout })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaitForUrlArgs {
    pub page: PageId,
    pub url: UrlArg,
    pub timeout: Option<f64>,
}

/// `page.waitForLoadState(state, { timeout })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoadStateArgs {
    pub page: PageId,
    pub state: String,
    pub timeout: Option<f64>,
}

/// What every screenshot takes besides its area: format, background, and what makes it
/// repeatable (animations, caret, masks, style, scale).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShotOptions {
    /// `png` (default), `jpeg` or `webp`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub quality: Option<f64>,
    #[serde(default)]
    pub omit_background: bool,
    /// `allow` (default) or `disabled`.
    pub animations: Option<String>,
    /// `initial` or `hide` (default).
    pub caret: Option<String>,
    /// Locators (of the same page) whose elements are covered.
    #[serde(default)]
    pub mask: Vec<Vec<LocatorStep>>,
    pub mask_color: Option<String>,
    pub style: Option<String>,
    /// `device` (default) or `css`.
    pub scale: Option<String>,
}

/// `page.screenshot(options)`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScreenshotArgs {
    pub page: PageId,
    #[serde(default)]
    pub full_page: bool,
    pub clip: Option<Rect>,
    pub path: Option<String>,
    pub timeout: Option<f64>,
    #[serde(flatten)]
    pub shot: ShotOptions,
}

/// `page.pdf({ path })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PdfArgs {
    pub page: PageId,
    pub path: Option<String>,
}

/// `page.setViewportSize({ width, height })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ViewportArgs {
    pub page: PageId,
    pub width: u32,
    pub height: u32,
}

/// The page events the isolate can listen for through the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PageEventName {
    Console,
    PageError,
    Request,
    Response,
    RequestFailed,
    RequestFinished,
    FileChooser,
    Load,
    DomContentLoaded,
    Dialog,
    FrameAttached,
    FrameDetached,
    FrameNavigated,
    /// Calls of functions `exposeBinding` defined (forwarded once one is).
    Binding,
}

/// `page.on(event)` / `page.off(event)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubscribeArgs {
    pub page: PageId,
    pub event: PageEventName,
}

/// `page.route(url, handler)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct PageRouteArgs {
    pub page: PageId,
    pub url: UrlArg,
    pub route_id: RouteId,
    /// `{ times }`: how many requests it handles.
    #[serde(default)]
    pub times: Option<usize>,
}

/// `page.unroute(url)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct PageUnrouteArgs {
    pub page: PageId,
    /// `None` for `unrouteAll()`.
    pub url: Option<UrlArg>,
    /// `unroute(url, handler)`: the ids the handler was registered under.
    #[serde(default)]
    pub route_ids: Option<Vec<RouteId>>,
}

/// `page.addInitScript(script)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageScriptArgs {
    pub page: PageId,
    pub source: String,
}

/// `page.emulateMedia(options)`: each option missing (unchanged), `null` (reset) or a value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct EmulateMediaArgs {
    pub page: PageId,
    #[serde(default, deserialize_with = "nullable")]
    pub media: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub color_scheme: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub reduced_motion: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub forced_colors: Option<Option<String>>,
}

/// `page.setDefaultTimeout(ms)` and `setDefaultNavigationTimeout(ms)`; checked by the
/// handler, which names the method when it is not a number.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageTimeoutArgs {
    pub page: PageId,
    pub timeout: serde_json::Value,
}

/// `page.setExtraHTTPHeaders(headers)`, as `[name, value]` entries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageHeadersArgs {
    pub page: PageId,
    pub headers: Vec<(String, serde_json::Value)>,
}

/// What a navigation answered.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResponseInfo {
    /// The record of the request it answered, when the page keeps it.
    pub request: Option<isolate_browser_browser::RequestEvent>,
    pub remote_address: Option<isolate_browser_browser::RemoteAddress>,
    pub url: String,
    pub status: u16,
    pub status_text: String,
    pub headers: Vec<(String, String)>,
}

// ---- keyboard and mouse ------------------------------------------------------------------------

/// `keyboard.press`, `down`, `up`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyArgs {
    pub page: PageId,
    pub key: String,
    pub delay: Option<f64>,
}

/// `keyboard.type`, `insertText`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextArgs {
    pub page: PageId,
    pub text: String,
    pub delay: Option<f64>,
}

/// `mouse.move(x, y)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MouseMoveArgs {
    pub page: PageId,
    pub x: f64,
    pub y: f64,
    pub steps: Option<u32>,
}

/// `mouse.click(x, y, options)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MouseClickArgs {
    pub page: PageId,
    pub x: f64,
    pub y: f64,
    pub options: ClickArg,
}

/// `mouse.down` / `mouse.up`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MouseButtonArgs {
    pub page: PageId,
    pub button: Option<super::values::ButtonArg>,
    pub click_count: Option<i64>,
}

/// `mouse.wheel(deltaX, deltaY)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct WheelArgs {
    pub page: PageId,
    pub delta_x: f64,
    pub delta_y: f64,
}

// ---- locators ----------------------------------------------------------------------------------

/// A locator: its page and its chain of steps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocatorArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
}

/// Clicks and checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocatorClickArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub options: ClickArg,
}

/// Calls that take only a timeout.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocatorTimeoutArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub timeout: Option<f64>,
}

/// `hover`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocatorForceArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub timeout: Option<f64>,
    #[serde(default)]
    pub force: bool,
}

/// `fill(value)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocatorFillArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub value: String,
    pub timeout: Option<f64>,
    #[serde(default)]
    pub force: bool,
}

/// `press(key)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocatorPressArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub key: String,
    pub timeout: Option<f64>,
}

/// `pressSequentially(text)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocatorTypeArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub text: String,
    pub delay: Option<f64>,
    pub timeout: Option<f64>,
}

/// One option `selectOption` picks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SelectOptionArg {
    pub value: Option<String>,
    pub label: Option<String>,
    pub index: Option<usize>,
    pub value_or_label: Option<String>,
}

/// `selectOption(values)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SelectOptionArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub values: Vec<SelectOptionArg>,
    pub timeout: Option<f64>,
}

/// `getAttribute(name)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetAttributeArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub name: String,
    pub timeout: Option<f64>,
}

/// `locator.evaluate(fn, arg)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct LocatorEvaluateArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub expression: String,
    pub is_function: bool,
    pub arg: Option<serde_json::Value>,
    pub timeout: Option<f64>,
}

/// `page.$eval` / `$$eval` / `locator.evaluateAll`: a function of the matches.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct EvalOnSelectorArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub expression: String,
    pub is_function: bool,
    pub arg: Option<serde_json::Value>,
    /// The selector as the test wrote it, for "failed to find" errors.
    pub selector: Option<String>,
}

/// A handle the host made: its id, Playwright's `toString()` of it, and whether it is a node.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HandleInfo {
    pub id: HandleId,
    pub preview: String,
    pub is_element: bool,
}

/// A named property handle (`handle.getProperties()`).
#[derive(Debug, Serialize)]
pub(crate) struct NamedHandle {
    pub name: String,
    pub handle: HandleInfo,
}

/// A call on a handle.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct HandleArgs {
    pub handle: HandleId,
}

/// A frame of a page: its id, `None` for the main frame.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrameArgs {
    pub page: PageId,
    pub frame: Option<String>,
}

/// `frame.evaluate(fn, arg)` / `evaluateHandle`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FrameEvaluateArgs {
    pub page: PageId,
    pub frame: Option<String>,
    pub expression: String,
    pub arg: Option<serde_json::Value>,
    pub is_function: Option<bool>,
}

/// `frame.setContent(html)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrameSetContentArgs {
    pub page: PageId,
    pub frame: Option<String>,
    pub html: String,
}

/// `frame.goto(url, { timeout })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FrameGotoArgs {
    pub page: PageId,
    pub frame: Option<String>,
    pub url: String,
    pub wait_until: Option<String>,
    pub timeout: Option<f64>,
}

/// `frame.addScriptTag(options)` / `addStyleTag(options)`: one of `url`, `path`, `content`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FrameAddTagArgs {
    pub page: PageId,
    pub frame: Option<String>,
    /// A `<style>` / `<link rel=stylesheet>` instead of a `<script>`.
    pub style: bool,
    pub url: Option<String>,
    pub path: Option<String>,
    pub content: Option<String>,
    /// The script's `type` (`module`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `page.exposeBinding(name, fn)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExposeArgs {
    pub page: PageId,
    pub name: String,
}

/// The answer to a call of an exposed function: its value (wire format) or its error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BindingResultArgs {
    pub page: PageId,
    pub context: i64,
    pub call: u64,
    pub ok: bool,
    pub value: Option<serde_json::Value>,
    pub message: Option<String>,
    pub stack: Option<String>,
}

/// A frame a handle names (`contentFrame`, `ownerFrame`): its id, with its page's frames now.
#[derive(Debug, Serialize)]
pub(crate) struct FrameRef {
    pub frame: Option<String>,
    pub frames: Vec<isolate_browser_browser::FrameInfo>,
}

/// `handle.evaluate(fn, arg)` / `evaluateHandle`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct HandleEvaluateArgs {
    pub handle: HandleId,
    pub expression: String,
    pub is_function: bool,
    pub arg: Option<serde_json::Value>,
}

/// `handle.getProperty(name)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct GetPropertyArgs {
    pub handle: HandleId,
    pub name: String,
}

/// `locator.waitFor({ state })`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum WaitForStateArg {
    Attached,
    Detached,
    Visible,
    Hidden,
}

/// `locator.waitFor(options)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaitForArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub state: WaitForStateArg,
    pub timeout: Option<f64>,
}

/// `waitForSelector(selector, { state, strict, timeout })` of a page, frame or handle.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaitForSelectorArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub state: WaitForStateArg,
    pub strict: bool,
    pub timeout: Option<f64>,
    /// The call, for the error (`page.waitForSelector`, `elementHandle.waitForSelector`).
    pub what: String,
}

/// A file for `setInputFiles`: a project path, or a name, MIME type and bytes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum FileArg {
    /// A file of the project.
    Path {
        /// Relative to the project.
        path: String,
    },
    /// Bytes from the test.
    #[serde(rename_all = "camelCase")]
    Payload {
        name: String,
        mime_type: Option<String>,
        buffer: Base64,
    },
}

/// `setInputFiles(files)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetInputFilesArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub files: Vec<FileArg>,
    pub timeout: Option<f64>,
}

/// `dragTo(target)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DragToArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub target: Vec<LocatorStep>,
    pub timeout: Option<f64>,
    #[serde(default)]
    pub force: bool,
}

/// `locator.screenshot(options)`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LocatorScreenshotArgs {
    pub page: PageId,
    pub chain: Vec<LocatorStep>,
    pub timeout: Option<f64>,
    pub path: Option<String>,
    #[serde(flatten)]
    pub shot: ShotOptions,
}

/// `toHaveScreenshot`'s stable-screenshot loop over a page (or a locator, with `chain`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExpectScreenshotArgs {
    pub page: PageId,
    pub chain: Option<Vec<LocatorStep>>,
    #[serde(default)]
    pub full_page: bool,
    pub clip: Option<Rect>,
    pub expected: Option<Base64>,
    pub threshold: Option<f64>,
    pub max_diff_pixels: Option<f64>,
    pub max_diff_pixel_ratio: Option<f64>,
    #[serde(default)]
    pub is_not: bool,
    pub timeout: f64,
    pub title: String,
    #[serde(flatten)]
    pub shot: ShotOptions,
}

/// How the loop ended (see `matchers::screenshot::ScreenshotOutcome`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExpectScreenshotReply {
    pub actual: Option<Base64>,
    pub previous: Option<Base64>,
    pub diff: Option<Base64>,
    pub error_message: Option<String>,
    pub log: Vec<String>,
    pub timed_out: bool,
}

// ---- web-first assertions ----------------------------------------------------------------------

/// One web-first matcher. `expected` and `options` are the matcher's own (the matchers crate
/// reads them); `chain` is absent for page matchers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ExpectArgs {
    pub page: PageId,
    pub chain: Option<Vec<LocatorStep>>,
    pub matcher: String,
    #[serde(default)]
    pub expected: serde_json::Value,
    #[serde(default)]
    pub options: serde_json::Value,
    pub is_not: bool,
    pub timeout: f64,
}

/// How a web-first matcher ended.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExpectReply {
    pub pass: bool,
    pub message: String,
    pub call_log: Vec<String>,
}

// ---- dialogs and routes ------------------------------------------------------------------------

/// `dialog.accept(text)` / `dismiss()`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DialogArgs {
    pub id: DialogId,
    pub accept: bool,
    pub text: Option<String>,
}

/// `route.fallback(overrides)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FallbackArgs {
    pub request: RouteRequestId,
    pub url: Option<String>,
    pub method: Option<String>,
    pub headers: Option<Vec<(String, String)>>,
    pub post_data: Option<Base64>,
}

/// `route.fulfill(options)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FulfillArgs {
    pub request: RouteRequestId,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub body: Option<Base64>,
    /// `fulfill({ path })`: a file of the project (or the output directory) to serve.
    pub path: Option<String>,
}

/// `route.abort(errorCode)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct AbortArgs {
    pub request: RouteRequestId,
    pub error_code: String,
}

/// `route.continue(overrides)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ContinueArgs {
    pub request: RouteRequestId,
    pub url: Option<String>,
    pub method: Option<String>,
    pub headers: Option<Vec<(String, String)>>,
    pub post_data: Option<Base64>,
}

//! The protocol between the in-isolate test and browser API and the host: every host call the
//! JS makes is one row of the two tables below, with its typed arguments, its typed reply and
//! the function that answers it. Reading the tables tells you every capability test code has.
//!
//! On the wire a call is a method name and JSON arguments (`op_sandbox_call(method, json)`); the
//! host decodes them into the row's argument type (unknown fields refused, the failing field
//! named), runs the handler, and answers `{"ok": reply}` or `{"error": {kind, message,
//! callLog}}`, where the error's kind (`error::ErrorKind`) alone picks the JS class. Calls
//! marked `reports_url` also answer the page's URL (`"url"`) and frames (`"frames"`), so
//! `page.url()` and `page.frames()` are synchronous in the isolate, as in Playwright, and fail at once with "Target crashed" when the page's
//! renderer crashes.
//!
//! - [`HarnessCall`]: answered on the isolate's own thread (test start and end, deadlines,
//!   attachments, steps, the event pump).
//! - [`BrowserCall`]: sent to the worker's browser thread.
//!
//! A unit test checks the tables against the JS sources: every method the JS names is in a
//! table, and every row is used.

mod browser;
mod error;
mod harness;
mod values;

pub(crate) use browser::*;
pub(crate) use error::CallError;
pub(crate) use harness::*;
pub(crate) use values::*;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::suite::browser::calls as b;
use crate::suite::browser::calls::Cx;
use crate::suite::isolate_host as h;
use crate::suite::isolate_host::HarnessCx;

/// A successful reply, already encoded for the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply(pub String);

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    ok: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frames: Option<Vec<isolate_browser_browser::FrameInfo>>,
}

/// What a call about a page brings back besides its value: the page's URL and frames now.
#[derive(Default)]
pub(crate) struct PageState {
    pub url: Option<String>,
    pub frames: Option<Vec<isolate_browser_browser::FrameInfo>>,
}

impl Reply {
    fn encode<T: Serialize>(method: &str, value: &T, state: PageState) -> Result<Self, CallError> {
        serde_json::to_string(&Envelope {
            ok: value,
            url: state.url,
            frames: state.frames,
        })
        .map(Reply)
        .map_err(|e| CallError::new(format!("{method}: the reply does not encode: {e}")))
    }
}

/// The wire form of a failed call.
pub(crate) fn encode_error(error: &CallError) -> String {
    #[derive(Serialize)]
    struct Failed<'a> {
        error: &'a CallError,
    }
    serde_json::to_string(&Failed { error }).unwrap_or_else(|_| {
        r#"{"error":{"kind":"error","message":"the error does not encode"}}"#.to_string()
    })
}

fn decode<T: DeserializeOwned>(method: &str, args: &str) -> Result<T, CallError> {
    let de = &mut serde_json::Deserializer::from_str(args);
    serde_path_to_error::deserialize(de).map_err(|e| CallError::bad_arguments(method, e))
}

macro_rules! call_table {
    (
        $(#[$enum_doc:meta])*
        enum $enum:ident answered with $cx:ty;
        $(
            $(#[$doc:meta])*
            $method:literal => $variant:ident($args:ty) -> $reply:ty = $handler:path $(, $url:ident)?;
        )*
    ) => {
        $(#[$enum_doc])*
        #[derive(Debug)]
        pub(crate) enum $enum {
            $( $(#[$doc])* $variant($args), )*
        }

        impl $enum {
            /// Every method of this table, in table order.
            #[cfg(test)]
            pub(crate) const METHODS: &'static [&'static str] = &[$($method),*];

            /// Decodes a call of this table; `None` when `method` is not one of its rows.
            pub(crate) fn decode(method: &str, args: &str) -> Option<Result<Self, CallError>> {
                match method {
                    $( $method => Some(decode::<$args>(method, args).map(Self::$variant)), )*
                    _ => None,
                }
            }

            /// The method name.
            #[allow(dead_code, reason = "for logs and errors")]
            pub(crate) fn method(&self) -> &'static str {
                match self { $( Self::$variant(_) => $method, )* }
            }

            /// Runs the call's handler and encodes its reply.
            pub(crate) async fn dispatch(self, cx: &$cx) -> Result<Reply, CallError> {
                match self {
                    $( Self::$variant(args) => call_table!(@run cx, args, $method, $handler, $reply $(, $url)?), )*
                }
            }
        }
    };
    (@run $cx:ident, $args:ident, $method:literal, $handler:path, $reply:ty) => {{
        // Boxed: the table's handlers are many and some futures deep; one big enum of them
        // all on the thread's stack overflowed it.
        let value: $reply = Box::pin($handler($cx, $args)).await?;
        Reply::encode($method, &value, PageState::default())
    }};
    (@run $cx:ident, $args:ident, $method:literal, $handler:path, $reply:ty, reports_url) => {{
        let page = $args.page;
        // A call about a page fails at once when its renderer crashes, whatever it waits for.
        let value: $reply = tokio::select! {
            value = Box::pin($handler($cx, $args)) => value?,
            () = $cx.crashed(page) => {
                return Err(CallError::closed(concat!($method, ": Target crashed")));
            }
        };
        Reply::encode($method, &value, $cx.page_state(page).await)
    }};
}

call_table! {
    /// Calls the harness makes about the test it runs, and the event pump; answered on the
    /// isolate's own thread.
    enum HarnessCall answered with HarnessCx;

    /// A test starts: the worker starts its watchdog and clears its console buffer.
    "harness.testBegin" => TestBegin(TestBeginArgs) -> () = h::test_begin;
    /// The running test's deadline moved (`test.setTimeout`, `test.slow`, fixtures).
    "harness.deadline" => Deadline(DeadlineArgs) -> () = h::deadline;
    /// A `test.step` began.
    "harness.stepBegin" => StepBegin(StepBeginArgs) -> () = h::step_begin;
    /// A `test.step` ended.
    "harness.stepEnd" => StepEnd(StepEndArgs) -> () = h::step_end;
    /// A test ended, with everything it recorded.
    "harness.testEnd" => TestEnd(TestResult) -> () = h::test_end;
    /// `testInfo.attach(name, { body | path })`: writes the body under the output directory.
    "harness.attach" => Attach(AttachArgs) -> Attached = h::attach;
    /// An expected snapshot's bytes (`null` when there is none).
    "harness.snapshotRead" => SnapshotRead(SnapshotReadArgs) -> Option<Base64> = h::snapshot_read;
    /// Writes a snapshot expectation or an output copy of one.
    "harness.snapshotWrite" => SnapshotWrite(SnapshotWriteArgs) -> () = h::snapshot_write;
    /// `toMatchSnapshot`'s comparison (`null` when they match).
    "harness.compare" => Compare(CompareArgs) -> Option<CompareReply> = h::compare;
    /// The test's trace.zip, from its events and its contexts' parts (`use.trace`).
    "harness.traceWrite" => TraceWrite(TraceWriteArgs) -> () = h::trace_write;
    /// The next batch of page events (`None` once the session has ended).
    "events.next" => EventsNext(NoArgs) -> Option<Vec<IsolateEvent>> = h::events_next;
}

call_table! {
    /// Calls the browser API makes; answered on the worker's browser thread.
    enum BrowserCall answered with Cx<'_>;

    // ---- browser -----------------------------------------------------------------------------
    /// Starts the worker's Chromium if it is not running (the `browser` worker fixture).
    "browser.launch" => Launch(NoArgs) -> () = b::browser::launch;
    /// `browser.version()`.
    "browser.version" => Version(NoArgs) -> String = b::browser::version;
    /// `selectors.register(name, script)`: a selector engine that runs in the page.
    "selectors.register" => RegisterSelector(RegisterSelectorArgs) -> () = b::browser::register_selector;
    /// `selectors.setTestIdAttribute(name)`: for every context of the session, new ones too.
    "selectors.setTestIdAttribute" => SetTestIdAttribute(TestIdAttributeArgs) -> () = b::browser::set_test_id_attribute;
    /// `browser.newContext(options)`, with a profile when the options name one.
    "browser.newContext" => NewContext(NewContextArgs) -> Created<ContextId> = b::browser::new_context;

    // ---- context -----------------------------------------------------------------------------
    /// `context.newPage()`.
    "context.newPage" => NewPage(ContextArgs) -> Created<PageId> = b::context::new_page;
    /// `context.cookies(urls)`.
    "context.cookies" => Cookies(CookiesArgs) -> Vec<isolate_browser_browser::Cookie> = b::context::cookies;
    /// `context.addCookies(cookies)`.
    "context.addCookies" => AddCookies(AddCookiesArgs) -> () = b::context::add_cookies;
    /// `context.clearCookies()`.
    "context.clearCookies" => ClearCookies(ContextArgs) -> () = b::context::clear_cookies;
    /// `context.storageState({ path, indexedDB })`.
    "context.storageState" => StorageState(StorageStateArgs) -> isolate_browser_browser::StorageState = b::context::storage_state;
    /// `context.setOffline(offline)`.
    "context.setOffline" => SetOffline(SetOfflineArgs) -> () = b::context::set_offline;
    /// `context.route(url, handler)`: matching requests pause for the isolate's handler.
    "context.route" => ContextRoute(ContextRouteArgs) -> () = b::context::route;
    /// `context.unroute(url, handler?)`, `context.unrouteAll()`.
    "context.unroute" => ContextUnroute(ContextUnrouteArgs) -> () = b::context::unroute;
    /// `context.addInitScript(script)`.
    "context.addInitScript" => ContextInitScript(ContextScriptArgs) -> () = b::context::add_init_script;
    /// `context.grantPermissions(permissions, { origin })`.
    "context.grantPermissions" => GrantPermissions(GrantPermissionsArgs) -> () = b::context::grant_permissions;
    /// `context.clearPermissions()`.
    "context.clearPermissions" => ClearPermissions(ContextArgs) -> () = b::context::clear_permissions;
    /// `context.setGeolocation(geolocation | null)`.
    "context.setGeolocation" => SetGeolocation(GeolocationArgs) -> () = b::context::set_geolocation;
    /// `context.tracing.start()`: the context's pages are recorded from now on.
    "context.tracingStart" => TracingStart(TracingStartArgs) -> () = b::trace::start;
    /// `context.tracing.stop({ path })`: the recording, with the calls made, as a trace.zip.
    "context.tracingStop" => TracingStop(TracingStopArgs) -> () = b::trace::stop;
    /// A traced page's DOM as the trace viewer shows it, before or after a call.
    "page.traceSnapshot" => TraceSnapshot(TraceSnapshotArgs) -> () = b::trace::snapshot;
    /// `context.close()`; `background` when the test is over and nothing waits for Chromium.
    "context.close" => CloseContext(CloseContextArgs) -> () = b::context::close;
    /// `context.setDefaultTimeout(ms)`.
    "context.setDefaultTimeout" => ContextDefaultTimeout(ContextTimeoutArgs) -> () = b::context::set_default_timeout;
    /// `context.setDefaultNavigationTimeout(ms)`.
    "context.setDefaultNavigationTimeout" => ContextNavigationTimeout(ContextTimeoutArgs) -> () = b::context::set_default_navigation_timeout;
    /// `context.setExtraHTTPHeaders(headers)`.
    "context.setExtraHTTPHeaders" => ContextHeaders(ContextHeadersArgs) -> () = b::context::set_extra_http_headers;

    // ---- page --------------------------------------------------------------------------------
    /// `page.goto(url, { waitUntil, timeout })`.
    "page.goto" => Goto(GotoArgs) -> Option<ResponseInfo> = b::page::goto, reports_url;
    /// `page.reload(options)`.
    "page.reload" => Reload(NavArgs) -> Option<ResponseInfo> = b::page::reload, reports_url;
    /// `page.goBack(options)`.
    "page.goBack" => GoBack(NavArgs) -> Option<ResponseInfo> = b::page::go_back, reports_url;
    /// `page.goForward(options)`.
    "page.goForward" => GoForward(NavArgs) -> Option<ResponseInfo> = b::page::go_forward, reports_url;
    /// `page.title()`.
    "page.title" => Title(PageArgs) -> String = b::page::title, reports_url;
    /// `page.content()`.
    "page.content" => Content(PageArgs) -> String = b::page::content, reports_url;
    /// `page.setContent(html)`.
    "page.setContent" => SetContent(SetContentArgs) -> () = b::page::set_content, reports_url;
    /// `page.evaluate(fn, arg)`.
    "page.evaluate" => Evaluate(EvaluateArgs) -> serde_json::Value = b::page::evaluate, reports_url;
    /// `page.consoleMessages({ filter })`: the messages the page kept, with their arguments.
    "page.consoleMessages" => ConsoleMessages(MessagesArgs) -> Vec<ConsoleInfo> = b::console::console_messages;
    /// `page.clearConsoleMessages()`.
    "page.clearConsoleMessages" => ClearConsoleMessages(PageArgs) -> () = b::console::clear_console_messages;
    /// `page.pageErrors({ filter })`: the uncaught errors the page kept.
    "page.pageErrors" => PageErrors(MessagesArgs) -> Vec<isolate_browser_browser::PageErrorRecord> = b::console::page_errors;
    /// `page.requests()`: the requests the page kept.
    "page.requests" => Requests(PageArgs) -> Vec<isolate_browser_browser::RequestEvent> = b::console::requests;
    /// `request.response()`: the response of a request of the page, once it has come.
    "page.requestResponse" => RequestResponse(RequestResponseArgs) -> Option<isolate_browser_browser::RequestEvent> = b::console::request_response;
    /// `response.body()`: the body of the response to a request of the page, once it has come.
    "page.responseBody" => ResponseBody(RequestResponseArgs) -> Base64 = b::console::response_body;
    /// `page.clearPageErrors()`.
    "page.clearPageErrors" => ClearPageErrors(PageArgs) -> () = b::console::clear_page_errors;
    /// `page.evaluateHandle(fn, arg)`.
    "page.evaluateHandle" => EvaluateHandle(EvaluateArgs) -> HandleInfo = b::handle::page_evaluate_handle, reports_url;

    // ---- handles -----------------------------------------------------------------------------
    /// `jsHandle.evaluate(fn, arg)`.
    "handle.evaluate" => HandleEvaluate(HandleEvaluateArgs) -> serde_json::Value = b::handle::evaluate;
    /// `jsHandle.evaluateHandle(fn, arg)`.
    "handle.evaluateHandle" => HandleEvaluateHandle(HandleEvaluateArgs) -> HandleInfo = b::handle::evaluate_handle;
    /// `jsHandle.jsonValue()`.
    "handle.jsonValue" => JsonValue(HandleArgs) -> serde_json::Value = b::handle::json_value;
    /// `jsHandle.getProperty(name)`.
    "handle.getProperty" => GetProperty(GetPropertyArgs) -> HandleInfo = b::handle::get_property;
    /// `jsHandle.getProperties()`.
    "handle.getProperties" => GetProperties(HandleArgs) -> Vec<NamedHandle> = b::handle::get_properties;
    /// `jsHandle.dispose()`.
    "handle.dispose" => Dispose(HandleArgs) -> () = b::handle::dispose;
    /// `elementHandle.contentFrame()`: the frame an `<iframe>` holds.
    "handle.contentFrame" => ContentFrame(HandleArgs) -> FrameRef = b::frame::content_frame;
    /// `elementHandle.ownerFrame()`: the frame whose document holds the node.
    "handle.ownerFrame" => OwnerFrame(HandleArgs) -> FrameRef = b::frame::owner_frame;

    // ---- frame -------------------------------------------------------------------------------
    /// `frame.evaluate(fn, arg)`, in the frame's main world.
    "frame.evaluate" => FrameEvaluate(FrameEvaluateArgs) -> serde_json::Value = b::frame::evaluate, reports_url;
    /// `frame.evaluateHandle(fn, arg)`.
    "frame.evaluateHandle" => FrameEvaluateHandle(FrameEvaluateArgs) -> HandleInfo = b::frame::evaluate_handle, reports_url;
    /// `frame.content()`.
    "frame.content" => FrameContent(FrameArgs) -> String = b::frame::content, reports_url;
    /// `frame.setContent(html)`.
    "frame.setContent" => FrameSetContent(FrameSetContentArgs) -> () = b::frame::set_content, reports_url;
    /// `frame.title()`.
    "frame.title" => FrameTitle(FrameArgs) -> String = b::frame::title, reports_url;
    /// `frame.goto(url)` of a child frame.
    "frame.goto" => FrameGoto(FrameGotoArgs) -> Option<ResponseInfo> = b::frame::goto, reports_url;
    /// `frame.addScriptTag` / `addStyleTag`: the element, once it loaded (`path` is a project file).
    "frame.addTag" => FrameAddTag(FrameAddTagArgs) -> HandleInfo = b::frame::add_tag, reports_url;
    /// `frame.frameElement()`: the `<iframe>` that holds the frame.
    "frame.frameElement" => FrameElement(FrameArgs) -> HandleInfo = b::frame::frame_element, reports_url;
    /// `page.waitForFunction(fn, arg, { polling, timeout })` (and a frame's): the value as a handle.
    "page.waitForFunction" => WaitForFunction(WaitForFunctionArgs) -> HandleInfo = b::page::wait_for_function, reports_url;
    /// `page.waitForURL(url, { timeout })`.
    "page.waitForURL" => WaitForUrl(WaitForUrlArgs) -> () = b::page::wait_for_url, reports_url;
    /// `page.waitForLoadState(state, { timeout })`.
    "page.waitForLoadState" => WaitForLoadState(LoadStateArgs) -> () = b::page::wait_for_load_state, reports_url;
    /// `page.screenshot(options)`.
    "page.screenshot" => Screenshot(ScreenshotArgs) -> Base64 = b::screenshot::page, reports_url;
    /// `page.pdf({ path })`.
    "page.pdf" => Pdf(PdfArgs) -> Base64 = b::page::pdf, reports_url;
    /// `page.setViewportSize({ width, height })`.
    "page.setViewportSize" => SetViewportSize(ViewportArgs) -> () = b::page::set_viewport_size, reports_url;
    /// `page.bringToFront()`.
    "page.bringToFront" => BringToFront(PageArgs) -> () = b::page::bring_to_front, reports_url;
    /// `page.close()`.
    "page.close" => ClosePage(PageArgs) -> () = b::page::close;
    /// `page.video().path()`: where the page's video is written.
    "video.path" => VideoPath(PageArgs) -> String = b::video::path;
    /// `video.saveAs(path)`, once the page is closed and the video written.
    "video.saveAs" => VideoSaveAs(VideoSaveArgs) -> () = b::video::save_as;
    /// `video.delete()`, once the video is written.
    "video.delete" => VideoDelete(PageArgs) -> () = b::video::delete;
    /// The isolate listens for a page event (`page.on(name)`).
    "page.subscribe" => Subscribe(SubscribeArgs) -> () = b::page::subscribe;
    /// The isolate stopped listening for a page event.
    "page.unsubscribe" => Unsubscribe(SubscribeArgs) -> () = b::page::unsubscribe;
    /// `page.route(url, handler)`.
    "page.route" => PageRoute(PageRouteArgs) -> () = b::page::route;
    /// `page.unroute(url, handler?)`, `page.unrouteAll()`.
    "page.unroute" => PageUnroute(PageUnrouteArgs) -> () = b::page::unroute;
    /// `page.exposeBinding(name)`: `window[name]` in every frame calls back into the test.
    "page.exposeBinding" => ExposeBinding(ExposeArgs) -> () = b::page::expose_binding, reports_url;
    /// The test's answer to a call of an exposed function.
    "page.bindingResult" => BindingResult(BindingResultArgs) -> () = b::page::binding_result;
    /// `page.addInitScript(script)`.
    "page.addInitScript" => PageInitScript(PageScriptArgs) -> () = b::page::add_init_script;
    /// `page.emulateMedia(options)`: a missing option stays, `null` resets it.
    "page.emulateMedia" => EmulateMedia(EmulateMediaArgs) -> () = b::page::emulate_media;
    /// `page.setDefaultTimeout(ms)`.
    "page.setDefaultTimeout" => PageDefaultTimeout(PageTimeoutArgs) -> () = b::page::set_default_timeout;
    /// `page.setDefaultNavigationTimeout(ms)`.
    "page.setDefaultNavigationTimeout" => PageNavigationTimeout(PageTimeoutArgs) -> () = b::page::set_default_navigation_timeout;
    /// `page.setExtraHTTPHeaders(headers)`.
    "page.setExtraHTTPHeaders" => PageHeaders(PageHeadersArgs) -> () = b::page::set_extra_http_headers;

    // ---- keyboard and mouse ------------------------------------------------------------------
    /// `keyboard.press(key, { delay })`.
    "keyboard.press" => KeyPress(KeyArgs) -> () = b::input::key_press, reports_url;
    /// `keyboard.type(text, { delay })`.
    "keyboard.type" => KeyType(TextArgs) -> () = b::input::key_type, reports_url;
    /// `keyboard.down(key)`.
    "keyboard.down" => KeyDown(KeyArgs) -> () = b::input::key_down, reports_url;
    /// `keyboard.up(key)`.
    "keyboard.up" => KeyUp(KeyArgs) -> () = b::input::key_up, reports_url;
    /// `keyboard.insertText(text)`.
    "keyboard.insertText" => InsertText(TextArgs) -> () = b::input::insert_text, reports_url;
    /// `mouse.move(x, y)`.
    "mouse.move" => MouseMove(MouseMoveArgs) -> () = b::input::mouse_move, reports_url;
    /// `mouse.click(x, y, options)` and `mouse.dblclick`.
    "mouse.click" => MouseClick(MouseClickArgs) -> () = b::input::mouse_click, reports_url;
    /// `mouse.down({ button })`.
    "mouse.down" => MouseDown(MouseButtonArgs) -> () = b::input::mouse_down, reports_url;
    /// `mouse.up({ button })`.
    "mouse.up" => MouseUp(MouseButtonArgs) -> () = b::input::mouse_up, reports_url;
    /// `mouse.wheel(deltaX, deltaY)`.
    "mouse.wheel" => MouseWheel(WheelArgs) -> () = b::input::mouse_wheel, reports_url;

    // ---- locators ----------------------------------------------------------------------------
    /// `locator.count()`.
    "locator.count" => Count(LocatorArgs) -> usize = b::locator::count, reports_url;
    /// `locator.click(options)` and `tap`.
    "locator.click" => Click(LocatorClickArgs) -> () = b::locator::click, reports_url;
    /// `locator.dblclick(options)`.
    "locator.dblclick" => Dblclick(LocatorClickArgs) -> () = b::locator::dblclick, reports_url;
    /// `locator.check(options)`.
    "locator.check" => Check(LocatorClickArgs) -> () = b::locator::check, reports_url;
    /// `locator.uncheck(options)`.
    "locator.uncheck" => Uncheck(LocatorClickArgs) -> () = b::locator::uncheck, reports_url;
    /// `locator.hover({ timeout, force })`.
    "locator.hover" => Hover(LocatorForceArgs) -> () = b::locator::hover, reports_url;
    /// `locator.fill(value, { timeout, force })`.
    "locator.fill" => Fill(LocatorFillArgs) -> () = b::locator::fill, reports_url;
    /// `locator.clear({ timeout })`.
    "locator.clear" => Clear(LocatorTimeoutArgs) -> () = b::locator::clear, reports_url;
    /// `locator.press(key, { timeout })`.
    "locator.press" => Press(LocatorPressArgs) -> () = b::locator::press, reports_url;
    /// `locator.pressSequentially(text, { delay, timeout })` and `type`.
    "locator.pressSequentially" => PressSequentially(LocatorTypeArgs) -> () = b::locator::press_sequentially, reports_url;
    /// `locator.focus({ timeout })`.
    "locator.focus" => Focus(LocatorTimeoutArgs) -> () = b::locator::focus, reports_url;
    /// `locator.blur({ timeout })`.
    "locator.blur" => Blur(LocatorTimeoutArgs) -> () = b::locator::blur, reports_url;
    /// `locator.scrollIntoViewIfNeeded({ timeout })`.
    "locator.scrollIntoViewIfNeeded" => ScrollIntoView(LocatorTimeoutArgs) -> () = b::locator::scroll_into_view_if_needed, reports_url;
    /// `locator.selectText({ timeout, force })`.
    "locator.selectText" => SelectText(LocatorForceArgs) -> () = b::locator::select_text, reports_url;
    /// `locator.selectOption(values, { timeout })`: the values now selected.
    "locator.selectOption" => SelectOption(SelectOptionArgs) -> Vec<String> = b::locator::select_option, reports_url;
    /// `locator.textContent({ timeout })`.
    "locator.textContent" => TextContent(LocatorTimeoutArgs) -> Option<String> = b::locator::text_content, reports_url;
    /// `locator.innerText({ timeout })`.
    "locator.innerText" => InnerText(LocatorTimeoutArgs) -> String = b::locator::inner_text, reports_url;
    /// `locator.innerHTML({ timeout })`.
    "locator.innerHTML" => InnerHtml(LocatorTimeoutArgs) -> String = b::locator::inner_html, reports_url;
    /// `locator.inputValue({ timeout })`.
    "locator.inputValue" => InputValue(LocatorTimeoutArgs) -> String = b::locator::input_value, reports_url;
    /// `locator.getAttribute(name, { timeout })`.
    "locator.getAttribute" => GetAttribute(GetAttributeArgs) -> Option<String> = b::locator::get_attribute, reports_url;
    /// `locator.allTextContents()`.
    "locator.allTextContents" => AllTextContents(LocatorArgs) -> Vec<String> = b::locator::all_text_contents, reports_url;
    /// `locator.allInnerTexts()`.
    "locator.allInnerTexts" => AllInnerTexts(LocatorArgs) -> Vec<String> = b::locator::all_inner_texts, reports_url;
    /// `locator.isVisible()`.
    "locator.isVisible" => IsVisible(LocatorArgs) -> bool = b::locator::is_visible, reports_url;
    /// `locator.isHidden()`.
    "locator.isHidden" => IsHidden(LocatorArgs) -> bool = b::locator::is_hidden, reports_url;
    /// `locator.isEnabled()`.
    "locator.isEnabled" => IsEnabled(LocatorArgs) -> bool = b::locator::is_enabled, reports_url;
    /// `locator.isDisabled()`.
    "locator.isDisabled" => IsDisabled(LocatorArgs) -> bool = b::locator::is_disabled, reports_url;
    /// `locator.isEditable()`.
    "locator.isEditable" => IsEditable(LocatorArgs) -> bool = b::locator::is_editable, reports_url;
    /// `locator.isChecked()`.
    "locator.isChecked" => IsChecked(LocatorArgs) -> bool = b::locator::is_checked, reports_url;
    /// `locator.boundingBox({ timeout })`.
    "locator.boundingBox" => BoundingBox(LocatorTimeoutArgs) -> Option<isolate_browser_browser::BoundingBox> = b::locator::bounding_box, reports_url;
    /// `locator.evaluate(fn, arg, { timeout })`.
    "locator.evaluate" => LocatorEvaluate(LocatorEvaluateArgs) -> serde_json::Value = b::locator::evaluate, reports_url;
    /// `locator.evaluateHandle(fn, arg, { timeout })`.
    "locator.evaluateHandle" => LocatorEvaluateHandle(LocatorEvaluateArgs) -> HandleInfo = b::locator::evaluate_handle, reports_url;
    /// `page.$eval(selector, fn, arg)`: the first match, now, in the page's own world.
    "locator.evalOnSelector" => EvalOnSelector(EvalOnSelectorArgs) -> serde_json::Value = b::locator::eval_on_selector, reports_url;
    /// `page.$$eval(selector, fn, arg)`, `locator.evaluateAll(fn, arg)`: every match, now.
    "locator.evalOnSelectorAll" => EvalOnSelectorAll(EvalOnSelectorArgs) -> serde_json::Value = b::locator::eval_on_selector_all, reports_url;
    /// `page.$(selector)`: the first match now, as an element handle (or none).
    "locator.querySelector" => QuerySelector(LocatorArgs) -> Option<HandleInfo> = b::handle::query_selector, reports_url;
    /// `page.$$(selector)`, `locator.elementHandles()`: every match now, as element handles.
    "locator.querySelectorAll" => QuerySelectorAll(LocatorArgs) -> Vec<HandleInfo> = b::handle::query_selector_all, reports_url;
    /// `locator.waitFor({ state, timeout })`.
    "locator.waitFor" => WaitFor(WaitForArgs) -> () = b::locator::wait_for, reports_url;
    /// `waitForSelector`: the first match once it is in the state, as a handle.
    "locator.waitForSelector" => WaitForSelector(WaitForSelectorArgs) -> Option<HandleInfo> = b::handle::wait_for_selector, reports_url;
    /// `locator.setInputFiles(files, { timeout })`.
    "locator.setInputFiles" => SetInputFiles(SetInputFilesArgs) -> () = b::locator::set_input_files, reports_url;
    /// `locator.dragTo(target, { timeout, force })`.
    "locator.dragTo" => DragTo(DragToArgs) -> () = b::locator::drag_to, reports_url;
    /// `locator.screenshot({ timeout, path })`.
    "locator.screenshot" => LocatorScreenshot(LocatorScreenshotArgs) -> Base64 = b::screenshot::locator, reports_url;

    // ---- web-first assertions ----------------------------------------------------------------
    /// One web-first matcher (`expect(locator).toHaveText(…)`), polled on the host until it
    /// holds or its timeout passes.
    "expect.check" => ExpectCheck(ExpectArgs) -> ExpectReply = b::expect::check, reports_url;
    /// `toHaveScreenshot`: screenshots until stable, compared with the expected image.
    "expect.screenshot" => ExpectScreenshot(ExpectScreenshotArgs) -> ExpectScreenshotReply = b::expect::screenshot, reports_url;

    // ---- dialogs and routes ------------------------------------------------------------------
    /// `dialog.accept(text)` / `dialog.dismiss()`.
    "dialog.respond" => DialogRespond(DialogArgs) -> () = b::route::respond_to_dialog;
    /// `route.fulfill(options)`.
    "route.fulfill" => Fulfill(FulfillArgs) -> () = b::route::fulfill;
    /// `route.abort(errorCode)`.
    "route.abort" => Abort(AbortArgs) -> () = b::route::abort;
    /// `route.continue(overrides)`.
    "route.continue" => Continue(ContinueArgs) -> () = b::route::continue_request;
    /// `route.fallback()`: the next matching handler, or the network, takes the request.
    "route.fallback" => Fallback(FallbackArgs) -> () = b::route::fallback;
}

/// Every method name of both tables.
#[cfg(test)]
pub(crate) fn methods() -> impl Iterator<Item = &'static str> {
    HarnessCall::METHODS
        .iter()
        .chain(BrowserCall::METHODS)
        .copied()
}

#[cfg(test)]
mod tests;

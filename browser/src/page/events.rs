//! What happens on a page, collected and broadcast: console messages, uncaught page errors,
//! requests, responses, failed requests and dialogs. Dialogs block the page until answered:
//! a handler answers them, or the policy (dismiss by default, as Playwright does) does.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::inspector;
use chromiumoxide::cdp::browser_protocol::log as cdp_log;
use chromiumoxide::cdp::browser_protocol::network;
use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use chromiumoxide::cdp::js_protocol::runtime;
use futures::StreamExt as _;
use futures::future::BoxFuture;
use serde::Serialize;
use tokio::sync::broadcast;

use super::Page;
use super::requests::RequestEvent;
use crate::error::BrowserError;
use crate::error::cdp;

/// How many events a page keeps for later inspection.
const KEEP: usize = 1000;

/// How many console messages and page errors a page keeps (`page.consoleMessages()`), as
/// Playwright does.
const KEEP_MESSAGES: usize = 200;

/// A `console.*` call in the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsoleMessage {
    /// `log`, `info`, `warning`, `error`, `debug`, `timeEnd`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The arguments, formatted and joined by spaces.
    pub text: String,
    /// Where the call was made, when known.
    pub location: Option<ConsoleLocation>,
    /// When, in milliseconds since the epoch (the page's clock).
    pub timestamp: f64,
    /// The arguments as the page holds them ([`Page::console_args`] makes handles of them).
    #[serde(skip)]
    pub(crate) args: Arc<Vec<runtime::RemoteObject>>,
}

/// Where a console call was made: zero-based line and column, as CDP and Playwright give them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleLocation {
    /// The script's URL.
    pub url: String,
    /// Line, from 0.
    pub line_number: i64,
    /// Column, from 0.
    pub column_number: i64,
}

/// Which kept messages to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFilter {
    /// Every message kept.
    All,
    /// Only those since the main frame last loaded a document (Playwright's default).
    SinceNavigation,
}

/// An uncaught error of a page, as kept for `page.pageErrors()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageErrorRecord {
    /// `Error: message`.
    pub message: String,
    /// The stack, when the page has one.
    pub stack: Option<String>,
}

/// Console messages and page errors a page keeps, each with the number of the main-frame
/// navigation it happened after.
#[derive(Default)]
struct Kept {
    navigation: u64,
    console: std::collections::VecDeque<(u64, ConsoleMessage)>,
    errors: std::collections::VecDeque<(u64, PageErrorRecord)>,
    requests: std::collections::VecDeque<RequestEvent>,
    /// Responses of the kept requests, and the ids of those that failed.
    responses: std::collections::VecDeque<RequestEvent>,
    failed: std::collections::VecDeque<String>,
    /// Bodies routes fulfilled requests with, by request (hop) id: `response.body()` gives
    /// them without asking the browser, which keeps no body for some of them.
    fulfilled: std::collections::VecDeque<(String, Vec<u8>)>,
}

/// How many requests (and responses) a page keeps, as Playwright does.
const KEEP_REQUESTS: usize = 100;

fn keep_last<T>(list: &mut std::collections::VecDeque<T>, item: T) {
    if list.len() >= KEEP_REQUESTS {
        list.pop_front();
    }
    list.push_back(item);
}

fn keep<T>(list: &mut std::collections::VecDeque<(u64, T)>, navigation: u64, item: T) {
    if list.len() >= KEEP_MESSAGES {
        list.pop_front();
    }
    list.push_back((navigation, item));
}

fn filtered<T: Clone>(
    list: &std::collections::VecDeque<(u64, T)>,
    navigation: u64,
    filter: MessageFilter,
) -> Vec<T> {
    list.iter()
        .filter(|(n, _)| filter == MessageFilter::All || *n == navigation)
        .map(|(_, item)| item.clone())
        .collect()
}

/// A dialog (`alert`, `confirm`, `prompt`, `beforeunload`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogEvent {
    /// `alert`, `confirm`, `prompt` or `beforeunload`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The message shown.
    pub message: String,
    /// A prompt's default value.
    pub default_value: String,
}

/// Everything a page reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum PageEvent {
    /// `console.*`.
    Console(ConsoleMessage),
    /// An uncaught exception or unhandled rejection in the page.
    PageError {
        /// `Error: message`.
        message: String,
        /// The stack, when the page has one.
        stack: Option<String>,
    },
    /// A request was sent.
    Request(RequestEvent),
    /// A response arrived.
    Response(RequestEvent),
    /// A request failed.
    RequestFailed(RequestEvent),
    /// A request's response body has been received in full.
    RequestFinished(RequestEvent),
    /// The main frame's `load` event fired.
    Load,
    /// The main frame's `DOMContentLoaded` event fired.
    DomContentLoaded,
    /// The page opened a file input while file choosers are intercepted.
    FileChooser(super::file_chooser::FileChooserEvent),
    /// A dialog opened (and was answered by the handler or the policy).
    Dialog(DialogEvent),
    /// The page's renderer crashed (out of memory, killed): every call on it fails now.
    Crash,
    /// The page called a function `exposeBinding` defined.
    Binding(super::BindingCall),
    /// A frame attached (`page.frames()` has it now).
    FrameAttached {
        /// The frame's id.
        frame: String,
        /// The page's frames after the change.
        frames: Vec<super::FrameInfo>,
    },
    /// A frame detached, with the frames inside it.
    FrameDetached {
        /// The frame's id.
        frame: String,
        /// The page's frames after the change.
        frames: Vec<super::FrameInfo>,
    },
    /// A frame navigated (also within its document: a fragment, `history.pushState`).
    FrameNavigated {
        /// The frame's id.
        frame: String,
        /// The page's frames after the change.
        frames: Vec<super::FrameInfo>,
    },
}

/// How to answer a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogAction {
    /// Press OK (with text for a prompt).
    Accept(Option<String>),
    /// Press Cancel.
    Dismiss,
}

/// Decides how to answer each dialog.
pub type DialogHandler = Arc<dyn Fn(DialogEvent) -> BoxFuture<'static, DialogAction> + Send + Sync>;

pub(crate) struct PageEvents {
    log: Mutex<Vec<PageEvent>>,
    kept: Mutex<Kept>,
    tx: broadcast::Sender<PageEvent>,
    dialog: Mutex<Option<DialogHandler>>,
    popups: broadcast::Sender<Page>,
    /// Whether the page's renderer crashed (`Inspector.targetCrashed`).
    crashed: tokio::sync::watch::Sender<bool>,
}

impl Default for PageEvents {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(256);
        let (popups, _) = broadcast::channel(16);
        Self {
            crashed: tokio::sync::watch::Sender::new(false),
            log: Mutex::new(Vec::new()),
            kept: Mutex::new(Kept::default()),
            tx,
            dialog: Mutex::new(None),
            popups,
        }
    }
}

impl PageEvents {
    /// A page this one opened.
    pub(crate) fn popup(&self, page: Page) {
        let _ = self.popups.send(page);
    }

    /// The main frame loaded a new document: later `since-navigation` lists start here.
    pub(crate) fn navigated(&self) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.navigation += 1;
        }
    }

    pub(crate) fn push(&self, event: PageEvent) {
        if let Ok(mut kept) = self.kept.lock() {
            let n = kept.navigation;
            match &event {
                PageEvent::Console(m) => keep(&mut kept.console, n, m.clone()),
                PageEvent::PageError { message, stack } => keep(
                    &mut kept.errors,
                    n,
                    PageErrorRecord {
                        message: message.clone(),
                        stack: stack.clone(),
                    },
                ),
                PageEvent::Request(r) => keep_last(&mut kept.requests, r.clone()),
                PageEvent::Response(r) => keep_last(&mut kept.responses, r.clone()),
                PageEvent::RequestFailed(r) => keep_last(&mut kept.failed, r.id.clone()),
                _ => {}
            }
        }
        if let Ok(mut log) = self.log.lock() {
            if log.len() >= KEEP {
                log.remove(0);
            }
            log.push(event.clone());
        }
        let _ = self.tx.send(event);
    }
}

fn format_arg(o: &runtime::RemoteObject) -> String {
    if let Some(v) = &o.value {
        return match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
    }
    if let Some(u) = &o.unserializable_value {
        return u.inner().clone();
    }
    // Plain objects and arrays are shown by their preview; anything else (`Window`, `Promise`,
    // a class instance) by its description, as Chromium's console names it.
    if let Some(p) = &o.preview {
        if p.subtype
            .as_ref()
            .is_some_and(|s| format!("{s:?}") == "Array")
        {
            return array_preview(p, o.description.as_deref());
        }
        if o.description.as_deref() == Some("Object") {
            let props: Vec<String> = p
                .properties
                .iter()
                .map(|prop| format!("{}: {}", prop.name, prop.value.clone().unwrap_or_default()))
                .collect();
            return format!("{{{}}}", props.join(", "));
        }
    }
    o.description.clone().unwrap_or_else(|| "undefined".into())
}

/// An array as the console shows it: holes of a sparse array are `empty` / `empty x N`.
fn array_preview(p: &runtime::ObjectPreview, description: Option<&str>) -> String {
    let mut out = Vec::new();
    let mut next = 0usize;
    let holes = |n: usize| {
        if n == 1 {
            "empty".to_string()
        } else {
            format!("empty x {n}")
        }
    };
    for prop in &p.properties {
        let Ok(i) = prop.name.parse::<usize>() else {
            continue;
        };
        if i > next {
            out.push(holes(i - next));
        }
        out.push(prop.value.clone().unwrap_or_default());
        next = i + 1;
    }
    // `Array(101)`: holes after the last element, when the preview shows everything.
    let length = description.and_then(|d| {
        d.strip_prefix("Array(")?
            .strip_suffix(')')?
            .parse::<usize>()
            .ok()
    });
    if let Some(length) = length.filter(|_| !p.overflow)
        && length > next
    {
        out.push(holes(length - next));
    }
    format!("[{}]", out.join(", "))
}

fn kind_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

impl Page {
    /// Starts collecting this page's events (called once when the page is created).
    pub(crate) async fn start_events(&self) -> Result<(), BrowserError> {
        let p = self.cdp();
        let mut console = p
            .event_listener::<runtime::EventConsoleApiCalled>()
            .await
            .map_err(|e| cdp("Runtime.consoleAPICalled", e))?;
        let mut errors = p
            .event_listener::<runtime::EventExceptionThrown>()
            .await
            .map_err(|e| cdp("Runtime.exceptionThrown", e))?;
        let mut requests = p
            .event_listener::<network::EventRequestWillBeSent>()
            .await
            .map_err(|e| cdp("Network.requestWillBeSent", e))?;
        let mut responses = p
            .event_listener::<network::EventResponseReceived>()
            .await
            .map_err(|e| cdp("Network.responseReceived", e))?;
        let mut failures = p
            .event_listener::<network::EventLoadingFailed>()
            .await
            .map_err(|e| cdp("Network.loadingFailed", e))?;
        let mut finished = p
            .event_listener::<network::EventLoadingFinished>()
            .await
            .map_err(|e| cdp("Network.loadingFinished", e))?;
        let mut dialogs = p
            .event_listener::<cdp_page::EventJavascriptDialogOpening>()
            .await
            .map_err(|e| cdp("Page.javascriptDialogOpening", e))?;
        let mut bindings = p
            .event_listener::<runtime::EventBindingCalled>()
            .await
            .map_err(|e| cdp("Runtime.bindingCalled", e))?;
        let mut loads = p
            .event_listener::<cdp_page::EventLoadEventFired>()
            .await
            .map_err(|e| cdp("Page.loadEventFired", e))?;
        let mut dom_loads = p
            .event_listener::<cdp_page::EventDomContentEventFired>()
            .await
            .map_err(|e| cdp("Page.domContentEventFired", e))?;
        let mut choosers = p
            .event_listener::<cdp_page::EventFileChooserOpened>()
            .await
            .map_err(|e| cdp("Page.fileChooserOpened", e))?;
        let mut crashes = p
            .event_listener::<inspector::EventTargetCrashed>()
            .await
            .map_err(|e| cdp("Inspector.targetCrashed", e))?;
        // The browser's own messages (a CORS refusal, a failed resource load) are console
        // messages too, as Playwright reports them.
        let mut log_entries = p
            .event_listener::<cdp_log::EventEntryAdded>()
            .await
            .map_err(|e| cdp("Log.entryAdded", e))?;
        p.execute(inspector::EnableParams::default())
            .await
            .map_err(|e| cdp("Inspector.enable", e))?;
        p.execute(cdp_log::EnableParams::default())
            .await
            .map_err(|e| cdp("Log.enable", e))?;
        let weak = Arc::downgrade(&self.inner);
        let tracker = self.inner.requests.clone();
        tokio::spawn(async move {
            let track = |f: &dyn Fn(&mut super::requests::Tracker) -> Option<PageEvent>| {
                tracker.lock().ok().and_then(|mut t| f(&mut t))
            };
            loop {
                // Biased, so that of two events ready together the one listed first goes first:
                // `domcontentloaded` before `load`, as the page fired them.
                let event = tokio::select! {
                    biased;
                    Some(ev) = console.next() => {
                        let text = ev.args.iter().map(format_arg).collect::<Vec<_>>().join(" ");
                        let location = ev.stack_trace.as_ref().and_then(|s| s.call_frames.first()).map(|f| {
                            ConsoleLocation { url: f.url.clone(), line_number: f.line_number, column_number: f.column_number }
                        });
                        // CDP's own names (`timeEnd`, `startGroup`), as Playwright reports them.
                        let kind = serde_json::to_value(&ev.r#type)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default();
                        PageEvent::Console(ConsoleMessage {
                            kind,
                            text,
                            location,
                            timestamp: *ev.timestamp.inner(),
                            args: Arc::new(ev.args.clone()),
                        })
                    }
                    Some(ev) = log_entries.next() => {
                        let entry = &ev.entry;
                        // A worker's messages are its own, not the page's.
                        if entry.source == cdp_log::LogEntrySource::Worker {
                            continue;
                        }
                        PageEvent::Console(ConsoleMessage {
                            kind: kind_name(&entry.level),
                            text: entry.text.clone(),
                            location: Some(ConsoleLocation {
                                url: entry.url.clone().unwrap_or_default(),
                                line_number: entry.line_number.unwrap_or(0),
                                column_number: 0,
                            }),
                            timestamp: *entry.timestamp.inner(),
                            args: Arc::new(Vec::new()),
                        })
                    }
                    Some(ev) = errors.next() => {
                        let err = crate::page::exception(&ev.exception_details);
                        match err {
                            BrowserError::Evaluation { message, stack } => PageEvent::PageError {
                                message: message.trim_start_matches("Uncaught ").to_string(),
                                stack,
                            },
                            other => PageEvent::PageError { message: other.to_string(), stack: None },
                        }
                    }
                    Some(ev) = requests.next() => {
                        if ev.r#type == Some(network::ResourceType::Document)
                            && let Some(inner) = weak.upgrade()
                        {
                            inner.context.document_requested(&ev.request.url);
                        }
                        let mut events = tracker.lock().map(|mut t| t.sent(&ev)).unwrap_or_default();
                        let Some(last) = events.pop() else { continue };
                        let Some(inner) = weak.upgrade() else { break };
                        for redirect in events {
                            inner.events.push(redirect);
                        }
                        last
                    }
                    Some(ev) = responses.next() => match track(&|t| t.responded(&ev)) {
                        Some(event) => event,
                        None => continue,
                    },
                    Some(ev) = finished.next() => match track(&|t| t.finished(&ev)) {
                        Some(event) => event,
                        None => continue,
                    },
                    Some(ev) = failures.next() => match track(&|t| t.failed(&ev)) {
                        Some(event) => event,
                        None => continue,
                    },
                    Some(ev) = dialogs.next() => {
                        let dialog = DialogEvent {
                            kind: kind_name(&ev.r#type),
                            message: ev.message.clone(),
                            default_value: ev.default_prompt.clone().unwrap_or_default(),
                        };
                        let Some(inner) = weak.upgrade() else { break };
                        let handler = inner.events.dialog.lock().ok().and_then(|h| h.clone());
                        let action = match handler {
                            Some(h) => h(dialog.clone()).await,
                            None => DialogAction::Dismiss,
                        };
                        let (accept, prompt_text) = match action {
                            DialogAction::Accept(text) => (true, text),
                            DialogAction::Dismiss => (false, None),
                        };
                        let _ = inner
                            .cdp
                            .execute(cdp_page::HandleJavaScriptDialogParams { accept, prompt_text })
                            .await;
                        PageEvent::Dialog(dialog)
                    }
                    Some(_) = dom_loads.next() => PageEvent::DomContentLoaded,
                    Some(_) = loads.next() => PageEvent::Load,
                    Some(ev) = choosers.next() => {
                        PageEvent::FileChooser(super::file_chooser::FileChooserEvent::from_cdp(&ev))
                    }
                    Some(_) = crashes.next() => {
                        let Some(inner) = weak.upgrade() else { break };
                        inner.events.crashed.send_replace(true);
                        PageEvent::Crash
                    }
                    Some(ev) = bindings.next() => {
                        if ev.name == super::expose::EXPOSE_BINDING {
                            match super::expose::binding_call(*ev.execution_context_id.inner(), &ev.payload) {
                                Some(call) => PageEvent::Binding(call),
                                None => continue,
                            }
                        } else {
                            if ev.name == crate::storage::BINDING {
                                let Some(inner) = weak.upgrade() else { break };
                                let context = inner.context.clone();
                                let origin = ev.payload.clone();
                                tokio::spawn(async move { context.origin_seen(origin).await });
                            }
                            continue;
                        }
                    }
                    else => break,
                };
                let Some(inner) = weak.upgrade() else { break };
                inner.events.push(event);
            }
        });
        Ok(())
    }

    /// Whether the page's renderer has crashed.
    pub fn is_crashed(&self) -> bool {
        *self.inner.events.crashed.borrow()
    }

    /// Resolves when the page's renderer crashes (at once if it has).
    pub fn crashed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.inner.events.crashed.subscribe();
        async move {
            // An error means the page is gone without a crash: never resolve then.
            if rx.wait_for(|c| *c).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// The events collected so far (the newest 1,000).
    pub fn events(&self) -> Vec<PageEvent> {
        self.inner
            .events
            .log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    /// Console messages kept (the newest 200).
    pub fn console_messages(&self) -> Vec<ConsoleMessage> {
        self.console_messages_filtered(MessageFilter::All)
    }

    /// Console messages kept (the newest 200): all, or since the last navigation.
    pub fn console_messages_filtered(&self, filter: MessageFilter) -> Vec<ConsoleMessage> {
        let kept = self.inner.events.kept.lock();
        kept.map(|k| filtered(&k.console, k.navigation, filter))
            .unwrap_or_default()
    }

    /// Forgets the console messages kept so far.
    pub fn clear_console_messages(&self) {
        if let Ok(mut k) = self.inner.events.kept.lock() {
            k.console.clear();
        }
    }

    /// Uncaught errors kept (the newest 200): all, or since the last navigation.
    pub fn page_errors(&self, filter: MessageFilter) -> Vec<PageErrorRecord> {
        let kept = self.inner.events.kept.lock();
        kept.map(|k| filtered(&k.errors, k.navigation, filter))
            .unwrap_or_default()
    }

    /// The requests kept, oldest first (the newest 100, as `page.requests()` gives them).
    pub fn requests(&self) -> Vec<RequestEvent> {
        let kept = self.inner.events.kept.lock();
        kept.map(|k| k.requests.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The response of the request hop `id` (`request.response()`): at once when it has come,
    /// else once it comes; `None` when the request failed or finished without one, or the
    /// page closed.
    pub async fn response_of_request(&self, id: &str) -> Option<RequestEvent> {
        // Subscribed before looking, so nothing can come in between.
        let mut rx = self.subscribe();
        {
            let kept = self.inner.events.kept.lock().ok()?;
            if let Some(r) = kept.responses.iter().rev().find(|r| r.id == id) {
                return Some(r.clone());
            }
            if kept.failed.iter().any(|f| f == id) {
                return None;
            }
        }
        loop {
            match rx.recv().await {
                Ok(PageEvent::Response(r)) if r.id == id => return Some(r),
                Ok(PageEvent::RequestFailed(r) | PageEvent::RequestFinished(r)) if r.id == id => {
                    return None;
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// The body of the response to request hop `id` (`response.body()`), once it has all
    /// come. A redirect's response has none; a request that failed has none.
    pub async fn response_body(
        &self,
        id: &str,
        timeout: Duration,
    ) -> Result<Vec<u8>, BrowserError> {
        use base64::Engine as _;
        let (cdp_id, hop) = match id.split_once('#') {
            Some((cdp, _)) => (cdp.to_string(), true),
            None => (id.to_string(), false),
        };
        // A hop that was redirected from has a newer hop under the same CDP id.
        let redirected = {
            let kept = self.inner.events.kept.lock().ok();
            kept.is_some_and(|k| {
                k.requests
                    .iter()
                    .any(|r| r.redirected_from.as_deref() == Some(id))
            })
        };
        if redirected || (hop && self.request_record(&cdp_id).is_some_and(|r| r.id != id)) {
            return Err(BrowserError::InvalidArgument(
                "Response body is unavailable for redirect responses".into(),
            ));
        }
        let fulfilled = self.inner.events.kept.lock().ok().and_then(|k| {
            k.fulfilled
                .iter()
                .rev()
                .find(|(f, _)| f == id)
                .map(|(_, body)| body.clone())
        });
        if let Some(body) = fulfilled {
            return Ok(body);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            self.ensure_open("reading a response body")?;
            match self
                .cdp()
                .execute(network::GetResponseBodyParams::new(
                    network::RequestId::new(cdp_id.clone()),
                ))
                .await
            {
                Ok(r) => {
                    let body = &r.result;
                    return if body.base64_encoded {
                        base64::engine::general_purpose::STANDARD
                            .decode(&body.body)
                            .map_err(|e| {
                                BrowserError::InvalidArgument(format!("response body: {e}"))
                            })
                    } else {
                        Ok(body.body.clone().into_bytes())
                    };
                }
                Err(e) => {
                    let failed = self
                        .inner
                        .events
                        .kept
                        .lock()
                        .map(|k| k.failed.iter().any(|f| f == id))
                        .unwrap_or(false);
                    if failed || tokio::time::Instant::now() >= deadline {
                        return Err(BrowserError::InvalidArgument(format!(
                            "Response body is unavailable: {}",
                            crate::error::cdp("Network.getResponseBody", e)
                        )));
                    }
                    // Not all of it has come yet.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// Remembers the body a route fulfilled request (hop) `id` with.
    pub(crate) fn remember_fulfilled(&self, id: &str, body: &[u8]) {
        if let Ok(mut kept) = self.inner.events.kept.lock() {
            keep_last(&mut kept.fulfilled, (id.to_string(), body.to_vec()));
        }
    }

    /// The record of the newest hop of the request CDP knows as `cdp_id`, when it is kept.
    pub(crate) fn request_record(&self, cdp_id: &str) -> Option<RequestEvent> {
        let kept = self.inner.events.kept.lock().ok()?;
        kept.requests
            .iter()
            .rev()
            .find(|r| r.cdp_id == cdp_id)
            .cloned()
    }

    /// Forgets the page errors kept so far.
    pub fn clear_page_errors(&self) {
        if let Ok(mut k) = self.inner.events.kept.lock() {
            k.errors.clear();
        }
    }

    /// Handles of a console message's arguments (Playwright's `consoleMessage.args()`): objects
    /// stay in the page, primitives are held by value.
    pub async fn console_args(
        &self,
        message: &ConsoleMessage,
    ) -> Result<Vec<super::JsHandle>, BrowserError> {
        let mut out = Vec::with_capacity(message.args.len());
        for remote in message.args.iter() {
            out.push(super::JsHandle::from_remote(self.clone(), None, remote.clone()).await?);
        }
        Ok(out)
    }

    /// Subscribes to events as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<PageEvent> {
        self.inner.events.tx.subscribe()
    }

    /// The pages this page opens from now on (`window.open`, `target=_blank` links), each a
    /// page of the same context (Playwright's `page.on('popup')`).
    pub fn popups(&self) -> broadcast::Receiver<Page> {
        self.inner.events.popups.subscribe()
    }

    /// Answers dialogs with `handler` instead of dismissing them.
    pub fn on_dialog(&self, handler: Option<DialogHandler>) {
        if let Ok(mut h) = self.inner.events.dialog.lock() {
            *h = handler;
        }
    }
}

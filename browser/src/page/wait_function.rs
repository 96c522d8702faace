//! `waitForFunction`: a predicate polled in the page (every animation frame, or every so many
//! milliseconds) until it returns something truthy, which stays in the page as a [`JsHandle`].
//! The polling runs in the page, so a check costs no round trip; the page stops polling on its
//! own at the deadline (no calls after a timeout), and a navigation between checks starts the
//! polling again in the new document.

use std::time::Duration;

use serde_json::Value;

use super::JsHandle;
use super::Page;
use super::WIRE_JS;
use super::frame::Frame;
use crate::error::BrowserError;

/// How often a predicate is checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Polling {
    /// Every animation frame (Playwright's default, `'raf'`).
    #[default]
    Raf,
    /// Every so often.
    Interval(Duration),
}

/// The function the page runs: evaluates the source once (a function is then called with the
/// argument at each check, an expression evaluated again at each check) and polls until the
/// value is truthy or the deadline passes (then it resolves with a marker the host reads as
/// "timed out", having stopped).
fn poll_function(
    script: &str,
    arg: &Value,
    polling: Polling,
    timeout: Option<Duration>,
    marker: &str,
) -> Result<String, BrowserError> {
    let source =
        serde_json::to_string(script).map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
    let arg =
        serde_json::to_string(arg).map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
    let wait = match polling {
        Polling::Raf => "(f) => requestAnimationFrame(() => f())".to_string(),
        Polling::Interval(every) => format!("(f) => setTimeout(f, {})", every.as_millis()),
    };
    let limit = timeout.map_or("Infinity".to_string(), |t| t.as_millis().to_string());
    let marker =
        serde_json::to_string(marker).map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
    Ok(format!(
        "async function (...__hs) {{ const __w = {WIRE_JS}; const __src = {source}; \
         const __now = () => performance.now(); const __end = __now() + {limit}; \
         let __v; try {{ __v = (0, eval)('(' + __src + '\\n)'); }} catch (e) {{ if (!(e instanceof SyntaxError)) throw e; __v = (0, eval)(__src); }} \
         const __a = __w.parse({arg}, __hs); let __first = true; \
         const __check = typeof __v === 'function' ? () => __v(__a) : () => {{ if (__first) {{ __first = false; return __v; }} return (0, eval)(__src); }}; \
         const __wait = {wait}; \
         for (;;) {{ const __r = await __check(); if (__r) return __r; \
           if (__now() >= __end) return {marker}; \
           await new Promise(__wait); }} }}"
    ))
}

/// How long past the deadline the host waits for the page to report it stopped.
const DEADLINE_GRACE: Duration = Duration::from_millis(100);

/// Where the predicate runs: the main frame, or a frame.
enum Target<'a> {
    Page(&'a Page),
    Frame(&'a Frame),
}

async fn wait(
    target: Target<'_>,
    script: &str,
    arg: Value,
    handles: &[JsHandle],
    polling: Polling,
    timeout: Option<Duration>,
    api: &str,
) -> Result<JsHandle, BrowserError> {
    let page = match &target {
        Target::Page(p) => (*p).clone(),
        Target::Frame(f) => f.page().clone(),
    };
    page.ensure_open("waiting for a function")?;
    let limit = timeout.unwrap_or(page.action_timeout());
    // 0 is no limit.
    let limit = (!limit.is_zero()).then_some(limit);
    let deadline = limit.map(|l| tokio::time::Instant::now() + l);
    let timed_out = || BrowserError::Timeout {
        what: api.to_string(),
        timeout: limit.unwrap_or_default(),
        call_log: Vec::new(),
    };
    // What the page answers when it stopped at the deadline: no predicate returns it.
    let marker = format!("__isolate_browser_timed_out_{:016x}", rand_nonce());
    loop {
        let left = deadline.map(|d| d.saturating_duration_since(tokio::time::Instant::now()));
        if left.is_some_and(|l| l.is_zero()) {
            return Err(timed_out());
        }
        let function = poll_function(script, &arg, polling, left, &marker)?;
        let call = async {
            match &target {
                Target::Page(p) => p.evaluate_function_handle(&function, handles).await,
                Target::Frame(f) => f.evaluate_function_handle(&function, handles).await,
            }
        };
        // The page stops itself at its deadline (and says so); the host waits a little longer,
        // so that no check runs after the wait has failed.
        let result = match left {
            Some(l) => match tokio::time::timeout(l + DEADLINE_GRACE, call).await {
                Ok(r) => r,
                Err(_) => return Err(timed_out()),
            },
            None => call.await,
        };
        match result {
            Ok(handle) => {
                if handle.held_string() == Some(marker.as_str()) {
                    let _ = handle.dispose().await;
                    return Err(timed_out());
                }
                return Ok(handle);
            }
            // A navigation between checks is not the predicate's failure: check again in the
            // new document.
            Err(e) if between_documents(&e) && !page.is_closed() => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

impl Page {
    /// Polls `script` (an expression, or a function called with the wire-format `arg` and
    /// `handles`) in the main frame until it is truthy, and keeps that value in the page.
    /// `timeout` defaults to the action timeout; zero is no limit.
    pub async fn wait_for_function_handle(
        &self,
        script: &str,
        arg: Value,
        handles: &[JsHandle],
        polling: Polling,
        timeout: Option<Duration>,
    ) -> Result<JsHandle, BrowserError> {
        wait(
            Target::Page(self),
            script,
            arg,
            handles,
            polling,
            timeout,
            "page.waitForFunction",
        )
        .await
    }

    /// [`Page::wait_for_function_handle`] with a plain JSON argument, giving the value as JSON.
    pub async fn wait_for_function(
        &self,
        script: &str,
        arg: Option<Value>,
        polling: Option<Duration>,
        timeout: Option<Duration>,
    ) -> Result<Value, BrowserError> {
        let polling = polling.map_or(Polling::Raf, Polling::Interval);
        let arg = plain_wire(&arg.unwrap_or(Value::Null), &mut 0);
        let handle = self
            .wait_for_function_handle(script, arg, &[], polling, timeout)
            .await?;
        let value = handle.json_value().await;
        let _ = handle.dispose().await;
        value
    }
}

impl Frame {
    /// [`Page::wait_for_function_handle`] in this frame.
    pub async fn wait_for_function_handle(
        &self,
        script: &str,
        arg: Value,
        handles: &[JsHandle],
        polling: Polling,
        timeout: Option<Duration>,
    ) -> Result<JsHandle, BrowserError> {
        wait(
            Target::Frame(self),
            script,
            arg,
            handles,
            polling,
            timeout,
            "frame.waitForFunction",
        )
        .await
    }
}

/// Whether the call failed because the document went away (or had not come yet).
fn between_documents(e: &BrowserError) -> bool {
    crate::locator::is_context_gone(e)
        || matches!(e, BrowserError::Closed(Some(m)) if m.contains("navigating"))
}

/// A number no page can guess.
fn rand_nonce() -> u64 {
    use std::hash::BuildHasher as _;
    std::collections::hash_map::RandomState::new().hash_one(std::time::SystemTime::now())
}

/// Plain JSON in the wire format (arrays and objects tagged, each with its own id).
fn plain_wire(value: &Value, next_id: &mut u64) -> Value {
    let mut id = || {
        *next_id += 1;
        *next_id
    };
    match value {
        Value::Array(items) => {
            let id = id();
            let v: Vec<Value> = items.iter().map(|x| plain_wire(x, next_id)).collect();
            serde_json::json!({ "t": "a", "id": id, "v": v })
        }
        Value::Object(map) => {
            let id = id();
            let v: Vec<Value> = map
                .iter()
                .map(|(k, x)| serde_json::json!([k, plain_wire(x, next_id)]))
                .collect();
            serde_json::json!({ "t": "o", "id": id, "v": v })
        }
        other => other.clone(),
    }
}

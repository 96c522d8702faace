//! The handlers of the protocol's browser table (`suite::protocol`), by area, over the browser
//! crate. Each takes the call's context and its typed arguments and returns its typed reply.

pub(crate) mod browser;
pub(crate) mod console;
pub(crate) mod context;
pub(crate) mod expect;
pub(crate) mod frame;
pub(crate) mod handle;
pub(crate) mod input;
pub(crate) mod locator;
pub(crate) mod page;
pub(crate) mod route;
pub(crate) mod screenshot;
pub(crate) use super::trace;
pub(crate) mod video;

use std::time::Duration;

use isolate_browser_browser::Context;
use isolate_browser_browser::Page;

use super::BrowserSide;
use crate::suite::protocol::CallError;
use crate::suite::protocol::ContextId;
use crate::suite::protocol::PageId;

/// What a browser call runs with: the worker's browser side and the calling isolate's session.
pub(crate) struct Cx<'a> {
    pub side: &'a BrowserSide,
    pub session: u32,
}

impl Cx<'_> {
    /// A page of the session.
    pub(crate) fn page(&self, id: PageId) -> Result<Page, CallError> {
        self.side.page(self.session, id)
    }

    /// A context of the session.
    pub(crate) fn context(&self, id: ContextId) -> Result<Context, CallError> {
        self.side.context(self.session, id)
    }

    /// Resolves when the page's renderer crashes (never for a page that is gone).
    pub(crate) fn crashed(&self, id: PageId) -> impl std::future::Future<Output = ()> + use<> {
        let page = self.page(id).ok();
        async move {
            match page {
                Some(page) => page.crashed().await,
                None => std::future::pending().await,
            }
        }
    }

    /// The page's URL and frames after a call, for calls that report them (nothing once it
    /// closed).
    pub(crate) async fn page_state(&self, id: PageId) -> crate::suite::protocol::PageState {
        let Ok(page) = self.page(id) else {
            return Default::default();
        };
        // Frame events Chromium sent before this call's answer are queued for the page's
        // frame listener: let it take them, so the tree is the one the call left.
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        crate::suite::protocol::PageState {
            url: page.last_known_url().await,
            frames: Some(page.frames()),
        }
    }

    /// Writes a file test code named (`screenshot({ path })`, `storageState({ path })`).
    pub(crate) fn write_file(&self, path: &str, bytes: &[u8]) -> Result<(), CallError> {
        let target = self
            .side
            .with_session(self.session, |s| s.defaults.paths.resolve_write(path))?;
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| CallError::new(format!("cannot create {path}: {e}")))?;
        }
        std::fs::write(&target, bytes)
            .map_err(|e| CallError::new(format!("cannot write {path}: {e}")))
    }

    /// A path test code named, resolved inside the project or the output directory.
    pub(crate) fn resolve(&self, path: &str) -> Result<std::path::PathBuf, CallError> {
        self.side
            .with_session(self.session, |s| s.defaults.paths.resolve(path))
    }
}

/// The function the page runs for `evaluate(fn | expression)`: the source as given, or a
/// function of no arguments that evaluates the expression as a script (statements allowed,
/// as Playwright's `eval`), whose value is the result even when it is a function.
pub(crate) fn function_source(expression: String, is_function: bool) -> String {
    if is_function {
        expression
    } else {
        let text = serde_json::to_string(&expression).unwrap_or_else(|_| "\"\"".into());
        format!("() => (0, eval)({text})")
    }
}

/// [`function_source`] when the caller said which it is; otherwise the source as given (the
/// page calls it when it is a function).
pub(crate) fn expression_source(expression: String, is_function: Option<bool>) -> String {
    match is_function {
        Some(is_function) => function_source(expression, is_function),
        None => expression,
    }
}

/// `setDefaultTimeout(ms)`: 0 is no limit (the test's own timeout still applies).
pub(crate) fn default_timeout(
    value: &serde_json::Value,
    on: &str,
    method: &str,
) -> Result<Duration, CallError> {
    match value.as_f64() {
        Some(0.0) => Ok(Duration::from_secs(24 * 60 * 60)),
        Some(t) if t > 0.0 && t.is_finite() => Ok(Duration::from_millis(t as u64)),
        _ => Err(CallError::new(format!(
            "{on}.{method}(timeout) needs a number of milliseconds (0 for no limit)"
        ))),
    }
}

/// `setExtraHTTPHeaders({ name: value })`, sent as entries; values must be strings.
pub(crate) fn header_entries(
    entries: Vec<(String, serde_json::Value)>,
    on: &str,
) -> Result<Vec<(String, String)>, CallError> {
    entries
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(v) => Ok((k, v)),
            _ => Err(CallError::new(format!(
                "{on}.setExtraHTTPHeaders: expected a string value for header \"{k}\""
            ))),
        })
        .collect()
}

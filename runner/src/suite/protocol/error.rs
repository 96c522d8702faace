//! How a host call fails: a typed [`ErrorKind`] that alone decides the JS class the in-isolate
//! API throws (never the message text), the message, and the call log of what was waited for.

use serde::Serialize;

use isolate_browser_browser::BrowserError;

/// What kind of failure a host call had; the in-isolate wire turns each into one JS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ErrorKind {
    /// A plain `Error`.
    Error,
    /// `TimeoutError`: a wait ran out of time.
    Timeout,
    /// `TargetClosedError`: the page, context or browser went away while the call was pending.
    TargetClosed,
    /// An `Error` for a locator that matched several elements where one was needed.
    StrictMode,
    /// A `TypeError`: the call itself was malformed (unknown method, a bad or missing
    /// argument), which is a bug in the in-isolate API or a value user code passed through it.
    BadCall,
}

/// A failed host call, as the in-isolate API receives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CallError {
    /// Picks the JS class.
    pub kind: ErrorKind,
    /// The message.
    pub message: String,
    /// What a wait saw, for timeouts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub call_log: Vec<String>,
}

impl CallError {
    /// A plain `Error` with this message.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Error,
            message: message.into(),
            call_log: Vec::new(),
        }
    }

    /// A `TypeError` for a malformed call.
    pub(crate) fn bad_call(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::BadCall,
            ..Self::new(message)
        }
    }

    /// The page, context or browser is gone.
    pub(crate) fn closed(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::TargetClosed,
            ..Self::new(message)
        }
    }

    /// `method` is not in the table.
    pub(crate) fn unknown_method(method: &str) -> Self {
        Self::bad_call(format!(
            "unknown host call `{method}` (the in-isolate API and the host disagree)"
        ))
    }

    /// The arguments of `method` do not decode: names the field (`options.timeout`).
    pub(crate) fn bad_arguments(
        method: &str,
        error: serde_path_to_error::Error<serde_json::Error>,
    ) -> Self {
        let path = error.path().to_string();
        let inner = error.into_inner();
        // serde_json appends "at line 1 column N" to messages about the one-line argument text.
        let text = inner.to_string();
        let text = text.split(" at line ").next().unwrap_or(&text).to_string();
        if path.is_empty() || path == "." {
            Self::bad_call(format!("{method}: invalid arguments: {text}"))
        } else {
            Self::bad_call(format!("{method}: invalid argument `{path}`: {text}"))
        }
    }
}

impl From<BrowserError> for CallError {
    fn from(e: BrowserError) -> Self {
        match e {
            BrowserError::Timeout {
                what,
                timeout,
                call_log,
            } => Self {
                kind: ErrorKind::Timeout,
                message: format!("{what}: Timeout {}ms exceeded.", timeout.as_millis()),
                call_log,
            },
            e @ (BrowserError::Closed(_) | BrowserError::Crashed) => Self::closed(e.to_string()),
            e @ BrowserError::StrictMode { .. } => Self {
                kind: ErrorKind::StrictMode,
                ..Self::new(e.to_string())
            },
            BrowserError::Refused { what, refusal } => {
                Self::new(format!("{what}: {refusal}{}", grant_hint(&refusal)))
            }
            other => Self::new(other.to_string()),
        }
    }
}

/// How a refused origin is granted, in the config's words.
fn grant_hint(refusal: &isolate_browser_browser::Refusal) -> String {
    use isolate_browser_browser::RefusalReason;
    let target = refusal
        .target
        .split_once(" (")
        .map_or(refusal.target.as_str(), |(t, _)| t);
    let origin = deno_core::url::Url::parse(target)
        .ok()
        .filter(|u| u.has_host())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|| format!("http://{target}"));
    match refusal.reason {
        RefusalReason::Scheme(_) => {
            "; serve the file over HTTP from the test (or use page.setContent)".to_string()
        }
        RefusalReason::Internal { .. } => format!(
            "; to allow it, add \"{origin}\" to allowNet in the config (the baseURL and webServer origins are allowed already), or answer it with page.route"
        ),
        RefusalReason::NotGranted => format!(
            "; strictNetwork is set in the config: add \"{origin}\" to allowNet to allow it"
        ),
        _ => String::new(),
    }
}

impl From<isolate_browser_profiles::ProfileError> for CallError {
    fn from(e: isolate_browser_profiles::ProfileError) -> Self {
        Self::new(e.to_string())
    }
}

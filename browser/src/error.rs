//! The browser crate's errors. Messages are lowercase fragments that name the locator, URL or
//! path involved; timeouts carry the call log of what was waited for.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong driving Chromium.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// No Chromium executable was found.
    #[error(
        "no Chromium executable found (tried: {}); install it with `apt-get install chromium`, or set ISOLATE_BROWSER_CHROMIUM or the executable path option",
        tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    ChromiumNotFound {
        /// Every path and name that was tried, in order.
        tried: Vec<PathBuf>,
    },
    /// Chromium started but could not be connected to.
    #[error("failed to launch Chromium at {executable}: {reason}")]
    Launch {
        /// The executable.
        executable: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// Connecting to a running browser's CDP endpoint failed.
    #[error("failed to connect to the browser at {endpoint}: {reason}")]
    Connect {
        /// The endpoint given.
        endpoint: String,
        /// What went wrong.
        reason: String,
    },
    /// The browser went away (crashed, was killed or closed) while a call was pending.
    #[error("browser closed{}", .0.as_deref().map(|w| format!(" while {w}")).unwrap_or_default())]
    Closed(Option<String>),
    /// The page's renderer crashed (Playwright's wording).
    #[error("Target crashed")]
    Crashed,
    /// A DevTools protocol call failed.
    #[error("{call} failed: {reason}")]
    Protocol {
        /// The call, e.g. `Page.navigate`.
        call: String,
        /// Chromium's answer.
        reason: String,
    },
    /// Navigation failed (DNS, refused connection, aborted).
    #[error("navigation to {url} failed: {reason}")]
    Navigation {
        /// The URL.
        url: String,
        /// Chromium's error text (`net::ERR_CONNECTION_REFUSED`).
        reason: String,
    },
    /// The network policy refused a navigation or the connections it needed.
    #[error("{what}: {refusal}")]
    Refused {
        /// The call, e.g. `page.goto`.
        what: String,
        /// What was refused and why.
        refusal: crate::network::Refusal,
    },
    /// A wait ran out of time.
    #[error("{what}: timeout {}ms exceeded.{}", timeout.as_millis(), format_log(call_log))]
    Timeout {
        /// What was being done, e.g. `locator.click` or `page.goto`.
        what: String,
        /// The timeout that expired.
        timeout: Duration,
        /// What happened while waiting.
        call_log: Vec<String>,
    },
    /// An action on a locator that matched several elements.
    #[error("Error: strict mode violation: {locator} resolved to {count} elements:\n{}\n", matches.iter().enumerate().map(|(i, m)| format!("    {}) {m}", i + 1)).collect::<Vec<_>>().join("\n"))]
    StrictMode {
        /// The locator, in Playwright's notation.
        locator: String,
        /// How many elements matched.
        count: usize,
        /// Short descriptions of the first matches.
        matches: Vec<String>,
    },
    /// A selector could not be parsed.
    #[error("invalid selector {selector}: {reason}")]
    Selector {
        /// The selector text.
        selector: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Script evaluated in the page threw.
    #[error("{message}")]
    Evaluation {
        /// The page's error message (`Error: boom`).
        message: String,
        /// The page's stack, if any.
        stack: Option<String>,
    },
    /// An action was given options it cannot honour (a `fill` on a checkbox, ...).
    #[error("{0}")]
    InvalidArgument(String),
    /// Reading or writing a local file failed.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl BrowserError {
    /// Whether this is a timeout (the JS layer maps it to `TimeoutError`).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }
}

pub(crate) fn format_log(log: &[String]) -> String {
    if log.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nCall log:");
    for line in log {
        out.push_str("\n  - ");
        out.push_str(line);
    }
    out
}

/// Converts a chromiumoxide error for `call`, recognising a dead connection.
pub(crate) fn cdp(call: &str, err: chromiumoxide::error::CdpError) -> BrowserError {
    use chromiumoxide::error::CdpError;
    match err {
        CdpError::ChannelSendError(_) | CdpError::NoResponse | CdpError::Ws(_) => {
            BrowserError::Closed(Some(call.to_string()))
        }
        CdpError::Timeout => BrowserError::Protocol {
            call: call.to_string(),
            reason: "no answer from the browser (it may have crashed)".into(),
        },
        CdpError::JavascriptException(ex) => BrowserError::Evaluation {
            message: ex
                .exception
                .as_ref()
                .and_then(|e| e.description.clone())
                .unwrap_or_else(|| ex.text.clone()),
            stack: None,
        },
        other => {
            let reason = other.to_string();
            if reason.contains("channel closed")
                || reason.contains("receiver is gone")
                // The page's target went away while the call was in flight.
                || reason.contains("Session with given id not found")
                || reason.contains("No target with given id")
            {
                BrowserError::Closed(Some(call.to_string()))
            } else {
                BrowserError::Protocol {
                    call: call.to_string(),
                    reason,
                }
            }
        }
    }
}

//! `expect_state`: the polling primitive web-first assertions build on. It re-resolves the
//! locator (or re-reads the page) with backoff until the predicate holds, or the deadline
//! passes, and always reports the last value it saw and the call log. A failed expectation is
//! data (`matched: false`), not an error; only a strict-mode violation or a dead browser is.

use std::cell::Cell;
use std::cell::RefCell;
use std::time::Duration;

use serde_json::Value;
use serde_json::json;

use super::Locator;
use crate::error::BrowserError;
use crate::page::Page;
use crate::wait::Attempt;
use crate::wait::CallLog;
use crate::wait::poll;

/// What to read from a locator's element.
#[derive(Debug, Clone, PartialEq)]
pub enum LocatorState {
    /// In the DOM (absent: false).
    Attached,
    /// Visible (absent: false).
    Visible,
    /// Hidden or absent.
    Hidden,
    /// Enabled.
    Enabled,
    /// Disabled.
    Disabled,
    /// Editable.
    Editable,
    /// Checked (checkbox, radio, aria-checked).
    Checked,
    /// Neither checked nor unchecked (`indeterminate`, `aria-checked="mixed"`).
    Indeterminate,
    /// Has focus.
    Focused,
    /// No text (or an empty input).
    Empty,
    /// Intersects the viewport by more than `ratio` (0: any part).
    InViewport {
        /// Minimum visible fraction.
        ratio: f64,
    },
    /// Its text (whitespace-normalised unless `raw`), `innerText` when asked.
    Text {
        /// Use `innerText` instead of `textContent`.
        use_inner_text: bool,
        /// As the page has it (a RegExp is matched against the text unnormalised).
        raw: bool,
    },
    /// The texts of all matches (not strict).
    Texts {
        /// Use `innerText` instead of `textContent`.
        use_inner_text: bool,
        /// As the page has them.
        raw: bool,
    },
    /// Input value.
    Value,
    /// Selected values of a `<select multiple>`.
    Values,
    /// Number of matches (not strict).
    Count,
    /// An attribute (`null` when absent).
    Attribute(String),
    /// The `class` attribute.
    Class,
    /// The `class` attributes of all matches (not strict).
    Classes,
    /// A computed style property.
    Css {
        /// The property.
        name: String,
        /// A pseudo-element (`::before`) whose style is read instead.
        pseudo: Option<String>,
    },
    /// The `id`.
    Id,
    /// A JS property, as JSON.
    JsProperty(String),
    /// The accessible name (aria-labelledby, aria-label, labels, alt/title, text).
    AccessibleName,
    /// The accessible description (aria-describedby, aria-description, title).
    AccessibleDescription,
    /// The error message of an invalid control (`aria-errormessage`), empty while valid.
    AccessibleErrorMessage,
    /// The explicit or implicit ARIA role.
    Role,
}

impl LocatorState {
    fn wire(&self) -> (&'static str, Value) {
        match self {
            Self::Attached => ("attached", Value::Null),
            Self::Visible => ("visible", Value::Null),
            Self::Hidden => ("hidden", Value::Null),
            Self::Enabled => ("enabled", Value::Null),
            Self::Disabled => ("disabled", Value::Null),
            Self::Editable => ("editable", Value::Null),
            Self::Checked => ("checked", Value::Null),
            Self::Indeterminate => ("indeterminate", Value::Null),
            Self::Focused => ("focused", Value::Null),
            Self::Empty => ("empty", Value::Null),
            Self::InViewport { ratio } => ("inViewport", json!({ "ratio": ratio })),
            Self::Text {
                use_inner_text,
                raw,
            } => (
                "text",
                json!({ "useInnerText": use_inner_text, "raw": raw }),
            ),
            Self::Texts {
                use_inner_text,
                raw,
            } => (
                "texts",
                json!({ "useInnerText": use_inner_text, "raw": raw }),
            ),
            Self::Value => ("value", Value::Null),
            Self::Values => ("values", Value::Null),
            Self::Count => ("count", Value::Null),
            Self::Attribute(name) => ("attribute", json!({ "name": name })),
            Self::Class => ("class", Value::Null),
            Self::Classes => ("classes", Value::Null),
            Self::Css { name, pseudo } => ("css", json!({ "name": name, "pseudo": pseudo })),
            Self::Id => ("id", Value::Null),
            Self::JsProperty(name) => ("property", json!({ "name": name })),
            Self::AccessibleName => ("accessibleName", Value::Null),
            Self::AccessibleDescription => ("accessibleDescription", Value::Null),
            Self::AccessibleErrorMessage => ("accessibleErrorMessage", Value::Null),
            Self::Role => ("role", Value::Null),
        }
    }
}

/// What to read from a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageState {
    /// `location.href`.
    Url,
    /// `document.title`.
    Title,
}

/// How an expectation ended.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectOutcome {
    /// Whether the predicate (negated for `not`) held before the deadline.
    pub matched: bool,
    /// The last value read (`null` when the element was absent).
    pub received: Value,
    /// The last read found no element (for a state that needs one, the expectation cannot hold
    /// either way until one appears: Playwright's `element(s) not found`).
    pub missing: bool,
    /// What was seen while waiting.
    pub call_log: Vec<String>,
}

/// A timeout is a failed expectation (data); anything else that went wrong is an error.
fn outcome(
    result: Result<(), BrowserError>,
    received: Value,
    missing: bool,
) -> Result<ExpectOutcome, BrowserError> {
    match result {
        Ok(()) => Ok(ExpectOutcome {
            matched: true,
            received,
            missing,
            call_log: Vec::new(),
        }),
        Err(BrowserError::Timeout { call_log, .. }) => Ok(ExpectOutcome {
            matched: false,
            received,
            missing,
            call_log,
        }),
        Err(e) => Err(e),
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

impl Locator {
    /// Polls `state` until `predicate(value) != not` or `timeout` passes.
    pub async fn expect_state(
        &self,
        what: &str,
        state: &LocatorState,
        predicate: impl Fn(&Value) -> bool,
        not: bool,
        timeout: Duration,
    ) -> Result<ExpectOutcome, BrowserError> {
        let (name, arg) = state.wire();
        let arg = serde_json::to_string(&arg)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let body = format!("return ib.stateOf(parts, {}, {arg});", json!(name));
        // An element's own JavaScript properties live in the page's world.
        let main_world = matches!(state, LocatorState::JsProperty(_));
        let last = RefCell::new(Value::Null);
        let missing = Cell::new(false);
        // With no element only these states have a value (absent is detached, hidden, not
        // visible, out of the viewport); every other one waits for an element, both ways.
        let absent_has_value = matches!(
            state,
            LocatorState::Attached
                | LocatorState::Visible
                | LocatorState::Hidden
                | LocatorState::InViewport { .. }
        );
        let count_state = matches!(state, LocatorState::Count);
        let log = CallLog::new(format!(
            "{what} with timeout {}ms\n  - waiting for {}",
            timeout.as_millis(),
            self.description
        ));
        let result = poll(what, timeout, log, |_| {
            let body = body.clone();
            let last = &last;
            let missing = &missing;
            let predicate = &predicate;
            async move {
                let ran = if main_world {
                    self.run_main(&body).await
                } else {
                    self.run(&body).await
                };
                let v = match ran {
                    Ok(Some(v)) => v,
                    Ok(None) => return Attempt::Retry("document is navigating".into()),
                    Err(BrowserError::Evaluation { message, .. }) => {
                        return Attempt::Fail(BrowserError::InvalidArgument(format!(
                            "{what}: {message}"
                        )));
                    }
                    Err(e) => return Attempt::Fail(e),
                };
                match v.get("status").and_then(Value::as_str) {
                    Some("strict") => {
                        return Attempt::Fail(BrowserError::StrictMode {
                            locator: self.description.clone(),
                            count: v.get("count").and_then(Value::as_u64).unwrap_or(0) as usize,
                            matches: serde_json::from_value(
                                v.get("matches").cloned().unwrap_or_default(),
                            )
                            .unwrap_or_default(),
                        });
                    }
                    Some("ok") => {}
                    _ => return Attempt::Retry("unexpected answer from the page".into()),
                }
                let value = v.get("value").cloned().unwrap_or(Value::Null);
                *last.borrow_mut() = value.clone();
                let absent = v.get("missing").is_some();
                missing.set(absent);
                if absent && !absent_has_value {
                    // Still waiting for the element, as the log's first line says.
                    return Attempt::Retry(String::new());
                }
                if predicate(&value) != not {
                    return Attempt::Ready(());
                }
                // A count is shown as Playwright shows it: `unexpected value "1"`.
                let shown = match &value {
                    Value::Number(n) if count_state => format!("\"{n}\""),
                    other => show(other),
                };
                let line = match (v.get("element").and_then(Value::as_str), v.get("count")) {
                    (Some(el), _) => {
                        format!("locator resolved to {el}\n  - unexpected value {shown}")
                    }
                    (None, Some(n)) => format!(
                        "locator resolved to {n} element{}\n  - unexpected value {shown}",
                        if n.as_u64() == Some(1) { "" } else { "s" }
                    ),
                    (None, None) if absent => String::new(),
                    (None, None) => format!("unexpected value {shown}"),
                };
                Attempt::Retry(line)
            }
        })
        .await;
        outcome(result, last.into_inner(), missing.get())
    }
}

impl Page {
    /// Polls the page's URL or title until `predicate(value) != not` or `timeout` passes.
    pub async fn expect_state(
        &self,
        what: &str,
        state: PageState,
        predicate: impl Fn(&Value) -> bool,
        not: bool,
        timeout: Duration,
    ) -> Result<ExpectOutcome, BrowserError> {
        let expr = match state {
            PageState::Url => "location.href",
            PageState::Title => "document.title",
        };
        let last = RefCell::new(Value::Null);
        let log = CallLog::new(format!("{what} with timeout {}ms", timeout.as_millis()));
        let result = poll(what, timeout, log, |_| {
            let last = &last;
            let predicate = &predicate;
            async move {
                match self.evaluate_value(expr).await {
                    Ok(value) => {
                        *last.borrow_mut() = value.clone();
                        if predicate(&value) != not {
                            Attempt::Ready(())
                        } else {
                            Attempt::Retry(format!("unexpected value {}", show(&value)))
                        }
                    }
                    Err(e @ BrowserError::Closed(_)) => Attempt::Fail(e),
                    Err(_) => Attempt::Retry("page is navigating".into()),
                }
            }
        })
        .await;
        outcome(result, last.into_inner(), false)
    }
}

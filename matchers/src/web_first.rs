//! Web-first matchers: `expect(locator).toHaveText(…)` and friends. Each one names the state to
//! read, a predicate over it, and the failure message; [`check`] polls through the browser
//! crate's `expect_state` until the predicate holds (or, for `.not`, stops holding) or the
//! timeout passes. Expected values arrive as JSON from the in-isolate `expect`: strings,
//! `{ "regex", "flags" }` for RegExps (matched with ECMAScript semantics), arrays of either,
//! numbers, and `{ "name", "value" }` objects for attribute, CSS and JS-property matchers.

use std::sync::Arc;
use std::time::Duration;

use isolate_browser_browser::BrowserError;
use isolate_browser_browser::Locator;
use isolate_browser_browser::LocatorState;
use isolate_browser_browser::Page;
use isolate_browser_browser::PageState;
use serde_json::Value;

use crate::pretty;

/// How a web-first matcher takes its arguments in JS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// `toBeVisible(options?)`.
    Flag,
    /// `toHaveText(expected, options?)`.
    Expected,
    /// `toHaveCSS(name, value, options?)`.
    Named,
    /// `toHaveAttribute(name, value?, options?)`: presence without a value.
    Attribute,
}

impl Arity {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "flag" => Some(Self::Flag),
            "expected" => Some(Self::Expected),
            "named" => Some(Self::Named),
            "attribute" => Some(Self::Attribute),
            _ => None,
        }
    }
}

/// The list of web-first matchers, `[["toBeVisible", "flag"], …]`, which the JS adapters
/// import; it is the one place matcher names are listed.
pub const MATCHERS_JS: &str = include_str!("js/web_first_matchers.js");

/// Every web-first matcher [`check`] knows (as [`MATCHERS_JS`] lists them), with how JS passes
/// its arguments.
pub fn matchers() -> Vec<(&'static str, Arity)> {
    MATCHERS_JS
        .lines()
        .filter_map(|line| {
            let entry = line.trim().strip_prefix("[\"")?.strip_suffix("\"],")?;
            let (name, arity) = entry.split_once("\", \"")?;
            Some((name, Arity::parse(arity)?))
        })
        .collect()
}

/// What a web-first matcher looks at.
pub enum Target<'a> {
    /// `expect(locator)`.
    Locator(&'a Locator),
    /// `expect(page)`.
    Page(&'a Page),
}

/// How a web-first matcher ended: whether it passed, and if it did not, the message and the
/// call log (what was seen while waiting).
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Whether the assertion (with `.not` applied) held.
    pub pass: bool,
    /// Playwright's message: matcher call, Locator, Expected, Received, Timeout.
    pub message: String,
    /// What the poll saw.
    pub call_log: Vec<String>,
}

/// A matcher could not run at all (bad arguments, strict-mode violation, dead browser).
#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    /// The matcher name or its arguments are wrong.
    #[error("{0}")]
    Usage(String),
    /// The browser failed.
    #[error(transparent)]
    Browser(#[from] BrowserError),
    /// The expected value of a text matcher is neither a string nor a RegExp.
    #[error("expected value must be a string or regular expression")]
    BadExpected(Value),
}

/// One expected text: a string (compared after whitespace normalisation when the matcher
/// normalises) or a RegExp (matched against the text as it is).
enum TextMatch {
    Exact(String),
    Pattern(regress::Regex, String),
}

impl TextMatch {
    fn parse(v: &Value, ignore_case: bool, matcher: &str) -> Result<Self, MatcherError> {
        match v {
            Value::String(s) => Ok(Self::Exact(s.clone())),
            Value::Number(n) => Ok(Self::Exact(n.to_string())),
            Value::Object(o) if o.contains_key("regex") => {
                let source = o.get("regex").and_then(Value::as_str).unwrap_or_default();
                let mut flags = o
                    .get("flags")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .replace(['g', 'y', 'd'], "");
                if ignore_case && !flags.contains('i') {
                    flags.push('i');
                }
                let re = regress::Regex::with_flags(source, flags.as_str()).map_err(|e| {
                    MatcherError::Usage(format!(
                        "{matcher}: invalid regular expression /{source}/: {e}"
                    ))
                })?;
                Ok(Self::Pattern(re, format!("/{source}/{flags}")))
            }
            other => Err(MatcherError::BadExpected(other.clone())),
        }
    }

    fn matches(&self, text: &str, ignore_case: bool, contains: bool, normalise: bool) -> bool {
        match self {
            Self::Exact(want) => {
                let (want, text) = if normalise {
                    (normalize(want), normalize(text))
                } else {
                    (want.clone(), text.to_string())
                };
                let (want, text) = if ignore_case {
                    (want.to_lowercase(), text.to_lowercase())
                } else {
                    (want, text)
                };
                if contains {
                    text.contains(&want)
                } else {
                    text == want
                }
            }
            Self::Pattern(re, _) => re.find(text).is_some(),
        }
    }

    fn show(&self) -> String {
        match self {
            Self::Exact(s) => format!("\"{s}\""),
            Self::Pattern(_, shown) => shown.clone(),
        }
    }

    /// Playwright's label: plain for a whole string, `substring` for a contained one,
    /// `pattern` for a regex.
    fn label(&self, contains: bool) -> &'static str {
        match self {
            Self::Exact(_) if contains => "Expected substring",
            Self::Exact(_) => "Expected",
            Self::Pattern(..) => "Expected pattern",
        }
    }

    /// The text as a failure shows it: normalised when a string was compared normalised.
    fn shown_received(&self, text: &str, normalise: bool) -> String {
        match self {
            Self::Exact(_) if normalise => normalize(text),
            _ => text.to_string(),
        }
    }
}

/// Playwright's whitespace normalisation: zero-width spaces and soft hyphens dropped, runs of
/// whitespace one space, ends trimmed.
fn normalize(s: &str) -> String {
    s.replace(['\u{200b}', '\u{ad}'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The matchers that compare strings whitespace-normalised (the others compare exactly).
fn normalises(matcher: &str) -> bool {
    matches!(
        matcher,
        "toHaveText"
            | "toContainText"
            | "toHaveTitle"
            | "toHaveAccessibleName"
            | "toHaveAccessibleDescription"
            | "toHaveAccessibleErrorMessage"
    )
}

fn opt_bool(options: &Value, key: &str) -> Option<bool> {
    options.get(key).and_then(Value::as_bool)
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "<element(s) not found>".into(),
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

type Predicate = Box<dyn Fn(&Value) -> bool>;

struct Plan {
    state: Option<LocatorState>,
    page_state: Option<PageState>,
    predicate: Predicate,
    expected: Option<String>,
    expected_label: &'static str,
    args: &'static str,
    /// A state matcher: the state wanted, and the words for the state and its opposite
    /// (`visible` / `hidden`), as Playwright prints them.
    flag: Option<(bool, &'static str, &'static str)>,
    /// The received value as the failure shows it (texts normalised as compared).
    display: Option<Display>,
    /// A failure shows a diff of these lines (the expected side, given what was received)
    /// against the received value printed the same way, instead of Expected/Received lines.
    diff: Option<DiffLines>,
}

/// Whether a `class` attribute holds every one of the `want`ed class names.
fn has_classes(class: &str, want: &[String]) -> bool {
    let have: Vec<&str> = class.split_whitespace().collect();
    want.iter().all(|w| have.contains(&w.as_str()))
}

/// How a failure shows the received value.
type Display = Box<dyn Fn(&Value) -> Value>;
/// The expected side of a failure's diff, given what was received.
type DiffLines = Box<dyn Fn(&Value) -> Vec<String>>;

fn flag_plan(state: LocatorState, want: bool) -> Plan {
    let indeterminate = matches!(state, LocatorState::Indeterminate);
    let (yes, no, option) = match state {
        LocatorState::Attached => ("attached", "detached", "{ attached: false }"),
        LocatorState::Visible => ("visible", "hidden", "{ visible: false }"),
        LocatorState::Hidden => ("hidden", "visible", ""),
        LocatorState::Enabled => ("enabled", "disabled", "{ enabled: false }"),
        LocatorState::Disabled => ("disabled", "enabled", ""),
        LocatorState::Editable => ("editable", "readOnly", "{ editable: false }"),
        LocatorState::Empty => ("empty", "notEmpty", ""),
        LocatorState::Focused => ("focused", "inactive", ""),
        LocatorState::Checked => ("checked", "unchecked", "{ checked: false }"),
        LocatorState::Indeterminate => ("indeterminate", "unchecked", ""),
        _ => ("in viewport", "outside viewport", ""),
    };
    Plan {
        state: Some(state),
        page_state: None,
        predicate: Box::new(move |v| v.as_bool() == Some(want)),
        expected: None,
        expected_label: "Expected",
        args: if indeterminate {
            "{ indeterminate: true }"
        } else if want {
            ""
        } else {
            option
        },
        flag: Some((want, yes, no)),
        display: None,
        diff: None,
    }
}

fn texts(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn list_plan(
    state: LocatorState,
    expected: &Value,
    ignore_case: bool,
    contains: bool,
    matcher: &str,
) -> Result<Plan, MatcherError> {
    let items = expected
        .as_array()
        .ok_or_else(|| MatcherError::Usage(format!("{matcher}: expected an array")))?
        .iter()
        .map(|v| TextMatch::parse(v, ignore_case, matcher))
        .collect::<Result<Vec<_>, _>>()?;
    let items = Arc::new(items);
    let normalise = normalises(matcher);
    let shown = format!(
        "[{}]",
        items
            .iter()
            .map(TextMatch::show)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let (for_predicate, for_display, for_diff) = (items.clone(), items.clone(), items);
    // Each received text as the failure shows it: normalised where a string is compared to it.
    let shown_texts = move |v: &Value| -> Vec<String> {
        texts(v)
            .iter()
            .enumerate()
            .map(
                |(i, text)| match for_display.get(i).or(for_display.first()) {
                    Some(want) => want.shown_received(text, normalise),
                    None if normalise => normalize(text),
                    None => text.clone(),
                },
            )
            .collect()
    };
    let shown_texts = Arc::new(shown_texts);
    let display_texts = shown_texts.clone();
    Ok(Plan {
        state: Some(state),
        page_state: None,
        predicate: Box::new(move |v| {
            let got = texts(v);
            let items = &for_predicate;
            if contains {
                // Each expected item is found in a later element than the previous one.
                let mut i = 0;
                for want in items.iter() {
                    while i < got.len() && !want.matches(&got[i], ignore_case, true, normalise) {
                        i += 1;
                    }
                    if i == got.len() {
                        return false;
                    }
                    i += 1;
                }
                true
            } else {
                got.len() == items.len()
                    && items
                        .iter()
                        .zip(&got)
                        .all(|(want, text)| want.matches(text, ignore_case, false, normalise))
            }
        }),
        expected: Some(shown),
        expected_label: "Expected",
        args: "expected",
        flag: None,
        display: Some(Box::new(move |v| {
            Value::Array(display_texts(v).into_iter().map(Value::String).collect())
        })),
        // Playwright's diff: an expected RegExp that matched its text shows as that text.
        diff: Some(Box::new(move |v| {
            let got = shown_texts(v);
            let lines = for_diff
                .iter()
                .enumerate()
                .map(|(i, want)| match (want, got.get(i)) {
                    (TextMatch::Pattern(re, _), Some(text)) if re.find(text).is_some() => {
                        vec![pretty::string(text)]
                    }
                    (TextMatch::Exact(s), _) => vec![pretty::string(s)],
                    (TextMatch::Pattern(_, shown), _) => vec![shown.clone()],
                })
                .collect();
            pretty::array(lines)
        })),
    })
}

fn text_plan(
    state: LocatorState,
    expected: &Value,
    ignore_case: bool,
    contains: bool,
    matcher: &str,
) -> Result<Plan, MatcherError> {
    let want = Arc::new(TextMatch::parse(expected, ignore_case, matcher)?);
    let normalise = normalises(matcher);
    let shown = want.show();
    let label = want.label(contains);
    let for_display = want.clone();
    Ok(Plan {
        state: Some(state),
        page_state: None,
        predicate: Box::new(move |v| match v.as_str() {
            Some(text) => want.matches(text, ignore_case, contains, normalise),
            None => false,
        }),
        expected: Some(shown),
        expected_label: label,
        args: "expected",
        flag: None,
        display: Some(Box::new(move |v| match v.as_str() {
            Some(text) => Value::String(for_display.shown_received(text, normalise)),
            None => v.clone(),
        })),
        diff: None,
    })
}

/// `expected` with the `i` flag taken off its RegExps.
fn without_ignore_case(expected: &Value) -> Value {
    match expected {
        Value::Array(items) => Value::Array(items.iter().map(without_ignore_case).collect()),
        Value::Object(o) if o.contains_key("regex") => {
            let mut o = o.clone();
            if let Some(Value::String(flags)) = o.get_mut("flags") {
                *flags = flags.replace('i', "");
            }
            Value::Object(o)
        }
        other => other.clone(),
    }
}

fn plan(
    matcher: &str,
    expected: &Value,
    options: &Value,
    base_url: Option<&str>,
) -> Result<Plan, MatcherError> {
    let ignore_case = opt_bool(options, "ignoreCase").unwrap_or(false);
    // `ignoreCase: false` overrides a RegExp's own `i` flag.
    let case_sensitive;
    let expected = if opt_bool(options, "ignoreCase") == Some(false) {
        case_sensitive = without_ignore_case(expected);
        &case_sensitive
    } else {
        expected
    };
    let inner = opt_bool(options, "useInnerText").unwrap_or(false);
    let plan = match matcher {
        "toBeAttached" => flag_plan(
            LocatorState::Attached,
            opt_bool(options, "attached").unwrap_or(true),
        ),
        "toBeVisible" => flag_plan(
            LocatorState::Visible,
            opt_bool(options, "visible").unwrap_or(true),
        ),
        "toBeHidden" => flag_plan(LocatorState::Hidden, true),
        "toBeEnabled" => flag_plan(
            LocatorState::Enabled,
            opt_bool(options, "enabled").unwrap_or(true),
        ),
        "toBeDisabled" => flag_plan(LocatorState::Disabled, true),
        "toBeEditable" => flag_plan(
            LocatorState::Editable,
            opt_bool(options, "editable").unwrap_or(true),
        ),
        "toBeEmpty" => flag_plan(LocatorState::Empty, true),
        "toBeFocused" => flag_plan(LocatorState::Focused, true),
        "toBeChecked" if opt_bool(options, "indeterminate") == Some(true) => {
            if options.get("checked").is_some_and(|c| !c.is_null()) {
                return Err(MatcherError::Usage(
                    "Can't assert indeterminate and checked at the same time".into(),
                ));
            }
            flag_plan(LocatorState::Indeterminate, true)
        }
        "toBeChecked" => flag_plan(
            LocatorState::Checked,
            opt_bool(options, "checked").unwrap_or(true),
        ),
        "toBeInViewport" => flag_plan(
            LocatorState::InViewport {
                ratio: options.get("ratio").and_then(Value::as_f64).unwrap_or(0.0),
            },
            true,
        ),
        "toHaveText" | "toContainText" => {
            let contains = matcher == "toContainText";
            if expected.is_array() {
                list_plan(
                    LocatorState::Texts {
                        use_inner_text: inner,
                        raw: true,
                    },
                    expected,
                    ignore_case,
                    contains,
                    matcher,
                )?
            } else {
                text_plan(
                    LocatorState::Text {
                        use_inner_text: inner,
                        raw: true,
                    },
                    expected,
                    ignore_case,
                    contains,
                    matcher,
                )?
            }
        }
        "toHaveValue" => text_plan(LocatorState::Value, expected, false, false, matcher)?,
        "toHaveValues" => list_plan(LocatorState::Values, expected, false, false, matcher)?,
        "toHaveId" => text_plan(LocatorState::Id, expected, false, false, matcher)?,
        "toHaveClass" => {
            if expected.is_array() {
                list_plan(LocatorState::Classes, expected, false, false, matcher)?
            } else {
                text_plan(LocatorState::Class, expected, false, false, matcher)?
            }
        }
        "toContainClass" if expected.is_array() => {
            // One element per entry, each with all the entry's classes.
            let wants: Vec<Vec<String>> = expected
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| {
                    v.as_str()
                        .map(|s| s.split_whitespace().map(str::to_string).collect())
                        .ok_or_else(|| {
                            MatcherError::Usage(
                                "toContainClass: expected strings of class names".into(),
                            )
                        })
                })
                .collect::<Result<_, _>>()?;
            let shown = format!(
                "[{}]",
                wants
                    .iter()
                    .map(|w| format!("\"{}\"", w.join(" ")))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let for_diff: Vec<Vec<String>> = wants
                .iter()
                .map(|w| vec![pretty::string(&w.join(" "))])
                .collect();
            Plan {
                state: Some(LocatorState::Classes),
                page_state: None,
                predicate: Box::new(move |v| {
                    let got = texts(v);
                    got.len() == wants.len()
                        && wants
                            .iter()
                            .zip(&got)
                            .all(|(want, have)| has_classes(have, want))
                }),
                expected: Some(shown),
                expected_label: "Expected",
                args: "expected",
                flag: None,
                display: None,
                diff: Some(Box::new(move |_| pretty::array(for_diff.clone()))),
            }
        }
        "toContainClass" => {
            let want: Vec<String> = match expected {
                Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
                _ => {
                    return Err(MatcherError::Usage(
                        "toContainClass: expected a string of class names".into(),
                    ));
                }
            };
            let shown = format!("\"{}\"", want.join(" "));
            Plan {
                state: Some(LocatorState::Class),
                page_state: None,
                predicate: Box::new(move |v| has_classes(v.as_str().unwrap_or_default(), &want)),
                expected: Some(shown),
                expected_label: "Expected",
                args: "expected",
                flag: None,
                display: None,
                diff: None,
            }
        }
        "toHaveAttribute" => {
            let name = expected
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    MatcherError::Usage("toHaveAttribute: expected an attribute name".into())
                })?
                .to_string();
            let state = LocatorState::Attribute(name.clone());
            if expected.get("presence").and_then(Value::as_bool) == Some(true) {
                Plan {
                    state: Some(state),
                    page_state: None,
                    predicate: Box::new(|v| !v.is_null()),
                    expected: Some(format!("attribute \"{name}\" present")),
                    expected_label: "Expected",
                    args: "expected",
                    flag: None,
                    display: None,
                    diff: None,
                }
            } else {
                let value = expected.get("value").cloned().unwrap_or(Value::Null);
                text_plan(state, &value, ignore_case, false, matcher)?
            }
        }
        "toHaveCSS" | "toHaveJSProperty" => {
            let name = expected
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| MatcherError::Usage(format!("{matcher}: expected a property name")))?
                .to_string();
            let value = expected.get("value").cloned().unwrap_or(Value::Null);
            if matcher == "toHaveCSS" {
                let pseudo = options
                    .get("pseudo")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let mut p = text_plan(
                    LocatorState::Css { name, pseudo },
                    &value,
                    false,
                    false,
                    matcher,
                )?;
                p.args = "name, expected";
                p
            } else {
                let shown = show(&value);
                // Objects and arrays fail with a diff of their printed lines.
                let diff: Option<DiffLines> = if value.is_object() || value.is_array() {
                    let value = value.clone();
                    Some(Box::new(move |_| pretty::lines(&value)))
                } else {
                    None
                };
                Plan {
                    state: Some(LocatorState::JsProperty(name)),
                    page_state: None,
                    predicate: Box::new(move |v| v == &value),
                    expected: Some(shown),
                    expected_label: "Expected",
                    args: "expected",
                    flag: None,
                    display: None,
                    diff,
                }
            }
        }
        "toHaveCount" => {
            let want = expected
                .as_u64()
                .ok_or_else(|| MatcherError::Usage("toHaveCount: expected a number".into()))?;
            Plan {
                state: Some(LocatorState::Count),
                page_state: None,
                predicate: Box::new(move |v| v.as_u64() == Some(want)),
                expected: Some(want.to_string()),
                expected_label: "Expected",
                args: "expected",
                flag: None,
                display: None,
                diff: None,
            }
        }
        "toHaveTitle" => {
            let mut p = text_plan(LocatorState::Id, expected, ignore_case, false, matcher)?;
            p.state = None;
            p.page_state = Some(PageState::Title);
            p
        }
        "toHaveURL" => {
            // A relative URL is resolved against baseURL, as page.goto does.
            let expected = match (expected, base_url) {
                (Value::String(s), Some(base)) if !s.contains("://") => {
                    Value::String(join_url(base, s))
                }
                _ => expected.clone(),
            };
            let mut p = text_plan(LocatorState::Id, &expected, ignore_case, false, matcher)?;
            p.state = None;
            p.page_state = Some(PageState::Url);
            p
        }
        "toHaveAccessibleName" => text_plan(
            LocatorState::AccessibleName,
            expected,
            ignore_case,
            false,
            matcher,
        )?,
        "toHaveAccessibleDescription" => text_plan(
            LocatorState::AccessibleDescription,
            expected,
            ignore_case,
            false,
            matcher,
        )?,
        "toHaveAccessibleErrorMessage" => text_plan(
            LocatorState::AccessibleErrorMessage,
            expected,
            ignore_case,
            false,
            matcher,
        )?,
        "toHaveRole" => {
            if !expected.is_string() {
                return Err(MatcherError::Usage(
                    "\"role\" argument in toHaveRole must be a string".into(),
                ));
            }
            text_plan(LocatorState::Role, expected, false, false, matcher)?
        }
        other => {
            return Err(MatcherError::Usage(format!(
                "expect(locator).{other}() is not a web-first matcher"
            )));
        }
    };
    Ok(plan)
}

fn join_url(base: &str, path: &str) -> String {
    // An absolute URL (`https:`, `data:`, `about:`) is not relative to the base.
    let scheme = path.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
    });
    if scheme {
        return path.to_string();
    }
    if path.starts_with('/') {
        // Keep scheme://host[:port] of the base.
        let origin_end = base
            .find("://")
            .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
            .unwrap_or(base.len());
        format!("{}{}", &base[..origin_end], path)
    } else {
        format!("{}/{}", base.trim_end_matches('/'), path)
    }
}

/// Runs web-first matcher `matcher` against `target`, polling until it holds (or, when
/// `is_not`, stops holding) or `timeout` passes.
pub async fn check(
    target: Target<'_>,
    matcher: &str,
    expected: &Value,
    options: &Value,
    is_not: bool,
    timeout: Duration,
    base_url: Option<&str>,
) -> Result<Check, MatcherError> {
    let not = if is_not { "not." } else { "" };
    let plan = match plan(matcher, expected, options, base_url) {
        Ok(plan) => plan,
        // Playwright fails the assertion (it does not throw) for a value of the wrong type.
        Err(MatcherError::BadExpected(value)) => {
            let kind = match &value {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Array(_) | Value::Object(_) => "object",
                _ => "string",
            };
            let subject = match target {
                Target::Locator(_) => "locator",
                Target::Page(_) => "page",
            };
            return Ok(Check {
                pass: false,
                message: format!(
                    "expect({subject}).{not}{matcher}(expected) failed\n\nError: expected value must be a string or regular expression\nExpected has type:  {kind}\nExpected has value: {value}\n"
                ),
                call_log: Vec::new(),
            });
        }
        Err(e) => return Err(e),
    };
    let what = format!("expect.{not}{matcher}");
    let first_log_line = format!(
        "Expect \"{}{matcher}\" with timeout {}ms",
        if is_not { "not " } else { "" },
        timeout.as_millis()
    );
    let (result, subject, locator_line) = match target {
        Target::Locator(locator) => {
            let state = plan.state.clone().ok_or_else(|| {
                MatcherError::Usage(format!("{matcher} expects a Page, not a Locator"))
            })?;
            let o = locator
                .expect_state(&what, &state, &plan.predicate, is_not, timeout)
                .await;
            (o, "locator", Some(locator.description().to_string()))
        }
        Target::Page(page) => {
            let state = plan.page_state.ok_or_else(|| {
                MatcherError::Usage(format!("{matcher} expects a Locator, not a Page"))
            })?;
            let o = page
                .expect_state(&what, state, &plan.predicate, is_not, timeout)
                .await;
            (o, "page", None)
        }
    };
    // What went wrong, as Playwright's `Error:` line says it: a failure that waiting could
    // not fix (strict mode, a selector the page cannot parse), or no element to check.
    let (outcome, error) = match result {
        Ok(o) => {
            let missing = o.missing && !o.matched;
            (Some(o), missing.then(|| "element(s) not found".to_string()))
        }
        Err(e @ (BrowserError::Timeout { .. } | BrowserError::Closed(_))) => {
            return Err(MatcherError::Browser(e));
        }
        Err(e) => {
            let text = e.to_string();
            let text = text.strip_prefix(&format!("{what}: ")).unwrap_or(&text);
            let text = text.strip_prefix("Error: ").unwrap_or(text);
            (None, Some(text.trim_end().to_string()))
        }
    };
    let pass = outcome.as_ref().is_some_and(|o| o.matched);
    let timed_out = outcome.as_ref().is_some_and(|o| !o.matched);
    let received = outcome
        .as_ref()
        .map(|o| match &plan.display {
            Some(display) => display(&o.received),
            None => o.received.clone(),
        })
        .unwrap_or(Value::Null);
    let (expected_line, received_line) = match plan.flag {
        // A state: its word, and the word for what was seen.
        Some((want, yes, no)) => {
            let word = |b: bool| if b { yes } else { no };
            if is_not {
                (
                    format!("Expected: not {}", word(want)),
                    format!("Received: {}", word(want)),
                )
            } else {
                let seen = received.as_bool().unwrap_or(!want);
                (
                    format!("Expected: {}", word(want)),
                    format!("Received: {}", word(seen)),
                )
            }
        }
        None => {
            let label = plan.expected_label;
            let not = if is_not { "not " } else { "" };
            // Text matchers print `Received string:`, lined up under their label; the others
            // (toHaveJSProperty, toHaveCount, ...) a plain `Received:`.
            let received_label = if received.is_string() && label != "Expected" {
                "Received string"
            } else {
                "Received"
            };
            // Lined up only without `not` (whose label is `Expected pattern: not`).
            let pad = if is_not {
                String::new()
            } else {
                " ".repeat(label.len().saturating_sub(received_label.len()))
            };
            (
                format!(
                    "{label}: {not}{}",
                    plan.expected.clone().unwrap_or_default()
                ),
                format!("{received_label}:{pad} {}", show(&received)),
            )
        }
    };
    let diff = match (&plan.diff, &outcome) {
        (Some(diff), Some(o)) if error.is_none() && !is_not => {
            Some(pretty::diff(&diff(&o.received), &pretty::lines(&received)))
        }
        _ => None,
    };
    // Playwright lines the values up when both labels are the plain `Expected:` and
    // `Received:` and nothing else is said.
    let align = error.is_none()
        && diff.is_none()
        && expected_line.starts_with("Expected:")
        && received_line.starts_with("Received:");
    let align = if align { " " } else { "" };
    let mut lines = Vec::new();
    // A selector the page cannot parse is named as written, not as a locator of it.
    let locator_line = match (&error, locator_line) {
        (Some(e), Some(line)) if e.contains("while parsing") => Some(
            line.strip_prefix("locator('")
                .and_then(|l| l.strip_suffix("')"))
                .map(|l| l.replace("\\'", "'"))
                .unwrap_or(line),
        ),
        (_, line) => line,
    };
    if let Some(line) = locator_line {
        lines.push(format!("Locator: {align}{line}"));
    }
    if diff.is_none() {
        lines.push(expected_line);
        if error.is_none() {
            lines.push(received_line);
        }
    }
    if timed_out {
        lines.push(format!("Timeout: {align}{}ms", timeout.as_millis()));
    }
    if let Some(diff) = diff {
        lines.push(diff);
    }
    if let Some(error) = error {
        lines.push(format!("Error: {error}"));
    }
    let mut message = format!(
        "expect({subject}).{not}{matcher}({}) failed\n\n{}\n",
        plan.args,
        lines.join("\n")
    );
    // The call log is part of the message, as in Playwright (specs match on it); its first
    // line names the expectation as Playwright does: `Expect "toBeVisible" with timeout …`.
    let mut log = outcome.map(|o| o.call_log).unwrap_or_default();
    match log.first_mut() {
        Some(first) if first.starts_with(&what) => {
            let rest = first[what.len()..].to_string();
            let rest = rest
                .split_once('\n')
                .map(|(_, r)| format!("\n{r}"))
                .unwrap_or_default();
            *first = format!("{first_log_line}{rest}");
        }
        Some(_) => {}
        None => {
            log.push(first_log_line);
            if let Some(l) = locator_line_for_log(&target_description(&lines)) {
                log.push(l);
            }
        }
    }
    // A state's log says its word (`unexpected value "unchecked"`), as Playwright's does.
    if let Some((_, yes, no)) = plan.flag {
        for line in &mut log {
            for (value, word) in [("true", yes), ("false", no)] {
                if let Some(head) = line.strip_suffix(&format!("unexpected value {value}")) {
                    *line = format!("{head}unexpected value \"{word}\"");
                }
            }
        }
    }
    message.push_str("\nCall log:\n");
    for line in &log {
        message.push_str(&format!("  - {line}\n"));
    }
    Ok(Check {
        pass,
        message,
        call_log: Vec::new(),
    })
}

/// The locator a failure names (its `Locator:` line), for a call log written after the fact.
fn target_description(lines: &[String]) -> Option<String> {
    lines
        .first()
        .and_then(|l| l.strip_prefix("Locator:"))
        .map(|l| l.trim().to_string())
}

fn locator_line_for_log(description: &Option<String>) -> Option<String> {
    description.as_ref().map(|d| format!("waiting for {d}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn holds(matcher: &str, expected: Value, options: Value, received: Value) -> bool {
        let p = plan(matcher, &expected, &options, None).expect("plan");
        (p.predicate)(&received)
    }

    #[test]
    fn text_matchers_normalise_whitespace_and_honour_regex_flags() {
        assert!(holds(
            "toHaveText",
            json!("Hello  world"),
            json!({}),
            json!("Hello world")
        ));
        assert!(!holds(
            "toHaveText",
            json!("Hello"),
            json!({}),
            json!("Hello world")
        ));
        assert!(holds(
            "toContainText",
            json!("WORLD"),
            json!({"ignoreCase": true}),
            json!("Hello world")
        ));
        assert!(holds(
            "toHaveText",
            json!({"regex": "^h\\w+", "flags": "i"}),
            json!({}),
            json!("Hello")
        ));
        assert!(holds(
            "toHaveText",
            json!({"regex": "(?<=a)b", "flags": ""}),
            json!({}),
            json!("ab")
        ));
    }

    #[test]
    fn array_forms_compare_in_order() {
        let got = json!(["Apple", "Banana", "Cherry"]);
        assert!(holds(
            "toHaveText",
            json!(["Apple", "Banana", "Cherry"]),
            json!({}),
            got.clone()
        ));
        assert!(!holds(
            "toHaveText",
            json!(["Apple", "Cherry"]),
            json!({}),
            got.clone()
        ));
        assert!(holds(
            "toContainText",
            json!(["App", "Cher"]),
            json!({}),
            got.clone()
        ));
        assert!(!holds(
            "toContainText",
            json!(["Cher", "App"]),
            json!({}),
            got
        ));
    }

    #[test]
    fn urls_resolve_against_the_base() {
        assert_eq!(
            join_url("http://127.0.0.1:3000/app", "/x"),
            "http://127.0.0.1:3000/x"
        );
        assert_eq!(
            join_url("http://127.0.0.1:3000/", "x"),
            "http://127.0.0.1:3000/x"
        );
    }

    #[test]
    fn unknown_matchers_are_usage_errors() {
        assert!(matches!(
            plan("toBeShiny", &Value::Null, &json!({}), None),
            Err(MatcherError::Usage(_))
        ));
    }

    #[test]
    fn every_listed_matcher_has_a_plan() {
        let listed = matchers();
        assert_eq!(listed.len(), 27, "every line of the list parses");
        for (name, arity) in listed {
            let expected = match arity {
                Arity::Flag => Value::Null,
                Arity::Expected if name == "toHaveCount" => json!(1),
                Arity::Expected if name == "toHaveValues" => json!(["a"]),
                Arity::Expected => json!("x"),
                Arity::Named => json!({"name": "color", "value": "red"}),
                Arity::Attribute => json!({"name": "id", "value": "x", "presence": false}),
            };
            let planned = plan(name, &expected, &json!({}), None);
            assert!(
                !matches!(&planned, Err(MatcherError::Usage(m)) if m.contains("is not a web-first matcher")),
                "{name} is listed but check() does not know it"
            );
        }
    }
}

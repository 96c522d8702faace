//! Rebuilds a browser-crate [`Locator`] from the chain of steps the in-isolate `Locator` keeps
//! (`[["getByRole", "button", {…}], ["nth", 1]]`), and decodes the value types those steps use.

use isolate_browser_matchers::browser::FilterOptions;
use isolate_browser_matchers::browser::Locator;
use isolate_browser_matchers::browser::Page;
use isolate_browser_matchers::browser::RoleOptions;
use isolate_browser_matchers::browser::TextQuery;
use isolate_browser_matchers::browser::UrlMatch;
use serde_json::Value;

use crate::sandbox::HostCallError;

fn bad(what: impl Into<String>) -> HostCallError {
    HostCallError::new(what)
}

/// A RegExp as the in-isolate API sends it: `{ regex, flags }` → (source, flags).
fn regex_of(v: &Value) -> Option<(String, String)> {
    let pattern = v.get("regex").and_then(Value::as_str)?;
    let flags = v.get("flags").and_then(Value::as_str).unwrap_or_default();
    Some((pattern.to_string(), flags.to_string()))
}

/// `{ text }`, `{ exact }` or `{ regex, flags }`.
pub(crate) fn text_query(v: &Value) -> Result<TextQuery, HostCallError> {
    if let Some(t) = v.get("text").and_then(Value::as_str) {
        return Ok(TextQuery::Substring(t.to_string()));
    }
    if let Some(t) = v.get("exact").and_then(Value::as_str) {
        return Ok(TextQuery::Exact(t.to_string()));
    }
    if let Some((pattern, flags)) = regex_of(v) {
        return Ok(TextQuery::Regex { pattern, flags });
    }
    Err(bad(format!("expected a string or a RegExp, got {v}")))
}

/// `{ glob }` or `{ regex, flags }`.
pub(crate) fn url_match(v: &Value) -> Result<UrlMatch, HostCallError> {
    if let Some(g) = v.get("glob").and_then(Value::as_str) {
        return Ok(if g.contains(['*', '?', '{']) {
            UrlMatch::Glob(g.to_string())
        } else {
            UrlMatch::Exact(g.to_string())
        });
    }
    if let Some((pattern, flags)) = regex_of(v) {
        return Ok(UrlMatch::Regex { pattern, flags });
    }
    Err(bad(format!(
        "expected a URL string, glob or RegExp, got {v}"
    )))
}

fn role_options(v: &Value) -> Result<RoleOptions, HostCallError> {
    let b = |k: &str| v.get(k).and_then(Value::as_bool);
    Ok(RoleOptions {
        name: match v.get("name") {
            Some(n) if !n.is_null() => Some(text_query(n)?),
            _ => None,
        },
        checked: b("checked"),
        pressed: b("pressed"),
        selected: b("selected"),
        expanded: b("expanded"),
        level: v.get("level").and_then(Value::as_u64).map(|l| l as u32),
        disabled: b("disabled"),
        include_hidden: b("includeHidden").unwrap_or(false),
    })
}

fn opt_query(v: &Value, key: &str) -> Result<Option<TextQuery>, HostCallError> {
    match v.get(key) {
        Some(q) if !q.is_null() => Ok(Some(text_query(q)?)),
        _ => Ok(None),
    }
}

fn str_arg<'a>(step: &'a [Value], i: usize, name: &str) -> Result<&'a str, HostCallError> {
    step.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(format!("{name}: expected a string argument")))
}

enum Base {
    Page(Page),
    Locator(Locator),
}

/// Builds the locator a chain describes, starting from `page`.
pub(crate) fn build(page: &Page, chain: &Value) -> Result<Locator, HostCallError> {
    let steps = chain
        .as_array()
        .ok_or_else(|| bad("a locator must be a chain of steps"))?;
    let mut base = Base::Page(page.clone());
    for step in steps {
        let step = step
            .as_array()
            .ok_or_else(|| bad("a locator step must be an array"))?;
        let name = step.first().and_then(Value::as_str).unwrap_or_default();
        let arg = step.get(1).cloned().unwrap_or(Value::Null);
        let next = match (&base, name) {
            (Base::Page(p), "locator") => p.locator(str_arg(step, 1, "locator")?),
            (Base::Locator(l), "locator") => l.locator(str_arg(step, 1, "locator")?),
            (_, "getByRole") => {
                let role = str_arg(step, 1, "getByRole")?;
                let options = role_options(step.get(2).unwrap_or(&Value::Null))?;
                match &base {
                    Base::Page(p) => p.get_by_role(role, options),
                    Base::Locator(l) => l.get_by_role(role, options),
                }
            }
            (
                _,
                "getByText" | "getByLabel" | "getByPlaceholder" | "getByAltText" | "getByTitle"
                | "getByTestId",
            ) => {
                let q = text_query(&arg)?;
                match (&base, name) {
                    (Base::Page(p), "getByText") => p.get_by_text(q),
                    (Base::Page(p), "getByLabel") => p.get_by_label(q),
                    (Base::Page(p), "getByPlaceholder") => p.get_by_placeholder(q),
                    (Base::Page(p), "getByAltText") => p.get_by_alt_text(q),
                    (Base::Page(p), "getByTitle") => p.get_by_title(q),
                    (Base::Page(p), _) => p.get_by_test_id(q),
                    (Base::Locator(l), "getByText") => l.get_by_text(q),
                    (Base::Locator(l), "getByLabel") => l.get_by_label(q),
                    (Base::Locator(l), "getByPlaceholder") => l.get_by_placeholder(q),
                    (Base::Locator(l), "getByAltText") => l.get_by_alt_text(q),
                    (Base::Locator(l), "getByTitle") => l.get_by_title(q),
                    (Base::Locator(l), _) => l.get_by_test_id(q),
                }
            }
            (Base::Page(p), "frameLocator") => p.frame_locator(str_arg(step, 1, "frameLocator")?),
            (Base::Locator(l), "frameLocator") => {
                l.frame_locator(str_arg(step, 1, "frameLocator")?)
            }
            (Base::Locator(l), "nth") => {
                l.nth(arg.as_i64().ok_or_else(|| bad("nth: expected an index"))?)
            }
            (Base::Locator(l), "first") => l.first(),
            (Base::Locator(l), "last") => l.last(),
            (Base::Locator(l), "filter") => l.filter(FilterOptions {
                has_text: opt_query(&arg, "hasText")?,
                has_not_text: opt_query(&arg, "hasNotText")?,
                has: match arg.get("has") {
                    Some(c) if !c.is_null() => Some(build(page, c)?),
                    _ => None,
                },
                has_not: match arg.get("hasNot") {
                    Some(c) if !c.is_null() => Some(build(page, c)?),
                    _ => None,
                },
                visible: arg.get("visible").and_then(Value::as_bool),
            }),
            (Base::Locator(l), "and") => l.and(&build(page, &arg)?),
            (Base::Locator(l), "or") => l.or(&build(page, &arg)?),
            (Base::Page(_), "and") => build(page, &arg)?,
            (_, "contentFrame") => {
                return Err(bad(
                    "locator.contentFrame() is not supported yet; use page.frameLocator(selector)",
                ));
            }
            (_, other) => return Err(bad(format!("unknown locator step `{other}`"))),
        };
        base = Base::Locator(next);
    }
    match base {
        Base::Locator(l) => Ok(l),
        Base::Page(_) => Err(bad("an empty locator")),
    }
}

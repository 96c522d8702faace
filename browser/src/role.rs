//! Role selection from Chromium's own accessibility tree: `Accessibility.queryAXTree` gives
//! the computed role, accessible name and states of every node, which become element lists the
//! injected engine filters by name (substring, exact or regex, as Playwright does).

use chromiumoxide::cdp::browser_protocol::accessibility;
use chromiumoxide::cdp::browser_protocol::dom;
use chromiumoxide::cdp::js_protocol::runtime;

use crate::error::BrowserError;
use crate::error::cdp;
use crate::selector::TextQuery;

/// Options of `get_by_role`, as in Playwright.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleOptions {
    /// Accessible name: substring (case-insensitive) by default, exact or regex.
    pub name: Option<TextQuery>,
    /// `aria-checked` / checkbox state.
    pub checked: Option<bool>,
    /// `aria-pressed`.
    pub pressed: Option<bool>,
    /// `aria-selected`.
    pub selected: Option<bool>,
    /// `aria-expanded`.
    pub expanded: Option<bool>,
    /// Heading level.
    pub level: Option<u32>,
    /// Disabled state.
    pub disabled: Option<bool>,
    /// Also match elements hidden from the accessibility tree.
    pub include_hidden: bool,
    /// Accessible description (`aria-description`, `aria-describedby`, `title`), matched as
    /// `name` is.
    pub description: Option<TextQuery>,
    /// Only the `mixed` checked state (`role=checkbox[checked="mixed"]`); `checked` is then
    /// ignored.
    pub checked_mixed: bool,
    /// Only the `mixed` pressed state (`role=button[pressed="mixed"]`); `pressed` is then
    /// ignored.
    pub pressed_mixed: bool,
}

/// Matches of one role part: elements (as remote objects in the isolated world) and names.
pub(crate) struct RoleSet {
    pub object_ids: Vec<runtime::RemoteObjectId>,
    pub names: Vec<String>,
    pub descriptions: Vec<String>,
}

/// The object group every resolved node joins, released after each call.
pub(crate) const OBJECT_GROUP: &str = "isolate-browser-role";

/// A boolean ARIA state: `Some(true)`, `Some(false)`, or `None` for absent and for `mixed`.
fn prop_bool(node: &accessibility::AxNode, name: accessibility::AxPropertyName) -> Option<bool> {
    match prop_raw(node, name)? {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) if s == "mixed" => None,
        serde_json::Value::String(s) => Some(s == "true"),
        _ => None,
    }
}

fn prop_raw(
    node: &accessibility::AxNode,
    name: accessibility::AxPropertyName,
) -> Option<&serde_json::Value> {
    let prop = node.properties.as_ref()?.iter().find(|p| p.name == name)?;
    prop.value.value.as_ref()
}

fn is_mixed(node: &accessibility::AxNode, name: accessibility::AxPropertyName) -> bool {
    prop_raw(node, name).is_some_and(|v| v.as_str() == Some("mixed"))
}

fn prop_level(node: &accessibility::AxNode) -> Option<u32> {
    let prop = node
        .properties
        .as_ref()?
        .iter()
        .find(|p| p.name == accessibility::AxPropertyName::Level)?;
    prop.value.value.as_ref()?.as_u64().map(|l| l as u32)
}

fn matches_states(node: &accessibility::AxNode, o: &RoleOptions) -> bool {
    use accessibility::AxPropertyName as P;
    let want = |expected: Option<bool>, actual: Option<bool>| {
        expected.is_none_or(|e| actual.unwrap_or(false) == e)
    };
    let tri = |mixed_wanted: bool, expected: Option<bool>, name: P| {
        if mixed_wanted {
            return is_mixed(node, name);
        }
        // `checked: false` is not the mixed state.
        want(expected, prop_bool(node, name.clone()))
            && !(expected.is_some() && is_mixed(node, name))
    };
    tri(o.checked_mixed, o.checked, P::Checked)
        && tri(o.pressed_mixed, o.pressed, P::Pressed)
        && want(o.selected, prop_bool(node, P::Selected))
        && want(o.expanded, prop_bool(node, P::Expanded))
        && want(o.disabled, prop_bool(node, P::Disabled))
        && o.level.is_none_or(|l| prop_level(node) == Some(l))
}

/// Finds the elements with `role` (and the states asked for) in the document of `ctx`.
pub(crate) async fn resolve(
    page: &chromiumoxide::Page,
    ctx: runtime::ExecutionContextId,
    role: &str,
    options: &RoleOptions,
) -> Result<RoleSet, BrowserError> {
    let doc = page
        .execute(
            runtime::EvaluateParams::builder()
                .expression("document")
                .context_id(ctx)
                .object_group(OBJECT_GROUP)
                .build()
                .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?,
        )
        .await
        .map_err(|e| cdp("Runtime.evaluate", e))?;
    let Some(doc_id) = doc.result.result.object_id.clone() else {
        return Ok(RoleSet {
            object_ids: Vec::new(),
            names: Vec::new(),
            descriptions: Vec::new(),
        });
    };
    let query = accessibility::QueryAxTreeParams {
        node_id: None,
        backend_node_id: None,
        object_id: Some(doc_id),
        accessible_name: None,
        role: Some(role.to_string()),
    };
    let nodes = page
        .execute(query)
        .await
        .map_err(|e| cdp("Accessibility.queryAXTree", e))?
        .result
        .nodes;
    let mut set = RoleSet {
        object_ids: Vec::new(),
        names: Vec::new(),
        descriptions: Vec::new(),
    };
    for node in nodes {
        if node.ignored && !options.include_hidden {
            continue;
        }
        if !matches_states(&node, options) {
            continue;
        }
        let Some(backend) = node.backend_dom_node_id else {
            continue;
        };
        let mut params = dom::ResolveNodeParams::builder()
            .backend_node_id(backend)
            .object_group(OBJECT_GROUP)
            .build();
        params.execution_context_id = Some(ctx);
        let Ok(resolved) = page.execute(params).await else {
            // The node went away between the two calls.
            continue;
        };
        let Some(object_id) = resolved.result.object.object_id.clone() else {
            continue;
        };
        let text = |v: &Option<accessibility::AxValue>| {
            v.as_ref()
                .and_then(|n| n.value.as_ref())
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        set.object_ids.push(object_id);
        set.names.push(text(&node.name));
        set.descriptions.push(text(&node.description));
    }
    Ok(set)
}

/// A value in a `role=` selector's attribute: quoted text, a regex, or a bare word (a boolean,
/// a number, or text).
#[derive(Debug, Clone, PartialEq)]
enum AttrValue {
    Text(String),
    Regex(String, String),
    Bare(String),
}

/// One `[name op value flag]` of a `role=` selector.
#[derive(Debug)]
struct Attr {
    name: String,
    op: &'static str,
    value: Option<AttrValue>,
    /// `i` (any case) or `s` (case-sensitive) after the value.
    flag: Option<char>,
}

const ATTRIBUTES: &str = r#""checked", "description", "disabled", "expanded", "include-hidden", "level", "name", "pressed", "selected""#;
const LEVEL_ROLES: [&str; 4] = ["heading", "listitem", "row", "treeitem"];

/// Parses the body of a `role=` (or `internal:role=`) selector, `button[name="Save" i][pressed]`,
/// with Playwright's error texts. In the internal form (what `getByRole` writes) a quoted name
/// with `i` is a substring in any case and with `s` the whole name; in `role=` a quoted name is
/// a substring in any case unless `s` asks for the exact, case-sensitive name.
pub(crate) fn parse_selector(body: &str) -> Result<(String, RoleOptions), String> {
    let body = body.trim();
    let (role, rest) = match body.find('[') {
        Some(i) => (body[..i].trim(), &body[i..]),
        None => (body, ""),
    };
    if role.is_empty() {
        return Err("Role must not be empty".into());
    }
    let mut options = RoleOptions::default();
    for attr in parse_attrs(rest)? {
        apply(role, &attr, &mut options)?;
    }
    Ok((role.to_string(), options))
}

fn parse_attrs(mut s: &str) -> Result<Vec<Attr>, String> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return Ok(out);
        }
        let Some(inner) = s.strip_prefix('[') else {
            return Err(format!(
                "Unexpected \"{s}\" in role selector, expected \"[\""
            ));
        };
        let name_end = inner
            .find(|c: char| "=*^$~|]".contains(c))
            .ok_or("Unterminated attribute in role selector")?;
        let name: String = inner[..name_end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut rest = &inner[name_end..];
        let mut attr = Attr {
            name,
            op: "",
            value: None,
            flag: None,
        };
        if let Some(after) = rest.strip_prefix(']') {
            out.push(attr);
            s = after;
            continue;
        }
        for op in ["*=", "^=", "$=", "~=", "|=", "="] {
            if let Some(after) = rest.strip_prefix(op) {
                attr.op = op;
                rest = after.trim_start();
                break;
            }
        }
        if attr.op.is_empty() {
            return Err(format!(
                "Unexpected \"{rest}\" in attribute \"{}\"",
                attr.name
            ));
        }
        let (value, after) = parse_value(rest)?;
        attr.value = Some(value);
        let mut after = after.trim_start();
        if let Some(c) = after
            .chars()
            .next()
            .filter(|c| matches!(c, 'i' | 's' | 'I' | 'S'))
        {
            attr.flag = Some(c.to_ascii_lowercase());
            after = after[1..].trim_start();
        }
        let Some(after) = after.strip_prefix(']') else {
            return Err(format!("Expected \"]\" after attribute \"{}\"", attr.name));
        };
        out.push(attr);
        s = after;
    }
}

/// A quoted string (backslash escapes), a `/regex/flags`, or a bare word up to `]`.
fn parse_value(s: &str) -> Result<(AttrValue, &str), String> {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, q @ ('"' | '\''))) => {
            let mut text = String::new();
            let mut escaped = false;
            for (i, c) in chars {
                if escaped {
                    text.push(c);
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    return Ok((AttrValue::Text(text), &s[i + 1..]));
                } else {
                    text.push(c);
                }
            }
            Err(format!("Unterminated string in role selector: {s}"))
        }
        Some((_, '/')) => {
            let mut escaped = false;
            let mut class = false;
            for (i, c) in chars {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '[' => class = true,
                    ']' => class = false,
                    '/' if !class => {
                        let tail = &s[i + 1..];
                        let flags_end = tail
                            .find(|c: char| !c.is_ascii_alphabetic())
                            .unwrap_or(tail.len());
                        return Ok((
                            AttrValue::Regex(s[1..i].to_string(), tail[..flags_end].to_string()),
                            &tail[flags_end..],
                        ));
                    }
                    _ => {}
                }
            }
            Err(format!(
                "Unterminated regular expression in role selector: {s}"
            ))
        }
        _ => {
            let end = s.find(']').unwrap_or(s.len());
            Ok((AttrValue::Bare(s[..end].trim().to_string()), &s[end..]))
        }
    }
}

/// A bare word as a boolean, if it is one.
fn bare_bool(v: &AttrValue) -> Option<bool> {
    match v {
        AttrValue::Bare(w) if w == "true" => Some(true),
        AttrValue::Bare(w) if w == "false" => Some(false),
        _ => None,
    }
}

fn apply(role: &str, attr: &Attr, o: &mut RoleOptions) -> Result<(), String> {
    let name = attr.name.as_str();
    let non_text = matches!(&attr.value, Some(v) if bare_bool(v).is_some()
        || matches!(v, AttrValue::Bare(w) if w.parse::<f64>().is_ok()));
    if !matches!(attr.op, "" | "=") && non_text {
        return Err(format!(
            "cannot use {} in attribute with non-string matching value",
            attr.op
        ));
    }
    // A boolean state: `[checked]`, `[checked=true]`, `[checked=false]` (and `"mixed"` where
    // the state has one).
    let state = |mixed_allowed: bool| -> Result<(Option<bool>, bool), String> {
        let choices = if mixed_allowed {
            "true, false, \"mixed\""
        } else {
            "true, false"
        };
        match &attr.value {
            None => Ok((Some(true), false)),
            Some(AttrValue::Text(t)) if mixed_allowed && t == "mixed" => Ok((None, true)),
            Some(v) => match bare_bool(v) {
                Some(b) => Ok((Some(b), false)),
                None => Err(format!("\"{name}\" must be one of {choices}")),
            },
        }
    };
    match name {
        "checked" => (o.checked, o.checked_mixed) = state(true)?,
        "pressed" => (o.pressed, o.pressed_mixed) = state(true)?,
        "selected" => o.selected = state(false)?.0,
        "expanded" => o.expanded = state(false)?.0,
        "disabled" => o.disabled = state(false)?.0,
        "include-hidden" => o.include_hidden = state(false)?.0.unwrap_or(false),
        "level" => {
            let level = match &attr.value {
                Some(AttrValue::Bare(w)) => w.parse::<u32>().ok(),
                _ => None,
            };
            let Some(level) = level else {
                return Err("\"level\" attribute must be compared to a number".into());
            };
            if !LEVEL_ROLES.contains(&role) {
                return Err(format!(
                    "\"level\" attribute is only supported for roles: {}",
                    LEVEL_ROLES.map(|r| format!("\"{r}\"")).join(", ")
                ));
            }
            o.level = Some(level);
        }
        "name" | "description" => {
            let query = match &attr.value {
                None => return Err(format!("\"{name}\" attribute must have a value")),
                Some(AttrValue::Regex(p, f)) => TextQuery::regex(p.clone(), f.clone()),
                Some(AttrValue::Text(t) | AttrValue::Bare(t)) => text_query(attr.op, t, attr.flag),
            };
            if name == "name" {
                o.name = Some(query);
            } else {
                o.description = Some(query);
            }
        }
        other => {
            return Err(format!(
                "Unknown attribute \"{other}\", must be one of {ATTRIBUTES}"
            ));
        }
    }
    Ok(())
}

/// How `[name op "text" flag]` matches the accessible name (whitespace-normalised).
fn text_query(op: &str, text: &str, flag: Option<char>) -> TextQuery {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let case = if flag == Some('s') { "" } else { "i" };
    let esc = regex_escape(&text);
    match op {
        "=" if flag == Some('s') => TextQuery::Exact(text),
        "=" | "*=" if case == "i" => TextQuery::Substring(text),
        "*=" => TextQuery::regex(esc, ""),
        "^=" => TextQuery::regex(format!("^{esc}"), case),
        "$=" => TextQuery::regex(format!("{esc}$"), case),
        "|=" => TextQuery::regex(format!("^{esc}(-|$)"), case),
        _ => TextQuery::regex(format!("(^|\\s){esc}(\\s|$)"), case),
    }
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\^$.*+?()[]{}|/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_selectors_parse_states_names_and_levels() {
        let (role, o) = parse_selector(r#"button[name="Hello" s][pressed="mixed"]"#).unwrap();
        assert_eq!(role, "button");
        assert_eq!(o.name, Some(TextQuery::Exact("Hello".into())));
        assert!(o.pressed_mixed);
        let (_, o) = parse_selector("heading[level=2][include-hidden][disabled=false]").unwrap();
        assert_eq!(
            (o.level, o.include_hidden, o.disabled),
            (Some(2), true, Some(false))
        );
        let (_, o) = parse_selector("button[name=/h.*o/i]").unwrap();
        assert_eq!(o.name, Some(TextQuery::regex("h.*o", "i")));
    }

    #[test]
    fn role_selector_errors_read_as_playwright_s() {
        let err = |s: &str| parse_selector(s).unwrap_err();
        assert_eq!(err("[bar]"), "Role must not be empty");
        assert!(err("foo[sElected]").starts_with("Unknown attribute \"sElected\", must be one of"));
        assert!(err("foo[bar . qux=true]").starts_with("Unknown attribute \"bar.qux\""));
        assert!(err("heading[level=\"bar\"]").contains("must be compared to a number"));
        assert!(
            err("checkbox[checked=\"bar\"]")
                .contains(r#""checked" must be one of true, false, "mixed""#)
        );
        assert!(err("checkbox[checked~=true]").contains("cannot use ~= in attribute"));
        assert!(err("button[level=3]").contains("only supported for roles"));
        assert!(err("button[name]").contains("\"name\" attribute must have a value"));
        assert!(
            err("treeitem[expanded=\"none\"]").contains("\"expanded\" must be one of true, false")
        );
    }
}

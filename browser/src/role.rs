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
}

/// Matches of one role part: elements (as remote objects in the isolated world) and names.
pub(crate) struct RoleSet {
    pub object_ids: Vec<runtime::RemoteObjectId>,
    pub names: Vec<String>,
}

/// The object group every resolved node joins, released after each call.
pub(crate) const OBJECT_GROUP: &str = "isolate-browser-role";

fn prop_bool(node: &accessibility::AxNode, name: accessibility::AxPropertyName) -> Option<bool> {
    let prop = node.properties.as_ref()?.iter().find(|p| p.name == name)?;
    match prop.value.value.as_ref()? {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => Some(s == "true"),
        _ => None,
    }
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
    want(o.checked, prop_bool(node, P::Checked))
        && want(o.pressed, prop_bool(node, P::Pressed))
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
        let name = node
            .name
            .as_ref()
            .and_then(|n| n.value.as_ref())
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        set.object_ids.push(object_id);
        set.names.push(name);
    }
    Ok(set)
}

//! [`Locator`]: a lazy description of elements. Nothing is resolved until an action or query
//! runs, and every retry re-resolves it, so a locator survives re-renders and navigations.
//! Actions wait for actionability (attached, visible, stable, enabled, editable, receiving
//! events) through the shared deadline helper and fail with a call log naming the locator in
//! Playwright's notation.

mod actions;

use std::sync::Mutex;
use std::time::Duration;

use chromiumoxide::cdp::js_protocol::runtime;
use serde::Deserialize;
use serde_json::Value;
use serde_json::json;

use crate::error::BrowserError;
use crate::error::cdp;
use crate::page::Page;
use crate::role::RoleOptions;
use crate::selector::Part;
use crate::selector::TextQuery;
use crate::selector::parse;
use crate::selector::quote;
use crate::wait::Attempt;
use crate::wait::CallLog;
use crate::wait::poll;

const INJECTED: &str = include_str!("injected.js");

/// Which execution context last received the injected engine (per page).
pub(crate) static INSTALLED: Mutex<Vec<(String, i64)>> = Mutex::new(Vec::new());

/// States `wait_for` can wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WaitForState {
    /// In the DOM.
    Attached,
    /// Not in the DOM.
    Detached,
    /// In the DOM and visible (the default).
    #[default]
    Visible,
    /// Not in the DOM, or not visible.
    Hidden,
}

/// Options of `filter()`.
#[derive(Default, Clone)]
pub struct FilterOptions {
    /// Keep elements whose text matches.
    pub has_text: Option<TextQuery>,
    /// Drop elements whose text matches.
    pub has_not_text: Option<TextQuery>,
    /// Keep elements containing a match of this locator.
    pub has: Option<Locator>,
    /// Drop elements containing a match of this locator.
    pub has_not: Option<Locator>,
    /// Keep only visible (`true`) or hidden (`false`) elements.
    pub visible: Option<bool>,
}

/// Options of `select_option`: each entry picks by value, label or index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectBy {
    /// The option's `value`.
    Value(String),
    /// The option's label (its text).
    Label(String),
    /// The option's position.
    Index(usize),
}

/// The box of an element in the viewport, CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, serde::Serialize)]
pub struct BoundingBox {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// A lazy element query on a page.
#[derive(Clone)]
pub struct Locator {
    page: Page,
    parts: Vec<Part>,
    description: String,
    error: Option<String>,
}

impl std::fmt::Debug for Locator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl std::fmt::Display for Locator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

#[derive(Debug, Deserialize)]
struct Actionable {
    status: String,
    reason: Option<String>,
    message: Option<String>,
    count: Option<usize>,
    matches: Option<Vec<String>>,
    x: Option<f64>,
    y: Option<f64>,
    element: Option<String>,
    value: Option<Value>,
}

impl Locator {
    pub(crate) fn root(page: Page) -> Self {
        Self {
            page,
            parts: Vec::new(),
            description: String::new(),
            error: None,
        }
    }

    fn chain(&self, parts: Vec<Part>, call: String) -> Self {
        let mut next = self.clone();
        next.parts.extend(parts);
        next.description = if self.description.is_empty() {
            call
        } else {
            format!("{}.{call}", self.description)
        };
        next
    }

    /// The locator in Playwright's notation, e.g. `getByRole('button', { name: 'Save' })`.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The page the locator runs on.
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// Narrows to elements matching `selector` inside each current match.
    pub fn locator(&self, selector: &str) -> Self {
        match parse(selector) {
            Ok(parts) => self.chain(parts, format!("locator({})", quote(selector))),
            Err(reason) => {
                let mut next = self.chain(Vec::new(), format!("locator({})", quote(selector)));
                next.error = Some(format!("invalid selector {}: {reason}", quote(selector)));
                next
            }
        }
    }

    /// Elements by their text.
    pub fn get_by_text(&self, text: TextQuery) -> Self {
        let call = format!("getByText({}{})", text.describe(), exact_suffix(&text));
        self.chain(
            vec![Part::Text {
                matcher: text.wire(),
            }],
            call,
        )
    }

    /// Elements by ARIA role and accessible name, from Chromium's accessibility tree.
    pub fn get_by_role(&self, role: &str, options: RoleOptions) -> Self {
        let mut desc = Vec::new();
        if let Some(n) = &options.name {
            desc.push(format!("name: {}", n.describe()));
            if n.is_exact() {
                desc.push("exact: true".into());
            }
        }
        for (key, value) in [
            ("checked", options.checked),
            ("pressed", options.pressed),
            ("selected", options.selected),
            ("expanded", options.expanded),
            ("disabled", options.disabled),
        ] {
            if let Some(v) = value {
                desc.push(format!("{key}: {v}"));
            }
        }
        if let Some(l) = options.level {
            desc.push(format!("level: {l}"));
        }
        if options.include_hidden {
            desc.push("includeHidden: true".into());
        }
        let call = if desc.is_empty() {
            format!("getByRole({})", quote(role))
        } else {
            format!("getByRole({}, {{ {} }})", quote(role), desc.join(", "))
        };
        let name = options.name.as_ref().map(TextQuery::wire);
        self.chain(
            vec![Part::Role {
                slot: 0,
                name,
                role: role.to_string(),
                include_hidden: options.include_hidden,
                options,
            }],
            call,
        )
    }

    /// Form controls by their label (`<label>`, `aria-labelledby`, `aria-label`).
    pub fn get_by_label(&self, text: TextQuery) -> Self {
        let call = format!("getByLabel({}{})", text.describe(), exact_suffix(&text));
        self.chain(
            vec![Part::Label {
                matcher: text.wire(),
            }],
            call,
        )
    }

    /// Inputs by placeholder.
    pub fn get_by_placeholder(&self, text: TextQuery) -> Self {
        self.attr("placeholder", "getByPlaceholder", text)
    }

    /// Images by alt text.
    pub fn get_by_alt_text(&self, text: TextQuery) -> Self {
        self.attr("alt", "getByAltText", text)
    }

    /// Elements by their title attribute.
    pub fn get_by_title(&self, text: TextQuery) -> Self {
        self.attr("title", "getByTitle", text)
    }

    /// Elements by test id (the context's test id attribute, `data-testid` by default); a
    /// plain string matches exactly.
    pub fn get_by_test_id(&self, id: TextQuery) -> Self {
        let id = match id {
            TextQuery::Substring(s) => TextQuery::Exact(s),
            other => other,
        };
        let name = self.page.context().options().test_id_attribute.clone();
        let call = format!("getByTestId({})", id.describe());
        self.chain(
            vec![Part::Attr {
                name,
                matcher: id.wire(),
            }],
            call,
        )
    }

    fn attr(&self, name: &str, call: &str, text: TextQuery) -> Self {
        let call = format!("{call}({}{})", text.describe(), exact_suffix(&text));
        self.chain(
            vec![Part::Attr {
                name: name.to_string(),
                matcher: text.wire(),
            }],
            call,
        )
    }

    /// The n-th match (0-based; negative counts from the end).
    pub fn nth(&self, index: i64) -> Self {
        let call = match index {
            0 => "first()".to_string(),
            -1 => "last()".to_string(),
            n => format!("nth({n})"),
        };
        self.chain(vec![Part::Nth { index }], call)
    }

    /// The first match.
    pub fn first(&self) -> Self {
        self.nth(0)
    }

    /// The last match.
    pub fn last(&self) -> Self {
        self.nth(-1)
    }

    /// Narrows the matches by text, descendants or visibility.
    pub fn filter(&self, options: FilterOptions) -> Self {
        let mut parts = Vec::new();
        let mut desc = Vec::new();
        if let Some(t) = &options.has_text {
            parts.push(Part::HasText {
                matcher: t.wire(),
                not: false,
            });
            desc.push(format!("hasText: {}", t.describe()));
        }
        if let Some(t) = &options.has_not_text {
            parts.push(Part::HasText {
                matcher: t.wire(),
                not: true,
            });
            desc.push(format!("hasNotText: {}", t.describe()));
        }
        if let Some(l) = &options.has {
            parts.push(Part::Has {
                parts: l.parts.clone(),
                not: false,
            });
            desc.push(format!("has: {}", l.description));
        }
        if let Some(l) = &options.has_not {
            parts.push(Part::Has {
                parts: l.parts.clone(),
                not: true,
            });
            desc.push(format!("hasNot: {}", l.description));
        }
        if let Some(v) = options.visible {
            parts.push(Part::Visible { value: v });
            desc.push(format!("visible: {v}"));
        }
        self.chain(parts, format!("filter({{ {} }})", desc.join(", ")))
    }

    /// Elements matching both locators.
    pub fn and(&self, other: &Locator) -> Self {
        self.chain(
            vec![Part::And {
                parts: other.parts.clone(),
            }],
            format!("and({})", other.description),
        )
    }

    /// Elements matching either locator.
    pub fn or(&self, other: &Locator) -> Self {
        self.chain(
            vec![Part::Or {
                parts: other.parts.clone(),
            }],
            format!("or({})", other.description),
        )
    }

    fn timeout(&self, t: Option<Duration>) -> Duration {
        t.unwrap_or(self.page.context().options().action_timeout)
    }

    /// Runs `body` (which can use `ib`, the injected engine, and `parts`) in the page's
    /// isolated world. `Ok(None)` means the document is between navigations.
    async fn run(&self, body: &str) -> Result<Option<Value>, BrowserError> {
        self.page.ensure_open("using a locator")?;
        if let Some(e) = &self.error {
            return Err(BrowserError::Selector {
                selector: self.description.clone(),
                reason: e.clone(),
            });
        }
        let mut parts = self.parts.clone();
        let mut roles = Vec::new();
        crate::selector::assign_role_slots(&mut parts, &mut roles);
        let parts = serde_json::to_string(&parts)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let cdp_page = self.page.cdp();
        let Some(ctx) = cdp_page
            .secondary_execution_context()
            .await
            .map_err(|e| cdp("Runtime.executionContext", e))?
        else {
            return Ok(None);
        };
        let key = cdp_page.target_id().inner().clone();
        let ctx_id = *ctx.inner();
        let installed = INSTALLED
            .lock()
            .map(|v| v.iter().any(|(k, c)| *k == key && *c == ctx_id))
            .unwrap_or(false);
        let install = if installed {
            String::new()
        } else {
            format!("globalThis.__isolateBrowser ??= {INJECTED};\n")
        };
        let mut meta = Vec::new();
        let mut arguments = vec![];
        for (role, options) in &roles {
            let set = match crate::role::resolve(cdp_page, ctx, role, options).await {
                Ok(set) => set,
                Err(e) if is_context_gone(&e) => return Ok(None),
                Err(e) => return Err(e),
            };
            meta.push(json!({ "count": set.object_ids.len(), "names": set.names }));
            arguments.extend(set.object_ids.into_iter().map(|id| runtime::CallArgument {
                value: None,
                unserializable_value: None,
                object_id: Some(id),
            }));
        }
        arguments.insert(
            0,
            runtime::CallArgument {
                value: Some(Value::Array(meta)),
                unserializable_value: None,
                object_id: None,
            },
        );
        let function = format!(
            "async function (meta, ...els) {{ {install}if (!globalThis.__isolateBrowser) return {{ __notInstalled: true }}; const roleSets = []; let at = 0; for (const m of meta) {{ roleSets.push({{ elements: els.slice(at, at + m.count), names: m.names }}); at += m.count; }} const ib = globalThis.__isolateBrowser.make(roleSets); const parts = {parts}; {body} }}"
        );
        let mut params = runtime::CallFunctionOnParams::new(function);
        params.arguments = Some(arguments);
        params.execution_context_id = Some(ctx);
        params.return_by_value = Some(true);
        params.await_promise = Some(true);
        let outcome = cdp_page.execute(params).await;
        if !roles.is_empty() {
            let _ = cdp_page
                .execute(runtime::ReleaseObjectGroupParams::new(
                    crate::role::OBJECT_GROUP,
                ))
                .await;
        }
        let res = match outcome {
            Ok(res) => res,
            Err(e) => {
                let err = cdp("Runtime.callFunctionOn", e);
                // The context died under us (navigation): the caller retries.
                if is_context_gone(&err) {
                    return Ok(None);
                }
                return Err(err);
            }
        };
        if let Some(ex) = res.result.exception_details {
            let err = crate::page::exception(&ex);
            if is_context_gone(&err) {
                return Ok(None);
            }
            return Err(err);
        }
        let value = res.result.result.value.unwrap_or(Value::Null);
        if let Ok(mut v) = INSTALLED.lock() {
            v.retain(|(k, _)| *k != key);
            if value.get("__notInstalled").is_none() {
                v.push((key, ctx_id));
            }
        }
        if value.get("__notInstalled").is_some() {
            return Ok(None);
        }
        Ok(Some(value))
    }

    async fn run_now(&self, body: &str) -> Result<Value, BrowserError> {
        let timeout = self.timeout(None);
        poll(
            &format!("{}: waiting for the page", self.description),
            timeout,
            CallLog::new("waiting for the document to be ready"),
            |_| async {
                match self.run(body).await {
                    Ok(Some(v)) => Attempt::Ready(v),
                    Ok(None) => Attempt::Retry("document is navigating".into()),
                    Err(e) => Attempt::Fail(e),
                }
            },
        )
        .await
    }

    /// How many elements match now (no waiting, not strict).
    pub async fn count(&self) -> Result<usize, BrowserError> {
        let v = self.run_now("return ib.count(parts);").await?;
        Ok(v.as_u64().unwrap_or(0) as usize)
    }

    /// One locator per current match.
    pub async fn all(&self) -> Result<Vec<Locator>, BrowserError> {
        let n = self.count().await?;
        Ok((0..n as i64).map(|i| self.nth(i)).collect())
    }

    /// Short descriptions of all current matches (for messages).
    pub async fn describe_matches(&self) -> Result<Vec<String>, BrowserError> {
        let v = self.run_now("return ib.describeAll(parts);").await?;
        Ok(serde_json::from_value(v).unwrap_or_default())
    }
}

fn is_context_gone(err: &BrowserError) -> bool {
    let text = match err {
        BrowserError::Protocol { reason, .. } => reason,
        BrowserError::Evaluation { message, .. } => message,
        _ => return false,
    };
    text.contains("Cannot find context")
        || text.contains("context was destroyed")
        || text.contains("Execution context")
        || text.contains("No node with given id")
        || text.contains("Could not find node")
}

fn exact_suffix(t: &TextQuery) -> &'static str {
    if t.is_exact() {
        ", { exact: true }"
    } else {
        ""
    }
}

impl Page {
    /// Elements by ARIA role and accessible name.
    pub fn get_by_role(&self, role: &str, options: RoleOptions) -> Locator {
        Locator::root(self.clone()).get_by_role(role, options)
    }

    /// Elements by text.
    pub fn get_by_text(&self, text: TextQuery) -> Locator {
        Locator::root(self.clone()).get_by_text(text)
    }

    /// Form controls by label.
    pub fn get_by_label(&self, text: TextQuery) -> Locator {
        Locator::root(self.clone()).get_by_label(text)
    }

    /// Inputs by placeholder.
    pub fn get_by_placeholder(&self, text: TextQuery) -> Locator {
        Locator::root(self.clone()).get_by_placeholder(text)
    }

    /// Images by alt text.
    pub fn get_by_alt_text(&self, text: TextQuery) -> Locator {
        Locator::root(self.clone()).get_by_alt_text(text)
    }

    /// Elements by title.
    pub fn get_by_title(&self, text: TextQuery) -> Locator {
        Locator::root(self.clone()).get_by_title(text)
    }

    /// Elements by test id.
    pub fn get_by_test_id(&self, id: TextQuery) -> Locator {
        Locator::root(self.clone()).get_by_test_id(id)
    }
}

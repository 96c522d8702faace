//! [`Locator`]: a lazy description of elements. Nothing is resolved until an action or query
//! runs, and every retry re-resolves it, so a locator survives re-renders and navigations.
//! Actions wait for actionability (attached, visible, stable, enabled, editable, receiving
//! events) through the shared deadline helper and fail with a call log naming the locator in
//! Playwright's notation.

mod actions;
mod eval;
mod exec;
mod expect;

pub(crate) use exec::Root;
pub(crate) use exec::content_offset;
pub(crate) use exec::resolve_into;

pub use actions::DragOptions;
pub use actions::FilePayload;
pub use expect::ExpectOutcome;
pub use expect::LocatorState;
pub use expect::PageState;

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::error::BrowserError;
use crate::page::Page;
use crate::role::RoleOptions;
use crate::selector::Part;
use crate::selector::TextQuery;
use crate::selector::quote;
use crate::wait::Attempt;
use crate::wait::CallLog;
use crate::wait::poll;

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

/// Options of `select_option`: each entry picks by value, label or index. A multiple select
/// selects an option for every entry (and waits until each has one); a single select takes
/// the first entry that matches an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectBy {
    /// The option's `value`.
    Value(String),
    /// The option's label (its text).
    Label(String),
    /// The option's position.
    Index(usize),
    /// The option's value, else its label (what a plain string means in Playwright).
    ValueOrLabel(String),
    /// An option matching every one of these (`{ value: 'a', label: 'A' }`).
    Every(Vec<SelectBy>),
}

impl SelectBy {
    /// What the injected engine matches an option against: every key must match.
    fn wire(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        self.fill(&mut out);
        serde_json::Value::Object(out)
    }

    fn fill(&self, out: &mut serde_json::Map<String, serde_json::Value>) {
        match self {
            Self::Value(v) => _ = out.insert("value".into(), v.clone().into()),
            Self::Label(l) => _ = out.insert("label".into(), l.clone().into()),
            Self::Index(i) => _ = out.insert("index".into(), (*i).into()),
            Self::ValueOrLabel(v) => _ = out.insert("valueOrLabel".into(), v.clone().into()),
            Self::Every(all) => all.iter().for_each(|s| s.fill(out)),
        }
    }
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
    /// Where queries start: the page, a frame, or an element handle.
    root: exec::Root,
    /// Selectors of the iframes to descend into, outermost first.
    frames: Vec<Vec<Part>>,
    /// How each frame's `<iframe>` was located, for errors (`locator('iframe')`).
    frame_owners: Vec<String>,
    /// Whether an action needs exactly one match (locators) or takes the first (`page.click`).
    strict: bool,
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
        Self::starting_at(page, exec::Root::Page, String::new())
    }

    pub(crate) fn starting_at(page: Page, root: exec::Root, description: String) -> Self {
        Self {
            page,
            root,
            frames: Vec::new(),
            frame_owners: Vec::new(),
            strict: true,
            parts: Vec::new(),
            description,
            error: None,
        }
    }

    /// The locator of an element handle: that element, and queries inside it.
    pub fn of_handle(handle: &crate::JsHandle) -> Self {
        Self::starting_at(
            handle.page().clone(),
            exec::Root::Element(handle.clone()),
            String::new(),
        )
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
        let custom: Vec<String> = self
            .page
            .context()
            .selector_engines()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        match crate::selector::parse_frames(selector, &custom) {
            Ok(segments) => {
                let mut segments = segments.into_iter();
                let first = segments.next().unwrap_or_default();
                let mut next = self.chain(first, format!("locator({})", quote(selector)));
                // `internal:control=enter-frame`: what came before selects the frame.
                for segment in segments {
                    let frame = std::mem::replace(&mut next.parts, segment);
                    next.frames.push(frame);
                    next.frame_owners.push(next.description.clone());
                }
                next
            }
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
        if let Some(d) = &options.description {
            desc.push(format!("description: {}", d.describe()));
        }
        let call = if desc.is_empty() {
            format!("getByRole({})", quote(role))
        } else {
            format!("getByRole({}, {{ {} }})", quote(role), desc.join(", "))
        };
        let name = options.name.as_ref().map(TextQuery::wire);
        let description = options.description.as_ref().map(TextQuery::wire);
        self.chain(
            vec![Part::Role {
                slot: 0,
                name,
                description,
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
        let name = self.page.context().test_id_attribute();
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
        // Right after a frame locator, `first()` picks among the frames.
        if self.parts.is_empty()
            && let Some(frame) = self.frames.last()
        {
            let mut next = self.chain(Vec::new(), call);
            let mut frame = frame.clone();
            frame.push(Part::Nth { index });
            if let Some(last) = next.frames.last_mut() {
                *last = frame;
            }
            return next;
        }
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

    /// Descends into the iframe `selector` matches (inside the current matches); locators made
    /// from the result search that frame's document. Same- and cross-origin frames work.
    pub fn frame_locator(&self, selector: &str) -> Self {
        let mut next = self.locator(selector);
        next.frame_owners.push(next.description.clone());
        // Playwright's notation: the frame's element, then `contentFrame()`.
        next.description = format!("{}.contentFrame()", next.description);
        let frame = std::mem::take(&mut next.parts);
        next.frames.push(frame);
        next
    }

    /// The same locator, acting on the first of several matches instead of failing (the
    /// selector-first shortcuts such as `page.click(selector)`, which are not strict).
    pub fn non_strict(&self) -> Self {
        let mut next = self.clone();
        next.strict = false;
        next
    }

    /// The same locator, named `description` in errors (`locator.describe(text)`).
    pub fn describe(&self, description: &str) -> Self {
        let mut next = self.clone();
        next.description = description.to_string();
        next
    }

    /// Descends into the iframe this locator matches (`locator.contentFrame()`).
    pub fn content_frame(&self) -> Self {
        let mut next = self.clone();
        next.frame_owners.push(self.description.clone());
        next.description = format!("{}.contentFrame()", self.description);
        let frame = std::mem::take(&mut next.parts);
        next.frames.push(frame);
        next
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
        t.unwrap_or(self.page.action_timeout())
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

pub(crate) fn is_context_gone(err: &BrowserError) -> bool {
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
        // An awaited call whose document navigated away before it settled.
        || text.contains("Inspected target navigated")
}

fn exact_suffix(t: &TextQuery) -> &'static str {
    if t.is_exact() {
        ", { exact: true }"
    } else {
        ""
    }
}

impl Page {
    /// The empty locator of the main frame's document (locators are built from it).
    pub fn root_locator(&self) -> Locator {
        Locator::root(self.clone())
    }

    /// Descends into an iframe; see [`Locator::frame_locator`].
    pub fn frame_locator(&self, selector: &str) -> Locator {
        Locator::root(self.clone()).frame_locator(selector)
    }

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

//! The values host calls share: handles as newtype ids (nothing of a page crosses into the
//! isolate but these), text and URL matchers, locator chains, click options, and the
//! conversions from these wire shapes to the browser crate's types.

use std::time::Duration;

use isolate_browser_browser::ClickOptions;
use isolate_browser_browser::MouseButton;
use isolate_browser_browser::RoleOptions;
use isolate_browser_browser::TextQuery;
use isolate_browser_browser::UrlMatch;
use serde::Deserialize;
use serde::Deserializer;
use serde::Serialize;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub(crate) struct $name(pub u32);
    )*};
}

ids! {
    /// A browser context of a session.
    ContextId;
    /// A page of a session.
    PageId;
    /// A value kept in a page (`JSHandle`), held by the session.
    HandleId;
    /// A route handler the isolate registered (`page.route(url, handler)`).
    RouteId;
    /// A request paused for a route handler.
    RouteRequestId;
    /// A dialog waiting for `accept` or `dismiss`.
    DialogId;
    /// A `test.step` of the running test.
    StepId;
}

/// A test of the spec file, by its index in the harness's registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct TestIndex(pub usize);

/// Milliseconds as the in-isolate API sends them; zero or negative means "not given".
pub(crate) fn millis(ms: Option<f64>) -> Option<Duration> {
    ms.filter(|v| *v > 0.0 && v.is_finite())
        .map(|v| Duration::from_millis(v as u64))
}

/// `Option<Option<T>>` that tells a missing key (`None`) from an explicit `null`
/// (`Some(None)`); use with `#[serde(default, deserialize_with = "nullable")]`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A string or RegExp test code gave for text: `getByText('x')`, `{ exact: true }`, `/x/i`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum TextArg {
    /// Case-insensitive substring, whitespace normalised.
    Substring { text: String },
    /// The whole text.
    Exact { text: String },
    /// A RegExp.
    Regex { source: String, flags: String },
}

impl From<TextArg> for TextQuery {
    fn from(t: TextArg) -> Self {
        match t {
            TextArg::Substring { text } => TextQuery::Substring(text),
            TextArg::Exact { text } => TextQuery::Exact(text),
            TextArg::Regex { source, flags } => TextQuery::Regex {
                pattern: source,
                flags,
            },
        }
    }
}

/// A URL pattern: a string (glob when it has `*`, `?` or `{`) or a RegExp.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum UrlArg {
    /// A string.
    Glob { glob: String },
    /// A RegExp.
    Regex { source: String, flags: String },
}

impl From<UrlArg> for UrlMatch {
    fn from(u: UrlArg) -> Self {
        match u {
            UrlArg::Glob { glob } if glob.contains(['*', '?', '{']) => UrlMatch::Glob(glob),
            UrlArg::Glob { glob } => UrlMatch::Exact(glob),
            UrlArg::Regex { source, flags } => UrlMatch::Regex {
                pattern: source,
                flags,
            },
        }
    }
}

/// `getByRole(role, options)`'s options.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RoleArg {
    pub name: Option<TextArg>,
    pub checked: Option<bool>,
    pub pressed: Option<bool>,
    pub selected: Option<bool>,
    pub expanded: Option<bool>,
    pub level: Option<u32>,
    pub disabled: Option<bool>,
    #[serde(default)]
    pub include_hidden: bool,
    pub description: Option<TextArg>,
}

impl From<RoleArg> for RoleOptions {
    fn from(r: RoleArg) -> Self {
        RoleOptions {
            name: r.name.map(Into::into),
            checked: r.checked,
            pressed: r.pressed,
            selected: r.selected,
            expanded: r.expanded,
            level: r.level,
            disabled: r.disabled,
            include_hidden: r.include_hidden,
            description: r.description.map(Into::into),
            ..RoleOptions::default()
        }
    }
}

/// `locator.filter(options)`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FilterArg {
    pub has_text: Option<TextArg>,
    pub has_not_text: Option<TextArg>,
    pub has: Option<Vec<LocatorStep>>,
    pub has_not: Option<Vec<LocatorStep>>,
    pub visible: Option<bool>,
}

/// One step of a locator chain, as the in-isolate `Locator` keeps it: the chain is rebuilt into
/// a browser-crate locator on every call, so locators stay lazy and cost nothing to make.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "step", rename_all = "camelCase", deny_unknown_fields)]
pub(crate) enum LocatorStep {
    Locator {
        selector: String,
    },
    GetByRole {
        role: String,
        options: RoleArg,
    },
    GetByText {
        text: TextArg,
    },
    GetByLabel {
        text: TextArg,
    },
    GetByPlaceholder {
        text: TextArg,
    },
    GetByAltText {
        text: TextArg,
    },
    GetByTitle {
        text: TextArg,
    },
    GetByTestId {
        text: TextArg,
    },
    FrameLocator {
        selector: String,
    },
    Nth {
        index: i64,
    },
    First,
    Last,
    Filter {
        options: FilterArg,
    },
    And {
        chain: Vec<LocatorStep>,
    },
    Or {
        chain: Vec<LocatorStep>,
    },
    ContentFrame,
    /// Starts in a frame's document (`None`: the main frame's).
    Frame {
        frame: Option<String>,
    },
    /// Starts at an element handle's element.
    Handle {
        handle: HandleId,
    },
    /// `locator.describe(text)`: how errors and traces name the locator.
    Describe {
        description: String,
    },
    /// Acts on the first of several matches (`page.click(selector)` and the other shortcuts).
    NonStrict,
}

/// A mouse button by Playwright's name.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ButtonArg {
    Left,
    Right,
    Middle,
}

impl From<ButtonArg> for MouseButton {
    fn from(b: ButtonArg) -> Self {
        match b {
            ButtonArg::Left => MouseButton::Left,
            ButtonArg::Right => MouseButton::Right,
            ButtonArg::Middle => MouseButton::Middle,
        }
    }
}

/// A point in CSS pixels.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
}

/// A rectangle in CSS pixels.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Options of clicks, checks and `mouse.click`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ClickArg {
    pub button: Option<ButtonArg>,
    pub click_count: Option<i64>,
    pub modifiers: Option<Vec<String>>,
    pub position: Option<Point>,
    pub steps: Option<u32>,
    #[serde(default)]
    pub force: bool,
    #[serde(default)]
    pub trial: bool,
    pub delay: Option<f64>,
    pub timeout: Option<f64>,
}

impl From<ClickArg> for ClickOptions {
    fn from(c: ClickArg) -> Self {
        let mut o = ClickOptions::default();
        if let Some(b) = c.button {
            o.button = b.into();
        }
        if let Some(n) = c.click_count {
            o.click_count = n;
        }
        o.modifiers = c.modifiers;
        o.steps = c.steps.unwrap_or(1);
        o.position = c.position.map(|p| (p.x, p.y));
        o.force = c.force;
        o.trial = c.trial;
        o.delay = millis(c.delay);
        o.timeout = millis(c.timeout);
        o
    }
}

/// Bytes that cross the wire as base64 (screenshots, bodies, files).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Base64(pub Vec<u8>);

impl Serialize for Base64 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use base64::Engine as _;
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Base64)
            .map_err(|e| serde::de::Error::custom(format!("not base64: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locator_steps_decode_and_refuse_unknown_fields() {
        let chain: Vec<LocatorStep> = serde_json::from_str(
            r#"[{"step":"getByRole","role":"button","options":{"name":{"kind":"exact","text":"Save"}}},{"step":"nth","index":1},{"step":"first"}]"#,
        )
        .expect("decodes");
        assert!(matches!(chain[0], LocatorStep::GetByRole { .. }));
        assert!(matches!(chain[1], LocatorStep::Nth { index: 1 }));
        let err = serde_json::from_str::<LocatorStep>(r#"{"step":"nth","index":1,"extra":2}"#)
            .expect_err("unknown field");
        assert!(err.to_string().contains("extra"), "{err}");
        let err = serde_json::from_str::<LocatorStep>(r#"{"step":"sideways"}"#)
            .expect_err("unknown step");
        assert!(err.to_string().contains("sideways"), "{err}");
    }

    #[test]
    fn nullable_tells_missing_from_null() {
        #[derive(Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "nullable")]
            a: Option<Option<String>>,
        }
        let missing: T = serde_json::from_str("{}").expect("decodes");
        let null: T = serde_json::from_str(r#"{"a":null}"#).expect("decodes");
        let set: T = serde_json::from_str(r#"{"a":"x"}"#).expect("decodes");
        assert_eq!(missing.a, None);
        assert_eq!(null.a, Some(None));
        assert_eq!(set.a, Some(Some("x".into())));
    }
}

//! What a test changes about a page or context after creating it: emulated media
//! (`page.emulateMedia`), extra HTTP headers (`setExtraHTTPHeaders`) and default timeouts
//! (`setDefaultTimeout`, `setDefaultNavigationTimeout`), each as in Playwright.

use std::sync::Mutex;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::emulation;
use chromiumoxide::cdp::browser_protocol::network;

use super::Page;
use crate::context::ColorScheme;
use crate::context::Context;
use crate::error::BrowserError;
use crate::error::cdp;

/// A change to [`Page::emulate_media`]: `None` leaves a setting as it is, `Some(None)` goes
/// back to the browser's own value.
#[derive(Debug, Clone, Default)]
pub struct EmulateMedia {
    /// `screen` or `print`.
    pub media: Option<Option<String>>,
    /// `prefers-color-scheme`.
    pub color_scheme: Option<Option<ColorScheme>>,
    /// `prefers-reduced-motion`: `reduce` or `no-preference`.
    pub reduced_motion: Option<Option<String>>,
    /// `forced-colors`: `active` or `none`.
    pub forced_colors: Option<Option<String>>,
}

/// The media a page emulates now.
#[derive(Debug, Clone, Default)]
pub(crate) struct MediaState {
    media: Option<String>,
    color_scheme: Option<ColorScheme>,
    reduced_motion: Option<String>,
    forced_colors: Option<String>,
}

impl MediaState {
    pub(crate) fn new(color_scheme: Option<ColorScheme>) -> Self {
        Self {
            color_scheme,
            ..Self::default()
        }
    }

    fn params(&self) -> emulation::SetEmulatedMediaParams {
        let mut features = Vec::new();
        if let Some(scheme) = self.color_scheme {
            features.push(emulation::MediaFeature::new(
                "prefers-color-scheme",
                scheme.as_str(),
            ));
        }
        if let Some(motion) = &self.reduced_motion {
            features.push(emulation::MediaFeature::new(
                "prefers-reduced-motion",
                motion.as_str(),
            ));
        }
        if let Some(colors) = &self.forced_colors {
            features.push(emulation::MediaFeature::new(
                "forced-colors",
                colors.as_str(),
            ));
        }
        emulation::SetEmulatedMediaParams {
            // An empty string is CDP's "no override".
            media: Some(self.media.clone().unwrap_or_default()),
            features: Some(features),
        }
    }
}

fn check(what: &str, value: &Option<Option<String>>, allowed: &[&str]) -> Result<(), BrowserError> {
    match value {
        Some(Some(v)) if !allowed.contains(&v.as_str()) => {
            Err(BrowserError::InvalidArgument(format!(
                "page.emulateMedia: {what} must be one of {} or null, not '{v}'",
                allowed.join(", ")
            )))
        }
        _ => Ok(()),
    }
}

/// Timeouts a test set after creation; unset ones fall back to the next level.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Timeouts {
    default: Option<Duration>,
    navigation: Option<Duration>,
}

/// Settings of a context or page changed after creation.
#[derive(Debug, Default)]
pub(crate) struct Overrides {
    timeouts: Mutex<Timeouts>,
    extra_http_headers: Mutex<Option<Vec<(String, String)>>>,
}

impl Overrides {
    fn timeouts(&self) -> Timeouts {
        self.timeouts.lock().map(|t| *t).unwrap_or_default()
    }

    fn set(&self, f: impl FnOnce(&mut Timeouts)) {
        if let Ok(mut t) = self.timeouts.lock() {
            f(&mut t);
        }
    }

    /// The default set here, else the parent's.
    fn action_or(&self, parent: impl FnOnce() -> Duration) -> Duration {
        self.timeouts().default.unwrap_or_else(parent)
    }

    /// The navigation default set here, else the default set here, else the parent's
    /// (Playwright's order).
    fn navigation_or(&self, parent: impl FnOnce() -> Duration) -> Duration {
        let t = self.timeouts();
        t.navigation.or(t.default).unwrap_or_else(parent)
    }

    fn headers(&self) -> Option<Vec<(String, String)>> {
        self.extra_http_headers.lock().ok().and_then(|h| h.clone())
    }

    fn set_headers(&self, headers: Vec<(String, String)>) {
        if let Ok(mut h) = self.extra_http_headers.lock() {
            *h = Some(headers);
        }
    }
}

/// Header names lower-cased (HTTP headers are case-insensitive), later entries winning.
fn merged(base: Vec<(String, String)>, over: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in base.into_iter().chain(over) {
        let k = k.to_ascii_lowercase();
        out.retain(|(name, _)| *name != k);
        out.push((k, v));
    }
    out
}

impl Context {
    /// The default for every call that takes a timeout (Playwright's
    /// `context.setDefaultTimeout`); navigation too unless
    /// [`Context::set_default_navigation_timeout`] says otherwise.
    pub fn set_default_timeout(&self, timeout: Duration) {
        self.inner.overrides.set(|t| t.default = Some(timeout));
    }

    /// The default for navigations (`goto`, `reload`, `waitForURL`, ...).
    pub fn set_default_navigation_timeout(&self, timeout: Duration) {
        self.inner.overrides.set(|t| t.navigation = Some(timeout));
    }

    /// The timeout of calls that were given none.
    pub fn action_timeout(&self) -> Duration {
        self.inner
            .overrides
            .action_or(|| self.options().action_timeout)
    }

    /// The timeout of navigations that were given none.
    pub fn navigation_timeout(&self) -> Duration {
        self.inner
            .overrides
            .navigation_or(|| self.options().navigation_timeout)
    }

    /// The extra headers every request of the context carries now.
    pub fn extra_http_headers(&self) -> Vec<(String, String)> {
        self.inner
            .overrides
            .headers()
            .unwrap_or_else(|| self.options().extra_http_headers.clone())
    }

    /// Replaces the extra headers every request of the context carries, on its open pages
    /// and on pages opened later (Playwright's `context.setExtraHTTPHeaders`).
    pub async fn set_extra_http_headers(
        &self,
        headers: Vec<(String, String)>,
    ) -> Result<(), BrowserError> {
        self.ensure_open("setting extra HTTP headers")?;
        self.inner
            .overrides
            .set_headers(merged(Vec::new(), headers));
        for page in self.pages() {
            page.apply_extra_http_headers().await?;
        }
        Ok(())
    }
}

impl Page {
    /// Changes the emulated media; settings left `None` stay as they are.
    pub async fn emulate_media(&self, change: EmulateMedia) -> Result<(), BrowserError> {
        self.ensure_open("emulating media")?;
        check("media", &change.media, &["screen", "print"])?;
        check(
            "reducedMotion",
            &change.reduced_motion,
            &["reduce", "no-preference"],
        )?;
        check("forcedColors", &change.forced_colors, &["active", "none"])?;
        let params = {
            let mut state = self
                .inner
                .media
                .lock()
                .map_err(|_| BrowserError::Closed(Some("emulating media".into())))?;
            if let Some(media) = change.media {
                state.media = media;
            }
            if let Some(scheme) = change.color_scheme {
                state.color_scheme = scheme;
            }
            if let Some(motion) = change.reduced_motion {
                state.reduced_motion = motion;
            }
            if let Some(colors) = change.forced_colors {
                state.forced_colors = colors;
            }
            state.params()
        };
        self.inner
            .cdp
            .execute(params)
            .await
            .map_err(|e| cdp("Emulation.setEmulatedMedia", e))?;
        Ok(())
    }

    /// Sends the page's media state to the browser (at creation).
    pub(crate) async fn apply_media(&self) -> Result<(), BrowserError> {
        let params = match self.inner.media.lock() {
            Ok(state) => state.params(),
            Err(_) => return Ok(()),
        };
        self.inner
            .cdp
            .execute(params)
            .await
            .map_err(|e| cdp("Emulation.setEmulatedMedia", e))?;
        Ok(())
    }

    /// Extra headers for this page's requests, on top of the context's (Playwright's
    /// `page.setExtraHTTPHeaders`).
    pub async fn set_extra_http_headers(
        &self,
        headers: Vec<(String, String)>,
    ) -> Result<(), BrowserError> {
        self.ensure_open("setting extra HTTP headers")?;
        self.inner
            .overrides
            .set_headers(merged(Vec::new(), headers));
        self.apply_extra_http_headers().await
    }

    /// Sends the context's and the page's extra headers to the browser.
    pub(crate) async fn apply_extra_http_headers(&self) -> Result<(), BrowserError> {
        let headers = merged(
            self.inner.context.extra_http_headers(),
            self.inner.overrides.headers().unwrap_or_default(),
        );
        let map: serde_json::Map<String, serde_json::Value> = headers
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        self.inner
            .cdp
            .execute(network::SetExtraHttpHeadersParams::new(
                network::Headers::new(serde_json::Value::Object(map)),
            ))
            .await
            .map_err(|e| cdp("Network.setExtraHTTPHeaders", e))?;
        Ok(())
    }

    /// This page's default for calls that take a timeout (Playwright's
    /// `page.setDefaultTimeout`), over the context's.
    pub fn set_default_timeout(&self, timeout: Duration) {
        self.inner.overrides.set(|t| t.default = Some(timeout));
    }

    /// This page's default for navigations, over everything else.
    pub fn set_default_navigation_timeout(&self, timeout: Duration) {
        self.inner.overrides.set(|t| t.navigation = Some(timeout));
    }

    /// The timeout of this page's calls that were given none.
    pub fn action_timeout(&self) -> Duration {
        self.inner
            .overrides
            .action_or(|| self.inner.context.action_timeout())
    }

    /// The timeout of this page's navigations that were given none: the page's navigation
    /// default, its default, then the context's.
    pub fn navigation_timeout(&self) -> Duration {
        self.inner
            .overrides
            .navigation_or(|| self.inner.context.navigation_timeout())
    }
}

//! Screenshots: what `page.screenshot` and `locator.screenshot` take (format, clip, full page,
//! transparent background) and what makes them repeatable for visual comparison: animations
//! finished or cancelled, the caret hidden, masks over chosen elements, an extra style sheet,
//! and CSS-pixel scale on high-density screens.
//!
//! The page is prepared in the main frame's document (a style element, mask boxes, paused
//! animations), captured with `Page.captureScreenshot` (beyond the viewport for a full page, so
//! the page's viewport emulation is never touched), and put back as it was.

use chromiumoxide::cdp::browser_protocol::dom;
use chromiumoxide::cdp::browser_protocol::emulation;
use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use serde_json::Value;

use super::Page;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::locator::Locator;

/// The image format of a screenshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImageFormat {
    /// Lossless PNG (the default).
    #[default]
    Png,
    /// JPEG (`quality` applies).
    Jpeg,
    /// WebP (`quality` applies; lossless when none is given).
    Webp,
}

/// Screenshot options.
#[derive(Debug, Clone, Default)]
pub struct ScreenshotOptions {
    /// The whole scrollable page instead of the viewport.
    pub full_page: bool,
    /// Only this rectangle (CSS pixels): x, y, width, height; relative to the viewport, or to the
    /// page with `full_page`. It is cut to what is captured.
    pub clip: Option<(f64, f64, f64, f64)>,
    /// The image format.
    pub format: ImageFormat,
    /// JPEG / WebP quality 0-100.
    pub quality: Option<u8>,
    /// Transparent instead of the default white background (PNG and WebP).
    pub omit_background: bool,
    /// Finite CSS animations and transitions are finished, infinite ones cancelled (and
    /// restarted after the capture).
    pub disable_animations: bool,
    /// The text caret is made transparent.
    pub hide_caret: bool,
    /// Elements covered by a box of `mask_color`.
    pub mask: Vec<Locator>,
    /// The mask colour (any CSS colour; pink `#FF00FF` by default).
    pub mask_color: Option<String>,
    /// A style sheet applied while the screenshot is taken.
    pub style: Option<String>,
    /// One image pixel per CSS pixel, whatever the device scale factor.
    pub css_scale: bool,
}

impl ScreenshotOptions {
    fn needs_preparing(&self) -> bool {
        self.disable_animations || self.hide_caret || !self.mask.is_empty() || self.style.is_some()
    }
}

/// Puts the document in screenshot state; `options` is a JSON object (see `prepare` below).
const PREPARE_JS: &str = r#"(options) => {
  const state = { nodes: [], cancelled: [] };
  globalThis.__ibScreenshot = state;
  const root = document.documentElement;
  if (!root) return;
  let css = "";
  if (options.hideCaret) css += "*, *::before, *::after { caret-color: transparent !important; }\n";
  if (options.style) css += options.style + "\n";
  if (css) {
    const style = document.createElement("style");
    style.textContent = css;
    (document.head ?? root).appendChild(style);
    state.nodes.push(style);
  }
  if (options.disableAnimations && document.getAnimations) {
    for (const a of document.getAnimations()) {
      const timing = a.effect ? a.effect.getComputedTiming() : null;
      if (timing && timing.endTime === Infinity) {
        a.cancel();
        state.cancelled.push(a);
      } else {
        a.finish();
      }
    }
  }
  if (options.masks.length) {
    const box = document.createElement("div");
    box.style.cssText = "position:absolute;left:0;top:0;width:0;height:0;overflow:visible;z-index:2147483647;pointer-events:none;";
    for (const [x, y, w, h] of options.masks) {
      const m = document.createElement("div");
      m.style.cssText = `position:absolute;left:${x}px;top:${y}px;width:${w}px;height:${h}px;background:${options.maskColor};`;
      box.appendChild(m);
    }
    root.appendChild(box);
    state.nodes.push(box);
  }
}"#;

/// Undoes [`PREPARE_JS`].
const RESTORE_JS: &str = r#"(() => {
  const state = globalThis.__ibScreenshot;
  delete globalThis.__ibScreenshot;
  if (!state) return;
  for (const n of state.nodes) n.remove();
  for (const a of state.cancelled) { try { a.play(); } catch {} }
})()"#;

/// Every element a mask locator matches, as page-coordinate boxes of the main document.
const MASK_RECTS_JS: &str = "return ib.query(parts, ib.root).map((el) => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; });";

impl Page {
    /// Captures a PNG (or JPEG, WebP) of the viewport, the full page or a clip.
    pub async fn screenshot(&self, options: ScreenshotOptions) -> Result<Vec<u8>, BrowserError> {
        self.ensure_open("taking a screenshot")?;
        self.prepared_for(&options, self.capture(&options)).await
    }

    /// Runs `capture` with the page prepared for `options` (and put back after, whatever
    /// `capture` gave).
    pub(crate) async fn prepared_for<T>(
        &self,
        options: &ScreenshotOptions,
        capture: impl std::future::Future<Output = Result<T, BrowserError>>,
    ) -> Result<T, BrowserError> {
        let _one_at_a_time = self.inner.screenshots.lock().await;
        let prepared = options.needs_preparing();
        if prepared {
            self.prepare_screenshot(options).await?;
        }
        let result = capture.await;
        if prepared {
            // Best effort: a page that navigated away has nothing to put back.
            let _ = self.evaluate_value(RESTORE_JS).await;
        }
        result
    }

    async fn prepare_screenshot(&self, options: &ScreenshotOptions) -> Result<(), BrowserError> {
        let (sx, sy) = self.scroll_position().await?;
        let mut masks = Vec::new();
        for locator in &options.mask {
            let Some((rects, (dx, dy))) = locator.run_at(MASK_RECTS_JS).await? else {
                continue;
            };
            for rect in rects.as_array().into_iter().flatten() {
                let r: Vec<f64> = serde_json::from_value(rect.clone()).unwrap_or_default();
                if let [x, y, w, h] = r.as_slice() {
                    masks.push([x + dx + sx, y + dy + sy, *w, *h]);
                }
            }
        }
        let args = serde_json::json!({
            "hideCaret": options.hide_caret,
            "disableAnimations": options.disable_animations,
            "style": options.style,
            "masks": masks,
            "maskColor": options.mask_color.as_deref().unwrap_or("#FF00FF"),
        });
        self.evaluate_value(&format!("({PREPARE_JS})({args})"))
            .await?;
        Ok(())
    }

    /// Resolves after the page painted `count` animation frames (at once when it does not
    /// paint: a page in the background, a document still loading).
    pub async fn next_frames(&self, count: u32) -> Result<(), BrowserError> {
        self.ensure_open("waiting for a frame")?;
        let expr = format!(
            "new Promise((done) => {{ let n = {count}; const step = () => (--n <= 0 ? done(true) : requestAnimationFrame(step)); requestAnimationFrame(step); setTimeout(() => done(false), 1000); }})"
        );
        self.evaluate_value(&expr).await?;
        Ok(())
    }

    /// The main frame's scroll offset.
    pub(crate) async fn scroll_position(&self) -> Result<(f64, f64), BrowserError> {
        let scroll = self.evaluate_value("[scrollX, scrollY]").await?;
        Ok((
            scroll.get(0).and_then(Value::as_f64).unwrap_or(0.0),
            scroll.get(1).and_then(Value::as_f64).unwrap_or(0.0),
        ))
    }

    pub(crate) async fn capture(
        &self,
        options: &ScreenshotOptions,
    ) -> Result<Vec<u8>, BrowserError> {
        let cdp_page = self.cdp();
        // A page in the background may not paint: it comes to the front first.
        cdp_page
            .activate()
            .await
            .map_err(|e| cdp("Target.activateTarget", e))?;
        let mut params = cdp_page::CaptureScreenshotParams {
            format: Some(match options.format {
                ImageFormat::Png => cdp_page::CaptureScreenshotFormat::Png,
                ImageFormat::Jpeg => cdp_page::CaptureScreenshotFormat::Jpeg,
                ImageFormat::Webp => cdp_page::CaptureScreenshotFormat::Webp,
            }),
            ..Default::default()
        };
        if options.format != ImageFormat::Png {
            // A WebP without a quality is lossless (Chromium encodes quality 100 so).
            params.quality = match (options.quality, options.format) {
                (None, ImageFormat::Webp) => Some(100),
                (q, _) => q.map(|q| i64::from(q.min(100))),
            };
        }
        if let Some((_, _, width, height)) = options.clip {
            for (value, name) in [(width, "width"), (height, "height")] {
                if value.is_nan() || value <= 0.0 {
                    return Err(BrowserError::InvalidArgument(format!(
                        "Expected options.clip.{name} to be greater than 0"
                    )));
                }
            }
        }
        let metrics = cdp_page
            .execute(cdp_page::GetLayoutMetricsParams::default())
            .await
            .map_err(|e| cdp("Page.getLayoutMetrics", e))?
            .result;
        let viewport = (
            metrics.css_layout_viewport.client_width as f64,
            metrics.css_layout_viewport.client_height as f64,
        );
        let scroll = (
            metrics.css_visual_viewport.page_x,
            metrics.css_visual_viewport.page_y,
        );
        let clip = if options.full_page {
            // The page is at least the viewport (its content size is 0 while it navigates).
            let size = &metrics.css_content_size;
            let page = (
                0.0,
                0.0,
                size.width.max(viewport.0),
                size.height.max(viewport.1),
            );
            params.capture_beyond_viewport = Some(true);
            match options.clip {
                None => page,
                Some(c) => intersect(c, page)?,
            }
        } else {
            let visible = (0.0, 0.0, viewport.0, viewport.1);
            let (x, y, w, h) = match options.clip {
                None => visible,
                Some(c) => intersect(c, visible)?,
            };
            (x + scroll.0, y + scroll.1, w, h)
        };
        let mut scale = 1.0;
        if options.css_scale {
            let dpr = self
                .evaluate_value("devicePixelRatio")
                .await?
                .as_f64()
                .unwrap_or(1.0);
            if dpr > 0.0 {
                scale = 1.0 / dpr;
            }
        }
        let (x, y, width, height) = clip;
        if width <= 0.0 || height <= 0.0 {
            return Err(BrowserError::InvalidArgument(
                "Cannot take a screenshot of an empty page: its viewport has no size".into(),
            ));
        }
        params.clip = Some(cdp_page::Viewport {
            x,
            y,
            width,
            height,
            scale,
        });
        let transparent = options.omit_background && options.format != ImageFormat::Jpeg;
        if transparent {
            cdp_page
                .execute(emulation::SetDefaultBackgroundColorOverrideParams {
                    color: Some(dom::Rgba {
                        r: 0,
                        g: 0,
                        b: 0,
                        a: Some(0.0),
                    }),
                })
                .await
                .map_err(|e| cdp("Emulation.setDefaultBackgroundColorOverride", e))?;
        }
        let shot = cdp_page.execute(params).await;
        if transparent {
            let _ = cdp_page
                .execute(emulation::SetDefaultBackgroundColorOverrideParams { color: None })
                .await;
        }
        let shot = shot.map_err(|e| cdp("Page.captureScreenshot", e))?;
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(shot.result.data.as_ref() as &str)
            .map_err(|e| BrowserError::InvalidArgument(format!("screenshot data: {e}")))
    }
}

/// The part of `clip` inside `area`; an error when nothing is.
fn intersect(
    clip: (f64, f64, f64, f64),
    area: (f64, f64, f64, f64),
) -> Result<(f64, f64, f64, f64), BrowserError> {
    let x = clip.0.max(area.0);
    let y = clip.1.max(area.1);
    let right = (clip.0 + clip.2).min(area.0 + area.2);
    let bottom = (clip.1 + clip.3).min(area.1 + area.3);
    if right <= x || bottom <= y {
        return Err(BrowserError::InvalidArgument(
            "Clipped area is either empty or outside the resulting image".into(),
        ));
    }
    Ok((x, y, right - x, bottom - y))
}

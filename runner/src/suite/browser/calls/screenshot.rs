//! `page.screenshot` and `locator.screenshot`, and the options every screenshot shares (also
//! `toHaveScreenshot`'s, in `expect`).

use isolate_browser_browser::ImageFormat;
use isolate_browser_browser::Page;
use isolate_browser_browser::ScreenshotOptions;

use super::Cx;
use super::locator::build;
use super::locator::locator as locator_of;
use crate::suite::protocol::Base64;
use crate::suite::protocol::CallError;
use crate::suite::protocol::LocatorScreenshotArgs;
use crate::suite::protocol::Rect;
use crate::suite::protocol::ScreenshotArgs;
use crate::suite::protocol::ShotOptions;
use crate::suite::protocol::millis;

/// The image format a screenshot written to `path` takes, from the path's extension; Playwright's
/// error for a path whose type is not an image format a screenshot can have.
fn format_of_path(path: &str) -> Result<&'static str, CallError> {
    let ext = path
        .rsplit_once('.')
        .filter(|(_, ext)| !ext.contains('/'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let mime = match ext.as_str() {
        "png" => return Ok("png"),
        "jpg" | "jpeg" => return Ok("jpeg"),
        "webp" => return Ok("webp"),
        "txt" | "text" => "text/plain",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "svg" => "image/svg+xml",
        "avif" => "image/avif",
        "tif" | "tiff" => "image/tiff",
        _ => "null",
    };
    Err(CallError::new(format!(
        "path: unsupported mime type \"{mime}\""
    )))
}

/// The browser crate's options for `shot`, checked as Playwright checks them. `path` (when
/// given) decides the format if `type` does not.
pub(crate) fn options(
    cx: &Cx<'_>,
    page: &Page,
    shot: ShotOptions,
    path: Option<&str>,
    full_page: bool,
    clip: Option<Rect>,
) -> Result<ScreenshotOptions, CallError> {
    // Without a `type`, the path's extension says which image format, as its MIME type would.
    let by_path = match (&shot.kind, path) {
        (None, Some(p)) => Some(format_of_path(p)?),
        _ => None,
    };
    let format = match shot.kind.as_deref().or(by_path) {
        None | Some("png") => ImageFormat::Png,
        Some("jpeg") => ImageFormat::Jpeg,
        Some("webp") => ImageFormat::Webp,
        Some(other) => {
            return Err(CallError::new(format!(
                "options.type: expected one of (png|jpeg|webp), got \"{other}\""
            )));
        }
    };
    if shot.quality.is_some() && format == ImageFormat::Png {
        return Err(CallError::new(
            "options.quality is unsupported for the png screenshots",
        ));
    }
    if let Some(q) = shot.quality
        && !(0.0..=100.0).contains(&q)
    {
        return Err(CallError::new(format!(
            "Expected options.quality to be between 0 and 100, got {q}"
        )));
    }
    let choice = |value: Option<String>, key: &str, allowed: [&str; 2]| match value {
        None => Ok(None),
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v == allowed[1])),
        Some(v) => Err(CallError::new(format!(
            "options.{key}: expected one of ({}|{}), got \"{v}\"",
            allowed[0], allowed[1]
        ))),
    };
    let disable_animations = choice(shot.animations, "animations", ["allow", "disabled"])?;
    let hide_caret = choice(shot.caret, "caret", ["initial", "hide"])?;
    let css_scale = choice(shot.scale, "scale", ["device", "css"])?;
    let mut mask = Vec::new();
    for chain in shot.mask {
        mask.push(build(cx, page, chain)?);
    }
    Ok(ScreenshotOptions {
        full_page,
        clip: clip.map(|c| (c.x, c.y, c.width, c.height)),
        format,
        quality: shot.quality.map(|q| q.round() as u8),
        omit_background: shot.omit_background,
        disable_animations: disable_animations.unwrap_or(false),
        hide_caret: hide_caret.unwrap_or(true),
        mask,
        mask_color: shot.mask_color,
        style: shot.style,
        css_scale: css_scale.unwrap_or(false),
    })
}

pub(crate) async fn page(cx: &Cx<'_>, args: ScreenshotArgs) -> Result<Base64, CallError> {
    let page = cx.page(args.page)?;
    let path = args.path.as_deref();
    let opts = options(cx, &page, args.shot, path, args.full_page, args.clip)?;
    let shot = page.screenshot(opts);
    let bytes = match millis(args.timeout) {
        Some(t) => tokio::time::timeout(t, shot).await.map_err(|_| {
            CallError::new(format!(
                "page.screenshot: Timeout {}ms exceeded.",
                t.as_millis()
            ))
        })??,
        None => shot.await?,
    };
    if let Some(path) = path {
        cx.write_file(path, &bytes)?;
    }
    Ok(Base64(bytes))
}

pub(crate) async fn locator(cx: &Cx<'_>, a: LocatorScreenshotArgs) -> Result<Base64, CallError> {
    let target = locator_of(cx, a.page, a.chain)?;
    let opts = options(cx, target.page(), a.shot, a.path.as_deref(), false, None)?;
    let bytes = target.screenshot(millis(a.timeout), opts).await?;
    if let Some(path) = &a.path {
        cx.write_file(path, &bytes)?;
    }
    Ok(Base64(bytes))
}

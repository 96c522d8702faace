//! Snapshot comparators: images (PNG, JPEG, WebP) pixel by pixel with Playwright's options,
//! text as a unified diff, anything else byte for byte.
//!
//! The image comparison follows pixelmatch's model, which Playwright's `threshold` is defined
//! by: two pixels differ when their distance in YIQ colour space (each blended over white by
//! its alpha) passes `35215 × threshold²`; a differing pixel that looks like anti-aliasing (a
//! brightness step between two flat neighbourhoods, in both images) is not counted. The diff
//! image is the expected image faded to grey with counted pixels red and anti-aliased ones
//! yellow.

use image::ImageFormat;

/// The options of `toHaveScreenshot` / `toMatchSnapshot` that decide whether images match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageOptions {
    /// Per-pixel colour distance allowed, 0 (exact) to 1; 0.2 when unset.
    pub threshold: Option<f64>,
    /// Differing pixels allowed.
    pub max_diff_pixels: Option<u64>,
    /// Differing pixels allowed, as a share of the expected image's pixels (0 to 1).
    pub max_diff_pixel_ratio: Option<f64>,
}

impl ImageOptions {
    /// The options Playwright refuses before comparing, with its messages.
    pub fn validate(&self) -> Result<(), String> {
        if self
            .max_diff_pixel_ratio
            .is_some_and(|r| !(0.0..=1.0).contains(&r))
        {
            return Err("`maxDiffPixelRatio` option value must be between 0 and 1".into());
        }
        Ok(())
    }
}

/// Why two snapshots do not match: the message, and a diff image for images.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub message: String,
    /// A PNG marking the differing pixels.
    pub diff: Option<Vec<u8>>,
}

/// An image format a snapshot can be compared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    Webp,
}

impl Format {
    /// The format a snapshot file's content type names.
    pub fn of_content_type(content_type: &str) -> Option<Self> {
        match content_type {
            "image/png" => Some(Self::Png),
            "image/jpeg" => Some(Self::Jpeg),
            "image/webp" => Some(Self::Webp),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
            Self::Webp => "WEBP",
        }
    }

    fn looks_like(self, bytes: &[u8]) -> bool {
        match self {
            Self::Png => bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]),
            Self::Jpeg => bytes.starts_with(&[0xff, 0xd8]),
            Self::Webp => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Self::Png => ImageFormat::Png,
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Webp => ImageFormat::WebP,
        }
    }
}

/// The extension Playwright gives an anonymous snapshot of these bytes.
pub fn extension_of(bytes: &[u8]) -> &'static str {
    if Format::Png.looks_like(bytes) {
        "png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "jpg"
    } else if Format::Webp.looks_like(bytes) {
        "webp"
    } else {
        "dat"
    }
}

/// Decoded RGBA pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    /// `width × height × 4` bytes, row by row.
    pub data: Vec<u8>,
}

impl Rgba {
    /// Decodes an image of `format`.
    pub fn decode(format: Format, bytes: &[u8]) -> Result<Self, String> {
        let image = image::load_from_memory_with_format(bytes, format.image_format())
            .map_err(|e| format!("Could not decode image as {}: {e}", format.name()))?
            .into_rgba8();
        Ok(Self {
            width: image.width(),
            height: image.height(),
            data: image.into_raw(),
        })
    }

    /// This image on a transparent canvas of `width × height` (top left).
    fn padded(&self, width: u32, height: u32) -> Self {
        if (self.width, self.height) == (width, height) {
            return self.clone();
        }
        let mut data = vec![0; width as usize * height as usize * 4];
        let row = self.width as usize * 4;
        for y in 0..self.height as usize {
            let to = y * width as usize * 4;
            data[to..to + row].copy_from_slice(&self.data[y * row..(y + 1) * row]);
        }
        Self {
            width,
            height,
            data,
        }
    }

    /// Encodes as PNG.
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        );
        // Encoding RGBA8 of the size it says into memory cannot fail.
        let _ = image::ImageEncoder::write_image(
            encoder,
            &self.data,
            self.width,
            self.height,
            image::ExtendedColorType::Rgba8,
        );
        out
    }
}

/// Compares a snapshot of content type `mime` with the expected one, with the comparator
/// Playwright picks for it: images pixel by pixel, `text/*` as text, anything else byte for
/// byte. `Ok(None)` when they match.
pub fn compare_snapshot(
    mime: &str,
    actual: &[u8],
    expected: &[u8],
    options: &ImageOptions,
) -> Result<Option<Mismatch>, String> {
    if let Some(format) = Format::of_content_type(mime) {
        return compare_images(format, actual, expected, options);
    }
    if mime.starts_with("text/") {
        return Ok(compare_text(&String::from_utf8_lossy(actual), expected));
    }
    Ok(compare_bytes(actual, expected))
}

/// Compares an image with the expected one; `Ok(None)` when they match under `options`.
/// Fails when the expected bytes are not an image of `format` (Playwright's messages).
pub fn compare_images(
    format: Format,
    actual: &[u8],
    expected: &[u8],
    options: &ImageOptions,
) -> Result<Option<Mismatch>, String> {
    if !format.looks_like(expected) {
        return Err(format!(
            "Could not decode expected image as {}.",
            format.name()
        ));
    }
    options.validate()?;
    if actual == expected {
        return Ok(None);
    }
    let actual = Rgba::decode(format, actual)?;
    let expected = Rgba::decode(format, expected)?;
    Ok(compare_pixels(&actual, &expected, options))
}

/// Compares decoded images; `None` when they match under `options`.
pub fn compare_pixels(actual: &Rgba, expected: &Rgba, options: &ImageOptions) -> Option<Mismatch> {
    let (width, height) = (
        actual.width.max(expected.width),
        actual.height.max(expected.height),
    );
    let mut size_error = String::new();
    let (a, e);
    let (actual, expected) = if (actual.width, actual.height) != (expected.width, expected.height) {
        size_error = format!(
            "Expected an image {}px by {}px, received {}px by {}px. ",
            expected.width, expected.height, actual.width, actual.height
        );
        a = actual.padded(width, height);
        e = expected.padded(width, height);
        (&a, &e)
    } else {
        (actual, expected)
    };
    let threshold = options.threshold.unwrap_or(0.2);
    let count = if actual.data == expected.data {
        0
    } else {
        Pixels::new(expected, actual, threshold).count()
    };
    let pixels = u64::from(expected.width) * u64::from(expected.height);
    let by_ratio = options
        .max_diff_pixel_ratio
        .map(|r| (pixels as f64 * r) as u64);
    let allowed = match (options.max_diff_pixels, by_ratio) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(0),
    };
    let count_error = if count as u64 > allowed {
        let ratio = (count as f64 / pixels.max(1) as f64 * 100.0).ceil() / 100.0;
        format!("{count} pixels (ratio {ratio:.2} of all image pixels) are different.")
    } else {
        String::new()
    };
    if size_error.is_empty() && count_error.is_empty() {
        return None;
    }
    Some(Mismatch {
        message: size_error + &count_error,
        diff: Some(
            Pixels::new(expected, actual, threshold)
                .diff_image()
                .to_png(),
        ),
    })
}

/// Compares text with the expected file's text; the mismatch is a unified diff of the lines
/// (five of context, `-` expected, `+` actual).
pub fn compare_text(actual: &str, expected: &[u8]) -> Option<Mismatch> {
    let expected = String::from_utf8_lossy(expected);
    if expected == actual {
        return None;
    }
    let with_newline = |s: &str| {
        if s.ends_with('\n') {
            s.to_string()
        } else {
            format!("{s}\n")
        }
    };
    let (expected, actual) = (with_newline(&expected), with_newline(actual));
    let diff = similar::TextDiff::from_lines(&expected, &actual);
    let message = diff.unified_diff().context_radius(5).to_string();
    Some(Mismatch {
        message: message.trim_end_matches('\n').to_string(),
        diff: None,
    })
}

/// Compares bytes exactly.
pub fn compare_bytes(actual: &[u8], expected: &[u8]) -> Option<Mismatch> {
    (actual != expected).then(|| Mismatch {
        message: "Buffers differ".into(),
        diff: None,
    })
}

/// Two same-sized images and the colour distance beyond which their pixels differ.
struct Pixels<'a> {
    expected: &'a Rgba,
    actual: &'a Rgba,
    max_delta: f64,
}

/// What one pixel of the comparison is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Same,
    AntiAliased,
    Different,
}

impl<'a> Pixels<'a> {
    fn new(expected: &'a Rgba, actual: &'a Rgba, threshold: f64) -> Self {
        Self {
            expected,
            actual,
            max_delta: 35215.0 * threshold * threshold,
        }
    }

    fn width(&self) -> usize {
        self.expected.width as usize
    }

    fn verdict(&self, x: usize, y: usize) -> Verdict {
        let at = (y * self.width() + x) * 4;
        let (e, a) = (
            &self.expected.data[at..at + 4],
            &self.actual.data[at..at + 4],
        );
        if e == a {
            return Verdict::Same;
        }
        let delta = color_delta(e, a, false);
        if delta.abs() <= self.max_delta {
            return Verdict::Same;
        }
        if self.anti_aliased(self.expected, self.actual, x, y)
            || self.anti_aliased(self.actual, self.expected, x, y)
        {
            Verdict::AntiAliased
        } else {
            Verdict::Different
        }
    }

    fn count(&self) -> usize {
        let (w, h) = (self.width(), self.expected.height as usize);
        let mut count = 0;
        for y in 0..h {
            let row = y * w * 4..(y + 1) * w * 4;
            // Whole equal rows are the common case of a screenshot comparison.
            if self.expected.data[row.clone()] == self.actual.data[row] {
                continue;
            }
            for x in 0..w {
                if self.verdict(x, y) == Verdict::Different {
                    count += 1;
                }
            }
        }
        count
    }

    fn diff_image(&self) -> Rgba {
        let (w, h) = (self.width(), self.expected.height as usize);
        let mut data = vec![0u8; w * h * 4];
        for y in 0..h {
            for x in 0..w {
                let at = (y * w + x) * 4;
                let px: [u8; 4] = match self.verdict(x, y) {
                    Verdict::Different => [255, 0, 0, 255],
                    Verdict::AntiAliased => [255, 255, 0, 255],
                    Verdict::Same => {
                        let p = &self.expected.data[at..at + 4];
                        let luma = brightness(blend(p));
                        let grey = (255.0 + (luma - 255.0) * 0.1 * f64::from(p[3]) / 255.0) as u8;
                        [grey, grey, grey, 255]
                    }
                };
                data[at..at + 4].copy_from_slice(&px);
            }
        }
        Rgba {
            width: self.expected.width,
            height: self.expected.height,
            data,
        }
    }

    /// Whether the pixel at (x, y) of `image` sits on an anti-aliased edge: among its eight
    /// neighbours at most two share its colour, and its darkest and brightest neighbours each
    /// lie in a flat area (three or more equal neighbours of their own) in both images.
    fn anti_aliased(&self, image: &Rgba, other: &Rgba, x: usize, y: usize) -> bool {
        let (w, h) = (self.width(), image.height as usize);
        let (x0, y0) = (x.saturating_sub(1), y.saturating_sub(1));
        let (x2, y2) = ((x + 1).min(w - 1), (y + 1).min(h - 1));
        let centre = pixel(image, w, x, y);
        let mut zeroes = usize::from(x == x0 || x == x2 || y == y0 || y == y2);
        let (mut min, mut max) = (0.0f64, 0.0f64);
        let (mut darkest, mut brightest) = ((0, 0), (0, 0));
        for ny in y0..=y2 {
            for nx in x0..=x2 {
                if (nx, ny) == (x, y) {
                    continue;
                }
                let delta = color_delta(centre, pixel(image, w, nx, ny), true);
                if delta == 0.0 {
                    zeroes += 1;
                    if zeroes > 2 {
                        return false;
                    }
                } else if delta < min {
                    min = delta;
                    darkest = (nx, ny);
                } else if delta > max {
                    max = delta;
                    brightest = (nx, ny);
                }
            }
        }
        if min == 0.0 || max == 0.0 {
            return false;
        }
        let flat = |(px, py): (usize, usize)| {
            has_many_siblings(image, w, px, py) && has_many_siblings(other, w, px, py)
        };
        flat(darkest) || flat(brightest)
    }
}

fn pixel(image: &Rgba, width: usize, x: usize, y: usize) -> &[u8] {
    let at = (y * width + x) * 4;
    &image.data[at..at + 4]
}

/// Whether more than two of the pixel's neighbours (the image's edge counting as one) have
/// exactly its colour.
fn has_many_siblings(image: &Rgba, w: usize, x: usize, y: usize) -> bool {
    let h = image.height as usize;
    let (x0, y0) = (x.saturating_sub(1), y.saturating_sub(1));
    let (x2, y2) = ((x + 1).min(w - 1), (y + 1).min(h - 1));
    let centre = pixel(image, w, x, y);
    let mut zeroes = usize::from(x == x0 || x == x2 || y == y0 || y == y2);
    for ny in y0..=y2 {
        for nx in x0..=x2 {
            if (nx, ny) == (x, y) {
                continue;
            }
            if pixel(image, w, nx, ny) == centre {
                zeroes += 1;
                if zeroes > 2 {
                    return true;
                }
            }
        }
    }
    false
}

/// A pixel blended over white by its alpha, as RGB.
fn blend(p: &[u8]) -> [f64; 3] {
    let a = f64::from(p[3]) / 255.0;
    let over_white = |c: u8| 255.0 + (f64::from(c) - 255.0) * a;
    [over_white(p[0]), over_white(p[1]), over_white(p[2])]
}

fn brightness([r, g, b]: [f64; 3]) -> f64 {
    r * 0.298_895_31 + g * 0.586_622_47 + b * 0.114_482_23
}

/// The YIQ distance of two pixels, negative when the first is brighter; with `brightness_only`
/// just the difference of their brightness.
fn color_delta(p: &[u8], q: &[u8], brightness_only: bool) -> f64 {
    if p == q {
        return 0.0;
    }
    let (p, q) = (blend(p), blend(q));
    let (y1, y2) = (brightness(p), brightness(q));
    let y = y1 - y2;
    if brightness_only {
        return y;
    }
    let in_phase = |[r, g, b]: [f64; 3]| r * 0.595_977_99 - g * 0.274_176_10 - b * 0.321_801_89;
    let quadrature = |[r, g, b]: [f64; 3]| r * 0.211_470_17 - g * 0.522_617_11 + b * 0.311_146_94;
    let i = in_phase(p) - in_phase(q);
    let qd = quadrature(p) - quadrature(q);
    let delta = 0.5053 * y * y + 0.299 * i * i + 0.1957 * qd * qd;
    if y1 > y2 { -delta } else { delta }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(width: u32, height: u32, rgba: [u8; 4]) -> Rgba {
        Rgba {
            width,
            height,
            data: rgba.repeat((width * height) as usize),
        }
    }

    fn set(image: &mut Rgba, x: u32, y: u32, rgba: [u8; 4]) {
        let at = ((y * image.width + x) * 4) as usize;
        image.data[at..at + 4].copy_from_slice(&rgba);
    }

    #[test]
    fn one_changed_pixel_is_counted_and_marked_red() {
        let expected = solid(20, 10, [255, 255, 255, 255]);
        let mut actual = expected.clone();
        set(&mut actual, 5, 5, [0, 0, 0, 255]);
        let mismatch = compare_pixels(&actual, &expected, &ImageOptions::default()).unwrap();
        assert_eq!(
            mismatch.message,
            "1 pixels (ratio 0.01 of all image pixels) are different."
        );
        let diff = Rgba::decode(Format::Png, &mismatch.diff.unwrap()).unwrap();
        assert_eq!(pixel(&diff, 20, 5, 5), [255, 0, 0, 255]);
        assert_eq!(pixel(&diff, 20, 0, 0), [255, 255, 255, 255]);
        let allowed = ImageOptions {
            max_diff_pixels: Some(1),
            ..Default::default()
        };
        assert_eq!(compare_pixels(&actual, &expected, &allowed), None);
    }

    #[test]
    fn small_colour_changes_pass_the_threshold() {
        let expected = solid(4, 4, [100, 100, 100, 255]);
        let actual = solid(4, 4, [104, 100, 100, 255]);
        assert_eq!(
            compare_pixels(&actual, &expected, &ImageOptions::default()),
            None
        );
        let exact = ImageOptions {
            threshold: Some(0.0),
            ..Default::default()
        };
        assert!(compare_pixels(&actual, &expected, &exact).is_some());
    }

    #[test]
    fn an_edge_shifted_by_anti_aliasing_is_not_a_difference() {
        // A black square on white whose edge column is grey in one image: the grey pixels sit
        // between flat black and flat white areas, as anti-aliasing does.
        let mut expected = solid(12, 12, [255, 255, 255, 255]);
        for y in 2..10 {
            for x in 2..6 {
                set(&mut expected, x, y, [0, 0, 0, 255]);
            }
        }
        let mut actual = expected.clone();
        for y in 2..10 {
            set(&mut actual, 6, y, [128, 128, 128, 255]);
        }
        assert_eq!(
            compare_pixels(&actual, &expected, &ImageOptions::default()),
            None
        );
        let diff = Pixels::new(&expected, &actual, 0.2).diff_image();
        assert_eq!(pixel(&diff, 12, 6, 5), [255, 255, 0, 255]);
    }

    #[test]
    fn sizes_that_differ_fail_with_both_sizes() {
        let expected = solid(4, 4, [0, 0, 0, 255]);
        let actual = solid(4, 5, [0, 0, 0, 255]);
        let mismatch = compare_pixels(&actual, &expected, &ImageOptions::default()).unwrap();
        assert!(
            mismatch
                .message
                .starts_with("Expected an image 4px by 4px, received 4px by 5px. 4 pixels"),
            "{}",
            mismatch.message
        );
    }

    #[test]
    fn text_differences_are_a_unified_diff() {
        let mismatch = compare_text("a\nb\nc\n", b"a\nx\nc").unwrap();
        assert_eq!(mismatch.message, "@@ -1,3 +1,3 @@\n a\n-x\n+b\n c");
        assert_eq!(compare_text("same", b"same"), None);
        assert_eq!(
            compare_bytes(b"1", b"2").map(|m| m.message),
            Some("Buffers differ".into())
        );
    }

    #[test]
    fn the_expected_file_must_be_of_its_format() {
        let err = compare_images(Format::Png, b"x", b"not a png", &ImageOptions::default());
        assert_eq!(err, Err("Could not decode expected image as PNG.".into()));
        assert_eq!(extension_of(&solid(1, 1, [0; 4]).to_png()), "png");
        assert_eq!(extension_of(b"plain"), "dat");
    }
}

//! The screenshot comparator (issue 16: "comparing two 1280×720 screenshots takes a few
//! milliseconds") against Playwright's own comparator (pixelmatch in Node, from the pinned
//! `bench/playwright` install) on the same PNG files, measured in the same run.
//!
//! Two pairs, both 1280×720:
//! - `page`: Chromium screenshots of a text-heavy page and of the same page with one pixel
//!   changed, the case a failing visual test hits;
//! - `noise`: a synthetic image and a copy with every pixel shifted slightly (under the
//!   threshold) plus a changed block, the worst case for the per-pixel loop.
//!
//! For each: the comparison of decoded pixels, decode + compare as `toHaveScreenshot` does it,
//! PNG decoding alone (what every comparator pays first), and Playwright's comparator.
//!
//! Run with `scripts/bench` (release build).

use std::path::Path;
use std::process::Command;
use std::time::Duration;
use std::time::Instant;

use isolate_browser_browser::Browser;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::LaunchOptions;
use isolate_browser_browser::ScreenshotOptions;
use isolate_browser_matchers::compare::Format;
use isolate_browser_matchers::compare::ImageOptions;
use isolate_browser_matchers::compare::Rgba;
use isolate_browser_matchers::compare::compare_images;
use isolate_browser_matchers::compare::compare_pixels;

const RUNS: usize = 30;
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn time(mut f: impl FnMut()) -> f64 {
    f();
    median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn page_html(changed: bool) -> String {
    let mut html = String::from(
        "<!doctype html><style>body{margin:0;font:15px/1.4 sans-serif}\
         h2{margin:8px 16px}p{margin:4px 16px}#dot{position:absolute;left:640px;top:360px;\
         width:1px;height:1px;background:#fff}</style>",
    );
    for i in 0..40 {
        html.push_str(&format!(
            "<h2>Section {i}</h2><p>The quick brown fox jumps over the lazy dog; \
             anti-aliased glyphs, <b>bold</b>, <i>italic</i> and <a href='#'>links</a>.</p>"
        ));
    }
    if changed {
        html.push_str("<div id='dot' style='background:#f00'></div>");
    } else {
        html.push_str("<div id='dot'></div>");
    }
    html
}

async fn page_pair() -> (Vec<u8>, Vec<u8>) {
    let browser = Browser::launch(LaunchOptions {
        prewarm: 0,
        ..LaunchOptions::default()
    })
    .await
    .expect("launch Chromium");
    let context = browser
        .new_context(ContextOptions::default())
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");
    let mut shots = Vec::new();
    for changed in [false, true] {
        page.set_content(&page_html(changed))
            .await
            .expect("set content");
        shots.push(
            page.screenshot(ScreenshotOptions::default())
                .await
                .expect("screenshot"),
        );
    }
    let _ = browser.close().await;
    let changed = shots.pop().expect("two shots");
    (shots.pop().expect("two shots"), changed)
}

fn noise_pair() -> (Vec<u8>, Vec<u8>) {
    let mut a = Vec::with_capacity((WIDTH * HEIGHT * 4) as usize);
    let mut b = Vec::with_capacity(a.capacity());
    let mut seed = 0x2545_f491_u32;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let base = [(x % 256) as u8, (y % 256) as u8, ((x ^ y) % 256) as u8];
            let jitter = (seed % 3) as u8;
            let block = (600..620).contains(&x) && (300..320).contains(&y);
            for (c, v) in base.iter().enumerate() {
                a.push(*v);
                b.push(if block && c == 0 {
                    v.wrapping_add(128)
                } else {
                    v.saturating_add(jitter)
                });
            }
            a.push(255);
            b.push(255);
        }
    }
    let png = |data| {
        Rgba {
            width: WIDTH,
            height: HEIGHT,
            data,
        }
        .to_png()
    };
    (png(a), png(b))
}

/// Playwright's comparator on the pair's files: milliseconds per comparison (median), or why
/// there is none.
fn playwright(dir: &Path, expected: &Path, actual: &Path) -> Result<f64, String> {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("playwright/node_modules/playwright-core/lib/coreBundle.js");
    if !core.exists() {
        return Err("bench/playwright is not installed (npm ci)".into());
    }
    let script = dir.join("compare.js");
    std::fs::write(
        &script,
        format!(
            "const {{ utils }} = require({core:?});\n\
             const fs = require('fs');\n\
             const compare = utils.getComparator('image/png');\n\
             const a = fs.readFileSync({actual:?}), e = fs.readFileSync({expected:?});\n\
             compare(a, e, {{}});\n\
             const times = [];\n\
             for (let i = 0; i < {RUNS}; i++) {{\n\
               const t = process.hrtime.bigint();\n\
               const r = compare(a, e, {{}});\n\
               times.push(Number(process.hrtime.bigint() - t) / 1e6);\n\
               if (!r) throw new Error('Playwright found no difference');\n\
             }}\n\
             times.sort((x, y) => x - y);\n\
             console.log(times[times.length >> 1]);\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let out = Command::new("node")
        .arg(&script)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("node printed no number: {e}"))
}

fn measure(name: &str, expected: &[u8], actual: &[u8]) {
    let options = ImageOptions::default();
    let decoded_a = Rgba::decode(Format::Png, actual).expect("decode");
    let decoded_e = Rgba::decode(Format::Png, expected).expect("decode");
    assert_eq!((decoded_a.width, decoded_a.height), (WIDTH, HEIGHT));
    let mismatch = compare_pixels(&decoded_a, &decoded_e, &options).expect("a difference");
    let pixels = time(|| {
        assert!(compare_pixels(&decoded_a, &decoded_e, &options).is_some());
    });
    let full = time(|| {
        assert!(
            compare_images(Format::Png, actual, expected, &options)
                .expect("compare")
                .is_some()
        );
    });
    let decode = time(|| {
        Rgba::decode(Format::Png, actual).expect("decode");
        Rgba::decode(Format::Png, expected).expect("decode");
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let (e, a) = (
        dir.path().join("expected.png"),
        dir.path().join("actual.png"),
    );
    std::fs::write(&e, expected).expect("write");
    std::fs::write(&a, actual).expect("write");
    let baseline = playwright(dir.path(), &e, &a);
    println!(
        "{name} pair ({}; PNGs {} + {} KiB):",
        mismatch.message,
        expected.len() / 1024,
        actual.len() / 1024
    );
    println!("  compare decoded pixels      {pixels:8.2} ms");
    println!("  decode both + compare       {full:8.2} ms");
    println!("  decode both PNGs (baseline) {decode:8.2} ms");
    match baseline {
        Ok(ms) => println!(
            "  Playwright's comparator     {ms:8.2} ms  (ours {:.2}x faster end to end)",
            ms / full
        ),
        Err(why) => println!("  Playwright's comparator: not measured ({why})"),
    }
}

#[tokio::main]
async fn main() {
    let (expected, actual) = page_pair().await;
    measure("page", &expected, &actual);
    let (expected, actual) = noise_pair();
    measure("noise", &expected, &actual);
}

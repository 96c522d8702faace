//! Visual comparisons through `isolate-browser test`: `toHaveScreenshot` and `toMatchSnapshot`
//! writing missing snapshots (and failing, as Playwright does), passing on the next run, a
//! one-pixel change failing with a diff image that marks it, anti-aliased edges, a blinking
//! caret and an endless animation not failing, `-u` rewriting, `--update-snapshots=none`, and
//! the expected/actual/diff attachments in the report.

use std::path::Path;

use serde_json::Value;

use crate::test_runner::project;
use crate::test_runner::run_test;

const CONFIG: &str = r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["json"]], "workers": 1, "timeout": 20000, "use": { "viewport": { "width": 120, "height": 80 } } }"#;

/// A canvas drawn pixel by pixel: a black square; `?dot` adds one black pixel at (5, 5),
/// `?aa` gives the square's right edge a grey column, as anti-aliasing would.
const CANVAS: &str = r#"<!doctype html><html><body style="margin:0;background:#fff">
<canvas id="c" width="40" height="40" style="display:block"></canvas>
<input id="field" style="position:absolute;left:50px;top:5px;width:60px" value="x" />
<div id="spin" style="position:absolute;left:60px;top:40px;width:20px;height:20px;background:#08f;animation:spin 0.3s linear infinite"></div>
<style>@keyframes spin { from { transform: rotate(0deg) } to { transform: rotate(360deg) } }</style>
<script>
const q = location.search;
const ctx = document.getElementById('c').getContext('2d');
const img = ctx.createImageData(40, 40);
for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) {
  let v = 255;
  if (x >= 10 && x < 30 && y >= 10 && y < 30) v = 0;
  if (q.includes('aa') && x === 30 && y >= 10 && y < 30) v = 128;
  if (q.includes('dot') && x === 5 && y === 5) v = 0;
  const i = (y * 40 + x) * 4;
  img.data[i] = img.data[i + 1] = img.data[i + 2] = v;
  img.data[i + 3] = 255;
}
ctx.putImageData(img, 0, 0);
</script></body></html>"#;

fn spec(variant: &str) -> String {
    format!(
        r#"import {{ test, expect }} from '@playwright/test';
test('page', async ({{ page }}) => {{
  await page.goto('/canvas.html{variant}');
  await page.locator('#field').focus();
  await expect(page).toHaveScreenshot('page.png');
}});
test('canvas', async ({{ page }}) => {{
  await page.goto('/canvas.html{variant}');
  await expect(page.locator('#c')).toHaveScreenshot();
}});
test('text', async () => {{
  expect('hello\nworld\n').toMatchSnapshot('greeting.txt');
}});
"#
    )
}

fn write(dir: &Path, path: &str, text: &str) {
    std::fs::write(dir.join(path), text).expect("write");
}

/// The report's attachments of a test, by name.
fn attachments(report: &Value, title: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for suite in report["suites"].as_array().into_iter().flatten() {
        for spec in suite["specs"].as_array().into_iter().flatten() {
            if spec["title"] != title {
                continue;
            }
            for test in spec["tests"].as_array().into_iter().flatten() {
                let last = test["results"].as_array().and_then(|r| r.last());
                for a in last
                    .and_then(|r| r["attachments"].as_array())
                    .into_iter()
                    .flatten()
                {
                    out.push((
                        a["name"].as_str().unwrap_or_default().to_string(),
                        a["path"].as_str().unwrap_or_default().to_string(),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn snapshots_are_written_then_compared_with_a_diff_that_marks_the_change() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("site/canvas.html", CANVAS),
        ("tests/shots.spec.ts", &spec("")),
    ]);
    let snapshots = dir.path().join("tests/shots.spec.ts-snapshots");

    // First run: nothing to compare with; every snapshot is written and its test fails.
    let first = run_test(dir.path(), &[]);
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    for (title, file) in [
        ("page", "page-linux.png"),
        ("canvas", "canvas-1-linux.png"),
        ("text", "greeting-linux.txt"),
    ] {
        let errors = first.errors.get(title).cloned().unwrap_or_default();
        assert!(
            errors.iter().any(|e| e.contains(&format!(
                "A snapshot doesn't exist at tests/shots.spec.ts-snapshots/{file}, writing actual."
            ))),
            "{title}: {errors:?}"
        );
        assert!(snapshots.join(file).is_file(), "{file} written");
    }
    let text = std::fs::read_to_string(snapshots.join("greeting-linux.txt")).expect("text");
    assert_eq!(text, "hello\nworld\n");
    let shot = image::open(snapshots.join("page-linux.png")).expect("png");
    assert_eq!((shot.width(), shot.height()), (120, 80));

    // Second run: the same page (a caret that blinks, an endless animation) matches.
    let second = run_test(dir.path(), &[]);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);

    // Anti-aliasing-like edge pixels are not differences.
    write(dir.path(), "tests/shots.spec.ts", &spec("?aa"));
    let aa = run_test(dir.path(), &["-g", "canvas"]);
    assert_eq!(aa.code, 0, "{}{}", aa.stdout, aa.stderr);

    // One changed pixel fails, and the diff image marks it in red.
    write(dir.path(), "tests/shots.spec.ts", &spec("?dot"));
    write(
        dir.path(),
        "tests/text.spec.ts",
        "import { test, expect } from '@playwright/test';\ntest('changed text', async () => {\n  expect('hello\\nthere\\n').toMatchSnapshot('greeting.txt');\n});\n",
    );
    let text_snapshots = dir.path().join("tests/text.spec.ts-snapshots");
    std::fs::create_dir_all(&text_snapshots).expect("mkdir");
    std::fs::copy(
        snapshots.join("greeting-linux.txt"),
        text_snapshots.join("greeting-linux.txt"),
    )
    .expect("copy");
    let third = run_test(dir.path(), &[]);
    assert_eq!(third.code, 1, "{}{}", third.stdout, third.stderr);
    let errors = third.errors.get("canvas").cloned().unwrap_or_default();
    let message = errors.join("\n");
    assert!(
        message.contains("expect(locator).toHaveScreenshot(expected) failed"),
        "{message}"
    );
    assert!(message.contains("Locator: locator('#c')"), "{message}");
    assert!(
        message.contains("1 pixels (ratio 0.01 of all image pixels) are different."),
        "{message}"
    );
    assert!(message.contains("Call log:"), "{message}");
    let names: Vec<String> = attachments(&third.report, "canvas")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for name in [
        "canvas-1-expected.png",
        "canvas-1-actual.png",
        "canvas-1-diff.png",
    ] {
        assert!(names.contains(&name.to_string()), "{names:?}");
    }
    let (_, diff_path) = attachments(&third.report, "canvas")
        .into_iter()
        .find(|(n, _)| n == "canvas-1-diff.png")
        .expect("diff attachment");
    let diff = image::open(&diff_path).expect("diff png").to_rgba8();
    assert_eq!(
        diff.get_pixel(5, 5).0,
        [255, 0, 0, 255],
        "the changed pixel is red"
    );
    assert_ne!(
        diff.get_pixel(20, 20).0[..3],
        [255, 0, 0],
        "the square is not"
    );
    assert_ne!(
        diff.get_pixel(1, 1).0[..3],
        [255, 0, 0],
        "the background is not"
    );
    // The page's screenshot changed by the same pixel.
    let page_errors = third
        .errors
        .get("page")
        .cloned()
        .unwrap_or_default()
        .join("\n");
    assert!(page_errors.contains("Snapshot: page.png"), "{page_errors}");
    // Text snapshots fail with a line diff.
    let text_errors = third
        .errors
        .get("changed text")
        .cloned()
        .unwrap_or_default()
        .join("\n");
    assert!(
        text_errors.contains("expect(string).toMatchSnapshot(expected) failed"),
        "{text_errors} {:?}",
        third.errors
    );
    assert!(
        text_errors.contains("-world") && text_errors.contains("+there"),
        "{text_errors}"
    );

    // `-u` rewrites what changed, and the next run passes without it.
    let update = run_test(dir.path(), &["-u"]);
    assert_eq!(update.code, 0, "{}{}", update.stdout, update.stderr);
    let said = |title: &str| {
        update
            .stdout_of
            .get(title)
            .cloned()
            .unwrap_or_default()
            .join("\n")
    };
    assert!(
        said("canvas").contains("canvas-1-linux.png is re-generated, writing actual."),
        "{:?}",
        update.stdout_of
    );
    assert!(
        said("changed text").contains("greeting-linux.txt does not match, writing actual."),
        "{:?}",
        update.stdout_of
    );
    let again = run_test(dir.path(), &[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    let text = std::fs::read_to_string(
        dir.path()
            .join("tests/text.spec.ts-snapshots/greeting-linux.txt"),
    )
    .expect("text");
    assert_eq!(text, "hello\nthere\n");

    // With updates off, a new snapshot is not written and its test fails.
    write(
        dir.path(),
        "tests/new.spec.ts",
        "import { test, expect } from '@playwright/test';\ntest('new one', async ({ page }) => {\n  await page.goto('/canvas.html');\n  await expect(page).toHaveScreenshot('fresh.png');\n});\n",
    );
    let none = run_test(dir.path(), &["--update-snapshots=none", "new.spec"]);
    assert_eq!(none.code, 1, "{}{}", none.stdout, none.stderr);
    let e = none
        .errors
        .get("new one")
        .cloned()
        .unwrap_or_default()
        .join("\n");
    assert!(
        e.contains("A snapshot doesn't exist at tests/new.spec.ts-snapshots/fresh-linux.png."),
        "{e}"
    );
    assert!(
        !dir.path()
            .join("tests/new.spec.ts-snapshots/fresh-linux.png")
            .exists()
    );
}

#[test]
fn snapshot_names_and_options_are_checked_and_paths_stay_in_the_project() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["json"]], "workers": 1, "snapshotPathTemplate": "{testDir}/__screenshots__/{testFilePath}/{arg}{ext}", "expect": { "toHaveScreenshot": { "maxDiffPixels": 5 } } }"#,
        ),
        ("site/canvas.html", CANVAS),
        (
            "tests/names.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test('names', async ({ page }, testInfo) => {
  await page.goto('/canvas.html');
  expect(testInfo.snapshotPath('a.png')).toBe('/tests/__screenshots__/names.spec.ts/a.png');
  await expect(expect(page).toHaveScreenshot('shot.jpg')).rejects.toThrow(`Screenshot name "shot.jpg" must have a '.png' or '.webp' extension`);
  expect(() => expect('x').toMatchSnapshot('x.txt', { maxDiffPixels: -1 })).toThrow('`maxDiffPixels` option value must be non-negative integer');
  expect(() => expect('x').toMatchSnapshot(['..', 'escape.txt'])).toThrow(/not allowed/);
  await expect(page.locator('#c')).toHaveScreenshot(['nested', 'square.png'], { mask: [page.locator('#c')], maskColor: '#00FF00' });
});
"#,
        ),
    ]);
    let first = run_test(dir.path(), &[]);
    let errors = first
        .errors
        .get("names")
        .cloned()
        .unwrap_or_default()
        .join("\n");
    assert!(
        errors.contains("A snapshot doesn't exist at tests/__screenshots__/names.spec.ts/nested/square.png, writing actual."),
        "{errors}{}",
        first.stderr
    );
    // The mask covered the whole element in its colour.
    let masked = image::open(
        dir.path()
            .join("tests/__screenshots__/names.spec.ts/nested/square.png"),
    )
    .expect("png")
    .to_rgba8();
    assert_eq!(masked.get_pixel(20, 20).0, [0, 255, 0, 255]);
    assert_eq!(masked.get_pixel(2, 2).0, [0, 255, 0, 255]);
    // Written under the template's own directory, which the config opened for snapshots.
    let second = run_test(dir.path(), &[]);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
}

//! What a test leaves behind for CI through `isolate-browser test`: videos of its pages
//! (`use.video`, `recordVideo`, `page.video()`), as WebM files ffprobe reads, of the right
//! size, showing what the page showed, kept or dropped as the mode says.

use std::path::Path;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::test_runner::project;
use crate::test_runner::run_test;

/// A page that is red, then turns green after 400 ms.
const PAGE: &str = r#"<!doctype html><html><body style="margin:0;background:#f00">
<script>setTimeout(() => { document.body.style.background = '#0f0'; }, 400);</script>
</body></html>"#;

const SPEC: &str = r#"import { test, expect } from '@playwright/test';
test('turns green', async ({ page }) => {
  await page.goto('/page.html');
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(0, 255, 0)');
  await page.waitForTimeout(300);
});
test('opens a popup', async ({ page }) => {
  await page.goto('/page.html');
  const popup = page.waitForEvent('popup');
  await page.evaluate(() => window.open('/page.html'));
  await (await popup).waitForLoadState();
  await page.waitForTimeout(500);
});
test('fails', async ({ page }) => {
  await page.goto('/page.html');
  await page.waitForTimeout(500);
  expect(1).toBe(2);
});
test('own context', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ recordVideo: { dir: testInfo.outputPath('mine'), size: { width: 100, height: 60 } } });
  const page = await context.newPage();
  await page.goto('/page.html');
  await page.waitForTimeout(500);
  const path = await page.video().path();
  expect(path).toMatch(/^\/test-results\/.*\/mine\/[0-9a-f]+\.webm$/);
  await page.close();
  await page.video().saveAs(testInfo.outputPath('copy.webm'));
  await expect(page.video().saveAs('tests/evil.webm')).rejects.toThrow(/test code may write only under/);
  await context.close();
  const other = await browser.newContext();
  expect((await other.newPage()).video()).toBe(null);
  await expect(browser.newContext({ recordVideo: { dir: 'tests' } })).rejects.toThrow(/recordVideo.dir: tests: test code may write only under/);
});
"#;

fn config(video: &str) -> String {
    format!(
        r#"{{ "testDir": "tests", "webServer": {{ "static": "site" }}, "reporter": [["json"]], "workers": 1, "timeout": 20000,
  "use": {{ "viewport": {{ "width": 320, "height": 240 }} }},
  "projects": [
    {{ "name": "on", "use": {{ "video": "on" }} }},
    {{ "name": "kept", "use": {{ "video": "retain-on-failure" }} }},
    {{ "name": "sized", "use": {{ "video": {video} }} }},
    {{ "name": "retry", "retries": 1, "testMatch": "video.spec.ts", "use": {{ "video": "on-first-retry" }} }}
  ] }}"#
    )
}

/// An attachment: name, content type, path.
type Attachment = (String, String, String);
/// A test's project, title and the attachments of its last result.
type TestAttachments = (String, String, Vec<Attachment>);

/// The attachments of each test's last result, by project and title.
fn attachments(report: &Value) -> Vec<TestAttachments> {
    let mut out = Vec::new();
    for suite in report["suites"].as_array().into_iter().flatten() {
        for spec in suite["specs"].as_array().into_iter().flatten() {
            for test in spec["tests"].as_array().into_iter().flatten() {
                let last = test["results"].as_array().and_then(|r| r.last());
                let list = last
                    .and_then(|r| r["attachments"].as_array())
                    .into_iter()
                    .flatten()
                    .map(|a| {
                        (
                            a["name"].as_str().unwrap_or_default().to_string(),
                            a["contentType"].as_str().unwrap_or_default().to_string(),
                            a["path"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect();
                out.push((
                    test["projectName"].as_str().unwrap_or_default().to_string(),
                    spec["title"].as_str().unwrap_or_default().to_string(),
                    list,
                ));
            }
        }
    }
    out
}

/// The status (`expected`, `unexpected`, ...) of the test `title` in each project.
fn statuses(report: &Value, title: &str) -> Vec<String> {
    let mut out = Vec::new();
    for suite in report["suites"].as_array().into_iter().flatten() {
        for spec in suite["specs"].as_array().into_iter().flatten() {
            if spec["title"] != title {
                continue;
            }
            for test in spec["tests"].as_array().into_iter().flatten() {
                out.push(test["status"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    out
}

fn videos_of<'a>(
    all: &'a [TestAttachments],
    project: &str,
    title: &str,
) -> Vec<&'a str> {
    all.iter()
        .find(|(p, t, _)| p == project && t == title)
        .unwrap_or_else(|| panic!("no test {project} › {title}"))
        .2
        .iter()
        .filter(|(name, _, _)| name == "video")
        .map(|(_, kind, path)| {
            assert_eq!(kind, "video/webm");
            path.as_str()
        })
        .collect()
}

/// Codec, width, height and decoded frame count of a video, as ffprobe reads it.
fn probe(path: &Path) -> (String, u64, u64, u64) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-count_frames"])
        .args([
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("ffprobe json");
    let s = &v["streams"][0];
    let num = |k: &str| {
        s[k].as_u64()
            .or_else(|| s[k].as_str().and_then(|t| t.parse().ok()))
            .unwrap_or(0)
    };
    (
        s["codec_name"].as_str().unwrap_or_default().to_string(),
        num("width"),
        num("height"),
        num("nb_read_frames"),
    )
}

/// The colour of each frame of a video (each frame scaled down to one pixel: the page is one
/// colour at a time).
fn frame_colours(path: &Path) -> Vec<[u8; 3]> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-vf",
            "scale=1:1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "pipe:1",
        ])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect()
}

#[test]
fn videos_are_webm_of_the_page_at_the_configured_size_kept_as_the_mode_says() {
    if isolate_browser_browser::find_ffmpeg().is_none() {
        panic!("ffmpeg is needed (scripts/setup installs it)");
    }
    let dir = project(&[
        (
            "isolate-browser.config.json",
            &config(r#"{ "mode": "on", "size": { "width": 160, "height": 100 } }"#),
        ),
        ("site/page.html", PAGE),
        ("tests/video.spec.ts", SPEC),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let all = attachments(&run.report);
    let outcomes: Vec<_> = all.iter().map(|(p, t, _)| format!("{p} › {t}")).collect();
    assert_eq!(outcomes.len(), 16, "{outcomes:?}");
    for (title, want) in [
        ("turns green", "expected"),
        ("opens a popup", "expected"),
        ("own context", "expected"),
        ("fails", "unexpected"),
    ] {
        let got = statuses(&run.report, title);
        assert_eq!(got, [want; 4], "{title}: {:?}\n{}", run.errors, run.stdout);
    }

    // `on`: the viewport's size (it fits in 800×800), red turning green.
    let on = videos_of(&all, "on", "turns green");
    assert_eq!(on.len(), 1, "{all:?}");
    assert!(on[0].ends_with("video.webm"), "{on:?}");
    let (codec, w, h, frames) = probe(Path::new(on[0]));
    assert_eq!((codec.as_str(), w, h), ("vp8", 320, 240));
    assert!(
        frames >= 10,
        "{frames} frames: the test took over half a second"
    );
    // The page as it was: blank, then red for 400 ms (10 frames), then green to the end.
    let colours = frame_colours(Path::new(on[0]));
    let red = |c: &[u8; 3]| c[0] > 200 && c[1] < 60 && c[2] < 60;
    let green = |c: &[u8; 3]| c[1] > 200 && c[0] < 60 && c[2] < 60;
    let first_red = colours.iter().position(red).expect("a red frame");
    let first_green = colours.iter().position(green).expect("a green frame");
    assert!(first_red < first_green, "{colours:?}");
    let reds = colours.iter().filter(|c| red(c)).count();
    assert!(
        (6..=16).contains(&reds),
        "red for about 400 ms: {reds} frames of {colours:?}"
    );
    assert!(colours[first_green..].iter().all(green), "{colours:?}");

    // A popup gets a video of its own.
    let popup = videos_of(&all, "on", "opens a popup");
    assert_eq!(popup.len(), 2, "{all:?}");
    assert!(popup[0].ends_with("video.webm") && popup[1].ends_with("video-1.webm"));
    for v in &popup {
        assert_eq!(probe(Path::new(v)).1, 320);
    }

    // `retain-on-failure`: the failing test keeps its video, the passing one leaves nothing.
    assert_eq!(videos_of(&all, "kept", "fails").len(), 1);
    assert!(videos_of(&all, "kept", "turns green").is_empty());
    let kept_dir = dir.path().join("test-results");
    let leftovers: Vec<_> = walk(&kept_dir)
        .into_iter()
        .filter(|p| {
            p.to_string_lossy().contains("kept")
                && p.to_string_lossy().contains("turns-green")
                && p.extension().is_some_and(|e| e == "webm")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // `{ mode, size }`: that size.
    let sized = videos_of(&all, "sized", "turns green");
    let (_, w, h, _) = probe(Path::new(sized[0]));
    assert_eq!((w, h), (160, 100));

    // `on-first-retry`: only the retry of the failing test is recorded.
    assert!(videos_of(&all, "retry", "turns green").is_empty());
    assert_eq!(videos_of(&all, "retry", "fails").len(), 1);
    let first_try = run.report["suites"][0]["specs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["title"] == "fails")
        .flat_map(|s| s["tests"].as_array().cloned().unwrap_or_default())
        .find(|t| t["projectName"] == "retry")
        .map(|t| t["results"][0]["attachments"].clone())
        .expect("the retry project's failing test");
    assert_eq!(
        first_try,
        Value::Array(Vec::new()),
        "the first try has no video"
    );

    // `recordVideo` in the test's own context, saved where the test says.
    let copies: Vec<_> = walk(&kept_dir)
        .into_iter()
        .filter(|p| p.ends_with("copy.webm") && p.to_string_lossy().contains("-on"))
        .collect();
    assert_eq!(copies.len(), 1, "{:?}", walk(&kept_dir));
    assert_eq!(probe(&copies[0]).1, 100);
    assert!(!dir.path().join("tests/evil.webm").exists());
}

#[test]
fn a_bad_video_option_is_a_config_error() {
    let dir = project(&[
        ("isolate-browser.config.json", &config(r#""always""#)),
        ("site/page.html", PAGE),
        ("tests/video.spec.ts", SPEC),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("`projects[2].use.video` mode must be one of off, on, retain-on-failure, on-first-retry, got \"always\""),
        "{}",
        run.stderr
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

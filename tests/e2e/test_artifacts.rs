//! What a test leaves behind for CI through `isolate-browser test`: videos of its pages
//! (`use.video`, `recordVideo`, `page.video()`), as WebM files ffprobe reads, of the right
//! size, showing what the page showed, kept or dropped as the mode says; and traces
//! (`use.trace`, `context.tracing`) that Playwright's own trace viewer opens.

use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use std::time::Instant;

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

fn videos_of<'a>(all: &'a [TestAttachments], project: &str, title: &str) -> Vec<&'a str> {
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
            .contains("`projects[2].use.video` mode must be one of off, on, retain-on-failure, on-first-retry, on-all-retries, retain-on-first-failure, retain-on-failure-and-retries, got \"always\""),
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

// ---- traces ------------------------------------------------------------------------------------

const TRACE_PAGE: &str = r#"<!doctype html><html><head><link rel="stylesheet" href="/style.css"></head>
<body><h1>Hi</h1><button onclick="console.log('clicked', 42); document.querySelector('h1').textContent = 'Done'">Go</button></body></html>"#;

const TRACE_SPEC: &str = r#"import { test, expect } from '@playwright/test';
test('passes', async ({ page }) => {
  await page.goto('/index.html');
});
test('fails on its text', async ({ page }) => {
  await page.goto('/index.html');
  await test.step('press the button', async () => {
    await page.getByRole('button', { name: 'Go' }).click();
  });
  await expect(page.locator('h1')).toHaveText('Nope', { timeout: 500 });
});
test('traces a context itself', async ({ browser }, testInfo) => {
  const context = await browser.newContext();
  await context.tracing.start({ screenshots: true });
  const page = await context.newPage();
  await page.goto('/index.html');
  await page.locator('button').click();
  await context.tracing.stop({ path: testInfo.outputPath('own.zip') });
  await expect(context.tracing.stop()).rejects.toThrow('Must start tracing before stopping');
  await context.close();
});
"#;

/// The entries of a zip, by name.
fn unzip(path: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("zip")).expect("a zip");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut e = zip.by_index(i).expect("entry");
        let mut data = Vec::new();
        e.read_to_end(&mut data).expect("read");
        out.insert(e.name().expect("a name").into_owned(), data);
    }
    out
}

fn events(data: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(data)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn all_attachments(report: &Value, title: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for suite in report["suites"].as_array().into_iter().flatten() {
        for spec in suite["specs"].as_array().into_iter().flatten() {
            if spec["title"] != title {
                continue;
            }
            for test in spec["tests"].as_array().into_iter().flatten() {
                for result in test["results"].as_array().into_iter().flatten() {
                    out.push(
                        result["attachments"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|a| {
                                (
                                    a["name"].as_str().unwrap_or_default().to_string(),
                                    a["path"].as_str().unwrap_or_default().to_string(),
                                )
                            })
                            .collect(),
                    );
                }
            }
        }
    }
    out
}

#[test]
fn a_failing_retried_test_leaves_a_trace_playwrights_viewer_opens() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["json"]], "workers": 1, "retries": 1, "timeout": 20000, "use": { "trace": "on-first-retry" } }"#,
        ),
        ("site/index.html", TRACE_PAGE),
        ("site/style.css", "h1 { color: rgb(200, 0, 0); }"),
        ("tests/trace.spec.ts", TRACE_SPEC),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);

    // on-first-retry: the first attempt of the failing test and the passing test have none.
    let fails = all_attachments(&run.report, "fails on its text");
    assert_eq!(fails.len(), 2, "two attempts: {fails:?}");
    assert!(fails[0].is_empty(), "{fails:?}");
    assert_eq!(fails[1].len(), 1, "{fails:?}");
    assert_eq!(fails[1][0].0, "trace");
    assert!(all_attachments(&run.report, "passes")[0].is_empty());
    let trace = PathBuf::from(&fails[1][0].1);
    let files = unzip(&trace);
    let leftovers: Vec<_> = walk(&dir.path().join("test-results"))
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".trace-"))
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The test runner's steps: the API calls, the step they ran in, the failed assertion with
    // its source line, the error.
    let steps = events(&files["test.trace"]);
    assert_eq!(steps[0]["origin"], "testRunner");
    let before = |title: &str| {
        steps
            .iter()
            .find(|e| e["type"] == "before" && e["title"] == title)
            .unwrap_or_else(|| panic!("no step {title}: {steps:#?}"))
            .clone()
    };
    let step = before("press the button");
    assert_eq!(before("Click")["parentId"], step["callId"]);
    assert_eq!(
        before("Click")["params"]["locator"],
        "getByRole('button', { name: 'Go' })"
    );
    let expect = before("Expect \"toHaveText\"");
    assert_eq!(expect["stack"][0]["line"], 10);
    assert!(
        expect["stack"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("tests/trace.spec.ts")
    );
    let failed = steps
        .iter()
        .find(|e| e["type"] == "after" && e["callId"] == expect["callId"])
        .expect("the assertion ends");
    assert!(
        failed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Expected: \"Nope\"")
    );
    assert!(steps.iter().any(|e| e["type"] == "error"));
    let source = files
        .keys()
        .find(|k| k.starts_with("src/") && k.ends_with(".ts"))
        .expect("the spec's source");
    assert!(String::from_utf8_lossy(&files[source]).contains("press the button"));

    // The context's part: frames, the page's console, DOM snapshots, the call log, the network
    // with the stylesheet's body.
    let lib = events(&files["0-trace.trace"]);
    assert_eq!(lib[0]["origin"], "library");
    let frames: Vec<_> = lib
        .iter()
        .filter(|e| e["type"] == "screencast-frame")
        .collect();
    assert!(!frames.is_empty());
    for f in &frames {
        let jpeg = &files[f["file"].as_str().unwrap()];
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");
    }
    assert!(
        lib.iter()
            .any(|e| e["type"] == "console" && e["text"] == "clicked 42")
    );
    assert!(lib.iter().any(|e| e["type"] == "frame-snapshot"
        && e["snapshot"]["phase"] == "after"
        && e["snapshot"]["html"].to_string().contains("Done")));
    assert!(lib.iter().any(|e| {
        e["type"] == "log"
            && e["callId"] == expect["callId"]
            && e["message"]
                .as_str()
                .unwrap()
                .contains("unexpected value \"Done\"")
    }));
    let network = events(&files["0-trace.network"]);
    let css = network
        .iter()
        .find(|e| {
            e["snapshot"]["request"]["url"]
                .as_str()
                .unwrap()
                .ends_with("/style.css")
        })
        .expect("the stylesheet's request");
    let body = css["snapshot"]["response"]["content"]["_file"]
        .as_str()
        .expect("its body");
    assert_eq!(files[body], b"h1 { color: rgb(200, 0, 0); }");

    // `context.tracing` by hand writes a trace of its own.
    let own = walk(&dir.path().join("test-results"))
        .into_iter()
        .find(|p| p.ends_with("own.zip"))
        .expect("own.zip");
    let own = unzip(&own);
    assert!(
        events(&own["trace.trace"])
            .iter()
            .any(|e| e["type"] == "before" && e["method"] == "click")
    );

    // Playwright's own viewer lists the steps, marks the failed one, and has the screenshots.
    let fixture = crate::npm_project::installed_fixture();
    let mut viewer =
        std::process::Command::new(fixture.path().join("node_modules/.bin/playwright"))
            .args(["show-trace", "--host", "127.0.0.1", "--port", "0"])
            .arg(&trace)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the viewer starts");
    let url = {
        use std::io::BufRead as _;
        let out = viewer.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(out).lines();
        lines
            .find_map(|l| {
                l.ok()?
                    .split_once("Listening on ")
                    .map(|(_, u)| u.trim().to_string())
            })
            .expect("the viewer says where it listens")
    };
    let shown = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(read_viewer(&url));
    let _ = viewer.kill();
    let _ = viewer.wait();
    let shown = shown.unwrap_or_else(|e| panic!("{e}"));
    for title in ["Navigate", "press the button", "Expect \"toHaveText\""] {
        assert!(
            shown["titles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t.as_str().unwrap().starts_with(title)),
            "{title}: {shown}"
        );
    }
    assert!(
        shown["failed"]
            .as_str()
            .unwrap()
            .starts_with("Expect \"toHaveText\""),
        "{shown}"
    );
    assert_eq!(shown["errors"], "1", "{shown}");
    assert!(shown["frames"].as_u64().unwrap() >= 1, "{shown}");
    assert!(
        shown["framesLoaded"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t == "jpeg"),
        "{shown}"
    );
}

/// What the viewer at `url` shows: action titles, the failed one, the error count, the
/// filmstrip frames and whether their images load.
pub(crate) async fn read_viewer(url: &str) -> Result<Value, String> {
    let (browser, _context, page) = crate::support::browser_page().await;
    page.goto(url, isolate_browser_browser::GotoOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let probe = r#"async () => {
      const titles = [...document.querySelectorAll('.action-title')].map((e) => e.textContent);
      if (!titles.length) return null;
      const frames = [...document.querySelectorAll('.film-strip-frame')];
      const framesLoaded = [];
      for (const f of frames.slice(0, 3)) {
        const m = /url\("(.*)"\)/.exec(f.style.backgroundImage);
        const res = m ? await fetch(m[1]) : null;
        const bytes = res && res.ok ? new Uint8Array(await res.arrayBuffer()) : new Uint8Array();
        framesLoaded.push(bytes[0] === 0xff && bytes[1] === 0xd8 ? 'jpeg' : 'missing');
      }
      const failed = document.querySelector('.tree-view-entry.error .action-title');
      const errors = [...document.querySelectorAll('.tabbed-pane-tab-counter.error')].map((e) => e.textContent);
      return { titles, failed: failed ? failed.textContent : '', errors: errors[0] ?? '', frames: frames.length, framesLoaded };
    }"#;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = page
            .evaluate(probe, None)
            .await
            .map_err(|e| e.to_string())?;
        if !v.is_null() && v["frames"].as_u64().unwrap_or(0) > 0 {
            let _ = browser.close().await;
            return Ok(v);
        }
        if Instant::now() > deadline {
            let body = page
                .evaluate("async () => document.body.innerText.slice(0, 500) + ' | ' + location.href + ' | sw ' + ('serviceWorker' in navigator) + ' ' + JSON.stringify((await navigator.serviceWorker?.getRegistrations())?.map(r => [r.active?.state, r.installing?.state, r.waiting?.state])) + ' ' + !!navigator.serviceWorker?.controller + ' ' + isSecureContext", None)
                .await
                .map_err(|e| e.to_string())?;
            let mut console: Vec<String> = page
                .console_messages()
                .into_iter()
                .map(|m| m.text)
                .collect();
            console.extend(
                page.page_errors(isolate_browser_browser::MessageFilter::All)
                    .into_iter()
                    .map(|e| format!("{e:?}")),
            );
            console.extend(
                page.requests()
                    .into_iter()
                    .map(|r| format!("{} {} {:?}", r.url, r.status, r.failure)),
            );
            let _ = browser.close().await;
            return Err(format!(
                "the viewer showed no actions: {v}; page: {body}; console: {console:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

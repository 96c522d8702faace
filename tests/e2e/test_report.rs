//! The HTML report as its users see it: written by `isolate-browser test`, served by
//! `isolate-browser show-report`, and driven in Chromium: status, project and text filters,
//! a failed test's retries, code frame and screenshot comparison, steps, console output, the
//! trace link into Playwright's viewer; and a 5,000-test report that renders lazily.

use std::io::BufRead as _;
use std::path::Path;
use std::process::Command;
use std::process::Stdio;
use std::time::Duration;
use std::time::Instant;

use isolate_browser_browser::ClickOptions;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::Page;
use serde_json::Value;

use crate::test_runner::project;
use crate::test_runner::run_test_with_env;

const CONFIG: &str = r#"{ "testDir": "tests", "reporter": [["html", { "outputFolder": "report" }]], "workers": 2, "retries": 1, "timeout": 20000,
  "snapshotPathTemplate": "{testDir}/__snap__/{arg}{ext}",
  "use": { "trace": "on-first-retry" },
  "projects": [{ "name": "alpha" }, { "name": "beta" }] }"#;

const SPEC: &str = r#"import { test, expect } from '@playwright/test';
test('passes with steps', async () => {
  console.log('hello from passes');
  await test.step('outer step', async () => {
    await test.step('inner step', async () => {});
  });
});
test('fails with a diff', async ({ page }) => {
  await page.setContent('<body style="margin:0"><div style="width:40px;height:40px;background:rgb(255,0,0)"></div></body>');
  await expect(page.locator('div')).toHaveScreenshot('box.png');
});
test('flaky once', async ({}, testInfo) => {
  expect(testInfo.retry).toBe(1);
});
test.skip('skipped one', async () => {});
test('fails an assertion', async () => {
  console.error('oops on stderr');
  expect(1).toBe(2);
});
"#;

/// A 40×40 PNG of one colour.
fn png(rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(40, 40, image::Rgba([rgb[0], rgb[1], rgb[2], 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// `isolate-browser show-report` serving `dir`, and its URL.
struct Served {
    child: std::process::Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn show_report(cwd: &Path, dir: &str) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args(["show-report", dir, "--port", "0"])
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("show-report starts");
    let out = child.stdout.take().expect("stdout");
    let line = std::io::BufReader::new(out)
        .lines()
        .next()
        .expect("a line")
        .expect("utf-8");
    let url = line
        .strip_prefix("Serving HTML report at ")
        .and_then(|r| r.split_once(". Press"))
        .map(|(u, _)| u.to_string())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    Served { child, url }
}

/// Evaluates `expr` (a function) until it returns something other than `null`/`false`.
async fn until(page: &Page, expr: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = page.evaluate(expr, None).await.expect("evaluate");
        if !v.is_null() && v != Value::Bool(false) {
            return v;
        }
        assert!(Instant::now() < deadline, "never true: {expr}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const ROWS: &str = "() => [...document.querySelectorAll('.test-row')].map((r) => [r.dataset.status, r.querySelector('.title').textContent])";

async fn rows(page: &Page) -> Vec<(String, String)> {
    let v = page.evaluate(ROWS, None).await.expect("rows");
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap_or_default().to_string(),
                r[1].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn click(page: &Page, selector: &str) {
    page.locator(selector)
        .click(ClickOptions::default())
        .await
        .unwrap_or_else(|e| panic!("click {selector}: {e}"));
}

/// Lists the tests matching `query` (URL-encoded), which must be exactly one, and opens it.
async fn open_only_test(page: &Page, url: &str, query: &str) {
    page.goto(&format!("{url}/#?q={query}"), GotoOptions::default())
        .await
        .expect("list");
    until(
        page,
        "() => document.querySelectorAll('.test-row').length === 1",
    )
    .await;
    click(page, ".test-row").await;
}

#[test]
fn the_report_filters_and_shows_a_failure_with_its_diff_steps_console_and_trace() {
    let fixture = crate::npm_project::installed_fixture();
    let viewer = fixture
        .path()
        .join("node_modules/playwright-core/lib/vite/traceViewer");
    assert!(viewer.join("index.html").is_file(), "{}", viewer.display());
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/report.spec.ts", SPEC),
    ]);
    std::fs::create_dir_all(dir.path().join("tests/__snap__")).expect("mkdir");
    std::fs::write(dir.path().join("tests/__snap__/box.png"), png([0, 0, 255])).expect("png");
    let run = run_test_with_env(
        dir.path(),
        &[],
        &[(
            "ISOLATE_BROWSER_TRACE_VIEWER",
            viewer.to_str().expect("utf-8"),
        )],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report = dir.path().join("report");
    assert!(report.join("index.html").is_file());
    assert!(
        report.join("trace/index.html").is_file(),
        "the viewer is bundled"
    );

    let served = show_report(dir.path(), "report");
    let url = served.url.clone();
    let trace_url = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async move {
            let (browser, _context, page) = crate::support::browser_page().await;
            page.goto(&url, GotoOptions::default())
                .await
                .expect("report");
            until(&page, "() => document.querySelectorAll('.test-row').length === 10").await;
            let counts = page
                .evaluate(
                    "() => Object.fromEntries([...document.querySelectorAll('.filters a')].map((a) => [a.dataset.status, a.querySelector('.count').textContent]))",
                    None,
                )
                .await
                .expect("counts");
            assert_eq!(
                counts,
                serde_json::json!({ "all": "10", "passed": "2", "failed": "4", "flaky": "2", "skipped": "2" })
            );

            // Status filter: only the failed tests, and the URL says so.
            click(&page, ".filters a[data-status=failed]").await;
            until(&page, "() => document.querySelectorAll('.test-row').length === 4").await;
            let shown = rows(&page).await;
            assert!(shown.iter().all(|(s, _)| s == "failed"), "{shown:?}");
            assert!(
                page.evaluate("() => decodeURIComponent(location.hash)", None)
                    .await
                    .expect("hash")
                    .as_str()
                    .unwrap()
                    .contains("s:failed")
            );
            // Project filter on top of it.
            click(&page, ".projects a[data-project=beta]").await;
            until(&page, "() => document.querySelectorAll('.test-row').length === 2").await;
            assert!(rows(&page).await.iter().all(|(_, t)| t.contains("beta")));
            // Text filter, typed.
            page.locator("input.search")
                .fill("s:failed p:beta diff", None, false)
                .await
                .expect("type");
            until(&page, "() => document.querySelectorAll('.test-row').length === 1").await;
            let only = rows(&page).await;
            assert!(only[0].1.starts_with("fails with a diff"), "{only:?}");
            // Skipped and flaky are listed as such.
            page.goto(&format!("{url}/#?q=s:skipped"), GotoOptions::default())
                .await
                .expect("skipped");
            until(&page, "() => document.querySelectorAll('.test-row').length === 2").await;
            assert!(rows(&page).await.iter().all(|(s, t)| s == "skipped" && t.starts_with("skipped one")));

            // The failed screenshot test: two attempts, the error with its code frame, the
            // comparison with every view loading its image, and a trace on the retry.
            open_only_test(&page, &url, "diff%20p:alpha").await;
            until(&page, "() => !!document.querySelector('h1.test-title')").await;
            let tabs = page
                .evaluate("() => [...document.querySelector('.attempts').children].map((b) => b.textContent.trim())", None)
                .await
                .expect("tabs");
            assert_eq!(tabs, serde_json::json!(["\u{2718} Run", "\u{2718} Retry #1"]));
            let error = page
                .evaluate("() => ({ message: document.querySelector('.error pre.message').textContent, frame: document.querySelector('.error .code-frame .hl').textContent })", None)
                .await
                .expect("error");
            assert!(error["message"].as_str().unwrap().contains("toHaveScreenshot"), "{error}");
            assert!(error["frame"].as_str().unwrap().contains("toHaveScreenshot('box.png')"), "{error}");
            let views = page
                .evaluate("() => [...document.querySelectorAll('.image-diff .tabs button')].map((b) => b.textContent)", None)
                .await
                .expect("views");
            assert_eq!(views, serde_json::json!(["Diff", "Actual", "Expected", "Side by side"]));
            for (tab, kinds) in [
                (1, vec!["diff"]),
                (2, vec!["actual"]),
                (3, vec!["expected"]),
                (4, vec!["expected", "actual"]),
            ] {
                click(&page, &format!(".image-diff .tabs button:nth-child({tab})")).await;
                let probe = "() => { const imgs = [...document.querySelectorAll('.image-diff .pane figure')]; \
                       if (!imgs.every((f) => f.querySelector('img').complete)) return null; \
                       return imgs.map((f) => [f.dataset.kind, f.querySelector('img').naturalWidth]); }";
                let loaded = until(&page, probe).await;
                let want: Vec<Value> = kinds.iter().map(|k| serde_json::json!([k, 40])).collect();
                assert_eq!(loaded, Value::Array(want), "tab {tab}");
            }
            // Expected is blue and actual red, as the files say.
            let colours = page
                .evaluate(
                    "async () => { const out = {}; for (const kind of ['expected', 'actual']) { const img = document.querySelector(`.image-diff figure[data-kind=${kind}] img`); const c = document.createElement('canvas'); c.width = 40; c.height = 40; const g = c.getContext('2d'); g.drawImage(img, 0, 0); out[kind] = [...g.getImageData(20, 20, 1, 1).data].slice(0, 3); } return out; }",
                    None,
                )
                .await
                .expect("colours");
            assert_eq!(colours, serde_json::json!({ "expected": [0, 0, 255], "actual": [255, 0, 0] }));
            let trace = page
                .evaluate("() => document.querySelector('.trace-link')?.href ?? null", None)
                .await
                .expect("trace");
            let trace = trace.as_str().expect("the retry has a trace link").to_string();

            // The first attempt's tab has no trace (on-first-retry).
            click(&page, ".attempts button:nth-child(1)").await;
            until(&page, "() => document.querySelector('[data-retry=\"0\"]') && !document.querySelector('.trace-link')").await;

            // The passing test: its steps tree and stdout.
            open_only_test(&page, &url, "p:alpha%20steps").await;
            until(&page, "() => !!document.querySelector('.steps')").await;
            click(&page, ".steps summary").await;
            let shown = page
                .evaluate("() => ({ steps: [...document.querySelectorAll('.steps .step-title')].filter((e) => e.offsetParent).map((e) => e.textContent), stdout: document.querySelector('pre.stdout').textContent, stray: document.body.innerText.split(String.fromCharCode(10)).filter((l) => l.trim() === 'null' || l.trim() === 'undefined') })", None)
                .await
                .expect("steps");
            assert_eq!(shown["steps"], serde_json::json!(["outer step", "inner step"]));
            assert_eq!(shown["stdout"], "hello from passes");
            assert_eq!(shown["stray"], serde_json::json!([]), "nothing missing shows as null");

            // The failed assertion: stderr and the frame of its line; the flaky one's retries.
            open_only_test(&page, &url, "p:beta%20assertion").await;
            let failed = until(&page, "() => document.querySelector('pre.stderr') && ({ stderr: document.querySelector('pre.stderr').textContent, frame: document.querySelector('.code-frame .hl').textContent })").await;
            assert_eq!(failed["stderr"], "oops on stderr");
            assert!(failed["frame"].as_str().unwrap().contains("expect(1).toBe(2)"));
            open_only_test(&page, &url, "s:flaky%20p:beta").await;
            let tabs = until(&page, "() => document.querySelector('.attempts') && [...document.querySelector('.attempts').children].map((b) => b.textContent.trim())").await;
            assert_eq!(tabs, serde_json::json!(["\u{2718} Run", "\u{2713} Retry #1"]));
            let _ = browser.close().await;
            trace
        });

    // The trace link opens Playwright's viewer (bundled in the report) on the failing step.
    let shown = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(crate::test_artifacts::read_viewer(&trace_url))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        shown["failed"]
            .as_str()
            .unwrap()
            .starts_with("Expect \"toHaveScreenshot\""),
        "{shown}"
    );
    drop(served);

    // No report there: exit 2, naming the folder.
    let out = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args(["show-report", "nowhere"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No report found at \"nowhere\""), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn five_thousand_tests_render_lazily_and_still_filter() {
    use isolate_browser_reporters::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = HtmlReporter::new(dir.path().join("report"));
    let mut stats = RunStats::default();
    for i in 0..5000u32 {
        let failed = i % 50 == 0;
        let info = TestInfo {
            id: TestId(format!("t{i}")),
            file: format!("suite{:02}.spec.ts", i / 100),
            line: i % 100 + 1,
            column: 1,
            title_path: vec![format!("group {}", i / 10), format!("test number {i}")],
            project: None,
        };
        let attempt = TestAttempt {
            duration: Duration::from_millis(u64::from(i % 700)),
            failures: if failed {
                vec![TestFailure {
                    kind: "Error".into(),
                    message: format!("Error: number {i} failed"),
                    ..Default::default()
                }]
            } else {
                Vec::new()
            },
            stdout: vec![format!("log line of {i}")],
            ..TestAttempt::new(
                0,
                if failed {
                    TestOutcome::Failed
                } else {
                    TestOutcome::Passed
                },
            )
        };
        if failed {
            stats.failed += 1;
        } else {
            stats.passed += 1;
        }
        r.on_event(&RunEvent::from(RunEventKind::TestFinished {
            info,
            attempt,
            will_retry: false,
        }))
        .expect("event");
    }
    r.on_event(&RunEvent::from(RunEventKind::RunFinished {
        status: RunStatus::Failed,
        stats,
        duration: Duration::from_secs(60),
    }))
    .expect("written");
    let size = std::fs::metadata(dir.path().join("report/index.html"))
        .expect("index.html")
        .len();
    eprintln!("5,000-test report: {size} bytes");

    let served = show_report(dir.path(), "report");
    let url = served.url.clone();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async move {
            let (browser, _context, page) = crate::support::browser_page().await;
            let started = Instant::now();
            page.goto(&url, GotoOptions::default())
                .await
                .expect("report");
            until(&page, "() => document.querySelectorAll('.test-row').length > 0").await;
            eprintln!("5,000-test report: first rows after {:?}", started.elapsed());
            let first = page
                .evaluate("() => ({ rows: document.querySelectorAll('.test-row').length, shown: document.querySelector('.shown').textContent })", None)
                .await
                .expect("first");
            assert_eq!(first["shown"], "5000 tests");
            let rendered = first["rows"].as_u64().unwrap();
            assert!(rendered < 200, "only a first batch is rendered: {first}");
            // Scrolling to the end renders more, batch by batch.
            let more = until(
                &page,
                &format!("() => {{ window.scrollTo(0, document.body.scrollHeight); const n = document.querySelectorAll('.test-row').length; return n > {rendered} + 100 ? n : null; }}"),
            )
            .await;
            assert!(more.as_u64().unwrap() < 5000, "{more}");
            // A filter searches all 5,000, not just what is rendered.
            page.locator("input.search")
                .fill("test number 4321", None, false)
                .await
                .expect("type");
            until(&page, "() => document.querySelectorAll('.test-row').length === 1").await;
            assert!(rows(&page).await[0].1.contains("test number 4321"));
            page.locator("input.search")
                .fill("s:failed", None, false)
                .await
                .expect("type");
            until(&page, "() => document.querySelector('.shown').textContent === '100 of 5000 tests'").await;
            click(&page, ".test-row >> nth=0").await;
            let message = until(&page, "() => document.querySelector('.error pre.message')?.textContent ?? null").await;
            assert_eq!(message, "Error: number 0 failed");
            let _ = browser.close().await;
        });
}

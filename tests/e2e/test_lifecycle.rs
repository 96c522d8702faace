//! The run as a whole under stress: SIGTERM mid-run (reports written, tests interrupted, no
//! Chromium left behind) and a Chromium that dies mid-test (that test fails, the worker
//! relaunches Chromium and the next test passes).

use std::process::Command;
use std::process::Stdio;
use std::time::Duration;
use std::time::Instant;

use crate::support::chromium_children;
use crate::support::chromium_processes;
use crate::test_runner::project;

const CONFIG: &str = r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["json", { "outputFile": "report.json" }], ["junit", { "outputFile": "junit.xml" }]], "workers": 1, "timeout": 30000 }"#;

/// The specs of the run's JSON report (one spec file).
fn report_specs(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report written");
    let report: serde_json::Value = serde_json::from_str(&text).expect("json");
    report["suites"][0]["specs"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The status of the first result of the spec titled `title`.
fn first_status(specs: &[serde_json::Value], title: &str) -> Option<String> {
    specs.iter().find(|s| s["title"] == title).map(|s| {
        s["tests"][0]["results"][0]["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    })
}

/// Fails unless every Chromium process of `profile` is gone within 5 s.
fn assert_chromium_gone(profile: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while chromium_processes(profile) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(chromium_processes(profile), 0, "Chromium left behind");
}

/// Waits until the CLI has launched a Chromium and returns its pid and profile directory.
fn wait_for_chromium(cli: u32) -> (u32, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = chromium_children(cli).into_iter().next() {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "the runner never launched Chromium"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigterm_interrupts_writes_reports_and_leaves_no_chromium() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/slow.spec.ts",
            r#"import { test } from '@playwright/test';
test('long', async ({ page }) => { await page.goto('/'); await page.waitForTimeout(20000); });
test('never starts', async () => {});
"#,
        ),
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .arg("test")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let (_, profile) = wait_for_chromium(child.id());
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc_kill(child.id() as i32, 15) };
    let started = Instant::now();
    let status = child.wait().expect("exits");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped promptly"
    );
    assert_eq!(status.code(), Some(130));
    let specs = report_specs(dir.path());
    let status_of = |title: &str| first_status(&specs, title);
    assert_eq!(status_of("long").as_deref(), Some("interrupted"));
    assert_eq!(status_of("never starts").as_deref(), Some("skipped"));
    assert!(dir.path().join("junit.xml").is_file());
    assert_chromium_gone(&profile);
}

/// A CI log collector that dies (here: the reader of a FIFO the runner writes to) must not
/// stop the run from reacting to SIGTERM: writes to the closed stdout and stderr fail quietly,
/// the run stops within seconds, the report files are written and no Chromium is left.
#[test]
fn a_closed_stdout_never_stops_sigterm_or_the_reports() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/slow.spec.ts",
            r#"import { test } from '@playwright/test';
test('quick', () => { console.log('some output'); });
test('long', async ({ page }) => { await page.goto('/'); await page.waitForTimeout(20000); });
"#,
        ),
    ]);
    let fifo = dir.path().join("log.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let mut reader = Command::new("cat")
        .arg(&fifo)
        .stdout(Stdio::null())
        .spawn()
        .expect("cat starts");
    // Opening the write end waits for the reader.
    let writer = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("the FIFO opens");
    let mut child = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args(["test", "--reporter", "list,json,junit"])
        .env("ISOLATE_BROWSER_JSON_OUTPUT_NAME", "report.json")
        .current_dir(dir.path())
        .stdout(writer.try_clone().expect("clone"))
        .stderr(writer)
        .spawn()
        .expect("starts");
    let (_, profile) = wait_for_chromium(child.id());
    // The log collector goes away.
    let _ = reader.kill();
    let _ = reader.wait();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc_kill(child.id() as i32, 15) };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the run ignored SIGTERM with its stdout closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130), "interrupted");
    let specs = report_specs(dir.path());
    let status_of = |title: &str| first_status(&specs, title);
    assert_eq!(status_of("quick").as_deref(), Some("passed"));
    assert_eq!(status_of("long").as_deref(), Some("interrupted"));
    assert!(
        dir.path().join("test-results/junit.xml").is_file()
            || dir.path().join("junit.xml").is_file()
    );
    assert_chromium_gone(&profile);
}

/// SIGKILL leaves the runner no chance to close Chromium: Chromium dies with it anyway (it
/// runs with a parent-death signal), and the next run removes the temporary directory the
/// killed one left behind.
#[test]
fn sigkill_of_the_runner_leaves_no_chromium_and_the_next_run_cleans_up() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/slow.spec.ts",
            r#"import { test } from '@playwright/test';
test('long', async ({ page }) => { await page.goto('/'); await page.waitForTimeout(20000); });
"#,
        ),
    ]);
    // A temporary directory of its own: other tests' launches clean stale directories too, and
    // would remove the one this test checks is left behind.
    let tmp = tempfile::tempdir().expect("tmp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .arg("test")
        .current_dir(dir.path())
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let (_, profile) = wait_for_chromium(child.id());
    std::thread::sleep(Duration::from_millis(500));
    let _ = child.kill();
    let _ = child.wait();
    assert_chromium_gone(&profile);
    let left_behind = std::path::Path::new(&profile)
        .parent()
        .expect("the launch's temporary directory")
        .to_path_buf();
    assert!(left_behind.is_dir(), "SIGKILL leaves the directory");
    // The next run that launches Chromium removes it.
    std::fs::write(
        dir.path().join("tests/slow.spec.ts"),
        "import { test } from '@playwright/test';\ntest('quick', async ({ page }) => { await page.goto('/'); });\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .arg("test")
        .current_dir(dir.path())
        .env("TMPDIR", tmp.path())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !left_behind.exists(),
        "{} is still there",
        left_behind.display()
    );
}

#[test]
fn a_chromium_crash_fails_one_test_and_the_worker_relaunches() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/crash.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test('victim', async ({ page }) => {
  await page.goto('/');
  await page.waitForTimeout(4000);
  await expect(page.locator('h1')).toHaveText('Hello');
});
test('survivor', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('Hello');
});
"#,
        ),
    ]);
    let child = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .arg("test")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let (browser_pid, _) = wait_for_chromium(child.id());
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: killing the Chromium our child launched.
    unsafe { libc_kill(browser_pid as i32, 9) };
    let out = child.wait_with_output().expect("exits");
    let specs = report_specs(dir.path());
    let result = |title: &str| {
        specs.iter().find(|s| s["title"] == title).expect("test")["tests"][0]["results"][0].clone()
    };
    assert_eq!(
        result("victim")["status"],
        "failed",
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        result("victim")["errors"].to_string().contains("closed"),
        "{}",
        result("victim")
    );
    assert_eq!(
        result("survivor")["status"],
        "passed",
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(1));
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

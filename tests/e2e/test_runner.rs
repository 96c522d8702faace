//! `isolate-browser test` on fixture projects: results, exit codes, retries, timeouts, limits,
//! hooks and fixtures, filters and the config file, all against real Chromium and pages the
//! runner serves itself on 127.0.0.1 (`webServer.static`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The page fixture projects test against.
pub const SITE: &str = r#"<!doctype html><html><head><title>Demo App</title></head><body>
<h1 id="title" class="big headline">Hello</h1>
<label>Name <input id="name" /></label>
<button onclick="document.querySelector('#out').textContent = 'Hi ' + document.querySelector('#name').value">Greet</button>
<p id="out"></p>
<ul><li>Apple</li><li>Banana</li></ul>
</body></html>"#;

/// A project directory with `site/index.html` and the given files.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("site")).expect("mkdir");
    std::fs::write(dir.path().join("site/index.html"), SITE).expect("write site");
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

/// What one CLI run did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// `describe › title` → statuses of each attempt, in order.
    pub results: BTreeMap<String, Vec<String>>,
    /// `describe › title` → error messages of the last attempt.
    pub errors: BTreeMap<String, Vec<String>>,
    /// `describe › title` → stdout lines of the last attempt.
    pub stdout_of: BTreeMap<String, Vec<String>>,
    pub report: Value,
}

fn collect(suite: &Value, prefix: &[String], run: &mut Run) {
    for spec in suite
        .get("specs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut path = prefix.to_vec();
        path.push(spec["title"].as_str().unwrap_or_default().to_string());
        let key = path.join(" › ");
        let results = spec["tests"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        run.results.insert(
            key.clone(),
            results
                .iter()
                .map(|r| r["status"].as_str().unwrap_or_default().to_string())
                .collect(),
        );
        if let Some(last) = results.last() {
            run.errors.insert(
                key.clone(),
                last["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                    .collect(),
            );
            run.stdout_of.insert(
                key,
                last["stdout"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| e["text"].as_str().unwrap_or_default().to_string())
                    .collect(),
            );
        }
    }
    for child in suite
        .get("suites")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut p = prefix.to_vec();
        p.push(child["title"].as_str().unwrap_or_default().to_string());
        collect(child, &p, run);
    }
}

/// Runs `isolate-browser test` in `dir` with a JSON report, and reads the report back.
pub fn run_test(dir: &Path, args: &[&str]) -> Run {
    run_test_with_env(dir, args, &[])
}

/// [`run_test`] with extra environment variables.
pub fn run_test_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .arg("test")
        .args(args)
        .env("ISOLATE_BROWSER_JSON_OUTPUT_NAME", "report.json")
        .env_remove("CI")
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("the CLI starts");
    let report: Value = std::fs::read_to_string(dir.join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let _ = std::fs::remove_file(dir.join("report.json"));
    let mut run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        results: BTreeMap::new(),
        errors: BTreeMap::new(),
        stdout_of: BTreeMap::new(),
        report: report.clone(),
    };
    for file_suite in report["suites"].as_array().into_iter().flatten() {
        collect(file_suite, &[], &mut run);
    }
    run
}

impl Run {
    pub fn status(&self, title: &str) -> Vec<&str> {
        self.results
            .get(title)
            .unwrap_or_else(|| {
                panic!(
                    "no test {title:?} in {:?}\nstdout:\n{}\nstderr:\n{}",
                    self.results.keys(),
                    self.stdout,
                    self.stderr
                )
            })
            .iter()
            .map(String::as_str)
            .collect()
    }

    /// Asserts that each test passed on its first attempt, showing its error and the output.
    pub fn assert_passed(&self, titles: &[&str]) {
        for title in titles {
            assert_eq!(
                self.status(title),
                ["passed"],
                "{title}: {}\n{}",
                self.error(title),
                self.stdout
            );
        }
    }

    pub fn error(&self, title: &str) -> String {
        self.errors
            .get(title)
            .map(|e| e.join("\n"))
            .unwrap_or_default()
    }
}

const CONFIG: &str = r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["list"], ["json"]], "workers": 2, "timeout": 5000, "memoryLimitMb": 64 }"#;

#[test]
fn passing_failing_skipped_and_fixme_tests_report_and_exit() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/app.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test.describe('greeting', () => {
  test.beforeEach(async ({ page }) => { await page.goto('/'); });
  test('greets by name', async ({ page }) => {
    await page.getByLabel('Name').fill('Ada');
    await page.getByRole('button', { name: 'Greet' }).click();
    await expect(page.locator('#out')).toHaveText('Hi Ada');
  });
  test('sees the wrong heading', async ({ page }) => {
    console.log('looking for goodbye');
    await expect(page.locator('h1')).toHaveText('Goodbye', { timeout: 300 });
  });
});
test.skip('skipped', async () => {});
test.fixme('later', async () => {});
test('skipped at run time', async () => { test.skip(true, 'not today'); });
"#,
        ),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.status("greeting › greets by name"), ["passed"]);
    assert_eq!(run.status("greeting › sees the wrong heading"), ["failed"]);
    assert_eq!(run.status("skipped"), ["skipped"]);
    assert_eq!(run.status("later"), ["skipped"]);
    assert_eq!(run.status("skipped at run time"), ["skipped"]);
    let err = run.error("greeting › sees the wrong heading");
    assert!(
        err.contains("expect(locator).toHaveText(expected) failed"),
        "{err}"
    );
    assert!(err.contains("Expected: \"Goodbye\""), "{err}");
    assert!(err.contains("Received: \"Hello\""), "{err}");
    assert!(err.contains("Call log:"), "{err}");
    assert!(
        err.contains("> 11 |     await expect(page.locator('h1')).toHaveText('Goodbye'"),
        "code frame at the spec line: {err}"
    );
    assert!(
        run.stdout.contains("1 passed, 1 failed, 3 skipped"),
        "{}",
        run.stdout
    );
    // The list reporter streams a test's console output as it is written, before the test's
    // own line; the dot reporter shows it with the failure.
    let streamed = run
        .stdout
        .find("\nlooking for goodbye\n")
        .unwrap_or_else(|| panic!("streamed: {}", run.stdout));
    let failed_line = run
        .stdout
        .find("greeting › sees the wrong heading")
        .expect("the test's line");
    assert!(streamed < failed_line, "{}", run.stdout);
    let dot = run_test(
        dir.path(),
        &["--reporter", "dot", "--grep", "wrong heading"],
    );
    assert!(
        dot.stdout
            .contains("--- stdout ---\n    looking for goodbye"),
        "{}",
        dot.stdout
    );
    let quiet = run_test(dir.path(), &["--quiet", "--grep", "wrong heading"]);
    assert!(
        !quiet.stdout.contains("\nlooking for goodbye\n")
            && !quiet.stdout.contains("--- stdout ---"),
        "{}",
        quiet.stdout
    );

    // Without the failing test, the run passes.
    let run = run_test(dir.path(), &["--grep-invert", "wrong heading"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        !run.results
            .contains_key("greeting › sees the wrong heading")
    );
}

#[test]
fn list_output_matches_its_snapshot() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "workers": 1 }"#,
        ),
        (
            "tests/a.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test.describe('math', () => {
  test('adds', () => { expect(1 + 1).toBe(2); });
  test('fails', () => { expect(2 * 2).toBe(5); });
});
test.skip('not yet', () => {});
"#,
        ),
    ]);
    let out = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args(["test", "--reporter", "list"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Durations vary from run to run; everything else is fixed.
    let redacted: String = stdout
        .lines()
        .map(|l| {
            let mut s = l.to_string();
            while let Some(start) = s.find(" (") {
                let Some(end) = s[start..].find(')') else {
                    break;
                };
                let inner = &s[start + 2..start + end];
                if inner.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    s.replace_range(start..start + end + 1, " (<t>)");
                    if s[start + 6..].find(" (").is_none() {
                        break;
                    }
                } else {
                    break;
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n");
    let expected = r#"
Running 3 tests using 1 worker

  -  1 tests/a.spec.ts:6:6 › not yet
  ✓  2 tests/a.spec.ts:3:3 › math › adds (<t>)
  ✘  3 tests/a.spec.ts:4:3 › math › fails (<t>)

  1) tests/a.spec.ts:4:3 › math › fails ───

    Error: expect(received).toBe(expected) // Object.is equality

    Expected: 5
    Received: 4

      2 | test.describe('math', () => {
      3 |   test('adds', () => { expect(1 + 1).toBe(2); });
    > 4 |   test('fails', () => { expect(2 * 2).toBe(5); });
        |                                       ^
      5 | });
      6 | test.skip('not yet', () => {});

        at tests/a.spec.ts:4:39

  1 failed
    tests/a.spec.ts:4:3 › math › fails

  1 passed, 1 failed, 1 skipped (<t>)"#;
    assert_eq!(redacted.trim(), expected.trim(), "\n{stdout}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn flaky_tests_pass_on_retry_in_a_fresh_isolate() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/flaky.spec.ts",
            r#"import { test, expect } from '@playwright/test';
globalThis.counter = (globalThis.counter ?? 0) + 1;
test('flaky', async ({ page }, testInfo) => {
  // A fresh isolate per attempt: module state starts over.
  expect(globalThis.counter).toBe(1);
  await page.setContent('<p>attempt ' + testInfo.retry + '</p>');
  expect(testInfo.retry).toBe(1);
});
test('always fails', async () => { throw new Error('nope'); });
"#,
        ),
    ]);
    let run = run_test(dir.path(), &["--retries", "2", "--reporter", "json,junit"]);
    assert_eq!(run.status("flaky"), ["failed", "passed"]);
    assert_eq!(run.status("always fails"), ["failed", "failed", "failed"]);
    assert_eq!(run.code, 1);
    let junit = std::fs::read_to_string(dir.path().join("test-results/junit.xml")).expect("junit");
    assert!(junit.contains("<flakyFailure"), "{junit}");
    assert_eq!(junit.matches("<rerunFailure").count(), 2, "{junit}");

    // Flaky counts as passed.
    let run = run_test(dir.path(), &["--retries", "1", "--grep-invert", "always"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn hooks_and_fixtures_run_in_order() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/order.spec.ts",
            r#"import { test as base, expect } from '@playwright/test';
const log: string[] = [];
const test = base.extend<{ greeting: string; tracker: void }, { db: string }>({
  greeting: async ({ db }, use) => { log.push('greeting+'); await use('hi ' + db); log.push('greeting-'); },
  db: [async ({}, use) => { log.push('db+'); await use('db'); log.push('db-'); }, { scope: 'worker' }],
  tracker: [async ({}, use) => { log.push('auto+'); await use(); log.push('auto-'); }, { auto: true }],
  page: async ({ page }, use) => { await page.setContent('<h1>overridden</h1>'); await use(page); },
});
test.beforeAll(() => { log.push('beforeAll'); });
test.afterAll(() => { log.push('afterAll'); });
test.beforeEach(({ greeting }) => { log.push('beforeEach ' + greeting); });
test.afterEach(() => { log.push('afterEach'); });
test.describe('inner', () => {
  test.beforeEach(() => { log.push('inner beforeEach'); });
  test('one', async ({ greeting, page }) => {
    log.push('one');
    await expect(page.locator('h1')).toHaveText('overridden');
    expect(greeting).toBe('hi db');
  });
});
test('two', async () => {
  log.push('two');
  console.log(log.join(','));
});
"#,
        ),
    ]);
    let run = run_test(dir.path(), &["--workers", "1"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let printed = run.stdout_of["two"].join("");
    assert_eq!(
        printed,
        "beforeAll,auto+,db+,greeting+,beforeEach hi db,inner beforeEach,one,afterEach,greeting-,auto-,auto+,greeting+,beforeEach hi db,two"
    );
}

#[test]
fn a_stuck_test_and_a_memory_bomb_fail_alone() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/bad.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test('infinite loop', () => { while (true) {} });
test('after the loop', () => { expect(1).toBe(1); });
test('memory bomb', () => { const a: number[][] = []; while (true) a.push(new Array(1e6).fill(1)); });
test('buffer bomb', () => { const kept: Uint8Array[] = []; for (let i = 0; i < 1024; i++) kept.push(new Uint8Array(1 << 20)); });
test('after the bomb', async ({ page }) => { test.setTimeout(30000); await page.goto('/'); await expect(page.locator('h1')).toBeVisible(); });
test('never settles', async () => { test.setTimeout(500); await new Promise(() => {}); });
"#,
        ),
        (
            "tests/broken.spec.ts",
            "import { test } from '@playwright/test';\ntest('x', () => { const = 1; });\n",
        ),
        (
            "tests/good.spec.ts",
            "import { test } from '@playwright/test';\ntest('fine', () => {});\n",
        ),
    ]);
    let run = run_test(dir.path(), &["--timeout", "1500"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("infinite loop"), ["timedOut"]);
    assert!(
        run.error("infinite loop")
            .contains("Test timeout of 1500ms exceeded"),
        "{}",
        run.error("infinite loop")
    );
    assert_eq!(run.status("after the loop"), ["passed"]);
    assert_eq!(run.status("memory bomb"), ["failed"]);
    assert!(
        run.error("memory bomb")
            .contains("memory limit of 64 MB exceeded"),
        "{}",
        run.error("memory bomb")
    );
    assert_eq!(run.status("buffer bomb"), ["failed"]);
    assert!(
        run.error("buffer bomb")
            .contains("memory limit of 64 MB exceeded"),
        "{}",
        run.error("buffer bomb")
    );
    assert_eq!(run.status("after the bomb"), ["passed"]);
    assert_eq!(run.status("never settles"), ["timedOut"]);
    assert!(
        run.error("never settles")
            .contains("Test timeout of 500ms exceeded")
    );
    assert_eq!(run.status("fine"), ["passed"]);
    let errors = run.report["errors"].to_string();
    assert!(
        errors.contains("SyntaxError") && errors.contains("tests/broken.spec.ts:2"),
        "{errors}"
    );
}

#[test]
fn only_forbid_only_grep_max_failures_and_list() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/a.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test('login works @smoke', () => {});
test('checkout fails', () => { expect(1).toBe(2); });
test('profile fails', async () => { await new Promise((r) => setTimeout(r, 3000)); expect(1).toBe(2); });
test('search', () => {});
"#,
        ),
        (
            "tests/b.spec.ts",
            r#"import { test } from '@playwright/test';
test.only('focused', () => {});
test('unfocused', () => {});
"#,
        ),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.results.keys().collect::<Vec<_>>(), ["focused"]);
    assert_eq!(run.code, 0);

    let run = run_test(dir.path(), &["--forbid-only"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("focused tests found in --forbid-only mode")
            && run.stderr.contains("tests/b.spec.ts:2"),
        "{}",
        run.stderr
    );

    let run = run_test(dir.path(), &["tests/a.spec.ts", "--grep", "@smoke"]);
    assert_eq!(
        run.results.keys().collect::<Vec<_>>(),
        ["login works @smoke"]
    );

    let run = run_test(dir.path(), &["tests/a.spec.ts", "-x", "--workers", "1"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("checkout fails"), ["failed"]);
    // Starting or running when the first failure stopped the run: never failed.
    let profile = run.status("profile fails");
    assert!(
        profile == ["interrupted"] || profile == ["skipped"],
        "{profile:?}"
    );
    assert_eq!(run.status("search"), ["skipped"]);

    let run = run_test(dir.path(), &["tests/a.spec.ts:3", "--list"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("tests/a.spec.ts:3:1 › checkout fails"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Total: 1 tests"), "{}", run.stdout);

    let run = run_test(dir.path(), &["nothing-matches"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no tests found"), "{}", run.stderr);
    let run = run_test(dir.path(), &["nothing-matches", "--pass-with-no-tests"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_playwright_config_in_typescript_loads_unchanged() {
    let dir = project(&[
        (
            "playwright.config.ts",
            r#"import { defineConfig, devices } from '@playwright/test';
export default defineConfig({
  testDir: './e2e',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 2 : 0,
  workers: process.env.CI ? 1 : undefined,
  reporter: [['json'], ['list']],
  use: { trace: 'on-first-retry', locale: 'de-DE' },
  webServer: { static: 'site' },
  projects: [
    { name: 'chromium', use: { ...devices['Desktop Chrome'] } },
    { name: 'mobile', use: { ...devices['Pixel 5'] } },
  ],
});
"#,
        ),
        (
            "e2e/ua.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test('viewport and locale follow the project', async ({ page }, testInfo) => {
  await page.goto('/');
  const info = await page.evaluate(() => ({ w: innerWidth, lang: navigator.language, ua: navigator.userAgent }));
  expect(info.lang).toBe('de-DE');
  if (testInfo.project.name === 'mobile') {
    expect(info.w).toBe(393);
    expect(info.ua).toContain('Pixel 5');
  } else {
    expect(info.w).toBe(1280);
  }
});
"#,
        ),
    ]);
    let run = run_test(dir.path(), &["-c", "playwright.config.ts"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("[chromium] ›") && run.stdout.contains("[mobile] ›"),
        "{}",
        run.stdout
    );
    // `trace: 'on-first-retry'` is supported: nothing to warn about.
    assert!(!run.stderr.contains("use.trace"), "{}", run.stderr);

    let run = run_test(
        dir.path(),
        &["-c", "playwright.config.ts", "--project", "mobile"],
    );
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains("[chromium]"), "{}", run.stdout);
}

#[test]
fn bad_input_exits_2_with_a_hint() {
    let dir = project(&[("isolate-browser.config.json", r#"{ "retries": "many" }"#)]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`retries` must be a number"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);

    let dir = project(&[(
        "isolate-browser.config.ts",
        "export default { testDir: 'tests', ",
    )]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("isolate-browser.config.ts"),
        "{}",
        run.stderr
    );

    let dir = project(&[(
        "tests/a.spec.ts",
        "import { test } from '@playwright/test';\ntest('a', () => {});\n",
    )]);
    let run = run_test(dir.path(), &["--reporter", "fancy"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown reporter \"fancy\""),
        "{}",
        run.stderr
    );
    let run = run_test(dir.path(), &["--workers", "zero"]);
    assert_eq!(run.code, 2);
    let run = run_test(dir.path(), &["--project", "nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("project \"nope\" not found"),
        "{}",
        run.stderr
    );
    let run = run_test(dir.path(), &["--no-such-flag"]);
    assert_eq!(run.code, 2);
}

#[test]
fn junit_xml_is_well_formed_with_nasty_characters_and_counts_right() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/nasty.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test.describe('tricky <suite> & "quotes"', () => {
  test('ends a CDATA ]]> and has \u0001 control', () => {
    console.log('stdout with ]]> and \u0007 bell & <tags>');
    console.error('stderr line');
    throw new Error('boom ]]> <b>&amp; \u0001\u001b[31mred');
  });
  test('passes', () => {});
  test.skip('skipped', () => {});
});
"#,
        ),
    ]);
    let run = run_test(dir.path(), &["--reporter", "junit,json"]);
    assert_eq!(run.code, 1);
    let xml =
        std::fs::read_to_string(dir.path().join("test-results/junit.xml")).expect("junit written");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut testcases = 0;
    let mut failures = 0;
    let mut skipped = 0;
    let mut totals = None;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                match e.name().as_ref() {
                    b"testcase" => testcases += 1,
                    b"failure" => failures += 1,
                    b"skipped" => skipped += 1,
                    b"testsuites" => {
                        let attr = |name: &str| {
                            e.attributes()
                                .flatten()
                                .find(|a| a.key.as_ref() == name.as_bytes())
                                .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                        };
                        totals = Some((attr("tests"), attr("failures"), attr("skipped")));
                    }
                    _ => {}
                }
            }
            Ok(quick_xml::events::Event::Text(t)) => text.push_str(&String::from_utf8_lossy(&t)),
            Ok(quick_xml::events::Event::CData(t)) => text.push_str(&String::from_utf8_lossy(&t)),
            Ok(_) => {}
            Err(e) => panic!(
                "junit.xml is not well-formed at {}: {e}\n{xml}",
                reader.error_position()
            ),
        }
    }
    assert_eq!((testcases, failures, skipped), (3, 1, 1), "{xml}");
    assert_eq!(
        totals,
        Some((Some("3".into()), Some("1".into()), Some("1".into()))),
        "{xml}"
    );
    assert!(
        !xml.contains('\u{1}') && !xml.contains('\u{7}'),
        "control characters must not reach the XML"
    );
    assert!(
        xml.contains("tricky &lt;suite&gt; &amp; &quot;quotes&quot; › ends a CDATA"),
        "{xml}"
    );
    assert!(xml.contains("stdout with"), "{xml}");
    assert!(xml.contains("stderr line"), "{xml}");

    // The output file can come from the environment, as in CI setups.
    let out = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args(["test", "--reporter", "junit"])
        .env("ISOLATE_BROWSER_JUNIT_OUTPUT_NAME", "ci/results.xml")
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(dir.path().join("ci/results.xml").is_file());
}

#[test]
fn projects_run_after_their_dependencies_and_share_saved_state() {
    let config = r#"{
  "webServer": { "static": "site" }, "reporter": [["json"]], "workers": 2,
  "projects": [
    { "name": "setup", "testMatch": "**/*.setup.ts" },
    { "name": "app", "testMatch": "**/*.spec.ts", "dependencies": ["setup"], "use": { "storageState": "playwright/.auth/auth.json", "locale": "fr-FR" } }
  ]
}"#;
    let setup = r#"import { test as setup } from '@playwright/test';
setup('log in', async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.setItem('token', 'abc'));
  await page.context().storageState({ path: 'playwright/.auth/auth.json' });
});
"#;
    let spec = r#"import { test, expect } from '@playwright/test';
test.use({ viewport: { width: 500, height: 400 } });
test('starts signed in', async ({ page }) => {
  await page.goto('/');
  expect(await page.evaluate(() => localStorage.getItem('token'))).toBe('abc');
  expect(await page.evaluate(() => [innerWidth, navigator.language])).toEqual([500, 'fr-FR']);
});
test.describe.serial('in order', () => {
  test('first fails', () => { throw new Error('stop here'); });
  test('second is not run', () => {});
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", config),
        ("tests/auth.setup.ts", setup),
        ("tests/app.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.status("log in"), ["passed"], "{}", run.stdout);
    assert_eq!(
        run.status("starts signed in"),
        ["passed"],
        "{}",
        run.error("starts signed in")
    );
    assert_eq!(run.status("in order › first fails"), ["failed"]);
    assert_eq!(run.status("in order › second is not run"), ["skipped"]);
    assert!(dir.path().join("playwright/.auth/auth.json").is_file());

    // A failing dependency skips its dependants, with the reason.
    std::fs::write(
        dir.path().join("tests/auth.setup.ts"),
        "import { test } from '@playwright/test';\ntest('log in', () => { throw new Error('no login'); });\n",
    )
    .expect("rewrite");
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.status("log in"), ["failed"]);
    assert_eq!(run.status("starts signed in"), ["skipped"]);
    assert!(
        run.report
            .to_string()
            .contains("dependency project \\\"setup\\\" failed"),
        "{}",
        run.report
    );
    assert_eq!(run.code, 1);
}

#[test]
fn a_web_server_command_is_started_waited_for_and_stopped() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let config = format!(
        r#"{{ "testDir": "tests", "reporter": [["json"]],
  "webServer": {{ "command": "python3 -m http.server {port} --bind 127.0.0.1 --directory site", "url": "http://127.0.0.1:{port}/", "timeout": 20000 }},
  "use": {{ "baseURL": "http://127.0.0.1:{port}" }} }}"#
    );
    let dir = project(&[
        ("isolate-browser.config.json", &config),
        (
            "tests/a.spec.ts",
            "import { test, expect } from '@playwright/test';\ntest('served', async ({ page }) => { await page.goto('/'); await expect(page).toHaveTitle('Demo App'); });\n",
        ),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("served"),
        ["passed"],
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the server is stopped after the run"
    );

    // A command that exits before it is ready is an environment error.
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "webServer": { "command": "echo starting; exit 3", "port": 1 } }"#,
        ),
        (
            "tests/a.spec.ts",
            "import { test } from '@playwright/test';\ntest('x', () => {});\n",
        ),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("webServer") && run.stderr.contains("starting"),
        "{}",
        run.stderr
    );
}

#[test]
fn hook_failures_fail_the_tests_they_cover() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/hooks.spec.ts",
            r#"import { test } from '@playwright/test';
test.describe('broken setup', () => {
  test.beforeAll(() => { throw new Error('db down'); });
  test('a', () => {});
  test('b', () => {});
});
test.describe('broken teardown', () => {
  test.afterAll(() => { throw new Error('cleanup failed'); });
  test('c', () => {});
  test('d', () => {});
});
test('e', () => {});
"#,
        ),
    ]);
    let run = run_test(dir.path(), &["--workers", "1"]);
    assert_eq!(run.status("broken setup › a"), ["failed"]);
    assert_eq!(run.status("broken setup › b"), ["failed"]);
    assert!(
        run.error("broken setup › b").contains("db down"),
        "{}",
        run.error("broken setup › b")
    );
    assert_eq!(run.status("broken teardown › c"), ["passed"]);
    assert_eq!(run.status("broken teardown › d"), ["failed"]);
    assert!(
        run.error("broken teardown › d")
            .contains("afterAll hook: cleanup failed"),
        "{}",
        run.error("broken teardown › d")
    );
    assert_eq!(run.status("e"), ["passed"]);
}

#[test]
fn a_worker_fixture_whose_teardown_throws_is_reported() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/worker.spec.ts",
            r#"import { test as base, expect } from '@playwright/test';
const test = base.extend<{}, { db: string }>({
  db: [async ({}, use) => {
    await use('connected');
    throw new Error('the database would not close');
  }, { scope: 'worker' }],
});
test('uses the worker fixture', ({ db }) => { expect(db).toBe('connected'); });
"#,
        ),
    ]);
    let run = run_test(dir.path(), &["--workers", "1"]);
    assert_eq!(run.status("uses the worker fixture"), ["passed"]);
    assert_eq!(
        run.code, 1,
        "a failing teardown fails the run: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("tearing down worker fixtures failed")
            && run.stdout.contains("the database would not close"),
        "{}",
        run.stdout
    );
    let errors = run.report["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.contains("the database would not close"))),
        "the JSON report lists it: {errors:?}"
    );
}

/// A test that logs without end: its output is kept up to `outputLimitMb` (4 MiB by default)
/// and every report says how much was dropped; the JUnit file stays small.
#[test]
fn console_output_of_a_test_is_bounded_with_a_note() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["list"], ["json"], ["junit", { "outputFile": "junit.xml" }]] }"#,
        ),
        (
            "tests/loud.spec.ts",
            r#"import { test } from '@playwright/test';
test('loud', () => {
  const line = 'x'.repeat(10_000);
  for (let i = 0; i < 1500; i++) console.log(line);
});
test('quiet', () => { console.log('just this'); });
"#,
        ),
    ]);
    let run = run_test(dir.path(), &["--workers", "1"]);
    assert_eq!(run.status("loud"), ["passed"]);
    let loud = &run.stdout_of["loud"];
    let kept: usize = loud.iter().map(|l| l.len() + 1).sum();
    assert!(kept <= 4 * 1024 * 1024 + 1024, "kept {kept} bytes");
    let note = loud.last().expect("a note");
    assert!(
        note.contains("lines") && note.contains("were dropped") && note.contains("outputLimitMb"),
        "{note}"
    );
    assert_eq!(
        run.stdout_of["quiet"],
        ["just this"],
        "the next test starts over"
    );
    let junit = std::fs::metadata(dir.path().join("junit.xml"))
        .expect("junit")
        .len();
    assert!(junit < 5 * 1024 * 1024, "junit.xml is {junit} bytes");
    assert_eq!(
        run.stdout.matches("over its limit of 4.0 MiB").count(),
        1,
        "the list reporter says it once"
    );
}

/// A rejection nobody handles fails the test whose promise it is while that test runs; once
/// that test is over it is a file-level error naming the test, never a failure of the test that
/// happens to run when it surfaces.
#[test]
fn a_late_rejection_is_blamed_on_its_test_never_the_next() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/late.spec.ts",
            r#"import { test } from '@playwright/test';
test('leaves a promise behind', () => {
  new Promise((_, reject) => setTimeout(() => reject(new Error('late boom')), 300));
});
test('runs while it rejects', async () => {
  await new Promise((resolve) => setTimeout(resolve, 800));
});
test('rejects while it runs', async () => {
  Promise.reject(new Error('now boom'));
  await new Promise((resolve) => setTimeout(resolve, 100));
});
test('after them', () => {});
"#,
        ),
        (
            "tests/throws-at-load.spec.ts",
            "import { test } from '@playwright/test';\ntest('declared first', () => {});\nthrow new Error('load boom');\n",
        ),
    ]);
    let run = run_test(dir.path(), &["--workers", "1"]);
    // A throw while a file loads is still that file's error (not a rejection to swallow).
    assert!(
        run.report["errors"].to_string().contains("load boom"),
        "{}",
        run.report["errors"]
    );
    assert_eq!(run.status("leaves a promise behind"), ["passed"]);
    assert_eq!(
        run.status("runs while it rejects"),
        ["passed"],
        "{}",
        run.error("runs while it rejects")
    );
    assert_eq!(run.status("rejects while it runs"), ["failed"]);
    assert!(
        run.error("rejects while it runs").contains("now boom"),
        "{}",
        run.error("rejects while it runs")
    );
    assert_eq!(run.status("after them"), ["passed"]);
    let errors = run.report["errors"].to_string();
    assert!(
        errors.contains("a promise of test \\\"leaves a promise behind\\\" rejected after the test had ended: late boom"),
        "{errors}"
    );
    assert_eq!(run.code, 1, "the late rejection fails the run");
}

/// Values of `secretEnv` variables and literal `secrets` are `***` in console output, errors,
/// steps, text attachments and every report.
#[test]
fn secrets_are_masked_everywhere_they_could_show() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "secrets": ["s3cr3t-literal"], "secretEnv": ["MY_TOKEN"],
  "reporter": [["list"], ["json"], ["junit", { "outputFile": "junit.xml" }]] }"#,
        ),
        (
            "tests/leak.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test('leaks', async () => {
  console.log('the password is s3cr3t-literal');
  await test.info().attach('notes', { body: 'token tok-12345 inside' });
  await test.step('log in as tok-12345', async () => {});
  expect('tok-12345').toBe('something else');
});
"#,
        ),
    ]);
    let run = run_test_with_env(dir.path(), &[], &[("MY_TOKEN", "tok-12345")]);
    assert_eq!(run.status("leaks"), ["failed"]);
    assert_eq!(run.stdout_of["leaks"], ["the password is ***"]);
    assert!(run.error("leaks").contains("***"), "{}", run.error("leaks"));
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit");
    let attachments: Vec<String> = std::fs::read_dir(dir.path().join("test-results"))
        .expect("results")
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        .filter_map(|f| std::fs::read_to_string(f.path()).ok())
        .collect();
    assert!(
        attachments.iter().any(|a| a == "token *** inside"),
        "{attachments:?}"
    );
    for (what, text) in [
        ("stdout", run.stdout.as_str()),
        ("stderr", run.stderr.as_str()),
        ("json", &run.report.to_string()),
        ("junit", junit.as_str()),
    ] {
        assert!(
            !text.contains("s3cr3t-literal") && !text.contains("tok-12345"),
            "{what} shows a secret: {text}"
        );
    }
    assert!(run.report.to_string().contains("log in as ***"));
}

/// A spec that replaces the built-ins the harness used to decide and report outcomes with
/// cannot make a failing test report passed (or skipped, or vanish).
#[test]
fn tampering_with_built_ins_cannot_forge_a_pass() {
    let failing = r#"
test('fails an assertion', () => { expect(1).toBe(2); });
test('throws', () => { throw new Error('really broken'); });
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        (
            "tests/json.spec.ts",
            &format!(
                r#"import {{ test, expect }} from '@playwright/test';
JSON.stringify = () => '{{"id":0,"status":"passed","errors":[],"annotations":[],"attachments":[],"steps":[]}}';
(Array.prototype as any).toJSON = function () {{ return []; }};
(Object.prototype as any).toJSON = function () {{ return {{ status: 'passed' }}; }};
{failing}"#
            ),
        ),
        (
            "tests/arrays.spec.ts",
            &format!(
                r#"import {{ test, expect }} from '@playwright/test';
Array.prototype.push = function () {{ return this.length; }};
Array.prototype.filter = function () {{ return []; }};
Array.prototype.map = function () {{ return []; }};
Array.prototype.every = function () {{ return true; }};
Object.is = () => true;
{failing}
test('fails a deep equality', () => {{ expect([1, 2]).toEqual([1, 3]); }});"#
            ),
        ),
        (
            "tests/iterators.spec.ts",
            &format!(
                r#"import {{ test, expect }} from '@playwright/test';
Array.prototype[Symbol.iterator] = function* () {{}};
{failing}"#
            ),
        ),
        (
            "tests/promises.spec.ts",
            &format!(
                r#"import {{ test, expect }} from '@playwright/test';
Promise.race = (() => Promise.resolve()) as any;
{failing}"#
            ),
        ),
        (
            "tests/then.spec.ts",
            &format!(
                r#"import {{ test, expect }} from '@playwright/test';
const then = Promise.prototype.then;
Promise.prototype.then = function (ok: any) {{ return then.call(Promise.resolve(), ok); }} as any;
{failing}"#
            ),
        ),
    ]);
    let run = run_test(dir.path(), &["--timeout", "3000"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    // Every test of every tampered file ran and failed (or timed out): none passed or skipped.
    let mut seen = Vec::new();
    for suite in run.report["suites"].as_array().expect("suites") {
        let file = suite["title"].as_str().unwrap_or_default().to_string();
        for spec in suite["specs"].as_array().into_iter().flatten() {
            let status = spec["tests"][0]["results"]
                .as_array()
                .and_then(|r| r.last())
                .and_then(|r| r["status"].as_str())
                .unwrap_or_default()
                .to_string();
            seen.push((
                file.clone(),
                spec["title"].as_str().unwrap_or_default().to_string(),
                status,
            ));
        }
    }
    // The array iteration protocol and `Promise.prototype.then` are fixed in test runtimes:
    // replacing them fails the file's load, loudly; the other three files run their tests.
    let errors = run.report["errors"].to_string();
    assert!(
        errors.contains("Cannot assign to read only property 'Symbol(Symbol.iterator)'"),
        "{errors}"
    );
    assert!(
        errors.contains("Cannot assign to read only property 'then'"),
        "{errors}"
    );
    assert_eq!(seen.len(), 7, "{seen:?}");
    for (file, title, status) in &seen {
        assert!(
            status == "failed" || status == "timedOut",
            "{file} › {title} reported {status}"
        );
    }
}

/// Each file replaces something a matcher could depend on, then asserts something false: the
/// assertion must still fail, with its own message. One file per tamper, so each starts clean.
#[test]
fn tampering_with_what_matchers_use_cannot_forge_a_pass() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "object-is",
            "Object.is = () => true;",
            "expect(1).toBe(2);",
            "toBe",
        ),
        (
            "object-keys",
            "Object.keys = () => [];",
            "expect({ a: 1 }).toEqual({ a: 2 });",
            "toEqual",
        ),
        (
            "object-entries",
            "Object.entries = () => [['toBe', () => ({ pass: true })]];",
            "expect(1).toBe(2);",
            "toBe",
        ),
        (
            "object-proto-isnot",
            "Object.defineProperty(Object.prototype, 'isNot', { get: () => true, configurable: true });",
            "expect(1).toBe(2);",
            "toBe",
        ),
        (
            "object-proto-then",
            "Object.defineProperty(Object.prototype, 'then', { value: function () {}, configurable: true });",
            "expect(1).toBe(2);",
            "",
        ),
        (
            "map-iter",
            "Map.prototype[Symbol.iterator] = function* () {}; Map.prototype.entries = function* () {};",
            "expect(new Map([[1, 1]])).toEqual(new Map([[1, 2]]));",
            "toEqual",
        ),
        (
            "map-get",
            "Map.prototype.get = () => 1; Map.prototype.has = () => true;",
            "expect(new Map([[1, 1]])).toEqual(new Map([[1, 2]]));",
            "toEqual",
        ),
        (
            "set-has",
            "Set.prototype.has = () => true; Object.defineProperty(Set.prototype, 'size', { get: () => 0 });",
            "expect(new Set([1])).toEqual(new Set([2, 3]));",
            "toEqual",
        ),
        (
            "error-has-instance",
            "Object.defineProperty(Error, Symbol.hasInstance, { value: () => true });",
            "expect({ a: 1 }).toEqual({ a: 2 });",
            "toEqual",
        ),
        (
            "error-ctor",
            "(globalThis as any).Error = function () { return {}; };",
            "expect(1).toBe(2);",
            "toBe",
        ),
        (
            "error-proto",
            "Object.defineProperty(Error.prototype, 'message', { get: () => '', set() {} }); Error.captureStackTrace = () => {};",
            "expect(1).toBe(2);",
            "toBe",
        ),
        (
            "date",
            "Object.defineProperty(Date, Symbol.hasInstance, { value: () => true }); (Object.prototype as any).getTime = () => 1;",
            "expect({ a: 1 }).toEqual({ a: 2 });",
            "toEqual",
        ),
        (
            "regexp",
            "RegExp.prototype.toString = () => 'same'; RegExp.prototype.test = () => true; RegExp.prototype.exec = () => [] as any;",
            "expect('abc').toMatch(/z/);",
            "toMatch",
        ),
        (
            "regexp-equal",
            "RegExp.prototype.toString = () => 'same';",
            "expect(/a/).toEqual(/b/);",
            "toEqual",
        ),
        (
            "typed-array",
            "Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), 'length', { get: () => 0 });",
            "expect(new Uint8Array([1])).toEqual(new Uint8Array([2]));",
            "toEqual",
        ),
        (
            "string",
            "String.prototype.includes = () => true;",
            "expect('abc').toContain('z');",
            "toContain",
        ),
        (
            "array-includes",
            "Array.prototype.includes = () => true; Array.prototype.some = () => true;",
            "expect([1]).toContain(2);",
            "toContain",
        ),
        (
            "array-push",
            "Array.prototype.push = function () { return 0; }; Array.prototype.splice = () => [];",
            "expect.soft(1).toBe(2);",
            "toBe",
        ),
        (
            "number-math",
            "Number.isNaN = () => true; Math.abs = () => 0;",
            "expect(1).toBeCloseTo(2);",
            "toBeCloseTo",
        ),
        (
            "json",
            "JSON.stringify = () => '{}'; JSON.parse = () => ({ status: 'passed' });",
            "expect(1).toBe(2);",
            "toBe",
        ),
        (
            "reflect",
            "Reflect.apply = (() => ({ pass: true })) as any; Reflect.ownKeys = () => []; Reflect.getPrototypeOf = () => null;",
            "expect({ a: 1 }).toStrictEqual({ a: 2 });",
            "toStrictEqual",
        ),
        (
            "function-call",
            "Function.prototype.call = function () { return { pass: true }; } as any;",
            "expect(1).toBe(2);",
            "",
        ),
        (
            "expect-internals",
            "try { (expect as any).soft = () => ({ toBe() {} }); } catch {} try { Object.getPrototypeOf(expect(1)).toBe = () => {}; } catch {}",
            "expect.soft(1).toBe(2);",
            "toBe",
        ),
        (
            "to-be-ok",
            "const r = await request.get('/missing'); Object.defineProperty(r, 'ok', { value: () => true }); (r as any).constructor.prototype.ok = () => true;",
            "expect(r).toBeOK();",
            "toBeOK",
        ),
        (
            "web-first-text",
            "Array.prototype.map = (() => ['Hello']) as any; Object.defineProperty(RegExp, Symbol.hasInstance, { value: () => false });",
            "await page.goto('/'); await expect(page.locator('h1')).toHaveText(['Nope'], { timeout: 500 });",
            "toHaveText",
        ),
        (
            "rejects",
            "const p = Promise.resolve(1); (Promise as any).resolve = () => Promise.reject(new Error('x'));",
            "await expect(p).rejects.toThrow();",
            "rejects.toThrow",
        ),
    ];
    let mut files: Vec<(String, String)> =
        vec![("isolate-browser.config.json".into(), CONFIG.to_string())];
    for (name, tamper, assertion, _) in cases {
        files.push((
            format!("tests/{name}.spec.ts"),
            format!(
                "import {{ test, expect }} from '@playwright/test';\ntest('{name}', async ({{ page, request }}) => {{\n  {tamper}\n  {assertion}\n}});\n"
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = project(&refs);
    let run = run_test(dir.path(), &["--timeout", "3000", "--workers", "2"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    for (name, _, _, matcher) in cases {
        assert_eq!(run.status(name), ["failed"], "{name}: {}", run.error(name));
        if !matcher.is_empty() {
            assert!(
                run.error(name).contains(&format!(".{matcher}(")),
                "{name} failed with its assertion: {}",
                run.error(name)
            );
        }
    }
}

/// `process` in a test: `env` holds exactly the variables `allowEnv` names (of those the host
/// has), under the global and `node:process` / `process` imports alike; changes stay in their
/// file (as in a Node worker, tests of a file share them); `exit` throws where it is called
/// instead of ending anything.
#[test]
fn process_env_holds_only_the_allowed_variables() {
    let spec = r#"import { test, expect } from '@playwright/test';
import processModule, { env } from 'node:process';
import bare from 'process';
test('allowed', async () => {
  expect(process.env.IB_ALLOWED).toBe('yes');
  expect(process.env.IB_SECRETLESS_HIDDEN).toBeUndefined();
  expect(process.env.PATH).toBeUndefined();
  expect(Object.keys(process.env)).toEqual(['IB_ALLOWED', 'TMPDIR']);
  expect(processModule).toBe(process);
  expect(bare).toBe(process);
  expect(env).toBe(process.env);
  expect(process.cwd()).toBe('/');
  expect(process.platform).toBe('linux');
  process.env.IB_ALLOWED = 'changed';
  process.env.IB_ADDED = '1';
  const ticked = await new Promise((resolve) => process.nextTick(resolve, 'tick'));
  expect(ticked).toBe('tick');
  expect(() => process.exit(1)).toThrow('process.exit(1) was called');
});
"#;
    // Another file starts from the allowed variables again.
    let other = r#"import { test, expect } from '@playwright/test';
test('fresh', async () => {
  expect(process.env.IB_ALLOWED).toBe('yes');
  expect(process.env.IB_ADDED).toBeUndefined();
});
"#;
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]], "workers": 1, "allowEnv": ["IB_ALLOWED", "IB_UNSET"] }"#,
        ),
        ("tests/env.spec.ts", spec),
        ("tests/other.spec.ts", other),
    ]);
    let run = run_test_with_env(
        dir.path(),
        &[],
        &[("IB_ALLOWED", "yes"), ("IB_SECRETLESS_HIDDEN", "no")],
    );
    for name in ["allowed", "fresh"] {
        assert_eq!(run.status(name), ["passed"], "{}", run.error(name));
    }
}

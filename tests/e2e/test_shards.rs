//! Spreading a run and running it again: `--shard i/N` splits the tests as Playwright Test
//! does (checked against Playwright's own `--list --shard`), `--last-failed` runs exactly what
//! failed last time, `--fail-on-flaky-tests` and `--global-timeout` fail the run.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::test_runner::project;
use crate::test_runner::run_test;

/// Files of every kind of group: a default-mode file (one group), a parallel file (a group
/// per test) and a parallel file with a serial describe (one group for the describe).
const FILES: &[(&str, &str)] = &[
    (
        "shard-tests/a.spec.ts",
        "import { test } from '@playwright/test';\nfor (let i = 0; i < 5; i++) test(`a${i}`, async () => {});\n",
    ),
    (
        "shard-tests/b.spec.ts",
        "import { test } from '@playwright/test';\ntest.describe.configure({ mode: 'parallel' });\nfor (let i = 0; i < 6; i++) test(`b${i}`, async () => {});\n",
    ),
    (
        "shard-tests/c.spec.ts",
        "import { test } from '@playwright/test';\ntest.describe.configure({ mode: 'parallel' });\ntest('c0', async () => {});\ntest.describe.serial('together', () => {\n  for (let i = 1; i <= 3; i++) test(`c${i}`, async () => {});\n});\ntest('c4', async () => {});\n",
    ),
];

const CONFIG: &str = "import { defineConfig } from '@playwright/test';\nexport default defineConfig({ testDir: './shard-tests', workers: 1 });\n";

/// The test titles a `--list` output names.
fn listed(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(" › "))
        .filter_map(|l| l.rsplit(" › ").next())
        .map(|t| t.trim().to_string())
        .collect()
}

fn ours(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .arg("test")
        .args(args)
        .env_remove("CI")
        .current_dir(dir)
        .output()
        .expect("the CLI starts")
}

#[test]
fn shards_split_as_playwright_does_and_cover_every_test_once() {
    let fixture = crate::npm_project::installed_fixture();
    let dir = fixture.path();
    for (path, text) in FILES {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    std::fs::write(dir.join("shard.config.ts"), CONFIG).expect("config");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let out = ours(dir, &["-c", "shard.config.ts", "--list", "--shard", shard]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mine = listed(&String::from_utf8_lossy(&out.stdout));
        let theirs = Command::new("npx")
            .args([
                "playwright",
                "test",
                "-c",
                "shard.config.ts",
                "--list",
                "--shard",
                shard,
            ])
            .env_remove("CI")
            .current_dir(dir)
            .output()
            .expect("npx runs");
        let theirs = listed(&String::from_utf8_lossy(&theirs.stdout));
        assert_eq!(mine, theirs, "shard {shard}");
        for t in mine {
            *seen.entry(t).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), 16, "{seen:?}");
    assert!(seen.values().all(|&n| n == 1), "{seen:?}");

    // A shard runs just its tests.
    let out = ours(
        dir,
        &[
            "-c",
            "shard.config.ts",
            "--shard",
            "3/3",
            "--reporter",
            "dot",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("5 passed"), "{text}");

    // A bad shard is a usage error.
    let out = ours(dir, &["-c", "shard.config.ts", "--shard", "4/3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 1 and the total"));
}

const RERUN: &str = r#"import { test, expect } from '@playwright/test';
test('passes', async () => {});
test('fails', async () => { expect(process.env.FIXED ?? 'no').toBe('yes'); });
test('also fails', async () => { throw new Error('boom'); });
test('flaky', async ({}, info) => { expect(info.retry).toBe(1); });
"#;

#[test]
fn last_failed_runs_exactly_the_failures_and_flakes_can_fail_the_run() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]], "workers": 1, "retries": 1 }"#,
        ),
        ("tests/rerun.spec.ts", RERUN),
    ]);
    let first = run_test(dir.path(), &[]);
    assert_eq!(first.code, 1);
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("test-results/.last-run.json"))
            .expect(".last-run.json"),
    )
    .expect("json");
    assert_eq!(record["status"], "failed");
    assert_eq!(record["failedTests"].as_array().map(Vec::len), Some(2));

    let again = run_test(dir.path(), &["--last-failed"]);
    let ran: Vec<String> = again.results.keys().cloned().collect();
    assert_eq!(ran, ["also fails", "fails"], "{}", again.stdout);
    assert_eq!(again.code, 1);

    // Only a flaky test left: it passes, unless flakes fail the run.
    let only_flaky = ["-g", "flaky"];
    assert_eq!(run_test(dir.path(), &only_flaky).code, 0);
    let strict = run_test(dir.path(), &["-g", "flaky", "--fail-on-flaky-tests"]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    assert_eq!(strict.report["stats"]["flaky"], 1);
    // Nothing failed last time: --last-failed runs nothing, and that passes.
    let none = run_test(dir.path(), &["--last-failed"]);
    assert_eq!(none.code, 0, "{}{}", none.stdout, none.stderr);
    assert!(none.results.is_empty());
}

#[test]
fn the_global_timeout_stops_the_run_and_fails_it() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]], "workers": 1, "globalTimeout": 1500 }"#,
        ),
        (
            "tests/slow.spec.ts",
            "import { test } from '@playwright/test';\ntest('quick', async () => {});\ntest('slow', async () => { await new Promise((r) => setTimeout(r, 20000)); });\ntest('never', async () => {});\n",
        ),
    ]);
    let started = std::time::Instant::now();
    let run = run_test(dir.path(), &[]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "stopped, not waited out"
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("Timed out waiting 1.5s for the entire test run"),
        "{}",
        run.stderr
    );
    assert_eq!(run.status("quick"), ["passed"]);
    assert_ne!(run.status("slow"), ["passed"]);
}

/// 200 tests whose time is piled at the front: 20 of 200 ms, 30 of 50 ms, then 150 quick
/// ones, and a serial describe of three that must stay together.
fn skewed_suite() -> String {
    let mut spec = String::from(
        "import { test } from '@playwright/test';\nconst wait = (ms) => new Promise((r) => setTimeout(r, ms));\n",
    );
    for i in 0..197 {
        let ms = if i < 20 {
            200
        } else if i < 50 {
            50
        } else {
            0
        };
        spec.push_str(&format!(
            "test('t{i:03}', async () => {{ await wait({ms}); }});\n"
        ));
    }
    spec.push_str("test.describe.serial('serial', () => {\n  for (const n of ['s1', 's2', 's3']) test(n, async () => { await wait(20); });\n});\n");
    spec
}

/// The expected test time a shard announced on stderr, in seconds.
fn announced(stderr: &str) -> f64 {
    stderr
        .lines()
        .find_map(|l| {
            let rest = l.strip_prefix("Shard ")?;
            let (_, after) = rest.split_once(" tests, ")?;
            after.split_once("s of test time expected")?.0.parse().ok()
        })
        .unwrap_or_else(|| panic!("no shard line in {stderr}"))
}

#[test]
fn a_duration_split_finishes_together_where_a_count_split_does_not() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]], "workers": 2, "fullyParallel": true }"#,
        ),
        ("tests/skewed.spec.ts", &skewed_suite()),
    ]);
    // The first run records every test's time.
    let full = run_test(dir.path(), &[]);
    assert_eq!(full.code, 0, "{}{}", full.stdout, full.stderr);
    assert_eq!(full.results.len(), 200);
    let timings: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("test-results/.timings.json")).expect("timings"),
    )
    .expect("json");
    assert_eq!(timings["tests"].as_object().map(|o| o.len()), Some(200));

    let mut imbalance = Vec::new();
    for balance in ["count", "duration"] {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut loads = Vec::new();
        let mut serial_shards = Vec::new();
        for i in 1..=4 {
            let shard = format!("{i}/4");
            let run = run_test(dir.path(), &["--shard", &shard, "--shard-balance", balance]);
            assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
            loads.push(announced(&run.stderr));
            let actual = run
                .stderr
                .lines()
                .find(|l| l.contains("of test time ("))
                .unwrap_or_default()
                .to_string();
            eprintln!("{balance} {actual}");
            assert!(
                run.stderr.contains("of test time ("),
                "the actual time is told: {}",
                run.stderr
            );
            for t in run.results.keys() {
                *seen.entry(t.clone()).or_default() += 1;
            }
            let serial: Vec<bool> = ["serial › s1", "serial › s2", "serial › s3"]
                .iter()
                .map(|t| run.results.contains_key(*t))
                .collect();
            assert!(
                serial.iter().all(|s| *s == serial[0]),
                "{balance} {shard}: {serial:?}"
            );
            if serial[0] {
                serial_shards.push(i);
            }
            // The shards that follow read the history this one updated; restore the first
            // run's, so every shard of a split deals from the same timings.
            std::fs::write(
                dir.path().join("test-results/.timings.json"),
                timings.to_string(),
            )
            .expect("restore");
        }
        assert_eq!(seen.len(), 200, "{balance}: every test once");
        assert!(seen.values().all(|&n| n == 1), "{balance}: {seen:?}");
        assert_eq!(
            serial_shards.len(),
            1,
            "{balance}: the serial group runs in one shard"
        );
        let ideal = loads.iter().sum::<f64>() / 4.0;
        let longest = loads.iter().copied().fold(0.0, f64::max);
        eprintln!(
            "{balance}: shard loads {loads:?}, longest / ideal = {:.2}",
            longest / ideal
        );
        imbalance.push(longest / ideal);
    }
    assert!(
        imbalance[0] > 2.0,
        "the count split is skewed here: {imbalance:?}"
    );
    assert!(
        imbalance[1] <= 1.15,
        "the duration split is within 15%: {imbalance:?}"
    );
}

#[test]
fn repeat_each_runs_every_test_n_times_as_its_own_test() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]], "workers": 2 }"#,
        ),
        (
            "tests/repeat.spec.ts",
            "import { test } from '@playwright/test';\ntest('one', async ({}, info) => { console.log(`repeat ${info.repeatEachIndex} ${info.outputDir}`); });\ntest('two', async () => {});\n",
        ),
    ]);
    let run = run_test(dir.path(), &["--repeat-each", "3"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.report["stats"]["expected"], 6,
        "{}",
        run.report["stats"]
    );
    let specs = run.report["suites"][0]["specs"].as_array().expect("specs");
    let ones: Vec<&serde_json::Value> = specs.iter().filter(|s| s["title"] == "one").collect();
    assert_eq!(ones.len(), 3);
    let mut seen: Vec<String> = ones
        .iter()
        .map(|s| {
            s["tests"][0]["results"][0]["stdout"][0]["text"]
                .as_str()
                .expect("stdout")
                .trim()
                .to_string()
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            "repeat 0 /test-results/tests-repeat-spec-ts-one",
            "repeat 1 /test-results/tests-repeat-spec-ts-one-repeat1",
            "repeat 2 /test-results/tests-repeat-spec-ts-one-repeat2",
        ]
    );
    // A repetition count of 0 is refused.
    let bad = run_test(dir.path(), &["--repeat-each", "0"]);
    assert_eq!(bad.code, 2);
}

const MERGE_SPEC: &str = r#"import { test, expect } from '@playwright/test';
test('passes with a step and an attachment', async ({}, info) => {
  await test.step('the step', async () => {});
  await info.attach('note', { body: 'hello', contentType: 'text/plain' });
});
test('flaky', async ({}, info) => { expect(info.retry).toBe(1); });
test('fails', async () => { expect(1).toBe(2); });
test.skip('skipped', async () => {});
test('quick', async () => {});
test('also quick', async () => {});
"#;

/// The embedded data of an HTML report, each test as a comparable line.
fn html_tests(report: &Path) -> Vec<String> {
    let html = std::fs::read_to_string(report.join("index.html")).expect("index.html");
    let start = html.find("type=\"application/json\">").expect("data") + 24;
    let end = start + html[start..].find("</script>").expect("end");
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).expect("json");
    let mut out: Vec<String> = data["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            let attempts = t["attempts"].as_array().expect("attempts");
            let attachments: Vec<String> = attempts
                .iter()
                .flat_map(|a| a["attachments"].as_array().cloned().unwrap_or_default())
                .map(|a| {
                    let path = a["path"].as_str().expect("copied");
                    assert!(report.join(path).is_file(), "{path}");
                    format!(
                        "{}={}",
                        a["name"],
                        std::fs::read_to_string(report.join(path)).unwrap_or_default()
                    )
                })
                .collect();
            let steps: Vec<String> = attempts
                .iter()
                .flat_map(|a| a["steps"].as_array().cloned().unwrap_or_default())
                .map(|s| s["title"].to_string())
                .collect();
            format!(
                "{} [{}] {} attempts={} steps={steps:?} attachments={attachments:?}",
                t["title"],
                t["project"],
                t["status"],
                attempts.len()
            )
        })
        .collect();
    out.sort();
    out
}

/// `tests`, `failures` and `skipped` of a JUnit file's root element.
fn junit_counts(path: &Path) -> Vec<String> {
    let xml = std::fs::read_to_string(path).expect("junit");
    let root = xml
        .lines()
        .find(|l| l.contains("<testsuites"))
        .expect("testsuites")
        .to_string();
    ["tests", "failures", "skipped", "errors"]
        .iter()
        .map(|k| {
            let at = root
                .find(&format!(" {k}=\""))
                .map(|i| &root[i..])
                .unwrap_or("");
            at.split('"').nth(1).unwrap_or("").to_string()
        })
        .collect()
}

#[test]
fn merged_blobs_of_three_shards_report_as_the_whole_run_does() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]], "workers": 2, "retries": 1, "fullyParallel": true,
                 "projects": [{ "name": "one" }, { "name": "two" }] }"#,
        ),
        ("tests/merge.spec.ts", MERGE_SPEC),
    ]);
    let path = |p: &str| dir.path().join(p).display().to_string();
    let whole = crate::test_runner::run_test_with_env(
        dir.path(),
        &["--reporter", "json,junit,html"],
        &[
            ("ISOLATE_BROWSER_JUNIT_OUTPUT_NAME", &path("whole.xml")),
            ("ISOLATE_BROWSER_HTML_REPORT", &path("whole-html")),
        ],
    );
    assert_eq!(whole.code, 1, "{}{}", whole.stdout, whole.stderr);
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let run = run_test(dir.path(), &["--shard", &shard, "--reporter", "blob"]);
        assert!(run.code <= 1, "{}{}", run.stdout, run.stderr);
        assert!(
            dir.path()
                .join(format!("blob-report/report-{i}.zip"))
                .is_file()
        );
    }
    std::fs::remove_file(dir.path().join("test-results/.timings.json")).expect("timings");
    let out = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args([
            "merge-reports",
            "blob-report",
            "--reporter",
            "json,junit,html",
        ])
        .env("ISOLATE_BROWSER_JSON_OUTPUT_NAME", path("merged.json"))
        .env("ISOLATE_BROWSER_JUNIT_OUTPUT_NAME", path("merged.xml"))
        .env("ISOLATE_BROWSER_HTML_REPORT", path("merged-html"))
        .current_dir(dir.path())
        .output()
        .expect("merge-reports runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("merged 3 blob reports"));

    assert_eq!(
        junit_counts(&dir.path().join("merged.xml")),
        junit_counts(&dir.path().join("whole.xml"))
    );
    assert_eq!(junit_counts(&dir.path().join("whole.xml"))[0], "12");
    let merged: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("merged.json")).expect("json"),
    )
    .expect("json");
    let strip = |mut stats: serde_json::Value| {
        stats
            .as_object_mut()
            .expect("stats")
            .retain(|k, _| ["expected", "unexpected", "flaky", "skipped"].contains(&k.as_str()));
        stats
    };
    assert_eq!(
        strip(merged["stats"].clone()),
        strip(whole.report["stats"].clone())
    );
    assert_eq!(merged["stats"]["flaky"], 2);
    let whole_html = html_tests(&dir.path().join("whole-html"));
    assert_eq!(whole_html.len(), 12);
    assert_eq!(html_tests(&dir.path().join("merged-html")), whole_html);
    // The merged durations are the next split's timings.
    let timings: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("test-results/.timings.json")).expect("timings"),
    )
    .expect("json");
    assert_eq!(
        timings["tests"].as_object().map(|o| o.len()),
        Some(10),
        "every test that ran: {timings}"
    );

    // Not a blob: exit 2, naming the file.
    std::fs::create_dir_all(dir.path().join("bad")).expect("mkdir");
    std::fs::write(dir.path().join("bad/report-1.zip"), "not a zip").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args(["merge-reports", "bad"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("report-1.zip"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn test_lists_pick_tests_and_a_shuffle_is_repeatable_by_its_seed() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "workers": 1 }"#,
        ),
        (
            "tests/a.spec.ts",
            "import { test } from '@playwright/test';\ntest.describe('group', () => {\n  test('one', async () => {});\n  test('two', async () => {});\n});\ntest('three', async () => {});\n",
        ),
        (
            "tests/b.spec.ts",
            "import { test } from '@playwright/test';\ntest.describe.configure({ mode: 'parallel' });\nfor (let i = 0; i < 8; i++) test(`p${i}`, async () => {});\n",
        ),
        (
            "tests/c.spec.ts",
            "import { test } from '@playwright/test';\ntest('c0', async () => {});\n",
        ),
        (
            "list.txt",
            "# what to run\n\ntests/a.spec.ts › group\n[] > b.spec.ts:3 > p1\n",
        ),
    ]);
    let list = |args: &[&str]| {
        let mut all = vec!["--list"];
        all.extend_from_slice(args);
        let out = ours(dir.path(), &all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        listed(&String::from_utf8_lossy(&out.stdout))
    };
    assert_eq!(list(&["--test-list", "list.txt"]), ["one", "two", "p1"]);
    let rest = list(&["--test-list-invert", "list.txt"]);
    assert_eq!(rest.len(), 9, "{rest:?}");
    assert!(
        !rest
            .iter()
            .any(|t| ["one", "two", "p1"].contains(&t.as_str()))
    );

    let plain = list(&[]);
    let seven = list(&["--shuffle", "7"]);
    assert_eq!(list(&["--shuffle", "7"]), seven, "a seed repeats its order");
    let orders: Vec<Vec<String>> = (1..=5)
        .map(|s| list(&["--shuffle", &s.to_string()]))
        .collect();
    assert!(
        orders.iter().any(|o| o != &plain),
        "some seed changes the order"
    );
    for order in orders.iter().chain([&seven]) {
        let mut sorted = order.clone();
        sorted.sort();
        let mut want = plain.clone();
        want.sort();
        assert_eq!(sorted, want, "a shuffle runs the same tests");
        let pos = |t: &str| order.iter().position(|x| x == t).expect("listed");
        assert!(
            pos("one") < pos("two") && pos("two") < pos("three"),
            "a default-mode file keeps its order: {order:?}"
        );
    }
    let run = ours(dir.path(), &["--shuffle", "7", "--reporter", "dot"]);
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("--shuffle 7 runs this order again"));

    let missing = ours(dir.path(), &["--test-list", "nope.txt"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cannot read test list file nope.txt")
    );
}

#[test]
fn list_with_the_json_reporter_prints_the_tests_as_a_json_report() {
    let dir = project(&[
        ("isolate-browser.config.json", r#"{ "testDir": "tests" }"#),
        (
            "tests/a.spec.ts",
            "import { test } from '@playwright/test';\ntest.describe('group', () => {\n  test('one', async () => {});\n});\ntest('two', async () => {});\n",
        ),
    ]);
    let out = ours(dir.path(), &["--list", "--reporter", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the listing is JSON");
    let file = &report["suites"][0];
    assert_eq!(file["specs"][0]["title"], "two");
    assert_eq!(file["suites"][0]["title"], "group");
    assert_eq!(file["suites"][0]["specs"][0]["title"], "one");
    let test = &file["specs"][0]["tests"][0];
    assert_eq!(test["results"], serde_json::json!([]));
    assert_eq!(test["expectedStatus"], "passed");
}

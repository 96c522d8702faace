//! `isolation`: whether a worker's spec files share its isolate. `file` (the default) loads
//! every file into fresh isolates; `worker` keeps a worker's isolate, and the modules it
//! evaluated, for its next file while tests pass, and starts over after a failure or for a
//! retry, as Playwright replaces a worker process.

use super::test_runner::project;
use super::test_runner::run_test;

/// A module that counts how often it is evaluated in an isolate.
const COUNTER: &str = r#"
const g = globalThis as any;
g.counterEvaluations = (g.counterEvaluations ?? 0) + 1;
export const evaluations = (): number => g.counterEvaluations;
"#;

/// A spec file named `name` whose test reports which spec files its isolate has loaded and how
/// often the counter module was evaluated in it; `fail` makes its test fail after reporting.
fn spec(name: &str, fail: bool) -> String {
    format!(
        r#"import {{ test, expect }} from '@playwright/test';
import {{ evaluations }} from '../helpers/counter';
const g = globalThis as any;
(g.seen ??= []).push('{name}');
// A timer left running: the file still counts as loaded, and the next file of a kept isolate
// loads without waiting for it.
setInterval(() => {{ g.ticks = (g.ticks ?? 0) + 1; }}, 5);
test('{name}', async ({{ page }}) => {{
  await page.setContent('<p>{name}</p>');
  await expect(page.locator('p')).toHaveText('{name}');
  console.log(`files=${{g.seen.join(',')}} evaluations=${{evaluations()}}`);
  expect({fail}).toBe(false);
}});
test.describe('in {name}', () => {{
  test('second of {name}', () => {{}});
}});
"#
    )
}

const CONFIG: &str =
    r#"{ "testDir": "tests", "reporter": [["list"], ["json"]], "workers": 1, "timeout": 10000 }"#;

fn files(specs: &[(String, String)]) -> Vec<(&str, &str)> {
    specs
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .chain([
            ("isolate-browser.config.json", CONFIG),
            ("helpers/counter.ts", COUNTER),
        ])
        .collect()
}

#[test]
fn a_workers_files_share_its_isolate_only_when_asked_and_only_while_tests_pass() {
    let specs: Vec<(String, String)> = [("a", false), ("b", false), ("c", true), ("d", false)]
        .iter()
        .map(|&(n, fail)| (format!("tests/{n}.spec.ts"), spec(n, fail)))
        .collect();
    let dir = project(&files(&specs));

    // The default: every file starts in a fresh isolate.
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    for n in ["a", "b", "c", "d"] {
        assert_eq!(
            run.stdout_of[n],
            [format!("files={n} evaluations=1")],
            "{}",
            run.stdout
        );
        assert_eq!(run.status(&format!("in {n} › second of {n}")), ["passed"]);
    }

    // `--isolation worker`: the isolate goes on from a to b with the counter module evaluated
    // once, and to c; c fails, so d gets a fresh isolate.
    let run = run_test(dir.path(), &["--isolation", "worker"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout_of["a"],
        ["files=a evaluations=1"],
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout_of["b"],
        ["files=a,b evaluations=1"],
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout_of["c"],
        ["files=a,b,c evaluations=1"],
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout_of["d"],
        ["files=d evaluations=1"],
        "{}",
        run.stdout
    );
    assert_eq!(run.status("c"), ["failed"]);
    // Each file lists and runs its own tests only: nothing of the file before is left.
    assert_eq!(run.results.len(), 8, "{:?}", run.results.keys());
    for n in ["a", "b", "c", "d"] {
        assert_eq!(run.status(&format!("in {n} › second of {n}")), ["passed"]);
    }
    assert!(
        run.stdout.contains("1 failed") && run.stdout.contains("7 passed"),
        "{}",
        run.stdout
    );

    // The config key does the same.
    std::fs::write(
        dir.path().join("isolate-browser.config.json"),
        CONFIG.replace(
            "\"workers\": 1",
            "\"workers\": 1, \"isolation\": \"worker\"",
        ),
    )
    .expect("config");
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.stdout_of["b"],
        ["files=a,b evaluations=1"],
        "{}",
        run.stdout
    );
}

#[test]
fn a_file_loaded_again_in_worker_isolation_gets_a_fresh_isolate() {
    let flaky = r#"import { test, expect } from '@playwright/test';
const g = globalThis as any;
g.loads = (g.loads ?? 0) + 1;
test('flaky', async ({}, testInfo) => {
  console.log(`loads=${g.loads} retry=${testInfo.retry}`);
  expect(testInfo.retry).toBe(1);
});
"#;
    let specs = vec![
        ("tests/a.spec.ts".to_string(), spec("a", false)),
        ("tests/b.spec.ts".to_string(), flaky.to_string()),
    ];
    let dir = project(&files(&specs));
    let run = run_test(dir.path(), &["--isolation", "worker", "--retries", "1"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.status("flaky"), ["failed", "passed"]);
    // The retry's isolate is new: b's module state starts over, a's globals are gone.
    assert_eq!(
        run.stdout_of["flaky"],
        ["loads=1 retry=1"],
        "{}",
        run.stdout
    );

    // fullyParallel makes each test a job of its own: a file loaded again, even in the same
    // worker and after a pass, runs its top level again in a new isolate.
    let twice = r#"import { test } from '@playwright/test';
const g = globalThis as any;
g.loads = (g.loads ?? 0) + 1;
test('one', () => { console.log(`loads=${g.loads}`); });
test('two', () => { console.log(`loads=${g.loads}`); });
"#;
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]], "workers": 1, "fullyParallel": true, "isolation": "worker" }"#,
        ),
        ("tests/twice.spec.ts", twice),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout_of["one"], ["loads=1"], "{}", run.stdout);
    assert_eq!(run.stdout_of["two"], ["loads=1"], "{}", run.stdout);
}

#[test]
fn a_bad_isolation_mode_exits_2_naming_it() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "isolation": "process" }"#,
        ),
        (
            "tests/a.spec.ts",
            "import { test } from '@playwright/test'; test('a', () => {});",
        ),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`isolation` must be \"file\" or \"worker\", got \"process\""),
        "{}",
        run.stderr
    );
    let run = run_test(dir.path(), &["--isolation", "thread"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`thread` is not an isolation mode (file, worker)"),
        "{}",
        run.stderr
    );
}

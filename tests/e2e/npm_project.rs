//! Real Playwright projects unchanged: `tests/npm-project` installs real npm packages with
//! `npm ci` (pinned by its package-lock.json) and uses them, and Node's built-ins, as their
//! READMEs show; it must pass under `isolate-browser test` and under Playwright Test alike. And
//! in such a project the sandbox still holds: what leaves the project is refused, by name.

use std::path::Path;
use std::process::Command;

use crate::test_runner::project;
use crate::test_runner::run_test;
use crate::test_runner::run_test_with_env;

/// A copy of the fixture project with its packages installed.
pub(crate) fn installed_fixture() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("npm-project");
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&src, dir.path());
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(dir.path())
        .output()
        .expect("npm runs (scripts/setup installs it)");
    assert!(
        out.status.success(),
        "npm ci failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "node_modules" || name == "test-results" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every test title of the fixture, as `file › title`.
const TITLES: &[&str] = &[
    "a11y.spec.ts › axe finds the known accessibility violation",
    "commonjs.spec.js › require loads packages and JSON",
    "packages.spec.ts › a CommonJS helper and a tsconfig alias load",
    "packages.spec.ts › browser APIs take paths built from __dirname",
    "packages.spec.ts › crypto, events, assert and os behave as in Node",
    "packages.spec.ts › dayjs formats and does arithmetic with a plugin",
    "packages.spec.ts › dotenv in the config fills process.env",
    "packages.spec.ts › faker generates seeded, repeatable data",
    "packages.spec.ts › global setup signed in and set a variable",
    "packages.spec.ts › fs reads project files by __dirname, sync and async",
    "packages.spec.ts › fs writes under the output directory",
    "packages.spec.ts › lodash, uuid and zod work as their READMEs show",
];

/// `file › title` → status of every test in a Playwright JSON report.
fn statuses(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for file in report["suites"].as_array().into_iter().flatten() {
        let name = file["title"].as_str().unwrap_or_default();
        let name = name.rsplit('/').next().unwrap_or(name).to_string();
        for spec in file["specs"].as_array().into_iter().flatten() {
            let status = spec["tests"][0]["results"]
                .as_array()
                .and_then(|r| r.last())
                .and_then(|r| r["status"].as_str())
                .unwrap_or("missing")
                .to_string();
            out.push((
                format!("{name} › {}", spec["title"].as_str().unwrap_or_default()),
                status,
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn an_npm_project_passes_under_isolate_browser_and_playwright_test() {
    let dir = installed_fixture();
    let ours = run_test(
        dir.path(),
        &["-c", "playwright.config.ts", "--reporter", "json"],
    );
    let mut expected: Vec<(String, String)> = TITLES
        .iter()
        .map(|t| (t.to_string(), "passed".to_string()))
        .collect();
    expected.sort();
    assert_eq!(
        statuses(&ours.report),
        expected,
        "isolate-browser:\n{}\n{}",
        ours.stdout,
        ours.stderr
    );
    assert_eq!(ours.code, 0);
    let state = dir.path().join("playwright/.auth/state.json");
    assert!(
        !state.exists(),
        "the global teardown removed the saved state"
    );

    let report = dir.path().join("playwright-report.json");
    let theirs = Command::new("npx")
        .args(["playwright", "test", "--reporter", "json"])
        .env("PLAYWRIGHT_JSON_OUTPUT_NAME", &report)
        .env_remove("CI")
        .current_dir(dir.path())
        .output()
        .expect("npx runs");
    let report: serde_json::Value = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    assert_eq!(
        statuses(&report),
        expected,
        "Playwright Test:\n{}\n{}",
        String::from_utf8_lossy(&theirs.stdout),
        String::from_utf8_lossy(&theirs.stderr)
    );
    assert!(
        !state.exists(),
        "Playwright's global teardown removed it too"
    );
}

#[test]
fn what_leaves_the_project_is_refused_by_name_while_the_file_runs_on() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.txt"), "host secret").expect("write");
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]] }"#,
        ),
        ("package.json", r#"{ "name": "refusals", "private": true }"#),
        (
            "node_modules/native-thing/package.json",
            r#"{ "name": "native-thing", "main": "index.js" }"#,
        ),
        (
            "node_modules/native-thing/index.js",
            "module.exports = require('./build/Release/thing.node');",
        ),
        (
            "node_modules/native-thing/build/Release/thing.node",
            "\x7fELF",
        ),
        ("tests/files/ok.txt", "inside"),
        (
            "tests/refusals.spec.js",
            r#"const { test, expect } = require('@playwright/test');
const fs = require('fs');
const path = require('path');

test('a read through .. is refused', () => {
  expect(() => fs.readFileSync('../outside.txt')).toThrow(/EACCES: permission denied, path escapes the files root/);
});
test('an absolute host path names nothing of the host', () => {
  let err;
  try { fs.readFileSync('/etc/passwd', 'utf8'); } catch (e) { err = e; }
  expect(err.code).toBe('ENOENT');
});
test('a symlink out of the project is refused', () => {
  let err;
  try { fs.readFileSync('link/secret.txt', 'utf8'); } catch (e) { err = e; }
  expect(err.code).toBe('EACCES');
  expect(err.message).toContain('escapes the files root');
});
test('writes outside the output directory are refused', () => {
  let err;
  try { fs.writeFileSync(path.join(__dirname, 'refusals.spec.js'), 'overwritten'); } catch (e) { err = e; }
  expect(err.code).toBe('EACCES');
  expect(err.message).toContain('may write only under /test-results');
  expect(fs.readFileSync(__filename, 'utf8')).toContain('refusals');
});
test('a variable that is not allowed is absent', () => {
  expect(process.env.IB_NOT_ALLOWED).toBeUndefined();
  expect(process.env.IB_ALLOWED).toBe('yes');
});
test('child_process is refused by name', () => {
  expect(() => require('child_process')).toThrow(/module "child_process" \(required from \/tests\/refusals\.spec\.js\) cannot run in the sandbox/);
});
test('a package with a native addon is refused, naming it', () => {
  let err;
  try { require('native-thing'); } catch (e) { err = e; }
  expect(err.code).toBe('ERR_DLOPEN_FAILED');
  expect(err.message).toContain('native addon (/node_modules/native-thing/build/Release/thing.node)');
  expect(err.message).toContain('required from /node_modules/native-thing/index.js');
});
test('os.tmpdir() is a writable directory of the output directory', () => {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'upload-'));
  expect(dir.startsWith('/test-results/.tmp/upload-')).toBe(true);
  fs.writeFileSync(path.join(dir, 'a.txt'), 'tmp');
  expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('tmp');
});
test('snapshot directories are writable', () => {
  const dir = path.join(__dirname, 'refusals.spec.js-snapshots');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'data.txt'), 'snap');
  expect(fs.readFileSync(path.join(dir, 'data.txt'), 'utf8')).toBe('snap');
});
test('the rest of the file runs', () => {
  expect(fs.readFileSync(path.join(__dirname, 'files/ok.txt'), 'utf8')).toBe('inside');
});
"#,
        ),
    ]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).expect("symlink");
    std::fs::write(
        dir.path().join("isolate-browser.config.json"),
        r#"{ "testDir": "tests", "reporter": [["json"]], "allowEnv": ["IB_ALLOWED"] }"#,
    )
    .expect("config");
    let run = run_test_with_env(
        dir.path(),
        &[],
        &[("IB_NOT_ALLOWED", "secret"), ("IB_ALLOWED", "yes")],
    );
    for (title, statuses) in &run.results {
        assert_eq!(
            statuses,
            &vec!["passed".to_string()],
            "{title}: {:?}\n{}",
            run.errors.get(title),
            run.stderr
        );
    }
    assert_eq!(run.results.len(), 10, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.code, 0);
}

#[test]
fn global_setup_passes_env_and_its_returned_teardown_runs_last() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]], "globalSetup": "./setup/global.js" }"#,
        ),
        (
            "setup/global.js",
            r#"const fs = require('fs');
module.exports = async (config) => {
  process.env.FROM_SETUP = `${config.rootDir} ${config.projects.length} ${config.projects[0].outputDir}`;
  return async () => {
    fs.mkdirSync('test-results', { recursive: true });
    fs.writeFileSync('test-results/teardown.txt', `returned teardown ran after ${process.env.FROM_SETUP}`);
  };
};
"#,
        ),
        (
            "tests/a.spec.ts",
            r#"import { test, expect } from '@playwright/test';
test('sees the setup variable', () => {
  expect(process.env.FROM_SETUP).toBe('/ 1 /test-results');
});
"#,
        ),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("sees the setup variable"),
        ["passed"],
        "{}\n{}",
        run.error("sees the setup variable"),
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("test-results/teardown.txt"))
            .unwrap_or_else(|e| panic!("{e}: {}", run.stderr)),
        "returned teardown ran after / 1 /test-results"
    );

    // A setup that throws fails the run before any test, naming the file and the error.
    std::fs::write(
        dir.path().join("setup/global.js"),
        "module.exports = async () => { throw new Error('cannot sign in'); };",
    )
    .expect("write");
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Error in globalSetup: globalSetup setup/global.js: Error: cannot sign in"),
        "{}",
        run.stderr
    );
    assert!(run.results.is_empty(), "no test ran");

    // One that is missing is a config error.
    std::fs::remove_file(dir.path().join("setup/global.js")).expect("rm");
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`globalSetup`: ./setup/global.js cannot be read"),
        "{}",
        run.stderr
    );
}

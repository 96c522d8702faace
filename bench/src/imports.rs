//! What importing an npm package costs a spec file: `isolate-browser test --workers 2` on 20
//! spec files that each `import { faker } from '@faker-js/faker'` and use it, beside the same
//! 20 files without the import (the baseline, in the same run), and the same pair with 2 files,
//! which isolates what the first import in each worker costs. The figure of issue 14 is the
//! cost per file after the first: `((with20 − without20) − (with2 − without2)) / 18`
//! [a few ms]. Both isolation modes are measured: `file` (the default: every spec file in
//! fresh isolates, so each evaluates the package again) and `worker` (a worker's isolate, and
//! the modules it loaded, go on to its next file).
//!
//! The packages come from `tests/npm-project/node_modules` (`npm ci` there; `scripts/bench`
//! runs it). Each figure is the median of 5 runs; every run must pass all its tests.
//!
//! Usage: `bench-imports <path to isolate-browser> [<npm project dir>]`

use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use std::time::Instant;

const RUNS: usize = 5;

fn project(files: usize, with_faker: bool, node_modules: &Path) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("bench-imports-")
        .tempdir()
        .expect("tempdir");
    // A copy: the sandbox refuses packages that resolve outside the project, symlinks included.
    let copied = Command::new("cp")
        .arg("-a")
        .arg(node_modules)
        .arg(dir.path().join("node_modules"))
        .status()
        .expect("cp runs");
    assert!(copied.success(), "copying node_modules failed");
    std::fs::write(
        dir.path().join("isolate-browser.config.json"),
        r#"{ "testDir": "tests", "reporter": [["dot"]] }"#,
    )
    .expect("config");
    std::fs::create_dir_all(dir.path().join("tests")).expect("mkdir");
    for i in 0..files {
        let body = if with_faker {
            "import { test, expect } from '@playwright/test';\n\
             import { faker } from '@faker-js/faker';\n\
             test('uses a package', () => {\n  expect(faker.person.firstName().length).toBeGreaterThan(0);\n});\n"
        } else {
            "import { test, expect } from '@playwright/test';\n\
             test('uses a package', () => {\n  expect('Ada'.length).toBeGreaterThan(0);\n});\n"
        };
        std::fs::write(dir.path().join(format!("tests/f{i:02}.spec.ts")), body).expect("spec");
    }
    dir
}

fn run(binary: &Path, dir: &Path, files: usize, isolation: &str) -> Duration {
    let started = Instant::now();
    let out = Command::new(binary)
        .args(["test", "--workers", "2", "--isolation", isolation])
        .env_remove("CI")
        .current_dir(dir)
        .output()
        .expect("runs");
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(&format!("{files} passed")),
        "a run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let binary =
        std::fs::canonicalize(args.next().expect("usage: bench-imports <isolate-browser>"))
            .expect("the isolate-browser binary");
    let npm = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tests/npm-project"));
    let node_modules = std::fs::canonicalize(npm.join("node_modules"))
        .expect("node_modules of the npm project (run `npm ci` there)");
    let cases = [(20, true), (20, false), (2, true), (2, false)];
    let dirs: Vec<_> = cases
        .iter()
        .map(|&(n, faker)| project(n, faker, &node_modules))
        .collect();
    for isolation in ["file", "worker"] {
        let m = measure(&binary, &cases, &dirs, isolation);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!("imports: 2 workers, --isolation {isolation}, median of {RUNS} runs");
        println!(
            "  20 files with faker {:8.1} ms   without {:8.1} ms",
            ms(m[0]),
            ms(m[1])
        );
        println!(
            "   2 files with faker {:8.1} ms   without {:8.1} ms",
            ms(m[2]),
            ms(m[3])
        );
        let first = ms(m[2]) - ms(m[3]);
        let per_file = ((ms(m[0]) - ms(m[1])) - first) / 18.0;
        println!("  first import in each worker: {first:.1} ms (both workers)");
        println!("  per file after the first:    {per_file:.1} ms [a few ms]");
    }
}

/// The median time of each case.
fn measure(
    binary: &Path,
    cases: &[(usize, bool)],
    dirs: &[tempfile::TempDir],
    isolation: &str,
) -> Vec<Duration> {
    let mut times = vec![Vec::new(); cases.len()];
    // Warm the file cache once, then alternate the cases so none always gets the quieter machine.
    for (i, &(n, _)) in cases.iter().enumerate() {
        run(binary, dirs[i].path(), n, isolation);
    }
    for _ in 0..RUNS {
        for (i, &(n, _)) in cases.iter().enumerate() {
            times[i].push(run(binary, dirs[i].path(), n, isolation));
        }
    }
    times.into_iter().map(median).collect()
}

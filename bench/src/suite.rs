//! What a spec file's isolate costs before its first test runs, measured through the library's
//! test runner (`isolate_browser::suite::run`) on 200 in-memory spec files that each declare one
//! test needing no fixture (so no browser starts), with one worker:
//! 1. listing only (`--list`): one isolate per file that loads the test API and the spec and
//!    lists its tests; median over 5 rounds, divided by the file count.
//! 2. a full run: listing, then a second isolate per file that runs its test.
//!
//! Baseline, in the same run: a bare sandbox runtime (create, evaluate `1`, dispose), which is
//! the floor any test isolate starts from.
//!
//! Run with `scripts/bench` (release build).

use std::time::Duration;
use std::time::Instant;

use isolate_browser::sandbox::ConsoleBinding;
use isolate_browser::sandbox::Runtime;
use isolate_browser::sandbox::RuntimeOptions;
use isolate_browser::suite::BrowserSource;
use isolate_browser::suite::InMemorySpec;
use isolate_browser::suite::LaunchOptions;
use isolate_browser::suite::RunRequest;

const FILES: usize = 200;
const ROUNDS: usize = 5;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn specs() -> Vec<InMemorySpec> {
    (0..FILES)
        .map(|i| InMemorySpec {
            path: format!("tests/f{i:03}.spec.ts"),
            code: format!(
                "import {{ test, expect }} from '@playwright/test';\n\
                 test('t{i}', () => {{ expect({i}).toBe({i}); }});\n"
            ),
        })
        .collect()
}

async fn suite_run(dir: &std::path::Path, list_only: bool) -> Duration {
    let mut config = isolate_browser::suite::config::load(None, dir)
        .await
        .expect("default config");
    config.workers = 1;
    let request = RunRequest {
        config,
        filters: Vec::new(),
        projects: Vec::new(),
        list_only,
        pass_with_no_tests: false,
        browser: BrowserSource::Launch(LaunchOptions::default()),
        specs: Some(specs()),
    };
    let started = Instant::now();
    let summary = isolate_browser::suite::run(request, Vec::new(), None, None)
        .await
        .expect("the run starts");
    let elapsed = started.elapsed();
    assert_eq!(summary.tests.len(), FILES, "every file lists its test");
    if !list_only {
        assert_eq!(summary.stats.passed, FILES, "every test passes");
    }
    elapsed
}

async fn bare_runtime() -> Duration {
    let started = Instant::now();
    let rt = Runtime::new(RuntimeOptions {
        console: ConsoleBinding::discard(),
        ..RuntimeOptions::default()
    })
    .expect("runtime");
    rt.eval("1").await.expect("eval");
    rt.dispose().await;
    started.elapsed()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio");
    let dir = tempfile::tempdir().expect("temp dir");
    rt.block_on(async {
        // Warm-up: page in the binary and the snapshot.
        suite_run(dir.path(), true).await;
        let mut bare = Vec::new();
        for _ in 0..100 {
            bare.push(bare_runtime().await);
        }
        let bare = median(bare);
        let mut list = Vec::new();
        let mut full = Vec::new();
        for _ in 0..ROUNDS {
            list.push(suite_run(dir.path(), true).await);
            full.push(suite_run(dir.path(), false).await);
        }
        let per_file = |d: Duration| ms(d) / FILES as f64;
        let list = per_file(median(list));
        let full = per_file(median(full));
        println!("bench-suite: {FILES} spec files, 1 worker, median of {ROUNDS} rounds");
        println!(
            "  bare sandbox runtime (create, eval, dispose), baseline   {:>7.2} ms",
            ms(bare)
        );
        println!(
            "  listing, per spec file (1 isolate: test API + spec)      {list:>7.2} ms  ({:.1}x baseline)",
            list / ms(bare)
        );
        println!(
            "  full run, per spec file (list isolate + run isolate)     {full:>7.2} ms  ({:.1}x baseline)",
            full / ms(bare)
        );
    });
}

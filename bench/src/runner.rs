//! Test runner benchmarks: `isolate-browser test` beside Playwright Test on the same generated
//! suites in the same run (issue targets in brackets):
//! 1. suite: 10 spec files × 10 tests (goto, fill, click, three web-first assertions against a
//!    page served by `webServer`), 2 workers, one `playwright.config.ts` both runners load: wall
//!    time, peak RSS of the runner process alone and of its whole process tree (Chromium and
//!    the web server included), and the wall-time ratio [≤ 0.6];
//! 2. per-test overhead: 60 tests `async ({ page }) => {}` minus 1 such test, divided by 59,
//!    with `--workers 1`, once as is and once `fullyParallel` (a fresh isolate per test too)
//!    [< 40 ms];
//! 3. the cost of `--trace on`: the suite of 1. traced minus untraced, per test, and the size
//!    of a test's trace.zip.
//!
//! Each figure is the median of 3 runs, alternating the two runners so neither always gets the
//! quieter machine; every run must pass all its tests or its numbers are not used.
//!
//! Run with `scripts/bench` (release build). Usage:
//! `bench-runner <path to isolate-browser> [<dir holding Playwright Test's node_modules>]`
//! (default: `bench/playwright`, filled by `npm ci` there). Without Playwright Test the
//! baseline is skipped, with the reason printed.

use std::collections::HashMap;
use std::collections::HashSet;
use std::fs::File;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use std::process::ExitStatus;
use std::process::Stdio;
use std::time::Duration;
use std::time::Instant;

const RUNS: usize = 3;
const OVERHEAD_TESTS: usize = 60;
/// A runner still going after this is hung: the 100-test suite takes about a minute on 2 cores.
const DEADLINE: Duration = Duration::from_secs(600);

const PAGE: &str = r#"<!doctype html>
<html><head><title>Bench</title></head><body>
<h1>Bench</h1>
<label for="name">Name</label> <input id="name">
<button onclick="document.querySelector('#out').textContent = 'Hi ' + document.querySelector('#name').value">Greet</button>
<p id="out"></p>
</body></html>
"#;

const WORK: &str = "
  await page.goto('/');
  await page.getByLabel('Name').fill('Ada');
  await page.getByRole('button', { name: 'Greet' }).click();
  await expect(page.locator('#out')).toHaveText('Hi Ada');
  await expect(page.getByRole('heading')).toBeVisible();
  await expect(page).toHaveTitle('Bench');
";

/// `--no-sandbox` because Chromium refuses to start as root without it; the rest keep it off the
/// (absent) network. Both runners pass these to Chromium.
const CHROMIUM_ARGS: &str = "'--no-sandbox', '--disable-background-networking', \
                             '--disable-component-update', '--no-first-run', '--disable-sync'";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// A generated suite in a temp dir: `tests/*.spec.ts`, `site/index.html`, `playwright.config.ts`.
struct Suite {
    dir: tempfile::TempDir,
    tests: usize,
}

impl Suite {
    /// `specs` are the spec files' contents; `serve` adds the `webServer` serving `site/`.
    fn new(specs: &[String], tests: usize, fully_parallel: bool, serve: bool) -> Suite {
        let dir = tempfile::tempdir().expect("a temp dir for the suite");
        let root = dir.path();
        std::fs::create_dir_all(root.join("tests")).expect("create tests/");
        std::fs::create_dir_all(root.join("site")).expect("create site/");
        std::fs::write(root.join("site/index.html"), PAGE).expect("write site/index.html");
        for (i, spec) in specs.iter().enumerate() {
            std::fs::write(root.join(format!("tests/s{i:02}.spec.ts")), spec).expect("write spec");
        }
        // The port is free now, and the web server binds it a moment later; a race with another
        // process taking it in between would show as a failed run, not a wrong number.
        let port = free_port();
        let server = if serve {
            format!(
                "  webServer: {{\n\
                 \x20   command: 'python3 -m http.server {port} --bind 127.0.0.1 --directory site',\n\
                 \x20   url: 'http://127.0.0.1:{port}/',\n\
                 \x20   reuseExistingServer: false,\n\
                 \x20 }},\n"
            )
        } else {
            String::new()
        };
        let config = format!(
            "import {{ defineConfig }} from '@playwright/test';\n\
             export default defineConfig({{\n\
             \x20 testDir: './tests',\n\
             \x20 workers: 2,\n\
             \x20 fullyParallel: {fully_parallel},\n\
             \x20 reporter: 'dot',\n\
             \x20 use: {{\n\
             \x20   baseURL: 'http://127.0.0.1:{port}',\n\
             \x20   launchOptions: {{ executablePath: '/usr/bin/chromium', args: [{CHROMIUM_ARGS}] }},\n\
             \x20 }},\n\
             {server}\
             }});\n"
        );
        std::fs::write(root.join("playwright.config.ts"), config).expect("write the config");
        Suite { dir, tests }
    }

    /// 10 files × 10 tests doing real work.
    fn work() -> Suite {
        let specs: Vec<String> = (0..10)
            .map(|f| {
                let mut spec = String::from("import { test, expect } from '@playwright/test';\n");
                for t in 0..10 {
                    spec.push_str(&format!(
                        "\ntest('case {}', async ({{ page }}) => {{{WORK}}});\n",
                        f * 10 + t
                    ));
                }
                spec
            })
            .collect();
        Suite::new(&specs, 100, false, true)
    }

    /// One file of `n` tests that only set up and tear down a page.
    fn trivial(n: usize, fully_parallel: bool) -> Suite {
        let spec = format!(
            "import {{ test }} from '@playwright/test';\n\
             for (let i = 0; i < {n}; i++) test('t' + i, async ({{ page }}) => {{}});\n"
        );
        Suite::new(&[spec], n, fully_parallel, false)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

#[derive(Clone, Copy)]
enum Runner<'a> {
    Ours(&'a Path),
    /// The directory holding Playwright Test's `node_modules`.
    Playwright(&'a Path),
}

impl Runner<'_> {
    fn command(self, suite: &Suite, extra: &[&str]) -> Command {
        let mut cmd = match self {
            Runner::Ours(bin) => Command::new(bin),
            Runner::Playwright(pw) => {
                // The specs and the config import '@playwright/test', which Node resolves from a
                // node_modules beside them (isolate-browser serves it itself and never looks).
                let link = suite.path().join("node_modules");
                if !link.exists() {
                    std::os::unix::fs::symlink(pw.join("node_modules"), &link)
                        .expect("link node_modules into the suite");
                }
                let mut c = Command::new("node");
                c.arg(pw.join("node_modules/@playwright/test/cli.js"));
                c
            }
        };
        cmd.args(["test", "-c", "playwright.config.ts"])
            .args(extra)
            .current_dir(suite.path());
        cmd
    }
}

/// One run of a suite.
#[derive(Clone, Copy)]
struct Run {
    wall: Duration,
    /// Peak RSS of the runner process alone, KiB.
    own_kib: u64,
    /// Peak of the RSS of the runner and all its descendants, summed, KiB. Pages Chromium's
    /// processes share count once per process, so this overstates what the tree holds, alike
    /// for both runners; PSS would not, but reading it walks page tables and took most of a
    /// 2-core machine.
    tree_kib: u64,
}

/// A `Name:   123 kB` field of a /proc file, in KiB.
fn kib_field(text: &str, field: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(field))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A process and its live descendants. Parents are read once per process and remembered:
/// reading every process's /proc/<pid>/stat at each sample took a noticeable share of the
/// 2 cores the runners compete for.
struct Tree {
    root: u32,
    parent: HashMap<u32, u32>,
}

impl Tree {
    fn new(root: u32) -> Tree {
        Tree {
            root,
            parent: HashMap::new(),
        }
    }

    fn pids(&mut self) -> Vec<u32> {
        let live: HashSet<u32> = std::fs::read_dir("/proc")
            .expect("read /proc")
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        self.parent.retain(|pid, _| live.contains(pid));
        for &pid in &live {
            if self.parent.contains_key(&pid) {
                continue;
            }
            // `pid (comm) state ppid …`; comm may hold spaces and ')', hence the last ')'.
            let ppid = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    stat.rsplit_once(')')?
                        .1
                        .split_whitespace()
                        .nth(1)?
                        .parse()
                        .ok()
                });
            if let Some(ppid) = ppid {
                self.parent.insert(pid, ppid);
            }
        }
        let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
        for (&pid, &ppid) in &self.parent {
            children.entry(ppid).or_default().push(pid);
        }
        let mut tree = vec![self.root];
        let mut i = 0;
        while i < tree.len() {
            tree.extend(children.get(&tree[i]).into_iter().flatten());
            i += 1;
        }
        tree
    }

    /// Summed RSS, KiB.
    fn rss_kib(&mut self) -> u64 {
        self.pids()
            .into_iter()
            .filter_map(|pid| status_kib(pid, "VmRSS:"))
            .sum()
    }
}

fn status_kib(pid: u32, field: &str) -> Option<u64> {
    kib_field(
        &std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?,
        field,
    )
}

/// Runs `cmd` to completion, sampling memory meanwhile, and checks that all `tests` passed.
fn measure(mut cmd: Command, suite: &Suite) -> Result<Run, String> {
    let log_path = suite.path().join("output.log");
    let log = File::create(&log_path).expect("create the run's log");
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone the log handle"))
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let pid = child.id();
    let mut tree = Tree::new(pid);
    let (mut own_kib, mut tree_kib) = (0, 0);
    let (mut next_own, mut next_tree) = (start, start);
    let status: ExitStatus = loop {
        if let Some(status) = child.try_wait().expect("wait for the runner") {
            break status;
        }
        if start.elapsed() > DEADLINE {
            // The runner and whatever it started (Chromium, the web server), all ours to stop.
            let pids: Vec<String> = tree.pids().iter().map(u32::to_string).collect();
            let _ = Command::new("kill").arg("-KILL").args(&pids).status();
            let _ = child.wait();
            return Err(format!(
                "hung: still running after {} s (killed){}",
                DEADLINE.as_secs(),
                tail(&log_path)
            ));
        }
        let now = Instant::now();
        if now >= next_own {
            // The kernel's own high-water mark: nothing is missed between samples.
            own_kib = own_kib.max(status_kib(pid, "VmHWM:").unwrap_or(0));
            next_own = now + Duration::from_millis(20);
        }
        if now >= next_tree {
            tree_kib = tree_kib.max(tree.rss_kib());
            next_tree = now + Duration::from_millis(50);
        }
        // Short enough that the exit is seen within a few ms (the per-test figures divide the
        // difference of two walls by 59), long enough to leave the 2 cores to the runners.
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = start.elapsed();
    let out = std::fs::read_to_string(&log_path).unwrap_or_default();
    if !status.success() {
        return Err(format!("exited with {status}{}", tail(&log_path)));
    }
    // Exit 0 with fewer tests (a filter, a miscount) would time a different suite.
    if !out.contains(&format!(" {} passed", suite.tests)) {
        return Err(format!(
            "exited 0 but did not report {} passed{}",
            suite.tests,
            tail(&log_path)
        ));
    }
    Ok(Run {
        wall,
        own_kib,
        tree_kib,
    })
}

/// How many trace.zip files are under `dir`, and their total size in bytes.
fn trace_sizes(dir: &Path) -> (u64, u64) {
    let mut out = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            let (n, b) = trace_sizes(&p);
            out = (out.0 + n, out.1 + b);
        } else if p.file_name().is_some_and(|n| n == "trace.zip") {
            out = (
                out.0 + 1,
                out.1 + e.metadata().map(|m| m.len()).unwrap_or(0),
            );
        }
    }
    out
}

/// The last lines of a run's output, for error messages.
fn tail(log: &Path) -> String {
    let out = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = &lines[lines.len().saturating_sub(25)..];
    if last.is_empty() {
        return "; no output".into();
    }
    format!(
        "; output ({}):\n      {}",
        log.display(),
        last.join("\n      ")
    )
}

fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

/// Median wall time and memory peaks over runs.
fn summary(runs: &[Run]) -> Run {
    Run {
        wall: median(runs.iter().map(|r| r.wall).collect()),
        own_kib: median(runs.iter().map(|r| r.own_kib).collect()),
        tree_kib: median(runs.iter().map(|r| r.tree_kib).collect()),
    }
}

fn mb(kib: u64) -> String {
    format!("{:.0} MB", kib as f64 / 1024.0)
}

/// Runs `RUNS` rounds of `runners` (alternating) on `suite`; `None` for a runner that failed,
/// after printing why and keeping the suite to reproduce it.
fn rounds(runners: &[(&str, Runner)], suite: &mut Suite, extra: &[&str]) -> Vec<Option<Run>> {
    let mut runs: Vec<Option<Vec<Run>>> = vec![Some(Vec::new()); runners.len()];
    for _ in 0..RUNS {
        for ((name, runner), runs) in runners.iter().zip(&mut runs) {
            let Some(done) = runs else { continue };
            match measure(runner.command(suite, extra), suite) {
                Ok(run) => done.push(run),
                Err(e) => {
                    suite.dir.disable_cleanup(true);
                    eprintln!("  error: {name} in {} (kept): {e}", suite.path().display());
                    *runs = None;
                }
            }
        }
    }
    runs.into_iter().map(|r| r.map(|r| summary(&r))).collect()
}

/// Playwright Test in `dir`, or why it cannot be the baseline.
fn playwright(dir: &Path) -> Result<String, String> {
    let package = dir.join("node_modules/@playwright/test/package.json");
    let json = std::fs::read_to_string(&package).map_err(|_| {
        format!(
            "{} is missing (run `npm ci` in {})",
            package.display(),
            dir.display()
        )
    })?;
    Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("node does not run: {e}"))?;
    // `"version": "1.2.3"`, without a JSON parser for one field.
    let version = json
        .split_once("\"version\"")
        .and_then(|(_, rest)| rest.split('"').nth(1))
        .unwrap_or("?");
    Ok(version.to_string())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let bin = PathBuf::from(
        args.next()
            .expect("usage: bench-runner <isolate-browser> [<bench/playwright>]"),
    );
    let pw_dir = args.next().map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("playwright"),
        PathBuf::from,
    );
    let mut runners = vec![("isolate-browser".to_string(), Runner::Ours(&bin))];
    match playwright(&pw_dir) {
        Ok(version) => runners.push((format!("Playwright {version}"), Runner::Playwright(&pw_dir))),
        Err(why) => println!("no Playwright Test baseline: {why}"),
    }
    let runners: Vec<(&str, Runner)> = runners.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    let mut failed = false;

    println!(
        "suite: 100 tests (10 files × 10: goto, fill, click, 3 web-first assertions), 2 workers, median of {RUNS}"
    );
    println!(
        "  {:<18} {:>9} {:>11} {:>12}",
        "", "wall", "runner RSS", "tree RSS"
    );
    let results = rounds(&runners, &mut Suite::work(), &[]);
    for (i, ((name, _), run)) in runners.iter().zip(&results).enumerate() {
        match run {
            Some(r) => println!(
                "  {name:<18} {:>7.2} s {:>11} {:>12}",
                r.wall.as_secs_f64(),
                mb(r.own_kib),
                mb(r.tree_kib)
            ),
            None if i == 0 => println!("  {name:<18} FAILED (see the error above)"),
            None => println!("  {name:<18} failed to run (see the error above): no baseline"),
        }
    }
    failed |= results[0].is_none();
    if let [Some(ours), Some(theirs)] = results[..] {
        println!(
            "  wall-time ratio isolate-browser / Playwright: {:.2} (goal ≤ 0.60)",
            ours.wall.as_secs_f64() / theirs.wall.as_secs_f64()
        );
    }
    println!(
        "  (peaks; runner = the runner process alone; tree = it + its workers, Chromium and the \
         web server, RSS summed over processes, so shared pages count once per process)"
    );

    // `BENCH_RUNNER_SKIP_OVERHEAD=1` leaves out the per-test overhead rounds (for a quick
    // look at the suite and trace figures).
    let n = OVERHEAD_TESTS;
    let overhead: &[(&str, bool)] = if std::env::var_os("BENCH_RUNNER_SKIP_OVERHEAD").is_some() {
        &[]
    } else {
        &[
            ("isolate per file", false),
            ("fullyParallel (per test)", true),
        ]
    };
    println!(
        "per-test overhead: ({n} tests `async ({{ page }}) => {{}}` − 1 test) / {}, --workers 1, median of {RUNS}; target < 40 ms",
        n - 1
    );
    print!("  {:<26}", "");
    for (name, _) in &runners {
        print!(" {name:>18}");
    }
    println!();
    for &(label, fully_parallel) in overhead {
        let many = rounds(
            &runners,
            &mut Suite::trivial(n, fully_parallel),
            &["--workers", "1"],
        );
        let one = rounds(
            &runners,
            &mut Suite::trivial(1, fully_parallel),
            &["--workers", "1"],
        );
        print!("  {label:<26}");
        for (i, (m, o)) in many.iter().zip(&one).enumerate() {
            match (m, o) {
                (Some(m), Some(o)) => {
                    let per = m.wall.saturating_sub(o.wall).as_secs_f64() * 1000.0 / (n - 1) as f64;
                    print!(" {:>15.1} ms", per);
                }
                _ => {
                    failed |= i == 0;
                    print!(" {:>18}", "FAILED");
                }
            }
        }
        println!();
    }
    println!(
        "trace: 'on' cost per test: (suite of 1. with --trace on − without) / 100, median of {RUNS}"
    );
    let mut traced_suite = Suite::work();
    let traced = rounds(&runners, &mut traced_suite, &["--trace", "on"]);
    for (i, ((name, runner), (on, off))) in
        runners.iter().zip(traced.iter().zip(&results)).enumerate()
    {
        match (on, off) {
            (Some(on), Some(off)) => {
                let per = (on.wall.as_secs_f64() - off.wall.as_secs_f64()) * 1000.0 / 100.0;
                // The last round's traces are the other runner's: one more run of this one.
                let size = measure(
                    runner.command(&traced_suite, &["--trace", "on"]),
                    &traced_suite,
                )
                .ok()
                .map(|_| trace_sizes(&traced_suite.path().join("test-results")));
                let size = size.map_or("?".to_string(), |(n, bytes)| {
                    format!(
                        "{} traces, {:.0} KB each",
                        n,
                        bytes as f64 / n.max(1) as f64 / 1024.0
                    )
                });
                println!(
                    "  {name:<18} {:>7.2} s traced ({per:+.1} ms per test); {size}",
                    on.wall.as_secs_f64()
                );
            }
            _ => {
                failed |= i == 0;
                println!("  {name:<18} FAILED (see the error above)");
            }
        }
    }
    if failed {
        eprintln!("bench-runner: isolate-browser failed a run; its numbers above are missing");
        std::process::exit(1);
    }
}

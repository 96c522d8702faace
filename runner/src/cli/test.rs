//! `isolate-browser test`: Playwright Test's command line over the library's test runner.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use isolate_browser_reporters::GithubReporter;
use isolate_browser_reporters::HtmlReporter;
use isolate_browser_reporters::JsonReporter;
use isolate_browser_reporters::JunitReporter;
use isolate_browser_reporters::Reporter;
use isolate_browser_reporters::RunStatus;
use isolate_browser_reporters::TextReporter;
use isolate_browser_reporters::TextStyle;
use serde_json::Value;

use super::UsageError;
use crate::suite::BrowserSource;
use crate::suite::Config;
use crate::suite::Filter;
use crate::suite::Isolation;
use crate::suite::LaunchOptions;
use crate::suite::Pattern;
use crate::suite::RunRequest;
use crate::suite::config;
use crate::suite::snapshots::UpdateSnapshots;

#[derive(Debug, Args)]
pub(crate) struct TestArgs {
    /// Only spec files whose path contains one of these (`login`, `tests/a.spec.ts:12`).
    filters: Vec<String>,
    /// The config file (default: isolate-browser.config.{ts,js,json} or playwright.config.{ts,js}).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only tests whose title matches this regular expression.
    #[arg(short = 'g', long, value_name = "REGEX")]
    grep: Option<String>,
    /// Only tests whose title does not match this regular expression.
    #[arg(long = "grep-invert", value_name = "REGEX")]
    grep_invert: Option<String>,
    /// Parallel workers (a number or a percentage of the cores such as 50%).
    #[arg(short = 'j', long, value_name = "N")]
    workers: Option<String>,
    /// Retries for failed tests.
    #[arg(long, value_name = "N")]
    retries: Option<u32>,
    /// Test timeout in milliseconds.
    #[arg(long, value_name = "MS")]
    timeout: Option<u64>,
    /// Reporters, comma-separated: list, dot, line, json, junit, github, html.
    #[arg(long, value_name = "NAMES")]
    reporter: Option<String>,
    /// Output directory for results and attachments.
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// List the tests instead of running them.
    #[arg(long)]
    list: bool,
    /// Fail if test.only is found.
    #[arg(long = "forbid-only")]
    forbid_only: bool,
    /// Stop after N failures.
    #[arg(long = "max-failures", value_name = "N")]
    max_failures: Option<usize>,
    /// Stop after the first failure (--max-failures=1).
    #[arg(short = 'x')]
    stop_first: bool,
    /// Exit 0 when no tests are found.
    #[arg(long = "pass-with-no-tests")]
    pass_with_no_tests: bool,
    /// Show the browser window.
    #[arg(long)]
    headed: bool,
    /// Only these projects (repeatable).
    #[arg(long = "project", value_name = "NAME")]
    projects: Vec<String>,
    /// Hide config warnings and the console output of failed tests.
    #[arg(long)]
    quiet: bool,
    /// What a worker's spec files share: `file` (each file in fresh isolates, the default) or
    /// `worker` (a worker keeps its isolate, and the packages it loaded, while tests pass).
    #[arg(long, value_name = "MODE", value_parser = isolation_mode)]
    isolation: Option<Isolation>,
    /// Update snapshots with actual results: all, changed (the default of a bare -u), missing
    /// or none. Without the flag, missing snapshots are written.
    #[arg(
        short = 'u',
        long = "update-snapshots",
        value_name = "MODE",
        num_args = 0..=1,
        require_equals = false,
        default_missing_value = "changed",
        value_parser = update_mode
    )]
    update_snapshots: Option<UpdateSnapshots>,
    /// Snapshot expectations pass without being compared.
    #[arg(long = "ignore-snapshots")]
    ignore_snapshots: bool,
    /// Force the tracing mode of every project: on, off, on-first-retry, on-all-retries,
    /// retain-on-failure, retain-on-first-failure, retain-on-failure-and-retries.
    #[arg(long = "trace", value_name = "MODE", value_parser = trace_mode)]
    trace: Option<String>,
    /// Run only this part of the selected tests: `current/total`, such as 2/4.
    #[arg(long, value_name = "I/N", value_parser = crate::suite::shard::Shard::parse)]
    shard: Option<crate::suite::shard::Shard>,
    /// How --shard splits: count (as Playwright) or duration (by the timings file each run
    /// writes to the output directory, so the shards finish together).
    #[arg(long = "shard-balance", value_name = "HOW", value_parser = crate::suite::shard::ShardBalance::parse)]
    shard_balance: Option<crate::suite::shard::ShardBalance>,
    /// Run only the tests a file lists (as `--list` prints them, one a line).
    #[arg(long = "test-list", value_name = "FILE")]
    test_list: Option<PathBuf>,
    /// Skip the tests a file lists.
    #[arg(long = "test-list-invert", value_name = "FILE")]
    test_list_invert: Option<PathBuf>,
    /// Run files (and the tests of parallel files) in a random order; a seed repeats one.
    #[arg(long, value_name = "SEED", num_args = 0..=1, default_missing_value = "random")]
    shuffle: Option<String>,
    /// Run every test N times (flake hunting).
    #[arg(long = "repeat-each", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    repeat_each: Option<u32>,
    /// Run only the tests that failed in the last run (its `.last-run.json`).
    #[arg(long = "last-failed")]
    last_failed: bool,
    /// A flaky test (failed, then passed on a retry) fails the run.
    #[arg(long = "fail-on-flaky-tests")]
    fail_on_flaky_tests: bool,
    /// Time limit for the whole run in milliseconds (0: none).
    #[arg(long = "global-timeout", value_name = "MS")]
    global_timeout: Option<u64>,
}

/// The modes `--trace` takes (Playwright's).
const TRACE_MODES: &[&str] = &[
    "on",
    "off",
    "on-first-retry",
    "on-all-retries",
    "retain-on-failure",
    "retain-on-first-failure",
    "retain-on-failure-and-retries",
];

fn trace_mode(s: &str) -> Result<String, String> {
    if TRACE_MODES.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a trace mode ({})",
            TRACE_MODES.join(", ")
        ))
    }
}

fn update_mode(s: &str) -> Result<UpdateSnapshots, String> {
    UpdateSnapshots::parse(s)
        .ok_or_else(|| format!("`{s}` is not an update mode (all, changed, missing, none)"))
}

fn isolation_mode(s: &str) -> Result<Isolation, String> {
    Isolation::parse(s).ok_or_else(|| format!("`{s}` is not an isolation mode (file, worker)"))
}

fn reporter_path(
    options: &Value,
    key: &str,
    env: &[&str],
    default: PathBuf,
    root: &std::path::Path,
) -> PathBuf {
    if let Some(p) = options.get(key).and_then(Value::as_str) {
        return root.join(p);
    }
    for name in env {
        if let Ok(p) = std::env::var(name)
            && !p.is_empty()
        {
            return root.join(p);
        }
    }
    default
}

pub(super) fn reporters(
    config: &Config,
    names: &[(String, Value)],
    quiet: bool,
) -> Result<Vec<Box<dyn Reporter>>, UsageError> {
    let mut out: Vec<Box<dyn Reporter>> = Vec::new();
    let names: Vec<(String, Value)> = if names.is_empty() {
        vec![("list".into(), Value::Null)]
    } else {
        names.to_vec()
    };
    for (name, options) in &names {
        let reporter: Box<dyn Reporter> = match name.as_str() {
            "list" => Box::new(TextReporter::new(std::io::stdout(), TextStyle::List).quiet(quiet)),
            "dot" => Box::new(TextReporter::new(std::io::stdout(), TextStyle::Dot).quiet(quiet)),
            "line" => Box::new(
                TextReporter::new(
                    std::io::stdout(),
                    TextStyle::Line {
                        tty: std::io::stdout().is_terminal(),
                    },
                )
                .quiet(quiet),
            ),
            "github" => Box::new(GithubReporter::new(std::io::stdout())),
            "junit" => Box::new(JunitReporter::new(reporter_path(
                options,
                "outputFile",
                &[
                    "ISOLATE_BROWSER_JUNIT_OUTPUT_NAME",
                    "PLAYWRIGHT_JUNIT_OUTPUT_NAME",
                ],
                config.output_dir.join("junit.xml"),
                &config.root,
            ))),
            "json" => Box::new(JsonReporter::new(reporter_path(
                options,
                "outputFile",
                &[
                    "ISOLATE_BROWSER_JSON_OUTPUT_NAME",
                    "PLAYWRIGHT_JSON_OUTPUT_NAME",
                ],
                config.output_dir.join("results.json"),
                &config.root,
            ))),
            "html" => Box::new(
                HtmlReporter::new(reporter_path(
                    options,
                    "outputFolder",
                    &[
                        "ISOLATE_BROWSER_HTML_REPORT",
                        "PLAYWRIGHT_HTML_OUTPUT_DIR",
                        "PLAYWRIGHT_HTML_REPORT",
                    ],
                    config.root.join("isolate-browser-report"),
                    &config.root,
                ))
                .trace_viewer_from(&config.root),
            ),
            "blob" => Box::new(crate::suite::blob::BlobReporter::new(
                reporter_path(
                    options,
                    "outputDir",
                    &[
                        "ISOLATE_BROWSER_BLOB_OUTPUT_DIR",
                        "PLAYWRIGHT_BLOB_OUTPUT_DIR",
                    ],
                    config.root.join("blob-report"),
                    &config.root,
                ),
                config.shard,
            )),
            other => {
                return Err(UsageError::new(format!("unknown reporter \"{other}\""))
                    .hint("use list, dot, line, json, junit, github, html or blob"));
            }
        };
        out.push(reporter);
    }
    Ok(out)
}

fn launch_options(config: &Config, headed: bool) -> LaunchOptions {
    let mut launch = LaunchOptions::default();
    let use_ = config.projects.first().map(|p| &p.use_options);
    if let Some(u) = use_ {
        if let Some(h) = u.get("headless").and_then(Value::as_bool) {
            launch.headless = h;
        }
        if let Some(lo) = u.get("launchOptions") {
            if let Some(path) = lo.get("executablePath").and_then(Value::as_str) {
                launch.executable = Some(config.root.join(path));
            }
            if let Some(args) = lo.get("args").and_then(Value::as_array) {
                launch.args = args
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_string))
                    .collect();
            }
            if let Some(h) = lo.get("headless").and_then(Value::as_bool) {
                launch.headless = h;
            }
        }
    }
    if headed {
        launch.headless = false;
    }
    launch
}

/// The config `given`, or the one found in `cwd`, or the defaults.
pub(super) async fn load_config(
    cwd: &std::path::Path,
    given: Option<&std::path::Path>,
) -> Result<Config, UsageError> {
    let file = match given {
        Some(c) => {
            let path = cwd.join(c);
            if !path.is_file() {
                return Err(
                    UsageError::new(format!("config file not found: {}", c.display())).hint(
                        "pass the path of an isolate-browser.config.ts or playwright.config.ts",
                    ),
                );
            }
            Some(path)
        }
        None => config::find_config(cwd),
    };
    config::load(file.as_deref(), cwd).await.map_err(|e| {
        UsageError::new(e.to_string())
            .hint("fix the config file; see `isolate-browser test --help`")
    })
}

pub(crate) fn run(args: TestArgs) -> Result<ExitCode, UsageError> {
    let cwd = std::env::current_dir()
        .map_err(|e| UsageError::new(format!("cannot read the current directory: {e}")))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError::new(format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let mut config = load_config(&cwd, args.config.as_deref()).await?;
        if !args.quiet {
            for w in &config.warnings {
                crate::stdio::err!("warning: {w}");
            }
        }
        // Command-line flags win over the config.
        if let Some(w) = &args.workers {
            config.workers = config::parse_workers(w).map_err(|e| UsageError::new(format!("--workers: {e}")))?;
        }
        if let Some(r) = args.retries {
            for p in &mut config.projects {
                p.retries = r;
            }
        }
        if let Some(t) = args.timeout {
            for p in &mut config.projects {
                p.timeout = Duration::from_millis(t);
            }
        }
        if let Some(g) = &args.grep {
            config.grep = Some(Pattern::Regex(g.clone(), String::new()));
        }
        if let Some(g) = &args.grep_invert {
            config.grep_invert = Some(Pattern::Regex(g.clone(), String::new()));
        }
        if let Some(o) = &args.output {
            config.output_dir = cwd.join(o);
        }
        if args.forbid_only {
            config.forbid_only = true;
        }
        if let Some(m) = args.max_failures {
            config.max_failures = m;
        }
        if args.stop_first {
            config.max_failures = 1;
        }
        if let Some(i) = args.isolation {
            config.isolation = i;
        }
        if let Some(shard) = args.shard {
            config.shard = Some(shard);
        }
        if let Some(balance) = args.shard_balance {
            config.shard_balance = balance;
        }
        config.last_failed = args.last_failed;
        for (given, slot, flag) in [
            (&args.test_list, &mut config.test_list, "--test-list"),
            (&args.test_list_invert, &mut config.test_list_invert, "--test-list-invert"),
        ] {
            if let Some(path) = given {
                let text = std::fs::read_to_string(cwd.join(path)).map_err(|e| {
                    UsageError::new(format!("{flag}: cannot read test list file {}: {e}", path.display()))
                })?;
                *slot = Some(crate::suite::test_list::TestList::parse(&text).map_err(|e| {
                    UsageError::new(format!("{flag}: {}: {e}", path.display()))
                        .hint("one test a line, as `isolate-browser test --list` prints them")
                })?);
            }
        }
        if let Some(seed) = &args.shuffle {
            config.shuffle = Some(match seed.as_str() {
                "random" => std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64 % 1_000_000)
                    .unwrap_or(1),
                s => s.parse().map_err(|_| {
                    UsageError::new(format!("--shuffle: \"{s}\" is not a seed"))
                        .hint("give a whole number, or no value for a random seed")
                })?,
            });
        }
        if let Some(n) = args.repeat_each {
            config.set_repeat_each(n);
        }
        if args.fail_on_flaky_tests {
            config.fail_on_flaky_tests = true;
        }
        if let Some(ms) = args.global_timeout {
            config.global_timeout = (ms > 0).then(|| Duration::from_millis(ms));
        }
        for p in &mut config.projects {
            if let Some(mode) = args.update_snapshots {
                p.snapshots.update = mode;
            }
            if args.ignore_snapshots {
                p.snapshots.ignore = true;
            }
            if let Some(mode) = &args.trace {
                p.use_options
                    .insert("trace".into(), Value::String(mode.clone()));
            }
        }
        if let Some(r) = &args.reporter {
            config.reporters = r.split(',').map(|n| (n.trim().to_string(), Value::Null)).filter(|(n, _)| !n.is_empty()).collect();
        }
        let reporters = if args.list { Vec::new() } else { reporters(&config, &config.reporters, args.quiet)? };
        let launch = launch_options(&config, args.headed);
        if !args.list {
            isolate_browser_browser::find_chromium(launch.executable.as_deref())
                .map_err(|e| UsageError::new(e.to_string()).hint("install Chromium (`apt-get install chromium`) or set use.launchOptions.executablePath"))?;
        }
        let (int_tx, int_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
            }
            // First stop the run: telling about it can fail (a closed stderr) and must not stop
            // the stop.
            let _ = int_tx.send(true);
            crate::stdio::err!("\ninterrupted: stopping running tests and writing reports…");
        });
        let request = RunRequest {
            filters: args.filters.iter().map(|f| Filter::parse(f)).collect(),
            projects: args.projects.clone(),
            list_only: args.list,
            // Nothing failed last time: nothing to run again, and that is no error.
            pass_with_no_tests: args.pass_with_no_tests || args.last_failed,
            browser: BrowserSource::Launch(launch),
            specs: None,
            config,
        };
        let list_only = request.list_only;
        // `--list --reporter json` prints the listing as a JSON report (to its file when one is
        // named), as Playwright does.
        let list_json = args
            .reporter
            .as_deref()
            .is_some_and(|r| r.split(',').any(|n| n.trim() == "json"));
        let json_file = ["ISOLATE_BROWSER_JSON_OUTPUT_NAME", "PLAYWRIGHT_JSON_OUTPUT_NAME"]
            .iter()
            .find_map(|k| std::env::var_os(k).filter(|v| !v.is_empty()))
            .map(|v| cwd.join(v));
        match crate::suite::run(request, reporters, None, Some(int_rx)).await {
            Ok(summary) => {
                if list_only && list_json {
                    let text = serde_json::to_string_pretty(&JsonReporter::listing(&summary.tests))
                        .unwrap_or_default();
                    match json_file {
                        Some(path) => isolate_browser_reporters::write_atomically(&path, text.as_bytes())
                            .map_err(|e| UsageError::new(e.to_string()))?,
                        None => crate::stdio::out!("{text}"),
                    }
                    return Ok(ExitCode::SUCCESS);
                }
                if list_only {
                    crate::stdio::out!("Listing tests:");
                    for t in &summary.tests {
                        let project = t.project.as_deref().map(|p| format!("[{p}] › ")).unwrap_or_default();
                        crate::stdio::out!("  {project}{}:{}:{} › {}", t.file, t.line, t.column, t.title_path.join(" › "));
                    }
                    crate::stdio::out!("Total: {} tests", summary.tests.len());
                    return Ok(ExitCode::SUCCESS);
                }
                Ok(match summary.status {
                    RunStatus::Passed => ExitCode::SUCCESS,
                    RunStatus::Failed => ExitCode::from(1),
                    RunStatus::Interrupted => ExitCode::from(130),
                })
            }
            Err(e) => {
                crate::stdio::err!("error: {e}");
                let code = e.exit_code();
                if code == 2 {
                    crate::stdio::err!("hint: check the config file and the command-line flags");
                }
                Ok(ExitCode::from(code as u8))
            }
        }
    })
}

//! The test configuration: `isolate-browser.config.{ts,js,json}` or a `playwright.config.ts`
//! passed with `-c`. A TS/JS config runs in its own sandbox (with `defineConfig`, `devices` and
//! a read-only `process.env`, nothing else) and must export plain data; the result is checked
//! and resolved here into a [`Config`] whose paths are absolute. Keys we do not support are
//! warned about once and ignored, never fatal, so that Playwright configs load unchanged.

use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use super::json::strings;
use super::sources;
use crate::sandbox::ConsoleBinding;
use crate::sandbox::ModulesBinding;
use crate::sandbox::Runtime;
use crate::sandbox::RuntimeOptions;

/// How much console output of one test is kept by default, in MiB (`outputLimitMb`).
pub const DEFAULT_OUTPUT_LIMIT_MB: u64 = 4;

/// The config file names looked for, in order, when `-c` is not given.
pub const CONFIG_NAMES: &[&str] = &[
    "isolate-browser.config.ts",
    "isolate-browser.config.js",
    "isolate-browser.config.mjs",
    "isolate-browser.config.json",
    "playwright.config.ts",
    "playwright.config.js",
];

/// A config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file's contents are not a valid config.
    #[error("invalid config {path}: {reason}")]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// What is wrong, naming the key.
        reason: String,
    },
}

/// A file pattern: a glob (matched against the path relative to the test dir) or a RegExp.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// `**/*.spec.ts`.
    Glob(String),
    /// A JS regular expression (source, flags).
    Regex(String, String),
}

/// How a worker's spec files share isolates (`isolation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// Every spec file loads in fresh isolates: nothing one file does reaches another.
    #[default]
    File,
    /// A worker keeps its isolate from one spec file to its next, modules loaded (npm packages
    /// evaluated once per worker, as in Playwright's worker processes), until a test fails,
    /// times out or a file is loaded again (a retry); then it starts a fresh one. The files of
    /// a worker then share globals and module state, as in Playwright.
    Worker,
}

impl Isolation {
    /// `"file"` / `"worker"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "file" => Some(Self::File),
            "worker" => Some(Self::Worker),
            _ => None,
        }
    }
}

/// A `webServer` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct WebServerConfig {
    /// Shell command.
    pub command: Option<String>,
    /// Directory the runner serves itself (our extension: `static`).
    pub static_dir: Option<PathBuf>,
    /// A sandboxed app server's entry module (our extension: `entry`): the browser's and the
    /// tests' requests for its origin (`url`, default `http://app.test`) go straight into it,
    /// with no port.
    pub entry: Option<PathBuf>,
    /// URL to wait for.
    pub url: Option<String>,
    /// Port to wait for (or bind, for `static`).
    pub port: Option<u16>,
    /// Reuse a server that already answers.
    pub reuse_existing_server: bool,
    /// How long to wait for it.
    pub timeout: Duration,
    /// Working directory of the command.
    pub cwd: PathBuf,
    /// Extra environment.
    pub env: Vec<(String, String)>,
    /// Echo the command's output.
    pub echo_output: bool,
}

/// One project: a set of tests with its own options.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Name (empty when the config has no projects).
    pub name: String,
    /// Where its specs are.
    pub test_dir: PathBuf,
    /// Which files are specs.
    pub test_match: Vec<Pattern>,
    /// Which files are not.
    pub test_ignore: Vec<Pattern>,
    /// Fixture options (`use`), merged over the top-level ones.
    pub use_options: serde_json::Map<String, Value>,
    /// Projects that must pass first.
    pub dependencies: Vec<String>,
    /// Retries for its tests.
    pub retries: u32,
    /// Test timeout.
    pub timeout: Duration,
    /// Expect timeout.
    pub expect_timeout: Duration,
    /// Run the tests of a file in parallel.
    pub fully_parallel: bool,
    /// Only titles matching.
    pub grep: Option<Pattern>,
    /// Not titles matching.
    pub grep_invert: Option<Pattern>,
    /// Snapshot paths, update mode and matcher defaults.
    pub snapshots: super::snapshots::SnapshotConfig,
    /// Which repetition of the project this is (`repeatEach`), from 0.
    pub repeat_index: u32,
}

/// A resolved configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The config file, when there was one.
    pub file: Option<PathBuf>,
    /// The directory relative paths resolve against (the config's, or the working directory).
    pub root: PathBuf,
    /// Projects (one unnamed project when the config has none).
    pub projects: Vec<Project>,
    /// Parallel workers.
    pub workers: usize,
    /// Fail when `test.only` is left in.
    pub forbid_only: bool,
    /// Stop after this many failures (0: never).
    pub max_failures: usize,
    /// Reporters: name and options.
    pub reporters: Vec<(String, Value)>,
    /// Where results and attachments go.
    pub output_dir: PathBuf,
    /// Only titles matching.
    pub grep: Option<Pattern>,
    /// Not titles matching.
    pub grep_invert: Option<Pattern>,
    /// Servers to start first.
    pub web_servers: Vec<WebServerConfig>,
    /// Heap limit of each test isolate, in MiB.
    pub memory_limit_mb: usize,
    /// Console output kept (and shown) of one test, in MiB; the rest is dropped with a note.
    pub output_limit_mb: usize,
    /// Origins test code may `fetch` and pages may reach (beyond the base URL and web
    /// servers), loopback included.
    pub allow_net: Vec<String>,
    /// Host environment variables test code may read as `process.env` (nothing else is there).
    pub allow_env: Vec<String>,
    /// Variables the config file itself set (`dotenv.config()`): test code sees them, as
    /// Playwright's workers inherit what the config put in `process.env`.
    pub config_env: Vec<(String, String)>,
    /// Pages reach only granted origins (no public hosts either).
    pub strict_network: bool,
    /// Directories (relative to the root) test code may write to besides the output
    /// directory; default `playwright/.auth`, where Playwright's guides keep signed-in state.
    pub writable_dirs: Vec<String>,
    /// Texts masked as `***` in output, failures and reports.
    pub secrets: Vec<String>,
    /// Environment variables whose values are masked the same way.
    pub secret_env: Vec<String>,
    /// Where virtual browser profiles are stored.
    pub profiles_dir: PathBuf,
    /// `globalSetup` files (absolute), run in a sandbox before any test.
    pub global_setup: Vec<PathBuf>,
    /// `globalTeardown` files (absolute), run after the last test.
    pub global_teardown: Vec<PathBuf>,
    /// Whether a worker's spec files share its isolate.
    pub isolation: Isolation,
    /// `shard` / `--shard`: the part of the selected tests this machine runs.
    pub shard: Option<super::shard::Shard>,
    /// `shardBalance` / `--shard-balance`: how the shards are split.
    pub shard_balance: super::shard::ShardBalance,
    /// `failOnFlakyTests` / `--fail-on-flaky-tests`: a flaky test fails the run.
    pub fail_on_flaky_tests: bool,
    /// `globalTimeout` / `--global-timeout`: the whole run's time limit.
    pub global_timeout: Option<Duration>,
    /// `--last-failed`: only the tests that failed in the last run (`.last-run.json`).
    pub last_failed: bool,
    /// `--test-list`: only the tests it names.
    pub test_list: Option<super::test_list::TestList>,
    /// `--test-list-invert`: not the tests it names.
    pub test_list_invert: Option<super::test_list::TestList>,
    /// `--shuffle`: the seed of the run's order.
    pub shuffle: Option<u64>,
    /// Keys that were ignored, for one warning each.
    pub warnings: Vec<String>,
}

const TOP_KEYS: &[&str] = &[
    "testDir",
    "testMatch",
    "testIgnore",
    "timeout",
    "expect",
    "retries",
    "workers",
    "fullyParallel",
    "forbidOnly",
    "maxFailures",
    "reporter",
    "outputDir",
    "grep",
    "grepInvert",
    "use",
    "webServer",
    "projects",
    "memoryLimitMb",
    "outputLimitMb",
    "secrets",
    "secretEnv",
    "allowNet",
    "allowEnv",
    "strictNetwork",
    "writableDirs",
    "profilesDir",
    "globalSetup",
    "globalTeardown",
    "isolation",
    "snapshotDir",
    "snapshotPathTemplate",
    "updateSnapshots",
    "ignoreSnapshots",
    "shard",
    "shardBalance",
    "failOnFlakyTests",
    "globalTimeout",
    "repeatEach",
];
const PROJECT_KEYS: &[&str] = &[
    "name",
    "testDir",
    "testMatch",
    "testIgnore",
    "use",
    "dependencies",
    "retries",
    "timeout",
    "fullyParallel",
    "grep",
    "grepInvert",
    "expect",
    "snapshotDir",
    "snapshotPathTemplate",
    "ignoreSnapshots",
];
const SERVER_KEYS: &[&str] = &[
    "command",
    "static",
    "entry",
    "url",
    "port",
    "reuseExistingServer",
    "timeout",
    "cwd",
    "env",
    "stdout",
    "stderr",
];

fn default_match() -> Vec<Pattern> {
    vec![Pattern::Glob("**/*.@(spec|test).?(c|m)[jt]s?(x)".into())]
}

/// Half the cores, at least one: the default worker count.
pub fn default_workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| (n.get() / 2).max(1))
        .unwrap_or(1)
}

/// Finds the config file in `dir` (`CONFIG_NAMES`, first wins).
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    CONFIG_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// Loads and resolves a config file; `None` gives the defaults rooted at `cwd`.
pub async fn load(file: Option<&Path>, cwd: &Path) -> Result<Config, ConfigError> {
    let Some(file) = file else {
        return resolve(Value::Object(Default::default()), None, cwd);
    };
    let file = if file.is_absolute() {
        file.to_path_buf()
    } else {
        cwd.join(file)
    };
    let root = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| cwd.to_path_buf());
    let text = std::fs::read_to_string(&file).map_err(|source| ConfigError::Read {
        path: file.clone(),
        source,
    })?;
    let invalid = |reason: String| ConfigError::Invalid {
        path: file.clone(),
        reason,
    };
    let (value, config_env) = if file.extension().is_some_and(|e| e == "json") {
        let value = serde_json::from_str(&text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        (value, Vec::new())
    } else {
        evaluate(&file, &root).await.map_err(invalid)?
    };
    let mut config = resolve(value, Some(&file), &root)?;
    config.config_env = config_env;
    Ok(config)
}

/// Runs a TS/JS config in a sandbox and returns its default export as JSON (RegExps become
/// `{ "__regex", "flags" }`), and the variables it set in `process.env`. The config sees the
/// host's environment and reads (never writes) the project's files, as `dotenv` needs.
async fn evaluate(file: &Path, root: &Path) -> Result<(Value, Vec<(String, String)>), String> {
    let mut modules = ModulesBinding::default();
    for (name, module) in sources::config_modules() {
        modules.virtual_modules.insert(name, module);
    }
    let runtime = Runtime::new(RuntimeOptions {
        memory_limit_mb: 128,
        execution_timeout: Some(Duration::from_secs(10)),
        cwd: root.to_path_buf(),
        console: ConsoleBinding::callback(|e| crate::stdio::err!("[config] {}", e.text)),
        modules,
        files: Some(crate::sandbox::FilesBinding {
            root: root.to_path_buf(),
            ..Default::default()
        }),
        env: std::env::vars().collect(),
        ..RuntimeOptions::default()
    })
    .map_err(|e| e.to_string())?;
    let host_env: BTreeMap<String, String> = std::env::vars().collect();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let loader = format!(
        "import * as m from {spec};\n\
         const cfg = m.default ?? m.config;\n\
         if (cfg === undefined) throw new Error('the config must `export default` an object (use defineConfig)');\n\
         globalThis.__ib_config = JSON.stringify(cfg, (k, v) => v instanceof RegExp ? {{ __regex: v.source, flags: v.flags }} : typeof v === 'function' ? {{ __function: true }} : v);",
        spec = serde_json::to_string(&format!("./{name}")).map_err(|e| e.to_string())?
    );
    runtime
        .run_module_code("__isolate_browser_config_loader.mjs", loader)
        .await
        .map_err(|e| e.to_string())?;
    let text = runtime
        .eval("globalThis.__ib_config")
        .await
        .map_err(|e| e.to_string())?;
    let env = runtime
        .eval("JSON.stringify(process.env)")
        .await
        .map_err(|e| e.to_string())?;
    runtime.dispose().await;
    let text = text.as_str().ok_or("the config did not export an object")?;
    let value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let env: BTreeMap<String, String> = env
        .as_str()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let set = env
        .into_iter()
        .filter(|(k, v)| host_env.get(k) != Some(v))
        .collect();
    Ok((value, set))
}

fn pattern(v: &Value, key: &str) -> Result<Pattern, String> {
    match v {
        Value::String(s) => Ok(Pattern::Glob(s.clone())),
        Value::Object(o) if o.contains_key("__regex") => Ok(Pattern::Regex(
            o.get("__regex")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            o.get("flags")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )),
        other => Err(format!(
            "`{key}` must be a glob string or a RegExp, got {other}"
        )),
    }
}

fn patterns(v: Option<&Value>, key: &str) -> Result<Option<Vec<Pattern>>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| pattern(i, key))
            .collect::<Result<_, _>>()
            .map(Some),
        Some(one) => Ok(Some(vec![pattern(one, key)?])),
    }
}

fn grep_pattern(v: Option<&Value>, key: &str) -> Result<Option<Pattern>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(Pattern::Regex(regex_escape(s), String::new()))),
        Some(Value::Array(a)) if a.is_empty() => Ok(None),
        Some(other) => pattern(other, key).map(Some),
    }
}

/// A literal string as a regex source (Playwright turns a string grep into a RegExp of it).
pub fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\^$.|?*+()[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn u64_of(v: Option<&Value>, key: &str) -> Result<Option<u64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| *f >= 0.0)
            .map(|f| Some(f as u64))
            .ok_or_else(|| format!("`{key}` must be a non-negative number")),
        Some(other) => Err(format!("`{key}` must be a number, got {other}")),
    }
}

/// `writableDirs`: relative directories inside the project.
fn writable_dirs(v: Option<&Value>) -> Result<Vec<String>, String> {
    let Some(v) = v else {
        return Ok(vec!["playwright/.auth".to_string()]);
    };
    let list = v
        .as_array()
        .ok_or("writableDirs must be an array of directories relative to the project")?;
    list.iter()
        .map(|d| {
            let d = d
                .as_str()
                .ok_or("writableDirs must be an array of directories relative to the project")?;
            let clean = d.trim_start_matches("./").trim_end_matches('/');
            if clean.is_empty()
                || clean.starts_with('/')
                || clean.split('/').any(|p| p == ".." || p == ".")
            {
                return Err(format!(
                    "writableDirs: \"{d}\" must be a directory inside the project, such as \"playwright/.auth\" (not the project itself, not absolute, no `..`)"
                ));
            }
            Ok(clean.to_string())
        })
        .collect()
}

fn bool_of(v: Option<&Value>, key: &str) -> Result<Option<bool>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(format!("`{key}` must be true or false, got {other}")),
    }
}

fn warn_unknown(
    obj: &serde_json::Map<String, Value>,
    known: &[&str],
    prefix: &str,
    out: &mut Vec<String>,
) {
    for k in obj.keys() {
        if !known.contains(&k.as_str()) {
            out.push(format!(
                "config key `{prefix}{k}` is not supported by isolate-browser yet; it is ignored"
            ));
        }
    }
}

/// The modes of `use.video` and `use.trace` (Playwright's), and the old spelling of
/// `on-first-retry` each accepts.
const ARTIFACT_MODES: &[&str] = &[
    "off",
    "on",
    "retain-on-failure",
    "on-first-retry",
    "on-all-retries",
    "retain-on-first-failure",
    "retain-on-failure-and-retries",
];

/// Checks `use.video` / `use.trace`: a mode, or `{ mode, ...options }`. A video mode that
/// records needs ffmpeg, so a machine without it is told before anything runs.
fn check_artifacts(use_: &serde_json::Map<String, Value>, prefix: &str) -> Result<(), String> {
    for (option, legacy, options) in [
        ("video", "retry-with-video", &["mode", "size"][..]),
        (
            "trace",
            "retry-with-trace",
            &["mode", "snapshots", "screenshots", "sources", "attachments"][..],
        ),
    ] {
        let key = format!("{prefix}use.{option}");
        let mode = match use_.get(option) {
            None | Some(Value::Null) => continue,
            Some(Value::String(m)) => m.as_str(),
            Some(Value::Object(o)) => {
                for k in o.keys() {
                    if !options.contains(&k.as_str()) {
                        return Err(format!(
                            "`{key}.{k}` is not an option of {option} ({})",
                            options.join(", ")
                        ));
                    }
                }
                if let Some(size) = o.get("size").filter(|s| !s.is_null()) {
                    let dim = |d: &str| {
                        size.get(d)
                            .and_then(Value::as_u64)
                            .filter(|n| (2..=7680).contains(n))
                    };
                    if dim("width").is_none() || dim("height").is_none() {
                        return Err(format!(
                            "`{key}.size` must be {{ width, height }} in pixels (2 to 7680), got {size}"
                        ));
                    }
                }
                o.get("mode").and_then(Value::as_str).unwrap_or("off")
            }
            Some(other) => {
                return Err(format!(
                    "`{key}` must be one of {} or {{ mode, ... }}, got {other}",
                    ARTIFACT_MODES.join(", ")
                ));
            }
        };
        if !ARTIFACT_MODES.contains(&mode) && mode != legacy {
            return Err(format!(
                "`{key}` mode must be one of {}, got \"{mode}\"",
                ARTIFACT_MODES.join(", ")
            ));
        }
        if option == "video" && mode != "off" && isolate_browser_browser::find_ffmpeg().is_none() {
            return Err(format!(
                "`{key}` is \"{mode}\", and recording videos needs ffmpeg, which is not on PATH: install it (`apt-get install ffmpeg`) or set {} to its path",
                isolate_browser_browser::FFMPEG_ENV
            ));
        }
    }
    Ok(())
}

fn warn_use(use_: &serde_json::Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
    for key in ["browserName", "defaultBrowserType"] {
        if let Some(b) = use_.get(key).and_then(Value::as_str)
            && b != "chromium"
        {
            out.push(format!(
                "`{prefix}use.{key}` is \"{b}\", but isolate-browser drives Chromium only; these tests run on Chromium"
            ));
        }
    }
    // Context options that are passed through but not emulated yet: a value other than the
    // default would silently change nothing, so it is named.
    let emulated_default = |key: &str, v: &Value| match key {
        "isMobile" | "hasTouch" | "bypassCSP" => v == &Value::Bool(false),
        "deviceScaleFactor" => v.as_f64() == Some(1.0),
        "acceptDownloads" => v == &Value::Bool(true),
        "serviceWorkers" => v.as_str() == Some("allow"),
        _ => v.is_null(),
    };
    for key in [
        "isMobile",
        "hasTouch",
        "deviceScaleFactor",
        "bypassCSP",
        "httpCredentials",
        "acceptDownloads",
        "serviceWorkers",
    ] {
        if let Some(v) = use_.get(key)
            && !emulated_default(key, v)
        {
            out.push(format!(
                "config key `{prefix}use.{key}` ({v}) is not emulated by isolate-browser yet; pages run without it"
            ));
        }
    }
}

fn workers_of(v: Option<&Value>) -> Result<Option<usize>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|n| *n > 0)
            .map(|n| Some(n as usize))
            .ok_or_else(|| {
                "`workers` must be a positive number or a percentage like \"50%\"".into()
            }),
        Some(Value::String(s)) => parse_workers(s).map(Some),
        Some(other) => Err(format!(
            "`workers` must be a number or a percentage, got {other}"
        )),
    }
}

/// `4` or `50%` (of the cores).
pub fn parse_workers(s: &str) -> Result<usize, String> {
    if let Some(pct) = s.strip_suffix('%') {
        let pct: f64 = pct
            .trim()
            .parse()
            .map_err(|_| format!("invalid worker percentage \"{s}\""))?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        return Ok(((cores as f64 * pct / 100.0).round() as usize).max(1));
    }
    s.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            format!("invalid worker count \"{s}\" (use a positive number or a percentage like 50%)")
        })
}

/// `"list"`, `[["junit", { outputFile }], ["list"]]` or `[["dot"]]`.
fn reporters_of(v: Option<&Value>) -> Result<Vec<(String, Value)>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(|r| (r.trim().to_string(), Value::Null))
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Array(pair) => match pair.first().and_then(Value::as_str) {
                    Some(name) => Ok((
                        name.to_string(),
                        pair.get(1).cloned().unwrap_or(Value::Null),
                    )),
                    None => {
                        Err("each `reporter` entry must start with a reporter name".to_string())
                    }
                },
                Value::String(s) => Ok((s.clone(), Value::Null)),
                other => Err(format!("invalid `reporter` entry {other}")),
            })
            .collect(),
        Some(other) => Err(format!(
            "`reporter` must be a name or a list of [name, options], got {other}"
        )),
    }
}

fn web_servers(v: Option<&Value>, root: &Path) -> Result<Vec<WebServerConfig>, String> {
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a.clone(),
        Some(one) => vec![one.clone()],
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let o = item
            .as_object()
            .ok_or_else(|| format!("`webServer[{i}]` must be an object"))?;
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let cwd = s("cwd")
            .map(|c| root.join(c))
            .unwrap_or_else(|| root.to_path_buf());
        let env = o
            .get("env")
            .and_then(Value::as_object)
            .map(|e| {
                e.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        out.push(WebServerConfig {
            command: s("command"),
            static_dir: s("static").map(|d| root.join(d)),
            entry: s("entry").map(PathBuf::from),
            url: s("url"),
            port: u64_of(o.get("port"), "webServer.port")?.map(|p| p as u16),
            reuse_existing_server: bool_of(
                o.get("reuseExistingServer"),
                "webServer.reuseExistingServer",
            )?
            .unwrap_or(false),
            timeout: Duration::from_millis(
                u64_of(o.get("timeout"), "webServer.timeout")?.unwrap_or(60_000),
            ),
            cwd,
            env,
            echo_output: s("stdout").as_deref() == Some("pipe"),
        });
    }
    Ok(out)
}

/// Checks and resolves config data read from `file`.
pub fn resolve(value: Value, file: Option<&Path>, root: &Path) -> Result<Config, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        path: file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.to_path_buf()),
        reason,
    };
    let obj = match value {
        Value::Object(o) => o,
        other => {
            return Err(invalid(format!(
                "the config must be an object, got {other}"
            )));
        }
    };
    let mut warnings = Vec::new();
    warn_unknown(&obj, TOP_KEYS, "", &mut warnings);
    let get = |k: &str| obj.get(k);
    let test_dir = root.join(get("testDir").and_then(Value::as_str).unwrap_or("."));
    let test_match = patterns(get("testMatch"), "testMatch")
        .map_err(invalid)?
        .unwrap_or_else(default_match);
    let test_ignore = patterns(get("testIgnore"), "testIgnore")
        .map_err(invalid)?
        .unwrap_or_default();
    let timeout = Duration::from_millis(
        u64_of(get("timeout"), "timeout")
            .map_err(invalid)?
            .unwrap_or(30_000),
    );
    let expect_timeout = Duration::from_millis(
        u64_of(
            get("expect").and_then(|e| e.get("timeout")),
            "expect.timeout",
        )
        .map_err(invalid)?
        .unwrap_or(5_000),
    );
    let retries = u64_of(get("retries"), "retries")
        .map_err(invalid)?
        .unwrap_or(0) as u32;
    let fully_parallel = bool_of(get("fullyParallel"), "fullyParallel")
        .map_err(invalid)?
        .unwrap_or(false);
    let use_options = match get("use") {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(u)) => u.clone(),
        Some(other) => return Err(invalid(format!("`use` must be an object, got {other}"))),
    };
    warn_use(&use_options, "", &mut warnings);
    check_artifacts(&use_options, "").map_err(invalid)?;
    let grep = grep_pattern(get("grep"), "grep").map_err(invalid)?;
    let grep_invert = grep_pattern(get("grepInvert"), "grepInvert").map_err(invalid)?;
    let snapshots = super::snapshots::SnapshotConfig::parse(&obj, root, "", &Default::default())
        .map_err(invalid)?;

    let mut projects = Vec::new();
    match get("projects") {
        None | Some(Value::Null) => projects.push(Project {
            name: String::new(),
            test_dir: test_dir.clone(),
            test_match: test_match.clone(),
            test_ignore: test_ignore.clone(),
            use_options: use_options.clone(),
            dependencies: Vec::new(),
            retries,
            timeout,
            expect_timeout,
            fully_parallel,
            grep: None,
            grep_invert: None,
            snapshots: snapshots.clone(),
            repeat_index: 0,
        }),
        Some(Value::Array(list)) => {
            for (i, p) in list.iter().enumerate() {
                let p = p
                    .as_object()
                    .ok_or_else(|| invalid(format!("`projects[{i}]` must be an object")))?;
                warn_unknown(p, PROJECT_KEYS, &format!("projects[{i}]."), &mut warnings);
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let mut merged = use_options.clone();
                if let Some(Value::Object(u)) = p.get("use") {
                    warn_use(u, &format!("projects[{i}]."), &mut warnings);
                    check_artifacts(u, &format!("projects[{i}].")).map_err(invalid)?;
                    merged.extend(u.clone());
                }
                let key = |k: &str| format!("projects[{i}].{k}");
                projects.push(Project {
                    test_dir: p
                        .get("testDir")
                        .and_then(Value::as_str)
                        .map(|d| root.join(d))
                        .unwrap_or_else(|| test_dir.clone()),
                    test_match: patterns(p.get("testMatch"), &key("testMatch"))
                        .map_err(invalid)?
                        .unwrap_or_else(|| test_match.clone()),
                    test_ignore: patterns(p.get("testIgnore"), &key("testIgnore"))
                        .map_err(invalid)?
                        .unwrap_or_else(|| test_ignore.clone()),
                    use_options: merged,
                    dependencies: strings(p.get("dependencies")),
                    retries: u64_of(p.get("retries"), &key("retries"))
                        .map_err(invalid)?
                        .map(|r| r as u32)
                        .unwrap_or(retries),
                    timeout: u64_of(p.get("timeout"), &key("timeout"))
                        .map_err(invalid)?
                        .map(Duration::from_millis)
                        .unwrap_or(timeout),
                    expect_timeout: u64_of(
                        p.get("expect").and_then(|e| e.get("timeout")),
                        &key("expect.timeout"),
                    )
                    .map_err(invalid)?
                    .map(Duration::from_millis)
                    .unwrap_or(expect_timeout),
                    fully_parallel: bool_of(p.get("fullyParallel"), &key("fullyParallel"))
                        .map_err(invalid)?
                        .unwrap_or(fully_parallel),
                    grep: grep_pattern(p.get("grep"), &key("grep")).map_err(invalid)?,
                    grep_invert: grep_pattern(p.get("grepInvert"), &key("grepInvert"))
                        .map_err(invalid)?,
                    snapshots: {
                        let mut own = p.clone();
                        // The update mode is the run's, not a project's.
                        own.remove("updateSnapshots");
                        super::snapshots::SnapshotConfig::parse(
                            &own,
                            root,
                            &format!("projects[{i}]."),
                            &snapshots,
                        )
                        .map_err(invalid)?
                    },
                    name,
                    repeat_index: 0,
                });
            }
            let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
            for p in &projects {
                for d in &p.dependencies {
                    if !names.contains(&d.as_str()) {
                        return Err(invalid(format!(
                            "project \"{}\" depends on \"{d}\", which is not a project (projects: {})",
                            p.name,
                            names.join(", ")
                        )));
                    }
                }
            }
        }
        Some(other) => return Err(invalid(format!("`projects` must be an array, got {other}"))),
    }
    if let Some(Value::Array(servers)) = get("webServer") {
        for (i, s) in servers.iter().enumerate() {
            if let Some(o) = s.as_object() {
                warn_unknown(o, SERVER_KEYS, &format!("webServer[{i}]."), &mut warnings);
            }
        }
    } else if let Some(Value::Object(o)) = get("webServer") {
        warn_unknown(o, SERVER_KEYS, "webServer.", &mut warnings);
    }
    let repeat_each = u64_of(get("repeatEach"), "repeatEach")
        .map_err(invalid)?
        .unwrap_or(1)
        .clamp(1, u64::from(u32::MAX)) as u32;
    let mut config = Config {
        file: file.map(Path::to_path_buf),
        root: root.to_path_buf(),
        projects,
        workers: workers_of(get("workers"))
            .map_err(invalid)?
            .unwrap_or_else(default_workers),
        forbid_only: bool_of(get("forbidOnly"), "forbidOnly")
            .map_err(invalid)?
            .unwrap_or(false),
        max_failures: u64_of(get("maxFailures"), "maxFailures")
            .map_err(invalid)?
            .unwrap_or(0) as usize,
        reporters: reporters_of(get("reporter")).map_err(invalid)?,
        output_dir: root.join(
            get("outputDir")
                .and_then(Value::as_str)
                .unwrap_or("test-results"),
        ),
        grep,
        grep_invert,
        web_servers: web_servers(get("webServer"), root).map_err(invalid)?,
        memory_limit_mb: u64_of(get("memoryLimitMb"), "memoryLimitMb")
            .map_err(invalid)?
            .unwrap_or(512) as usize,
        output_limit_mb: u64_of(get("outputLimitMb"), "outputLimitMb")
            .map_err(invalid)?
            .unwrap_or(DEFAULT_OUTPUT_LIMIT_MB) as usize,
        allow_net: strings(get("allowNet")),
        allow_env: strings(get("allowEnv")),
        config_env: Vec::new(),
        strict_network: bool_of(get("strictNetwork"), "strictNetwork")
            .map_err(invalid)?
            .unwrap_or(false),
        writable_dirs: writable_dirs(get("writableDirs")).map_err(invalid)?,
        secrets: strings(get("secrets")),
        secret_env: strings(get("secretEnv")),
        profiles_dir: root.join(
            get("profilesDir")
                .and_then(Value::as_str)
                .unwrap_or(".isolate-browser/profiles"),
        ),
        global_setup: setup_files(get("globalSetup"), "globalSetup", root).map_err(invalid)?,
        global_teardown: setup_files(get("globalTeardown"), "globalTeardown", root)
            .map_err(invalid)?,
        isolation: isolation_of(get("isolation")).map_err(invalid)?,
        shard: shard_of(get("shard")).map_err(invalid)?,
        shard_balance: match get("shardBalance") {
            None | Some(Value::Null) => super::shard::ShardBalance::Count,
            Some(Value::String(s)) => super::shard::ShardBalance::parse(s)
                .map_err(|e| invalid(format!("`shardBalance`: {e}")))?,
            Some(other) => {
                return Err(invalid(format!(
                    "`shardBalance` must be \"count\" or \"duration\", got {other}"
                )));
            }
        },
        fail_on_flaky_tests: bool_of(get("failOnFlakyTests"), "failOnFlakyTests")
            .map_err(invalid)?
            .unwrap_or(false),
        global_timeout: u64_of(get("globalTimeout"), "globalTimeout")
            .map_err(invalid)?
            .filter(|&ms| ms > 0)
            .map(Duration::from_millis),
        last_failed: false,
        test_list: None,
        test_list_invert: None,
        shuffle: None,
        warnings,
    };
    config.set_repeat_each(repeat_each);
    Ok(config)
}

impl Config {
    /// Runs every test `n` times (`repeatEach`, `--repeat-each`): each project `n` times over,
    /// as repetitions 0 to n-1 of it.
    pub fn set_repeat_each(&mut self, n: u32) {
        let base: Vec<Project> = self
            .projects
            .iter()
            .filter(|p| p.repeat_index == 0)
            .cloned()
            .collect();
        self.projects = base
            .into_iter()
            .flat_map(|p| {
                (0..n.max(1)).map(move |r| Project {
                    repeat_index: r,
                    ..p.clone()
                })
            })
            .collect();
    }
}

/// `shard: { current, total }` (or `null`).
fn shard_of(v: Option<&Value>) -> Result<Option<super::shard::Shard>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => {
            let num = |k: &str| {
                o.get(k)
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| format!("`shard.{k}` must be a positive integer"))
            };
            super::shard::Shard::new(num("current")?, num("total")?)
                .map(Some)
                .map_err(|e| format!("`shard`: {e}"))
        }
        Some(other) => Err(format!(
            "`shard` must be {{ current, total }}, such as {{ \"current\": 1, \"total\": 4 }}, got {other}"
        )),
    }
}

fn isolation_of(v: Option<&Value>) -> Result<Isolation, String> {
    let bad = |got: &Value| format!("`isolation` must be \"file\" or \"worker\", got {got}");
    match v {
        None | Some(Value::Null) => Ok(Isolation::default()),
        Some(Value::String(s)) => Isolation::parse(s).ok_or_else(|| bad(&Value::String(s.clone()))),
        Some(other) => Err(bad(other)),
    }
}

/// `globalSetup` / `globalTeardown`: a file or a list of files, relative to the config, that
/// must exist inside the project.
fn setup_files(v: Option<&Value>, key: &str, root: &Path) -> Result<Vec<PathBuf>, String> {
    let names: Vec<String> = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("`{key}` must be a file or a list of files"))
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(format!(
                "`{key}` must be a file or a list of files, got {other}"
            ));
        }
    };
    names
        .into_iter()
        .map(|name| {
            let path = root.join(&name);
            let real = path.canonicalize().map_err(|e| {
                format!("`{key}`: {name} cannot be read ({e}); give a file relative to the config, such as './global-setup.ts'")
            })?;
            let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            if !real.starts_with(&real_root) || !real.is_file() {
                return Err(format!("`{key}`: {name} must be a file inside the project"));
            }
            Ok(real)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shard_flakes_and_the_global_timeout_come_from_the_config() {
        let c = resolve(
            json!({ "shard": { "current": 2, "total": 3 }, "failOnFlakyTests": true, "globalTimeout": 60000 }),
            None,
            Path::new("/p"),
        )
        .expect("valid");
        assert_eq!(
            c.shard,
            Some(crate::suite::shard::Shard {
                current: 2,
                total: 3
            })
        );
        assert!(c.fail_on_flaky_tests);
        assert_eq!(c.global_timeout, Some(Duration::from_secs(60)));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        for bad in [
            json!({ "current": 4, "total": 3 }),
            json!("1/3"),
            json!({ "total": 3 }),
        ] {
            let err = resolve(json!({ "shard": bad }), None, Path::new("/p"))
                .expect_err("invalid")
                .to_string();
            assert!(err.contains("shard"), "{err}");
        }
    }

    #[test]
    fn projects_inherit_and_override_top_level_options() {
        let c = resolve(
            json!({
                "testDir": "tests", "retries": 1, "timeout": 1000, "use": { "baseURL": "http://a", "locale": "de-DE" },
                "projects": [
                    { "name": "setup", "testMatch": "**/*.setup.ts" },
                    { "name": "chromium", "dependencies": ["setup"], "use": { "locale": "fr-FR" }, "retries": 2 }
                ],
                "somethingNew": true
            }),
            None,
            Path::new("/p"),
        )
        .expect("valid");
        assert_eq!(c.projects.len(), 2);
        assert_eq!(c.projects[0].test_dir, PathBuf::from("/p/tests"));
        assert_eq!(
            c.projects[0].test_match,
            vec![Pattern::Glob("**/*.setup.ts".into())]
        );
        assert_eq!(c.projects[1].retries, 2);
        assert_eq!(c.projects[1].use_options["locale"], json!("fr-FR"));
        assert_eq!(c.projects[1].use_options["baseURL"], json!("http://a"));
        assert_eq!(c.projects[0].timeout, Duration::from_millis(1000));
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("somethingNew"));
    }

    #[test]
    fn context_options_that_are_not_emulated_are_named_unless_default() {
        let c = resolve(
            json!({ "use": { "isMobile": false, "deviceScaleFactor": 1, "hasTouch": true,
                             "httpCredentials": { "username": "u", "password": "p" } } }),
            None,
            Path::new("/p"),
        )
        .expect("valid");
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("use.hasTouch"), "{:?}", c.warnings);
        assert!(
            c.warnings[1].contains("use.httpCredentials"),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = resolve(json!({ "retries": "two" }), None, Path::new("/p")).unwrap_err();
        assert!(e.to_string().contains("`retries`"), "{e}");
        let e = resolve(
            json!({ "projects": [{ "name": "a", "dependencies": ["b"] }] }),
            None,
            Path::new("/p"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("depends on \"b\""), "{e}");
    }

    #[test]
    fn workers_accept_percentages() {
        assert!(parse_workers("50%").unwrap() >= 1);
        assert_eq!(parse_workers("3").unwrap(), 3);
        assert!(parse_workers("0").is_err());
    }
}

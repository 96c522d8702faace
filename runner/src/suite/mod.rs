//! The test runner: `isolate-browser test` as a library. [`run`] takes a resolved [`Config`]
//! (see [`config::load`]), finds and lists the spec files, starts web servers, schedules files
//! (or single tests, when fully parallel) onto workers that each own a Chromium, retries
//! failures in fresh isolates, and streams [`RunEvent`]s to reporters and to the caller as they
//! happen.
//!
//! - [`config`]: the config file and its resolution.
//! - `discovery`: spec files and filters.
//! - `selection`: listing and choosing the tests (filters, grep, only).
//! - `scheduler`: the run's state machine (jobs, retries, serial groups, dependency levels,
//!   max failures, interruption, totals), with no I/O; `schedule`: the async shell around it.
//! - `worker`: isolates per job and the deadline watchdog.
//! - `protocol`: the typed table of every host call the in-isolate JS makes.
//! - `browser`: the per-worker browser thread the browser calls go to; `browser/js/` is the
//!   in-isolate browser API.
//! - `js/`: the in-isolate test API (`@playwright/test`).

pub(crate) mod blob;
mod browser;
pub mod config;
mod discovery;
mod global_setup;
mod isolate_host;
mod json;
mod last_run;
mod output;
mod protocol;
mod results;
mod schedule;
mod scheduler;
mod secrets;
mod selection;
pub mod shard;
pub mod snapshots;
mod sources;
pub mod test_list;
mod timings;
mod trace_file;
mod web_server;
mod worker;

use std::path::PathBuf;

pub use config::Config;
pub use config::ConfigError;
pub use config::Isolation;
pub use config::Pattern;
pub use discovery::Filter;
pub use discovery::PatternError;
pub use isolate_browser_browser::LaunchOptions;
use isolate_browser_reporters::RunEvent;
use isolate_browser_reporters::RunStats;
use isolate_browser_reporters::RunStatus;
use isolate_browser_reporters::TestInfo;
pub use schedule::run;

/// Where workers get Chromium from.
#[derive(Debug, Clone)]
pub enum BrowserSource {
    /// Each worker launches its own.
    Launch(LaunchOptions),
    /// Each worker connects to this CDP endpoint (`ws://…` or `http://host:port`).
    Connect(String),
}

/// A spec given as source text instead of a file (for embedders).
#[derive(Debug, Clone)]
pub struct InMemorySpec {
    /// Its path relative to the project root (`tests/a.spec.ts`); the extension picks TS or JS.
    pub path: String,
    /// The source.
    pub code: String,
}

/// What to run.
pub struct RunRequest {
    /// The resolved configuration (CLI overrides already applied).
    pub config: Config,
    /// Positional filters.
    pub filters: Vec<Filter>,
    /// Only these projects (and their dependencies); empty: all.
    pub projects: Vec<String>,
    /// List the tests instead of running them.
    pub list_only: bool,
    /// Finding no tests is not an error.
    pub pass_with_no_tests: bool,
    /// Chromium.
    pub browser: BrowserSource,
    /// In-memory specs to run instead of discovering files.
    pub specs: Option<Vec<InMemorySpec>>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Passed, failed or interrupted.
    pub status: RunStatus,
    /// Totals.
    pub stats: RunStats,
    /// Every selected test (what `--list` prints).
    pub tests: Vec<TestInfo>,
    /// Files that failed to load or whose hooks failed outside tests.
    pub file_errors: usize,
}

/// A run could not start or was refused (exit code 2, except where noted).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A pattern in the config or on the command line does not compile.
    #[error(transparent)]
    Pattern(#[from] PatternError),
    /// A test directory cannot be read.
    #[error("cannot read test directory {dir}: {source}")]
    TestDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `--project` named a project the config does not have.
    #[error("project \"{name}\" not found (projects: {available})")]
    UnknownProject {
        /// The name given.
        name: String,
        /// The config's projects.
        available: String,
    },
    /// `test.only` was found with `--forbid-only` (exit code 1, as in Playwright).
    #[error("focused tests found in --forbid-only mode:\n{}", .0.join("\n"))]
    ForbidOnly(Vec<String>),
    /// No test matched (exit code 1 unless `--pass-with-no-tests`).
    #[error("no tests found{0}")]
    NoTests(String),
    /// A web server did not start.
    #[error("webServer: {0}")]
    WebServer(String),
    /// A worker could not start.
    #[error("cannot start a worker: {0}")]
    Worker(String),
    /// A `globalSetup` or `globalTeardown` file failed (exit code 1, as in Playwright).
    #[error("{0}")]
    GlobalSetup(String),
    /// `--last-failed` found a record it cannot read.
    #[error("--last-failed: cannot read the last run's record {0}")]
    LastRun(String),
}

impl RunError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::ForbidOnly(_) | Self::NoTests(_) | Self::GlobalSetup(_) => 1,
            _ => 2,
        }
    }
}

/// Receives every event as it happens.
pub type EventSink = Box<dyn FnMut(&RunEvent) + Send>;

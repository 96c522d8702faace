//! The run-event contract between the runner and every reporter. Workers report what happened;
//! one dispatcher stamps and forwards these events in order, so a reporter needs no state but
//! its own. Test failures are data here, never Rust errors.

use std::time::Duration;
use std::time::SystemTime;

use serde::Deserialize;
use serde::Serialize;

/// Identifies one test across retries: `file › describe › title` (plus the project, if any).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TestId(pub String);

/// Where a test is and what it is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestInfo {
    /// Stable id.
    pub id: TestId,
    /// Spec file, relative to the config's folder (the project root), `/`-separated.
    pub file: String,
    /// 1-based line of the `test(...)` call.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Describe titles then the test title.
    pub title_path: Vec<String>,
    /// Project name, when the config has projects.
    pub project: Option<String>,
}

impl TestInfo {
    /// `describe › test`, as reporters print it.
    pub fn full_title(&self) -> String {
        self.title_path.join(" › ")
    }
}

/// How one attempt of a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TestOutcome {
    /// It passed.
    Passed,
    /// An assertion or error failed it.
    Failed,
    /// It ran past its timeout.
    TimedOut,
    /// It was skipped (`test.skip`, `fixme`, a failed dependency, ...).
    Skipped,
    /// The run was interrupted while it ran.
    Interrupted,
}

/// A failure, ready to print: message, stack, diff, call log and a code frame.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestFailure {
    /// What failed, e.g. `expect.toHaveText` or `Error`.
    pub kind: String,
    /// The message (first line is the summary).
    pub message: String,
    /// The stack, positions in the original source.
    pub stack: Option<String>,
    /// The source line with a caret.
    pub code_frame: Option<String>,
    /// What a web-first assertion saw while waiting.
    pub call_log: Vec<String>,
    /// `file:line:column` of the failure.
    pub location: Option<String>,
}

impl TestFailure {
    /// Everything about the failure as one text block.
    pub fn full_text(&self) -> String {
        let mut out = self.message.clone();
        if !self.call_log.is_empty() {
            out.push_str("\n\nCall log:");
            for line in &self.call_log {
                out.push_str("\n  - ");
                out.push_str(line);
            }
        }
        if let Some(frame) = &self.code_frame {
            out.push_str("\n\n");
            out.push_str(frame);
        }
        if let Some(stack) = &self.stack {
            out.push_str("\n\n");
            out.push_str(stack);
        }
        out
    }
}

/// A file attached to a result (a screenshot, a trace, a log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// Its name.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// Where it was written, when it is a file.
    pub path: Option<String>,
}

/// A `test.step` and the steps inside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestStep {
    /// Its title.
    pub title: String,
    /// Wall time.
    pub duration: Duration,
    /// The error that ended it, if it failed.
    pub error: Option<String>,
    /// Skipped (`test.step.skip`).
    #[serde(default)]
    pub skipped: bool,
    /// Nested steps.
    #[serde(default)]
    pub steps: Vec<TestStep>,
}

/// One attempt of a test (the first run or a retry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestAttempt {
    /// 0 for the first run.
    pub retry: u32,
    /// How it ended.
    pub outcome: TestOutcome,
    /// Wall time.
    pub duration: Duration,
    /// CPU time the isolate used, when V8 reported it.
    pub cpu_time: Option<Duration>,
    /// Why it failed.
    pub failures: Vec<TestFailure>,
    /// Console output, stdout side.
    pub stdout: Vec<String>,
    /// Console output, stderr side.
    pub stderr: Vec<String>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Why it was skipped, when it was.
    pub skip_reason: Option<String>,
    /// `test.step`s, in order.
    #[serde(default)]
    pub steps: Vec<TestStep>,
}

impl TestAttempt {
    /// An attempt that ended with `outcome` after no time, with nothing else recorded (a
    /// skip, a test that never ran); fill in the rest with struct update syntax.
    pub fn new(retry: u32, outcome: TestOutcome) -> Self {
        Self {
            retry,
            outcome,
            duration: Duration::ZERO,
            cpu_time: None,
            failures: Vec::new(),
            stdout: Vec::new(),
            stderr: Vec::new(),
            attachments: Vec::new(),
            skip_reason: None,
            steps: Vec::new(),
        }
    }
}

/// Totals of a run, kept by the dispatcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunStats {
    /// Tests that passed on their first attempt.
    pub passed: usize,
    /// Tests that failed on every attempt.
    pub failed: usize,
    /// Tests that failed, then passed on a retry.
    pub flaky: usize,
    /// Tests that did not run.
    pub skipped: usize,
    /// Tests cut off by an interruption.
    pub interrupted: usize,
}

/// How the run as a whole ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RunStatus {
    /// Every test passed (flaky ones included).
    Passed,
    /// A test failed.
    Failed,
    /// Ctrl-C, SIGTERM or max-failures stopped it.
    Interrupted,
}

/// Which stream a line of a test's console output went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OutputStream {
    /// `console.log`, `info`, `debug`.
    Stdout,
    /// `console.error`, `warn`, `trace`.
    Stderr,
}

/// One event of a run, stamped by the dispatcher when it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEvent {
    /// Wall-clock time of the event.
    pub timestamp: SystemTime,
    /// Time since the run started.
    pub elapsed: Duration,
    /// What happened.
    #[serde(flatten)]
    pub kind: RunEventKind,
}

impl RunEvent {
    /// `kind`, happening now, `elapsed` into the run.
    pub fn new(kind: RunEventKind, elapsed: Duration) -> Self {
        Self {
            timestamp: SystemTime::now(),
            elapsed,
            kind,
        }
    }
}

impl From<RunEventKind> for RunEvent {
    /// The event now, at the start of a run (for tests and one-off reports).
    fn from(kind: RunEventKind) -> Self {
        Self::new(kind, Duration::ZERO)
    }
}

/// Everything reporters hear, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum RunEventKind {
    /// The run began.
    RunStarted {
        /// Tests that will run.
        total: usize,
        /// Worker count.
        workers: usize,
    },
    /// A spec file could not be loaded; its tests do not run.
    FileFailed {
        /// The spec file.
        file: String,
        /// Why.
        failure: TestFailure,
    },
    /// An attempt began.
    TestStarted {
        /// The test.
        info: TestInfo,
        /// 0 for the first run.
        retry: u32,
    },
    /// A `test.step` of a running attempt began.
    StepStarted {
        /// The test.
        info: TestInfo,
        /// The attempt.
        retry: u32,
        /// The step's id within the attempt.
        step: u32,
        /// The step it is nested in.
        parent: Option<u32>,
        /// Its title.
        title: String,
    },
    /// A `test.step` ended.
    StepFinished {
        /// The test.
        info: TestInfo,
        /// The attempt.
        retry: u32,
        /// The step's id within the attempt.
        step: u32,
        /// Wall time.
        duration: Duration,
        /// The error that ended it, if it failed.
        error: Option<String>,
    },
    /// A line of console output, as it was written: of a running attempt, or of a spec file
    /// outside any test (`test` is `None`).
    Output {
        /// The test and attempt that wrote it.
        test: Option<(TestInfo, u32)>,
        /// Which stream.
        stream: OutputStream,
        /// The line.
        text: String,
    },
    /// An attempt ended; `will_retry` says whether another attempt follows.
    TestFinished {
        /// The test.
        info: TestInfo,
        /// What happened.
        attempt: TestAttempt,
        /// Whether the test runs again.
        will_retry: bool,
    },
    /// The run ended; reports are written now.
    RunFinished {
        /// How it ended.
        status: RunStatus,
        /// Totals.
        stats: RunStats,
        /// Wall time of the whole run.
        duration: Duration,
    },
}

/// Adds an attempt to the test it belongs to (the first attempt adds the test), keeping tests
/// in the order they first finished. Retries come soon after their first attempt, so the
/// search starts from the newest test.
pub(crate) fn record_attempt(
    tests: &mut Vec<(TestInfo, Vec<TestAttempt>)>,
    info: &TestInfo,
    attempt: &TestAttempt,
) {
    match tests.iter_mut().rev().find(|(i, _)| i.id == info.id) {
        Some((_, attempts)) => attempts.push(attempt.clone()),
        None => tests.push((info.clone(), vec![attempt.clone()])),
    }
}

//! The JSON reporter, in Playwright's JSON report shape (suites per file with nested describe
//! suites, specs with tests and their results, totals in `stats`), plus our own additions:
//! `cpuTime` on each result and a `formatVersion`. Written atomically when the run finishes.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use serde_json::json;

use crate::REPORT_FORMAT_VERSION;
use crate::events::RunEvent;
use crate::events::RunEventKind;
use crate::events::RunStats;
use crate::events::TestAttempt;
use crate::events::TestFailure;
use crate::events::TestInfo;
use crate::events::TestOutcome;
use crate::events::TestStep;
use crate::events::record_attempt;
use crate::fanout::Reporter;
use crate::fanout::ReporterError;
use crate::junit::write_atomically;

/// Collects results and writes the JSON report at the end of the run.
pub struct JsonReporter {
    path: PathBuf,
    tests: Vec<(TestInfo, Vec<TestAttempt>)>,
    errors: Vec<TestFailure>,
}

impl JsonReporter {
    /// A reporter that writes to `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            tests: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The tests a `--list` run found, in the report's shape with no results (what
    /// Playwright's `--list --reporter json` prints).
    pub fn listing(tests: &[TestInfo]) -> Value {
        let mut r = Self::new(PathBuf::new());
        r.tests = tests.iter().map(|t| (t.clone(), Vec::new())).collect();
        r.report(&RunStats::default(), Duration::ZERO)
    }

    /// The report as JSON.
    pub fn report(&self, stats: &RunStats, duration: Duration) -> Value {
        let mut files: Vec<&str> = Vec::new();
        for (info, _) in &self.tests {
            if !files.contains(&info.file.as_str()) {
                files.push(&info.file);
            }
        }
        let suites: Vec<Value> = files
            .iter()
            .map(|file| {
                let tests: Vec<&(TestInfo, Vec<TestAttempt>)> =
                    self.tests.iter().filter(|(i, _)| i.file == *file).collect();
                suite(file, file, &tests, 0)
            })
            .collect();
        json!({
            "formatVersion": REPORT_FORMAT_VERSION,
            "config": { "version": env!("CARGO_PKG_VERSION") },
            "suites": suites,
            "errors": self.errors.iter().map(error_json).collect::<Vec<_>>(),
            "stats": {
                "duration": duration.as_secs_f64() * 1000.0,
                "expected": stats.passed,
                "unexpected": stats.failed,
                "flaky": stats.flaky,
                "skipped": stats.skipped,
                "interrupted": stats.interrupted,
            },
        })
    }
}

/// A suite for `title` holding the tests whose describe path continues below `depth`.
fn suite(title: &str, file: &str, tests: &[&(TestInfo, Vec<TestAttempt>)], depth: usize) -> Value {
    let mut specs = Vec::new();
    let mut children: Vec<String> = Vec::new();
    for (info, attempts) in tests {
        let describes = &info.title_path[..info.title_path.len().saturating_sub(1)];
        if describes.len() == depth {
            specs.push(spec(info, attempts));
        } else if let Some(next) = describes.get(depth)
            && !children.contains(next)
        {
            children.push(next.clone());
        }
    }
    let suites: Vec<Value> = children
        .iter()
        .map(|child| {
            let inner: Vec<&(TestInfo, Vec<TestAttempt>)> = tests
                .iter()
                .filter(|(i, _)| {
                    i.title_path.len() > depth + 1 && i.title_path.get(depth) == Some(child)
                })
                .copied()
                .collect();
            suite(child, file, &inner, depth + 1)
        })
        .collect();
    let mut out = json!({ "title": title, "file": file, "specs": specs });
    if !suites.is_empty() {
        out["suites"] = Value::Array(suites);
    }
    out
}

fn status_name(o: TestOutcome) -> &'static str {
    match o {
        TestOutcome::Passed => "passed",
        TestOutcome::Failed => "failed",
        TestOutcome::TimedOut => "timedOut",
        TestOutcome::Skipped => "skipped",
        TestOutcome::Interrupted => "interrupted",
    }
}

fn step_json(s: &TestStep) -> Value {
    json!({
        "title": s.title,
        "duration": s.duration.as_secs_f64() * 1000.0,
        "error": s.error.as_ref().map(|e| json!({ "message": e })),
        "steps": s.steps.iter().map(step_json).collect::<Vec<_>>(),
    })
}

fn error_json(f: &TestFailure) -> Value {
    json!({
        "message": f.full_text(),
        "stack": f.stack,
        "location": f.location,
    })
}

fn spec(info: &TestInfo, attempts: &[TestAttempt]) -> Value {
    let last = attempts.last().map(|a| a.outcome);
    let status = match last {
        Some(TestOutcome::Passed) if attempts.len() > 1 => "flaky",
        Some(TestOutcome::Passed) => "expected",
        Some(TestOutcome::Skipped) | None => "skipped",
        Some(_) => "unexpected",
    };
    let results: Vec<Value> = attempts
        .iter()
        .map(|a| {
            json!({
                "retry": a.retry,
                "status": status_name(a.outcome),
                "duration": a.duration.as_secs_f64() * 1000.0,
                "cpuTime": a.cpu_time.map(|c| c.as_secs_f64() * 1000.0),
                "errors": a.failures.iter().map(error_json).collect::<Vec<_>>(),
                "stdout": a.stdout.iter().map(|t| json!({ "text": t })).collect::<Vec<_>>(),
                "stderr": a.stderr.iter().map(|t| json!({ "text": t })).collect::<Vec<_>>(),
                "attachments": a.attachments,
                "steps": a.steps.iter().map(step_json).collect::<Vec<_>>(),
                "annotations": a.skip_reason.as_ref().map(|r| vec![json!({ "type": "skip", "description": r })]).unwrap_or_default(),
            })
        })
        .collect();
    json!({
        "title": info.title_path.last().cloned().unwrap_or_default(),
        "ok": status != "unexpected",
        "id": info.id.0,
        "file": info.file,
        "line": info.line,
        "column": info.column,
        "tests": [{
            "projectName": info.project.clone().unwrap_or_default(),
            "expectedStatus": if status == "skipped" && !attempts.is_empty() { "skipped" } else { "passed" },
            "status": status,
            "results": results,
        }],
    })
}

impl Reporter for JsonReporter {
    fn name(&self) -> &str {
        "json"
    }

    fn on_event(&mut self, event: &RunEvent) -> Result<(), ReporterError> {
        match &event.kind {
            RunEventKind::RunStarted { .. } | RunEventKind::TestStarted { .. } => Ok(()),
            // Steps and output are in the finished attempt.
            RunEventKind::StepStarted { .. }
            | RunEventKind::StepFinished { .. }
            | RunEventKind::Output { .. } => Ok(()),
            RunEventKind::FileFailed { failure, .. } => {
                self.errors.push(failure.clone());
                Ok(())
            }
            RunEventKind::TestFinished { info, attempt, .. } => {
                record_attempt(&mut self.tests, info, attempt);
                Ok(())
            }
            RunEventKind::RunFinished {
                stats, duration, ..
            } => {
                let text =
                    serde_json::to_string_pretty(&self.report(stats, *duration)).map_err(|e| {
                        ReporterError::Format(format!("cannot serialise the JSON report: {e}"))
                    })?;
                write_atomically(&self.path, text.as_bytes())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::RunStatus;
    use crate::events::TestId;

    fn info(path: &[&str]) -> TestInfo {
        TestInfo {
            id: TestId(path.join("/")),
            file: "a.spec.ts".into(),
            line: 1,
            column: 1,
            title_path: path.iter().map(|s| s.to_string()).collect(),
            project: None,
        }
    }

    fn attempt(outcome: TestOutcome, retry: u32) -> TestAttempt {
        TestAttempt {
            duration: Duration::from_millis(10),
            cpu_time: Some(Duration::from_millis(4)),
            stdout: vec!["log".into()],
            ..TestAttempt::new(retry, outcome)
        }
    }

    #[test]
    fn nests_describes_and_marks_flaky_tests() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.json");
        let mut r = JsonReporter::new(&path);
        let fin = |i, a| {
            RunEvent::from(RunEventKind::TestFinished {
                info: i,
                attempt: a,
                will_retry: false,
            })
        };
        for e in [
            fin(info(&["top level"]), attempt(TestOutcome::Passed, 0)),
            fin(
                info(&["group", "inner", "deep"]),
                attempt(TestOutcome::Failed, 0),
            ),
            fin(
                info(&["group", "inner", "deep"]),
                attempt(TestOutcome::Passed, 1),
            ),
            fin(info(&["group", "direct"]), attempt(TestOutcome::Failed, 0)),
            RunEvent::from(RunEventKind::RunFinished {
                status: RunStatus::Failed,
                stats: RunStats {
                    passed: 1,
                    failed: 1,
                    flaky: 1,
                    skipped: 0,
                    interrupted: 0,
                },
                duration: Duration::from_millis(50),
            }),
        ] {
            r.on_event(&e).expect("event");
        }
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("file")).expect("json");
        assert_eq!(v["formatVersion"], 1);
        let file = &v["suites"][0];
        assert_eq!(file["title"], "a.spec.ts");
        assert_eq!(file["specs"][0]["title"], "top level");
        let group = &file["suites"][0];
        assert_eq!(group["title"], "group");
        assert_eq!(group["specs"][0]["title"], "direct");
        assert_eq!(group["specs"][0]["ok"], false);
        let deep = &group["suites"][0]["specs"][0];
        assert_eq!(deep["title"], "deep");
        assert_eq!(deep["tests"][0]["status"], "flaky");
        assert_eq!(
            deep["tests"][0]["results"]
                .as_array()
                .expect("results")
                .len(),
            2
        );
        assert_eq!(deep["tests"][0]["results"][1]["cpuTime"], 4.0);
        assert_eq!(v["stats"]["flaky"], 1);
    }
}

//! The JUnit XML reporter: one `<testsuite>` per spec file, `<testcase name="describe › test"
//! classname="file">`, the full failure text, skips, per-test console output and attachment
//! lines, and retries made visible the Surefire way: `<flakyFailure>` for attempts that failed
//! before a pass, `<rerunFailure>` for each failed re-run of a test that still failed. The XML
//! is produced by quick-junit (escaping, control characters and ANSI codes handled) and written
//! atomically when the run finishes.

use std::path::PathBuf;
use std::time::Duration;

use quick_junit::NonSuccessKind;
use quick_junit::Report;
use quick_junit::TestCase;
use quick_junit::TestCaseStatus;
use quick_junit::TestRerun;
use quick_junit::TestSuite;

use crate::events::RunEvent;
use crate::events::RunEventKind;
use crate::events::TestAttempt;
use crate::events::TestFailure;
use crate::events::TestInfo;
use crate::events::TestOutcome;
use crate::events::record_attempt;
use crate::fanout::Reporter;
use crate::fanout::ReporterError;

/// Writes JUnit XML to a file when the run finishes.
pub struct JunitReporter {
    path: PathBuf,
    files: Vec<String>,
    tests: Vec<(TestInfo, Vec<TestAttempt>)>,
    file_failures: Vec<(String, TestFailure)>,
}

impl JunitReporter {
    /// A reporter that writes to `path` (directories are created).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            files: Vec::new(),
            tests: Vec::new(),
            file_failures: Vec::new(),
        }
    }

    fn note_file(&mut self, file: &str) {
        if !self.files.iter().any(|f| f == file) {
            self.files.push(file.to_string());
        }
    }

    /// Builds the report from what was collected.
    pub fn report(&self, duration: Duration) -> Report {
        let mut report = Report::new("isolate-browser");
        report.set_time(duration);
        for file in &self.files {
            let mut suite = TestSuite::new(file.as_str());
            for (info, attempts) in self.tests.iter().filter(|(i, _)| &i.file == file) {
                suite.add_test_case(test_case(info, attempts));
            }
            for (_, failure) in self.file_failures.iter().filter(|(f, _)| f == file) {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(first_line(&failure.message));
                status.set_type(failure.kind.as_str());
                status.set_description(failure.full_text());
                let mut case = TestCase::new(file.as_str(), status);
                case.set_classname(file.as_str());
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        report
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn output_of(attempt: &TestAttempt) -> (String, String) {
    let mut out = attempt.stdout.join("\n");
    for a in &attempt.attachments {
        if let Some(path) = &a.path {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("[[ATTACHMENT|{path}]]"));
        }
    }
    (out, attempt.stderr.join("\n"))
}

fn rerun_of(attempt: &TestAttempt) -> TestRerun {
    let mut rerun = TestRerun::new(NonSuccessKind::Failure);
    rerun.set_time(attempt.duration);
    if let Some(f) = attempt.failures.first() {
        rerun.set_message(first_line(&f.message));
        rerun.set_type(f.kind.as_str());
        rerun.set_description(f.full_text());
        if let Some(stack) = &f.stack {
            rerun.set_stack_trace(stack.as_str());
        }
    } else if attempt.outcome == TestOutcome::TimedOut {
        rerun.set_message("test timed out");
    }
    let (out, err) = output_of(attempt);
    if !out.is_empty() {
        rerun.set_system_out(out);
    }
    if !err.is_empty() {
        rerun.set_system_err(err);
    }
    rerun
}

fn test_case(info: &TestInfo, attempts: &[TestAttempt]) -> TestCase {
    let last = attempts.last();
    let status = match last.map(|a| a.outcome) {
        Some(TestOutcome::Passed) => {
            let mut status = TestCaseStatus::success();
            // Every earlier attempt failed: those are the flaky runs.
            status.add_reruns(attempts[..attempts.len() - 1].iter().map(rerun_of));
            status
        }
        Some(TestOutcome::Skipped) | None => {
            let mut status = TestCaseStatus::skipped();
            if let Some(reason) = last.and_then(|a| a.skip_reason.clone()) {
                status.set_message(reason);
            }
            status
        }
        Some(_) => {
            // The first run is the <failure>; each re-run that also failed is a <rerunFailure>.
            let first = &attempts[0];
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            match first.failures.first() {
                Some(f) => {
                    status.set_message(first_line(&f.message));
                    status.set_type(f.kind.as_str());
                    status.set_description(f.full_text());
                }
                None => {
                    let what = match first.outcome {
                        TestOutcome::TimedOut => "test timed out",
                        TestOutcome::Interrupted => "test was interrupted",
                        _ => "test failed",
                    };
                    status.set_message(what);
                }
            }
            status.add_reruns(attempts[1..].iter().map(rerun_of));
            status
        }
    };
    let mut case = TestCase::new(info.full_title(), status);
    case.set_classname(info.file.as_str());
    if let Some(last) = last {
        case.set_time(last.duration);
        let (out, err) = output_of(last);
        if !out.is_empty() {
            case.set_system_out(out);
        }
        if !err.is_empty() {
            case.set_system_err(err);
        }
    }
    case
}

impl Reporter for JunitReporter {
    fn name(&self) -> &str {
        "junit"
    }

    fn on_event(&mut self, event: &RunEvent) -> Result<(), ReporterError> {
        match &event.kind {
            RunEventKind::RunStarted { .. } => Ok(()),
            // Steps and output are in the finished attempt.
            RunEventKind::StepStarted { .. }
            | RunEventKind::StepFinished { .. }
            | RunEventKind::Output { .. } => Ok(()),
            RunEventKind::TestStarted { info, .. } => {
                self.note_file(&info.file);
                Ok(())
            }
            RunEventKind::FileFailed { file, failure } => {
                self.note_file(file);
                self.file_failures.push((file.clone(), failure.clone()));
                Ok(())
            }
            RunEventKind::TestFinished { info, attempt, .. } => {
                self.note_file(&info.file);
                record_attempt(&mut self.tests, info, attempt);
                Ok(())
            }
            RunEventKind::RunFinished { duration, .. } => {
                let xml = self.report(*duration).to_string().map_err(|e| {
                    ReporterError::Format(format!("cannot serialise the JUnit report: {e}"))
                })?;
                write_atomically(&self.path, xml.as_bytes())
            }
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees half a report.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), ReporterError> {
    use std::io::Write as _;
    let err = |source| ReporterError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    // A report is for others to read (a CI artifact, a static server), not a private file as
    // the temporary file starts out.
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Attachment;
    use crate::events::RunStats;
    use crate::events::RunStatus;
    use crate::events::TestId;

    fn info(file: &str, title: &[&str]) -> TestInfo {
        TestInfo {
            id: TestId(format!("{file} › {}", title.join(" › "))),
            file: file.into(),
            line: 3,
            column: 1,
            title_path: title.iter().map(|s| s.to_string()).collect(),
            project: None,
        }
    }

    fn attempt(retry: u32, outcome: TestOutcome, message: Option<&str>) -> TestAttempt {
        TestAttempt {
            duration: Duration::from_millis(120),
            failures: message
                .map(|m| {
                    vec![TestFailure {
                        kind: "expect.toBe".into(),
                        message: m.into(),
                        stack: Some("    at spec.ts:4:5".into()),
                        code_frame: Some("> 4 | expect(1).toBe(2)".into()),
                        call_log: vec![],
                        location: Some("spec.ts:4:5".into()),
                    }]
                })
                .unwrap_or_default(),
            stdout: vec!["hello <out>".into()],
            ..TestAttempt::new(retry, outcome)
        }
    }

    fn run(events: Vec<RunEvent>) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out/junit.xml");
        let mut r = JunitReporter::new(&path);
        for e in &events {
            r.on_event(e).expect("event");
        }
        r.on_event(&RunEvent::from(RunEventKind::RunFinished {
            status: RunStatus::Failed,
            stats: RunStats::default(),
            duration: Duration::from_secs(2),
        }))
        .expect("written");
        std::fs::read_to_string(&path).expect("report file")
    }

    fn finished(info: TestInfo, attempt: TestAttempt, will_retry: bool) -> RunEvent {
        RunEvent::from(RunEventKind::TestFinished {
            info,
            attempt,
            will_retry,
        })
    }

    #[test]
    fn suites_per_file_with_failures_skips_flaky_and_reruns() {
        let ok = info("a.spec.ts", &["group", "passes"]);
        let flaky = info("a.spec.ts", &["flaky"]);
        let broken = info("b.spec.ts", &["still broken"]);
        let mut skipped_attempt = attempt(0, TestOutcome::Skipped, None);
        skipped_attempt.skip_reason = Some("fixme: not yet".into());
        let mut with_attachment = attempt(0, TestOutcome::Passed, None);
        with_attachment.attachments.push(Attachment {
            name: "screenshot".into(),
            content_type: "image/png".into(),
            path: Some("test-results/shot.png".into()),
        });
        let xml = run(vec![
            finished(ok.clone(), with_attachment, false),
            finished(
                flaky.clone(),
                attempt(0, TestOutcome::Failed, Some("first try failed")),
                true,
            ),
            finished(flaky, attempt(1, TestOutcome::Passed, None), false),
            finished(
                broken.clone(),
                attempt(0, TestOutcome::Failed, Some("Expected: 2\nReceived: 1")),
                true,
            ),
            finished(
                broken.clone(),
                attempt(1, TestOutcome::Failed, Some("again")),
                true,
            ),
            finished(broken, attempt(2, TestOutcome::TimedOut, None), false),
            finished(info("b.spec.ts", &["later"]), skipped_attempt, false),
            RunEvent::from(RunEventKind::FileFailed {
                file: "c.spec.ts".into(),
                failure: TestFailure {
                    kind: "SyntaxError".into(),
                    message: "Unexpected token".into(),
                    ..Default::default()
                },
            }),
        ]);
        let report = Report::deserialize_from_str(&xml).expect("well-formed JUnit");
        assert_eq!(report.test_suites.len(), 3);
        let a = &report.test_suites[0];
        assert_eq!(a.name.as_str(), "a.spec.ts");
        assert_eq!((a.tests, a.failures, a.errors), (2, 0, 0));
        assert_eq!(a.test_cases[0].name.as_str(), "group › passes");
        assert_eq!(
            a.test_cases[0].classname.as_ref().map(|c| c.as_str()),
            Some("a.spec.ts")
        );
        assert!(
            a.test_cases[0]
                .system_out
                .as_ref()
                .expect("out")
                .as_str()
                .contains("[[ATTACHMENT|test-results/shot.png]]")
        );
        match &a.test_cases[1].status {
            TestCaseStatus::Success { flaky_runs } => {
                assert_eq!(flaky_runs.len(), 1);
                assert_eq!(
                    flaky_runs[0].message.as_ref().map(|m| m.as_str()),
                    Some("first try failed")
                );
            }
            other => panic!("flaky test should pass with flaky runs: {other:?}"),
        }
        assert!(xml.contains("<flakyFailure"), "{xml}");
        let b = &report.test_suites[1];
        assert_eq!((b.tests, b.failures), (2, 1));
        assert!(matches!(
            b.test_cases[1].status,
            TestCaseStatus::Skipped { .. }
        ));
        assert!(xml.contains("skipped=\"1\""), "{xml}");
        match &b.test_cases[0].status {
            TestCaseStatus::NonSuccess {
                message,
                description,
                reruns,
                ..
            } => {
                assert_eq!(message.as_ref().map(|m| m.as_str()), Some("Expected: 2"));
                assert!(
                    description
                        .as_ref()
                        .expect("text")
                        .as_str()
                        .contains("Received: 1")
                );
                assert_eq!(reruns.runs.len(), 2);
            }
            other => panic!("expected a failure: {other:?}"),
        }
        assert_eq!(xml.matches("<rerunFailure").count(), 2, "{xml}");
        assert!(xml.contains("fixme: not yet"));
        let c = &report.test_suites[2];
        assert_eq!((c.tests, c.errors), (1, 1));
    }

    #[test]
    fn nasty_characters_stay_well_formed() {
        let t = info("x.spec.ts", &["weird ]]> & <title> \"quoted\""]);
        let mut a = attempt(
            0,
            TestOutcome::Failed,
            Some("bad \u{1b}[31mred\u{1b}[0m ]]> \u{0} \u{7} </failure> & done"),
        );
        a.stdout = vec!["<![CDATA[ nested ]]> \u{8} end".into()];
        let xml = run(vec![finished(t, a, false)]);
        let report = Report::deserialize_from_str(&xml).expect("still well-formed");
        let case = &report.test_suites[0].test_cases[0];
        assert_eq!(case.name.as_str(), "weird ]]> & <title> \"quoted\"");
        match &case.status {
            TestCaseStatus::NonSuccess { message, .. } => {
                let m = message.as_ref().expect("message").as_str();
                assert!(m.starts_with("bad red ]]>"), "{m}");
                assert!(!m.contains('\u{1b}'));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unwritable_path_is_an_error_not_a_panic() {
        let mut r = JunitReporter::new("/proc/definitely/not/writable/junit.xml");
        let err = r
            .on_event(&RunEvent::from(RunEventKind::RunFinished {
                status: RunStatus::Passed,
                stats: RunStats::default(),
                duration: Duration::ZERO,
            }))
            .expect_err("cannot write");
        assert!(
            err.to_string()
                .starts_with("cannot write /proc/definitely/not/writable/junit.xml"),
            "{err}"
        );
    }
}

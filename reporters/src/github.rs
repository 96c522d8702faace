//! The `github` reporter: GitHub Actions workflow commands, so failures show up as annotations
//! on the spec line (`::error file=…,line=…::message`), flaky tests as warnings, and the summary
//! as a notice.

use std::io::Write;

use crate::events::RunEvent;
use crate::events::RunEventKind;
use crate::events::TestOutcome;
use crate::fanout::Reporter;
use crate::fanout::ReporterError;
use crate::text::summary_line;
use crate::text::test_title;

/// Writes workflow commands to `out` (stdout in CI).
pub struct GithubReporter<W: Write + Send> {
    out: W,
}

impl<W: Write + Send> GithubReporter<W> {
    /// A reporter writing to `out`.
    pub fn new(out: W) -> Self {
        Self { out }
    }

    /// Gives back the writer.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn command(
        &mut self,
        kind: &str,
        props: &[(&str, String)],
        message: &str,
    ) -> Result<(), ReporterError> {
        let props = props
            .iter()
            .map(|(k, v)| format!("{k}={}", escape_property(v)))
            .collect::<Vec<_>>()
            .join(",");
        let line = format!("::{kind} {props}::{}\n", escape_data(message));
        self.out
            .write_all(line.as_bytes())
            .map_err(|source| ReporterError::Write {
                path: "<output>".into(),
                source,
            })
    }
}

/// Workflow command data: `%`, CR and LF are percent-encoded.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties also encode `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl<W: Write + Send> Reporter for GithubReporter<W> {
    fn name(&self) -> &str {
        "github"
    }

    fn on_event(&mut self, event: &RunEvent) -> Result<(), ReporterError> {
        match &event.kind {
            RunEventKind::RunStarted { .. } | RunEventKind::TestStarted { .. } => Ok(()),
            // Steps and output are in the finished attempt.
            RunEventKind::StepStarted { .. }
            | RunEventKind::StepFinished { .. }
            | RunEventKind::Output { .. } => Ok(()),
            RunEventKind::FileFailed { file, failure } => self.command(
                "error",
                &[
                    ("file", file.clone()),
                    ("title", format!("{file} could not be loaded")),
                ],
                &failure.full_text(),
            ),
            RunEventKind::TestFinished {
                info,
                attempt,
                will_retry,
            } => {
                let title = test_title(info);
                let at = [
                    ("file", info.file.clone()),
                    ("line", info.line.to_string()),
                    ("col", info.column.to_string()),
                ];
                match attempt.outcome {
                    TestOutcome::Failed | TestOutcome::TimedOut if !will_retry => {
                        let text = match attempt.failures.first() {
                            Some(f) => f.full_text(),
                            None => "Test timeout exceeded.".to_string(),
                        };
                        let mut props = at.to_vec();
                        props.push(("title", title));
                        self.command("error", &props, &text)
                    }
                    TestOutcome::Passed if attempt.retry > 0 => {
                        let mut props = at.to_vec();
                        props.push(("title", format!("flaky: {title}")));
                        self.command(
                            "warning",
                            &props,
                            &format!("passed on retry #{}", attempt.retry),
                        )
                    }
                    _ => Ok(()),
                }
            }
            RunEventKind::RunFinished {
                stats, duration, ..
            } => self.command(
                "notice",
                &[("title", "isolate-browser run summary".into())],
                &summary_line(stats, *duration),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::events::RunStats;
    use crate::events::RunStatus;
    use crate::events::TestAttempt;
    use crate::events::TestFailure;
    use crate::events::TestId;
    use crate::events::TestInfo;

    #[test]
    fn failures_become_annotations_on_the_spec_line() {
        let info = TestInfo {
            id: TestId("t".into()),
            file: "a.spec.ts".into(),
            line: 7,
            column: 3,
            title_path: vec!["login, then: 100% done".into()],
            project: None,
        };
        let attempt = TestAttempt {
            duration: Duration::from_millis(5),
            failures: vec![TestFailure {
                kind: "Error".into(),
                message: "boom\nsecond line".into(),
                ..Default::default()
            }],
            ..TestAttempt::new(0, TestOutcome::Failed)
        };
        let mut r = GithubReporter::new(Vec::new());
        r.on_event(&RunEvent::from(RunEventKind::TestFinished {
            info,
            attempt,
            will_retry: false,
        }))
        .expect("event");
        r.on_event(&RunEvent::from(RunEventKind::RunFinished {
            status: RunStatus::Failed,
            stats: RunStats {
                failed: 1,
                ..Default::default()
            },
            duration: Duration::from_millis(1200),
        }))
        .expect("event");
        let out = String::from_utf8(r.into_inner()).expect("utf-8");
        assert_eq!(
            out,
            "::error file=a.spec.ts,line=7,col=3,title=a.spec.ts%3A7%3A3 › login%2C then%3A 100%25 done::boom%0Asecond line\n::notice title=isolate-browser run summary::1 failed (1.2s)\n"
        );
    }
}

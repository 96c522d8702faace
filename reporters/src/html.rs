//! The HTML reporter: one self-contained page (no scripts, no external assets) with the run's
//! totals, a filter by status (CSS `:target`), and every test grouped by file; failures open
//! with their message, call log, code frame and stack, and attachments link to their files.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::events::RunEvent;
use crate::events::RunEventKind;
use crate::events::RunStats;
use crate::events::TestAttempt;
use crate::events::TestFailure;
use crate::events::TestInfo;
use crate::events::TestOutcome;
use crate::events::record_attempt;
use crate::fanout::Reporter;
use crate::fanout::ReporterError;
use crate::junit::write_atomically;
use crate::text::format_duration;
use crate::text::summary_line;

/// Writes `index.html` into a report folder when the run finishes.
pub struct HtmlReporter {
    path: PathBuf,
    tests: Vec<(TestInfo, Vec<TestAttempt>)>,
    file_failures: Vec<(String, TestFailure)>,
}

impl HtmlReporter {
    /// A reporter writing `dir/index.html`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            path: dir.into().join("index.html"),
            tests: Vec::new(),
            file_failures: Vec::new(),
        }
    }

    /// The page.
    pub fn render(&self, stats: &RunStats, duration: Duration) -> String {
        let mut html = String::from(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>isolate-browser report</title><style>\
             body{font:14px system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.3rem}\
             .stats a{margin-right:1rem;text-decoration:none}.file{margin-top:1.5rem}\
             details{border-bottom:1px solid #eee;padding:.3rem 0}summary{cursor:pointer}\
             .passed::before{content:'✓ ';color:#2a7}.failed::before{content:'✘ ';color:#c33}\
             .flaky::before{content:'± ';color:#c80}.skipped::before{content:'- ';color:#888}\
             pre{background:#f6f6f6;padding:.6rem;overflow:auto}.dur{color:#888;float:right}\
             #failed:target~main .t:not(.failed),#flaky:target~main .t:not(.flaky),\
             #passed:target~main .t:not(.passed),#skipped:target~main .t:not(.skipped){display:none}\
             </style></head><body>",
        );
        for id in ["failed", "flaky", "passed", "skipped"] {
            let _ = write!(html, "<span id=\"{id}\"></span>");
        }
        let _ = write!(
            html,
            "<h1>isolate-browser report</h1><p class=\"stats\">{}<br><a href=\"#\">all</a><a href=\"#passed\">passed {}</a><a href=\"#failed\">failed {}</a><a href=\"#flaky\">flaky {}</a><a href=\"#skipped\">skipped {}</a></p><main>",
            escape(&summary_line(stats, duration)),
            stats.passed,
            stats.failed,
            stats.flaky,
            stats.skipped
        );
        let mut files: Vec<&str> = self.tests.iter().map(|(i, _)| i.file.as_str()).collect();
        files.extend(self.file_failures.iter().map(|(f, _)| f.as_str()));
        let mut seen = Vec::new();
        files.retain(|f| {
            let new = !seen.contains(f);
            seen.push(*f);
            new
        });
        for file in files {
            let _ = write!(html, "<section class=\"file\"><h2>{}</h2>", escape(file));
            for (_, failure) in self.file_failures.iter().filter(|(f, _)| f == file) {
                let _ = write!(
                    html,
                    "<details open class=\"t failed\"><summary>could not load the file</summary>{}</details>",
                    failure_html(failure)
                );
            }
            for (info, attempts) in self.tests.iter().filter(|(i, _)| i.file == file) {
                html.push_str(&test_html(info, attempts));
            }
            html.push_str("</section>");
        }
        html.push_str("</main></body></html>\n");
        html
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn failure_html(f: &TestFailure) -> String {
    format!("<pre>{}</pre>", escape(&f.full_text()))
}

fn test_html(info: &TestInfo, attempts: &[TestAttempt]) -> String {
    let last = attempts.last();
    let class = match last.map(|a| a.outcome) {
        Some(TestOutcome::Passed) if attempts.len() > 1 => "flaky",
        Some(TestOutcome::Passed) => "passed",
        Some(TestOutcome::Skipped) | None => "skipped",
        Some(_) => "failed",
    };
    let open = if class == "failed" { " open" } else { "" };
    let duration = last
        .map(|a| format_duration(a.duration))
        .unwrap_or_default();
    let mut out = format!(
        "<details{open} class=\"t {class}\"><summary class=\"{class}\">{} <span class=\"dur\">{duration}</span></summary>",
        escape(&info.title_path.join(" › "))
    );
    let _ = write!(
        out,
        "<p>{}:{}:{}</p>",
        escape(&info.file),
        info.line,
        info.column
    );
    for a in attempts {
        if attempts.len() > 1 {
            let _ = write!(
                out,
                "<h4>attempt {} (retry #{}) — {:?}</h4>",
                a.retry + 1,
                a.retry,
                a.outcome
            );
        }
        if let Some(reason) = &a.skip_reason {
            let _ = write!(out, "<p>skipped: {}</p>", escape(reason));
        }
        if a.outcome == TestOutcome::TimedOut && a.failures.is_empty() {
            out.push_str("<pre>Test timeout exceeded.</pre>");
        }
        for f in &a.failures {
            out.push_str(&failure_html(f));
        }
        if !a.stdout.is_empty() || !a.stderr.is_empty() {
            let text = a
                .stdout
                .iter()
                .chain(a.stderr.iter())
                .cloned()
                .collect::<Vec<_>>()
                .join("\n");
            let _ = write!(
                out,
                "<details><summary>console</summary><pre>{}</pre></details>",
                escape(&text)
            );
        }
        for att in &a.attachments {
            match &att.path {
                Some(p) if att.content_type.starts_with("image/") => {
                    let _ = write!(
                        out,
                        "<p>{}<br><img src=\"{}\" alt=\"{}\" style=\"max-width:100%\"></p>",
                        escape(&att.name),
                        escape(p),
                        escape(&att.name)
                    );
                }
                Some(p) => {
                    let _ = write!(
                        out,
                        "<p><a href=\"{}\">{}</a></p>",
                        escape(p),
                        escape(&att.name)
                    );
                }
                None => {}
            }
        }
    }
    out.push_str("</details>");
    out
}

impl Reporter for HtmlReporter {
    fn name(&self) -> &str {
        "html"
    }

    fn on_event(&mut self, event: &RunEvent) -> Result<(), ReporterError> {
        match &event.kind {
            RunEventKind::RunStarted { .. } | RunEventKind::TestStarted { .. } => Ok(()),
            // Steps and output are in the finished attempt.
            RunEventKind::StepStarted { .. }
            | RunEventKind::StepFinished { .. }
            | RunEventKind::Output { .. } => Ok(()),
            RunEventKind::FileFailed { file, failure } => {
                self.file_failures.push((file.clone(), failure.clone()));
                Ok(())
            }
            RunEventKind::TestFinished { info, attempt, .. } => {
                record_attempt(&mut self.tests, info, attempt);
                Ok(())
            }
            RunEventKind::RunFinished {
                stats, duration, ..
            } => write_atomically(&self.path, self.render(stats, *duration).as_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Attachment;
    use crate::events::RunStatus;
    use crate::events::TestId;

    #[test]
    fn renders_escaped_tests_with_failures_and_attachments() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut r = HtmlReporter::new(dir.path().join("report"));
        let info = TestInfo {
            id: TestId("t".into()),
            file: "a.spec.ts".into(),
            line: 2,
            column: 1,
            title_path: vec!["<script>alert(1)</script>".into()],
            project: None,
        };
        let attempt = TestAttempt {
            duration: Duration::from_millis(42),
            failures: vec![TestFailure {
                kind: "Error".into(),
                message: "Expected: <b>".into(),
                ..Default::default()
            }],
            stdout: vec!["log & more".into()],
            attachments: vec![Attachment {
                name: "screenshot".into(),
                content_type: "image/png".into(),
                path: Some("shot.png".into()),
            }],
            ..TestAttempt::new(0, TestOutcome::Failed)
        };
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
            duration: Duration::from_millis(900),
        }))
        .expect("written");
        let html =
            std::fs::read_to_string(dir.path().join("report/index.html")).expect("index.html");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("<details open class=\"t failed\">"));
        assert!(html.contains("<pre>Expected: &lt;b&gt;</pre>"));
        assert!(html.contains("log &amp; more"));
        assert!(html.contains("<img src=\"shot.png\""));
        assert!(html.contains("1 failed (900ms)"));
    }
}

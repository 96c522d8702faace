//! The HTML reporter: a report folder with one self-contained `index.html` (its styles, its
//! script and the run's data inline; no network) and a `data/` folder of the attachments.
//! The page filters by status, project and text (Playwright's `s:`, `p:` and free-text
//! tokens), renders the list lazily so 5,000 tests stay quick, and shows a test's retries,
//! steps, errors with code frames, console output and attachments: images inline, screenshot
//! comparisons as diff / actual / expected / side by side, videos, and trace links that open
//! Playwright's trace viewer when the project has one (see [`find_trace_viewer`]).

mod data;
mod viewer;

use std::path::PathBuf;
use std::time::Duration;
use std::time::SystemTime;

pub use viewer::TRACE_VIEWER_ENV;
pub use viewer::find_trace_viewer;

use crate::events::RunEvent;
use crate::events::RunEventKind;
use crate::events::RunStats;
use crate::events::TestAttempt;
use crate::events::TestFailure;
use crate::events::TestInfo;
use crate::events::record_attempt;
use crate::fanout::Reporter;
use crate::fanout::ReporterError;
use crate::junit::write_atomically;
use crate::text::summary_line;
use data::DataFolder;
use data::FileFailure;
use data::ReportData;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Writes the report folder when the run finishes.
pub struct HtmlReporter {
    dir: PathBuf,
    viewer_from: Option<PathBuf>,
    started: SystemTime,
    tests: Vec<(TestInfo, Vec<TestAttempt>)>,
    file_failures: Vec<(String, TestFailure)>,
}

impl HtmlReporter {
    /// A reporter writing the report into `dir` (`dir/index.html`, `dir/data/`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            viewer_from: None,
            started: SystemTime::now(),
            tests: Vec::new(),
            file_failures: Vec::new(),
        }
    }

    /// Looks for Playwright's trace viewer from `dir` upwards (the project's `node_modules`)
    /// and, when the run has traces, copies it into the report's `trace/` folder.
    pub fn trace_viewer_from(mut self, dir: impl Into<PathBuf>) -> Self {
        self.viewer_from = Some(dir.into());
        self
    }

    /// Writes the report folder for a run with these totals.
    pub fn write(&self, stats: &RunStats, duration: Duration) -> Result<(), ReporterError> {
        let err = |path: &std::path::Path| {
            let path = path.display().to_string();
            move |source| ReporterError::Write { path, source }
        };
        // The last run's data goes: what is left would be served next to this run's.
        for stale in ["data", "trace"] {
            let path = self.dir.join(stale);
            if path.is_dir() {
                std::fs::remove_dir_all(&path).map_err(err(&path))?;
            }
        }
        std::fs::create_dir_all(&self.dir).map_err(err(&self.dir))?;
        let mut folder = DataFolder::new(&self.dir);
        let mut tests = Vec::with_capacity(self.tests.len());
        for (info, attempts) in &self.tests {
            tests.push(data::test_data(info, attempts, &mut folder).map_err(err(&self.dir))?);
        }
        let has_trace = tests.iter().any(|t| {
            t.attempts.iter().any(|a| {
                a.attachments
                    .iter()
                    .any(|x| x.path.is_some() && is_trace(&x.name, &x.content_type))
            })
        });
        let mut trace_viewer = false;
        if has_trace && let Some(from) = self.viewer_from.as_deref().and_then(find_trace_viewer) {
            let to = self.dir.join("trace");
            viewer::copy_viewer(&from, &to).map_err(err(&to))?;
            trace_viewer = true;
        }
        let mut projects: Vec<String> = Vec::new();
        for t in &tests {
            if let Some(p) = &t.project
                && !projects.contains(p)
            {
                projects.push(p.clone());
            }
        }
        let report = ReportData {
            summary: summary_line(stats, duration),
            stats: *stats,
            duration_ms: duration.as_millis() as u64,
            start_time_ms: self
                .started
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or_default(),
            projects,
            trace_viewer,
            file_failures: self
                .file_failures
                .iter()
                .map(|(file, f)| FileFailure {
                    file: file.clone(),
                    error: data::error_data(f),
                })
                .collect(),
            tests,
        };
        let json = data::script_json(&report).map_err(|e| ReporterError::Format(e.to_string()))?;
        write_atomically(&self.dir.join("index.html"), page(&json).as_bytes())
    }
}

/// Whether an attachment is a Playwright trace (`trace`, `trace-1`, ... as `application/zip`).
fn is_trace(name: &str, content_type: &str) -> bool {
    content_type == "application/zip" && name.starts_with("trace")
}

fn page(json: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>isolate-browser report</title><style>{STYLE}</style></head>\
         <body><div id=\"root\"><noscript>This report needs JavaScript.</noscript></div>\
         <script id=\"report-data\" type=\"application/json\">{json}</script>\
         <script>{SCRIPT}</script></body></html>\n"
    )
}

impl Reporter for HtmlReporter {
    fn name(&self) -> &str {
        "html"
    }

    fn on_event(&mut self, event: &RunEvent) -> Result<(), ReporterError> {
        match &event.kind {
            RunEventKind::RunStarted { .. } => {
                self.started = event.timestamp;
                Ok(())
            }
            // Steps and output are in the finished attempt.
            RunEventKind::TestStarted { .. }
            | RunEventKind::StepStarted { .. }
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
            } => self.write(stats, *duration),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Attachment;
    use crate::events::RunStatus;
    use crate::events::TestId;
    use crate::events::TestOutcome;

    fn info(title: &str) -> TestInfo {
        TestInfo {
            id: TestId(title.into()),
            file: "a.spec.ts".into(),
            line: 2,
            column: 1,
            title_path: vec![title.into()],
            project: None,
        }
    }

    fn finish(r: &mut HtmlReporter) {
        r.on_event(&RunEvent::from(RunEventKind::RunFinished {
            status: RunStatus::Failed,
            stats: RunStats {
                failed: 1,
                ..Default::default()
            },
            duration: Duration::from_millis(900),
        }))
        .expect("written");
    }

    fn embedded(html: &str) -> serde_json::Value {
        let start = html.find("type=\"application/json\">").expect("data") + 24;
        let end = start + html[start..].find("</script>").expect("end");
        serde_json::from_str(&html[start..end]).expect("json")
    }

    #[test]
    fn the_data_cannot_close_its_script_and_attachments_are_copied_by_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let shot = dir.path().join("shot.png");
        std::fs::write(&shot, b"\x89PNG fake").expect("write");
        let log = dir.path().join("log.txt");
        std::fs::write(&log, "a </script> line").expect("write");
        let mut r = HtmlReporter::new(dir.path().join("report"));
        let attachment = |name: &str, content_type: &str, path: &std::path::Path| Attachment {
            name: name.into(),
            content_type: content_type.into(),
            path: Some(path.display().to_string()),
        };
        let attempt = TestAttempt {
            duration: Duration::from_millis(42),
            failures: vec![TestFailure {
                kind: "Error".into(),
                message: "Expected: </script><b>".into(),
                ..Default::default()
            }],
            stdout: vec!["log & more".into()],
            attachments: vec![
                attachment("screenshot", "image/png", &shot),
                attachment("again", "image/png", &shot),
                attachment("log", "text/plain", &log),
                attachment("gone", "image/png", &dir.path().join("gone.png")),
            ],
            ..TestAttempt::new(0, TestOutcome::Failed)
        };
        r.on_event(&RunEvent::from(RunEventKind::TestFinished {
            info: info("<script>alert(1)</script>"),
            attempt,
            will_retry: false,
        }))
        .expect("event");
        finish(&mut r);
        let html =
            std::fs::read_to_string(dir.path().join("report/index.html")).expect("index.html");
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("</script><b>"));
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("report/index.html"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o644, "readable by a static server");
        }
        let data = embedded(&html);
        let test = &data["tests"][0];
        assert_eq!(test["title"][0], "<script>alert(1)</script>");
        assert_eq!(test["status"], "failed");
        assert_eq!(
            test["attempts"][0]["errors"][0]["message"],
            "Expected: </script><b>"
        );
        let atts = test["attempts"][0]["attachments"].as_array().expect("list");
        let shot_path = atts[0]["path"].as_str().expect("copied");
        assert!(shot_path.starts_with("data/") && shot_path.ends_with(".png"));
        assert_eq!(atts[1]["path"], atts[0]["path"], "one copy per content");
        assert_eq!(
            std::fs::read(dir.path().join("report").join(shot_path)).expect("copy"),
            b"\x89PNG fake"
        );
        assert_eq!(atts[2]["text"], "a </script> line");
        assert!(
            atts[3]["path"].is_null(),
            "a vanished file is listed, not fatal"
        );
        assert_eq!(data["summary"], "1 failed (900ms)");
    }

    #[test]
    fn retries_make_a_flaky_test_and_the_last_runs_data_is_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stale = dir.path().join("report/data/old.png");
        std::fs::create_dir_all(stale.parent().expect("parent")).expect("mkdir");
        std::fs::write(&stale, b"old").expect("write");
        let mut r = HtmlReporter::new(dir.path().join("report"));
        for outcome in [TestOutcome::Failed, TestOutcome::Passed] {
            let retry = u32::from(outcome == TestOutcome::Passed);
            r.on_event(&RunEvent::from(RunEventKind::TestFinished {
                info: info("flaky one"),
                attempt: TestAttempt::new(retry, outcome),
                will_retry: retry == 0,
            }))
            .expect("event");
        }
        finish(&mut r);
        let html =
            std::fs::read_to_string(dir.path().join("report/index.html")).expect("index.html");
        let data = embedded(&html);
        assert_eq!(data["tests"][0]["status"], "flaky");
        assert_eq!(
            data["tests"][0]["attempts"].as_array().map(Vec::len),
            Some(2)
        );
        assert!(!stale.exists());
    }

    #[test]
    fn trace_attachments_are_recognised_by_name_and_type() {
        assert!(is_trace("trace", "application/zip"));
        assert!(is_trace("trace-1", "application/zip"));
        assert!(!is_trace("trace", "text/plain"));
        assert!(!is_trace("archive", "application/zip"));
    }
}

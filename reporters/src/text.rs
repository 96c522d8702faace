//! The human-readable reporters: `list` (the default: one line per test with ✓/✘, the title
//! path, duration and retry), `dot` (one character per test) and `line` (one progress line,
//! rewritten in place on a terminal, with each failure printed as soon as it is final). All end
//! with the failures in full (message, diff, call log, code frame, stack) and a summary line
//! such as `12 passed, 1 failed, 1 flaky, 2 skipped (3.4s)`.

use std::io::Write;
use std::time::Duration;

use crate::events::Attachment;
use crate::events::RunEvent;
use crate::events::RunEventKind;
use crate::events::RunStats;
use crate::events::TestAttempt;
use crate::events::TestFailure;
use crate::events::TestInfo;
use crate::events::TestOutcome;
use crate::fanout::Reporter;
use crate::fanout::ReporterError;

/// Which text format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextStyle {
    /// A line per test attempt.
    List,
    /// A character per test attempt.
    Dot,
    /// One progress line; `tty` rewrites it in place.
    Line {
        /// Whether the output is a terminal.
        tty: bool,
    },
}

/// The `list` and `dot` reporters, writing to any `Write` (stdout in the CLI).
pub struct TextReporter<W: Write + Send> {
    out: W,
    style: TextStyle,
    /// Tests slower than this show their CPU time too.
    slow: Duration,
    counter: usize,
    dots: usize,
    failures: Vec<Failed>,
    quiet: bool,
    flaky: Vec<String>,
    failed_titles: Vec<String>,
    total: usize,
}

impl<W: Write + Send> TextReporter<W> {
    /// A reporter in `style` writing to `out`.
    pub fn new(out: W, style: TextStyle) -> Self {
        Self {
            out,
            style,
            slow: Duration::from_secs(1),
            counter: 0,
            dots: 0,
            failures: Vec::new(),
            quiet: false,
            flaky: Vec::new(),
            failed_titles: Vec::new(),
            total: 0,
        }
    }

    /// Leaves the tests' console output out (`--quiet`): the list reporter's stream of it and
    /// the others' failure details.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// Gives back the writer (tests read what was written).
    pub fn into_inner(self) -> W {
        self.out
    }

    fn write(&mut self, text: &str) -> Result<(), ReporterError> {
        self.out
            .write_all(text.as_bytes())
            .map_err(|source| ReporterError::Write {
                path: "<output>".into(),
                source,
            })
    }
}

/// `file:line:column › describe › title`.
pub fn test_title(info: &TestInfo) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &info.project {
        parts.push(format!("[{p}]"));
    }
    parts.push(format!("{}:{}:{}", info.file, info.line, info.column));
    parts.extend(info.title_path.iter().cloned());
    parts.join(" › ")
}

/// `120ms`, `3.4s`, `2.1m`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{:.1}m", d.as_secs_f64() / 60.0)
    }
}

/// `12 passed, 1 failed, 1 flaky, 2 skipped (3.4s)`; zero counts are left out.
pub fn summary_line(stats: &RunStats, duration: Duration) -> String {
    let mut parts = Vec::new();
    for (n, label) in [
        (stats.passed, "passed"),
        (stats.failed, "failed"),
        (stats.flaky, "flaky"),
        (stats.skipped, "skipped"),
        (stats.interrupted, "interrupted"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    if parts.is_empty() {
        parts.push("0 passed".into());
    }
    format!("{} ({})", parts.join(", "), format_duration(duration))
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A test that failed for good: its title, failures, a note, its console output and what it
/// attached.
struct Failed {
    title: String,
    failures: Vec<TestFailure>,
    note: Option<String>,
    output: Vec<(String, Vec<String>)>,
    attachments: Vec<Attachment>,
}

/// `  1) title ───`, the failure text, the snapshot files to look at, other attachments and
/// the test's console output, indented.
fn failure_block(n: usize, failed: &Failed) -> String {
    let mut out = format!("\n  {n}) {} ───\n\n", failed.title);
    if let Some(note) = &failed.note {
        out.push_str(&format!("    {note}\n\n"));
    }
    for f in &failed.failures {
        out.push_str(&indent(&f.full_text()));
        out.push_str("\n\n");
    }
    out.push_str(&attachments_text(&failed.attachments));
    for (stream, lines) in &failed.output {
        if lines.is_empty() {
            continue;
        }
        out.push_str(&format!("    --- {stream} ---\n"));
        out.push_str(&indent(&lines.join("\n")));
        out.push_str("\n\n");
    }
    out
}

/// A path as the reader's shell would name it: relative to the working directory when inside.
fn shown_path(path: &str) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            std::path::Path::new(path)
                .strip_prefix(cwd)
                .ok()
                .map(|p| p.display().to_string())
        })
        .unwrap_or_else(|| path.to_string())
}

/// Snapshot comparisons (`name-expected` / `-actual` / `-diff` / `-previous`) as one
/// Expected / Received / Diff group each, as Playwright prints them; other attachments numbered.
fn attachments_text(attachments: &[Attachment]) -> String {
    const ROLES: [(&str, &str); 4] = [
        ("-expected", "Expected: "),
        ("-actual", "Received: "),
        ("-previous", "Previous: "),
        ("-diff", "Diff:     "),
    ];
    let role_of = |a: &Attachment| {
        let stem = a.name.rsplit_once('.').map_or(a.name.as_str(), |(s, _)| s);
        ROLES
            .iter()
            .find(|(suffix, _)| stem.ends_with(suffix))
            .map(|(suffix, label)| (stem[..stem.len() - suffix.len()].to_string(), *label))
    };
    let mut out = String::new();
    let mut groups: Vec<(String, Vec<(&str, String)>)> = Vec::new();
    let mut others = Vec::new();
    for a in attachments {
        match (role_of(a), &a.path) {
            (Some((base, label)), Some(path)) => {
                let line = (label, shown_path(path));
                match groups.iter_mut().find(|(b, _)| *b == base) {
                    Some((_, lines)) => lines.push(line),
                    None => groups.push((base, vec![line])),
                }
            }
            _ => others.push(a),
        }
    }
    for (_, mut lines) in groups {
        lines.sort_by_key(|(label, _)| ROLES.iter().position(|(_, l)| l == label));
        for (label, path) in lines {
            out.push_str(&format!("    {label}{path}\n"));
        }
        out.push('\n');
    }
    let rule = "─".repeat(60);
    for (i, a) in others.into_iter().enumerate() {
        out.push_str(&format!(
            "    attachment #{}: {} ({}) {rule}\n",
            i + 1,
            a.name,
            a.content_type
        ));
        if let Some(path) = &a.path {
            out.push_str(&format!("    {}\n", shown_path(path)));
        }
        out.push_str(&format!("    {rule}\n\n"));
    }
    out
}

fn symbol(outcome: TestOutcome) -> &'static str {
    match outcome {
        TestOutcome::Passed => "✓",
        TestOutcome::Skipped => "-",
        TestOutcome::Failed | TestOutcome::TimedOut | TestOutcome::Interrupted => "✘",
    }
}

fn dot(outcome: TestOutcome, will_retry: bool, retry: u32) -> char {
    match outcome {
        TestOutcome::Passed if retry > 0 => '±',
        TestOutcome::Passed => '·',
        TestOutcome::Skipped => '°',
        TestOutcome::TimedOut if !will_retry => 'T',
        _ if will_retry => '×',
        _ => 'F',
    }
}

impl<W: Write + Send> TextReporter<W> {
    fn finished(
        &mut self,
        info: &TestInfo,
        attempt: &TestAttempt,
        will_retry: bool,
    ) -> Result<(), ReporterError> {
        let title = test_title(info);
        match self.style {
            TextStyle::List => {
                self.counter += 1;
                let mut line = format!("  {}  {} {}", symbol(attempt.outcome), self.counter, title);
                if attempt.retry > 0 {
                    line.push_str(&format!(" (retry #{})", attempt.retry));
                }
                if attempt.outcome != TestOutcome::Skipped {
                    let mut time = format_duration(attempt.duration);
                    if attempt.duration >= self.slow
                        && let Some(cpu) = attempt.cpu_time
                    {
                        time.push_str(&format!(", cpu {}", format_duration(cpu)));
                    }
                    line.push_str(&format!(" ({time})"));
                }
                line.push('\n');
                self.write(&line)?;
            }
            TextStyle::Line { .. } => {}
            TextStyle::Dot => {
                let c = dot(attempt.outcome, will_retry, attempt.retry);
                self.dots += 1;
                let mut s = c.to_string();
                if self.dots.is_multiple_of(80) {
                    s.push('\n');
                }
                self.write(&s)?;
            }
        }
        let failed = matches!(attempt.outcome, TestOutcome::Failed | TestOutcome::TimedOut);
        if failed && !will_retry {
            let timed_out = (attempt.outcome == TestOutcome::TimedOut)
                .then(|| "Test timeout exceeded.".to_string());
            let output = if self.quiet || self.style == TextStyle::List {
                Vec::new()
            } else {
                vec![
                    ("stdout".to_string(), attempt.stdout.clone()),
                    ("stderr".to_string(), attempt.stderr.clone()),
                ]
            };
            self.failures.push(Failed {
                title: title.clone(),
                failures: attempt.failures.clone(),
                note: timed_out,
                output,
                attachments: attempt.attachments.clone(),
            });
            self.failed_titles.push(title.clone());
        } else if attempt.outcome == TestOutcome::Passed && attempt.retry > 0 {
            self.flaky.push(title.clone());
        }
        if let TextStyle::Line { tty } = self.style {
            // Progress counts tests that are done; a retried attempt keeps the count.
            if !will_retry {
                self.counter += 1;
            }
            let retry = if attempt.retry > 0 {
                format!(" (retry #{})", attempt.retry)
            } else {
                String::new()
            };
            let clear = if tty { "\r\x1b[2K" } else { "" };
            let mut text = String::new();
            if failed && !will_retry {
                let n = self.failures.len();
                text.push_str(clear);
                text.push_str(&failure_block(n, &self.failures[n - 1]));
            }
            let end = if tty { "" } else { "\n" };
            text.push_str(&format!(
                "{clear}[{}/{}] {title}{retry}{end}",
                self.counter, self.total
            ));
            self.write(&text)?;
        }
        Ok(())
    }

    fn finish(&mut self, stats: &RunStats, duration: Duration) -> Result<(), ReporterError> {
        let mut out = String::new();
        match self.style {
            TextStyle::Dot if !self.dots.is_multiple_of(80) => out.push('\n'),
            TextStyle::Line { tty: true } => out.push_str("\r\x1b[2K"),
            _ => {}
        }
        // The line reporter printed each failure as it happened.
        if !matches!(self.style, TextStyle::Line { .. }) {
            for (i, failure) in self.failures.iter().enumerate() {
                out.push_str(&failure_block(i + 1, failure));
            }
        }
        let printed_failures =
            !self.failures.is_empty() && !matches!(self.style, TextStyle::Line { .. });
        if !printed_failures && (!self.failures.is_empty() || !self.flaky.is_empty()) {
            out.push('\n');
        }
        for (label, list) in [("failed", &self.failed_titles), ("flaky", &self.flaky)] {
            if !list.is_empty() {
                out.push_str(&format!("  {} {label}\n", list.len()));
                for t in list.iter() {
                    out.push_str(&format!("    {t}\n"));
                }
            }
        }
        out.push_str(&format!("\n  {}\n", summary_line(stats, duration)));
        self.write(&out)?;
        self.out.flush().map_err(|source| ReporterError::Write {
            path: "<output>".into(),
            source,
        })
    }
}

impl<W: Write + Send> Reporter for TextReporter<W> {
    fn name(&self) -> &str {
        match self.style {
            TextStyle::List => "list",
            TextStyle::Dot => "dot",
            TextStyle::Line { .. } => "line",
        }
    }

    fn on_event(&mut self, event: &RunEvent) -> Result<(), ReporterError> {
        match &event.kind {
            RunEventKind::RunStarted { total, workers } => {
                self.total = *total;
                let tests = if *total == 1 { "test" } else { "tests" };
                let using = if *workers == 1 { "worker" } else { "workers" };
                self.write(&format!(
                    "\nRunning {total} {tests} using {workers} {using}\n\n"
                ))
            }
            RunEventKind::FileFailed { file, failure } => {
                self.failures.push(Failed {
                    title: file.clone(),
                    failures: vec![failure.clone()],
                    note: None,
                    output: Vec::new(),
                    attachments: Vec::new(),
                });
                self.failed_titles.push(file.clone());
                match self.style {
                    TextStyle::List => self.write(&format!("  ✘  {file} could not be loaded\n")),
                    TextStyle::Dot => self.write("F"),
                    TextStyle::Line { .. } => {
                        let n = self.failures.len();
                        let block = failure_block(n, &self.failures[n - 1]);
                        self.write(&block)
                    }
                }
            }
            RunEventKind::TestStarted { .. }
            | RunEventKind::StepStarted { .. }
            | RunEventKind::StepFinished { .. } => Ok(()),
            // The list reporter shows console output as it is written, as Playwright's does;
            // the others show a failed test's output with its failure.
            RunEventKind::Output { text, .. } => match self.style {
                TextStyle::List if !self.quiet => self.write(&format!("{text}\n")),
                TextStyle::List | TextStyle::Dot | TextStyle::Line { .. } => Ok(()),
            },
            RunEventKind::TestFinished {
                info,
                attempt,
                will_retry,
            } => self.finished(info, attempt, *will_retry),
            RunEventKind::RunFinished {
                stats, duration, ..
            } => self.finish(stats, *duration),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::RunStatus;
    use crate::events::TestId;

    fn info(title: &str, line: u32) -> TestInfo {
        TestInfo {
            id: TestId(title.into()),
            file: "login.spec.ts".into(),
            line,
            column: 5,
            title_path: vec!["login".into(), title.into()],
            project: None,
        }
    }

    fn attempt(outcome: TestOutcome, retry: u32, ms: u64) -> TestAttempt {
        TestAttempt {
            duration: Duration::from_millis(ms),
            cpu_time: Some(Duration::from_millis(900)),
            failures: if matches!(outcome, TestOutcome::Failed) {
                vec![TestFailure {
                    kind: "expect.toHaveText".into(),
                    message: "Error: expect(locator).toHaveText(expected) failed\n\nExpected: \"Welcome\"\nReceived: \"Sign in\"".into(),
                    stack: None,
                    code_frame: Some("> 12 |   await expect(page.locator('h1')).toHaveText('Welcome');\n     |                                     ^".into()),
                    call_log: vec!["waiting for locator('h1')".into()],
                    location: Some("login.spec.ts:12:37".into()),
                }]
            } else {
                vec![]
            },
            ..TestAttempt::new(retry, outcome)
        }
    }

    fn events() -> Vec<RunEvent> {
        let fin = |i: TestInfo, a: TestAttempt, r: bool| {
            RunEvent::from(RunEventKind::TestFinished {
                info: i,
                attempt: a,
                will_retry: r,
            })
        };
        vec![
            RunEvent::from(RunEventKind::RunStarted {
                total: 4,
                workers: 2,
            }),
            fin(
                info("shows the form", 3),
                attempt(TestOutcome::Passed, 0, 120),
                false,
            ),
            fin(
                info("signs in", 9),
                attempt(TestOutcome::Failed, 0, 2300),
                true,
            ),
            fin(
                info("signs in", 9),
                attempt(TestOutcome::Failed, 1, 2100),
                false,
            ),
            fin(
                info("remembers me", 20),
                attempt(TestOutcome::Failed, 0, 80),
                true,
            ),
            fin(
                info("remembers me", 20),
                attempt(TestOutcome::Passed, 1, 70),
                false,
            ),
            fin(
                info("resets", 30),
                attempt(TestOutcome::Skipped, 0, 0),
                false,
            ),
            RunEvent::from(RunEventKind::RunFinished {
                status: RunStatus::Failed,
                stats: RunStats {
                    passed: 1,
                    failed: 1,
                    flaky: 1,
                    skipped: 1,
                    interrupted: 0,
                },
                duration: Duration::from_millis(3400),
            }),
        ]
    }

    fn render(style: TextStyle) -> String {
        let mut r = TextReporter::new(Vec::new(), style);
        for e in events() {
            r.on_event(&e).expect("event");
        }
        String::from_utf8(r.into_inner()).expect("utf-8")
    }

    #[test]
    fn list_output() {
        let out = render(TextStyle::List);
        let expected = "
Running 4 tests using 2 workers

  ✓  1 login.spec.ts:3:5 › login › shows the form (120ms)
  ✘  2 login.spec.ts:9:5 › login › signs in (2.3s, cpu 900ms)
  ✘  3 login.spec.ts:9:5 › login › signs in (retry #1) (2.1s, cpu 900ms)
  ✘  4 login.spec.ts:20:5 › login › remembers me (80ms)
  ✓  5 login.spec.ts:20:5 › login › remembers me (retry #1) (70ms)
  -  6 login.spec.ts:30:5 › login › resets

  1) login.spec.ts:9:5 › login › signs in ───

    Error: expect(locator).toHaveText(expected) failed

    Expected: \"Welcome\"
    Received: \"Sign in\"

    Call log:
      - waiting for locator('h1')

    > 12 |   await expect(page.locator('h1')).toHaveText('Welcome');
         |                                     ^

  1 failed
    login.spec.ts:9:5 › login › signs in
  1 flaky
    login.spec.ts:20:5 › login › remembers me

  1 passed, 1 failed, 1 flaky, 1 skipped (3.4s)
";
        assert_eq!(out, expected);
    }

    #[test]
    fn dot_output() {
        let out = render(TextStyle::Dot);
        assert!(
            out.starts_with("\nRunning 4 tests using 2 workers\n\n·×F×±°\n"),
            "{out}"
        );
        assert!(
            out.ends_with("  1 passed, 1 failed, 1 flaky, 1 skipped (3.4s)\n"),
            "{out}"
        );
    }

    #[test]
    fn line_output_prints_failures_as_they_happen() {
        let out = render(TextStyle::Line { tty: false });
        assert!(out.starts_with("\nRunning 4 tests using 2 workers\n\n[1/4] login.spec.ts:3:5 › login › shows the form\n[1/4] login.spec.ts:9:5 › login › signs in\n\n  1) login.spec.ts:9:5 › login › signs in ───\n"), "{out}");
        assert!(
            out.contains("[2/4] login.spec.ts:9:5 › login › signs in (retry #1)\n"),
            "{out}"
        );
        assert!(
            out.contains("[3/4] login.spec.ts:20:5 › login › remembers me (retry #1)\n"),
            "{out}"
        );
        assert!(
            out.contains("[4/4] login.spec.ts:30:5 › login › resets\n\n  1 failed\n"),
            "{out}"
        );
        assert!(
            out.ends_with("  1 passed, 1 failed, 1 flaky, 1 skipped (3.4s)\n"),
            "{out}"
        );
        let tty = render(TextStyle::Line { tty: true });
        assert!(
            tty.contains("\r\x1b[2K[1/4] login.spec.ts:3:5 › login › shows the form\r\x1b[2K[1/4]"),
            "{tty:?}"
        );
    }

    #[test]
    fn snapshot_files_are_grouped_and_other_attachments_numbered() {
        let a = |name: &str, path: &str| Attachment {
            name: name.into(),
            content_type: "image/png".into(),
            path: Some(path.into()),
        };
        let text = attachments_text(&[
            a("shot-diff.png", "/out/shot-diff.png"),
            a("shot-expected.png", "/p/a.spec.ts-snapshots/shot.png"),
            a("shot-actual.png", "/out/shot-actual.png"),
            a("screenshot", "/out/test-failed-1.png"),
        ]);
        assert!(
            text.starts_with(
                "    Expected: /p/a.spec.ts-snapshots/shot.png\n    Received: /out/shot-actual.png\n    Diff:     /out/shot-diff.png\n\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("    attachment #1: screenshot (image/png) ─"),
            "{text}"
        );
        assert!(text.contains("    /out/test-failed-1.png\n"), "{text}");
    }

    #[test]
    fn durations_and_summaries() {
        assert_eq!(format_duration(Duration::from_millis(999)), "999ms");
        assert_eq!(format_duration(Duration::from_millis(61_000)), "1.0m");
        assert_eq!(
            summary_line(&RunStats::default(), Duration::ZERO),
            "0 passed (0ms)"
        );
    }
}

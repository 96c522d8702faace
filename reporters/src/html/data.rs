//! The report's data: every test with its attempts, as the page's script reads it, and the
//! attachments copied into the report's `data/` folder under content-addressed names, so the
//! folder is whole on its own (uploaded as a CI artifact, served from anywhere).

use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;

use serde::Serialize;
use sha1::Digest as _;

use crate::events::Attachment;
use crate::events::RunStats;
use crate::events::TestAttempt;
use crate::events::TestFailure;
use crate::events::TestInfo;
use crate::events::TestOutcome;
use crate::events::TestStep;

/// Text attachments up to this size are shown inline; bigger ones are links.
const INLINE_TEXT: u64 = 32 * 1024;

/// What the page's script reads.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportData {
    pub summary: String,
    pub stats: RunStats,
    pub duration_ms: u64,
    pub start_time_ms: u64,
    pub projects: Vec<String>,
    pub trace_viewer: bool,
    pub file_failures: Vec<FileFailure>,
    pub tests: Vec<TestData>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FileFailure {
    pub file: String,
    pub error: ErrorData,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TestData {
    pub id: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub title: Vec<String>,
    pub project: Option<String>,
    /// `passed`, `failed`, `flaky` or `skipped`: what the filter matches.
    pub status: &'static str,
    pub duration_ms: u64,
    pub attempts: Vec<AttemptData>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AttemptData {
    pub retry: u32,
    pub outcome: TestOutcome,
    pub duration_ms: u64,
    pub skip_reason: Option<String>,
    pub errors: Vec<ErrorData>,
    pub steps: Vec<StepData>,
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
    pub attachments: Vec<AttachmentData>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorData {
    pub message: String,
    pub call_log: Vec<String>,
    pub code_frame: Option<String>,
    pub stack: Option<String>,
    pub location: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StepData {
    pub title: String,
    pub duration_ms: u64,
    pub error: Option<String>,
    pub skipped: bool,
    pub steps: Vec<StepData>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AttachmentData {
    pub name: String,
    pub content_type: String,
    /// `data/<sha1>.<ext>`, relative to `index.html`; `None` when the file was gone.
    pub path: Option<String>,
    /// The text of a small text attachment.
    pub text: Option<String>,
}

/// `passed`, `failed`, `flaky` or `skipped`, from a test's attempts, as the totals count it.
pub(crate) fn status_of(attempts: &[TestAttempt]) -> &'static str {
    match attempts.last().map(|a| a.outcome) {
        Some(TestOutcome::Passed) if attempts.len() > 1 => "flaky",
        Some(TestOutcome::Passed) => "passed",
        Some(TestOutcome::Skipped) | None => "skipped",
        Some(_) => "failed",
    }
}

pub(crate) fn error_data(f: &TestFailure) -> ErrorData {
    ErrorData {
        message: f.message.clone(),
        call_log: f.call_log.clone(),
        code_frame: f.code_frame.clone(),
        stack: f.stack.clone(),
        location: f.location.clone(),
    }
}

fn millis(d: std::time::Duration) -> u64 {
    d.as_millis().min(u128::from(u64::MAX)) as u64
}

fn step_data(s: &TestStep) -> StepData {
    StepData {
        title: s.title.clone(),
        duration_ms: millis(s.duration),
        error: s.error.clone(),
        skipped: s.skipped,
        steps: s.steps.iter().map(step_data).collect(),
    }
}

/// Copies attachments into `data/`, once per distinct content.
pub(crate) struct DataFolder {
    dir: PathBuf,
    copied: HashMap<PathBuf, Option<String>>,
}

impl DataFolder {
    pub(crate) fn new(report: &Path) -> Self {
        Self {
            dir: report.join("data"),
            copied: HashMap::new(),
        }
    }

    /// The attachment as the page shows it. A file that is gone (deleted by a retain mode
    /// after the result was reported, say) is listed without a link rather than failing the
    /// report.
    fn attachment(&mut self, a: &Attachment) -> std::io::Result<AttachmentData> {
        let (path, text) = match &a.path {
            Some(p) => {
                let source = PathBuf::from(p);
                let path = match self.copied.get(&source) {
                    Some(done) => done.clone(),
                    None => {
                        let done = self.copy(&source, a)?;
                        self.copied.insert(source.clone(), done.clone());
                        done
                    }
                };
                let text = match &path {
                    Some(_) if is_text(&a.content_type) => std::fs::metadata(&source)
                        .ok()
                        .filter(|m| m.len() <= INLINE_TEXT)
                        .and_then(|_| std::fs::read(&source).ok())
                        .map(|b| String::from_utf8_lossy(&b).into_owned()),
                    _ => None,
                };
                (path, text)
            }
            None => (None, None),
        };
        Ok(AttachmentData {
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            path,
            text,
        })
    }

    fn copy(&self, source: &Path, a: &Attachment) -> std::io::Result<Option<String>> {
        let bytes = match std::fs::read(source) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let hash = sha1::Sha1::digest(&bytes);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("{hex}.{}", extension(source, &a.content_type));
        std::fs::create_dir_all(&self.dir)?;
        let target = self.dir.join(&name);
        if !target.exists() {
            std::fs::write(&target, &bytes)?;
        }
        Ok(Some(format!("data/{name}")))
    }
}

fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/") || content_type == "application/json"
}

/// The data file's extension: the source's own when it is plain, else one for the type.
/// Only `[a-z0-9]` survive, so a name from a test never shapes a path or a URL.
fn extension(source: &Path, content_type: &str) -> String {
    let own = source
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.bytes().all(|b| b.is_ascii_alphanumeric()));
    own.unwrap_or_else(|| {
        match content_type.split(';').next().unwrap_or("").trim() {
            "image/png" => "png",
            "image/jpeg" => "jpeg",
            "video/webm" => "webm",
            "application/zip" => "zip",
            "application/json" => "json",
            "text/html" => "html",
            t if t.starts_with("text/") => "txt",
            _ => "dat",
        }
        .to_string()
    })
}

pub(crate) fn test_data(
    info: &TestInfo,
    attempts: &[TestAttempt],
    data: &mut DataFolder,
) -> std::io::Result<TestData> {
    let mut out = Vec::with_capacity(attempts.len());
    for a in attempts {
        let mut attachments = Vec::with_capacity(a.attachments.len());
        for att in &a.attachments {
            attachments.push(data.attachment(att)?);
        }
        out.push(AttemptData {
            retry: a.retry,
            outcome: a.outcome,
            duration_ms: millis(a.duration),
            skip_reason: a.skip_reason.clone(),
            errors: a.failures.iter().map(error_data).collect(),
            steps: a.steps.iter().map(step_data).collect(),
            stdout: a.stdout.clone(),
            stderr: a.stderr.clone(),
            attachments,
        });
    }
    Ok(TestData {
        id: info.id.0.clone(),
        file: info.file.clone(),
        line: info.line,
        column: info.column,
        title: info.title_path.clone(),
        project: info.project.clone(),
        status: status_of(attempts),
        duration_ms: attempts.iter().map(|a| millis(a.duration)).sum(),
        attempts: out,
    })
}

/// The data as a JSON text safe inside a `<script>` element: every `<` is escaped, so no
/// test title or console line can close the element.
pub(crate) fn script_json(data: &ReportData) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string(data)?.replace('<', "\\u003c"))
}

//! `.last-run.json` in the output directory, as Playwright writes it: how the last run ended
//! and which tests failed, for `--last-failed` to run just those again.

use std::path::Path;

use isolate_browser_reporters::RunStatus;
use serde::Deserialize;
use serde::Serialize;

/// The file's name in the output directory.
pub(crate) const FILE: &str = ".last-run.json";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LastRun {
    /// `passed`, `failed` or `interrupted`.
    pub status: String,
    /// The ids of the tests that did not pass (flaky ones passed).
    pub failed_tests: Vec<String>,
}

/// The last run's record; `None` when there is none.
pub(crate) fn read(output_dir: &Path) -> Result<Option<LastRun>, String> {
    let path = output_dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Records a run that ended with `status`.
pub(crate) fn write(output_dir: &Path, status: RunStatus, failed_tests: Vec<String>) {
    let record = LastRun {
        status: match status {
            RunStatus::Passed => "passed",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
        .into(),
        failed_tests,
    };
    write_record(output_dir, FILE, &record, "record the run");
}

/// Writes `value` as JSON to `output_dir/file` (atomically); a failure is a warning naming
/// what could not be done, never the run's failure.
pub(crate) fn write_record(output_dir: &Path, file: &str, value: &impl Serialize, what: &str) {
    let written = serde_json::to_vec_pretty(value)
        .map_err(|e| e.to_string())
        .and_then(|bytes| {
            isolate_browser_reporters::write_atomically(&output_dir.join(file), &bytes)
                .map_err(|e| e.to_string())
        });
    if let Err(e) = written {
        crate::stdio::err!("warning: cannot {what} in {}: {e}", output_dir.display());
    }
}

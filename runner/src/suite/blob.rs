//! Blob reports, for runs split over machines: the `blob` reporter writes one zip per shard
//! (`report-<shard>.zip`) with every run event, the attachments the events name and the
//! tests' durations; [`merge`] reads a folder of them back into one run's events, which
//! `isolate-browser merge-reports` gives to any reporter, so the merged report is the one
//! the whole suite would have written, and its durations feed the next `--shard-balance`.
//!
//! Inside a zip: `meta.json` (format version, shard), `events.jsonl` (one event a line, an
//! attachment's path as `resources/<sha1>.<ext>`), `timings.json` (test id → ms) and the
//! `resources/` files. A merge accepts only those names, so no entry writes outside its folder.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;

use isolate_browser_reporters::Reporter;
use isolate_browser_reporters::ReporterError;
use isolate_browser_reporters::RunEvent;
use isolate_browser_reporters::RunEventKind;
use isolate_browser_reporters::RunStats;
use isolate_browser_reporters::RunStatus;
use isolate_browser_reporters::TestOutcome;
use serde::Deserialize;
use serde::Serialize;
use sha1::Digest as _;

use super::shard::Shard;

/// The blob format's version.
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    version: u32,
    shard: Option<ShardMeta>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct ShardMeta {
    current: u32,
    total: u32,
}

/// Writes `dir/report[-<shard>].zip` when the run finishes.
pub(crate) struct BlobReporter {
    dir: PathBuf,
    shard: Option<Shard>,
    events: Vec<RunEvent>,
}

impl BlobReporter {
    pub(crate) fn new(dir: impl Into<PathBuf>, shard: Option<Shard>) -> Self {
        Self {
            dir: dir.into(),
            shard,
            events: Vec::new(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.join(match self.shard {
            Some(s) => format!("report-{}.zip", s.current),
            None => "report.zip".into(),
        })
    }

    fn write(&mut self) -> Result<(), String> {
        let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
        let mut copied: HashMap<String, Option<String>> = HashMap::new();
        let mut lines = String::new();
        let mut timings: BTreeMap<String, u64> = BTreeMap::new();
        for event in &mut self.events {
            if let RunEventKind::TestFinished { info, attempt, .. } = &mut event.kind {
                if attempt.outcome != TestOutcome::Skipped {
                    *timings.entry(info.id.0.clone()).or_default() +=
                        attempt.duration.as_millis() as u64;
                }
                for a in &mut attempt.attachments {
                    let Some(path) = a.path.take() else { continue };
                    a.path = match copied.get(&path) {
                        Some(done) => done.clone(),
                        None => {
                            let done = std::fs::read(&path).ok().map(|bytes| {
                                let hex: String = sha1::Sha1::digest(&bytes)
                                    .iter()
                                    .map(|b| format!("{b:02x}"))
                                    .collect();
                                let name = format!("resources/{hex}.{}", extension(&path));
                                if !entries.iter().any(|(n, _)| n == &name) {
                                    entries.push((name.clone(), bytes));
                                }
                                name
                            });
                            copied.insert(path, done.clone());
                            done
                        }
                    };
                }
            }
            lines.push_str(&serde_json::to_string(event).map_err(|e| e.to_string())?);
            lines.push('\n');
        }
        let meta = Meta {
            version: VERSION,
            shard: self.shard.map(|s| ShardMeta {
                current: s.current,
                total: s.total,
            }),
        };
        entries.push((
            "meta.json".into(),
            serde_json::to_vec(&meta).map_err(|e| e.to_string())?,
        ));
        entries.push(("events.jsonl".into(), lines.into_bytes()));
        entries.push((
            "timings.json".into(),
            serde_json::to_vec(&timings).map_err(|e| e.to_string())?,
        ));
        super::trace_file::write_zip(&self.path(), &entries)
    }
}

/// A resource's extension: the file's own when it is plain, else `dat`.
fn extension(path: &str) -> String {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.bytes().all(|b| b.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "dat".into())
}

impl Reporter for BlobReporter {
    fn name(&self) -> &str {
        "blob"
    }

    fn on_event(&mut self, event: &RunEvent) -> Result<(), ReporterError> {
        self.events.push(event.clone());
        if matches!(event.kind, RunEventKind::RunFinished { .. }) {
            let path = self.path();
            self.write().map_err(|e| ReporterError::Write {
                path: path.display().to_string(),
                source: std::io::Error::other(e),
            })?;
        }
        Ok(())
    }
}

/// What a folder of blobs holds: one run's events, in the order a reporter wants them, and
/// every test's duration.
pub(crate) struct Merged {
    pub events: Vec<RunEventKind>,
    pub durations: Vec<(String, u64)>,
    pub blobs: usize,
}

/// Reads every `*.zip` blob in `dir` (in shard order), puts their resources in
/// `dir/resources/`, and makes one run of them: the tests of every shard between one start
/// and one end with the totals summed, the longest shard's duration and the worst status.
pub(crate) fn merge(dir: &Path) -> Result<Merged, String> {
    let listing = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut blobs: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "zip") && p.is_file())
        .collect();
    if blobs.is_empty() {
        return Err(format!("no blob reports (*.zip) in {}", dir.display()));
    }
    let resources = dir.join("resources");
    let mut shards = Vec::new();
    blobs.sort();
    for blob in blobs {
        shards.push(read_blob(blob, &resources)?);
    }
    shards.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.path.cmp(&b.path)));

    let (mut total, mut workers) = (0, 0);
    let mut stats = RunStats::default();
    let mut status = RunStatus::Passed;
    let mut duration = Duration::ZERO;
    let mut middle = Vec::new();
    let mut durations = Vec::new();
    let blobs = shards.len();
    for shard in shards {
        durations.extend(shard.timings);
        for event in shard.events {
            match event.kind {
                RunEventKind::RunStarted {
                    total: t,
                    workers: w,
                } => {
                    total += t;
                    workers = workers.max(w);
                }
                RunEventKind::RunFinished {
                    status: s,
                    stats: st,
                    duration: d,
                } => {
                    stats.passed += st.passed;
                    stats.failed += st.failed;
                    stats.flaky += st.flaky;
                    stats.skipped += st.skipped;
                    stats.interrupted += st.interrupted;
                    status = worst(status, s);
                    duration = duration.max(d);
                }
                mut kind => {
                    if let RunEventKind::TestFinished { attempt, .. } = &mut kind {
                        for a in &mut attempt.attachments {
                            a.path = a.path.take().map(|p| dir.join(p).display().to_string());
                        }
                    }
                    middle.push(kind);
                }
            }
        }
    }
    let mut out = Vec::with_capacity(middle.len() + 2);
    out.push(RunEventKind::RunStarted { total, workers });
    out.extend(middle);
    out.push(RunEventKind::RunFinished {
        status,
        stats,
        duration,
    });
    Ok(Merged {
        events: out,
        durations,
        blobs,
    })
}

/// One shard's blob.
struct Blob {
    order: u32,
    path: PathBuf,
    events: Vec<RunEvent>,
    timings: BTreeMap<String, u64>,
}

/// Reads `blob`, writing its resources into `resources`.
fn read_blob(blob: PathBuf, resources: &Path) -> Result<Blob, String> {
    let bad = |what: &str| format!("{}: {what}", blob.display());
    let entries =
        super::trace_file::read_zip(&blob).map_err(|e| format!("{e} (is it a blob report?)"))?;
    let mut meta: Option<Meta> = None;
    let mut events = Vec::new();
    let mut timings = BTreeMap::new();
    for (name, data) in entries {
        match name.as_str() {
            "meta.json" => {
                meta = Some(
                    serde_json::from_slice(&data).map_err(|e| bad(&format!("meta.json: {e}")))?,
                );
            }
            "timings.json" => {
                timings = serde_json::from_slice(&data)
                    .map_err(|e| bad(&format!("timings.json: {e}")))?;
            }
            "events.jsonl" => {
                let text = String::from_utf8(data).map_err(|_| bad("events.jsonl is not UTF-8"))?;
                for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
                    events.push(
                        serde_json::from_str::<RunEvent>(line)
                            .map_err(|e| bad(&format!("events.jsonl line {}: {e}", n + 1)))?,
                    );
                }
            }
            other => {
                let file = other
                    .strip_prefix("resources/")
                    .filter(|f| {
                        !f.is_empty()
                            && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
                            && !f.starts_with('.')
                    })
                    .ok_or_else(|| bad(&format!("unexpected entry {other:?}")))?;
                std::fs::create_dir_all(resources)
                    .map_err(|e| format!("{}: {e}", resources.display()))?;
                let target = resources.join(file);
                if !target.exists() {
                    std::fs::write(&target, &data)
                        .map_err(|e| format!("{}: {e}", target.display()))?;
                }
            }
        }
    }
    let meta = meta.ok_or_else(|| bad("no meta.json (is it a blob report?)"))?;
    if meta.version != VERSION {
        return Err(bad(&format!(
            "blob format {} (this isolate-browser reads {VERSION})",
            meta.version
        )));
    }
    let order = meta.shard.map_or(0, |s| s.current);
    Ok(Blob {
        order,
        path: blob,
        events,
        timings,
    })
}

fn worst(a: RunStatus, b: RunStatus) -> RunStatus {
    let rank = |s: RunStatus| match s {
        RunStatus::Passed => 0,
        RunStatus::Failed => 1,
        RunStatus::Interrupted => 2,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Adds merged durations to the timings file of `output_dir`, for the next split.
pub(crate) fn write_timings(output_dir: &Path, durations: Vec<(String, u64)>) {
    let mut timings = super::timings::Timings::read(output_dir);
    timings.record(durations);
    timings.write(output_dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_with_an_entry_outside_its_folder_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let meta = serde_json::to_vec(&Meta {
            version: VERSION,
            shard: None,
        })
        .expect("meta");
        for evil in [
            "../evil.txt",
            "resources/../../evil.txt",
            "/abs.txt",
            "resources/.hidden",
        ] {
            super::super::trace_file::write_zip(
                &dir.path().join("report.zip"),
                &[
                    ("meta.json".into(), meta.clone()),
                    (evil.into(), b"x".to_vec()),
                ],
            )
            .expect("zip");
            let err = merge(dir.path()).err().unwrap_or_default();
            assert!(err.contains("unexpected entry"), "{evil}: {err}");
            assert!(!dir.path().join("evil.txt").exists());
            assert!(
                !dir.path()
                    .parent()
                    .expect("parent")
                    .join("evil.txt")
                    .exists()
            );
        }
    }

    #[test]
    fn shards_merge_into_one_run_with_summed_totals() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (current, failed) in [(1, 0), (2, 1)] {
            let mut r = BlobReporter::new(dir.path(), Some(Shard::new(current, 2).expect("shard")));
            for kind in [
                RunEventKind::RunStarted {
                    total: 3,
                    workers: 2,
                },
                RunEventKind::RunFinished {
                    status: if failed > 0 {
                        RunStatus::Failed
                    } else {
                        RunStatus::Passed
                    },
                    stats: RunStats {
                        passed: 3 - failed,
                        failed,
                        ..RunStats::default()
                    },
                    duration: Duration::from_millis(100 * u64::from(current)),
                },
            ] {
                r.on_event(&RunEvent::from(kind)).expect("event");
            }
        }
        let merged = merge(dir.path()).expect("merged");
        assert_eq!(merged.blobs, 2);
        assert_eq!(
            merged.events.first(),
            Some(&RunEventKind::RunStarted {
                total: 6,
                workers: 2
            })
        );
        assert_eq!(
            merged.events.last(),
            Some(&RunEventKind::RunFinished {
                status: RunStatus::Failed,
                stats: RunStats {
                    passed: 5,
                    failed: 1,
                    ..RunStats::default()
                },
                duration: Duration::from_millis(200),
            })
        );
    }
}

//! Writing Playwright trace files: a zip of JSON-lines event files and the resources they
//! name. A test's `trace.zip` holds `test.trace` (the test runner's steps, origin
//! `testRunner`), each traced context's `<n>-trace.trace` and `<n>-trace.network` (origin
//! `library`: frames, console, network, the calls on its pages), `screencast/` frames,
//! `resources/` bodies and `src/` the spec sources the steps point into, as Playwright Test
//! writes them, so Playwright's trace viewer opens it.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::io::Write as _;
use std::path::Path;
use std::path::PathBuf;

use serde_json::Value;
use serde_json::json;
use sha1::Digest as _;
use zip::write::SimpleFileOptions;

use super::browser::PathMap;
use super::isolate_host::HarnessCx;
use super::protocol::CallError;
use super::protocol::TraceWriteArgs;

/// The trace format version these files follow (Playwright 1.65's).
pub(crate) const TRACE_VERSION: u32 = 10;

/// Milliseconds since the epoch, the time every event of our traces is in.
pub(crate) fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Hex SHA-1 of `bytes` (trace resources are named by it).
pub(crate) fn sha1_hex(bytes: &[u8]) -> String {
    let digest = sha1::Sha1::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// JSON lines.
pub(crate) fn lines(events: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        if let Ok(text) = serde_json::to_string(e) {
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        }
    }
    out
}

/// Writes `entries` as a zip at `path` (through a temporary file, so a reader never sees half
/// of it). Images are stored as they are; text is deflated.
pub(crate) fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = tmp.as_file().try_clone().map_err(|e| e.to_string())?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    for (name, data) in entries {
        let stored = name.ends_with(".jpeg") || name.ends_with(".png") || name.ends_with(".zip");
        let options = SimpleFileOptions::default().compression_method(if stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        });
        zip.start_file(name.as_str(), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(data).map_err(|e| e.to_string())?;
    }
    zip.finish()
        .map_err(|e| e.to_string())?
        .flush()
        .map_err(|e| e.to_string())?;
    tmp.persist(path)
        .map_err(|e| format!("{}: {}", path.display(), e.error))?;
    Ok(())
}

/// The entries of a zip written by [`write_zip`].
pub(crate) fn read_zip(path: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().map_err(|e| e.to_string())?.into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
        out.push((name, data));
    }
    Ok(out)
}

/// Stacks name files as test code sees them (the project is `/`); the viewer shows and opens
/// the real files, so they are renamed to those. A name that is not a project file (a
/// `sourceURL` a spec made up, one with `..`) is left as it is. Answers the files named.
pub(crate) fn real_stacks(paths: &PathMap, events: &mut [Value]) -> BTreeSet<String> {
    let mut sources = BTreeSet::new();
    for event in events {
        let Some(stack) = event.get_mut("stack").and_then(Value::as_array_mut) else {
            continue;
        };
        for frame in stack {
            let Some(file) = frame.get("file").and_then(Value::as_str) else {
                continue;
            };
            let Ok(real) = paths.resolve(file) else {
                continue;
            };
            let real = real.to_string_lossy().into_owned();
            sources.insert(real.clone());
            frame["file"] = Value::String(real);
        }
    }
    sources
}

/// `harness.traceWrite`: the test's trace.zip from its test-runner events and the parts its
/// contexts wrote; the parts are removed either way, and nothing is written when the mode does
/// not keep this test's trace.
pub(crate) async fn trace_write(cx: &HarnessCx, args: TraceWriteArgs) -> Result<(), CallError> {
    let paths = cx.paths();
    let mut parts = Vec::new();
    for lib in &args.libraries {
        parts.push(paths.resolve_write(lib)?);
    }
    let result = if args.keep {
        let target = paths.resolve_write(&args.path)?;
        build(paths, &args, &parts)
            .and_then(|entries| write_zip(&target, &entries))
            .map_err(|e| CallError::new(format!("writing the trace {}: {e}", args.path)))
    } else {
        Ok(())
    };
    for part in &parts {
        let _ = std::fs::remove_file(part);
    }
    result
}

fn build(
    paths: &PathMap,
    args: &TraceWriteArgs,
    parts: &[PathBuf],
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut events = args.events.clone();
    let sources = real_stacks(paths, &mut events);
    let start = events
        .iter()
        .find_map(|e| e.get("startTime").and_then(Value::as_f64))
        .unwrap_or_else(now_ms);
    let mut head = json!({
        "version": TRACE_VERSION,
        "type": "context-options",
        "origin": "testRunner",
        "browserName": "",
        "platform": std::env::consts::OS,
        "wallTime": start,
        "monotonicTime": start,
        "sdkLanguage": "javascript",
        "options": {},
        "testTimeout": args.timeout,
        "annotations": args.annotations,
    });
    if let Some(v) = option_env!("CARGO_PKG_VERSION") {
        head["playwrightVersion"] = Value::String(format!("isolate-browser {v}"));
    }
    let mut all = vec![head];
    all.extend(events);
    let mut entries = vec![("test.trace".to_string(), lines(&all))];
    let mut names: BTreeSet<String> = BTreeSet::new();
    for (i, part) in parts.iter().enumerate() {
        let Ok(part) = read_zip(part) else {
            // A context whose part could not be written (its browser crashed) has nothing.
            continue;
        };
        for (name, data) in part {
            let name = match name.as_str() {
                "trace.trace" => format!("{i}-trace.trace"),
                "trace.network" => format!("{i}-trace.network"),
                _ => name,
            };
            if names.insert(name.clone()) {
                entries.push((name, data));
            }
        }
    }
    for file in sources {
        let Ok(text) = std::fs::read(&file) else {
            continue;
        };
        let ext = Path::new(&file)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        entries.push((format!("src/{}{ext}", sha1_hex(file.as_bytes())), text));
    }
    Ok(entries)
}

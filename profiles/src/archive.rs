//! Zipping a Chromium user-data directory into one archive and back: entries in sorted order
//! with fixed timestamps (the same directory gives the same bytes), locks, caches and crash
//! dumps left out, and extraction that never writes outside the target directory.

use std::fs::File;
use std::io::Read as _;
use std::io::Write as _;
use std::path::Path;

use zip::write::SimpleFileOptions;

use crate::error::ProfileError;
use crate::error::io;

/// Names Chromium recreates on start or that only cost space: never archived.
const SKIP: &[&str] = &[
    "SingletonLock",
    "SingletonSocket",
    "SingletonCookie",
    "lockfile",
    "LOCK",
    "Cache",
    "Code Cache",
    "GPUCache",
    "GrShaderCache",
    "ShaderCache",
    "DawnCache",
    "DawnGraphiteCache",
    "DawnWebGPUCache",
    "GraphiteDawnCache",
    "Crashpad",
    "Crash Reports",
    "component_crx_cache",
    "BrowserMetrics",
    "Safe Browsing",
];

fn skipped(name: &str) -> bool {
    SKIP.contains(&name) || name.starts_with("BrowserMetrics") || name.ends_with(".tmp")
}

fn collect(
    dir: &Path,
    rel: &str,
    out: &mut Vec<(String, std::path::PathBuf)>,
) -> Result<(), ProfileError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if skipped(&name) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if kind.is_dir() {
            collect(&entry.path(), &path, out)?;
        } else if kind.is_file() {
            out.push((path, entry.path()));
        }
    }
    Ok(())
}

/// Zips `src` into `dest` (written to a temporary file first, then renamed).
pub fn zip_dir(src: &Path, dest: &Path) -> Result<(), ProfileError> {
    let mut files = Vec::new();
    collect(src, "", &mut files)?;
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(dir))?;
    let mut zip = zip::ZipWriter::new(tmp.as_file().try_clone().map_err(io(dest))?);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    for (name, path) in files {
        let mut data = Vec::new();
        // A file Chromium deleted since the listing is simply not part of the archive.
        match File::open(&path) {
            Ok(mut f) => {
                f.read_to_end(&mut data).map_err(io(&path))?;
            }
            Err(_) => continue,
        }
        zip.start_file(name, options)
            .map_err(|e| ProfileError::Io {
                path: dest.to_path_buf(),
                source: std::io::Error::other(e),
            })?;
        zip.write_all(&data).map_err(io(dest))?;
    }
    let file = zip.finish().map_err(|e| ProfileError::Io {
        path: dest.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    file.sync_all().map_err(io(dest))?;
    tmp.persist(dest).map_err(|e| ProfileError::Io {
        path: dest.to_path_buf(),
        source: e.error,
    })?;
    crate::store::sync_dir(dir);
    Ok(())
}

/// Extracts `archive` into `dest`; entries that would land outside `dest` are an error.
pub fn unzip_dir(archive: &Path, dest: &Path) -> Result<(), ProfileError> {
    let bad = |reason: String| ProfileError::BadArchive {
        path: archive.to_path_buf(),
        reason,
    };
    let file = File::open(archive).map_err(io(archive))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
        let Some(rel) = entry.enclosed_name() else {
            return Err(bad(format!(
                "entry {} leaves the archive's directory",
                entry.name().map(|n| n.into_owned()).unwrap_or_default()
            )));
        };
        let target = dest.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&target).map_err(io(&target))?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut out = File::create(&target).map_err(io(&target))?;
        std::io::copy(&mut entry, &mut out)
            .map_err(|e| bad(format!("{}: {e}", target.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_are_deterministic_skip_locks_and_caches_and_round_trip() {
        let src = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(src.path().join("Default/Cache")).expect("mkdir");
        std::fs::create_dir_all(src.path().join("Default/Local Storage")).expect("mkdir");
        std::fs::write(src.path().join("Default/Cookies"), b"cookies").expect("write");
        std::fs::write(src.path().join("Default/Local Storage/000003.log"), b"ls").expect("write");
        std::fs::write(src.path().join("Default/Cache/data_0"), b"cache").expect("write");
        std::fs::write(src.path().join("SingletonLock"), b"lock").expect("write");
        let out = tempfile::tempdir().expect("tmp");
        let a = out.path().join("a.zip");
        let b = out.path().join("b.zip");
        zip_dir(src.path(), &a).expect("zip");
        zip_dir(src.path(), &b).expect("zip");
        assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
        let back = tempfile::tempdir().expect("tmp");
        unzip_dir(&a, back.path()).expect("unzip");
        assert_eq!(
            std::fs::read(back.path().join("Default/Cookies")).expect("cookies"),
            b"cookies"
        );
        assert!(
            back.path()
                .join("Default/Local Storage/000003.log")
                .is_file()
        );
        assert!(!back.path().join("Default/Cache").exists());
        assert!(!back.path().join("SingletonLock").exists());
    }

    #[test]
    fn a_truncated_archive_is_reported_not_extracted() {
        let dir = tempfile::tempdir().expect("tmp");
        let zip = dir.path().join("x.zip");
        std::fs::write(&zip, b"PK\x03\x04 not really").expect("write");
        let err = unzip_dir(&zip, dir.path()).expect_err("corrupt");
        assert!(err.to_string().contains("x.zip"), "{err}");
    }
}

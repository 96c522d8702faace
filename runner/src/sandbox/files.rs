//! The files binding: a host directory that sandbox code sees as `/`. Every path is resolved
//! lexically inside the root, then checked again after symlinks are resolved, so neither `..`
//! nor a symlink can reach a file outside it. Errors read like Node's (`ENOENT: …`).

use std::io;
use std::path::Component;
use std::path::Path;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;

use super::ext::DirEntry;
use super::ext::FileStat;
use super::ext::FsCall;
use super::ext::FsReply;
use super::ext::HostError;
use super::options::FilesBinding;

/// A files root, canonicalised once at runtime creation.
#[derive(Debug, Clone)]
pub(crate) struct Files {
    root: PathBuf,
    allow_write: bool,
    /// Where writes are allowed when `allow_write` is off, as the sandbox spells them
    /// (`/test-results`) and on disk, under the root.
    writable_dirs: Vec<(String, PathBuf)>,
    writable_snapshot_dirs: bool,
}

impl Files {
    /// Canonicalises the binding's root; it must exist and be a directory.
    pub(crate) fn new(binding: &FilesBinding) -> io::Result<Self> {
        let root = binding.root.canonicalize()?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("files root {} is not a directory", root.display()),
            ));
        }
        Ok(Self {
            root: root.clone(),
            allow_write: binding.allow_write,
            writable_dirs: binding
                .writable_dirs
                .iter()
                .filter_map(|d| {
                    let rel = d.strip_prefix(&binding.root).ok()?;
                    let shown = format!("/{}", rel.to_string_lossy());
                    Some((shown, root.join(rel)))
                })
                .collect(),
            writable_snapshot_dirs: binding.writable_snapshot_dirs,
        })
    }

    /// Runs one call; blocking file IO happens off the isolate's thread.
    pub(crate) async fn call(&self, call: FsCall) -> Result<FsReply, HostError> {
        let files = self.clone();
        tokio::task::spawn_blocking(move || files.call_blocking(call))
            .await
            .map_err(|e| HostError::Generic(format!("EIO: file task failed: {e}")))?
    }

    pub(crate) fn call_blocking(&self, call: FsCall) -> Result<FsReply, HostError> {
        match call {
            FsCall::ReadFile { path } => {
                let host = self.existing(&path, "open")?;
                std::fs::read(&host)
                    .map(FsReply::Bytes)
                    .map_err(|e| io_error(e, "open", &path))
            }
            FsCall::WriteFile { path, data, append } => {
                let host = self.writable(&path, "open")?;
                let result = if append {
                    use std::io::Write as _;
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&host)
                        .and_then(|mut f| f.write_all(&data))
                } else {
                    std::fs::write(&host, &data)
                };
                result
                    .map(|()| FsReply::Done)
                    .map_err(|e| io_error(e, "open", &path))
            }
            FsCall::ReadDir { path } => {
                let host = self.existing(&path, "scandir")?;
                let mut entries = Vec::new();
                for entry in std::fs::read_dir(&host).map_err(|e| io_error(e, "scandir", &path))? {
                    let entry = entry.map_err(|e| io_error(e, "scandir", &path))?;
                    let kind = entry
                        .file_type()
                        .map_err(|e| io_error(e, "scandir", &path))?;
                    entries.push(DirEntry {
                        name: entry.file_name().to_string_lossy().into_owned(),
                        is_file: kind.is_file(),
                        is_directory: kind.is_dir(),
                        is_symbolic_link: kind.is_symlink(),
                    });
                }
                entries.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(FsReply::Entries(entries))
            }
            FsCall::Stat { path } => {
                let host = self.existing(&path, "stat")?;
                let meta =
                    std::fs::symlink_metadata(&host).map_err(|e| io_error(e, "stat", &path))?;
                Ok(FsReply::Stat(stat_of(&meta)))
            }
            FsCall::Mkdir { path, recursive } => {
                let host = self.writable(&path, "mkdir")?;
                let result = if recursive {
                    std::fs::create_dir_all(&host)
                } else {
                    std::fs::create_dir(&host)
                };
                result
                    .map(|()| FsReply::Done)
                    .map_err(|e| io_error(e, "mkdir", &path))
            }
            FsCall::Rm {
                path,
                recursive,
                force,
            } => {
                let host = self.writable(&path, "rm")?;
                if host == self.root {
                    return Err(HostError::Generic(format!(
                        "EPERM: operation not permitted, the files root cannot be removed, rm '{path}'"
                    )));
                }
                let meta = match std::fs::symlink_metadata(&host) {
                    Ok(meta) => meta,
                    Err(e) if force && e.kind() == io::ErrorKind::NotFound => {
                        return Ok(FsReply::Done);
                    }
                    Err(e) => return Err(io_error(e, "rm", &path)),
                };
                let result = if meta.is_dir() {
                    if recursive {
                        std::fs::remove_dir_all(&host)
                    } else {
                        return Err(HostError::Generic(format!(
                            "EISDIR: is a directory (pass {{ recursive: true }}), rm '{path}'"
                        )));
                    }
                } else {
                    std::fs::remove_file(&host)
                };
                result
                    .map(|()| FsReply::Done)
                    .map_err(|e| io_error(e, "rm", &path))
            }
            FsCall::Rename { from, to } => {
                let src = self.writable(&from, "rename")?;
                let dst = self.writable(&to, "rename")?;
                std::fs::rename(&src, &dst)
                    .map(|()| FsReply::Done)
                    .map_err(|e| io_error(e, "rename", &from))
            }
        }
    }

    /// Maps a sandbox path to a host path inside the root, refusing `..` above `/`.
    fn lexical(&self, path: &str, syscall: &str) -> Result<PathBuf, HostError> {
        if path.contains('\0') {
            return Err(HostError::Type(format!(
                "ERR_INVALID_ARG_VALUE: path must not contain NUL bytes, {syscall} '{}'",
                path.replace('\0', "\\0")
            )));
        }
        let mut out = self.root.clone();
        let mut depth = 0usize;
        for component in Path::new(path).components() {
            match component {
                Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
                Component::ParentDir => {
                    if depth == 0 {
                        return Err(escape(path, syscall));
                    }
                    depth -= 1;
                    out.pop();
                }
                Component::Normal(name) => {
                    depth += 1;
                    out.push(name);
                }
            }
        }
        Ok(out)
    }

    /// A path that must exist; symlinks are resolved and must stay inside the root.
    fn existing(&self, path: &str, syscall: &str) -> Result<PathBuf, HostError> {
        let host = self.lexical(path, syscall)?;
        let real = host
            .canonicalize()
            .map_err(|e| io_error(e, syscall, path))?;
        if !real.starts_with(&self.root) {
            return Err(escape(path, syscall));
        }
        Ok(real)
    }

    /// A path to create or change: writes must be allowed, and its parent (and the path itself,
    /// if it exists) must resolve inside the root.
    fn writable(&self, path: &str, syscall: &str) -> Result<PathBuf, HostError> {
        if !self.allow_write && self.writable_dirs.is_empty() && !self.writable_snapshot_dirs {
            return Err(HostError::Generic(format!(
                "EACCES: permission denied, the files binding is read-only (the host did not allow writes), {syscall} '{path}'"
            )));
        }
        let host = self.lexical(path, syscall)?;
        let real = self.writable_target(&host, path, syscall)?;
        // A link is written through: what it points at must be writable too.
        let through = real.canonicalize().unwrap_or_else(|_| real.clone());
        let allowed =
            self.allow_write || (self.in_writable_dir(&real) && self.in_writable_dir(&through));
        if !allowed {
            let mut dirs: Vec<&str> = self.writable_dirs.iter().map(|(s, _)| s.as_str()).collect();
            if self.writable_snapshot_dirs {
                dirs.push("*-snapshots directories");
            }
            return Err(HostError::Generic(format!(
                "EACCES: permission denied, test code may write only under {} (add the directory to writableDirs in the config), {syscall} '{path}'",
                dirs.join(", ")
            )));
        }
        Ok(real)
    }

    /// Whether a real path is inside one of the writable directories (themselves resolved, so
    /// that a writable directory that is a symlink still counts as itself).
    fn in_writable_dir(&self, real: &Path) -> bool {
        let in_snapshots = || {
            real.strip_prefix(&self.root).is_ok_and(|rel| {
                rel.components()
                    .any(|c| c.as_os_str().to_string_lossy().ends_with("-snapshots"))
            })
        };
        if self.writable_snapshot_dirs && in_snapshots() {
            return true;
        }
        self.writable_dirs.iter().any(|(_, dir)| {
            let dir = dir.canonicalize().unwrap_or_else(|_| dir.clone());
            real.starts_with(&dir)
        })
    }

    /// Where a write to `host` would really land, refusing anything outside the root.
    fn writable_target(
        &self,
        host: &Path,
        path: &str,
        syscall: &str,
    ) -> Result<PathBuf, HostError> {
        let host = host.to_path_buf();
        if host == self.root {
            return Ok(host);
        }
        let Some(name) = host.file_name().map(|n| n.to_os_string()) else {
            return Err(escape(path, syscall));
        };
        let parent = host.parent().unwrap_or(&self.root);
        // The nearest existing ancestor decides where the new entry would really land.
        let mut ancestor = parent.to_path_buf();
        let mut rest = Vec::new();
        let real_ancestor = loop {
            match ancestor.canonicalize() {
                Ok(real) => break real,
                Err(_) => match (ancestor.file_name(), ancestor.parent()) {
                    (Some(n), Some(p)) => {
                        rest.push(n.to_os_string());
                        ancestor = p.to_path_buf();
                    }
                    _ => return Err(escape(path, syscall)),
                },
            }
        };
        if !real_ancestor.starts_with(&self.root) {
            return Err(escape(path, syscall));
        }
        let mut real = real_ancestor;
        real.extend(rest.into_iter().rev());
        real.push(name);
        if let Ok(meta) = std::fs::symlink_metadata(&real)
            && meta.file_type().is_symlink()
        {
            let target = real
                .canonicalize()
                .map_err(|e| io_error(e, syscall, path))?;
            if !target.starts_with(&self.root) {
                return Err(escape(path, syscall));
            }
        }
        Ok(real)
    }
}

/// The error for a sandbox that was granted no files at all.
pub(crate) fn no_files(call: &FsCall) -> HostError {
    let path = match call {
        FsCall::ReadFile { path }
        | FsCall::WriteFile { path, .. }
        | FsCall::ReadDir { path }
        | FsCall::Stat { path }
        | FsCall::Mkdir { path, .. }
        | FsCall::Rm { path, .. } => path,
        FsCall::Rename { from, .. } => from,
    };
    HostError::Generic(format!(
        "EACCES: permission denied, this sandbox has no file system (the host grants one with a files root, e.g. `--files DIR`), open '{path}'"
    ))
}

fn escape(path: &str, syscall: &str) -> HostError {
    HostError::Generic(format!(
        "EACCES: permission denied, path escapes the files root, {syscall} '{path}'"
    ))
}

fn io_error(err: io::Error, syscall: &str, path: &str) -> HostError {
    let (code, text) = match err.kind() {
        io::ErrorKind::NotFound => ("ENOENT", "no such file or directory"),
        io::ErrorKind::PermissionDenied => ("EACCES", "permission denied"),
        io::ErrorKind::AlreadyExists => ("EEXIST", "file already exists"),
        io::ErrorKind::DirectoryNotEmpty => ("ENOTEMPTY", "directory not empty"),
        io::ErrorKind::IsADirectory => ("EISDIR", "illegal operation on a directory"),
        io::ErrorKind::NotADirectory => ("ENOTDIR", "not a directory"),
        _ => ("EIO", "i/o error"),
    };
    HostError::Generic(format!("{code}: {text}, {syscall} '{path}'"))
}

fn stat_of(meta: &std::fs::Metadata) -> FileStat {
    use std::os::unix::fs::PermissionsExt as _;
    let ms = |t: io::Result<std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs_f64() * 1000.0)
    };
    let mtime = ms(meta.modified()).unwrap_or(0.0);
    FileStat {
        size: meta.len(),
        is_file: meta.is_file(),
        is_directory: meta.is_dir(),
        is_symbolic_link: meta.file_type().is_symlink(),
        mtime_ms: mtime,
        birthtime_ms: ms(meta.created()).unwrap_or(mtime),
        mode: meta.permissions().mode(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path, allow_write: bool) -> Files {
        Files::new(&FilesBinding {
            root: dir.to_path_buf(),
            allow_write,
            writable_dirs: Vec::new(),
            writable_snapshot_dirs: false,
        })
        .expect("root exists")
    }

    #[test]
    fn lexical_paths_stay_inside_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = files(dir.path(), false);
        let root = dir.path().canonicalize().expect("canonical");
        assert_eq!(
            f.lexical("/a/./b/../c", "open").expect("inside"),
            root.join("a/c")
        );
        assert_eq!(f.lexical("a", "open").expect("inside"), root.join("a"));
        assert!(f.lexical("/../etc/passwd", "open").is_err());
        assert!(f.lexical("/a/../../x", "open").is_err());
        assert!(f.lexical("/a\0b", "open").is_err());
    }

    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret"), "s").expect("write");
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).expect("symlink");
        let f = files(dir.path(), true);
        let err = f.existing("/link/secret", "open").expect_err("escape");
        assert!(err.to_string().contains("escapes the files root"), "{err}");
        let err = f.writable("/link/new", "open").expect_err("escape");
        assert!(err.to_string().contains("escapes the files root"), "{err}");
    }
}

//! `isolate-browser run <file>`: runs one module in a sandbox, streaming its console output.

use std::path::Path;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::UsageError;
use crate::sandbox::ConsoleBinding;
use crate::sandbox::FetchPolicy;
use crate::sandbox::FilesBinding;
use crate::sandbox::Runtime;
use crate::sandbox::RuntimeOptions;

/// The sandbox flags `run` and `serve` share.
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Allow fetch() to this origin (repeatable), e.g. http://127.0.0.1:8080.
    #[arg(long = "allow-net", value_name = "ORIGIN")]
    allow_net: Vec<String>,
    /// Let the code read this host environment variable as `process.env.NAME` (repeatable);
    /// no other variable is there.
    #[arg(long = "allow-env", value_name = "NAME")]
    allow_env: Vec<String>,
    /// Give the code this directory as its file system root (`/`), read-only.
    #[arg(long, visible_alias = "allow-read", value_name = "DIR")]
    files: Option<PathBuf>,
    /// Allow writes inside the --files directory.
    #[arg(long = "files-write", requires = "files")]
    files_write: bool,
    /// V8 heap limit in MiB.
    #[arg(long = "memory-limit-mb", value_name = "N", default_value_t = 128,
          value_parser = clap::value_parser!(u32).range(8..=16384))]
    memory_limit_mb: u32,
}

impl SandboxArgs {
    /// Runtime options for code in `root`, with output on stdio.
    pub(crate) fn runtime_options(self, root: PathBuf) -> Result<RuntimeOptions, UsageError> {
        let files = match self.files {
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(UsageError::new(format!(
                        "--files {}: no such directory",
                        dir.display()
                    )));
                }
                Some(FilesBinding {
                    root: dir,
                    allow_write: self.files_write,
                    writable_dirs: Vec::new(),
                    writable_snapshot_dirs: false,
                })
            }
            None => None,
        };
        for origin in &self.allow_net {
            if crate::sandbox::ext_normalize_origin(origin).is_none() {
                return Err(
                    UsageError::new(format!("--allow-net {origin}: not an origin"))
                        .hint("write a scheme, host and optional port, e.g. http://127.0.0.1:8080"),
                );
            }
        }
        for name in &self.allow_env {
            if name.is_empty() || name.contains('=') || name.contains('\0') {
                return Err(
                    UsageError::new(format!("--allow-env {name:?}: not a variable name"))
                        .hint("name one variable per flag, e.g. --allow-env CI"),
                );
            }
        }
        let env = self
            .allow_env
            .iter()
            .filter_map(|n| std::env::var(n).ok().map(|v| (n.clone(), v)))
            .collect();
        Ok(RuntimeOptions {
            memory_limit_mb: self.memory_limit_mb as usize,
            env,
            cwd: root,
            console: ConsoleBinding::stdio(),
            fetch: if self.allow_net.is_empty() {
                FetchPolicy::DenyAll
            } else {
                FetchPolicy::AllowOrigins(self.allow_net)
            },
            files,
            ..RuntimeOptions::default()
        })
    }
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The module to run (.js, .mjs, .ts, .mts).
    file: PathBuf,
    #[command(flatten)]
    sandbox: SandboxArgs,
    /// Wall-clock limit for the whole run, in milliseconds.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    timeout: Option<u64>,
}

/// The module file, checked and made absolute, and its module root.
pub(crate) fn entry_file(path: &Path) -> Result<(PathBuf, PathBuf), UsageError> {
    let cwd = std::env::current_dir()
        .map_err(|e| UsageError::new(format!("cannot read the current directory: {e}")))?;
    let file = cwd.join(path);
    if !file.is_file() {
        return Err(
            UsageError::new(format!("module not found: {}", path.display()))
                .hint("pass the path of a .js or .ts file"),
        );
    }
    let file = file
        .canonicalize()
        .map_err(|e| UsageError::new(format!("cannot open {}: {e}", path.display())))?;
    let root = module_root(&cwd, &file);
    Ok((file, root))
}

pub(crate) fn run(args: RunArgs) -> Result<ExitCode, UsageError> {
    let (file, root) = entry_file(&args.file)?;
    let mut options = args.sandbox.runtime_options(root)?;
    options.execution_timeout = args.timeout.map(Duration::from_millis);
    let tokio_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError::new(format!("cannot start the async runtime: {e}")))?;
    tokio_rt.block_on(async move {
        let runtime = Runtime::new(options).map_err(|e| UsageError::new(e.to_string()))?;
        let result = runtime.run_module(&file).await;
        runtime.dispose().await;
        match result {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(err) => {
                crate::stdio::err!("error: {err}");
                Ok(ExitCode::from(1))
            }
        }
    })
}

/// The working directory when the file is inside it (so paths print as the user typed them),
/// else the file's own directory.
fn module_root(cwd: &Path, file: &Path) -> PathBuf {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    if file.starts_with(&cwd) {
        cwd
    } else {
        file.parent().map_or(cwd, Path::to_path_buf)
    }
}

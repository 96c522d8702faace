//! `isolate-browser merge-reports <dir>`: the blob reports of a sharded run (one per machine)
//! made into the reports the whole run would have written, and the timings file the next
//! `--shard-balance duration` splits by.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use isolate_browser_reporters::FanOut;
use isolate_browser_reporters::RunEvent;
use serde_json::Value;

use super::UsageError;
use super::test::load_config;
use super::test::reporters;

#[derive(Debug, Args)]
pub(crate) struct MergeReportsArgs {
    /// The folder with the blob reports (`report-1.zip`, ...).
    dir: PathBuf,
    /// Reporters, comma-separated (default: the config's, else list).
    #[arg(long, value_name = "NAMES")]
    reporter: Option<String>,
    /// The config file whose reporter options and output directory to use.
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    config: Option<PathBuf>,
}

pub(crate) fn run(args: MergeReportsArgs) -> Result<ExitCode, UsageError> {
    let cwd = std::env::current_dir()
        .map_err(|e| UsageError::new(format!("cannot read the current directory: {e}")))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError::new(format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let config = load_config(&cwd, args.config.as_deref()).await?;
        let dir = cwd.join(&args.dir);
        let merged = crate::suite::blob::merge(&dir).map_err(|e| {
            UsageError::new(format!("merge-reports: {e}"))
                .hint("name the folder the shards' `blob` reporters wrote (default blob-report)")
        })?;
        let names: Vec<(String, Value)> = match &args.reporter {
            Some(r) => r
                .split(',')
                .map(|n| (n.trim().to_string(), Value::Null))
                .filter(|(n, _)| !n.is_empty())
                .collect(),
            None => config
                .reporters
                .iter()
                .filter(|(n, _)| n != "blob")
                .cloned()
                .collect(),
        };
        let mut fanout = FanOut::new(reporters(&config, &names, false)?);
        for kind in merged.events {
            fanout.on_event(&RunEvent::from(kind));
        }
        for problem in fanout.errors() {
            crate::stdio::err!("warning: {problem}");
        }
        crate::suite::blob::write_timings(&config.output_dir, merged.durations);
        crate::stdio::err!(
            "merged {} blob reports from {}",
            merged.blobs,
            dir.display()
        );
        Ok(ExitCode::SUCCESS)
    })
}

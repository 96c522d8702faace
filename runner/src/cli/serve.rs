//! `isolate-browser serve <entry>`: runs a sandboxed `serve({ fetch })` app on a real port.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::UsageError;
use super::run::SandboxArgs;
use super::run::entry_file;
use crate::serve::AppServer;
use crate::serve::AppServerOptions;
use crate::serve::http_server::HttpOptions;
use crate::serve::http_server::serve_http;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The entry module: it calls `serve({ fetch })` or has `export default { fetch }`.
    entry: PathBuf,
    /// The port to listen on (0 picks a free one).
    #[arg(long, short, default_value_t = 8000)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[command(flatten)]
    sandbox: SandboxArgs,
    /// Per-request time limit in milliseconds (then 504).
    #[arg(long, value_name = "MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
    /// Requests in flight beyond this get 503.
    #[arg(long = "max-in-flight", value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_in_flight: u64,
    /// Request bodies beyond this many bytes get 413.
    #[arg(long = "max-body-bytes", value_name = "N", default_value_t = 16 << 20)]
    max_body_bytes: usize,
    /// How long requests in flight may take to finish on shutdown, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    grace: u64,
    /// No line per request (the server's own messages still go to stderr).
    #[arg(long, short)]
    quiet: bool,
}

pub(crate) fn run(args: ServeArgs) -> Result<ExitCode, UsageError> {
    let (file, root) = entry_file(&args.entry)?;
    let entry = file
        .strip_prefix(&root)
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|_| args.entry.clone());
    let mut runtime = args.sandbox.runtime_options(root)?;
    runtime.execution_timeout = Some(Duration::from_millis(args.timeout));
    let log: crate::serve::Log = Arc::new(|line| crate::stdio::err!("{line}"));
    let options = AppServerOptions {
        max_in_flight: args.max_in_flight as usize,
        log: log.clone(),
        ..AppServerOptions::new(entry, runtime)
    };
    let tokio_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError::new(format!("cannot start the async runtime: {e}")))?;
    tokio_rt.block_on(async move {
        let addr = format!("{}:{}", args.host, args.port);
        let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
            UsageError::new(format!("cannot listen on {addr}: {e}"))
                .hint("pick another --port, or 0 for a free one")
        })?;
        let server = match AppServer::start(options).await {
            Ok(server) => server,
            Err(e) => {
                crate::stdio::err!("error: {e}");
                return Ok(ExitCode::from(1));
            }
        };
        let local = listener
            .local_addr()
            .map_err(|e| UsageError::new(format!("cannot read the listening address: {e}")))?;
        crate::stdio::out!("listening on http://{local}/");
        let http = HttpOptions {
            max_body_bytes: args.max_body_bytes,
            grace: Duration::from_millis(args.grace),
            log,
            log_requests: !args.quiet,
        };
        serve_http(server, listener, http, shutdown_signal())
            .await
            .map_err(|e| UsageError::new(format!("serving failed: {e}")))?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Resolves on SIGTERM or Ctrl-C.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = ctrl_c.await;
        }
    }
}

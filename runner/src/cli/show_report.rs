//! `isolate-browser show-report [dir]`: serves an HTML report folder on loopback, as
//! `npx playwright show-report` does, so its trace links open Playwright's trace viewer (a
//! service-worker page, which needs http). Files are served from the report folder only: a
//! path that leaves it, through `..` or a symbolic link, is not found.

use std::convert::Infallible;
use std::io::Write as _;
use std::path::Path;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use bytes::Bytes;
use clap::Args;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use isolate_browser_reporters::find_trace_viewer;

use super::UsageError;
use super::serve::shutdown_signal;

#[derive(Debug, Args)]
pub(crate) struct ShowReportArgs {
    /// The report folder.
    #[arg(default_value = "isolate-browser-report")]
    report: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on (0 picks a free one).
    #[arg(long, short, default_value_t = 9323)]
    port: u16,
}

/// What is served: the report, and a trace viewer for `/trace/` when the report has none.
struct Roots {
    report: PathBuf,
    viewer: Option<PathBuf>,
}

pub(crate) fn run(args: ShowReportArgs) -> Result<ExitCode, UsageError> {
    if !args.report.join("index.html").is_file() {
        return Err(
            UsageError::new(format!("No report found at \"{}\"", args.report.display())).hint(
                "run `isolate-browser test --reporter html` first, or name the report folder",
            ),
        );
    }
    let report = args
        .report
        .canonicalize()
        .map_err(|e| UsageError::new(format!("cannot read {}: {e}", args.report.display())))?;
    let viewer = if report.join("trace/index.html").is_file() {
        None
    } else {
        let cwd = std::env::current_dir().unwrap_or_else(|_| report.clone());
        find_trace_viewer(&cwd)
            .or_else(|| find_trace_viewer(&report))
            .and_then(|v| v.canonicalize().ok())
    };
    let roots = Arc::new(Roots { report, viewer });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| UsageError::new(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async move {
        let addr = format!("{}:{}", args.host, args.port);
        let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
            UsageError::new(format!("cannot listen on {addr}: {e}"))
                .hint("pick another --port, or 0 for a free one")
        })?;
        let local = listener
            .local_addr()
            .map_err(|e| UsageError::new(format!("cannot read the listening address: {e}")))?;
        crate::stdio::out!("Serving HTML report at http://{local}. Press Ctrl+C to quit.");
        let _ = std::io::stdout().flush();
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            let (stream, _) = tokio::select! {
                _ = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(_) => continue,
                },
            };
            let roots = roots.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let roots = roots.clone();
                    async move { Ok::<_, Infallible>(respond(&roots, &req)) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn respond<B>(roots: &Roots, req: &hyper::Request<B>) -> hyper::Response<Full<Bytes>> {
    if req.method() != hyper::Method::GET && req.method() != hyper::Method::HEAD {
        return plain(405, "only GET and HEAD");
    }
    let Some(rel) = request_path(req.uri().path()) else {
        return plain(404, "not found");
    };
    let (root, rel) = match (&roots.viewer, rel.strip_prefix("trace/")) {
        (Some(viewer), Some(inside)) => (viewer.as_path(), PathBuf::from(inside)),
        (None, Some(_)) if !roots.report.join("trace").is_dir() => {
            return html(200, NO_VIEWER.to_string());
        }
        _ => (roots.report.as_path(), PathBuf::from(&rel)),
    };
    let Some(file) = inside(root, &rel) else {
        return plain(404, "not found");
    };
    match std::fs::read(&file) {
        Ok(bytes) => {
            let mut r = hyper::Response::new(Full::new(if req.method() == hyper::Method::HEAD {
                Bytes::new()
            } else {
                Bytes::from(bytes)
            }));
            let h = r.headers_mut();
            h.insert("content-type", content_type(&file).parse().expect("static"));
            h.insert("x-content-type-options", "nosniff".parse().expect("static"));
            h.insert("cache-control", "no-cache".parse().expect("static"));
            if rel.starts_with("data") {
                // A test's attachment opened on its own runs no script at the report's origin.
                h.insert(
                    "content-security-policy",
                    "sandbox".parse().expect("static"),
                );
            }
            r
        }
        Err(_) => plain(404, "not found"),
    }
}

/// The request's path as a relative path of plain segments (`/` is `index.html`); `None` for
/// anything with `..`, a backslash or a NUL in it.
fn request_path(path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?
        .into_owned();
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') => return None,
            s => parts.push(s),
        }
    }
    if parts.is_empty() || decoded.ends_with('/') {
        parts.push("index.html");
    }
    Some(parts.join("/"))
}

/// `root/rel` when it is a file that, links resolved, is still inside `root`.
fn inside(root: &Path, rel: &Path) -> Option<PathBuf> {
    let real = root.join(rel).canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "webmanifest") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("webm") => "video/webm",
        Some("zip") => "application/zip",
        Some("txt" | "log") => "text/plain; charset=utf-8",
        Some("ttf") => "font/ttf",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn plain(status: u16, text: &'static str) -> hyper::Response<Full<Bytes>> {
    let mut r = hyper::Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    r.headers_mut().insert(
        "content-type",
        "text/plain; charset=utf-8".parse().expect("static"),
    );
    r
}

fn html(status: u16, body: String) -> hyper::Response<Full<Bytes>> {
    let mut r = hyper::Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    r.headers_mut().insert(
        "content-type",
        "text/html; charset=utf-8".parse().expect("static"),
    );
    r
}

const NO_VIEWER: &str = "<!doctype html><meta charset=utf-8><title>No trace viewer</title>\
<body style=\"font:14px system-ui,sans-serif;margin:2rem\"><h1>No trace viewer here</h1>\
<p>The trace viewer is Playwright's. Install <code>playwright</code> or <code>@playwright/test</code> \
in the project (<code>PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm i -D playwright</code>), then run the tests \
or <code>isolate-browser show-report</code> from it again; or set ISOLATE_BROWSER_TRACE_VIEWER to a \
viewer folder. The trace file itself opens with <code>npx playwright show-trace trace.zip</code>.</p>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_stay_inside_the_report() {
        assert_eq!(request_path("/").as_deref(), Some("index.html"));
        assert_eq!(request_path("/data/a.png").as_deref(), Some("data/a.png"));
        assert_eq!(request_path("/trace/").as_deref(), Some("trace/index.html"));
        assert_eq!(request_path("/a%20b.txt").as_deref(), Some("a b.txt"));
        assert_eq!(request_path("/../etc/passwd"), None);
        assert_eq!(request_path("/data/%2e%2e/%2e%2e/x"), None);
        assert_eq!(request_path("/a%5c..%5cb"), None);
    }

    #[test]
    fn a_link_out_of_the_report_is_not_served() {
        let dir = tempfile::tempdir().expect("tempdir");
        let report = dir.path().join("report");
        std::fs::create_dir_all(&report).expect("mkdir");
        std::fs::write(dir.path().join("secret.txt"), "no").expect("write");
        std::fs::write(report.join("index.html"), "yes").expect("write");
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), report.join("link.txt"))
            .expect("symlink");
        let report = report.canonicalize().expect("real");
        assert!(inside(&report, Path::new("index.html")).is_some());
        assert!(inside(&report, Path::new("link.txt")).is_none());
    }
}

//! Helpers shared by the end-to-end tests: runtimes that collect console output, and a tiny
//! HTTP server on 127.0.0.1 for fetch tests.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use http_body_util::Full;
use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use isolate_browser::sandbox::ConsoleBinding;
use isolate_browser::sandbox::ConsoleEntry;
use isolate_browser::sandbox::Runtime;
use isolate_browser::sandbox::RuntimeOptions;

/// Console lines a runtime wrote, in order.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<ConsoleEntry>>>);

impl Captured {
    pub fn binding(&self) -> ConsoleBinding {
        let lines = self.0.clone();
        ConsoleBinding::callback(move |entry| lines.lock().expect("console lock").push(entry))
    }

    pub fn texts(&self) -> Vec<String> {
        self.0
            .lock()
            .expect("console lock")
            .iter()
            .map(|e| e.text.clone())
            .collect()
    }

    pub fn entries(&self) -> Vec<ConsoleEntry> {
        self.0.lock().expect("console lock").clone()
    }
}

/// A runtime rooted at `dir` whose console output is captured.
pub fn runtime_in(
    dir: &std::path::Path,
    tweak: impl FnOnce(&mut RuntimeOptions),
) -> (Runtime, Captured) {
    let captured = Captured::default();
    let mut options = RuntimeOptions {
        cwd: dir.to_path_buf(),
        console: captured.binding(),
        ..RuntimeOptions::default()
    };
    tweak(&mut options);
    (Runtime::new(options).expect("runtime starts"), captured)
}

/// A runtime rooted at a fresh temp dir.
pub fn runtime(tweak: impl FnOnce(&mut RuntimeOptions)) -> (Runtime, Captured, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rt, captured) = runtime_in(dir.path(), tweak);
    (rt, captured, dir)
}

/// What the test server saw and answers.
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Serves HTTP/1.1 on 127.0.0.1 with `handler` until the test's runtime ends.
pub async fn serve<F>(handler: F) -> SocketAddr
where
    F: Fn(Seen) -> Response<Full<Bytes>> + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let handler = handler.clone();
                    async move {
                        let method = req.method().to_string();
                        let path = req.uri().to_string();
                        let headers = req
                            .headers()
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                            .collect();
                        let body = req
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes().to_vec())
                            .unwrap_or_default();
                        Ok::<_, Infallible>(handler(Seen {
                            method,
                            path,
                            headers,
                            body,
                        }))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// A plain response.
pub fn response(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .expect("valid response")
}

/// Serves fixed pages by path (anything else is a 404) and returns the origin.
pub async fn serve_pages(pages: &[(&str, &str)]) -> String {
    let pages: Vec<(String, String)> = pages
        .iter()
        .map(|(p, h)| (p.to_string(), h.to_string()))
        .collect();
    let addr = serve(move |seen| {
        let path = seen.path.split('?').next().unwrap_or("/").to_string();
        match pages.iter().find(|(p, _)| *p == path) {
            Some((_, html)) => response(200, "text/html; charset=utf-8", html.clone()),
            None => response(404, "text/html", "<title>Not found</title>missing"),
        }
    })
    .await;
    format!("http://{addr}")
}

/// A launched headless Chromium with one fresh context and page.
pub async fn browser_page() -> (
    isolate_browser_browser::Browser,
    isolate_browser_browser::Context,
    isolate_browser_browser::Page,
) {
    let browser =
        isolate_browser_browser::Browser::launch(isolate_browser_browser::LaunchOptions::default())
            .await
            .expect("Chromium launches (apt-get install chromium)");
    let context = browser
        .new_context(isolate_browser_browser::ContextOptions::default())
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");
    (browser, context, page)
}

/// Chromium processes whose command line names this profile directory.
pub fn chromium_processes(marker: &str) -> usize {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .chars()
                        .all(|c| c.is_ascii_digit())
                })
                .filter(|e| {
                    let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
                    let zombie = stat
                        .rsplit_once(')')
                        .is_some_and(|(_, r)| r.trim_start().starts_with('Z'));
                    let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
                    !zombie && String::from_utf8_lossy(&cmd).contains(marker)
                })
                .count()
        })
        .unwrap_or(0)
}

/// The `--user-data-dir` of every Chromium whose parent is `pid` (the browsers it launched).
pub fn chromium_children(pid: u32) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, r)| r.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid != Some(pid) {
            continue;
        }
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd).into_owned();
        if let Some(dir) = cmd
            .split('\0')
            .find_map(|a| a.strip_prefix("--user-data-dir="))
        {
            out.push((child, dir.to_string()));
        }
    }
    out
}

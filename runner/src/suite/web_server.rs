//! Owns the `webServer` config option: start or reuse the server tests run against, and stop it.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, sleep, timeout};

/// How many trailing output lines of the command an error quotes.
const OUTPUT_LINES: usize = 50;
/// Longer lines are split so one chatty line cannot grow the buffer without bound.
const MAX_LINE: u64 = 4096;
/// How long a spawned server gets between SIGTERM and SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// Bounds one probe, so a server that accepts but never answers cannot stall polling.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// The `webServer` config entry: what to start and how to tell it is ready.
pub(crate) struct WebServerSpec {
    /// Shell command to start the server (run with `sh -c`), or None for a static directory.
    pub command: Option<String>,
    /// A static directory the runner serves itself on 127.0.0.1 (absolute path).
    pub static_dir: Option<PathBuf>,
    /// URL to poll until it answers (ready when the response status is 2xx, 3xx, or 400-403).
    pub url: Option<String>,
    /// Port to poll until a TCP connect to 127.0.0.1 succeeds (used when url is None).
    /// For static_dir: the port to bind (None/0 = any free port).
    pub port: Option<u16>,
    /// Working directory of the command (absolute).
    pub cwd: PathBuf,
    /// Extra environment variables for the command.
    pub env: Vec<(String, String)>,
    /// If the url/port already answers: reuse it instead of starting the command; if false: error.
    pub reuse_existing_server: bool,
    /// How long to wait for readiness (Playwright default 60 s).
    pub timeout: Duration,
    /// Echo the command's output lines to stderr, prefixed `[WebServer] `.
    pub echo_output: bool,
}

/// Why the web server could not be started.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WebServerError {
    #[error("webServer has nothing to start; hint: set webServer.command or webServer.static")]
    NothingToStart,
    #[error("webServer.command and webServer.static are both set; hint: keep only one of them")]
    CommandAndStatic,
    #[error(
        "webServer.command `{0}` has no readiness check; hint: set webServer.url or webServer.port"
    )]
    NoReadinessCheck(String),
    #[error("webServer.static `{}` does not exist or is not a directory; hint: fix webServer.static", .0.display())]
    BadStaticDir(PathBuf),
    #[error(
        "webServer.url `{0}` cannot be polled: {1}; hint: use an http:// webServer.url or set webServer.port"
    )]
    BadUrl(String, &'static str),
    #[error(
        "{0} is already used, make sure that nothing is running on the port/url or set reuseExistingServer:true in webServer config"
    )]
    AlreadyUsed(String),
    /// Binding the static server or spawning the command failed: what, error, hint.
    #[error("{0}: {1}; hint: {2}")]
    Io(String, #[source] io::Error, &'static str),
    /// The command exited or timed out before it was ready; `output` is its last lines.
    #[error("webServer.command `{command}` {problem}{}", tail(.output))]
    NotReady {
        command: String,
        problem: String,
        output: Vec<String>,
    },
}

fn tail(lines: &[String]) -> String {
    let mut out = String::from("\nlast output of the command:");
    for line in lines {
        let _ = write!(out, "\n  {line}");
    }
    if lines.is_empty() {
        out + " (none)"
    } else {
        out
    }
}

/// A server started or reused for the run. Call [`RunningServer::stop`] when the run ends;
/// dropping it kills what it owns as a fallback.
pub(crate) struct RunningServer {
    base_url: String,
    owned: Owned,
}

enum Owned {
    /// Reused or already stopped: nothing of ours to stop.
    Nothing,
    Static(JoinHandle<()>),
    Command(Box<Spawned>),
}

impl RunningServer {
    fn new(base_url: impl Into<String>, owned: Owned) -> Self {
        Self {
            base_url: base_url.into(),
            owned,
        }
    }

    /// The base URL tests should use.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops what this run started; a no-op for a reused server and on repeated calls.
    pub async fn stop(&mut self) {
        match std::mem::replace(&mut self.owned, Owned::Nothing) {
            Owned::Nothing => {}
            Owned::Static(task) => {
                // Aborting drops the listener and the JoinSet, which closes every open connection.
                task.abort();
                let _ = task.await;
            }
            Owned::Command(mut spawned) => spawned.stop().await,
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        // A spawned command is killed by `Spawned`'s own Drop; a JoinHandle does not abort on drop.
        if let Owned::Static(task) = &self.owned {
            task.abort();
        }
    }
}

/// Starts (or reuses) the server described by `spec` and waits until it is ready.
pub(crate) async fn start(spec: &WebServerSpec) -> Result<RunningServer, WebServerError> {
    match (&spec.command, &spec.static_dir) {
        (None, None) => Err(WebServerError::NothingToStart),
        (Some(_), Some(_)) => Err(WebServerError::CommandAndStatic),
        (None, Some(dir)) => start_static(spec, dir).await,
        (Some(command), None) => start_command(spec, command).await,
    }
}

/// Playwright checks once up front, so a stale server is reported instead of raced.
async fn existing(
    spec: &WebServerSpec,
    probe: &Probe,
    base_url: &str,
) -> Result<bool, WebServerError> {
    match probe.ready().await {
        true if !spec.reuse_existing_server => Err(WebServerError::AlreadyUsed(base_url.into())),
        ready => Ok(ready),
    }
}

async fn start_static(spec: &WebServerSpec, dir: &Path) -> Result<RunningServer, WebServerError> {
    let root = match tokio::fs::canonicalize(dir).await {
        Ok(root) if tokio::fs::metadata(&root).await.is_ok_and(|m| m.is_dir()) => root,
        _ => return Err(WebServerError::BadStaticDir(dir.to_path_buf())),
    };
    let port = spec.port.unwrap_or(0);
    let base_url = format!("http://127.0.0.1:{port}");
    if port != 0 && existing(spec, &Probe::Port(port), &base_url).await? {
        return Ok(RunningServer::new(base_url, Owned::Nothing));
    }
    let bind_err = |e| {
        let what = format!(
            "cannot serve webServer.static `{}` on {base_url}",
            dir.display()
        );
        WebServerError::Io(what, e, "pick another webServer.port")
    };
    let listener = match port {
        // No port given: the same one every run of this project (origins, and so the
        // localStorage of a saved profile or storage state, stay the same between runs), or
        // any free one when another process holds it.
        0 => match TcpListener::bind((Ipv4Addr::LOCALHOST, stable_port(&root))).await {
            Ok(listener) => Ok(listener),
            Err(_) => TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await,
        },
        port => TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await,
    };
    let listener = listener.map_err(bind_err)?;
    let port = listener.local_addr().map_err(bind_err)?.port();
    let task = tokio::spawn(accept_loop(listener, Arc::new(root)));
    Ok(RunningServer::new(
        format!("http://127.0.0.1:{port}"),
        Owned::Static(task),
    ))
}

/// The port a static directory is served on when the config names none: derived from the
/// directory (FNV-1a of its path), in 10000..30000, below Linux's ephemeral range.
fn stable_port(root: &Path) -> u16 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in root.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    10_000 + (hash % 20_000) as u16
}

/// Accepts until aborted; the connection tasks live in the JoinSet so they die with the loop.
async fn accept_loop(listener: TcpListener, root: Arc<PathBuf>) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            // Typically EMFILE: back off instead of spinning.
            sleep(Duration::from_millis(50)).await;
            continue;
        };
        let root = root.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| respond(root.clone(), req));
            let connection = hyper::server::conn::http1::Builder::new();
            let _ = connection
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn reply(status: StatusCode, kind: &'static str, len: u64, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    // Tests must see the files as they are now, not as a browser cached them in an earlier run.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn respond<B>(
    root: Arc<PathBuf>,
    req: Request<B>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let text = |status, body: &'static str| {
        let kind = "text/plain; charset=utf-8";
        reply(
            status,
            kind,
            body.len() as u64,
            Bytes::from_static(body.as_bytes()),
        )
    };
    let head = match *req.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => {
            let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
            let allow = HeaderValue::from_static("GET, HEAD");
            response.headers_mut().insert(header::ALLOW, allow);
            return Ok(response);
        }
    };
    let Some((path, len)) = resolve(&root, req.uri().path()).await else {
        return Ok(text(StatusCode::NOT_FOUND, "not found\n"));
    };
    let body = match head {
        true => Bytes::new(),
        false => match tokio::fs::read(&path).await {
            Ok(data) => Bytes::from(data),
            Err(_) => return Ok(text(StatusCode::NOT_FOUND, "not found\n")),
        },
    };
    let len = if head { len } else { body.len() as u64 };
    Ok(reply(StatusCode::OK, content_type(&path), len, body))
}

/// Maps a URL path to a regular file under `root` and its length. The canonical-prefix check
/// is what actually enforces the root: rejecting `..` alone would let symlinks escape.
async fn resolve(root: &Path, url_path: &str) -> Option<(PathBuf, u64)> {
    let decoded = percent_decode(url_path).filter(|d| !d.contains(&0))?;
    let mut path = root.to_path_buf();
    for segment in decoded.split(|&b| b == b'/') {
        match segment {
            b"" | b"." => {}
            b".." => return None,
            name => path.push(OsStr::from_bytes(name)),
        }
    }
    let mut real = tokio::fs::canonicalize(&path).await.ok()?;
    let mut meta = tokio::fs::metadata(&real).await.ok()?;
    if meta.is_dir() {
        let index = real.join("index.html");
        real = tokio::fs::canonicalize(index).await.ok()?;
        meta = tokio::fs::metadata(&real).await.ok()?;
    }
    (real.starts_with(root) && meta.is_file()).then_some((real, meta.len()))
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let hex = |i: usize| char::from(*s.as_bytes().get(i)?).to_digit(16);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = s.as_bytes().get(i) {
        if b == b'%' {
            out.push(u8::try_from(hex(i + 1)? * 16 + hex(i + 2)?).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(OsStr::to_str).unwrap_or("");
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// How readiness is checked: the url if given, else a TCP connect to the port.
enum Probe {
    Url(HttpTarget),
    Port(u16),
}

/// A parsed `http://` readiness URL.
struct HttpTarget {
    url: String,
    host: String,
    port: u16,
    /// `host[:port]` as written, for the Host header.
    authority: String,
    path: String,
}

impl Probe {
    fn parse_url(url: &str) -> Result<Probe, WebServerError> {
        let bad = |reason| WebServerError::BadUrl(url.to_string(), reason);
        let scheme = |s: &str| {
            url.get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        };
        if scheme("https://") {
            return Err(bad("https is not supported"));
        }
        let rest = url.get(7..).filter(|_| scheme("http://"));
        let rest = rest.ok_or_else(|| bad("only http:// urls are supported"))?;
        let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let path = path.split('#').next().unwrap_or("");
        let path = if path.starts_with('/') {
            path.into()
        } else {
            format!("/{path}")
        };
        // The `]` filter keeps a bare IPv6 literal's colons from being read as a port.
        let (host, port) = match authority.rsplit_once(':').filter(|(_, p)| !p.contains(']')) {
            Some((host, port)) => (host, port.parse().map_err(|_| bad("invalid port"))?),
            None => (authority, 80),
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if host.is_empty() {
            return Err(bad("missing host"));
        }
        let (url, authority) = (url.to_string(), authority.to_string());
        Ok(Probe::Url(HttpTarget {
            url,
            host,
            port,
            authority,
            path,
        }))
    }

    fn describe(&self) -> String {
        match self {
            Probe::Url(target) => target.url.clone(),
            Probe::Port(port) => format!("port {port}"),
        }
    }

    async fn ready(&self) -> bool {
        let (host, port) = match self {
            Probe::Url(target) => (target.host.as_str(), target.port),
            Probe::Port(port) => ("localhost", *port),
        };
        for addr in resolve_host(host, port).await {
            let ready = match self {
                Probe::Url(target) => target.answers(addr).await,
                Probe::Port(_) => {
                    let connect = timeout(PROBE_TIMEOUT, TcpStream::connect(addr)).await;
                    connect.is_ok_and(|c| c.is_ok())
                }
            };
            if ready {
                return true;
            }
        }
        false
    }
}

/// `localhost` may be served on either loopback family, so both are tried.
async fn resolve_host(host: &str, port: u16) -> Vec<SocketAddr> {
    if host.eq_ignore_ascii_case("localhost") {
        return vec![
            (Ipv4Addr::LOCALHOST, port).into(),
            (Ipv6Addr::LOCALHOST, port).into(),
        ];
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return vec![SocketAddr::new(ip, port)];
    }
    let addrs = tokio::net::lookup_host((host, port)).await;
    addrs.map(Iterator::collect).unwrap_or_default()
}

impl HttpTarget {
    /// Playwright's rule: 2xx, 3xx and 400-403 mean "up", and a 404 at `/` gets a second
    /// chance at `/index.html` for static servers.
    async fn answers(&self, addr: SocketAddr) -> bool {
        let mut status = self.status(addr, &self.path).await;
        if status == Some(404) && self.path == "/" {
            status = self.status(addr, "/index.html").await;
        }
        status.is_some_and(|s| (200..404).contains(&s))
    }

    /// Only the status line matters, so a bare request avoids needing an HTTP client.
    async fn status(&self, addr: SocketAddr, path: &str) -> Option<u16> {
        let exchange = async {
            let mut stream = TcpStream::connect(addr).await.ok()?;
            let host = &self.authority;
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            stream.write_all(request.as_bytes()).await.ok()?;
            let (mut buf, mut chunk) = (Vec::new(), [0u8; 512]);
            while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 8192 {
                match stream.read(&mut chunk).await.ok()? {
                    0 => break,
                    n => buf.extend_from_slice(chunk.get(..n)?),
                }
            }
            let line = String::from_utf8_lossy(&buf);
            let mut parts = line.split_whitespace();
            parts.next().filter(|v| v.starts_with("HTTP/"))?;
            parts.next()?.parse().ok()
        };
        timeout(PROBE_TIMEOUT, exchange).await.ok().flatten()
    }
}

type Output = Arc<Mutex<VecDeque<String>>>;

/// A spawned `sh -c` in its own process group, so the whole tree can be signalled at once.
struct Spawned {
    child: Child,
    pgid: i32,
    output: Output,
    readers: Vec<JoinHandle<()>>,
    /// Set once the group was dealt with, so Drop never signals a pgid that may be reused.
    finished: bool,
}

/// Sends `sig` to the process group; false if no member was left.
fn signal_group(pgid: i32, sig: i32) -> bool {
    // -0 and -1 would target our own group or every process we may signal.
    // SAFETY: kill(2) only takes integers; the negative pid targets the group we created.
    pgid > 1 && unsafe { libc::kill(-pgid, sig) } == 0
}

impl Spawned {
    fn output(&self) -> Vec<String> {
        let lines = self.output.lock().unwrap_or_else(PoisonError::into_inner);
        lines.iter().cloned().collect()
    }

    /// SIGTERM, then SIGKILL for whatever is still alive after the grace period.
    async fn stop(&mut self) {
        if !self.finished {
            signal_group(self.pgid, libc::SIGTERM);
            let graceful = timeout(STOP_GRACE, async {
                let _ = self.child.wait().await;
                while signal_group(self.pgid, 0) {
                    sleep(Duration::from_millis(50)).await;
                }
            });
            if graceful.await.is_err() {
                signal_group(self.pgid, libc::SIGKILL);
                let _ = timeout(Duration::from_secs(2), self.child.wait()).await;
            }
            self.finished = true;
        }
        self.readers.iter().for_each(JoinHandle::abort);
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if !self.finished {
            signal_group(self.pgid, libc::SIGKILL);
        }
        self.readers.iter().for_each(JoinHandle::abort);
    }
}

async fn collect_output(pipe: Option<impl AsyncRead + Unpin>, output: Output, echo: bool) {
    let Some(pipe) = pipe else { return };
    let (mut reader, mut buf) = (BufReader::new(pipe), Vec::new());
    while let Ok(1..) = (&mut reader)
        .take(MAX_LINE)
        .read_until(b'\n', &mut buf)
        .await
    {
        let line = String::from_utf8_lossy(&buf)
            .trim_end_matches(['\r', '\n'])
            .to_string();
        buf.clear();
        if echo {
            crate::stdio::err!("[WebServer] {line}");
        }
        let mut lines = output.lock().unwrap_or_else(PoisonError::into_inner);
        if lines.len() >= OUTPUT_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }
}

async fn start_command(
    spec: &WebServerSpec,
    command: &str,
) -> Result<RunningServer, WebServerError> {
    let (probe, base_url) = match (&spec.url, spec.port) {
        (Some(url), _) => (Probe::parse_url(url)?, url.clone()),
        (None, Some(port)) => (Probe::Port(port), format!("http://localhost:{port}")),
        (None, None) => return Err(WebServerError::NoReadinessCheck(command.into())),
    };
    if existing(spec, &probe, &base_url).await? {
        return Ok(RunningServer::new(base_url, Owned::Nothing));
    }
    let spawn_err = |e| {
        let what = format!(
            "cannot start webServer.command `{command}` in `{}`",
            spec.cwd.display()
        );
        WebServerError::Io(what, e, "check webServer.command and webServer.cwd")
    };
    let mut child = Command::new("sh");
    child
        .arg("-c")
        .arg(command)
        .current_dir(&spec.cwd)
        .envs(spec.env.iter().cloned());
    child
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = child.process_group(0).spawn().map_err(spawn_err)?;
    let Some(pgid) = child.id().and_then(|id| i32::try_from(id).ok()) else {
        let _ = child.start_kill();
        return Err(spawn_err(io::Error::other("the child has no pid")));
    };
    let (output, echo) = (Output::default(), spec.echo_output);
    let readers = vec![
        tokio::spawn(collect_output(child.stdout.take(), output.clone(), echo)),
        tokio::spawn(collect_output(child.stderr.take(), output.clone(), echo)),
    ];
    let mut spawned = Spawned {
        child,
        pgid,
        output,
        readers,
        finished: false,
    };

    // Clamped so an absurd configured timeout cannot overflow `Instant`.
    let deadline = Instant::now() + spec.timeout.min(Duration::from_secs(30 * 86_400));
    let mut delay = Duration::from_millis(100);
    let failure = loop {
        let poll = async {
            let ready = probe.ready().await;
            if !ready {
                sleep(delay).await;
            }
            ready
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        tokio::select! {
            status = spawned.child.wait() => {
                // Background members of the group must not outlive a failed start; the reader wait
                // is bounded because a process that left the group may still hold the pipes.
                signal_group(spawned.pgid, libc::SIGKILL);
                spawned.finished = true;
                for reader in &mut spawned.readers {
                    let _ = timeout(Duration::from_secs(1), reader).await;
                }
                let status = status.map_or_else(|e| format!("wait failed: {e}"), |s| s.to_string());
                let problem = format!("exited ({status}) before {} was ready", probe.describe());
                break (problem, spawned.output());
            }
            ready = timeout(remaining, poll) => if matches!(ready, Ok(true)) {
                return Ok(RunningServer::new(base_url, Owned::Command(Box::new(spawned))));
            }
        }
        if Instant::now() >= deadline {
            let output = spawned.output();
            spawned.stop().await;
            let (waited, target) = (spec.timeout.as_millis(), probe.describe());
            let hint = "hint: raise webServer.timeout or check webServer.url/webServer.port";
            break (
                format!("timed out after {waited}ms waiting for {target}; {hint}"),
                output,
            );
        }
        delay = (delay * 3 / 2).min(Duration::from_millis(500));
    };
    let (command, (problem, output)) = (command.into(), failure);
    Err(WebServerError::NotReady {
        command,
        problem,
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(edit: impl FnOnce(&mut WebServerSpec)) -> WebServerSpec {
        let mut spec = WebServerSpec {
            command: None,
            static_dir: None,
            url: None,
            port: None,
            cwd: std::env::temp_dir(),
            env: Vec::new(),
            reuse_existing_server: false,
            timeout: Duration::from_secs(10),
            echo_output: false,
        };
        edit(&mut spec);
        spec
    }

    fn free_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    /// One raw request with `Connection: close`: (status, lowercased head, body).
    async fn request(base: &str, method: &str, path: &str) -> (u16, String, Vec<u8>) {
        let host = base.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(host).await.unwrap();
        let req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        stream.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
        (
            head[9..12].parse().unwrap(),
            head,
            raw[split + 4..].to_vec(),
        )
    }

    /// Orphaned members are reaped by init, which may lag a little behind the kill.
    async fn group_gone(pgid: i32) -> bool {
        for _ in 0..40 {
            if !signal_group(pgid, 0) {
                return true;
            }
            sleep(Duration::from_millis(50)).await;
        }
        false
    }

    #[test]
    fn a_static_directory_gets_the_same_port_every_run() {
        let a = stable_port(Path::new("/work/project/site"));
        assert_eq!(a, stable_port(Path::new("/work/project/site")));
        assert_ne!(a, stable_port(Path::new("/work/other/site")));
        assert!((10_000..30_000).contains(&a));
    }

    #[tokio::test]
    async fn static_dir_serves_files_and_stays_inside_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("index.html"), "<h1>home</h1>").unwrap();
        std::fs::write(root.join("sub/app.js"), "export {}").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("link.txt")).unwrap();
        let mut server = start(&spec(|s| s.static_dir = Some(root))).await.unwrap();
        let base = server.base_url().to_string();
        assert!(base.starts_with("http://127.0.0.1:"));

        let (status, head, body) = request(&base, "GET", "/").await;
        assert_eq!(
            (status, body.as_slice()),
            (200, b"<h1>home</h1>".as_slice())
        );
        assert!(
            head.contains("content-type: text/html") && head.contains("cache-control: no-store")
        );
        let (status, head, _) = request(&base, "GET", "/sub/app%2Ejs").await;
        assert!(status == 200 && head.contains("content-type: text/javascript"));
        let escapes = [
            "/../secret.txt",
            "/sub/%2e%2e/../secret.txt",
            "/link.txt",
            "/a%00",
        ];
        for path in ["/missing.html", "/sub/"].iter().chain(&escapes) {
            assert_eq!(request(&base, "GET", path).await.0, 404, "{path}");
        }
        let (status, head, body) = request(&base, "HEAD", "/").await;
        assert!(status == 200 && body.is_empty() && head.contains("content-length: 13"));
        assert_eq!(request(&base, "POST", "/").await.0, 405);

        server.stop().await;
        server.stop().await;
        assert!(
            TcpStream::connect(base.trim_start_matches("http://"))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn command_is_awaited_by_url_and_its_whole_group_is_stopped() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("index.html"), "python").unwrap();
        let port = free_port();
        let url = format!("http://localhost:{port}/");
        // `& wait` keeps the shell as group leader, so stop() must reach the grandchild too.
        let command = format!("python3 -m http.server {port} --bind 127.0.0.1 & wait");
        let mut server = start(&spec(|s| {
            (s.command, s.url, s.cwd) = (Some(command), Some(url.clone()), tmp.path().into());
        }))
        .await
        .unwrap();
        assert_eq!(server.base_url(), url);
        let (status, _, body) = request(&format!("http://127.0.0.1:{port}"), "GET", "/").await;
        assert_eq!((status, body.as_slice()), (200, b"python".as_slice()));
        let Owned::Command(spawned) = &server.owned else {
            panic!("nothing spawned")
        };
        let pgid = spawned.pgid;
        server.stop().await;
        // SAFETY: signal 0 only checks for existence.
        assert_eq!(unsafe { libc::kill(pgid, 0) }, -1, "the shell is gone");
        assert!(group_gone(pgid).await, "the server it started is gone");
    }

    #[tokio::test]
    async fn early_exit_fails_fast_with_status_and_output() {
        let begun = std::time::Instant::now();
        let spec =
            spec(|s| (s.command, s.port) = (Some("echo boom; exit 3".into()), Some(free_port())));
        let err = start(&spec).await.err().unwrap().to_string();
        assert!(begun.elapsed() < Duration::from_secs(3));
        assert!(
            err.contains("exit status: 3") && err.contains("\n  boom"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn readiness_timeout_kills_the_command() {
        let spec = spec(|s| {
            s.command = Some("echo pgid=$$; exec sleep 30".into());
            (s.port, s.timeout) = (Some(free_port()), Duration::from_millis(500));
        });
        let err = start(&spec).await.err().unwrap().to_string();
        assert!(err.contains("timed out after 500ms"), "{err}");
        let pgid = err
            .rsplit("pgid=")
            .next()
            .and_then(|s| s.lines().next())
            .unwrap();
        assert!(group_gone(pgid.parse().unwrap()).await);
    }

    #[tokio::test]
    async fn existing_server_is_reused_or_reported() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("index.html"), "hi").unwrap();
        let mut existing = start(&spec(|s| s.static_dir = Some(tmp.path().into())))
            .await
            .unwrap();
        let url = format!("{}/", existing.base_url());
        let reuse = |reuse| {
            spec(|s| {
                (s.command, s.url) = (Some("exit 7".into()), Some(url.clone()));
                s.reuse_existing_server = reuse;
            })
        };
        let mut reused = start(&reuse(true)).await.unwrap();
        assert!(reused.base_url() == url && matches!(reused.owned, Owned::Nothing));
        reused.stop().await;
        let err = start(&reuse(false)).await.err().unwrap().to_string();
        assert!(err.starts_with(&format!("{url} is already used")), "{err}");
        existing.stop().await;
    }

    #[tokio::test]
    async fn invalid_specs_name_the_config_key() {
        let cmd = |s: &mut WebServerSpec| s.command = Some("true".into());
        let cases = [
            (spec(|_| {}), "set webServer.command or webServer.static"),
            (
                spec(|s| (cmd(s), s.static_dir = Some("/".into())).1),
                "both set",
            ),
            (spec(cmd), "set webServer.url or webServer.port"),
            (
                spec(|s| s.static_dir = Some("/nonexistent".into())),
                "fix webServer.static",
            ),
            (
                spec(|s| (cmd(s), s.url = Some("https://a/".into())).1),
                "https is not supported",
            ),
            (
                spec(|s| (cmd(s), s.url = Some("ftp://a/".into())).1),
                "only http:// urls",
            ),
        ];
        for (spec, needle) in cases {
            let err = start(&spec).await.err().unwrap().to_string();
            assert!(err.contains(needle), "{err}");
        }
        let Ok(Probe::Url(target)) = Probe::parse_url("HTTP://u@[::1]:8080?q#f") else {
            panic!()
        };
        let HttpTarget {
            host,
            port,
            authority,
            path,
            ..
        } = target;
        assert_eq!(
            (host, port, authority, path),
            ("::1".into(), 8080, "[::1]:8080".into(), "/?q".into())
        );
    }
}

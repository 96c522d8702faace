//! App servers: `serve({ fetch })` / `export default { fetch }` in the sandbox, driven through
//! `AppServer::handle` and through `isolate-browser serve` on a real port.

use std::io::Read as _;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use isolate_browser::sandbox::RuntimeOptions;
use isolate_browser::serve::AppServer;
use isolate_browser::serve::AppServerOptions;
use isolate_browser::serve::ServeError;
use tokio_util::sync::CancellationToken;

use crate::support::Captured;

const APP: &str = r#"
let hits = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export default {
  async fetch(request, server) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/text": return new Response(await request.text(), { status: 201, headers: { "x-method": request.method } });
      case "/json": return Response.json({ got: await request.json(), hits: ++hits });
      case "/bytes": {
        const b = new Uint8Array(await request.arrayBuffer());
        return new Response(b.map((x) => 255 - x), { headers: { "content-type": "application/octet-stream" } });
      }
      case "/form": {
        const f = await request.formData();
        return Response.json(Object.fromEntries([...f.entries()].map(([k, v]) => [k, typeof v === "string" ? v : `file:${v.name}:${v.size}`])));
      }
      case "/stream-in": {
        const reader = request.body.getReader();
        let total = 0;
        for (;;) { const { done, value } = await reader.read(); if (done) break; total += value.byteLength; }
        return new Response(String(total));
      }
      case "/first-chunk": {
        const { value } = await request.body.getReader().read();
        return new Response(`first:${new TextDecoder().decode(value)}`);
      }
      case "/blob": return new Response(new Blob(["blob ", "body"], { type: "text/x-blob" }));
      case "/empty": return new Response(null, { status: 204 });
      case "/teapot": return new Response("short and stout", { status: 418, statusText: "Short And Stout" });
      case "/redirect": return Response.redirect("http://example.test/next?a=1", 307);
      case "/cookies": {
        const h = new Headers({ "content-type": "text/plain" });
        h.append("set-cookie", "a=1; Path=/; HttpOnly");
        h.append("set-cookie", "b=2; Max-Age=60");
        return new Response("ok", { headers: h });
      }
      case "/headers": return Response.json({ method: request.method, host: url.host, agent: request.headers.get("user-agent"), query: url.searchParams.get("q") });
      case "/throw": throw new Error("database password is hunter2");
      case "/not-a-response": return "oops";
      case "/sse": return new Response(new ReadableStream({
        async start(c) { for (let i = 0; i < 3; i++) { if (i) await sleep(150); c.enqueue(`data: ${i}\n\n`); } c.close(); },
      }), { headers: { "content-type": "text/event-stream" } });
      case "/slow": await sleep(Number(url.searchParams.get("ms") ?? 400)); return new Response("slow");
      case "/wait-abort": {
        await new Promise((resolve) => request.signal.addEventListener("abort", resolve));
        console.log(`aborted ${request.signal.aborted} ${request.signal.reason?.name}`);
        return new Response("never sent");
      }
      case "/spin": for (;;) {}
      case "/hits": return new Response(String(hits));
      default: return new Response("no route", { status: 404 });
    }
  },
};
"#;

struct App {
    server: AppServer,
    console: Captured,
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

async fn app(source: &str, tweak: impl FnOnce(&mut AppServerOptions)) -> Result<App, ServeError> {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("server.js"), source).expect("write");
    let console = Captured::default();
    let log = Arc::new(Mutex::new(Vec::new()));
    let lines = log.clone();
    let mut options = AppServerOptions::new(
        "server.js",
        RuntimeOptions {
            cwd: dir.path().to_path_buf(),
            console: console.binding(),
            execution_timeout: Some(Duration::from_millis(1500)),
            ..RuntimeOptions::default()
        },
    );
    options.log = Arc::new(move |line| lines.lock().expect("log").push(line.to_string()));
    tweak(&mut options);
    let server = AppServer::start(options).await?;
    Ok(App {
        server,
        console,
        log,
        _dir: dir,
    })
}

fn request(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> http::Request<Bytes> {
    let mut b = http::Request::builder()
        .method(method)
        .uri(format!("http://app.test{path}"));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Bytes::copy_from_slice(body)).expect("request")
}

struct Got {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

async fn send(server: &AppServer, req: http::Request<Bytes>) -> Got {
    let response = server
        .handle(req, CancellationToken::new())
        .await
        .expect("handled")
        .into_response();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.expect("body").to_vec();
    Got {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn every_body_form_and_response_kind_round_trips() {
    let app = app(APP, |_| {}).await.expect("starts");
    let s = &app.server;

    let got = send(s, request("PUT", "/text", &[], "héllo".as_bytes())).await;
    assert_eq!((got.status, got.text().as_str()), (201, "héllo"));
    assert_eq!(got.headers["x-method"], "PUT");
    assert_eq!(got.headers["content-type"], "text/plain;charset=UTF-8");

    let got = send(
        s,
        request(
            "POST",
            "/json",
            &[("content-type", "application/json")],
            br#"{"a":[1,2]}"#,
        ),
    )
    .await;
    assert_eq!(
        got.json(),
        serde_json::json!({ "got": { "a": [1, 2] }, "hits": 1 })
    );
    assert_eq!(got.headers["content-type"], "application/json");

    let bytes: Vec<u8> = (0..=255).collect();
    let got = send(s, request("POST", "/bytes", &[], &bytes)).await;
    assert_eq!(got.body, bytes.iter().map(|b| 255 - b).collect::<Vec<_>>());

    let got = send(
        s,
        request(
            "POST",
            "/form",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"a=1&b=two+words",
        ),
    )
    .await;
    assert_eq!(
        got.json(),
        serde_json::json!({ "a": "1", "b": "two words" })
    );
    let multipart = "--XX\r\ncontent-disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n--XX\r\ncontent-disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\ncontent-type: text/plain\r\n\r\nfile body\r\n--XX--\r\n";
    let got = send(
        s,
        request(
            "POST",
            "/form",
            &[("content-type", "multipart/form-data; boundary=XX")],
            multipart.as_bytes(),
        ),
    )
    .await;
    assert_eq!(
        got.json(),
        serde_json::json!({ "field": "value", "upload": "file:a.txt:9" })
    );

    let big = vec![7u8; 300_000];
    let got = send(s, request("POST", "/stream-in", &[], &big)).await;
    assert_eq!(got.text(), "300000");

    let got = send(s, request("GET", "/blob", &[], b"")).await;
    assert_eq!(got.text(), "blob body");
    assert_eq!(got.headers["content-type"], "text/x-blob");

    let got = send(s, request("GET", "/empty", &[], b"")).await;
    assert_eq!((got.status, got.body.len()), (204, 0));

    let got = send(s, request("GET", "/redirect", &[], b"")).await;
    assert_eq!(got.status, 307);
    assert_eq!(got.headers["location"], "http://example.test/next?a=1");

    let got = send(s, request("GET", "/cookies", &[], b"")).await;
    let cookies: Vec<_> = got
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or(""))
        .collect();
    assert_eq!(cookies, ["a=1; Path=/; HttpOnly", "b=2; Max-Age=60"]);

    let got = send(
        s,
        request(
            "HEAD",
            "/headers?q=x%20y",
            &[("user-agent", "tester/1")],
            b"",
        ),
    )
    .await;
    assert_eq!(
        got.json(),
        serde_json::json!({ "method": "HEAD", "host": "app.test", "agent": "tester/1", "query": "x y" })
    );

    // A path-only URI takes its host from the Host header, as hyper hands requests over.
    let req = http::Request::builder()
        .uri("/headers")
        .header("host", "127.0.0.1:9")
        .body(Bytes::new())
        .expect("req");
    assert_eq!(send(s, req).await.json()["host"], "127.0.0.1:9");

    assert_eq!(
        send(s, request("GET", "/nowhere", &[], b"")).await.status,
        404
    );
}

#[tokio::test]
async fn handler_errors_are_500s_without_the_stack_which_goes_to_the_console() {
    let app = app(APP, |_| {}).await.expect("starts");
    let got = send(&app.server, request("GET", "/throw", &[], b"")).await;
    assert_eq!(
        (got.status, got.text().as_str()),
        (500, "Internal Server Error")
    );
    let got = send(&app.server, request("GET", "/not-a-response", &[], b"")).await;
    assert_eq!(got.status, 500);
    let console = app.console.texts().join("\n");
    assert!(
        console.contains("hunter2") && console.contains("server.js:"),
        "{console}"
    );
    assert!(
        console.contains("returned string, not a Response"),
        "{console}"
    );
    // The server goes on.
    assert_eq!(
        send(&app.server, request("GET", "/hits", &[], b""))
            .await
            .text(),
        "0"
    );
}

#[tokio::test]
async fn a_streamed_body_arrives_chunk_by_chunk() {
    let app = app(APP, |_| {}).await.expect("starts");
    let response = app
        .server
        .handle(request("GET", "/sse", &[], b""), CancellationToken::new())
        .await
        .expect("handled")
        .into_response();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    assert!(body.is_stream());
    let mut arrivals = Vec::new();
    let start = Instant::now();
    while let Some(frame) = body.frame().await {
        let data = frame.expect("frame").into_data().expect("data");
        arrivals.push((start.elapsed(), String::from_utf8_lossy(&data).into_owned()));
    }
    let texts: Vec<_> = arrivals.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(texts, ["data: 0\n\n", "data: 1\n\n", "data: 2\n\n"]);
    for pair in arrivals.windows(2) {
        let gap = pair[1].0 - pair[0].0;
        assert!(
            gap >= Duration::from_millis(100),
            "chunks come as produced: {arrivals:?}"
        );
    }
}

#[tokio::test]
async fn a_client_that_goes_away_aborts_the_request_signal_and_the_server_goes_on() {
    let app = app(APP, |_| {}).await.expect("starts");
    let cancel = CancellationToken::new();
    let pending = {
        let server = app.server.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            server
                .handle(request("GET", "/wait-abort", &[], b""), cancel)
                .await
                .map(|_| ())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    cancel.cancel();
    pending.await.expect("joins").expect("handled");
    // Dropping the future (what hyper does) aborts just the same.
    let dropped = {
        let server = app.server.clone();
        tokio::spawn(async move {
            server
                .handle(
                    request("GET", "/wait-abort", &[], b""),
                    CancellationToken::new(),
                )
                .await
                .map(|_| ())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    dropped.abort();
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.console.texts().len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        app.console.texts(),
        ["aborted true AbortError", "aborted true AbortError"]
    );
    assert_eq!(
        send(&app.server, request("GET", "/hits", &[], b""))
            .await
            .status,
        200
    );
    assert_eq!(app.server.generations(), 1);
}

#[tokio::test]
async fn a_slow_request_does_not_hold_up_a_fast_one_and_the_in_flight_limit_answers_503() {
    let app = app(APP, |o| o.max_in_flight = 3).await.expect("starts");
    let slow = {
        let server = app.server.clone();
        tokio::spawn(async move {
            let t = Instant::now();
            let got = send(&server, request("GET", "/slow?ms=800", &[], b"")).await;
            (got.text(), t.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let t = Instant::now();
    let fast = send(&app.server, request("GET", "/hits", &[], b"")).await;
    assert_eq!(fast.status, 200);
    assert!(
        t.elapsed() < Duration::from_millis(400),
        "the fast request waited {:?}",
        t.elapsed()
    );
    // Three in flight fill the server; the fourth is turned away.
    let more: Vec<_> = (0..2)
        .map(|_| {
            let server = app.server.clone();
            tokio::spawn(async move {
                send(&server, request("GET", "/slow?ms=600", &[], b""))
                    .await
                    .status
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = send(&app.server, request("GET", "/hits", &[], b"")).await;
    assert_eq!(refused.status, 503, "{}", refused.text());
    let (text, took) = slow.await.expect("joins");
    assert_eq!(text, "slow");
    assert!(took >= Duration::from_millis(800));
    for m in more {
        assert_eq!(m.await.expect("joins"), 200);
    }
    assert_eq!(
        send(&app.server, request("GET", "/hits", &[], b""))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_late_request_gets_504_and_a_stuck_isolate_is_restarted_from_the_entry() {
    let app = app(APP, |_| {}).await.expect("starts");
    send(&app.server, request("POST", "/json", &[], b"1")).await;
    assert_eq!(
        send(&app.server, request("GET", "/hits", &[], b""))
            .await
            .text(),
        "1"
    );
    // Late but not stuck: 504, same isolate.
    let got = send(&app.server, request("GET", "/slow?ms=2500", &[], b"")).await;
    assert_eq!(got.status, 504);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(app.server.generations(), 1);
    assert_eq!(
        send(&app.server, request("GET", "/hits", &[], b""))
            .await
            .text(),
        "1"
    );
    // Stuck in synchronous code: 504, then a fresh isolate (module state starts over).
    let got = send(&app.server, request("GET", "/spin", &[], b"")).await;
    assert_eq!(got.status, 504);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        send(&app.server, request("GET", "/hits", &[], b""))
            .await
            .text(),
        "0"
    );
    assert_eq!(app.server.generations(), 2);
    let log = app.log.lock().expect("log").join("\n");
    assert!(
        log.contains("stuck in synchronous code; restarting it from server.js"),
        "{log}"
    );
    assert!(
        log.contains("restarted the app server's isolate from server.js"),
        "{log}"
    );
}

#[tokio::test]
async fn an_isolate_that_runs_out_of_memory_is_replaced() {
    let source = r#"serve({ async fetch(request) {
  if (new URL(request.url).pathname === "/hog") { const keep = []; for (;;) keep.push(new Array(100000).fill(1)); }
  if (new URL(request.url).pathname === "/buffers") { const keep = []; for (let i = 0; i < 1024; i++) keep.push(new Uint8Array(1 << 20)); return new Response(`kept ${keep.length}`); }
  return new Response("fine");
} });"#;
    let app = app(source, |o| o.runtime.memory_limit_mb = 32)
        .await
        .expect("starts");
    let got = send(&app.server, request("GET", "/hog", &[], b"")).await;
    assert!(
        matches!(got.status, 503 | 504),
        "{} {}",
        got.status,
        got.text()
    );
    let got = send(&app.server, request("GET", "/", &[], b"")).await;
    assert_eq!((got.status, got.text().as_str()), (200, "fine"));
    assert_eq!(app.server.generations(), 2);
    // 1 GiB of buffers under the 32 MB limit: the isolate is replaced the same way.
    let got = send(&app.server, request("GET", "/buffers", &[], b"")).await;
    assert!(
        matches!(got.status, 500 | 503 | 504),
        "{} {}",
        got.status,
        got.text()
    );
    assert!(!got.text().contains("kept"));
    let got = send(&app.server, request("GET", "/", &[], b"")).await;
    assert_eq!((got.status, got.text().as_str()), (200, "fine"));
    assert_eq!(app.server.generations(), 3);
}

#[tokio::test]
async fn entries_that_cannot_serve_say_why() {
    let err = app("export const x = ;", |_| {})
        .await
        .err()
        .expect("fails");
    assert!(matches!(err, ServeError::Entry { .. }), "{err}");
    assert!(err.to_string().contains("server.js:1"), "{err}");
    let err = app("console.log('no server here');", |_| {})
        .await
        .err()
        .expect("fails");
    assert!(err.to_string().contains("did not start a server"), "{err}");
    let err = app("serve({ fetch() {} }); serve({ fetch() {} });", |_| {})
        .await
        .err()
        .expect("fails");
    assert!(
        err.to_string().contains("serve() was already called"),
        "{err}"
    );
    // serve() outside an app server says where it works.
    let (rt, _console, _dir) = crate::support::runtime(|_| {});
    let e = rt
        .eval("try { serve({ fetch() {} }) } catch (e) { e.message }")
        .await
        .expect("evals");
    assert!(
        e.as_str()
            .is_some_and(|m| m.contains("only available in an app server")),
        "{e}"
    );
}

/// `isolate-browser serve` on a real port: a request line per request, streaming over the
/// wire, and SIGTERM lets the request in flight finish before the process exits 0.
#[test]
fn the_cli_serves_streams_and_shuts_down_gracefully() {
    let dir = tempfile::tempdir().expect("tmp");
    let (addr, mut child) = serve_cli(dir.path(), APP, &[]);

    let raw = |path: &str| -> (Vec<(Duration, Vec<u8>)>, String) {
        let mut s = std::net::TcpStream::connect(&addr).expect("connects");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
        )
        .expect("writes");
        let start = Instant::now();
        let mut reads = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => reads.push((start.elapsed(), buf[..n].to_vec())),
            }
        }
        let all: Vec<u8> = reads.iter().flat_map(|(_, b)| b.clone()).collect();
        (reads, String::from_utf8_lossy(&all).into_owned())
    };
    let (_, text) = raw("/cookies");
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(
        text.contains("set-cookie: a=1; Path=/; HttpOnly\r\nset-cookie: b=2; Max-Age=60"),
        "{text}"
    );
    // A status text of the handler's own goes on the status line.
    let (_, text) = raw("/teapot");
    assert!(
        text.starts_with("HTTP/1.1 418 Short And Stout\r\n") && text.ends_with("short and stout"),
        "{text}"
    );
    let (reads, text) = raw("/sse");
    assert!(
        text.contains("transfer-encoding: chunked") && text.contains("data: 2"),
        "{text}"
    );
    let data_reads: Vec<_> = reads
        .iter()
        .filter(|(_, b)| String::from_utf8_lossy(b).contains("data: "))
        .collect();
    assert!(
        data_reads.len() >= 3,
        "each event arrives on its own: {reads:?}"
    );
    assert!(data_reads[2].0 - data_reads[0].0 >= Duration::from_millis(250));

    // A slow request is in flight when SIGTERM comes: it still gets its answer.
    let slow = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(&addr).expect("connects");
            write!(
                s,
                "GET /slow?ms=700 HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
            )
            .expect("writes");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            out
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: plain syscall on our own child.
    unsafe { libc_kill(child.id() as i32, 15) };
    let answer = slow.join().expect("joins");
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("slow"),
        "{answer}"
    );
    let status = child.wait().expect("exits");
    assert!(status.success(), "{status:?}");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("reads");
    assert!(err.contains("GET /cookies 200"), "{err}");
    assert!(err.contains("GET /slow?ms=700 200"), "{err}");
    assert!(err.contains("shutting down"), "{err}");
}

/// A request body of unknown or large size streams to the handler as the client sends it,
/// and one over `--max-body-bytes` is answered 413, whether its length is declared or not.
#[test]
fn request_bodies_stream_to_the_handler_within_the_limit() {
    let dir = tempfile::tempdir().expect("tmp");
    let (addr, mut child) = serve_cli(dir.path(), APP, &["--max-body-bytes", "100000", "--quiet"]);
    let connect = || {
        let s = std::net::TcpStream::connect(&addr).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s
    };
    let read_answer = |s: &mut std::net::TcpStream| {
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };

    // The handler answers from the first chunk while the rest has not been sent.
    let mut s = connect();
    write!(
        s,
        "POST /first-chunk HTTP/1.1\r\nhost: {addr}\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n"
    )
    .expect("writes");
    let answer = read_answer(&mut s);
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("first:hello"),
        "{answer}"
    );
    drop(s);

    // Chunks sent apart arrive whole at the end.
    let mut s = connect();
    write!(
        s,
        "POST /stream-in HTTP/1.1\r\nhost: {addr}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    )
    .expect("writes");
    for _ in 0..3 {
        write!(s, "1000\r\n{}\r\n", "x".repeat(0x1000)).expect("writes");
        std::thread::sleep(Duration::from_millis(50));
    }
    write!(s, "0\r\n\r\n").expect("writes");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.ends_with(&(3 * 0x1000).to_string()), "{answer}");

    // Over the limit: declared, and found out while streaming.
    let mut s = connect();
    write!(
        s,
        "POST /stream-in HTTP/1.1\r\nhost: {addr}\r\ncontent-length: 200000\r\n\r\n"
    )
    .expect("writes");
    let answer = read_answer(&mut s);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let mut s = connect();
    write!(
        s,
        "POST /stream-in HTTP/1.1\r\nhost: {addr}\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    .expect("writes");
    for _ in 0..40 {
        if write!(s, "1000\r\n{}\r\n", "x".repeat(0x1000)).is_err() {
            break;
        }
    }
    let answer = read_answer(&mut s);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // Broken chunked framing is the client's fault: 400, no stack, for `text()` and a reader.
    for path in ["/text", "/stream-in"] {
        let mut s = connect();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\nzz-not-hex\r\n\r\n"
        )
        .expect("writes");
        let answer = read_answer(&mut s);
        assert!(answer.starts_with("HTTP/1.1 400"), "{path}: {answer}");
        assert!(
            !answer.contains(" at ") && !answer.contains("Error"),
            "{path}: no stack in the answer: {answer}"
        );
    }
    // The server is fine after it.
    let mut s = connect();
    write!(
        s,
        "GET /text HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let _ = child.kill();
    let _ = child.wait();
}

const STUCK_APP: &str = r#"
let hits = 0;
serve({
  fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/spin") for (;;) {}
    if (path === "/hang") return new Promise(() => {});
    hits += 1;
    return new Response(`hits ${hits}`);
  },
});
"#;

/// Starts `isolate-browser serve` on `source` with `args`; its address and the child.
fn serve_cli(dir: &std::path::Path, source: &str, args: &[&str]) -> (String, std::process::Child) {
    std::fs::write(dir.join("server.js"), source).expect("write");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args(["serve", "server.js", "--port", "0"])
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).expect("reads");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    (addr, child)
}

/// One request on its own connection: the whole answer as text.
fn get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// Connections are served on the isolate's own thread, so an isolate stuck in synchronous
/// code holds them too: the watchdog on another thread must still answer 504, terminate it,
/// and have a fresh isolate from the entry take the port over. A handler that merely never
/// answers gets 504 with no restart.
#[test]
fn a_stuck_isolate_behind_a_port_is_answered_504_and_replaced() {
    let dir = tempfile::tempdir().expect("tmp");
    let (addr, mut child) = serve_cli(dir.path(), STUCK_APP, &["--timeout", "400"]);
    assert!(get(&addr, "/").ends_with("hits 1"));
    let hang = get(&addr, "/hang");
    assert!(hang.starts_with("HTTP/1.1 504"), "{hang}");
    assert!(
        get(&addr, "/").ends_with("hits 2"),
        "no restart after a request that only hangs"
    );

    let started = Instant::now();
    let spin = get(&addr, "/spin");
    assert!(spin.starts_with("HTTP/1.1 504"), "{spin}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered after {:?}",
        started.elapsed()
    );
    // The next request reaches a fresh isolate (module state starts over).
    let mut after = String::new();
    for _ in 0..50 {
        after = get(&addr, "/");
        if after.starts_with("HTTP/1.1 200") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(after.ends_with("hits 1"), "{after}");

    // SAFETY: plain syscall on our own child.
    unsafe { libc_kill(child.id() as i32, 15) };
    assert!(child.wait().expect("exits").success());
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("reads");
    assert!(err.contains("stuck in synchronous code"), "{err}");
    assert!(err.contains("restarted the app server's isolate"), "{err}");
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

const WS_APP: &str = r#"
serve({
  fetch(request, server) {
    const who = new URL(request.url).searchParams.get("who");
    if (server.upgrade(request, { data: { who } })) return;
    return new Response("plain");
  },
  websocket: {
    open(ws) { ws.send(`hello ${ws.data.who}`); },
    message(ws, message) {
      if (message === "bye") return ws.close(4000, "asked to");
      if (typeof message === "string") ws.send(`echo:${message}`);
      else ws.send(new Uint8Array(message).reverse());
    },
    close(ws, code, reason) { console.log(`closed ${ws.data.who} ${code} ${reason}`); },
  },
});
"#;

/// WebSocket echo through `isolate-browser serve`: text and binary frames both ways, a close
/// the handler starts (code and reason reach the client) and one the client starts (they
/// reach the handler).
#[tokio::test]
async fn websockets_echo_text_and_binary_and_close_both_ways() {
    use async_tungstenite::tungstenite::Message;
    use futures::StreamExt as _;

    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("server.js"), WS_APP).expect("write");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args(["serve", "server.js", "--port", "0"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    tokio::io::AsyncBufReadExt::read_line(&mut stdout, &mut line)
        .await
        .expect("reads");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();

    let (mut ws, _) = async_tungstenite::tokio::connect_async(format!("ws://{addr}/?who=ada"))
        .await
        .expect("upgrades");
    let next = |m: Option<Result<Message, _>>| m.expect("a frame").expect("no error");
    assert_eq!(next(ws.next().await), Message::text("hello ada"));
    ws.send(Message::text("hi")).await.expect("sends");
    assert_eq!(next(ws.next().await), Message::text("echo:hi"));
    ws.send(Message::binary(vec![1u8, 2, 3]))
        .await
        .expect("sends");
    assert_eq!(next(ws.next().await), Message::binary(vec![3u8, 2, 1]));
    ws.send(Message::text("bye")).await.expect("sends");
    match next(ws.next().await) {
        Message::Close(Some(frame)) => {
            assert_eq!(
                (u16::from(frame.code), frame.reason.as_str()),
                (4000, "asked to")
            );
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    // Reading on answers the close handshake.
    assert!(ws.next().await.is_none_or(|m| m.is_err()));

    let (mut ws, _) = async_tungstenite::tokio::connect_async(format!("ws://{addr}/?who=bob"))
        .await
        .expect("upgrades");
    assert_eq!(next(ws.next().await), Message::text("hello bob"));
    ws.close(Some(async_tungstenite::tungstenite::protocol::CloseFrame {
        code: 1001u16.into(),
        reason: "going".into(),
    }))
    .await
    .expect("closes");
    // A plain request on the same server still works.
    let mut s = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connects");
    tokio::io::AsyncWriteExt::write_all(
        &mut s,
        format!("GET / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .expect("writes");
    let mut plain = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut s, &mut plain)
        .await
        .expect("reads");
    assert!(plain.ends_with("plain"), "{plain}");

    let mut lines = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while lines.len() < 2 && tokio::time::Instant::now() < deadline {
        let mut l = String::new();
        match tokio::time::timeout(
            Duration::from_millis(500),
            tokio::io::AsyncBufReadExt::read_line(&mut stdout, &mut l),
        )
        .await
        {
            Ok(Ok(n)) if n > 0 => lines.push(l.trim().to_string()),
            _ => {}
        }
    }
    lines.sort();
    assert_eq!(lines, ["closed ada 4000 asked to", "closed bob 1001 going"]);
    let _ = child.kill().await;
}

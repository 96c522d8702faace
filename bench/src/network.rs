//! The cost of the browser's network policy per request: the same page makes the same
//! requests in a browser without a policy (Chromium connects directly; the baseline) and in
//! one whose connections all go through the policy proxy, in the same run:
//! 1. fetches over a kept-alive connection (what most requests of a page are);
//! 2. fetches that each need a new connection (`Connection: close`), by address;
//! 3. the same by name (`localhost`), so the proxy resolves the name for every connection.
//!
//! Each is the median over rounds of N sequential `fetch`es, given per request.
//! Run with `scripts/bench` (release build).

use std::convert::Infallible;
use std::time::Duration;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use isolate_browser_browser::Browser;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::LaunchOptions;
use isolate_browser_browser::NetworkPolicy;

const REQUESTS: usize = 200;
const ROUNDS: usize = 7;

/// Answers `/close` with `Connection: close`, everything else kept alive.
async fn serve() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let svc = service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                    let mut r = Response::builder()
                        .header("content-type", "text/html")
                        .header("cache-control", "no-store");
                    if req.uri().path() == "/close" {
                        r = r.header("connection", "close");
                    }
                    Ok::<_, Infallible>(
                        r.body(Full::new(Bytes::from_static(b"ok")))
                            .expect("response"),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

/// Per-request time of `REQUESTS` sequential fetches of `url` from a page on `origin`.
async fn per_request(browser: &Browser, origin: &str, url: &str) -> Duration {
    let context = browser
        .new_context(ContextOptions::default())
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    let script = format!(
        "async () => {{ const t = performance.now(); for (let i = 0; i < {REQUESTS}; i++) await (await fetch('{url}?' + i)).text(); return performance.now() - t; }}"
    );
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let ms = page
            .evaluate(&script, None)
            .await
            .expect("fetches")
            .as_f64()
            .expect("a number");
        rounds.push(Duration::from_secs_f64(ms / 1000.0 / REQUESTS as f64));
    }
    context.close().await.expect("close");
    rounds.sort();
    rounds[rounds.len() / 2]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main]
async fn main() {
    let addr = serve().await;
    let by_ip = format!("http://{addr}");
    let by_name = format!("http://localhost:{}", addr.port());
    let direct = Browser::launch(LaunchOptions::default())
        .await
        .expect("Chromium launches");
    let policed = Browser::launch(LaunchOptions {
        network: NetworkPolicy::open(vec![by_ip.clone()]),
        ..LaunchOptions::default()
    })
    .await
    .expect("Chromium launches");
    let started = Instant::now();
    println!(
        "bench-network: {REQUESTS} sequential fetches, median of {ROUNDS} rounds, per request"
    );
    for (what, origin, path) in [
        ("kept-alive connection", &by_ip, "/keep"),
        ("new connection each (by address)", &by_ip, "/close"),
        (
            "new connection each (by name, resolved)",
            &by_name,
            "/close",
        ),
    ] {
        let url = format!("{origin}{path}");
        let base = per_request(&direct, origin, &url).await;
        let with = per_request(&policed, origin, &url).await;
        println!(
            "  {what:<42} no policy {:>7.1} µs   policy {:>7.1} µs   cost {:>+7.1} µs",
            us(base),
            us(with),
            us(with) - us(base)
        );
    }
    println!("  ({:.1} s)", started.elapsed().as_secs_f64());
    let _ = direct.close().await;
    let _ = policed.close().await;
}

//! The browser's network and navigation policy against real Chromium: what pages may load,
//! and that the host's own services stay untouched.

use std::sync::Arc;
use std::sync::Mutex;

use isolate_browser_browser::Browser;
use isolate_browser_browser::BrowserError;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::LaunchOptions;
use isolate_browser_browser::NetworkPolicy;
use isolate_browser_browser::RefusalReason;
use serde_json::json;

use crate::support::response;
use crate::support::serve;

/// A loopback service that must never be reached; returns its address and what it saw.
async fn secret_service() -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let addr = serve(move |s| {
        log.lock().expect("lock").push(s.path.clone());
        response(200, "text/plain", "the host's secret")
    })
    .await;
    (addr, seen)
}

fn refusal(err: BrowserError) -> isolate_browser_browser::Refusal {
    match err {
        BrowserError::Refused { refusal, .. } => refusal,
        other => panic!("expected a refusal, got {other}"),
    }
}

#[tokio::test]
async fn an_open_policy_keeps_pages_off_loopback_and_local_schemes() {
    let (secret, secret_seen) = secret_service().await;
    let app_seen = Arc::new(Mutex::new(Vec::new()));
    let log = app_seen.clone();
    let app = serve(move |s| {
        log.lock().expect("lock").push(s.path.clone());
        match s.path.as_str() {
            "/redirect" => hyper::Response::builder()
                .status(302)
                .header(
                    "location",
                    format!("http://localhost:{}/via-redirect", secret.port()),
                )
                .body(http_body_util::Full::new(bytes::Bytes::new()))
                .expect("response"),
            _ => response(200, "text/html", "<title>app</title>granted"),
        }
    })
    .await;
    let app_origin = format!("http://{app}");
    let browser = Browser::launch(LaunchOptions {
        network: NetworkPolicy::open(vec![app_origin.clone()]),
        ..LaunchOptions::default()
    })
    .await
    .expect("launch");
    let context = browser
        .new_context(ContextOptions::default())
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");

    // The granted origin loads.
    page.goto(&format!("{app_origin}/"), GotoOptions::default())
        .await
        .expect("granted origin");
    assert_eq!(page.title().await.expect("title"), "app");

    // Loopback by address and by name, directly and through a redirect.
    let direct = format!("http://{secret}/direct");
    let r = refusal(
        page.goto(&direct, GotoOptions::default())
            .await
            .expect_err("loopback"),
    );
    assert_eq!(r.target, direct);
    assert!(
        matches!(
            r.reason,
            RefusalReason::Internal {
                kind: "loopback",
                ..
            }
        ),
        "{r}"
    );
    assert!(r.to_string().contains("network policy"), "{r}");
    let by_name = format!("http://localhost:{}/by-name", secret.port());
    refusal(
        page.goto(&by_name, GotoOptions::default())
            .await
            .expect_err("localhost"),
    );
    let r = refusal(
        page.goto(&format!("{app_origin}/redirect"), GotoOptions::default())
            .await
            .expect_err("redirect"),
    );
    assert!(r.target.contains("reached from"), "{r}");
    // Cloud metadata.
    let r = refusal(
        page.goto(
            "http://169.254.169.254/latest/meta-data/",
            GotoOptions::default(),
        )
        .await
        .expect_err("metadata"),
    );
    assert!(
        matches!(
            r.reason,
            RefusalReason::Internal {
                kind: "link-local",
                ..
            }
        ),
        "{r}"
    );

    // Subresources, fetch, iframes, workers and popups of a granted page.
    page.goto(&format!("{app_origin}/"), GotoOptions::default())
        .await
        .expect("granted origin");
    let port = secret.port();
    let outcome = page
        .evaluate(
            &format!(
                r#"async () => {{
                    const out = [];
                    try {{ await fetch('http://127.0.0.1:{port}/fetch'); out.push('fetch read'); }} catch {{ out.push('fetch refused'); }}
                    const img = new Image(); img.src = 'http://127.0.0.1:{port}/img';
                    await new Promise(r => {{ img.onload = () => r(out.push('img read')); img.onerror = () => r(out.push('img refused')); }});
                    const f = document.createElement('iframe'); f.src = 'http://127.0.0.1:{port}/frame'; document.body.append(f);
                    await new Promise(r => {{ f.onload = r; setTimeout(r, 2000); }});
                    const w = new Worker(URL.createObjectURL(new Blob([
                      `fetch('http://127.0.0.1:{port}/worker').then(() => postMessage('worker read'), () => postMessage('worker refused'))`
                    ])));
                    out.push(await new Promise(r => w.onmessage = e => r(e.data)));
                    const ws = new WebSocket('ws://127.0.0.1:{port}/ws');
                    out.push(await new Promise(r => {{ ws.onopen = () => r('ws open'); ws.onerror = () => r('ws refused'); }}));
                    window.open('http://127.0.0.1:{port}/popup');
                    await new Promise(r => setTimeout(r, 500));
                    return out;
                }}"#
            ),
            None,
        )
        .await
        .expect("evaluate");
    assert_eq!(
        outcome,
        json!([
            "fetch refused",
            "img refused",
            "worker refused",
            "ws refused"
        ])
    );

    // Schemes that never touch the network.
    for url in [
        "file:///etc/passwd",
        "file:///etc/",
        "view-source:file:///etc/passwd",
        "view-source:http://127.0.0.1:1/",
        "chrome://version",
        "devtools://devtools/bundled/inspector.html",
    ] {
        let r = refusal(page.goto(url, GotoOptions::default()).await.expect_err(url));
        assert!(matches!(r.reason, RefusalReason::Scheme(_)), "{url}: {r}");
    }
    let content = page.content().await.expect("content");
    assert!(!content.contains("root:"), "{content}");

    // Data URLs and about:blank need no network.
    page.goto(
        "data:text/html,<title>inline</title>",
        GotoOptions::default(),
    )
    .await
    .expect("data URL");
    page.goto("about:blank", GotoOptions::default())
        .await
        .expect("about:blank");

    assert_eq!(*secret_seen.lock().expect("lock"), Vec::<String>::new());
    assert!(
        app_seen
            .lock()
            .expect("lock")
            .contains(&"/redirect".to_string())
    );
    browser.close().await.expect("close");
}

#[tokio::test]
async fn a_strict_context_reaches_only_granted_origins() {
    let (secret, secret_seen) = secret_service().await;
    let (granted, granted_seen) = secret_service().await;
    // The browser is open; the context asks for strict.
    let browser = Browser::launch(LaunchOptions {
        network: NetworkPolicy::open(Vec::new()),
        ..LaunchOptions::default()
    })
    .await
    .expect("launch");
    let context = browser
        .new_context(ContextOptions {
            network: Some(NetworkPolicy::strict(vec![format!("http://{granted}")])),
            ..ContextOptions::default()
        })
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");
    page.goto(&format!("http://{granted}/ok"), GotoOptions::default())
        .await
        .expect("granted");
    // A public name is refused without a lookup; so is loopback on another port.
    let r = refusal(
        page.goto("http://example.com/", GotoOptions::default())
            .await
            .expect_err("public"),
    );
    assert_eq!(r.reason, RefusalReason::NotGranted);
    refusal(
        page.goto(&format!("http://{secret}/"), GotoOptions::default())
            .await
            .expect_err("other port"),
    );
    page.goto("data:text/html,x", GotoOptions::default())
        .await
        .expect("data URL");
    assert_eq!(
        granted_seen
            .lock()
            .expect("lock")
            .first()
            .map(String::as_str),
        Some("/ok")
    );
    assert!(secret_seen.lock().expect("lock").is_empty());

    // A name that resolves nowhere keeps Chromium's own error under an open policy.
    let open = browser
        .new_context(ContextOptions::default())
        .await
        .expect("context");
    let page = open.new_page().await.expect("page");
    let err = page
        .goto("http://nothing.invalid/", GotoOptions::default())
        .await
        .expect_err("unresolvable");
    assert!(
        err.to_string().contains("net::ERR_NAME_NOT_RESOLVED"),
        "{err}"
    );
    browser.close().await.expect("close");
}

#[tokio::test]
async fn a_route_cannot_continue_a_request_to_another_protocol() {
    let (app, _) = secret_service().await;
    let browser = Browser::launch(LaunchOptions {
        network: NetworkPolicy::open(vec![format!("http://{app}")]),
        ..LaunchOptions::default()
    })
    .await
    .expect("launch");
    let context = browser
        .new_context(ContextOptions::default())
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");
    let refused = Arc::new(Mutex::new(String::new()));
    let seen = refused.clone();
    page.route(
        isolate_browser_browser::UrlMatch::Glob("**/leak".into()),
        Arc::new(move |route| {
            let seen = seen.clone();
            Box::pin(async move {
                let err = route
                    .continue_request(isolate_browser_browser::ContinueOverrides {
                        url: Some("file:///etc/passwd".into()),
                        ..Default::default()
                    })
                    .await
                    .expect_err("another protocol");
                *seen.lock().expect("lock") = err.to_string();
                route.abort("failed").await
            })
        }),
    )
    .await
    .expect("route");
    let _ = page
        .goto(&format!("http://{app}/leak"), GotoOptions::default())
        .await;
    assert!(
        refused
            .lock()
            .expect("lock")
            .contains("New URL must have same protocol"),
        "{}",
        refused.lock().expect("lock")
    );
    assert!(!page.content().await.expect("content").contains("root:"));
    browser.close().await.expect("close");
}

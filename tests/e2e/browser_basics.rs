//! The browser crate against real Chromium: launch, contexts, navigation, evaluation,
//! screenshots, cookies, emulation, crashes and process hygiene.

use std::time::Duration;
use std::time::Instant;

use isolate_browser_browser::Browser;
use isolate_browser_browser::BrowserError;
use isolate_browser_browser::ClickOptions;
use isolate_browser_browser::ColorScheme;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::LaunchOptions;
use isolate_browser_browser::NewCookie;
use isolate_browser_browser::ScreenshotOptions;
use isolate_browser_browser::Viewport;
use isolate_browser_browser::WaitUntil;
use serde_json::json;

use crate::support::browser_page;
use crate::support::chromium_processes;
use crate::support::response;
use crate::support::serve;
use crate::support::serve_pages;

fn profile_marker(pid: u32) -> String {
    let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).expect("browser process");
    let cmd = String::from_utf8_lossy(&cmd).into_owned();
    cmd.split('\0')
        .find_map(|a| a.strip_prefix("--user-data-dir="))
        .expect("a private profile directory")
        .to_string()
}

#[tokio::test]
async fn navigates_reads_and_evaluates() {
    let origin = serve_pages(&[
        ("/", "<!doctype html><html><head><title>Home</title></head><body><h1>Hello</h1><a href='#part'>jump</a></body></html>"),
    ])
    .await;
    let (browser, context, page) = browser_page().await;
    let res = page
        .goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto")
        .expect("a response");
    assert_eq!(res.status, 200);
    assert!(res.ok());
    assert_eq!(res.url, format!("{origin}/"));
    assert!(
        res.headers
            .iter()
            .any(|(k, v)| k == "content-type" && v.starts_with("text/html"))
    );
    assert_eq!(page.title().await.expect("title"), "Home");
    assert_eq!(page.url().await.expect("url"), format!("{origin}/"));
    let html = page.content().await.expect("content");
    assert!(
        html.starts_with("<!DOCTYPE html><html><head><title>Home</title>"),
        "{html}"
    );

    let missing = page
        .goto(&format!("{origin}/nope"), GotoOptions::default())
        .await
        .expect("goto")
        .expect("response");
    assert_eq!(missing.status, 404);
    assert!(!missing.ok());

    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("back home");
    let same_doc = page
        .goto(&format!("{origin}/#part"), GotoOptions::default())
        .await
        .expect("hash navigation");
    assert_eq!(same_doc, None);

    assert_eq!(page.evaluate("1 + 2", None).await.expect("expr"), json!(3));
    assert_eq!(
        page.evaluate(
            "(a) => ({ sum: a.x + a.y, title: document.title })",
            Some(json!({"x": 40, "y": 2}))
        )
        .await
        .expect("fn"),
        json!({"sum": 42, "title": "Home"})
    );
    assert_eq!(
        page.evaluate(
            "async () => { await new Promise(r => setTimeout(r, 10)); return 'later'; }",
            None
        )
        .await
        .expect("async"),
        json!("later")
    );
    let err = page
        .evaluate("() => { throw new TypeError('page says no'); }", None)
        .await
        .expect_err("throws");
    match err {
        BrowserError::Evaluation { message, stack } => {
            assert_eq!(message, "TypeError: page says no");
            assert!(stack.is_some());
        }
        other => panic!("expected an evaluation error, got {other:?}"),
    }

    page.set_content("<p id='x'>set by test</p>")
        .await
        .expect("set_content");
    assert_eq!(
        page.evaluate("document.getElementById('x').textContent", None)
            .await
            .expect("read"),
        json!("set by test")
    );
    context.close().await.expect("close context");
    browser.close().await.expect("close");
}

#[tokio::test]
async fn fragment_navigations_follow_one_another_and_a_full_one_still_works() {
    let origin = serve_pages(&[(
        "/",
        "<!doctype html><script>window.changes = 0; addEventListener('hashchange', () => window.changes++);</script>",
    )])
    .await;
    let (browser, _context, page) = browser_page().await;
    let options = || GotoOptions {
        timeout: Some(Duration::from_secs(5)),
        ..GotoOptions::default()
    };
    page.goto(&format!("{origin}/"), options())
        .await
        .expect("goto");
    for hash in ["#a", "#b", "#?q=s:failed%20p:beta"] {
        let res = page
            .goto(&format!("{origin}/{hash}"), options())
            .await
            .unwrap_or_else(|e| panic!("{hash}: {e}"));
        assert!(res.is_none(), "a same-document navigation has no response");
        assert_eq!(page.url().await.expect("url"), format!("{origin}/{hash}"));
    }
    assert_eq!(
        page.evaluate("() => window.changes", None)
            .await
            .expect("changes"),
        serde_json::json!(3)
    );
    let res = page
        .goto(&format!("{origin}/"), options())
        .await
        .expect("goto");
    assert_eq!(res.expect("a full navigation has a response").status, 200);
    browser.close().await.expect("close");
}

#[tokio::test]
async fn relative_urls_use_the_base_url_and_wait_until_states_work() {
    let origin = serve_pages(&[(
        "/slow",
        "<html><body><script>document.title = 'parsed'</script><img src='/missing.png'></body></html>",
    )])
    .await;
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("launch");
    let context = browser
        .new_context(ContextOptions {
            base_url: Some(origin.clone()),
            ..ContextOptions::default()
        })
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");
    for wait_until in [
        WaitUntil::Commit,
        WaitUntil::DomContentLoaded,
        WaitUntil::Load,
        WaitUntil::NetworkIdle,
    ] {
        let res = page
            .goto(
                "/slow",
                GotoOptions {
                    wait_until,
                    timeout: Some(Duration::from_secs(10)),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{wait_until:?}: {e}"))
            .unwrap_or_else(|| panic!("{wait_until:?}: no response"));
        assert_eq!(res.url, format!("{origin}/slow"), "{wait_until:?}");
    }
    assert_eq!(page.title().await.expect("title"), "parsed");
    let refused = page
        .goto("http://127.0.0.1:9/", GotoOptions::default())
        .await
        .expect_err("refused");
    assert!(
        refused
            .to_string()
            .starts_with("navigation to http://127.0.0.1:9/ failed: net::ERR_"),
        "{refused}"
    );
    browser.close().await.expect("close");
}

#[tokio::test]
async fn screenshots_are_pngs_of_the_viewport() {
    let (browser, _context, page) = browser_page().await;
    page.set_content(
        "<body style='margin:0;background:rgb(255,0,0)'><div style='height:3000px'></div></body>",
    )
    .await
    .expect("content");
    let png = page
        .screenshot(ScreenshotOptions::default())
        .await
        .expect("screenshot");
    let img =
        image::load_from_memory_with_format(&png, image::ImageFormat::Png).expect("decodes as PNG");
    assert_eq!((img.width(), img.height()), (1280, 720));
    let pixel = img.to_rgba8().get_pixel(10, 10).0;
    assert_eq!(pixel, [255, 0, 0, 255]);

    page.set_viewport_size(Viewport {
        width: 400,
        height: 300,
    })
    .await
    .expect("resize");
    let small = image::load_from_memory(
        &page
            .screenshot(ScreenshotOptions::default())
            .await
            .expect("shot"),
    )
    .expect("png");
    assert_eq!((small.width(), small.height()), (400, 300));
    let full = image::load_from_memory(
        &page
            .screenshot(ScreenshotOptions {
                full_page: true,
                ..Default::default()
            })
            .await
            .expect("full"),
    )
    .expect("png");
    assert_eq!(full.height(), 3000);
    let jpeg = page
        .screenshot(ScreenshotOptions {
            format: isolate_browser_browser::ImageFormat::Jpeg,
            quality: Some(50),
            ..Default::default()
        })
        .await
        .expect("jpeg");
    assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF]);
    browser.close().await.expect("close");
}

#[tokio::test]
async fn contexts_are_isolated_and_manage_cookies() {
    let origin = serve_pages(&[("/", "<title>c</title>")]).await;
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("launch");
    let a = browser
        .new_context(ContextOptions::default())
        .await
        .expect("a");
    let b = browser
        .new_context(ContextOptions::default())
        .await
        .expect("b");
    let pa = a.new_page().await.expect("page a");
    let pb = b.new_page().await.expect("page b");
    pa.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto a");
    pb.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto b");
    pa.evaluate(
        "localStorage.setItem('k', 'only-a'); document.cookie = 'from_js=1; path=/'",
        None,
    )
    .await
    .expect("store");
    assert_eq!(
        pb.evaluate("localStorage.getItem('k')", None)
            .await
            .expect("b storage"),
        json!(null)
    );
    a.add_cookies(&[NewCookie {
        name: "session".into(),
        value: "s3cret".into(),
        url: Some(origin.clone()),
        http_only: Some(true),
        same_site: Some("Lax".into()),
        ..Default::default()
    }])
    .await
    .expect("add cookie");
    let cookies = a.cookies(&[]).await.expect("cookies");
    let mut names: Vec<_> = cookies.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["from_js", "session"]);
    let session = cookies
        .iter()
        .find(|c| c.name == "session")
        .expect("session");
    assert!(session.http_only);
    assert_eq!(session.same_site, "Lax");
    assert_eq!(session.domain, "127.0.0.1");
    assert!(b.cookies(&[]).await.expect("b cookies").is_empty());
    assert_eq!(
        a.cookies(&["https://example.com/"])
            .await
            .expect("filtered")
            .len(),
        0
    );
    assert_eq!(
        pa.evaluate("document.cookie", None)
            .await
            .expect("js cookie"),
        json!("from_js=1")
    );
    a.clear_cookies().await.expect("clear");
    assert!(a.cookies(&[]).await.expect("after clear").is_empty());
    assert_eq!(a.pages().len(), 1);
    let bad = a
        .add_cookies(&[NewCookie {
            name: "x".into(),
            value: "y".into(),
            ..Default::default()
        }])
        .await
        .expect_err("needs url");
    assert!(bad.to_string().contains("needs either a url"));
    browser.close().await.expect("close");
}

/// A page a page opens (a `target=_blank` link, `window.open`) becomes a page of the same
/// context, reported to the opener's popup subscribers, and gets the context's emulation.
#[tokio::test]
async fn popups_become_pages_of_the_context() {
    let origin = serve_pages(&[
        (
            "/",
            "<a id='link' href='/second' target='_blank'>open</a><button id='js' onclick=\"window.open('/third')\">js</button>",
        ),
        ("/second", "<title>second</title><p>two</p>"),
        ("/third", "<title>third</title><p>three</p>"),
    ])
    .await;
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("launch");
    let context = browser
        .new_context(ContextOptions {
            user_agent: Some("popup-agent/1.0".into()),
            ..ContextOptions::default()
        })
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    let mut popups = page.popups();
    let mut opened = Vec::new();
    for (button, title) in [("#link", "second"), ("#js", "third")] {
        page.locator(button)
            .click(ClickOptions::default())
            .await
            .expect("click");
        let popup = tokio::time::timeout(Duration::from_secs(10), popups.recv())
            .await
            .expect("a popup in time")
            .expect("a popup");
        popup
            .wait_for_load_state(isolate_browser_browser::LoadState::Load, None)
            .await
            .expect("loads");
        assert_eq!(popup.title().await.expect("title"), title);
        let ua = popup
            .evaluate("() => navigator.userAgent", None)
            .await
            .expect("ua");
        assert_eq!(ua, json!("popup-agent/1.0"));
        opened.push(popup);
    }
    // Pages live as long as someone holds them (the runner's session does).
    assert_eq!(context.pages().len(), 3);
    browser.close().await.expect("close");
}

/// Extra headers and default timeouts changed after creation reach open pages and later
/// ones, page settings over the context's.
#[tokio::test]
async fn headers_and_timeouts_change_after_creation() {
    let addr = serve(|seen| {
        let get = |name: &str| {
            seen.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        response(
            200,
            "text/html",
            format!("<title>{}|{}</title>", get("x-team"), get("x-page")),
        )
    })
    .await;
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("launch");
    let context = browser
        .new_context(ContextOptions {
            extra_http_headers: vec![("x-team".into(), "red".into())],
            ..ContextOptions::default()
        })
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");
    let url = format!("http://{addr}/");
    page.goto(&url, GotoOptions::default()).await.expect("goto");
    assert_eq!(page.title().await.expect("title"), "red|");
    context
        .set_extra_http_headers(vec![("X-Team".into(), "blue".into())])
        .await
        .expect("set");
    page.set_extra_http_headers(vec![("x-page".into(), "one".into())])
        .await
        .expect("set on page");
    page.goto(&url, GotoOptions::default()).await.expect("goto");
    assert_eq!(page.title().await.expect("title"), "blue|one");
    let later = context.new_page().await.expect("page");
    later
        .goto(&url, GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(later.title().await.expect("title"), "blue|");

    context.set_default_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = later
        .locator("#missing")
        .click(ClickOptions::default())
        .await
        .expect_err("times out");
    assert!(err.to_string().contains("300ms"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    page.set_default_timeout(Duration::from_millis(150));
    let err = page
        .locator("#missing")
        .click(ClickOptions::default())
        .await
        .expect_err("times out");
    assert!(err.to_string().contains("150ms"), "{err}");
    assert_eq!(page.navigation_timeout(), Duration::from_millis(150));
    context.set_default_navigation_timeout(Duration::from_millis(700));
    assert_eq!(later.navigation_timeout(), Duration::from_millis(700));
    assert_eq!(later.action_timeout(), Duration::from_millis(300));
    page.set_default_navigation_timeout(Duration::from_millis(900));
    assert_eq!(page.navigation_timeout(), Duration::from_millis(900));
    browser.close().await.expect("close");
}

#[tokio::test]
async fn context_options_emulate_the_environment() {
    let addr = serve(|seen| {
        let header = seen.headers.iter().find(|(k, _)| k == "x-extra").map(|(_, v)| v.clone()).unwrap_or_default();
        let lang = seen.headers.iter().find(|(k, _)| k == "accept-language").map(|(_, v)| v.clone()).unwrap_or_default();
        response(200, "text/html", format!("<title>{header}|{lang}</title><p id='js'></p><script>document.getElementById('js').textContent = 'ran'</script>"))
    })
    .await;
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("launch");
    let context = browser
        .new_context(ContextOptions {
            viewport: Some(Viewport {
                width: 800,
                height: 600,
            }),
            user_agent: Some("isolate-test-agent/1.0".into()),
            locale: Some("de-DE".into()),
            timezone_id: Some("Asia/Tokyo".into()),
            color_scheme: Some(ColorScheme::Dark),
            extra_http_headers: vec![("x-extra".into(), "hello".into())],
            ..ContextOptions::default()
        })
        .await
        .expect("context");
    let page = context.new_page().await.expect("page");
    page.goto(&format!("http://{addr}/"), GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(page.title().await.expect("title"), "hello|de-DE");
    let env = page
        .evaluate(
            "() => ({ w: innerWidth, h: innerHeight, ua: navigator.userAgent, lang: navigator.language, tz: Intl.DateTimeFormat().resolvedOptions().timeZone, dark: matchMedia('(prefers-color-scheme: dark)').matches, num: (1234.5).toLocaleString() })",
            None,
        )
        .await
        .expect("env");
    assert_eq!(
        env,
        json!({"w": 800, "h": 600, "ua": "isolate-test-agent/1.0", "lang": "de-DE", "tz": "Asia/Tokyo", "dark": true, "num": "1.234,5"})
    );

    let offline = browser
        .new_context(ContextOptions {
            offline: true,
            ..ContextOptions::default()
        })
        .await
        .expect("offline ctx");
    let op = offline.new_page().await.expect("page");
    let err = op
        .goto(&format!("http://{addr}/"), GotoOptions::default())
        .await
        .expect_err("offline");
    assert!(
        err.to_string().contains("ERR_INTERNET_DISCONNECTED"),
        "{err}"
    );

    let nojs = browser
        .new_context(ContextOptions {
            java_script_enabled: false,
            ..ContextOptions::default()
        })
        .await
        .expect("nojs ctx");
    let np = nojs.new_page().await.expect("page");
    np.goto(&format!("http://{addr}/"), GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(
        np.locator("#js")
            .text_content(None)
            .await
            .expect("no script ran"),
        Some(String::new())
    );
    assert_eq!(
        page.locator("#js")
            .text_content(None)
            .await
            .expect("script ran"),
        Some("ran".into())
    );
    browser.close().await.expect("close");
}

#[tokio::test]
async fn a_missing_chromium_names_the_paths_tried_and_how_to_install() {
    let err = Browser::launch(LaunchOptions {
        executable: Some("/nonexistent/chromium".into()),
        ..LaunchOptions::default()
    })
    .await
    .err()
    .expect("no browser");
    let msg = err.to_string();
    assert!(
        msg.contains("no Chromium executable found (tried: /nonexistent/chromium)"),
        "{msg}"
    );
    assert!(msg.contains("apt-get install chromium"), "{msg}");
    let err = Browser::connect("localhost:9222")
        .await
        .err()
        .expect("bad endpoint");
    assert!(err.to_string().contains("expected a ws:// URL"), "{err}");
}

#[tokio::test]
async fn killing_chromium_fails_pending_calls_promptly() {
    let origin = serve_pages(&[("/", "<title>k</title>")]).await;
    let (browser, _context, page) = browser_page().await;
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    let pid = browser.pid().expect("launched process");
    let pending = tokio::spawn({
        let page = page.clone();
        async move { page.evaluate("new Promise(() => {})", None).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    std::process::Command::new("kill")
        .arg("-9")
        .arg(pid.to_string())
        .status()
        .expect("kill");
    let result = tokio::time::timeout(Duration::from_secs(10), pending)
        .await
        .expect("the pending call ends")
        .expect("join");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let err = result.expect_err("fails");
    assert!(matches!(err, BrowserError::Closed(_)), "{err:?}");
    let later = page.title().await.expect_err("browser is gone");
    assert!(later.to_string().starts_with("browser closed"), "{later}");
    assert!(!browser.is_connected());
    // A new browser can be launched after the crash.
    let again = Browser::launch(LaunchOptions::default())
        .await
        .expect("relaunch");
    assert!(again.is_connected());
    again.close().await.expect("close");
}

#[tokio::test]
async fn no_chromium_process_outlives_close_or_drop() {
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("launch");
    let marker = profile_marker(browser.pid().expect("pid"));
    let ctx = browser
        .new_context(ContextOptions::default())
        .await
        .expect("ctx");
    ctx.new_page().await.expect("page");
    assert!(chromium_processes(&marker) >= 1);
    browser.close().await.expect("close");
    assert_eq!(chromium_processes(&marker), 0, "processes left after close");
    assert!(
        !std::path::Path::new(&marker).exists(),
        "profile directory left behind"
    );

    // Dropping every handle (as a panicking test does) ends the browser too.
    let dropped = Browser::launch(LaunchOptions::default())
        .await
        .expect("launch");
    let marker = profile_marker(dropped.pid().expect("pid"));
    let ctx = dropped
        .new_context(ContextOptions::default())
        .await
        .expect("ctx");
    let page = ctx.new_page().await.expect("page");
    drop((dropped, ctx, page));
    let deadline = Instant::now() + Duration::from_secs(5);
    while chromium_processes(&marker) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(chromium_processes(&marker), 0, "processes left after drop");
}

#[tokio::test]
async fn connects_to_a_running_browser_and_reloads() {
    let origin = serve_pages(&[("/", "<title>r</title><script>document.title = 'load ' + (Number(sessionStorage.n = (Number(sessionStorage.n) || 0) + 1))</script>")]).await;
    let profile = tempfile::tempdir().expect("profile");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let chromium = isolate_browser_browser::find_chromium(None).expect("chromium");
    let mut child = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-startup-window",
            &format!("--remote-debugging-port={port}"),
            &format!("--user-data-dir={}", profile.path().display()),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut connected = None;
    for _ in 0..100 {
        if let Ok(b) = Browser::connect(&format!("http://127.0.0.1:{port}")).await {
            connected = Some(b);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let browser = connected.expect("connects over http://host:port");
    assert!(browser.pid().is_none(), "not ours to kill");
    let ctx = browser
        .new_context(ContextOptions::default())
        .await
        .expect("context");
    let page = ctx.new_page().await.expect("page");
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(page.title().await.expect("title"), "load 1");
    let res = page.reload(GotoOptions::default()).await.expect("reload");
    assert!(res.is_some());
    assert_eq!(page.title().await.expect("title"), "load 2");
    ctx.close().await.expect("close context");
    let _ = child.kill();
    let _ = child.wait();
}

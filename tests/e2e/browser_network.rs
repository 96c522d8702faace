//! Routing, storage state, init scripts, page events, history and waits against real Chromium.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use futures::FutureExt as _;
use isolate_browser_browser::Browser;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::ContinueOverrides;
use isolate_browser_browser::DialogAction;
use isolate_browser_browser::Fulfill;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::LaunchOptions;
use isolate_browser_browser::LoadState;
use isolate_browser_browser::PageEvent;
use isolate_browser_browser::UrlMatch;
use serde_json::json;

use crate::support::browser_page;
use crate::support::response;
use crate::support::serve;
use crate::support::serve_pages;

#[tokio::test]
async fn routes_fulfill_abort_and_continue() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let addr = serve(move |s| {
        log.lock().expect("lock").push(format!(
            "{} {} {}",
            s.method,
            s.path,
            s.headers.iter().any(|(k, v)| k == "x-routed" && v == "yes")
        ));
        response(200, "text/plain", format!("real {}", s.path))
    })
    .await;
    let origin = format!("http://{addr}");
    let (browser, context, page) = browser_page().await;
    page.route(
        UrlMatch::Glob("**/api/mock".into()),
        Arc::new(|route| {
            async move {
                let body = format!("mocked {}", route.request().method);
                route
                    .fulfill(Fulfill {
                        status: Some(201),
                        content_type: Some("text/plain".into()),
                        headers: vec![("x-mock".into(), "1".into())],
                        body: body.into_bytes(),
                    })
                    .await
            }
            .boxed()
        }),
    )
    .await
    .expect("route");
    page.route(
        UrlMatch::Glob("**/api/blocked".into()),
        Arc::new(|route| async move { route.abort("blockedbyclient").await }.boxed()),
    )
    .await
    .expect("route");
    page.route(
        UrlMatch::Regex {
            pattern: "/api/rewrite$".into(),
            flags: String::new(),
        },
        Arc::new(|route| {
            async move {
                let mut headers = route.request().headers.clone();
                headers.push(("x-routed".into(), "yes".into()));
                let url = route.request().url.replace("/api/rewrite", "/api/real");
                route
                    .continue_request(ContinueOverrides {
                        url: Some(url),
                        headers: Some(headers),
                        ..Default::default()
                    })
                    .await
            }
            .boxed()
        }),
    )
    .await
    .expect("route");
    // The context route answers documents of a whole host; page routes win where both match.
    context
        .route(
            UrlMatch::Glob("http://app.test/**".into()),
            Arc::new(|route| {
                async move {
                    route
                        .fulfill(Fulfill {
                            content_type: Some("text/html".into()),
                            body: b"<title>virtual app</title>".to_vec(),
                            ..Default::default()
                        })
                        .await
                }
                .boxed()
            }),
        )
        .await
        .expect("context route");
    page.goto(&format!("{origin}/start"), GotoOptions::default())
        .await
        .expect("goto");
    let out = page
        .evaluate(
            "async () => { const r = await fetch('/api/mock', { method: 'POST' }); let blocked; try { await fetch('/api/blocked'); blocked = 'no'; } catch (e) { blocked = e.name; } const rw = await (await fetch('/api/rewrite')).text(); return { status: r.status, header: r.headers.get('x-mock'), body: await r.text(), blocked, rw }; }",
            None,
        )
        .await
        .expect("fetches");
    assert_eq!(
        out,
        json!({"status": 201, "header": "1", "body": "mocked POST", "blocked": "TypeError", "rw": "real /api/real"})
    );
    let log = seen.lock().expect("lock").clone();
    assert!(log.contains(&"GET /api/real true".to_string()), "{log:?}");
    assert!(
        !log.iter()
            .any(|l| l.contains("/api/mock") || l.contains("/api/blocked")),
        "{log:?}"
    );
    let other = context.new_page().await.expect("second page");
    let res = other
        .goto("http://app.test/anything", GotoOptions::default())
        .await
        .expect("virtual host")
        .expect("response");
    assert_eq!(res.status, 200);
    assert_eq!(other.title().await.expect("title"), "virtual app");
    page.unroute(&UrlMatch::Glob("**/api/mock".into()));
    let real = page
        .evaluate("async () => (await fetch('/api/mock')).text()", None)
        .await
        .expect("unrouted");
    assert_eq!(real, json!("real /api/mock"));
    browser.close().await.expect("close");
}

#[tokio::test]
async fn storage_state_round_trips_cookies_local_and_session_storage() {
    let origin = serve_pages(&[("/", "<title>app</title>")]).await;
    let (browser, first, page) = browser_page().await;
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    page.evaluate("document.cookie = 'visible=1; path=/'; localStorage.setItem('token', 'abc'); sessionStorage.setItem('tab', 'xyz');", None)
        .await
        .expect("store");
    first
        .add_cookies(&[isolate_browser_browser::NewCookie {
            name: "sid".into(),
            value: "s1".into(),
            url: Some(origin.clone()),
            http_only: Some(true),
            ..Default::default()
        }])
        .await
        .expect("cookie");
    let state = first.storage_state().await.expect("capture");
    assert_eq!(state.origins.len(), 1);
    assert_eq!(state.origins[0].origin, origin);
    assert_eq!(state.origins[0].local_storage[0].name, "token");
    assert_eq!(state.origins[0].session_storage[0].value, "xyz");
    let mut names: Vec<_> = state.cookies.iter().map(|c| c.name.clone()).collect();
    names.sort();
    assert_eq!(names, vec!["sid", "visible"]);
    let json = serde_json::to_value(&state).expect("serialises");
    assert!(
        json["origins"][0]["localStorage"].is_array()
            && json["origins"][0]["sessionStorage"].is_array()
    );

    let second = browser
        .new_context(ContextOptions {
            storage_state: Some(state.clone()),
            ..ContextOptions::default()
        })
        .await
        .expect("ctx 2");
    let p2 = second.new_page().await.expect("page");
    p2.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    let seen = p2
        .evaluate("() => ({ cookie: document.cookie, token: localStorage.getItem('token'), tab: sessionStorage.getItem('tab') })", None)
        .await
        .expect("read");
    assert_eq!(
        seen,
        json!({"cookie": "visible=1", "token": "abc", "tab": "xyz"})
    );
    assert!(
        second
            .cookies(&[])
            .await
            .expect("cookies")
            .iter()
            .any(|c| c.name == "sid" && c.http_only)
    );
    // A fresh context without the state has none of it.
    let third = browser
        .new_context(ContextOptions::default())
        .await
        .expect("ctx 3");
    let p3 = third.new_page().await.expect("page");
    p3.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(
        p3.evaluate("localStorage.getItem('token')", None)
            .await
            .expect("none"),
        json!(null)
    );
    browser.close().await.expect("close");
}

/// Saved localStorage reaches each origin's first document, is never written twice (an app
/// that clears it stays signed out after a reload or in a new tab), and is read back for
/// origins whose pages have closed and for origins no page opened.
#[tokio::test]
async fn saved_local_storage_is_written_once_and_read_back_after_its_pages_close() {
    let a = serve_pages(&[(
        "/",
        "<title>a</title><script>window.seenAtLoad = localStorage.getItem('token');</script>",
    )])
    .await;
    let b = a.replace("127.0.0.1", "localhost");
    let item = |name: &str, value: &str| isolate_browser_browser::NameValue {
        name: name.into(),
        value: value.into(),
    };
    let state = isolate_browser_browser::StorageState {
        cookies: Vec::new(),
        origins: vec![
            isolate_browser_browser::OriginState {
                origin: a.clone(),
                local_storage: vec![item("token", "for-a")],
                ..Default::default()
            },
            isolate_browser_browser::OriginState {
                origin: b.clone(),
                local_storage: vec![item("token", "for-b"), item("theme", "dark")],
                ..Default::default()
            },
        ],
    };
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("launch");
    let context = browser
        .new_context(ContextOptions {
            storage_state: Some(state),
            ..ContextOptions::default()
        })
        .await
        .expect("ctx");
    let page = context.new_page().await.expect("page");
    page.goto(&format!("{a}/"), GotoOptions::default())
        .await
        .expect("goto");
    // Page scripts already see it while the document loads.
    assert_eq!(
        page.evaluate("window.seenAtLoad", None)
            .await
            .expect("read"),
        json!("for-a")
    );
    page.evaluate("localStorage.clear()", None)
        .await
        .expect("clear");
    page.reload(GotoOptions::default()).await.expect("reload");
    assert_eq!(
        page.evaluate("localStorage.length", None)
            .await
            .expect("read"),
        json!(0)
    );
    let second = context.new_page().await.expect("page 2");
    second
        .goto(&format!("{a}/"), GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(
        second
            .evaluate("localStorage.length", None)
            .await
            .expect("read"),
        json!(0)
    );
    second
        .evaluate("localStorage.setItem('after', 'logout')", None)
        .await
        .expect("write");
    page.close().await.expect("close");
    second.close().await.expect("close");

    // No page of either origin is open: `a` is read back, `b` was never touched.
    let saved = context.storage_state().await.expect("capture");
    let summary: Vec<(String, Vec<(String, String)>)> = saved
        .origins
        .iter()
        .map(|o| {
            (
                o.origin.clone(),
                o.local_storage
                    .iter()
                    .map(|i| (i.name.clone(), i.value.clone()))
                    .collect(),
            )
        })
        .collect();
    let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
    assert_eq!(
        summary,
        vec![
            (a.clone(), vec![pair("after", "logout")]),
            (
                b.clone(),
                vec![pair("token", "for-b"), pair("theme", "dark")]
            ),
        ]
    );
    let third = context.new_page().await.expect("page 3");
    third
        .goto(&format!("{b}/"), GotoOptions::default())
        .await
        .expect("goto b");
    assert_eq!(
        third
            .evaluate(
                "[localStorage.getItem('token'), localStorage.getItem('theme')]",
                None
            )
            .await
            .expect("read"),
        json!(["for-b", "dark"])
    );
    browser.close().await.expect("close");
}

/// IndexedDB in a storage state, when asked for: databases with inline and out-of-line keys,
/// indexes, a key generator, and values JSON cannot hold (Date, Set, bytes) come back in a
/// new context before the page's own scripts open them.
#[tokio::test]
async fn storage_state_carries_indexed_db_when_asked() {
    let origin = serve_pages(&[
        ("/", "<title>setup</title>"),
        (
            "/check",
            "<title>check</title><script>window.early = new Promise((r) => { const o = indexedDB.open('app'); o.onsuccess = () => { const db = o.result; if (!db.objectStoreNames.contains('users')) return r('missing'); const g = db.transaction('users').objectStore('users').get(1); g.onsuccess = () => { db.close(); r(g.result && g.result.name); }; }; o.onerror = () => r('error'); });</script>",
        ),
    ])
    .await;
    let (browser, first, page) = browser_page().await;
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    page.evaluate(
        "() => new Promise((res, rej) => { const o = indexedDB.open('app', 3); o.onupgradeneeded = () => { const db = o.result; const users = db.createObjectStore('users', { keyPath: 'id' }); users.createIndex('byName', 'name', { unique: true }); users.put({ id: 1, name: 'ada', joined: new Date(86400000), tags: new Set(['a']) }); const log = db.createObjectStore('log', { autoIncrement: true }); log.put('first'); log.put({ at: 2 }); const kv = db.createObjectStore('kv'); kv.put(new Uint8Array([1, 2, 3]), 'bytes'); kv.put('x', [1, 'two']); }; o.onsuccess = () => { o.result.close(); res(); }; o.onerror = () => rej(o.error); })",
        None,
    )
    .await
    .expect("write");
    let without =
        serde_json::to_value(first.storage_state().await.expect("capture")).expect("json");
    assert!(
        without["origins"].as_array().is_some_and(Vec::is_empty),
        "{without}"
    );
    let state = first
        .storage_state_with_indexed_db()
        .await
        .expect("capture");
    let json = serde_json::to_value(&state).expect("json");
    let db = &json["origins"][0]["indexedDB"][0];
    assert_eq!(
        (db["name"].as_str(), db["version"].as_u64()),
        (Some("app"), Some(3)),
        "{json}"
    );
    assert_eq!(db["stores"].as_array().map(Vec::len), Some(3), "{json}");

    let second = browser
        .new_context(ContextOptions {
            storage_state: Some(serde_json::from_value(json).expect("reads back")),
            ..ContextOptions::default()
        })
        .await
        .expect("ctx 2");
    let page = second.new_page().await.expect("page");
    page.goto(&format!("{origin}/check"), GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(
        page.evaluate("window.early", None).await.expect("early"),
        json!("ada"),
        "the page's own first open sees the restored data"
    );
    let read = page
        .evaluate(
            "() => new Promise((res, rej) => { const o = indexedDB.open('app'); o.onerror = () => rej(o.error); o.onsuccess = () => { const db = o.result; const tx = db.transaction(['users', 'log', 'kv'], 'readwrite'); const out = { version: db.version }; const users = tx.objectStore('users'); users.get(1).onsuccess = (e) => { const u = e.target.result; out.joined = u.joined instanceof Date && u.joined.getTime(); out.tags = [...u.tags]; }; users.index('byName').get('ada').onsuccess = (e) => { out.byName = e.target.result.id; }; const log = tx.objectStore('log'); log.getAll().onsuccess = (e) => { out.log = e.target.result; }; log.put('third').onsuccess = (e) => { out.nextKey = e.target.result; }; const kv = tx.objectStore('kv'); kv.get('bytes').onsuccess = (e) => { out.bytes = e.target.result instanceof Uint8Array && [...e.target.result]; }; kv.get([1, 'two']).onsuccess = (e) => { out.arrayKey = e.target.result; }; tx.oncomplete = () => { db.close(); res(out); }; }; })",
            None,
        )
        .await
        .expect("read");
    assert_eq!(
        read,
        json!({ "version": 3, "joined": 86400000, "tags": ["a"], "byName": 1, "log": ["first", { "at": 2 }], "nextKey": 3, "bytes": [1, 2, 3], "arrayKey": "x" })
    );
    browser.close().await.expect("close");
}

/// A persistent launch keeps cookies and localStorage in its user-data directory: a second
/// launch on the same directory finds them, and the directory stays after close.
#[tokio::test]
async fn a_persistent_context_keeps_its_state_in_the_user_data_directory() {
    let origin = serve_pages(&[("/", "<title>p</title>")]).await;
    let dir = tempfile::tempdir().expect("tmp");
    let context = Browser::launch_persistent(
        LaunchOptions::default(),
        dir.path(),
        ContextOptions::default(),
    )
    .await
    .expect("launch");
    let page = context.new_page().await.expect("page");
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    page.evaluate(
        "document.cookie = 'kept=1; Max-Age=3600; path=/'; localStorage.setItem('token', 'abc')",
        None,
    )
    .await
    .expect("store");
    let pid = context.browser().pid().expect("launched");
    context.close().await.expect("close");
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists()
            || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| s.contains(") Z")),
        "closing the context closes its browser"
    );
    assert!(dir.path().join("Default").is_dir(), "the profile stays");

    let again = Browser::launch_persistent(
        LaunchOptions::default(),
        dir.path(),
        ContextOptions::default(),
    )
    .await
    .expect("relaunch");
    let page = again.new_page().await.expect("page");
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(
        page.evaluate("[document.cookie, localStorage.getItem('token')]", None)
            .await
            .expect("read"),
        json!(["kept=1", "abc"])
    );
    assert!(
        again
            .cookies(&[])
            .await
            .expect("cookies")
            .iter()
            .any(|c| c.name == "kept")
    );
    again.close().await.expect("close");
}

#[tokio::test]
async fn init_scripts_events_and_dialogs() {
    let origin = serve_pages(&[
        ("/", "<title>events</title><script>console.log('hello', 42, {a: 1}); console.error('bad thing'); setTimeout(() => { throw new Error('boom later') }, 0); fetch('/data');</script>"),
        ("/data", "{}"),
    ])
    .await;
    let (browser, context, page) = browser_page().await;
    context
        .add_init_script("window.__injected = 'yes';")
        .await
        .expect("init script");
    let mut rx = page.subscribe();
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(
        page.evaluate("window.__injected", None)
            .await
            .expect("init ran"),
        json!("yes")
    );
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while got
        .iter()
        .filter(|e| matches!(e, PageEvent::PageError { .. } | PageEvent::Response(_)))
        .count()
        < 3
    {
        let Ok(Ok(ev)) = tokio::time::timeout_at(deadline, rx.recv()).await else {
            break;
        };
        got.push(ev);
    }
    let console = page.console_messages();
    assert_eq!(console[0].kind, "log");
    assert_eq!(console[0].text, "hello 42 {a: 1}");
    assert_eq!(console[1].kind, "error");
    assert_eq!(console[1].text, "bad thing");
    let events = page.events();
    assert!(
        events.iter().any(
            |e| matches!(e, PageEvent::PageError { message, .. } if message == "Error: boom later")
        ),
        "{events:?}"
    );
    assert!(events.iter().any(|e| matches!(e, PageEvent::Request(r) if r.url.ends_with("/data") && r.method == "GET" && r.resource_type == "fetch")), "{events:?}");
    assert!(
        events.iter().any(
            |e| matches!(e, PageEvent::Response(r) if r.url.ends_with("/data") && r.status == 200)
        ),
        "{events:?}"
    );
    assert!(!got.is_empty(), "subscribers see events as they happen");

    // Dialogs are dismissed unless a handler answers them.
    assert_eq!(
        page.evaluate("confirm('sure?')", None)
            .await
            .expect("confirm"),
        json!(false)
    );
    page.on_dialog(Some(Arc::new(|d| {
        async move { DialogAction::Accept(Some(format!("answer to {}", d.message))) }.boxed()
    })));
    assert_eq!(
        page.evaluate("prompt('name?')", None)
            .await
            .expect("prompt"),
        json!("answer to name?")
    );
    assert!(
        page.events().iter().any(
            |e| matches!(e, PageEvent::Dialog(d) if d.kind == "confirm" && d.message == "sure?")
        )
    );
    browser.close().await.expect("close");
}

#[tokio::test]
async fn history_waits_and_pdf() {
    let origin = serve_pages(&[
        ("/one", "<title>one</title><a id='next' href='/two'>next</a>"),
        ("/two", "<title>two</title><script>setTimeout(() => history.pushState({}, '', '/two/done'), 200)</script>"),
    ])
    .await;
    let (browser, _context, page) = browser_page().await;
    page.goto(&format!("{origin}/one"), GotoOptions::default())
        .await
        .expect("one");
    page.goto(&format!("{origin}/two"), GotoOptions::default())
        .await
        .expect("two");
    page.wait_for_url(
        &UrlMatch::Glob("**/two/done".into()),
        Some(Duration::from_secs(5)),
    )
    .await
    .expect("pushState URL");
    page.wait_for_url(
        &UrlMatch::Regex {
            pattern: "/TWO/".into(),
            flags: "i".into(),
        },
        None,
    )
    .await
    .expect("regex URL");
    let err = page
        .wait_for_url(
            &UrlMatch::Exact("http://nowhere.test/".into()),
            Some(Duration::from_millis(300)),
        )
        .await
        .expect_err("never");
    assert!(
        err.to_string()
            .contains("waiting for navigation to \"http://nowhere.test/\""),
        "{err}"
    );
    let back = page.go_back(GotoOptions::default()).await.expect("back");
    assert_eq!(page.url().await.expect("url"), format!("{origin}/two"));
    assert!(back.is_none(), "pushState entries are same-document");
    page.go_back(GotoOptions::default())
        .await
        .expect("back again");
    assert_eq!(page.title().await.expect("title"), "one");
    page.go_forward(GotoOptions::default())
        .await
        .expect("forward");
    assert_eq!(page.title().await.expect("title"), "two");
    page.wait_for_load_state(LoadState::Load, None)
        .await
        .expect("load");
    page.wait_for_load_state(LoadState::NetworkIdle, Some(Duration::from_secs(5)))
        .await
        .expect("idle");
    page.evaluate("setTimeout(() => window.ready = 7, 150)", None)
        .await
        .expect("schedule");
    assert_eq!(
        page.wait_for_function(
            "() => window.ready",
            None,
            None,
            Some(Duration::from_secs(5))
        )
        .await
        .expect("truthy"),
        json!(7)
    );
    let pdf = page.pdf().await.expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let fresh = page.context().new_page().await.expect("fresh page");
    assert_eq!(
        fresh
            .go_back(GotoOptions::default())
            .await
            .expect("no history"),
        None
    );
    browser.close().await.expect("close");
}

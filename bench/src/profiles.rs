//! `bench-profiles`: what opening a context from a stored profile (50 cookies, 3 origins with
//! localStorage) adds to creating a context, against a context without profile in the same
//! run [< 30 ms]. The profile side includes what the runner does: lock the profile, read and
//! check its storage state, and apply it to the new context.
//!
//! Two measures: context + first page (what the target names), and context + first page +
//! the first visit to one of the profile's origins, reading the saved localStorage there (so
//! work the lazy application moves to the first document is counted too). Each round waits a
//! little after closing, as a test body would, so the browser's pool of pre-made pages is
//! equally warm for both sides.
//!
//! Run with `scripts/bench` (release build).

#[path = "common.rs"]
mod common;

use std::time::Duration;
use std::time::Instant;

use isolate_browser_browser::Browser;
use isolate_browser_browser::Context;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::LaunchOptions;
use isolate_browser_browser::StorageState;
use isolate_browser_profiles::ProfileId;
use isolate_browser_profiles::ProfileStore;
use serde_json::json;

const ROUNDS: usize = 21;
const PAUSE: Duration = Duration::from_millis(300);

fn state(port: u16) -> serde_json::Value {
    let hosts = ["127.0.0.1", "localhost", "app.test"];
    let cookies: Vec<_> = (0..50)
        .map(|i| {
            json!({
                "name": format!("c{i}"), "value": format!("value-{i}-{}", "x".repeat(40)),
                "domain": hosts[i % 3], "path": "/", "expires": 4_102_444_800.0_f64,
                "httpOnly": i % 2 == 0, "secure": false, "sameSite": "Lax",
            })
        })
        .collect();
    let origins: Vec<_> = hosts
        .iter()
        .map(|h| {
            json!({
                "origin": format!("http://{h}:{port}"),
                "localStorage": (0..10).map(|k| json!({ "name": format!("k{k}"), "value": "v".repeat(64) })).collect::<Vec<_>>(),
                "sessionStorage": [],
            })
        })
        .collect();
    // BENCH_PROFILE_PART=cookies|storage measures one half of the state.
    match std::env::var("BENCH_PROFILE_PART").as_deref() {
        Ok("cookies") => json!({ "cookies": cookies, "origins": [] }),
        Ok("storage") => json!({ "cookies": [], "origins": origins }),
        _ => json!({ "cookies": cookies, "origins": origins }),
    }
}

/// A local page to visit: one origin of the profile.
async fn serve() -> u16 {
    common::serve_html("<title>app</title>").await.port()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Opens the first page; with `visit`, also goes to the app and reads `k0` from localStorage.
async fn first_page(context: &Context, visit: Option<&str>) -> serde_json::Value {
    let page = context.new_page().await.expect("page");
    match visit {
        Some(url) => {
            page.goto(url, GotoOptions::default()).await.expect("goto");
            page.evaluate("localStorage.getItem('k0')", None)
                .await
                .expect("read")
        }
        None => serde_json::Value::Null,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let port = serve().await;
    let app = format!("http://127.0.0.1:{port}/");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ProfileStore::open(dir.path()).expect("store");
    let id = ProfileId::parse("bench/auth").expect("id");
    store
        .lock(&id)
        .expect("lock")
        .save_storage_state(&state(port), Vec::new(), None)
        .expect("save");
    let with_storage = std::env::var("BENCH_PROFILE_PART").as_deref() != Ok("cookies");
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("Chromium launches");
    let mut results = Vec::new();
    for visit in [None, Some(app.as_str())] {
        // Warm up both paths once.
        for _ in 0..2 {
            let c = browser
                .new_context(ContextOptions::default())
                .await
                .expect("context");
            first_page(&c, visit).await;
            c.close().await.expect("close");
        }
        let (mut plain, mut with_profile) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            tokio::time::sleep(PAUSE).await;
            let t = Instant::now();
            let c = browser
                .new_context(ContextOptions::default())
                .await
                .expect("context");
            let seen = first_page(&c, visit).await;
            plain.push(t.elapsed());
            c.close().await.expect("close");
            assert!(seen.is_null(), "a context without profile has no storage");

            tokio::time::sleep(PAUSE).await;
            let t = Instant::now();
            let lock = store.lock(&id).expect("lock");
            let saved = lock.storage_state().expect("read").expect("saved");
            let storage: StorageState = serde_json::from_value(saved).expect("a storage state");
            let c = browser
                .new_context(ContextOptions {
                    storage_state: Some(storage),
                    ..ContextOptions::default()
                })
                .await
                .expect("context");
            let seen = first_page(&c, visit).await;
            with_profile.push(t.elapsed());
            c.close().await.expect("close");
            drop(lock);
            if visit.is_some() && with_storage {
                assert_eq!(
                    seen,
                    json!("v".repeat(64)),
                    "the profile's storage is there"
                );
            }
        }
        results.push((visit.is_some(), median(plain), median(with_profile)));
    }
    println!("bench-profiles: median of {ROUNDS} rounds, profile of 50 cookies and 3 origins");
    for (visit, a, b) in results {
        let what = if visit {
            "context + page + first visit"
        } else {
            "context + page"
        };
        println!("  {what}");
        println!("    without profile      {:>6.1} ms", ms(a));
        println!("    with profile         {:>6.1} ms", ms(b));
        println!(
            "    added by the profile {:>6.1} ms{}",
            ms(b.saturating_sub(a)),
            if visit { "" } else { " (target < 30)" }
        );
    }
    let _ = browser.close().await;
}

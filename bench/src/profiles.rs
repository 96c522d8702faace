//! `bench-profiles`: what opening a context from a stored profile (50 cookies, 3 origins with
//! localStorage) adds to creating a context, against a context without profile in the same
//! run [< 30 ms]. The profile side includes what the runner does: lock the profile, read and
//! check its storage state, and apply it to the new context.
//!
//! Run with `scripts/bench` (release build).

use std::time::Duration;
use std::time::Instant;

use isolate_browser_browser::Browser;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::LaunchOptions;
use isolate_browser_browser::StorageState;
use isolate_browser_browser::profiles::ProfileId;
use isolate_browser_browser::profiles::ProfileStore;
use serde_json::json;

const ROUNDS: usize = 21;

fn state() -> serde_json::Value {
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
                "origin": format!("http://{h}:8080"),
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

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ProfileStore::open(dir.path()).expect("store");
    let id = ProfileId::parse("bench/auth").expect("id");
    store
        .lock(&id)
        .expect("lock")
        .save_storage_state(&state(), Vec::new(), None)
        .expect("save");
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("Chromium launches");
    // Warm up both paths once.
    for _ in 0..2 {
        let c = browser
            .new_context(ContextOptions::default())
            .await
            .expect("context");
        c.new_page().await.expect("page");
        c.close().await.expect("close");
    }
    let (mut plain, mut with_profile) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let c = browser
            .new_context(ContextOptions::default())
            .await
            .expect("context");
        c.new_page().await.expect("page");
        plain.push(t.elapsed());
        c.close().await.expect("close");

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
        c.new_page().await.expect("page");
        with_profile.push(t.elapsed());
        c.close().await.expect("close");
        drop(lock);
    }
    let (a, b) = (median(plain), median(with_profile));
    println!("bench-profiles: context + page, median of {ROUNDS}");
    println!(
        "  without profile                          {:>6.1} ms",
        ms(a)
    );
    println!(
        "  with profile (50 cookies, 3 origins)     {:>6.1} ms",
        ms(b)
    );
    println!(
        "  added by the profile                     {:>6.1} ms (target < 30)",
        ms(b.saturating_sub(a))
    );
    let _ = browser.close().await;
}

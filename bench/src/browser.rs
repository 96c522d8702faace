//! Browser crate benchmarks against the same steps written directly with chromiumoxide, measured
//! in the same run (issue targets in brackets):
//! 1. launch Chromium and open the first page [< 1.5 s];
//! 2. new context + new page, median of 20, each followed (untimed) by what a test does with
//!    it: open a page, click, close [< 60 ms];
//! 3. click on a ready button, median of 50 [< 20 ms];
//!
//! and our overhead against raw chromiumoxide for each [< 25 %]. Both sides launch Chromium
//! with the same flags and give pages the same 1280×720 viewport.
//!
//! Run with `scripts/bench` (release build).

#[path = "common.rs"]
mod common;

use std::time::Duration;
use std::time::Instant;

use chromiumoxide::browser::BrowserConfig;
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::cdp::browser_protocol::target::CreateBrowserContextParams;
use chromiumoxide::cdp::browser_protocol::target::CreateTargetParams;
use futures::StreamExt as _;
use isolate_browser_browser::Browser;
use isolate_browser_browser::ClickOptions;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::LaunchOptions;

const PAGE: &str = "<!doctype html><button id='b' onclick=\"this.dataset.n = (+this.dataset.n || 0) + 1\">Go</button>";
const ARGS: &[&str] = &[
    "disable-background-networking",
    "disable-component-update",
    "no-first-run",
    "disable-sync",
    "disable-gpu",
    "no-startup-window",
    "no-default-browser-check",
    "disable-dev-shm-usage",
    "disable-back-forward-cache",
    "disable-gpu-vsync",
    "disable-frame-rate-limit",
    "disable-features=IsolateOrigins,site-per-process",
    "disable-site-isolation-trials",
    "password-store=basic",
    "use-mock-keychain",
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn serve() -> String {
    format!("http://{}/", common::serve_html(PAGE).await)
}

struct Numbers {
    launch_first_page: Duration,
    context_page: Duration,
    click: Duration,
}

/// Launch and first page without the background pool: our layer's own cost.
async fn ours_cold(url: &str) -> Duration {
    let t = Instant::now();
    let browser = Browser::launch(LaunchOptions {
        prewarm: 0,
        ..LaunchOptions::default()
    })
    .await
    .expect("launch");
    let ctx = browser
        .new_context(ContextOptions::default())
        .await
        .expect("context");
    let page = ctx.new_page().await.expect("page");
    page.goto(url, GotoOptions::default()).await.expect("goto");
    let took = t.elapsed();
    browser.close().await.expect("close");
    took
}

async fn ours(url: &str) -> Numbers {
    let t = Instant::now();
    let browser = Browser::launch(LaunchOptions::default())
        .await
        .expect("launch");
    let ctx = browser
        .new_context(ContextOptions::default())
        .await
        .expect("context");
    let page = ctx.new_page().await.expect("page");
    page.goto(url, GotoOptions::default()).await.expect("goto");
    let launch_first_page = t.elapsed();
    let mut cp = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let c = browser
            .new_context(ContextOptions::default())
            .await
            .expect("context");
        let p = c.new_page().await.expect("page");
        cp.push(t.elapsed());
        // What a test does with it, untimed: open the page and click.
        p.goto(url, GotoOptions::default()).await.expect("goto");
        p.locator("#b")
            .click(ClickOptions::default())
            .await
            .expect("click");
        c.close().await.expect("close");
    }
    let button = page.locator("#b");
    button.click(ClickOptions::default()).await.expect("warm");
    let mut clicks = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        button.click(ClickOptions::default()).await.expect("click");
        clicks.push(t.elapsed());
    }
    browser.close().await.expect("close");
    Numbers {
        launch_first_page,
        context_page: median(cp),
        click: median(clicks),
    }
}

async fn raw(url: &str) -> Numbers {
    let profile = tempfile::tempdir().expect("profile");
    let exe = isolate_browser_browser::find_chromium(None).expect("chromium");
    let t = Instant::now();
    let config = BrowserConfig::builder()
        .chrome_executable(exe)
        .user_data_dir(profile.path())
        .viewport(None)
        .no_sandbox()
        .args(ARGS.iter().map(|a| a.to_string()))
        .port(0)
        .build()
        .expect("config");
    let (mut browser, mut handler) = chromiumoxide::Browser::launch(config)
        .await
        .expect("launch");
    let task = tokio::spawn(async move { while handler.next().await.is_some() {} });
    let ctx = browser
        .create_browser_context(CreateBrowserContextParams::default())
        .await
        .expect("context");
    let page = browser
        .new_page(
            CreateTargetParams::builder()
                .url("about:blank")
                .browser_context_id(ctx)
                .build()
                .expect("params"),
        )
        .await
        .expect("page");
    page.execute(SetDeviceMetricsOverrideParams::new(1280, 720, 1.0, false))
        .await
        .expect("viewport");
    page.goto(url).await.expect("goto");
    let launch_first_page = t.elapsed();
    let mut cp = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let c = browser
            .create_browser_context(CreateBrowserContextParams::default())
            .await
            .expect("context");
        let p = browser
            .new_page(
                CreateTargetParams::builder()
                    .url("about:blank")
                    .browser_context_id(c.clone())
                    .build()
                    .expect("params"),
            )
            .await
            .expect("page");
        p.execute(SetDeviceMetricsOverrideParams::new(1280, 720, 1.0, false))
            .await
            .expect("viewport");
        cp.push(t.elapsed());
        p.goto(url).await.expect("goto");
        p.find_element("#b")
            .await
            .expect("button")
            .click()
            .await
            .expect("click");
        browser.dispose_browser_context(c).await.expect("dispose");
    }
    let el = page.find_element("#b").await.expect("button");
    el.click().await.expect("warm");
    let mut clicks = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        // The direct equivalent: find the element and click it (no actionability checks).
        let el = page.find_element("#b").await.expect("button");
        el.click().await.expect("click");
        clicks.push(t.elapsed());
    }
    browser.close().await.expect("close");
    let _ = browser.wait().await;
    task.abort();
    Numbers {
        launch_first_page,
        context_page: median(cp),
        click: median(clicks),
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio");
    rt.block_on(async {
        let url = serve().await;
        // Alternate runs so neither side always gets the warmer machine.
        let r1 = raw(&url).await;
        let o1 = ours(&url).await;
        let c1 = ours_cold(&url).await;
        let r2 = raw(&url).await;
        let o2 = ours(&url).await;
        let c2 = ours_cold(&url).await;
        let best = |a: Duration, b: Duration| a.min(b);
        let rows = [
            ("launch + first page (2 contexts pre-warming)", best(o1.launch_first_page, o2.launch_first_page), best(r1.launch_first_page, r2.launch_first_page), "< 1500 ms"),
            ("launch + first page (pre-warming off)", best(c1, c2), best(r1.launch_first_page, r2.launch_first_page), "< 1500 ms"),
            ("new context + new page (median of 20)", best(o1.context_page, o2.context_page), best(r1.context_page, r2.context_page), "< 60 ms"),
            ("click a ready button (median of 50)", best(o1.click, o2.click), best(r1.click, r2.click), "< 20 ms"),
        ];
        for (name, ours, raw, target) in rows {
            println!(
                "{name}: isolate-browser {:.1} ms (target {target}); raw chromiumoxide {:.1} ms; overhead {:+.0}%",
                ms(ours),
                ms(raw),
                (ms(ours) / ms(raw) - 1.0) * 100.0
            );
        }
    });
}

//! The browser's network policy through `isolate-browser test`: pages never load local files
//! or browser-internal pages, reach the host's own services only when the config grants them,
//! and under `strictNetwork` reach nothing but granted origins; downloads land in the output
//! directory. Every service a page must not reach checks that it was never asked.

use std::sync::Arc;
use std::sync::Mutex;

use crate::support::response;
use crate::support::serve;
use crate::test_runner::Run;
use crate::test_runner::project;
use crate::test_runner::run_test;

/// A loopback service; returns its port and the paths it was asked for.
async fn service(body: &'static str) -> (u16, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let addr = serve(move |s| {
        log.lock().expect("lock").push(s.path.clone());
        response(200, "text/html", body)
    })
    .await;
    (addr.port(), seen)
}

async fn run_in(dir: std::path::PathBuf) -> Run {
    tokio::task::spawn_blocking(move || run_test(&dir, &[]))
        .await
        .expect("run")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_reach_the_hosts_services_only_when_granted() {
    let (secret, secret_seen) = service("<title>secret</title>the host's secret").await;
    let (granted, granted_seen) = service("<title>granted</title>allowed service").await;
    let spec = r#"import { test, expect } from '@playwright/test';
const SECRET = 'http://127.0.0.1:SECRET_PORT';
test('local schemes are refused', async ({ page }) => {
  for (const url of ['file:///etc/passwd', 'file:///etc/', 'view-source:file:///etc/passwd', 'chrome://version', 'devtools://devtools/bundled/inspector.html']) {
    const err = await page.goto(url).catch((e) => e);
    expect(String(err), url).toContain(`page.goto: ${url} is refused by the browser's network policy`);
  }
  expect(await page.content()).not.toContain('root:');
});
test('loopback is refused, naming the key that allows it', async ({ page }) => {
  const err = await page.goto(SECRET + '/direct').catch((e) => e);
  expect(String(err)).toContain(`${SECRET}/direct is refused by the browser's network policy: it resolves to 127.0.0.1, a loopback address`);
  expect(String(err)).toContain(`add "${SECRET}" to allowNet in the config`);
  await expect(page.goto('http://localhost:SECRET_PORT/by-name')).rejects.toThrow(/refused by the browser's network policy/);
  await expect(page.goto('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(/link-local address/);
});
test('subresources, frames, workers and popups of a granted page are refused too', async ({ page }) => {
  await page.goto('/');
  const out = await page.evaluate(async (secret) => {
    const out = [];
    out.push(await fetch(secret + '/fetch').then(() => 'fetch read', () => 'fetch refused'));
    const img = new Image(); img.src = secret + '/img.png';
    out.push(await new Promise((r) => { img.onload = () => r('img read'); img.onerror = () => r('img refused'); }));
    const w = new Worker(URL.createObjectURL(new Blob([`fetch('${secret}/worker').then(() => postMessage('worker read'), () => postMessage('worker refused'))`])));
    out.push(await new Promise((r) => (w.onmessage = (e) => r(e.data))));
    const f = document.createElement('iframe'); f.src = secret + '/frame'; document.body.append(f);
    await new Promise((r) => { f.onload = r; setTimeout(r, 2000); });
    const a = document.createElement('a'); a.id = 'pop'; a.target = '_blank'; a.href = secret + '/popup'; a.textContent = 'pop';
    document.body.append(a);
    return out;
  }, SECRET);
  expect(out).toEqual(['fetch refused', 'img refused', 'worker refused']);
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#pop')]);
  await popup.waitForLoadState().catch(() => {});
  expect(await popup.content()).not.toContain('secret');
});
test('a granted service and fulfilled routes are reachable', async ({ page }) => {
  await page.goto('http://127.0.0.1:GRANTED_PORT/');
  await expect(page).toHaveTitle('granted');
  await page.route(SECRET + '/mocked', (route) => route.fulfill({ body: '<title>mocked</title>', contentType: 'text/html' }));
  await page.goto(SECRET + '/mocked');
  await expect(page).toHaveTitle('mocked');
  await page.route(SECRET + '/continued', (route) => route.continue());
  await expect(page.goto(SECRET + '/continued')).rejects.toThrow(/refused by the browser's network policy/);
  // A route cannot send a request on to a local file.
  let refused = '';
  await page.route('**/leak', (route) => route.continue({ url: 'file:///etc/passwd' }).catch((e) => { refused = e.message; return route.abort(); }));
  await page.goto('http://127.0.0.1:GRANTED_PORT/leak').catch(() => {});
  expect(refused).toContain('New URL must have same protocol as overridden URL');
  expect(await page.content()).not.toContain('root:');
});
test('public pages stay reachable by default', async ({ page }) => {
  // This machine has no outside network: the name fails to resolve, not the policy.
  const err = await page.goto('http://example.invalid/').catch((e) => e);
  expect(String(err)).toContain('net::ERR_NAME_NOT_RESOLVED');
  expect(String(err)).not.toContain('policy');
});
"#
    .replace("SECRET_PORT", &secret.to_string())
    .replace("GRANTED_PORT", &granted.to_string());
    let config = format!(
        r#"{{ "testDir": "tests", "webServer": {{ "static": "site" }}, "reporter": [["json"]], "workers": 1, "timeout": 20000,
          "allowNet": ["http://127.0.0.1:{granted}"] }}"#
    );
    let dir = project(&[
        ("isolate-browser.config.json", &config),
        ("tests/net.spec.ts", &spec),
    ]);
    let run = run_in(dir.path().to_path_buf()).await;
    run.assert_passed(&[
        "local schemes are refused",
        "loopback is refused, naming the key that allows it",
        "subresources, frames, workers and popups of a granted page are refused too",
        "a granted service and fulfilled routes are reachable",
        "public pages stay reachable by default",
    ]);
    assert_eq!(
        *secret_seen.lock().expect("lock"),
        Vec::<String>::new(),
        "the loopback service was never reached"
    );
    assert_eq!(
        granted_seen
            .lock()
            .expect("lock")
            .first()
            .map(String::as_str),
        Some("/")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_network_reaches_only_granted_origins_and_downloads_stay_in_the_output() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('strict', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('Hello');
  const err = await page.goto('http://example.com/').catch((e) => e);
  expect(String(err)).toContain('page.goto: http://example.com/ is refused by the browser\'s network policy: the policy is strict');
  expect(String(err)).toContain('strictNetwork is set in the config: add "http://example.com" to allowNet');
  await page.goto('data:text/html,<title>inline</title>');
  await expect(page).toHaveTitle('inline');
  // A third party the test answers itself needs no grant.
  await page.route('https://idp.example/**', (route) => route.fulfill({ body: '<title>idp</title>', contentType: 'text/html' }));
  await page.goto('https://idp.example/login');
  await expect(page).toHaveTitle('idp');
});
test('downloads', async ({ page }) => {
  await page.goto('/');
  await page.setContent('<a href="/report.csv" download="../../escape.csv">get</a>');
  await page.locator('a').click();
  await new Promise((r) => setTimeout(r, 1000));
});
"#;
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["json"]], "workers": 1, "timeout": 20000, "strictNetwork": true }"#,
        ),
        ("tests/strict.spec.ts", spec),
        ("site/report.csv", "a,b\n1,2\n"),
    ]);
    let run = run_in(dir.path().to_path_buf()).await;
    run.assert_passed(&["strict", "downloads"]);
    let downloads = dir.path().join("test-results/downloads");
    let saved: Vec<String> = std::fs::read_dir(&downloads)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", downloads.display(), run.stderr))
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).unwrap_or_default())
        .collect();
    assert_eq!(
        saved,
        ["a,b\n1,2\n"],
        "the download is in the output directory"
    );
    assert!(!dir.path().join("escape.csv").exists());
    assert!(
        !dir.path()
            .parent()
            .expect("parent")
            .join("escape.csv")
            .exists()
    );
}

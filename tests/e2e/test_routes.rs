//! Routing as Playwright chains it, through `isolate-browser test` against a loopback server of
//! the test's own that echoes what reached it: handlers run newest first (page before context),
//! `fallback(overrides)` hands the changed request on (matched again by its new URL), `times`
//! and `unroute(url, handler)`, `route.fetch()` and `fulfill({ response | path | json })`, CORS
//! for fulfilled cross-origin requests, and `waitForFunction` (page, frame and locator) whose
//! value stays in the page as a handle.

use crate::support::response;
use crate::support::serve;
use crate::test_runner::project;
use crate::test_runner::run_test;

const SPEC: &str = r#"import { test, expect } from '@playwright/test';

test('handlers chain newest first, page before context, until one answers', async ({ page, context }) => {
  const seen = [];
  await context.route('**/empty', (route) => { seen.push('context'); return route.fallback(); });
  await page.route('**/*', (route) => { seen.push(1); return route.fallback(); });
  await page.route('**/empty', (route) => { seen.push(2); return route.fallback(); });
  const four = (route) => { seen.push(4); return route.fallback(); };
  await page.route(/empty/, four);
  await page.goto('/empty');
  expect(seen).toEqual([4, 2, 1, 'context']);

  seen.length = 0;
  await page.unroute(/empty/, four);
  await page.goto('/empty');
  expect(seen).toEqual([2, 1, 'context']);

  seen.length = 0;
  await page.unroute('**/empty');
  await page.goto('/empty');
  expect(seen).toEqual([1, 'context']);

  // An answer ends the chain: older handlers never see the request.
  seen.length = 0;
  await page.route('**/empty', (route) => { seen.push('fulfill'); return route.fulfill({ body: 'fulfilled' }); });
  await page.route('**/empty', (route) => { seen.push('first'); return route.fallback(); });
  const response = await page.goto('/empty');
  expect(await response.text()).toBe('fulfilled');
  expect(seen).toEqual(['first', 'fulfill']);

  await page.unrouteAll();
  await context.unrouteAll();
  seen.length = 0;
  expect(await (await page.goto('/empty')).text()).toContain('"path":"/empty"');
  expect(seen).toEqual([]);
});

test('a route answers once; a second answer fails', async ({ page }) => {
  let second;
  await page.route('**/empty', async (route) => {
    await route.fulfill({ body: 'one' });
    second = await route.continue().catch((e) => e.message);
  });
  await page.goto('/empty');
  await expect.poll(() => second).toContain('Route is already handled!');
});

test('route.request() is the page\'s request, with its frame and response', async ({ page }) => {
  await page.goto('/empty');
  let routed;
  await page.route('**/ident', (route, request) => { routed = request; expect(route.request()).toBe(request); return route.continue({ postData: '' }); });
  const [request] = await Promise.all([
    page.waitForRequest('**/ident'),
    page.evaluate(() => fetch('/ident', { method: 'POST', body: 'original' })),
  ]);
  expect(routed).toBe(request);
  expect(request.frame()).toBe(page.mainFrame());
  // The continue's override is what the request says it sent.
  expect(request.postData()).toBe('');
  expect((await request.response()).status()).toBe(200);
  await page.route('**/nav', (route) => { expect(route.request().isNavigationRequest()).toBe(true); return route.fulfill({ body: 'nav' }); });
  await page.goto('/nav');
  // A data: document has no response; a data: fetch is no request.
  expect(await page.goto('data:text/html,<p>yo</p>')).toBe(null);
});

test('times limits how many requests a handler takes', async ({ page }) => {
  let count = 0;
  await page.route('**/empty', (route) => { count++; return route.fulfill({ body: 'mocked' }); }, { times: 2 });
  const bodies = [];
  for (let i = 0; i < 3; i++) bodies.push(await (await page.goto('/empty')).text());
  expect(count).toBe(2);
  expect(bodies.slice(0, 2)).toEqual(['mocked', 'mocked']);
  expect(bodies[2]).toContain('"path":"/empty"');
});

test('fallback overrides reach later handlers and the server', async ({ page }) => {
  await page.goto('/empty');
  const views = [];
  await page.route('**/moved', (route) => {
    views.push([route.request().url().replace(/^.*\//, ''), route.request().method(), route.request().headers()['x-extra'], route.request().postData()]);
    return route.continue();
  });
  await page.route('**/start', (route) => route.fallback({
    url: route.request().url().replace('/start', '/moved'),
    method: 'PUT',
    headers: { ...route.request().headers(), 'x-extra': 'added' },
    postData: 'changed body',
  }));
  const echoed = await page.evaluate(() => fetch('/start', { method: 'POST', body: 'original' }).then((r) => r.json()));
  expect(views).toEqual([['moved', 'PUT', 'added', 'changed body']]);
  expect(echoed).toEqual({ method: 'PUT', path: '/moved', extra: 'added', body: 'changed body' });
  // A header whose value is undefined is deleted.
  await page.route('**/plain', (route) => route.fallback({ headers: { ...route.request().headers(), 'x-extra': undefined } }));
  const plain = await page.evaluate(() => fetch('/plain', { headers: { 'x-extra': 'sent' } }).then((r) => r.json()));
  expect(plain.extra).toBe(null);
  // A fallback cannot change the protocol (no way around the network policy).
  let refused = '';
  await page.route('**/leak', (route) => route.fallback({ url: 'file:///etc/passwd' }).catch((e) => { refused = e.message; return route.abort(); }));
  await page.evaluate(() => fetch('/leak').catch(() => {}));
  expect(refused).toContain('New URL must have same protocol as overridden URL');
});

test('route.fetch and fulfill with its response, changed', async ({ page }) => {
  await page.route('**/empty', async (route) => {
    const original = await route.fetch({ headers: { ...route.request().headers(), 'x-extra': 'from-route' } });
    const echoed = await original.json();
    await route.fulfill({ response: original, status: 201, headers: { ...original.headers(), 'x-seen-extra': echoed.extra } });
  });
  const response = await page.goto('/empty');
  expect(response.status()).toBe(201);
  expect(response.headers()['x-seen-extra']).toBe('from-route');
  expect(await response.text()).toContain('"path":"/empty"');
  // maxRedirects: 0 gives the redirect itself.
  let redirect;
  await page.route('**/old', async (route) => {
    const r = await route.fetch({ maxRedirects: 0 });
    redirect = [r.status(), r.headers()['location']];
    await route.fulfill({ body: 'stopped' });
  });
  await page.goto('/old');
  expect(redirect).toEqual([302, '/empty']);
  // Anything but an APIResponse is refused before the route is used, so it can still answer.
  await page.route('**/bad', async (route) => {
    const err = await route.fulfill({ response: {} }).catch((e) => e.message);
    await route.fulfill({ body: err });
  });
  expect(await (await page.goto('/bad')).text()).toContain('response must be an APIResponse');
});

test('fulfill serves a project file by path, and refuses paths outside it', async ({ page }) => {
  await page.route('**/served', (route) => route.fulfill({ path: 'assets/served.html' }));
  const response = await page.goto('/served');
  expect(response.headers()['content-type']).toBe('text/html');
  await expect(page.locator('h1')).toHaveText('from the project');
  let refused = '';
  await page.route('**/escape', (route) => route.fulfill({ path: '../../../etc/passwd' }).catch((e) => { refused = e.message; return route.abort(); }));
  await page.goto('/escape').catch(() => {});
  expect(refused).toMatch(/outside the project|not allowed|refused/);
  let linked = '';
  await page.route('**/link', (route) => route.fulfill({ path: 'assets/link-out' }).catch((e) => { linked = e.message; return route.abort(); }));
  await page.goto('/link').catch(() => {});
  expect(linked).toMatch(/outside the project|not allowed|refused/);
});

test('a fulfilled cross-origin request is allowed for the page, preflight included', async ({ page, baseURL }) => {
  await page.goto('/empty');
  await page.route('https://api.example/cars', (route) => route.fulfill({ json: ['electric', 'gas'] }));
  const [result, response] = await Promise.all([
    page.evaluate(() => fetch('https://api.example/cars', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
    }).then((r) => r.json())),
    page.waitForResponse('https://api.example/cars'),
  ]);
  expect(result).toEqual(['electric', 'gas']);
  expect(await response.headerValue('access-control-allow-origin')).toBe(baseURL);
  // A fulfill that names its own allowed origin keeps it, and the browser enforces it.
  await page.route('https://api.example/strict', (route) => route.fulfill({ body: 'x', headers: { 'access-control-allow-origin': 'http://elsewhere' } }));
  const err = await page.evaluate(() => fetch('https://api.example/strict').then(() => 'read', (e) => e.message));
  expect(err).toContain('Failed to fetch');
});

test('waitForFunction polls in the page and gives a handle', async ({ page }) => {
  await page.goto('/empty');
  await page.evaluate(() => setTimeout(() => (window.__ready = 'yes'), 100));
  const handle = await page.waitForFunction(() => window.__ready && { value: window.__ready }, undefined, { polling: 50 });
  expect(await handle.jsonValue()).toEqual({ value: 'yes' });
  await page.evaluate(() => setTimeout(() => (window.__later = 7), 200));
  const later = await page.waitForFunction(() => window.__later);
  expect(await later.jsonValue()).toBe(7);
  expect(await (await page.waitForFunction(() => window)).evaluate((w) => w === window)).toBe(true);
  const div = await page.evaluateHandle(() => { const d = document.createElement('div'); document.body.append(d); setTimeout(() => d.remove(), 100); return d; });
  await page.waitForFunction((el) => !el.isConnected, div);
  const timeout = await page.waitForFunction('false', undefined, { timeout: 100 }).catch((e) => e);
  expect(timeout.name).toBe('TimeoutError');
  expect(timeout.message).toContain('page.waitForFunction: Timeout 100ms exceeded');
  // The page stops polling at the deadline.
  await page.evaluate(() => (window.__calls = 0));
  await page.waitForFunction(() => { window.__calls++; return false; }, undefined, { polling: 10, timeout: 200 }).catch(() => {});
  const calls = await page.evaluate(() => window.__calls);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.__calls)).toBe(calls);
  expect((await page.waitForFunction(() => { throw new Error('oh my'); }).catch((e) => e)).message).toContain('oh my');
  expect((await page.waitForFunction(() => true, undefined, { polling: 'mutation' }).catch((e) => e)).message).toContain('Unknown polling option: mutation');
  expect((await page.waitForFunction(() => true, undefined, { polling: -10 }).catch((e) => e)).message).toContain('Cannot poll with non-positive interval');
  // A navigation between checks: the wait goes on in the new document.
  const survived = page.waitForFunction(() => location.pathname === '/other' && document.title === 'echo');
  await page.goto('/other');
  await survived;
});

test('locator.waitForFunction checks the element, found again at each check', async ({ page }) => {
  await page.goto('/empty');
  await page.evaluate(() => {
    let n = 0;
    const tick = () => {
      n++;
      document.querySelector('#target')?.remove();
      const d = document.createElement('div');
      d.id = 'target';
      d.textContent = String(n);
      document.body.append(d);
      if (n < 3) setTimeout(tick, 100);
    };
    tick();
  });
  expect(await page.locator('#target').waitForFunction((el) => el.textContent === '3')).toBe(undefined);
  await page.setContent('<div class=x>1</div><div class=x>2</div>');
  expect((await page.locator('div.x').waitForFunction(() => true).catch((e) => e)).message).toContain('strict mode violation');
  const t = await page.locator('div.x').first().waitForFunction(() => false, undefined, { timeout: 200 }).catch((e) => e);
  expect(t.message).toContain('locator.waitForFunction: Timeout 200ms exceeded');
});
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_chain_as_playwrights() {
    let addr = serve(|s| {
        if s.path == "/old" {
            let mut r = response(302, "text/plain", "");
            r.headers_mut()
                .insert("location", "/empty".parse().expect("header"));
            return r;
        }
        let extra = s
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-extra"))
            .map(|(_, v)| v.clone());
        let body = serde_json::json!({
            "method": s.method,
            "path": s.path,
            "extra": extra,
            "body": String::from_utf8_lossy(&s.body),
        });
        let mut r = response(200, "application/json", body.to_string());
        if s.path == "/other" {
            r = response(200, "text/html", "<title>echo</title>other");
        }
        r
    })
    .await;
    let config = format!(
        r#"{{ "testDir": "tests", "reporter": [["list"], ["json"]], "timeout": 20000,
          "use": {{ "baseURL": "http://127.0.0.1:{}" }} }}"#,
        addr.port()
    );
    let dir = project(&[
        ("isolate-browser.config.json", config.as_str()),
        ("tests/routes.spec.ts", SPEC),
        (
            "assets/served.html",
            "<!doctype html><h1>from the project</h1>",
        ),
    ]);
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("assets/link-out")).expect("link");
    let path = dir.path().to_path_buf();
    let run = tokio::task::spawn_blocking(move || run_test(&path, &[]))
        .await
        .expect("run");
    run.assert_passed(&[
        "handlers chain newest first, page before context, until one answers",
        "a route answers once; a second answer fails",
        "route.request() is the page's request, with its frame and response",
        "times limits how many requests a handler takes",
        "fallback overrides reach later handlers and the server",
        "route.fetch and fulfill with its response, changed",
        "fulfill serves a project file by path, and refuses paths outside it",
        "a fulfilled cross-origin request is allowed for the page, preflight included",
        "waitForFunction polls in the page and gives a handle",
        "locator.waitForFunction checks the element, found again at each check",
    ]);
}

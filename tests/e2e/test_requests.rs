//! Requests and responses as Playwright models them, through `isolate-browser test` against a
//! loopback server of the test's own: the frame a request came from, its headers and post data
//! (text, bytes, JSON, forms), navigation requests, redirect chains (a `Request` per hop, each
//! hop's response), `response.request()`, `request.response()`, `requestfinished`, and
//! `page.requests()`.

use crate::support::response;
use crate::support::serve;
use crate::test_runner::project;
use crate::test_runner::run_test;

const SPEC: &str = r#"import { test, expect } from '@playwright/test';

test('requests know their frame, headers and body', async ({ page }) => {
  const requests = [];
  page.on('request', (r) => requests.push(r));
  const response = await page.goto('/page');
  expect(requests.length).toBe(1);
  expect(requests[0].frame()).toBe(page.mainFrame());
  expect(requests[0].isNavigationRequest()).toBe(true);
  expect(requests[0].resourceType()).toBe('document');
  // The navigation's response knows its request, with the headers Chromium sent.
  const request = response!.request();
  expect(request.url()).toBe(page.url());
  expect(request.headers()['user-agent']).toContain('Chrome');
  expect((await request.allHeaders())['user-agent']).toContain('Chrome');
  expect(request.postData()).toBe(null);
  expect(request.postDataJSON()).toBe(null);
  expect(request.isNavigationRequest()).toBe(true);
  expect(response!.headers()['x-served-by']).toBe('test');
  expect(await response!.headerValue('x-served-by')).toBe('test');
  expect(await response!.headersArray()).toContainEqual({ name: 'x-served-by', value: 'test' });
  const addr = await response!.serverAddr();
  expect(addr!.ipAddress).toBe('127.0.0.1');
  // The address Chromium connected to: the run's policy proxy stands between it and loopback.
  expect(addr!.port).toBeGreaterThan(0);

  requests.length = 0;
  const [json] = await Promise.all([
    page.waitForRequest('**/post-json'),
    page.evaluate(() => fetch('/post-json', { method: 'POST', body: JSON.stringify({ foo: 'bar' }) })),
  ]);
  expect(json.method()).toBe('POST');
  expect(json.postData()).toBe('{"foo":"bar"}');
  expect(json.postDataJSON()).toEqual({ foo: 'bar' });
  expect(json.isNavigationRequest()).toBe(false);
  expect(json.frame()).toBe(page.mainFrame());
  const jsonResponse = await json.response();
  expect(jsonResponse!.status()).toBe(200);
  expect(jsonResponse!.request()).toBe(json);

  const [bytes] = await Promise.all([
    page.waitForRequest('**/post-bytes'),
    page.evaluate(() => fetch('/post-bytes', { method: 'POST', body: new Uint8Array(Array.from(Array(256).keys())) })),
  ]);
  const buffer = bytes.postDataBuffer()!;
  expect(buffer.length).toBe(256);
  for (let i = 0; i < 256; i++) expect(buffer[i]).toBe(i);

  const [form] = await Promise.all([
    page.waitForRequest('**/post-form'),
    page.evaluate(() => fetch('/post-form', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: 'foo=bar&baz=123',
    })),
  ]);
  expect(form.postDataJSON()).toEqual({ foo: 'bar', baz: '123' });
  expect(await form.headerValue('content-type')).toBe('application/x-www-form-urlencoded; charset=UTF-8');

  const [broken] = await Promise.all([
    page.waitForRequest('**/post-text'),
    page.evaluate(() => fetch('/post-text', { method: 'POST', body: 'not json' })),
  ]);
  expect(() => broken.postDataJSON()).toThrow('POST data is not a valid JSON object: not json');
});

test('a subframe request names its frame', async ({ page }) => {
  await page.goto('/page');
  const [request] = await Promise.all([
    page.waitForRequest('**/child'),
    page.evaluate(() => {
      const f = document.createElement('iframe');
      f.src = '/child';
      document.body.appendChild(f);
    }),
  ]);
  await expect.poll(() => page.frames().length).toBe(2);
  expect(request.frame()).toBe(page.frames()[1]);
  expect(request.isNavigationRequest()).toBe(true);
});

test('a redirect chain is a request per hop', async ({ page }) => {
  const requests = [];
  const responses = [];
  const finished = [];
  page.on('request', (r) => requests.push(r));
  page.on('response', (r) => responses.push(r));
  page.on('requestfinished', (r) => finished.push(r));
  const response = await page.goto('/old');
  expect(page.url()).toMatch(/\/page$/);
  expect(requests.map((r) => new URL(r.url()).pathname)).toEqual(['/old', '/page']);
  expect(requests[1].redirectedFrom()).toBe(requests[0]);
  expect(requests[0].redirectedTo()).toBe(requests[1]);
  expect(requests[0].redirectedFrom()).toBe(null);
  await expect.poll(() => responses.length).toBe(2);
  expect(responses.map((r) => r.status())).toEqual([302, 200]);
  expect(responses[0].request()).toBe(requests[0]);
  expect(responses[1].request()).toBe(requests[1]);
  expect(await requests[0].response()).toBe(responses[0]);
  expect(response!.status()).toBe(200);
  await expect.poll(() => finished.map((r) => new URL(r.url()).pathname)).toContain('/page');

  // What the page kept: every request, oldest first, the same objects the listener got.
  // (Chromium's own /favicon.ico requests are not reported, as in Playwright.)
  await page.waitForTimeout(300);
  const kept = await page.requests();
  expect(kept.map((r) => new URL(r.url()).pathname)).toEqual(['/old', '/page']);
  expect(kept[1]).toBe(requests[1]);
});

test('response bodies as bytes, text and JSON', async ({ page }) => {
  const response = await page.goto('/page');
  expect(await response!.text()).toBe('<!doctype html><p>page</p>');
  expect((await response!.body()).length).toBe(26);
  expect(await response!.finished()).toBe(null);
  const [api] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api')),
    page.evaluate(() => fetch('/api').then((r) => r.text())),
  ]);
  expect(await api.json()).toEqual({ answer: 42 });
  // A redirect's own response has no body.
  const responses = [];
  page.on('response', (r) => responses.push(r));
  await page.goto('/old');
  await expect.poll(() => responses.length).toBe(2);
  await expect(responses[0].body()).rejects.toThrow('Response body is unavailable for redirect responses');
  expect(await responses[1].text()).toContain('page');
});

test('a failed request has no response', async ({ page }) => {
  await page.goto('/page');
  const [failed] = await Promise.all([
    page.waitForEvent('requestfailed'),
    // A loopback port the config does not grant: the network policy fails the request.
    page.evaluate(() => fetch('http://127.0.0.1:9/refused').catch(() => {})),
  ]);
  expect(failed.failure()!.errorText).toContain('net::ERR_');
  expect(await failed.response()).toBe(null);
});
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_responses_are_playwrights() {
    let addr = serve(|s| match s.path.as_str() {
        "/page" => {
            let mut r = response(200, "text/html", "<!doctype html><p>page</p>");
            r.headers_mut()
                .insert("x-served-by", "test".parse().expect("header"));
            r
        }
        "/child" => response(200, "text/html", "<p>child</p>"),
        "/api" => response(200, "application/json", r#"{"answer":42}"#),
        "/old" => {
            let mut r = response(302, "text/plain", "");
            r.headers_mut()
                .insert("location", "/page".parse().expect("header"));
            r
        }
        _ => response(200, "text/plain", "ok"),
    })
    .await;
    let config = format!(
        r#"{{ "testDir": "tests", "reporter": [["list"], ["json"]], "timeout": 15000,
          "use": {{ "baseURL": "http://127.0.0.1:{}" }} }}"#,
        addr.port()
    );
    let dir = project(&[
        ("isolate-browser.config.json", config.as_str()),
        ("tests/requests.spec.ts", SPEC),
    ]);
    let path = dir.path().to_path_buf();
    let run = tokio::task::spawn_blocking(move || run_test(&path, &[]))
        .await
        .expect("run");
    run.assert_passed(&[
        "requests know their frame, headers and body",
        "a subframe request names its frame",
        "a redirect chain is a request per hop",
        "response bodies as bytes, text and JSON",
        "a failed request has no response",
    ]);
}

//! Page events as Playwright has them. Console messages and page errors:
//! `consoleMessage.args()` as handles, CDP's type names, zero-based locations, timestamps, and
//! what a page keeps (`page.consoleMessages()` / `pageErrors()` with their navigation filter,
//! and `clear*`). File choosers: an input the page opens while someone listens, with
//! `setFiles`. Page life: `load`, `domcontentloaded`, `close`; a context's events of its pages;
//! and `waitForEvent`'s timeouts
//! (its own, the page's default, none) and `signal`.

use super::test_runner::project;
use super::test_runner::run_test;

const CONFIG: &str = r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["list"], ["json"]], "timeout": 15000 }"#;

/// `console.log` on line 8 (7 from zero).
const LOG_PAGE: &str = "<!doctype html>
<html>
  <head>
    <title>log</title>
  </head>
  <body>
    <script>
      console.log('here:' + location.pathname)
    </script>
  </body>
</html>
";

const SPEC: &str = r#"import { test, expect } from '@playwright/test';

test('arguments are handles', async ({ page }) => {
  await page.goto('/');
  const [message] = await Promise.all([
    page.waitForEvent('console', (m) => m.text().startsWith('hello')),
    page.evaluate(() => console.log('hello', 5, { foo: 'bar' }, document.querySelector('h1'))),
  ]);
  expect(message.text()).toContain('hello 5 {foo: bar}');
  expect(message.type()).toBe('log');
  expect(message.page()).toBe(page);
  const args = message.args();
  expect(args.length).toBe(4);
  expect(await args[0].jsonValue()).toBe('hello');
  expect(await args[1].jsonValue()).toBe(5);
  expect(await args[2].jsonValue()).toEqual({ foo: 'bar' });
  // An object argument stays in the page: it is the page's own object.
  expect(await args[2].evaluate((o) => { o.foo = 'changed'; return o.foo; })).toBe('changed');
  const heading = args[3].asElement();
  expect(heading).not.toBeNull();
  expect(await heading!.evaluate((e) => e.id)).toBe('title');
  expect(await heading!.textContent()).toBe('Hello');
});

test('types, locations and timestamps', async ({ page }) => {
  const messages = [];
  page.on('console', (m) => messages.push(m));
  const before = Date.now() - 1000;
  await page.evaluate(() => {
    console.time('t');
    console.timeEnd('t');
    console.warn('careful');
    console.error('bad');
    console.debug('detail');
  });
  const after = Date.now() + 1000;
  await expect.poll(() => messages.length).toBe(4);
  expect(messages.map((m) => m.type())).toEqual(['timeEnd', 'warning', 'error', 'debug']);
  for (const m of messages) {
    expect(m.timestamp()).toBeGreaterThanOrEqual(before);
    expect(m.timestamp()).toBeLessThanOrEqual(after);
  }
  for (let i = 1; i < messages.length; i++) expect(messages[i].timestamp()).toBeGreaterThanOrEqual(messages[i - 1].timestamp());

  const [logged] = await Promise.all([
    page.waitForEvent('console', (m) => m.text().startsWith('here:')),
    page.goto('/log.html'),
  ]);
  expect(logged.text()).toBe('here:/log.html');
  const { url, line, lineNumber, column, columnNumber } = logged.location();
  expect({ url, line, lineNumber }).toEqual({ url: page.url(), line: 7, lineNumber: 7 });
  // V8 places a call at its callee (`log`), past the line's indentation of 6.
  expect(column).toBe(columnNumber);
  expect(column).toBeGreaterThanOrEqual(6);
});

test('a page keeps its messages and errors', async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => { for (let i = 0; i < 301; i++) console.log('message' + i); });
  let kept = await page.consoleMessages();
  // The newest 200, oldest first.
  expect(kept.length).toBe(200);
  expect(kept[0].text()).toBe('message101');
  expect(kept[199].text()).toBe('message300');
  expect(kept[199].page()).toBe(page);
  expect(await kept[199].args()[0].jsonValue()).toBe('message300');

  await page.clearConsoleMessages();
  expect(await page.consoleMessages()).toEqual([]);
  await page.evaluate(() => console.log('before navigation'));
  await page.goto('/error.html');
  await page.evaluate(() => console.log('after navigation'));
  expect((await page.consoleMessages()).map((m) => m.text())).toEqual(['after navigation']);
  expect((await page.consoleMessages({ filter: 'all' })).map((m) => m.text())).toEqual(['before navigation', 'after navigation']);

  await page.goto('/log.html');
  expect(await page.pageErrors()).toEqual([]);
  const errors = await page.pageErrors({ filter: 'all' });
  expect(errors.length).toBe(1);
  expect(errors[0]).toBeInstanceOf(Error);
  expect(errors[0].message).toBe('boom at load');
  await page.clearPageErrors();
  expect(await page.pageErrors({ filter: 'all' })).toEqual([]);

  await expect(page.consoleMessages({ filter: 'recent' as any })).rejects.toThrow('filter: expected one of (all|since-navigation), got "recent"');
});
"#;

#[test]
fn console_messages_and_page_errors_are_playwrights() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("site/log.html", LOG_PAGE),
        (
            "site/error.html",
            "<!doctype html><script>throw new Error('boom at load')</script>",
        ),
        ("tests/console.spec.ts", SPEC),
    ]);
    let run = run_test(dir.path(), &[]);
    run.assert_passed(&[
        "arguments are handles",
        "types, locations and timestamps",
        "a page keeps its messages and errors",
    ]);
    assert_eq!(run.code, 0);
}

const CHOOSER_SPEC: &str = r#"import { test, expect } from '@playwright/test';

test('file choosers', async ({ page }) => {
  await page.setContent('<input type=file oninput="window.picked = [...this.files].map((f) => f.name)">');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('input')]);
  expect(chooser.page()).toBe(page);
  expect(chooser.isMultiple()).toBe(false);
  expect(await chooser.element().evaluate((e) => e.type)).toBe('file');
  await chooser.setFiles({ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  expect(await page.evaluate(() => (window as any).picked)).toEqual(['a.txt']);

  // An input opened by script gets a project file by path.
  const [, content] = await Promise.all([
    page.waitForEvent('filechooser').then((c) => c.setFiles('files/upload.txt')),
    page.evaluate(async () => {
      const el = document.createElement('input');
      el.type = 'file';
      document.body.appendChild(el);
      el.click();
      await new Promise((x) => (el.oninput = x));
      return await el.files![0].text();
    }),
  ]);
  expect(content).toBe('contents of the file');

  // Every listener gets the same chooser.
  await page.setContent('<input multiple type=file>');
  const [multi, same] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.waitForEvent('filechooser'),
    page.$eval('input', (i: HTMLInputElement) => i.click()),
  ]);
  expect(multi.isMultiple()).toBe(true);
  expect(multi).toBe(same);

  await expect(page.waitForEvent('filechooser', { timeout: 100 })).rejects.toThrow(
    'Timeout 100ms exceeded while waiting for event "filechooser"',
  );
});
"#;

#[test]
fn file_choosers_are_reported_with_their_input() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("files/upload.txt", "contents of the file"),
        ("tests/chooser.spec.ts", CHOOSER_SPEC),
    ]);
    let run = run_test(dir.path(), &[]);
    run.assert_passed(&["file choosers"]);
}

const LIFE_SPEC: &str = r#"import { test, expect } from '@playwright/test';

test('load, domcontentloaded and close', async ({ page, context }) => {
  const seen = [];
  page.on('domcontentloaded', (p) => seen.push(['domcontentloaded', p === page]));
  page.on('load', (p) => seen.push(['load', p === page]));
  const [loaded] = await Promise.all([page.waitForEvent('load'), page.goto('/log.html')]);
  expect(loaded).toBe(page);
  await expect.poll(() => seen).toEqual([['domcontentloaded', true], ['load', true]]);

  const other = await context.newPage();
  const closed = [];
  other.on('close', (p) => closed.push(p));
  await other.close();
  expect(closed).toEqual([other]);
});

test('a context closing closes its pages', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const events = [];
  page.on('close', () => events.push('page'));
  context.on('close', () => events.push('context'));
  await context.close();
  expect(events).toEqual(['page', 'context']);
});

test('a context reports the requests and console of its pages', async ({ context, page }) => {
  const paths = [];
  const texts = [];
  context.on('request', (r) => paths.push(new URL(r.url()).pathname));
  context.on('console', (m) => texts.push(m.text()));
  await page.goto('/log.html');
  const second = await context.newPage();
  await second.goto('/');
  await expect.poll(() => paths).toEqual(['/log.html', '/']);
  await expect.poll(() => texts).toEqual(['here:/log.html']);
  const [request] = await Promise.all([
    context.waitForEvent('request'),
    second.evaluate(() => fetch('/log.html')),
  ]);
  expect(request.frame()).toBe(second.mainFrame());
});

test('waitForEvent timeouts and signals', async ({ page }) => {
  const started = Date.now();
  await expect(page.waitForEvent('filechooser', { timeout: 50 })).rejects.toThrow('Timeout 50ms exceeded');
  page.setDefaultTimeout(60);
  await expect(page.waitForEvent('popup')).rejects.toThrow('page.waitForEvent: Timeout 60ms exceeded while waiting for event "popup"');
  expect(Date.now() - started).toBeLessThan(5000);
  // 0 is no timeout: the wait outlasts the default and ends with its event.
  const [message] = await Promise.all([
    page.waitForEvent('console', { predicate: (m) => m.text() === 'late', timeout: 0 }),
    page.evaluate(() => new Promise((done) => setTimeout(() => { console.log('late'); done(null); }, 200))),
  ]);
  expect(message.text()).toBe('late');

  const controller = new AbortController();
  const waiting = page.waitForEvent('filechooser', { signal: controller.signal, timeout: 0 });
  controller.abort('Aborted by user');
  const error = await waiting.catch((e) => e);
  expect(error.name).toBe('AbortError');
  expect(error.cause).toBe('Aborted by user');
  const aborted = AbortSignal.abort('already');
  await expect(page.waitForEvent('console', { signal: aborted })).rejects.toMatchObject({ name: 'AbortError', cause: 'already' });
});
"#;

#[test]
fn page_life_events_and_waits_end_as_playwrights_do() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("site/log.html", LOG_PAGE),
        ("tests/life.spec.ts", LIFE_SPEC),
    ]);
    let run = run_test(dir.path(), &[]);
    run.assert_passed(&[
        "load, domcontentloaded and close",
        "a context closing closes its pages",
        "a context reports the requests and console of its pages",
        "waitForEvent timeouts and signals",
    ]);
}

const WAITS_SPEC: &str = r#"import { test, expect } from '@playwright/test';

test('waitForNavigation gives the document response, or null within the document', async ({ page }) => {
  await page.goto('/log.html');
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.evaluate(() => (location.href = '/other.html')),
  ]);
  expect(response!.ok()).toBe(true);
  expect(response!.url()).toContain('/other.html');
  await page.setContent(`<a href='#below'>down</a>`);
  const [same] = await Promise.all([page.waitForNavigation(), page.click('a')]);
  expect(same).toBe(null);

  const late = page.waitForNavigation({ url: '**/never.html', timeout: 1500 });
  await page.goto('/log.html');
  const error = await late.catch((e) => e);
  expect(error.message).toContain('page.waitForNavigation: Timeout 1500ms exceeded.');
  expect(error.message).toContain('waiting for navigation to "**/never.html" until "load"');
  expect(error.message).toMatch(/navigated to "http:\/\/127\.0\.0\.1:\d+\/log\.html"/);

  await expect(page.waitForLoadState('nope' as any)).rejects.toThrow('state: expected one of (load|domcontentloaded|networkidle|commit)');
  const response2 = await page.waitForResponse('foo.css', { timeout: 300 }).catch((e) => e);
  expect(response2.message).toContain('page.waitForResponse: Timeout 300ms exceeded while waiting for event "response"');
  expect(response2.message).toContain('waiting for response "foo.css"');
  const request = await page.waitForRequest(/foo.css/i, { timeout: 300 }).catch((e) => e);
  expect(request.message).toContain('waiting for request /foo.css/i');
});

test('console text names what it cannot preview; the browser speaks on the console too', async ({ page, baseURL }) => {
  const texts: string[] = [];
  page.on('console', (m) => texts.push(`${m.type()}: ${m.text()}`));
  await page.evaluate(() => console.log([1, 2], { a: 1 }, window, Promise.resolve(1)));
  expect(texts).toEqual(['log: [1, 2] {a: 1} Window Promise']);
  // A refused cross-origin fetch is reported by the browser, not by a console call.
  await page.goto('about:blank');
  const [message] = await Promise.all([
    page.waitForEvent('console', (m) => /Access-Control|CORS/.test(m.text())),
    page.evaluate((url) => fetch(url).catch(() => {}), `${baseURL}/log.html`),
  ]);
  expect(message.type()).toBe('error');
  expect(message.text()).toMatch(/Access-Control-Allow-Origin|CORS/);
});

test('dialogs close with an event; a context hears its pages and popups', async ({ page, context }) => {
  const closed: any[] = [];
  page.on('dialogclosed', (d) => closed.push(d));
  let opened: any;
  page.on('dialog', (d) => {
    opened = d;
    void d.accept();
  });
  await page.evaluate(() => alert('yo'));
  await expect.poll(() => closed.length).toBe(1);
  expect(closed[0]).toBe(opened);
  expect(opened.page()).toBe(page);
  page.removeAllListeners('dialog');

  // An unanswered dialog is dismissed, and its closing still reported.
  const dismissed = page.waitForEvent('dialogclosed');
  await page.evaluate(() => confirm('sure?'));
  expect((await dismissed).message()).toBe('sure?');

  const other = await context.newPage();
  const [dialog] = await Promise.all([
    context.waitForEvent('dialog'),
    other.evaluate(() => setTimeout(() => alert('from the other page'), 0)),
  ]);
  expect(dialog.page()).toBe(other);
  await dialog.dismiss();

  // A popup's window comes back from evaluate as a reference, not as its properties.
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate(() => window.open('about:blank'))]);
  expect(await popup.evaluate(() => !!window.opener)).toBe(true);
});

test('an action says what it waits for and how long each retry waits', async ({ page }) => {
  await page.setContent('<button style="display: none">b</button>');
  const hidden = await page.click('button', { timeout: 1000 }).catch((e) => e);
  expect(hidden.message).toContain('page.click: Timeout 1000ms exceeded.');
  expect(hidden.message).toContain('  - attempting click action\n  -   waiting for element to be visible, enabled and stable\n  -   element is not visible\n  - retrying click action\n  -   waiting 20ms');

  await page.setContent(`<button>b</button><div id=blocker style="position: absolute; inset: 0"><div id=inner style="position: absolute; inset: 0"></div></div>`);
  const covered = await page.click('button', { timeout: 2000 }).catch((e) => e);
  expect(covered.message).toContain('<div id="inner"></div> from <div id="blocker">…</div> subtree intercepts pointer events');
  expect(covered.message).toContain('waiting 500ms');
});
"#;

#[test]
fn navigation_waits_dialogs_and_action_logs_are_playwrights() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("site/log.html", LOG_PAGE),
        ("site/other.html", "<!doctype html><title>other</title>"),
        ("tests/waits.spec.ts", WAITS_SPEC),
    ]);
    let run = run_test(dir.path(), &[]);
    run.assert_passed(&[
        "waitForNavigation gives the document response, or null within the document",
        "console text names what it cannot preview; the browser speaks on the console too",
        "dialogs close with an event; a context hears its pages and popups",
        "an action says what it waits for and how long each retry waits",
    ]);
    assert_eq!(run.code, 0);
}

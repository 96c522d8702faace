//! Console messages and page errors as Playwright has them: `consoleMessage.args()` as handles,
//! CDP's type names, zero-based locations, timestamps, and what a page keeps
//! (`page.consoleMessages()` / `pageErrors()` with their navigation filter, and `clear*`).

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
    page.waitForEvent('console'),
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
    for title in [
        "arguments are handles",
        "types, locations and timestamps",
        "a page keeps its messages and errors",
    ] {
        assert_eq!(
            run.status(title),
            ["passed"],
            "{title}: {}\n{}",
            run.error(title),
            run.stdout
        );
    }
    assert_eq!(run.code, 0);
}

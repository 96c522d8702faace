//! The test API inside the isolate, end to end through `isolate-browser test`: every web-first
//! matcher passing and failing with Playwright's message, page events, routes, the `request`
//! fixture, attachments and screenshots on failure, and the library API with its event stream.

use std::sync::Arc;
use std::sync::Mutex;

use isolate_browser::suite::BrowserSource;
use isolate_browser::suite::InMemorySpec;
use isolate_browser::suite::LaunchOptions;
use isolate_browser::suite::RunRequest;
use isolate_browser_reporters::RunEvent;
use isolate_browser_reporters::RunEventKind;
use isolate_browser_reporters::RunStatus;
use isolate_browser_reporters::TestOutcome;
use serde_json::Value;

use crate::test_runner::project;
use crate::test_runner::run_test;

const CONFIG: &str = r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["json"]], "workers": 1, "timeout": 20000 }"#;

const FORM: &str = r#"
<h1 id="t" class="big headline" style="color: rgb(255, 0, 0)" data-x="1" title="Heading">Hello  world</h1>
<input id="name" value="Ada" aria-label="Your name" aria-describedby="hint" />
<span id="hint">First name only</span>
<input id="age" type="number" min="1" max="9" value="42" aria-errormessage="age-error" />
<input id="ok" aria-invalid="false" aria-errormessage="age-error" />
<span id="age-error">Too old</span>
<input id="empty" />
<input type="checkbox" id="c" checked />
<button id="b" disabled>Off</button>
<select id="s" multiple><option value="a" selected>A</option><option value="b" selected>B</option><option value="c">C</option></select>
<ul><li>Apple</li><li>Banana</li><li>Cherry</li></ul>
<div id="hidden" style="display:none">secret</div>
<div id="far" style="margin-top: 3000px">far away</div>
"#;

#[test]
fn every_web_first_matcher_passes_and_fails_with_its_message() {
    let spec = format!(
        r#"import {{ test, expect }} from '@playwright/test';
const FORM = {form:?};
test('passing', async ({{ page }}) => {{
  await page.setContent(FORM);
  const h = page.locator('#t');
  await expect(h).toBeAttached();
  await expect(page.locator('#nope')).not.toBeAttached();
  await expect(h).toBeVisible();
  await expect(page.locator('#hidden')).toBeHidden();
  await expect(page.locator('#name')).toBeEnabled();
  await expect(page.locator('#b')).toBeDisabled();
  await expect(page.locator('#name')).toBeEditable();
  await expect(page.locator('#empty')).toBeEmpty();
  await page.locator('#name').focus();
  await expect(page.locator('#name')).toBeFocused();
  await expect(page.locator('#c')).toBeChecked();
  await expect(h).toBeInViewport();
  await expect(page.locator('#far')).not.toBeInViewport();
  await expect(h).toHaveText('Hello world');
  await expect(h).toHaveText(/hello/i);
  await expect(h).toHaveText('HELLO WORLD', {{ ignoreCase: true }});
  await expect(h).toContainText('lo wo');
  await expect(page.getByRole('listitem')).toHaveText(['Apple', 'Banana', 'Cherry']);
  await expect(page.getByRole('listitem')).toContainText(['App', 'Cher']);
  await expect(page.locator('#name')).toHaveValue('Ada');
  await expect(page.locator('#s')).toHaveValues(['a', 'b']);
  await expect(h).toHaveAttribute('data-x', '1');
  await expect(h).toHaveAttribute('title');
  await expect(h).toHaveClass('big headline');
  await expect(h).toHaveClass(/headline/);
  await expect(page.locator('li, #t')).toHaveClass(['big headline', '', '', '']);
  await expect(h).toContainClass('big');
  await expect(h).toHaveCSS('color', 'rgb(255, 0, 0)');
  await expect(h).toHaveId('t');
  await expect(page.locator('#c')).toHaveJSProperty('checked', true);
  await expect(page.getByRole('listitem')).toHaveCount(3);
  await expect(page.locator('#name')).toHaveAccessibleName('Your name');
  await expect(page.locator('#name')).toHaveAccessibleDescription('First name only');
  await expect(page.locator('#age')).toHaveAccessibleErrorMessage('Too old');
  await expect(page.locator('#ok')).not.toHaveAccessibleErrorMessage('Too old');
  await expect(page.locator('#b')).toHaveRole('button');
  expect(await expect(page.locator('#b')).toHaveRole(/button/).catch((e) => e.message)).toBe('"role" argument in toHaveRole must be a string');
  await expect(page).toHaveTitle('');
  await expect(page).toHaveURL(/about:blank/);
}});
test('failing', async ({{ page }}) => {{
  await page.setContent(FORM);
  const h = page.locator('#t');
  const o = {{ timeout: 150 }};
  const cases = {{
    toBeAttached: () => expect(page.locator('#nope')).toBeAttached(o),
    toBeVisible: () => expect(page.locator('#hidden')).toBeVisible(o),
    toBeHidden: () => expect(h).toBeHidden(o),
    toBeEnabled: () => expect(page.locator('#b')).toBeEnabled(o),
    toBeDisabled: () => expect(h).toBeDisabled(o),
    toBeEditable: () => expect(page.locator('#b')).toBeEditable(o),
    toBeEmpty: () => expect(page.locator('#name')).toBeEmpty(o),
    toBeFocused: () => expect(h).toBeFocused(o),
    toBeChecked: () => expect(page.locator('#c')).not.toBeChecked(o),
    toBeInViewport: () => expect(page.locator('#far')).toBeInViewport(o),
    toHaveText: () => expect(h).toHaveText('Goodbye', o),
    toContainText: () => expect(h).toContainText('xyz', o),
    toHaveValue: () => expect(page.locator('#name')).toHaveValue('Bob', o),
    toHaveValues: () => expect(page.locator('#s')).toHaveValues(['c'], o),
    toHaveAttribute: () => expect(h).toHaveAttribute('data-x', '2', o),
    toHaveClass: () => expect(h).toHaveClass('small', o),
    toHaveClassArray: () => expect(page.locator('li')).toHaveClass(['a', 'b', 'c'], o),
    toContainClass: () => expect(h).toContainClass('tiny', o),
    toHaveCSS: () => expect(h).toHaveCSS('color', 'rgb(0, 0, 255)', o),
    toHaveId: () => expect(h).toHaveId('x', o),
    toHaveJSProperty: () => expect(page.locator('#c')).toHaveJSProperty('checked', false, o),
    toHaveCount: () => expect(page.getByRole('listitem')).toHaveCount(2, o),
    toHaveAccessibleName: () => expect(page.locator('#name')).toHaveAccessibleName('Surname', o),
    toHaveAccessibleDescription: () => expect(page.locator('#name')).toHaveAccessibleDescription('Nope', o),
    toHaveAccessibleErrorMessage: () => expect(page.locator('#ok')).toHaveAccessibleErrorMessage('Too old', o),
    toHaveRole: () => expect(page.locator('#b')).toHaveRole('link', o),
    toHaveTitle: () => expect(page).toHaveTitle('Other', o),
    toHaveURL: () => expect(page).toHaveURL('http://example.invalid/', o),
  }};
  const out = {{}};
  for (const [name, fn] of Object.entries(cases)) {{
    try {{ await fn(); out[name] = 'DID NOT FAIL'; }} catch (e) {{ out[name] = e.message + '\n@@' + JSON.stringify(e.callLog ?? []); }}
  }}
  console.log(JSON.stringify(out));
}});
"#,
        form = FORM
    );
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/m.spec.ts", &spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("passing"),
        ["passed"],
        "{}",
        run.error("passing")
    );
    assert_eq!(
        run.status("failing"),
        ["passed"],
        "{}",
        run.error("failing")
    );
    let out: Value = serde_json::from_str(&run.stdout_of["failing"].join("")).expect("JSON");
    let expect = |name: &str, parts: &[&str]| {
        let msg = out[name].as_str().unwrap_or_default();
        assert!(!msg.starts_with("DID NOT FAIL"), "{name} did not fail");
        for p in parts {
            assert!(msg.contains(p), "{name}: {p:?} not in\n{msg}");
        }
        assert!(
            msg.contains("Timeout: 150ms") || msg.contains("Timeout:  150ms"),
            "{name}: {msg}"
        );
        // The call log is in the message, as Playwright's.
        assert!(
            msg.contains("\nCall log:\n  - Expect \"")
                && (msg.contains("waiting for")
                    || name.starts_with("toHaveTitle")
                    || name.starts_with("toHaveURL")
                    || msg.contains("unexpected value")),
            "{name}: call log missing: {msg}"
        );
    };
    expect(
        "toBeAttached",
        &[
            "expect(locator).toBeAttached() failed",
            "Locator: locator('#nope')",
            "Expected: attached",
            "Error: element(s) not found",
        ],
    );
    expect("toBeVisible", &["toBeVisible() failed", "Received: hidden"]);
    expect("toBeHidden", &["toBeHidden() failed"]);
    expect("toBeEnabled", &["toBeEnabled() failed"]);
    expect("toBeDisabled", &["toBeDisabled() failed"]);
    expect("toBeEditable", &["toBeEditable() failed"]);
    expect("toBeEmpty", &["toBeEmpty() failed"]);
    expect("toBeFocused", &["toBeFocused() failed"]);
    expect(
        "toBeChecked",
        &[
            "expect(locator).not.toBeChecked() failed",
            "Expected: not checked",
        ],
    );
    expect("toBeInViewport", &["toBeInViewport() failed"]);
    expect(
        "toHaveText",
        &[
            "toHaveText(expected) failed",
            "Expected: \"Goodbye\"",
            "Received: \"Hello world\"",
        ],
    );
    expect(
        "toContainText",
        &["toContainText(expected) failed", "\"xyz\""],
    );
    expect(
        "toHaveValue",
        &["toHaveValue(expected) failed", "\"Bob\"", "\"Ada\""],
    );
    expect(
        "toHaveValues",
        &[
            "toHaveValues(expected) failed",
            "- Expected  - 1\n+ Received  + 2\n\n  Array [\n-   \"c\",\n+   \"a\",\n+   \"b\",\n  ]",
        ],
    );
    expect(
        "toHaveAttribute",
        &["toHaveAttribute(expected) failed", "\"2\"", "\"1\""],
    );
    expect(
        "toHaveClass",
        &[
            "toHaveClass(expected) failed",
            "\"small\"",
            "\"big headline\"",
        ],
    );
    expect(
        "toHaveClassArray",
        &[
            "toHaveClass(expected) failed",
            "  Array [\n-   \"a\",\n-   \"b\",\n-   \"c\",\n+   \"\",",
        ],
    );
    expect(
        "toContainClass",
        &["toContainClass(expected) failed", "\"tiny\""],
    );
    expect(
        "toHaveCSS",
        &[
            "toHaveCSS(name, expected) failed",
            "rgb(0, 0, 255)",
            "rgb(255, 0, 0)",
        ],
    );
    expect("toHaveId", &["toHaveId(expected) failed", "\"x\"", "\"t\""]);
    expect(
        "toHaveJSProperty",
        &[
            "toHaveJSProperty(expected) failed",
            "Expected: false",
            "Received: true",
        ],
    );
    expect(
        "toHaveCount",
        &["toHaveCount(expected) failed", "Expected: 2", "Received: 3"],
    );
    expect(
        "toHaveAccessibleName",
        &[
            "toHaveAccessibleName(expected) failed",
            "\"Surname\"",
            "\"Your name\"",
        ],
    );
    expect(
        "toHaveAccessibleDescription",
        &[
            "toHaveAccessibleDescription(expected) failed",
            "\"First name only\"",
        ],
    );
    expect(
        "toHaveAccessibleErrorMessage",
        &[
            "toHaveAccessibleErrorMessage(expected) failed",
            "\"Too old\"",
        ],
    );
    expect(
        "toHaveRole",
        &["toHaveRole(expected) failed", "\"link\"", "\"button\""],
    );
    expect(
        "toHaveTitle",
        &["expect(page).toHaveTitle(expected) failed", "\"Other\""],
    );
    expect(
        "toHaveURL",
        &["expect(page).toHaveURL(expected) failed", "about:blank"],
    );
}

#[test]
fn page_events_routes_requests_and_attachments() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('events and routes', async ({ page, request, baseURL }) => {
  const seen: string[] = [];
  page.on('console', (m) => seen.push('console:' + m.type() + ':' + m.text()));
  page.on('pageerror', (e) => seen.push('pageerror:' + e.message));
  page.on('request', (r) => { if (r.url().includes('/api/')) seen.push('request:' + r.url().split('/').pop()); });
  page.on('dialog', async (d) => { seen.push('dialog:' + d.message()); await d.accept('typed'); });
  await page.route('**/api/data', (route) => route.fulfill({ json: { value: 42 } }));
  await page.route('**/blocked', (route) => route.abort());
  await page.goto('/');
  const fetched = await page.evaluate(async () => (await (await fetch('/api/data')).json()).value);
  expect(fetched).toBe(42);
  const blocked = await page.evaluate(async () => { try { await fetch('/blocked'); return 'ok'; } catch { return 'failed'; } });
  expect(blocked).toBe('failed');
  const answer = await page.evaluate(() => prompt('Your name?'));
  expect(answer).toBe('typed');
  await page.evaluate(() => { console.warn('careful'); setTimeout(() => { throw new Error('kaboom'); }); });
  await expect.poll(() => seen.some((s) => s.startsWith('pageerror'))).toBe(true);
  expect(seen).toContain('console:warning:careful');
  expect(seen).toContain('request:data');
  expect(seen).toContain('dialog:Your name?');
  expect(seen.some((s) => s.includes('kaboom'))).toBe(true);
  const res = await request.get('/index.html');
  await expect(res).toBeOK();
  expect(await res.text()).toContain('Demo App');
  expect(baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});
test('attachments and a screenshot on failure', async ({ page }, testInfo) => {
  await page.goto('/');
  await testInfo.attach('notes', { body: 'some text', contentType: 'text/plain' });
  await test.step('click the missing button', async () => {
    await page.getByRole('button', { name: 'Missing' }).click({ timeout: 200 });
  });
});
"#;
    let config = r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["json"]], "workers": 1, "use": { "screenshot": "only-on-failure" } }"#;
    let dir = project(&[
        ("isolate-browser.config.json", config),
        ("tests/e.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("events and routes"),
        ["passed"],
        "{}",
        run.error("events and routes")
    );
    assert_eq!(
        run.status("attachments and a screenshot on failure"),
        ["failed"]
    );
    let err = run.error("attachments and a screenshot on failure");
    assert!(
        err.contains("TimeoutError: locator.click: Timeout 200ms exceeded."),
        "{err}"
    );
    assert!(
        err.contains("getByRole('button', { name: 'Missing' })"),
        "call log names the locator: {err}"
    );
    assert!(
        err.contains("> 32 |     await page.getByRole('button', { name: 'Missing' }).click"),
        "code frame: {err}"
    );
    let report = run.report.to_string();
    let attachments: Vec<Value> =
        run.report["suites"][0]["specs"][1]["tests"][0]["results"][0]["attachments"]
            .as_array()
            .cloned()
            .unwrap_or_default();
    assert_eq!(attachments.len(), 2, "{report}");
    let notes = attachments[0]["path"].as_str().expect("a path");
    assert_eq!(
        std::fs::read_to_string(notes).expect("notes file"),
        "some text"
    );
    let shot = attachments[1]["path"].as_str().expect("a path");
    assert!(shot.ends_with("test-failed-1.png"), "{shot}");
    let steps = &run.report["suites"][0]["specs"][1]["tests"][0]["results"][0]["steps"];
    assert_eq!(steps[0]["title"], "click the missing button", "{report}");
    assert!(
        steps[0]["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Timeout 200ms"),
        "{report}"
    );
    let png = std::fs::read(shot).expect("screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

/// `page.emulateMedia` (each option kept until changed, `null` resets), the default timeouts
/// of page and context, and `setExtraHTTPHeaders`, from a spec.
#[test]
fn media_timeouts_and_headers_change_inside_a_test() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('media', async ({ page }) => {
  await page.goto('/');
  const q = (m: string) => page.evaluate((m) => matchMedia(m).matches, m);
  expect(await q('(prefers-color-scheme: dark)')).toBe(false);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await q('(prefers-color-scheme: dark)')).toBe(true);
  await page.emulateMedia({ media: 'print' });
  expect(await q('print')).toBe(true);
  expect(await q('(prefers-color-scheme: dark)')).toBe(true);
  await page.emulateMedia({ reducedMotion: 'reduce', forcedColors: 'active' });
  expect(await q('(prefers-reduced-motion: reduce)')).toBe(true);
  expect(await q('(forced-colors: active)')).toBe(true);
  await page.emulateMedia({ media: null, colorScheme: 'light' });
  expect(await q('print')).toBe(false);
  expect(await q('(prefers-color-scheme: light)')).toBe(true);
  expect(await q('(prefers-reduced-motion: reduce)')).toBe(true);
  const bad = await page.emulateMedia({ media: 'paper' }).catch((e) => String(e));
  expect(bad).toContain("media must be one of screen, print or null, not 'paper'");
});
test('timeouts and headers', async ({ page, context }) => {
  await page.goto('/');
  await context.setDefaultTimeout(5000);
  await page.setDefaultTimeout(250);
  const started = Date.now();
  const err = await page.locator('#missing').click().catch((e) => String(e));
  expect(err).toContain('Timeout 250ms exceeded');
  expect(Date.now() - started).toBeLessThan(4000);
  await context.setExtraHTTPHeaders({ 'x-team': 'blue' });
  await page.setExtraHTTPHeaders({ 'x-page': 'one' });
  const bad = await page.setExtraHTTPHeaders({ 'x-n': 1 as any }).catch((e) => String(e));
  expect(bad).toContain('expected a string value for header "x-n"');
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/m.spec.ts", spec),
        ("site/index.html", "<h1>media</h1>"),
    ]);
    let run = run_test(dir.path(), &[]);
    for title in ["media", "timeouts and headers"] {
        assert_eq!(run.status(title), ["passed"], "{}", run.error(title));
    }
}

/// Popups (a `target=_blank` link, `window.open`) reach `page.waitForEvent('popup')` and
/// `page.on('popup')` as pages of the context that web-first assertions work on.
#[test]
fn popups_are_pages_the_test_can_use() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('popups', async ({ page, context }) => {
  await page.goto('/');
  const seen: string[] = [];
  page.on('popup', (p) => { seen.push('popup'); });
  context.on('page', (p) => { seen.push('page'); });
  const popupPromise = page.waitForEvent('popup');
  await page.click('#link');
  const popup = await popupPromise;
  await popup.waitForLoadState();
  await expect(popup).toHaveTitle('second');
  await expect(popup.locator('p')).toHaveText('two');
  expect(context.pages()).toHaveLength(2);
  const [other] = await Promise.all([page.waitForEvent('popup'), page.click('#js')]);
  await expect(other).toHaveURL(/third\.html$/);
  await other.close();
  expect(context.pages()).toHaveLength(2);
  expect(seen).toEqual(['page', 'popup', 'page', 'popup']);
  const [third] = await Promise.all([context.waitForEvent('page'), context.newPage()]);
  expect(context.pages()).toContain(third);
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/p.spec.ts", spec),
        (
            "site/index.html",
            "<a id='link' href='/second.html' target='_blank'>open</a><button id='js' onclick=\"window.open('/third.html')\">js</button>",
        ),
        ("site/second.html", "<title>second</title><p>two</p>"),
        ("site/third.html", "<title>third</title><p>three</p>"),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.status("popups"), ["passed"], "{}", run.error("popups"));
}

#[test]
fn the_sandbox_holds_inside_tests() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('no ambient access', async () => {
  expect(typeof (globalThis as any).Deno).toBe('undefined');
  expect(typeof (globalThis as any).__ib_call).toBe('undefined');
  // `process` is the sandbox's: nothing of the host's environment without `allowEnv`.
  // Only what the run sets: TMPDIR, a directory of the output directory (`os.tmpdir()`).
  expect(Object.keys(process.env)).toEqual(['TMPDIR']);
  expect(typeof (process as any).binding).toBe('undefined');
  expect(typeof (globalThis as any).require).toBe('undefined');
  await expect(fetch('http://example.com/')).rejects.toThrow(/not allowed|denied|blocked/i);
});
test('the host call is in no module user code can import', async () => {
  for (const name of [
    'isolate-browser/internal/browser',
    'isolate-browser/internal/browser/10_wire.js',
    'ext:isolate_suite/browser/10_wire.js',
    'ext:isolate_suite/harness/99_index.js',
    'node:isolate-browser/test',
    'ext:core/mod.js',
  ]) {
    await expect(import(name), name).rejects.toThrow();
  }
  const api = await import('@playwright/test');
  expect(Object.keys(api).sort()).toEqual(
    ['chromium', 'default', 'defineConfig', 'devices', 'expect', 'it', 'mergeExpects', 'mergeTests', 'request', 'selectors', 'test'],
  );
});
test('page.url() is synchronous and follows navigations', async ({ page }) => {
  expect(page.url()).toBe('about:blank');
  await page.goto('/');
  expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  await page.evaluate(() => history.pushState({}, '', '/moved'));
  await page.getByRole('heading').click();
  expect(page.url()).toMatch(/\/moved$/);
});
test.describe('without a base URL', () => {
  test.use({ baseURL: undefined });
  test('a relative goto fails at once with a hint', async ({ page }) => {
    await expect(page.goto('/somewhere')).rejects.toThrow(/needs a base URL/);
  });
});
test('symlinks out of the project are refused', async ({ page }) => {
  await page.setContent('<input type=file>');
  await expect(page.locator('input').setInputFiles('leak.txt')).rejects.toThrow(/through a symlink/);
  await expect(page.screenshot({ path: 'out/shot.png' })).rejects.toThrow(/through a symlink/);
  await expect(page.context().storageState({ path: 'out/state.json' })).rejects.toThrow(/through a symlink/);
});
test('writes go only to the output and writable directories', async ({ page }) => {
  await page.setContent('<p>x</p>');
  await expect(page.screenshot({ path: 'tests/evil.spec.ts', type: 'png' })).rejects.toThrow(
    'tests/evil.spec.ts: test code may write only under test-results/, playwright/.auth/; write there, or add the directory to writableDirs in the config',
  );
  await expect(page.context().storageState({ path: 'isolate-browser.config.json' })).rejects.toThrow(/may write only under/);
  await page.screenshot({ path: 'test-results/shot.png' });
  await page.context().storageState({ path: 'playwright/.auth/user.json' });
});
test('paths outside the project are refused', async ({ page }) => {
  await page.setContent('<p>x</p>');
  await expect(page.screenshot({ path: '../escape.png' })).rejects.toThrow(/not allowed/);
  // Absolute paths are project paths (test code sees the project as `/`): this one is outside
  // the writable directories.
  await expect(page.screenshot({ path: '/tmp/abs.png' })).rejects.toThrow('/tmp/abs.png: test code may write only under');
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/s.spec.ts", spec),
    ]);
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(outside.path().join("secret.txt"), "host secret").expect("write");
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        dir.path().join("leak.txt"),
    )
    .expect("link");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).expect("link");
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("symlinks out of the project are refused"),
        ["passed"],
        "{}",
        run.error("symlinks out of the project are refused")
    );
    let left: Vec<_> = std::fs::read_dir(outside.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left, ["secret.txt"], "nothing was written outside");
    assert_eq!(
        run.status("writes go only to the output and writable directories"),
        ["passed"],
        "{}",
        run.error("writes go only to the output and writable directories")
    );
    assert!(!dir.path().join("tests/evil.spec.ts").exists());
    assert!(dir.path().join("playwright/.auth/user.json").is_file());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("isolate-browser.config.json")).expect("config"),
        CONFIG,
        "the config is untouched"
    );
    assert_eq!(
        run.status("no ambient access"),
        ["passed"],
        "{}",
        run.error("no ambient access")
    );
    assert_eq!(
        run.status("the host call is in no module user code can import"),
        ["passed"],
        "{}",
        run.error("the host call is in no module user code can import")
    );
    assert_eq!(
        run.status("paths outside the project are refused"),
        ["passed"],
        "{}",
        run.error("paths outside the project are refused")
    );
    assert!(
        !dir.path()
            .parent()
            .expect("parent")
            .join("escape.png")
            .exists()
    );
}

/// Runs one in-memory spec through the library with one worker; what it returned and every
/// event it streamed, in order.
async fn run_in_memory(
    path: &str,
    code: &str,
) -> (isolate_browser::suite::RunSummary, Vec<RunEvent>) {
    let dir = project(&[]);
    let mut config = isolate_browser::suite::config::load(None, dir.path())
        .await
        .expect("defaults");
    config.workers = 1;
    let events: Arc<Mutex<Vec<RunEvent>>> = Arc::default();
    let sink_events = events.clone();
    let request = RunRequest {
        config,
        filters: Vec::new(),
        projects: Vec::new(),
        list_only: false,
        pass_with_no_tests: false,
        browser: BrowserSource::Launch(LaunchOptions::default()),
        specs: Some(vec![InMemorySpec {
            path: path.into(),
            code: code.into(),
        }]),
    };
    let summary = isolate_browser::suite::run(
        request,
        Vec::new(),
        Some(Box::new(move |e: &RunEvent| {
            sink_events.lock().expect("lock").push(e.clone())
        })),
        None,
    )
    .await
    .expect("runs");
    let events = events.lock().expect("lock").clone();
    (summary, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_runs_in_memory_specs_and_streams_events() {
    let (summary, events) = run_in_memory(
        "inline.spec.ts",
        "import { test, expect } from 'isolate-browser/test';\n\
         test('in memory', async ({ page }) => { await page.setContent('<b>hi</b>'); await expect(page.locator('b')).toHaveText('hi'); });\n\
         test('also in memory', () => { expect([1, 2]).toEqual([1, 2]); });\n",
    )
    .await;
    assert_eq!(summary.status, RunStatus::Passed);
    assert_eq!(summary.stats.passed, 2);
    assert!(matches!(
        events.first().map(|e| &e.kind),
        Some(RunEventKind::RunStarted { total: 2, .. })
    ));
    assert!(matches!(
        events.last().map(|e| &e.kind),
        Some(RunEventKind::RunFinished {
            status: RunStatus::Passed,
            ..
        })
    ));
    assert!(
        events.windows(2).all(|w| w[0].elapsed <= w[1].elapsed),
        "events are stamped in order"
    );
    let finished: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.kind {
            RunEventKind::TestFinished { info, attempt, .. } => {
                Some((info.title_path.clone(), attempt.outcome, attempt.cpu_time))
            }
            _ => None,
        })
        .collect();
    assert_eq!(finished.len(), 2);
    assert!(
        finished
            .iter()
            .all(|(_, o, cpu)| *o == TestOutcome::Passed && cpu.is_some())
    );
    let started = events
        .iter()
        .filter(|e| matches!(e.kind, RunEventKind::TestStarted { .. }))
        .count();
    assert_eq!(started, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_and_console_output_are_events_as_they_happen() {
    let (summary, events) = run_in_memory(
        "steps.spec.ts",
        "import { test, expect } from '@playwright/test';\n\
         console.log('loading the file');\n\
         test('in steps', async () => {\n\
           console.log('before');\n\
           await test.step('outer', async () => {\n\
             await test.step('inner', async () => { console.error('inside'); });\n\
           });\n\
           await test.step('fails', async () => { throw new Error('nope'); }).catch(() => {});\n\
           console.log('after');\n\
         });\n",
    )
    .await;
    assert_eq!(summary.stats.passed, 1);
    let seen: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            RunEventKind::TestStarted { .. } => Some("test started".into()),
            RunEventKind::StepStarted {
                title,
                parent,
                step,
                ..
            } => Some(format!(
                "step {step} {title} in {}",
                parent.map_or("test".into(), |p| p.to_string())
            )),
            RunEventKind::StepFinished { step, error, .. } => Some(format!(
                "step {step} done{}",
                if error.is_some() { " with error" } else { "" }
            )),
            RunEventKind::Output { test, stream, text } => Some(format!(
                "{stream:?} {text}{}",
                if test.is_some() { "" } else { " (file)" }
            )),
            RunEventKind::TestFinished { .. } => Some("test finished".into()),
            _ => None,
        })
        .collect();
    let outer = seen
        .iter()
        .find_map(|s| {
            s.strip_prefix("step ")
                .and_then(|s| s.strip_suffix(" outer in test"))
        })
        .expect("the outer step")
        .to_string();
    let inner = seen
        .iter()
        .find_map(|s| {
            s.strip_prefix("step ")
                .and_then(|s| s.strip_suffix(&format!(" inner in {outer}")))
        })
        .expect("the inner step is nested in the outer")
        .to_string();
    let fails = seen
        .iter()
        .find_map(|s| {
            s.strip_prefix("step ")
                .and_then(|s| s.strip_suffix(" fails in test"))
        })
        .expect("the failing step")
        .to_string();
    assert_eq!(
        seen,
        [
            "Stdout loading the file (file)".to_string(),
            "test started".into(),
            "Stdout before".into(),
            format!("step {outer} outer in test"),
            format!("step {inner} inner in {outer}"),
            "Stderr inside".into(),
            format!("step {inner} done"),
            format!("step {outer} done"),
            format!("step {fails} fails in test"),
            format!("step {fails} done with error"),
            "Stdout after".into(),
            "test finished".into(),
        ]
    );
}

/// `context.grantPermissions` / `clearPermissions`, `permissions` and `geolocation` in the
/// context options, and `context.setGeolocation`, seen by the page's own APIs. (They used to
/// resolve without doing anything.)
#[test]
fn permissions_and_geolocation_reach_the_page() {
    let spec = r#"import { test, expect } from '@playwright/test';
const state = (page, name) => page.evaluate(async (name) => (await navigator.permissions.query({ name })).state, name);
const position = (page) => page.evaluate(() => new Promise((resolve, reject) =>
  navigator.geolocation.getCurrentPosition((p) => resolve([p.coords.latitude, p.coords.longitude]), (e) => reject(new Error(e.message)))));
test.describe('from the options', () => {
  test.use({ permissions: ['geolocation'], geolocation: { latitude: 48.85, longitude: 2.35 } });
  test('the page is where the options say', async ({ page, context }) => {
    await page.goto('/');
    expect(await state(page, 'geolocation')).toBe('granted');
    expect(await position(page)).toEqual([48.85, 2.35]);
    await context.setGeolocation({ latitude: 35.68, longitude: 139.69 });
    expect(await position(page)).toEqual([35.68, 139.69]);
    const later = await context.newPage();
    await later.goto('/');
    expect(await position(later)).toEqual([35.68, 139.69]);
    await expect(context.setGeolocation({ latitude: 100, longitude: 0 })).rejects.toThrow('geolocation.latitude: precondition -90 <= latitude <= 90 failed.');
  });
});
test('granted, then cleared', async ({ page, context, baseURL }) => {
  await page.goto('/');
  expect(await state(page, 'notifications')).not.toBe('granted');
  await context.grantPermissions(['notifications'], { origin: new URL(baseURL!).origin });
  expect(await state(page, 'notifications')).toBe('granted');
  await context.clearPermissions();
  expect(await state(page, 'notifications')).not.toBe('granted');
  await expect(context.grantPermissions(['teleport'])).rejects.toThrow('Unknown permission: teleport');
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/perm.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    for title in [
        "from the options › the page is where the options say",
        "granted, then cleared",
    ] {
        assert_eq!(run.status(title), ["passed"], "{}", run.error(title));
    }
}

/// What isolate-browser cannot do yet says so instead of pretending, and calls that used to
/// do nothing now do their work (`bringToFront`, `setOffline` for pages opened later).
#[test]
fn unsupported_calls_say_so_and_former_no_ops_work() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('no pretending', async ({ page, context, request }) => {
  await page.goto('/');
  const message = page.waitForEvent('console', (m) => m.text().startsWith('hi'));
  await page.evaluate(() => console.log('hi', 1));
  const m = await message;
  expect(m.text()).toBe('hi 1');
  await expect(page.locator('h1').highlight()).rejects.toThrow('locator.highlight() is not supported');
  await expect(request.storageState()).rejects.toThrow('apiRequestContext.storageState() is not supported');
  await page.bringToFront();
  await context.setOffline(true);
  const later = await context.newPage();
  expect(await later.evaluate(() => navigator.onLine)).toBe(false);
  await context.setOffline(false);
  expect(await later.evaluate(() => navigator.onLine)).toBe(true);
  await later.close();
  await expect(later.bringToFront()).rejects.toThrow(/closed/);
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/n.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("no pretending"),
        ["passed"],
        "{}",
        run.error("no pretending")
    );
}

/// `mergeTests` and `mergeExpects` combine what each test and expect brings (they used to
/// return their first argument).
#[test]
fn merge_tests_and_expects_combine_fixtures_and_matchers() {
    let spec = r#"import { test as base, expect as baseExpect, mergeTests, mergeExpects } from '@playwright/test';
const withDb = base.extend<{ db: string }>({ db: async ({}, use) => { await use('db'); } });
const withApi = base.extend<{ api: string }>({ api: async ({}, use) => { await use('api'); } });
const test = mergeTests(withDb, withApi);
const even = baseExpect.configure({}).extend({
  toBeEven(n: number) { return { pass: n % 2 === 0, message: () => `${n} is odd` }; },
});
const small = baseExpect.configure({}).extend({
  toBeSmall(n: number) { return { pass: n < 10, message: () => `${n} is big` }; },
});
const expect = mergeExpects(even, small);
test('both fixtures and both matchers', async ({ db, api, page }) => {
  expect(db + api).toBe('dbapi');
  expect(4).toBeEven();
  expect(4).toBeSmall();
  expect(() => expect(12).toBeSmall()).toThrow('12 is big');
  await page.setContent('<b>x</b>');
  await expect(page.locator('b')).toHaveText('x');
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/merge.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("both fixtures and both matchers"),
        ["passed"],
        "{}",
        run.error("both fixtures and both matchers")
    );
}

/// A renderer that crashes fails the call waiting on it at once with Playwright's "Target
/// crashed" (it used to wait out the timeout), `page.on('crash')` fires, and the next test
/// gets a working page.
#[test]
fn a_renderer_crash_fails_at_once_and_the_next_test_has_a_page() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('crash', async ({ page }) => {
  await page.goto('/');
  let crashed = false;
  page.on('crash', (p) => { crashed = p === page; });
  // The renderer runs out of memory (its heap is held small by the config's flags).
  await page.evaluate(() => {
    const keep = [];
    for (;;) keep.push(new Array(1 << 20).fill(Math.random()));
  }).catch(() => {});
  const started = Date.now();
  const err = await page.locator('h1').click({ timeout: 20000 }).catch((e) => e);
  expect(String(err)).toContain('Target crashed');
  expect(Date.now() - started).toBeLessThan(5000);
  await expect.poll(() => crashed).toBe(true);
});
test('after the crash', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('h1')).toBeVisible();
});
"#;
    let config = r#"{ "testDir": "tests", "webServer": { "static": "site" }, "reporter": [["json"]], "workers": 1, "timeout": 20000,
      "use": { "launchOptions": { "args": ["--js-flags=--max-old-space-size=32"] } } }"#;
    let dir = project(&[
        ("isolate-browser.config.json", config),
        ("tests/crash.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    for title in ["crash", "after the crash"] {
        assert_eq!(run.status(title), ["passed"], "{}", run.error(title));
    }
}

/// `page.$eval` / `$$eval` / `locator.evaluateAll` run in the page's own world (they see its
/// globals), do not wait, and fail as Playwright does when nothing matches.
#[test]
fn eval_on_selector_runs_in_the_pages_world() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('$eval and $$eval', async ({ page }) => {
  await page.setContent(`<h1 id="t">Hi</h1><ul><li>Apple</li><li>Banana</li><li>Cherry</li></ul><script>window.answer = 42;</script>`);
  expect(await page.$eval('#t', (e, suffix) => e.id + suffix + window.answer, '!')).toBe('t!42');
  expect(await page.$eval('h1', async (e) => { await new Promise((r) => setTimeout(r, 10)); return e.textContent; })).toBe('Hi');
  expect(await page.$$eval('li', (els) => els.map((e) => e.textContent))).toEqual(['Apple', 'Banana', 'Cherry']);
  expect(await page.$$eval('li', (els) => Array.isArray(els))).toBe(true);
  expect(await page.$$eval('nope', (els) => els.length)).toBe(0);
  await expect(page.$eval('nope', (e) => e)).rejects.toThrow('Failed to find element matching selector "nope"');
  await expect(page.$eval('h1', () => { throw new Error('from the page'); })).rejects.toThrow('from the page');
  expect(await page.locator('li').evaluateAll((els, n) => els.length + n, 1)).toBe(4);
  expect(await page.locator('li').filter({ hasText: 'an' }).evaluateAll((els) => els.map((e) => e.textContent))).toEqual(['Banana']);
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/e.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("$eval and $$eval"),
        ["passed"],
        "{}",
        run.error("$eval and $$eval")
    );
}

/// `evaluate` arguments and results keep what JSON loses, as Playwright's serializer does:
/// undefined, NaN, -0, ±Infinity, BigInt, Date, RegExp, URL, Error, typed arrays, shared
/// references and cycles; functions and symbols become undefined, Maps empty objects, the
/// window, document and nodes `ref: <…>` strings. Through `page.evaluate`, `locator.evaluate`,
/// `$eval` and `evaluateAll`.
#[test]
fn evaluate_values_survive_the_round_trip() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('values', async ({ page }) => {
  expect(await page.evaluate(() => undefined)).toBe(undefined);
  expect(await page.evaluate((x) => x === undefined)).toBe(true);
  expect(Object.is(await page.evaluate(() => -0), -0)).toBe(true);
  expect(await page.evaluate(() => NaN)).toBe(NaN);
  expect(await page.evaluate(() => [Infinity, -Infinity])).toEqual([Infinity, -Infinity]);
  expect(await page.evaluate(() => 42n)).toBe(42n);
  expect(await page.evaluate((a) => a, 17n)).toBe(17n);
  const d = await page.evaluate(() => new Date(Date.UTC(2020, 1, 2)));
  expect(d instanceof Date && d.toISOString()).toBe('2020-02-02T00:00:00.000Z');
  const r = await page.evaluate(() => /ab+c/gi);
  expect(r instanceof RegExp && r.source + r.flags).toBe('ab+cgi');
  const e = await page.evaluate(() => { const e = new TypeError('bad'); return e; });
  expect(e instanceof Error && e.name + ': ' + e.message).toBe('TypeError: bad');
  expect(await page.evaluate((a) => a, new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
  expect(await page.evaluate((a) => a, new BigInt64Array([1n]))).toEqual(new BigInt64Array([1n]));
  expect(await page.evaluate((a) => a.x.constructor.name + ' ' + JSON.stringify(a.x), { x: new Map([[1, 2]]) })).toBe('Object {}');
  const cyc = await page.evaluate(() => { const a = { n: 1 }; a.self = a; return a; });
  expect(cyc.self).toBe(cyc);
  const shared = await page.evaluate(() => { const s = { k: 1 }; return [s, s]; });
  expect(shared[0]).toBe(shared[1]);
  expect(await page.evaluate(() => [window, document, document.body])).toEqual(['ref: <Window>', 'ref: <Document>', 'ref: <Node>']);
  expect(await page.evaluate(() => function () {})).toBe(undefined);
  expect(await page.evaluate(() => [Symbol('x')])).toEqual([undefined]);
  const u = await page.evaluate((x) => x, new URL('https://a.test/p?q=1'));
  expect(String(u)).toBe('https://a.test/p?q=1');
  await page.setContent('<p id=p>x</p>');
  expect(await page.locator('#p').evaluate((e, a) => [a, e.id], undefined)).toEqual([undefined, 'p']);
  expect(await page.$eval('#p', (e, a) => a, NaN)).toBe(NaN);
  expect(await page.locator('p').evaluateAll((els, a) => a, -0)).toBe(-0);
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/v.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.status("values"), ["passed"], "{}", run.error("values"));
}

/// `page.evaluateHandle` and `JSHandle`/`ElementHandle`: the value stays in the page (a change
/// there shows through the handle), `toString()` previews as Playwright's do, properties are
/// handles, element handles read the node, and a disposed handle says so.
#[test]
fn handles_keep_values_in_the_page() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('handles', async ({ page }) => {
  await page.setContent('<body><p id="p" class="x">Hello</p></body><script>window.box = { a: 1, nested: { b: 2 } };</script>');
  const box = await page.evaluateHandle(() => window.box);
  expect(box.toString()).toBe('JSHandle@object');
  expect(await box.jsonValue()).toEqual({ a: 1, nested: { b: 2 } });
  expect(await box.evaluate((b, k) => b[k], 'a')).toBe(1);
  const nested = await box.getProperty('nested');
  expect(await nested.jsonValue()).toEqual({ b: 2 });
  const props = await box.getProperties();
  expect([...props.keys()]).toEqual(['a', 'nested']);
  expect(await props.get('a').jsonValue()).toBe(1);
  expect(box.asElement()).toBe(null);
  // The object stays in the page: a change there is seen through the handle.
  await page.evaluate(() => { window.box.a = 5; });
  expect(await box.evaluate((b) => b.a)).toBe(5);
  const two = await page.evaluateHandle(() => 2);
  expect(two.toString()).toBe('2');
  expect(await two.jsonValue()).toBe(2);
  expect(await two.evaluate((n, m) => n * m, 21)).toBe(42);
  expect(String(await (await page.evaluateHandle(() => undefined)).jsonValue())).toBe('undefined');
  expect(Object.is(await (await page.evaluateHandle(() => -0)).jsonValue(), -0)).toBe(true);
  expect((await page.evaluateHandle('[]')).toString()).toContain('Array');
  expect((await page.evaluateHandle('null')).toString()).toBe('null');
  const p = await page.evaluateHandle(() => document.querySelector('#p'));
  expect(p.toString()).toBe('JSHandle@<p id="p" class="x">Hello</p>');
  const el = p.asElement();
  expect(el).toBe(p);
  expect(await el.textContent()).toBe('Hello');
  expect(await el.getAttribute('class')).toBe('x');
  expect(await el.innerHTML()).toBe('Hello');
  const doubled = await box.evaluateHandle((b) => ({ twice: b.a * 2 }));
  expect(await doubled.jsonValue()).toEqual({ twice: 10 });
  await box.dispose();
  await expect(box.evaluate((b) => b.a)).rejects.toThrow('JSHandle is disposed');
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/h.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("handles"),
        ["passed"],
        "{}",
        run.error("handles")
    );
}

/// `page.$` / `$$` and `locator.elementHandle(s)`: element handles of the page's own world;
/// `$` is null and `$$` empty without a match, `elementHandle` waits and is strict.
#[test]
fn element_queries_return_handles() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('queries', async ({ page }) => {
  await page.setContent('<ul><li>Apple</li><li class="b">Banana</li></ul><script>window.marker = "main";</script>');
  const li = await page.$('li');
  expect(await li.textContent()).toBe('Apple');
  expect(li.toString()).toBe('JSHandle@<li>Apple</li>');
  expect(await li.evaluate((e) => e.textContent + ' ' + window.marker)).toBe('Apple main');
  expect(await page.$('nope')).toBe(null);
  const all = await page.$$('li');
  expect(all.length).toBe(2);
  expect(await all[1].getAttribute('class')).toBe('b');
  expect(await page.$$('nope')).toEqual([]);
  const handles = await page.locator('li').elementHandles();
  expect(await Promise.all(handles.map((h) => h.textContent()))).toEqual(['Apple', 'Banana']);
  const b = await page.locator('.b').elementHandle();
  expect(await b.innerText()).toBe('Banana');
  await expect(page.locator('li').elementHandle()).rejects.toThrow('strict mode violation');
  setTimeout(() => page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p id=late>late</p>')), 200);
  const late = await page.locator('#late').elementHandle({ timeout: 5000 });
  expect(await late.textContent()).toBe('late');
  const ul = await page.$('ul');
  expect(await ul.evaluate((u, n) => u.children.length * n, 10)).toBe(20);
});
"#;
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/q.spec.ts", spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(
        run.status("queries"),
        ["passed"],
        "{}",
        run.error("queries")
    );
}

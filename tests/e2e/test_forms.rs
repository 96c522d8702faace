//! Forms, selectors and evaluation as Playwright has them. `selectOption` with values, labels,
//! indexes, handles, arrays and `null`, waiting for a missing or disabled option, and
//! Playwright's type errors; labels standing for their controls; checks by ARIA role, trial
//! runs, radios that cannot be unchecked; `fill`'s errors; the `role=` engine with its
//! attributes and errors, `getByRole`'s description; disabled states from fieldsets and
//! ancestors; `locator.evaluate` in the page's own world with handles as arguments,
//! `evaluateHandle`, an atomic `dispatchEvent`; errors named after the method called
//! (`page.fill: …`) and locators printed as Playwright prints them.

use super::test_runner::project;
use super::test_runner::run_test;

const CONFIG: &str =
    r#"{ "testDir": "tests", "reporter": [["list"], ["json"]], "timeout": 20000 }"#;

const SELECT_SPEC: &str = r###"import { test, expect } from '@playwright/test';

const SELECT = `<select>
  <option value="black">Black</option><option value="blue">Blue</option><option value="green">Green</option>
  <option value="red" id="red">Red</option><option value="white" disabled>White</option>
</select><script>
  window.seen = [];
  document.querySelector('select').addEventListener('input', (e) => window.seen.push(e.composed));
</script>`;

test('selectOption picks as Playwright does', async ({ page }) => {
  await page.setContent(SELECT);
  expect(await page.selectOption('select', 'Blue')).toEqual(['blue']);
  expect(await page.selectOption('select', { value: 'green', label: 'Green' })).toEqual(['green']);
  expect(await page.selectOption('select', await page.$('#red'))).toEqual(['red']);
  // A single select takes the first value that matches.
  expect(await page.selectOption('select', ['nope', 'black', 'blue'])).toEqual(['black']);
  expect(await page.evaluate(() => window.seen.slice(0, 1))).toEqual([true]);
  // Nothing matching every property is waited for, then times out.
  const mismatch = await page.selectOption('select', { value: 'green', label: 'Red' }, { timeout: 500 }).catch((e) => e);
  expect(mismatch.message).toContain('Timeout 500ms exceeded');
  const disabled = await page.selectOption('select', 'white', { timeout: 500 }).catch((e) => e);
  expect(disabled.message).toContain('option being selected is not enabled');

  await page.evaluate(() => document.querySelector('select').setAttribute('multiple', ''));
  expect(await page.selectOption('select', ['blue', { index: 2 }, 'Red'])).toEqual(['blue', 'green', 'red']);
  await page.selectOption('select', null);
  expect(await page.$eval('select', (s) => [...s.options].some((o) => o.selected))).toBe(false);
  // A missing option is waited for.
  const later = page.selectOption('select', ['green', 'scarlet']);
  await page.waitForTimeout(200);
  await page.$eval('select', (s) => s.append(new Option('Scarlet', 'scarlet')));
  expect(await later).toEqual(['green', 'scarlet']);

  for (const [bad, message] of [
    [12, 'options[0]: expected object, got number'],
    [['blue', null], 'options[1]: expected object, got null'],
    [{ value: 12 }, 'options[0].value: expected string, got number'],
    [{ index: '1' }, 'options[0].index: expected integer, got string'],
  ]) {
    await expect(page.selectOption('select', bad as any)).rejects.toThrow(message);
  }
  await expect(page.selectOption('body', 'x', { timeout: 500 })).rejects.toThrow('Element is not a <select> element');
});

test('labels stand for their controls; checks; fill errors', async ({ page }) => {
  await page.setContent(`<label>Color <select multiple><option>R</option><option>G</option></select></label>
    <label>Name <input></label><label>Agree <input type=checkbox></label>`);
  await page.locator('text=Color').selectOption(['R', 'G']);
  await expect(page.locator('text=Color')).toHaveValues(['R', 'G']);
  await page.locator('label', { hasText: 'Name' }).fill('Ada');
  await expect(page.locator('label', { hasText: 'Name' })).toHaveValue('Ada');
  await page.locator('label', { hasText: 'Agree' }).check();
  await expect(page.locator('input[type=checkbox]')).toBeChecked();

  await page.setContent(`<div role=switch onclick="this.setAttribute('aria-checked', this.getAttribute('aria-checked') !== 'true')">s</div>
    <input type=radio checked id=r><input type=checkbox id=c>`);
  await page.check('div');
  expect(await page.getAttribute('div', 'aria-checked')).toBe('true');
  await page.check('#c', { trial: true });
  expect(await page.isChecked('#c')).toBe(false);
  await expect(page.uncheck('#r')).rejects.toThrow('Cannot uncheck radio button');

  await page.setContent(`<input type=number><input type=color><textarea></textarea><span role=textbox></span><span role=textbox aria-readonly=true id=ro></span><button>b</button>`);
  await expect(page.fill('input[type=number]', 'abc')).rejects.toThrow('Cannot type text into input[type=number]');
  await page.fill('input[type=color]', '#AbCd00');
  await expect(page.locator('input[type=color]')).toHaveValue('#abcd00');
  await expect(page.fill('textarea', 123 as any)).rejects.toThrow('value: expected string, got number');
  expect(await page.locator('span[role=textbox]').first().isEditable()).toBe(true);
  expect(await page.locator('#ro').isEditable()).toBe(false);
  await expect(page.locator('button').isEditable()).rejects.toThrow('does not have a role allowing [aria-readonly]');

  // The error is named after the method called.
  await page.setContent('<select><option>x</option></select>');
  await expect(page.fill('select', 'y', { timeout: 500 })).rejects.toThrow(/^page\.fill: .*Element is not an <input>/);
  const handle = await page.$('select');
  await expect(handle!.fill('y', { timeout: 500 })).rejects.toThrow(/^elementHandle\.fill: /);
});

test('role selectors, descriptions and disabled states', async ({ page }) => {
  await page.setContent(`
    <div role=checkbox aria-checked=true>on</div><div role=checkbox aria-checked=false>off</div>
    <input type=checkbox id=mixed><div role=button aria-label=" Hello "></div><div role=button aria-label="Hallo"></div>
    <h2>Two</h2><h3>Three</h3>
    <div role=alert aria-label="Saved" aria-description="report-2026 was saved">a1</div><div role=alert aria-label="Saved" aria-description="notes were saved">a2</div>`);
  await page.$eval('#mixed', (i: HTMLInputElement) => (i.indeterminate = true));
  const html = (selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => e.textContent || e.getAttribute('aria-label') || e.id));
  expect(await html('role=checkbox[checked]')).toEqual(['on']);
  expect(await html('role=checkbox[checked=false]')).toEqual(['off']);
  expect(await html('role=checkbox[checked="mixed"]')).toEqual(['mixed']);
  expect(await html('role=button[name="hello"]')).toEqual([' Hello ']);
  expect(await html('role=button[name="hello" s]')).toEqual([]);
  expect(await html('role=button[name=/^H[ae]llo$/]')).toEqual([' Hello ', 'Hallo']);
  expect(await html('role=heading[level=3]')).toEqual(['Three']);
  expect(await page.getByRole('alert', { description: 'report-2026' }).textContent()).toBe('a1');
  for (const [selector, message] of [
    ['role=[bar]', 'Role must not be empty'],
    ['role=foo[sElected]', 'Unknown attribute "sElected", must be one of "checked", "description"'],
    ['role=button[level=3]', '"level" attribute is only supported for roles: "heading", "listitem", "row", "treeitem"'],
    ['role=checkbox[checked="bar"]', '"checked" must be one of true, false, "mixed"'],
    ['nosuch=x', 'Unknown engine "nosuch" while parsing selector nosuch=x'],
  ]) {
    await expect(page.locator(selector).count()).rejects.toThrow(message);
  }

  await page.setContent(`<fieldset disabled><button id=in>x</button><legend><button id=legend>l</button></legend></fieldset>
    <span aria-disabled=true><button id=aria>a</button><h1>heading</h1></span>`);
  await expect(page.locator('#in')).toBeDisabled();
  await expect(page.locator('#legend')).toBeEnabled();
  await expect(page.locator('#aria')).toBeDisabled();
  await expect(page.locator('h1')).not.toBeDisabled();
});

test('locator.evaluate runs in the page with handles; locators print as Playwright', async ({ page }) => {
  await page.setContent('<div id=a>a</div><div id=b>b</div>');
  await page.locator('#a').evaluate(() => ((window as any).fromLocator = 'seen by the page'));
  expect(await page.evaluate(() => (window as any).fromLocator)).toBe('seen by the page');
  const b = await page.$('#b');
  expect(await page.locator('#a').evaluate((a, other) => a.id + other!.id, b)).toBe('ab');
  const text = await page.locator('#a').evaluateHandle((a) => a.firstChild);
  expect(await text.evaluate((t) => t!.nodeType)).toBe(3);
  await expect(page.locator('div').evaluate((d) => d.id, null, { timeout: 500 })).rejects.toThrow('strict mode violation');

  // dispatchEvent finds and dispatches in one step, and makes the event class of its type.
  await page.setContent('<div>x</div>');
  await page.evaluate(() => {
    const div = document.querySelector('div')!;
    div.addEventListener('click', (e) => ((window as any).click = [e instanceof MouseEvent, e.clientX]));
    div.addEventListener('dragstart', (e) => ((window as any).drag = [e instanceof DragEvent, e.dataTransfer!.types.length]));
  });
  await page.dispatchEvent('div', 'click', { clientX: 7 });
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.setData('text/plain', 'moved');
    return dt;
  });
  await page.locator('div').dispatchEvent('dragstart', { dataTransfer });
  expect(await page.evaluate(() => [(window as any).click, (window as any).drag])).toEqual([[true, 7], [true, 1]]);

  expect(String(page.getByRole('button', { name: 'Submit' }))).toBe(`getByRole('button', { name: 'Submit' })`);
  expect(String(page.locator('#outer').locator('#inner').first())).toBe(`locator('#outer').locator('#inner').first()`);
  expect(String(page.getByText('x', { exact: true }).describe('The x'))).toBe('The x');
});

test('web-first failures read as Playwright writes them, with their call log', async ({ page }) => {
  await page.setContent('<button style="display: none">b</button><div>d</div>');
  const hidden = await expect(page.locator('button')).toBeVisible({ timeout: 300 }).catch((e) => e);
  expect(hidden.message).toContain("expect(locator).toBeVisible() failed\n\nLocator:  locator('button')\nExpected: visible\nReceived: hidden\nTimeout:  300ms");
  expect(hidden.message).toContain('Call log:\n  - Expect "toBeVisible" with timeout 300ms');
  expect(hidden.message).toContain('locator resolved to <button>b</button>');
  const shown = await expect(page.locator('div')).not.toBeVisible({ timeout: 300 }).catch((e) => e);
  expect(shown.message).toContain('Expected: not visible\nReceived: visible');

  // A property the page set is read in the page's world, and paths walk into it.
  await page.$eval('div', (d) => ((d as any).foo = { nested: { a: 1, when: new Date(0) } }));
  await expect(page.locator('div')).toHaveJSProperty('foo.nested.a', 1);
  await expect(page.locator('div')).toHaveJSProperty('foo.nested', { a: 1, when: new Date(0) });
  const wrong = await expect(page.locator('div')).toHaveJSProperty('foo.nested.a', 2, { timeout: 300 }).catch((e) => e);
  expect(wrong.message).toContain('toHaveJSProperty(expected) failed\n\nLocator:  locator(\'div\')\nExpected: 2\nReceived: 1');
  const count = await expect(page.locator('div')).not.toHaveCount(1, { timeout: 300 }).catch((e) => e);
  expect(count.message).toContain('Expected: not 1\nReceived: 1');

  await page.goto('data:text/html,<div>A</div>');
  await expect(page).toHaveURL('data:text/html,<div>A</div>');
  await expect(page).toHaveURL((url) => url.protocol === 'data:');
  const failed = await expect(page).toHaveURL(() => false, { timeout: 300 }).catch((e) => e);
  expect(failed.message).toContain('Expected: predicate to succeed\nReceived: "data:text/html,<div>A</div>"');
});

test('web-first failures: missing elements, diffs, strictness and bad selectors', async ({ page }) => {
  // A missing element is named, not shown as an empty text.
  await page.setContent('<div>hello</div>');
  const missing = await expect(page.locator('span')).not.toHaveText('hello', { timeout: 300 }).catch((e) => e);
  expect(missing.message).toContain('Expected: not "hello"');
  expect(missing.message).toContain('Error: element(s) not found');
  expect(missing.message).toContain("waiting for locator('span')");

  // Lists fail with a diff; a pattern that matched shows the text it matched.
  await page.setContent('<div>Text 1</div><div>Text 3</div>');
  const diff = await expect(page.locator('div')).toHaveText(['Text 1', /Text \d/, 'Extra'], { timeout: 300 }).catch((e) => e);
  expect(diff.message).toContain(`expect(locator).toHaveText(expected) failed

Locator: locator('div')
Timeout: 300ms
- Expected  - 1
+ Received  + 0

  Array [
    "Text 1",
    "Text 3",
-   "Extra",
  ]

Call log:
  - Expect "toHaveText" with timeout 300ms
  - waiting for locator('div')
`);
  expect(diff.message).toContain('locator resolved to 2 elements');

  // Strings are compared normalised, patterns against the raw text.
  await page.setContent('<p>Text   con\u200btent</p>');
  await expect(page.locator('p')).toHaveText('Text content');
  await expect(page.locator('p')).not.toHaveText(/Text content/);
  await expect(page.locator('p')).toHaveText(/TEXT   CON/i);
  await expect(page.locator('p')).not.toHaveText(/TEXT   CON/i, { ignoreCase: false });
  const badExpected = await expect(page).toHaveURL({} as any, { timeout: 300 }).catch((e) => e);
  expect(badExpected.message).toContain('expect(page).toHaveURL(expected) failed\n\nError: expected value must be a string or regular expression\nExpected has type:  object');

  // Strict-mode violations and selector syntax errors fail the assertion and say why.
  await page.setContent('<div class="a b">x</div><div class="c d">y</div>');
  const strict = await expect(page.locator('div')).toHaveText('x', { timeout: 300 }).catch((e) => e);
  expect(strict.message).toContain('expect(locator).toHaveText(expected) failed');
  expect(strict.message).toContain("Error: strict mode violation: locator('div') resolved to 2 elements");
  const syntax = await expect(page.locator('##')).toBeVisible({ timeout: 300 }).catch((e) => e);
  expect(syntax.message).toContain('Unexpected token "#" while parsing css selector "##". Did you mean to CSS.escape it?');

  // Class lists match element by element; patterns are refused before anything is awaited.
  await expect(page.locator('div')).toContainClass(['a', 'd']);
  await expect(page.locator('div')).not.toContainClass(['a', 'x']);
  expect(() => expect(page.locator('div')).toContainClass(/a/ as any)).toThrow('"expected" argument in toContainClass cannot be a RegExp value');
  await expect((expect(1) as any).toBeOK()).rejects.toThrow('toBeOK can be only used with APIResponse object');

  // Indeterminate checkboxes, pseudo-element styles, focus inside a shadow root.
  await page.setContent(`<input type=checkbox><style>p::before { content: 'x'; color: rgb(1, 2, 3) }</style><p>p</p><div id=host></div>`);
  await page.$eval('input', (i: HTMLInputElement) => (i.indeterminate = true));
  await expect(page.locator('input')).toBeChecked({ indeterminate: true });
  await expect(page.locator('input')).not.toBeChecked();
  await expect(expect(page.locator('input')).toBeChecked({ checked: true, indeterminate: true })).rejects.toThrow("Can't assert indeterminate and checked at the same time");
  await expect(page.locator('p')).toHaveCSS('color', 'rgb(1, 2, 3)', { pseudo: 'before' } as any);
  await expect(page.locator('p')).not.toHaveCSS('color', 'rgb(1, 2, 3)');
  await page.$eval('#host', (h) => {
    h.attachShadow({ mode: 'open' }).innerHTML = '<input id=inner>';
    (h.shadowRoot!.querySelector('input') as HTMLInputElement).focus();
  });
  await expect(page.locator('#inner')).toBeFocused();
  await expect(page.locator('input[type=checkbox]')).not.toBeFocused();
});

test('selectors.setTestIdAttribute changes what getByTestId reads, several at once', async ({ page, playwright }) => {
  await page.setContent('<section><div data-pw="Hello">first</div><div data-ti="Hello">second</div><div data-testid="Hello">third</div></section>');
  await expect(page.getByTestId('Hello')).toHaveText('third');
  await playwright.selectors.setTestIdAttribute('data-pw,data-ti');
  await expect(page.getByTestId('Hello')).toHaveText(['first', 'second']);
  await expect(page.locator('section').getByTestId('Hello')).toHaveCount(2);
  // A context made later reads it too.
  const other = await page.context().browser()!.newContext();
  const p2 = await other.newPage();
  await p2.setContent('<div data-ti="x">later</div>');
  await expect(p2.getByTestId('x')).toHaveText('later');
  await other.close();
  await playwright.selectors.setTestIdAttribute('data-testid');
});
"###;

#[test]
fn forms_selectors_and_evaluation_are_playwrights() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/forms.spec.ts", SELECT_SPEC),
    ]);
    let run = run_test(dir.path(), &[]);
    run.assert_passed(&[
        "selectOption picks as Playwright does",
        "labels stand for their controls; checks; fill errors",
        "role selectors, descriptions and disabled states",
        "locator.evaluate runs in the page with handles; locators print as Playwright",
        "web-first failures read as Playwright writes them, with their call log",
        "web-first failures: missing elements, diffs, strictness and bad selectors",
        "selectors.setTestIdAttribute changes what getByTestId reads, several at once",
    ]);
    assert_eq!(run.code, 0);
}

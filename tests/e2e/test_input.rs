//! Keyboard and mouse as Playwright drives them. Keys by code (`KeyA`, `Digit3`, `NumpadEnter`,
//! media keys) and by value, chords, the modifier in its own keydown's state, Shift changing
//! what a code types, repeats of held keys, Playwright's `Unknown key` error. The mouse: moves in
//! `steps`, clicks in `steps`, held keyboard modifiers on clicks (and a click's own `modifiers`
//! replacing them), pressure while a button is held. Clicks land where Playwright's do (a
//! `position` from the padding box, a wrapped link on its first line, text in a button reaching
//! the button through `pointer-events: none`, an element behind a sticky header), and an
//! `AbortSignal` stops an action.

use super::test_runner::project;
use super::test_runner::run_test;

const CONFIG: &str =
    r#"{ "testDir": "tests", "reporter": [["list"], ["json"]], "timeout": 20000 }"#;

/// A page that logs every key event as `Type: key code location [modifiers]`.
const KEY_LOG: &str = r##"
const KEY_LOG = `<textarea></textarea><script>
  window.log = [];
  const where = ['STANDARD', 'LEFT', 'RIGHT', 'NUMPAD'];
  for (const type of ['keydown', 'keyup']) {
    document.addEventListener(type, (e) => {
      const mods = ['Alt', 'Control', 'Meta', 'Shift'].filter((m) => e.getModifierState(m));
      window.log.push(type + ': ' + e.key + ' ' + e.code + ' ' + where[e.location] + ' [' + mods.join(' ') + ']' + (e.repeat ? ' repeat' : ''));
    });
  }
</script>`;
const drain = (page) => page.evaluate(() => window.log.splice(0));
"##;

const KEYBOARD_SPEC: &str = r##"import { test, expect } from '@playwright/test';

test('keys by code and value, modifiers and repeats', async ({ page }) => {
  await page.setContent(KEY_LOG);
  await page.focus('textarea');
  await page.keyboard.press('Shift+Digit3');
  expect(await drain(page)).toEqual([
    'keydown: Shift ShiftLeft LEFT [Shift]',
    'keydown: # Digit3 STANDARD [Shift]',
    'keyup: # Digit3 STANDARD [Shift]',
    'keyup: Shift ShiftLeft LEFT []',
  ]);
  // A shifted character by value is typed without an implied Shift.
  await page.keyboard.type('!');
  expect(await drain(page)).toEqual(['keydown: ! Digit1 STANDARD []', 'keyup: ! Digit1 STANDARD []']);
  await page.keyboard.press('+');
  expect(await drain(page)).toEqual(['keydown: + Equal STANDARD []', 'keyup: + Equal STANDARD []']);
  for (const [key, expected] of [
    ['NumpadEnter', 'keydown: Enter NumpadEnter NUMPAD []'],
    ['NumpadSubtract', 'keydown: - NumpadSubtract NUMPAD []'],
    ['ControlRight', 'keydown: Control ControlRight RIGHT [Control]'],
    ['AudioVolumeMute', 'keydown: AudioVolumeMute AudioVolumeMute STANDARD []'],
    ['F13', 'keydown: F13 F13 STANDARD []'],
  ]) {
    await page.keyboard.press(key);
    expect((await drain(page))[0]).toBe(expected);
  }
  await page.keyboard.down('Control');
  await page.keyboard.down('Alt');
  await page.keyboard.up('Control');
  await page.keyboard.up('Alt');
  expect(await drain(page)).toEqual([
    'keydown: Control ControlLeft LEFT [Control]',
    'keydown: Alt AltLeft LEFT [Alt Control]',
    'keyup: Control ControlLeft LEFT [Alt]',
    'keyup: Alt AltLeft LEFT []',
  ]);
  await page.keyboard.down('a');
  await page.keyboard.down('a');
  await page.keyboard.up('a');
  expect(await drain(page)).toEqual(['keydown: a KeyA STANDARD []', 'keydown: a KeyA STANDARD [] repeat', 'keyup: a KeyA STANDARD []']);
  await expect(page.keyboard.press('NotARealKey')).rejects.toThrow('Unknown key: "NotARealKey"');
});

test('editing with the keyboard', async ({ page }) => {
  await page.setContent('<textarea></textarea>');
  await page.type('textarea', 'Hello World!');
  for (let i = 0; i < 'World!'.length; i++) await page.keyboard.press('ArrowLeft');
  await page.keyboard.type('inserted ');
  await page.keyboard.down('Shift');
  for (let i = 0; i < 'inserted '.length; i++) await page.keyboard.press('ArrowLeft');
  await page.keyboard.up('Shift');
  await page.keyboard.press('Backspace');
  await expect(page.locator('textarea')).toHaveValue('Hello World!');
  await page.keyboard.press('ControlOrMeta+KeyA');
  await page.keyboard.press('Backspace');
  await expect(page.locator('textarea')).toHaveValue('');

  await page.setContent('<div contenteditable>123</div>');
  await page.focus('div');
  await page.keyboard.press('ControlOrMeta+KeyA');
  await page.keyboard.press('ControlOrMeta+KeyC');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ControlOrMeta+KeyV');
  await expect(page.locator('div')).toHaveText('123123');
});
"##;

const MOUSE_SPEC: &str = r##"import { test, expect } from '@playwright/test';

const MOVES = `<body style="margin: 0"><div style="position: absolute; left: 150px; top: 280px; width: 100px; height: 40px"></div><script>
  window.moves = [];
  document.addEventListener('mousemove', (e) => window.moves.push([e.clientX, e.clientY]));
  window.downs = [];
  document.addEventListener('pointerdown', (e) => window.downs.push([e.pressure, e.shiftKey]));
  document.addEventListener('pointermove', (e) => { if (e.buttons) window.downs.push(['move', e.pressure]); });
</script></body>`;

test('moves and clicks in steps, with the keyboard modifiers', async ({ page }) => {
  await page.setContent(MOVES);
  await page.mouse.move(100, 100);
  await page.mouse.move(200, 300, { steps: 4 });
  expect(await page.evaluate(() => window.moves.splice(0))).toEqual([[100, 100], [125, 150], [150, 200], [175, 250], [200, 300]]);
  await page.mouse.move(100, 100);
  await page.evaluate(() => window.moves.splice(0));
  await page.locator('div').click({ steps: 5 });
  expect(await page.evaluate(() => window.moves.splice(0))).toEqual([[120, 140], [140, 180], [160, 220], [180, 260], [200, 300]]);

  // The click in steps pressed once; then Shift held, then a click's own (no) modifiers.
  await page.keyboard.down('Shift');
  await page.locator('div').click();
  await page.locator('div').click({ modifiers: [] });
  await page.keyboard.up('Shift');
  await page.mouse.down();
  await page.mouse.move(210, 300);
  await page.mouse.up();
  expect(await page.evaluate(() => window.downs)).toEqual([[0.5, false], [0.5, true], [0.5, false], [0.5, false], ['move', 0.5]]);
});

test('clicks land where Playwright lands them', async ({ page }) => {
  await page.setContent(`<button style="border: 8px solid; width: 100px; height: 40px" onclick="window.at = [event.offsetX, event.offsetY]">b</button>`);
  await page.click('button', { position: { x: 20, y: 10 } });
  expect(await page.evaluate(() => window.at)).toEqual([20, 10]);

  // A link wrapped over two lines is clicked on its first line, not between them.
  await page.setContent(`<div style="width: 10ch; font-family: monospace; line-height: 8ch"><a href="#x" style="margin-left: 7ch" onclick="window.linked = true">123321</a></div>`);
  await page.click('a');
  expect(await page.evaluate(() => window.linked)).toBe(true);

  // Text inside a button reaches the button through pointer-events: none.
  await page.setContent(`<div role=button onclick="window.climbed = true"><div style="pointer-events: none"><span>Click target</span></div></div>`);
  await page.click('text=Click target', { timeout: 5000 });
  expect(await page.evaluate(() => window.climbed)).toBe(true);

  // A disabled button is waited for, even when its text is what was named.
  await page.setContent(`<button disabled onclick="window.enabledClick = true"><span>Go</span></button>`);
  const click = page.click('text=Go');
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.enabledClick)).toBeUndefined();
  await page.evaluate(() => document.querySelector('button').removeAttribute('disabled'));
  await click;
  expect(await page.evaluate(() => window.enabledClick)).toBe(true);

  // Behind a sticky header: the retry scrolls it elsewhere.
  await page.setViewportSize({ width: 500, height: 240 });
  await page.setContent(`<style>* { margin: 0; padding: 0 } li { height: 80px } ol { padding-top: 160px }
    div.fixed { position: fixed; z-index: 1; width: 100%; height: 160px; background: red }</style>
    <div class=fixed></div><ol>${Array.from({ length: 14 }, (_, i) => `<li id=li${i + 1} ${i === 8 ? 'onclick="window.behind = true"' : ''}>hi${i + 1}</li>`).join('')}</ol>`);
  await page.$eval('#li14', (e) => e.scrollIntoView());
  await page.click('#li9', { timeout: 5000 });
  expect(await page.evaluate(() => window.behind)).toBe(true);
});

test('an AbortSignal stops an action', async ({ page }) => {
  await page.setContent(`<button style="display: none" onclick="window.clicked = true">b</button>`);
  const controller = new AbortController();
  const pending = page.locator('button').click({ signal: controller.signal, timeout: 0 }).catch((e) => e);
  await page.waitForTimeout(300);
  const reason = new Error('stop now');
  controller.abort(reason);
  const error = await pending;
  expect(error.name).toBe('AbortError');
  expect(error.cause).toBe(reason);
  expect(error.message).toContain('locator.click: stop now');
  // The aborted click does not happen later.
  await page.evaluate(() => (document.querySelector('button').style.display = 'block'));
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => window.clicked)).toBeUndefined();

  const already = new AbortController();
  already.abort('before');
  const early = await page.locator('button').click({ signal: already.signal }).catch((e) => e);
  expect([early.name, early.cause]).toEqual(['AbortError', 'before']);
  expect(early.message).toContain('The operation was aborted');
  expect(await page.evaluate(() => window.clicked)).toBeUndefined();
});
"##;

#[test]
fn the_keyboard_is_playwrights() {
    let spec = KEYBOARD_SPEC.replace(
        "import { test, expect } from '@playwright/test';\n",
        &format!("import {{ test, expect }} from '@playwright/test';\n{KEY_LOG}"),
    );
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/keyboard.spec.ts", &spec),
    ]);
    let run = run_test(dir.path(), &[]);
    run.assert_passed(&[
        "keys by code and value, modifiers and repeats",
        "editing with the keyboard",
    ]);
    assert_eq!(run.code, 0);
}

#[test]
fn the_mouse_and_clicks_are_playwrights() {
    let dir = project(&[
        ("isolate-browser.config.json", CONFIG),
        ("tests/mouse.spec.ts", MOUSE_SPEC),
    ]);
    let run = run_test(dir.path(), &[]);
    run.assert_passed(&[
        "moves and clicks in steps, with the keyboard modifiers",
        "clicks land where Playwright lands them",
        "an AbortSignal stops an action",
    ]);
    assert_eq!(run.code, 0);
}

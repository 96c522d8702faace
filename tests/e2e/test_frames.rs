//! Frames, element handles and Playwright's selector engines, end to end through
//! `isolate-browser test` against real Chromium: the frame tree and its events, frame
//! evaluation and locators, element-handle actions and scoped queries, handles as `evaluate`
//! arguments, `waitForSelector`, and the selector syntax Playwright's own specs use.

use crate::test_runner::project;
use crate::test_runner::run_test;

const CONFIG: &str =
    r#"{ "testDir": "tests", "reporter": [["json"]], "workers": 1, "timeout": 20000 }"#;

/// Runs one spec file and asserts its test `name` passed.
fn passes(file: &str, spec: &str, name: &str) {
    let dir = project(&[("isolate-browser.config.json", CONFIG), (file, spec)]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.status(name), ["passed"], "{}", run.error(name));
}

/// [`passes`] with `server` (an app-server entry) as the project's web server and base URL.
fn passes_served(server: &str, file: &str, spec: &str, name: &str) {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "testDir": "tests", "reporter": [["json"]], "workers": 1, "webServer": { "entry": "app/server.ts" } }"#,
        ),
        ("app/server.ts", server),
        (file, spec),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.status(name), ["passed"], "{}", run.error(name));
}

/// `page.frames()`, `mainFrame()`, `frame(name)`, the frame's own evaluation, content and
/// locators, its `<iframe>` element, frame events, and a detached frame's errors.
#[test]
fn frames_are_a_tree_the_test_can_walk() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('frames', async ({ page }) => {
  const events: string[] = [];
  page.on('frameattached', (f) => events.push('attached'));
  page.on('framedetached', (f) => events.push('detached'));
  await page.setContent(`<title>top</title><iframe name="a" srcdoc="<title>A</title><p id=p>in a</p><iframe name='b' srcdoc='<span>deep</span>'></iframe>"></iframe>`);
  await expect.poll(() => page.frames().length).toBe(3);
  const main = page.mainFrame();
  expect(page.frames()[0]).toBe(main);
  expect(main.parentFrame()).toBe(null);
  const a = page.frame('a')!;
  expect(page.frame({ name: 'a', url: 'about:srcdoc' })).toBe(a);
  expect(a.parentFrame()).toBe(main);
  expect(main.childFrames().length).toBe(1);
  expect(main.childFrames()[0]).toBe(a);
  expect(a.childFrames().length).toBe(1);
  const b = a.childFrames()[0];
  expect(b.parentFrame()).toBe(a);
  await expect.poll(() => b.url()).toBe('about:srcdoc');
  expect(events.filter((e) => e === 'attached').length).toBe(2);
  // Evaluation, content and locators of a child frame are that frame's.
  expect(await a.evaluate(() => document.title)).toBe('A');
  expect(await a.title()).toBe('A');
  expect(await main.title()).toBe('top');
  expect(await a.locator('#p').textContent()).toBe('in a');
  expect(await a.$eval('#p', (p, suffix) => p.textContent + suffix, '!')).toBe('in a!');
  expect(await b.locator('span').innerText()).toBe('deep');
  expect(await a.content()).toContain('<p id="p">in a</p>');
  await a.locator('#p').click();
  // The frame's element, and back.
  const owner = await a.frameElement();
  expect(await owner.getAttribute('name')).toBe('a');
  expect(await owner.contentFrame()).toBe(a);
  const span = await b.$('span');
  expect(await span!.ownerFrame()).toBe(b);
  // An element of a same-origin frame can be passed to the main frame.
  expect(await page.evaluate((el) => el.textContent, span)).toBe('deep');
  const two = await a.evaluateHandle(() => ({ n: 2 }));
  await expect(page.evaluate((v) => v, two)).rejects.toThrow('JSHandles can be evaluated only in the context they were created!');
  await a.setContent('<p>replaced</p>');
  expect(await a.locator('p').textContent()).toBe('replaced');
  await page.evaluate(() => document.querySelector('iframe')!.remove());
  expect(a.isDetached()).toBe(true);
  expect(page.frames()).toEqual([main]);
  await expect.poll(() => events.filter((e) => e === 'detached').length).toBe(2);
  await expect(a.evaluate(() => 1)).rejects.toThrow('frame.evaluate: Frame was detached');
});
"#;
    passes("tests/frames.spec.ts", spec, "frames");
}

/// Element handles act through the same checks as locators, query inside their element, and
/// travel as `evaluate` arguments alone or inside objects and arrays.
#[test]
fn element_handles_act_like_locators() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('handles act', async ({ page }) => {
  await page.setContent(`
    <button id=b onclick="this.dataset.n = (+(this.dataset.n || 0) + 1)">Go</button>
    <input id=i><input id=c type=checkbox>
    <select id=s><option value=x>X</option><option value=y>Y</option></select>
    <ul id=list><li>one</li><li class=two>two</li></ul>
    <div id=box style="position:absolute; left: 50px; top: 60px; width: 70px; height: 20px">box</div>
    <div id=gone>gone</div>`);
  const button = (await page.$('#b'))!;
  await button.click();
  await button.dblclick();
  expect(await button.getAttribute('data-n')).toBe('3');
  const input = (await page.$('#i'))!;
  await input.fill('hello');
  await input.press('End');
  await input.type('!');
  expect(await input.inputValue()).toBe('hello!');
  await input.selectText();
  expect(await page.evaluate(() => window.getSelection()!.toString() || (document.activeElement as HTMLInputElement).value.substring((document.activeElement as HTMLInputElement).selectionStart!, (document.activeElement as HTMLInputElement).selectionEnd!))).toBe('hello!');
  const box = (await page.$('#c'))!;
  await box.check();
  expect(await box.isChecked()).toBe(true);
  await box.uncheck();
  expect(await box.isChecked()).toBe(false);
  const select = (await page.$('#s'))!;
  await select.selectOption('y');
  expect(await select.evaluate((s: HTMLSelectElement) => s.value)).toBe('y');
  expect(await (await page.$('#box'))!.boundingBox()).toEqual({ x: 50, y: 60, width: 70, height: 20 });
  expect(await (await page.$('#box'))!.isVisible()).toBe(true);
  await (await page.$('#box'))!.waitForElementState('stable');
  expect((await (await page.$('#box'))!.screenshot()).length).toBeGreaterThan(100);
  // Queries inside the element.
  const list = (await page.$('#list'))!;
  expect(await list.$eval('.two', (li) => li.textContent)).toBe('two');
  expect(await list.$$eval('li', (lis) => lis.length)).toBe(2);
  expect((await list.$$('li')).length).toBe(2);
  expect(await list.$('#b')).toBe(null);
  await expect(list.$eval('.nope', (e) => e)).rejects.toThrow('elementHandle.$eval: Failed to find element matching selector ".nope"');
  setTimeout(() => page.evaluate(() => document.querySelector('#list')!.insertAdjacentHTML('beforeend', '<li class=late>late</li>')), 100);
  const late = await list.waitForSelector('.late');
  expect(await late!.textContent()).toBe('late');
  // Handles as arguments: alone, in objects, in arrays.
  expect(await page.evaluate((el) => el.id, button)).toBe('b');
  expect(await page.evaluate(({ a, b }) => a.id + b.id, { a: button, b: input })).toBe('bi');
  expect(await page.evaluate(([x, y]) => x.tagName + y.tagName, [list, late])).toBe('ULLI');
  expect(await page.$eval('#i', (el, other) => el.id + other.id, button)).toBe('ib');
  // Keys go to an input that was not focused from its start; innerText needs an HTML element.
  await page.evaluate(() => { const i = document.querySelector('#i') as HTMLInputElement; i.value = 'hello'; i.setSelectionRange(2, 4); (document.querySelector('#b') as HTMLElement).focus(); });
  await page.press('#i', 'w');
  expect(await input.inputValue()).toBe('whello');
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<svg id=g>t</svg>'));
  await expect(page.innerText('#g')).rejects.toThrow('Node is not an HTMLElement');
  await expect((await page.$('#g'))!.innerText()).rejects.toThrow('Node is not an HTMLElement');
  // A node that left its document, and a disposed handle, say so.
  const gone = (await page.$('#gone'))!;
  await gone.evaluate((el) => el.remove());
  await expect(gone.click()).rejects.toThrow('Element is not attached to the DOM');
  await button.dispose();
  await expect(page.evaluate((el) => el.id, button)).rejects.toThrow('no object with guid');
  await expect(button.evaluate((el) => el.id)).rejects.toThrow('JSHandle is disposed');
  await expect(page.evaluate((a) => a, { f: () => 1 })).rejects.toThrow('Attempting to serialize unexpected value at position "f"');
  await expect((page.evaluate as any)((a: any, b: any) => 1, 1, 2)).rejects.toThrow('Too many arguments');
});
"#;
    passes("tests/handles.spec.ts", spec, "handles act");
}

/// `waitForSelector` in every state returns a handle (or null), and refuses bad options with
/// Playwright's words.
#[test]
fn wait_for_selector_returns_handles() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('waits', async ({ page }) => {
  await page.setContent('<div id=a style="display:none">a</div>');
  setTimeout(() => page.evaluate(() => (document.querySelector('#a') as HTMLElement).style.display = 'block'), 100);
  const shown = await page.waitForSelector('#a');
  expect(await shown!.textContent()).toBe('a');
  expect(await page.waitForSelector('#a', { state: 'attached' })).toBeTruthy();
  setTimeout(() => page.evaluate(() => (document.querySelector('#a') as HTMLElement).style.display = 'none'), 100);
  expect(await page.waitForSelector('#a', { state: 'hidden' })).toBe(null);
  setTimeout(() => page.evaluate(() => document.querySelector('#a')!.remove()), 100);
  expect(await page.waitForSelector('#a', { state: 'detached' })).toBe(null);
  await expect(page.waitForSelector('#a', { timeout: 200 })).rejects.toThrow('page.waitForSelector: Timeout 200ms exceeded');
  await expect(page.waitForSelector('#a', { state: 'nope' as any })).rejects.toThrow('state: expected one of (attached|detached|visible|hidden)');
  await page.setContent('<p>1</p><p>2</p>');
  expect(await (await page.waitForSelector('p'))!.textContent()).toBe('1');
  expect(await page.waitForSelector('p', { waitFor: 'visible' } as any)).toBeTruthy();
  await expect(page.waitForSelector('p', { waitFor: 'attached' } as any)).rejects.toThrow('options.waitFor is not supported');
});
"#;
    passes("tests/waits.spec.ts", spec, "waits");
}

/// The selector syntax of Playwright's specs: entering frames, `*` capture, `internal:*`
/// engines, pseudo-classes anywhere in CSS, relative and scope-relative CSS, layout
/// pseudo-classes, and errors for malformed ones.
#[test]
fn selectors_follow_playwrights_engines() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('selectors', async ({ page }) => {
  await page.setContent(`
    <section><div id=d1>one<span>a</span></div><div id=d2>two<b>b</b></div></section>
    <div id=s1></div><div id=s2></div><div id=s3></div>
    <iframe srcdoc="<button>in frame</button>"></iframe>`);
  await expect(page.locator('iframe >> internal:control=enter-frame >> button')).toHaveText('in frame');
  expect(await page.$eval('iframe >> internal:control=enter-frame >> button', (b) => b.textContent)).toBe('in frame');
  expect(await page.$$eval('*css=div >> span', (els) => els.map((e) => e.id))).toEqual(['d1']);
  expect(await page.$$eval('div >> internal:has="b"', (els) => els.map((e) => e.id))).toEqual(['d2']);
  expect(await page.$$eval('section div:has-text("two") b', (els) => els.length)).toBe(1);
  expect(await page.$eval(':text-is("a")', (e) => e.parentElement!.id)).toBe('d1');
  expect(await page.$eval(':nth-match(section div, 2)', (e) => e.id)).toBe('d2');
  expect(await page.$$eval('#s1 >> ~ div', (els) => els.map((e) => e.id))).toEqual(['s2', 's3']);
  const section = (await page.$('section'))!;
  expect(await section.$$eval('* > *', (els) => els.length)).toBe(2);
  expect(await page.$eval('text="two"', (e) => e.id)).toBe('d2');
  await page.setContent(`<div id=left style="position:absolute;left:0;top:0;width:50px;height:50px"></div>
    <div id=near style="position:absolute;left:60px;top:0;width:50px;height:50px"></div>
    <div id=far style="position:absolute;left:300px;top:0;width:50px;height:50px"></div>`);
  expect(await page.$$eval('div:right-of(#left)', (els) => els.map((e) => e.id))).toEqual(['near', 'far']);
  expect(await page.$$eval('div:near(#left)', (els) => els.map((e) => e.id))).toEqual(['near']);
  await expect(page.$(':text("a", "b")')).rejects.toThrow('"text" engine expects a single string');
  await expect(page.$('iframe >> internal:control=enter-frame')).rejects.toThrow('Selector cannot end with entering frame');
});
"#;
    passes("tests/selectors.spec.ts", spec, "selectors");
}

/// `exposeFunction` / `exposeBinding`: the page calls into the test's sandbox, before and after
/// navigations, and gets values and errors back; `addScriptTag` / `addStyleTag` add to the
/// page; `locator.describe` names a locator in errors.
#[test]
fn the_page_calls_back_into_the_test() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('callbacks', async ({ page }) => {
  const seen: number[] = [];
  await page.exposeFunction('compute', (a: number, b: number) => { seen.push(a); return { sum: a + b, when: new Date(0) }; });
  await page.exposeBinding('whoami', ({ page: p }, greeting: string) => `${greeting} from ${p === page ? 'the page' : 'elsewhere'}`);
  await page.exposeFunction('fail', () => { throw new Error('nope from the test'); });
  const r = await page.evaluate(async () => { const v = await (window as any).compute(2, 3); return [v.sum, v.when instanceof Date]; });
  expect(r).toEqual([5, true]);
  expect(seen).toEqual([2]);
  expect(await page.evaluate(() => (window as any).whoami('hi'))).toBe('hi from the page');
  expect(await page.evaluate(() => (window as any).fail().catch((e: Error) => e.message))).toBe('nope from the test');
  await expect(page.exposeFunction('compute', () => 0)).rejects.toThrow('Function "compute" has been already registered');
  // A new document has them too.
  await page.setContent('<iframe srcdoc="<p>x</p>"></iframe>');
  await page.reload();
  expect(await page.evaluate(() => (window as any).compute(40, 2).then((v: any) => v.sum))).toBe(42);
  await page.setContent('<p id=p>text</p>');
  const script = await page.addScriptTag({ content: 'window.added = 7;' });
  expect(await script.evaluate((s) => s.tagName)).toBe('SCRIPT');
  expect(await page.evaluate(() => (window as any).added)).toBe(7);
  await page.addStyleTag({ content: '#p { color: rgb(1, 2, 3); }' });
  await expect(page.locator('#p')).toHaveCSS('color', 'rgb(1, 2, 3)');
  await expect(page.addScriptTag({})).rejects.toThrow('Provide an object with a `url`, `path` or `content` property');
  const described = page.locator('#missing').describe('the missing thing');
  expect(described.description()).toBe('the missing thing');
  await expect(described.click({ timeout: 300 })).rejects.toThrow('the missing thing');
});
"#;
    passes("tests/callbacks.spec.ts", spec, "callbacks");
}

/// `page.request` / `context.request`: requests from test code that share the browser
/// context's cookies both ways (sent with requests, filled from `Set-Cookie`).
#[test]
fn context_request_shares_the_contexts_cookies() {
    let server = r#"export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/set') {
      return new Response('set', { headers: { 'set-cookie': 'sid=from-api; Path=/' } });
    }
    return new Response(`cookie: ${request.headers.get('cookie') ?? ''}`, { headers: { 'content-type': 'text/html' } });
  },
};
"#;
    let spec = r#"import { test, expect } from '@playwright/test';
test('shared cookies', async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: 'pre', value: '1', url: baseURL! }]);
  expect(await (await page.request.get('/echo')).text()).toBe('cookie: pre=1');
  await context.request.get('/set');
  const names = (await context.cookies()).map((c) => c.name).sort();
  expect(names).toEqual(['pre', 'sid']);
  await page.goto('/echo');
  await expect(page.locator('body')).toContainText('sid=from-api');
  expect(page.request).toBe(context.request);
});
"#;
    passes_served(server, "tests/req.spec.ts", spec, "shared cookies");
}

/// `selectors.register`: a custom engine whose source runs in the page, for locators of
/// contexts open now and later; names are checked.
#[test]
fn custom_selector_engines_run_in_the_page() {
    let spec = r#"import { test, expect, selectors } from '@playwright/test';
test('engines', async ({ page, browser }) => {
  await selectors.register('tag', () => ({
    query(root: Element, name: string) { return root.querySelector(name); },
    queryAll(root: Element, name: string) { return Array.from(root.querySelectorAll(name)); },
  }));
  await page.setContent('<div><button>one</button><button>two</button></div><span>s</span>');
  await expect(page.locator('tag=button')).toHaveCount(2);
  expect(await page.$eval('div >> tag=button >> nth=1', (b) => b.textContent)).toBe('two');
  // Evaluations query in the page's own world, leaving it nothing of ours to find.
  expect(await page.evaluate(() => Object.getOwnPropertyNames(globalThis).filter((k) => k.includes('isolate')))).toEqual([]);
  await page.locator('tag=span').click();
  const other = await browser.newPage();
  await other.setContent('<i>later</i>');
  expect(await other.locator('tag=i').textContent()).toBe('later');
  await other.close();
  await expect(selectors.register('tag', '({ queryAll: () => [] })')).rejects.toThrow('"tag" selector engine has been already registered');
  await expect(selectors.register('bad name', '({ queryAll: () => [] })')).rejects.toThrow('Selector engine name may only contain');
  await expect(page.locator('nosuch=x').count()).rejects.toThrow('Unknown engine "nosuch" while parsing selector nosuch=x');
});
"#;
    passes("tests/engines.spec.ts", spec, "engines");
}

/// `frame.goto`: a child frame navigates on its own, waits for its load and answers with its
/// document's response, whose `frame()` is that frame.
#[test]
fn a_child_frame_navigates_and_answers_with_its_response() {
    let server = r#"export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/top') return new Response('<iframe src="/one"></iframe>', { headers: { 'content-type': 'text/html' } });
    if (url.pathname === '/missing') return new Response('gone', { status: 404 });
    return new Response(`<p>${url.pathname}</p>`, { headers: { 'content-type': 'text/html' } });
  },
};
"#;
    let spec = r#"import { test, expect } from '@playwright/test';
test('frame goto', async ({ page }) => {
  await page.goto('/top');
  await expect.poll(() => page.frames().length).toBe(2);
  const child = page.frames()[1];
  await expect(child.locator('p')).toHaveText('/one');
  const response = await child.goto('/two');
  expect(response!.ok()).toBe(true);
  expect(response!.status()).toBe(200);
  expect(response!.url()).toContain('/two');
  expect(response!.frame()).toBe(child);
  expect(child.url()).toContain('/two');
  expect(await child.locator('p').textContent()).toBe('/two');
  // The main frame did not move, and its own navigation still answers with its response.
  expect(page.url()).toContain('/top');
  const missing = await child.goto('/missing');
  expect(missing!.status()).toBe(404);
  const top = await page.goto('/top');
  expect(top!.frame()).toBe(page.mainFrame());
});
"#;
    passes_served(server, "tests/goto.spec.ts", spec, "frame goto");
}

/// Shadow DOM as Playwright's engines see it: `:light` forms do not pierce, text skips
/// scripts, slotted text is clicked through its shadow host, `display: contents` is visible
/// by what it renders and scrolls to it; a large document is queried in one pass; actions
/// say what they retry.
#[test]
fn shadow_dom_and_large_documents_follow_playwright() {
    let spec = r##"import { test, expect } from '@playwright/test';
test('shadow and size', async ({ page }) => {
  await page.setContent(`<section id=host></section><script>
    const root = document.getElementById('host').attachShadow({ mode: 'open' });
    root.innerHTML = '<span id=target data-testid=foo>inside shadow</span>';
  </script>`);
  expect(await page.$eval('css=#target', (e) => e.textContent)).toBe('inside shadow');
  expect(await page.$('css:light=#target')).toBe(null);
  expect(await page.$('id:light=target')).toBe(null);
  expect(await page.$('data-testid:light=foo')).toBe(null);
  expect(await page.$eval('text=inside shadow', (e) => e.id)).toBe('target');
  // The script's source mentions the text; only rendered text counts.
  expect(await page.$('text:light=inside shadow')).toBe(null);
  // A shadow root's handle is a place to start, never a match.
  const shadow = await (await page.$('#host'))!.evaluateHandle((h) => h.shadowRoot);
  expect(await (shadow as any).textContent()).toBe('inside shadow');
  expect(await (shadow as any).$$(':scope span')).toEqual([]);
  expect(await (shadow as any).$$eval('span', (els: Element[]) => els.length)).toBe(1);
  const unknown = await page.$('foo:light=x').catch((e) => e);
  expect(String(unknown)).toContain('Unknown engine "foo:light"');

  await page.setContent(`<template id=t><a href="#" id=inner onclick="window.clicks++"><slot></slot></a></template>
    <my-link>Sign up</my-link><script>
    window.clicks = 0;
    customElements.define('my-link', class extends HTMLElement {
      constructor() { super(); this.attachShadow({ mode: 'open' }).appendChild(document.getElementById('t').content.cloneNode(true)); }
    });
  </script>`);
  await page.click('#inner', { timeout: 5000 });
  expect(await page.evaluate(() => (window as any).clicks)).toBe(1);

  await page.setContent('<div><p style="display:contents">DISPLAY CONTENTS</p></div>');
  await page.waitForSelector('"DISPLAY CONTENTS"', { timeout: 5000 });
  await page.setContent('<div><article style="display:contents"><div></div></article></div>');
  await page.waitForSelector('article', { state: 'hidden', timeout: 5000 });
  await page.setContent(`<div id=box style="width:200px;height:200px;overflow:scroll">
    <div style="margin-top:500px"><div style="height:50px"><div id=c style="display:contents">Hello</div></div></div></div>`);
  await (await page.$('#c'))!.scrollIntoViewIfNeeded();
  expect(await page.$eval('#box', (e) => e.scrollTop)).toBeGreaterThan(300);

  // 8191 divs with two spans each: one query, one evaluation.
  await page.evaluate(() => {
    const make = (depth: number): HTMLElement => {
      const div = document.createElement('div');
      div.append(document.createElement('span'), document.createElement('span'));
      if (depth > 0) div.append(make(depth - 1), make(depth - 1));
      return div;
    };
    document.body.append(make(12));
  });
  for (const selector of ['div div div span', 'div > div + div span ~ span', 'span']) {
    const ours = await page.$$eval(selector, (els) => els.length);
    expect(ours).toBe(await page.evaluate((s) => document.querySelectorAll(s).length, selector));
  }
  expect(await page.$$eval(':has-text("nothing here")', (els) => els.length)).toBe(0);

  await page.setContent('<textarea style="display:none">x</textarea>');
  const error = await (await page.$('textarea'))!.selectText({ timeout: 500 }).catch((e) => e);
  expect(error.message).toContain('element is not visible');
  expect(error.message).toContain('retrying select text action');
  await page.setContent('<textarea>pick me</textarea>');
  await page.locator('textarea').selectText();
  expect(await page.evaluate(() => { const t = document.querySelector('textarea')!; return t.value.slice(t.selectionStart, t.selectionEnd); })).toBe('pick me');
});
"##;
    passes("tests/shadow.spec.ts", spec, "shadow and size");
}

/// Deep results cross whole (as text, past the protocol parsers' depth), up to Playwright's
/// limit; a page that forges a deeper answer gets an error, never a hang or a crash. String
/// expressions are values, not functions to call; handles preview as Chromium shows them.
#[test]
fn deep_results_cross_whole_and_forged_ones_are_refused() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('deep', async ({ page }) => {
  const r = await page.evaluate((depth) => { let node: any = { leaf: 'x"]]}' }; for (let i = 0; i < depth; i++) node = { child: node, list: [i] }; return node; }, 189);
  let d = 0; let n: any = r; while (n.child) { n = n.child; d++; }
  expect(d).toBe(189);
  expect(n.leaf).toBe('x"]]}');
  await expect(page.evaluate((depth) => { let node = {}; for (let i = 0; i < depth; i++) node = { child: node }; return node; }, 200))
    .rejects.toThrow('Cannot serialize result: object reference chain is too long.');
  expect((await page.evaluateHandle('(function(){})')).toString()).toContain('function');
  // Platform objects and class instances are what their toJSON says; plain objects never ask.
  const perf: any = await page.evaluate(() => performance);
  expect(typeof perf.timing.navigationStart).toBe('number');
  expect(typeof perf.timeOrigin).toBe('number');
  expect(await page.evaluate(() => {
    class Money { toJSON() { return { cents: 5 }; } }
    class Bad { toJSON() { throw new Error('bad'); } }
    return { money: new Money(), bad: new Bad(), plain: { toJSON: () => 'no', x: 1 }, url: new URL('https://a.test/') };
  })).toEqual({ money: { cents: 5 }, bad: {}, plain: { toJSON: {}, x: 1 }, url: new URL('https://a.test/') });
  // A string is a script: statements allowed, its value the result.
  const circular = await page.evaluateHandle('const a = {}; a.b = a; a');
  const expected: any = {};
  expected.b = expected;
  expect(await circular.jsonValue()).toEqual(expected);
  expect((await page.evaluateHandle('new Proxy({}, {})')).toString()).toBe('Proxy(Object)');
  const [msg] = await Promise.all([
    page.waitForEvent('console', (m) => m.text().startsWith('[')),
    page.evaluate(() => { const a: number[] = []; a[1] = 1; a[10] = 2; console.log(a); }),
  ]);
  expect(msg.text()).toBe('[empty, 1, empty x 8, 2]');
  // The page's JSON is not ours: replaced, or given toJSONs, it changes nothing.
  await page.evaluate(() => { (Array.prototype as any).toJSON = () => 'busted'; (window as any).JSON = null; });
  expect(await page.evaluate(() => ({ list: [1, 2, 3], text: 'a"\\b\n' }))).toEqual({ list: [1, 2, 3], text: 'a"\\b\n' });
  // A page that forges what our serializer writes gets an error, not a parser past its depth.
  await expect(page.evaluate(() => { String.prototype.replace = function () { return '"' + '['.repeat(100000) + '"'; } as any; return 'x'; }))
    .rejects.toThrow('object reference chain is too long');
});
"#;
    passes("tests/deep.spec.ts", spec, "deep");
}

/// A wait that fails in the page (its element left with the document) says what it was
/// waiting for, as Playwright's call log does.
#[test]
fn a_failed_wait_says_what_it_waited_for() {
    let spec = r#"import { test, expect } from '@playwright/test';
test('failed wait', async ({ page }) => {
  await page.setContent('<div></div>');
  const div = (await page.$('div'))!;
  const waiting = div.waitForSelector('span').catch((e) => e);
  await page.waitForTimeout(200);
  await page.setContent('<p>new document</p>');
  await page.reload();
  const error = await waiting;
  expect(error.message).toContain('Element is not attached to the DOM');
  expect(error.message).toContain("waiting for locator('span') to be visible");
});
"#;
    passes("tests/wait.spec.ts", spec, "failed wait");
}

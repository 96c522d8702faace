// Locators: plain data (a chain of steps) that the host rebuilds into a browser-crate locator
// on every call, so they stay lazy and cost nothing here. Each method is one host call.

import { host, TimeoutError } from "ext:isolate_suite/browser/10_wire.js";
import { defaultTimeoutOf } from "ext:isolate_suite/browser/30_events.js";
import { bufferOf, fnSource, fromWire, ms, textQuery, toBase64, toWire } from "ext:isolate_suite/browser/11_values.js";
import { ElementHandle, handleOf, setHandleLocatorFactory } from "ext:isolate_suite/browser/45_handles.js";
import { setChainDescriber } from "ext:isolate_suite/browser/12_trace.js";

const DateNow = Date.now;

function roleOptions(options = {}) {
  return {
    name: textQuery(options.name, options.exact),
    checked: options.checked,
    pressed: options.pressed,
    selected: options.selected,
    expanded: options.expanded,
    level: options.level,
    disabled: options.disabled,
    includeHidden: options.includeHidden ?? false,
    description: textQuery(options.description, options.exact),
  };
}

function filterOptions(options = {}) {
  return {
    hasText: textQuery(options.hasText),
    hasNotText: textQuery(options.hasNotText),
    has: options.has ? chainOf(options.has) : undefined,
    hasNot: options.hasNot ? chainOf(options.hasNot) : undefined,
    visible: options.visible,
  };
}

export function chainOf(locator) {
  if (!(locator instanceof Locator)) throw new TypeError("expected a Locator");
  return locator._chain;
}

/** Options of clicks and checks, as the host reads them. */
export function clickOptions(o = {}) {
  return {
    button: o.button,
    clickCount: o.clickCount,
    modifiers: o.modifiers,
    position: o.position,
    force: !!o.force,
    trial: !!o.trial,
    delay: ms(o.delay),
    timeout: ms(o.timeout),
    steps: Number.isInteger(o.steps) && o.steps > 0 ? o.steps : undefined,
  };
}

const quoted = (s) => `'${String(s).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** A text query as Playwright prints it: `'Save'`, `/save/i`. */
function describeText(q) {
  if (!q) return "''";
  return q.kind === "regex" ? `/${q.source}/${q.flags}` : quoted(q.text);
}

function describeFilter(o) {
  const parts = [];
  if (o.hasText) parts.push(`hasText: ${describeText(o.hasText)}`);
  if (o.hasNotText) parts.push(`hasNotText: ${describeText(o.hasNotText)}`);
  if (o.has) parts.push(`has: ${describeChain(o.has)}`);
  if (o.hasNot) parts.push(`hasNot: ${describeChain(o.hasNot)}`);
  if (o.visible !== undefined) parts.push(`visible: ${o.visible}`);
  return `filter({ ${parts.join(", ")} })`;
}

/** The locator a chain of steps makes, in Playwright's notation (what `String(locator)` is). */
function describeChain(chain) {
  let out = "";
  const call = (text) => (out = out ? `${out}.${text}` : text);
  for (const step of chain) {
    const exact = (q) => (q?.kind === "exact" ? ", { exact: true }" : "");
    switch (step.step) {
      case "locator": call(`locator(${quoted(step.selector)})`); break;
      case "getByRole": {
        const o = step.options ?? {};
        const parts = [];
        if (o.name) parts.push(`name: ${describeText(o.name)}`);
        if (o.name?.kind === "exact") parts.push("exact: true");
        for (const key of ["checked", "pressed", "selected", "expanded", "disabled", "level"]) {
          if (o[key] !== undefined) parts.push(`${key}: ${o[key]}`);
        }
        if (o.includeHidden) parts.push("includeHidden: true");
        if (o.description) parts.push(`description: ${describeText(o.description)}`);
        call(`getByRole(${quoted(step.role)}${parts.length ? `, { ${parts.join(", ")} }` : ""})`);
        break;
      }
      case "getByText": case "getByLabel": case "getByPlaceholder": case "getByAltText": case "getByTitle":
        call(`${step.step}(${describeText(step.text)}${exact(step.text)})`);
        break;
      case "getByTestId": call(`getByTestId(${describeText(step.text)})`); break;
      case "nth": call(`nth(${step.index})`); break;
      case "first": call("first()"); break;
      case "last": call("last()"); break;
      case "filter": call(describeFilter(step.options ?? {})); break;
      case "and": call(`and(${describeChain(step.chain)})`); break;
      case "or": call(`or(${describeChain(step.chain)})`); break;
      case "contentFrame": call("contentFrame()"); break;
      case "frameLocator": call(`frameLocator(${quoted(step.selector)})`); break;
      case "describe": out = step.description; break;
      default: break;
    }
  }
  return out;
}

/** Builders shared by pages, locators and frame locators. */
export class Locatable {
  _step(step) {
    throw new Error(`not implemented: ${step.step}`);
  }
  locator(selector, options) {
    if (selector instanceof Locator) return this._step({ step: "and", chain: chainOf(selector) });
    const l = this._step({ step: "locator", selector: String(selector) });
    return options ? l.filter(options) : l;
  }
  getByRole(role, options) {
    return this._step({ step: "getByRole", role, options: roleOptions(options) });
  }
  getByText(text, options) {
    return this._step({ step: "getByText", text: textQuery(text, options?.exact) });
  }
  getByLabel(text, options) {
    return this._step({ step: "getByLabel", text: textQuery(text, options?.exact) });
  }
  getByPlaceholder(text, options) {
    return this._step({ step: "getByPlaceholder", text: textQuery(text, options?.exact) });
  }
  getByAltText(text, options) {
    return this._step({ step: "getByAltText", text: textQuery(text, options?.exact) });
  }
  getByTitle(text, options) {
    return this._step({ step: "getByTitle", text: textQuery(text, options?.exact) });
  }
  getByTestId(id) {
    return this._step({ step: "getByTestId", text: textQuery(id, true) });
  }
  frameLocator(selector) {
    return new FrameLocator(this._step({ step: "frameLocator", selector: String(selector) }));
  }
}

export class Locator extends Locatable {
  constructor(page, chain, api = "locator") {
    super();
    this._page = page;
    this._chain = chain;
    /** Whose method the user called, for errors: `locator`, `page`, `frame`, `elementHandle`. */
    this._api = api;
  }
  _step(step) {
    return new Locator(this._page, [...this._chain, step]);
  }
  /** This locator, its errors named after `api`'s methods (`page.click: ...`). */
  _as(api) {
    return new Locator(this._page, this._chain, api);
  }
  #host(method, args, options = undefined) {
    return host(method, args, this._api, options?.signal);
  }
  page() {
    return this._page;
  }
  #on(args = {}) {
    return { page: this._page._id, chain: this._chain, ...args };
  }
  nth(index) {
    return this._step({ step: "nth", index });
  }
  first() {
    return this._step({ step: "first" });
  }
  last() {
    return this._step({ step: "last" });
  }
  filter(options) {
    return this._step({ step: "filter", options: filterOptions(options) });
  }
  and(other) {
    return this._step({ step: "and", chain: chainOf(other) });
  }
  or(other) {
    return this._step({ step: "or", chain: chainOf(other) });
  }
  contentFrame() {
    return new FrameLocator(this._step({ step: "contentFrame" }));
  }
  /** A locator named `description` in errors and reports. */
  describe(description) {
    return this._step({ step: "describe", description: String(description) });
  }
  /** What `describe()` named this locator, or null. */
  description() {
    for (let i = this._chain.length - 1; i >= 0; i--) {
      if (this._chain[i].step === "describe") return i === this._chain.length - 1 ? this._chain[i].description : null;
    }
    return null;
  }
  /** Playwright's notation: `getByRole('button', { name: 'Submit' }).first()`, or the description. */
  toString() {
    return describeChain(this._chain);
  }
  async all() {
    const n = await this.count();
    return Array.from({ length: n }, (_, i) => this.nth(i));
  }
  count() {
    return this.#host("locator.count", this.#on());
  }
  click(options = {}) {
    return this.#host("locator.click", this.#on({ options: clickOptions(options) }), options);
  }
  dblclick(options = {}) {
    return this.#host("locator.dblclick", this.#on({ options: clickOptions(options) }), options);
  }
  tap(options = {}) {
    return this.click(options);
  }
  hover(options = {}) {
    return this.#host("locator.hover", this.#on({ timeout: ms(options.timeout), force: !!options.force }), options);
  }
  selectText(options = {}) {
    return this.#host("locator.selectText", this.#on({ timeout: ms(options.timeout), force: !!options.force }), options);
  }
  async fill(value, options = {}) {
    if (typeof value !== "string") throw new Error(`${this._api}.fill: value: expected string, got ${typeof value}`);
    return this.#host("locator.fill", this.#on({ value, timeout: ms(options.timeout), force: !!options.force }), options);
  }
  clear(options = {}) {
    return this.#host("locator.clear", this.#on({ timeout: ms(options.timeout) }), options);
  }
  press(key, options = {}) {
    return this.#host("locator.press", this.#on({ key, timeout: ms(options.timeout) }), options);
  }
  pressSequentially(text, options = {}) {
    return this.#host("locator.pressSequentially", this.#on({ text, delay: ms(options.delay), timeout: ms(options.timeout) }), options);
  }
  type(text, options = {}) {
    return this.pressSequentially(text, options);
  }
  focus(options = {}) {
    return this.#host("locator.focus", this.#on({ timeout: ms(options.timeout) }), options);
  }
  blur(options = {}) {
    return this.#host("locator.blur", this.#on({ timeout: ms(options.timeout) }), options);
  }
  check(options = {}) {
    return this.#host("locator.check", this.#on({ options: clickOptions(options) }), options);
  }
  uncheck(options = {}) {
    return this.#host("locator.uncheck", this.#on({ options: clickOptions(options) }), options);
  }
  setChecked(checked, options = {}) {
    return checked ? this.check(options) : this.uncheck(options);
  }
  async selectOption(values, options = {}) {
    const list = values === null || values === undefined ? [] : Array.isArray(values) ? values : [values];
    const wire = [];
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (typeof v === "string") {
        wire.push({ valueOrLabel: v });
      } else if (v instanceof ElementHandle) {
        // The option itself: picked by its place in its select.
        const index = await v.evaluate((o) => (o instanceof HTMLOptionElement ? o.index : -1));
        if (index < 0) throw new Error(`options[${i}]: expected an <option> element`);
        wire.push({ index });
      } else if (v === null || typeof v !== "object") {
        throw new Error(`options[${i}]: expected object, got ${v === null ? "null" : typeof v}`);
      } else {
        for (const [key, type] of [["value", "string"], ["label", "string"], ["index", "number"]]) {
          if (v[key] !== undefined && (typeof v[key] !== type || (key === "index" && !Number.isInteger(v[key])))) {
            throw new Error(`options[${i}].${key}: expected ${key === "index" ? "integer" : "string"}, got ${typeof v[key]}`);
          }
        }
        wire.push({ value: v.value, label: v.label, index: v.index });
      }
    }
    return this.#host("locator.selectOption", this.#on({ values: wire, timeout: ms(options.timeout) }), options);
  }
  textContent(options = {}) {
    return this.#host("locator.textContent", this.#on({ timeout: ms(options.timeout) }), options);
  }
  innerText(options = {}) {
    return this.#host("locator.innerText", this.#on({ timeout: ms(options.timeout) }), options);
  }
  innerHTML(options = {}) {
    return this.#host("locator.innerHTML", this.#on({ timeout: ms(options.timeout) }), options);
  }
  inputValue(options = {}) {
    return this.#host("locator.inputValue", this.#on({ timeout: ms(options.timeout) }), options);
  }
  getAttribute(name, options = {}) {
    return this.#host("locator.getAttribute", this.#on({ name, timeout: ms(options.timeout) }), options);
  }
  allTextContents() {
    return this.#host("locator.allTextContents", this.#on());
  }
  allInnerTexts() {
    return this.#host("locator.allInnerTexts", this.#on());
  }
  isVisible() {
    return this.#host("locator.isVisible", this.#on());
  }
  isHidden() {
    return this.#host("locator.isHidden", this.#on());
  }
  isEnabled() {
    return this.#host("locator.isEnabled", this.#on());
  }
  isDisabled() {
    return this.#host("locator.isDisabled", this.#on());
  }
  isEditable() {
    return this.#host("locator.isEditable", this.#on());
  }
  isChecked() {
    return this.#host("locator.isChecked", this.#on());
  }
  boundingBox(options = {}) {
    return this.#host("locator.boundingBox", this.#on({ timeout: ms(options.timeout) }), options);
  }
  async evaluate(fn, arg, options = {}) {
    const source = typeof fn === "function" ? fnSource(fn) : { expression: `() => (${fn})`, isFunction: true };
    return fromWire(await this.#host("locator.evaluate", this.#on({ ...source, arg: toWire(arg), timeout: ms(options.timeout) }), options));
  }
  /** Checks `fn(element, arg)` on the element (found again at each check, strictly) every
   * animation frame or `polling` ms until it is truthy. */
  async waitForFunction(fn, arg, options = {}) {
    const polling = options.polling ?? "raf";
    if (polling !== "raf" && !(typeof polling === "number" && polling > 0)) {
      throw new Error(`locator.waitForFunction: Unknown polling option: ${polling}`);
    }
    const timeout = ms(options.timeout) ?? defaultTimeoutOf(this._page);
    const deadline = timeout > 0 ? DateNow() + timeout : Infinity;
    const predicate = typeof fn === "function" ? fnSource(fn).expression : String(fn);
    const check = { expression: `async (e, a) => !!(await (${predicate}
)(e, a))`, isFunction: true };
    const timedOut = () => new TimeoutError(`locator.waitForFunction: Timeout ${timeout}ms exceeded.`);
    for (;;) {
      const left = deadline - DateNow();
      if (left <= 0) throw timedOut();
      let ok;
      try {
        ok = fromWire(await this.#host("locator.evaluate", this.#on({ ...check, arg: toWire(arg), timeout: left === Infinity ? 0 : left }), options));
      } catch (e) {
        if (e instanceof TimeoutError) throw timedOut();
        throw e;
      }
      if (ok) return undefined;
      await new Promise((resolve) => setTimeout(resolve, polling === "raf" ? 16 : polling));
    }
  }
  async evaluateHandle(fn, arg, options = {}) {
    const source = typeof fn === "function" ? fnSource(fn) : { expression: `() => (${fn})`, isFunction: true };
    return handleOf(await this.#host("locator.evaluateHandle", this.#on({ ...source, arg: toWire(arg), timeout: ms(options.timeout) }), options), this._page);
  }
  async dispatchEvent(type, eventInit = {}, options = {}) {
    await this.evaluate((el, [type, init]) => {
      const kinds = [
        [/^(click|dblclick|auxclick|contextmenu|mouse)/, "MouseEvent"],
        [/^key/, "KeyboardEvent"],
        [/^(focus|blur)/, "FocusEvent"],
        [/^drag|^drop$/, "DragEvent"],
        [/^pointer|^(got|lost)pointercapture$/, "PointerEvent"],
        [/^wheel$/, "WheelEvent"],
        [/^(input|beforeinput)$/, "InputEvent"],
        [/^touch/, "TouchEvent"],
        [/^deviceorientation(absolute)?$/, "DeviceOrientationEvent"],
        [/^devicemotion$/, "DeviceMotionEvent"],
      ];
      const name = kinds.find(([re]) => re.test(type))?.[1] ?? "Event";
      const Ctor = globalThis[name] ?? Event;
      el.dispatchEvent(new Ctor(type, { bubbles: true, cancelable: true, composed: true, ...init }));
    }, [String(type), eventInit ?? {}], options);
  }
  async evaluateAll(fn, arg) {
    return fromWire(await this.#host("locator.evalOnSelectorAll", this.#on({ ...fnSource(fn), arg: toWire(arg) })));
  }
  /** `page.$eval` / `$$eval`: the matches now, in the page's own world. */
  async _evalOnSelector(selector, all, fn, arg, what) {
    const args = this.#on({ ...fnSource(fn), arg: toWire(arg), selector });
    try {
      return fromWire(await (all ? this.#host("locator.evalOnSelectorAll", args) : this.#host("locator.evalOnSelector", args)));
    } catch (e) {
      // Playwright names the call in this one ("page.$eval: Failed to find element ...").
      if (what && typeof e?.message === "string" && e.message.startsWith("Failed to find element")) {
        e.message = `${what}: ${e.message}`;
      }
      throw e;
    }
  }
  /** `page.$` / `$$`: the matches now, as element handles. */
  async _querySelector() {
    const info = await this.#host("locator.querySelector", this.#on());
    return info ? handleOf(info, this._page) : null;
  }
  async elementHandles() {
    const infos = await this.#host("locator.querySelectorAll", this.#on());
    return infos.map((info) => handleOf(info, this._page));
  }
  /** `waitForSelector` of a page, frame or handle: the first match in the state, or null. */
  async _waitForSelector(options, what) {
    // `waitFor: 'visible'` (an old spelling of the default) is tolerated, as in Playwright.
    if (options && "waitFor" in options && options.waitFor !== "visible") {
      throw new Error(`${what}: options.waitFor is not supported, did you mean options.state?`);
    }
    if (options && "visibility" in options) throw new Error(`${what}: options.visibility is not supported, did you mean options.state?`);
    if (options?.state !== undefined && !["attached", "detached", "visible", "hidden"].includes(options.state)) {
      throw new Error(`${what}: state: expected one of (attached|detached|visible|hidden)`);
    }
    const info = await this.#host("locator.waitForSelector", this.#on({
      state: options.state ?? "visible",
      strict: !!options.strict,
      timeout: ms(options.timeout),
      what,
    }));
    return info ? handleOf(info, this._page) : null;
  }
  async elementHandle(options = {}) {
    await this.waitFor({ state: "attached", timeout: options.timeout });
    const handles = await this.elementHandles();
    if (handles.length > 1) {
      throw new Error(`Error: strict mode violation: ${this} resolved to ${handles.length} elements`);
    }
    if (!handles.length) return this.elementHandle(options);
    return handles[0];
  }
  waitFor(options = {}) {
    return this.#host("locator.waitFor", this.#on({ state: options.state ?? "visible", timeout: ms(options.timeout) }), options);
  }
  scrollIntoViewIfNeeded(options = {}) {
    return this.#host("locator.scrollIntoViewIfNeeded", this.#on({ timeout: ms(options.timeout) }), options);
  }
  setInputFiles(files, options = {}) {
    const list = (Array.isArray(files) ? files : [files]).map((f) =>
      typeof f === "string" ? { path: f } : { name: f.name, mimeType: f.mimeType, buffer: toBase64(f.buffer) },
    );
    return this.#host("locator.setInputFiles", this.#on({ files: list, timeout: ms(options.timeout) }), options);
  }
  dragTo(target, options = {}) {
    return this.#host("locator.dragTo", this.#on({ target: chainOf(target), timeout: ms(options.timeout), force: !!options.force }), options);
  }
  async screenshot(options = {}) {
    return bufferOf(await this.#host("locator.screenshot", this.#on({ timeout: ms(options.timeout), path: options.path, ...shotOptions(options) }), options));
  }
  async highlight() {
    throw new Error("locator.highlight() is not supported: it draws on a headed browser's screen, which isolate-browser does not show");
  }
}

/** What every screenshot takes besides its area, as the host reads it. */
export function shotOptions(options) {
  let mask;
  if (options.mask !== undefined) {
    if (!Array.isArray(options.mask)) throw new TypeError("options.mask: expected an array of locators");
    mask = options.mask.map((l) => {
      if (!(l instanceof Locator)) throw new TypeError("options.mask: expected an array of locators");
      return l._chain;
    });
  }
  return {
    type: options.type,
    quality: options.quality,
    omitBackground: !!options.omitBackground,
    animations: options.animations,
    caret: options.caret,
    mask,
    maskColor: options.maskColor,
    style: options.style,
    scale: options.scale,
  };
}

setHandleLocatorFactory((page, handle) => new Locator(page, [{ step: "handle", handle }], "elementHandle"));

export class FrameLocator extends Locatable {
  constructor(locator) {
    super();
    this._locator = locator;
  }
  _step(step) {
    return this._locator._step(step);
  }
  owner() {
    const chain = this._locator._chain;
    const last = chain[chain.length - 1];
    const rest = chain.slice(0, -1);
    if (last?.step === "frameLocator") return new Locator(this._locator._page, [...rest, { step: "locator", selector: last.selector }]);
    return new Locator(this._locator._page, rest);
  }
  first() {
    return new FrameLocator(this._locator._step({ step: "first" }));
  }
  last() {
    return new FrameLocator(this._locator._step({ step: "last" }));
  }
  nth(i) {
    return new FrameLocator(this._locator._step({ step: "nth", index: i }));
  }
}

/**
 * The selector-first shortcuts pages and frames share (`page.click(selector)`, `frame.$eval`,
 * `waitForSelector`): each is the locator of the selector, acted on once.
 */
export class Shortcuts extends Locatable {
  /** The caller's name in errors (`page`, `frame`). */
  get _kind() {
    return "page";
  }
  /** The selector's locator for a shortcut: not strict (the first match) unless asked. */
  _first(selector, options) {
    const l = this.locator(selector);
    return (options?.strict ? l : l._step({ step: "nonStrict" }))._as(this._kind);
  }
  click(selector, options) {
    return this._first(selector, options).click(options);
  }
  dblclick(selector, options) {
    return this._first(selector, options).dblclick(options);
  }
  tap(selector, options) {
    return this._first(selector, options).click(options);
  }
  fill(selector, value, options) {
    return this._first(selector, options).fill(value, options);
  }
  press(selector, key, options) {
    return this._first(selector, options).press(key, options);
  }
  type(selector, text, options) {
    return this._first(selector, options).pressSequentially(text, options);
  }
  check(selector, options) {
    return this._first(selector, options).check(options);
  }
  uncheck(selector, options) {
    return this._first(selector, options).uncheck(options);
  }
  setChecked(selector, checked, options) {
    return this._first(selector, options).setChecked(checked, options);
  }
  hover(selector, options) {
    return this._first(selector, options).hover(options);
  }
  focus(selector, options) {
    return this._first(selector, options).focus(options);
  }
  selectOption(selector, values, options) {
    return this._first(selector, options).selectOption(values, options);
  }
  textContent(selector, options) {
    return this._first(selector, options).textContent(options);
  }
  innerText(selector, options) {
    return this._first(selector, options).innerText(options);
  }
  innerHTML(selector, options) {
    return this._first(selector, options).innerHTML(options);
  }
  inputValue(selector, options) {
    return this._first(selector, options).inputValue(options);
  }
  getAttribute(selector, name, options) {
    return this._first(selector, options).getAttribute(name, options);
  }
  isVisible(selector) {
    return this.locator(selector).isVisible();
  }
  isHidden(selector) {
    return this.locator(selector).isHidden();
  }
  isChecked(selector) {
    return this.locator(selector).isChecked();
  }
  isEnabled(selector) {
    return this.locator(selector).isEnabled();
  }
  isDisabled(selector) {
    return this.locator(selector).isDisabled();
  }
  isEditable(selector) {
    return this.locator(selector).isEditable();
  }
  setInputFiles(selector, files, options) {
    return this._first(selector, options).setInputFiles(files, options);
  }
  dispatchEvent(selector, type, eventInit, options) {
    return this._first(selector, options).dispatchEvent(type, eventInit, options);
  }
  async $eval(selector, fn, arg, ...rest) {
    if (rest.length) throw new Error("Too many arguments. If you need to pass more than 1 argument to the function wrap them in an object.");
    return this.locator(selector)._evalOnSelector(selector, false, fn, arg, `${this._kind}.$eval`);
  }
  async $(selector, options) {
    const l = this.locator(selector);
    // Strict: several matches fail as every strict call does, naming each of them.
    if (options?.strict && (await l.count()) > 1) await l.evaluate(() => undefined, undefined, { timeout: 0 });
    return l._querySelector();
  }
  $$(selector) {
    return this.locator(selector).elementHandles();
  }
  async $$eval(selector, fn, arg, ...rest) {
    if (rest.length) throw new Error("Too many arguments. If you need to pass more than 1 argument to the function wrap them in an object.");
    return this.locator(selector)._evalOnSelector(selector, true, fn, arg, `${this._kind}.$$eval`);
  }
  waitForSelector(selector, options = {}) {
    return this.locator(selector)._waitForSelector(options, `${this._kind}.waitForSelector`);
  }
}

setChainDescriber(describeChain);

// Locators: plain data (a chain of steps) that the host rebuilds into a browser-crate locator
// on every call, so they stay lazy and cost nothing here. Each method is one host call.

import { host } from "ext:isolate_suite/browser/10_wire.js";
import { bufferOf, fnSource, fromWire, ms, textQuery, toBase64, toWire } from "ext:isolate_suite/browser/11_values.js";
import { handleOf, setHandleLocatorFactory } from "ext:isolate_suite/browser/45_handles.js";

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
  };
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
  constructor(page, chain) {
    super();
    this._page = page;
    this._chain = chain;
  }
  _step(step) {
    return new Locator(this._page, [...this._chain, step]);
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
  toString() {
    return `Locator@${this._page._id}:${JSON.stringify(this._chain)}`;
  }
  async all() {
    const n = await this.count();
    return Array.from({ length: n }, (_, i) => this.nth(i));
  }
  count() {
    return host("locator.count", this.#on());
  }
  click(options = {}) {
    return host("locator.click", this.#on({ options: clickOptions(options) }));
  }
  dblclick(options = {}) {
    return host("locator.dblclick", this.#on({ options: clickOptions(options) }));
  }
  tap(options = {}) {
    return this.click(options);
  }
  hover(options = {}) {
    return host("locator.hover", this.#on({ timeout: ms(options.timeout), force: !!options.force }));
  }
  selectText(options = {}) {
    return host("locator.selectText", this.#on({ timeout: ms(options.timeout), force: !!options.force }));
  }
  fill(value, options = {}) {
    return host("locator.fill", this.#on({ value: String(value), timeout: ms(options.timeout), force: !!options.force }));
  }
  clear(options = {}) {
    return host("locator.clear", this.#on({ timeout: ms(options.timeout) }));
  }
  press(key, options = {}) {
    return host("locator.press", this.#on({ key, timeout: ms(options.timeout) }));
  }
  pressSequentially(text, options = {}) {
    return host("locator.pressSequentially", this.#on({ text, delay: ms(options.delay), timeout: ms(options.timeout) }));
  }
  type(text, options = {}) {
    return this.pressSequentially(text, options);
  }
  focus(options = {}) {
    return host("locator.focus", this.#on({ timeout: ms(options.timeout) }));
  }
  blur(options = {}) {
    return host("locator.blur", this.#on({ timeout: ms(options.timeout) }));
  }
  check(options = {}) {
    return host("locator.check", this.#on({ options: clickOptions(options) }));
  }
  uncheck(options = {}) {
    return host("locator.uncheck", this.#on({ options: clickOptions(options) }));
  }
  setChecked(checked, options = {}) {
    return checked ? this.check(options) : this.uncheck(options);
  }
  selectOption(values, options = {}) {
    const list = (Array.isArray(values) ? values : [values]).map((v) =>
      typeof v === "string" ? { value: v, label: v } : { value: v.value, label: v.label, index: v.index },
    );
    return host("locator.selectOption", this.#on({ values: list, timeout: ms(options.timeout) }));
  }
  textContent(options = {}) {
    return host("locator.textContent", this.#on({ timeout: ms(options.timeout) }));
  }
  innerText(options = {}) {
    return host("locator.innerText", this.#on({ timeout: ms(options.timeout) }));
  }
  innerHTML(options = {}) {
    return host("locator.innerHTML", this.#on({ timeout: ms(options.timeout) }));
  }
  inputValue(options = {}) {
    return host("locator.inputValue", this.#on({ timeout: ms(options.timeout) }));
  }
  getAttribute(name, options = {}) {
    return host("locator.getAttribute", this.#on({ name, timeout: ms(options.timeout) }));
  }
  allTextContents() {
    return host("locator.allTextContents", this.#on());
  }
  allInnerTexts() {
    return host("locator.allInnerTexts", this.#on());
  }
  isVisible() {
    return host("locator.isVisible", this.#on());
  }
  isHidden() {
    return host("locator.isHidden", this.#on());
  }
  isEnabled() {
    return host("locator.isEnabled", this.#on());
  }
  isDisabled() {
    return host("locator.isDisabled", this.#on());
  }
  isEditable() {
    return host("locator.isEditable", this.#on());
  }
  isChecked() {
    return host("locator.isChecked", this.#on());
  }
  boundingBox(options = {}) {
    return host("locator.boundingBox", this.#on({ timeout: ms(options.timeout) }));
  }
  async evaluate(fn, arg, options = {}) {
    const source = typeof fn === "function" ? fnSource(fn) : { expression: `() => (${fn})`, isFunction: true };
    return fromWire(await host("locator.evaluate", this.#on({ ...source, arg: toWire(arg), timeout: ms(options.timeout) })));
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
      ];
      const name = kinds.find(([re]) => re.test(type))?.[1] ?? "Event";
      const Ctor = globalThis[name] ?? Event;
      el.dispatchEvent(new Ctor(type, { bubbles: true, cancelable: true, composed: true, ...init }));
    }, [String(type), eventInit ?? {}], options);
  }
  async evaluateAll(fn, arg) {
    return fromWire(await host("locator.evalOnSelectorAll", this.#on({ ...fnSource(fn), arg: toWire(arg) })));
  }
  /** `page.$eval` / `$$eval`: the matches now, in the page's own world. */
  async _evalOnSelector(selector, all, fn, arg, what) {
    const args = this.#on({ ...fnSource(fn), arg: toWire(arg), selector });
    try {
      return fromWire(await (all ? host("locator.evalOnSelectorAll", args) : host("locator.evalOnSelector", args)));
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
    const info = await host("locator.querySelector", this.#on());
    return info ? handleOf(info, this._page) : null;
  }
  async elementHandles() {
    const infos = await host("locator.querySelectorAll", this.#on());
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
    const info = await host("locator.waitForSelector", this.#on({
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
    return host("locator.waitFor", this.#on({ state: options.state ?? "visible", timeout: ms(options.timeout) }));
  }
  scrollIntoViewIfNeeded(options = {}) {
    return host("locator.scrollIntoViewIfNeeded", this.#on({ timeout: ms(options.timeout) }));
  }
  setInputFiles(files, options = {}) {
    const list = (Array.isArray(files) ? files : [files]).map((f) =>
      typeof f === "string" ? { path: f } : { name: f.name, mimeType: f.mimeType, buffer: toBase64(f.buffer) },
    );
    return host("locator.setInputFiles", this.#on({ files: list, timeout: ms(options.timeout) }));
  }
  dragTo(target, options = {}) {
    return host("locator.dragTo", this.#on({ target: chainOf(target), timeout: ms(options.timeout), force: !!options.force }));
  }
  async screenshot(options = {}) {
    return bufferOf(await host("locator.screenshot", this.#on({ timeout: ms(options.timeout), path: options.path })));
  }
  async highlight() {
    throw new Error("locator.highlight() is not supported: it draws on a headed browser's screen, which isolate-browser does not show");
  }
}

setHandleLocatorFactory((page, handle) => new Locator(page, [{ step: "handle", handle }]));

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
    return options?.strict ? l : l._step({ step: "nonStrict" });
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
  $(selector) {
    return this.locator(selector)._querySelector();
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

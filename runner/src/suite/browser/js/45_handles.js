// `JSHandle` and `ElementHandle`: values that stay in the page. The isolate holds only the
// host's id of each; every call goes through the host, which keeps the page's object.

import { host } from "ext:isolate_suite/browser/10_wire.js";
import { fnSource, fromWire, setHandleTest, toWire } from "ext:isolate_suite/browser/11_values.js";

/** A handle for what the host answered (`{ id, preview, isElement }`), of `page`. */
export function handleOf(info, page) {
  return info.isElement ? new ElementHandle(info, page) : new JSHandle(info, page);
}


let locatorOf = () => {
  throw new Error("element handles need the locator module");
};
/** How an element handle becomes the locator of its element (the locator module knows). */
export function setHandleLocatorFactory(fn) {
  locatorOf = fn;
}

export class JSHandle {
  #id;
  #preview;
  constructor(info, page) {
    this.#id = info.id;
    this.#preview = info.preview;
    this._page = page;
  }
  _hostId() {
    return this.#id;
  }
  static _isReal(v) {
    return #id in v;
  }
  async evaluate(fn, arg, ...rest) {
    if (rest.length) throw new Error("Too many arguments. If you need to pass more than 1 argument to the function wrap them in an object.");
    return fromWire(await host("handle.evaluate", { handle: this.#id, ...fnSource(fn), arg: toWire(arg) }));
  }
  async evaluateHandle(fn, arg, ...rest) {
    if (rest.length) throw new Error("Too many arguments. If you need to pass more than 1 argument to the function wrap them in an object.");
    return handleOf(await host("handle.evaluateHandle", { handle: this.#id, ...fnSource(fn), arg: toWire(arg) }), this._page);
  }
  async jsonValue() {
    return fromWire(await host("handle.jsonValue", { handle: this.#id }));
  }
  async getProperty(name) {
    return handleOf(await host("handle.getProperty", { handle: this.#id, name: String(name) }), this._page);
  }
  async getProperties() {
    const out = new Map();
    for (const { name, handle } of await host("handle.getProperties", { handle: this.#id })) out.set(name, handleOf(handle, this._page));
    return out;
  }
  asElement() {
    return null;
  }
  async dispose() {
    await host("handle.dispose", { handle: this.#id });
  }
  toString() {
    return this.#preview;
  }
}

// Handles passed to `evaluate` go as their host id. A private field proves a real handle: an
// object made to look like one has none, and its check fails.
setHandleTest((v) => (v instanceof JSHandle && JSHandle._isReal(v) ? v._hostId() : undefined));

const STATES = ["visible", "hidden", "stable", "enabled", "disabled", "editable"];

/**
 * A handle to a DOM node. Its actions and queries are those of a locator that starts at the
 * node (the host resolves it into the engine's world): the same waits and checks, and a node
 * that left its document fails with "Element is not attached to the DOM".
 */
export class ElementHandle extends JSHandle {
  asElement() {
    return this;
  }
  _locator() {
    return locatorOf(this._page, this._hostId());
  }
  async #frameRef(method) {
    const { frame, frames } = await host(method, { handle: this._hostId() });
    this._page?._syncFrames(frames);
    return frame ? this._page?._frameFor(frame) ?? null : null;
  }
  contentFrame() {
    return this.#frameRef("handle.contentFrame");
  }
  ownerFrame() {
    return this.#frameRef("handle.ownerFrame");
  }
  textContent() {
    return this.evaluate((el) => el.textContent);
  }
  innerText() {
    return this.evaluate((el) => {
      if (el.nodeType !== 1 || !(el instanceof el.ownerDocument.defaultView.HTMLElement)) throw new Error("Node is not an HTMLElement");
      return el.innerText;
    });
  }
  innerHTML() {
    return this.evaluate((el) => {
      if (el.nodeType !== 1) throw new Error("Node is not an element");
      return el.innerHTML;
    });
  }
  getAttribute(name) {
    return this.evaluate((el, n) => {
      if (el.nodeType !== 1) throw new Error("Node is not an element");
      return el.getAttribute(n);
    }, name);
  }
  inputValue() {
    return this._locator().inputValue({ timeout: 1 });
  }
  click(options) {
    return this._locator().click(options);
  }
  dblclick(options) {
    return this._locator().dblclick(options);
  }
  tap(options) {
    return this._locator().click(options);
  }
  hover(options) {
    return this._locator().hover(options);
  }
  fill(value, options) {
    return this._locator().fill(value, options);
  }
  clear(options) {
    return this._locator().clear(options);
  }
  press(key, options) {
    return this._locator().press(key, options);
  }
  type(text, options) {
    return this._locator().pressSequentially(text, options);
  }
  focus() {
    return this._locator().focus();
  }
  check(options) {
    return this._locator().check(options);
  }
  uncheck(options) {
    return this._locator().uncheck(options);
  }
  setChecked(checked, options) {
    return this._locator().setChecked(checked, options);
  }
  selectOption(values, options) {
    return this._locator().selectOption(values, options);
  }
  setInputFiles(files, options) {
    return this._locator().setInputFiles(files, options);
  }
  scrollIntoViewIfNeeded(options) {
    return this._locator().scrollIntoViewIfNeeded(options);
  }
  dispatchEvent(type, eventInit) {
    return this._locator().dispatchEvent(type, eventInit);
  }
  isVisible() {
    return this._locator().isVisible();
  }
  isHidden() {
    return this._locator().isHidden();
  }
  isEnabled() {
    return this._locator().isEnabled();
  }
  isDisabled() {
    return this._locator().isDisabled();
  }
  isEditable() {
    return this._locator().isEditable();
  }
  isChecked() {
    return this._locator().isChecked();
  }
  async boundingBox() {
    if (!(await this.isVisible())) return null;
    return this._locator().boundingBox();
  }
  screenshot(options) {
    return this._locator().screenshot(options);
  }
  selectText(options = {}) {
    return this._locator().selectText(options);
  }

  async waitForElementState(state, options = {}) {
    if (!STATES.includes(state)) {
      throw new Error(`elementHandle.waitForElementState: state: expected one of (${STATES.join("|")})`);
    }
    const timeout = options.timeout ?? 30000;
    const deadline = Date.now() + timeout;
    for (;;) {
      const now = await this.evaluate(async (el, state) => {
        if (!el.isConnected) return state === "hidden" ? true : "detached";
        const style = el.ownerDocument.defaultView.getComputedStyle(el);
        const rect = el.getBoundingClientRect();
        const visible = rect.width > 0 && rect.height > 0 && style.visibility !== "hidden";
        const disabled = ["BUTTON", "INPUT", "SELECT", "TEXTAREA", "OPTION", "OPTGROUP"].includes(el.tagName) && el.matches(":disabled")
          || el.closest("[aria-disabled=true]") !== null;
        switch (state) {
          case "visible":
            return visible;
          case "hidden":
            return !visible;
          case "enabled":
            return !disabled;
          case "disabled":
            return disabled;
          case "editable":
            return !disabled && !el.readOnly && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
          case "stable": {
            const frame = () => new Promise((r) => requestAnimationFrame(r));
            await frame();
            const a = el.getBoundingClientRect();
            await frame();
            const b = el.getBoundingClientRect();
            return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height && b.width > 0;
          }
        }
        return false;
      }, state);
      if (now === "detached") throw new Error("elementHandle.waitForElementState: Element is not attached to the DOM");
      if (now === true) return;
      if (Date.now() >= deadline) {
        const err = new Error(`elementHandle.waitForElementState: Timeout ${timeout}ms exceeded.`);
        err.name = "TimeoutError";
        throw err;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  $(selector) {
    return this._locator().locator(selector)._querySelector();
  }
  $$(selector) {
    return this._locator().locator(selector).elementHandles();
  }
  $eval(selector, fn, arg) {
    return this._locator().locator(selector)._evalOnSelector(selector, false, fn, arg, "elementHandle.$eval");
  }
  $$eval(selector, fn, arg) {
    return this._locator().locator(selector)._evalOnSelector(selector, true, fn, arg, "elementHandle.$$eval");
  }
  waitForSelector(selector, options = {}) {
    return this._locator().locator(selector)._waitForSelector(options, "elementHandle.waitForSelector");
  }
}

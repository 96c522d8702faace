// Frames: the page's frame tree as Playwright shows it. The tree is kept by the wire (every call
// about a page brings it back, and frame events carry it), so `page.frames()`, `frame.name()`,
// `frame.url()` and `frame.childFrames()` answer synchronously. A frame's calls name it by the
// host's frame id; the main frame is named by none, so it stays the same object across
// navigations.

import { host } from "ext:isolate_suite/browser/10_wire.js";
import { fnSource, fromWire, ms, toWire } from "ext:isolate_suite/browser/11_values.js";
import { handleOf } from "ext:isolate_suite/browser/45_handles.js";
import { Locator, Shortcuts } from "ext:isolate_suite/browser/40_locator.js";
import { Response } from "ext:isolate_suite/browser/20_network.js";

const LOAD_STATES = ["load", "domcontentloaded", "networkidle", "commit"];
/** Playwright's refusal of a load state it does not know. */
export function checkLoadState(what, state) {
  if (!LOAD_STATES.includes(state)) {
    throw new Error(`${what}.waitForLoadState: state: expected one of (load|domcontentloaded|networkidle|commit)`);
  }
}

export class Frame extends Shortcuts {
  constructor(page, id, main) {
    super();
    this._page = page;
    this._id = id;
    this._main = main;
    this._name = "";
    this._url = main ? "about:blank" : "";
    this._parentId = null;
    this._detached = false;
  }
  get _kind() {
    return "frame";
  }
  _step(step) {
    if (this._main) return new Locator(this._page, [step]);
    return new Locator(this._page, [{ step: "frame", frame: this._id }, step]);
  }
  #on(args = {}) {
    return { page: this._page._id, frame: this._main ? null : this._id, ...args };
  }
  page() {
    return this._page;
  }
  name() {
    return this._name;
  }
  url() {
    return this._url;
  }
  parentFrame() {
    return this._parentId ? this._page._frameFor(this._parentId) : null;
  }
  childFrames() {
    return this._page.frames().filter((f) => f._parentId !== null && f._parentId === this._id);
  }
  isDetached() {
    return this._detached;
  }
  async evaluate(fn, arg, ...rest) {
    if (rest.length) throw new Error("Too many arguments. If you need to pass more than 1 argument to the function wrap them in an object.");
    return fromWire(await host("frame.evaluate", this.#on({ expression: fnSource(fn).expression, arg: toWire(arg) })));
  }
  async evaluateHandle(fn, arg, ...rest) {
    if (rest.length) throw new Error("Too many arguments. If you need to pass more than 1 argument to the function wrap them in an object.");
    return handleOf(await host("frame.evaluateHandle", this.#on({ ...fnSource(fn), arg: toWire(arg) })), this._page);
  }
  content() {
    return host("frame.content", this.#on());
  }
  setContent(html) {
    return host("frame.setContent", this.#on({ html: String(html) }));
  }
  title() {
    return host("frame.title", this.#on());
  }
  async goto(url, options = {}) {
    if (this._main) return this._page.goto(url, options);
    const data = await host("frame.goto", this.#on({ url: String(url), waitUntil: options.waitUntil, timeout: ms(options.timeout) }));
    return data ? new Response(data, this) : null;
  }
  addScriptTag(options = {}) {
    return this.#addTag(false, options);
  }
  addStyleTag(options = {}) {
    return this.#addTag(true, options);
  }
  async #addTag(style, o) {
    const info = await host("frame.addTag", this.#on({ style, url: o.url, path: o.path, content: o.content, type: o.type }));
    return handleOf(info, this._page);
  }
  async frameElement() {
    return handleOf(await host("frame.frameElement", this.#on()), this._page);
  }
  waitForTimeout(timeout) {
    return new Promise((resolve) => setTimeout(resolve, timeout));
  }
  waitForNavigation(options = {}) {
    return this._page._waitForNavigation(this, options ?? {});
  }
  async waitForLoadState(state = "load", options = {}) {
    if (this._main) return this._page.waitForLoadState(state, options);
    checkLoadState("frame", state);
    const want = state === "domcontentloaded" ? ["interactive", "complete"] : ["complete"];
    await this.waitForFunction((w) => w.includes(document.readyState), want, options);
  }
  async waitForURL(url, options = {}) {
    if (this._main) return this._page.waitForURL(url, options);
    // A child frame's URL is read in the frame: a string matches whole or as the URL's end, a
    // RegExp tests it.
    await this.waitForFunction(
      (m) => (typeof m === "string" ? location.href === m || location.href.endsWith(m) : m.test(location.href)),
      url,
      options,
    );
  }
  /** Polls `fn` in the frame (every animation frame, or every `polling` ms) until it returns
   * something truthy, and gives that value as a handle. */
  async waitForFunction(fn, arg, options = {}) {
    const polling = options.polling ?? "raf";
    if (polling !== "raf" && typeof polling !== "number") {
      throw new Error(`${this._main ? "page" : "frame"}.waitForFunction: Unknown polling option: ${polling}`);
    }
    const args = { ...fnSource(fn), arg: toWire(arg), timeout: ms(options.timeout), polling: polling === "raf" ? undefined : polling };
    return handleOf(await host("page.waitForFunction", this.#on(args)), this._page);
  }

}

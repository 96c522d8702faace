// Pages: navigation, evaluation, screenshots, events, routes, and the selector-first shortcuts
// older specs use; with the page's keyboard and mouse. A page's URL is kept current by the
// wire (every call about a page brings it back), so `page.url()` answers synchronously.

import { host, setPageUrlSink, TimeoutError } from "ext:isolate_suite/browser/10_wire.js";
import { registerPage } from "ext:isolate_suite/browser/12_trace.js";
import { bufferOf, fnSource, fromWire, ms, toWire, urlMatch } from "ext:isolate_suite/browser/11_values.js";
import { handleOf } from "ext:isolate_suite/browser/45_handles.js";
import { ConsoleMessage, Response } from "ext:isolate_suite/browser/20_network.js";
import {
  addRoute, settleRoutes, unrouteArgs, defaultTimeoutOf, emitTo, hasListeners, listenersOf, off, on, onceOn, pageError, pagesById, requestOf, setPopupFactory, waitForEventOn,
} from "ext:isolate_suite/browser/30_events.js";
import { clickOptions, Locator, Shortcuts, shotOptions } from "ext:isolate_suite/browser/40_locator.js";
import { checkLoadState, Frame } from "ext:isolate_suite/browser/48_frame.js";

setPageUrlSink(
  (id, url) => {
    const page = pagesById.get(id);
    if (page && url) page._url = url;
  },
  (id, frames) => pagesById.get(id)?._syncFrames(frames),
);

setPopupFactory((opener, id) => {
  let page = pagesById.get(id);
  if (!page && opener) {
    page = new Page(id, opener._context);
    opener._context?._adopt(page);
  }
  return page;
});

/** Page events the host forwards only while someone listens. */
// (Frame events come always: the page keeps its frame tree from them.)
const HOST_EVENTS = new Set(["console", "pageerror", "request", "response", "requestfailed", "requestfinished", "filechooser", "load", "domcontentloaded", "dialog"]);

class Keyboard {
  #page;
  constructor(page) {
    this.#page = page;
  }
  press(key, options = {}) {
    return host("keyboard.press", { page: this.#page._id, key, delay: ms(options.delay) });
  }
  type(text, options = {}) {
    return host("keyboard.type", { page: this.#page._id, text, delay: ms(options.delay) });
  }
  down(key) {
    return host("keyboard.down", { page: this.#page._id, key });
  }
  up(key) {
    return host("keyboard.up", { page: this.#page._id, key });
  }
  insertText(text) {
    return host("keyboard.insertText", { page: this.#page._id, text });
  }
}

class Mouse {
  #page;
  constructor(page) {
    this.#page = page;
  }
  move(x, y, options = {}) {
    const steps = Number.isInteger(options.steps) && options.steps > 0 ? options.steps : undefined;
    return host("mouse.move", { page: this.#page._id, x, y, steps });
  }
  click(x, y, options = {}) {
    return host("mouse.click", { page: this.#page._id, x, y, options: clickOptions(options) });
  }
  dblclick(x, y, options = {}) {
    return host("mouse.click", { page: this.#page._id, x, y, options: clickOptions({ ...options, clickCount: 2 }) });
  }
  down(options = {}) {
    return host("mouse.down", { page: this.#page._id, button: options.button, clickCount: options.clickCount });
  }
  up(options = {}) {
    return host("mouse.up", { page: this.#page._id, button: options.button, clickCount: options.clickCount });
  }
  wheel(deltaX, deltaY) {
    return host("mouse.wheel", { page: this.#page._id, deltaX, deltaY });
  }
}

function navOptions(o = {}) {
  return { waitUntil: o.waitUntil, timeout: ms(o.timeout) };
}

function responseOrNull(data, frame) {
  return data ? new Response(data, frame) : null;
}

/** `addInitScript(fn, arg)`, `addInitScript(source)` or `addInitScript({ content })`. */
export function initScriptSource(script, arg) {
  if (typeof script === "function") return `(${script})(${JSON.stringify(arg)})`;
  if (typeof script === "string") return script;
  return script?.content;
}

export function matchesUrl(pattern, url) {
  if (pattern instanceof RegExp) return pattern.test(url);
  const p = String(pattern);
  if (!/[*?{]/.test(p)) return url === p || url.endsWith(p);
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "*" && p[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += ".";
    else if (c === "{") re += "(";
    else if (c === "}") re += ")";
    else if (c === ",") re += "|";
    else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`).test(url);
}

/** A page's video: written while the page is open, whole once it (or its context) closes. */
export class Video {
  #page;
  constructor(page) {
    this.#page = page;
  }
  path() {
    return host("video.path", { page: this.#page });
  }
  saveAs(path) {
    return host("video.saveAs", { page: this.#page, path: String(path) });
  }
  delete() {
    return host("video.delete", { page: this.#page });
  }
}

export class Page extends Shortcuts {
  constructor(id, context) {
    super();
    this._id = id;
    this._context = context;
    registerPage(id, context?._id);
    this._closed = false;
    this._url = "about:blank";
    this.keyboard = new Keyboard(this);
    this.mouse = new Mouse(this);
    this._mainFrame = new Frame(this, null, true);
    /** Frames by host id: attached ones, and detached ones events may still name. */
    this._framesById = new Map();
    this._frameOrder = [];
    /** Functions `exposeBinding` defined, by name. */
    this._bindings = new Map();
    pagesById.set(id, this);
    // Keeps the event pump running: the host sends every change of the frame tree.
    on(id, "frametree", () => {});
  }
  /**
   * `window[name](...args)` in every frame of the page calls `fn({ page, context, frame },
   * ...args)` here, in the test's sandbox; the page gets its result (or its error).
   */
  async exposeBinding(name, fn, options = {}) {
    name = String(name);
    if (typeof fn !== "function") throw new TypeError("page.exposeBinding: the binding must be a function");
    if (this._bindings.has(name)) throw new Error(`page.exposeBinding: Function "${name}" has been already registered`);
    this._bindings.set(name, fn);
    if (!this._onBinding) {
      this._onBinding = (call) => this.#answerBinding(call);
      on(this._id, "binding", this._onBinding);
    }
    await host("page.exposeBinding", this.#on({ name }));
  }
  exposeFunction(name, fn) {
    if (typeof fn !== "function") throw new TypeError("page.exposeFunction: the callback must be a function");
    return this.exposeBinding(name, (source, ...args) => fn(...args));
  }
  async #answerBinding(call) {
    const fn = this._bindings.get(call.name);
    if (!fn) return;
    const source = { page: this, context: this._context, frame: this._mainFrame };
    let answer;
    try {
      const value = await fn(source, ...call.args.map(fromWire));
      answer = { ok: true, value: toWire(value) };
    } catch (e) {
      answer = { ok: false, message: String(e?.message ?? e), stack: typeof e?.stack === "string" ? e.stack : undefined };
    }
    await host("page.bindingResult", this.#on({ context: call.context, call: call.call, ...answer })).catch(() => {});
  }
  /**
   * Takes the host's frame tree (main frame first, then in attach order) and tells listeners
   * what changed since the tree this page knew: frames that attached, navigated, detached.
   * Every reply about the page brings the tree, so a call's events are out before it returns.
   */
  _syncFrames(tree) {
    const seen = new Set();
    const events = [];
    for (const info of tree) {
      let frame;
      const main = info.parent === null || info.parent === undefined;
      if (main) {
        frame = this._mainFrame;
        if (frame._id !== info.id) frame._navigations = 0;
        frame._id = info.id;
        if (info.url) this._url = info.url;
      } else {
        frame = this._framesById.get(info.id);
        if (!frame) {
          frame = new Frame(this, info.id, false);
          frame._navigations = 0;
          events.push(["frameattached", frame]);
        }
      }
      this._framesById.set(info.id, frame);
      frame._name = info.name;
      if (info.url) frame._url = info.url;
      frame._parentId = info.parent ?? null;
      frame._detached = false;
      if ((info.navigations ?? 0) > (frame._navigations ?? 0)) events.push(["framenavigated", frame]);
      frame._navigations = info.navigations ?? 0;
      seen.add(info.id);
    }
    for (const [id, frame] of this._framesById) {
      if (seen.has(id) || frame === this._mainFrame) continue;
      this._framesById.delete(id);
      if (!frame._detached) {
        frame._detached = true;
        events.push(["framedetached", frame]);
      }
    }
    this._frameOrder = tree.map((info) => info.id);
    for (const [name, frame] of events) emitTo(this._id, name, frame);
  }
  _frameFor(id) {
    return this._framesById.get(id) ?? null;
  }
  mainFrame() {
    return this._mainFrame;
  }
  addScriptTag(options) {
    return this._mainFrame.addScriptTag(options);
  }
  addStyleTag(options) {
    return this._mainFrame.addStyleTag(options);
  }
  frames() {
    if (this._frameOrder.length === 0) return [this._mainFrame];
    return this._frameOrder.map((id) => this._framesById.get(id));
  }
  frame(selector) {
    const want = typeof selector === "string" ? { name: selector } : (selector ?? {});
    if (want.name === undefined && want.url === undefined) {
      throw new Error("page.frame: either name or url matcher should be specified");
    }
    return this.frames().find((f) =>
      (want.name === undefined || f.name() === want.name) && (want.url === undefined || matchesUrl(want.url, f.url())),
    ) ?? null;
  }
  _step(step) {
    return new Locator(this, [step]);
  }
  #on(args = {}) {
    return { page: this._id, ...args };
  }
  context() {
    return this._context;
  }
  /** The context's `request` (cookies shared with the page). */
  get request() {
    return this._context.request;
  }
  isClosed() {
    return this._closed;
  }
  /** The page's video, when its context records them (`recordVideo`); `null` otherwise. */
  video() {
    if (!this._context?._options?.recordVideo) return null;
    this._video ??= new Video(this._id);
    return this._video;
  }
  async goto(url, options) {
    return responseOrNull(await host("page.goto", this.#on({ url, ...navOptions(options) })), this.mainFrame());
  }
  async reload(options) {
    return responseOrNull(await host("page.reload", this.#on(navOptions(options))), this.mainFrame());
  }
  async goBack(options) {
    return responseOrNull(await host("page.goBack", this.#on(navOptions(options))), this.mainFrame());
  }
  async goForward(options) {
    return responseOrNull(await host("page.goForward", this.#on(navOptions(options))), this.mainFrame());
  }
  url() {
    return this._url;
  }
  title() {
    return host("page.title", this.#on());
  }
  /** The console messages the page kept (the newest 200): since its last navigation, or
   * `{ filter: "all" }`. */
  async consoleMessages(options = {}) {
    const kept = await host("page.consoleMessages", this.#on({ filter: options?.filter }));
    return kept.map((data) => new ConsoleMessage(data, this));
  }
  clearConsoleMessages() {
    return host("page.clearConsoleMessages", this.#on());
  }
  /** The uncaught errors the page kept (the newest 200), as `Error`s. */
  async pageErrors(options = {}) {
    const kept = await host("page.pageErrors", this.#on({ filter: options?.filter }));
    return kept.map(pageError);
  }
  clearPageErrors() {
    return host("page.clearPageErrors", this.#on());
  }
  /** The requests the page kept (the newest 100), oldest first. */
  async requests() {
    const kept = await host("page.requests", this.#on());
    return kept.map((data) => requestOf(this, data));
  }
  content() {
    return host("page.content", this.#on());
  }
  setContent(html) {
    return host("page.setContent", this.#on({ html }));
  }
  async evaluate(fn, arg, ...rest) {
    if (rest.length) throw new Error("Too many arguments. If you need to pass more than 1 argument to the function wrap them in an object.");
    return fromWire(await host("page.evaluate", this.#on({ expression: fnSource(fn).expression, arg: toWire(arg) })));
  }
  async evaluateHandle(fn, arg, ...rest) {
    if (rest.length) throw new Error("Too many arguments. If you need to pass more than 1 argument to the function wrap them in an object.");
    return handleOf(await host("page.evaluateHandle", this.#on({ ...fnSource(fn), arg: toWire(arg) })), this);
  }
  waitForFunction(fn, arg, options = {}) {
    return this._mainFrame.waitForFunction(fn, arg, options);
  }
  /** Waits for the main frame to navigate (to `url`, when given) and load. */
  waitForNavigation(options = {}) {
    return this._waitForNavigation(this._mainFrame, options ?? {});
  }
  /**
   * Waits for `frame` to navigate (to `url`, when given) and reach `waitUntil`; gives the
   * response of the navigation's document, or null when the navigation stayed in the document
   * (an anchor, `history.pushState`). Times out, or fails when the frame detaches, with
   * Playwright's call log: what it waited for and each navigation it saw.
   */
  async _waitForNavigation(frame, options) {
    const method = `${frame === this._mainFrame ? "page" : "frame"}.waitForNavigation`;
    const timeout = ms(options.timeout) ?? defaultTimeoutOf(this);
    const waitUntil = options.waitUntil ?? "load";
    const url = options.url;
    const shown = url === undefined ? "" : ` to ${typeof url === "function" ? "predicate" : url instanceof RegExp ? String(url) : `"${url}"`}`;
    const log = [`waiting for navigation${shown} until "${waitUntil}"`];
    const failure = (text, Kind = Error) => new Kind(`${method}: ${text}\nCall log:\n${log.map((l) => `  - ${l}`).join("\n")}`);
    const matches = (href) => url === undefined || (typeof url === "function" ? url(new URL(href)) : matchesUrl(url, href));
    // The frame's newest document request since the wait began: its response is the answer.
    let document = null;
    const onRequest = (r) => {
      if (r.isNavigationRequest() && r.frame() === frame) document = r;
    };
    const started = Date.now();
    let finish;
    const navigated = new Promise((resolve, reject) => {
      const timer = timeout > 0 ? setTimeout(() => finish(failure(`Timeout ${timeout}ms exceeded.`, TimeoutError)), timeout) : undefined;
      const onNavigated = async (f) => {
        if (f !== frame) return;
        log.push(`  navigated to "${f.url()}"`);
        if (await matches(f.url())) finish();
      };
      const onDetached = (f) => {
        if (f === frame) finish(failure("Navigating frame was detached!"));
      };
      finish = (error) => {
        clearTimeout(timer);
        this.off("framenavigated", onNavigated);
        this.off("framedetached", onDetached);
        this.off("request", onRequest);
        if (error) reject(error);
        else resolve();
      };
      this.on("request", onRequest);
      this.on("framenavigated", onNavigated);
      this.on("framedetached", onDetached);
    });
    await navigated;
    if (waitUntil !== "commit") {
      const left = timeout > 0 ? Math.max(1, timeout - (Date.now() - started)) : 0;
      await frame.waitForLoadState(waitUntil, { timeout: left });
    }
    return document ? await document.response() : null;
  }
  waitForURL(url, options = {}) {
    return host("page.waitForURL", this.#on({ url: urlMatch(url), timeout: ms(options.timeout) }));
  }
  async waitForLoadState(state = "load", options = {}) {
    checkLoadState("page", state);
    // A page always has a committed document.
    if (state === "commit") return;
    return host("page.waitForLoadState", this.#on({ state, timeout: ms(options.timeout) }));
  }
  waitForTimeout(timeout) {
    return new Promise((resolve) => setTimeout(resolve, timeout));
  }
  waitForEvent(name, optionsOrPredicate = {}) {
    return waitForEventOn(this, "page", name, optionsOrPredicate);
  }
  waitForRequest(url, options = {}) {
    return this.#waitForTraffic("request", url, options ?? {});
  }
  waitForResponse(url, options = {}) {
    return this.#waitForTraffic("response", url, options ?? {});
  }
  /** `waitForRequest` / `waitForResponse`: a timeout names what was waited for (a URL shown
   * cut to 50 characters, a RegExp as written), as Playwright's call log does. */
  async #waitForTraffic(event, url, options) {
    const test = typeof url === "function" ? url : (r) => matchesUrl(url, r.url());
    try {
      return await this.waitForEvent(event, { predicate: test, timeout: options.timeout });
    } catch (e) {
      if (!(e instanceof TimeoutError) || typeof url === "function") throw e;
      const text = url instanceof RegExp ? String(url) : String(url);
      const cut = text.length > 50 ? `${text.slice(0, 49)}\u2026` : text;
      const shown = url instanceof RegExp ? cut : `"${cut}"`;
      const method = event === "request" ? "waitForRequest" : "waitForResponse";
      const before = `${e.name}: ${e.message}`;
      e.message = `${e.message.replace("page.waitForEvent:", `page.${method}:`)}\nCall log:\n  - waiting for ${event} ${shown}`;
      if (typeof e.stack === "string" && e.stack.startsWith(before)) e.stack = `${e.name}: ${e.message}${e.stack.slice(before.length)}`;
      throw e;
    }
  }
  async screenshot(options = {}) {
    const b64 = await host("page.screenshot", this.#on({
      fullPage: !!options.fullPage,
      clip: options.clip,
      path: options.path,
      timeout: ms(options.timeout),
      ...shotOptions(options),
    }));
    return bufferOf(b64);
  }
  async pdf(options = {}) {
    return bufferOf(await host("page.pdf", this.#on({ path: options.path })));
  }
  setViewportSize(size) {
    this._viewport = size;
    return host("page.setViewportSize", this.#on({ width: size?.width, height: size?.height }));
  }
  viewportSize() {
    return this._viewport ?? this._context?._viewport ?? null;
  }
  bringToFront() {
    return host("page.bringToFront", this.#on());
  }
  async close() {
    const wasClosed = this._closed;
    this._closed = true;
    await host("page.close", this.#on());
    if (!wasClosed) emitTo(this._id, "close", this);
  }
  on(name, fn) {
    on(this._id, name, fn);
    // A dialog's closing is known from the dialog: listening for it is listening for dialogs.
    const event = name === "dialogclosed" ? "dialog" : name;
    if (HOST_EVENTS.has(event)) host("page.subscribe", this.#on({ event })).catch(() => {});
    return this;
  }
  once(name, fn) {
    return onceOn(this, name, fn);
  }
  off(name, fn) {
    off(this._id, name, fn);
    const event = name === "dialogclosed" ? "dialog" : name;
    const listened = hasListeners(this._id, event) || (event === "dialog" && hasListeners(this._id, "dialogclosed"));
    if (HOST_EVENTS.has(event) && !listened) {
      host("page.unsubscribe", this.#on({ event })).catch(() => {});
    }
    return this;
  }
  removeListener(name, fn) {
    return this.off(name, fn);
  }
  /** Removes every listener of `name` (of every event, without one). */
  async removeAllListeners(name) {
    for (const [event, fn] of listenersOf(this._id, name)) this.off(event, fn);
  }
  addListener(name, fn) {
    return this.on(name, fn);
  }
  prependListener(name, fn) {
    return this.on(name, fn);
  }
  prependOnceListener(name, fn) {
    return this.once(name, fn);
  }
  async route(url, handler, options = {}) {
    const times = options.times === undefined ? undefined : Number(options.times);
    if (times !== undefined && !(times > 0)) return;
    await host("page.route", this.#on({ url: urlMatch(url), routeId: addRoute(handler, this.context(), this), times }));
  }
  async unroute(url, handler) {
    await host("page.unroute", this.#on(unrouteArgs(url, handler)));
  }
  /** Removes every route; `behavior: 'wait'` waits for handlers still running,
   * `'ignoreErrors'` drops what they throw. */
  async unrouteAll(options = {}) {
    await host("page.unroute", this.#on({}));
    await settleRoutes(this, options.behavior);
  }
  addInitScript(script, arg) {
    return host("page.addInitScript", this.#on({ source: initScriptSource(script, arg) }));
  }
  emulateMedia(options = {}) {
    // Only the options given are sent: a missing one stays as it is, null resets it.
    const change = {};
    for (const key of ["media", "colorScheme", "reducedMotion", "forcedColors"]) {
      if (options !== null && key in options && options[key] !== undefined) change[key] = options[key];
    }
    return host("page.emulateMedia", this.#on(change));
  }
  setDefaultTimeout(timeout) {
    this._defaultTimeout = ms(timeout);
    return host("page.setDefaultTimeout", this.#on({ timeout }));
  }
  setDefaultNavigationTimeout(timeout) {
    return host("page.setDefaultNavigationTimeout", this.#on({ timeout }));
  }
  setExtraHTTPHeaders(headers) {
    return host("page.setExtraHTTPHeaders", this.#on({ headers: Object.entries(headers ?? {}) }));
  }
}

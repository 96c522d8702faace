// Browser contexts and the browser: contexts own pages, cookies, storage state, routes and
// init scripts; `browser.newContext()` inside a test inherits the running test's `use` options,
// as in Playwright Test.

import { host } from "ext:isolate_suite/browser/10_wire.js";
import { ms, urlMatch } from "ext:isolate_suite/browser/11_values.js";
import { addRoute, settleRoutes, unrouteArgs, callListeners, emitTo, onceOn, waitForEventOn } from "ext:isolate_suite/browser/30_events.js";
import { initScriptSource, Page } from "ext:isolate_suite/browser/50_page.js";
import { APIRequestContext } from "ext:isolate_suite/browser/70_api_request.js";
import { registerTestTracing, stepBegin, stepEnd, takeContextEvents, testLibrarySink, traceContext, userFrames } from "ext:isolate_suite/browser/12_trace.js";

/**
 * `context.tracing`: records the context's pages (screencast frames, console, network) and the
 * calls made on them into a trace.zip Playwright's trace viewer opens. In a test traced by
 * `use.trace`, every context is traced for the test's own trace.zip.
 */
class Tracing {
  #context;
  #on = false;
  #forTest = false;
  #groups = [];
  constructor(context) {
    this.#context = context;
  }
  async start(options = {}) {
    if (this.#on) throw new Error("tracing.start: Tracing has been already started");
    this.#on = true;
    traceContext(this.#context._id);
    await host("context.tracingStart", { context: this.#context._id, title: options.title === undefined ? undefined : String(options.title), screenshots: options.screenshots !== false });
  }
  async startChunk(options = {}) {
    if (!this.#on) return this.start(options);
  }
  async stop(options = {}) {
    if (!this.#on) throw new Error("tracing.stop: Must start tracing before stopping");
    if (this.#forTest && options.path === undefined) return;
    this.#on = false;
    const events = takeContextEvents(this.#context._id);
    await host("context.tracingStop", { context: this.#context._id, path: options.path === undefined ? undefined : String(options.path), events });
  }
  async stopChunk(options = {}) {
    await this.stop(options);
    if (options.path !== undefined) await this.start();
  }
  /** Groups the calls until `groupEnd()` under `name` in the trace. */
  async group(name, options = {}) {
    const site = {};
    if (Error.captureStackTrace) Error.captureStackTrace(site, this.group);
    const frames = options.location ? [{ file: String(options.location.file), line: +options.location.line || 0, column: +options.location.column || 0 }] : userFrames(site.stack);
    this.#groups.push(stepBegin("tracing.group", String(name), {}, frames));
  }
  async groupEnd() {
    stepEnd(this.#groups.pop());
  }
  /** Traced for the running test's trace (`use.trace`). */
  async _startForTest() {
    await this.start();
    this.#forTest = true;
    registerTestTracing(this);
  }
  /** Before the context closes: its part of the test's trace is written. */
  async _finishForTest() {
    if (!this.#on || !this.#forTest) return;
    const path = testLibrarySink();
    this.#forTest = false;
    if (path === undefined) {
      this.#on = false;
      takeContextEvents(this.#context._id);
      return;
    }
    await this.stop({ path });
  }
}

/** Events of its pages a context reports too (`context.on('request')`). */
const PAGE_EVENTS = new Set(["request", "response", "requestfailed", "requestfinished", "console", "dialog"]);

export class BrowserContext {
  #listeners = new Map();
  /** Per page event the context listens for: the listener it gives each of its pages. */
  #forwarders = new Map();
  constructor(id, browser, viewport) {
    this._id = id;
    this._browser = browser;
    this._viewport = viewport;
    this._pages = [];
    this._closed = false;
    this.tracing = new Tracing(this);
  }
  #on(args = {}) {
    return { context: this._id, ...args };
  }
  browser() {
    return this._browser;
  }
  /** HTTP requests that share this context's cookies (`context.request`). */
  get request() {
    this._request ??= new APIRequestContext({
      baseURL: this._options?.baseURL,
      extraHTTPHeaders: this._options?.extraHTTPHeaders,
      context: this,
    });
    return this._request;
  }
  pages() {
    return this._pages.filter((p) => !p._closed);
  }
  async newPage() {
    const { id, frames } = await host("context.newPage", this.#on());
    const page = new Page(id, this);
    if (frames) page._syncFrames(frames);
    for (const [name, fn] of this._bindings ?? []) await page.exposeBinding(name, fn);
    this._adopt(page);
    return page;
  }
  /** `exposeBinding` on every page of the context, now and later. */
  async exposeBinding(name, fn) {
    this._bindings ??= new Map();
    if (this._bindings.has(name)) throw new Error(`browserContext.exposeBinding: Function "${name}" has been already registered`);
    this._bindings.set(name, fn);
    for (const page of this.pages()) await page.exposeBinding(name, fn);
  }
  exposeFunction(name, fn) {
    return this.exposeBinding(name, (source, ...args) => fn(...args));
  }
  cookies(urls = []) {
    return host("context.cookies", this.#on({ urls: Array.isArray(urls) ? urls : [urls] }));
  }
  addCookies(cookies) {
    return host("context.addCookies", this.#on({ cookies }));
  }
  clearCookies() {
    return host("context.clearCookies", this.#on());
  }
  storageState(options = {}) {
    return host("context.storageState", this.#on({ path: options.path, indexedDB: !!options.indexedDB }));
  }
  setOffline(offline) {
    return host("context.setOffline", this.#on({ offline: !!offline }));
  }
  setExtraHTTPHeaders(headers) {
    return host("context.setExtraHTTPHeaders", this.#on({ headers: Object.entries(headers ?? {}) }));
  }
  async route(url, handler, options = {}) {
    const times = options.times === undefined ? undefined : Number(options.times);
    if (times !== undefined && !(times > 0)) return;
    await host("context.route", this.#on({ url: urlMatch(url), routeId: addRoute(handler, this, this), times }));
  }
  async unroute(url, handler) {
    await host("context.unroute", this.#on(unrouteArgs(url, handler)));
  }
  /** Removes every route; `behavior: 'wait'` waits for handlers still running,
   * `'ignoreErrors'` drops what they throw. */
  async unrouteAll(options = {}) {
    await host("context.unroute", this.#on({}));
    await settleRoutes(this, options.behavior);
  }
  addInitScript(script, arg) {
    return host("context.addInitScript", this.#on({ source: initScriptSource(script, arg) }));
  }
  grantPermissions(permissions, options = {}) {
    return host("context.grantPermissions", this.#on({ permissions: [...permissions], origin: options.origin }));
  }
  clearPermissions() {
    return host("context.clearPermissions", this.#on());
  }
  setGeolocation(geolocation) {
    return host("context.setGeolocation", this.#on({ geolocation: geolocation ?? null }));
  }
  setDefaultTimeout(timeout) {
    this._defaultTimeout = ms(timeout);
    return host("context.setDefaultTimeout", this.#on({ timeout }));
  }
  setDefaultNavigationTimeout(timeout) {
    return host("context.setDefaultNavigationTimeout", this.#on({ timeout }));
  }
  async close() {
    if (this._closed) return;
    await this.tracing._finishForTest();
    this._closed = true;
    const open = this._pages.filter((p) => !p._closed);
    for (const p of this._pages) p._closed = true;
    await host("context.close", this.#on());
    for (const p of open) emitTo(p._id, "close", p);
    this._emit("close", this);
  }
  /** For fixture teardown: the context is gone for the test; Chromium finishes on its own. */
  async _closeInBackground() {
    if (this._closed) return;
    await this.tracing._finishForTest();
    this._closed = true;
    for (const p of this._pages) p._closed = true;
    await host("context.close", this.#on({ background: true }));
  }
  // Context events: "page" (a new page or a popup of one of its pages), "close", and the
  // network and console events of all its pages.
  on(name, fn) {
    if (name !== "page" && name !== "close" && !PAGE_EVENTS.has(name)) {
      throw new Error(`context.on("${name}") is not supported; listen on the page instead`);
    }
    if (!this.#listeners.has(name)) this.#listeners.set(name, new Set());
    this.#listeners.get(name).add(fn);
    if (PAGE_EVENTS.has(name) && !this.#forwarders.has(name)) {
      const forward = (value) => this._emit(name, value);
      this.#forwarders.set(name, forward);
      for (const p of this._pages) if (!p._closed) p.on(name, forward);
    }
    return this;
  }
  /** A page of the context from now on: it reports what the context listens for. */
  _adopt(page) {
    this._pages.push(page);
    for (const [name, forward] of this.#forwarders) page.on(name, forward);
    this._emit("page", page);
  }
  addListener(name, fn) {
    return this.on(name, fn);
  }
  once(name, fn) {
    return onceOn(this, name, fn);
  }
  off(name, fn) {
    this.#listeners.get(name)?.delete(fn);
    const forward = this.#forwarders.get(name);
    if (forward && !this.#listeners.get(name)?.size) {
      this.#forwarders.delete(name);
      for (const p of this._pages) p.off(name, forward);
    }
    return this;
  }
  removeListener(name, fn) {
    return this.off(name, fn);
  }
  waitForEvent(name, optionsOrPredicate = {}) {
    return waitForEventOn(this, "browserContext", name, optionsOrPredicate);
  }
  _emit(name, value) {
    callListeners(this.#listeners.get(name) ?? [], value);
  }
}

/** The running test's context options (`use`): contexts made with `browser.newContext()`
 * in a test get them too, as in Playwright Test. Profiles are not inherited. */
let contextDefaults = {};
export function setContextDefaults(options) {
  const { profile, mode, autosave, reset, maxAgeSeconds, indexedDB, ...rest } = options ?? {};
  contextDefaults = rest;
}

export class Browser {
  #defaults;
  constructor(defaults) {
    this.#defaults = defaults;
    this._contexts = [];
  }
  browserType() {
    return { name: () => "chromium" };
  }
  version() {
    return host("browser.version");
  }
  isConnected() {
    return !this._closed;
  }
  contexts() {
    return this._contexts.filter((c) => !c._closed);
  }
  async newContext(options = {}) {
    const merged = { ...contextDefaults, ...this.#defaults, ...options };
    const { id } = await host("browser.newContext", { options: merged });
    const ctx = new BrowserContext(id, this, merged.viewport === undefined ? { width: 1280, height: 720 } : merged.viewport);
    ctx._options = merged;
    this._contexts.push(ctx);
    if (testLibrarySink.active()) await ctx.tracing._startForTest();
    return ctx;
  }
  async newPage(options = {}) {
    const ctx = await this.newContext(options);
    const page = await ctx.newPage();
    const close = page.close.bind(page);
    page.close = async () => {
      await close();
      await ctx.close();
    };
    return page;
  }
  async close() {
    this._closed = true;
    for (const c of this._contexts) await c.close();
  }
}

/**
 * `selectors.register(name, script)`: a selector engine for locators of every context of the
 * test (`name=body` parts). The engine runs in the page's isolated world: `script` is a
 * function that returns `{ query?, queryAll }`, the source of such an expression, or
 * `{ content }` / `{ path }` (a project file).
 */
export const selectors = {
  async register(name, script, options = {}) {
    let source;
    let path;
    if (typeof script === "function") source = `(${Function.prototype.toString.call(script)})()`;
    else if (typeof script === "string") source = script;
    else if (script && typeof script === "object" && script.content !== undefined) source = String(script.content);
    else if (script && typeof script === "object" && script.path !== undefined) path = String(script.path);
    await host("selectors.register", { name: String(name), source, path });
  },
  /** The attribute `getByTestId` reads (comma-separated: any of them), for every context. */
  setTestIdAttribute(name) {
    testIdChanged = true;
    return host("selectors.setTestIdAttribute", { name: String(name) });
  },
};
let testIdChanged = false;

/** A test's end: what `setTestIdAttribute` set lasts for that test only, as in Playwright Test,
 * whose fixtures set it again from `use.testIdAttribute` for each test. */
export async function resetTestIdAttribute() {
  if (!testIdChanged) return;
  testIdChanged = false;
  await host("selectors.setTestIdAttribute", { name: null });
}

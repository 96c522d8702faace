// The browser API test code sees (`page`, `context`, `browser`, locators, `request`), with
// Playwright's names and option objects. Every method is one host call into the runner, which
// drives Chromium through the browser crate; locators are plain data (a chain of steps) that the
// host turns into a browser-crate locator on each call, so they stay lazy and cost nothing here.
//
// This module captures the host entry point and removes it from the global scope: it is
// evaluated before any user code, so only runner modules can make host calls.

const rawCall = globalThis.__ib_call;
delete globalThis.__ib_call;
if (typeof rawCall !== "function") throw new Error("the test API needs the runner's host bindings");

export class TimeoutError extends Error {
  constructor(message) {
    super(message);
    this.name = "TimeoutError";
  }
}

function hostError(e) {
  const err = e.name === "TimeoutError" ? new TimeoutError(e.message) : new Error(e.message);
  if (e.name && e.name !== "TimeoutError") err.name = e.name;
  if (e.details && typeof e.details === "object") Object.assign(err, e.details);
  return err;
}

/** One host call: JSON in, JSON out; host failures become JS errors with this stack. */
export async function host(method, args = {}) {
  // The caller's frames are only on the stack now, before the first await.
  const site = {};
  if (Error.captureStackTrace) Error.captureStackTrace(site, host);
  const reply = JSON.parse(await rawCall(method, JSON.stringify(args)));
  if (reply.error) {
    const err = hostError(reply.error);
    if (typeof site.stack === "string") {
      const frames = site.stack.split("\n").filter((l) => /^\s+at /.test(l));
      err.stack = `${err.name}: ${err.message}\n${frames.join("\n")}`;
    }
    throw err;
  }
  return reply.value;
}

/** A host call about `page`: keeps the page's URL current (the host reports it with every
 * reply), so `page.url()` answers synchronously. */
async function pageCall(page, method, args) {
  const reply = await host(method, args);
  if (reply && typeof reply === "object" && "$pageUrl" in reply) {
    if (reply.$pageUrl) page._url = reply.$pageUrl;
    return reply.$value;
  }
  return reply;
}

// ---- value encoding ------------------------------------------------------------------------
/** Strings and RegExps as the host's text queries. */
export function textQuery(value, exact) {
  if (value instanceof RegExp) return { regex: value.source, flags: value.flags };
  if (value === undefined || value === null) return undefined;
  return exact ? { exact: String(value) } : { text: String(value) };
}

function urlMatch(url) {
  if (url instanceof RegExp) return { regex: url.source, flags: url.flags };
  if (typeof url === "function") throw new TypeError("URL predicates are not supported; use a glob string or a RegExp");
  return { glob: String(url) };
}

function ms(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function fnSource(fn) {
  if (typeof fn === "function") return { function: fn.toString() };
  if (typeof fn === "string") return { expression: fn };
  throw new TypeError("evaluate expects a function or a string expression");
}

function bytesToBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function base64ToBytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function toBase64(body) {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return bytesToBase64(new TextEncoder().encode(body));
  if (body instanceof Uint8Array) return bytesToBase64(body);
  if (body instanceof ArrayBuffer) return bytesToBase64(new Uint8Array(body));
  return bytesToBase64(new TextEncoder().encode(JSON.stringify(body)));
}

/** A Uint8Array that prints like Node's Buffer and has `toString(encoding)`. */
export function bufferOf(b64) {
  const bytes = base64ToBytes(b64 ?? "");
  Object.defineProperty(bytes, "toString", {
    value(encoding) {
      if (encoding === "base64") return b64;
      return new TextDecoder().decode(bytes);
    },
  });
  return bytes;
}

// ---- events --------------------------------------------------------------------------------
const listeners = new Map(); // target id -> Map(event name -> Set(fn))
const routes = new Map(); // route id -> handler
let pumping = false;
let nextRouteId = 1;

function on(targetId, name, fn) {
  if (!listeners.has(targetId)) listeners.set(targetId, new Map());
  const byName = listeners.get(targetId);
  if (!byName.has(name)) byName.set(name, new Set());
  byName.get(name).add(fn);
  pump();
}

function off(targetId, name, fn) {
  listeners.get(targetId)?.get(name)?.delete(fn);
}

function hasListeners(targetId, name) {
  return (listeners.get(targetId)?.get(name)?.size ?? 0) > 0;
}

/** Pulls page events from the host while anyone listens; the pending call ends with the isolate. */
function pump() {
  if (pumping) return;
  pumping = true;
  (async () => {
    for (;;) {
      let batch;
      try {
        batch = await host("events.next");
      } catch {
        pumping = false;
        return;
      }
      if (batch === null) {
        pumping = false;
        return;
      }
      for (const ev of batch) dispatch(ev);
    }
  })();
}

function dispatch(ev) {
  if (ev.type === "route") {
    const handler = routes.get(ev.routeId);
    const route = new Route(ev.requestId, ev.request);
    if (!handler) {
      route.fallback();
      return;
    }
    Promise.resolve()
      .then(() => handler(route, route.request()))
      .catch((e) => {
        if (!route._handled) route.abort("failed").catch(() => {});
        reportHandlerError(e);
      });
    return;
  }
  const page = pagesById.get(ev.page);
  const fns = listeners.get(ev.page)?.get(ev.type);
  let arg;
  switch (ev.type) {
    case "console":
      arg = new ConsoleMessage(ev.data, page);
      break;
    case "pageerror": {
      arg = new Error(ev.data.message.replace(/^[A-Za-z]*Error: /, ""));
      arg.name = /^([A-Za-z]*Error):/.exec(ev.data.message)?.[1] ?? "Error";
      if (ev.data.stack) arg.stack = ev.data.stack;
      break;
    }
    case "request":
    case "requestfailed":
      arg = new Request(ev.data);
      break;
    case "response":
      arg = new Response(ev.data);
      break;
    case "dialog":
      arg = new Dialog(ev.data, ev.dialogId);
      break;
    case "popup": {
      // A page of the opener's context from now on, listened for or not.
      arg = pagesById.get(ev.data.id);
      if (!arg && page) {
        arg = new Page(ev.data.id, page._context);
        page._context?._pages.push(arg);
        page._context?._emit("page", arg);
      }
      break;
    }
    default:
      arg = ev.data;
  }
  if (!fns || fns.size === 0) {
    if (ev.type === "dialog") arg.dismiss().catch(() => {});
    return;
  }
  callListeners(fns, arg);
}

// Calls each listener with `arg`; what they throw or reject with is reported, not raised.
function callListeners(fns, arg) {
  for (const fn of [...fns]) {
    try {
      const r = fn(arg);
      if (r && typeof r.catch === "function") r.catch(reportHandlerError);
    } catch (e) {
      reportHandlerError(e);
    }
  }
}

// `once` of a page or context: a listener that removes itself first.
function onceOn(target, name, fn) {
  const wrapper = (v) => {
    target.off(name, wrapper);
    return fn(v);
  };
  return target.on(name, wrapper);
}

// `waitForEvent` of a page or context: the first event that passes the predicate.
function waitForEventOn(target, what, name, optionsOrPredicate) {
  const predicate = typeof optionsOrPredicate === "function" ? optionsOrPredicate : optionsOrPredicate.predicate;
  const timeout = (typeof optionsOrPredicate === "object" && ms(optionsOrPredicate.timeout)) || 30000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.off(name, listener);
      reject(new TimeoutError(`${what}.waitForEvent: Timeout ${timeout}ms exceeded while waiting for event "${name}"`));
    }, timeout);
    const listener = async (value) => {
      if (predicate && !(await predicate(value))) return;
      clearTimeout(timer);
      target.off(name, listener);
      resolve(value);
    };
    target.on(name, listener);
  });
}

let handlerErrorSink = (e) => console.error(e);
export function setHandlerErrorSink(fn) {
  handlerErrorSink = fn;
}
function reportHandlerError(e) {
  handlerErrorSink(e);
}

export class ConsoleMessage {
  #data;
  #page;
  constructor(data, page) {
    this.#data = data;
    this.#page = page;
  }
  type() {
    return this.#data.type;
  }
  text() {
    return this.#data.text;
  }
  location() {
    const m = /^(.*):(\d+):(\d+)$/.exec(this.#data.location ?? "");
    return m ? { url: m[1], lineNumber: Number(m[2]), columnNumber: Number(m[3]) } : { url: "", lineNumber: 0, columnNumber: 0 };
  }
  page() {
    return this.#page ?? null;
  }
  args() {
    return [];
  }
}

export class Request {
  #data;
  constructor(data) {
    this.#data = data;
  }
  url() {
    return this.#data.url;
  }
  method() {
    return this.#data.method || "GET";
  }
  resourceType() {
    return this.#data.resourceType;
  }
  headers() {
    return Object.fromEntries(this.#data.headers ?? []);
  }
  postData() {
    return this.#data.postData ?? null;
  }
  postDataJSON() {
    const d = this.postData();
    return d === null ? null : JSON.parse(d);
  }
  failure() {
    return this.#data.failure ? { errorText: this.#data.failure } : null;
  }
}

export class Response {
  #data;
  constructor(data) {
    this.#data = data;
  }
  url() {
    return this.#data.url;
  }
  status() {
    return this.#data.status;
  }
  statusText() {
    return this.#data.statusText ?? "";
  }
  ok() {
    return this.#data.status === 0 || (this.#data.status >= 200 && this.#data.status <= 299);
  }
  headers() {
    const out = {};
    for (const [k, v] of this.#data.headers ?? []) out[k.toLowerCase()] = v;
    return out;
  }
  headerValue(name) {
    return this.headers()[name.toLowerCase()] ?? null;
  }
}

export class Dialog {
  #data;
  #id;
  constructor(data, id) {
    this.#data = data;
    this.#id = id;
  }
  type() {
    return this.#data.type;
  }
  message() {
    return this.#data.message;
  }
  defaultValue() {
    return this.#data.defaultValue;
  }
  accept(promptText) {
    return host("dialog.respond", { id: this.#id, accept: true, text: promptText });
  }
  dismiss() {
    return host("dialog.respond", { id: this.#id, accept: false });
  }
}

export class Route {
  #requestId;
  #request;
  constructor(requestId, request) {
    this.#requestId = requestId;
    this.#request = new Request(request);
    this._handled = false;
  }
  request() {
    return this.#request;
  }
  async #resolve(action, extra) {
    this._handled = true;
    await host("route.resolve", { requestId: this.#requestId, action, ...extra });
  }
  fulfill(options = {}) {
    let body = options.body;
    let contentType = options.contentType;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      contentType ??= "application/json";
    }
    return this.#resolve("fulfill", {
      status: options.status,
      headers: Object.entries(options.headers ?? {}),
      contentType,
      body: toBase64(body ?? ""),
    });
  }
  abort(errorCode = "failed") {
    return this.#resolve("abort", { errorCode });
  }
  continue(overrides = {}) {
    return this.#resolve("continue", {
      url: overrides.url,
      method: overrides.method,
      headers: overrides.headers ? Object.entries(overrides.headers) : undefined,
      postData: overrides.postData === undefined ? undefined : toBase64(overrides.postData),
    });
  }
  fallback() {
    return this.#resolve("fallback", {});
  }
}

// ---- locators ------------------------------------------------------------------------------
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

function chainOf(locator) {
  if (!(locator instanceof Locator)) throw new TypeError("expected a Locator");
  return locator._chain;
}

/** Builders shared by pages, locators and frame locators. */
class Locatable {
  _step(step) {
    throw new Error(`not implemented: ${step[0]}`);
  }
  locator(selector, options) {
    if (selector instanceof Locator) return this._step(["and", chainOf(selector)]);
    const l = this._step(["locator", String(selector)]);
    return options ? l.filter(options) : l;
  }
  getByRole(role, options) {
    return this._step(["getByRole", role, roleOptions(options)]);
  }
  getByText(text, options) {
    return this._step(["getByText", textQuery(text, options?.exact)]);
  }
  getByLabel(text, options) {
    return this._step(["getByLabel", textQuery(text, options?.exact)]);
  }
  getByPlaceholder(text, options) {
    return this._step(["getByPlaceholder", textQuery(text, options?.exact)]);
  }
  getByAltText(text, options) {
    return this._step(["getByAltText", textQuery(text, options?.exact)]);
  }
  getByTitle(text, options) {
    return this._step(["getByTitle", textQuery(text, options?.exact)]);
  }
  getByTestId(id) {
    return this._step(["getByTestId", textQuery(id, true)]);
  }
  frameLocator(selector) {
    return new FrameLocator(this._step(["frameLocator", String(selector)]));
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
  #act(action, args = {}) {
    return pageCall(this._page, "locator.action", { page: this._page._id, chain: this._chain, action, ...args });
  }
  nth(index) {
    return this._step(["nth", index]);
  }
  first() {
    return this._step(["first"]);
  }
  last() {
    return this._step(["last"]);
  }
  filter(options) {
    return this._step(["filter", filterOptions(options)]);
  }
  and(other) {
    return this._step(["and", chainOf(other)]);
  }
  or(other) {
    return this._step(["or", chainOf(other)]);
  }
  contentFrame() {
    return new FrameLocator(this._step(["contentFrame"]));
  }
  toString() {
    return `Locator@${this._page._id}:${JSON.stringify(this._chain)}`;
  }
  async all() {
    const n = await this.count();
    return Array.from({ length: n }, (_, i) => this.nth(i));
  }
  count() {
    return this.#act("count");
  }
  click(options = {}) {
    return this.#act("click", { options: clickOptions(options) });
  }
  dblclick(options = {}) {
    return this.#act("dblclick", { options: clickOptions(options) });
  }
  tap(options = {}) {
    return this.#act("click", { options: clickOptions(options) });
  }
  hover(options = {}) {
    return this.#act("hover", { timeout: ms(options.timeout), force: !!options.force });
  }
  fill(value, options = {}) {
    return this.#act("fill", { value: String(value), timeout: ms(options.timeout), force: !!options.force });
  }
  clear(options = {}) {
    return this.#act("clear", { timeout: ms(options.timeout) });
  }
  press(key, options = {}) {
    return this.#act("press", { key, timeout: ms(options.timeout) });
  }
  pressSequentially(text, options = {}) {
    return this.#act("pressSequentially", { text, delay: ms(options.delay), timeout: ms(options.timeout) });
  }
  type(text, options = {}) {
    return this.pressSequentially(text, options);
  }
  focus(options = {}) {
    return this.#act("focus", { timeout: ms(options.timeout) });
  }
  blur(options = {}) {
    return this.#act("blur", { timeout: ms(options.timeout) });
  }
  check(options = {}) {
    return this.#act("check", { options: clickOptions(options) });
  }
  uncheck(options = {}) {
    return this.#act("uncheck", { options: clickOptions(options) });
  }
  setChecked(checked, options = {}) {
    return checked ? this.check(options) : this.uncheck(options);
  }
  selectOption(values, options = {}) {
    const list = (Array.isArray(values) ? values : [values]).map((v) =>
      typeof v === "string" ? { value: v, label: v } : v,
    );
    return this.#act("selectOption", { values: list, timeout: ms(options.timeout) });
  }
  textContent(options = {}) {
    return this.#act("textContent", { timeout: ms(options.timeout) });
  }
  innerText(options = {}) {
    return this.#act("innerText", { timeout: ms(options.timeout) });
  }
  innerHTML(options = {}) {
    return this.#act("innerHTML", { timeout: ms(options.timeout) });
  }
  inputValue(options = {}) {
    return this.#act("inputValue", { timeout: ms(options.timeout) });
  }
  getAttribute(name, options = {}) {
    return this.#act("getAttribute", { name, timeout: ms(options.timeout) });
  }
  allTextContents() {
    return this.#act("allTextContents");
  }
  allInnerTexts() {
    return this.#act("allInnerTexts");
  }
  isVisible() {
    return this.#act("isVisible");
  }
  isHidden() {
    return this.#act("isHidden");
  }
  isEnabled() {
    return this.#act("isEnabled");
  }
  isDisabled() {
    return this.#act("isDisabled");
  }
  isEditable() {
    return this.#act("isEditable");
  }
  isChecked() {
    return this.#act("isChecked");
  }
  boundingBox(options = {}) {
    return this.#act("boundingBox", { timeout: ms(options.timeout) });
  }
  evaluate(fn, arg, options = {}) {
    return this.#act("evaluate", { source: fnSource(fn).function ?? `() => (${fn})`, arg, timeout: ms(options.timeout) });
  }
  waitFor(options = {}) {
    return this.#act("waitFor", { state: options.state ?? "visible", timeout: ms(options.timeout) });
  }
  scrollIntoViewIfNeeded(options = {}) {
    return this.#act("scrollIntoViewIfNeeded", { timeout: ms(options.timeout) });
  }
  setInputFiles(files, options = {}) {
    const list = (Array.isArray(files) ? files : [files]).map((f) =>
      typeof f === "string" ? { path: f } : { name: f.name, mimeType: f.mimeType, buffer: toBase64(f.buffer) },
    );
    return this.#act("setInputFiles", { files: list, timeout: ms(options.timeout) });
  }
  dragTo(target, options = {}) {
    return this.#act("dragTo", { target: chainOf(target), timeout: ms(options.timeout), force: !!options.force });
  }
  async screenshot(options = {}) {
    const b64 = await this.#act("screenshot", { timeout: ms(options.timeout), path: options.path });
    return bufferOf(b64);
  }
  highlight() {
    return Promise.resolve();
  }
}

export class FrameLocator extends Locatable {
  constructor(locator) {
    super();
    this._locator = locator;
  }
  _step(step) {
    return this._locator._step(step);
  }
  owner() {
    return this._locator;
  }
  first() {
    return new FrameLocator(this._locator._step(["first"]));
  }
  last() {
    return new FrameLocator(this._locator._step(["last"]));
  }
  nth(i) {
    return new FrameLocator(this._locator._step(["nth", i]));
  }
}

function clickOptions(o = {}) {
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

// ---- pages, contexts, browser --------------------------------------------------------------
const pagesById = new Map();
const contextsById = new Map();

class Keyboard {
  #page;
  constructor(page) {
    this.#page = page;
  }
  press(key, options = {}) {
    return pageCall(this.#page, "keyboard.press", { page: this.#page._id, key, delay: ms(options.delay) });
  }
  type(text, options = {}) {
    return pageCall(this.#page, "keyboard.type", { page: this.#page._id, text, delay: ms(options.delay) });
  }
  down(key) {
    return pageCall(this.#page, "keyboard.down", { page: this.#page._id, key });
  }
  up(key) {
    return pageCall(this.#page, "keyboard.up", { page: this.#page._id, key });
  }
  insertText(text) {
    return pageCall(this.#page, "keyboard.insertText", { page: this.#page._id, text });
  }
}

class Mouse {
  #page;
  constructor(page) {
    this.#page = page;
  }
  move(x, y) {
    return pageCall(this.#page, "mouse.move", { page: this.#page._id, x, y });
  }
  click(x, y, options = {}) {
    return pageCall(this.#page, "mouse.click", { page: this.#page._id, x, y, options: clickOptions(options) });
  }
  dblclick(x, y, options = {}) {
    return pageCall(this.#page, "mouse.click", { page: this.#page._id, x, y, options: clickOptions({ ...options, clickCount: 2 }) });
  }
  down(options = {}) {
    return pageCall(this.#page, "mouse.down", { page: this.#page._id, button: options.button });
  }
  up(options = {}) {
    return pageCall(this.#page, "mouse.up", { page: this.#page._id, button: options.button });
  }
  wheel(deltaX, deltaY) {
    return pageCall(this.#page, "mouse.wheel", { page: this.#page._id, deltaX, deltaY });
  }
}

function navOptions(o = {}) {
  return { waitUntil: o.waitUntil, timeout: ms(o.timeout) };
}

function responseOrNull(data) {
  return data ? new Response(data) : null;
}

export class Page extends Locatable {
  constructor(id, context) {
    super();
    this._id = id;
    this._context = context;
    this._closed = false;
    this._url = "about:blank";
    this.keyboard = new Keyboard(this);
    this.mouse = new Mouse(this);
    pagesById.set(id, this);
  }
  _step(step) {
    return new Locator(this, [step]);
  }
  #call(method, args = {}) {
    return pageCall(this, method, { page: this._id, ...args });
  }
  context() {
    return this._context;
  }
  isClosed() {
    return this._closed;
  }
  async goto(url, options) {
    return responseOrNull(await this.#call("page.goto", { url, ...navOptions(options) }));
  }
  async reload(options) {
    return responseOrNull(await this.#call("page.reload", navOptions(options)));
  }
  async goBack(options) {
    return responseOrNull(await this.#call("page.goBack", navOptions(options)));
  }
  async goForward(options) {
    return responseOrNull(await this.#call("page.goForward", navOptions(options)));
  }
  url() {
    return this._url;
  }
  title() {
    return this.#call("page.title");
  }
  content() {
    return this.#call("page.content");
  }
  setContent(html, options) {
    return this.#call("page.setContent", { html, ...navOptions(options) });
  }
  evaluate(fn, arg) {
    return this.#call("page.evaluate", { ...fnSource(fn), arg });
  }
  async evaluateHandle() {
    throw new Error("page.evaluateHandle is not supported in isolate-browser; use page.evaluate");
  }
  waitForFunction(fn, arg, options = {}) {
    return this.#call("page.waitForFunction", { ...fnSource(fn), arg, timeout: ms(options.timeout), polling: options.polling });
  }
  waitForURL(url, options = {}) {
    return this.#call("page.waitForURL", { url: urlMatch(url), ...navOptions(options) });
  }
  waitForLoadState(state = "load", options = {}) {
    return this.#call("page.waitForLoadState", { state, timeout: ms(options.timeout) });
  }
  waitForTimeout(timeout) {
    return new Promise((resolve) => setTimeout(resolve, timeout));
  }
  waitForSelector(selector, options = {}) {
    return this.locator(selector).waitFor(options);
  }
  waitForEvent(name, optionsOrPredicate = {}) {
    return waitForEventOn(this, "page", name, optionsOrPredicate);
  }
  waitForRequest(url, options = {}) {
    const test = typeof url === "function" ? url : (r) => matchesUrl(url, r.url());
    return this.waitForEvent("request", { predicate: test, timeout: options.timeout });
  }
  waitForResponse(url, options = {}) {
    const test = typeof url === "function" ? url : (r) => matchesUrl(url, r.url());
    return this.waitForEvent("response", { predicate: test, timeout: options.timeout });
  }
  async screenshot(options = {}) {
    const b64 = await this.#call("page.screenshot", {
      fullPage: !!options.fullPage,
      clip: options.clip,
      type: options.type,
      quality: options.quality,
      omitBackground: !!options.omitBackground,
      path: options.path,
    });
    return bufferOf(b64);
  }
  async pdf(options = {}) {
    return bufferOf(await this.#call("page.pdf", { path: options.path }));
  }
  setViewportSize(size) {
    this._viewport = size;
    return this.#call("page.setViewportSize", size);
  }
  viewportSize() {
    return this._viewport ?? this._context?._viewport ?? null;
  }
  bringToFront() {
    return this.#call("page.bringToFront");
  }
  async close() {
    this._closed = true;
    await this.#call("page.close");
  }
  on(name, fn) {
    on(this._id, name, fn);
    if (name === "dialog" || ["console", "pageerror", "request", "response", "requestfailed"].includes(name)) {
      this.#call("page.subscribe", { event: name }).catch(() => {});
    }
    return this;
  }
  once(name, fn) {
    return onceOn(this, name, fn);
  }
  off(name, fn) {
    off(this._id, name, fn);
    if (!hasListeners(this._id, name)) this.#call("page.unsubscribe", { event: name }).catch(() => {});
    return this;
  }
  removeListener(name, fn) {
    return this.off(name, fn);
  }
  addListener(name, fn) {
    return this.on(name, fn);
  }
  async route(url, handler) {
    const routeId = nextRouteId++;
    routes.set(routeId, handler);
    pump();
    await this.#call("page.route", { url: urlMatch(url), routeId });
  }
  async unroute(url) {
    await this.#call("page.unroute", { url: urlMatch(url) });
  }
  addInitScript(script, arg) {
    const source = typeof script === "function" ? `(${script})(${JSON.stringify(arg)})` : typeof script === "string" ? script : script?.content;
    return this.#call("page.addInitScript", { source });
  }
  emulateMedia(options = {}) {
    // Only the options given are sent: a missing one stays as it is, null resets it.
    const change = {};
    for (const key of ["media", "colorScheme", "reducedMotion", "forcedColors"]) {
      if (options !== null && key in options && options[key] !== undefined) change[key] = options[key];
    }
    return this.#call("page.emulateMedia", change);
  }
  setDefaultTimeout(timeout) {
    return this.#call("page.setDefaultTimeout", { timeout });
  }
  setDefaultNavigationTimeout(timeout) {
    return this.#call("page.setDefaultNavigationTimeout", { timeout });
  }
  setExtraHTTPHeaders(headers) {
    return this.#call("page.setExtraHTTPHeaders", { headers: Object.entries(headers ?? {}) });
  }
  // Selector-first shortcuts (Playwright keeps them for older specs).
  click(selector, options) {
    return this.locator(selector).click(options);
  }
  dblclick(selector, options) {
    return this.locator(selector).dblclick(options);
  }
  fill(selector, value, options) {
    return this.locator(selector).fill(value, options);
  }
  press(selector, key, options) {
    return this.locator(selector).press(key, options);
  }
  type(selector, text, options) {
    return this.locator(selector).pressSequentially(text, options);
  }
  check(selector, options) {
    return this.locator(selector).check(options);
  }
  uncheck(selector, options) {
    return this.locator(selector).uncheck(options);
  }
  hover(selector, options) {
    return this.locator(selector).hover(options);
  }
  focus(selector, options) {
    return this.locator(selector).focus(options);
  }
  selectOption(selector, values, options) {
    return this.locator(selector).selectOption(values, options);
  }
  textContent(selector, options) {
    return this.locator(selector).textContent(options);
  }
  innerText(selector, options) {
    return this.locator(selector).innerText(options);
  }
  innerHTML(selector, options) {
    return this.locator(selector).innerHTML(options);
  }
  inputValue(selector, options) {
    return this.locator(selector).inputValue(options);
  }
  getAttribute(selector, name, options) {
    return this.locator(selector).getAttribute(name, options);
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
  setInputFiles(selector, files, options) {
    return this.locator(selector).setInputFiles(files, options);
  }
  $eval() {
    throw new Error("page.$eval is not supported in isolate-browser; use page.locator(selector).evaluate(fn)");
  }
}

function matchesUrl(pattern, url) {
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

export class BrowserContext {
  constructor(id, browser, viewport) {
    this._id = id;
    this._browser = browser;
    this._viewport = viewport;
    this._pages = [];
    this._closed = false;
    contextsById.set(id, this);
  }
  #call(method, args = {}) {
    return host(method, { context: this._id, ...args });
  }
  browser() {
    return this._browser;
  }
  pages() {
    return this._pages.filter((p) => !p._closed);
  }
  async newPage() {
    const { id } = await this.#call("context.newPage");
    const page = new Page(id, this);
    this._pages.push(page);
    this._emit("page", page);
    return page;
  }
  cookies(urls = []) {
    return this.#call("context.cookies", { urls: Array.isArray(urls) ? urls : [urls] });
  }
  addCookies(cookies) {
    return this.#call("context.addCookies", { cookies });
  }
  clearCookies() {
    return this.#call("context.clearCookies");
  }
  storageState(options = {}) {
    return this.#call("context.storageState", { path: options.path, indexedDB: !!options.indexedDB });
  }
  setOffline(offline) {
    return this.#call("context.setOffline", { offline });
  }
  setExtraHTTPHeaders(headers) {
    return this.#call("context.setExtraHTTPHeaders", { headers: Object.entries(headers) });
  }
  async route(url, handler) {
    const routeId = nextRouteId++;
    routes.set(routeId, handler);
    pump();
    await this.#call("context.route", { url: urlMatch(url), routeId });
  }
  async unroute(url) {
    await this.#call("context.unroute", { url: urlMatch(url) });
  }
  addInitScript(script, arg) {
    const source = typeof script === "function" ? `(${script})(${JSON.stringify(arg)})` : typeof script === "string" ? script : script?.content;
    return this.#call("context.addInitScript", { source });
  }
  grantPermissions() {
    return Promise.resolve();
  }
  clearPermissions() {
    return Promise.resolve();
  }
  setDefaultTimeout(timeout) {
    return this.#call("context.setDefaultTimeout", { timeout });
  }
  setDefaultNavigationTimeout(timeout) {
    return this.#call("context.setDefaultNavigationTimeout", { timeout });
  }
  async close() {
    if (this._closed) return;
    this._closed = true;
    for (const p of this._pages) p._closed = true;
    await this.#call("context.close");
  }
  /** For fixture teardown: the context is gone for the test; Chromium finishes on its own. */
  async _closeInBackground() {
    if (this._closed) return;
    this._closed = true;
    for (const p of this._pages) p._closed = true;
    await this.#call("context.close", { background: true });
  }
  // Context events: "page" (a new page or a popup of one of its pages).
  #listeners = new Map();
  on(name, fn) {
    if (name !== "page") {
      throw new Error(`context.on("${name}") is not supported; listen on the page instead`);
    }
    if (!this.#listeners.has(name)) this.#listeners.set(name, new Set());
    this.#listeners.get(name).add(fn);
    return this;
  }
  addListener(name, fn) {
    return this.on(name, fn);
  }
  once(name, fn) {
    return onceOn(this, name, fn);
  }
  off(name, fn) {
    this.#listeners.get(name)?.delete(fn);
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
    return true;
  }
  contexts() {
    return this._contexts.filter((c) => !c._closed);
  }
  async newContext(options = {}) {
    const merged = { ...contextDefaults, ...this.#defaults, ...options };
    const { id } = await host("browser.newContext", { options: merged });
    const ctx = new BrowserContext(id, this, merged.viewport === undefined ? { width: 1280, height: 720 } : merged.viewport);
    this._contexts.push(ctx);
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
    for (const c of this._contexts) await c.close();
  }
}

// ---- API requests --------------------------------------------------------------------------
export class APIResponse {
  #res;
  #body;
  constructor(res, body) {
    this.#res = res;
    this.#body = body;
  }
  url() {
    return this.#res.url;
  }
  status() {
    return this.#res.status;
  }
  statusText() {
    return this.#res.statusText;
  }
  ok() {
    return this.#res.ok;
  }
  headers() {
    return Object.fromEntries(this.#res.headers);
  }
  headersArray() {
    return [...this.#res.headers].map(([name, value]) => ({ name, value }));
  }
  async body() {
    return this.#body;
  }
  async text() {
    return new TextDecoder().decode(this.#body);
  }
  async json() {
    return JSON.parse(await this.text());
  }
  async dispose() {}
}

export class APIRequestContext {
  #base;
  #headers;
  constructor(options = {}) {
    this.#base = options.baseURL;
    this.#headers = options.extraHTTPHeaders ?? {};
  }
  async fetch(urlOrRequest, options = {}) {
    const url = new URL(String(urlOrRequest), this.#base ?? undefined).href;
    const headers = new Headers({ ...this.#headers, ...(options.headers ?? {}) });
    let body = options.data;
    if (options.form) {
      body = new URLSearchParams(options.form);
    } else if (options.multipart) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(options.multipart)) fd.append(k, typeof v === "object" && v.buffer ? new Blob([v.buffer], { type: v.mimeType }) : v);
      body = fd;
    } else if (body !== undefined && typeof body !== "string" && !(body instanceof Uint8Array) && !(body instanceof ArrayBuffer)) {
      body = JSON.stringify(body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    if (options.params) {
      const u = new URL(url);
      for (const [k, v] of Object.entries(options.params)) u.searchParams.set(k, String(v));
      return this.fetch(u.href, { ...options, params: undefined });
    }
    const method = (options.method ?? (body === undefined ? "GET" : "POST")).toUpperCase();
    const controller = new AbortController();
    const timeout = ms(options.timeout) ?? 30000;
    const timer = timeout > 0 ? setTimeout(() => controller.abort(), timeout) : undefined;
    try {
      const res = await fetch(url, {
        method,
        headers,
        body,
        redirect: options.maxRedirects === 0 ? "manual" : "follow",
        signal: controller.signal,
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (options.failOnStatusCode && !res.ok) throw new Error(`${res.status} ${res.statusText}`);
      return new APIResponse(res, bytes);
    } catch (e) {
      if (controller.signal.aborted) throw new TimeoutError(`apiRequestContext.${method.toLowerCase()}: Timeout ${timeout}ms exceeded.`);
      throw new Error(`apiRequestContext.${method.toLowerCase()}: ${e.message}`);
    } finally {
      clearTimeout(timer);
    }
  }
  get(url, options = {}) {
    return this.fetch(url, { ...options, method: "GET" });
  }
  head(url, options = {}) {
    return this.fetch(url, { ...options, method: "HEAD" });
  }
  post(url, options = {}) {
    return this.fetch(url, { ...options, method: "POST" });
  }
  put(url, options = {}) {
    return this.fetch(url, { ...options, method: "PUT" });
  }
  patch(url, options = {}) {
    return this.fetch(url, { ...options, method: "PATCH" });
  }
  delete(url, options = {}) {
    return this.fetch(url, { ...options, method: "DELETE" });
  }
  async storageState() {
    return { cookies: [], origins: [] };
  }
  async dispose() {}
}

export const request = {
  newContext: async (options = {}) => new APIRequestContext(options),
};

// ---- web-first matchers --------------------------------------------------------------------
function wire(value) {
  if (value instanceof RegExp) return { regex: value.source, flags: value.flags };
  if (Array.isArray(value)) return value.map(wire);
  return value;
}

function webFirst(name) {
  return async function (received, expected, options) {
    let target;
    if (received instanceof Locator) target = { page: received._page._id, chain: received._chain };
    else if (received instanceof Page) target = { page: received._id };
    else throw new TypeError(`expect(received).${name}() expects a Locator or a Page, got ${Object.prototype.toString.call(received)}`);
    // Matchers without an expected value take the options first.
    const takesExpected = !NO_EXPECTED.has(name);
    const opts = takesExpected ? (options ?? {}) : (expected ?? {});
    const exp = takesExpected ? expected : undefined;
    const timeout = ms(opts.timeout) ?? this.timeout;
    const page = received instanceof Locator ? received._page : received;
    const r = await pageCall(page, "expect.check", {
      ...target,
      matcher: name,
      expected: wire(exp),
      options: { ...opts, timeout: undefined },
      isNot: this.isNot,
      timeout,
    });
    return {
      pass: r.pass,
      message: () => r.message,
      callLog: r.callLog,
    };
  };
}

const NO_EXPECTED = new Set([
  "toBeAttached", "toBeVisible", "toBeHidden", "toBeEnabled", "toBeDisabled", "toBeEditable",
  "toBeEmpty", "toBeFocused", "toBeChecked", "toBeInViewport",
]);

const WEB_FIRST = [
  ...NO_EXPECTED, "toHaveText", "toContainText", "toHaveValue", "toHaveValues", "toHaveAttribute",
  "toHaveClass", "toContainClass", "toHaveCSS", "toHaveId", "toHaveJSProperty", "toHaveCount",
  "toHaveAccessibleName", "toHaveAccessibleDescription", "toHaveRole", "toHaveTitle", "toHaveURL",
];

export const webFirstMatchers = Object.fromEntries(WEB_FIRST.map((n) => [n, webFirst(n)]));

webFirstMatchers.toHaveAttribute = async function (received, name, value, options) {
  // toHaveAttribute(name, options?) checks presence; toHaveAttribute(name, value, options?) the value.
  const presence = value === undefined || (typeof value === "object" && !(value instanceof RegExp));
  const opts = presence ? (value ?? {}) : (options ?? {});
  return webFirst("toHaveAttribute").call(this, received, { name, value: presence ? undefined : wire(value), presence }, opts);
};

webFirstMatchers.toHaveCSS = async function (received, name, value, options) {
  return webFirst("toHaveCSS").call(this, received, { name, value: wire(value) }, options);
};

webFirstMatchers.toHaveJSProperty = async function (received, name, value, options) {
  return webFirst("toHaveJSProperty").call(this, received, { name, value }, options);
};

webFirstMatchers.toBeOK = function (received) {
  if (!(received instanceof APIResponse) && !(received instanceof Response)) {
    throw new TypeError("expect(received).toBeOK() expects an APIResponse");
  }
  const pass = received.ok();
  return {
    pass,
    message: () =>
      `expect(response).${this.isNot ? "not." : ""}toBeOK()\n\nExpected: ${this.isNot ? "not " : ""}OK\nReceived: ${received.status()} ${received.statusText()}`,
  };
};

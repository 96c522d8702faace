// What page events hand to listeners: console messages, requests and responses, dialogs, and
// the routes of paused requests, with Playwright's method names.

import { host } from "ext:isolate_suite/browser/10_wire.js";
import { bufferOf, toBase64 } from "ext:isolate_suite/browser/11_values.js";
import { handleOf } from "ext:isolate_suite/browser/45_handles.js";
import { APIRequestContext, apiResponseParts } from "ext:isolate_suite/browser/70_api_request.js";

export class ConsoleMessage {
  #data;
  #page;
  #args;
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
  /** Where the call was made: zero-based `lineNumber` / `columnNumber` (and their aliases
   * `line` / `column`), as Playwright gives them. */
  location() {
    const l = this.#data.location;
    const url = l?.url ?? "";
    const lineNumber = l?.lineNumber ?? 0;
    const columnNumber = l?.columnNumber ?? 0;
    return { url, line: lineNumber, column: columnNumber, lineNumber, columnNumber };
  }
  /** When the page made the call, in milliseconds since the epoch. */
  timestamp() {
    return this.#data.timestamp;
  }
  page() {
    return this.#page ?? null;
  }
  /** The arguments as handles: objects stay in the page, primitives are held by value. */
  args() {
    this.#args ??= (this.#data.args ?? []).map((info) => handleOf(info, this.#page));
    return this.#args.slice();
  }
  [Symbol.for("nodejs.util.inspect.custom")]() {
    return this.text();
  }
}

/** Header pairs as Playwright's `headers()`: names in lower case, repeated values joined. */
function headerObject(pairs) {
  const out = {};
  for (const [k, v] of pairs ?? []) {
    const name = k.toLowerCase();
    out[name] = out[name] === undefined ? v : `${out[name]}, ${v}`;
  }
  return out;
}

function headersArrayOf(pairs) {
  return (pairs ?? []).map(([name, value]) => ({ name, value }));
}

function headerValueOf(pairs, name) {
  const want = String(name).toLowerCase();
  const values = (pairs ?? []).filter(([k]) => k.toLowerCase() === want).map(([, v]) => v);
  return values.length ? values.join(", ") : null;
}

/** A request of a page, one per hop of a redirect chain (Playwright's `Request`). */
export class Request {
  #data;
  #page;
  #response = null;
  #settled = false;
  #waiters = [];
  constructor(data, page = null) {
    this.#data = data;
    this.#page = page;
    this._redirectedFrom = null;
    this._redirectedTo = null;
  }
  /** A paused request as its route sees it: the URL, method, headers and body after the
   * changes of the routes that fell back before. */
  _routeView(data) {
    this.#data = { ...this.#data, url: data.url, method: data.method, headers: data.headers, postData: data.postData };
  }
  _postDataBase64() {
    return this.#data.postData;
  }
  /** The host's id of this request hop. */
  _id() {
    return this.#data.id;
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
    return headerObject(this.#data.headers);
  }
  async allHeaders() {
    return this.headers();
  }
  async headersArray() {
    return headersArrayOf(this.#data.headers);
  }
  async headerValue(name) {
    return headerValueOf(this.#data.headers, name);
  }
  /** The body as text, or null when there is none. */
  postData() {
    const b64 = this.#data.postData;
    return b64 === undefined || b64 === null ? null : bufferOf(b64).toString("utf8");
  }
  postDataBuffer() {
    const b64 = this.#data.postData;
    if (b64 === undefined || b64 === null) return null;
    const bytes = bufferOf(b64);
    return globalThis.Buffer?.from ? globalThis.Buffer.from(bytes) : bytes;
  }
  /** The body parsed: a form (`application/x-www-form-urlencoded`) as an object, else JSON. */
  postDataJSON() {
    const d = this.postData();
    if (d === null) return null;
    const type = this.headers()["content-type"] ?? "";
    if (/^application\/x-www-form-urlencoded\b/i.test(type)) {
      const out = {};
      for (const [k, v] of new URLSearchParams(d)) out[k] = v;
      return out;
    }
    try {
      return JSON.parse(d);
    } catch {
      throw new Error(`POST data is not a valid JSON object: ${d}`);
    }
  }
  isNavigationRequest() {
    return !!this.#data.isNavigation;
  }
  /** The frame that made the request (the main frame when the page no longer knows it). */
  frame() {
    const page = this.#page;
    if (!page) return null;
    return (this.#data.frame ? page._frameFor(this.#data.frame) : null) ?? page.mainFrame();
  }
  redirectedFrom() {
    return this._redirectedFrom;
  }
  redirectedTo() {
    return this._redirectedTo;
  }
  failure() {
    return this.#data.failure ? { errorText: this.#data.failure } : null;
  }
  serviceWorker() {
    return null;
  }
  /** Its response: at once when it has come, else once it comes (null if the request failed). */
  async response() {
    if (this.#settled) return this.#response;
    const page = this.#page;
    if (!page || !this.#data.id) return new Promise((resolve) => this.#waiters.push(resolve));
    const data = await host("page.requestResponse", { page: page._id, request: this.#data.id });
    if (!this.#settled) this._settle(data ? new Response(data, this.frame(), this) : null);
    return this.#response;
  }
  _settle(response, failure) {
    if (failure) this.#data = { ...this.#data, failure };
    if (this.#settled) return;
    this.#settled = true;
    this.#response = response;
    for (const resolve of this.#waiters.splice(0)) resolve(response);
  }
  _page() {
    return this.#page;
  }
}

/** `response.ok()` as the host reported it, or `null` for anything that is not a Response
 * (a private-field brand check: neither a replaced `ok` nor a look-alike object counts). */
export let responseOk;

export class Response {
  #data;
  static {
    responseOk = (r) => (r !== null && typeof r === "object" && #data in r
      ? r.#data.status === 0 || (r.#data.status >= 200 && r.#data.status <= 299)
      : null);
  }
  #frame;
  #request;
  constructor(data, frame = null, request = null) {
    this.#data = data;
    this.#frame = frame;
    this.#request = request ?? (data.request ? new Request(data.request, frame?._page ?? null) : null);
  }
  url() {
    return this.#data.url;
  }
  /** The frame whose request this answers. */
  frame() {
    return this.#frame ?? this.#request?.frame() ?? null;
  }
  request() {
    return this.#request;
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
    return headerObject(this.#data.headers);
  }
  async allHeaders() {
    return this.headers();
  }
  async headersArray() {
    return headersArrayOf(this.#data.headers);
  }
  headerValue(name) {
    return headerValueOf(this.#data.headers, name);
  }
  async headerValues(name) {
    const want = String(name).toLowerCase();
    return (this.#data.headers ?? []).filter(([k]) => k.toLowerCase() === want).map(([, v]) => v);
  }
  /** `{ ipAddress, port }` Chromium connected to, when known (for loopback servers, the run's
   * network-policy proxy that stands between them). */
  async serverAddr() {
    return this.#data.remoteAddress ?? null;
  }
  fromServiceWorker() {
    return false;
  }
  /** The body, once all of it has come (a Buffer). */
  async body() {
    const page = this.frame()?._page ?? null;
    const id = this.#request?._id();
    if (!page || !id) throw new Error("response.body: the response has no page to read it from");
    const bytes = bufferOf(await host("page.responseBody", { page: page._id, request: id }));
    return globalThis.Buffer?.from ? globalThis.Buffer.from(bytes) : bytes;
  }
  async text() {
    return new TextDecoder().decode(await this.body());
  }
  async json() {
    return JSON.parse(await this.text());
  }
  /** Resolves with null once the body has all come, or with the Error that ended it. */
  async finished() {
    try {
      await this.body();
      return null;
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  }
}

/** A file input the page opened (`page.on('filechooser')`): set files on it with `setFiles`. */
export class FileChooser {
  #page;
  #element;
  #multiple;
  constructor(page, element, multiple) {
    this.#page = page;
    this.#element = element;
    this.#multiple = !!multiple;
  }
  page() {
    return this.#page;
  }
  element() {
    return this.#element;
  }
  isMultiple() {
    return this.#multiple;
  }
  setFiles(files, options = {}) {
    return this.#element.setInputFiles(files, options);
  }
}

export class Dialog {
  #data;
  #id;
  #page;
  #onClosed;
  #closed = false;
  /** `onClosed` is told (once) when the dialog was answered: the page's `dialogclosed`. */
  constructor(data, id, page = null, onClosed = () => {}) {
    this.#data = data;
    this.#id = id;
    this.#page = page;
    this.#onClosed = onClosed;
  }
  async #respond(args) {
    await host("dialog.respond", { id: this.#id, ...args });
    if (!this.#closed) {
      this.#closed = true;
      this.#onClosed(this);
    }
  }
  /** The page that opened the dialog. */
  page() {
    return this.#page;
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
    return this.#respond({ accept: true, text: promptText });
  }
  dismiss() {
    return this.#respond({ accept: false });
  }
}

/** Header pairs from a headers object as Playwright takes it: values made strings, and a key
 * whose value is `undefined` left out (so a fallback or continue can delete a header). */
function headerPairsOf(headers) {
  if (headers === undefined || headers === null) return undefined;
  const out = [];
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out.push([k, String(v)]);
  return out;
}

/** Playwright's check of a URL override, made before the route is used up so the handler can
 * still answer; the host checks again. */
function checkProtocol(api, url, original) {
  if (url === undefined) return;
  const protocol = (u) => /^([^:]*):/.exec(String(u))?.[1]?.toLowerCase();
  if (protocol(url) !== protocol(original)) {
    throw new Error(`route.${api}: New URL must have same protocol as overridden URL`);
  }
}

/** The request changes of `continue(overrides)` and `fallback(overrides)`, as the host takes
 * them. */
function overridesOf(api, overrides, original) {
  checkProtocol(api, overrides.url, original);
  return {
    url: overrides.url === undefined ? undefined : String(overrides.url),
    method: overrides.method,
    headers: headerPairsOf(overrides.headers),
    postData: overrides.postData === undefined ? undefined : toBase64(overrides.postData),
  };
}

export class Route {
  #request;
  #id;
  #context;
  /** `request`: the page's `Request`; `context`: the browser context whose cookies
   * `route.fetch()` sends. */
  constructor(id, request, context = null) {
    this.#id = id;
    this.#request = request;
    this.#context = context;
    this._handled = false;
  }
  request() {
    return this.#request;
  }
  #handled() {
    this._handled = true;
    return this.#id;
  }
  async fulfill(options = {}) {
    let status = options.status;
    let headers = headerPairsOf(options.headers);
    let body = options.body;
    let contentType = options.contentType;
    if (options.json !== undefined) {
      if (body !== undefined) throw new Error("route.fulfill: Can specify either body or json parameters");
      body = JSON.stringify(options.json);
      contentType ??= "application/json";
    }
    if (options.response !== undefined) {
      const served = apiResponseParts(options.response);
      if (!served) throw new Error("route.fulfill: response must be an APIResponse (from route.fetch() or request.fetch())");
      status ??= served.status;
      headers ??= served.headers;
      if (body === undefined && options.path === undefined) body = served.body;
    }
    await host("route.fulfill", {
      request: this.#handled(),
      status,
      headers: headers ?? [],
      contentType,
      body: options.path === undefined ? toBase64(body ?? "") : undefined,
      path: options.path === undefined ? undefined : String(options.path),
    });
  }
  async abort(errorCode = "failed") {
    await host("route.abort", { request: this.#handled(), errorCode });
  }
  async continue(overrides = {}) {
    const changes = overridesOf("continue", overrides, this.#request.url());
    const r = this.#request;
    const done = host("route.continue", { request: this.#handled(), ...changes });
    // The request goes on as changed, and says so (`request.postData()` of the page's event).
    r._routeView({
      url: changes.url ?? r.url(),
      method: changes.method ?? r.method(),
      headers: changes.headers ?? Object.entries(r.headers()),
      postData: changes.postData ?? r._postDataBase64(),
    });
    await done;
  }
  async fallback(overrides = {}) {
    const changes = overridesOf("fallback", overrides, this.#request.url());
    await host("route.fallback", { request: this.#handled(), ...changes });
  }
  /** Makes the request (as changed by `options`) from the test side, through the run's
   * network policy, and gives its response to serve with `fulfill({ response })`. */
  fetch(options = {}) {
    const r = this.#request;
    return new APIRequestContext({ context: this.#context ?? undefined }).fetch(options.url ?? r.url(), {
      method: options.method ?? r.method(),
      headers: options.headers ?? r.headers(),
      data: options.postData ?? r.postDataBuffer() ?? undefined,
      maxRedirects: options.maxRedirects,
      timeout: options.timeout,
      // The name its errors carry (not a host call: the fetch is the sandbox's own).
      _api: `route.fetch`,
    });
  }
}

// What page events hand to listeners: console messages, requests and responses, dialogs, and
// the routes of paused requests, with Playwright's method names.

import { host } from "ext:isolate_suite/browser/10_wire.js";
import { toBase64 } from "ext:isolate_suite/browser/11_values.js";
import { handleOf } from "ext:isolate_suite/browser/45_handles.js";

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
  constructor(data, frame = null) {
    this.#data = data;
    this.#frame = frame;
  }
  url() {
    return this.#data.url;
  }
  /** The frame whose navigation this is the response of. */
  frame() {
    return this.#frame;
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
  #request;
  #id;
  constructor(id, request) {
    this.#id = id;
    this.#request = new Request(request);
    this._handled = false;
  }
  request() {
    return this.#request;
  }
  #handled() {
    this._handled = true;
    return this.#id;
  }
  fulfill(options = {}) {
    let body = options.body;
    let contentType = options.contentType;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      contentType ??= "application/json";
    }
    return host("route.fulfill", {
      request: this.#handled(),
      status: options.status,
      headers: Object.entries(options.headers ?? {}),
      contentType,
      body: toBase64(body ?? ""),
    });
  }
  abort(errorCode = "failed") {
    return host("route.abort", { request: this.#handled(), errorCode });
  }
  continue(overrides = {}) {
    // Playwright's check, made before the route is used up so the handler can still answer;
    // the host checks again.
    if (overrides.url !== undefined) {
      const protocol = (u) => /^([^:]*):/.exec(String(u))?.[1]?.toLowerCase();
      if (protocol(overrides.url) !== protocol(this.#request.url())) {
        return Promise.reject(new Error("route.continue: New URL must have same protocol as overridden URL"));
      }
    }
    return host("route.continue", {
      request: this.#handled(),
      url: overrides.url,
      method: overrides.method,
      headers: overrides.headers ? Object.entries(overrides.headers) : undefined,
      postData: overrides.postData === undefined ? undefined : toBase64(overrides.postData),
    });
  }
  fallback() {
    return host("route.fallback", { request: this.#handled() });
  }
}

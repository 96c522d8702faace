// `request` and `APIRequestContext`: HTTP calls from test code, over the sandbox's policy-checked
// `fetch` (so they reach only the origins the run allows), with Playwright's option names.

import { TimeoutError } from "ext:isolate_suite/browser/10_wire.js";
import { ms } from "ext:isolate_suite/browser/11_values.js";

/** `apiResponse.ok()` as the host reported it, or `null` for anything else (see `responseOk`). */
export let apiResponseOk;

/** What `route.fulfill({ response })` serves of an `APIResponse`, or `null` for anything that
 * is not one. */
export let apiResponseParts;

export class APIResponse {
  #res;
  #body;
  static {
    apiResponseOk = (r) => (r !== null && typeof r === "object" && #res in r ? r.#res.ok === true : null);
    apiResponseParts = (r) => (r !== null && typeof r === "object" && #res in r
      ? { status: r.#res.status, headers: [...r.#res.headers], body: r.#body }
      : null);
  }
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

/** One `Set-Cookie` header as a cookie for `context.addCookies`, or null. */
function parseSetCookie(header, url) {
  const [pair, ...attrs] = String(header).split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return null;
  const u = new URL(url);
  const cookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: u.hostname,
    path: "/",
    expires: -1,
    httpOnly: false,
    secure: false,
    sameSite: "Lax",
  };
  for (const attr of attrs) {
    const [k, ...rest] = attr.split("=");
    const key = k.trim().toLowerCase();
    const value = rest.join("=").trim();
    if (key === "domain" && value) cookie.domain = value.replace(/^\./, "");
    else if (key === "path" && value) cookie.path = value;
    else if (key === "expires" && value) cookie.expires = Math.floor(Date.parse(value) / 1000);
    else if (key === "max-age" && value) cookie.expires = Math.floor(Date.now() / 1000) + Number(value);
    else if (key === "httponly") cookie.httpOnly = true;
    else if (key === "secure") cookie.secure = true;
    else if (key === "samesite" && value) cookie.sameSite = value[0].toUpperCase() + value.slice(1).toLowerCase();
  }
  return cookie;
}

export class APIRequestContext {
  #base;
  #headers;
  #context;
  /**
   * `options.context`: a browser context whose cookies requests send and whose cookie jar
   * responses' `Set-Cookie` fill (`context.request`, `page.request`).
   */
  constructor(options = {}) {
    this.#base = options.baseURL;
    this.#headers = options.extraHTTPHeaders ?? {};
    this.#context = options.context;
  }
  async fetch(urlOrRequest, options = {}) {
    // A page's `Request` (as `route.request()` gives) is fetched as it was made.
    const request = typeof urlOrRequest?.url === "function" && typeof urlOrRequest?.method === "function"
      ? urlOrRequest
      : null;
    if (request) {
      options = {
        method: request.method(),
        headers: request.headers(),
        data: request.postDataBuffer() ?? undefined,
        ...options,
      };
      urlOrRequest = request.url();
    }
    const api = options._api ?? null;
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
      return this.fetch(u.href, { ...options, params: undefined, _api: api ?? undefined });
    }
    const method = (options.method ?? (body === undefined ? "GET" : "POST")).toUpperCase();
    if (this.#context && !headers.has("cookie")) {
      const cookies = await this.#context.cookies([url]);
      if (cookies.length) headers.set("cookie", cookies.map((c) => `${c.name}=${c.value}`).join("; "));
    }
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
      if (this.#context) {
        const set = typeof res.headers.getSetCookie === "function" ? res.headers.getSetCookie() : [];
        const cookies = set.map((h) => parseSetCookie(h, res.url || url)).filter(Boolean);
        if (cookies.length) await this.#context.addCookies(cookies);
      }
      if (options.failOnStatusCode && !res.ok) throw new Error(`${res.status} ${res.statusText}`);
      return new APIResponse(res, bytes);
    } catch (e) {
      const name = api ?? `apiRequestContext.${method.toLowerCase()}`;
      if (controller.signal.aborted) throw new TimeoutError(`${name}: Timeout ${timeout}ms exceeded.`);
      throw new Error(`${name}: ${e.message}`);
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
    throw new Error("apiRequestContext.storageState() is not supported: isolate-browser's request context keeps no cookies; use context.storageState() of a browser context");
  }
  async dispose() {}
}

export const request = {
  newContext: async (options = {}) => new APIRequestContext(options),
};

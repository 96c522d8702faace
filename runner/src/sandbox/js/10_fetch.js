// The Fetch API inside the sandbox: Headers, Request, Response, FormData and `fetch()`.
// Bodies may be bytes, strings, Blobs, FormData, URLSearchParams or ReadableStreams; the network
// itself is the host's business (`op_sandbox_fetch`), which applies the runtime's fetch policy.

import { core } from "ext:core/mod.js";

const { op_sandbox_fetch } = core.ops;
const { ReadableStream } = core.loadExtScript("ext:deno_web/06_streams.js");
const { Blob, File } = core.loadExtScript("ext:deno_web/09_file.js");
const { URL, URLSearchParams } = core.loadExtScript("ext:deno_web/00_url.js");
const { TextEncoder, TextDecoder } = core.loadExtScript("ext:deno_web/08_text_encoding.js");
const { AbortController } = core.loadExtScript("ext:deno_web/03_abort_signal.js");
const { DOMException } = core.loadExtScript("ext:deno_web/01_dom_exception.js");

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INTERNAL = Symbol("internal construction");

// ---- Headers -------------------------------------------------------------------------------
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function normalizeName(name) {
  name = String(name);
  if (!TOKEN_RE.test(name)) throw new TypeError(`Invalid header name: "${name}"`);
  return name.toLowerCase();
}

function normalizeValue(value) {
  value = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  if (/[\0\r\n]/.test(value)) throw new TypeError(`Invalid header value: "${value}"`);
  return value;
}

// Internal fast paths for the app server (not reachable from user code): the raw header list,
// and headers from pairs the host has already validated (lower-case names).
let headerList;
let trustedHeaders;
let serverRequestId;

class Headers {
  /** @type {[string, string][]} lower-case name, value; kept in insertion order */
  #list = [];

  static {
    headerList = (h) => h.#list;
    trustedHeaders = (pairs) => {
      const h = new Headers();
      h.#list = pairs;
      return h;
    };
  }

  constructor(init = undefined) {
    if (init === undefined || init === null) return;
    if (init instanceof Headers) {
      for (const [k, v] of init.#list) this.#list.push([k, v]);
    } else if (typeof init === "object" && typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const arr = [...pair];
        if (arr.length !== 2) throw new TypeError("Header pairs must contain exactly two items");
        this.append(arr[0], arr[1]);
      }
    } else if (typeof init === "object") {
      for (const key of Object.keys(init)) this.append(key, init[key]);
    } else {
      throw new TypeError("Headers init must be an object or an iterable of pairs");
    }
  }

  append(name, value) {
    this.#list.push([normalizeName(name), normalizeValue(value)]);
  }

  delete(name) {
    const n = normalizeName(name);
    this.#list = this.#list.filter(([k]) => k !== n);
  }

  get(name) {
    const n = normalizeName(name);
    const values = this.#list.filter(([k]) => k === n).map(([, v]) => v);
    return values.length === 0 ? null : values.join(", ");
  }

  getSetCookie() {
    return this.#list.filter(([k]) => k === "set-cookie").map(([, v]) => v);
  }

  has(name) {
    const n = normalizeName(name);
    return this.#list.some(([k]) => k === n);
  }

  set(name, value) {
    const n = normalizeName(name);
    const v = normalizeValue(value);
    const i = this.#list.findIndex(([k]) => k === n);
    if (i === -1) {
      this.#list.push([n, v]);
    } else {
      this.#list[i] = [n, v];
      this.#list = this.#list.filter(([k], j) => k !== n || j === i);
    }
  }

  forEach(callback, thisArg = undefined) {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }

  /** Sorted and combined, as the spec iterates; set-cookie values stay separate. */
  *entries() {
    const names = [...new Set(this.#list.map(([k]) => k))].sort();
    for (const name of names) {
      if (name === "set-cookie") {
        for (const v of this.getSetCookie()) yield [name, v];
      } else {
        yield [name, this.get(name)];
      }
    }
  }

  *keys() {
    for (const [k] of this.entries()) yield k;
  }

  *values() {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  get [Symbol.toStringTag]() {
    return "Headers";
  }
}

// ---- bodies --------------------------------------------------------------------------------
function isBufferSource(v) {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

function copyBytes(v) {
  if (v instanceof ArrayBuffer) return new Uint8Array(v.slice(0));
  return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

/** Turns a BodyInit into a body source and the content type it implies. */
function extractBody(init) {
  if (init === undefined || init === null) return { source: null, type: null };
  if (typeof init === "string") {
    return { source: { bytes: encoder.encode(init) }, type: "text/plain;charset=UTF-8" };
  }
  if (init instanceof URLSearchParams) {
    return {
      source: { bytes: encoder.encode(init.toString()) },
      type: "application/x-www-form-urlencoded;charset=UTF-8",
    };
  }
  if (init instanceof FormData) {
    const boundary = `----isolate-browser-${Math.random().toString(16).slice(2)}${Date.now()}`;
    return {
      source: { formData: init, boundary },
      type: `multipart/form-data; boundary=${boundary}`,
    };
  }
  if (init instanceof Blob) return { source: { blob: init }, type: init.type || null };
  if (isBufferSource(init)) return { source: { bytes: copyBytes(init) }, type: null };
  if (init instanceof ReadableStream) return { source: { stream: init }, type: null };
  return { source: { bytes: encoder.encode(String(init)) }, type: "text/plain;charset=UTF-8" };
}

async function sourceBytes(source) {
  if (source.bytes) return source.bytes;
  if (source.blob) return new Uint8Array(await source.blob.arrayBuffer());
  if (source.formData) return await serializeFormData(source.formData, source.boundary);
  if (source.stream) return await readAll(source.stream);
  return new Uint8Array(0);
}

async function readAll(stream) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = typeof value === "string" ? encoder.encode(value) : copyBytes(value);
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function streamOf(source) {
  if (source.stream) return source.stream;
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      const bytes = await sourceBytes(source);
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
      controller.byobRequest?.respond(0);
    },
  });
}

class Body {
  #source = null;
  #stream = null;
  #used = false;
  #headers;

  _initBody(source, headers) {
    this.#source = source;
    this.#headers = headers;
  }

  _bodySource() {
    return this.#source;
  }

  get body() {
    if (this.#source === null) return null;
    this.#stream ??= streamOf(this.#source);
    this.#source = { stream: this.#stream };
    return this.#stream;
  }

  get bodyUsed() {
    if (this.#used) return true;
    return this.#stream !== null && this.#stream.locked;
  }

  async #consume() {
    if (this.bodyUsed) throw new TypeError("Body already consumed");
    this.#used = true;
    if (this.#source === null) return new Uint8Array(0);
    return await sourceBytes(this.#source);
  }

  async bytes() {
    return await this.#consume();
  }

  async arrayBuffer() {
    const b = await this.#consume();
    return b.buffer.byteLength === b.byteLength ? b.buffer : b.slice().buffer;
  }

  async text() {
    return decoder.decode(await this.#consume());
  }

  async json() {
    return JSON.parse(await this.text());
  }

  async blob() {
    const type = this.#headers.get("content-type") ?? "";
    return new Blob([await this.#consume()], { type });
  }

  async formData() {
    const type = this.#headers.get("content-type") ?? "";
    const bytes = await this.#consume();
    if (/^application\/x-www-form-urlencoded/i.test(type)) {
      const fd = new FormData();
      for (const [k, v] of new URLSearchParams(decoder.decode(bytes))) fd.append(k, v);
      return fd;
    }
    const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
    if (/^multipart\/form-data/i.test(type) && m) return parseMultipart(bytes, m[1] ?? m[2]);
    throw new TypeError(`Could not parse content as FormData (content-type: "${type}")`);
  }

  /** Splits the body for clone(): a stream is teed, everything else is shared. */
  _cloneSource() {
    if (this.bodyUsed) throw new TypeError("Body already consumed");
    if (this.#source === null) return null;
    if (this.#source.stream) {
      const [a, b] = this.#source.stream.tee();
      this.#source = { stream: a };
      this.#stream = a;
      return { stream: b };
    }
    return { ...this.#source };
  }
}

// ---- FormData ------------------------------------------------------------------------------
class FormData {
  #entries = [];

  constructor(form = undefined) {
    if (form !== undefined) throw new TypeError("FormData does not take a form element here");
  }

  #entry(name, value, filename) {
    name = String(name);
    if (value instanceof Blob) {
      const fname = filename !== undefined
        ? String(filename)
        : value instanceof File
        ? value.name
        : "blob";
      if (!(value instanceof File) || filename !== undefined) {
        value = new File([value], fname, { type: value.type });
      }
      return [name, value];
    }
    return [name, String(value)];
  }

  append(name, value, filename = undefined) {
    this.#entries.push(this.#entry(name, value, filename));
  }

  delete(name) {
    name = String(name);
    this.#entries = this.#entries.filter(([k]) => k !== name);
  }

  get(name) {
    name = String(name);
    return this.#entries.find(([k]) => k === name)?.[1] ?? null;
  }

  getAll(name) {
    name = String(name);
    return this.#entries.filter(([k]) => k === name).map(([, v]) => v);
  }

  has(name) {
    name = String(name);
    return this.#entries.some(([k]) => k === name);
  }

  set(name, value, filename = undefined) {
    const entry = this.#entry(name, value, filename);
    const i = this.#entries.findIndex(([k]) => k === entry[0]);
    if (i === -1) {
      this.#entries.push(entry);
    } else {
      this.#entries[i] = entry;
      this.#entries = this.#entries.filter(([k], j) => k !== entry[0] || j === i);
    }
  }

  forEach(callback, thisArg = undefined) {
    for (const [k, v] of this.#entries) callback.call(thisArg, v, k, this);
  }

  *entries() {
    yield* this.#entries.map(([k, v]) => [k, v]);
  }

  *keys() {
    for (const [k] of this.#entries) yield k;
  }

  *values() {
    for (const [, v] of this.#entries) yield v;
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  get [Symbol.toStringTag]() {
    return "FormData";
  }
}

const escapeQuoted = (s) => s.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22");

async function serializeFormData(fd, boundary) {
  const parts = [];
  for (const [name, value] of fd) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(name)}"`;
    if (typeof value === "string") {
      parts.push(encoder.encode(`${head}\r\n\r\n${value.replace(/\r?\n|\r/g, "\r\n")}\r\n`));
    } else {
      head += `; filename="${escapeQuoted(value.name)}"\r\nContent-Type: ${
        value.type || "application/octet-stream"
      }\r\n\r\n`;
      parts.push(encoder.encode(head));
      parts.push(new Uint8Array(await value.arrayBuffer()));
      parts.push(encoder.encode("\r\n"));
    }
  }
  parts.push(encoder.encode(`--${boundary}--\r\n`));
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

function indexOfBytes(hay, needle, from) {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function parseMultipart(bytes, boundary) {
  const fd = new FormData();
  const delim = encoder.encode(`--${boundary}`);
  let pos = indexOfBytes(bytes, delim, 0);
  if (pos === -1) throw new TypeError("Could not parse content as FormData: no boundary found");
  for (;;) {
    pos += delim.length;
    if (bytes[pos] === 0x2d && bytes[pos + 1] === 0x2d) break; // closing "--"
    pos += 2; // CRLF after the boundary
    const headerEnd = indexOfBytes(bytes, encoder.encode("\r\n\r\n"), pos);
    if (headerEnd === -1) throw new TypeError("Could not parse content as FormData: bad part");
    const headerText = decoder.decode(bytes.subarray(pos, headerEnd));
    const next = indexOfBytes(bytes, delim, headerEnd + 4);
    if (next === -1) throw new TypeError("Could not parse content as FormData: unterminated part");
    const content = bytes.subarray(headerEnd + 4, next - 2);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headerText)?.[1] ?? "";
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? "";
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined) {
      const type = /content-type:\s*([^\r\n]*)/i.exec(headerText)?.[1] ?? "";
      fd.append(name, new File([content.slice()], filename, { type }));
    } else {
      fd.append(name, decoder.decode(content));
    }
    pos = next;
  }
  return fd;
}

// ---- Request -------------------------------------------------------------------------------
const METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"];

function normalizeMethod(m) {
  m = String(m);
  if (!TOKEN_RE.test(m)) throw new TypeError(`'${m}' is not a valid HTTP method.`);
  const upper = m.toUpperCase();
  if (["CONNECT", "TRACE", "TRACK"].includes(upper)) {
    throw new TypeError(`'${m}' HTTP method is unsupported.`);
  }
  return METHODS.includes(upper) ? upper : m;
}

class Request extends Body {
  #url;
  #method;
  #headers;
  #signal;
  #signalOf = null;
  #redirect;
  // An app server's request id (undefined for requests user code makes).
  #serverId;

  static {
    serverRequestId = (r) => (#serverId in r ? r.#serverId : undefined);
  }

  constructor(input, init = {}) {
    super();
    init ??= {};
    if (input === SERVER_REQUEST) {
      // An app server's incoming request: URL and headers come checked from the host, and
      // the signal is made only if the handler looks at it.
      this.#url = init.url;
      this.#method = init.method;
      this.#headers = init.headers;
      this.#redirect = "follow";
      this.#signalOf = init.signalOf;
      this.#serverId = init.id;
      const source = init.stream ? { stream: init.stream } : init.body ? { bytes: init.body } : null;
      this._initBody(source, this.#headers);
      return;
    }
    let source = null;
    if (input instanceof Request) {
      this.#url = input.url;
      this.#method = input.method;
      this.#headers = new Headers(input.headers);
      this.#redirect = input.redirect;
      if (init.body === undefined && input._bodySource() !== null) {
        if (input.bodyUsed) throw new TypeError("Cannot construct a Request with a used body");
        source = input._bodySource();
      }
      this.#signal = init.signal === undefined ? input.signal : init.signal;
    } else {
      let parsed;
      try {
        parsed = new URL(String(input));
      } catch {
        throw new TypeError(`Invalid URL: '${input}'`);
      }
      if (parsed.username || parsed.password) {
        throw new TypeError("Request URLs may not include credentials");
      }
      this.#url = parsed.href;
      this.#method = "GET";
      this.#headers = new Headers();
      this.#redirect = "follow";
      this.#signal = init.signal;
    }
    if (init.method !== undefined) this.#method = normalizeMethod(init.method);
    if (init.headers !== undefined) this.#headers = new Headers(init.headers);
    if (init.redirect !== undefined) {
      if (!["follow", "manual", "error"].includes(init.redirect)) {
        throw new TypeError(`'${init.redirect}' is not a valid redirect mode`);
      }
      this.#redirect = init.redirect;
    }
    if (init.body !== undefined && init.body !== null) {
      if (this.#method === "GET" || this.#method === "HEAD") {
        throw new TypeError("Request with GET/HEAD method cannot have body.");
      }
      const extracted = extractBody(init.body);
      source = extracted.source;
      if (extracted.type && !this.#headers.has("content-type")) {
        this.#headers.set("content-type", extracted.type);
      }
    }
    const controller = new AbortController();
    const parent = this.#signal;
    if (parent) {
      if (parent.aborted) controller.abort(parent.reason);
      else parent.addEventListener("abort", () => controller.abort(parent.reason), { once: true });
    }
    this.#signal = controller.signal;
    this._initBody(source, this.#headers);
  }

  get url() {
    return this.#url;
  }
  get method() {
    return this.#method;
  }
  get headers() {
    return this.#headers;
  }
  get signal() {
    if (this.#signal === undefined && this.#signalOf !== null) this.#signal = this.#signalOf();
    return this.#signal;
  }
  get redirect() {
    return this.#redirect;
  }
  get credentials() {
    return "same-origin";
  }
  get mode() {
    return "cors";
  }
  get cache() {
    return "default";
  }
  get referrer() {
    return "about:client";
  }
  get referrerPolicy() {
    return "";
  }
  get integrity() {
    return "";
  }
  get keepalive() {
    return false;
  }
  get destination() {
    return "";
  }
  get duplex() {
    return "half";
  }

  clone() {
    const copy = new Request(this.#url, {
      method: this.#method,
      headers: this.#headers,
      redirect: this.#redirect,
      signal: this.signal,
    });
    copy._initBody(this._cloneSource(), copy.headers);
    return copy;
  }

  get [Symbol.toStringTag]() {
    return "Request";
  }
}

const SERVER_REQUEST = Symbol("server request");
/** A Request for an app server's incoming request (see `30_serve.js`). */
function serverRequest(init) {
  return new Request(SERVER_REQUEST, init);
}

// ---- Response ------------------------------------------------------------------------------
const NULL_BODY_STATUS = [101, 103, 204, 205, 304];
const REDIRECT_STATUS = [301, 302, 303, 307, 308];

class Response extends Body {
  #status = 200;
  #statusText = "";
  #headers;
  #type = "default";
  #url = "";
  #redirected = false;

  constructor(body = null, init = {}, internal = undefined) {
    super();
    init ??= {};
    const status = init.status === undefined ? 200 : Number(init.status);
    if (internal !== INTERNAL && (!Number.isInteger(status) || status < 200 || status > 599)) {
      throw new RangeError(
        `The status provided (${init.status}) is outside the range [200, 599].`,
      );
    }
    const statusText = init.statusText === undefined ? "" : String(init.statusText);
    if (statusText !== "" && /[^\t\x20-\x7e\x80-\xff]/.test(statusText)) {
      throw new TypeError("Invalid status text");
    }
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = new Headers(init.headers);
    let source = null;
    if (body !== null && body !== undefined) {
      if (NULL_BODY_STATUS.includes(status)) {
        throw new TypeError(`Response with null body status (${status}) cannot have body`);
      }
      const extracted = extractBody(body);
      source = extracted.source;
      if (extracted.type && !this.#headers.has("content-type")) {
        this.#headers.set("content-type", extracted.type);
      }
    }
    if (internal === INTERNAL) {
      this.#type = init.type ?? "basic";
      this.#url = init.url ?? "";
      this.#redirected = !!init.redirected;
    }
    this._initBody(source, this.#headers);
  }

  static json(data, init = {}) {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("The data is not JSON serializable");
    const headers = new Headers(init?.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(text, { ...init, headers });
  }

  static redirect(url, status = 302) {
    if (!REDIRECT_STATUS.includes(status)) {
      throw new RangeError(`Invalid redirect status code: ${status}`);
    }
    const location = new URL(String(url)).href;
    return new Response(null, { status, headers: { location } });
  }

  static error() {
    return new Response(null, { status: 0, type: "error" }, INTERNAL);
  }

  get status() {
    return this.#status;
  }
  get statusText() {
    return this.#statusText;
  }
  get ok() {
    return this.#status >= 200 && this.#status <= 299;
  }
  get headers() {
    return this.#headers;
  }
  get type() {
    return this.#type;
  }
  get url() {
    return this.#url;
  }
  get redirected() {
    return this.#redirected;
  }

  clone() {
    const copy = new Response(null, {
      status: this.#status,
      statusText: this.#statusText,
      headers: this.#headers,
      type: this.#type,
      url: this.#url,
      redirected: this.#redirected,
    }, INTERNAL);
    copy._initBody(this._cloneSource(), copy.headers);
    return copy;
  }

  get [Symbol.toStringTag]() {
    return "Response";
  }
}

// ---- fetch ---------------------------------------------------------------------------------
function abortError(signal) {
  return signal.reason ?? new DOMException("The signal has been aborted", "AbortError");
}

async function fetch(input, init = undefined) {
  const request = new Request(input, init);
  const signal = request.signal;
  if (signal.aborted) throw abortError(signal);
  const source = request._bodySource();
  const body = source === null ? null : await request.bytes();
  const meta = JSON.stringify({
    url: request.url,
    method: request.method,
    headers: [...request.headers],
    redirect: request.redirect,
  });
  const pending = op_sandbox_fetch(meta, body);
  const res = await new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
  const nullBody = NULL_BODY_STATUS.includes(res.status) || request.method === "HEAD";
  return new Response(nullBody ? null : res.body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
    url: res.url,
    redirected: res.redirected,
    type: "basic",
  }, INTERNAL);
}

export {
  fetch,
  FormData,
  headerList,
  Headers,
  Request,
  Response,
  serverRequest,
  serverRequestId,
  trustedHeaders,
};

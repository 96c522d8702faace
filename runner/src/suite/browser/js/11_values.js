// How test code's values travel to the host: text and URL matchers, functions as source text,
// milliseconds, and bytes as base64 (with a Node-like Buffer view on the way back).

/** A string or RegExp as the host's text matcher. */
export function textQuery(value, exact) {
  if (value instanceof RegExp) return { kind: "regex", source: value.source, flags: value.flags };
  if (value === undefined || value === null) return undefined;
  return { kind: exact ? "exact" : "substring", text: String(value) };
}

/** A URL string (a glob when it has wildcards) or RegExp as the host's URL matcher. */
export function urlMatch(url) {
  if (url instanceof RegExp) return { kind: "regex", source: url.source, flags: url.flags };
  if (typeof url === "function") throw new TypeError("URL predicates are not supported; use a glob string or a RegExp");
  return { kind: "glob", glob: String(url) };
}

/** A number of milliseconds, or `undefined` when none was given. */
export function ms(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** `evaluate(fn | expression)`: the source the page runs. */
export function fnSource(fn) {
  if (typeof fn === "function") return { expression: fn.toString(), isFunction: true };
  if (typeof fn === "string") return { expression: fn, isFunction: false };
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

/** A body (string, bytes or a JSON-able value) as base64. */
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

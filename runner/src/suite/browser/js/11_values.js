// How test code's values travel to the host: text and URL matchers, functions as source text,
// milliseconds, bytes as base64 (with a Node-like Buffer view on the way back), and evaluate's
// arguments and results in the tagged wire format.

import { core, primordials } from "ext:core/mod.js";

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
  if (typeof fn === "function") {
    let source = FunctionPrototypeToString(fn);
    // A method shorthand (`sum([a, b]) { ... }`) is a function expression once named so.
    const m = /^(async\s+)?([\w$]+)\s*\(/.exec(source);
    if (m && m[2] !== "function" && m[2] !== "async") {
      source = m[1] ? `async function ${source.slice(m[1].length)}` : `function ${source}`;
    }
    return { expression: source, isFunction: true };
  }
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

// Node's Buffer, the same class as the global one, taken from the sandbox's own module so
// that test code replacing `globalThis.Buffer` changes nothing here.
let NodeBuffer;

/** The bytes of base64 `b64` as a Node Buffer (`equals`, `toString(encoding)`, ...). */
export function bufferOf(b64) {
  NodeBuffer ??= core.loadExtScript("ext:isolate_sandbox/29_node_buffer.js").Buffer;
  const bytes = base64ToBytes(b64 ?? "");
  return new NodeBuffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---- evaluate's values -----------------------------------------------------------------
// What `evaluate` arguments and results are on the wire: JSON with tags for what JSON cannot
// say, the format the page's half (the browser crate's page/wire.js) speaks. Built-ins are the
// primordials, taken before any user code ran.

const {
  ArrayIsArray, ArrayPrototypePush, BigInt: BigIntCtor, DatePrototype, DatePrototypeGetTime,
  DatePrototypeToISOString, ErrorPrototype, NumberIsNaN, ObjectIs, ObjectKeys, ObjectPrototypeIsPrototypeOf,
  RegExpPrototype, RegExpPrototypeGetFlags, RegExpPrototypeGetSource, SafeMap, String: StringCtor,
  TypedArrayPrototypeGetLength, TypedArrayPrototypeGetSymbolToStringTag,
  FunctionPrototypeToString, JSONStringify,
} = primordials;
const TYPED = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};
const URLCtor = globalThis.URL;
const isA = (proto, v) => ObjectPrototypeIsPrototypeOf(proto, v);

let handleIdOf = () => undefined;
/** How a handle is told apart (the handles module knows): its host id, or `undefined`. */
export function setHandleTest(fn) {
  handleIdOf = fn;
}

/** A value of test code as the wire carries it. Functions and symbols are `undefined`, as
 * Playwright's serializer makes them as results; as arguments they are refused with the path to
 * them. Maps and Sets arrive as empty objects (Playwright's spec says so). */
export function toWire(value) {
  const ids = new SafeMap();
  let next = 1;
  const go = (v, depth, path = "") => {
    if (v === undefined) return { t: "u" };
    if (v === null) return null;
    switch (typeof v) {
      case "boolean":
      case "string":
        return v;
      case "number":
        if (NumberIsNaN(v)) return { t: "n", v: "NaN" };
        if (v === Infinity) return { t: "n", v: "Infinity" };
        if (v === -Infinity) return { t: "n", v: "-Infinity" };
        if (ObjectIs(v, -0)) return { t: "n", v: "-0" };
        return v;
      case "bigint":
        return { t: "b", v: StringCtor(v) };
      case "symbol":
        return { t: "u" };
      case "function": {
        const at = path ? ` at position ${JSONStringify(path)}` : "";
        throw new Error(`Attempting to serialize unexpected value${at}: ${FunctionPrototypeToString(v)}`);
      }
    }
    const handle = handleIdOf(v);
    if (handle !== undefined) return { t: "h", v: handle };
    if (ids.has(v)) return { t: "ref", id: ids.get(v) };
    if (depth > 1000) throw new Error("Cannot serialize the argument: object reference chain is too long");
    const id = next++;
    ids.set(v, id);
    if (isA(DatePrototype, v)) {
      return { t: "d", v: NumberIsNaN(DatePrototypeGetTime(v)) ? null : DatePrototypeToISOString(v) };
    }
    if (isA(RegExpPrototype, v)) return { t: "r", s: RegExpPrototypeGetSource(v), f: RegExpPrototypeGetFlags(v) };
    if (URLCtor && v instanceof URLCtor) return { t: "url", v: v.href };
    if (isA(ErrorPrototype, v)) return { t: "e", n: v.name, m: v.message, s: v.stack };
    const kind = ArrayBuffer.isView(v) ? TypedArrayPrototypeGetSymbolToStringTag(v) : undefined;
    if (kind && TYPED[kind]) {
      const out = [];
      const n = TypedArrayPrototypeGetLength(v);
      for (let i = 0; i < n; i++) ArrayPrototypePush(out, typeof v[i] === "bigint" ? StringCtor(v[i]) : v[i]);
      return { t: "ta", k: kind, v: out };
    }
    if (ArrayIsArray(v)) {
      const out = [];
      for (let i = 0; i < v.length; i++) ArrayPrototypePush(out, go(v[i], depth + 1, `${path}[${i}]`));
      return { t: "a", id, v: out };
    }
    const out = [];
    const keys = ObjectKeys(v);
    for (let i = 0; i < keys.length; i++) {
      ArrayPrototypePush(out, [keys[i], go(v[keys[i]], depth + 1, path ? `${path}.${keys[i]}` : keys[i])]);
    }
    return { t: "o", id, v: out };
  };
  return go(value, 0);
}

/** A value the page sent, rebuilt. */
export function fromWire(wire) {
  const seen = new SafeMap();
  const go = (w) => {
    if (w === null || typeof w !== "object") return w;
    switch (w.t) {
      case "u": return undefined;
      case "n": return w.v === "-0" ? -0 : Number(w.v);
      case "b": return BigIntCtor(w.v);
      case "d": return new Date(w.v === null ? NaN : w.v);
      case "r": return new RegExp(w.s, w.f);
      case "url": return URLCtor ? new URLCtor(w.v) : w.v;
      case "e": {
        const e = new Error(w.m);
        e.name = w.n;
        if (w.s !== undefined) e.stack = w.s;
        return e;
      }
      case "ta": {
        const items = [];
        for (let i = 0; i < w.v.length; i++) ArrayPrototypePush(items, typeof w.v[i] === "string" ? BigIntCtor(w.v[i]) : w.v[i]);
        return new TYPED[w.k](items);
      }
      case "ref": return seen.get(w.id);
      case "a": {
        const out = [];
        seen.set(w.id, out);
        for (let i = 0; i < w.v.length; i++) ArrayPrototypePush(out, go(w.v[i]));
        return out;
      }
      case "o": {
        const out = {};
        seen.set(w.id, out);
        for (let i = 0; i < w.v.length; i++) out[w.v[i][0]] = go(w.v[i][1]);
        return out;
      }
      default: return undefined;
    }
  };
  return go(wire);
}

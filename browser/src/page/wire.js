// How evaluate arguments and results cross between the test and the page: JSON with tags for
// what JSON cannot say (undefined, NaN, +-Infinity, -0, BigInt, Date, RegExp, URL, Error, typed
// arrays, shared references and cycles; handles, as `{ t: "h", v: index }` into the call's handle
// arguments). The isolate side (runner's 11_values.js) speaks the
// same format. Evaluates to `{ parse, serialize, text }`; built-ins are taken when it is evaluated.
// Results leave the page as `text` (the wire value as a JSON string): a deep value would be
// as deep in the protocol message, past what its parsers take.
(() => {
  const ObjectIs = Object.is;
  const ObjectKeys = Object.keys;
  const ArrayIsArray = Array.isArray;
  const NumberIsNaN = Number.isNaN;
  const NumberIsFinite = Number.isFinite;
  const isView = ArrayBuffer.isView;
  const DateCtor = Date;
  const RegExpCtor = RegExp;
  const ErrorCtor = Error;
  const URLCtor = typeof URL === "function" ? URL : null;
  const MapCtor = Map;
  const ObjectProto = Object.prototype;
  const getProto = Object.getPrototypeOf;
  // What a class instance or platform object (not a plain object, not an array) says it is as
  // JSON, as Playwright's serializer asks: `performance`, `PerformanceTiming`, a class with
  // `toJSON`. A toJSON that throws is ignored.
  const NONE = {};
  function ownJson(v) {
    try {
      const proto = getProto(v);
      if (proto === ObjectProto || proto === null || ArrayIsArray(v)) return NONE;
      const f = v.toJSON;
      return typeof f === "function" ? f.call(v) : NONE;
    } catch {
      return NONE;
    }
  }
  const StringCtor = String;
  const escapes = /[\u0000-\u001f"\\]/g;
  const escape = (c) => (c === '"' ? '\\"' : c === "\\" ? "\\\\" : "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  // JSON of a serialized value (plain arrays, objects and primitives), written without the
  // page's `JSON` (which it may replace, or give `toJSON`s).
  function stringify(v) {
    if (v === null) return "null";
    switch (typeof v) {
      case "string": return '"' + v.replace(escapes, escape) + '"';
      case "number": return NumberIsFinite(v) ? StringCtor(v) : "null";
      case "boolean": return v ? "true" : "false";
    }
    if (ArrayIsArray(v)) {
      let out = "[";
      for (let i = 0; i < v.length; i++) out += (i ? "," : "") + stringify(v[i]);
      return out + "]";
    }
    let out = "{";
    let first = true;
    for (const k of ObjectKeys(v)) {
      if (v[k] === undefined) continue;
      out += (first ? "" : ",") + stringify(k) + ":" + stringify(v[k]);
      first = false;
    }
    return out + "}";
  }
  const typed = { Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array };
  const isA = (v, C) => { try { return v instanceof C; } catch { return false; } };
  const isWindowOfAnotherRealm = (v) => { try { return v.window === v && v.self === v; } catch { return false; } };
  function serialize(value) {
    const ids = new MapCtor();
    let next = 1;
    const go = (v, depth) => {
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
          return { t: "b", v: String(v) };
        case "symbol":
          return { t: "u" };
        case "function":
          // As Playwright's serializer: undefined on its own, an empty object inside another.
          return depth === 0 ? { t: "u" } : { t: "o", id: next++, v: [] };
      }
      if (typeof Window === "function" && isA(v, Window)) return "ref: <Window>";
      // Another window's global (a popup's, a frame's) is no instance of this realm's Window;
      // reading its properties may throw (its localStorage, or anything across origins).
      if (isWindowOfAnotherRealm(v)) return "ref: <Window>";
      if (typeof Document === "function" && isA(v, Document)) return "ref: <Document>";
      if (typeof Node === "function" && isA(v, Node)) return "ref: <Node>";
      if (ids.has(v)) return { t: "ref", id: ids.get(v) };
      // Dates and URLs have their own tags (their toJSON would make them strings).
      if (!isA(v, DateCtor) && !(URLCtor && isA(v, URLCtor))) {
        const json = ownJson(v);
        if (json !== NONE) return go(json, depth + 1);
      }
      // Chromium's own limit, where Playwright's serializer reaches it.
      if (depth > 190) throw new ErrorCtor("Cannot serialize result: object reference chain is too long.");
      const id = next++;
      ids.set(v, id);
      if (isA(v, DateCtor)) return { t: "d", v: NumberIsNaN(v.getTime()) ? null : v.toISOString() };
      if (isA(v, RegExpCtor)) return { t: "r", s: v.source, f: v.flags };
      if (URLCtor && isA(v, URLCtor)) return { t: "url", v: v.href };
      if (isA(v, ErrorCtor)) return { t: "e", n: v.name, m: v.message, s: v.stack };
      if (isView(v) && !(typeof DataView === "function" && isA(v, DataView))) {
        const kind = ObjectKeys(typed).find((k) => isA(v, typed[k]));
        if (kind) return { t: "ta", k: kind, v: Array.from(v, (x) => (typeof x === "bigint" ? String(x) : x)) };
      }
      if (ArrayIsArray(v)) {
        const out = [];
        for (let i = 0; i < v.length; i++) out.push(go(v[i], depth + 1));
        return { t: "a", id, v: out };
      }
      const out = [];
      for (const k of ObjectKeys(v)) out.push([k, go(v[k], depth + 1)]);
      return { t: "o", id, v: out };
    };
    return go(value, 0);
  }
  function parse(wire, handles) {
    const seen = new MapCtor();
    const go = (w) => {
      if (w === null || typeof w !== "object") return w;
      switch (w.t) {
        case "u": return undefined;
        case "n": return w.v === "-0" ? -0 : Number(w.v);
        case "b": return BigInt(w.v);
        case "d": return new DateCtor(w.v === null ? NaN : w.v);
        case "r": return new RegExpCtor(w.s, w.f);
        case "url": return URLCtor ? new URLCtor(w.v) : w.v;
        case "e": { const e = new ErrorCtor(w.m); e.name = w.n; e.stack = w.s; return e; }
        case "ta": return new typed[w.k](w.v.map((x) => (typeof x === "string" ? BigInt(x) : x)));
        case "ref": return seen.get(w.id);
        case "h": return handles ? handles[w.v] : undefined;
        case "a": { const out = []; seen.set(w.id, out); for (const x of w.v) out.push(go(x)); return out; }
        case "o": { const out = {}; seen.set(w.id, out); for (const [k, x] of w.v) out[k] = go(x); return out; }
        default: return undefined;
      }
    };
    return go(wire);
  }
  return { parse, serialize, text: (value) => stringify(serialize(value)) };
})()

// The generic half of `expect` (Jest semantics, Playwright's messages): equality, comparisons,
// containment, types, errors, asymmetric matchers, `.not`, `.resolves`/`.rejects`, custom
// messages, `expect.soft`, `expect.poll`, `toPass`, `expect.configure` and `expect.extend`.
// Web-first matchers (locators, pages) are added by the runner through `expect.extend`.
//
// Loaded into the sandbox as an ES module; it uses nothing but the language and timers.

// Built-ins the verdicts depend on, taken before any user code ran (the module is evaluated
// while the startup snapshot is built), so that a spec cannot make a matcher pass by replacing
// `Object.is`, `Map.prototype.get`, an iterator, `RegExp.prototype.test`, `Symbol.hasInstance`
// of a class, a typed array's `length` getter or `Array.prototype.push`. Verdict code reads
// no `instanceof` (classes' `Symbol.hasInstance` is replaceable), destructures nothing (that
// runs the array iterator) and walks collections with the captured iterator methods. (Deno's
// primordials are the model; this module takes its own so it stays loadable on its own.)
const uncurry = Function.prototype.call.bind(Function.prototype.bind, Function.prototype.call);
const getter = (proto, key) => uncurry(Object.getOwnPropertyDescriptor(proto, key).get);
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const ArrayBufferIsView = ArrayBuffer.isView;
const ArrayBufferPrototype = ArrayBuffer.prototype;
const ArrayBufferPrototypeGetByteLength = getter(ArrayBuffer.prototype, "byteLength");
const ArrayIsArray = Array.isArray;
const ArrayPrototypeIncludes = uncurry(Array.prototype.includes);
const ArrayPrototypeJoin = uncurry(Array.prototype.join);
const ArrayPrototypePush = uncurry(Array.prototype.push);
const ArrayPrototypeSplice = uncurry(Array.prototype.splice);
const DatePrototype = Date.prototype;
const DatePrototypeGetTime = uncurry(Date.prototype.getTime);
const DatePrototypeToISOString = uncurry(Date.prototype.toISOString);
const ErrorCaptureStackTrace = Error.captureStackTrace ?? (() => {});
const ErrorPrototype = Error.prototype;
const JSONStringify = JSON.stringify;
const MapPrototype = Map.prototype;
const MapPrototypeEntries = uncurry(Map.prototype.entries);
const MapPrototypeGet = uncurry(Map.prototype.get);
const MapPrototypeGetSize = getter(Map.prototype, "size");
const MapPrototypeHas = uncurry(Map.prototype.has);
const MapIteratorNext = uncurry(Object.getPrototypeOf(new Map().entries()).next);
const MathAbs = Math.abs;
const NumberIsNaN = Number.isNaN;
const ObjectDefineProperty = Object.defineProperty;
const ObjectFreeze = Object.freeze;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectIs = Object.is;
const ObjectGetOwnPropertySymbols = Object.getOwnPropertySymbols;
const ObjectKeys = Object.keys;
const ObjectPrototypePropertyIsEnumerable = uncurry(Object.prototype.propertyIsEnumerable);
const ObjectPrototypeHasOwnProperty = uncurry(Object.prototype.hasOwnProperty);
const ObjectPrototypeIsPrototypeOf = uncurry(Object.prototype.isPrototypeOf);
const PromisePrototype = Promise.prototype;
const PromisePrototypeThen = uncurry(Promise.prototype.then);
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseReject = Promise.reject.bind(Promise);
const ReflectApply = Reflect.apply;
const RegExpPrototype = RegExp.prototype;
const SafeRegExp = RegExp;
const RegExpPrototypeExec = uncurry(RegExp.prototype.exec);
const RegExpPrototypeGetFlags = getter(RegExp.prototype, "flags");
const RegExpPrototypeGetSource = getter(RegExp.prototype, "source");
const SafeSet = Set;
const SetPrototype = Set.prototype;
const SetPrototypeAdd = uncurry(Set.prototype.add);
const SetPrototypeDelete = uncurry(Set.prototype.delete);
const SetPrototypeGetSize = getter(Set.prototype, "size");
const SetPrototypeHas = uncurry(Set.prototype.has);
const SetPrototypeValues = uncurry(Set.prototype.values);
const SetIteratorNext = uncurry(Object.getPrototypeOf(new Set().values()).next);
const StringPrototypeIncludes = uncurry(String.prototype.includes);
const SymbolIterator = Symbol.iterator;
const SymbolPrototypeToString = uncurry(Symbol.prototype.toString);
const TypedArrayPrototypeGetLength = getter(TypedArrayPrototype, "length");
/** The entries of a Map, or the values of a Set, as an array (the captured iterators). */
function mapEntries(m) {
  const out = [];
  const it = MapPrototypeEntries(m);
  for (let r = MapIteratorNext(it); !r.done; r = MapIteratorNext(it)) ArrayPrototypePush(out, r.value);
  return out;
}
function setValues(set) {
  const out = [];
  const it = SetPrototypeValues(set);
  for (let r = SetIteratorNext(it); !r.done; r = SetIteratorNext(it)) ArrayPrototypePush(out, r.value);
  return out;
}
const hasOwn = ObjectPrototypeHasOwnProperty;
const isA = (proto, v) => v !== null && typeof v === "object" && ObjectPrototypeIsPrototypeOf(proto, v);
const isDate = (v) => isA(DatePrototype, v);
const isRegExp = (v) => isA(RegExpPrototype, v);
const isError = (v) => isA(ErrorPrototype, v);
const isMap = (v) => isA(MapPrototype, v);
const isSet = (v) => isA(SetPrototype, v);
const isPromise = (v) => isA(PromisePrototype, v);
/** Whether `re` matches `text`, through the built-in exec (not `re.test`/`re.exec`), on a copy:
 * a global pattern's `lastIndex` neither carries over between calls nor changes. */
const regexMatches = (re, text) => RegExpPrototypeExec(new SafeRegExp(re), text) !== null;
const isArrayBuffer = (v) => isA(ArrayBufferPrototype, v);
/** A failure of the matcher's use, not of the assertion: thrown with or without `.not`. */
function matcherError(text) {
  const err = new Error(text);
  err.matcherError = true;
  return err;
}
/** Items of an array or array-like (an index loop: no iterator user code could replace). */
function itemsOf(v) {
  if (v === null || v === undefined) return [];
  if (isSet(v)) {
    const out = [];
    return setValues(v);
  }
  if (ArrayBufferIsView(v)) {
    const out = [];
    const n = TypedArrayPrototypeGetLength(v);
    for (let i = 0; i < n; i++) ArrayPrototypePush(out, v[i]);
    return out;
  }
  if (typeof v === "string") return [v];
  const n = v.length;
  const out = [];
  if (typeof n === "number") {
    for (let i = 0; i < n; i++) ArrayPrototypePush(out, v[i]);
  } else if (typeof v[SymbolIterator] === "function") {
    // Some other iterable (a Map, a generator): only its own protocol can list it.
    for (const x of v) ArrayPrototypePush(out, x);
  }
  return out;
}

const ASYMMETRIC = Symbol.for("isolate-browser.asymmetric");

class AssertionError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = "Error";
    this.matcherResult = details;
  }
}

// ---- printing --------------------------------------------------------------------------
function print(value, seen = new SafeSet(), depth = 0) {
  if (value && value[ASYMMETRIC]) return value.toString();
  if (typeof value === "string") return JSONStringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return SymbolPrototypeToString(value);
  if (typeof value === "function") return `[Function ${value.name || "anonymous"}]`;
  if (value === undefined) return "undefined";
  if (value === null || typeof value !== "object") return String(value);
  if (SetPrototypeHas(seen, value)) return "[Circular]";
  if (depth > 5) return ArrayIsArray(value) ? "[Array]" : "[Object]";
  SetPrototypeAdd(seen, value);
  const inner = (v) => print(v, seen, depth + 1);
  const list = (items, f) => {
    const out = [];
    for (let i = 0; i < items.length; i++) ArrayPrototypePush(out, f(items[i]));
    return ArrayPrototypeJoin(out, ", ");
  };
  try {
    if (isDate(value)) return NumberIsNaN(DatePrototypeGetTime(value)) ? "Invalid Date" : DatePrototypeToISOString(value);
    if (isRegExp(value)) return `/${RegExpPrototypeGetSource(value)}/${RegExpPrototypeGetFlags(value)}`;
    if (isError(value)) return `[${value.name}: ${value.message}]`;
    if (isMap(value)) {
      return `Map {${list(mapEntries(value), (e) => `${inner(e[0])} => ${inner(e[1])}`)}}`;
    }
    if (isSet(value)) return `Set {${list(itemsOf(value), inner)}}`;
    if (ArrayIsArray(value)) return `[${list(value, inner)}]`;
    if (ArrayBufferIsView(value) && "BYTES_PER_ELEMENT" in value) {
      return `${value.constructor?.name ?? "TypedArray"} [${list(itemsOf(value), inner)}]`;
    }
    const name = value.constructor && value.constructor !== Object ? `${value.constructor.name} ` : "";
    return `${name}{${list(ObjectKeys(value), (k) => `${JSONStringify(k)}: ${inner(value[k])}`)}}`;
  } finally {
    SetPrototypeDelete(seen, value);
  }
}

function printLines(value) {
  // One item per line, for diffs of larger values.
  const text = print(value);
  if (text.length <= 60) return [text];
  if (ArrayIsArray(value)) return ["[", ...value.map((v) => `  ${print(v)},`), "]"];
  if (value && typeof value === "object" && !(value instanceof Date) && !(value instanceof RegExp)) {
    return ["{", ...ObjectKeys(value).map((k) => `  ${JSON.stringify(k)}: ${print(value[k])},`), "}"];
  }
  return [text];
}

function diff(expected, received) {
  const a = printLines(expected);
  const b = printLines(received);
  if (a.length === 1 && b.length === 1) return `Expected: ${a[0]}\nReceived: ${b[0]}`;
  // Longest common subsequence over lines.
  const dp = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    }
  }
  const out = ["- Expected  - ", "+ Received  + ", ""];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || dp[i + 1][j] >= dp[i][j + 1])) {
      out.push(`- ${a[i++]}`);
    } else {
      out.push(`+ ${b[j++]}`);
    }
  }
  const removed = out.filter((l) => l.startsWith("- ")).length - 1;
  const added = out.filter((l) => l.startsWith("+ ")).length - 1;
  out[0] = `- Expected  - ${removed}`;
  out[1] = `+ Received  + ${added}`;
  return out.join("\n");
}

// ---- equality --------------------------------------------------------------------------
function equals(a, b, strict, seen = []) {
  if (a && a[ASYMMETRIC]) return a.asymmetricMatch(b);
  if (b && b[ASYMMETRIC]) return b.asymmetricMatch(a);
  if (ObjectIs(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  // Pairs already being compared (cycles); flat [a0, b0, a1, b1, ...], read by index.
  for (let i = 0; i < seen.length; i += 2) if (seen[i] === a && seen[i + 1] === b) return true;
  const pairs = [];
  for (let i = 0; i < seen.length; i++) ArrayPrototypePush(pairs, seen[i]);
  ArrayPrototypePush(pairs, a);
  ArrayPrototypePush(pairs, b);
  seen = pairs;
  if (strict && ObjectGetPrototypeOf(a) !== ObjectGetPrototypeOf(b)) return false;
  if (ArrayIsArray(a) !== ArrayIsArray(b)) return false;
  if (isDate(a) || isDate(b)) return isDate(a) && isDate(b) && ObjectIs(DatePrototypeGetTime(a), DatePrototypeGetTime(b));
  if (isRegExp(a) || isRegExp(b)) {
    return isRegExp(a) && isRegExp(b) && RegExpPrototypeGetSource(a) === RegExpPrototypeGetSource(b) &&
      RegExpPrototypeGetFlags(a) === RegExpPrototypeGetFlags(b);
  }
  if (isError(a) && isError(b)) return a.message === b.message && a.name === b.name;
  if (isMap(a) || isMap(b)) {
    if (!(isMap(a) && isMap(b)) || MapPrototypeGetSize(a) !== MapPrototypeGetSize(b)) return false;
    const entries = mapEntries(a);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const k = entry[0];
      if (!MapPrototypeHas(b, k) || !equals(entry[1], MapPrototypeGet(b, k), strict, seen)) return false;
    }
    return true;
  }
  if (isSet(a) || isSet(b)) {
    if (!(isSet(a) && isSet(b)) || SetPrototypeGetSize(a) !== SetPrototypeGetSize(b)) return false;
    const va = setValues(a);
    const vb = setValues(b);
    outer: for (let i = 0; i < va.length; i++) {
      if (SetPrototypeHas(b, va[i])) continue;
      for (let j = 0; j < vb.length; j++) if (equals(va[i], vb[j], strict, seen)) continue outer;
      return false;
    }
    return true;
  }
  if (isArrayBuffer(a) || isArrayBuffer(b)) {
    if (!isArrayBuffer(a) || !isArrayBuffer(b)) return false;
    const n = ArrayBufferPrototypeGetByteLength(a);
    if (n !== ArrayBufferPrototypeGetByteLength(b)) return false;
    const ua = new Uint8Array(a);
    const ub = new Uint8Array(b);
    for (let i = 0; i < n; i++) if (ua[i] !== ub[i]) return false;
    return true;
  }
  if (ArrayBufferIsView(a) || ArrayBufferIsView(b)) {
    if (!ArrayBufferIsView(a) || !ArrayBufferIsView(b)) return false;
    // DataViews have no length and no indexed items: compare their bytes.
    const n = ArrayBufferIsView(a) && "BYTES_PER_ELEMENT" in a ? TypedArrayPrototypeGetLength(a) : -1;
    if (n < 0 || !("BYTES_PER_ELEMENT" in b) || n !== TypedArrayPrototypeGetLength(b)) {
      return n < 0 && !("BYTES_PER_ELEMENT" in b) && a.byteLength === b.byteLength &&
        equals(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength), strict, seen);
    }
    for (let i = 0; i < n; i++) if (!ObjectIs(a[i], b[i])) return false;
    return true;
  }
  if (ArrayIsArray(a) && a.length !== b.length) return false;
  const keys = (o) => {
    const all = ObjectKeys(o);
    const out = [];
    for (let i = 0; i < all.length; i++) if (strict || o[all[i]] !== undefined) ArrayPrototypePush(out, all[i]);
    // Enumerable symbol keys count too (Jest's equality), arrays' included.
    const symbols = ObjectGetOwnPropertySymbols(o);
    for (let i = 0; i < symbols.length; i++) {
      if (ObjectPrototypePropertyIsEnumerable(o, symbols[i]) && (strict || o[symbols[i]] !== undefined)) ArrayPrototypePush(out, symbols[i]);
    }
    return out;
  };
  const ka = keys(a);
  const kb = keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (!hasOwn(b, k) && !(b[k] === undefined && !strict)) return false;
    if (!equals(a[k], b[k], strict, seen)) return false;
  }
  if (strict && ArrayIsArray(a)) {
    for (let i = 0; i < a.length; i++) if ((i in a) !== (i in b)) return false;
  }
  return true;
}

function matchesObject(received, expected) {
  if (expected && expected[ASYMMETRIC]) return expected.asymmetricMatch(received);
  if (typeof expected !== "object" || expected === null) return equals(received, expected, false);
  if (typeof received !== "object" || received === null) return false;
  if (ArrayIsArray(expected)) {
    if (!ArrayIsArray(received) || received.length !== expected.length) return false;
    for (let i = 0; i < expected.length; i++) if (!matchesObject(received[i], expected[i])) return false;
    return true;
  }
  if (isDate(expected) || isRegExp(expected) || isMap(expected) || isSet(expected) || isError(expected)) {
    return equals(received, expected, false);
  }
  const keys = ObjectKeys(expected);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (!(k in received) || !matchesObject(received[k], expected[k])) return false;
  }
  return true;
}

// ---- asymmetric matchers ---------------------------------------------------------------
function asymmetric(name, test, describe) {
  return { [ASYMMETRIC]: true, asymmetricMatch: test, toString: () => `${name}(${describe ?? ""})`, toJSON: () => `${name}(${describe ?? ""})` };
}

/** Whether two numbers are within `digits` decimal places (equal infinities are close). */
function closeEnough(received, expected, digits) {
  if (received === expected) return true;
  return MathAbs(expected - received) < 10 ** -digits / 2;
}

const asymmetricMatchers = {
  any: (ctor) => {
    if (typeof ctor !== "function") {
      throw new TypeError("any() expects to be passed a constructor function. Please pass one or use anything() to match any object.");
    }
    return asymmetric("Any", (v) => {
      if (ctor === String) return typeof v === "string" || v instanceof String;
      if (ctor === Number) return typeof v === "number" || v instanceof Number;
      if (ctor === Boolean) return typeof v === "boolean" || v instanceof Boolean;
      if (ctor === BigInt) return typeof v === "bigint";
      if (ctor === Symbol) return typeof v === "symbol";
      if (ctor === Function) return typeof v === "function";
      if (ctor === Object) return typeof v === "object" && v !== null;
      return v instanceof ctor;
    }, ctor.name);
  },
  anything: () => asymmetric("Anything", (v) => v !== null && v !== undefined),
  arrayContaining: (items) => asymmetric("ArrayContaining", (v) => {
    if (!ArrayIsArray(v)) return false;
    const want = itemsOf(items);
    for (let i = 0; i < want.length; i++) {
      let found = false;
      for (let j = 0; j < v.length && !found; j++) found = equals(v[j], want[i], false);
      if (!found) return false;
    }
    return true;
  }, print(items)),
  arrayOf: (item) => asymmetric("ArrayOf", (v) => {
    if (!ArrayIsArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (!equals(v[i], item, false)) return false;
    return true;
  }, print(item)),
  objectContaining: (obj) => asymmetric("ObjectContaining", (v) => {
    // Jest refuses a non-object sample when it is matched, not when it is made.
    if (typeof obj !== "object" || obj === null) throw new TypeError(`You must provide an object to ObjectContaining, not '${typeof obj}'.`);
    if (typeof v !== "object" || v === null) return false;
    const keys = ObjectKeys(obj);
    for (let i = 0; i < keys.length; i++) {
      if (!(keys[i] in v) || !equals(v[keys[i]], obj[keys[i]], false)) return false;
    }
    return true;
  }, print(obj)),
  stringContaining: (s) => asymmetric("StringContaining", (v) => typeof v === "string" && StringPrototypeIncludes(v, s), print(s)),
  stringMatching: (re) => asymmetric("StringMatching", (v) => typeof v === "string" && regexMatches(re, v), String(re)),
  closeTo: (n, digits = 2) => {
    if (typeof n !== "number") throw new TypeError("Expected is not a Number");
    if (typeof digits !== "number") throw new TypeError("Precision is not a Number");
    return asymmetric("CloseTo", (v) => typeof v === "number" && closeEnough(v, n, digits), `${n}, ${digits}`);
  },
};

// ---- matchers --------------------------------------------------------------------------
function header(name, isNot, args = "expected", comment = "") {
  return `expect(received).${isNot ? "not." : ""}${name}(${args})${comment ? ` // ${comment}` : ""}`;
}

function result(pass, name, isNot, body, comment) {
  return { pass, message: () => `${header(name, isNot, "expected", comment)}\n\n${body}` };
}

function plain(name, isNot, expected, received, comment) {
  const exp = isNot ? `Expected: not ${print(expected)}` : `Expected: ${print(expected)}`;
  return `${exp}\nReceived: ${print(received)}`;
}

function throwsOf(received) {
  if (typeof received !== "function") return { error: received, threw: true, passedError: true };
  try {
    received();
    return { threw: false };
  } catch (error) {
    return { error, threw: true };
  }
}

const matchers = {
  toBe(received, expected) {
    const pass = ObjectIs(received, expected);
    const body = !pass && !this.isNot && equals(received, expected, true)
      ? `${plain("toBe", this.isNot, expected, received)}\n\nIf it should pass with deep equality, replace "toBe" with "toStrictEqual"`
      : plain("toBe", this.isNot, expected, received);
    return result(pass, "toBe", this.isNot, body, "Object.is equality");
  },
  toEqual(received, expected) {
    const pass = equals(received, expected, false);
    return result(pass, "toEqual", this.isNot, this.isNot ? plain("toEqual", true, expected, received) : diff(expected, received), "deep equality");
  },
  toStrictEqual(received, expected) {
    const pass = equals(received, expected, true);
    return result(pass, "toStrictEqual", this.isNot, this.isNot ? plain("toStrictEqual", true, expected, received) : diff(expected, received), "deep equality");
  },
  toBeTruthy(received) {
    return { pass: !!received, message: () => `${header("toBeTruthy", this.isNot, "")}\n\nReceived: ${print(received)}` };
  },
  toBeFalsy(received) {
    return { pass: !received, message: () => `${header("toBeFalsy", this.isNot, "")}\n\nReceived: ${print(received)}` };
  },
  toBeNull(received) {
    return { pass: received === null, message: () => `${header("toBeNull", this.isNot, "")}\n\nReceived: ${print(received)}` };
  },
  toBeUndefined(received) {
    return { pass: received === undefined, message: () => `${header("toBeUndefined", this.isNot, "")}\n\nReceived: ${print(received)}` };
  },
  toBeDefined(received) {
    return { pass: received !== undefined, message: () => `${header("toBeDefined", this.isNot, "")}\n\nReceived: ${print(received)}` };
  },
  toBeNaN(received) {
    return { pass: NumberIsNaN(received), message: () => `${header("toBeNaN", this.isNot, "")}\n\nReceived: ${print(received)}` };
  },
  toContain(received, expected) {
    const pass = typeof received === "string"
      ? StringPrototypeIncludes(received, String(expected))
      : ArrayPrototypeIncludes(itemsOf(received), expected);
    return result(pass, "toContain", this.isNot, `Expected value: ${print(expected)}\nReceived ${typeof received === "string" ? "string" : "array"}: ${print(received)}`);
  },
  toContainEqual(received, expected) {
    const items = itemsOf(received);
    let pass = false;
    for (let i = 0; i < items.length && !pass; i++) pass = equals(items[i], expected, false);
    return result(pass, "toContainEqual", this.isNot, `Expected value: ${print(expected)}\nReceived array: ${print(received)}`);
  },
  toHaveLength(received, expected) {
    const length = received === null || received === undefined ? undefined : received.length;
    if (typeof length !== "number") {
      throw matcherError(`${header("toHaveLength", this.isNot)}\n\nMatcher error: received value must have a length property whose value must be a number\n\nReceived has value: ${print(received)}`);
    }
    return result(length === expected, "toHaveLength", this.isNot, `Expected length: ${expected}\nReceived length: ${length}\nReceived value: ${print(received)}`);
  },
  toHaveProperty(received, path, ...value) {
    const keys = ArrayIsArray(path) ? path : String(path).replace(/\[(\d+)\]/g, ".$1").split(".");
    let cur = received;
    let found = true;
    for (const k of keys) {
      if (cur === null || cur === undefined || !(k in Object(cur))) {
        found = false;
        break;
      }
      cur = cur[k];
    }
    const pass = found && (value.length === 0 || equals(cur, value[0], false));
    const body = value.length
      ? `Expected path: ${print(path)}\nExpected value: ${print(value[0])}\nReceived value: ${found ? print(cur) : "(path not found)"}`
      : `Expected path: ${print(path)}\nReceived value: ${found ? print(cur) : "(path not found)"}`;
    return result(pass, "toHaveProperty", this.isNot, body);
  },
  toMatch(received, expected) {
    if (typeof received !== "string") {
      throw matcherError(`${header("toMatch", this.isNot)}\n\nMatcher error: received value must be a string\n\nReceived has value: ${print(received)}`);
    }
    if (typeof expected !== "string" && !isRegExp(expected)) {
      throw matcherError(`${header("toMatch", this.isNot)}\n\nMatcher error: expected value must be a string or regular expression\n\nExpected has value: ${print(expected)}`);
    }
    const pass = typeof received === "string" &&
      (typeof expected === "string" ? StringPrototypeIncludes(received, expected) : regexMatches(expected, received));
    return result(pass, "toMatch", this.isNot, `Expected ${typeof expected === "string" ? "substring" : "pattern"}: ${this.isNot ? "not " : ""}${print(expected)}\nReceived string: ${print(received)}`);
  },
  toMatchObject(received, expected) {
    const pass = matchesObject(received, expected);
    return result(pass, "toMatchObject", this.isNot, this.isNot ? plain("toMatchObject", true, expected, received) : diff(expected, received));
  },
  toBeGreaterThan(received, expected) {
    return result(received > expected, "toBeGreaterThan", this.isNot, `Expected: ${this.isNot ? "not " : ""}> ${print(expected)}\nReceived:   ${print(received)}`);
  },
  toBeGreaterThanOrEqual(received, expected) {
    return result(received >= expected, "toBeGreaterThanOrEqual", this.isNot, `Expected: ${this.isNot ? "not " : ""}>= ${print(expected)}\nReceived:    ${print(received)}`);
  },
  toBeLessThan(received, expected) {
    return result(received < expected, "toBeLessThan", this.isNot, `Expected: ${this.isNot ? "not " : ""}< ${print(expected)}\nReceived:   ${print(received)}`);
  },
  toBeLessThanOrEqual(received, expected) {
    return result(received <= expected, "toBeLessThanOrEqual", this.isNot, `Expected: ${this.isNot ? "not " : ""}<= ${print(expected)}\nReceived:    ${print(received)}`);
  },
  toBeCloseTo(received, expected, digits = 2) {
    if (typeof received !== "number" || typeof expected !== "number") {
      throw matcherError(`${header("toBeCloseTo", this.isNot)}\n\nMatcher error: ${typeof received !== "number" ? "received" : "expected"} value must be a number`);
    }
    const pass = closeEnough(received, expected, digits);
    return result(pass, "toBeCloseTo", this.isNot, `Expected precision:    ${digits}\nExpected difference: < ${10 ** -digits / 2}\nReceived difference:   ${Math.abs(expected - received)}\n\nExpected: ${print(expected)}\nReceived: ${print(received)}`);
  },
  toBeInstanceOf(received, ctor) {
    const pass = received instanceof ctor;
    const got = received === null || received === undefined ? print(received) : received.constructor?.name ?? "Object";
    return result(pass, "toBeInstanceOf", this.isNot, `Expected constructor: ${this.isNot ? "not " : ""}${ctor.name}\nReceived constructor: ${got}`);
  },
  toThrow(received, expected) {
    const { error, threw } = throwsOf(received);
    let pass = threw;
    let what = "";
    if (threw && expected !== undefined) {
      const message = error?.message ?? String(error);
      if (typeof expected === "string") pass = StringPrototypeIncludes(String(message), expected);
      else if (isRegExp(expected)) pass = regexMatches(expected, String(message));
      else if (typeof expected === "function") pass = error instanceof expected;
      else if (expected && typeof expected === "object") pass = message === expected.message;
      what = `Expected: ${print(expected)}\n`;
    }
    const received_ = threw ? `Received error: ${error instanceof Error ? `${error.name}: ${error.message}` : print(error)}` : "Received function did not throw";
    return result(pass, "toThrow", this.isNot, `${what}${received_}`);
  },
};
matchers.toThrowError = matchers.toThrow;

// ---- expect ----------------------------------------------------------------------------
const softErrors = [];
const defaults = { timeout: 5000 };

/** Sets the timeout of web-first and polling matchers that have none of their own. */
export function setDefaultTimeout(timeout) {
  defaults.timeout = timeout;
}

/** Failures of `expect.soft` since the last call (the runner fails the test with them). */
export function takeSoftErrors() {
  return ArrayPrototypeSplice(softErrors, 0);
}

/** What is told of each assertion as it begins and ends (the trace), or undefined. */
let assertionHooks;

/** Sets `{ begin(name, isNot, received, site), end(step, error?) }`, told of every assertion. */
export function setAssertionHooks(hooks) {
  assertionHooks = hooks;
}

function makeExpect(config) {
  const custom = { ...(config.matchers ?? {}) };

  function build(received, options) {
    // `options` has no prototype: a property some spec put on `Object.prototype` (`isNot`)
    // cannot turn a failure into a pass.
    const isNot = options.isNot === true;
    const promise = options.promise ?? "";
    const soft = options.soft ?? (hasOwn(config, "soft") ? config.soft : false);
    const message = options.message;
    const proxy = {};
    const all = { __proto__: null, ...matchers, ...custom };
    const names = ObjectKeys(all);
    for (let n = 0; n < names.length; n++) {
      const name = names[n];
      const matcher = all[name];
      proxy[name] = (...args) => {
        // The call site, taken now: an asynchronous matcher fails after its caller's frames
        // are gone, and the failure must still point at the `expect` line.
        const site = {};
        ErrorCaptureStackTrace(site, proxy[name]);
        const hooks = assertionHooks;
        const step = hooks === undefined ? undefined : hooks.begin(name, isNot, received, site);
        if (step === undefined) return assert(args, site);
        let out;
        try {
          out = assert(args, site);
        } catch (e) {
          hooks.end(step, e);
          throw e;
        }
        if (!isPromise(out)) {
          hooks.end(step);
          return out;
        }
        return PromisePrototypeThen(
          out,
          (v) => {
            hooks.end(step);
            return v;
          },
          (e) => {
            hooks.end(step, e);
            throw e;
          },
        );
      };
      const assert = (args, site) => {
        const context = { isNot, promise, timeout: config.timeout ?? defaults.timeout, equals, utils: { print, diff } };
        const finish = (outcome) => {
          // A matcher that passes but still fails the test (a snapshot written for the first
          // time): the test goes on and ends failed with this error.
          if (outcome.pass !== isNot && outcome.softError) {
            const err = new AssertionError(String(outcome.softError), { name, pass: outcome.pass });
            if (typeof site.stack === "string") {
              const frames = site.stack.split("\n").filter((l) => /^\s+at /.test(l));
              err.stack = `${err.name}: ${err.message}\n${frames.join("\n")}`;
            }
            ArrayPrototypePush(softErrors, err);
            return;
          }
          if (outcome.pass === isNot) {
            const text = typeof outcome.message === "function" ? outcome.message() : outcome.message ?? `${name} failed`;
            const err = new AssertionError(message ? `${message}\n\n${text}` : text, { name, pass: outcome.pass, expected: args[0], actual: received });
            if (outcome.callLog) err.callLog = outcome.callLog;
            if (typeof site.stack === "string") {
              const frames = site.stack.split("\n").filter((l) => /^\s+at /.test(l));
              err.stack = `${err.name}: ${err.message}\n${frames.join("\n")}`;
            }
            if (soft) {
              ArrayPrototypePush(softErrors, err);
              return;
            }
            throw err;
          }
        };
        const run = (value) => {
          const callArgs = [value];
          for (let i = 0; i < args.length; i++) ArrayPrototypePush(callArgs, args[i]);
          const outcome = ReflectApply(matcher, context, callArgs);
          // A real promise (an asynchronous matcher) is followed with the built-in `then`;
          // anything else is a verdict now, even if it has a `then` some prototype gave it.
          if (isPromise(outcome)) return PromisePrototypeThen(outcome, finish);
          return finish(outcome);
        };
        // `expect(fn).rejects` / `.resolves` calls `fn` for its promise (as Jest does). The
        // received promise is followed with the built-in `then`, never its own.
        let source = received;
        if (promise && typeof source === "function") {
          try {
            source = ReflectApply(source, undefined, []);
          } catch (e) {
            source = PromiseReject(e);
          }
        }
        const settled = isPromise(source) ? source : PromiseResolve(source);
        if (promise === "resolves") {
          return PromisePrototypeThen(settled, run, (e) => {
            throw new AssertionError(`expect(received).resolves.${name}()\n\nReceived promise rejected instead of resolved\nRejected to value: ${print(e)}`);
          });
        }
        if (promise === "rejects") {
          return PromisePrototypeThen(
            settled,
            (v) => {
              throw new AssertionError(`expect(received).rejects.${name}()\n\nReceived promise resolved instead of rejected\nResolved to value: ${print(v)}`);
            },
            run,
          );
        }
        return run(received);
      };
    }
    ObjectDefineProperty(proxy, "not", { get: () => build(received, { __proto__: null, ...options, isNot: !isNot }) });
    ObjectDefineProperty(proxy, "resolves", { get: () => build(received, { __proto__: null, ...options, promise: "resolves" }) });
    ObjectDefineProperty(proxy, "rejects", { get: () => build(received, { __proto__: null, ...options, promise: "rejects" }) });
    proxy.toPass = async (opts = {}) => {
      const intervals = opts.intervals ?? [100, 250, 500, 1000];
      const timeout = opts.timeout ?? config.timeout ?? 0;
      const deadline = timeout > 0 ? Date.now() + timeout : Infinity;
      let lastError;
      for (let i = 0; ; i++) {
        try {
          await received();
          if (isNot) throw new AssertionError("expect(callback).not.toPass()\n\nExpected the callback to fail, but it passed");
          return;
        } catch (e) {
          if (isNot && !(e instanceof AssertionError && e.message.startsWith("expect(callback).not.toPass"))) return;
          lastError = e;
        }
        const wait = intervals[Math.min(i, intervals.length - 1)];
        if (Date.now() + wait > deadline) break;
        await new Promise((r) => setTimeout(r, wait));
      }
      throw new AssertionError(`expect(callback).toPass()\n\nTimeout ${timeout}ms exceeded while waiting on the callback to pass\n\n${lastError?.message ?? lastError}`);
    };
    return ObjectFreeze(proxy);
  }

  function expect(received, message) {
    return build(received, { __proto__: null, message: typeof message === "string" ? message : message?.message });
  }
  expect.soft = (received, message) => build(received, { __proto__: null, soft: true, message });
  expect.poll = (fn, opts = {}) => {
    const intervals = opts.intervals ?? [100, 250, 500, 1000];
    const timeout = opts.timeout ?? config.timeout ?? defaults.timeout;
    const poller = {};
    const make = (isNot) => {
      const target = {};
      for (const name of ObjectKeys({ ...matchers, ...custom })) {
        target[name] = async (...args) => {
          const deadline = Date.now() + timeout;
          let last;
          for (let i = 0; ; i++) {
            const value = await fn();
            try {
              const b = build(value, { __proto__: null, isNot, message: opts.message });
              await b[name](...args);
              return;
            } catch (e) {
              last = e;
            }
            const wait = intervals[Math.min(i, intervals.length - 1)];
            if (Date.now() + wait > deadline) break;
            await new Promise((r) => setTimeout(r, wait));
          }
          throw new AssertionError(`expect.poll: timeout ${timeout}ms exceeded\n\n${last.message}`);
        };
      }
      return target;
    };
    Object.assign(poller, make(false));
    Object.defineProperty(poller, "not", { get: () => make(true) });
    return poller;
  };
  expect.configure = (more) => makeExpect({ ...config, ...more, matchers: custom });
  expect.extend = (more) => {
    Object.assign(custom, more);
    return expect;
  };
  Object.assign(expect, asymmetricMatchers);
  expect.getTimeout = () => config.timeout ?? defaults.timeout;
  // For mergeExpects: the custom matchers of this expect.
  Object.defineProperty(expect, "_customMatchers", { value: () => ({ ...custom }) });
  // Its methods are the harness's: a spec replaces them no more than it replaces the matchers
  // (`expect.extend` adds matchers; it does not need `expect` to be writable).
  return ObjectFreeze(expect);
}

export const expect = makeExpect({});
export { AssertionError, equals, print };
export default expect;

// The generic half of `expect` (Jest semantics, Playwright's messages): equality, comparisons,
// containment, types, errors, asymmetric matchers, `.not`, `.resolves`/`.rejects`, custom
// messages, `expect.soft`, `expect.poll`, `toPass`, `expect.configure` and `expect.extend`.
// Web-first matchers (locators, pages) are added by the runner through `expect.extend`.
//
// Loaded into the sandbox as an ES module; it uses nothing but the language and timers.

// Built-ins the verdicts depend on, taken when this module is evaluated (in a test isolate:
// while the startup snapshot is built, before any user code), so a spec cannot make `toBe` or
// `toEqual` pass by replacing `Object.is` or `Array.prototype.every`.
const uncurry = (fn) => Function.prototype.call.bind(fn);
const ObjectIs = Object.is;
const ObjectKeys = Object.keys;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ArrayIsArray = Array.isArray;
const ArrayBufferIsView = ArrayBuffer.isView;
const hasOwn = uncurry(Object.prototype.hasOwnProperty);
const ArrayPrototypeEvery = uncurry(Array.prototype.every);
const ArrayPrototypeSome = uncurry(Array.prototype.some);
const ArrayPrototypeFilter = uncurry(Array.prototype.filter);

const ASYMMETRIC = Symbol.for("isolate-browser.asymmetric");

class AssertionError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = "Error";
    this.matcherResult = details;
  }
}

// ---- printing --------------------------------------------------------------------------
function print(value, seen = new Set(), depth = 0) {
  if (value && value[ASYMMETRIC]) return value.toString();
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return value.toString();
  if (typeof value === "function") return `[Function ${value.name || "anonymous"}]`;
  if (value === undefined) return "undefined";
  if (value === null || typeof value !== "object") return String(value);
  if (seen.has(value)) return "[Circular]";
  if (depth > 5) return ArrayIsArray(value) ? "[Array]" : "[Object]";
  seen.add(value);
  try {
    if (value instanceof Date) return `${value.toISOString()}`;
    if (value instanceof RegExp) return String(value);
    if (value instanceof Error) return `[${value.name}: ${value.message}]`;
    if (value instanceof Map) {
      return `Map {${[...value].map(([k, v]) => `${print(k, seen, depth + 1)} => ${print(v, seen, depth + 1)}`).join(", ")}}`;
    }
    if (value instanceof Set) return `Set {${[...value].map((v) => print(v, seen, depth + 1)).join(", ")}}`;
    if (ArrayIsArray(value)) return `[${value.map((v) => print(v, seen, depth + 1)).join(", ")}]`;
    const name = value.constructor && value.constructor !== Object ? `${value.constructor.name} ` : "";
    const entries = ObjectKeys(value).map((k) => `${JSON.stringify(k)}: ${print(value[k], seen, depth + 1)}`);
    return `${name}{${entries.join(", ")}}`;
  } finally {
    seen.delete(value);
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
  if (ArrayPrototypeSome(seen, ([x, y]) => x === a && y === b)) return true;
  seen = [...seen, [a, b]];
  if (strict && ObjectGetPrototypeOf(a) !== ObjectGetPrototypeOf(b)) return false;
  if (ArrayIsArray(a) !== ArrayIsArray(b)) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof RegExp || b instanceof RegExp) return String(a) === String(b);
  if (a instanceof Error && b instanceof Error) return a.message === b.message && a.name === b.name;
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !equals(v, b.get(k), strict, seen)) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    outer: for (const v of a) {
      if (b.has(v)) continue;
      for (const w of b) if (equals(v, w, strict, seen)) continue outer;
      return false;
    }
    return true;
  }
  if (ArrayBufferIsView(a) && ArrayBufferIsView(b)) {
    return a.length === b.length && ArrayPrototypeEvery(a, (v, i) => ObjectIs(v, b[i]));
  }
  if (ArrayIsArray(a) && a.length !== b.length) return false;
  const keys = (o) => ArrayPrototypeFilter(ObjectKeys(o), (k) => strict || o[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
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
    return ArrayIsArray(received) && received.length === expected.length && ArrayPrototypeEvery(expected, (e, i) => matchesObject(received[i], e));
  }
  if (expected instanceof Date || expected instanceof RegExp || expected instanceof Map || expected instanceof Set) {
    return equals(received, expected, false);
  }
  return ArrayPrototypeEvery(ObjectKeys(expected), (k) => k in received && matchesObject(received[k], expected[k]));
}

// ---- asymmetric matchers ---------------------------------------------------------------
function asymmetric(name, test, describe) {
  return { [ASYMMETRIC]: true, asymmetricMatch: test, toString: () => `${name}(${describe ?? ""})`, toJSON: () => `${name}(${describe ?? ""})` };
}

const asymmetricMatchers = {
  any: (ctor) => asymmetric("Any", (v) => {
    if (ctor === String) return typeof v === "string" || v instanceof String;
    if (ctor === Number) return typeof v === "number" || v instanceof Number;
    if (ctor === Boolean) return typeof v === "boolean" || v instanceof Boolean;
    if (ctor === BigInt) return typeof v === "bigint";
    if (ctor === Symbol) return typeof v === "symbol";
    if (ctor === Function) return typeof v === "function";
    if (ctor === Object) return typeof v === "object" && v !== null;
    return v instanceof ctor;
  }, ctor?.name),
  anything: () => asymmetric("Anything", (v) => v !== null && v !== undefined),
  arrayContaining: (items) => asymmetric("ArrayContaining", (v) => ArrayIsArray(v) && items.every((i) => v.some((x) => equals(x, i, false))), print(items)),
  objectContaining: (obj) => asymmetric("ObjectContaining", (v) => typeof v === "object" && v !== null && ObjectKeys(obj).every((k) => equals(v[k], obj[k], false)), print(obj)),
  stringContaining: (s) => asymmetric("StringContaining", (v) => typeof v === "string" && v.includes(s), print(s)),
  stringMatching: (re) => asymmetric("StringMatching", (v) => typeof v === "string" && (typeof re === "string" ? new RegExp(re) : re).test(v), String(re)),
  closeTo: (n, digits = 2) => asymmetric("CloseTo", (v) => typeof v === "number" && Math.abs(v - n) < 10 ** -digits / 2, `${n}, ${digits}`),
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
    return { pass: Number.isNaN(received), message: () => `${header("toBeNaN", this.isNot, "")}\n\nReceived: ${print(received)}` };
  },
  toContain(received, expected) {
    const pass = typeof received === "string" ? received.includes(String(expected)) : [...(received ?? [])].includes(expected);
    return result(pass, "toContain", this.isNot, `Expected value: ${print(expected)}\nReceived ${typeof received === "string" ? "string" : "array"}: ${print(received)}`);
  },
  toContainEqual(received, expected) {
    const pass = [...(received ?? [])].some((v) => equals(v, expected, false));
    return result(pass, "toContainEqual", this.isNot, `Expected value: ${print(expected)}\nReceived array: ${print(received)}`);
  },
  toHaveLength(received, expected) {
    const length = received?.length;
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
    const pass = typeof received === "string" && (typeof expected === "string" ? received.includes(expected) : expected.test(received));
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
    const pass = Number.isFinite(received) && Math.abs(expected - received) < 10 ** -digits / 2;
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
      if (typeof expected === "string") pass = message.includes(expected);
      else if (expected instanceof RegExp) pass = expected.test(message);
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
  return softErrors.splice(0);
}

function makeExpect(config) {
  const custom = { ...(config.matchers ?? {}) };

  function build(received, options) {
    const { isNot = false, promise = "", soft = config.soft ?? false, message } = options;
    const proxy = {};
    const all = { ...matchers, ...custom };
    for (const [name, matcher] of Object.entries(all)) {
      proxy[name] = (...args) => {
        // The call site, taken now: an asynchronous matcher fails after its caller's frames
        // are gone, and the failure must still point at the `expect` line.
        const site = {};
        if (Error.captureStackTrace) Error.captureStackTrace(site, proxy[name]);
        const context = { isNot, promise, timeout: config.timeout ?? defaults.timeout, equals, utils: { print, diff } };
        const finish = (outcome) => {
          if (outcome.pass === isNot) {
            const text = typeof outcome.message === "function" ? outcome.message() : outcome.message ?? `${name} failed`;
            const err = new AssertionError(message ? `${message}\n\n${text}` : text, { name, pass: outcome.pass, expected: args[0], actual: received });
            if (outcome.callLog) err.callLog = outcome.callLog;
            if (typeof site.stack === "string") {
              const frames = site.stack.split("\n").filter((l) => /^\s+at /.test(l));
              err.stack = `${err.name}: ${err.message}\n${frames.join("\n")}`;
            }
            if (soft) {
              softErrors.push(err);
              return;
            }
            throw err;
          }
        };
        const run = (value) => {
          const outcome = matcher.call(context, value, ...args);
          if (outcome && typeof outcome.then === "function") return outcome.then(finish);
          return finish(outcome);
        };
        if (promise === "resolves") {
          return Promise.resolve(received).then(run, (e) => {
            throw new AssertionError(`expect(received).resolves.${name}()\n\nReceived promise rejected instead of resolved\nRejected to value: ${print(e)}`);
          });
        }
        if (promise === "rejects") {
          return Promise.resolve(received).then(
            (v) => {
              throw new AssertionError(`expect(received).rejects.${name}()\n\nReceived promise resolved instead of rejected\nResolved to value: ${print(v)}`);
            },
            run,
          );
        }
        return run(received);
      };
    }
    Object.defineProperty(proxy, "not", { get: () => build(received, { ...options, isNot: !isNot }) });
    Object.defineProperty(proxy, "resolves", { get: () => build(received, { ...options, promise: "resolves" }) });
    Object.defineProperty(proxy, "rejects", { get: () => build(received, { ...options, promise: "rejects" }) });
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
    return proxy;
  }

  function expect(received, message) {
    return build(received, { message: typeof message === "string" ? message : message?.message });
  }
  expect.soft = (received, message) => build(received, { soft: true, message });
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
              const b = build(value, { isNot, message: opts.message });
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
  return expect;
}

export const expect = makeExpect({});
export { AssertionError, equals, print };
export default expect;

// `node:assert` and `node:assert/strict`: Node's assertion functions and AssertionError, with
// strict deep equality (the legacy loose forms compare with `==` at the leaves).
(function () {
  const ObjectGetPrototypeOf = Object.getPrototypeOf;
  const ObjectKeys = Object.keys;
  const ObjectIs = Object.is;

  class AssertionError extends Error {
    constructor(options) {
      super(options.message);
      this.name = "AssertionError";
      this.code = "ERR_ASSERTION";
      this.actual = options.actual;
      this.expected = options.expected;
      this.operator = options.operator;
      this.generatedMessage = !options.userMessage;
    }
  }

  function show(v) {
    try {
      if (typeof v === "string") return JSON.stringify(v);
      if (typeof v === "bigint") return `${v}n`;
      if (typeof v === "function") return `[Function: ${v.name || "anonymous"}]`;
      if (v instanceof Error) return `${v.name}: ${v.message}`;
      const s = JSON.stringify(v);
      return s === undefined ? String(v) : s;
    } catch {
      return String(v);
    }
  }

  function fail(actual, expected, message, operator, defaultMessage) {
    if (message instanceof Error) throw message;
    throw new AssertionError({
      message: message ?? defaultMessage,
      userMessage: message !== undefined,
      actual,
      expected,
      operator,
    });
  }

  function isDeepEqual(a, b, strict, seen = new Map()) {
    if (strict ? ObjectIs(a, b) : a == b || (a !== a && b !== b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (strict && ObjectGetPrototypeOf(a) !== ObjectGetPrototypeOf(b)) return false;
    if (seen.get(a) === b) return true;
    seen.set(a, b);
    if (a instanceof Date || b instanceof Date) {
      return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
    }
    if (a instanceof RegExp || b instanceof RegExp) {
      return a instanceof RegExp && b instanceof RegExp && String(a) === String(b);
    }
    if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
      if (a.byteLength !== b.byteLength) return false;
      const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    }
    if (a instanceof Map || b instanceof Map) {
      if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
      for (const [k, v] of a) {
        if (!b.has(k) || !isDeepEqual(v, b.get(k), strict, seen)) return false;
      }
      return true;
    }
    if (a instanceof Set || b instanceof Set) {
      if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
      outer: for (const v of a) {
        if (b.has(v)) continue;
        if (typeof v === "object" && v !== null) {
          for (const w of b) if (isDeepEqual(v, w, strict, seen)) continue outer;
        }
        return false;
      }
      return true;
    }
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (a instanceof Error && b instanceof Error) {
      if (a.message !== b.message || a.name !== b.name) return false;
    }
    const ka = ObjectKeys(a);
    const kb = ObjectKeys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
      if (!isDeepEqual(a[k], b[k], strict, seen)) return false;
    }
    return true;
  }

  function matchesError(err, expected, message) {
    if (expected === undefined) return;
    if (typeof expected === "function") {
      if (expected.prototype !== undefined && err instanceof expected) return;
      if (Error.isPrototypeOf(expected) || expected === Error) {
        fail(err, expected, message, "throws", `The error is expected to be an instance of "${expected.name}". Received "${err?.constructor?.name}"`);
      }
      if (expected.call({}, err) === true) return;
      fail(err, expected, message, "throws", "The validation function is expected to return \"true\". Received false");
    }
    if (expected instanceof RegExp) {
      if (expected.test(String(err))) return;
      fail(err, expected, message, "throws", `The input did not match the regular expression ${expected}. Input:\n\n${show(String(err))}\n`);
    }
    if (typeof expected === "object" && expected !== null) {
      for (const key of ObjectKeys(expected)) {
        const want = expected[key];
        const got = err?.[key];
        const ok = want instanceof RegExp && typeof got === "string" ? want.test(got) : isDeepEqual(got, want, true);
        if (!ok) {
          fail(err, expected, message, "throws", `Expected values to be strictly deep-equal:\n+ actual - expected\n\n  ${key}: ${show(got)} !== ${show(want)}`);
        }
      }
    }
  }

  function build(strict) {
    function assert(value, message) {
      if (!value) fail(value, true, message, "==", arguments.length === 0 ? "No value argument passed to `assert.ok()`" : "The expression evaluated to a falsy value:\n\n  assert(" + show(value) + ")\n");
    }
    assert.ok = function ok(value, message) {
      if (!value) fail(value, true, message, "==", arguments.length === 0 ? "No value argument passed to `assert.ok()`" : "The expression evaluated to a falsy value:\n\n  assert.ok(" + show(value) + ")\n");
    };
    assert.strictEqual = (actual, expected, message) => {
      if (!ObjectIs(actual, expected)) fail(actual, expected, message, "strictEqual", `Expected values to be strictly equal:\n\n${show(actual)} !== ${show(expected)}\n`);
    };
    assert.notStrictEqual = (actual, expected, message) => {
      if (ObjectIs(actual, expected)) fail(actual, expected, message, "notStrictEqual", `Expected "actual" to be strictly unequal to: ${show(expected)}`);
    };
    assert.deepStrictEqual = (actual, expected, message) => {
      if (!isDeepEqual(actual, expected, true)) fail(actual, expected, message, "deepStrictEqual", `Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ ${show(actual)}\n- ${show(expected)}\n`);
    };
    assert.notDeepStrictEqual = (actual, expected, message) => {
      if (isDeepEqual(actual, expected, true)) fail(actual, expected, message, "notDeepStrictEqual", `Expected "actual" not to be strictly deep-equal to: ${show(expected)}`);
    };
    if (strict) {
      assert.equal = assert.strictEqual;
      assert.notEqual = assert.notStrictEqual;
      assert.deepEqual = assert.deepStrictEqual;
      assert.notDeepEqual = assert.notDeepStrictEqual;
    } else {
      assert.equal = (actual, expected, message) => {
        if (!(actual == expected || (actual !== actual && expected !== expected))) fail(actual, expected, message, "==", `${show(actual)} == ${show(expected)}`);
      };
      assert.notEqual = (actual, expected, message) => {
        if (actual == expected) fail(actual, expected, message, "!=", `${show(actual)} != ${show(expected)}`);
      };
      assert.deepEqual = (actual, expected, message) => {
        if (!isDeepEqual(actual, expected, false)) fail(actual, expected, message, "deepEqual", `Expected values to be loosely deep-equal:\n\n${show(actual)}\n\nshould loosely deep-equal\n\n${show(expected)}`);
      };
      assert.notDeepEqual = (actual, expected, message) => {
        if (isDeepEqual(actual, expected, false)) fail(actual, expected, message, "notDeepEqual", `"actual" should not loosely deep-equal "expected": ${show(expected)}`);
      };
    }
    assert.throws = (fn, expected, message) => {
      if (typeof expected === "string") [message, expected] = [expected, undefined];
      try {
        fn();
      } catch (err) {
        matchesError(err, expected, message);
        return;
      }
      fail(undefined, expected, message, "throws", "Missing expected exception" + (expected?.name ? ` (${expected.name}).` : "."));
    };
    assert.doesNotThrow = (fn, _expected, message) => {
      try {
        fn();
      } catch (err) {
        fail(err, undefined, typeof _expected === "string" ? _expected : message, "doesNotThrow", `Got unwanted exception.\nActual message: "${err?.message}"`);
      }
    };
    assert.rejects = async (promiseOrFn, expected, message) => {
      if (typeof expected === "string") [message, expected] = [expected, undefined];
      try {
        await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
      } catch (err) {
        matchesError(err, expected, message);
        return;
      }
      fail(undefined, expected, message, "rejects", "Missing expected rejection" + (expected?.name ? ` (${expected.name}).` : "."));
    };
    assert.doesNotReject = async (promiseOrFn, _expected, message) => {
      try {
        await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
      } catch (err) {
        fail(err, undefined, message, "doesNotReject", `Got unwanted rejection.\nActual message: "${err?.message}"`);
      }
    };
    assert.match = (string, regexp, message) => {
      if (!regexp.test(string)) fail(string, regexp, message, "match", `The input did not match the regular expression ${regexp}. Input:\n\n${show(string)}\n`);
    };
    assert.doesNotMatch = (string, regexp, message) => {
      if (regexp.test(string)) fail(string, regexp, message, "doesNotMatch", `The input was expected to not match the regular expression ${regexp}. Input:\n\n${show(string)}\n`);
    };
    assert.fail = (message = "Failed") => {
      if (message instanceof Error) throw message;
      throw new AssertionError({ message, userMessage: true, operator: "fail" });
    };
    assert.ifError = (value) => {
      if (value !== null && value !== undefined) throw value;
    };
    assert.AssertionError = AssertionError;
    return assert;
  }

  const strict = build(true);
  const assert = build(false);
  assert.strict = strict;
  strict.strict = strict;
  return { default: assert, assert, strict, AssertionError, isDeepStrictEqual: (a, b) => isDeepEqual(a, b, true) };
})();

// The web-first matchers' JS half: `expect(locator).toHaveText(...)` and friends become one host
// call (`expect.check`) that polls in Rust until the matcher holds or its timeout passes. The
// matcher names and how each takes its arguments come from the list both halves read
// (web_first_matchers.js), so they cannot disagree.

import { primordials } from "ext:core/mod.js";
import { apiResponseOk, host, Locator, ms, Page, responseOk } from "ext:isolate_suite/browser/99_index.js";
import { MATCHERS } from "ext:isolate_suite/matchers/web_first_matchers.js";

// Built-ins taken before any user code ran (see expect.js): what reaches the host and how
// the verdict is read cannot be changed by a spec that replaces them.
const {
  ArrayIsArray, ArrayPrototypePush, DateNow, FunctionPrototypeCall, ObjectPrototypeIsPrototypeOf, ObjectPrototypeToString,
  RegExpPrototype, RegExpPrototypeGetFlags, RegExpPrototypeGetSource,
} = primordials;
const isA = (proto, v) => v !== null && typeof v === "object" && ObjectPrototypeIsPrototypeOf(proto, v);

/** RegExps (also inside arrays) as the host reads them. */
function wire(value) {
  if (isA(RegExpPrototype, value)) {
    return { regex: RegExpPrototypeGetSource(value), flags: RegExpPrototypeGetFlags(value) };
  }
  if (ArrayIsArray(value)) {
    const out = [];
    for (let i = 0; i < value.length; i++) ArrayPrototypePush(out, wire(value[i]));
    return out;
  }
  return value;
}

async function check(ctx, name, received, expected, options) {
  let target;
  if (isA(Locator.prototype, received)) target = { page: received._page._id, chain: received._chain };
  else if (isA(Page.prototype, received)) target = { page: received._id };
  else throw new TypeError(`expect(received).${name}() expects a Locator or a Page, got ${ObjectPrototypeToString(received)}`);
  const opts = options ?? {};
  const r = await host("expect.check", {
    ...target,
    matcher: name,
    expected: wire(expected),
    options: { ...opts, timeout: undefined },
    isNot: !!ctx.isNot,
    timeout: ms(opts.timeout) ?? ctx.timeout,
  });
  return { pass: r.pass === true, message: () => r.message, callLog: r.callLog };
}

/** The adapter for each way a matcher takes its arguments. */
const ADAPTERS = {
  // toBeVisible(options?)
  flag: (name) => function (received, options) {
    return check(this, name, received, undefined, options);
  },
  // toHaveText(expected, options?)
  expected: (name) => function (received, expected, options) {
    return check(this, name, received, expected, options);
  },
  // toHaveCSS(name, value, options?), toHaveJSProperty(name, value, options?)
  named: (name) => function (received, property, value, options) {
    const v = name === "toHaveJSProperty" ? value : wire(value);
    return check(this, name, received, { name: property, value: v }, options);
  },
  // toHaveAttribute(name, options?) checks presence; toHaveAttribute(name, value, options?) the value.
  attribute: (name) => function (received, attribute, value, options) {
    const presence = value === undefined || (typeof value === "object" && !(value instanceof RegExp));
    const opts = presence ? (value ?? {}) : (options ?? {});
    return check(this, name, received, { name: attribute, value: presence ? undefined : wire(value), presence }, opts);
  },
};

export const webFirstMatchers = {};
for (const [name, arity] of MATCHERS) {
  const adapter = ADAPTERS[arity];
  if (!adapter) throw new Error(`web-first matcher ${name}: unknown arity ${arity}`);
  webFirstMatchers[name] = adapter(name);
}

// Class names are words, never patterns: refused at the call, before anything is awaited.
const containClass = webFirstMatchers.toContainClass;
webFirstMatchers.toContainClass = function (received, expected, options) {
  if (isA(RegExpPrototype, expected)) throw new Error(`"expected" argument in toContainClass cannot be a RegExp value`);
  if (ArrayIsArray(expected)) {
    for (let i = 0; i < expected.length; i++) {
      if (isA(RegExpPrototype, expected[i])) throw new Error(`"expected" argument in toContainClass cannot contain RegExp values`);
    }
  }
  return FunctionPrototypeCall(containClass, this, received, expected, options);
};

// Not a polling matcher: an API response is already complete.
webFirstMatchers.toBeOK = function (received) {
  const pass = apiResponseOk(received) ?? responseOk(received);
  // A rejection (not a throw): `await expect(x).toBeOK()` fails as a web-first matcher does.
  if (pass === null) return Promise.reject(new TypeError("toBeOK can be only used with APIResponse object"));
  return {
    pass,
    message: () =>
      `expect(response).${this.isNot ? "not." : ""}toBeOK()\n\nExpected: ${this.isNot ? "not " : ""}OK\nReceived: ${received.status()} ${received.statusText()}`,
  };
};

/**
 * `toHaveURL(predicate)` (a function of the URL, or a URLPattern): polled here, as the
 * predicate is the test's own code, until it holds (fails, with `.not`) or the timeout passes.
 */
async function urlPredicate(ctx, page, test, options) {
  const timeout = ms(options?.timeout) ?? ctx.timeout;
  const deadline = DateNow() + timeout;
  let url;
  for (;;) {
    // Any call about the page brings its URL back.
    await page.title();
    url = page.url();
    const pass = !!(await test(new URL(url)));
    if (pass !== !!ctx.isNot || DateNow() >= deadline) {
      return {
        pass,
        message: () =>
          `expect(page).${ctx.isNot ? "not." : ""}toHaveURL(expected) failed\n\n` +
          `Expected: predicate to ${ctx.isNot ? "fail" : "succeed"}\nReceived: "${url}"\nTimeout:  ${timeout}ms\n`,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const byHost = webFirstMatchers.toHaveURL;
webFirstMatchers.toHaveURL = function (received, expected, options) {
  if (isA(Page.prototype, received)) {
    if (typeof expected === "function") return urlPredicate(this, received, expected, options);
    const Pattern = globalThis.URLPattern;
    if (typeof Pattern === "function" && isA(Pattern.prototype, expected)) {
      return urlPredicate(this, received, (u) => FunctionPrototypeCall(Pattern.prototype.test, expected, u.href), options);
    }
  }
  return FunctionPrototypeCall(byHost, this, received, expected, options);
};

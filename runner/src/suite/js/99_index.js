// `@playwright/test` (also `isolate-browser/test`): the test API test code imports, the
// runner's handle on it (`__ib_harness.list()` / `run(ids, options)`, taken by the worker), and
// the script-style globals (`test`, `describe`, `expect`, hooks).
//
// Every sandbox runtime starts from one snapshot with this module evaluated; only a test
// runtime installs the globals, through the installer the runtime's seal script takes (and
// deletes) before any user code runs. Elsewhere nothing of it can be reached.

import { core, primordials } from "ext:core/mod.js";
import * as api from "ext:isolate_suite/browser/99_index.js";
import { expect } from "ext:isolate_suite/harness/15_expect.js";
import { test } from "ext:isolate_suite/harness/40_builtins.js";
import { errorOf, list, resetFile, runTests } from "ext:isolate_suite/harness/50_running.js";
import { state } from "ext:isolate_suite/harness/10_state.js";

export { chromium, defineConfig, devices, it, mergeExpects, mergeTests, request, selectors, test } from "ext:isolate_suite/harness/40_builtins.js";
export { expect };

const { ArrayPrototypePush } = primordials;

api.setHandlerErrorSink((e) => {
  if (state.running) ArrayPrototypePush(state.running.handlerErrors, errorOf(e));
  console.error(e);
});

// Which test each promise belongs to: the test running when it (or the promise it chains
// from) was made. A rejection nobody handles fails the test it belongs to while that test
// runs; once the test is over it is a file-level error naming the test, never a failure of
// whichever test happens to run when it surfaces.
const owners = new WeakMap();

function trackRejections() {
  core.setPromiseHooks((promise, parent) => {
    const owner = (parent && owners.get(parent)) ?? state.running;
    if (owner) owners.set(promise, owner);
  });
  core.setUnhandledPromiseRejectionHandler((promise, reason) => {
    const owner = owners.get(promise);
    // Made outside any test (a throw while the file loads is one: module evaluation is a
    // promise): not ours to handle; the runtime reports it as the file's error, as before.
    if (!owner) return false;
    if (owner === state.running) {
      ArrayPrototypePush(owner.handlerErrors, errorOf(reason));
      return true;
    }
    const error = errorOf(reason);
    ArrayPrototypePush(state.lateErrors, {
      ...error,
      message: `a promise of test "${owner.test.title}" rejected after the test had ended: ${error.message}`,
    });
    return true;
  });
}

// How promises are followed is fixed too: with `Promise.prototype.then` or its `constructor`
// replaced, every `await` of a promise (the harness's of a test's body among them) would run
// the spec's code to decide how it settled.
function freezePromiseThen() {
  const { ObjectDefineProperty, PromisePrototype } = primordials;
  for (const key of ["then", "constructor"]) {
    ObjectDefineProperty(PromisePrototype, key, { writable: false, configurable: false });
  }
}

// The array iteration protocol is fixed in test runtimes: replacing it breaks destructuring and
// spreading everywhere, deno_core's own JS included (a spec that did so made its own load error
// vanish, and its tests with it). Assigning it now throws, so such a spec fails to load, loudly.
const ArrayProto = Array.prototype;
function freezeArrayIteration() {
  const { ObjectDefineProperty, ObjectGetPrototypeOf, SymbolIterator } = primordials;
  const arrayIterator = ObjectGetPrototypeOf(ArrayProto[SymbolIterator]());
  ObjectDefineProperty(ArrayProto, SymbolIterator, { writable: false, configurable: false });
  ObjectDefineProperty(arrayIterator, "next", { writable: false, configurable: false });
}

function installTestApi() {
  freezeArrayIteration();
  freezePromiseThen();
  trackRejections();
  Object.defineProperty(globalThis, "__ib_harness", {
    value: Object.freeze({ list, run: runTests, reset: resetFile }),
    enumerable: false,
    configurable: true,
  });
  for (const [name, value] of Object.entries({
    test,
    it: test,
    describe: test.describe,
    expect,
    beforeAll: test.beforeAll,
    afterAll: test.afterAll,
    beforeEach: test.beforeEach,
    afterEach: test.afterEach,
  })) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

Object.defineProperty(globalThis, "__isolateBrowserTestApi", {
  value: installTestApi,
  enumerable: false,
  configurable: true,
});

export default test;

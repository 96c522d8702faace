// `@playwright/test` (also `isolate-browser/test`): the test API test code imports, the
// runner's handle on it (`__ib_harness.list()` / `run(ids, options)`, taken by the worker), and
// the script-style globals (`test`, `describe`, `expect`, hooks).

import * as api from "isolate-browser/internal/browser";
import { expect } from "isolate-browser/internal/harness/15_expect.js";
import { test } from "isolate-browser/internal/harness/40_builtins.js";
import { errorOf, list, runTests } from "isolate-browser/internal/harness/50_running.js";
import { state } from "isolate-browser/internal/harness/10_state.js";

export { chromium, defineConfig, devices, it, mergeExpects, mergeTests, request, test } from "isolate-browser/internal/harness/40_builtins.js";
export { expect };

Object.defineProperty(globalThis, "__ib_harness", {
  value: Object.freeze({ list, run: runTests }),
  enumerable: false,
  configurable: true,
});

api.setHandlerErrorSink((e) => {
  if (state.running) state.running.handlerErrors.push(errorOf(e));
  console.error(e);
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

export default test;

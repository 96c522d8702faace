// The built-in fixtures (`page`, `context`, `browser`, `request`, the option fixtures of
// `use`), the base test, and the small exports of `@playwright/test` beside it.

import * as api from "ext:isolate_suite/browser/99_index.js";
import { defineConfig, devices } from "ext:isolate_suite/config.js";
import { extendPool } from "ext:isolate_suite/harness/20_fixtures.js";
import { makeTest } from "ext:isolate_suite/harness/30_registration.js";

const { host } = api;

const CONTEXT_OPTION_NAMES = [
  "baseURL", "viewport", "locale", "timezoneId", "colorScheme", "userAgent", "extraHTTPHeaders",
  "storageState", "testIdAttribute", "actionTimeout", "navigationTimeout", "javaScriptEnabled",
  "ignoreHTTPSErrors", "offline", "isMobile", "hasTouch", "deviceScaleFactor", "permissions",
  "geolocation", "bypassCSP", "httpCredentials", "acceptDownloads", "serviceWorkers",
  "profile", "mode", "autosave", "reset", "maxAgeSeconds", "indexedDB",
];

/** The mode of a `video` or `trace` option: `'off'`, `'on'`, ... or `{ mode, ... }`; the old
 * `retry-with-video` / `retry-with-trace` are `on-first-retry`. */
function artifactMode(value, legacy) {
  const mode = typeof value === "object" && value !== null ? value.mode : value;
  return mode === legacy ? "on-first-retry" : mode ?? "off";
}

/** Whether a test's attempt number `retry` is recorded in `mode` (Playwright's rules). */
function shouldCapture(mode, retry) {
  switch (mode) {
    case "on":
    case "retain-on-failure":
    case "retain-on-failure-and-retries":
      return true;
    case "on-first-retry":
      return retry === 1;
    case "on-all-retries":
      return retry > 0;
    case "retain-on-first-failure":
      return retry === 0;
    default:
      return false;
  }
}

/** Whether what was recorded of the test is kept in `mode`, now that it has ended. */
function shouldKeep(mode, testInfo) {
  const failed = testInfo.status !== testInfo.expectedStatus;
  switch (mode) {
    case "on":
    case "on-first-retry":
    case "on-all-retries":
      return true;
    case "retain-on-failure":
    case "retain-on-first-failure":
      return failed;
    case "retain-on-failure-and-retries":
      return failed || testInfo.retry > 0;
    default:
      return false;
  }
}

const builtins = {
  browserName: ["chromium", { scope: "worker", option: true }],
  headless: [true, { scope: "worker", option: true }],
  channel: [undefined, { scope: "worker", option: true }],
  launchOptions: [{}, { scope: "worker", option: true }],
  defaultBrowserType: ["chromium", { scope: "worker", option: true }],
  screenshot: ["off", { scope: "worker", option: true }],
  video: ["off", { scope: "worker", option: true }],
  trace: ["off", { scope: "worker", option: true }],
  contextOptions: [{}, { option: true }],
  playwright: [async ({}, use) => use({ request: api.request, chromium: { name: () => "chromium" }, devices, errors: { TimeoutError: api.TimeoutError }, selectors: api.selectors }), { scope: "worker" }],
  // Launching Chromium happens here, in worker-fixture time that is not charged to the test.
  browser: [async ({}, use) => { await host("browser.launch"); await use(new api.Browser({})); }, { scope: "worker" }],
  _combinedContextOptions: async (deps, use) => {
    const opts = { ...(deps.contextOptions ?? {}) };
    for (const name of CONTEXT_OPTION_NAMES) if (deps[name] !== undefined) opts[name] = deps[name];
    await use(opts);
  },
  _contextDefaults: [async ({ _combinedContextOptions }, use) => {
    api.setContextDefaults(_combinedContextOptions);
    await use();
    api.setContextDefaults({});
    await api.resetTestIdAttribute();
  }, { auto: true }],
  // The test's trace (`use.trace`): started before any context, so every context of the test
  // is traced; written once the contexts have closed.
  _tracing: [async ({ trace }, use, testInfo) => {
    const mode = artifactMode(trace, "retry-with-trace");
    if (!shouldCapture(mode, testInfo.retry)) {
      await use(undefined);
      return;
    }
    const libraries = [];
    api.traceStart(() => {
      const path = testInfo.outputPath(`.trace-${libraries.length}.zip`);
      libraries.push(path);
      return path;
    });
    try {
      await use(mode);
    } finally {
      await api.finishTestTracings();
      api.traceErrors(testInfo.errors);
      const events = api.traceTake();
      const keep = shouldKeep(mode, testInfo);
      const path = testInfo.outputPath("trace.zip");
      await host("harness.traceWrite", { path, events, libraries, keep, timeout: testInfo.timeout, annotations: testInfo.annotations.map((a) => ({ type: String(a.type), description: a.description === undefined ? undefined : String(a.description) })) });
      if (keep) testInfo.attachments.push({ name: "trace", contentType: "application/zip", path });
    }
  }, { auto: true }],
  context: async ({ browser, _combinedContextOptions, video, _tracing }, use, testInfo) => {
    const mode = artifactMode(video, "retry-with-video");
    const record = shouldCapture(mode, testInfo.retry);
    const options = record
      ? { ..._combinedContextOptions, recordVideo: { dir: testInfo.outputPath(), size: typeof video === "object" ? video.size : undefined } }
      : _combinedContextOptions;
    const context = await browser.newContext(options);
    await use(context);
    if (_tracing) await context.tracing._finishForTest();
    if (!record) {
      await context._closeInBackground();
      return;
    }
    // Closing writes the videos; then each page's is kept as video.webm, video-1.webm, ...
    await context.close();
    const keep = shouldKeep(mode, testInfo);
    let n = 0;
    for (const page of context._pages) {
      const v = page.video();
      if (!v) continue;
      try {
        if (keep) {
          const path = testInfo.outputPath(n === 0 ? `video.webm` : `video-${n}.webm`);
          n++;
          await v.saveAs(path);
          testInfo.attachments.push({ name: "video", contentType: "video/webm", path });
        }
        await v.delete();
      } catch {
        // A video that could not be written has nothing to show; the test's result stands.
      }
    }
  },
  page: async ({ context, screenshot }, use, testInfo) => {
    const page = await context.newPage();
    await use(page);
    const mode = typeof screenshot === "object" ? screenshot.mode : screenshot;
    const failed = testInfo.status !== testInfo.expectedStatus;
    if (!page.isClosed() && (mode === "on" || ((mode === "only-on-failure" || mode === "on-first-failure") && failed))) {
      try {
        const path = testInfo.outputPath(failed ? "test-failed-1.png" : "test-finished-1.png");
        await page.screenshot({ path, fullPage: typeof screenshot === "object" ? !!screenshot.fullPage : false });
        testInfo.attachments.push({ name: "screenshot", contentType: "image/png", path });
      } catch {
        // A page that crashed or closed has nothing to show.
      }
    }
  },
  request: async ({ baseURL, extraHTTPHeaders }, use) => {
    const ctx = new api.APIRequestContext({ baseURL, extraHTTPHeaders });
    await use(ctx);
    await ctx.dispose();
  },
};
for (const name of CONTEXT_OPTION_NAMES) builtins[name] = [undefined, { option: true }];
// Its dependencies are every context option, which a parameter list cannot spell out.
export const basePool = extendPool({}, builtins);
basePool._combinedContextOptions.deps = ["contextOptions", ...CONTEXT_OPTION_NAMES];

export const test = makeTest(basePool);
export const it = test;
// `chromium.launch()` (in a global setup, say) gets the worker's browser; closing it closes
// what it opened.
export const chromium = {
  name: () => "chromium",
  async launch() {
    await host("browser.launch");
    return new api.Browser({});
  },
};
export const request = api.request;
export const selectors = api.selectors;
export { defineConfig, devices };

/** One test with the fixtures of all of them (later ones win a name both define). */
export function mergeTests(...tests_) {
  if (tests_.length === 0) throw new TypeError("mergeTests() needs at least one test");
  const pools = tests_.map((t) => {
    if (typeof t?._pool !== "object") throw new TypeError("mergeTests() takes tests made by test.extend()");
    return t._pool;
  });
  return makeTest(Object.assign({}, ...pools));
}

/** One expect with the custom matchers of all of them (later ones win a name both define). */
export function mergeExpects(...expects) {
  if (expects.length === 0) throw new TypeError("mergeExpects() needs at least one expect");
  let merged = expects[0].configure({});
  for (const e of expects.slice(1)) {
    if (typeof e?._customMatchers !== "function") throw new TypeError("mergeExpects() takes expects made by expect.extend()");
    merged = merged.extend(e._customMatchers());
  }
  return merged;
}

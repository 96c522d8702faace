// The test API (`@playwright/test`, `isolate-browser/test`): registration of tests, describes,
// hooks and fixtures while a spec file loads, then running a selection of them when the runner
// asks. The runner drives it through `globalThis.__ib_harness` (`list()`, `run(ids, options)`);
// every test start and end is reported to the host as it happens, so the host can enforce the
// test timeout even when user code never yields (it terminates the isolate).

import { expect as baseExpect, takeSoftErrors, setDefaultTimeout } from "isolate-browser/expect";
import * as api from "isolate-browser/internal/browser";
import { defineConfig, devices } from "isolate-browser/internal/config";

const { host } = api;

// ---- locations -----------------------------------------------------------------------------
/** The first stack frame in user code: `{ file, line, column }` with `file` root-relative. */
function callerLocation(depthHint) {
  const stack = new Error().stack?.split("\n") ?? [];
  for (const line of stack.slice(depthHint ?? 1)) {
    const m = /(file:\/\/\/[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (m) return { file: decodeURI(m[1].slice("file:///".length)), line: Number(m[2]), column: Number(m[3]) };
  }
  return { file: "", line: 0, column: 0 };
}

// ---- fixtures ------------------------------------------------------------------------------
function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

/** Names destructured by a function's first parameter: `async ({ page, foo: f }) => …`. */
export function fixtureParams(fn) {
  if (typeof fn !== "function") return [];
  const src = stripComments(fn.toString());
  const open = src.indexOf("(");
  if (open < 0) return [];
  const head = src.slice(0, open).trim();
  if (head.includes("=>") || head.includes("{")) return [];
  let i = open + 1;
  while (/\s/.test(src[i])) i++;
  if (src[i] !== "{") return [];
  let depth = 0;
  let start = i + 1;
  const parts = [];
  let quote = null;
  for (; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "{" || c === "[" || c === "(") {
      depth++;
    } else if (c === "}" || c === "]" || c === ")") {
      depth--;
      if (depth === 0) {
        parts.push(src.slice(start, i));
        break;
      }
    } else if (c === "," && depth === 1) {
      parts.push(src.slice(start, i));
      start = i + 1;
    }
  }
  return parts
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith("..."))
    .map((p) => p.split(/[:=]/)[0].trim())
    .filter(Boolean);
}

const TEST_SCOPED_IN_ALL_HOOKS = new Set(["page", "context", "request"]);

class FixtureDef {
  constructor(name, value, parent) {
    this.name = name;
    this.parent = parent;
    let options = {};
    if (Array.isArray(value) && value.length === 2 && value[1] && typeof value[1] === "object" && !Array.isArray(value[1])) {
      options = value[1];
      value = value[0];
    }
    this.scope = options.scope ?? parent?.scope ?? "test";
    this.auto = options.auto ?? false;
    this.option = options.option ?? parent?.option ?? false;
    this.box = options.box ?? false;
    this.timeout = options.timeout;
    if (typeof value === "function") {
      this.fn = value;
      this.deps = fixtureParams(value);
    } else {
      this.value = value;
      this.deps = [];
    }
  }
}

function extendPool(pool, defs) {
  const next = { ...pool };
  for (const [name, value] of Object.entries(defs)) next[name] = new FixtureDef(name, value, pool[name]);
  return next;
}

// ---- registration --------------------------------------------------------------------------
class Suite {
  constructor(title, parent, location) {
    this.title = title;
    this.parent = parent;
    this.location = location;
    this.entries = [];
    this.hooks = { beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
    this.uses = {};
    this.modifiers = [];
    this.mode = parent?.mode === "serial" ? "serial" : parent?.mode === "parallel" ? "parallel" : "default";
    this.retries = undefined;
    this.timeout = undefined;
    this.only = false;
    this.tags = [];
    this.annotations = [];
    this.beforeAllState = null;
  }
  titlePath() {
    const path = [];
    for (let s = this; s && s.parent; s = s.parent) if (s.title) path.unshift(s.title);
    return path;
  }
  chain() {
    const out = [];
    for (let s = this; s; s = s.parent) out.unshift(s);
    return out;
  }
}

const root = new Suite("", null, { file: "", line: 0, column: 0 });
let currentSuite = root;
const tests = [];
let running = null; // the test being run: { test, info, ... }

function tagsOf(title, details) {
  const fromTitle = String(title).match(/@[\w-]+/g) ?? [];
  let extra = details?.tag ?? [];
  if (!Array.isArray(extra)) extra = [extra];
  return [...new Set([...fromTitle, ...extra])];
}

function annotationsOf(details) {
  let a = details?.annotation ?? [];
  if (!Array.isArray(a)) a = [a];
  return a.map((x) => ({ type: x.type, description: x.description }));
}

function normalizeArgs(title, details, fn) {
  if (typeof details === "function") return [title, {}, details];
  return [title, details ?? {}, fn];
}

function registerTest(pool, title, details, fn, flags = {}) {
  [title, details, fn] = normalizeArgs(title, details, fn);
  if (running) throw new Error(`test("${title}") cannot be declared inside another test; declare tests at the top level or inside test.describe()`);
  if (typeof title !== "string") throw new TypeError("test(title, fn) expects a string title");
  const location = callerLocation(3);
  const test = {
    id: tests.length,
    title,
    fn: fn ?? null,
    pool,
    suite: currentSuite,
    location,
    only: !!flags.only,
    tags: tagsOf(title, details),
    annotations: annotationsOf(details),
    expectedStatus: "passed",
    staticSkip: null,
  };
  if (flags.skip) {
    test.staticSkip = { type: flags.skip, description: flags.description };
    test.annotations.push({ type: flags.skip, description: flags.description });
  }
  if (flags.fail) test.expectedStatus = "failed";
  if (typeof fn !== "function" && !flags.skip) throw new TypeError(`test("${title}") needs a test function`);
  tests.push(test);
  currentSuite.entries.push(test);
  return test;
}

function describe(title, details, fn, flags = {}) {
  if (typeof title === "function") {
    fn = title;
    title = "";
    details = {};
  }
  [title, details, fn] = normalizeArgs(title, details, fn);
  if (running) throw new Error("test.describe() cannot be called inside a test");
  if (typeof fn !== "function") throw new TypeError(`test.describe("${title}") needs a callback`);
  const suite = new Suite(title, currentSuite, callerLocation(3));
  suite.tags = tagsOf(title, details);
  suite.annotations = annotationsOf(details);
  if (flags.mode) suite.mode = flags.mode;
  if (flags.only) suite.only = true;
  if (flags.skip) suite.modifiers.push({ type: flags.skip, condition: true, description: undefined });
  currentSuite.entries.push(suite);
  const previous = currentSuite;
  currentSuite = suite;
  try {
    const r = fn();
    if (r && typeof r.then === "function") throw new Error(`test.describe("${title}") callback must not be async`);
  } finally {
    currentSuite = previous;
  }
}

function makeDescribe() {
  const d = (title, details, fn) => describe(title, details, fn);
  d.only = (title, details, fn) => describe(title, details, fn, { only: true });
  d.skip = (title, details, fn) => describe(title, details, fn, { skip: "skip" });
  d.fixme = (title, details, fn) => describe(title, details, fn, { skip: "fixme" });
  d.serial = (title, details, fn) => describe(title, details, fn, { mode: "serial" });
  d.serial.only = (title, details, fn) => describe(title, details, fn, { mode: "serial", only: true });
  d.serial.skip = (title, details, fn) => describe(title, details, fn, { mode: "serial", skip: "skip" });
  d.parallel = (title, details, fn) => describe(title, details, fn, { mode: "parallel" });
  d.parallel.only = (title, details, fn) => describe(title, details, fn, { mode: "parallel", only: true });
  d.configure = (options = {}) => {
    if (options.mode) currentSuite.mode = options.mode;
    if (options.retries !== undefined) currentSuite.retries = options.retries;
    if (options.timeout !== undefined) currentSuite.timeout = options.timeout;
  };
  return d;
}

class SkipError extends Error {
  constructor(type, description) {
    super(description ?? type);
    this.skipType = type;
    this.description = description;
  }
}

/** test.skip / fixme / fail / slow in all their forms. */
function modifier(type, pool, args) {
  // Declaration: test.skip("title", fn) / test.fixme("title", details, fn).
  if (typeof args[0] === "string" && (typeof args[1] === "function" || typeof args[2] === "function" || (type === "fixme" && args.length === 1))) {
    if (type === "skip" || type === "fixme") return registerTest(pool, args[0], args[1], args[2], { skip: type });
    if (type === "fail") return registerTest(pool, args[0], args[1], args[2], { fail: true });
    if (type === "slow") {
      const t = registerTest(pool, args[0], args[1], args[2]);
      t.annotations.push({ type: "slow" });
      return t;
    }
  }
  const [condition, description] = args.length === 0 ? [true, undefined] : typeof args[0] === "string" ? [true, args[0]] : args;
  if (running) {
    // Runtime form inside a test or a hook.
    if (typeof condition === "function") throw new Error(`test.${type}(callback) is only allowed outside tests`);
    running.info[type](condition, description);
    return;
  }
  // Declaration-time form: applies to the tests of the current describe (or file).
  currentSuite.modifiers.push({ type, condition, description });
}

function hook(kind, pool, args) {
  const [title, fn] = typeof args[0] === "string" ? args : [undefined, args[0]];
  if (typeof fn !== "function") throw new TypeError(`test.${kind}() needs a function`);
  if (running) throw new Error(`test.${kind}() cannot be called inside a test`);
  currentSuite.hooks[kind].push({ title: title ?? `${kind} hook`, fn, pool, location: callerLocation(3) });
}

function makeTest(pool) {
  const t = (title, details, fn) => registerTest(pool, title, details, fn);
  t.only = (title, details, fn) => registerTest(pool, title, details, fn, { only: true });
  t.skip = (...args) => modifier("skip", pool, args);
  t.fixme = (...args) => modifier("fixme", pool, args);
  t.fail = (...args) => modifier("fail", pool, args);
  t.fail.only = (title, details, fn) => registerTest(pool, title, details, fn, { only: true, fail: true });
  t.slow = (...args) => modifier("slow", pool, args);
  t.describe = makeDescribe();
  t.beforeAll = (...args) => hook("beforeAll", pool, args);
  t.afterAll = (...args) => hook("afterAll", pool, args);
  t.beforeEach = (...args) => hook("beforeEach", pool, args);
  t.afterEach = (...args) => hook("afterEach", pool, args);
  t.use = (options) => {
    if (running) throw new Error("test.use() cannot be called inside a test");
    Object.assign(currentSuite.uses, options);
  };
  t.setTimeout = (timeout) => {
    if (running) running.info.setTimeout(timeout);
    else currentSuite.timeout = timeout;
  };
  t.info = () => {
    if (!running) throw new Error("test.info() can only be called while a test is running");
    return running.info;
  };
  t.step = step;
  t.step.skip = async (title) => {
    if (running) running.steps.push({ title, duration: 0, skipped: true, steps: [] });
  };
  t.extend = (defs) => makeTest(extendPool(pool, defs));
  t.expect = expect;
  return t;
}

async function step(title, body, options = {}) {
  const r = running;
  if (!r) return body();
  const record = { title, duration: 0, steps: [], error: undefined };
  (r.stepStack.at(-1)?.steps ?? r.steps).push(record);
  r.stepStack.push(record);
  const start = Date.now();
  try {
    return await body({ skip: (condition = true) => { if (condition) throw new SkipError("skip"); } });
  } catch (e) {
    record.error = e?.message ?? String(e);
    if (options.box && e instanceof Error) e.stack = `${e.name}: ${e.message}\n    at ${title}`;
    throw e;
  } finally {
    record.duration = Date.now() - start;
    r.stepStack.splice(r.stepStack.indexOf(record), 1);
  }
}

// ---- built-in fixtures ---------------------------------------------------------------------
const CONTEXT_OPTION_NAMES = [
  "baseURL", "viewport", "locale", "timezoneId", "colorScheme", "userAgent", "extraHTTPHeaders",
  "storageState", "testIdAttribute", "actionTimeout", "navigationTimeout", "javaScriptEnabled",
  "ignoreHTTPSErrors", "offline", "isMobile", "hasTouch", "deviceScaleFactor", "permissions",
  "geolocation", "bypassCSP", "httpCredentials", "acceptDownloads", "serviceWorkers",
  "profile", "mode", "autosave", "reset", "maxAgeSeconds", "indexedDB",
];

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
  playwright: [async ({}, use) => use({ request: api.request, chromium: { name: () => "chromium" }, devices }), { scope: "worker" }],
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
  }, { auto: true }],
  context: async ({ browser, _combinedContextOptions }, use) => {
    const context = await browser.newContext(_combinedContextOptions);
    await use(context);
    await context._closeInBackground();
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
const basePool = extendPool({}, builtins);
basePool._combinedContextOptions.deps = ["contextOptions", ...CONTEXT_OPTION_NAMES];

export const expect = baseExpect.extend(api.webFirstMatchers);
export const test = makeTest(basePool);
export const it = test;
export const chromium = { name: () => "chromium" };
export const request = api.request;
export { defineConfig, devices };

export function mergeTests(...tests_) {
  return tests_[0];
}
export function mergeExpects(...expects) {
  return expects[0];
}

// ---- running -------------------------------------------------------------------------------
const workerFixtures = new Map(); // FixtureDef -> { value, teardown }

function errorOf(e) {
  if (e instanceof Error) {
    return {
      name: e.name,
      message: e.message,
      stack: e.stack,
      callLog: Array.isArray(e.callLog) ? e.callLog : undefined,
      matcher: e.matcherResult?.name,
    };
  }
  return { name: "Error", message: `${typeof e === "string" ? e : JSON.stringify(e) ?? String(e)}`, stack: undefined };
}

function isOption(pool, name) {
  return pool[name]?.option;
}

/** The definition that provides `name` for a test: test.use overrides, config use, the pool. */
function resolveDef(name, pool, suite, configUse) {
  for (let s = suite; s; s = s.parent) {
    if (Object.prototype.hasOwnProperty.call(s.uses, name)) return new FixtureDef(name, s.uses[name], pool[name]);
  }
  if (configUse && Object.prototype.hasOwnProperty.call(configUse, name) && (isOption(pool, name) || !pool[name])) {
    return new FixtureDef(name, configUse[name], pool[name]);
  }
  return pool[name];
}

class FixtureScope {
  constructor(pool, suite, configUse, info, allowTestScoped, workerCache) {
    this.pool = pool;
    this.suite = suite;
    this.configUse = configUse;
    this.info = info;
    this.allowTestScoped = allowTestScoped;
    this.instances = new Map(); // def -> Promise<value>
    this.teardowns = [];
    this.workerCache = workerCache;
    this.defs = new Map(); // name -> def (resolved once per scope)
  }
  def(name) {
    if (!this.defs.has(name)) this.defs.set(name, resolveDef(name, this.pool, this.suite, this.configUse));
    return this.defs.get(name);
  }
  async values(names) {
    const out = {};
    for (const name of names) out[name] = await this.get(name, this.def(name), []);
    return out;
  }
  async get(name, def, path) {
    if (!def) throw new Error(`Fixture "${name}" is not defined${path.length ? ` (needed by "${path.at(-1)}")` : ""}; define it with test.extend()`);
    if (path.includes(name) && def === this.def(name) && path.at(-1) === name) throw new Error(`Fixtures "${[...path, name].join('" -> "')}" form a dependency cycle`);
    const cache = def.scope === "worker" ? this.workerCache : this.instances;
    if (cache.has(def)) return cache.get(def).value;
    if (def.scope !== "worker" && !this.allowTestScoped) {
      if (TEST_SCOPED_IN_ALL_HOOKS.has(name)) {
        throw new Error(`"${name}" fixture is not supported in beforeAll/afterAll hooks since it is created per test. To reuse a page between tests, create a context yourself with browser.newContext()`);
      }
      throw new Error(`beforeAll/afterAll hooks cannot use the test-scoped fixture "${name}"`);
    }
    const deps = {};
    for (const dep of def.deps) {
      const depDef = dep === name ? def.parent : def.scope === "worker" ? this.workerDef(dep) : this.def(dep);
      if (def.scope === "worker" && depDef && depDef.scope !== "worker") {
        throw new Error(`worker fixture "${name}" cannot depend on the test-scoped fixture "${dep}"`);
      }
      deps[dep] = await this.get(dep, depDef, [...path, name]);
    }
    if (!def.fn) {
      cache.set(def, { value: def.value, teardown: null });
      return def.value;
    }
    const started = Date.now();
    const instance = await setupFixture(name, def, deps, def.scope === "worker" ? null : this.info);
    if (def.scope === "worker") this.onWorkerSetup?.(Date.now() - started);
    cache.set(def, instance);
    if (def.scope !== "worker") this.teardowns.push(instance);
    return instance.value;
  }
  workerDef(name) {
    return this.def(name);
  }
  async teardown() {
    const errors = [];
    while (this.teardowns.length) {
      const inst = this.teardowns.pop();
      try {
        await inst.teardown();
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  }
}

function setupFixture(name, def, deps, info) {
  return new Promise((resolveSetup, rejectSetup) => {
    let release;
    const released = new Promise((r) => (release = r));
    let used = false;
    const done = Promise.resolve()
      .then(() =>
        def.fn(
          deps,
          async (value) => {
            if (used) throw new Error(`fixture "${name}" called use() twice`);
            used = true;
            resolveSetup({ value, teardown: async () => { release(); await done; } });
            await released;
          },
          info ?? workerInfo,
        ),
      )
      .then(
        () => {
          if (!used) rejectSetup(new Error(`fixture "${name}" finished without calling use()`));
        },
        (e) => {
          if (!used) rejectSetup(e);
          else throw e;
        },
      );
    done.catch(() => {});
  });
}

let workerInfo = {};

function suiteModifiers(test) {
  const out = [];
  for (const s of test.suite.chain()) out.push(...s.modifiers);
  return out;
}

function effective(test, key) {
  for (let s = test.suite; s; s = s.parent) if (s[key] !== undefined) return s[key];
  return undefined;
}

function serialGroup(test) {
  let group = null;
  for (let s = test.suite; s; s = s.parent) if (s.mode === "serial") group = s;
  return group;
}

let suiteIds = new Map();
function suiteId(s) {
  if (!suiteIds.has(s)) suiteIds.set(s, suiteIds.size);
  return suiteIds.get(s);
}

function list() {
  return tests.map((t) => {
    const chain = t.suite.chain();
    let staticSkip = t.staticSkip;
    if (!staticSkip) {
      for (const m of suiteModifiers(t)) {
        if ((m.type === "skip" || m.type === "fixme") && m.condition === true) {
          staticSkip = { type: m.type, description: m.description };
        }
      }
    }
    const serial = serialGroup(t);
    return {
      id: t.id,
      titlePath: [...t.suite.titlePath(), t.title],
      file: t.location.file,
      line: t.location.line,
      column: t.location.column,
      only: t.only || chain.some((s) => s.only),
      tags: [...new Set([...chain.flatMap((s) => s.tags), ...t.tags])],
      skip: staticSkip,
      retries: effective(t, "retries") ?? null,
      timeout: effective(t, "timeout") ?? null,
      serialGroup: serial ? suiteId(serial) : null,
      parallel: chain.some((s) => s.mode === "parallel"),
    };
  });
}

function slug(s) {
  return s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "test";
}

function makeInfo(test, options, run) {
  const titlePath = [...test.suite.titlePath(), test.title];
  const dir = `${options.outputDir}/${slug(`${test.location.file}-${titlePath.join("-")}`)}${options.projectName ? `-${slug(options.projectName)}` : ""}${options.retry ? `-retry${options.retry}` : ""}`;
  const info = {
    title: test.title,
    titlePath: [test.location.file, ...titlePath],
    file: test.location.file,
    line: test.location.line,
    column: test.location.column,
    fn: test.fn,
    retry: options.retry,
    repeatEachIndex: 0,
    workerIndex: options.workerIndex,
    parallelIndex: options.parallelIndex ?? options.workerIndex,
    project: { name: options.projectName ?? "", use: options.use ?? {}, outputDir: options.outputDir, retries: options.retries ?? 0, timeout: options.timeout },
    config: options.configSummary ?? {},
    tags: [...new Set([...test.suite.chain().flatMap((s) => s.tags), ...test.tags])],
    annotations: [...test.annotations],
    attachments: [],
    errors: [],
    error: undefined,
    status: "passed",
    expectedStatus: test.expectedStatus,
    duration: 0,
    outputDir: dir,
    snapshotDir: dir,
    snapshotSuffix: "",
    stdout: [],
    stderr: [],
    get timeout() {
      return run.timeout;
    },
    setTimeout(timeout) {
      run.setTimeout(timeout);
    },
    slow(condition = true, description) {
      if (condition) {
        info.annotations.push({ type: "slow", description });
        run.setTimeout(run.timeout * 3);
      }
    },
    skip(condition = true, description) {
      if (typeof condition === "string") [condition, description] = [true, condition];
      if (condition) {
        info.annotations.push({ type: "skip", description });
        throw new SkipError("skip", description);
      }
    },
    fixme(condition = true, description) {
      if (typeof condition === "string") [condition, description] = [true, condition];
      if (condition) {
        info.annotations.push({ type: "fixme", description });
        throw new SkipError("fixme", description);
      }
    },
    fail(condition = true, description) {
      if (typeof condition === "string") [condition, description] = [true, condition];
      if (condition) {
        info.annotations.push({ type: "fail", description });
        info.expectedStatus = "failed";
      }
    },
    outputPath(...segments) {
      return [dir, ...segments].join("/");
    },
    snapshotPath(...segments) {
      return [dir, ...segments].join("/");
    },
    async attach(name, options = {}) {
      const { path } = await host("harness.attach", {
        name,
        contentType: options.contentType ?? (options.path ? undefined : typeof options.body === "string" ? "text/plain" : "application/octet-stream"),
        body: options.body === undefined ? undefined : api.toBase64(options.body),
        path: options.path,
        dir,
      });
      info.attachments.push({ name, contentType: options.contentType ?? "application/octet-stream", path });
    },
  };
  return info;
}

class TimeoutSignal extends Error {}

/** The test's time budget: one timer, re-armable, mirrored to the host's watchdog. */
function makeRun(test, options) {
  const run = {
    timeout: options.timeout,
    started: Date.now(),
    timer: null,
    reject: null,
    expired: false,
    steps: [],
    stepStack: [],
    setTimeout(timeout) {
      run.timeout = timeout;
      arm();
    },
  };
  let rejectExpired;
  run.expiry = new Promise((_, reject) => (rejectExpired = reject));
  run.expiry.catch(() => {});
  function arm() {
    clearTimeout(run.timer);
    if (!run.timeout) {
      host("harness.deadline", { ms: 0 }).catch(() => {});
      return;
    }
    const remaining = Math.max(0, run.started + run.timeout - Date.now());
    host("harness.deadline", { ms: remaining }).catch(() => {});
    run.timer = setTimeout(() => {
      run.expired = true;
      rejectExpired(new TimeoutSignal());
    }, remaining);
  }
  run.arm = arm;
  run.within = (promise) => Promise.race([promise, run.expiry]);
  run.stop = () => clearTimeout(run.timer);
  return run;
}

function timeoutError(run) {
  return { name: "TimeoutError", message: `Test timeout of ${run.timeout}ms exceeded.` };
}

async function callWithFixtures(scope, fn, info) {
  const values = await scope.values(fixtureParams(fn));
  return fn(values, info);
}

async function runHooks(kind, suites, scope, info, run, errors) {
  for (const suite of suites) {
    for (const h of suite.hooks[kind]) {
      try {
        await run.within(callWithFixtures(scope, h.fn, info));
      } catch (e) {
        if (e instanceof TimeoutSignal) throw e;
        if (e instanceof SkipError) throw e;
        errors.push(errorOf(e));
        if (kind.startsWith("before")) return false;
      }
    }
  }
  return true;
}

async function runOne(test, options, state) {
  const run = makeRun(test, { ...options, timeout: effective(test, "timeout") ?? options.timeout });
  const info = makeInfo(test, options, run);
  running = { test, info, steps: run.steps, stepStack: run.stepStack, handlerErrors: [] };
  await host("harness.testBegin", { id: test.id, retry: options.retry });
  run.arm();
  const errors = [];
  const suites = test.suite.chain();
  const scope = new FixtureScope(test.pool, test.suite, options.use, info, true, workerFixtures);
  // Worker fixtures (the browser launch among them) get their own time, as in Playwright.
  scope.onWorkerSetup = (ms) => {
    run.started += ms;
    run.arm();
  };
  let status = "passed";
  try {
    // Conditional modifiers of describes and files, evaluated with fixtures.
    for (const m of suiteModifiers(test)) {
      if (m.type === "skip" || m.type === "fixme" || m.type === "fail" || m.type === "slow") {
        const cond = typeof m.condition === "function" ? await run.within(callWithFixtures(scope, m.condition, info)) : m.condition;
        if (cond) info[m.type](true, m.description);
      }
    }
    // beforeAll hooks of describes entered now; their failure fails every test they cover.
    for (const suite of suites) {
      if (!suite.beforeAllState) {
        suite.beforeAllState = { ran: true, error: null };
        const hookErrors = [];
        const allScope = new FixtureScope(test.pool, suite, options.use, workerInfo, false, workerFixtures);
        allScope.onWorkerSetup = scope.onWorkerSetup;
        await runHooks("beforeAll", [suite], allScope, info, run, hookErrors);
        if (hookErrors.length) suite.beforeAllState.error = hookErrors[0];
      }
      if (suite.beforeAllState.error) {
        errors.push(suite.beforeAllState.error);
        break;
      }
    }
    if (!errors.length) {
      // Auto fixtures first, then beforeEach hooks outside in, then the body.
      const autos = Object.keys(test.pool).filter((n) => scope.def(n)?.auto);
      await run.within(scope.values(autos));
      const ok = await runHooks("beforeEach", suites, scope, info, run, errors);
      if (ok) {
        await run.within(callWithFixtures(scope, test.fn, info));
      }
    }
  } catch (e) {
    if (e instanceof TimeoutSignal) {
      status = "timedOut";
      errors.push(timeoutError(run));
    } else if (e instanceof SkipError) {
      status = "skipped";
    } else {
      errors.push(errorOf(e));
    }
  }
  for (const soft of takeSoftErrors()) errors.push(errorOf(soft));
  errors.push(...running.handlerErrors.splice(0));
  if (status === "passed" && errors.length) status = "failed";
  info.status = status;
  info.errors = errors;
  info.error = errors[0];
  // afterEach hooks and fixture teardown get a fresh budget of the same size.
  const teardownRun = makeRun(test, { timeout: run.timeout });
  running.teardown = true;
  teardownRun.arm();
  try {
    const afterErrors = [];
    await runHooks("afterEach", [...suites].reverse(), scope, info, teardownRun, afterErrors);
    for (const e of await teardownRun.within(scope.teardown())) afterErrors.push(errorOf(e));
    if (afterErrors.length) {
      errors.push(...afterErrors);
      if (status === "passed" || status === "skipped") status = "failed";
    }
  } catch (e) {
    if (e instanceof TimeoutSignal) {
      errors.push({ name: "TimeoutError", message: `Tearing down fixtures and afterEach hooks exceeded the test timeout of ${run.timeout}ms.` });
      if (status === "passed") status = "timedOut";
    } else errors.push(errorOf(e));
  }
  run.stop();
  teardownRun.stop();
  // test.fail(): failing is the expected outcome.
  let expectedStatus = info.expectedStatus;
  if (expectedStatus === "failed" && status !== "skipped") {
    if (status === "failed") {
      status = "passed";
      errors.length = 0;
    } else if (status === "passed") {
      status = "failed";
      errors.push({ name: "Error", message: "Expected to fail, but passed." });
    }
  }
  running = null;
  const result = {
    id: test.id,
    status,
    errors,
    annotations: info.annotations,
    attachments: info.attachments,
    steps: run.steps,
    expectedStatus,
  };
  state.lastStatus = status;
  return result;
}

async function runAfterAll(suite, options, errorsOut) {
  if (!suite.beforeAllState) return;
  const run = makeRun(null, { timeout: options.timeout });
  run.arm();
  const scope = new FixtureScope(basePool, suite, options.use, workerInfo, false, workerFixtures);
  for (const h of suite.hooks.afterAll) {
    try {
      await run.within(callWithFixtures(scope, h.fn, workerInfo));
    } catch (e) {
      errorsOut.push(e instanceof TimeoutSignal ? { name: "TimeoutError", message: `afterAll hook timeout of ${options.timeout}ms exceeded.` } : errorOf(e));
    }
  }
  run.stop();
}

async function runTests(ids, options) {
  setDefaultTimeout(options.expectTimeout ?? 5000);
  workerInfo = { workerIndex: options.workerIndex, parallelIndex: options.workerIndex, project: { name: options.projectName ?? "", use: options.use ?? {} }, config: options.configSummary ?? {} };
  const selected = ids.map((id) => tests[id]).filter(Boolean);
  const remaining = new Map();
  for (const t of selected) for (const s of t.suite.chain()) remaining.set(s, (remaining.get(s) ?? 0) + 1);
  const state = {};
  const failedSerial = new Set();
  const teardownErrors = [];
  for (const t of selected) {
    const group = serialGroup(t);
    let result;
    if (group && failedSerial.has(group)) {
      result = { id: t.id, status: "skipped", errors: [], annotations: [{ type: "skip", description: "a previous test in this serial group failed" }], attachments: [], steps: [], expectedStatus: "passed", notRun: true };
    } else {
      result = await runOne(t, options, state);
      if (group && (result.status === "failed" || result.status === "timedOut")) failedSerial.add(group);
    }
    // afterAll hooks of describes this test completes run before it is reported: their
    // failure fails it (the last test they cover), as in Playwright.
    for (const s of [...t.suite.chain()].reverse()) {
      const left = remaining.get(s) - 1;
      remaining.set(s, left);
      if (left !== 0) continue;
      const hookErrors = [];
      await runAfterAll(s, options, hookErrors);
      if (hookErrors.length) {
        result.errors.push(...hookErrors.map((e) => ({ ...e, message: `afterAll hook: ${e.message}` })));
        if (result.status === "passed" || result.status === "skipped") result.status = "failed";
        delete result.notRun;
      }
    }
    await host("harness.testEnd", result);
  }
  // Worker fixtures are torn down when the file's isolate is done with them.
  for (const [, inst] of [...workerFixtures].reverse()) {
    try {
      if (inst.teardown) await inst.teardown();
    } catch (e) {
      teardownErrors.push(errorOf(e));
    }
  }
  workerFixtures.clear();
  return { teardownErrors };
}

// ---- the runner's handle and script-style globals ------------------------------------------
Object.defineProperty(globalThis, "__ib_harness", {
  value: Object.freeze({ list, run: runTests }),
  enumerable: false,
  configurable: true,
});

api.setHandlerErrorSink((e) => {
  if (running) running.handlerErrors.push(errorOf(e));
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

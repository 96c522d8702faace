// Registration: while a spec file loads, `test()`, `describe()`, hooks, modifiers and
// `test.use` build the tree of suites and the list of tests; `test.step` records steps while a
// test runs and reports each to the host as it begins and ends.

import { primordials } from "ext:core/mod.js";
import { host, stepBegin as traceStepBegin, stepEnd as traceStepEnd, userFrames } from "ext:isolate_suite/browser/99_index.js";
import { expect } from "ext:isolate_suite/harness/15_expect.js";
import { extendPool } from "ext:isolate_suite/harness/20_fixtures.js";
import { callerLocation, SkipError, state } from "ext:isolate_suite/harness/10_state.js";

// Registering tests and describing suites uses built-ins taken before user code ran: a spec
// that replaces `Array.prototype.push` or an array's iterator cannot make its tests vanish.
const { ArrayPrototypePush, ArrayPrototypeUnshift, ObjectKeys } = primordials;

export class Suite {
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
    for (let s = this; s && s.parent; s = s.parent) if (s.title) ArrayPrototypeUnshift(path, s.title);
    return path;
  }
  chain() {
    const out = [];
    for (let s = this; s; s = s.parent) ArrayPrototypeUnshift(out, s);
    return out;
  }
}

export const root = new Suite("", null, { file: "", line: 0, column: 0 });
state.currentSuite = root;
export const tests = [];

/** Forgets the suites and tests declared so far: a worker's isolate is about to load its next
 * spec file (`isolation: "worker"`), whose tests start from a fresh root suite. */
export function resetRegistrations() {
  const fresh = new Suite("", null, root.location);
  const keys = ObjectKeys(fresh);
  for (let i = 0; i < keys.length; i++) root[keys[i]] = fresh[keys[i]];
  tests.length = 0;
  state.currentSuite = root;
}

export function tagsOf(title, details) {
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
  if (state.running) throw new Error(`test("${title}") cannot be declared inside another test; declare tests at the top level or inside test.describe()`);
  if (typeof title !== "string") throw new TypeError("test(title, fn) expects a string title");
  const location = callerLocation(3);
  const test = {
    id: tests.length,
    title,
    fn: fn ?? null,
    pool,
    suite: state.currentSuite,
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
  ArrayPrototypePush(tests, test);
  ArrayPrototypePush(state.currentSuite.entries, test);
  return test;
}

function describe(title, details, fn, flags = {}) {
  if (typeof title === "function") {
    fn = title;
    title = "";
    details = {};
  }
  [title, details, fn] = normalizeArgs(title, details, fn);
  if (state.running) throw new Error("test.describe() cannot be called inside a test");
  if (typeof fn !== "function") throw new TypeError(`test.describe("${title}") needs a callback`);
  const suite = new Suite(title, state.currentSuite, callerLocation(3));
  suite.tags = tagsOf(title, details);
  suite.annotations = annotationsOf(details);
  if (flags.mode) suite.mode = flags.mode;
  if (flags.only) suite.only = true;
  if (flags.skip) suite.modifiers.push({ type: flags.skip, condition: true, description: undefined });
  ArrayPrototypePush(state.currentSuite.entries, suite);
  const previous = state.currentSuite;
  state.currentSuite = suite;
  try {
    const r = fn();
    if (r && typeof r.then === "function") throw new Error(`test.describe("${title}") callback must not be async`);
  } finally {
    state.currentSuite = previous;
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
    if (options.mode) state.currentSuite.mode = options.mode;
    if (options.retries !== undefined) state.currentSuite.retries = options.retries;
    if (options.timeout !== undefined) state.currentSuite.timeout = options.timeout;
  };
  return d;
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
  if (state.running) {
    // Runtime form inside a test or a hook.
    if (typeof condition === "function") throw new Error(`test.${type}(callback) is only allowed outside tests`);
    state.running.info[type](condition, description);
    return;
  }
  // Declaration-time form: applies to the tests of the current describe (or file).
  state.currentSuite.modifiers.push({ type, condition, description });
}

function hook(kind, pool, args) {
  const [title, fn] = typeof args[0] === "string" ? args : [undefined, args[0]];
  if (typeof fn !== "function") throw new TypeError(`test.${kind}() needs a function`);
  if (state.running) throw new Error(`test.${kind}() cannot be called inside a test`);
  state.currentSuite.hooks[kind].push({ title: title ?? `${kind} hook`, fn, pool, location: callerLocation(3) });
}

export function makeTest(pool) {
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
    if (state.running) throw new Error("test.use() cannot be called inside a test");
    Object.assign(state.currentSuite.uses, options);
  };
  t.setTimeout = (timeout) => {
    if (state.running) state.running.info.setTimeout(timeout);
    else state.currentSuite.timeout = timeout;
  };
  t.info = () => {
    if (!state.running) throw new Error("test.info() can only be called while a test is running");
    return state.running.info;
  };
  t.step = step;
  t.step.skip = async (title) => {
    if (state.running) state.running.steps.push({ title, duration: 0, skipped: true, steps: [] });
  };
  t.extend = (defs) => makeTest(extendPool(pool, defs));
  t.expect = expect;
  // For mergeTests: the fixtures of this test.
  Object.defineProperty(t, "_pool", { value: pool });
  return t;
}

let nextStepId = 1;
const stepIds = new WeakMap(); // step record -> id, kept out of the record the host reads

/** `test.step`: recorded in the result's step tree and reported to the host as it begins and
 * ends, so reporters can show it while the test runs. */
async function step(title, body, options = {}) {
  const r = state.running;
  if (!r) return body();
  const site = {};
  if (Error.captureStackTrace) Error.captureStackTrace(site, step);
  const traced = traceStepBegin("test.step", String(title), {}, userFrames(site.stack));
  const parent = r.stepStack.at(-1);
  const record = { title, duration: 0, steps: [], error: undefined };
  const id = nextStepId++;
  (parent?.steps ?? r.steps).push(record);
  r.stepStack.push(record);
  stepIds.set(record, id);
  await host("harness.stepBegin", { id, parent: parent ? stepIds.get(parent) : undefined, title });
  const start = Date.now();
  try {
    return await body({ skip: (condition = true) => { if (condition) throw new SkipError("skip"); } });
  } catch (e) {
    record.error = e?.message ?? String(e);
    traceStepEnd(traced, e);
    if (options.box && e instanceof Error) e.stack = `${e.name}: ${e.message}\n    at ${title}`;
    throw e;
  } finally {
    if (record.error === undefined) traceStepEnd(traced);
    record.duration = Date.now() - start;
    r.stepStack.splice(r.stepStack.indexOf(record), 1);
    host("harness.stepEnd", { id, duration: record.duration, error: record.error }).catch(() => {});
  }
}

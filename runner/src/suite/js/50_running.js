// Running: `list()` describes the declared tests to the worker, `run(ids, options)` runs a
// selection of them (modifiers, beforeAll/afterAll by describe, fixtures, hooks, the body, the
// test's time budget mirrored to the host's watchdog) and reports each result as it ends.

import { core, primordials } from "ext:core/mod.js";
import * as api from "ext:isolate_suite/browser/99_index.js";
import { setAssertionHooks, setDefaultTimeout, takeSoftErrors } from "ext:isolate_suite/matchers/expect.js";
import { basePool } from "ext:isolate_suite/harness/40_builtins.js";
import { FixtureScope, fixtureParams, workerFixtures } from "ext:isolate_suite/harness/20_fixtures.js";
import { resetRegistrations, tests } from "ext:isolate_suite/harness/30_registration.js";
import { SkipError, state } from "ext:isolate_suite/harness/10_state.js";
import { setSnapshotSettings, snapshotDirOf, snapshotPathOf } from "ext:isolate_suite/harness/14_snapshots.js";

// Assertions are steps of a traced test.
setAssertionHooks({ begin: api.assertionBegin, end: api.assertionEnd });

const { op_sandbox_fs_change_sync } = core.ops;

const { host } = api;
// What decides a test's outcome uses built-ins taken before any user code ran: a spec that
// replaces `Array.prototype.push`, `Promise.race` or an array's iterator cannot make a failing
// test report passed.
const {
  ArrayIsArray, ArrayPrototypeIncludes, ArrayPrototypeMap, ArrayPrototypePush, ArrayPrototypeSlice,
  ArrayPrototypeSplice, ErrorPrototype, ObjectFreeze, ObjectPrototypeIsPrototypeOf, SafePromiseRace,
} = primordials;

/** `v instanceof` the class whose prototype is `proto`, asked without `Symbol.hasInstance`
 * (a spec can give `Error` one that says yes to everything, and subclasses inherit it). */
const isA = (proto, v) => v !== null && typeof v === "object" && ObjectPrototypeIsPrototypeOf(proto, v);
const isTimeout = (e) => isA(TimeoutSignal.prototype, e);
const isSkip = (e) => isA(SkipError.prototype, e);

/** Appends every item of `items` (a plain index loop: no iterator user code could replace). */
function pushAll(target, items) {
  for (let i = 0; i < items.length; i++) ArrayPrototypePush(target, items[i]);
}

export function errorOf(e) {
  if (isA(ErrorPrototype, e)) {
    return {
      name: e.name,
      message: e.message,
      stack: e.stack,
      callLog: ArrayIsArray(e.callLog) ? e.callLog : undefined,
      matcher: e.matcherResult?.name,
    };
  }
  return { name: "Error", message: `${typeof e === "string" ? e : JSON.stringify(e) ?? String(e)}`, stack: undefined };
}

function suiteModifiers(test) {
  const out = [];
  const chain = test.suite.chain();
  for (let i = 0; i < chain.length; i++) pushAll(out, chain[i].modifiers);
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

const suiteIds = new Map();
function suiteId(s) {
  if (!suiteIds.has(s)) suiteIds.set(s, suiteIds.size);
  return suiteIds.get(s);
}

/** What the worker is told of each declared test; built with index loops and captured
 * built-ins, so a spec that replaces array methods cannot hide its tests. */
export function list() {
  const out = [];
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i];
    const chain = t.suite.chain();
    let staticSkip = t.staticSkip;
    const modifiers = suiteModifiers(t);
    for (let j = 0; !staticSkip && j < modifiers.length; j++) {
      const m = modifiers[j];
      if ((m.type === "skip" || m.type === "fixme") && m.condition === true) {
        staticSkip = { type: m.type, description: m.description };
      }
    }
    let only = !!t.only;
    let parallel = false;
    const tags = [];
    const addTags = (list) => {
      for (let k = 0; k < list.length; k++) if (!ArrayPrototypeIncludes(tags, list[k])) ArrayPrototypePush(tags, list[k]);
    };
    for (let j = 0; j < chain.length; j++) {
      only ||= !!chain[j].only;
      parallel ||= chain[j].mode === "parallel";
      addTags(chain[j].tags);
    }
    addTags(t.tags);
    const titlePath = ArrayPrototypeSlice(t.suite.titlePath());
    ArrayPrototypePush(titlePath, t.title);
    const serial = serialGroup(t);
    ArrayPrototypePush(out, {
      id: t.id,
      titlePath,
      line: t.location.line,
      column: t.location.column,
      only,
      tags,
      skip: staticSkip,
      retries: effective(t, "retries") ?? null,
      serialGroup: serial ? suiteId(serial) : null,
      parallel,
    });
  }
  return out;
}

function slug(s) {
  return s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "test";
}

function makeInfo(test, options, run) {
  const titlePath = [...test.suite.titlePath(), test.title];
  const dir = `${options.outputDir}/${slug(`${test.location.file}-${titlePath.join("-")}`)}${options.projectName ? `-${slug(options.projectName)}` : ""}${options.retry ? `-retry${options.retry}` : ""}${options.repeatEachIndex ? `-repeat${options.repeatEachIndex}` : ""}`;
  const info = {
    title: test.title,
    titlePath: [test.location.file, ...titlePath],
    file: test.location.file,
    line: test.location.line,
    column: test.location.column,
    fn: test.fn,
    retry: options.retry,
    repeatEachIndex: options.repeatEachIndex ?? 0,
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
    outputDir: `/${dir}`,
    snapshotDir: snapshotDirOf(test.location.file),
    snapshotSuffix: "linux",
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
        ArrayPrototypePush(info.annotations, { type: "slow", description });
        run.setTimeout(run.timeout * 3);
      }
    },
    skip(condition = true, description) {
      if (typeof condition === "string") [condition, description] = [true, condition];
      if (condition) {
        ArrayPrototypePush(info.annotations, { type: "skip", description });
        throw new SkipError("skip", description);
      }
    },
    fixme(condition = true, description) {
      if (typeof condition === "string") [condition, description] = [true, condition];
      if (condition) {
        ArrayPrototypePush(info.annotations, { type: "fixme", description });
        throw new SkipError("fixme", description);
      }
    },
    fail(condition = true, description) {
      if (typeof condition === "string") [condition, description] = [true, condition];
      if (condition) {
        ArrayPrototypePush(info.annotations, { type: "fail", description });
        info.expectedStatus = "failed";
      }
    },
    // As in Playwright: an absolute path (the project is `/`), and the test's output
    // directory exists once it is asked for.
    outputPath(...segments) {
      try {
        op_sandbox_fs_change_sync("mkdir", `/${dir}`, "", true, false);
      } catch {
        // Outside the files the test may write (an output directory outside the project):
        // the path is still the one to hand to the browser APIs.
      }
      return ["", dir, ...segments].join("/");
    },
    snapshotPath(...args) {
      let kind = "snapshot";
      const last = args[args.length - 1];
      if (last && typeof last === "object" && !Array.isArray(last)) {
        kind = last.kind ?? kind;
        args = args.slice(0, -1);
      }
      if (!["snapshot", "screenshot", "aria"].includes(kind)) {
        throw new Error(`testInfo.snapshotPath: unknown kind "${kind}", must be one of "snapshot", "screenshot" or "aria"`);
      }
      return snapshotPathOf(info, args, kind === "screenshot" ? "screenshot" : "snapshot");
    },
    async attach(name, options = {}) {
      const { path, contentType } = await host("harness.attach", {
        name,
        contentType: options.contentType ?? (options.path ? undefined : typeof options.body === "string" ? "text/plain" : "application/octet-stream"),
        body: options.body === undefined ? undefined : api.toBase64(options.body),
        path: options.path,
        dir,
      });
      ArrayPrototypePush(info.attachments, { name, contentType, path });
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
  run.within = (promise) => SafePromiseRace([promise, run.expiry]);
  run.stop = () => clearTimeout(run.timer);
  return run;
}

function timeoutError(run) {
  return { name: "TimeoutError", message: `Test timeout of ${run.timeout}ms exceeded.`, origin: "timeout" };
}

async function callWithFixtures(scope, fn, info) {
  const values = await scope.values(fixtureParams(fn));
  // Awaited, not returned: an async function that returns a promise adopts it through the
  // promise's `then` property; `await` follows it with the built-in one.
  await fn(values, info);
}

async function runHooks(kind, suites, scope, info, run, errors) {
  for (const suite of suites) {
    for (const h of suite.hooks[kind]) {
      try {
        await run.within(callWithFixtures(scope, h.fn, info));
      } catch (e) {
        if (isTimeout(e)) throw e;
        if (isSkip(e)) throw e;
        ArrayPrototypePush(errors, errorOf(e));
        if (kind.startsWith("before")) return false;
      }
    }
  }
  return true;
}

async function runOne(test, options) {
  const run = makeRun(test, { ...options, timeout: effective(test, "timeout") ?? options.timeout });
  const info = makeInfo(test, options, run);
  state.running = { test, info, steps: run.steps, stepStack: run.stepStack, handlerErrors: [] };
  await host("harness.testBegin", { id: test.id });
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
        const allScope = new FixtureScope(test.pool, suite, options.use, state.workerInfo, false, workerFixtures);
        allScope.onWorkerSetup = scope.onWorkerSetup;
        await runHooks("beforeAll", [suite], allScope, info, run, hookErrors);
        if (hookErrors.length) suite.beforeAllState.error = hookErrors[0];
      }
      if (suite.beforeAllState.error) {
        ArrayPrototypePush(errors, suite.beforeAllState.error);
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
    if (isTimeout(e)) {
      status = "timedOut";
      ArrayPrototypePush(errors, timeoutError(run));
    } else if (isSkip(e)) {
      status = "skipped";
    } else {
      ArrayPrototypePush(errors, errorOf(e));
    }
  }
  const soft = takeSoftErrors();
  for (let i = 0; i < soft.length; i++) ArrayPrototypePush(errors, errorOf(soft[i]));
  pushAll(errors, ArrayPrototypeSplice(state.running.handlerErrors, 0));
  if (status === "passed" && errors.length) status = "failed";
  info.status = status;
  info.errors = ObjectFreeze(ArrayPrototypeSlice(errors));
  info.error = errors[0];
  // afterEach hooks and fixture teardown get a fresh budget of the same size.
  const teardownRun = makeRun(test, { timeout: run.timeout });
  state.running.teardown = true;
  teardownRun.arm();
  try {
    const afterErrors = [];
    await runHooks("afterEach", [...suites].reverse(), scope, info, teardownRun, afterErrors);
    const { errors: teardownErrors } = await teardownRun.within(scope.teardown());
    for (let i = 0; i < teardownErrors.length; i++) ArrayPrototypePush(afterErrors, errorOf(teardownErrors[i]));
    // Rejections of the test's own promises that surfaced while it was torn down.
    pushAll(afterErrors, ArrayPrototypeSplice(state.running.handlerErrors, 0));
    if (afterErrors.length) {
      pushAll(errors, afterErrors);
      if (status === "passed" || status === "skipped") status = "failed";
    }
  } catch (e) {
    if (isTimeout(e)) {
      ArrayPrototypePush(errors, { name: "TimeoutError", message: `Tearing down fixtures and afterEach hooks exceeded the test timeout of ${run.timeout}ms.`, origin: "timeout" });
      if (status === "passed") status = "timedOut";
    } else ArrayPrototypePush(errors, errorOf(e));
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
      ArrayPrototypePush(errors, { name: "Error", message: "Expected to fail, but passed." });
    }
  }
  state.running = null;
  // What async functions of the harness resolve with has no prototype: a test that gives
  // every object a `then` (Object.prototype.then) cannot make the harness wait on it.
  const result = {
    __proto__: null,
    id: test.id,
    status,
    errors,
    annotations: info.annotations,
    attachments: info.attachments,
    steps: run.steps,
  };
  return result;
}

async function runAfterAll(suite, options, errorsOut) {
  if (!suite.beforeAllState) return;
  const run = makeRun(null, { timeout: options.timeout });
  run.arm();
  const scope = new FixtureScope(basePool, suite, options.use, state.workerInfo, false, workerFixtures);
  for (const h of suite.hooks.afterAll) {
    try {
      await run.within(callWithFixtures(scope, h.fn, state.workerInfo));
    } catch (e) {
      ArrayPrototypePush(errorsOut, isTimeout(e) ? { name: "TimeoutError", message: `afterAll hook timeout of ${options.timeout}ms exceeded.` } : errorOf(e));
    }
  }
  run.stop();
}

/** Before a worker's isolate loads its next spec file: nothing of the last file's tests is left
 * to list or run. */
export function resetFile() {
  resetRegistrations();
  suiteIds.clear();
  state.running = null;
  state.lateErrors = [];
  workerFixtures.clear();
}

export async function runTests(ids, options) {
  setDefaultTimeout(options.expectTimeout ?? 5000);
  setSnapshotSettings(options.snapshots);
  state.workerInfo = { workerIndex: options.workerIndex, parallelIndex: options.workerIndex, project: { name: options.projectName ?? "", use: options.use ?? {} }, config: options.configSummary ?? {} };
  const selected = [];
  for (let i = 0; i < ids.length; i++) if (tests[ids[i]]) ArrayPrototypePush(selected, tests[ids[i]]);
  const remaining = new Map();
  for (let i = 0; i < selected.length; i++) {
    const chain = selected[i].suite.chain();
    for (let j = 0; j < chain.length; j++) remaining.set(chain[j], (remaining.get(chain[j]) ?? 0) + 1);
  }
  const failedSerial = new Set();
  const teardownErrors = [];
  for (let i = 0; i < selected.length; i++) {
    const t = selected[i];
    const group = serialGroup(t);
    let result;
    if (group && failedSerial.has(group)) {
      result = { id: t.id, status: "skipped", errors: [], annotations: [{ type: "skip", description: "a previous test in this serial group failed" }], attachments: [], steps: [], notRun: true };
    } else {
      result = await runOne(t, options);
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
        pushAll(result.errors, ArrayPrototypeMap(hookErrors, (e) => ({ ...e, message: `afterAll hook: ${e.message}` })));
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
      ArrayPrototypePush(teardownErrors, errorOf(e));
    }
  }
  workerFixtures.clear();
  return { __proto__: null, teardownErrors, lateErrors: state.lateErrors.splice(0) };
}

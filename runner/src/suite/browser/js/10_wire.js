// The wire to the host: one function, `host(method, args)`, sends a row of the host-call table
// (runner/src/suite/protocol) and turns its reply into a value or into the JS error its kind
// names. Calls about a page also bring back the page's URL and frames, so `page.url()` and
// `page.frames()` stay synchronous.
//
// It takes the host-call op from deno_core while the test snapshot is built, long before any
// user code exists; no module user code can import (only `@playwright/test` and
// `isolate-browser/test` resolve for it) hands the op out.

import { core, primordials } from "ext:core/mod.js";
import { callBegin, callEnd, setSnapshotSender, tracing } from "ext:isolate_suite/browser/12_trace.js";

const { op_sandbox_call: rawCall, op_sandbox_call_abortable: abortableCall, op_sandbox_abort: abortCall, op_sandbox_call_sync: syncCall } = core.ops;
const {
  ArrayIsArray, ArrayPrototypeJoin, ArrayPrototypePush, JSONParse, JSONStringify, ObjectKeys,
  ObjectPrototypeHasOwnProperty, PromisePrototypeThen, RegExpPrototypeTest, StringPrototypeIncludes, StringPrototypeSlice, StringPrototypeStartsWith,
} = primordials;

// A traced call's DOM snapshots: sent straight to the host (not traced themselves), not
// waited for, so tracing adds no round trip to the test's calls.
setSnapshotSender((page, callId, phase) => {
  PromisePrototypeThen(rawCall("page.traceSnapshot", JSONStringify({ page, callId, phase })), undefined, () => {});
});

/**
 * JSON for the wire, written with built-ins taken before any user code ran and ignoring
 * `toJSON`: what the harness reports (a test's status, its errors) is what it built, whatever a
 * spec did to `JSON`, `Array.prototype` or `Object.prototype`. `undefined` members are left out,
 * as `JSON.stringify` does.
 */
export function wireJson(value) {
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSONStringify(value);
    case "number":
      return JSONStringify(value);
    case "object":
      break;
    default:
      return undefined;
  }
  if (value === null) return "null";
  if (ArrayIsArray(value)) {
    const items = [];
    for (let i = 0; i < value.length; i++) ArrayPrototypePush(items, wireJson(value[i]) ?? "null");
    return `[${ArrayPrototypeJoin(items, ",")}]`;
  }
  const members = [];
  const keys = ObjectKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!ObjectPrototypeHasOwnProperty(value, key)) continue;
    const json = wireJson(value[key]);
    if (json !== undefined) ArrayPrototypePush(members, `${JSONStringify(key)}:${json}`);
  }
  return `{${ArrayPrototypeJoin(members, ",")}}`;
}

export class TimeoutError extends Error {
  constructor(message) {
    super(message);
    this.name = "TimeoutError";
  }
}

export class TargetClosedError extends Error {
  constructor(message) {
    super(message);
    this.name = "TargetClosedError";
  }
}

/** A message that already names its API method (`page.click: ...`). */
const NAMED = /^[A-Za-z]+\.[A-Za-z$]+: /;

/**
 * The JS error for a failed call: its class comes from the error's kind, never its text. An
 * action's error is named after the method the user called (`display`: `page.fill` for the
 * host's `locator.fill`), as Playwright names it.
 */
function errorOf(e, method, display = method) {
  if (typeof e.message === "string" && method !== undefined) {
    if (display !== method && StringPrototypeStartsWith(e.message, `${method}:`)) {
      e.message = display + StringPrototypeSlice(e.message, method.length);
    } else if (
      ((ArrayIsArray(e.callLog) && e.callLog.length > 0) || StringPrototypeIncludes(e.message, "\nCall log:\n")) &&
      !RegExpPrototypeTest(NAMED, e.message)
    ) {
      e.message = `${display}: ${e.message}`;
    }
  }
  let err;
  switch (e.kind) {
    case "timeout":
      err = new TimeoutError(e.message);
      break;
    case "targetClosed":
      err = new TargetClosedError(e.message);
      break;
    case "badCall":
      err = new TypeError(e.message);
      break;
    default:
      err = new Error(e.message);
  }
  // A failed action's call log is part of its message, as in Playwright (specs match on it).
  if (ArrayIsArray(e.callLog) && e.callLog.length > 0) {
    const lines = [];
    for (let i = 0; i < e.callLog.length; i++) ArrayPrototypePush(lines, `  - ${e.callLog[i]}`);
    err.message = `${err.message}\nCall log:\n${ArrayPrototypeJoin(lines, "\n")}`;
  }
  return err;
}

let pageUrlSink = () => {};
let pageFramesSink = () => {};
/** Who keeps pages' URLs and frame trees current (the page module). */
export function setPageUrlSink(fn, frames) {
  pageUrlSink = fn;
  pageFramesSink = frames;
}

/**
 * The next batch of page events, in a null-prototype box: the event pump runs beside every
 * test, and a test that gives every object a `then` (Object.prototype.then) must not be able
 * to stall it by making the batch look like a promise.
 */
export async function nextEvents() {
  const reply = JSONParse(await rawCall("events.next", "{}"));
  if (reply.error) throw errorOf(reply.error);
  return { __proto__: null, batch: reply.ok };
}

/** One host call: JSON in, JSON out; host failures become JS errors with this stack. */
/** A harness call the host answers at once (`harness.snapshotRead` and the like), synchronously. */
export function hostSync(method, args = {}) {
  const reply = JSONParse(syncCall(method, wireJson(args)));
  if (reply.error) throw errorOf(reply.error, method, method);
  return reply.ok;
}

/** The AbortError an action stopped by its `signal` rejects with, as Playwright's. */
export function abortError(signal, name, before = false) {
  const reason = signal.reason;
  const text = reason instanceof Error ? reason.message : reason === undefined ? "The operation was aborted" : String(reason);
  const message = before
    ? `${name}: The operation was aborted: ${text}`
    : `${name}: ${text}\nCall log:\n  - The operation was aborted: ${text}`;
  const error = new Error(message);
  error.name = "AbortError";
  error.cause = reason;
  return error;
}

let nextAbortId = 1;

/**
 * One host call: JSON in, JSON out; host failures become JS errors with this stack. `api`
 * names the method the user called (for errors); `signal`, an AbortSignal, stops the call
 * (an aborted action rejects with an AbortError whose cause is the signal's reason).
 */
export async function host(method, args = {}, api = undefined, signal = undefined) {
  // The caller's frames are only on the stack now, before the first await.
  const site = {};
  if (Error.captureStackTrace) Error.captureStackTrace(site, host);
  if (!tracing()) return call(method, args, api, signal, site);
  const record = callBegin(method, args, site);
  let value;
  try {
    value = await call(method, args, api, signal, site);
  } catch (e) {
    callEnd(record, e);
    throw e;
  }
  callEnd(record);
  return value;
}

async function call(method, args, api, signal, site) {
  // The harness's own reports go through wireJson; a browser call's arguments are the test's
  // own values and keep JSON's semantics (`toJSON`, Dates as strings).
  const text = StringPrototypeStartsWith(method, "harness.") ? wireJson(args) : JSONStringify(args);
  const display = api !== undefined && StringPrototypeStartsWith(method, "locator.")
    ? api + StringPrototypeSlice(method, 7)
    : method;
  let reply;
  if (signal) {
    if (signal.aborted) throw abortError(signal, display, true);
    const id = nextAbortId++;
    const onAbort = () => abortCall(id);
    signal.addEventListener("abort", onAbort);
    try {
      reply = JSONParse(await abortableCall(method, text, id));
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    if (reply.error?.kind === "aborted") throw abortError(signal, display);
  } else {
    reply = JSONParse(await rawCall(method, text));
  }
  if (reply.error) {
    const err = errorOf(reply.error, method, display);
    if (typeof site.stack === "string") {
      const frames = site.stack.split("\n").filter((l) => /^\s+at /.test(l));
      err.stack = `${err.name}: ${err.message}\n${frames.join("\n")}`;
    }
    throw err;
  }
  if (typeof reply.url === "string" && args.page !== undefined) pageUrlSink(args.page, reply.url);
  if (ArrayIsArray(reply.frames) && args.page !== undefined) pageFramesSink(args.page, reply.frames);
  return reply.ok;
}

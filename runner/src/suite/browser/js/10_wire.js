// The wire to the host: one function, `host(method, args)`, sends a row of the host-call table
// (runner/src/suite/protocol) and turns its reply into a value or into the JS error its kind
// names. Calls about a page also bring back the page's URL, so `page.url()` stays synchronous.
//
// It takes the host-call op from deno_core while the test snapshot is built, long before any
// user code exists; no module user code can import (only `@playwright/test` and
// `isolate-browser/test` resolve for it) hands the op out.

import { core } from "ext:core/mod.js";

const { op_sandbox_call: rawCall } = core.ops;

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

/** The JS error for a failed call: its class comes from the error's kind, never its text. */
function errorOf(e) {
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
  if (Array.isArray(e.callLog)) err.callLog = e.callLog;
  return err;
}

let pageUrlSink = () => {};
/** Who keeps pages' URLs current (the page module). */
export function setPageUrlSink(fn) {
  pageUrlSink = fn;
}

/** One host call: JSON in, JSON out; host failures become JS errors with this stack. */
export async function host(method, args = {}) {
  // The caller's frames are only on the stack now, before the first await.
  const site = {};
  if (Error.captureStackTrace) Error.captureStackTrace(site, host);
  const reply = JSON.parse(await rawCall(method, JSON.stringify(args)));
  if (reply.error) {
    const err = errorOf(reply.error);
    if (typeof site.stack === "string") {
      const frames = site.stack.split("\n").filter((l) => /^\s+at /.test(l));
      err.stack = `${err.name}: ${err.message}\n${frames.join("\n")}`;
    }
    throw err;
  }
  if (typeof reply.url === "string" && args.page !== undefined) pageUrlSink(args.page, reply.url);
  return reply.ok;
}

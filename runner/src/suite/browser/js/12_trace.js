// The running test's trace, as the isolate sees it: every API call, assertion and step with
// its parameters, timing, source location, error and call log, as Playwright's trace events.
// Test-runner events (`test.trace`) and, per traced browser context, the library events of
// the calls on its pages (merged by the host with the context's frames, console and network).
//
// Built with the built-ins taken before user code ran: a spec cannot change what its trace
// says it did.

import { primordials } from "ext:core/mod.js";

const {
  ArrayPrototypePush, ArrayPrototypeSplice, ArrayPrototypeIndexOf, DateNow, MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, MathMax,
  ObjectKeys, RegExpPrototypeExec, SafeMap, StringPrototypeIndexOf, StringPrototypeSlice, StringPrototypeSplit,
  StringPrototypeStartsWith, StringPrototypeToLowerCase, StringPrototypeToUpperCase, StringPrototypeReplace, SafeRegExp,
} = primordials;

/** The test's own events while it is traced (`use.trace`), or null. */
let testEvents = null;
/** The steps open now, innermost last. */
let open = [];
/** The traced browser contexts (by `use.trace` or `context.tracing.start()`): their events. */
const contexts = new SafeMap();
let inAssertion = 0;
let nextCall = 1;
/** Page id -> context id, for the calls of traced contexts. */
const pageContexts = new SafeMap();
/** Turns a locator chain into Playwright's notation (set by the locator module). */
let describeChain = () => "";

export function setChainDescriber(fn) {
  describeChain = fn;
}

/** Asks the host for a DOM snapshot of a page (set by the wire; the call is not awaited). */
let sendSnapshot = () => {};

export function setSnapshotSender(fn) {
  sendSnapshot = fn;
}

export function registerPage(page, context) {
  MapPrototypeSet(pageContexts, page, context);
}

/** Where the next context's part of the test's trace goes (set while a test is traced). */
let librarySink;

/** The path for the next traced context's part of the test's trace, or undefined. */
export function testLibrarySink() {
  return librarySink === undefined ? undefined : librarySink();
}
testLibrarySink.active = () => librarySink !== undefined;

/** The `context.tracing` objects traced for the running test. */
let testTracings = [];

export function registerTestTracing(tracing) {
  ArrayPrototypePush(testTracings, tracing);
}

/** Writes the part of the test's trace of every context still open. */
export async function finishTestTracings() {
  const list = testTracings;
  testTracings = [];
  for (let i = 0; i < list.length; i++) await list[i]._finishForTest();
}

/** Starts the test's trace; `sink()` names where each context's part of it is written. */
export function traceStart(sink) {
  librarySink = sink;
  testEvents = [];
  open = [];
  inAssertion = 0;
}

/** Whether anything is being traced. */
export function tracing() {
  return testEvents !== null || contexts.size > 0;
}

/** Ends the test's trace: its test-runner events. */
export function traceTake() {
  const events = testEvents;
  testEvents = null;
  librarySink = undefined;
  open = [];
  return events;
}

/** Starts recording the library events of `context`'s pages. */
export function traceContext(context) {
  MapPrototypeSet(contexts, context, []);
}

/** The library events recorded for `context` since it started; it is no longer traced. */
export function takeContextEvents(context) {
  const events = MapPrototypeGet(contexts, context) ?? [];
  MapPrototypeDelete(contexts, context);
  return events;
}

const FRAME = new SafeRegExp("^\\s+at (?:.*? \\()?(.+?):(\\d+):(\\d+)\\)?$");

/** The user's frames of a captured stack (ours are `ext:` and `node:` modules). */
export function userFrames(stack) {
  const out = [];
  if (typeof stack !== "string") return out;
  const lines = StringPrototypeSplit(stack, "\n");
  for (let i = 1; i < lines.length; i++) {
    const m = RegExpPrototypeExec(FRAME, lines[i]);
    if (m === null) continue;
    let file = m[1];
    if (StringPrototypeStartsWith(file, "file://")) file = StringPrototypeSlice(file, 7);
    if (!StringPrototypeStartsWith(file, "/")) continue;
    ArrayPrototypePush(out, { file, line: +m[2], column: +m[3] });
  }
  return out;
}

/** Begins a step of the test runner's trace; answers its id for `stepEnd`. */
export function stepBegin(method, title, params, stack, extra = undefined) {
  const callId = `call@${nextCall++}`;
  if (testEvents === null) return callId;
  const parentId = open.length ? open[open.length - 1] : undefined;
  const event = { type: "before", callId, parentId, startTime: DateNow(), class: "Test", method, title, params: params ?? {}, stack: stack ?? [] };
  if (extra !== undefined) {
    for (const k of ObjectKeys(extra)) event[k] = extra[k];
  }
  ArrayPrototypePush(testEvents, event);
  ArrayPrototypePush(open, callId);
  return callId;
}

/** Ends step `callId`, failed with `error` if given. */
export function stepEnd(callId, error = undefined) {
  if (testEvents === null || callId === undefined) return;
  const i = ArrayPrototypeIndexOf(open, callId);
  if (i >= 0) ArrayPrototypeSplice(open, i, 1);
  const event = { type: "after", callId, endTime: DateNow(), annotations: [] };
  if (error !== undefined) event.error = errorOf(error);
  ArrayPrototypePush(testEvents, event);
}

function errorOf(error) {
  const message = error instanceof Error ? `${error.name && error.name !== "Error" ? `${error.name}: ` : "Error: "}${error.message}` : String(error);
  return { name: "", message, stack: error instanceof Error && typeof error.stack === "string" ? error.stack : undefined };
}

/** The test's errors, as the trace's `error` events. */
export function traceErrors(errors) {
  if (testEvents === null) return;
  for (let i = 0; i < errors.length; i++) {
    const e = errors[i];
    const message = `${e.name && e.name !== "Error" ? `${e.name}: ` : "Error: "}${e.message ?? ""}`;
    ArrayPrototypePush(testEvents, { type: "error", message, stack: userFrames(e.stack) });
  }
}

// ---- API calls -------------------------------------------------------------------------------

/** Host calls that are plumbing, not something the test did (`ns:method`, as `byMethod` reads). */
const QUIET = new SafeMap([
  ["page:subscribe", true], ["page:unsubscribe", true], ["handle:dispose", true], ["page:consoleMessages", false],
  ["browser:launch", true], ["browser:newContext", true], ["context:newPage", true], ["context:close", true],
  ["context:tracingStart", true], ["context:tracingStop", true], ["page:traceSnapshot", true], ["video:path", true], ["video:saveAs", true], ["video:delete", true],
  ["route:continue", true], ["route:fulfill", true], ["route:abort", true], ["route:fallback", true], ["dialog:answer", true],
]);

const TITLES = new SafeMap([
  ["page:goto", "Navigate"], ["page:reload", "Reload"], ["page:goBack", "Go back"], ["page:goForward", "Go forward"],
  ["page:setContent", "Set content"], ["page:evaluate", "Evaluate"], ["page:screenshot", "Screenshot"],
  ["page:waitForTimeout", "Wait for timeout"], ["page:waitForLoadState", "Wait for load state"], ["page:waitForURL", "Wait for navigation"],
  ["locator:click", "Click"], ["locator:dblclick", "Double click"], ["locator:fill", "Fill"], ["locator:press", "Press"],
  ["locator:check", "Check"], ["locator:uncheck", "Uncheck"], ["locator:hover", "Hover"], ["locator:selectOption", "Select option"],
  ["locator:textContent", "Get text content"], ["locator:innerText", "Get inner text"], ["locator:waitFor", "Wait for"],
  ["keyboard:press", "Press key"], ["keyboard:type", "Type"], ["mouse:click", "Click"], ["mouse:move", "Mouse move"],
]);

/** `map`'s entry for host method `method` (`page.goto` is `page:goto` there). */
function byMethod(map, method) {
  return MapPrototypeGet(map, StringPrototypeReplace(method, ".", ":"));
}

const CAPS = new SafeRegExp("([A-Z])", "g");

/** Playwright's kind of title for a call: "Click", "Select option", ... */
function titleOf(method) {
  const known = byMethod(TITLES, method);
  if (known !== undefined) return known;
  const name = StringPrototypeSlice(method, StringPrototypeIndexOf(method, ".") + 1);
  const words = StringPrototypeReplace(name, CAPS, (c) => ` ${StringPrototypeToLowerCase(c)}`);
  return StringPrototypeToUpperCase(words[0] ?? "") + StringPrototypeSlice(words, 1);
}

const CLASSES = new SafeMap([["page", "Frame"], ["locator", "Frame"], ["frame", "Frame"], ["context", "BrowserContext"], ["keyboard", "Page"], ["mouse", "Page"], ["handle", "ElementHandle"], ["expect", "Frame"]]);

/** What a call's parameters say in the trace: the test's own values, the locator in its notation. */
function paramsOf(args) {
  const out = {};
  for (const k of ObjectKeys(args ?? {})) {
    if (k === "page" || k === "context" || k === "chain" || k === "frame") continue;
    out[k] = args[k];
  }
  if (args?.chain !== undefined) out.locator = describeChain(args.chain);
  return out;
}

/**
 * Called by the wire before each host call: a traced API call gets a test step and, when it
 * is about a page of a traced context, library events. Answers what `callEnd` needs, or
 * undefined when nothing is recorded.
 */
export function callBegin(method, args, site) {
  if (StringPrototypeStartsWith(method, "harness.") || StringPrototypeStartsWith(method, "events.")) return undefined;
  if (byMethod(QUIET, method) === true) return undefined;
  // A call made by an assertion belongs to it.
  if (inAssertion > 0) return undefined;
  const params = paramsOf(args);
  const title = titleOf(method);
  const subtitle = params.locator ?? (typeof params.url === "string" ? params.url : undefined);
  const stack = userFrames(site?.stack);
  const callId = stepBegin("pw:api", title, params, stack, subtitle === undefined ? undefined : { subtitle });
  return libraryBegin(callId, method, args, params, title, stack);
}

function libraryBegin(callId, method, args, params, title, stack) {
  const context = args?.page !== undefined ? MapPrototypeGet(pageContexts, args.page) : args?.context;
  const events = context === undefined ? undefined : MapPrototypeGet(contexts, context);
  const dot = StringPrototypeIndexOf(StringPrototypeReplace(method, ":", "."), ".");
  const ns = StringPrototypeSlice(method, 0, dot);
  const record = { callId, events, title, page: undefined };
  if (events !== undefined) {
    const event = { type: "before", callId, startTime: DateNow(), title, class: MapPrototypeGet(CLASSES, ns) ?? "Page", method: StringPrototypeSlice(method, dot + 1), params, stack };
    if (args?.page !== undefined) event.pageId = `page@${args.page}`;
    ArrayPrototypePush(events, event);
    if (args?.page !== undefined) {
      record.page = args.page;
      sendSnapshot(args.page, callId, "before");
    }
  }
  return record;
}

/** After the host call of `record`: its call log, its error, its end. */
export function callEnd(record, error = undefined) {
  if (record === undefined) return;
  if (record.events !== undefined) {
    if (record.page !== undefined) sendSnapshot(record.page, record.callId, "after");
    const time = DateNow();
    const log = logOf(error);
    for (let i = 0; i < log.length; i++) ArrayPrototypePush(record.events, { type: "log", callId: record.callId, time, message: log[i] });
    const event = { type: "after", callId: record.callId, endTime: time };
    if (error !== undefined) event.error = { message: error?.message ?? String(error), stack: error?.stack };
    ArrayPrototypePush(record.events, event);
  }
  stepEnd(record.callId, error);
}

/** The call log lines of an error message (`Call log:` and the `  - ` lines after it). */
function logOf(error) {
  const out = [];
  const text = typeof error?.message === "string" ? error.message : "";
  const at = text.indexOf("\nCall log:\n");
  if (at < 0) return out;
  const lines = StringPrototypeSplit(StringPrototypeSlice(text, at + 11), "\n");
  for (let i = 0; i < lines.length; i++) {
    if (StringPrototypeStartsWith(lines[i], "  - ")) ArrayPrototypePush(out, StringPrototypeSlice(lines[i], 4));
    else if (StringPrototypeStartsWith(lines[i], "    ")) ArrayPrototypePush(out, StringPrototypeSlice(lines[i], 2));
  }
  return out;
}

/**
 * An assertion: a test step titled as Playwright's (`Expect "toHaveText"`) and, for one about
 * a locator or page, library events that carry the host calls' call log.
 */
export function assertionBegin(name, isNot, received, site) {
  if (!tracing() || inAssertion > 0) return undefined;
  const title = `Expect "${isNot ? "not " : ""}${name}"`;
  const params = {};
  let page;
  if (received !== null && typeof received === "object") {
    if (received._chain !== undefined && received._page !== undefined) {
      params.locator = describeChain(received._chain);
      page = received._page._id;
    } else if (received._id !== undefined && received._context !== undefined) {
      page = received._id;
    }
  }
  const stack = userFrames(site?.stack);
  const callId = stepBegin("expect", title, params, stack, params.locator === undefined ? undefined : { subtitle: params.locator });
  inAssertion++;
  if (page === undefined) return { callId, events: undefined, title };
  return libraryBegin(callId, "expect:expect", { page }, params, title, stack);
}

export function assertionEnd(record, error = undefined) {
  if (record === undefined) return;
  inAssertion = MathMax(0, inAssertion - 1);
  callEnd(record, error);
}

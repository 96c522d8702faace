// Bootstraps the sandbox global scope: loads deno_web's web-platform implementations, installs
// the globals a web developer expects, wires console/crypto/tools to host ops, and finally
// removes every internal (`Deno`, `__bootstrap`, ops) from reach of user code.
//
// Runs once, while the startup snapshot is built; every runtime starts from its result.

import { core } from "ext:core/mod.js";
import { fetch, FormData, Headers, Request, Response } from "ext:isolate_sandbox/10_fetch.js";
import { serve } from "ext:isolate_sandbox/30_serve.js";

const {
  op_sandbox_console,
  op_sandbox_random_fill,
  op_sandbox_tool_call,
  op_sandbox_tool_next,
  op_sandbox_tool_return,
} = core.ops;

const load = (name) => core.loadExtScript(`ext:deno_web/${name}.js`);

const webidl = core.loadExtScript("ext:deno_webidl/00_webidl.js");
const infra = load("00_infra");
const url = load("00_url");
const consoleMod = load("01_console");
const domException = load("01_dom_exception");
const urlPattern = load("01_urlpattern");
const event = load("02_event");
const structuredCloneMod = load("02_structured_clone");
const timers = load("02_timers");
const abortSignal = load("03_abort_signal");
const base64 = load("05_base64");
const streams = load("06_streams");
const encoding = load("08_text_encoding");
const file = load("09_file");
const fileReader = load("10_filereader");
const messagePort = load("13_message_port");
const compression = load("14_compression");
const performanceMod = load("15_performance");
void infra;

// Both node modules are evaluated now so the snapshot holds their exports.
core.loadExtScript("ext:isolate_sandbox/20_node_path.js");
core.loadExtScript("ext:isolate_sandbox/21_node_fs.js");

// ---- console -------------------------------------------------------------------------------
// The host receives the console method as a level number, in this order.
const LEVELS = { log: 0, info: 1, warn: 2, error: 3, debug: 4, trace: 5 };
let pendingLevel = -1;
const newConsole = () => new consoleMod.Console((msg, level) => {
  // deno_web reports 0 debug, 1 log/info, 2 warn, 3 error; the wrapper below refines it.
  let lv = pendingLevel;
  if (lv < 0) lv = level === 0 ? LEVELS.debug : level === 2 ? LEVELS.warn : level >= 3 ? LEVELS.error : LEVELS.log;
  const text = msg.endsWith("\n") ? msg.slice(0, -1) : msg;
  op_sandbox_console(lv, text);
});
// Replaced (counters, timers and groups start over) when a pooled runtime is reused.
let consoleImpl = newConsole();
const consoleObj = {};
const METHOD_LEVEL = {
  log: "log", info: "info", warn: "warn", error: "error", debug: "debug", trace: "trace",
  table: "log", dir: "log", dirxml: "log", assert: "error", count: "info", countReset: "warn",
  time: "info", timeEnd: "info", timeLog: "info", group: "log", groupCollapsed: "log",
  groupEnd: "log", clear: "log",
};
for (const name of Object.keys(METHOD_LEVEL)) {
  if (typeof consoleImpl[name] !== "function") continue;
  const lv = LEVELS[METHOD_LEVEL[name]];
  consoleObj[name] = function (...args) {
    const prev = pendingLevel;
    pendingLevel = lv;
    try {
      return consoleImpl[name].apply(consoleImpl, args);
    } finally {
      pendingLevel = prev;
    }
  };
}
// No colours: the host decides how to present text, and logs stay greppable.
consoleMod.setNoColorFns(() => true, () => true);

// ---- crypto --------------------------------------------------------------------------------
const INTEGER_ARRAYS = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  BigInt64Array, BigUint64Array,
];
const crypto = {
  getRandomValues(array) {
    if (!INTEGER_ARRAYS.some((T) => array instanceof T)) {
      throw new domException.DOMException(
        "The provided ArrayBufferView is not an integer array type",
        "TypeMismatchError",
      );
    }
    if (array.byteLength > 65536) {
      throw new domException.DOMException(
        `The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`,
        "QuotaExceededError",
      );
    }
    op_sandbox_random_fill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  },
  randomUUID() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0"));
    return `${h.slice(0, 4).join("")}-${h.slice(4, 6).join("")}-${h.slice(6, 8).join("")}-${
      h.slice(8, 10).join("")
    }-${h.slice(10).join("")}`;
  },
};

// ---- tools ---------------------------------------------------------------------------------
class ToolIterator {
  #id;
  #done = false;
  constructor(id) {
    this.#id = id;
  }
  async next() {
    if (this.#done) return { done: true, value: undefined };
    const item = await op_sandbox_tool_next(this.#id);
    if (item === undefined || item === null) {
      this.#done = true;
      return { done: true, value: undefined };
    }
    return { done: false, value: JSON.parse(item) };
  }
  async return(value) {
    if (!this.#done) {
      this.#done = true;
      op_sandbox_tool_return(this.#id);
    }
    return { done: true, value };
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

function callTool(name, args) {
  const json = JSON.stringify(args, (_k, v) => (v === undefined ? null : v));
  const promise = op_sandbox_tool_call(name, json).then((text) => {
    const reply = JSON.parse(text);
    return reply.kind === "iterator" ? new ToolIterator(reply.id) : reply.value;
  });
  // `for await (const x of tools.stream())` works without an extra `await`.
  promise[Symbol.asyncIterator] = function () {
    let inner = null;
    return {
      async next() {
        inner ??= await promise;
        if (!(inner instanceof ToolIterator)) {
          throw new TypeError(`tool \`${name}\` did not return an async iterator`);
        }
        return inner.next();
      },
      async return(value) {
        if (inner) return inner.return(value);
        return { done: true, value };
      },
    };
  };
  return promise;
}

const tools = new Proxy(Object.freeze({ __proto__: null }), {
  get(_target, name) {
    if (typeof name !== "string") return undefined;
    return (...args) => callTool(name, args);
  },
  has(_target, name) {
    return typeof name === "string";
  },
  set() {
    return false;
  },
});

// ---- timers --------------------------------------------------------------------------------
// Pending timers are tracked so that a pooled runtime's next life starts without the last
// one's.
const activeTimers = new Set();
function setTimeout(callback, delay = 0, ...args) {
  let id;
  const run = typeof callback === "function"
    ? function (...a) {
      activeTimers.delete(id);
      return callback.apply(this, a);
    }
    : callback;
  id = timers.setTimeout.call(globalThis, run, delay, ...args);
  activeTimers.add(id);
  return id;
}
function setInterval(callback, delay = 0, ...args) {
  const id = timers.setInterval.call(globalThis, callback, delay, ...args);
  activeTimers.add(id);
  return id;
}
function clearTimeout(id = undefined) {
  activeTimers.delete(id);
  timers.clearTimeout.call(globalThis, id);
}

/** What the host calls (it alone holds this function) before a pooled runtime's next life. */
function resetForReuse(env) {
  for (const id of activeTimers) timers.clearTimeout.call(globalThis, id);
  activeTimers.clear();
  consoleImpl = newConsole();
  if (env) allowedEnv = { ...env };
  resetProcess();
}

// ---- globals -------------------------------------------------------------------------------
const nonEnumerable = (value) => ({ value, writable: true, enumerable: false, configurable: true });
const globals = {
  console: consoleObj,
  URL: url.URL,
  URLSearchParams: url.URLSearchParams,
  URLPattern: urlPattern.URLPattern,
  DOMException: domException.DOMException,
  Event: event.Event,
  EventTarget: event.EventTarget,
  CustomEvent: event.CustomEvent,
  ErrorEvent: event.ErrorEvent,
  MessageEvent: event.MessageEvent,
  ProgressEvent: event.ProgressEvent,
  PromiseRejectionEvent: event.PromiseRejectionEvent,
  CloseEvent: event.CloseEvent,
  reportError: event.reportError,
  structuredClone: messagePort.structuredClone ?? structuredCloneMod.structuredClone,
  setTimeout,
  setInterval,
  clearTimeout,
  clearInterval: clearTimeout,
  AbortController: abortSignal.AbortController,
  AbortSignal: abortSignal.AbortSignal,
  atob: base64.atob,
  btoa: base64.btoa,
  ReadableStream: streams.ReadableStream,
  ReadableStreamDefaultReader: streams.ReadableStreamDefaultReader,
  ReadableStreamBYOBReader: streams.ReadableStreamBYOBReader,
  ReadableByteStreamController: streams.ReadableByteStreamController,
  ReadableStreamDefaultController: streams.ReadableStreamDefaultController,
  WritableStream: streams.WritableStream,
  WritableStreamDefaultWriter: streams.WritableStreamDefaultWriter,
  TransformStream: streams.TransformStream,
  ByteLengthQueuingStrategy: streams.ByteLengthQueuingStrategy,
  CountQueuingStrategy: streams.CountQueuingStrategy,
  TextEncoder: encoding.TextEncoder,
  TextDecoder: encoding.TextDecoder,
  TextEncoderStream: encoding.TextEncoderStream,
  TextDecoderStream: encoding.TextDecoderStream,
  Blob: file.Blob,
  File: file.File,
  FileReader: fileReader.FileReader,
  MessageChannel: messagePort.MessageChannel,
  MessagePort: messagePort.MessagePort,
  CompressionStream: compression.CompressionStream,
  DecompressionStream: compression.DecompressionStream,
  Performance: performanceMod.Performance,
  PerformanceEntry: performanceMod.PerformanceEntry,
  PerformanceMark: performanceMod.PerformanceMark,
  PerformanceMeasure: performanceMod.PerformanceMeasure,
  performance: performanceMod.performance,
  crypto,
  Headers,
  Request,
  Response,
  FormData,
  fetch,
  serve,
  tools,
};
for (const [name, value] of Object.entries(globals)) {
  Object.defineProperty(globalThis, name, nonEnumerable(value));
}
// ---- process ------------------------------------------------------------------------------
// Loaded once the globals it uses exist. Its `env` is filled when a runtime is sealed, with the
// variables the host allows, and put back as it was when a pooled runtime is reused.
const processMod = core.loadExtScript("ext:isolate_sandbox/22_node_process.js");
// The other node modules are evaluated now too, so the snapshot holds their exports.
core.loadExtScript("ext:isolate_sandbox/23_node_url.js");
core.loadExtScript("ext:isolate_sandbox/24_node_os.js");
core.loadExtScript("ext:isolate_sandbox/25_node_util.js");
for (const name of [
  "26_node_module", "27_node_fs", "28_node_events", "2a_node_crypto", "2b_node_assert",
  "2c_node_assert_strict", "2e_node_timers_modules", "2f_node_timers_promises",
  "2g_node_querystring", "2h_node_string_decoder", "2i_node_stream",
]) {
  core.loadExtScript(`ext:isolate_sandbox/${name}.js`);
}
// Node's global Buffer, as packages written for Node expect it.
const { Buffer } = core.loadExtScript("ext:isolate_sandbox/29_node_buffer.js");
Object.defineProperty(globalThis, "Buffer", nonEnumerable(Buffer));
Object.defineProperty(globalThis, "global", nonEnumerable(globalThis));
const processObj = processMod.default;
const processEnv = processObj.env;
let allowedEnv = {};
// Taken now: a reused runtime's earlier user code may have replaced them.
const ObjectKeys = Object.keys;
const ObjectAssign = Object.assign;
function resetProcess() {
  processObj.env = processEnv;
  for (const k of ObjectKeys(processEnv)) delete processEnv[k];
  ObjectAssign(processEnv, allowedEnv);
  processObj.exitCode = undefined;
}
Object.defineProperty(globalThis, "process", nonEnumerable(processObj));
Object.defineProperty(globalThis, "__isolateBrowserSetEnv", nonEnumerable((vars) => {
  allowedEnv = { ...vars };
  resetProcess();
}));

// Taken and deleted by the runner's seal script before any user code runs.
Object.defineProperty(globalThis, "__isolateBrowserReset", nonEnumerable(resetForReuse));
Object.defineProperty(globalThis, "self", {
  get: () => globalThis,
  enumerable: false,
  configurable: true,
});
void webidl;

// `Deno` and `__bootstrap` must survive into the snapshot (deno_core wires ops through them
// when a runtime starts); the runner deletes both before any user code runs.

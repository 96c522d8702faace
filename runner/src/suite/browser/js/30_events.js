// Page events: listeners by target and name, the pump that pulls event batches from the host
// while anyone listens, and the dispatch that turns each event into what listeners receive.
// Route handlers are listeners too: a paused request waits for its handler's answer.

import { host, nextEvents, TargetClosedError, TimeoutError } from "ext:isolate_suite/browser/10_wire.js";
import { ms, urlMatch } from "ext:isolate_suite/browser/11_values.js";
import { ConsoleMessage, Dialog, FileChooser, Request, Response, Route } from "ext:isolate_suite/browser/20_network.js";
import { handleOf } from "ext:isolate_suite/browser/45_handles.js";

const listeners = new Map(); // target id -> Map(event name -> Set(fn))
const routes = new Map(); // route id -> { handler, context, owner }
let pumping = false;
let nextRouteId = 1;

/** Pages by id, filled by the page module: events name their page by id. */
export const pagesById = new Map();

let popupOf = () => undefined;
/** How a popup event becomes a page (the page module knows how to make one). */
export function setPopupFactory(fn) {
  popupOf = fn;
}

export function on(targetId, name, fn) {
  if (!listeners.has(targetId)) listeners.set(targetId, new Map());
  const byName = listeners.get(targetId);
  if (!byName.has(name)) byName.set(name, new Set());
  byName.get(name).add(fn);
  pump();
}

export function off(targetId, name, fn) {
  listeners.get(targetId)?.get(name)?.delete(fn);
}

/** The listeners of `name` on the target (of every event when `name` is undefined), as
 * [name, fn] pairs. */
export function listenersOf(targetId, name) {
  const out = [];
  for (const [event, fns] of listeners.get(targetId) ?? []) {
    if (name === undefined || event === name) for (const fn of fns) out.push([event, fn]);
  }
  return out;
}

export function hasListeners(targetId, name) {
  return (listeners.get(targetId)?.get(name)?.size ?? 0) > 0;
}

/** Registers a route handler of `owner`, a page or context (`context`: the browser context
 * whose cookies its `route.fetch()` sends); the id goes to the host with the URL pattern. */
export function addRoute(handler, context, owner) {
  if (typeof handler !== "function") throw new Error("route: handler must be a function");
  const routeId = nextRouteId++;
  routes.set(routeId, { handler, context, owner });
  pump();
  return routeId;
}

/** The ids `handler` was registered under (for `unroute(url, handler)`), forgotten here. */
export function routeIdsOf(handler) {
  const ids = [];
  for (const [id, r] of routes) if (r.handler === handler) ids.push(id);
  return ids;
}

/** What `unrouteAll({ behavior })` does about `owner`'s handlers still running: `'wait'` for
 * them to finish, `'ignoreErrors'` drop what they throw from now on, `'default'` nothing. */
export async function settleRoutes(owner, behavior = "default") {
  if (!["default", "wait", "ignoreErrors"].includes(behavior)) {
    throw new Error(`unrouteAll: behavior must be one of "default", "wait", "ignoreErrors" (got ${behavior})`);
  }
  for (const [id, r] of routes) if (r.owner === owner) routes.delete(id);
  const running = [...(owner._runningRoutes ?? [])];
  if (behavior === "ignoreErrors") for (const p of running) p._ignoreErrors = true;
  if (behavior === "wait") await Promise.allSettled(running);
}

/** The arguments of `unroute(url, handler?)` beside the target's id. */
export function unrouteArgs(url, handler) {
  return { url: urlMatch(url), routeIds: handler === undefined ? undefined : routeIdsOf(handler) };
}

/** Pulls page events from the host while anyone listens; the pending call ends with the isolate. */
function pump() {
  if (pumping) return;
  pumping = true;
  (async () => {
    for (;;) {
      let batch;
      try {
        batch = (await nextEvents()).batch;
      } catch {
        pumping = false;
        return;
      }
      if (batch === null) {
        pumping = false;
        return;
      }
      for (const ev of batch) dispatch(ev);
    }
  })();
}

/** How many requests a page remembers, so that a response, a redirect or a failure finds the
 * `Request` object its listeners were given. */
const REMEMBERED_REQUESTS = 1000;

/** The page's `Request` for a request record: the one made before for the same hop, or a new
 * one linked to the hop it was redirected from. */
export function requestOf(page, data) {
  if (!page) return new Request(data, null);
  page._requests ??= new Map();
  const known = data.id ? page._requests.get(data.id) : undefined;
  if (known) return known;
  const request = new Request(data, page);
  if (data.redirectedFrom) {
    const from = page._requests.get(data.redirectedFrom);
    if (from) {
      request._redirectedFrom = from;
      from._redirectedTo = request;
    }
  }
  if (data.id) {
    page._requests.set(data.id, request);
    if (page._requests.size > REMEMBERED_REQUESTS) page._requests.delete(page._requests.keys().next().value);
  }
  return request;
}

/** An uncaught page error as the `Error` Playwright gives (`pageerror`, `page.pageErrors()`). */
export function pageError(data) {
  const err = new Error(data.message.replace(/^[A-Za-z]*Error: /, ""));
  err.name = /^([A-Za-z]*Error):/.exec(data.message)?.[1] ?? "Error";
  if (data.stack) err.stack = data.stack;
  return err;
}

function dispatch(ev) {
  if (ev.type === "route") {
    const registered = routes.get(ev.routeId);
    // The page's own Request for it (the one its request events give), as the route sees it
    // after the fallbacks before.
    const routedPage = pagesById.get(ev.data.page);
    const request = routedPage && ev.data.id ? requestOf(routedPage, ev.data) : new Request(ev.data);
    request._routeView(ev.data);
    const route = new Route(ev.requestId, request, registered?.context ?? null);
    if (!registered) {
      route.fallback();
      return;
    }
    const owner = registered.owner;
    owner._runningRoutes ??= new Set();
    const running = Promise.resolve()
      .then(() => registered.handler(route, route.request()))
      .catch((e) => {
        // The page or context closed under the handler (its test may be over): nothing
        // is left to answer, and nothing the next test did wrong.
        if (e instanceof TargetClosedError) return;
        if (!route._handled) route.abort("failed").catch(() => {});
        if (!running._ignoreErrors) reportHandlerError(e);
      })
      .finally(() => owner._runningRoutes.delete(running));
    owner._runningRoutes.add(running);
    return;
  }
  const page = pagesById.get(ev.page);
  let arg;
  switch (ev.type) {
    case "console":
      arg = new ConsoleMessage(ev.data, page);
      break;
    case "pageerror":
      arg = pageError(ev.data);
      break;
    case "request":
    case "requestfinished":
      arg = requestOf(page, ev.data);
      break;
    case "requestfailed":
      arg = requestOf(page, ev.data);
      arg._settle(null, ev.data.failure);
      break;
    case "response": {
      const request = requestOf(page, ev.data.request ?? { id: "", url: ev.data.url });
      arg = new Response(ev.data, request.frame(), request);
      request._settle(arg);
      break;
    }
    case "dialog":
      arg = new Dialog(ev.data, ev.dialogId, page, (dialog) => emitTo(ev.page, "dialogclosed", dialog));
      break;
    case "filechooser":
      arg = new FileChooser(page, handleOf(ev.data.element, page), ev.data.multiple);
      break;
    case "popup":
      // A page of the opener's context from now on, listened for or not.
      arg = popupOf(page, ev.popup);
      break;
    case "crash":
      if (page) page._crashed = true;
      arg = page;
      break;
    case "load":
    case "domcontentloaded":
      arg = page;
      break;
    case "binding":
      arg = ev.data;
      break;
    case "frameattached":
    case "framedetached":
    case "framenavigated":
      // The page tells its listeners what changed since the tree it knew (a reply may have
      // brought the change first).
      page?._syncFrames(ev.frames);
      return;
    default:
      reportHandlerError(new Error(`unknown page event "${ev.type}" from the host`));
      return;
  }
  const fns = listeners.get(ev.page)?.get(ev.type);
  if (!fns || fns.size === 0) {
    if (ev.type === "dialog") arg.dismiss().catch(() => {});
    return;
  }
  callListeners(fns, arg);
}

/** Calls the listeners of `name` on target `id` with `arg`. */
export function emitTo(id, name, arg) {
  const fns = listeners.get(id)?.get(name);
  if (fns && fns.size > 0) callListeners(fns, arg);
}

/** Calls each listener with `arg`; what they throw or reject with is reported, not raised. */
export function callListeners(fns, arg) {
  for (const fn of [...fns]) {
    try {
      const r = fn(arg);
      if (r && typeof r.catch === "function") r.catch(reportHandlerError);
    } catch (e) {
      reportHandlerError(e);
    }
  }
}

/** `once` of a page or context: a listener that removes itself first. */
export function onceOn(target, name, fn) {
  const wrapper = (v) => {
    target.off(name, wrapper);
    return fn(v);
  };
  return target.on(name, wrapper);
}

/** The timeout a wait of `target` has when it names none: the page's default, else its
 * context's, else 30 s (0: none). */
export function defaultTimeoutOf(target) {
  return target._defaultTimeout ?? target._context?._defaultTimeout ?? 30000;
}

/** The error a wait stopped by its `signal` rejects with, as Playwright's. */
function abortError(signal) {
  const error = new Error("The operation was aborted");
  error.name = "AbortError";
  error.cause = signal.reason;
  return error;
}

/** `waitForEvent` of a page or context: the first event that passes the predicate, within the
 * `timeout` (0: none) and until the `signal` aborts. */
export function waitForEventOn(target, what, name, optionsOrPredicate) {
  const options = typeof optionsOrPredicate === "function" ? { predicate: optionsOrPredicate } : (optionsOrPredicate ?? {});
  const predicate = options.predicate;
  const timeout = ms(options.timeout) ?? defaultTimeoutOf(target);
  const signal = options.signal;
  // The caller's frames, taken now: a timeout fires from a timer, and its error must still
  // point at the test line that waited (our own modules' frames are left out).
  const site = {};
  if (Error.captureStackTrace) Error.captureStackTrace(site, waitForEventOn);
  return new Promise((resolve, reject) => {
    let timer;
    const done = () => {
      clearTimeout(timer);
      target.off(name, listener);
      signal?.removeEventListener?.("abort", onAbort);
    };
    const onAbort = () => {
      done();
      reject(abortError(signal));
    };
    const listener = async (value) => {
      if (predicate && !(await predicate(value))) return;
      done();
      resolve(value);
    };
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    signal?.addEventListener?.("abort", onAbort);
    if (timeout > 0) {
      timer = setTimeout(() => {
        done();
        const error = new TimeoutError(`${what}.waitForEvent: Timeout ${timeout}ms exceeded while waiting for event "${name}"`);
        if (typeof site.stack === "string") {
          const frames = site.stack.split("\n").filter((l) => /^\s+at /.test(l) && !l.includes("ext:isolate_"));
          error.stack = `${error.name}: ${error.message}\n${frames.join("\n")}`;
        }
        reject(error);
      }, timeout);
    }
    target.on(name, listener);
  });
}

let handlerErrorSink = (e) => console.error(e);
/** Where errors of listeners and route handlers go (the harness fails the running test). */
export function setHandlerErrorSink(fn) {
  handlerErrorSink = fn;
}
function reportHandlerError(e) {
  handlerErrorSink(e);
}

// The browser API as one module (`isolate-browser/internal/browser`), for the harness and the
// web-first matchers.

export { host, hostSync, TargetClosedError, TimeoutError } from "ext:isolate_suite/browser/10_wire.js";
export { bufferOf, ms, toBase64 } from "ext:isolate_suite/browser/11_values.js";
export { assertionBegin, assertionEnd, finishTestTracings, stepBegin, stepEnd, traceErrors, traceStart, traceTake, userFrames } from "ext:isolate_suite/browser/12_trace.js";
export { ConsoleMessage, Dialog, FileChooser, Request, Response, responseOk, Route } from "ext:isolate_suite/browser/20_network.js";
export { setHandlerErrorSink } from "ext:isolate_suite/browser/30_events.js";
export { FrameLocator, Locator } from "ext:isolate_suite/browser/40_locator.js";
export { ElementHandle, JSHandle } from "ext:isolate_suite/browser/45_handles.js";
export { Frame } from "ext:isolate_suite/browser/48_frame.js";
export { Page, Video } from "ext:isolate_suite/browser/50_page.js";
export { Browser, BrowserContext, selectors, resetTestIdAttribute, setContextDefaults } from "ext:isolate_suite/browser/60_context.js";
export { APIRequestContext, APIResponse, apiResponseOk, request } from "ext:isolate_suite/browser/70_api_request.js";

// The browser API as one module (`isolate-browser/internal/browser`), for the harness and the
// web-first matchers.

export { host, TargetClosedError, TimeoutError } from "isolate-browser/internal/browser/10_wire.js";
export { bufferOf, ms, toBase64 } from "isolate-browser/internal/browser/11_values.js";
export { ConsoleMessage, Dialog, Request, Response, Route } from "isolate-browser/internal/browser/20_network.js";
export { setHandlerErrorSink } from "isolate-browser/internal/browser/30_events.js";
export { FrameLocator, Locator } from "isolate-browser/internal/browser/40_locator.js";
export { Page } from "isolate-browser/internal/browser/50_page.js";
export { Browser, BrowserContext, setContextDefaults } from "isolate-browser/internal/browser/60_context.js";
export { APIRequestContext, APIResponse, request } from "isolate-browser/internal/browser/70_api_request.js";

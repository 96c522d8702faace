// `serve({ fetch })`: the app server inside the sandbox. The host feeds requests through
// `op_serve_next`; each runs `fetch(request, server)` concurrently with the others (async
// handlers interleave) and its Response goes back whole or, for a ReadableStream body, chunk by
// chunk as the handler produces it. A client that goes away aborts `request.signal`.

import { core } from "ext:core/mod.js";
import {
  headerList,
  Response,
  serverRequest,
  serverRequestId,
  trustedHeaders,
} from "ext:isolate_sandbox/10_fetch.js";

const {
  op_serve_available,
  op_serve_started,
  op_serve_next,
  op_serve_respond,
  op_serve_chunk,
  op_serve_body_read,
  op_serve_body_cancel,
  op_serve_end,
  op_serve_pong,
  op_serve_upgrade,
  op_serve_ws_send_text,
  op_serve_ws_send_binary,
  op_serve_ws_close,
} = core.ops;
const { AbortController } = core.loadExtScript("ext:deno_web/03_abort_signal.js");
const { DOMException } = core.loadExtScript("ext:deno_web/01_dom_exception.js");
const { TextEncoder } = core.loadExtScript("ext:deno_web/08_text_encoding.js");
const { ReadableStream } = core.loadExtScript("ext:deno_web/06_streams.js");

const encoder = new TextEncoder();
let installed = false;

// A WebSocket the handler upgraded a request to (Bun's ServerWebSocket shape).
class ServerWebSocket {
  #id;
  constructor(id, data) {
    this.#id = id;
    this.data = data;
    this.readyState = 1;
  }
  send(message) {
    if (this.readyState !== 1) return;
    if (typeof message === "string") op_serve_ws_send_text(this.#id, message);
    else op_serve_ws_send_binary(this.#id, chunkBytes(message));
  }
  close(code = 1000, reason = "") {
    if (this.readyState > 1) return;
    this.readyState = 2;
    op_serve_ws_close(this.#id, code, String(reason));
  }
  get [Symbol.toStringTag]() {
    return "ServerWebSocket";
  }
}

const goneError = () => new DOMException("The client went away", "AbortError");

function pathOf(url) {
  const i = url.indexOf("/", url.indexOf("//") + 2);
  return i === -1 ? "/" : url.slice(i);
}

function chunkBytes(value) {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError("a response stream must produce strings or bytes");
}

// Answers with the whole body, or streams it when the handler gave a ReadableStream.
function headerLines(headers) {
  let text = "";
  for (const [name, value] of headerList(headers)) text += `${name}:${value}\n`;
  return text;
}

async function send(id, response) {
  const headers = headerLines(response.headers);
  const { status, statusText } = response;
  const source = response._bodySource();
  if (source === null) {
    op_serve_respond(id, status, statusText, headers, null, false);
  } else if (source.bytes && !response.bodyUsed) {
    op_serve_respond(id, status, statusText, headers, source.bytes, false);
  } else if (source.stream) {
    op_serve_respond(id, status, statusText, headers, null, true);
    await stream(id, response.body.getReader());
  } else {
    op_serve_respond(id, status, statusText, headers, await response.bytes(), false);
  }
}

// A request body that streams from the client: each read asks the host for the next chunk.
function requestBody(id) {
  return new ReadableStream({
    async pull(controller) {
      const chunk = await op_serve_body_read(id);
      if (chunk === null) {
        controller.close();
      } else {
        controller.enqueue(chunk);
      }
    },
    cancel() {
      op_serve_body_cancel(id);
    },
  });
}

async function stream(id, reader) {
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(await op_serve_chunk(id, chunkBytes(value)))) {
        reader.cancel().catch(() => {});
        return;
      }
    }
    op_serve_end(id, false);
  } catch (err) {
    console.error(`Error in the response stream of request ${id}:`, err);
    op_serve_end(id, true);
  }
}

export function serve(options) {
  return startServe(options);
}
Object.defineProperty(serve, "running", { get: () => installed, enumerable: false });
// Called by the host's main module once the entry has evaluated: the server is up.
Object.defineProperty(serve, "started", {
  value: () => {
    if (installed) op_serve_started();
  },
  enumerable: false,
});

function startServe(options) {
  if (installed) throw new Error("serve() was already called: an app server has one handler");
  const handler = typeof options === "function" ? { fetch: options } : options;
  if (handler === null || typeof handler !== "object" || typeof handler.fetch !== "function") {
    throw new TypeError("serve() needs { fetch(request, server) { return new Response(...) } }");
  }
  if (!op_serve_available()) {
    throw new Error(
      "serve() is only available in an app server (`isolate-browser serve <entry>`, or AppServer in the library)",
    );
  }
  installed = true;
  const inflight = new Map();
  // Upgraded request id -> { data } until open, then the socket.
  const upgrading = new Map();
  const sockets = new Map();
  const ws = handler.websocket ?? {};
  const server = {
    get pendingRequests() {
      return inflight.size;
    },
    /** Upgrades the request to a WebSocket; the handler then returns nothing. */
    upgrade(request, options = {}) {
      const id = typeof request === "object" && request !== null ? serverRequestId(request) : undefined;
      if (id === undefined || upgrading.has(id)) return false;
      if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") return false;
      if (typeof ws.message !== "function") {
        throw new TypeError("server.upgrade() needs serve({ websocket: { message(ws, data) { ... } } })");
      }
      if (!op_serve_upgrade(id)) return false;
      upgrading.set(id, { data: options?.data });
      return true;
    },
  };
  const call = (name, ...args) => {
    try {
      const r = ws[name]?.(...args);
      if (r && typeof r.catch === "function") {
        r.catch((err) => console.error(`Error in websocket.${name}:`, err));
      }
    } catch (err) {
      console.error(`Error in websocket.${name}:`, err);
    }
  };
  const handle = async (ev) => {
    // The abort signal is made only when the handler asks for it.
    const state = { controller: null, aborted: false };
    inflight.set(ev.id, state);
    let answered = false;
    try {
      const request = serverRequest({
        id: ev.id,
        url: ev.url,
        method: ev.method,
        headers: trustedHeaders(ev.headers ?? []),
        body: ev.method !== "GET" && ev.method !== "HEAD" ? ev.body : null,
        stream: ev.streamed ? requestBody(ev.id) : null,
        signalOf: () => {
          state.controller ??= new AbortController();
          if (state.aborted && !state.controller.signal.aborted) state.controller.abort(goneError());
          return state.controller.signal;
        },
      });
      const response = await handler.fetch(request, server);
      if (upgrading.has(ev.id)) return;
      if (!(response instanceof Response)) {
        throw new TypeError(
          `the fetch handler returned ${response === null ? "null" : typeof response}, not a Response`,
        );
      }
      answered = true;
      await send(ev.id, response);
    } catch (err) {
      console.error(`Error in the fetch handler for ${ev.method} ${pathOf(ev.url)}:`, err);
      if (!answered) {
        op_serve_respond(
          ev.id,
          500,
          "",
          "content-type:text/plain;charset=UTF-8",
          encoder.encode("Internal Server Error"),
          false,
        );
      } else {
        op_serve_end(ev.id, true);
      }
    } finally {
      inflight.delete(ev.id);
    }
  };
  (async () => {
    for (;;) {
      // Every event that is waiting comes in one batch.
      const events = await op_serve_next();
      if (events === null) break;
      for (const ev of events) {
        if (ev.kind === "request") {
          handle(ev);
        } else if (ev.kind === "abort") {
          const state = inflight.get(ev.id);
          if (state) {
            state.aborted = true;
            state.controller?.abort(goneError());
          }
        } else if (ev.kind === "ping") {
          op_serve_pong(ev.id);
        } else if (ev.kind === "ws-open") {
          const socket = new ServerWebSocket(ev.id, upgrading.get(ev.id)?.data);
          upgrading.delete(ev.id);
          sockets.set(ev.id, socket);
          call("open", socket);
        } else if (ev.kind === "ws-message") {
          const socket = sockets.get(ev.id);
          if (socket) call("message", socket, ev.text ?? ev.body);
        } else if (ev.kind === "ws-close") {
          const socket = sockets.get(ev.id);
          sockets.delete(ev.id);
          upgrading.delete(ev.id);
          if (socket) {
            socket.readyState = 3;
            call("close", socket, ev.code, ev.text ?? "");
          }
        }
      }
    }
  })();
  return server;
}

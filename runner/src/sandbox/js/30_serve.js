// `serve({ fetch })`: the app server inside the sandbox. The host feeds requests through
// `op_serve_next`; each runs `fetch(request, server)` concurrently with the others (async
// handlers interleave) and its Response goes back whole or, for a ReadableStream body, chunk by
// chunk as the handler produces it. A client that goes away aborts `request.signal`.

import { core } from "ext:core/mod.js";
import { headerList, Request, Response, trustedHeaders } from "ext:isolate_sandbox/10_fetch.js";

const {
  op_serve_available,
  op_serve_started,
  op_serve_next,
  op_serve_respond,
  op_serve_chunk,
  op_serve_end,
  op_serve_pong,
} = core.ops;
const { AbortController } = core.loadExtScript("ext:deno_web/03_abort_signal.js");
const { DOMException } = core.loadExtScript("ext:deno_web/01_dom_exception.js");
const { TextEncoder } = core.loadExtScript("ext:deno_web/08_text_encoding.js");

const encoder = new TextEncoder();
let installed = false;

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
async function send(id, response) {
  const headers = headerList(response.headers);
  const source = response._bodySource();
  if (source === null) {
    op_serve_respond(id, response.status, headers, null, false);
  } else if (source.bytes && !response.bodyUsed) {
    op_serve_respond(id, response.status, headers, source.bytes, false);
  } else if (source.stream) {
    op_serve_respond(id, response.status, headers, null, true);
    await stream(id, response.body.getReader());
  } else {
    op_serve_respond(id, response.status, headers, await response.bytes(), false);
  }
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
  const server = {
    get pendingRequests() {
      return inflight.size;
    },
  };
  const handle = async (ev) => {
    const controller = new AbortController();
    inflight.set(ev.id, controller);
    let answered = false;
    try {
      const init = { method: ev.method, headers: trustedHeaders(ev.headers), signal: controller.signal };
      if (ev.body !== null && ev.method !== "GET" && ev.method !== "HEAD") init.body = ev.body;
      const request = new Request(ev.url, init);
      const response = await handler.fetch(request, server);
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
          [["content-type", "text/plain;charset=UTF-8"]],
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
          inflight.get(ev.id)?.abort(new DOMException("The client went away", "AbortError"));
        } else if (ev.kind === "ping") {
          op_serve_pong(ev.id);
        }
      }
    }
  })();
  return server;
}

//! Ops of an app server (`serve({ fetch })`): the in-isolate pump pulls events (requests,
//! aborts, liveness pings) and answers each request with a head and a whole or streamed body.
//! The host side is a [`ServeHost`] in the `OpState`, present only in app-server runtimes.

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::OpState;
use deno_core::ToJsBuffer;
use deno_core::op2;
use futures::future::LocalBoxFuture;
use serde::Serialize;

use super::HostError;

/// Something for the pump to act on.
#[derive(Debug)]
pub enum ServeEvent {
    /// A request to answer with [`ServeHost::respond`].
    Request {
        /// Names the request in the answering ops.
        id: u32,
        /// Upper-case method.
        method: String,
        /// Absolute URL.
        url: String,
        /// Header pairs in order.
        headers: Vec<(String, String)>,
        /// The whole body (`None` when empty or streamed).
        body: Option<Vec<u8>>,
        /// The body arrives through [`ServeHost::body_read`] as the client sends it.
        streamed: bool,
    },
    /// The client of request `id` went away (or it timed out): abort its signal.
    Abort {
        /// The request.
        id: u32,
    },
    /// Answer with [`ServeHost::pong`]: the isolate is not stuck.
    Ping {
        /// Echoed back.
        id: u32,
    },
    /// The WebSocket request `id` upgraded to is open.
    WsOpen {
        /// The request (and now socket).
        id: u32,
    },
    /// A frame from the client.
    WsMessage {
        /// The socket.
        id: u32,
        /// A text frame.
        text: Option<String>,
        /// A binary frame.
        binary: Option<Vec<u8>>,
    },
    /// The socket closed (by the client, or after a close the handler started).
    WsClose {
        /// The socket.
        id: u32,
        /// Close code (1005 when the client sent none).
        code: u16,
        /// Close reason.
        reason: String,
    },
}

/// The head of a response.
#[derive(Debug, Clone)]
pub struct ServeHead {
    /// HTTP status.
    pub status: u16,
    /// The handler's own reason phrase (`statusText`), when it is not the status's usual one.
    pub reason: Option<String>,
    /// The headers (each set-cookie value its own entry).
    pub headers: http::HeaderMap,
}

/// The host side of an app server.
pub trait ServeHost {
    /// Called by `serve()`: `false` when this runtime is not an app server.
    fn available(&self) -> bool;
    /// The entry module has evaluated and a handler is installed.
    fn started(&self);
    /// The events waiting (at least one); `None` when the server is closing.
    fn next(&self) -> LocalBoxFuture<'static, Option<Vec<ServeEvent>>>;
    /// Answers request `id`: a whole body, or (with `stream`) a head whose body follows in
    /// [`ServeHost::chunk`] calls until [`ServeHost::end`].
    fn respond(&self, id: u32, head: ServeHead, body: Option<Vec<u8>>, stream: bool);
    /// Sends one chunk of a streamed body; resolves `false` when the client is gone.
    fn chunk(&self, id: u32, bytes: Vec<u8>) -> LocalBoxFuture<'static, bool>;
    /// Ends a streamed body (`errored`: the stream failed, so the client sees it cut off).
    fn end(&self, id: u32, errored: bool);
    /// Answers a [`ServeEvent::Ping`].
    fn pong(&self, id: u32);
    /// The next chunk of request `id`'s streamed body; `Ok(None)` at its end, `Err` with what
    /// went wrong (the client left, the body is over the server's limit).
    fn body_read(&self, id: u32) -> LocalBoxFuture<'static, Result<Option<Vec<u8>>, String>>;
    /// The handler will not read the rest of request `id`'s body.
    fn body_cancel(&self, id: u32);
    /// Answers request `id` by upgrading it to a WebSocket; `false` if it cannot be.
    fn upgrade(&self, id: u32) -> bool;
    /// Sends a text or binary frame on socket `id`.
    fn ws_send(&self, id: u32, text: Option<String>, binary: Option<Vec<u8>>);
    /// Closes socket `id`.
    fn ws_close(&self, id: u32, code: u16, reason: String);
}

/// The app-server host as stored in the `OpState`.
#[derive(Clone)]
pub struct ServeRef(pub Rc<dyn ServeHost>);

fn serve_host(state: &OpState) -> Option<Rc<dyn ServeHost>> {
    state.try_borrow::<ServeRef>().map(|s| s.0.clone())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServeEventJs {
    kind: &'static str,
    id: u32,
    #[serde(skip_serializing_if = "String::is_empty")]
    method: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    url: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    headers: Vec<(String, String)>,
    body: Option<ToJsBuffer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    code: u16,
    #[serde(skip_serializing_if = "is_false")]
    streamed: bool,
}

fn is_false(b: &bool) -> bool {
    !b
}

fn is_zero(n: &u16) -> bool {
    *n == 0
}

#[op2(fast)]
pub fn op_serve_available(state: &mut OpState) -> bool {
    serve_host(state).is_some_and(|h| h.available())
}

#[op2(fast)]
pub fn op_serve_started(state: &mut OpState) {
    if let Some(host) = serve_host(state) {
        host.started();
    }
}

#[op2]
#[serde]
pub async fn op_serve_next(state: Rc<RefCell<OpState>>) -> Option<Vec<ServeEventJs>> {
    let host = serve_host(&state.borrow())?;
    let events = host.next().await?;
    Some(events.into_iter().map(to_js).collect())
}

fn to_js(event: ServeEvent) -> ServeEventJs {
    let empty = |kind, id| ServeEventJs {
        kind,
        id,
        method: String::new(),
        url: String::new(),
        headers: Vec::new(),
        body: None,
        text: None,
        code: 0,
        streamed: false,
    };
    match event {
        ServeEvent::Request {
            id,
            method,
            url,
            headers,
            body,
            streamed,
        } => ServeEventJs {
            kind: "request",
            id,
            method,
            url,
            headers,
            body: body.map(Into::into),
            text: None,
            code: 0,
            streamed,
        },
        ServeEvent::Abort { id } => empty("abort", id),
        ServeEvent::Ping { id } => empty("ping", id),
        ServeEvent::WsOpen { id } => empty("ws-open", id),
        ServeEvent::WsMessage { id, text, binary } => ServeEventJs {
            text,
            body: binary.map(Into::into),
            ..empty("ws-message", id)
        },
        ServeEvent::WsClose { id, code, reason } => ServeEventJs {
            text: Some(reason),
            code,
            ..empty("ws-close", id)
        },
    }
}

/// `headers` is `name:value` lines (names are tokens, values have no line breaks: the
/// Headers class checks both): one string crosses into Rust faster than an array of pairs.
#[op2]
pub fn op_serve_respond(
    state: &mut OpState,
    #[smi] id: u32,
    #[smi] status: u32,
    #[string] status_text: &str,
    #[string] headers: &str,
    #[buffer(copy)] body: Option<Vec<u8>>,
    stream: bool,
) -> Result<(), HostError> {
    let mut map = http::HeaderMap::new();
    for (k, v) in headers.split('\n').filter_map(|line| line.split_once(':')) {
        // The Headers class has checked names and values; what http still refuses is dropped.
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            http::HeaderValue::from_str(v),
        ) {
            map.append(k, v);
        }
    }
    let headers = map;
    let host = serve_host(state).ok_or_else(not_a_server)?;
    let status = u16::try_from(status)
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| HostError::Type(format!("invalid response status {status}")))?;
    // Response's constructor has checked it; only a phrase other than the status's own is kept.
    let canonical = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    let reason = (!status_text.is_empty() && Some(status_text) != canonical)
        .then(|| status_text.to_string());
    host.respond(
        id,
        ServeHead {
            status,
            reason,
            headers,
        },
        body,
        stream,
    );
    Ok(())
}

#[op2]
pub async fn op_serve_chunk(
    state: Rc<RefCell<OpState>>,
    #[smi] id: u32,
    #[buffer(copy)] bytes: Vec<u8>,
) -> bool {
    let Some(host) = serve_host(&state.borrow()) else {
        return false;
    };
    host.chunk(id, bytes).await
}

#[op2]
#[serde]
pub async fn op_serve_body_read(
    state: Rc<RefCell<OpState>>,
    #[smi] id: u32,
) -> Result<Option<ToJsBuffer>, HostError> {
    let host = serve_host(&state.borrow()).ok_or_else(not_a_server)?;
    match host.body_read(id).await {
        Ok(chunk) => Ok(chunk.map(Into::into)),
        Err(message) => Err(HostError::Type(message)),
    }
}

#[op2(fast)]
pub fn op_serve_body_cancel(state: &mut OpState, #[smi] id: u32) {
    if let Some(host) = serve_host(state) {
        host.body_cancel(id);
    }
}

#[op2(fast)]
pub fn op_serve_end(state: &mut OpState, #[smi] id: u32, errored: bool) {
    if let Some(host) = serve_host(state) {
        host.end(id, errored);
    }
}

#[op2(fast)]
pub fn op_serve_pong(state: &mut OpState, #[smi] id: u32) {
    if let Some(host) = serve_host(state) {
        host.pong(id);
    }
}

#[op2(fast)]
pub fn op_serve_upgrade(state: &mut OpState, #[smi] id: u32) -> bool {
    serve_host(state).is_some_and(|h| h.upgrade(id))
}

#[op2(fast)]
pub fn op_serve_ws_send_text(state: &mut OpState, #[smi] id: u32, #[string] text: String) {
    if let Some(host) = serve_host(state) {
        host.ws_send(id, Some(text), None);
    }
}

#[op2(fast)]
pub fn op_serve_ws_send_binary(
    state: &mut OpState,
    #[smi] id: u32,
    #[buffer(copy)] bytes: Vec<u8>,
) {
    if let Some(host) = serve_host(state) {
        host.ws_send(id, None, Some(bytes));
    }
}

#[op2(fast)]
pub fn op_serve_ws_close(
    state: &mut OpState,
    #[smi] id: u32,
    #[smi] code: u32,
    #[string] reason: String,
) {
    if let Some(host) = serve_host(state) {
        host.ws_close(id, u16::try_from(code).unwrap_or(1000), reason);
    }
}

fn not_a_server() -> HostError {
    HostError::Type("this runtime is not an app server".into())
}

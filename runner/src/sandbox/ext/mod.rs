//! The `isolate_sandbox` deno_core extension: every op user code can reach, and the JS that
//! turns them into web-platform globals and `node:` modules.
//!
//! This file is compiled twice: into the library, and into `build.rs`, which bakes the
//! bootstrapped isolate into a startup snapshot. It therefore depends on nothing but deno_core,
//! serde and futures: the ops are thin glue that forward to a [`SandboxHost`] stored in the
//! `OpState`, and the host (policy, files, network, tools) lives elsewhere in the crate.

pub mod serve;

use std::cell::RefCell;
use std::rc::Rc;

use deno_core::OpState;
use deno_core::ToJsBuffer;
use deno_core::convert::Uint8Array;
use deno_core::op2;
use futures::future::LocalBoxFuture;
use serde::Deserialize;
use serde::Serialize;
use serve::op_serve_available;
use serve::op_serve_body_cancel;
use serve::op_serve_body_read;
use serve::op_serve_chunk;
use serve::op_serve_end;
use serve::op_serve_next;
use serve::op_serve_pong;
use serve::op_serve_respond;
use serve::op_serve_started;
use serve::op_serve_upgrade;
use serve::op_serve_ws_close;
use serve::op_serve_ws_send_binary;
use serve::op_serve_ws_send_text;

/// One file-system call made by sandbox code through `node:fs/promises`.
#[derive(Debug, Clone)]
pub enum FsCall {
    /// Read a whole file.
    ReadFile { path: String },
    /// Write (or append to) a file.
    WriteFile {
        path: String,
        data: Vec<u8>,
        append: bool,
    },
    /// List a directory.
    ReadDir { path: String },
    /// Stat a path (symlinks are not followed).
    Stat { path: String },
    /// Create a directory.
    Mkdir { path: String, recursive: bool },
    /// Remove a file or directory.
    Rm {
        path: String,
        recursive: bool,
        force: bool,
    },
    /// Rename a file or directory.
    Rename { from: String, to: String },
}

/// The answer to an [`FsCall`].
#[derive(Debug, Clone)]
pub enum FsReply {
    /// The call succeeded and has nothing to return.
    Done,
    /// File contents.
    Bytes(Vec<u8>),
    /// Directory entries.
    Entries(Vec<DirEntry>),
    /// File metadata.
    Stat(FileStat),
}

/// One directory entry, as `readdir({ withFileTypes: true })` reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirEntry {
    /// The entry's file name.
    pub name: String,
    /// Whether it is a regular file.
    pub is_file: bool,
    /// Whether it is a directory.
    pub is_directory: bool,
    /// Whether it is a symbolic link.
    pub is_symbolic_link: bool,
}

/// File metadata, as `stat()` reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileStat {
    /// Size in bytes.
    pub size: u64,
    /// Whether it is a regular file.
    pub is_file: bool,
    /// Whether it is a directory.
    pub is_directory: bool,
    /// Whether it is a symbolic link.
    pub is_symbolic_link: bool,
    /// Last modification, milliseconds since the Unix epoch.
    pub mtime_ms: f64,
    /// Creation time when the file system knows it, else the modification time.
    pub birthtime_ms: f64,
    /// Unix permission bits.
    pub mode: u32,
}

/// A `fetch()` call as the sandbox made it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchRequest {
    /// Absolute URL.
    pub url: String,
    /// Upper-case method.
    pub method: String,
    /// Header pairs in order.
    pub headers: Vec<(String, String)>,
    /// `follow`, `manual` or `error`.
    pub redirect: String,
    /// Request body, if any.
    #[serde(skip)]
    pub body: Option<Vec<u8>>,
}

/// The response handed back to the sandbox's `fetch()`.
#[derive(Debug, Clone)]
pub struct FetchResponse {
    /// HTTP status.
    pub status: u16,
    /// Reason phrase.
    pub status_text: String,
    /// Final URL after redirects.
    pub url: String,
    /// Header pairs in order.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
    /// Whether a redirect was followed.
    pub redirected: bool,
}

/// What a host tool produced: one value, or a stream consumed by `for await`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ToolReply {
    /// A single JSON value.
    Value { value: serde_json::Value },
    /// An async iterator; pull items with its id.
    Iterator { id: u32 },
}

/// An error a host binding reports to sandbox code; the variant picks the JS error class.
#[derive(Debug, thiserror::Error, deno_error::JsError)]
pub enum HostError {
    /// Surfaces as a `TypeError` (denied fetch, bad arguments).
    #[class(type)]
    #[error("{0}")]
    Type(String),
    /// Surfaces as a plain `Error` (file-system errors carry a Node-style `CODE: ` prefix).
    #[class(generic)]
    #[error("{0}")]
    Generic(String),
}

/// Everything the sandbox can ask of its host. The runner implements it with the policies of a
/// runtime's options; ops only forward to it.
pub trait SandboxHost {
    /// A console call: `level` is the console method, `text` the formatted line.
    fn console(&self, level: u32, text: String);
    /// A file-system call.
    fn fs(&self, call: FsCall) -> LocalBoxFuture<'static, Result<FsReply, HostError>>;
    /// A file-system call that blocks the isolate until it is done (`fs.readFileSync`).
    fn fs_sync(&self, call: FsCall) -> Result<FsReply, HostError>;
    /// A hash (`md5`, `sha1`, `sha256`, `sha384`, `sha512`) of `data`, keyed (HMAC) when a key
    /// is given.
    fn digest(
        &self,
        algorithm: &str,
        key: Option<&[u8]>,
        data: &[u8],
    ) -> Result<Vec<u8>, HostError>;
    /// A network fetch.
    fn fetch(&self, req: FetchRequest)
    -> LocalBoxFuture<'static, Result<FetchResponse, HostError>>;
    /// Call a named host tool with JSON arguments.
    fn tool_call(
        &self,
        name: String,
        args: Vec<serde_json::Value>,
    ) -> LocalBoxFuture<'static, Result<ToolReply, HostError>>;
    /// Pull the next item of a tool's iterator; `None` when it is done.
    fn tool_next(
        &self,
        id: u32,
    ) -> LocalBoxFuture<'static, Result<Option<serde_json::Value>, HostError>>;
    /// Drop a tool iterator early (`break` in a `for await`).
    fn tool_return(&self, id: u32);
    /// The names of the tools the host grants.
    fn tool_names(&self) -> Vec<String>;
    /// A call from the runner's own in-isolate modules (test harness, browser API): a method
    /// name and JSON arguments in, a JSON reply out (`{"value": …}` or `{"error": …}`).
    fn call(
        &self,
        method: String,
        args: String,
    ) -> LocalBoxFuture<'static, Result<String, HostError>>;
}

/// The host as stored in the `OpState`.
#[derive(Clone)]
pub struct HostRef(pub Rc<dyn SandboxHost>);

/// What `require` asks of the module loader: it runs synchronously, as Node's does.
pub trait ModuleHost {
    /// Resolves `request` from the module at sandbox path `parent` with `require` conditions:
    /// JSON `{"format": "cjs"|"esm"|"json"|"builtin", "url": …, "path": …}`.
    fn require_resolve(&self, request: &str, parent: &str) -> Result<String, HostError>;
    /// The JavaScript (types stripped) or JSON text of a resolved `file:` URL.
    fn require_source(&self, url: &str) -> Result<String, HostError>;
    /// Where a CommonJS file that did not compile is wrong: message, file, line, column and a
    /// code frame.
    fn require_syntax_error(&self, url: &str) -> Option<String>;
}

/// The module loader as stored in the `OpState`.
#[derive(Clone)]
pub struct ModuleHostRef(pub Rc<dyn ModuleHost>);

fn module_host(state: &OpState) -> Result<Rc<dyn ModuleHost>, HostError> {
    state
        .try_borrow::<ModuleHostRef>()
        .map(|m| m.0.clone())
        .ok_or_else(|| HostError::Generic("require is not available in this runtime".into()))
}

#[op2]
#[string]
fn op_sandbox_require_resolve(
    state: &mut OpState,
    #[string] request: String,
    #[string] parent: String,
) -> Result<String, HostError> {
    module_host(state)?.require_resolve(&request, &parent)
}

#[op2]
#[string]
fn op_sandbox_require_syntax_error(state: &mut OpState, #[string] url: String) -> Option<String> {
    module_host(state).ok()?.require_syntax_error(&url)
}

#[op2]
#[string]
fn op_sandbox_require_source(
    state: &mut OpState,
    #[string] url: String,
) -> Result<String, HostError> {
    module_host(state)?.require_source(&url)
}

fn host(state: &OpState) -> Rc<dyn SandboxHost> {
    state.borrow::<HostRef>().0.clone()
}

fn host_rc(state: &Rc<RefCell<OpState>>) -> Rc<dyn SandboxHost> {
    host(&state.borrow())
}

#[op2(fast)]
fn op_sandbox_console(state: &mut OpState, #[smi] level: u32, #[string] text: String) {
    host(state).console(level, text);
}

#[op2]
async fn op_sandbox_fs_read(
    state: Rc<RefCell<OpState>>,
    #[string] path: String,
) -> Result<Uint8Array, HostError> {
    match host_rc(&state).fs(FsCall::ReadFile { path }).await? {
        FsReply::Bytes(bytes) => Ok(bytes.into()),
        other => Err(unexpected(other)),
    }
}

#[op2]
async fn op_sandbox_fs_write(
    state: Rc<RefCell<OpState>>,
    #[string] path: String,
    #[buffer(copy)] data: Vec<u8>,
    append: bool,
) -> Result<(), HostError> {
    host_rc(&state)
        .fs(FsCall::WriteFile { path, data, append })
        .await?;
    Ok(())
}

/// Directory listing and stat answers travel as JSON text: small, and keeps the op glue trivial.
#[op2]
#[string]
async fn op_sandbox_fs_query(
    state: Rc<RefCell<OpState>>,
    #[string] kind: String,
    #[string] path: String,
) -> Result<String, HostError> {
    let call = query_call(&kind, path)?;
    query_json(host_rc(&state).fs(call).await?)
}

#[op2]
async fn op_sandbox_fs_change(
    state: Rc<RefCell<OpState>>,
    #[string] kind: String,
    #[string] path: String,
    #[string] other: String,
    recursive: bool,
    force: bool,
) -> Result<(), HostError> {
    let call = change_call(&kind, path, other, recursive, force)?;
    host_rc(&state).fs(call).await?;
    Ok(())
}

fn query_call(kind: &str, path: String) -> Result<FsCall, HostError> {
    match kind {
        "readdir" => Ok(FsCall::ReadDir { path }),
        "stat" => Ok(FsCall::Stat { path }),
        other => Err(HostError::Type(format!("unknown file query `{other}`"))),
    }
}

fn query_json(reply: FsReply) -> Result<String, HostError> {
    let json = match reply {
        FsReply::Entries(entries) => serde_json::to_string(&entries),
        FsReply::Stat(stat) => serde_json::to_string(&stat),
        other => return Err(unexpected(other)),
    };
    json.map_err(|e| HostError::Generic(e.to_string()))
}

fn change_call(
    kind: &str,
    path: String,
    other: String,
    recursive: bool,
    force: bool,
) -> Result<FsCall, HostError> {
    match kind {
        "mkdir" => Ok(FsCall::Mkdir { path, recursive }),
        "rm" => Ok(FsCall::Rm {
            path,
            recursive,
            force,
        }),
        "rename" => Ok(FsCall::Rename {
            from: path,
            to: other,
        }),
        other => Err(HostError::Type(format!("unknown file change `{other}`"))),
    }
}

#[op2]
#[buffer]
fn op_sandbox_fs_read_sync(
    state: &mut OpState,
    #[string] path: String,
) -> Result<Vec<u8>, HostError> {
    match host(state).fs_sync(FsCall::ReadFile { path })? {
        FsReply::Bytes(bytes) => Ok(bytes),
        other => Err(unexpected(other)),
    }
}

#[op2(fast)]
fn op_sandbox_fs_write_sync(
    state: &mut OpState,
    #[string] path: String,
    #[buffer(copy)] data: Vec<u8>,
    append: bool,
) -> Result<(), HostError> {
    host(state).fs_sync(FsCall::WriteFile { path, data, append })?;
    Ok(())
}

#[op2]
#[string]
fn op_sandbox_fs_query_sync(
    state: &mut OpState,
    #[string] kind: String,
    #[string] path: String,
) -> Result<String, HostError> {
    let call = query_call(&kind, path)?;
    query_json(host(state).fs_sync(call)?)
}

#[op2(fast)]
fn op_sandbox_fs_change_sync(
    state: &mut OpState,
    #[string] kind: String,
    #[string] path: String,
    #[string] other: String,
    recursive: bool,
    force: bool,
) -> Result<(), HostError> {
    let call = change_call(&kind, path, other, recursive, force)?;
    host(state).fs_sync(call)?;
    Ok(())
}

fn unexpected(reply: FsReply) -> HostError {
    HostError::Generic(format!("unexpected file-system reply {reply:?}"))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FetchResponseJs {
    status: u16,
    status_text: String,
    url: String,
    headers: Vec<(String, String)>,
    body: ToJsBuffer,
    redirected: bool,
}

#[op2]
#[serde]
async fn op_sandbox_fetch(
    state: Rc<RefCell<OpState>>,
    #[string] request: String,
    #[buffer(copy)] body: Option<Vec<u8>>,
) -> Result<FetchResponseJs, HostError> {
    let mut req: FetchRequest = serde_json::from_str(&request)
        .map_err(|e| HostError::Type(format!("malformed fetch request: {e}")))?;
    req.body = body;
    let res = host_rc(&state).fetch(req).await?;
    Ok(FetchResponseJs {
        status: res.status,
        status_text: res.status_text,
        url: res.url,
        headers: res.headers,
        body: res.body.into(),
        redirected: res.redirected,
    })
}

#[op2]
#[string]
async fn op_sandbox_tool_call(
    state: Rc<RefCell<OpState>>,
    #[string] name: String,
    #[string] args: String,
) -> Result<String, HostError> {
    let args: Vec<serde_json::Value> = serde_json::from_str(&args)
        .map_err(|e| HostError::Type(format!("tool `{name}` arguments are not JSON: {e}")))?;
    let reply = host_rc(&state).tool_call(name, args).await?;
    serde_json::to_string(&reply).map_err(|e| HostError::Generic(e.to_string()))
}

/// Returns the next item as JSON, or `undefined` when the iterator is done.
#[op2]
#[string]
async fn op_sandbox_tool_next(
    state: Rc<RefCell<OpState>>,
    #[smi] id: u32,
) -> Result<Option<String>, HostError> {
    match host_rc(&state).tool_next(id).await? {
        Some(value) => serde_json::to_string(&value)
            .map(Some)
            .map_err(|e| HostError::Generic(e.to_string())),
        None => Ok(None),
    }
}

#[op2(fast)]
fn op_sandbox_tool_return(state: &mut OpState, #[smi] id: u32) {
    host(state).tool_return(id);
}

#[op2]
#[string]
fn op_sandbox_tool_names(state: &mut OpState) -> String {
    serde_json::to_string(&host(state).tool_names()).unwrap_or_else(|_| "[]".into())
}

#[op2]
#[string]
async fn op_sandbox_call(
    state: Rc<RefCell<OpState>>,
    #[string] method: String,
    #[string] args: String,
) -> Result<String, HostError> {
    host_rc(&state).call(method, args).await
}

/// [`op_sandbox_call`] for calls the host answers at once, without waiting on anything (the
/// snapshot matchers' file reads and comparisons, which are synchronous in Playwright); a call
/// that would have to wait is refused rather than blocking the isolate.
#[op2]
#[string]
fn op_sandbox_call_sync(
    state: &mut OpState,
    #[string] method: String,
    #[string] args: String,
) -> Result<String, HostError> {
    use futures::FutureExt as _;
    let call = host(state).call(method.clone(), args);
    call.now_or_never()
        .ok_or_else(|| HostError::Generic(format!("{method} cannot be answered synchronously")))?
}

/// Host calls the JS side may abort (`op_sandbox_abort`), by the id it gave each.
#[derive(Default)]
struct Aborts(std::collections::HashMap<u32, futures::channel::oneshot::Sender<()>>);

/// [`op_sandbox_call`] that ends early, with an `aborted` error reply, when
/// `op_sandbox_abort(id)` is called (an action's `AbortSignal`). Dropping the host's future
/// drops the call's reply channel, which stops the call on the browser's side.
#[op2]
#[string]
async fn op_sandbox_call_abortable(
    state: Rc<RefCell<OpState>>,
    #[string] method: String,
    #[string] args: String,
    #[smi] id: u32,
) -> Result<String, HostError> {
    let (abort, aborted) = futures::channel::oneshot::channel();
    {
        let mut st = state.borrow_mut();
        if !st.has::<Aborts>() {
            st.put(Aborts::default());
        }
        st.borrow_mut::<Aborts>().0.insert(id, abort);
    }
    let call = host_rc(&state).call(method, args);
    let out = match futures::future::select(call, aborted).await {
        futures::future::Either::Left((out, _)) => out,
        futures::future::Either::Right(_) => {
            Ok(r#"{"error":{"kind":"aborted","message":"The operation was aborted"}}"#.to_string())
        }
    };
    if let Some(a) = state.borrow_mut().try_borrow_mut::<Aborts>() {
        a.0.remove(&id);
    }
    out
}

/// Aborts the abortable call `id`, if it is still running.
#[op2(fast)]
fn op_sandbox_abort(state: &mut OpState, #[smi] id: u32) {
    if let Some(a) = state.try_borrow_mut::<Aborts>()
        && let Some(abort) = a.0.remove(&id)
    {
        let _ = abort.send(());
    }
}

/// `createHash(…).digest()` and `createHmac(…).digest()` of `node:crypto`.
#[op2]
#[buffer]
fn op_sandbox_digest(
    state: &mut OpState,
    #[string] algorithm: String,
    #[buffer] key: Option<&[u8]>,
    #[buffer] data: &[u8],
) -> Result<Vec<u8>, HostError> {
    host(state).digest(&algorithm, key, data)
}

/// Fills the buffer with cryptographically secure random bytes (`crypto.getRandomValues`).
#[op2(fast)]
fn op_sandbox_random_fill(#[buffer] buf: &mut [u8]) -> Result<(), HostError> {
    getrandom::fill(buf).map_err(|e| HostError::Generic(format!("no randomness available: {e}")))
}

deno_core::extension!(
    isolate_sandbox,
    deps = [deno_webidl, deno_web],
    ops = [
        op_sandbox_console,
        op_sandbox_fs_read,
        op_sandbox_fs_write,
        op_sandbox_fs_query,
        op_sandbox_fs_change,
        op_sandbox_fs_read_sync,
        op_sandbox_fs_write_sync,
        op_sandbox_fs_query_sync,
        op_sandbox_fs_change_sync,
        op_sandbox_require_resolve,
        op_sandbox_require_source,
        op_sandbox_require_syntax_error,
        op_sandbox_digest,
        op_sandbox_fetch,
        op_sandbox_tool_call,
        op_sandbox_tool_next,
        op_sandbox_tool_return,
        op_sandbox_tool_names,
        op_sandbox_random_fill,
        op_sandbox_call,
        op_sandbox_call_abortable,
        op_sandbox_call_sync,
        op_sandbox_abort,
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
    ],
    esm_entry_point = "ext:isolate_sandbox/99_bootstrap.js",
    esm = [
        dir "src/sandbox/js",
        "10_fetch.js",
        "30_serve.js",
        "99_bootstrap.js",
    ],
    lazy_loaded_js = [
        dir "src/sandbox/js",
        "20_node_path.js",
        "21_node_fs.js",
        "22_node_process.js",
        "23_node_url.js",
        "24_node_os.js",
        "25_node_util.js",
        "21_node_fs_shared.js",
        "26_node_module.js",
        "27_node_fs.js",
        "28_node_events.js",
        "29_node_buffer.js",
        "2a_node_crypto.js",
        "2b_node_assert.js",
        "2c_node_assert_strict.js",
        "2d_node_timers.js",
        "2e_node_timers_modules.js",
        "2f_node_timers_promises.js",
        "2g_node_querystring.js",
        "2h_node_string_decoder.js",
        "2i_node_stream.js",
    ],
    synthetic_esm = [
        "node:path" = "ext:isolate_sandbox/20_node_path.js",
        "node:fs/promises" = "ext:isolate_sandbox/21_node_fs.js",
        "node:process" = "ext:isolate_sandbox/22_node_process.js",
        "node:url" = "ext:isolate_sandbox/23_node_url.js",
        "node:os" = "ext:isolate_sandbox/24_node_os.js",
        "node:util" = "ext:isolate_sandbox/25_node_util.js",
        "node:module" = "ext:isolate_sandbox/26_node_module.js",
        "node:fs" = "ext:isolate_sandbox/27_node_fs.js",
        "node:events" = "ext:isolate_sandbox/28_node_events.js",
        "node:buffer" = "ext:isolate_sandbox/29_node_buffer.js",
        "node:crypto" = "ext:isolate_sandbox/2a_node_crypto.js",
        "node:assert" = "ext:isolate_sandbox/2b_node_assert.js",
        "node:assert/strict" = "ext:isolate_sandbox/2c_node_assert_strict.js",
        "node:timers" = "ext:isolate_sandbox/2e_node_timers_modules.js",
        "node:timers/promises" = "ext:isolate_sandbox/2f_node_timers_promises.js",
        "node:querystring" = "ext:isolate_sandbox/2g_node_querystring.js",
        "node:string_decoder" = "ext:isolate_sandbox/2h_node_string_decoder.js",
        "node:stream" = "ext:isolate_sandbox/2i_node_stream.js",
    ],
);

// The test API and the browser API, evaluated into the startup snapshot: a test isolate starts
// with them loaded, and they take the host-call op before any user code exists. Runtimes of
// `run` and `serve` start from the same snapshot (V8 aborts when isolates of two snapshots
// live in one process), but their loader does not resolve the test API and their seal script
// does not install its globals, so nothing of it is reachable there.
// deno_core lets only its internal schemes import `ext:` modules, so what user code imports
// (`@playwright/test`, through the loader) is `node:isolate-browser/test`, which re-exports the
// harness; user code cannot name it, or anything behind it, itself.
deno_core::extension!(
    isolate_suite,
    deps = [isolate_sandbox],
    esm_entry_point = "node:isolate-browser/test",
    esm = [
        dir "src/suite",
        "node:isolate-browser/test" = "js/00_public.js",
        "ext:isolate_suite/browser/10_wire.js" = "browser/js/10_wire.js",
        "ext:isolate_suite/browser/11_values.js" = "browser/js/11_values.js",
        "ext:isolate_suite/browser/12_trace.js" = "browser/js/12_trace.js",
        "ext:isolate_suite/browser/20_network.js" = "browser/js/20_network.js",
        "ext:isolate_suite/browser/30_events.js" = "browser/js/30_events.js",
        "ext:isolate_suite/browser/40_locator.js" = "browser/js/40_locator.js",
        "ext:isolate_suite/browser/45_handles.js" = "browser/js/45_handles.js",
        "ext:isolate_suite/browser/48_frame.js" = "browser/js/48_frame.js",
        "ext:isolate_suite/browser/50_page.js" = "browser/js/50_page.js",
        "ext:isolate_suite/browser/60_context.js" = "browser/js/60_context.js",
        "ext:isolate_suite/browser/70_api_request.js" = "browser/js/70_api_request.js",
        "ext:isolate_suite/browser/99_index.js" = "browser/js/99_index.js",
        "ext:isolate_suite/matchers/expect.js" = "../../../matchers/src/js/expect.js",
        "ext:isolate_suite/matchers/web_first_matchers.js" = "../../../matchers/src/js/web_first_matchers.js",
        "ext:isolate_suite/matchers/web_first.js" = "../../../matchers/src/js/web_first.js",
        "ext:isolate_suite/config.js" = "js/config.js",
        "ext:isolate_suite/harness/10_state.js" = "js/10_state.js",
        "ext:isolate_suite/harness/14_snapshots.js" = "js/14_snapshots.js",
        "ext:isolate_suite/harness/15_expect.js" = "js/15_expect.js",
        "ext:isolate_suite/harness/20_fixtures.js" = "js/20_fixtures.js",
        "ext:isolate_suite/harness/30_registration.js" = "js/30_registration.js",
        "ext:isolate_suite/harness/40_builtins.js" = "js/40_builtins.js",
        "ext:isolate_suite/harness/50_running.js" = "js/50_running.js",
        "ext:isolate_suite/harness/99_index.js" = "js/99_index.js",
    ],
);

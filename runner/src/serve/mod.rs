//! App servers: sandboxed code calls `serve({ fetch })` (or `export default { fetch }` in its
//! entry module) and the host dispatches HTTP requests into it with [`AppServer::handle`].
//!
//! One isolate serves every request; async handlers interleave in it. Each request is bounded
//! by the runtime's `execution_timeout` (a late request is answered 504 and its
//! `request.signal` aborted); if the isolate does not answer a liveness ping within a grace
//! period after that, it is stuck in synchronous code: it is terminated and a fresh one is
//! started from the entry module (and the log says so). An isolate that dies any other way
//! (the memory limit) is replaced the same way. Requests beyond `max_in_flight` get 503
//! without reaching the sandbox.

mod body;
mod bridge;
pub mod http_server;
mod websocket;

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use body::ResponseBody;
use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
pub use websocket::WebSocketUpgrade;

use crate::sandbox::CancelHandle;
use crate::sandbox::FetchHandler;
use crate::sandbox::HostFetchRequest;
use crate::sandbox::HostFetchResponse;
use crate::sandbox::Runtime;
use crate::sandbox::RuntimeError;
use crate::sandbox::RuntimeOptions;
use crate::sandbox::ScriptError;
use crate::sandbox::ServeBinding;
use crate::sandbox::ext::serve::ServeEvent;
use bridge::Bridge;
use bridge::BridgeHost;
use bridge::Incoming;
use bridge::RespondedBody;

/// How long a stuck isolate has to answer a ping after a request timed out.
const STUCK_GRACE: Duration = Duration::from_secs(1);

/// Where the server's own log lines go (one per restart, per failed start, ...).
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// How to run an app server.
#[derive(Clone)]
pub struct AppServerOptions {
    /// The sandbox: bindings (console, fetch policy, files, modules, tools), module root and
    /// limits. `execution_timeout` bounds each request (default 30 s) and the entry module's
    /// start.
    pub runtime: RuntimeOptions,
    /// The entry module, relative to the module root (`runtime.cwd`).
    pub entry: PathBuf,
    /// Requests in flight beyond this are answered 503.
    pub max_in_flight: usize,
    /// The server's own log.
    pub log: Log,
}

impl AppServerOptions {
    /// Options for `entry` with the given runtime and the defaults.
    pub fn new(entry: impl Into<PathBuf>, runtime: RuntimeOptions) -> Self {
        Self {
            runtime,
            entry: entry.into(),
            max_in_flight: 1024,
            log: Arc::new(|line| crate::stdio::err!("{line}")),
        }
    }
}

/// An app server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The runtime could not be created (module root, files root, fetch policy).
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The entry module failed while loading or evaluating.
    #[error("{entry}: {error}")]
    Entry {
        /// The entry module.
        entry: String,
        /// What it threw.
        error: ScriptError,
    },
    /// The entry module ran but never called `serve()` nor exported a `fetch` handler.
    #[error(
        "{0} did not start a server: call serve({{ fetch(request) {{ ... }} }}) or `export default {{ fetch }}` in it"
    )]
    NoHandler(String),
    /// The entry module did not finish starting within the time limit.
    #[error("{0} did not start the server within {1:?}")]
    StartTimeout(String, Duration),
}

/// What [`AppServer::handle`] produced.
#[derive(Debug)]
pub enum Handled {
    /// An HTTP response; its body may still be streaming from the sandbox.
    Response(http::Response<ResponseBody>),
    /// The handler upgraded the request to a WebSocket.
    WebSocket(WebSocketUpgrade),
}

impl Handled {
    /// The response; an upgrade where none can be made (no connection to take over, as in
    /// request interception) becomes a 501.
    pub fn into_response(self) -> http::Response<ResponseBody> {
        match self {
            Self::Response(r) => r,
            Self::WebSocket(_) => plain_response(
                501,
                "Not Implemented: WebSocket upgrades need a real connection\n",
            ),
        }
    }
}

/// One isolate serving requests.
#[derive(Clone)]
pub(crate) struct Generation {
    number: u64,
    incoming: mpsc::UnboundedSender<Incoming>,
    cancel: CancelHandle,
    alive: Arc<AtomicBool>,
    checking: Arc<AtomicBool>,
    /// Requests handed over on the isolate's own thread, for the watchdog.
    watch: Arc<Watch>,
}

impl Generation {
    /// Runs `work` on the isolate's thread (once its pump takes it); `false` if the isolate
    /// has gone.
    pub(crate) fn on_isolate(&self, work: impl FnOnce(OnIsolate) + Send + 'static) -> bool {
        let generation = self.clone();
        self.incoming
            .send(Incoming::OnIsolate(Box::new(move |bridge| {
                work(OnIsolate { bridge, generation });
            })))
            .is_ok()
    }

    /// How long the oldest request handed over on the isolate's thread has been waiting.
    pub(crate) fn oldest_local_request(&self) -> Option<Duration> {
        self.watch.oldest()
    }
}

/// Where work on the isolate's thread hands requests over.
pub(crate) struct OnIsolate {
    pub(crate) bridge: bridge::LocalBridge,
    pub(crate) generation: Generation,
}

/// Start times of requests in flight that were handed over on the isolate's thread.
#[derive(Default)]
pub(crate) struct Watch(Mutex<std::collections::HashMap<u32, std::time::Instant>>);

impl Watch {
    fn start(&self, id: u32, at: std::time::Instant) -> Watched<'_> {
        if let Ok(mut started) = self.0.lock() {
            started.insert(id, at);
        }
        Watched(self, id)
    }

    fn oldest(&self) -> Option<Duration> {
        let started = self.0.lock().ok()?;
        started.values().min().map(std::time::Instant::elapsed)
    }
}

/// A request's entry in a [`Watch`], removed when it is answered.
struct Watched<'a>(&'a Watch, u32);

impl Drop for Watched<'_> {
    fn drop(&mut self) {
        if let Ok(mut started) = self.0.0.lock() {
            started.remove(&self.1);
        }
    }
}

struct Inner {
    options: AppServerOptions,
    request_timeout: Duration,
    current: tokio::sync::Mutex<Option<Generation>>,
    /// The same, for the common case read without waiting.
    live: Mutex<Option<Generation>>,
    generations: std::sync::atomic::AtomicU64,
    in_flight: AtomicUsize,
    next_id: AtomicU32,
    /// The runtime the server was started on: the watchdog runs there, off the isolate's
    /// thread.
    outer: tokio::runtime::Handle,
    /// The isolates' tasks, awaited on close.
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// A sandboxed app server. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct AppServer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AppServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppServer")
            .field("entry", &self.inner.options.entry)
            .field("generations", &self.generations())
            .finish()
    }
}

impl AppServer {
    /// Starts the entry module and waits until it has called `serve()` (or exported a `fetch`
    /// handler).
    pub async fn start(options: AppServerOptions) -> Result<Self, ServeError> {
        let request_timeout = options
            .runtime
            .execution_timeout
            .unwrap_or(Duration::from_secs(30));
        let server = Self {
            inner: Arc::new(Inner {
                options,
                request_timeout,
                current: tokio::sync::Mutex::new(None),
                live: Mutex::new(None),
                generations: std::sync::atomic::AtomicU64::new(0),
                in_flight: AtomicUsize::new(0),
                next_id: AtomicU32::new(1),
                outer: tokio::runtime::Handle::current(),
                tasks: Mutex::new(Vec::new()),
            }),
        };
        server.generation().await?;
        Ok(server)
    }

    /// How long one request may take (the runtime's `execution_timeout`, default 30 s).
    pub fn request_timeout(&self) -> Duration {
        self.inner.request_timeout
    }

    /// How many isolates have been started (1 until a restart).
    pub fn generations(&self) -> u64 {
        self.inner.generations.load(Ordering::SeqCst)
    }

    /// Answers one request. `cancel` (or dropping the future) tells the handler the client
    /// has gone: `request.signal` aborts. A request URI without scheme and host gets them from
    /// the `Host` header.
    pub async fn handle(
        &self,
        request: http::Request<Bytes>,
        cancel: CancellationToken,
    ) -> Result<Handled, ServeError> {
        self.handle_inner(request, Some(cancel)).await
    }

    /// [`AppServer::handle`] for callers whose only way to cancel is dropping the future.
    pub(crate) async fn handle_inner(
        &self,
        request: http::Request<Bytes>,
        cancel: Option<CancellationToken>,
    ) -> Result<Handled, ServeError> {
        let Some(_slot) = self.admit() else {
            return Ok(too_busy());
        };
        let (pending, message) = self.request_event(request, None);
        let Some(generation) = self.dispatch(message).await? else {
            return Ok(restarting());
        };
        self.answer(pending, &generation, cancel, std::time::Instant::now())
            .await
    }

    /// [`AppServer::handle_inner`] from a task on the isolate's own thread: the request is
    /// handed over without crossing threads. With `streamed`, the handler reads the body from
    /// it as it arrives (the request's own body is then empty).
    pub(crate) async fn handle_local(
        &self,
        request: http::Request<Bytes>,
        streamed: Option<bridge::RequestBody>,
        on: &OnIsolate,
    ) -> Result<Handled, ServeError> {
        let Some(_slot) = self.admit() else {
            return Ok(too_busy());
        };
        let (pending, message) = self.request_event(request, streamed);
        let id = pending.id;
        if !on.bridge.send(message) {
            return Ok(restarting());
        }
        // The answer's timer cannot fire while the isolate's thread is stuck: the watchdog
        // on another thread looks at this.
        let started = std::time::Instant::now();
        let _watched = on.generation.watch.start(id, started);
        self.answer(pending, &on.generation, None, started).await
    }

    /// Counts a request in flight; `None` beyond the bound (answer 503).
    fn admit(&self) -> Option<Slot<'_>> {
        let slot = Slot::take(&self.inner.in_flight);
        (self.inner.in_flight.load(Ordering::SeqCst) <= self.inner.options.max_in_flight)
            .then_some(slot)
    }

    /// The event that carries `request` into the isolate, and what waits for its answer.
    fn request_event(
        &self,
        request: http::Request<Bytes>,
        streamed: Option<bridge::RequestBody>,
    ) -> (Pending, Incoming) {
        let id = self.inner.next_id.fetch_add(1, Ordering::SeqCst);
        let (parts, body) = request.into_parts();
        let url = absolute_url(&parts);
        let headers = crate::sandbox::header_pairs(&parts.headers);
        let (reply, replied) = oneshot::channel();
        let event = ServeEvent::Request {
            id,
            method: parts.method.as_str().to_string(),
            url,
            headers,
            body: (!body.is_empty()).then(|| body.to_vec()),
            streamed: streamed.is_some(),
        };
        (
            Pending {
                id,
                method: parts.method,
                uri: parts.uri,
                replied,
            },
            Incoming::Request {
                event,
                reply,
                body: streamed,
            },
        )
    }

    /// Waits for the handler's answer to a dispatched request, within the request's time.
    async fn answer(
        &self,
        pending: Pending,
        generation: &Generation,
        cancel: Option<CancellationToken>,
        started: std::time::Instant,
    ) -> Result<Handled, ServeError> {
        let inner = &self.inner;
        let Pending {
            id,
            method,
            uri,
            replied,
        } = pending;
        let mut abort = AbortOnDrop::new(generation.incoming.clone(), id);
        tokio::select! {
            responded = replied => match responded {
                Ok(responded) => {
                    if let RespondedBody::Upgrade(outgoing) = responded.body {
                        abort.disarm();
                        return Ok(Handled::WebSocket(WebSocketUpgrade {
                            id,
                            outgoing,
                            incoming: generation.incoming.clone(),
                        }));
                    }
                    let body = match responded.body {
                        RespondedBody::Full(bytes) => {
                            abort.disarm();
                            ResponseBody::full(bytes)
                        }
                        // The stream keeps the abort: a client that leaves mid-stream aborts
                        // `request.signal` too.
                        RespondedBody::Stream(rx) => ResponseBody::stream(rx, abort),
                        RespondedBody::Upgrade(_) => ResponseBody::full(Bytes::new()),
                    };
                    let mut response = http::Response::new(body);
                    *response.status_mut() = http::StatusCode::from_u16(responded.head.status)
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
                    *response.headers_mut() = responded.head.headers;
                    if let Some(reason) = responded.head.reason
                        && let Ok(reason) = hyper::ext::ReasonPhrase::try_from(reason)
                    {
                        response.extensions_mut().insert(reason);
                    }
                    Ok(Handled::Response(response))
                }
                // The isolate went away with the request: terminated because it was stuck
                // past the request's time, or for another reason (memory limit).
                Err(_) => {
                    abort.disarm();
                    if started.elapsed() >= inner.request_timeout {
                        Ok(plain(504, "Gateway Timeout\n"))
                    } else {
                        Ok(plain(503, "Service Unavailable: the app server restarted\n"))
                    }
                }
            },
            () = async {
                match &cancel {
                    Some(c) => c.cancelled().await,
                    None => std::future::pending().await,
                }
            } => Ok(plain(499, "Client Closed Request\n")),
            () = tokio::time::sleep_until((started + inner.request_timeout).into()) => {
                (inner.options.log)(&format!(
                    "request {method} {uri} timed out after {:?}",
                    inner.request_timeout
                ));
                self.check_stuck(generation);
                Ok(plain(504, "Gateway Timeout\n"))
            }
        }
    }

    /// Sends a message to the live isolate; an isolate that just died (its task has not
    /// noticed yet) gets replaced once. `None`: the replacement died too.
    async fn dispatch(&self, mut message: Incoming) -> Result<Option<Generation>, ServeError> {
        let mut generation = self.generation().await?;
        for attempt in 0..2 {
            match generation.incoming.send(message) {
                Ok(()) => return Ok(Some(generation)),
                Err(mpsc::error::SendError(back)) => {
                    generation.alive.store(false, Ordering::SeqCst);
                    if attempt == 1 {
                        break;
                    }
                    message = back;
                    generation = self.generation().await?;
                }
            }
        }
        Ok(None)
    }

    /// Answers one request with whole bodies (no streaming): for a browser's intercepted
    /// requests and for sandboxed `fetch()` calls that reach the app without a port.
    pub async fn respond_whole(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> Result<HostFetchResponse, String> {
        let mut builder = http::Request::builder().method(method).uri(url);
        for (k, v) in headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let request = builder
            .body(body.map(Bytes::from).unwrap_or_default())
            .map_err(|e| format!("{method} {url}: not a valid request: {e}"))?;
        let response = self
            .handle_inner(request, None)
            .await
            .map_err(|e| e.to_string())?
            .into_response();
        let status = response.status().as_u16();
        let headers = crate::sandbox::header_pairs(response.headers());
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{method} {url}: the response body failed: {e}"))?;
        Ok(HostFetchResponse {
            status,
            headers,
            body: body.to_vec(),
        })
    }

    /// This server as a fetch handler, for [`crate::sandbox::FetchPolicy::Virtual`].
    pub fn fetch_handler(&self) -> FetchHandler {
        let server = self.clone();
        Arc::new(move |req: HostFetchRequest| {
            let server = server.clone();
            Box::pin(async move {
                server
                    .respond_whole(&req.method, &req.url, &req.headers, req.body)
                    .await
            })
        })
    }

    /// After a timeout: if the isolate does not answer a ping within the grace period it is
    /// stuck in synchronous code; terminate it so the next request starts a fresh one.
    pub(crate) fn check_stuck(&self, generation: &Generation) {
        if generation.checking.swap(true, Ordering::SeqCst) {
            return;
        }
        let generation = generation.clone();
        let log = self.inner.options.log.clone();
        let entry = self.inner.options.entry.display().to_string();
        let id = self.inner.next_id.fetch_add(1, Ordering::SeqCst);
        self.inner.outer.spawn(async move {
            let (pong, ponged) = oneshot::channel();
            let sent = generation.incoming.send(Incoming::Ping(id, pong)).is_ok();
            let alive = sent
                && tokio::time::timeout(STUCK_GRACE, ponged)
                    .await
                    .is_ok_and(|r| r.is_ok());
            if !alive && generation.alive.swap(false, Ordering::SeqCst) {
                log(&format!(
                    "the app server's isolate is stuck in synchronous code; restarting it from {entry}"
                ));
                generation.cancel.cancel();
            }
            generation.checking.store(false, Ordering::SeqCst);
        });
    }

    /// The live isolate, started (again) if there is none.
    pub(crate) async fn generation(&self) -> Result<Generation, ServeError> {
        if let Ok(fast) = self.inner.live.lock()
            && let Some(g) = fast.as_ref()
            && g.alive.load(Ordering::SeqCst)
        {
            return Ok(g.clone());
        }
        let mut current = self.inner.current.lock().await;
        if let Some(g) = current.as_ref()
            && g.alive.load(Ordering::SeqCst)
        {
            return Ok(g.clone());
        }
        let restarting = current.is_some();
        let g = self.spawn_generation().await?;
        if restarting {
            (self.inner.options.log)(&format!(
                "restarted the app server's isolate from {} (isolate #{})",
                self.inner.options.entry.display(),
                g.number
            ));
        }
        *current = Some(g.clone());
        if let Ok(mut live) = self.inner.live.lock() {
            *live = Some(g.clone());
        }
        Ok(g)
    }

    async fn spawn_generation(&self) -> Result<Generation, ServeError> {
        let options = &self.inner.options;
        let entry = options.entry.display().to_string();
        let (incoming_tx, incoming_rx) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = oneshot::channel();
        let parts = Arc::new(Mutex::new(Some((incoming_rx, ready_tx))));
        let mut runtime_options = options.runtime.clone();
        runtime_options.execution_timeout = None;
        runtime_options.serve = Some(ServeBinding::new(move |tasks| {
            let taken = parts.lock().ok().and_then(|mut p| p.take());
            let (rx, ready) = match taken {
                Some(p) => p,
                // A second isolate from the same binding never gets requests.
                None => {
                    let (_tx, rx) = mpsc::unbounded_channel();
                    let (ready, _) = oneshot::channel();
                    (rx, ready)
                }
            };
            Rc::new(BridgeHost(Bridge::new(rx, ready, tasks.clone())))
        }));
        let runtime = tokio::task::spawn_blocking(move || Runtime::new(runtime_options))
            .await
            .map_err(|e| RuntimeError::Startup(e.to_string()))??;
        let cancel = runtime.cancel_handle();
        let alive = Arc::new(AtomicBool::new(true));
        let (ended_tx, ended_rx) = oneshot::channel::<Result<(), ScriptError>>();
        let wrapper = wrapper_module(&options.entry);
        let task_alive = alive.clone();
        let log = options.log.clone();
        let task_entry = entry.clone();
        let task = tokio::spawn(async move {
            let result = runtime
                .run_module_code("__isolate_browser_serve__.js", wrapper)
                .await;
            let was_alive = task_alive.swap(false, Ordering::SeqCst);
            if was_alive
                && let Err(e) = &result
                && ended_tx.is_closed()
            {
                log(&format!(
                    "the app server's isolate ended ({task_entry}): {e}"
                ));
            }
            let _ = ended_tx.send(result);
            runtime.dispose().await;
        });
        if let Ok(mut tasks) = self.inner.tasks.lock() {
            tasks.retain(|t| !t.is_finished());
            tasks.push(task);
        }
        let startup = self.inner.request_timeout;
        // The entry's own end comes first: its error says more than the closed ready signal
        // that follows it.
        tokio::select! {
            biased;
            ended = ended_rx => {
                return Err(match ended {
                    Ok(Err(error)) => ServeError::Entry { entry, error },
                    _ => ServeError::NoHandler(entry),
                });
            }
            ready = ready_rx => {
                if ready.is_err() {
                    return Err(ServeError::NoHandler(entry));
                }
            }
            () = tokio::time::sleep(startup) => {
                cancel.cancel();
                return Err(ServeError::StartTimeout(entry, startup));
            }
        }
        let number = self.inner.generations.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(Generation {
            number,
            incoming: incoming_tx,
            cancel,
            alive,
            checking: Arc::new(AtomicBool::new(false)),
            watch: Arc::default(),
        })
    }

    /// Stops taking requests, lets the isolate finish what is in flight for up to `grace`,
    /// then disposes it.
    pub async fn close(&self, grace: Duration) {
        let generation = self.inner.current.lock().await.take();
        if let Ok(mut live) = self.inner.live.lock() {
            *live = None;
        }
        let deadline = tokio::time::Instant::now() + grace;
        while self.inner.in_flight.load(Ordering::SeqCst) > 0
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if let Some(g) = generation {
            g.alive.store(false, Ordering::SeqCst);
            // Closing the channel ends the pump; timers the app left behind are cut off.
            drop(g.incoming);
            let tasks: Vec<_> = self
                .inner
                .tasks
                .lock()
                .map(|mut t| t.drain(..).collect())
                .unwrap_or_default();
            for task in tasks {
                if tokio::time::timeout(Duration::from_millis(200), task)
                    .await
                    .is_err()
                {
                    g.cancel.cancel();
                }
            }
        }
    }
}

/// The main module of an app-server isolate: the entry, then its default export's `fetch` as
/// the handler when the entry did not call `serve()` itself.
fn wrapper_module(entry: &std::path::Path) -> String {
    let path = entry.to_string_lossy().replace('\\', "/");
    let spec = serde_json::to_string(&format!("/{}", path.trim_start_matches("./")))
        .unwrap_or_else(|_| "\"/\"".into());
    format!(
        "import * as entry from {spec};\nconst handler = entry.default;\nif (!serve.running && handler && typeof handler.fetch === 'function') serve(handler);\nserve.started();\n"
    )
}

/// `scheme://host/path?query` of a request, the host from the URI or the `Host` header.
fn absolute_url(parts: &http::request::Parts) -> String {
    if parts.uri.scheme().is_some() {
        return parts.uri.to_string();
    }
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    format!("http://{host}{path}")
}

fn too_busy() -> Handled {
    plain(503, "Service Unavailable: too many requests in flight\n")
}

fn restarting() -> Handled {
    plain(503, "Service Unavailable: the app server is restarting\n")
}

fn plain(status: u16, text: &'static str) -> Handled {
    Handled::Response(plain_response(status, text))
}

fn plain_response(status: u16, text: &'static str) -> http::Response<ResponseBody> {
    let mut response = http::Response::new(ResponseBody::full(Bytes::from_static(text.as_bytes())));
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain;charset=UTF-8"),
    );
    response
}

/// A request handed to the isolate, waiting for its answer.
struct Pending {
    id: u32,
    method: http::Method,
    uri: http::Uri,
    replied: oneshot::Receiver<bridge::Responded>,
}

/// Counts a request in flight for as long as it lives.
struct Slot<'a>(&'a AtomicUsize);

impl<'a> Slot<'a> {
    fn take(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(counter)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Aborts a request's signal in the sandbox when dropped, unless disarmed.
pub(crate) struct AbortOnDrop {
    incoming: Option<mpsc::UnboundedSender<Incoming>>,
    id: u32,
}

impl AbortOnDrop {
    fn new(incoming: mpsc::UnboundedSender<Incoming>, id: u32) -> Self {
        Self {
            incoming: Some(incoming),
            id,
        }
    }

    pub(crate) fn disarm(&mut self) {
        self.incoming = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(tx) = self.incoming.take() {
            let _ = tx.send(Incoming::Abort(self.id));
        }
    }
}

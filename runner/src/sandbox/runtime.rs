//! [`Runtime`]: one sandboxed V8 isolate on its own thread, driven through a `Send` handle.
//!
//! The isolate lives on a dedicated thread with a current-thread tokio runtime, because V8
//! isolates and deno_core's `JsRuntime` are `!Send`. The handle sends commands over a channel
//! and enforces limits from outside the isolate: a wall-clock timeout and host cancellation call
//! `terminate_execution` (which also stops `while(true){}`), and the heap limit is watched by a
//! near-heap-limit callback that terminates instead of letting V8 abort the process. A runtime
//! that hit a limit is disposed; new runtimes in the same process are unaffected.

use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicU8;
use std::sync::atomic::Ordering;
use std::time::Duration;

use deno_core::JsRuntime;
use deno_core::ModuleSpecifier;
use deno_core::PollEventLoopOptions;
use deno_core::v8;
use tokio::sync::Notify;
use tokio::sync::mpsc;
use tokio::sync::oneshot;
use tokio_util::task::TaskTracker;

use super::error::JsFailure;
use super::error::ScriptError;
use super::error::failure_from_core;
use super::error::failure_from_js;
use super::ext::HostRef;
use super::fetch::Fetcher;
use super::files::Files;
use super::host::Bindings;
use super::loader::Loader;
use super::options::RuntimeOptions;

static SNAPSHOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/SANDBOX_SNAPSHOT.bin"));
static RESIDUAL_LAZY_JS: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/residual_lazy_js.rs"));

/// A runtime could not be created.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The module root does not exist or is not a directory.
    #[error("module root {path} is not usable: {source}")]
    ModuleRoot {
        /// The configured root.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The files root does not exist or is not a directory.
    #[error("files root {path} is not usable: {source}")]
    FilesRoot {
        /// The configured root.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The fetch policy is malformed (for example an allow-list entry that is not an origin).
    #[error("invalid fetch policy: {0}")]
    FetchPolicy(String),
    /// The module to run is not inside the module root.
    #[error("{path} is outside the module root {root}")]
    OutsideRoot {
        /// The module path.
        path: String,
        /// The module root.
        root: String,
    },
    /// V8 could not start the isolate.
    #[error("the sandbox isolate failed to start: {0}")]
    Startup(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Reason {
    None = 0,
    Timeout = 1,
    Memory = 2,
    Cancelled = 3,
    Disposed = 4,
}

/// State shared by the handle, the isolate thread and V8 callbacks.
struct Shared {
    isolate: OnceLock<v8::IsolateHandle>,
    reason: AtomicU8,
    dead: AtomicBool,
    abort: Notify,
    memory_limit_mb: usize,
    /// Changes when a pooled runtime is handed out again with new options.
    timeout: std::sync::Mutex<Option<Duration>>,
}

impl Shared {
    fn reason(&self) -> Reason {
        match self.reason.load(Ordering::SeqCst) {
            1 => Reason::Timeout,
            2 => Reason::Memory,
            3 => Reason::Cancelled,
            4 => Reason::Disposed,
            _ => Reason::None,
        }
    }

    fn timeout(&self) -> Option<Duration> {
        *self
            .timeout
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Ends whatever runs in the isolate; the first reason wins.
    fn stop(&self, reason: Reason) {
        let _ = self.reason.compare_exchange(
            Reason::None as u8,
            reason as u8,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
        self.dead.store(true, Ordering::SeqCst);
        if let Some(isolate) = self.isolate.get() {
            isolate.terminate_execution();
        }
        self.abort.notify_one();
    }

    fn stopped_error(&self) -> Option<ScriptError> {
        match self.reason() {
            Reason::None => None,
            Reason::Timeout => Some(ScriptError::Timeout(self.timeout().unwrap_or_default())),
            Reason::Memory => Some(ScriptError::MemoryLimit(self.memory_limit_mb)),
            Reason::Cancelled => Some(ScriptError::Cancelled),
            Reason::Disposed => Some(ScriptError::Disposed("it was disposed".into())),
        }
    }
}

/// How long host tasks on the isolate's thread may run on after the isolate has gone.
const HOST_TASKS_LINGER: Duration = Duration::from_secs(2);

type Reply<T> = oneshot::Sender<Result<T, ScriptError>>;

enum Command {
    Eval {
        code: String,
        reply: Reply<serde_json::Value>,
    },
    RunModule {
        specifier: ModuleSpecifier,
        code: Option<String>,
        /// Wait for the event loop to go idle, not only for the module's evaluation.
        until_idle: bool,
        reply: Reply<()>,
    },
    Reset {
        env: Vec<(String, String)>,
        reply: Reply<()>,
    },
    Rebind {
        options: Box<RuntimeOptions>,
        files: Option<Files>,
        fetcher: Fetcher,
        reply: Reply<()>,
    },
}

/// Cancels a runtime's current and future evaluations from anywhere (any thread, no async).
#[derive(Clone)]
pub struct CancelHandle(Arc<Shared>);

impl CancelHandle {
    /// Terminates the running evaluation (it fails with [`ScriptError::Cancelled`]) and
    /// disposes the runtime.
    pub fn cancel(&self) {
        self.0.stop(Reason::Cancelled);
    }
}

/// One sandboxed isolate. Cheap to create (it starts from a snapshot), `Send`, and usable from
/// any tokio task; each method call runs to completion before the next starts.
pub struct Runtime {
    tx: mpsc::UnboundedSender<Command>,
    shared: Arc<Shared>,
    exited: Option<oneshot::Receiver<()>>,
    root: std::path::PathBuf,
}

impl Runtime {
    /// Creates the isolate and its bindings.
    pub fn new(options: RuntimeOptions) -> Result<Self, RuntimeError> {
        let root = options
            .cwd
            .canonicalize()
            .map_err(|source| RuntimeError::ModuleRoot {
                path: options.cwd.display().to_string(),
                source,
            })?;
        let files = match &options.files {
            Some(binding) => {
                Some(
                    Files::new(binding).map_err(|source| RuntimeError::FilesRoot {
                        path: binding.root.display().to_string(),
                        source,
                    })?,
                )
            }
            None => None,
        };
        let fetcher = Fetcher::new(options.fetch.clone()).map_err(RuntimeError::FetchPolicy)?;
        let shared = Arc::new(Shared {
            isolate: OnceLock::new(),
            reason: AtomicU8::new(Reason::None as u8),
            dead: AtomicBool::new(false),
            abort: Notify::new(),
            memory_limit_mb: options.memory_limit_mb,
            timeout: std::sync::Mutex::new(options.execution_timeout),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (exited_tx, exited_rx) = oneshot::channel();
        let thread_shared = shared.clone();
        let thread_root = root.clone();
        std::thread::Builder::new()
            .name("isolate".into())
            .stack_size(8 * 1024 * 1024)
            .spawn(move || {
                isolate_thread(
                    options,
                    thread_root,
                    files,
                    fetcher,
                    thread_shared,
                    rx,
                    ready_tx,
                );
                let _ = exited_tx.send(());
            })
            .map_err(|e| RuntimeError::Startup(e.to_string()))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Self {
                tx,
                shared,
                exited: Some(exited_rx),
                root,
            }),
            Ok(Err(msg)) => Err(RuntimeError::Startup(msg)),
            Err(_) => Err(RuntimeError::Startup("the isolate thread exited".into())),
        }
    }

    /// Evaluates a classic script and returns its completion value as JSON (promises are
    /// awaited; `undefined` and values JSON cannot hold become `null`).
    pub async fn eval(&self, code: impl Into<String>) -> Result<serde_json::Value, ScriptError> {
        let code = code.into();
        self.request(|reply| Command::Eval { code, reply }).await
    }

    /// Runs an ES module file (inside the module root) until its event loop is idle.
    pub async fn run_module(&self, path: impl AsRef<Path>) -> Result<(), ScriptError> {
        self.module_file(path.as_ref(), true).await
    }

    /// Imports an ES module file (inside the module root): done once the module has been
    /// evaluated (top-level `await` included), as `import()` is, whatever timers or calls it
    /// left running. Later modules of the same runtime share the modules it loaded.
    pub async fn import_module(&self, path: impl AsRef<Path>) -> Result<(), ScriptError> {
        self.module_file(path.as_ref(), false).await
    }

    async fn module_file(&self, path: &Path, until_idle: bool) -> Result<(), ScriptError> {
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        };
        let specifier = module_url(&self.root, &abs).ok_or_else(|| {
            ScriptError::Uncaught(Box::new(JsFailure {
                headline: format!("Uncaught TypeError: module not found: {}", path.display()),
                name: "TypeError".into(),
                message: format!(
                    "module not found: {} (it must be a file inside the module root {})",
                    path.display(),
                    self.root.display()
                ),
                stack: Vec::new(),
                location: None,
                code_frame: None,
            }))
        })?;
        self.request(|reply| Command::RunModule {
            specifier,
            code: None,
            until_idle,
            reply,
        })
        .await
    }

    /// Runs module source given by the host. `name` is its path inside the module root
    /// (`main.ts`); a `.ts`/`.mts` name makes it TypeScript. Relative imports resolve from it.
    pub async fn run_module_code(
        &self,
        name: &str,
        code: impl Into<String>,
    ) -> Result<(), ScriptError> {
        self.module_code(name, code.into(), true).await
    }

    /// [`Runtime::import_module`] of module source given by the host (named as in
    /// [`Runtime::run_module_code`]).
    pub async fn import_module_code(
        &self,
        name: &str,
        code: impl Into<String>,
    ) -> Result<(), ScriptError> {
        self.module_code(name, code.into(), false).await
    }

    async fn module_code(
        &self,
        name: &str,
        code: String,
        until_idle: bool,
    ) -> Result<(), ScriptError> {
        let specifier =
            deno_core::resolve_import(&format!("/{}", name.trim_start_matches('/')), "file:///")
                .map_err(|e| {
                    ScriptError::Uncaught(Box::new(JsFailure {
                        headline: format!("Uncaught TypeError: invalid module name {name}: {e}"),
                        name: "TypeError".into(),
                        message: format!("invalid module name {name}: {e}"),
                        stack: Vec::new(),
                        location: None,
                        code_frame: None,
                    }))
                })?;
        self.request(|reply| Command::RunModule {
            specifier,
            code: Some(code),
            until_idle,
            reply,
        })
        .await
    }

    /// Clears the runtime's timers and console counters and gives `process.env` the variables
    /// `env`, keeping its bindings, globals and modules: a worker's isolate before its next
    /// spec file.
    pub(crate) async fn reset(&self, env: Vec<(String, String)>) -> Result<(), ScriptError> {
        self.request(|reply| Command::Reset { env, reply }).await
    }

    /// Gives the runtime new bindings (console, fetch policy, files, tools, host calls) and a
    /// new `execution_timeout`, clears its timers and resets console counters, keeping its
    /// globals and modules: how a pooled runtime starts its next life. The module root and
    /// memory limit stay those it was created with.
    pub(crate) async fn rebind(&self, options: RuntimeOptions) -> Result<(), ScriptError> {
        let files = match &options.files {
            Some(binding) => Some(Files::new(binding).map_err(|e| {
                ScriptError::Disposed(format!(
                    "files root {} is not usable: {e}",
                    binding.root.display()
                ))
            })?),
            None => None,
        };
        let fetcher = Fetcher::new(options.fetch.clone())
            .map_err(|e| ScriptError::Disposed(format!("invalid fetch policy: {e}")))?;
        if let Ok(mut t) = self.shared.timeout.lock() {
            *t = options.execution_timeout;
        }
        self.request(|reply| Command::Rebind {
            options: Box::new(options),
            files,
            fetcher,
            reply,
        })
        .await
    }

    /// A handle that cancels this runtime from anywhere.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(self.shared.clone())
    }

    /// Whether the runtime can still run code.
    pub fn is_usable(&self) -> bool {
        !self.shared.dead.load(Ordering::SeqCst)
    }

    /// Disposes the isolate and waits until its memory is released.
    pub async fn dispose(mut self) {
        self.shared.stop(Reason::Disposed);
        let exited = self.exited.take();
        drop(self);
        if let Some(exited) = exited {
            let _ = exited.await;
        }
    }

    async fn request<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, ScriptError> {
        if let Some(err) = self.shared.stopped_error() {
            return Err(match err {
                ScriptError::Timeout(_) | ScriptError::MemoryLimit(_) | ScriptError::Cancelled => {
                    ScriptError::Disposed(format!("an earlier evaluation ended it ({err})"))
                }
                other => other,
            });
        }
        let (reply, mut rx) = oneshot::channel();
        self.tx
            .send(make(reply))
            .map_err(|_| ScriptError::Disposed("the isolate thread has exited".into()))?;
        let result = match self.shared.timeout() {
            Some(limit) => match tokio::time::timeout(limit, &mut rx).await {
                Ok(result) => result,
                Err(_) => {
                    self.shared.stop(Reason::Timeout);
                    rx.await
                }
            },
            None => rx.await,
        };
        result.unwrap_or_else(|_| {
            Err(self
                .shared
                .stopped_error()
                .unwrap_or_else(|| ScriptError::Disposed("the isolate thread has exited".into())))
        })
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Stop anything still running so the thread can exit; it frees the isolate itself.
        self.shared.stop(Reason::Disposed);
    }
}

fn module_url(root: &Path, abs: &Path) -> Option<ModuleSpecifier> {
    let real = abs.canonicalize().ok()?;
    if !real.is_file() {
        return None;
    }
    let rel = real.strip_prefix(root).ok()?;
    let mut url = ModuleSpecifier::parse("file:///").ok()?;
    url.set_path(&format!("/{}", rel.to_string_lossy()));
    Some(url)
}

fn isolate_thread(
    options: RuntimeOptions,
    root: std::path::PathBuf,
    files: Option<Files>,
    fetcher: Fetcher,
    shared: Arc<Shared>,
    mut rx: mpsc::UnboundedReceiver<Command>,
    ready: std::sync::mpsc::Sender<Result<(), String>>,
) {
    let tokio_rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(format!("cannot start the isolate's event loop: {e}")));
            return;
        }
    };
    let local = tokio::task::LocalSet::new();
    let host_tasks = TaskTracker::new();
    local.block_on(&tokio_rt, async move {
        let loader = Rc::new(Loader::new(
            root,
            options.modules.clone(),
            options.test_api,
            options.module_cache.clone(),
        ));
        let (mut js, reset) = match create_js_runtime(
            &options,
            files,
            fetcher,
            loader.clone(),
            &shared,
            &host_tasks,
        ) {
            Ok(created) => created,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        let mut main_loaded = false;
        while let Some(command) = rx.recv().await {
            if shared.dead.load(Ordering::SeqCst) {
                break;
            }
            match command {
                Command::Eval { code, reply } => {
                    let result = guarded(&shared, eval(&mut js, &loader, code)).await;
                    let _ = reply.send(result);
                }
                Command::RunModule {
                    specifier,
                    code,
                    until_idle,
                    reply,
                } => {
                    let main = !main_loaded;
                    main_loaded = true;
                    let load = Load { main, until_idle };
                    let result =
                        guarded(&shared, run_module(&mut js, &loader, specifier, code, load)).await;
                    let _ = reply.send(result);
                }
                Command::Reset { env, reply } => {
                    let _ = reply.send(call_reset(&mut js, &reset, &env));
                }
                Command::Rebind {
                    options,
                    files,
                    fetcher,
                    reply,
                } => {
                    install_bindings(&mut js, &options, files, fetcher, &host_tasks);
                    let result = call_reset(&mut js, &reset, &options.env);
                    let _ = reply.send(result);
                }
            }
            if shared.dead.load(Ordering::SeqCst) {
                break;
            }
        }
        // The isolate goes first; tasks the host runs on this thread (connections of an app
        // server) then get a moment to answer what they hold and close.
        drop(js);
        host_tasks.close();
        let _ = tokio::time::timeout(HOST_TASKS_LINGER, host_tasks.wait()).await;
    });
}

fn create_js_runtime(
    options: &RuntimeOptions,
    files: Option<Files>,
    fetcher: Fetcher,
    loader: Rc<Loader>,
    shared: &Arc<Shared>,
    host_tasks: &TaskTracker,
) -> Result<(JsRuntime, v8::Global<v8::Value>), String> {
    let limit = options.memory_limit_mb.max(1) * 1024 * 1024;
    // Buffers get a budget of the same size as the heap: past it the isolate stops with the
    // memory-limit error, as it does at the heap limit.
    let buffers_shared = shared.clone();
    let buffers = super::buffers::allocator(limit, move || buffers_shared.stop(Reason::Memory));
    let params = v8::CreateParams::default()
        .heap_limits(0, limit)
        .array_buffer_allocator(buffers.make_shared());
    let mut js = JsRuntime::try_new(deno_core::RuntimeOptions {
        module_loader: Some(loader.clone()),
        eval_context_code_cache_cbs: options.module_cache.clone().map(eval_code_cache),
        startup_snapshot: Some(SNAPSHOT),
        residual_lazy_js_sources: RESIDUAL_LAZY_JS,
        extensions: extensions(),
        create_params: Some(params),
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    let handle = js.v8_isolate().thread_safe_handle();
    let _ = shared.isolate.set(handle);
    let heap_shared = shared.clone();
    js.add_near_heap_limit_callback(move |current, _initial| {
        heap_shared.stop(Reason::Memory);
        // Headroom so V8 can unwind the terminated script instead of aborting the process.
        current + current / 2 + 32 * 1024 * 1024
    });
    let tool_names: Vec<String> = {
        let mut names: Vec<_> = options.tools.keys().cloned().collect();
        names.sort();
        names
    };
    install_bindings(&mut js, options, files, fetcher, host_tasks);
    js.op_state()
        .borrow_mut()
        .put(super::ext::ModuleHostRef(loader.clone()));
    // Tools are also globals of their own name (when that name is free), as in @ricsam/isolate.
    // Then every internal goes: ops stay reachable only through closures the bootstrap made.
    let names = serde_json::to_string(&tool_names).map_err(|e| e.to_string())?;
    // An embedder's own modules take this entry point and delete it before any user code runs
    // (the test API took the op itself while its snapshot was built).
    let expose_calls = if options.host_calls.is_some() && !options.test_api {
        "{ const op = Deno.core.ops.op_sandbox_call; Object.defineProperty(globalThis, '__ib_call', { value: (m, a) => op(m, a), configurable: true, enumerable: false, writable: false }); }"
    } else {
        ""
    };
    // Every runtime starts with the test API evaluated (one snapshot for all); only a test
    // runtime installs its globals, and every runtime drops the installer.
    let test_api = if options.test_api { "install();" } else { "" };
    let env: serde_json::Map<String, serde_json::Value> = options
        .env
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let env = serde_json::to_string(&env).map_err(|e| e.to_string())?;
    // The script's value is the bootstrap's reset function, which only the host keeps.
    let reset = js
        .execute_script(
            "ext:isolate_sandbox/seal.js",
            format!(
                "for (const n of {names}) if (!(n in globalThis)) Object.defineProperty(globalThis, n, {{ value: (...a) => tools[n](...a), writable: true, configurable: true, enumerable: false }});\n\
                 {expose_calls}\n\
                 {{ const setEnv = globalThis.__isolateBrowserSetEnv; delete globalThis.__isolateBrowserSetEnv; setEnv({env}); }}\n\
                 {{ const install = globalThis.__isolateBrowserTestApi; delete globalThis.__isolateBrowserTestApi; {test_api} }}\n\
                 (() => {{ const reset = globalThis.__isolateBrowserReset; delete globalThis.__isolateBrowserReset; delete globalThis.Deno; delete globalThis.__bootstrap; return reset; }})();"
            ),
        )
        .map_err(|e| e.to_string())?;
    Ok((js, reset))
}

/// Puts a runtime's bindings into its op state (replacing any it had).
fn install_bindings(
    js: &mut JsRuntime,
    options: &RuntimeOptions,
    files: Option<Files>,
    fetcher: Fetcher,
    host_tasks: &TaskTracker,
) {
    let calls = options.host_calls.as_ref().map(|make| (make.0)());
    let bindings = Bindings::new(
        options.console.clone(),
        files,
        fetcher,
        options.tools.clone(),
        calls,
    );
    js.op_state().borrow_mut().put(HostRef(Rc::new(bindings)));
    if let Some(make) = &options.serve {
        js.op_state()
            .borrow_mut()
            .put(super::ext::serve::ServeRef((make.0)(host_tasks)));
    }
}

/// Clears timers and console state through the bootstrap's reset function, and gives
/// `process.env` the variables `env` (the new bindings' allowance).
fn call_reset(
    js: &mut JsRuntime,
    reset: &v8::Global<v8::Value>,
    env: &[(String, String)],
) -> Result<(), ScriptError> {
    deno_core::scope!(scope, js);
    let value = v8::Local::new(scope, reset);
    let Ok(function) = v8::Local::<v8::Function>::try_from(value) else {
        return Err(ScriptError::Disposed(
            "the sandbox has no reset function".into(),
        ));
    };
    let vars = v8::Object::new(scope);
    for (k, v) in env {
        if let (Some(k), Some(v)) = (v8::String::new(scope, k), v8::String::new(scope, v)) {
            vars.set(scope, k.into(), v.into());
        }
    }
    let undefined = v8::undefined(scope).into();
    function.call(scope, undefined, &[vars.into()]);
    Ok(())
}

/// The extensions of a runtime, in the order its snapshot was built with.
fn extensions() -> Vec<deno_core::Extension> {
    vec![
        deno_webidl::deno_webidl::init(),
        deno_web::deno_web::init(
            Arc::new(deno_web::BlobStore::default()),
            None,
            false,
            deno_web::InMemoryBroadcastChannel::default(),
        ),
        super::ext::isolate_sandbox::init(),
        super::ext::isolate_suite::init(),
    ]
}

/// Runs `work`, unless a limit or cancellation stops it first; then reports that instead.
async fn guarded<T>(
    shared: &Shared,
    work: impl Future<Output = Result<T, ScriptError>>,
) -> Result<T, ScriptError> {
    let result = tokio::select! {
        biased;
        () = shared.abort.notified() => Err(ScriptError::Disposed("stopped".into())),
        result = work => result,
    };
    match shared.stopped_error() {
        Some(err) if shared.dead.load(Ordering::SeqCst) => Err(err),
        _ => result,
    }
}

async fn eval(
    js: &mut JsRuntime,
    loader: &Loader,
    code: String,
) -> Result<serde_json::Value, ScriptError> {
    let value = js
        .execute_script("file:///<eval>", code)
        .map_err(|e| ScriptError::Uncaught(Box::new(failure_from_js(&e, loader))))?;
    let resolve = js.resolve(value);
    let value = js
        .with_event_loop_promise(resolve, PollEventLoopOptions::default())
        .await
        .map_err(|e| ScriptError::Uncaught(Box::new(failure_from_core(e, loader))))?;
    deno_core::scope!(scope, js);
    let local = v8::Local::new(scope, value);
    if local.is_undefined() || local.is_function() || local.is_symbol() {
        return Ok(serde_json::Value::Null);
    }
    Ok(
        deno_core::serde_v8::from_v8::<serde_json::Value>(scope, local)
            .unwrap_or(serde_json::Value::Null),
    )
}

/// How a module is loaded: as the runtime's main module or a side one, and whether its load
/// waits for the event loop to go idle or only for the module's evaluation.
struct Load {
    main: bool,
    until_idle: bool,
}

async fn run_module(
    js: &mut JsRuntime,
    loader: &Loader,
    specifier: ModuleSpecifier,
    code: Option<String>,
    load: Load,
) -> Result<(), ScriptError> {
    let uncaught = |e| ScriptError::Uncaught(Box::new(failure_from_core(e, loader)));
    // Module evaluation is a promise, so deno_core calls even a plain top-level `throw` "in
    // promise"; it is reported as the ordinary uncaught error it is in the source. A throw
    // escaped the module's own evaluation when the outermost frame of its stack is a module's
    // top-level code (`at main.ts:3:1`), whether it was thrown there or in a function called
    // from there; a rejected promise's stack ends in a function (`at async run (…)`).
    let evaluation_error = |e| {
        let mut failure = failure_from_core(e, loader);
        let top_level = failure
            .stack
            .last()
            .is_some_and(|frame| !frame.trim_end().ends_with(')'));
        if top_level {
            failure.headline = failure
                .headline
                .replacen("Uncaught (in promise) ", "Uncaught ", 1);
        }
        ScriptError::Uncaught(Box::new(failure))
    };
    let code = match code {
        Some(code) => {
            let is_ts = super::typescript::is_typescript(specifier.path());
            Some(
                loader
                    .prepare(specifier.as_str(), code, is_ts)
                    .map_err(|e| uncaught(deno_core::error::CoreErrorKind::JsBox(e).into_box()))?,
            )
        }
        None => None,
    };
    let id = match (code, load.main) {
        (Some(code), true) => js.load_main_es_module_from_code(&specifier, code).await,
        (Some(code), false) => js.load_side_es_module_from_code(&specifier, code).await,
        (None, true) => js.load_main_es_module(&specifier).await,
        (None, false) => js.load_side_es_module(&specifier).await,
    }
    .map_err(uncaught)?;
    let evaluation = js.mod_evaluate(id);
    if !load.until_idle {
        js.with_event_loop_promise(Box::pin(evaluation), PollEventLoopOptions::default())
            .await
            .map_err(evaluation_error)?;
        // A module whose evaluation rejected settles its future with Ok and rethrows the error
        // into the event loop: one more turn of the loop, without waiting, brings it out.
        return std::future::poll_fn(|cx| {
            std::task::Poll::Ready(
                match js.poll_event_loop(cx, PollEventLoopOptions::default()) {
                    std::task::Poll::Ready(Err(e)) => Err(e),
                    _ => Ok(()),
                },
            )
        })
        .await
        .map_err(evaluation_error);
    }
    js.run_event_loop(PollEventLoopOptions::default())
        .await
        .map_err(evaluation_error)?;
    evaluation.await.map_err(evaluation_error)
}

/// `require`d files run through `evalContext`; V8's code cache for them is kept in the module
/// cache too.
#[allow(
    clippy::type_complexity,
    reason = "deno_core's callback types, which it does not export"
)]
fn eval_code_cache(
    cache: super::ModuleCache,
) -> (
    Box<
        dyn Fn(
            &ModuleSpecifier,
            &[u16],
        ) -> Result<deno_core::SourceCodeCacheInfo, deno_error::JsErrorBox>,
    >,
    Box<dyn Fn(ModuleSpecifier, u64, &[u8])>,
) {
    let read = cache.clone();
    (
        Box::new(move |url, units| {
            let hash = super::module_cache::hash_units(units);
            Ok(deno_core::SourceCodeCacheInfo {
                hash,
                data: read
                    .compiled(url.as_str(), hash)
                    .map(|d| std::borrow::Cow::Owned(d.to_vec())),
            })
        }),
        Box::new(move |url, hash, data| cache.store_compiled(url.as_str(), hash, data)),
    )
}

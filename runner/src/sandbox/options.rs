//! What a host grants one runtime: limits and the bindings (console, fetch, files, modules,
//! tools). Everything is deny-by-default; a binding that is not configured does not exist for
//! sandbox code.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use std::rc::Rc;

use futures::future::BoxFuture;
use futures::future::LocalBoxFuture;
use futures::stream::BoxStream;

/// The console method a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsoleLevel {
    /// `console.log`, `table`, `dir`, `group`.
    Log,
    /// `console.info`, `count`, `time*`.
    Info,
    /// `console.warn`, `countReset`.
    Warn,
    /// `console.error`, `assert`.
    Error,
    /// `console.debug`.
    Debug,
    /// `console.trace`.
    Trace,
}

impl ConsoleLevel {
    pub(crate) fn from_wire(level: u32) -> Self {
        match level {
            1 => Self::Info,
            2 => Self::Warn,
            3 => Self::Error,
            4 => Self::Debug,
            5 => Self::Trace,
            _ => Self::Log,
        }
    }

    /// Whether a terminal would show this on stderr.
    pub fn is_stderr(self) -> bool {
        matches!(self, Self::Warn | Self::Error | Self::Trace)
    }

    /// The method name, as written in JS.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Log => "log",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
            Self::Debug => "debug",
            Self::Trace => "trace",
        }
    }
}

/// One formatted console line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleEntry {
    /// Which method wrote it.
    pub level: ConsoleLevel,
    /// The text, formatted the way Node would format the arguments.
    pub text: String,
}

/// Receives console output. The default prints to the process's stdout and stderr.
#[derive(Clone)]
pub struct ConsoleBinding(pub(crate) Arc<dyn Fn(ConsoleEntry) + Send + Sync>);

impl ConsoleBinding {
    /// Sends every console line to `f`.
    pub fn callback(f: impl Fn(ConsoleEntry) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Prints log/info/debug to stdout and warn/error/trace to stderr.
    pub fn stdio() -> Self {
        Self::callback(|entry| {
            if entry.level.is_stderr() {
                crate::stdio::err!("{}", entry.text);
            } else {
                crate::stdio::out!("{}", entry.text);
            }
        })
    }

    /// Drops all console output.
    pub fn discard() -> Self {
        Self::callback(|_| {})
    }
}

impl Default for ConsoleBinding {
    fn default() -> Self {
        Self::stdio()
    }
}

impl fmt::Debug for ConsoleBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConsoleBinding(..)")
    }
}

/// A request the sandbox's `fetch()` made, as a host fetch handler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFetchRequest {
    /// Absolute URL.
    pub url: String,
    /// Upper-case method.
    pub method: String,
    /// Header pairs in order.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Option<Vec<u8>>,
}

/// The response a host fetch handler returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFetchResponse {
    /// HTTP status.
    pub status: u16,
    /// Header pairs in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// A host function that answers the sandbox's fetches itself. An `Err` rejects the sandbox's
/// `fetch()` with a `TypeError` carrying the message.
pub type FetchHandler = Arc<
    dyn Fn(HostFetchRequest) -> BoxFuture<'static, Result<HostFetchResponse, String>> + Send + Sync,
>;

/// Which network requests sandbox code may make.
#[derive(Clone, Default)]
pub enum FetchPolicy {
    /// No network at all (the default).
    #[default]
    DenyAll,
    /// Real HTTP(S) requests to these origins only (`http://127.0.0.1:8080`,
    /// `https://example.com`); redirects to other origins are refused too.
    AllowOrigins(Vec<String>),
    /// Every request goes to this host function instead of the network.
    Handler(FetchHandler),
    /// Requests to these origins go to their host handler (an app server without a port,
    /// for instance), following redirects within them; everything else follows `fallback`.
    Virtual {
        /// Origin (`http://app.test`) and its handler.
        origins: Vec<(String, FetchHandler)>,
        /// The policy for every other origin.
        fallback: Box<FetchPolicy>,
    },
}

impl fmt::Debug for FetchPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DenyAll => f.write_str("DenyAll"),
            Self::AllowOrigins(o) => f.debug_tuple("AllowOrigins").field(o).finish(),
            Self::Handler(_) => f.write_str("Handler(..)"),
            Self::Virtual { origins, fallback } => f
                .debug_struct("Virtual")
                .field(
                    "origins",
                    &origins.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(),
                )
                .field("fallback", fallback)
                .finish(),
        }
    }
}

/// A host directory that sandbox code sees as `/` through `node:fs` and `node:fs/promises`.
#[derive(Debug, Clone, Default)]
pub struct FilesBinding {
    /// The directory; `..` and symlinks can never leave it.
    pub root: PathBuf,
    /// Whether writes (write, append, mkdir, rm, rename) are allowed anywhere under the root.
    pub allow_write: bool,
    /// Directories under the root where writes are allowed even when `allow_write` is off (a
    /// test run's output directory and `writableDirs`).
    pub writable_dirs: Vec<PathBuf>,
    /// Whether snapshot directories (any `<name>-snapshots` directory under the root, where
    /// `toMatchSnapshot` keeps its files) are writable too.
    pub writable_snapshot_dirs: bool,
}

/// Source of a module the host provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualModule {
    /// The module's source text.
    pub code: String,
    /// Whether it is TypeScript (types are stripped before it runs).
    pub typescript: bool,
}

impl VirtualModule {
    /// A JavaScript module.
    pub fn js(code: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            typescript: false,
        }
    }

    /// A TypeScript module.
    pub fn ts(code: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            typescript: true,
        }
    }
}

/// Called with `(specifier, referrer)` for an import nothing else resolves.
pub type ModuleFallback = Arc<dyn Fn(&str, &str) -> Option<VirtualModule> + Send + Sync>;

/// How imports resolve, beyond relative and absolute paths inside the module root.
#[derive(Clone, Default)]
pub struct ModulesBinding {
    /// Bare specifiers the host provides (`import x from "config"`).
    pub virtual_modules: HashMap<String, VirtualModule>,
    /// Last resort for bare specifiers.
    pub fallback: Option<ModuleFallback>,
}

impl fmt::Debug for ModulesBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModulesBinding")
            .field(
                "virtual_modules",
                &self.virtual_modules.keys().collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

/// What a host tool returns: one JSON value, or a stream the sandbox reads with `for await`.
pub enum ToolOutput {
    /// A single value.
    Value(serde_json::Value),
    /// Items pulled one at a time; an `Err` item throws inside the sandbox's loop.
    Stream(BoxStream<'static, Result<serde_json::Value, String>>),
}

/// A named async host function callable from JS as `tools.name(...args)` (and as a global
/// function of the same name when that name is free).
pub type ToolFn = Arc<
    dyn Fn(Vec<serde_json::Value>) -> BoxFuture<'static, Result<ToolOutput, String>> + Send + Sync,
>;

/// The methods the runner's own in-isolate modules (test harness, browser API) call. Lives on
/// the isolate's thread, so it may hold `!Send` state such as open pages. Arguments and reply
/// are JSON text: their shape, failures included, is the caller's protocol (the test runner's
/// is `suite::protocol`), so nothing is parsed twice.
pub trait HostCalls {
    /// Handles `method` with its arguments; answers the reply.
    fn call(&self, method: String, args: String) -> LocalBoxFuture<'static, String>;
}

/// Makes the [`HostCalls`] of one runtime; it runs on the isolate's thread when the runtime
/// starts. Only runner-provided modules see these calls: they capture the entry point and
/// remove it from the global scope before user code runs.
#[derive(Clone)]
pub struct HostCallsBinding(pub(crate) Arc<dyn Fn() -> Rc<dyn HostCalls> + Send + Sync>);

impl HostCallsBinding {
    /// Uses `make` to create each runtime's handler.
    pub fn new(make: impl Fn() -> Rc<dyn HostCalls> + Send + Sync + 'static) -> Self {
        Self(Arc::new(make))
    }
}

impl fmt::Debug for HostCallsBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HostCallsBinding(..)")
    }
}

/// Makes the app-server side of a runtime (see [`crate::serve::AppServer`], which sets it);
/// it runs on the isolate's thread when the runtime starts. Without it `serve()` throws.
#[derive(Clone)]
pub struct ServeBinding(pub(crate) Arc<MakeServeHost>);

/// Makes the serve host on the isolate's thread. The tracker takes tasks the host runs on
/// that thread (connections served there); they may finish after the isolate has gone.
pub(crate) type MakeServeHost = dyn Fn(&tokio_util::task::TaskTracker) -> Rc<dyn crate::sandbox::ext::serve::ServeHost>
    + Send
    + Sync;

impl ServeBinding {
    pub(crate) fn new(
        make: impl Fn(&tokio_util::task::TaskTracker) -> Rc<dyn crate::sandbox::ext::serve::ServeHost>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        Self(Arc::new(make))
    }
}

impl fmt::Debug for ServeBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServeBinding(..)")
    }
}

/// Everything one runtime is created with.
#[derive(Clone)]
pub struct RuntimeOptions {
    /// V8 heap limit in MiB (default 128). Exceeding it fails the evaluation and disposes the
    /// runtime; it never aborts the host process.
    pub memory_limit_mb: usize,
    /// Wall-clock limit for each evaluation (`None`: unlimited).
    pub execution_timeout: Option<Duration>,
    /// The module root: entry files and imports resolve inside it.
    pub cwd: PathBuf,
    /// Where console output goes.
    pub console: ConsoleBinding,
    /// Network policy for `fetch()`.
    pub fetch: FetchPolicy,
    /// The file system the sandbox sees, if any.
    pub files: Option<FilesBinding>,
    /// Virtual modules and the resolution fallback.
    pub modules: ModulesBinding,
    /// Host tools by name.
    pub tools: HashMap<String, ToolFn>,
    /// Calls for the runner's in-isolate modules (absent for plain scripts).
    pub host_calls: Option<HostCallsBinding>,
    /// The app-server side, set by [`crate::serve::AppServer`] (absent elsewhere).
    pub serve: Option<ServeBinding>,
    /// Make the test and browser API (evaluated in every runtime's snapshot) reachable:
    /// `@playwright/test` and `isolate-browser/test` resolve to it, its globals (`test`,
    /// `expect`, …) are installed, and its host calls go to `host_calls`. Set by the test
    /// runner; plain scripts and app servers never see that API.
    pub test_api: bool,
    /// What `process.env` holds: the host variables the embedder allows (nothing else of the
    /// host's environment is reachable).
    pub env: Vec<(String, String)>,
    /// Modules prepared and compiled by earlier runtimes given the same cache (a test run shares
    /// one among its workers, so a package is parsed once, not once per spec file).
    pub module_cache: Option<super::ModuleCache>,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            memory_limit_mb: 128,
            execution_timeout: None,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            console: ConsoleBinding::default(),
            fetch: FetchPolicy::default(),
            files: None,
            modules: ModulesBinding::default(),
            tools: HashMap::new(),
            host_calls: None,
            serve: None,
            test_api: false,
            env: Vec::new(),
            module_cache: None,
        }
    }
}

impl fmt::Debug for ToolOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Value(v) => f.debug_tuple("Value").field(v).finish(),
            Self::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

impl fmt::Debug for RuntimeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeOptions")
            .field("memory_limit_mb", &self.memory_limit_mb)
            .field("execution_timeout", &self.execution_timeout)
            .field("cwd", &self.cwd)
            .field("fetch", &self.fetch)
            .field("files", &self.files)
            .field("modules", &self.modules)
            .field("tools", &self.tools.keys().collect::<Vec<_>>())
            .field("host_calls", &self.host_calls.is_some())
            .field("serve", &self.serve.is_some())
            .field("test_api", &self.test_api)
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish()
    }
}

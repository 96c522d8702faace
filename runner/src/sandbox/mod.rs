//! The sandbox: a V8 isolate (deno_core) with web-platform globals and nothing else, plus the
//! bindings a host grants it (console, fetch, files, modules, tools) and the limits V8 enforces.

mod buffers;
pub(crate) mod error;
pub(crate) mod ext;
mod fetch;
mod files;
mod host;
mod js_facts;
mod loader;
mod module_cache;
mod node_resolve;
mod options;
mod pool;
mod runtime;
mod typescript;

pub use error::JsFailure;
pub use error::ScriptError;
pub use error::SourceLocation;
pub use module_cache::ModuleCache;
pub use options::ConsoleBinding;
pub use options::ConsoleEntry;
pub use options::ConsoleLevel;
pub use options::FetchHandler;
pub use options::FetchPolicy;
pub use options::FilesBinding;
pub use options::HostCalls;
pub use options::HostCallsBinding;
pub use options::HostFetchRequest;
pub use options::HostFetchResponse;
pub use options::ModuleFallback;
pub use options::ModulesBinding;
pub use options::RuntimeOptions;
pub use options::ServeBinding;
pub use options::ToolFn;
pub use options::ToolOutput;
pub use options::VirtualModule;
pub use pool::Host;
pub use pool::NamespaceError;
pub use pool::NamespacedRuntime;
pub use runtime::CancelHandle;
pub use runtime::Runtime;
pub use runtime::RuntimeError;

/// Normalises an origin for a fetch allow-list (`http://Host:80/` → `http://host`); `None` if
/// the text is not an http(s) origin.
pub fn ext_normalize_origin(origin: &str) -> Option<String> {
    fetch::normalize_origin(origin)
}

/// Header pairs of a header map, values as (lossy) text, in the map's order.
pub(crate) fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

//! Module resolution and loading for the sandbox.
//!
//! The module root appears to sandbox code as `file:///`: `<root>/specs/a.ts` is
//! `file:///specs/a.ts`, so no host path ever reaches user code (not in `import.meta.url`, not in
//! stack traces). Relative and absolute imports resolve inside the root (symlinks included),
//! bare specifiers go to host-registered virtual modules and then to the host's fallback, and
//! `node:path`/`node:fs/promises` are built in. TypeScript is type-stripped on load; the loader
//! keeps every original source and source map so errors can point at the original line.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use deno_core::ModuleLoadOptions;
use deno_core::ModuleLoadReferrer;
use deno_core::ModuleLoadResponse;
use deno_core::ModuleLoader;
use deno_core::ModuleResolveResponse;
use deno_core::ModuleSource;
use deno_core::ModuleSourceCode;
use deno_core::ModuleSpecifier;
use deno_core::ModuleType;
use deno_core::RequestedModuleType;
use deno_core::ResolutionKind;
use deno_error::JsErrorBox;

use super::error::code_frame;
use super::error::line_col;
use super::options::ModulesBinding;
use super::options::VirtualModule;
use super::typescript;

/// Modules every sandbox has, by the specifiers user code may write.
const BUILTINS: &[(&str, &str)] = &[
    ("node:path", "node:path"),
    ("path", "node:path"),
    ("node:fs/promises", "node:fs/promises"),
    ("fs/promises", "node:fs/promises"),
    ("node:process", "node:process"),
    ("process", "node:process"),
    ("node:url", "node:url"),
    ("url", "node:url"),
    ("node:os", "node:os"),
    ("os", "node:os"),
    ("node:util", "node:util"),
    ("util", "node:util"),
];

/// Node's modules that reach the host's processes, sockets or threads: refused by name.
const UNSANDBOXABLE: &[&str] = &[
    "child_process",
    "cluster",
    "dgram",
    "dns",
    "http",
    "http2",
    "https",
    "inspector",
    "net",
    "tls",
    "v8",
    "vm",
    "worker_threads",
];

/// The names of the test API (in runtimes started from the test snapshot), and the module of
/// that snapshot they are.
const TEST_API: &[&str] = &["@playwright/test", "isolate-browser/test"];
const TEST_API_MODULE: &str = "node:isolate-browser/test";

/// A module's original text and, for TypeScript, the map from the code V8 ran back to it.
#[derive(Debug, Clone)]
pub(crate) struct LoadedSource {
    pub original: String,
    pub source_map: Option<Vec<u8>>,
}

/// The sandbox's module loader.
pub(crate) struct Loader {
    root: PathBuf,
    modules: ModulesBinding,
    /// `@playwright/test` resolves to the test API of the runtime's snapshot.
    test_api: bool,
    fallback_cache: RefCell<HashMap<String, VirtualModule>>,
    sources: RefCell<HashMap<String, LoadedSource>>,
}

impl Loader {
    /// `root` must already be canonical.
    pub(crate) fn new(root: PathBuf, modules: ModulesBinding, test_api: bool) -> Self {
        Self {
            root,
            modules,
            test_api,
            fallback_cache: RefCell::new(HashMap::new()),
            sources: RefCell::new(HashMap::new()),
        }
    }

    /// The original source text of a loaded module (by its sandbox URL).
    pub(crate) fn original_source(&self, specifier: &str) -> Option<String> {
        self.sources
            .borrow()
            .get(specifier)
            .map(|s| s.original.clone())
    }

    /// Records a module's source text (for code given directly by the host).
    pub(crate) fn remember(&self, specifier: &str, source: LoadedSource) {
        self.sources
            .borrow_mut()
            .insert(specifier.to_string(), source);
    }

    /// Type-strips TypeScript and remembers the original; syntax errors become a SyntaxError
    /// with file, line, column and a code frame.
    pub(crate) fn prepare(
        &self,
        specifier: &str,
        code: String,
        is_ts: bool,
    ) -> Result<String, JsErrorBox> {
        if !is_ts {
            self.remember(
                specifier,
                LoadedSource {
                    original: code.clone(),
                    source_map: None,
                },
            );
            return Ok(code);
        }
        match typescript::strip_types(specifier, &code) {
            Ok(out) => {
                self.remember(
                    specifier,
                    LoadedSource {
                        original: code,
                        source_map: out.source_map.map(String::into_bytes),
                    },
                );
                Ok(out.code)
            }
            Err(err) => {
                let display = display_specifier(specifier);
                let (line, col) = err.offset.map(|o| line_col(&code, o)).unwrap_or((1, 1));
                let frame = code_frame(&code, line, col);
                Err(JsErrorBox::new(
                    "SyntaxError",
                    format!("{}\n    at {display}:{line}:{col}\n\n{frame}", err.message),
                ))
            }
        }
    }

    fn host_path(&self, url: &ModuleSpecifier) -> Result<PathBuf, JsErrorBox> {
        let path = url
            .to_file_path()
            .map_err(|()| JsErrorBox::type_error(format!("invalid module URL {url}")))?;
        let rel = path.strip_prefix("/").unwrap_or(&path);
        Ok(self.root.join(rel))
    }

    /// TypeScript projects import `./fixtures` meaning `./fixtures.ts` (or an `index` file):
    /// an import of a path that does not exist takes the first of these that does.
    fn with_extension(&self, url: ModuleSpecifier) -> ModuleSpecifier {
        if url.scheme() != "file" {
            return url;
        }
        let Ok(path) = self.host_path(&url) else {
            return url;
        };
        if path.is_file() {
            return url;
        }
        const EXTENSIONS: &[&str] = &[".ts", ".tsx", ".mts", ".js", ".mjs", ".jsx", ".cts", ".cjs"];
        let base = url.path().trim_end_matches('/').to_string();
        let candidates = EXTENSIONS
            .iter()
            .map(|ext| format!("{base}{ext}"))
            .chain(EXTENSIONS.iter().map(|ext| format!("{base}/index{ext}")));
        for candidate in candidates {
            let mut next = url.clone();
            next.set_path(&candidate);
            if self.host_path(&next).is_ok_and(|p| p.is_file()) {
                return next;
            }
        }
        url
    }

    fn virtual_module(&self, name: &str) -> Option<VirtualModule> {
        if let Some(m) = self.modules.virtual_modules.get(name) {
            return Some(m.clone());
        }
        self.fallback_cache.borrow().get(name).cloned()
    }
}

/// How a module URL is shown to people: `file:///a/b.ts` reads `a/b.ts` (relative to the
/// module root), other schemes stay as they are.
pub(crate) fn display_specifier(specifier: &str) -> String {
    match specifier.strip_prefix("file:///") {
        Some(rest) => rest.to_string(),
        None => specifier.to_string(),
    }
}

fn is_relative(specifier: &str) -> bool {
    specifier.starts_with("./") || specifier.starts_with("../") || specifier.starts_with('/')
}

impl ModuleLoader for Loader {
    fn resolve(
        &self,
        specifier: &str,
        referrer: &str,
        _kind: ResolutionKind,
    ) -> ModuleResolveResponse {
        if let Some((_, target)) = BUILTINS.iter().find(|(name, _)| *name == specifier) {
            return ModuleSpecifier::parse(target).map_err(JsErrorBox::from_err);
        }
        if self.test_api && TEST_API.contains(&specifier) {
            return ModuleSpecifier::parse(TEST_API_MODULE).map_err(JsErrorBox::from_err);
        }
        if is_relative(specifier) || specifier.starts_with("file:") {
            let base = if referrer.starts_with("file:") {
                referrer
            } else if referrer.starts_with("virtual:") && specifier.starts_with('/') {
                "file:///"
            } else if referrer.starts_with("virtual:") {
                return Err(JsErrorBox::type_error(format!(
                    "relative import \"{specifier}\" from virtual module \"{}\" has no directory to resolve against",
                    display_specifier(referrer)
                )));
            } else {
                "file:///"
            };
            let url = deno_core::resolve_import(specifier, base).map_err(JsErrorBox::from_err)?;
            return Ok(self.with_extension(url));
        }
        let bare = specifier.strip_prefix("node:").unwrap_or(specifier);
        if UNSANDBOXABLE.contains(&bare.split('/').next().unwrap_or(bare)) {
            return Err(JsErrorBox::type_error(format!(
                "module \"{specifier}\" (imported from {}) cannot run in the sandbox: it reaches processes, sockets or threads of the host. Start servers and processes with a `webServer` command in the config, or give the code a host tool",
                display_specifier(referrer)
            )));
        }
        if specifier.starts_with("node:") {
            return Err(JsErrorBox::type_error(format!(
                "module \"{specifier}\" (imported from {}) is not available in the sandbox (built in: node:path, node:fs/promises, node:process, node:url, node:os, node:util)",
                display_specifier(referrer)
            )));
        }
        if self.virtual_module(specifier).is_none() {
            let found = self
                .modules
                .fallback
                .as_ref()
                .and_then(|fallback| fallback(specifier, &display_specifier(referrer)));
            match found {
                Some(module) => {
                    self.fallback_cache
                        .borrow_mut()
                        .insert(specifier.to_string(), module);
                }
                None => {
                    return Err(JsErrorBox::type_error(format!(
                        "module \"{specifier}\" not found (imported from {}): bare imports resolve only to modules the host registers",
                        display_specifier(referrer)
                    )));
                }
            }
        }
        let encoded: String = specifier
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' | b'@' => {
                    (b as char).to_string()
                }
                other => format!("%{other:02X}"),
            })
            .collect();
        ModuleSpecifier::parse(&format!("virtual:{encoded}")).map_err(JsErrorBox::from_err)
    }

    fn load(
        &self,
        specifier: &ModuleSpecifier,
        _referrer: Option<&ModuleLoadReferrer>,
        options: ModuleLoadOptions,
    ) -> ModuleLoadResponse {
        ModuleLoadResponse::Sync(self.load_sync(specifier, &options.requested_module_type))
    }

    fn get_source_map(&self, file_name: &str) -> Option<std::borrow::Cow<'_, [u8]>> {
        self.sources
            .borrow()
            .get(file_name)
            .and_then(|s| s.source_map.clone())
            .map(std::borrow::Cow::Owned)
    }

    fn get_source_mapped_source_line(&self, file_name: &str, line_number: usize) -> Option<String> {
        let sources = self.sources.borrow();
        let source = sources.get(file_name)?;
        source.original.lines().nth(line_number).map(str::to_string)
    }
}

impl Loader {
    fn load_sync(
        &self,
        specifier: &ModuleSpecifier,
        requested: &RequestedModuleType,
    ) -> Result<ModuleSource, JsErrorBox> {
        let (code, is_ts, is_json) = match specifier.scheme() {
            "virtual" => {
                let name = percent_decode(specifier.path());
                let module = self.virtual_module(&name).ok_or_else(|| {
                    JsErrorBox::type_error(format!("virtual module \"{name}\" is not registered"))
                })?;
                (module.code, module.typescript, false)
            }
            "file" => {
                let path = self.host_path(specifier)?;
                let display = display_specifier(specifier.as_str());
                let real = path.canonicalize().map_err(|_| {
                    JsErrorBox::new(
                        "TypeError",
                        format!("module not found: {display} (no such file in the module root)"),
                    )
                })?;
                if !real.starts_with(&self.root) {
                    return Err(JsErrorBox::type_error(format!(
                        "module {display} resolves outside the module root"
                    )));
                }
                let code = std::fs::read_to_string(&real).map_err(|e| {
                    JsErrorBox::type_error(format!("cannot read module {display}: {e}"))
                })?;
                let p = specifier.path();
                (code, typescript::is_typescript(p), p.ends_with(".json"))
            }
            other => {
                return Err(JsErrorBox::type_error(format!(
                    "modules with the scheme \"{other}:\" cannot be loaded in the sandbox ({specifier})"
                )));
            }
        };
        let wants_json = matches!(requested, RequestedModuleType::Json);
        if is_json || wants_json {
            self.remember(
                specifier.as_str(),
                LoadedSource {
                    original: code.clone(),
                    source_map: None,
                },
            );
            return Ok(ModuleSource::new(
                ModuleType::Json,
                ModuleSourceCode::String(code.into()),
                specifier,
                None,
            ));
        }
        let js = self.prepare(specifier.as_str(), code, is_ts)?;
        Ok(ModuleSource::new(
            ModuleType::JavaScript,
            ModuleSourceCode::String(js.into()),
            specifier,
            None,
        ))
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

//! Module resolution and loading for the sandbox.
//!
//! The module root appears to sandbox code as `file:///`: `<root>/specs/a.ts` is
//! `file:///specs/a.ts`, so no host path ever reaches user code (not in `import.meta.url`, not in
//! stack traces). Relative and absolute imports resolve inside the root (symlinks included),
//! bare specifiers go to host-registered virtual modules, then to `node_modules` as Node resolves
//! them ([`super::node_resolve`]), then to the host's fallback; Node's built-ins are sandboxed
//! modules of the snapshot. CommonJS files load through `require` (in `26_node_module.js`),
//! behind an ES module that re-exports what they export; the project's own ES modules get
//! `require`, `__dirname` and `__filename` when they use them, as Playwright's compiled specs
//! do. TypeScript is type-stripped on load; the loader keeps every original source and source
//! map so errors can point at the original line.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
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
use deno_core::SourceCodeCacheInfo;
use deno_error::JsErrorBox;
use deno_error::JsErrorClass;

use super::error::code_frame;
use super::error::line_col;
use super::ext::HostError;
use super::ext::ModuleHost;
use super::js_facts;
use super::module_cache;
use super::module_cache::ModuleCache;
use super::node_resolve::Format;
use super::node_resolve::IMPORT_CONDITIONS;
use super::node_resolve::NodeResolver;
use super::node_resolve::REQUIRE_CONDITIONS;
use super::node_resolve::in_node_modules;
use super::options::ModulesBinding;
use super::options::VirtualModule;
use super::typescript;

/// Modules every sandbox has, by the specifiers user code may write.
const BUILTINS: &[(&str, &str)] = &[
    ("node:path", "node:path"),
    ("path", "node:path"),
    ("node:path/posix", "node:path"),
    ("path/posix", "node:path"),
    ("node:fs", "node:fs"),
    ("fs", "node:fs"),
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
    ("node:module", "node:module"),
    ("module", "node:module"),
    ("node:events", "node:events"),
    ("events", "node:events"),
    ("node:buffer", "node:buffer"),
    ("buffer", "node:buffer"),
    ("node:crypto", "node:crypto"),
    ("crypto", "node:crypto"),
    ("node:assert", "node:assert"),
    ("assert", "node:assert"),
    ("node:assert/strict", "node:assert/strict"),
    ("assert/strict", "node:assert/strict"),
    ("node:timers", "node:timers"),
    ("timers", "node:timers"),
    ("node:timers/promises", "node:timers/promises"),
    ("timers/promises", "node:timers/promises"),
    ("node:querystring", "node:querystring"),
    ("querystring", "node:querystring"),
    ("node:string_decoder", "node:string_decoder"),
    ("string_decoder", "node:string_decoder"),
    ("node:stream", "node:stream"),
    ("stream", "node:stream"),
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

/// Node's other modules: not in the sandbox (a package of the name in `node_modules`, a
/// userland polyfill, is used if there is one).
const NODE_ONLY: &[&str] = &[
    "async_hooks",
    "console",
    "constants",
    "diagnostics_channel",
    "domain",
    "perf_hooks",
    "punycode",
    "readline",
    "repl",
    "sys",
    "trace_events",
    "tty",
    "wasi",
    "zlib",
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

/// Built-ins as the error for an unknown `node:` module lists them.
const BUILTIN_NAMES: &str = "assert, assert/strict, buffer, crypto, events, fs, fs/promises, module, os, path, process, querystring, stream, string_decoder, timers, timers/promises, url, util";

/// What a specifier names.
enum Resolved {
    /// A module of the snapshot (`node:path`, the test API).
    Snapshot(&'static str),
    /// A module the host registered by name.
    Virtual(String),
    /// A file in the module root.
    File(ModuleSpecifier),
}

/// The sandbox's module loader.
pub(crate) struct Loader {
    root: PathBuf,
    node: NodeResolver,
    modules: ModulesBinding,
    /// `@playwright/test` resolves to the test API of the runtime's snapshot.
    test_api: bool,
    fallback_cache: RefCell<HashMap<String, VirtualModule>>,
    sources: RefCell<HashMap<String, LoadedSource>>,
    /// Files prepared (and compiled) by earlier runtimes of the same run.
    cache: Option<ModuleCache>,
}

impl Loader {
    /// `root` must already be canonical.
    pub(crate) fn new(
        root: PathBuf,
        modules: ModulesBinding,
        test_api: bool,
        cache: Option<ModuleCache>,
    ) -> Self {
        Self {
            node: NodeResolver::new(root.clone()),
            root,
            modules,
            test_api,
            fallback_cache: RefCell::new(HashMap::new()),
            sources: RefCell::new(HashMap::new()),
            cache,
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

    /// TypeScript projects import `./fixtures` meaning `./fixtures.ts` (or an `index` file),
    /// and CommonJS requires `./data` meaning `./data.json`: an import of a path that does not
    /// exist takes the first of these that does (a directory, its `main` or index).
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
        match self.node.resolve_file_or_dir(&path) {
            Some(found) => self.file_url(&found).unwrap_or(url),
            None => url,
        }
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

impl Loader {
    /// Resolves what `specifier`, written in the module `referrer` (a URL), names; `conditions`
    /// are those of `import` or of `require`.
    fn resolve_request(
        &self,
        specifier: &str,
        referrer: &str,
        conditions: &[&str],
    ) -> Result<Resolved, JsErrorBox> {
        if let Some((_, target)) = BUILTINS.iter().find(|(name, _)| *name == specifier) {
            return Ok(Resolved::Snapshot(target));
        }
        if self.test_api && TEST_API.contains(&specifier) {
            return Ok(Resolved::Snapshot(TEST_API_MODULE));
        }
        let shown = display_specifier(referrer);
        if is_relative(specifier) || specifier.starts_with("file:") {
            let base = if referrer.starts_with("file:") {
                referrer
            } else if referrer.starts_with("virtual:")
                && !specifier.starts_with('/')
                && !specifier.starts_with("file:")
            {
                return Err(JsErrorBox::type_error(format!(
                    "relative import \"{specifier}\" from virtual module \"{shown}\" has no directory to resolve against"
                )));
            } else {
                "file:///"
            };
            let url = deno_core::resolve_import(specifier, base).map_err(JsErrorBox::from_err)?;
            return Ok(Resolved::File(self.with_extension(url)));
        }
        let bare = specifier.strip_prefix("node:").unwrap_or(specifier);
        if UNSANDBOXABLE.contains(&bare.split('/').next().unwrap_or(bare)) {
            return Err(JsErrorBox::type_error(format!(
                "module \"{specifier}\" (imported from {shown}) cannot run in the sandbox: it reaches processes, sockets or threads of the host. Start servers and processes with a `webServer` command in the config, or give the code a host tool"
            )));
        }
        if specifier.starts_with("node:") {
            return Err(JsErrorBox::type_error(format!(
                "module \"{specifier}\" (imported from {shown}) is not available in the sandbox (built in: {BUILTIN_NAMES})"
            )));
        }
        if self.modules.virtual_modules.contains_key(specifier) {
            return Ok(Resolved::Virtual(specifier.to_string()));
        }
        let from_dir = self.referrer_dir(referrer);
        match self.node.resolve_bare(specifier, &from_dir, conditions) {
            Ok(Some(path)) => {
                if path.to_string_lossy().ends_with(".node") {
                    return Err(JsErrorBox::type_error(format!(
                        "module \"{specifier}\" (imported from {shown}) is a native addon ({}), which cannot run in the sandbox: use a package without native code, or give the test a host tool",
                        self.node.display(&path)
                    )));
                }
                return self.file_url(&path).map(Resolved::File);
            }
            Ok(None) => {}
            Err(e) => {
                return Err(JsErrorBox::type_error(format!(
                    "{} (imported from {shown})",
                    e.0
                )));
            }
        }
        if self.fallback_cache.borrow().contains_key(specifier) {
            return Ok(Resolved::Virtual(specifier.to_string()));
        }
        let found = self
            .modules
            .fallback
            .as_ref()
            .and_then(|fallback| fallback(specifier, &shown));
        let first = specifier.split('/').next().unwrap_or(specifier);
        match found {
            Some(module) => {
                self.fallback_cache
                    .borrow_mut()
                    .insert(specifier.to_string(), module);
                Ok(Resolved::Virtual(specifier.to_string()))
            }
            None if NODE_ONLY.contains(&first)
                || BUILTINS.iter().any(|(name, _)| *name == first) =>
            {
                Err(JsErrorBox::type_error(format!(
                    "module \"{specifier}\" (imported from {shown}) is a Node module that is not available in the sandbox (built in: {BUILTIN_NAMES})"
                )))
            }
            None => Err(JsErrorBox::type_error(format!(
                "module \"{specifier}\" not found (imported from {shown}): no package of that name in node_modules (run `npm install {}`), and the host registers no module of that name",
                package_name(specifier)
            ))),
        }
    }

    /// The host directory a referrer's relative and bare imports start from.
    fn referrer_dir(&self, referrer: &str) -> PathBuf {
        if let Ok(url) = ModuleSpecifier::parse(referrer)
            && url.scheme() == "file"
            && let Ok(path) = self.host_path(&url)
        {
            let real = path.canonicalize().unwrap_or(path);
            return real
                .parent()
                .map_or_else(|| self.root.clone(), Path::to_path_buf);
        }
        self.root.clone()
    }

    /// The sandbox URL of a host path inside the root.
    fn file_url(&self, path: &Path) -> Result<ModuleSpecifier, JsErrorBox> {
        let rel = path.strip_prefix(&self.root).map_err(|_| {
            JsErrorBox::type_error(format!(
                "module {} resolves outside the module root",
                path.display()
            ))
        })?;
        let mut url = ModuleSpecifier::parse("file:///").map_err(JsErrorBox::from_err)?;
        url.set_path(&format!("/{}", rel.to_string_lossy()));
        Ok(url)
    }

    fn resolved_url(&self, resolved: Resolved) -> Result<ModuleSpecifier, JsErrorBox> {
        match resolved {
            Resolved::Snapshot(name) => ModuleSpecifier::parse(name).map_err(JsErrorBox::from_err),
            Resolved::File(url) => Ok(url),
            Resolved::Virtual(name) => {
                let encoded: String = name
                    .bytes()
                    .map(|b| match b {
                        b'A'..=b'Z'
                        | b'a'..=b'z'
                        | b'0'..=b'9'
                        | b'-'
                        | b'_'
                        | b'.'
                        | b'/'
                        | b'@' => (b as char).to_string(),
                        other => format!("%{other:02X}"),
                    })
                    .collect();
                ModuleSpecifier::parse(&format!("virtual:{encoded}")).map_err(JsErrorBox::from_err)
            }
        }
    }
}

/// `@scope/name/sub` → `@scope/name`; `name/sub` → `name`.
fn package_name(specifier: &str) -> &str {
    let mut end = 0;
    for (i, part) in specifier.split('/').enumerate() {
        if i > 0 && (i > 1 || !specifier.starts_with('@')) {
            break;
        }
        end += part.len() + usize::from(i > 0);
    }
    &specifier[..end]
}

impl ModuleLoader for Loader {
    fn resolve(
        &self,
        specifier: &str,
        referrer: &str,
        _kind: ResolutionKind,
    ) -> ModuleResolveResponse {
        let resolved = self.resolve_request(specifier, referrer, IMPORT_CONDITIONS)?;
        self.resolved_url(resolved)
    }

    fn load(
        &self,
        specifier: &ModuleSpecifier,
        _referrer: Option<&ModuleLoadReferrer>,
        options: ModuleLoadOptions,
    ) -> ModuleLoadResponse {
        ModuleLoadResponse::Sync(self.load_sync(specifier, &options.requested_module_type))
    }

    fn code_cache_ready(
        &self,
        specifier: ModuleSpecifier,
        hash: u64,
        code_cache: &[u8],
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
        if let Some(cache) = &self.cache {
            cache.store_compiled(specifier.as_str(), hash, code_cache);
        }
        Box::pin(std::future::ready(()))
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
            "file" => return self.load_file(specifier, requested),
            other => {
                return Err(JsErrorBox::type_error(format!(
                    "modules with the scheme \"{other}:\" cannot be loaded in the sandbox ({specifier})"
                )));
            }
        };
        if is_json || matches!(requested, RequestedModuleType::Json) {
            return self.json_module(specifier, code);
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

impl Loader {
    fn json_module(
        &self,
        specifier: &ModuleSpecifier,
        code: String,
    ) -> Result<ModuleSource, JsErrorBox> {
        self.remember(
            specifier.as_str(),
            LoadedSource {
                original: code.clone(),
                source_map: None,
            },
        );
        Ok(ModuleSource::new(
            ModuleType::Json,
            ModuleSourceCode::String(code.into()),
            specifier,
            None,
        ))
    }

    /// The real path and text of a module file, which must be inside the root.
    fn read_module(&self, specifier: &ModuleSpecifier) -> Result<(PathBuf, String), JsErrorBox> {
        let real = self.real_module_path(specifier)?;
        let code = read_text(&real, specifier)?;
        Ok((real, code))
    }

    /// The real path of a module file, which must be a file inside the root.
    fn real_module_path(&self, specifier: &ModuleSpecifier) -> Result<PathBuf, JsErrorBox> {
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
        if real.is_dir() {
            return Err(JsErrorBox::type_error(format!(
                "module {display} is a directory"
            )));
        }
        Ok(real)
    }

    fn file_format(&self, real: &Path, code: &str) -> Format {
        self.node.format(real, code)
    }

    /// The ES module that stands for a CommonJS file: it runs the file through `require` and
    /// exports `module.exports` as the default, plus every name the file is seen to export.
    fn commonjs_facade(
        &self,
        specifier: &ModuleSpecifier,
        real: &Path,
        code: &str,
    ) -> Result<String, JsErrorBox> {
        let mut names = Vec::new();
        let mut seen = std::collections::HashSet::new();
        self.collect_cjs_names(real, code, &mut names, &mut seen, 0);
        names.sort();
        names.dedup();
        let path = json_string(&format!("/{}", display_specifier(specifier.as_str())));
        let mut out = format!(
            "import {{ createRequire as __ibCreateRequire }} from \"node:module\";\nconst __ibExports = __ibCreateRequire({path})({path});\nexport default __ibExports;\n"
        );
        if !names.is_empty() {
            out.push_str("const __ibNamed = __ibExports == null ? {} : __ibExports;\n");
            for name in names {
                out.push_str(&format!("export const {name} = __ibNamed.{name};\n"));
            }
        }
        Ok(out)
    }

    fn collect_cjs_names(
        &self,
        real: &Path,
        code: &str,
        names: &mut Vec<String>,
        seen: &mut std::collections::HashSet<PathBuf>,
        depth: usize,
    ) {
        if depth > 8 || !seen.insert(real.to_path_buf()) {
            return;
        }
        let js = if typescript::is_typescript(&real.to_string_lossy()) {
            match typescript::strip_types(&real.to_string_lossy(), code) {
                Ok(out) => out.code,
                Err(_) => return,
            }
        } else {
            code.to_string()
        };
        let facts = js_facts::cjs_exports(&js);
        names.extend(facts.names);
        let dir = real.parent().unwrap_or(&self.root);
        for reexport in facts.reexports {
            let target = if is_relative(&reexport) {
                self.node.resolve_file_or_dir(&dir.join(&reexport))
            } else {
                self.node
                    .resolve_bare(&reexport, dir, REQUIRE_CONDITIONS)
                    .ok()
                    .flatten()
            };
            if let Some(target) = target.filter(|t| t.starts_with(&self.root))
                && let Ok(text) = std::fs::read_to_string(&target)
                && self.file_format(&target, &text) == Format::CommonJs
            {
                self.collect_cjs_names(&target, &text, names, seen, depth + 1);
            }
        }
    }

    /// Gives a project ES module the module-scope names of Node's CommonJS that it uses without
    /// declaring (`require`, `__dirname`, `__filename`), and `import.meta.dirname`/`filename`,
    /// all as sandbox paths. They go on the first line, so line numbers do not move.
    fn with_module_scope(&self, specifier: &ModuleSpecifier, real: &Path, js: String) -> String {
        let path = display_specifier(specifier.as_str());
        let file = format!("/{path}");
        let dir = match file.rfind('/') {
            Some(0) | None => "/".to_string(),
            Some(i) => file[..i].to_string(),
        };
        let mut prelude = String::new();
        if js.contains("import.meta") {
            prelude.push_str(&format!(
                "import.meta.filename = {}; import.meta.dirname = {}; ",
                json_string(&file),
                json_string(&dir)
            ));
        }
        if !in_node_modules(real) {
            let free = js_facts::free_names(&js, &["require", "__dirname", "__filename"]);
            if free.contains(&"require") {
                prelude.push_str(&format!(
                    "import {{ createRequire as __ibCreateRequire }} from \"node:module\"; const require = __ibCreateRequire({}); ",
                    json_string(&file)
                ));
            }
            if free.contains(&"__dirname") {
                prelude.push_str(&format!("const __dirname = {}; ", json_string(&dir)));
            }
            if free.contains(&"__filename") {
                prelude.push_str(&format!("const __filename = {}; ", json_string(&file)));
            }
        }
        if prelude.is_empty() {
            return js;
        }
        // A hashbang must stay first; it is a comment, so the prelude takes its place.
        let body = if js.starts_with("#!") {
            js.find('\n').map_or("", |i| &js[i..])
        } else {
            js.as_str()
        };
        format!("{prelude}{body}")
    }

    /// JavaScript of a CommonJS file for `require`: types stripped, original remembered.
    fn commonjs_source(&self, url: &ModuleSpecifier) -> Result<String, JsErrorBox> {
        self.cached(url, Use::Require, |real, code| {
            if self.file_format(real, &code) == Format::Json {
                return Ok((true, code));
            }
            let js = self.prepare(url.as_str(), code, typescript::is_typescript(url.path()))?;
            Ok((false, js))
        })
        .map(|(_, code)| code.to_string())
    }

    /// A module file as V8 gets it: JSON, the facade of a CommonJS file, or an ES module with
    /// its module-scope names.
    fn load_file(
        &self,
        specifier: &ModuleSpecifier,
        requested: &RequestedModuleType,
    ) -> Result<ModuleSource, JsErrorBox> {
        let wants_json = matches!(requested, RequestedModuleType::Json);
        let how = if wants_json {
            Use::ImportJson
        } else {
            Use::Import
        };
        let (json, code) = self.cached(specifier, how, |real, code| {
            if wants_json {
                self.remember_json(specifier, &code);
                return Ok((true, code));
            }
            match self.file_format(real, &code) {
                Format::Json => {
                    self.remember_json(specifier, &code);
                    Ok((true, code))
                }
                Format::Addon => Err(JsErrorBox::type_error(format!(
                    "{} is a native addon, which cannot run in the sandbox",
                    display_specifier(specifier.as_str())
                ))),
                Format::CommonJs => Ok((false, self.commonjs_facade(specifier, real, &code)?)),
                Format::Esm => {
                    let p = specifier.path();
                    let js =
                        self.prepare(specifier.as_str(), code, typescript::is_typescript(p))?;
                    Ok((false, self.with_module_scope(specifier, real, js)))
                }
            }
        })?;
        if json {
            return Ok(ModuleSource::new(
                ModuleType::Json,
                ModuleSourceCode::String(code.to_string().into()),
                specifier,
                None,
            ));
        }
        // V8 compiles from the code cache when an earlier runtime left one, and otherwise
        // hands one back (`code_cache_ready`).
        let code_cache = self.cache.as_ref().map(|cache| {
            let hash = module_cache::hash_code(&code);
            SourceCodeCacheInfo {
                hash,
                data: cache
                    .compiled(specifier.as_str(), hash)
                    .map(|d| std::borrow::Cow::Owned(d.to_vec())),
            }
        });
        Ok(ModuleSource::new(
            ModuleType::JavaScript,
            ModuleSourceCode::String(code.to_string().into()),
            specifier,
            code_cache,
        ))
    }

    fn remember_json(&self, specifier: &ModuleSpecifier, code: &str) {
        self.remember(
            specifier.as_str(),
            LoadedSource {
                original: code.to_string(),
                source_map: None,
            },
        );
    }

    /// What `make` produces of a file (`(is JSON, code)`), from the shared cache when the file
    /// is unchanged since it was made; what errors map back to is remembered either way.
    fn cached(
        &self,
        url: &ModuleSpecifier,
        how: Use,
        make: impl FnOnce(&Path, String) -> Result<(bool, String), JsErrorBox>,
    ) -> Result<(bool, std::sync::Arc<str>), JsErrorBox> {
        let real = self.real_module_path(url)?;
        let stamp = module_cache::Stamp::of(&real);
        let key = how.key(&real);
        if let (Some(cache), Some(stamp)) = (&self.cache, stamp)
            && let Some(hit) = cache.prepared(&key, stamp)
        {
            if let Some(source) = hit.source {
                self.remember(url.as_str(), source);
            }
            return Ok((hit.json, hit.code));
        }
        let code = read_text(&real, url)?;
        let (json, made) = make(&real, code)?;
        let made: std::sync::Arc<str> = std::sync::Arc::from(made);
        if let (Some(cache), Some(stamp)) = (&self.cache, stamp) {
            cache.store_prepared(
                &key,
                module_cache::Prepared {
                    stamp,
                    json,
                    code: made.clone(),
                    source: self.sources.borrow().get(url.as_str()).cloned(),
                },
            );
        }
        Ok((json, made))
    }
}

/// What a file is loaded for: the cache keeps each apart.
#[derive(Clone, Copy)]
enum Use {
    Import,
    ImportJson,
    Require,
}

impl Use {
    fn key(self, real: &Path) -> PathBuf {
        let tag = match self {
            Self::Import => "import",
            Self::ImportJson => "json",
            Self::Require => "require",
        };
        let mut key = real.as_os_str().to_os_string();
        key.push(format!("\0{tag}"));
        PathBuf::from(key)
    }
}

fn read_text(real: &Path, url: &ModuleSpecifier) -> Result<String, JsErrorBox> {
    std::fs::read_to_string(real).map_err(|e| {
        JsErrorBox::type_error(format!(
            "cannot read module {}: {e}",
            display_specifier(url.as_str())
        ))
    })
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

impl ModuleHost for Loader {
    fn require_resolve(&self, request: &str, parent: &str) -> Result<String, HostError> {
        let referrer = if parent.is_empty() {
            "file:///".to_string()
        } else {
            let mut url =
                ModuleSpecifier::parse("file:///").map_err(|e| HostError::Type(e.to_string()))?;
            url.set_path(parent);
            url.to_string()
        };
        let resolved = self
            .resolve_request(request, &referrer, REQUIRE_CONDITIONS)
            .map_err(|e| require_error(request, parent, &e))?;
        let reply = match resolved {
            // The test API is an ES module (its namespace is what `require` returns), named by
            // what user code wrote; `op_import_sync` resolves that name again.
            Resolved::Snapshot(TEST_API_MODULE) => {
                serde_json::json!({ "format": "esm", "url": request })
            }
            Resolved::Snapshot(name) => serde_json::json!({ "format": "builtin", "url": name }),
            Resolved::Virtual(name) => serde_json::json!({ "format": "esm", "url": name }),
            Resolved::File(url) => {
                let (real, code) = self
                    .read_module(&url)
                    .map_err(|e| require_error(request, parent, &e))?;
                let format = match self.file_format(&real, &code) {
                    Format::Esm => "esm",
                    Format::CommonJs => "cjs",
                    Format::Json => "json",
                    Format::Addon => {
                        return Err(HostError::Generic(format!(
                            "ERR_DLOPEN_FAILED: \"{request}\" (required from {}) is a native addon (/{}), which cannot run in the sandbox: use a package without native code, or give the test a host tool",
                            shown_parent(parent),
                            display_specifier(url.as_str())
                        )));
                    }
                };
                serde_json::json!({
                    "format": format,
                    "url": url.as_str(),
                    "path": format!("/{}", display_specifier(url.as_str())),
                })
            }
        };
        Ok(reply.to_string())
    }

    fn require_syntax_error(&self, url: &str) -> Option<String> {
        let url = ModuleSpecifier::parse(url).ok()?;
        let (_, code) = self.read_module(&url).ok()?;
        let (message, offset) = js_facts::commonjs_syntax_error(&code)?;
        let (line, col) = line_col(&code, offset);
        Some(format!(
            "{message}\n    at {}:{line}:{col}\n\n{}",
            display_specifier(url.as_str()),
            code_frame(&code, line, col)
        ))
    }

    fn require_source(&self, url: &str) -> Result<String, HostError> {
        let url = ModuleSpecifier::parse(url).map_err(|e| HostError::Type(e.to_string()))?;
        if url.scheme() != "file" {
            return Err(HostError::Type(format!("cannot require {url}")));
        }
        self.commonjs_source(&url)
            .map_err(|e| HostError::Generic(e.get_message().to_string()))
    }
}

fn shown_parent(parent: &str) -> &str {
    if parent.is_empty() { "/" } else { parent }
}

/// Node's code for a module `require` cannot find, with what the loader said.
fn require_error(request: &str, parent: &str, err: &JsErrorBox) -> HostError {
    let message = err.get_message();
    let message = message.replace(
        &format!(
            "(imported from {})",
            display_specifier(&format!("file://{parent}"))
        ),
        &format!("(required from {})", shown_parent(parent)),
    );
    if message.contains("cannot run in the sandbox")
        || message.contains("not available in the sandbox")
    {
        return HostError::Generic(format!("ERR_UNKNOWN_BUILTIN_MODULE: {message}"));
    }
    HostError::Generic(format!(
        "MODULE_NOT_FOUND: {message} (require(\"{request}\"))"
    ))
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

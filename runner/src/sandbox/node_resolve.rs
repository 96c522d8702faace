//! Node's module resolution, inside the module root: bare specifiers are looked up in
//! `node_modules` directories from the importer up to the root, `package.json` `exports` and
//! `imports` are matched with conditions, `main` and directory indexes are the fallbacks, and
//! `tsconfig.json` `paths`/`baseUrl` aliases come first for the project's own files. Every
//! result is a real path inside the root (symlinks resolved), so no package can reach a file
//! outside it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;
use std::rc::Rc;

use serde_json::Value;

/// How Node would run a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Esm,
    CommonJs,
    Json,
    /// A native `.node` addon: never loadable in the sandbox.
    Addon,
}

/// Conditions of an `import` (ESM) and of a `require` (CommonJS), in Node's order.
pub(crate) const IMPORT_CONDITIONS: &[&str] = &["import", "node", "default"];
pub(crate) const REQUIRE_CONDITIONS: &[&str] = &["require", "node", "default"];

/// Extensions tried for an import without one, in order.
const EXTENSIONS: &[&str] = &[
    ".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx", ".json", ".node",
];

#[derive(Debug)]
struct PackageJson {
    dir: PathBuf,
    name: Option<String>,
    type_module: bool,
    main: Option<String>,
    exports: Option<Value>,
    imports: Option<Value>,
}

/// `compilerOptions.paths` and `baseUrl` of the root's `tsconfig.json`.
#[derive(Debug, Default)]
struct TsPaths {
    base: PathBuf,
    paths: Vec<(String, Vec<String>)>,
    has_base_url: bool,
}

/// A resolution failure, worded for the person who wrote the import.
#[derive(Debug)]
pub(crate) struct ResolveError(pub String);

/// Node's resolver over one module root; `package.json` files are read once each.
pub(crate) struct NodeResolver {
    root: PathBuf,
    packages: RefCell<HashMap<PathBuf, Option<Rc<PackageJson>>>>,
    tsconfig: TsPaths,
}

impl NodeResolver {
    /// `root` must be canonical. A `tsconfig.json` that cannot be read is ignored here (the
    /// TypeScript compiler is the tool that reports it).
    pub(crate) fn new(root: PathBuf) -> Self {
        let tsconfig = read_tsconfig(&root).unwrap_or_default();
        Self {
            root,
            packages: RefCell::new(HashMap::new()),
            tsconfig,
        }
    }

    /// Resolves a bare specifier (`lodash`, `@faker-js/faker`, `dayjs/plugin/utc`, `#internal`,
    /// `@pages/login` through tsconfig paths) imported from a file in `from_dir`. `Ok(None)`:
    /// no package of that name exists (the caller may have other places to look).
    pub(crate) fn resolve_bare(
        &self,
        specifier: &str,
        from_dir: &Path,
        conditions: &[&str],
    ) -> Result<Option<PathBuf>, ResolveError> {
        if specifier.starts_with('#') {
            return self
                .resolve_imports(specifier, from_dir, conditions)
                .map(Some);
        }
        if !in_node_modules(from_dir)
            && let Some(found) = self.resolve_ts_paths(specifier)
        {
            return Ok(Some(found));
        }
        let (name, subpath) = split_package(specifier);
        // A package may import itself by name through its own `exports`.
        if let Some(pkg) = self.package_of(from_dir)
            && pkg.name.as_deref() == Some(name)
            && let Some(exports) = &pkg.exports
        {
            return self
                .resolve_exports(&pkg, exports, &subpath, conditions, specifier)
                .map(Some);
        }
        let mut dir = Some(from_dir);
        while let Some(d) = dir {
            if !d.starts_with(&self.root) {
                break;
            }
            let candidate = d.join("node_modules").join(name);
            if candidate.is_dir() {
                return self
                    .resolve_in_package(&candidate, &subpath, conditions, specifier)
                    .map(Some);
            }
            dir = d.parent();
        }
        Ok(None)
    }

    fn resolve_in_package(
        &self,
        dir: &Path,
        subpath: &str,
        conditions: &[&str],
        specifier: &str,
    ) -> Result<PathBuf, ResolveError> {
        let dir = self.inside(dir, specifier)?;
        let pkg = self.package_json(&dir);
        if pkg.is_none()
            && let Ok(text) = std::fs::read_to_string(dir.join("package.json"))
            && let Err(e) = serde_json::from_str::<Value>(&text)
        {
            return Err(ResolveError(format!(
                "package \"{specifier}\" has an invalid package.json ({}/package.json, line {}, column {}: {e}); reinstall the package (`npm ci`)",
                self.display(&dir),
                e.line(),
                e.column()
            )));
        }
        if let Some(pkg) = &pkg
            && let Some(exports) = &pkg.exports
        {
            return self.resolve_exports(pkg, exports, subpath, conditions, specifier);
        }
        if subpath == "." {
            return self.resolve_directory(&dir, pkg.as_deref()).ok_or_else(|| {
                ResolveError(format!(
                    "package \"{specifier}\" has no entry point (no `exports`, `main` or index file in {})",
                    self.display(&dir)
                ))
            });
        }
        let target = dir.join(subpath.trim_start_matches("./"));
        self.resolve_file_or_dir(&target).ok_or_else(|| {
            ResolveError(format!(
                "module \"{specifier}\" not found: {} does not exist",
                self.display(&target)
            ))
        })
    }

    fn resolve_exports(
        &self,
        pkg: &PackageJson,
        exports: &Value,
        subpath: &str,
        conditions: &[&str],
        specifier: &str,
    ) -> Result<PathBuf, ResolveError> {
        // `"exports": "./x.js"`, an array, or a conditions object all mean the "." entry.
        let is_subpath_map =
            matches!(exports, Value::Object(map) if map.keys().any(|k| k.starts_with('.')));
        let target = if is_subpath_map {
            let Value::Object(map) = exports else {
                unreachable!("checked above")
            };
            match_subpath(map, subpath)
                .and_then(|(value, star)| resolve_target(value, star.as_deref(), conditions))
        } else if subpath == "." {
            resolve_target(exports, None, conditions)
        } else {
            None
        };
        let Some(target) = target else {
            return Err(ResolveError(format!(
                "package subpath '{subpath}' is not defined by \"exports\" in {}/package.json (imported as \"{specifier}\"; conditions: {})",
                self.display(&pkg.dir),
                conditions.join(", ")
            )));
        };
        let path = pkg.dir.join(target.trim_start_matches("./"));
        let found = if path.is_file() {
            Some(path.clone())
        } else {
            self.resolve_file_or_dir(&path)
        };
        let found = found.ok_or_else(|| {
            ResolveError(format!(
                "module \"{specifier}\" not found: \"exports\" of {}/package.json names {}, which does not exist",
                self.display(&pkg.dir),
                self.display(&path)
            ))
        })?;
        self.inside(&found, specifier)
    }

    fn resolve_imports(
        &self,
        specifier: &str,
        from_dir: &Path,
        conditions: &[&str],
    ) -> Result<PathBuf, ResolveError> {
        let pkg = self.package_of(from_dir).ok_or_else(|| {
            ResolveError(format!(
                "\"{specifier}\" needs a package.json with \"imports\" above the importing file"
            ))
        })?;
        let target = pkg
            .imports
            .as_ref()
            .and_then(Value::as_object)
            .and_then(|map| match_subpath(map, specifier))
            .and_then(|(value, star)| resolve_target(value, star.as_deref(), conditions))
            .ok_or_else(|| {
                ResolveError(format!(
                    "package import specifier \"{specifier}\" is not defined in {}/package.json",
                    self.display(&pkg.dir)
                ))
            })?;
        if !target.starts_with("./") {
            // `"#dep": "some-package"` maps to another package.
            return self
                .resolve_bare(&target, &pkg.dir, conditions)?
                .ok_or_else(|| ResolveError(format!("module \"{target}\" not found")));
        }
        let path = pkg.dir.join(target.trim_start_matches("./"));
        let found = self
            .resolve_file_or_dir(&path)
            .ok_or_else(|| ResolveError(format!("{} does not exist", self.display(&path))))?;
        self.inside(&found, specifier)
    }

    fn resolve_ts_paths(&self, specifier: &str) -> Option<PathBuf> {
        let ts = &self.tsconfig;
        let mut best: Option<(usize, &Vec<String>, String)> = None;
        for (pattern, targets) in &ts.paths {
            let matched = match pattern.split_once('*') {
                None => (pattern == specifier).then(String::new),
                Some((pre, post)) => (specifier.len() >= pre.len() + post.len()
                    && specifier.starts_with(pre)
                    && specifier.ends_with(post))
                .then(|| specifier[pre.len()..specifier.len() - post.len()].to_string()),
            };
            if let Some(star) = matched {
                let prefix = pattern.split('*').next().map_or(0, str::len);
                if best.as_ref().is_none_or(|(len, _, _)| prefix > *len) {
                    best = Some((prefix, targets, star));
                }
            }
        }
        if let Some((_, targets, star)) = best {
            for target in targets {
                let path = ts.base.join(target.replace('*', &star));
                if let Some(found) = self.resolve_file_or_dir(&path)
                    && found.starts_with(&self.root)
                {
                    return Some(found);
                }
            }
        }
        if ts.has_base_url {
            let path = ts.base.join(specifier);
            if let Some(found) = self.resolve_file_or_dir(&path)
                && found.starts_with(&self.root)
            {
                return Some(found);
            }
        }
        None
    }

    /// A file as named, with an extension added, or a directory's entry point.
    pub(crate) fn resolve_file_or_dir(&self, path: &Path) -> Option<PathBuf> {
        if path.is_file() {
            return path.canonicalize().ok();
        }
        let name = path.file_name()?.to_string_lossy().into_owned();
        for ext in EXTENSIONS {
            let candidate = path.with_file_name(format!("{name}{ext}"));
            if candidate.is_file() {
                return candidate.canonicalize().ok();
            }
        }
        if path.is_dir() {
            let pkg = self.package_json(path);
            return self.resolve_directory(path, pkg.as_deref());
        }
        None
    }

    fn resolve_directory(&self, dir: &Path, pkg: Option<&PackageJson>) -> Option<PathBuf> {
        if let Some(main) = pkg.and_then(|p| p.main.as_deref()) {
            let path = dir.join(main.trim_start_matches("./"));
            if path.is_file() {
                return path.canonicalize().ok();
            }
            if let Some(found) = self.resolve_file_or_dir(&path)
                && found != dir
            {
                return Some(found);
            }
        }
        EXTENSIONS
            .iter()
            .map(|ext| dir.join(format!("index{ext}")))
            .find(|p| p.is_file())
            .and_then(|p| p.canonicalize().ok())
    }

    /// How Node runs the file: by extension, then by the nearest `package.json` `type`, then by
    /// its syntax: `import`/`export` make an ES module. Installed packages are CommonJS
    /// otherwise, as in Node; the project's own files only when they use `require` or
    /// `module.exports` (a script with neither is an ES module, so top-level `await` works).
    pub(crate) fn format(&self, path: &Path, code: &str) -> Format {
        let lower = path.to_string_lossy().to_ascii_lowercase();
        if lower.ends_with(".json") {
            return Format::Json;
        }
        if lower.ends_with(".node") {
            return Format::Addon;
        }
        if lower.ends_with(".mjs") || lower.ends_with(".mts") {
            return Format::Esm;
        }
        if lower.ends_with(".cjs") || lower.ends_with(".cts") {
            return Format::CommonJs;
        }
        let dir = path.parent().unwrap_or(&self.root);
        if self.package_of(dir).is_some_and(|p| p.type_module) {
            return Format::Esm;
        }
        if super::js_facts::has_module_syntax(path, code) {
            return Format::Esm;
        }
        let commonjs = in_node_modules(path)
            || code.contains("require(")
            || code.contains("module.exports")
            || code.contains("exports.");
        if commonjs {
            Format::CommonJs
        } else {
            Format::Esm
        }
    }

    /// The nearest `package.json` at or above `dir`, inside the root.
    fn package_of(&self, dir: &Path) -> Option<Rc<PackageJson>> {
        let mut d = Some(dir);
        while let Some(cur) = d {
            if !cur.starts_with(&self.root) {
                return None;
            }
            if let Some(pkg) = self.package_json(cur) {
                return Some(pkg);
            }
            d = cur.parent();
        }
        None
    }

    fn package_json(&self, dir: &Path) -> Option<Rc<PackageJson>> {
        if let Some(cached) = self.packages.borrow().get(dir) {
            return cached.clone();
        }
        let parsed = std::fs::read_to_string(dir.join("package.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .map(|v| {
                let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
                Rc::new(PackageJson {
                    dir: dir.to_path_buf(),
                    name: text("name"),
                    type_module: v.get("type").and_then(Value::as_str) == Some("module"),
                    main: text("main"),
                    exports: v.get("exports").cloned(),
                    imports: v.get("imports").cloned(),
                })
            });
        self.packages
            .borrow_mut()
            .insert(dir.to_path_buf(), parsed.clone());
        parsed
    }

    /// The real path, which must be inside the root.
    fn inside(&self, path: &Path, specifier: &str) -> Result<PathBuf, ResolveError> {
        let real = path.canonicalize().map_err(|e| {
            ResolveError(format!(
                "module \"{specifier}\": cannot read {}: {e}",
                self.display(path)
            ))
        })?;
        if !real.starts_with(&self.root) {
            return Err(ResolveError(format!(
                "module \"{specifier}\" resolves outside the module root (through a symlink at {}); packages must be installed inside the project",
                self.display(path)
            )));
        }
        Ok(real)
    }

    /// A host path as the sandbox shows it (`/node_modules/x/index.js`).
    pub(crate) fn display(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root) {
            Ok(rel) => format!("/{}", rel.to_string_lossy()),
            Err(_) => path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        }
    }
}

/// Whether a directory is inside some `node_modules` (an installed package, not project code).
pub(crate) fn in_node_modules(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "node_modules")
}

/// `@scope/name/sub/path` → (`@scope/name`, `./sub/path`); `name` → (`name`, `.`).
fn split_package(specifier: &str) -> (&str, String) {
    let mut parts = specifier.splitn(3, '/');
    let first = parts.next().unwrap_or(specifier);
    let name_len = if first.starts_with('@') {
        match parts.next() {
            Some(second) => first.len() + 1 + second.len(),
            None => first.len(),
        }
    } else {
        first.len()
    };
    let name = &specifier[..name_len];
    let rest = &specifier[name_len..];
    let subpath = if rest.is_empty() {
        ".".to_string()
    } else {
        format!(".{rest}")
    };
    (name, subpath)
}

/// The entry of an `exports`/`imports` map for `key`: an exact key, or the pattern with the
/// longest prefix (`./*`, `./features/*.js`), with what its `*` matched.
fn match_subpath<'a>(
    map: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Option<(&'a Value, Option<String>)> {
    if let Some(v) = map.get(key)
        && !key.contains('*')
    {
        return Some((v, None));
    }
    let mut best: Option<(&str, &Value, String)> = None;
    for (pattern, value) in map {
        let Some((pre, post)) = pattern.split_once('*') else {
            // Legacy folder mappings: `"./dir/": "./dist/dir/"`.
            if pattern.ends_with('/') && key.starts_with(pattern.as_str()) {
                let rest = &key[pattern.len()..];
                if best
                    .as_ref()
                    .is_none_or(|(p, _, _)| pattern.len() > p.len())
                {
                    best = Some((pattern, value, format!("\0{rest}")));
                }
            }
            continue;
        };
        if key.len() >= pre.len() + post.len() && key.starts_with(pre) && key.ends_with(post) {
            let star = &key[pre.len()..key.len() - post.len()];
            if best.as_ref().is_none_or(|(p, _, _)| pre.len() > p.len()) {
                best = Some((pre, value, star.to_string()));
            }
        }
    }
    best.map(|(_, v, star)| (v, Some(star)))
}

/// A target of `exports`: a string, an array of alternatives, or an object of conditions.
fn resolve_target(value: &Value, star: Option<&str>, conditions: &[&str]) -> Option<String> {
    match value {
        Value::String(s) => Some(match star {
            Some(rest) if rest.starts_with('\0') => format!("{s}{}", &rest[1..]),
            Some(star) => s.replace('*', star),
            None => s.clone(),
        }),
        Value::Array(items) => items
            .iter()
            .find_map(|item| resolve_target(item, star, conditions)),
        Value::Object(map) => map.iter().find_map(|(cond, v)| {
            conditions
                .contains(&cond.as_str())
                .then(|| resolve_target(v, star, conditions))
                .flatten()
        }),
        _ => None,
    }
}

fn read_tsconfig(root: &Path) -> Option<TsPaths> {
    let text = std::fs::read_to_string(root.join("tsconfig.json")).ok()?;
    let value: Value =
        jsonc_parser::parse_to_serde_value(&text, &jsonc_parser::ParseOptions::default()).ok()?;
    let options = value.get("compilerOptions")?;
    let base_url = options.get("baseUrl").and_then(Value::as_str);
    let base = root.join(base_url.unwrap_or("."));
    let paths = options
        .get("paths")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    let targets = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default();
                    (k.clone(), targets)
                })
                .collect()
        })
        .unwrap_or_default();
    Some(TsPaths {
        base,
        paths,
        has_base_url: base_url.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_split_from_subpaths() {
        assert_eq!(split_package("lodash"), ("lodash", ".".into()));
        assert_eq!(split_package("lodash/fp"), ("lodash", "./fp".into()));
        assert_eq!(
            split_package("@faker-js/faker"),
            ("@faker-js/faker", ".".into())
        );
        assert_eq!(
            split_package("@faker-js/faker/locale/de"),
            ("@faker-js/faker", "./locale/de".into())
        );
    }

    #[test]
    fn exports_match_conditions_and_patterns() {
        let exports: Value = serde_json::json!({
            ".": { "types": "./d.ts", "import": "./esm/index.mjs", "require": "./cjs/index.js" },
            "./locale/*": { "import": "./esm/locale/*.mjs", "default": "./cjs/locale/*.js" },
            "./package.json": "./package.json"
        });
        let map = exports.as_object().expect("object");
        let (v, star) = match_subpath(map, ".").expect("dot");
        assert_eq!(
            resolve_target(v, star.as_deref(), IMPORT_CONDITIONS).as_deref(),
            Some("./esm/index.mjs")
        );
        assert_eq!(
            resolve_target(v, star.as_deref(), REQUIRE_CONDITIONS).as_deref(),
            Some("./cjs/index.js")
        );
        let (v, star) = match_subpath(map, "./locale/de").expect("pattern");
        assert_eq!(
            resolve_target(v, star.as_deref(), REQUIRE_CONDITIONS).as_deref(),
            Some("./cjs/locale/de.js")
        );
        assert!(match_subpath(map, "./internal").is_none());
    }
}

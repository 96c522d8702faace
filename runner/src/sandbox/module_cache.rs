//! Modules prepared once for many runtimes: a test run starts an isolate per spec file, and a
//! package imported by fifty of them would otherwise be read, type-stripped and compiled fifty
//! times. The cache keeps, per file (and the file's modification time and size, so an edited
//! file is prepared again), the JavaScript the loader produced, and V8's code cache for it
//! (for ES modules and for CommonJS files alike), which later isolates compile from instead of
//! parsing the source again. Everything in it was made by the host from files of the module
//! root; nothing user code does can write to it.

use std::collections::HashMap;
use std::hash::Hash as _;
use std::hash::Hasher as _;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::SystemTime;

use super::loader::LoadedSource;

/// A cache shared by the runtimes given a clone of it (cheap: one `Arc`).
#[derive(Clone, Default)]
pub struct ModuleCache {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for ModuleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ModuleCache(..)")
    }
}

#[derive(Default)]
struct Inner {
    prepared: HashMap<PathBuf, Prepared>,
    /// V8 code caches by module URL and hash of the code they were made from.
    compiled: HashMap<(String, u64), Arc<[u8]>>,
}

/// When a file was last changed, as far as the cache can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

impl Stamp {
    pub(crate) fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Self {
            modified: meta.modified().ok(),
            len: meta.len(),
        })
    }
}

/// What the loader made of a file.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub stamp: Stamp,
    /// Whether V8 gets it as JSON rather than JavaScript.
    pub json: bool,
    /// The code V8 runs.
    pub code: Arc<str>,
    /// What error messages map back to.
    pub source: Option<LoadedSource>,
}

/// The hash the code cache of `code` is filed under.
pub(crate) fn hash_code(code: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    code.hash(&mut h);
    h.finish()
}

/// The same for the UTF-16 units `evalContext` hands over.
pub(crate) fn hash_units(units: &[u16]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    units.hash(&mut h);
    h.finish()
}

impl ModuleCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn prepared(&self, real: &Path, stamp: Stamp) -> Option<Prepared> {
        let inner = self.inner.lock().ok()?;
        inner
            .prepared
            .get(real)
            .filter(|p| p.stamp == stamp)
            .cloned()
    }

    pub(crate) fn store_prepared(&self, real: &Path, prepared: Prepared) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.prepared.insert(real.to_path_buf(), prepared);
        }
    }

    pub(crate) fn compiled(&self, url: &str, hash: u64) -> Option<Arc<[u8]>> {
        let inner = self.inner.lock().ok()?;
        inner.compiled.get(&(url.to_string(), hash)).cloned()
    }

    pub(crate) fn store_compiled(&self, url: &str, hash: u64, data: &[u8]) {
        if let Ok(mut inner) = self.inner.lock() {
            inner
                .compiled
                .insert((url.to_string(), hash), Arc::from(data));
        }
    }
}

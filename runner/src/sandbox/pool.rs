//! Namespaced runtimes: [`Host::namespaced_runtime`] hands out the runtime kept under a key,
//! creating it the first time. Disposing the handle returns the isolate to the pool with its
//! globals, module instances and compiled modules intact; the next acquire of the key gets it
//! back with fresh bindings, no timers and reset console counters. One live handle per key;
//! a runtime that hit a hard limit (timeout, memory, cancellation) is discarded, never pooled.
//! The pool is bounded: the least recently used idle runtime is disposed first.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;

use super::Runtime;
use super::RuntimeError;
use super::RuntimeOptions;
use super::ScriptError;

/// Why a namespaced runtime could not be acquired.
#[derive(Debug, thiserror::Error)]
pub enum NamespaceError {
    /// Another handle for the key is live.
    #[error(
        "namespace \"{0}\" is in use: dispose its runtime before acquiring it again (one live handle per key)"
    )]
    InUse(String),
    /// Creating the runtime failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// Handing a pooled runtime its new bindings failed.
    #[error("namespace \"{key}\": {error}")]
    Rebind {
        /// The key.
        key: String,
        /// What failed.
        error: ScriptError,
    },
}

enum Slot {
    /// Handed out.
    Live { delete: bool },
    /// In the pool.
    Idle { runtime: Runtime, used: u64 },
}

struct Pool {
    slots: HashMap<String, Slot>,
    clock: u64,
    max_idle: usize,
}

/// Owns namespaced runtimes. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Host {
    pool: Arc<Mutex<Pool>>,
}

impl Host {
    /// A host that keeps at most `max_idle` idle runtimes.
    pub fn new(max_idle: usize) -> Self {
        Self {
            pool: Arc::new(Mutex::new(Pool {
                slots: HashMap::new(),
                clock: 0,
                max_idle,
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pool> {
        self.pool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The runtime under `key`: the pooled one with `options`' bindings, or a new one. Fails
    /// while another handle for `key` is live; of concurrent acquires of a free key exactly
    /// one wins. A pooled runtime keeps the module root and memory limit it was created with.
    pub async fn namespaced_runtime(
        &self,
        key: &str,
        options: RuntimeOptions,
    ) -> Result<NamespacedRuntime, NamespaceError> {
        let pooled = {
            let mut pool = self.lock();
            if let Some(Slot::Live { .. }) = pool.slots.get(key) {
                return Err(NamespaceError::InUse(key.to_string()));
            }
            match pool
                .slots
                .insert(key.to_string(), Slot::Live { delete: false })
            {
                Some(Slot::Idle { runtime, .. }) => Some(runtime),
                _ => None,
            }
        };
        // Until the handle exists, a failure frees the key again.
        let mut reservation = Reservation {
            host: self,
            key,
            armed: true,
        };
        let (runtime, reused) = match pooled {
            Some(runtime) if runtime.is_usable() => {
                if let Err(error) = runtime.rebind(options).await {
                    runtime.dispose().await;
                    return Err(NamespaceError::Rebind {
                        key: key.to_string(),
                        error,
                    });
                }
                (runtime, true)
            }
            stale => {
                if let Some(runtime) = stale {
                    runtime.dispose().await;
                }
                let runtime = tokio::task::spawn_blocking(move || Runtime::new(options))
                    .await
                    .map_err(|e| RuntimeError::Startup(e.to_string()))??;
                (runtime, false)
            }
        };
        reservation.armed = false;
        Ok(NamespacedRuntime {
            runtime: Some(runtime),
            key: key.to_string(),
            reused,
            host: self.clone(),
        })
    }

    /// Deletes the runtime under `key`: at once if it is idle, when its handle is disposed if
    /// it is live. Returns whether there was one.
    pub async fn dispose_namespace(&self, key: &str) -> bool {
        let idle = {
            let mut pool = self.lock();
            match pool.slots.get_mut(key) {
                Some(Slot::Live { delete }) => {
                    *delete = true;
                    return true;
                }
                Some(Slot::Idle { .. }) => match pool.slots.remove(key) {
                    Some(Slot::Idle { runtime, .. }) => runtime,
                    _ => return false,
                },
                None => return false,
            }
        };
        idle.dispose().await;
        true
    }

    /// How many runtimes the host holds (idle and live).
    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// Whether the host holds no runtime.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes a runtime back; returns the runtimes to dispose (this one if it cannot be reused
    /// or was deleted, and the least recently used idle ones beyond the bound).
    fn give_back(&self, key: &str, runtime: Runtime) -> Vec<Runtime> {
        let mut pool = self.lock();
        let deleted = matches!(pool.slots.get(key), Some(Slot::Live { delete: true }));
        if deleted || !runtime.is_usable() {
            pool.slots.remove(key);
            return vec![runtime];
        }
        pool.clock += 1;
        let used = pool.clock;
        pool.slots
            .insert(key.to_string(), Slot::Idle { runtime, used });
        let mut evicted = Vec::new();
        loop {
            let idle: Vec<(&String, u64)> = pool
                .slots
                .iter()
                .filter_map(|(k, s)| match s {
                    Slot::Idle { used, .. } => Some((k, *used)),
                    Slot::Live { .. } => None,
                })
                .collect();
            if idle.len() <= pool.max_idle {
                break;
            }
            let Some(oldest) = idle
                .iter()
                .min_by_key(|(_, used)| *used)
                .map(|(k, _)| (*k).clone())
            else {
                break;
            };
            if let Some(Slot::Idle { runtime, .. }) = pool.slots.remove(&oldest) {
                evicted.push(runtime);
            }
        }
        evicted
    }
}

impl Default for Host {
    fn default() -> Self {
        Self::new(16)
    }
}

struct Reservation<'a> {
    host: &'a Host,
    key: &'a str,
    armed: bool,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.host.lock().slots.remove(self.key);
        }
    }
}

/// A runtime acquired from a [`Host`] under a key. Derefs to [`Runtime`]; give it back with
/// [`NamespacedRuntime::dispose`] (dropping it does the same, without waiting for evicted
/// runtimes to wind down).
pub struct NamespacedRuntime {
    runtime: Option<Runtime>,
    key: String,
    reused: bool,
    host: Host,
}

impl NamespacedRuntime {
    /// Whether this is a pooled runtime's next life (`false` the first time).
    pub fn reused(&self) -> bool {
        self.reused
    }

    /// The key it is kept under.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Returns the runtime to its host's pool (or discards it, if it hit a hard limit or its
    /// namespace was deleted).
    pub async fn dispose(mut self) {
        if let Some(runtime) = self.runtime.take() {
            for evicted in self.host.give_back(&self.key, runtime) {
                evicted.dispose().await;
            }
        }
    }
}

impl std::ops::Deref for NamespacedRuntime {
    type Target = Runtime;

    fn deref(&self) -> &Runtime {
        // Only `dispose` and `drop` take it, and both consume the handle.
        self.runtime
            .as_ref()
            .expect("a namespaced runtime holds its runtime until disposed")
    }
}

impl Drop for NamespacedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            drop(self.host.give_back(&self.key, runtime));
        }
    }
}

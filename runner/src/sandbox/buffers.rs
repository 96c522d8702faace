//! Memory outside the JS heap counts too: the isolate's ArrayBuffer allocator (typed arrays,
//! `ArrayBuffer`, `Blob` bytes, everything JS allocates as a buffer) keeps a budget the size of
//! the isolate's memory limit. An allocation past it fails (V8 throws a `RangeError` there)
//! and stops the isolate with the memory-limit error, as the heap limit does.

use std::ffi::c_void;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;

use deno_core::v8;

/// What one isolate's buffers may hold, and what to do when they would hold more.
pub(crate) struct Budget {
    used: AtomicUsize,
    limit: usize,
    exceeded: Box<dyn Fn() + Send + Sync>,
}

impl Budget {
    fn reserve(&self, len: usize) -> bool {
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            let Some(next) = used.checked_add(len).filter(|n| *n <= self.limit) else {
                return false;
            };
            match self
                .used
                .compare_exchange_weak(used, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(now) => used = now,
            }
        }
    }

    fn release(&self, len: usize) {
        self.used.fetch_sub(len, Ordering::Relaxed);
    }
}

unsafe extern "C" fn allocate(budget: &Budget, len: usize) -> *mut c_void {
    if !budget.reserve(len) {
        (budget.exceeded)();
        return std::ptr::null_mut();
    }
    // SAFETY: calloc returns zeroed memory or null; V8 handles null as a failed allocation.
    let data = unsafe { libc::calloc(len.max(1), 1) };
    if data.is_null() {
        budget.release(len);
    }
    data
}

unsafe extern "C" fn allocate_uninitialized(budget: &Budget, len: usize) -> *mut c_void {
    if !budget.reserve(len) {
        (budget.exceeded)();
        return std::ptr::null_mut();
    }
    // SAFETY: as above, without zeroing (V8 asks for it only where it writes every byte).
    let data = unsafe { libc::malloc(len.max(1)) };
    if data.is_null() {
        budget.release(len);
    }
    data
}

unsafe extern "C" fn free(budget: &Budget, data: *mut c_void, len: usize) {
    // SAFETY: `data` came from `allocate` or `allocate_uninitialized` above.
    unsafe { libc::free(data) };
    budget.release(len);
}

unsafe extern "C" fn drop_budget(budget: *const Budget) {
    // SAFETY: the pointer is the one `allocator` leaked from an `Arc`; V8 drops it once.
    unsafe { drop(Arc::from_raw(budget)) };
}

static VTABLE: v8::RustAllocatorVtable<Budget> = v8::RustAllocatorVtable {
    allocate,
    allocate_uninitialized,
    free,
    drop: drop_budget,
};

/// An ArrayBuffer allocator that holds at most `limit` bytes and calls `exceeded` (from the
/// allocating thread) when an allocation would go past it.
pub(crate) fn allocator(
    limit: usize,
    exceeded: impl Fn() + Send + Sync + 'static,
) -> v8::UniqueRef<v8::Allocator> {
    let budget = Arc::new(Budget {
        used: AtomicUsize::new(0),
        limit,
        exceeded: Box::new(exceeded),
    });
    // SAFETY: the vtable's functions match the allocator contract, and the handle stays
    // valid until V8 calls `drop_budget` with it.
    unsafe { v8::new_rust_allocator(Arc::into_raw(budget), &VTABLE) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_holds_up_to_its_limit_and_frees_what_is_released() {
        let budget = Budget {
            used: AtomicUsize::new(0),
            limit: 100,
            exceeded: Box::new(|| {}),
        };
        assert!(budget.reserve(60));
        assert!(!budget.reserve(50));
        budget.release(60);
        assert!(budget.reserve(100));
        assert!(!budget.reserve(1));
        assert!(!budget.reserve(usize::MAX), "no overflow");
    }
}

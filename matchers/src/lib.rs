//! Everything about assertions: the in-isolate `expect` (its JS sources are embedded here as
//! strings), generic matchers, locator and page matchers that poll through the browser crate,
//! and failure formatting (expected/received, diffs, call log).
//!
//! The runner loads these sources into the isolate; this crate never touches V8 itself.

pub use isolate_browser_browser as browser;

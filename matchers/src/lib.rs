//! Everything about assertions: the in-isolate `expect` (its JS sources are embedded here as
//! strings), generic matchers, locator and page matchers that poll through the browser crate,
//! and failure formatting (expected/received, diffs, call log).
//!
//! The runner loads these sources into the isolate; this crate never touches V8 itself.
//! It holds the generic `expect` ([`EXPECT_JS`]) and the web-first matchers ([`web_first`]),
//! which poll through [`browser`]'s `expect_state`.

pub mod web_first;

pub use isolate_browser_browser as browser;

/// The generic `expect` as an ES module: `export { expect, takeSoftErrors, AssertionError }`.
/// Jest semantics and Playwright's messages for toBe/toEqual/toStrictEqual/…/toThrow,
/// asymmetric matchers, `.not`, `.resolves`/`.rejects`, custom messages, `expect.soft`,
/// `expect.poll`, `toPass`, `expect.configure` and `expect.extend`.
pub const EXPECT_JS: &str = include_str!("js/expect.js");

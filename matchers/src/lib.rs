//! Everything about assertions: the in-isolate `expect` (its JS sources live here, under
//! `src/js/`), generic matchers, locator and page matchers that poll through the browser crate,
//! and failure formatting (expected/received, diffs, call log).
//!
//! The runner loads these sources into the isolate (its test snapshot is built from them);
//! this crate never touches V8 itself.
//! - `js/expect.js` ([`EXPECT_JS`]): the generic `expect`.
//! - `js/web_first.js`: the web-first matchers' JS adapters, which send one host call per
//!   assertion to [`web_first::check`], polling through the browser crate's `expect_state`.
//! - `js/web_first_matchers.js` ([`web_first::matchers`]): the web-first matcher names, the one
//!   list both halves use.

pub mod compare;
mod pretty;
pub mod screenshot;
pub mod web_first;

/// The generic `expect` as an ES module: `export { expect, takeSoftErrors, AssertionError }`.
/// Jest semantics and Playwright's messages for toBe/toEqual/toStrictEqual/…/toThrow,
/// asymmetric matchers, `.not`, `.resolves`/`.rejects`, custom messages, `expect.soft`,
/// `expect.poll`, `toPass`, `expect.configure` and `expect.extend`.
pub const EXPECT_JS: &str = include_str!("js/expect.js");

/// The web-first matchers' JS adapters as an ES module (`export { webFirstMatchers }`); it
/// imports the browser API and [`web_first::MATCHERS_JS`] by the runner's `ext:` names.
pub const WEB_FIRST_JS: &str = include_str!("js/web_first.js");

//! Everything about assertions: the in-isolate `expect` (its JS sources are embedded here as
//! strings), generic matchers, locator and page matchers that poll through the browser crate,
//! and failure formatting (expected/received, diffs, call log).
//!
//! The runner loads these sources into the isolate; this crate never touches V8 itself.
//! - [`EXPECT_JS`]: the generic `expect`.
//! - [`web_first_js`]: the web-first matchers' JS adapters, which send one host call per
//!   assertion to [`web_first::check`], polling through the browser crate's `expect_state`.
//! - [`web_first::MATCHERS`]: the web-first matcher names, the one list both halves use.

pub mod web_first;

/// The generic `expect` as an ES module: `export { expect, takeSoftErrors, AssertionError }`.
/// Jest semantics and Playwright's messages for toBe/toEqual/toStrictEqual/…/toThrow,
/// asymmetric matchers, `.not`, `.resolves`/`.rejects`, custom messages, `expect.soft`,
/// `expect.poll`, `toPass`, `expect.configure` and `expect.extend`.
pub const EXPECT_JS: &str = include_str!("js/expect.js");

const WEB_FIRST_JS: &str = include_str!("js/web_first.js");

/// The web-first matchers' JS adapters as an ES module (`export { webFirstMatchers }`), with
/// [`web_first::MATCHERS`] written into it. It imports the browser API from
/// `isolate-browser/internal/browser`.
pub fn web_first_js() -> String {
    let list: Vec<String> = web_first::MATCHERS
        .iter()
        .map(|(name, arity)| format!("[\"{name}\", \"{}\"]", arity.as_str()))
        .collect();
    format!("const MATCHERS = [{}];\n{WEB_FIRST_JS}", list.join(", "))
}

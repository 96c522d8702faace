//! isolate-browser: runs Playwright-style browser tests, scripts and app servers inside
//! sandboxed V8 isolates.
//!
//! The library is what the `isolate-browser` binary is built on:
//! - [`sandbox`]: [`Runtime`], one isolate with web-platform globals, TypeScript, ES modules,
//!   and only the capabilities the host grants (console, fetch policy, a files root, virtual
//!   modules, tools), under memory and time limits that V8 enforces.
//! - [`suite`]: the test runner behind `isolate-browser test`: config, discovery, workers,
//!   retries and reporters, with the Playwright test API inside each isolate.
//! - [`cli`]: the command-line interface.

mod civil;
pub mod cli;
pub mod sandbox;
pub mod serve;
mod stdio;
pub mod suite;

pub use sandbox::Runtime;
pub use sandbox::RuntimeOptions;
pub use sandbox::ScriptError;

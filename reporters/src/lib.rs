//! The run-event contract between the runner and its reporters, and the reporters themselves
//! (list, dot, line, JSON, JUnit, GitHub, HTML) behind a fan-out that isolates one failing
//! reporter from the rest.
//!
//! It has no internal dependencies and builds without V8 or Chromium.

/// The version of the JSON report format this crate will write.
pub const REPORT_FORMAT_VERSION: u32 = 1;

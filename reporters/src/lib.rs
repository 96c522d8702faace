//! The run-event contract between the runner and its reporters ([`RunEvent`]), the
//! [`Reporter`] trait with a [`FanOut`] that isolates a failing reporter from the rest, and the
//! reporters themselves (list, dot, line, JSON, JUnit, GitHub and HTML).
//!
//! It has no internal dependencies and builds without V8 or Chromium.

mod events;
mod fanout;
mod github;
mod html;
mod json;
mod junit;
mod text;

pub use events::Attachment;
pub use events::OutputStream;
pub use events::RunEvent;
pub use events::RunEventKind;
pub use events::RunStats;
pub use events::RunStatus;
pub use events::TestAttempt;
pub use events::TestFailure;
pub use events::TestId;
pub use events::TestInfo;
pub use events::TestOutcome;
pub use events::TestStep;
pub use fanout::FanOut;
pub use fanout::Reporter;
pub use fanout::ReporterError;
pub use github::GithubReporter;
pub use html::HtmlReporter;
pub use html::TRACE_VIEWER_ENV;
pub use html::find_trace_viewer;
pub use json::JsonReporter;
pub use junit::JunitReporter;
pub use junit::write_atomically;
pub use text::TextReporter;
pub use text::TextStyle;
pub use text::format_duration;
pub use text::summary_line;
pub use text::test_title;

/// The version of the JSON report format this crate writes.
pub const REPORT_FORMAT_VERSION: u32 = 1;

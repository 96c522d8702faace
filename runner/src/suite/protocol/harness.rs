//! What the harness and the host tell each other: the harness calls' arguments, the page events
//! the host pushes into the isolate, and the harness's answers to the worker (`list()`,
//! `run(ids, options)`), all typed so that a field one side renames fails loudly.

use serde::Deserialize;
use serde::Serialize;

use super::values::Base64;
use super::values::DialogId;
use super::values::PageId;
use super::values::RouteId;
use super::values::RouteRequestId;
use super::values::StepId;
use super::values::TestIndex;

// ---- harness calls -----------------------------------------------------------------------------

/// `harness.testBegin`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TestBeginArgs {
    pub id: TestIndex,
}

/// `harness.deadline`: the test's end is `ms` from now (0: no limit).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeadlineArgs {
    pub ms: f64,
}

/// `harness.stepBegin`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepBeginArgs {
    pub id: StepId,
    pub parent: Option<StepId>,
    pub title: String,
}

/// `harness.stepEnd`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepEndArgs {
    pub id: StepId,
    /// Milliseconds.
    pub duration: f64,
    pub error: Option<String>,
}

/// `harness.traceWrite`: the test's trace events and the parts its contexts wrote.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct TraceWriteArgs {
    /// Where trace.zip goes, as test code spells it.
    pub path: String,
    /// The test runner's events (steps, errors), in order.
    pub events: Vec<serde_json::Value>,
    /// The traced contexts' parts (zips the browser side wrote), as test code spells them.
    pub libraries: Vec<String>,
    /// Whether the mode keeps this test's trace (the parts are removed either way).
    pub keep: bool,
    /// The test's timeout, ms.
    pub timeout: f64,
    pub annotations: Vec<serde_json::Value>,
}

/// `harness.attach`: a body to write, or a file of the project to point at.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct AttachArgs {
    pub name: String,
    pub content_type: Option<String>,
    pub body: Option<Base64>,
    /// A file the test wrote, relative to the project.
    pub path: Option<String>,
    /// The test's output directory, as test code spells it.
    pub dir: String,
}

/// Where an attachment is, as test code spells it, and its content type.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Attached {
    pub path: String,
    pub content_type: String,
}

/// `harness.snapshotRead`: an expected snapshot file (root-relative), if it exists.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SnapshotReadArgs {
    pub path: String,
}

/// `harness.snapshotWrite`: an expectation, or an actual / diff / previous copy in the output
/// directory.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SnapshotWriteArgs {
    pub path: String,
    pub data: Base64,
}

/// `harness.compare`: `toMatchSnapshot`'s comparison, by the snapshot's content type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CompareArgs {
    pub content_type: String,
    pub actual: Base64,
    pub expected: Base64,
    pub threshold: Option<f64>,
    pub max_diff_pixels: Option<f64>,
    pub max_diff_pixel_ratio: Option<f64>,
}

/// Why two snapshots differ.
#[derive(Debug, Serialize)]
pub(crate) struct CompareReply {
    pub message: String,
    pub diff: Option<Base64>,
}

// ---- test results ------------------------------------------------------------------------------

/// How one attempt of a test ended, as the harness sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ResultStatus {
    Passed,
    Failed,
    TimedOut,
    Skipped,
    Interrupted,
}

/// What kind of error the harness recorded, which decides how it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ErrorOrigin {
    /// A thrown value: printed as `Name: message`.
    #[default]
    Thrown,
    /// The harness's own timeout message, printed as it is.
    Timeout,
}

/// An error as the harness records it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ErrorInfo {
    pub name: String,
    pub message: String,
    pub stack: Option<String>,
    #[serde(default)]
    pub call_log: Vec<String>,
    /// The web-first or generic matcher that failed (`toHaveText`).
    pub matcher: Option<String>,
    #[serde(default)]
    pub origin: ErrorOrigin,
}

/// `test.info().annotations` entries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Annotation {
    #[serde(rename = "type")]
    pub kind: String,
    pub description: Option<String>,
}

/// An attachment the test recorded.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct AttachmentInfo {
    pub name: String,
    pub content_type: String,
    /// As test code spells it (relative to the project or the output directory).
    pub path: String,
}

/// A `test.step` and the steps inside it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepInfo {
    pub title: String,
    /// Milliseconds.
    pub duration: f64,
    pub error: Option<String>,
    #[serde(default)]
    pub skipped: bool,
    #[serde(default)]
    pub steps: Vec<StepInfo>,
}

/// `harness.testEnd`: one attempt of a test, as the harness recorded it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct TestResult {
    pub id: TestIndex,
    pub status: ResultStatus,
    pub errors: Vec<ErrorInfo>,
    pub annotations: Vec<Annotation>,
    pub attachments: Vec<AttachmentInfo>,
    pub steps: Vec<StepInfo>,
    /// A test of a serial group that did not run because an earlier one failed.
    #[serde(default)]
    pub not_run: bool,
}

// ---- the worker's calls into the harness -------------------------------------------------------

/// A skip declared with the test (`test.skip('title', fn)`, a skipped describe).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StaticSkip {
    /// `skip` or `fixme`.
    #[serde(rename = "type")]
    pub kind: String,
    pub description: Option<String>,
}

/// What `__ib_harness.list()` says of each test a spec file declares.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ListedTest {
    pub id: TestIndex,
    pub title_path: Vec<String>,
    pub line: u32,
    pub column: u32,
    pub only: bool,
    pub tags: Vec<String>,
    pub skip: Option<StaticSkip>,
    /// `describe.configure({ retries })` over the project's.
    pub retries: Option<u32>,
    /// The serial describe the test belongs to.
    pub serial_group: Option<u64>,
    /// Inside a `describe.parallel` / `mode: 'parallel'`.
    pub parallel: bool,
}

/// The options of `__ib_harness.run(ids, options)`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RunOptions<'a> {
    pub retry: u32,
    pub worker_index: usize,
    /// The test timeout in ms.
    pub timeout: u64,
    /// The expect timeout in ms.
    pub expect_timeout: u64,
    /// The project's `use` block.
    #[serde(rename = "use")]
    pub use_options: &'a serde_json::Value,
    pub project_name: &'a str,
    /// `testInfo.repeatEachIndex`.
    pub repeat_each_index: u32,
    /// The output directory, as test code spells it.
    pub output_dir: &'a str,
    pub retries: u32,
    /// Snapshot paths, update mode and matcher defaults.
    pub snapshots: &'a serde_json::Value,
}

/// What `__ib_harness.run(...)` answers once the file's tests are done.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FileResult {
    /// Worker fixtures whose teardown threw.
    pub teardown_errors: Vec<ErrorInfo>,
    /// Rejections nobody handled that surfaced when their test was over (or belonged to none).
    pub late_errors: Vec<ErrorInfo>,
}

// ---- events the host pushes into the isolate ---------------------------------------------------

/// A page event or a paused request, delivered to the isolate's event pump.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(crate) enum IsolateEvent {
    /// `page.on('console')`.
    Console {
        page: PageId,
        data: super::ConsoleInfo,
    },
    /// `page.on('pageerror')`.
    PageError { page: PageId, data: PageErrorData },
    /// `page.on('request')`.
    Request {
        page: PageId,
        data: isolate_browser_browser::RequestEvent,
    },
    /// `page.on('response')`.
    Response {
        page: PageId,
        data: isolate_browser_browser::RequestEvent,
    },
    /// `page.on('requestfailed')`.
    RequestFailed {
        page: PageId,
        data: isolate_browser_browser::RequestEvent,
    },
    /// `page.on('load')`.
    Load { page: PageId },
    /// `page.on('domcontentloaded')`.
    DomContentLoaded { page: PageId },
    /// `page.on('filechooser')`.
    FileChooser {
        page: PageId,
        data: super::FileChooserInfo,
    },
    /// `page.on('requestfinished')`.
    RequestFinished {
        page: PageId,
        data: isolate_browser_browser::RequestEvent,
    },
    /// `page.on('dialog')`: answered with `dialog.respond`.
    Dialog {
        page: PageId,
        #[serde(rename = "dialogId")]
        dialog: DialogId,
        data: isolate_browser_browser::DialogEvent,
    },
    /// A page this page opened.
    Popup { page: PageId, popup: PageId },
    /// `page.on('crash')`: the page's renderer crashed.
    Crash { page: PageId },
    /// The page called a function `exposeBinding` defined.
    Binding {
        page: PageId,
        data: isolate_browser_browser::BindingCall,
    },
    /// `page.on('frameattached')`, with the page's frames now.
    FrameAttached {
        page: PageId,
        frame: String,
        frames: Vec<isolate_browser_browser::FrameInfo>,
    },
    /// `page.on('framedetached')`.
    FrameDetached {
        page: PageId,
        frame: String,
        frames: Vec<isolate_browser_browser::FrameInfo>,
    },
    /// `page.on('framenavigated')`.
    FrameNavigated {
        page: PageId,
        frame: String,
        frames: Vec<isolate_browser_browser::FrameInfo>,
    },
    /// A request paused for the isolate's route handler `route`.
    Route {
        #[serde(rename = "routeId")]
        route: RouteId,
        #[serde(rename = "requestId")]
        request: RouteRequestId,
        data: RouteRequestInfo,
    },
}

/// An uncaught error of a page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageErrorData {
    pub message: String,
    pub stack: Option<String>,
}

/// A request paused for a route handler.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RouteRequestInfo {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    /// The body, base64.
    pub post_data: Option<String>,
    pub resource_type: String,
    /// The page's id of the request hop, as its request events name it.
    pub id: Option<String>,
    pub frame: Option<String>,
    pub is_navigation: bool,
    /// The page whose request it is.
    pub page: Option<super::PageId>,
}

//! The host side of one test isolate: every host call is decoded against the protocol's
//! tables here, on the isolate's thread. Harness calls (a test began, its deadline moved, a step,
//! an attachment, it ended) are answered here and reported to the worker; page events are pulled
//! by the in-isolate event pump; browser calls go to the worker's browser thread.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use futures::future::LocalBoxFuture;
use tokio::sync::mpsc;

use super::browser::BrowserThread;
use super::browser::PathMap;
use super::browser::SessionDefaults;
use super::output::SharedOutput;
use super::protocol::AttachArgs;
use super::protocol::Attached;
use super::protocol::BrowserCall;
use super::protocol::CallError;
use super::protocol::DeadlineArgs;
use super::protocol::HarnessCall;
use super::protocol::IsolateEvent;
use super::protocol::NoArgs;
use super::protocol::Reply;
use super::protocol::StepBeginArgs;
use super::protocol::StepEndArgs;
use super::protocol::StepId;
use super::protocol::TestBeginArgs;
use super::protocol::TestIndex;
use super::protocol::TestResult;
use super::protocol::encode_error;
pub(crate) use super::snapshots::compare;
pub(crate) use super::snapshots::snapshot_read;
pub(crate) use super::snapshots::snapshot_write;
pub(crate) use super::trace_file::trace_write;
use crate::sandbox::ConsoleEntry;
use crate::sandbox::HostCalls;
use crate::sandbox::HostCallsBinding;

/// What an isolate tells its worker while tests run, in the order it happened.
#[derive(Debug)]
pub(crate) enum IsolateMsg {
    /// The browser session of this isolate.
    Session(u32),
    /// A test started.
    Begin { id: TestIndex },
    /// The running test's deadline is now `ms` from now (0: none).
    Deadline { ms: u64 },
    /// A `test.step` began.
    StepBegan {
        id: StepId,
        parent: Option<StepId>,
        title: String,
    },
    /// A `test.step` ended.
    StepEnded {
        id: StepId,
        duration: Duration,
        error: Option<String>,
    },
    /// A line of console output of the isolate.
    Output(ConsoleEntry),
    /// A test ended.
    End {
        result: Box<TestResult>,
        console: Vec<ConsoleEntry>,
        cpu: Option<Duration>,
    },
}

/// CPU time the calling thread has used (the isolate runs on its own thread).
fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec we pass.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

/// What the harness calls of one isolate are answered with.
pub(crate) struct HarnessCx {
    browser: BrowserThread,
    session: u32,
    events: tokio::sync::Mutex<mpsc::UnboundedReceiver<IsolateEvent>>,
    worker: mpsc::UnboundedSender<IsolateMsg>,
    console: SharedOutput,
    cpu_start: Cell<Option<Duration>>,
    paths: PathMap,
    secrets: crate::suite::secrets::Secrets,
}

impl HarnessCx {
    /// Where the test's files go.
    pub(crate) fn paths(&self) -> &PathMap {
        &self.paths
    }

    fn tell(&self, msg: IsolateMsg) {
        // The worker is gone only when the run is over; nothing is left to tell.
        let _ = self.worker.send(msg);
    }
}

struct TestHost(Rc<HarnessCx>);

/// The binding that gives each isolate a [`TestHost`].
pub(crate) fn binding(
    browser: BrowserThread,
    defaults: SessionDefaults,
    worker: mpsc::UnboundedSender<IsolateMsg>,
    console: SharedOutput,
) -> HostCallsBinding {
    HostCallsBinding::new(move || {
        let (tx, rx) = mpsc::unbounded_channel();
        let session = browser.open_session(defaults.clone(), tx);
        let _ = worker.send(IsolateMsg::Session(session));
        Rc::new(TestHost(Rc::new(HarnessCx {
            browser: browser.clone(),
            session,
            events: tokio::sync::Mutex::new(rx),
            worker: worker.clone(),
            console: console.clone(),
            cpu_start: Cell::new(None),
            paths: defaults.paths.clone(),
            secrets: defaults.secrets.clone(),
        }))) as Rc<dyn HostCalls>
    })
}

fn wire(result: Result<Reply, CallError>) -> String {
    match result {
        Ok(reply) => reply.0,
        Err(e) => encode_error(&e),
    }
}

impl HostCalls for TestHost {
    fn call(&self, method: String, args: String) -> LocalBoxFuture<'static, String> {
        if let Some(call) = HarnessCall::decode(&method, &args) {
            let cx = self.0.clone();
            return Box::pin(async move {
                wire(match call {
                    Ok(call) => call.dispatch(&cx).await,
                    Err(e) => Err(e),
                })
            });
        }
        let call = match BrowserCall::decode(&method, &args) {
            Some(Ok(call)) => call,
            Some(Err(e)) => return Box::pin(std::future::ready(encode_error(&e))),
            None => {
                let e = CallError::unknown_method(&method);
                return Box::pin(std::future::ready(encode_error(&e)));
            }
        };
        let browser = self.0.browser.clone();
        let session = self.0.session;
        Box::pin(async move { wire(browser.call(session, call).await) })
    }
}

// ---- the harness calls -------------------------------------------------------------------------

pub(crate) async fn test_begin(cx: &HarnessCx, args: TestBeginArgs) -> Result<(), CallError> {
    if let Ok(mut c) = cx.console.lock() {
        c.clear();
    }
    cx.cpu_start.set(thread_cpu_time());
    cx.tell(IsolateMsg::Begin { id: args.id });
    Ok(())
}

pub(crate) async fn deadline(cx: &HarnessCx, args: DeadlineArgs) -> Result<(), CallError> {
    let ms = if args.ms.is_finite() && args.ms > 0.0 {
        args.ms as u64
    } else {
        0
    };
    cx.tell(IsolateMsg::Deadline { ms });
    Ok(())
}

pub(crate) async fn step_begin(cx: &HarnessCx, args: StepBeginArgs) -> Result<(), CallError> {
    cx.tell(IsolateMsg::StepBegan {
        id: args.id,
        parent: args.parent,
        title: args.title,
    });
    Ok(())
}

pub(crate) async fn step_end(cx: &HarnessCx, args: StepEndArgs) -> Result<(), CallError> {
    cx.tell(IsolateMsg::StepEnded {
        id: args.id,
        duration: Duration::from_millis(args.duration.max(0.0) as u64),
        error: args.error,
    });
    Ok(())
}

pub(crate) async fn test_end(cx: &HarnessCx, result: TestResult) -> Result<(), CallError> {
    let console = cx.console.lock().map(|mut c| c.take()).unwrap_or_default();
    let cpu = match (cx.cpu_start.take(), thread_cpu_time()) {
        (Some(a), Some(b)) => b.checked_sub(a),
        _ => None,
    };
    cx.tell(IsolateMsg::End {
        result: Box::new(result),
        console,
        cpu,
    });
    Ok(())
}

pub(crate) async fn events_next(
    cx: &HarnessCx,
    _: NoArgs,
) -> Result<Option<Vec<IsolateEvent>>, CallError> {
    let mut rx = cx.events.lock().await;
    let Some(first) = rx.recv().await else {
        return Ok(None);
    };
    let mut batch = vec![first];
    while let Ok(more) = rx.try_recv() {
        batch.push(more);
    }
    Ok(Some(batch))
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "attachment".into()
    } else {
        out
    }
}

/// File extensions by content type, both ways.
const TYPES: &[(&str, &str)] = &[
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("application/json", "json"),
    ("text/html", "html"),
    ("text/plain", "txt"),
];

fn extension(content_type: &str) -> &'static str {
    let base = content_type.split(';').next().unwrap_or_default().trim();
    TYPES
        .iter()
        .find(|(t, _)| *t == base)
        .map(|(_, e)| *e)
        .unwrap_or("dat")
}

fn content_type_of(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or_default();
    let ext = if ext == "jpeg" { "jpg" } else { ext };
    TYPES
        .iter()
        .find(|(_, e)| *e == ext)
        .map(|(t, _)| *t)
        .unwrap_or("application/octet-stream")
}

pub(crate) async fn attach(cx: &HarnessCx, args: AttachArgs) -> Result<Attached, CallError> {
    if let Some(path) = args.path {
        let real = cx.paths.resolve(&path)?;
        if !real.is_file() {
            return Err(CallError::new(format!(
                "testInfo.attach: {path} does not exist"
            )));
        }
        let content_type = args
            .content_type
            .unwrap_or_else(|| content_type_of(&path).to_string());
        return Ok(Attached { path, content_type });
    }
    let content_type = args
        .content_type
        .unwrap_or_else(|| "application/octet-stream".to_string());
    let mut body = args.body.map(|b| b.0).unwrap_or_default();
    // A text attachment is masked like the test's output; bytes are written as they are.
    let text = content_type.starts_with("text/")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/xml");
    if text
        && !cx.secrets.is_empty()
        && let Ok(s) = std::str::from_utf8(&body)
        && let std::borrow::Cow::Owned(masked) = cx.secrets.mask(s)
    {
        body = masked.into_bytes();
    }
    let base = slug(&args.name);
    let ext = extension(&content_type);
    let dir = args.dir;
    let mut rel = format!("{dir}/{base}.{ext}");
    let mut n = 1;
    while cx.paths.resolve(&rel)?.exists() {
        n += 1;
        rel = format!("{dir}/{base}-{n}.{ext}");
    }
    let real = cx.paths.resolve_write(&rel)?;
    if let Some(parent) = real.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| CallError::new(format!("testInfo.attach: {e}")))?;
    }
    std::fs::write(&real, body).map_err(|e| CallError::new(format!("testInfo.attach: {e}")))?;
    Ok(Attached {
        path: rel,
        content_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_get_a_content_type_from_their_extension_and_back() {
        assert_eq!(content_type_of("shots/a.png"), "image/png");
        assert_eq!(content_type_of("a.JPEG"), "application/octet-stream");
        assert_eq!(content_type_of("b.jpeg"), "image/jpeg");
        assert_eq!(extension("text/plain; charset=utf-8"), "txt");
        assert_eq!(extension("application/x-thing"), "dat");
        assert_eq!(slug("my shot!"), "my-shot");
    }
}

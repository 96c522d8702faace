//! The host calls of one test isolate: harness notifications (a test began, its deadline moved,
//! it ended, it attached a file) go to the worker; page events are pulled by the in-isolate
//! event pump; everything else goes to the worker's browser thread.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use futures::future::LocalBoxFuture;
use serde_json::Value;
use serde_json::json;
use tokio::sync::mpsc;

use super::browser_side::BrowserThread;
use super::browser_side::PathMap;
use super::browser_side::SessionDefaults;
use crate::sandbox::ConsoleEntry;
use crate::sandbox::HostCallError;
use crate::sandbox::HostCalls;
use crate::sandbox::HostCallsBinding;

/// What an isolate tells its worker while tests run.
#[derive(Debug)]
pub(crate) enum IsolateMsg {
    /// The browser session of this isolate.
    Session(u32),
    /// A test started.
    Begin { id: usize },
    /// The running test's deadline is now `ms` from now (0: none).
    Deadline { ms: u64 },
    /// A test ended.
    End {
        result: Value,
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

struct TestHost {
    browser: BrowserThread,
    session: u32,
    events: Rc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Value>>>,
    worker: mpsc::UnboundedSender<IsolateMsg>,
    console: Arc<Mutex<Vec<ConsoleEntry>>>,
    cpu_start: Cell<Option<Duration>>,
    paths: PathMap,
}

/// The binding that gives each isolate a [`TestHost`].
pub(crate) fn binding(
    browser: BrowserThread,
    defaults: SessionDefaults,
    worker: mpsc::UnboundedSender<IsolateMsg>,
    console: Arc<Mutex<Vec<ConsoleEntry>>>,
) -> HostCallsBinding {
    HostCallsBinding::new(move || {
        let (tx, rx) = mpsc::unbounded_channel();
        let session = browser.open_session(defaults.clone(), tx);
        let _ = worker.send(IsolateMsg::Session(session));
        Rc::new(TestHost {
            browser: browser.clone(),
            session,
            events: Rc::new(tokio::sync::Mutex::new(rx)),
            worker: worker.clone(),
            console: console.clone(),
            cpu_start: Cell::new(None),
            paths: defaults.paths.clone(),
        }) as Rc<dyn HostCalls>
    })
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

fn extension(content_type: &str) -> &'static str {
    match content_type.split(';').next().unwrap_or_default().trim() {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "application/json" => "json",
        "text/html" => "html",
        "text/plain" => "txt",
        _ => "dat",
    }
}

impl TestHost {
    fn attach(&self, args: &Value) -> Result<Value, HostCallError> {
        let name = args
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("attachment");
        if let Some(path) = args.get("path").and_then(Value::as_str) {
            let real = self.paths.resolve(path)?;
            if !real.is_file() {
                return Err(HostCallError::new(format!(
                    "testInfo.attach: {path} does not exist"
                )));
            }
            return Ok(json!({ "path": path }));
        }
        let dir = args
            .get("dir")
            .and_then(Value::as_str)
            .unwrap_or("test-results");
        let content_type = args
            .get("contentType")
            .and_then(Value::as_str)
            .unwrap_or("application/octet-stream");
        let body = args
            .get("body")
            .and_then(Value::as_str)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .unwrap_or_default();
        let base = slug(name);
        let ext = extension(content_type);
        let mut rel = format!("{dir}/{base}.{ext}");
        let mut n = 1;
        while self.paths.resolve(&rel)?.exists() {
            n += 1;
            rel = format!("{dir}/{base}-{n}.{ext}");
        }
        let real = self.paths.resolve(&rel)?;
        if let Some(parent) = real.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| HostCallError::new(format!("testInfo.attach: {e}")))?;
        }
        std::fs::write(&real, body)
            .map_err(|e| HostCallError::new(format!("testInfo.attach: {e}")))?;
        Ok(json!({ "path": rel }))
    }
}

impl HostCalls for TestHost {
    fn call(
        &self,
        method: &str,
        args: Value,
    ) -> LocalBoxFuture<'static, Result<Value, HostCallError>> {
        match method {
            "harness.testBegin" => {
                if let Ok(mut c) = self.console.lock() {
                    c.clear();
                }
                self.cpu_start.set(thread_cpu_time());
                let id = args.get("id").and_then(Value::as_u64).unwrap_or(0) as usize;
                let _ = self.worker.send(IsolateMsg::Begin { id });
                Box::pin(async { Ok(Value::Null) })
            }
            "harness.deadline" => {
                let ms = args.get("ms").and_then(Value::as_f64).unwrap_or(0.0) as u64;
                let _ = self.worker.send(IsolateMsg::Deadline { ms });
                Box::pin(async { Ok(Value::Null) })
            }
            "harness.testEnd" => {
                let console = self
                    .console
                    .lock()
                    .map(|mut c| std::mem::take(&mut *c))
                    .unwrap_or_default();
                let cpu = match (self.cpu_start.take(), thread_cpu_time()) {
                    (Some(a), Some(b)) => b.checked_sub(a),
                    _ => None,
                };
                let _ = self.worker.send(IsolateMsg::End {
                    result: args,
                    console,
                    cpu,
                });
                Box::pin(async { Ok(Value::Null) })
            }
            "harness.attach" => {
                let r = self.attach(&args);
                Box::pin(async move { r })
            }
            "events.next" => {
                let events = self.events.clone();
                Box::pin(async move {
                    let mut rx = events.lock().await;
                    let Some(first) = rx.recv().await else {
                        return Ok(Value::Null);
                    };
                    let mut batch = vec![first];
                    while let Ok(more) = rx.try_recv() {
                        batch.push(more);
                    }
                    Ok(Value::Array(batch))
                })
            }
            _ => {
                let browser = self.browser.clone();
                let session = self.session;
                let method = method.to_string();
                Box::pin(async move { browser.call(session, method, args).await })
            }
        }
    }
}

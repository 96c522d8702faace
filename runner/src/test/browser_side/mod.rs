//! The browser side of a worker: one thread that owns the worker's Chromium (launched on first
//! use, relaunched after a crash) and every context and page its tests open. Isolates reach it
//! through [`BrowserThread::call`]: a method name and JSON arguments, as the in-isolate browser
//! API sends them. Keeping all CDP work on one long-lived thread means the browser's background
//! tasks never depend on an isolate's event loop, which ends with its test file.
//!
//! Resources are grouped by session (one per isolate) so that a terminated isolate's contexts
//! are closed by [`BrowserThread::end_session`] even though its JS never got to clean up.

mod calls;
mod locator;
mod profile;

use std::cell::Cell;
use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::HashSet;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use futures::future::LocalBoxFuture;
use isolate_browser_matchers::browser::Browser;
use isolate_browser_matchers::browser::BrowserError;
use isolate_browser_matchers::browser::Context;
use isolate_browser_matchers::browser::DialogAction;
use isolate_browser_matchers::browser::Page;
use isolate_browser_matchers::browser::Route;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::sync::oneshot;

use super::BrowserSource;
use crate::sandbox::HostCallError;

type Job = Box<dyn FnOnce(Rc<BrowserSide>) -> LocalBoxFuture<'static, ()> + Send>;

/// Where files named by test code (`page.screenshot({ path })`, attachments, storage state)
/// go: paths are relative to the project root, or under the output directory's alias; nothing
/// can name a file outside either.
#[derive(Debug, Clone)]
pub(crate) struct PathMap {
    /// The project root (the config file's directory).
    pub root: PathBuf,
    /// How test code spells the output directory (`test-results`).
    pub output_alias: String,
    /// The output directory on disk.
    pub output_dir: PathBuf,
}

impl PathMap {
    /// Resolves a path from test code, refusing anything that leaves the root or output dir.
    pub(crate) fn resolve(&self, path: &str) -> Result<PathBuf, HostCallError> {
        let clean = path.trim_start_matches("./");
        let (base, rest) = match clean.strip_prefix(&self.output_alias) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                (&self.output_dir, rest.trim_start_matches('/'))
            }
            _ => (&self.root, clean),
        };
        if rest.starts_with('/') || rest.contains('\0') || rest.contains('\\') {
            return Err(HostCallError::new(format!(
                "{path}: paths must be relative to the project (absolute paths are not allowed)"
            )));
        }
        let mut out = base.clone();
        for part in rest.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    return Err(HostCallError::new(format!(
                        "{path}: `..` is not allowed in paths"
                    )));
                }
                p => out.push(p),
            }
        }
        Ok(out)
    }
}

/// What a session needs to know about its tests.
#[derive(Debug, Clone)]
pub(crate) struct SessionDefaults {
    /// Default for actions and navigations when the context options give none.
    pub action_timeout: Duration,
    /// File paths test code may use.
    pub paths: PathMap,
    /// The virtual profile store.
    pub profiles_dir: PathBuf,
    /// App servers every context reaches through request interception, by origin.
    pub apps: Vec<(String, crate::serve::AppServer)>,
}

/// Paused requests waiting for the isolate's route handler, by request id.
pub(crate) type PendingRoutes = Arc<Mutex<HashMap<u32, (Route, oneshot::Sender<()>)>>>;

pub(crate) struct Session {
    pub defaults: SessionDefaults,
    pub contexts: HashMap<u32, Context>,
    pub pages: HashMap<u32, Page>,
    pub events: mpsc::UnboundedSender<Value>,
    pub subscriptions: HashMap<u32, Rc<RefCell<HashSet<String>>>>,
    pub dialogs: Arc<Mutex<HashMap<u32, oneshot::Sender<DialogAction>>>>,
    pub routes: PendingRoutes,
    pub mouse: HashMap<u32, (f64, f64)>,
    pub profiles: HashMap<u32, profile::OpenProfile>,
}

/// State that lives on the browser thread.
pub(crate) struct BrowserSide {
    source: BrowserSource,
    browser: RefCell<Option<Browser>>,
    launching: tokio::sync::Mutex<()>,
    sessions: RefCell<HashMap<u32, Session>>,
    next_id: Cell<u32>,
    counter: Arc<AtomicU32>,
    /// Itself, for tasks that outlive a call (popups get registered when they open).
    this: std::rc::Weak<BrowserSide>,
}

impl BrowserSide {
    /// This side, for a task that runs after the call that started it.
    pub(crate) fn rc(&self) -> Option<Rc<BrowserSide>> {
        self.this.upgrade()
    }

    pub(crate) fn id(&self) -> u32 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// The worker's browser, launched (again) if it is not running.
    pub(crate) async fn browser(&self) -> Result<Browser, HostCallError> {
        let _guard = self.launching.lock().await;
        if let Some(b) = self.browser.borrow().as_ref()
            && b.is_connected()
        {
            return Ok(b.clone());
        }
        let old = self.browser.borrow_mut().take();
        if let Some(old) = old {
            let _ = old.close().await;
        }
        let browser = match &self.source {
            BrowserSource::Launch(options) => Browser::launch(options.clone()).await,
            BrowserSource::Connect(endpoint) => Browser::connect(endpoint).await,
        }
        .map_err(browser_error)?;
        *self.browser.borrow_mut() = Some(browser.clone());
        Ok(browser)
    }

    /// How this worker launches Chromium; `None` when it connects to one.
    pub(crate) fn launch_options(
        &self,
    ) -> Option<isolate_browser_matchers::browser::LaunchOptions> {
        match &self.source {
            BrowserSource::Launch(options) => Some(options.clone()),
            BrowserSource::Connect(_) => None,
        }
    }

    pub(crate) fn with_session<T>(
        &self,
        session: u32,
        f: impl FnOnce(&mut Session) -> Result<T, HostCallError>,
    ) -> Result<T, HostCallError> {
        let mut sessions = self.sessions.borrow_mut();
        let s = sessions
            .get_mut(&session)
            .ok_or_else(|| HostCallError::new("the test's browser session has ended"))?;
        f(s)
    }

    pub(crate) fn page(&self, session: u32, args: &Value) -> Result<Page, HostCallError> {
        let id = args.get("page").and_then(Value::as_u64).unwrap_or(0) as u32;
        self.with_session(session, |s| {
            s.pages
                .get(&id)
                .cloned()
                .ok_or_else(|| HostCallError::new("the page is closed"))
        })
    }

    pub(crate) fn context(&self, session: u32, args: &Value) -> Result<Context, HostCallError> {
        let id = args.get("context").and_then(Value::as_u64).unwrap_or(0) as u32;
        self.with_session(session, |s| {
            s.contexts
                .get(&id)
                .cloned()
                .ok_or_else(|| HostCallError::new("the browser context is closed"))
        })
    }

    pub(crate) fn counter(&self) -> Arc<AtomicU32> {
        self.counter.clone()
    }
}

/// Routes a context's requests for each app server's origin into that server (no port):
/// a context route, so the test's own page routes still take precedence.
pub(crate) async fn route_apps(
    side: &BrowserSide,
    session: u32,
    context: &Context,
) -> Result<(), HostCallError> {
    let apps = side.with_session(session, |s| Ok(s.defaults.apps.clone()))?;
    for (origin, app) in apps {
        let pattern = format!("^{}(/|$)", origin.replace('.', "\\.").replace('/', "\\/"));
        let handler: isolate_browser_matchers::browser::RouteHandler =
            Arc::new(move |route: Route| {
                let app = app.clone();
                Box::pin(async move {
                    let r = route.request().clone();
                    let response = match app
                        .respond_whole(&r.method, &r.url, &r.headers, r.post_data)
                        .await
                    {
                        Ok(res) => isolate_browser_matchers::browser::Fulfill {
                            status: Some(res.status),
                            headers: res.headers,
                            content_type: None,
                            body: res.body,
                        },
                        Err(e) => isolate_browser_matchers::browser::Fulfill {
                            status: Some(502),
                            headers: Vec::new(),
                            content_type: Some("text/plain;charset=UTF-8".into()),
                            body: e.into_bytes(),
                        },
                    };
                    route.fulfill(response).await
                })
            });
        context
            .route(
                isolate_browser_matchers::browser::UrlMatch::Regex {
                    pattern,
                    flags: String::new(),
                },
                handler,
            )
            .await
            .map_err(browser_error)?;
    }
    Ok(())
}

/// Turns a browser error into the JS error test code sees.
pub(crate) fn browser_error(e: BrowserError) -> HostCallError {
    match e {
        BrowserError::Timeout {
            ref call_log,
            ref what,
            timeout,
        } => HostCallError {
            name: "TimeoutError".into(),
            message: format!("{what}: Timeout {}ms exceeded.", timeout.as_millis()),
            details: serde_json::json!({ "callLog": call_log }),
        },
        other => HostCallError::new(other.to_string()),
    }
}

/// A handle to a worker's browser thread; cheap to clone and `Send`.
#[derive(Clone)]
pub(crate) struct BrowserThread {
    tx: std::sync::mpsc::Sender<Job>,
    wake: Arc<tokio::sync::Notify>,
    next_session: Arc<AtomicU32>,
}

impl BrowserThread {
    /// Starts the thread; Chromium itself starts on the first call that needs it.
    pub(crate) fn start(source: BrowserSource) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let wake = Arc::new(tokio::sync::Notify::new());
        let thread_wake = wake.clone();
        std::thread::Builder::new()
            .name("browser".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                let local = tokio::task::LocalSet::new();
                local.block_on(&rt, async move {
                    let side = Rc::new_cyclic(|this| BrowserSide {
                        source,
                        browser: RefCell::new(None),
                        launching: tokio::sync::Mutex::new(()),
                        sessions: RefCell::new(HashMap::new()),
                        next_id: Cell::new(1),
                        counter: Arc::new(AtomicU32::new(1)),
                        this: this.clone(),
                    });
                    loop {
                        loop {
                            match rx.try_recv() {
                                Ok(job) => {
                                    tokio::task::spawn_local(job(side.clone()));
                                }
                                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                                    let browser = side.browser.borrow_mut().take();
                                    if let Some(b) = browser {
                                        let _ = b.close().await;
                                    }
                                    return;
                                }
                            }
                        }
                        thread_wake.notified().await;
                    }
                });
            })?;
        Ok(Self {
            tx,
            wake,
            next_session: Arc::new(AtomicU32::new(1)),
        })
    }

    fn submit(&self, job: Job) -> bool {
        let ok = self.tx.send(job).is_ok();
        self.wake.notify_one();
        ok
    }

    /// Opens a session whose page events go to `events`.
    pub(crate) fn open_session(
        &self,
        defaults: SessionDefaults,
        events: mpsc::UnboundedSender<Value>,
    ) -> u32 {
        let id = self
            .next_session
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.submit(Box::new(move |side: Rc<BrowserSide>| {
            Box::pin(async move {
                side.sessions.borrow_mut().insert(
                    id,
                    Session {
                        defaults,
                        contexts: HashMap::new(),
                        pages: HashMap::new(),
                        events,
                        subscriptions: HashMap::new(),
                        dialogs: Arc::default(),
                        routes: Arc::default(),
                        mouse: HashMap::new(),
                        profiles: HashMap::new(),
                    },
                );
            })
        }));
        id
    }

    /// Runs one browser method for a session.
    pub(crate) async fn call(
        &self,
        session: u32,
        method: String,
        args: Value,
    ) -> Result<Value, HostCallError> {
        let (reply, rx) = oneshot::channel();
        let submitted = self.submit(Box::new(move |side: Rc<BrowserSide>| {
            Box::pin(async move {
                let result = calls::dispatch(&side, session, &method, args).await;
                let _ = reply.send(result);
            })
        }));
        if !submitted {
            return Err(HostCallError::new("the browser thread has stopped"));
        }
        rx.await
            .unwrap_or_else(|_| Err(HostCallError::new("the browser thread has stopped")))
    }

    /// Closes everything a session opened; waits until it is closed.
    pub(crate) async fn end_session(&self, session: u32) {
        let (done, rx) = oneshot::channel::<()>();
        self.submit(Box::new(move |side: Rc<BrowserSide>| {
            Box::pin(async move {
                let removed = side.sessions.borrow_mut().remove(&session);
                if let Some(s) = removed {
                    for (_, context) in s.contexts {
                        let _ = context.close().await;
                    }
                }
                let _ = done.send(());
            })
        }));
        let _ = rx.await;
    }

    /// Closes the browser and stops the thread.
    pub(crate) async fn shutdown(self) {
        let (done, rx) = oneshot::channel::<()>();
        self.submit(Box::new(move |side: Rc<BrowserSide>| {
            Box::pin(async move {
                let sessions: Vec<_> = side.sessions.borrow_mut().drain().collect();
                for (_, s) in sessions {
                    for (_, c) in s.contexts {
                        let _ = c.close().await;
                    }
                }
                let browser = side.browser.borrow_mut().take();
                if let Some(b) = browser {
                    let _ = b.close().await;
                }
                let _ = done.send(());
            })
        }));
        let _ = rx.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_project_and_output() {
        let map = PathMap {
            root: PathBuf::from("/p"),
            output_alias: "test-results".into(),
            output_dir: PathBuf::from("/out"),
        };
        assert_eq!(
            map.resolve("test-results/a/b.png").unwrap(),
            PathBuf::from("/out/a/b.png")
        );
        assert_eq!(
            map.resolve("./state/auth.json").unwrap(),
            PathBuf::from("/p/state/auth.json")
        );
        assert!(map.resolve("../x").is_err());
        assert!(map.resolve("/etc/passwd").is_err());
        assert!(map.resolve("a/../../x").is_err());
        assert_eq!(
            map.resolve("test-resultsX/y").unwrap(),
            PathBuf::from("/p/test-resultsX/y")
        );
    }
}

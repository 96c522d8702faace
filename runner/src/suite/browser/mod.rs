//! The browser side of a worker: one thread that owns the worker's Chromium (launched on first
//! use, relaunched after a crash) and every context and page its tests open. Isolates reach it
//! through [`BrowserThread::call`] with a decoded [`BrowserCall`], a row of the protocol's table
//! (`calls/` holds the handlers). Keeping all CDP work on one long-lived thread means the browser's background
//! tasks never depend on an isolate's event loop, which ends with its test file.
//!
//! Resources are grouped by session (one per isolate) so that a terminated isolate's contexts
//! are closed by [`BrowserThread::end_session`] even though its JS never got to clean up.

pub(crate) mod calls;
mod profile;
pub(crate) mod trace;

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
use isolate_browser_browser::Browser;
use isolate_browser_browser::Context;
use isolate_browser_browser::DialogAction;
use isolate_browser_browser::Page;
use isolate_browser_browser::Route;
use tokio::sync::mpsc;
use tokio::sync::oneshot;

use super::BrowserSource;
use super::protocol::BrowserCall;
use super::protocol::CallError;
use super::protocol::ContextId;
use super::protocol::DialogId;
use super::protocol::IsolateEvent;
use super::protocol::PageEventName;
use super::protocol::PageId;
use super::protocol::Reply;
use super::protocol::RouteRequestId;

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
    /// Directories besides the output directory that test code may write to
    /// (`writableDirs`), as the project spells them and on disk.
    pub writable: Vec<(String, PathBuf)>,
    /// Directories where snapshot expectations may be written besides any `*-snapshots`
    /// directory (the configured `snapshotDir`, a path template's fixed directory).
    pub snapshot_dirs: Vec<PathBuf>,
}

impl PathMap {
    /// Resolves where a snapshot file is written: where test code may write, a `*-snapshots`
    /// directory of the project, or a snapshot directory of the config (symlinks resolved, as
    /// for every write).
    pub(crate) fn resolve_snapshot_write(&self, path: &str) -> Result<PathBuf, CallError> {
        if let Ok(real) = self.resolve_write(path) {
            return Ok(real);
        }
        let real = self.resolve(path)?;
        let through = real.canonicalize().unwrap_or_else(|_| real.clone());
        let root = real_path(&self.root).unwrap_or_else(|| self.root.clone());
        let allowed = |p: &PathBuf| {
            let in_snapshots = p.strip_prefix(&root).is_ok_and(|rel| {
                rel.parent().is_some_and(|dir| {
                    dir.components()
                        .any(|c| c.as_os_str().to_string_lossy().ends_with("-snapshots"))
                })
            });
            in_snapshots
                || self.snapshot_dirs.iter().any(|d| {
                    let d = real_path(d).unwrap_or_else(|| d.clone());
                    p.starts_with(&d)
                })
        };
        if allowed(&real) && allowed(&through) {
            return Ok(real);
        }
        Err(CallError::new(format!(
            "{path}: snapshots are written only into *-snapshots directories, the snapshotDir of the config or under {}/",
            self.output_alias
        )))
    }

    /// Resolves a path test code writes to: inside the output directory or a writable one,
    /// symlinks resolved (so a spec cannot overwrite the project's specs, config or sources).
    pub(crate) fn resolve_write(&self, path: &str) -> Result<PathBuf, CallError> {
        let real = self.resolve(path)?;
        let inside = |dir: &PathBuf| {
            let dir = real_path(dir).unwrap_or_else(|| dir.clone());
            real.starts_with(&dir)
        };
        if inside(&self.output_dir) || self.writable.iter().any(|(_, d)| inside(d)) {
            return Ok(real);
        }
        let mut allowed = vec![format!("{}/", self.output_alias)];
        allowed.extend(self.writable.iter().map(|(name, _)| format!("{name}/")));
        Err(CallError::new(format!(
            "{path}: test code may write only under {}; write there, or add the directory to writableDirs in the config",
            allowed.join(", ")
        )))
    }

    /// How test code names the file at `real` (a path this map resolved): `/` is the project,
    /// the output directory goes by its alias.
    pub(crate) fn shown(&self, real: &std::path::Path) -> String {
        let under = |dir: &PathBuf| {
            let dir = real_path(dir).unwrap_or_else(|| dir.clone());
            real.strip_prefix(&dir)
                .ok()
                .map(|rel| rel.to_string_lossy().into_owned())
        };
        match under(&self.output_dir) {
            Some(rel) if rel.is_empty() => format!("/{}", self.output_alias),
            Some(rel) => format!("/{}/{rel}", self.output_alias),
            None => match under(&self.root) {
                Some(rel) => format!("/{rel}"),
                None => real.to_string_lossy().into_owned(),
            },
        }
    }

    /// Resolves a path from test code, refusing anything that leaves the root or output dir.
    /// Test code sees the project root as `/` (`__dirname`, `node:fs`), so an absolute path is
    /// one inside the project: `path.join(__dirname, 'files/a.pdf')` names `<root>/…/files/a.pdf`.
    pub(crate) fn resolve(&self, path: &str) -> Result<PathBuf, CallError> {
        let clean = path.trim_start_matches('/').trim_start_matches("./");
        let (base, rest) = match clean.strip_prefix(&self.output_alias) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                (&self.output_dir, rest.trim_start_matches('/'))
            }
            _ => (&self.root, clean),
        };
        if rest.starts_with('/') || rest.contains('\0') || rest.contains('\\') {
            return Err(CallError::new(format!(
                "{path}: paths must be relative to the project (absolute paths are not allowed)"
            )));
        }
        let mut out = base.clone();
        for part in rest.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    return Err(CallError::new(format!(
                        "{path}: `..` is not allowed in paths"
                    )));
                }
                p => out.push(p),
            }
        }
        // Symlinks inside the project must not lead out of it: what the path really names
        // (its existing part with every link resolved) stays under the real base.
        let real_base = real_path(base).unwrap_or_else(|| base.clone());
        match real_path(&out) {
            Some(real) if real.starts_with(&real_base) => Ok(real),
            _ => Err(CallError::new(format!(
                "{path}: resolves outside the project through a symlink (not allowed)"
            ))),
        }
    }
}

/// `path` with every symlink of its existing part resolved and the rest appended; `None` when
/// a part exists but cannot be resolved (a broken or looping link).
fn real_path(path: &std::path::Path) -> Option<PathBuf> {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(real) => {
                let mut out = real;
                out.extend(rest.iter().rev());
                return Some(out);
            }
            // There is something here (a dangling link) that does not resolve.
            Err(_) if existing.symlink_metadata().is_ok() => return None,
            Err(_) => {
                rest.push(existing.file_name()?.to_owned());
                existing = existing.parent()?;
            }
        }
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
    /// What is masked in what tests write (text attachments).
    pub secrets: crate::suite::secrets::Secrets,
    /// What pages may load.
    pub network: isolate_browser_browser::NetworkPolicy,
}

/// Paused requests waiting for the isolate's route handler, by request id.
pub(crate) type PendingRoutes = Arc<Mutex<HashMap<RouteRequestId, (Route, oneshot::Sender<()>)>>>;

pub(crate) struct Session {
    pub defaults: SessionDefaults,
    pub contexts: HashMap<ContextId, Context>,
    pub pages: HashMap<PageId, Page>,
    pub events: mpsc::UnboundedSender<IsolateEvent>,
    pub subscriptions: HashMap<PageId, Rc<RefCell<HashSet<PageEventName>>>>,
    pub dialogs: Arc<Mutex<HashMap<DialogId, oneshot::Sender<DialogAction>>>>,
    pub routes: PendingRoutes,
    /// The session's pages by browser page, for what the browser reports without naming the
    /// page by our id (a paused request).
    pub page_ids: Arc<Mutex<Vec<(Page, PageId)>>>,
    pub profiles: HashMap<ContextId, profile::OpenProfile>,
    /// Values kept in pages for the isolate (`JSHandle`s).
    pub handles: HashMap<super::protocol::HandleId, isolate_browser_browser::JsHandle>,
    /// Selector engines `selectors.register` added (name, source), for every context.
    pub selector_engines: Vec<(String, String)>,
    /// What `selectors.setTestIdAttribute` set, for every context.
    pub test_id_attribute: Option<String>,
    /// The videos of the session's pages, closed ones too (`page.video()` outlives the page).
    pub videos: HashMap<PageId, isolate_browser_browser::Video>,
    /// The contexts being traced (`context.tracing.start()`).
    pub traces: HashMap<ContextId, trace::ContextTrace>,
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
    pub(crate) async fn browser(&self) -> Result<Browser, CallError> {
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
        }?;
        *self.browser.borrow_mut() = Some(browser.clone());
        Ok(browser)
    }

    /// How this worker launches Chromium; `None` when it connects to one.
    pub(crate) fn launch_options(&self) -> Option<isolate_browser_browser::LaunchOptions> {
        match &self.source {
            BrowserSource::Launch(options) => Some(options.clone()),
            BrowserSource::Connect(_) => None,
        }
    }

    pub(crate) fn with_session<T>(
        &self,
        session: u32,
        f: impl FnOnce(&mut Session) -> Result<T, CallError>,
    ) -> Result<T, CallError> {
        let mut sessions = self.sessions.borrow_mut();
        let s = sessions
            .get_mut(&session)
            .ok_or_else(|| CallError::closed("the test's browser session has ended"))?;
        f(s)
    }

    pub(crate) fn page(&self, session: u32, id: PageId) -> Result<Page, CallError> {
        self.with_session(session, |s| {
            s.pages.get(&id).cloned().ok_or_else(|| {
                CallError::closed(
                    "Target page, context or browser has been closed: the page is closed",
                )
            })
        })
    }

    pub(crate) fn context(&self, session: u32, id: ContextId) -> Result<Context, CallError> {
        self.with_session(session, |s| {
            s.contexts
                .get(&id)
                .cloned()
                .ok_or_else(|| CallError::closed("Target page, context or browser has been closed: the browser context is closed"))
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
) -> Result<(), CallError> {
    let apps = side.with_session(session, |s| Ok(s.defaults.apps.clone()))?;
    for (origin, app) in apps {
        let pattern = format!("^{}(/|$)", origin.replace('.', "\\.").replace('/', "\\/"));
        let handler: isolate_browser_browser::RouteHandler = Arc::new(move |route: Route| {
            let app = app.clone();
            Box::pin(async move {
                let r = route.request().clone();
                let response = match app
                    .respond_whole(&r.method, &r.url, &r.headers, r.post_data)
                    .await
                {
                    Ok(res) => isolate_browser_browser::Fulfill {
                        status: Some(res.status),
                        headers: res.headers,
                        content_type: None,
                        body: res.body,
                    },
                    Err(e) => isolate_browser_browser::Fulfill {
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
                isolate_browser_browser::UrlMatch::Regex {
                    pattern,
                    flags: String::new(),
                },
                handler,
            )
            .await?;
    }
    Ok(())
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
        events: mpsc::UnboundedSender<IsolateEvent>,
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
                        page_ids: Arc::default(),
                        profiles: HashMap::new(),
                        handles: HashMap::new(),
                        selector_engines: Vec::new(),
                        test_id_attribute: None,
                        videos: HashMap::new(),
                        traces: HashMap::new(),
                    },
                );
            })
        }));
        id
    }

    /// Runs one browser call for a session.
    pub(crate) async fn call(&self, session: u32, call: BrowserCall) -> Result<Reply, CallError> {
        let (reply, rx) = oneshot::channel();
        let submitted = self.submit(Box::new(move |side: Rc<BrowserSide>| {
            Box::pin(async move {
                let cx = calls::Cx {
                    side: &side,
                    session,
                };
                // A caller that stopped waiting (an aborted action) stops the call too.
                let mut reply = reply;
                tokio::select! {
                    result = call.dispatch(&cx) => {
                        let _ = reply.send(result);
                    }
                    () = reply.closed() => {}
                }
            })
        }));
        if !submitted {
            return Err(CallError::closed("the browser thread has stopped"));
        }
        rx.await
            .unwrap_or_else(|_| Err(CallError::closed("the browser thread has stopped")))
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
            writable: vec![(
                "playwright/.auth".into(),
                PathBuf::from("/p/playwright/.auth"),
            )],
            snapshot_dirs: Vec::new(),
        };
        assert_eq!(
            map.resolve_write("playwright/.auth/user.json").unwrap(),
            PathBuf::from("/p/playwright/.auth/user.json")
        );
        assert_eq!(
            map.resolve_write("test-results/shot.png").unwrap(),
            PathBuf::from("/out/shot.png")
        );
        let err = map
            .resolve_write("tests/evil.spec.ts")
            .expect_err("project file");
        assert!(
            err.message
                .contains("may write only under test-results/, playwright/.auth/"),
            "{}",
            err.message
        );
        assert_eq!(
            map.resolve("test-results/a/b.png").unwrap(),
            PathBuf::from("/out/a/b.png")
        );
        assert_eq!(
            map.resolve("./state/auth.json").unwrap(),
            PathBuf::from("/p/state/auth.json")
        );
        assert!(map.resolve("../x").is_err());
        // Test code sees the project as `/`: an absolute path is a path of the project.
        assert_eq!(
            map.resolve("/etc/passwd").unwrap(),
            PathBuf::from("/p/etc/passwd")
        );
        assert!(map.resolve("a/../../x").is_err());
        assert_eq!(
            map.resolve("test-resultsX/y").unwrap(),
            PathBuf::from("/p/test-resultsX/y")
        );
    }

    #[test]
    fn symlinks_out_of_the_project_are_refused() {
        let outside = tempfile::tempdir().expect("tmp");
        std::fs::write(outside.path().join("secret"), "s").expect("write");
        let project = tempfile::tempdir().expect("tmp");
        let root = project.path().canonicalize().expect("canonical");
        std::os::unix::fs::symlink(outside.path(), root.join("out-dir")).expect("link");
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("secret"))
            .expect("link");
        std::os::unix::fs::symlink(root.join("missing"), root.join("dangling")).expect("link");
        std::fs::create_dir(root.join("real")).expect("mkdir");
        std::os::unix::fs::symlink(root.join("real"), root.join("inside")).expect("link");
        let map = PathMap {
            root: root.clone(),
            output_alias: "test-results".into(),
            output_dir: root.join("test-results"),
            writable: Vec::new(),
            snapshot_dirs: Vec::new(),
        };
        for bad in [
            "out-dir/shot.png",
            "secret",
            "dangling",
            "out-dir/new/deeper.txt",
        ] {
            let err = map.resolve(bad).expect_err(bad);
            assert!(
                err.message.contains("through a symlink"),
                "{bad}: {}",
                err.message
            );
        }
        assert_eq!(
            map.resolve("inside/a.png")
                .expect("a link inside the project"),
            root.join("real/a.png")
        );
        assert_eq!(
            map.resolve("test-results/x/y.png")
                .expect("output dir, not made yet"),
            root.join("test-results/x/y.png")
        );
    }
}

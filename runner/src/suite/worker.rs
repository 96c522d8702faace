//! A worker runs jobs (a spec file and the tests of it to run) one after another, each in fresh
//! isolates, against its own browser thread. It watches the running test's deadline from
//! outside the isolate: a test stuck in synchronous code (`while (true) {}`) is terminated by
//! V8 and the rest of the job continues in a new isolate, so one bad test never stops a run.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

use isolate_browser_reporters::OutputStream;
use isolate_browser_reporters::TestAttempt;
use isolate_browser_reporters::TestFailure;
use isolate_browser_reporters::TestOutcome;
use serde_json::Value;
use tokio::sync::mpsc;

use super::browser::BrowserThread;
use super::browser::PathMap;
use super::browser::SessionDefaults;
use super::isolate_host;
use super::isolate_host::IsolateMsg;
use super::output::Kept;
use super::output::SharedOutput;
use super::output::TestOutput;
use super::protocol::FileResult;
use super::protocol::ListedTest;
use super::protocol::RunOptions;
use super::results::attempt_from_result;
use super::results::failure_of_script;
use super::results::failures_of;
use super::results::masked;
use crate::sandbox::ConsoleBinding;
use crate::sandbox::FetchPolicy;
use crate::sandbox::ModulesBinding;
use crate::sandbox::Runtime;
use crate::sandbox::RuntimeOptions;
use crate::sandbox::ScriptError;

/// How long past a test's deadline the worker waits for the isolate to notice by itself.
const GRACE: Duration = Duration::from_secs(1);

/// Everything a project's tests run with.
#[derive(Debug)]
pub(crate) struct ProjectRun {
    pub index: usize,
    pub name: String,
    /// Which repetition (`repeatEach`) of the project this is.
    pub repeat_index: u32,
    pub root: PathBuf,
    pub output_dir: PathBuf,
    pub use_options: Value,
    pub timeout: Duration,
    pub expect_timeout: Duration,
    pub retries: u32,
    pub fetch: FetchPolicy,
    /// Directories under the root test code may write to, besides the output directory.
    pub writable_dirs: Vec<String>,
    /// What the project's pages may load.
    pub network: isolate_browser_browser::NetworkPolicy,
    pub memory_limit_mb: usize,
    /// Console output kept of one test, in bytes.
    pub output_limit: usize,
    /// What is masked in output and failures.
    pub secrets: super::secrets::Secrets,
    pub profiles_dir: PathBuf,
    /// `webServer: { entry }` app servers by origin: the browser reaches them without a port.
    pub apps: Vec<(String, crate::serve::AppServer)>,
    /// What `process.env` holds in the project's test runtimes (`allowEnv`).
    pub env: Vec<(String, String)>,
    /// Modules prepared and compiled once for every test runtime of the run.
    pub module_cache: crate::sandbox::ModuleCache,
    /// Whether a worker's spec files share its isolate.
    pub isolation: super::Isolation,
    /// Where snapshot expectations may be written besides `*-snapshots` directories.
    pub snapshot_dirs: Vec<PathBuf>,
    /// The snapshot helper's settings (`SnapshotConfig::for_harness`).
    pub snapshots: Value,
}

/// A spec file; `code` is set for in-memory sources.
#[derive(Debug)]
pub(crate) struct SpecFile {
    pub rel: String,
    pub code: Option<String>,
}

/// One unit of work.
pub(crate) struct Job {
    pub project: Arc<ProjectRun>,
    pub file: Arc<SpecFile>,
    pub ids: Vec<usize>,
    pub retry: u32,
}

/// What a test declared, as the harness lists it.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub id: usize,
    pub title_path: Vec<String>,
    pub line: u32,
    pub column: u32,
    pub only: bool,
    pub tags: Vec<String>,
    pub skip: Option<(String, Option<String>)>,
    pub retries: Option<u32>,
    pub serial_group: Option<u64>,
    pub parallel: bool,
}

/// What a worker reports.
pub(crate) enum WorkerEvent {
    Started {
        project: usize,
        file: Arc<SpecFile>,
        id: usize,
        retry: u32,
    },
    /// A `test.step` of the running test began.
    StepStarted {
        project: usize,
        file: Arc<SpecFile>,
        id: usize,
        retry: u32,
        step: u32,
        parent: Option<u32>,
        title: String,
    },
    /// A `test.step` of the running test ended.
    StepFinished {
        project: usize,
        file: Arc<SpecFile>,
        id: usize,
        retry: u32,
        step: u32,
        duration: Duration,
        error: Option<String>,
    },
    /// A line of console output: of the running test, or of the file outside any test.
    Output {
        project: usize,
        file: Arc<SpecFile>,
        test: Option<(usize, u32)>,
        stream: OutputStream,
        text: String,
    },
    Finished {
        project: usize,
        file: Arc<SpecFile>,
        id: usize,
        attempt: TestAttempt,
        not_run: bool,
    },
    /// Errors outside any test (afterAll hooks, a file that stopped loading).
    FileError {
        file: Arc<SpecFile>,
        failure: TestFailure,
    },
    /// Answered once every earlier event of this worker has reached the coordinator.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// `output`, when given, also receives each console entry as it is written.
pub(crate) fn runtime_options(
    project: &ProjectRun,
    console: SharedOutput,
    output: Option<mpsc::UnboundedSender<IsolateMsg>>,
    host_calls: crate::sandbox::HostCallsBinding,
) -> RuntimeOptions {
    let secrets = project.secrets.clone();
    RuntimeOptions {
        memory_limit_mb: project.memory_limit_mb,
        execution_timeout: None,
        cwd: project.root.clone(),
        console: ConsoleBinding::callback(move |mut e| {
            secrets.mask_in_place(&mut e.text);
            let kept = match console.lock() {
                Ok(mut c) => c.push(e.clone()),
                Err(_) => Kept::No,
            };
            if let Some(output) = &output {
                match kept {
                    Kept::Yes => {
                        let _ = output.send(IsolateMsg::Output(e));
                    }
                    Kept::FirstDropped(note) => {
                        let _ = output.send(IsolateMsg::Output(note));
                    }
                    Kept::No => {}
                }
            }
        }),
        fetch: project.fetch.clone(),
        // `node:fs` reads the project, and writes only where the run writes.
        files: Some(crate::sandbox::FilesBinding {
            root: project.root.clone(),
            allow_write: false,
            writable_dirs: std::iter::once(project.output_dir.clone())
                .chain(project.writable_dirs.iter().map(|d| project.root.join(d)))
                .collect(),
            writable_snapshot_dirs: true,
        }),
        modules: ModulesBinding::default(),
        tools: Default::default(),
        host_calls: Some(host_calls),
        serve: None,
        test_api: true,
        env: test_env(project),
        module_cache: Some(project.module_cache.clone()),
    }
}

/// What `process.env` holds in a test runtime: the allowed variables, and `TMPDIR` (what
/// `os.tmpdir()` returns) a directory inside the output directory, where tests may write.
fn test_env(project: &ProjectRun) -> Vec<(String, String)> {
    let tmp = project.output_dir.join(".tmp");
    let _ = std::fs::create_dir_all(&tmp);
    let shown = tmp
        .strip_prefix(&project.root)
        .map(|r| format!("/{}", r.to_string_lossy()))
        .unwrap_or_else(|_| "/tmp".into());
    let mut env: Vec<(String, String)> = project
        .env
        .iter()
        .filter(|(k, _)| k != "TMPDIR")
        .cloned()
        .collect();
    env.push(("TMPDIR".into(), shown));
    env
}

pub(crate) fn session_defaults(project: &ProjectRun) -> SessionDefaults {
    let output_alias = project
        .output_dir
        .strip_prefix(&project.root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "test-results".into());
    SessionDefaults {
        action_timeout: project.timeout.max(Duration::from_secs(1)),
        paths: PathMap {
            root: project.root.clone(),
            output_alias,
            output_dir: project.output_dir.clone(),
            writable: project
                .writable_dirs
                .iter()
                .map(|d| (d.clone(), project.root.join(d)))
                .collect(),
            snapshot_dirs: project.snapshot_dirs.clone(),
        },
        profiles_dir: project.profiles_dir.clone(),
        apps: project.apps.clone(),
        secrets: project.secrets.clone(),
        network: project.network.clone(),
    }
}

/// Imports the spec into an isolate (the test API is in its snapshot already): loaded once its
/// module is evaluated, as Playwright's `import()` of it, whatever timers it left.
async fn load(runtime: &Runtime, file: &SpecFile) -> Result<(), ScriptError> {
    match &file.code {
        Some(code) => runtime.import_module_code(&file.rel, code.clone()).await,
        None => runtime.import_module(&file.rel).await,
    }
}

/// Makes a runtime that ran a spec file ready for the next one (`isolation: "worker"`): its
/// timers cleared, `process.env` as granted, and no suite or test of the last file left.
async fn reset_for_next_file(runtime: &Runtime, project: &ProjectRun) -> Result<(), ScriptError> {
    runtime.reset(test_env(project)).await?;
    runtime.eval("__ib_harness.reset()").await.map(drop)
}

/// Lists the tests a spec file declares. `warm` is the lane's isolate kept from the file it
/// listed last (`isolation: "worker"`): it lists this file too when it can, and is left there
/// for the next when this one loaded cleanly; the caller disposes what is left in the end.
pub(crate) async fn list_file(
    project: &ProjectRun,
    file: &SpecFile,
    browser: &BrowserThread,
    warm: &mut Option<Runtime>,
) -> Result<Vec<Listed>, TestFailure> {
    let reuse = project.isolation == super::Isolation::Worker;
    let mut runtime = None;
    if let Some(kept) = warm.take() {
        if reuse && kept.is_usable() && reset_for_next_file(&kept, project).await.is_ok() {
            runtime = Some(kept);
        } else {
            kept.dispose().await;
        }
    }
    let runtime = match runtime {
        Some(r) => r,
        None => {
            let (tx, _rx) = mpsc::unbounded_channel();
            let console = TestOutput::shared(project.output_limit);
            let binding =
                isolate_host::binding(browser.clone(), session_defaults(project), tx, console);
            Runtime::new(runtime_options(
                project,
                TestOutput::shared(project.output_limit),
                None,
                binding,
            ))
            .map_err(|e| TestFailure {
                kind: "Error".into(),
                message: e.to_string(),
                ..TestFailure::default()
            })?
        }
    };
    let result = async {
        load(&runtime, file).await?;
        runtime.eval("__ib_harness.list()").await
    }
    .await;
    if reuse && result.is_ok() && runtime.is_usable() {
        *warm = Some(runtime);
    } else {
        runtime.dispose().await;
    }
    let value = result.map_err(|e| masked(&project.secrets, failure_of_script(&e)))?;
    let listed: Vec<ListedTest> = serde_json::from_value(value).map_err(|e| TestFailure {
        kind: "Error".into(),
        message: format!("the harness's list of tests does not decode: {e}"),
        ..TestFailure::default()
    })?;
    Ok(listed
        .into_iter()
        .map(|t| Listed {
            id: t.id.0,
            title_path: t.title_path,
            line: t.line,
            column: t.column,
            only: t.only,
            tags: t.tags,
            skip: t.skip.map(|s| (s.kind, s.description)),
            retries: t.retries,
            serial_group: t.serial_group,
            parallel: t.parallel,
        })
        .collect())
}

/// A worker: its browser thread and its identity.
pub(crate) struct Worker {
    pub index: usize,
    pub browser: BrowserThread,
    /// The isolate kept from the last job (`isolation: "worker"`).
    warm: Option<Isolate>,
}

/// A test isolate and what the worker hears from it.
struct Isolate {
    project: Arc<ProjectRun>,
    runtime: Runtime,
    rx: mpsc::UnboundedReceiver<IsolateMsg>,
    session: Option<u32>,
    /// The spec files it has loaded: a module runs once per isolate, so loading one of them
    /// again (a retry) takes a fresh isolate.
    loaded: std::collections::HashSet<String>,
}

impl Worker {
    pub(crate) fn new(index: usize, browser: BrowserThread) -> Self {
        Self {
            index,
            browser,
            warm: None,
        }
    }

    /// Disposes the isolate kept for a next job; the worker has no more.
    pub(crate) async fn finish(&mut self) {
        if let Some(isolate) = self.warm.take() {
            self.retire(isolate).await;
        }
    }

    async fn retire(&self, isolate: Isolate) {
        if let Some(s) = isolate.session {
            self.browser.end_session(s).await;
        }
        isolate.runtime.dispose().await;
    }

    /// The isolate to load `file` into: the kept one when the project shares isolates and it
    /// has not loaded this file, made ready for it; a new one otherwise.
    async fn isolate_for(
        &mut self,
        project: &Arc<ProjectRun>,
        file: &SpecFile,
        defaults: &SessionDefaults,
    ) -> Result<Isolate, TestFailure> {
        if let Some(kept) = self.warm.take() {
            let fits = project.isolation == super::Isolation::Worker
                && Arc::ptr_eq(&kept.project, project)
                && !kept.loaded.contains(&file.rel)
                && kept.runtime.is_usable();
            if fits && reset_for_next_file(&kept.runtime, project).await.is_ok() {
                return Ok(kept);
            }
            self.retire(kept).await;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let console = TestOutput::shared(project.output_limit);
        let binding = isolate_host::binding(
            self.browser.clone(),
            defaults.clone(),
            tx.clone(),
            console.clone(),
        );
        let runtime =
            Runtime::new(runtime_options(project, console, Some(tx), binding)).map_err(|e| {
                TestFailure {
                    kind: "Error".into(),
                    message: e.to_string(),
                    ..TestFailure::default()
                }
            })?;
        Ok(Isolate {
            project: project.clone(),
            runtime,
            rx,
            session: None,
            loaded: Default::default(),
        })
    }

    /// Runs a job to the end (or until `stop` fires), reporting as tests start and finish.
    pub(crate) async fn run_job(
        &mut self,
        job: Job,
        events: &mpsc::UnboundedSender<WorkerEvent>,
        stop: &tokio::sync::watch::Receiver<bool>,
    ) {
        let project = job.project.clone();
        let defaults = session_defaults(&project);
        let mut remaining = job.ids.clone();
        let mut stop = stop.clone();
        while !remaining.is_empty() {
            if *stop.borrow() {
                return;
            }
            let mut isolate = match self.isolate_for(&project, &job.file, &defaults).await {
                Ok(i) => i,
                Err(failure) => {
                    self.fail_all(&job, &remaining, failure, events);
                    return;
                }
            };
            isolate.loaded.insert(job.file.rel.clone());
            let runtime = &isolate.runtime;
            let rx = &mut isolate.rx;
            let cancel = runtime.cancel_handle();
            let options = serde_json::to_string(&RunOptions {
                retry: job.retry,
                worker_index: self.index,
                timeout: project.timeout.as_millis() as u64,
                expect_timeout: project.expect_timeout.as_millis() as u64,
                use_options: &project.use_options,
                project_name: &project.name,
                repeat_each_index: project.repeat_index,
                output_dir: &defaults.paths.output_alias,
                retries: project.retries,
                snapshots: &project.snapshots,
            })
            .unwrap_or_else(|_| "{}".into());
            let ids = serde_json::to_string(&remaining).unwrap_or_else(|_| "[]".into());
            let script = format!("__ib_harness.run({ids}, {options})");
            let mut failed = false;
            let mut current: Option<(usize, Instant)> = None;
            let mut deadline: Option<tokio::time::Instant> = None;
            let mut timed_out = false;
            let mut interrupted = false;
            let outcome = {
                let work = async {
                    load(runtime, &job.file).await?;
                    runtime.eval(script).await
                };
                tokio::pin!(work);
                loop {
                    let sleep = async {
                        match deadline {
                            Some(d) => tokio::time::sleep_until(d).await,
                            None => std::future::pending().await,
                        }
                    };
                    tokio::select! {
                        biased;
                        Some(msg) = rx.recv() => {
                            self.handle(msg, &job, &mut remaining, &mut isolate.session, &mut current, &mut deadline, &mut failed, &defaults, events);
                        }
                        result = &mut work => break result,
                        () = sleep => {
                            timed_out = true;
                            cancel.cancel();
                        }
                        Ok(()) = stop.changed() => {
                            if *stop.borrow() {
                                interrupted = true;
                                cancel.cancel();
                            }
                        }
                    }
                }
            };
            // Messages sent just before the isolate finished.
            while let Ok(msg) = isolate.rx.try_recv() {
                self.handle(
                    msg,
                    &job,
                    &mut remaining,
                    &mut isolate.session,
                    &mut current,
                    &mut deadline,
                    &mut failed,
                    &defaults,
                    events,
                );
            }
            // A worker's isolate goes on to its next file only after a file that went well,
            // as Playwright replaces a worker process after a failure.
            let keep = project.isolation == super::Isolation::Worker
                && outcome.is_ok()
                && !failed
                && isolate.runtime.is_usable();
            match outcome {
                Ok(value) => {
                    let failures = match serde_json::from_value::<FileResult>(value) {
                        Ok(result) => failures_of(&result.teardown_errors, &project, &job.file)
                            .into_iter()
                            .map(|mut f| {
                                f.message =
                                    format!("tearing down worker fixtures failed: {}", f.message);
                                f
                            })
                            .chain(failures_of(&result.late_errors, &project, &job.file))
                            .collect(),
                        Err(e) => vec![TestFailure {
                            kind: "Error".into(),
                            message: format!("the harness's file result does not decode: {e}"),
                            ..TestFailure::default()
                        }],
                    };
                    let clean = failures.is_empty() && remaining.is_empty();
                    for failure in failures {
                        let _ = events.send(WorkerEvent::FileError {
                            file: job.file.clone(),
                            failure,
                        });
                    }
                    // The harness reports every test it is given: one it did not report was
                    // kept from running (user code tampered with the harness's built-ins, or
                    // the file broke it), and fails rather than passing as skipped.
                    let left = std::mem::take(&mut remaining);
                    if !left.is_empty() {
                        let failure = TestFailure {
                            kind: "Error".into(),
                            message: "Error: the test harness finished without running this test (did the spec file replace a built-in such as Array.prototype or JSON?)".into(),
                            ..TestFailure::default()
                        };
                        self.fail_all(&job, &left, failure, events);
                    }
                    if keep && clean {
                        self.warm = Some(isolate);
                    } else {
                        self.retire(isolate).await;
                    }
                }
                Err(e) => {
                    self.retire(isolate).await;
                    let failure = if timed_out {
                        let ms = current.map(|_| project.timeout.as_millis()).unwrap_or(0);
                        TestFailure {
                            kind: "TimeoutError".into(),
                            message: format!(
                                "Test timeout of {ms}ms exceeded (the test blocked its isolate, which was terminated)."
                            ),
                            ..TestFailure::default()
                        }
                    } else {
                        masked(&project.secrets, failure_of_script(&e))
                    };
                    let outcome = if interrupted {
                        TestOutcome::Interrupted
                    } else if timed_out {
                        TestOutcome::TimedOut
                    } else {
                        TestOutcome::Failed
                    };
                    match current.take() {
                        Some((id, started)) => {
                            remaining.retain(|r| *r != id);
                            let attempt = TestAttempt {
                                duration: started.elapsed(),
                                failures: if interrupted {
                                    Vec::new()
                                } else {
                                    vec![failure]
                                },
                                ..TestAttempt::new(job.retry, outcome)
                            };
                            let _ = events.send(WorkerEvent::Finished {
                                project: project.index,
                                file: job.file.clone(),
                                id,
                                attempt,
                                not_run: false,
                            });
                            if interrupted {
                                return;
                            }
                        }
                        None => {
                            if interrupted {
                                return;
                            }
                            // The file failed outside any test (it no longer loads, a hook
                            // outside tests ran out of memory): every test left fails with it.
                            self.fail_all(&job, &remaining, failure, events);
                            return;
                        }
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle(
        &self,
        msg: IsolateMsg,
        job: &Job,
        remaining: &mut Vec<usize>,
        session: &mut Option<u32>,
        current: &mut Option<(usize, Instant)>,
        deadline: &mut Option<tokio::time::Instant>,
        failed: &mut bool,
        defaults: &SessionDefaults,
        events: &mpsc::UnboundedSender<WorkerEvent>,
    ) {
        match msg {
            IsolateMsg::Session(s) => *session = Some(s),
            IsolateMsg::Begin { id } => {
                let id = id.0;
                *current = Some((id, Instant::now()));
                *deadline = Some(tokio::time::Instant::now() + job.project.timeout + GRACE);
                let _ = events.send(WorkerEvent::Started {
                    project: job.project.index,
                    file: job.file.clone(),
                    id,
                    retry: job.retry,
                });
            }
            IsolateMsg::Deadline { ms } => {
                *deadline = (ms > 0)
                    .then(|| tokio::time::Instant::now() + Duration::from_millis(ms) + GRACE);
            }
            IsolateMsg::StepBegan { id, parent, title } => {
                let title = job.project.secrets.mask(&title).into_owned();
                if let Some((test, _)) = *current {
                    let _ = events.send(WorkerEvent::StepStarted {
                        project: job.project.index,
                        file: job.file.clone(),
                        id: test,
                        retry: job.retry,
                        step: id.0,
                        parent: parent.map(|p| p.0),
                        title,
                    });
                }
            }
            IsolateMsg::StepEnded {
                id,
                duration,
                error,
            } => {
                if let Some((test, _)) = *current {
                    let _ = events.send(WorkerEvent::StepFinished {
                        project: job.project.index,
                        file: job.file.clone(),
                        id: test,
                        retry: job.retry,
                        step: id.0,
                        duration,
                        error: error.map(|e| job.project.secrets.mask(&e).into_owned()),
                    });
                }
            }
            IsolateMsg::Output(entry) => {
                let _ = events.send(WorkerEvent::Output {
                    project: job.project.index,
                    file: job.file.clone(),
                    test: current.map(|(test, _)| (test, job.retry)),
                    stream: if entry.level.is_stderr() {
                        OutputStream::Stderr
                    } else {
                        OutputStream::Stdout
                    },
                    text: entry.text,
                });
            }
            IsolateMsg::End {
                result,
                console,
                cpu,
            } => {
                let id = result.id.0;
                let not_run = result.not_run;
                let started = match current.take() {
                    Some((cur, t)) if cur == id => Some(t),
                    _ => None,
                };
                *deadline = None;
                remaining.retain(|r| *r != id);
                let duration = started.map(|t| t.elapsed()).unwrap_or_default();
                let attempt =
                    attempt_from_result(&result, console, cpu, duration, job, &defaults.paths);
                *failed |= matches!(
                    attempt.outcome,
                    TestOutcome::Failed | TestOutcome::TimedOut | TestOutcome::Interrupted
                );
                let _ = events.send(WorkerEvent::Finished {
                    project: job.project.index,
                    file: job.file.clone(),
                    id,
                    attempt,
                    not_run,
                });
            }
        }
    }

    fn fail_all(
        &self,
        job: &Job,
        ids: &[usize],
        failure: TestFailure,
        events: &mpsc::UnboundedSender<WorkerEvent>,
    ) {
        for &id in ids {
            let _ = events.send(WorkerEvent::Finished {
                project: job.project.index,
                file: job.file.clone(),
                id,
                attempt: TestAttempt {
                    failures: vec![failure.clone()],
                    ..TestAttempt::new(job.retry, TestOutcome::Failed)
                },
                not_run: false,
            });
        }
    }
}

//! [`run`]: the async shell around the [`Scheduler`]: web servers, listing and selection, then
//! workers that ask for jobs and report what happens; every report goes into the scheduler,
//! and what it answers (jobs, events, stop) is carried out here. This is the only place events
//! are stamped and sent to reporters, so they arrive in one order.

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use isolate_browser_reporters::FanOut;
use isolate_browser_reporters::Reporter;
use isolate_browser_reporters::RunEvent;
use isolate_browser_reporters::RunEventKind;
use isolate_browser_reporters::RunStats;
use isolate_browser_reporters::RunStatus;
use isolate_browser_reporters::TestInfo;
use isolate_browser_reporters::TestOutcome;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::sync::oneshot;
use tokio::sync::watch;

use super::EventSink;
use super::RunError;
use super::RunRequest;
use super::RunSummary;
use super::browser::BrowserThread;
use super::config::Project;
use super::scheduler::Input;
use super::scheduler::JobSpec;
use super::scheduler::Output;
use super::scheduler::Plan;
use super::scheduler::PlannedProject;
use super::scheduler::PlannedTest;
use super::scheduler::Scheduler;
use super::selection::Selection;
use super::shard::GroupKey;
use super::shard::ShardBalance;
use super::web_server;
use super::worker::Job;
use super::worker::ProjectRun;
use super::worker::SpecFile;
use super::worker::Worker;
use super::worker::WorkerEvent;
use crate::sandbox::FetchPolicy;
use crate::serve::AppServer;
use crate::serve::AppServerOptions;

/// Messages to the coordinator, in the order workers send them.
enum ToCoord {
    Event(WorkerEvent),
    /// A worker is idle; `finished_job` when it just completed one.
    WantJob {
        worker: usize,
        finished_job: bool,
        reply: oneshot::Sender<Option<Job>>,
    },
}

fn origin_of(url: &str) -> Option<String> {
    crate::sandbox::ext_normalize_origin(url)
}

/// Runs the tests of `request`, reporting to `reporters` and `sink` as events happen.
/// `interrupt` flipping to `true` (Ctrl-C) stops the run: running tests are interrupted and
/// reports are still written.
pub async fn run(
    request: RunRequest,
    reporters: Vec<Box<dyn Reporter>>,
    sink: Option<EventSink>,
    interrupt: Option<watch::Receiver<bool>>,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let config = &request.config;
    // Read before anything cleans the output directory they are in.
    let mut timings = super::timings::Timings::read(&config.output_dir);
    let last_failed: Option<HashSet<String>> = if config.last_failed {
        let record = super::last_run::read(&config.output_dir).map_err(RunError::LastRun)?;
        Some(
            record
                .map(|r| r.failed_tests)
                .unwrap_or_default()
                .into_iter()
                .collect(),
        )
    } else {
        None
    };
    // ---- which projects --------------------------------------------------------------------
    let mut selected_projects: Vec<usize> = (0..config.projects.len()).collect();
    if !request.projects.is_empty() {
        let mut want: Vec<usize> = Vec::new();
        for name in &request.projects {
            let i = config
                .projects
                .iter()
                .position(|p| &p.name == name)
                .ok_or_else(|| RunError::UnknownProject {
                    name: name.clone(),
                    available: config
                        .projects
                        .iter()
                        .map(|p| format!("\"{}\"", p.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            want.push(i);
        }
        // Dependencies come along, as in Playwright.
        let mut i = 0;
        while i < want.len() {
            for d in &config.projects[want[i]].dependencies {
                if let Some(j) = config.projects.iter().position(|p| &p.name == d)
                    && !want.contains(&j)
                {
                    want.push(j);
                }
            }
            i += 1;
        }
        // Every repetition (`repeatEach`) of a wanted project.
        let names: Vec<&str> = want
            .iter()
            .map(|&i| config.projects[i].name.as_str())
            .collect();
        selected_projects.retain(|&i| names.contains(&config.projects[i].name.as_str()));
    }

    // ---- web servers (before listing: nothing else needs them, but a base URL is known) --
    let mut servers = Vec::new();
    let mut apps: Vec<(String, AppServer)> = Vec::new();
    let mut base_url: Option<String> = None;
    if !request.list_only {
        for ws in &config.web_servers {
            if let Some(entry) = &ws.entry {
                let app = match start_app(config, ws, entry).await {
                    Ok(app) => app,
                    Err(e) => {
                        stop_servers(servers, apps).await;
                        return Err(e);
                    }
                };
                base_url.get_or_insert_with(|| format!("{}/", app.0));
                apps.push(app);
                continue;
            }
            let spec = web_server::WebServerSpec {
                command: ws.command.clone(),
                static_dir: ws.static_dir.clone(),
                url: ws.url.clone(),
                port: ws.port,
                cwd: ws.cwd.clone(),
                env: ws.env.clone(),
                reuse_existing_server: ws.reuse_existing_server,
                timeout: ws.timeout,
                echo_output: ws.echo_output,
            };
            let server = match web_server::start(&spec).await {
                Ok(server) => server,
                Err(e) => {
                    stop_servers(servers, apps).await;
                    return Err(RunError::WebServer(e.to_string()));
                }
            };
            base_url.get_or_insert_with(|| server.base_url().to_string());
            servers.push(server);
        }
    }

    // One module cache for the run: a package is prepared and compiled once, for every worker.
    let module_cache = crate::sandbox::ModuleCache::new();
    let make_projects = |extra_env: &[(String, String)]| -> Vec<Arc<ProjectRun>> {
        config
            .projects
            .iter()
            .enumerate()
            .map(|(index, p)| {
                let mut run = project_run(index, p, config, base_url.as_deref(), &servers, &apps);
                run.env.extend(extra_env.iter().cloned());
                run.module_cache = module_cache.clone();
                Arc::new(run)
            })
            .collect()
    };
    // ---- global setup (after the web servers, as in Playwright) ---------------------------
    let mut setup_env: Vec<(String, String)> = Vec::new();
    let mut held = Vec::new();
    if !request.list_only && !config.global_setup.is_empty() {
        // What the setup writes under the output directory must survive into the run.
        clean_output_dir(config);
        let config_json = full_config_json(config, &make_projects(&[]));
        for file in &config.global_setup {
            let project = make_projects(&setup_env)
                .into_iter()
                .next()
                .expect("a config has at least one project");
            match super::global_setup::run(
                super::global_setup::Phase::Setup,
                file,
                project,
                &request.browser,
                &config_json,
            )
            .await
            {
                Ok(ran) => {
                    setup_env.retain(|(k, _)| !ran.env.iter().any(|(rk, _)| rk == k));
                    setup_env.extend(ran.env);
                    held.extend(ran.held);
                }
                Err(e) => {
                    for h in held {
                        let _ = h.teardown().await;
                    }
                    stop_servers(servers, apps).await;
                    return Err(RunError::GlobalSetup(format!("Error in globalSetup: {e}")));
                }
            }
        }
    }
    let projects = make_projects(&setup_env);

    let selection = match super::selection::select(&request, &projects, &selected_projects).await {
        Ok(selection) => selection,
        Err(e) => {
            stop_servers(servers, apps).await;
            return Err(e);
        }
    };
    let Selection {
        mut entries,
        file_errors,
        mut files_by_project,
    } = selection;
    for (list, keep) in [(&config.test_list, true), (&config.test_list_invert, false)] {
        let Some(list) = list else { continue };
        entries.retain(|e| {
            let project = &config.projects[e.project];
            // The file as the config's folder names it, and as the test directory does.
            let in_test_dir = project
                .test_dir
                .strip_prefix(&config.root)
                .ok()
                .and_then(|d| std::path::Path::new(&e.info.file).strip_prefix(d).ok())
                .map(|f| f.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|| e.info.file.clone());
            let files = [e.info.file.as_str(), in_test_dir.as_str()];
            list.names(&project.name, &files, &e.info.title_path) == keep
        });
    }
    if let Some(ids) = &last_failed {
        entries.retain(|e| ids.contains(&e.info.id.0));
    }
    let mut shard_expected: Option<u64> = None;
    if let Some(shard) = config.shard {
        let keys = group_keys(&entries, config);
        let ids: Vec<&str> = entries.iter().map(|e| e.info.id.0.as_str()).collect();
        let durations = super::timings::expected_durations(&timings, &ids);
        let keep = match config.shard_balance {
            ShardBalance::Count => super::shard::in_shard(&keys, shard),
            ShardBalance::Duration => super::shard::in_shard_by_duration(&keys, &durations, shard),
        };
        let expected: u64 = keep
            .iter()
            .zip(&durations)
            .filter(|(k, _)| **k)
            .map(|(_, d)| d)
            .sum();
        let mut keep = keep.into_iter();
        entries.retain(|_| keep.next().unwrap_or(false));
        if !request.list_only {
            crate::stdio::err!(
                "Shard {}/{}: {} tests, {} of test time expected (split by {})",
                shard.current,
                shard.total,
                entries.len(),
                seconds(expected),
                match config.shard_balance {
                    ShardBalance::Count => "count",
                    ShardBalance::Duration => "duration",
                }
            );
        }
        shard_expected = Some(expected);
    }
    if let Some(seed) = config.shuffle {
        shuffle_run(&mut entries, &mut files_by_project, config, seed);
        if !request.list_only {
            crate::stdio::err!("Shuffled with seed {seed}: --shuffle {seed} runs this order again");
        }
    }
    let tests: Vec<TestInfo> = entries.iter().map(|e| e.info.clone()).collect();
    if request.list_only {
        return Ok(RunSummary {
            status: RunStatus::Passed,
            stats: RunStats::default(),
            tests,
            file_errors: file_errors.len(),
        });
    }

    // ---- running ----------------------------------------------------------------------------
    if config.global_setup.is_empty() {
        clean_output_dir(config);
    }
    let workers = config.workers.max(1);
    let plan =
        Plan {
            tests: entries
                .iter()
                .map(|e| PlannedTest {
                    info: e.info.clone(),
                    project: e.project,
                    file: e.file.rel.clone(),
                    id: e.listed.id,
                    serial_group: e.listed.serial_group,
                    parallel: e.listed.parallel,
                    static_skip: e.listed.skip.as_ref().map(|(kind, description)| {
                        description.clone().unwrap_or_else(|| kind.clone())
                    }),
                    retries: e.retries,
                })
                .collect(),
            projects: config
                .projects
                .iter()
                .enumerate()
                .map(|(i, p)| PlannedProject {
                    name: p.name.clone(),
                    dependencies: p
                        .dependencies
                        .iter()
                        .filter_map(|d| config.projects.iter().position(|q| &q.name == d))
                        .collect(),
                    fully_parallel: p.fully_parallel,
                    files: files_by_project[i].iter().map(|f| f.rel.clone()).collect(),
                })
                .collect(),
            levels: levels(&config.projects, &selected_projects),
            workers,
            max_failures: config.max_failures,
            file_errors,
        };
    let mut dispatcher = Dispatcher {
        fanout: FanOut::new(reporters),
        sink,
        started,
        failed: Vec::new(),
        durations: HashMap::new(),
    };
    let (mut scheduler, outputs) = Scheduler::start(plan);

    let (stop_tx, stop_rx) = watch::channel(false);
    let (to_coord, mut from_workers) = mpsc::unbounded_channel::<ToCoord>();
    let mut handles = Vec::new();
    // Chromium starts with the first selected project's policy, so the contexts it makes
    // ahead of time fit that project's tests (others get contexts of their own).
    let mut source = request.browser.clone();
    if let super::BrowserSource::Launch(options) = &mut source
        && let Some(first) = selected_projects.first().and_then(|&i| projects.get(i))
    {
        options.network = first.network.clone();
    }
    for w in 0..workers {
        let browser =
            BrowserThread::start(source.clone()).map_err(|e| RunError::Worker(e.to_string()))?;
        handles.push(tokio::spawn(worker_loop(
            Worker::new(w, browser),
            to_coord.clone(),
            stop_rx.clone(),
        )));
    }
    drop(to_coord);

    let mut waiting: HashMap<usize, oneshot::Sender<Option<Job>>> = HashMap::new();
    let jobs = JobFactory {
        projects: &projects,
        files: &files_by_project,
    };
    let act = |outputs: Vec<Output>,
               waiting: &mut HashMap<usize, oneshot::Sender<Option<Job>>>,
               dispatcher: &mut Dispatcher| {
        for output in outputs {
            match output {
                Output::Event(kind) => dispatcher.emit(kind),
                Output::Assign { worker, job } => {
                    if let (Some(reply), Some(job)) = (waiting.remove(&worker), jobs.job(job)) {
                        let _ = reply.send(Some(job));
                    }
                }
                Output::StopWorkers => {
                    let _ = stop_tx.send(true);
                }
            }
        }
    };
    act(outputs, &mut waiting, &mut dispatcher);
    let mut interrupt = interrupt;
    let deadline = config
        .global_timeout
        .map(|t| tokio::time::Instant::from_std(started + t));
    let mut timed_out = false;
    while !scheduler.is_done() {
        let msg = tokio::select! {
            msg = from_workers.recv() => msg,
            () = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            }, if !timed_out => {
                timed_out = true;
                let limit = config.global_timeout.unwrap_or_default();
                crate::stdio::err!(
                    "Timed out waiting {}s for the entire test run (globalTimeout)",
                    limit.as_secs_f64()
                );
                let outputs = scheduler.handle(Input::Interrupt);
                act(outputs, &mut waiting, &mut dispatcher);
                continue;
            }
            Ok(()) = async {
                match interrupt.as_mut() {
                    Some(rx) => rx.changed().await,
                    None => std::future::pending().await,
                }
            } => {
                if interrupt.as_ref().is_some_and(|rx| *rx.borrow()) {
                    let outputs = scheduler.handle(Input::Interrupt);
                    act(outputs, &mut waiting, &mut dispatcher);
                }
                continue;
            }
        };
        let Some(msg) = msg else { break };
        let input = match msg {
            ToCoord::WantJob {
                worker,
                finished_job,
                reply,
            } => {
                waiting.insert(worker, reply);
                Input::WorkerIdle {
                    worker,
                    finished_job,
                }
            }
            ToCoord::Event(event) => match event {
                WorkerEvent::Flush(done) => {
                    let _ = done.send(());
                    continue;
                }
                WorkerEvent::Started {
                    project,
                    file,
                    id,
                    retry,
                } => Input::TestStarted {
                    key: (project, file.rel.clone(), id),
                    retry,
                },
                WorkerEvent::Finished {
                    project,
                    file,
                    id,
                    attempt,
                    not_run,
                } => Input::TestFinished {
                    key: (project, file.rel.clone(), id),
                    attempt,
                    not_run,
                },
                WorkerEvent::FileError { file, failure } => Input::FileFailed {
                    file: file.rel.clone(),
                    failure,
                },
                // Steps and output change nothing of the run's state: they go straight out.
                WorkerEvent::StepStarted {
                    project,
                    file,
                    id,
                    retry,
                    step,
                    parent,
                    title,
                } => {
                    if let Some(info) = scheduler.test_info(&(project, file.rel.clone(), id)) {
                        dispatcher.emit(RunEventKind::StepStarted {
                            info: info.clone(),
                            retry,
                            step,
                            parent,
                            title,
                        });
                    }
                    continue;
                }
                WorkerEvent::StepFinished {
                    project,
                    file,
                    id,
                    retry,
                    step,
                    duration,
                    error,
                } => {
                    if let Some(info) = scheduler.test_info(&(project, file.rel.clone(), id)) {
                        dispatcher.emit(RunEventKind::StepFinished {
                            info: info.clone(),
                            retry,
                            step,
                            duration,
                            error,
                        });
                    }
                    continue;
                }
                WorkerEvent::Output {
                    project,
                    file,
                    test,
                    stream,
                    text,
                } => {
                    let test = test.and_then(|(id, retry)| {
                        scheduler
                            .test_info(&(project, file.rel.clone(), id))
                            .map(|info| (info.clone(), retry))
                    });
                    dispatcher.emit(RunEventKind::Output { test, stream, text });
                    continue;
                }
            },
        };
        let outputs = scheduler.handle(input);
        act(outputs, &mut waiting, &mut dispatcher);
    }
    // Whoever is still waiting gets told to stop.
    for (_, reply) in waiting.drain() {
        let _ = reply.send(None);
    }
    drop(from_workers);
    for h in handles {
        let _ = h.await;
    }
    // ---- global teardown: the setup's returned functions (last first), then the files ----
    let mut teardown_errors = Vec::new();
    for h in held.into_iter().rev() {
        if let Err(e) = h.teardown().await {
            teardown_errors.push(e);
        }
    }
    if !config.global_teardown.is_empty() {
        let config_json = full_config_json(config, &projects);
        for file in &config.global_teardown {
            let project = projects[0].clone();
            if let Err(e) = super::global_setup::run(
                super::global_setup::Phase::Teardown,
                file,
                project,
                &request.browser,
                &config_json,
            )
            .await
            {
                teardown_errors.push(e);
            }
        }
    }
    stop_servers(servers, apps).await;
    for e in &teardown_errors {
        crate::stdio::err!("Error in globalTeardown: {e}");
    }
    let (events, mut status, stats) = scheduler.finish(started.elapsed());
    // A run past its global timeout failed; so did one with a flaky test when flakes fail.
    if timed_out || (config.fail_on_flaky_tests && stats.flaky > 0) {
        status = RunStatus::Failed;
    }
    for mut kind in events {
        if let RunEventKind::RunFinished { status: s, .. } = &mut kind {
            *s = status;
        }
        dispatcher.emit(kind);
    }
    super::last_run::write(
        &config.output_dir,
        status,
        std::mem::take(&mut dispatcher.failed),
    );
    let durations = std::mem::take(&mut dispatcher.durations);
    if let (Some(shard), Some(expected)) = (config.shard, shard_expected) {
        crate::stdio::err!(
            "Shard {}/{}: {} of test time ({} expected), {} wall time",
            shard.current,
            shard.total,
            seconds(durations.values().sum()),
            seconds(expected),
            seconds(started.elapsed().as_millis() as u64)
        );
    }
    timings.record(durations);
    timings.write(&config.output_dir);
    for problem in dispatcher.fanout.errors() {
        crate::stdio::err!("warning: {problem}");
    }
    Ok(RunSummary {
        status,
        stats,
        tests,
        file_errors: scheduler.file_errors(),
    })
}

/// The group each test must share a worker with (see [`GroupKey`]).
fn group_keys(entries: &[super::selection::Entry], config: &super::Config) -> Vec<GroupKey> {
    entries
        .iter()
        .map(|e| {
            let file = e.file.rel.clone();
            let alone = e.listed.parallel || config.projects[e.project].fully_parallel;
            match (alone, e.listed.serial_group) {
                (false, _) => GroupKey::File(e.project, file),
                (true, Some(g)) => GroupKey::Serial(e.project, file, g),
                (true, None) => GroupKey::Test(e.project, file, e.listed.id),
            }
        })
        .collect()
}

/// `--shuffle`: each project's files in an order of the seed, and the groups of a parallel
/// file too; a group (a default-mode file, a serial describe) keeps its own order.
fn shuffle_run(
    entries: &mut Vec<super::selection::Entry>,
    files_by_project: &mut [Vec<Arc<SpecFile>>],
    config: &super::Config,
    seed: u64,
) {
    for files in files_by_project.iter_mut() {
        super::shard::shuffle(files, seed);
    }
    let keys = group_keys(entries, config);
    let mut groups: Vec<&GroupKey> = Vec::new();
    for k in &keys {
        if !groups.contains(&k) {
            groups.push(k);
        }
    }
    super::shard::shuffle(&mut groups, seed.rotate_left(17));
    let group_rank: HashMap<&GroupKey, usize> =
        groups.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let file_rank = |e: &super::selection::Entry| {
        files_by_project[e.project]
            .iter()
            .position(|f| f.rel == e.file.rel)
            .unwrap_or(usize::MAX)
    };
    let mut ranked: Vec<((usize, usize, usize, usize), super::selection::Entry)> = entries
        .drain(..)
        .zip(&keys)
        .enumerate()
        .map(|(i, (e, k))| ((e.project, file_rank(&e), group_rank[k], i), e))
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    entries.extend(ranked.into_iter().map(|(_, e)| e));
}

/// Stamps events and sends them to the sink and the reporters, in one order.
struct Dispatcher {
    fanout: FanOut,
    sink: Option<EventSink>,
    started: Instant,
    /// Ids of the tests whose last attempt did not pass, for `.last-run.json`.
    failed: Vec<String>,
    /// Each test's time over its attempts, for the timings file.
    durations: HashMap<String, u64>,
}

fn seconds(ms: u64) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}

impl Dispatcher {
    fn emit(&mut self, kind: RunEventKind) {
        if let RunEventKind::TestFinished {
            info,
            attempt,
            will_retry: false,
        } = &kind
            && !matches!(attempt.outcome, TestOutcome::Passed | TestOutcome::Skipped)
        {
            self.failed.push(info.id.0.clone());
        }
        if let RunEventKind::TestFinished { info, attempt, .. } = &kind
            && attempt.outcome != TestOutcome::Skipped
        {
            *self.durations.entry(info.id.0.clone()).or_default() +=
                attempt.duration.as_millis() as u64;
        }
        let event = RunEvent::new(kind, self.started.elapsed());
        if let Some(s) = self.sink.as_mut() {
            s(&event);
        }
        self.fanout.on_event(&event);
    }
}

/// Turns the scheduler's job specs into jobs with their project and file.
struct JobFactory<'a> {
    projects: &'a [Arc<ProjectRun>],
    files: &'a [Vec<Arc<SpecFile>>],
}

impl JobFactory<'_> {
    fn job(&self, spec: JobSpec) -> Option<Job> {
        let file = self
            .files
            .get(spec.project)?
            .iter()
            .find(|f| f.rel == spec.file)?;
        Some(Job {
            project: self.projects.get(spec.project)?.clone(),
            file: file.clone(),
            ids: spec.ids,
            retry: spec.retry,
        })
    }
}

/// A worker asks for a job, runs it, and asks again, until it is told there is no more.
async fn worker_loop(
    mut worker: Worker,
    tx: mpsc::UnboundedSender<ToCoord>,
    stop: watch::Receiver<bool>,
) {
    let (events_tx, mut events_rx) = mpsc::unbounded_channel::<WorkerEvent>();
    let forward = tx.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(ev) = events_rx.recv().await {
            if forward.send(ToCoord::Event(ev)).is_err() {
                break;
            }
        }
    });
    let mut finished_job = false;
    loop {
        let (reply, rx) = oneshot::channel();
        // Events of the last job reach the coordinator before this request does.
        let (flushed_tx, flushed_rx) = oneshot::channel::<()>();
        let _ = events_tx.send(WorkerEvent::Flush(flushed_tx));
        let _ = flushed_rx.await;
        if tx
            .send(ToCoord::WantJob {
                worker: worker.index,
                finished_job,
                reply,
            })
            .is_err()
        {
            break;
        }
        match rx.await {
            Ok(Some(job)) => {
                worker.run_job(job, &events_tx, &stop).await;
                finished_job = true;
            }
            _ => break,
        }
    }
    worker.finish().await;
    drop(events_tx);
    let _ = forwarder.await;
    worker.browser.shutdown().await;
}

/// Results of earlier runs go, as in Playwright; never when the output directory is the
/// project itself or one of its ancestors.
fn clean_output_dir(config: &super::Config) {
    let out = &config.output_dir;
    if out == &config.root || config.root.starts_with(out) || !out.starts_with(&config.root) {
        return;
    }
    let _ = std::fs::remove_dir_all(out);
}

async fn stop_servers(servers: Vec<web_server::RunningServer>, apps: Vec<(String, AppServer)>) {
    for mut s in servers {
        s.stop().await;
    }
    for (_, app) in apps {
        app.close(std::time::Duration::from_secs(2)).await;
    }
}

/// Starts a `webServer: { entry }` app server in its own sandbox; returns its origin.
async fn start_app(
    config: &super::Config,
    ws: &super::config::WebServerConfig,
    entry: &std::path::Path,
) -> Result<(String, AppServer), RunError> {
    let origin = match &ws.url {
        Some(url) => crate::sandbox::ext_normalize_origin(url).ok_or_else(|| {
            RunError::WebServer(format!(
                "webServer.url `{url}` is not an origin such as http://app.test"
            ))
        })?,
        None => "http://app.test".to_string(),
    };
    let runtime = crate::sandbox::RuntimeOptions {
        cwd: ws.cwd.clone(),
        memory_limit_mb: config.memory_limit_mb.max(128),
        execution_timeout: Some(std::time::Duration::from_secs(30)),
        console: crate::sandbox::ConsoleBinding::callback(|entry| {
            crate::stdio::err!("[WebServer] {}", entry.text);
        }),
        fetch: if config.allow_net.is_empty() {
            FetchPolicy::DenyAll
        } else {
            FetchPolicy::AllowOrigins(config.allow_net.clone())
        },
        ..crate::sandbox::RuntimeOptions::default()
    };
    let mut options = AppServerOptions::new(entry, runtime);
    options.log = Arc::new(|line| crate::stdio::err!("[WebServer] {line}"));
    let app = tokio::time::timeout(ws.timeout, AppServer::start(options))
        .await
        .map_err(|_| {
            RunError::WebServer(format!(
                "webServer.entry {}: the app server did not start within {:?}",
                entry.display(),
                ws.timeout
            ))
        })?
        .map_err(|e| RunError::WebServer(format!("webServer.entry {e}")))?;
    Ok((origin, app))
}

/// What a project's pages may reach: its granted origins (`allowNet`, `baseURL`, web
/// servers; app servers are answered inside the browser and need no grant), and public hosts
/// unless `strictNetwork` is set.
pub(crate) fn network_policy(
    config: &super::Config,
    granted: Vec<String>,
) -> isolate_browser_browser::NetworkPolicy {
    if config.strict_network {
        isolate_browser_browser::NetworkPolicy::strict(granted)
    } else {
        isolate_browser_browser::NetworkPolicy::open(granted)
    }
}

/// Groups selected projects into levels: each project comes after every project it depends on.
fn levels(projects: &[Project], selected: &[usize]) -> Vec<Vec<usize>> {
    let mut level_of: HashMap<usize, usize> = HashMap::new();
    fn depth(
        i: usize,
        projects: &[Project],
        memo: &mut HashMap<usize, usize>,
        seen: &mut Vec<usize>,
    ) -> usize {
        if let Some(&d) = memo.get(&i) {
            return d;
        }
        if seen.contains(&i) {
            return 0; // a cycle: treat as independent rather than loop forever
        }
        seen.push(i);
        let d = projects[i]
            .dependencies
            .iter()
            .filter_map(|name| projects.iter().position(|p| &p.name == name))
            .map(|j| depth(j, projects, memo, seen) + 1)
            .max()
            .unwrap_or(0);
        seen.pop();
        memo.insert(i, d);
        d
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    for &i in selected {
        let d = depth(i, projects, &mut level_of, &mut Vec::new());
        while out.len() <= d {
            out.push(Vec::new());
        }
        out[d].push(i);
    }
    out.retain(|l| !l.is_empty());
    out
}

fn project_run(
    index: usize,
    p: &Project,
    config: &super::Config,
    server_url: Option<&str>,
    servers: &[web_server::RunningServer],
    apps: &[(String, AppServer)],
) -> ProjectRun {
    let mut use_options = p.use_options.clone();
    if !use_options.contains_key("baseURL")
        && let Some(url) = server_url
    {
        use_options.insert("baseURL".into(), Value::String(url.to_string()));
    }
    let mut origins: Vec<String> = config.allow_net.clone();
    if let Some(base) = use_options.get("baseURL").and_then(Value::as_str)
        && let Some(o) = origin_of(base)
    {
        origins.push(o);
    }
    for s in servers {
        if let Some(o) = origin_of(s.base_url()) {
            origins.push(o);
        }
    }
    origins.sort();
    origins.dedup();
    origins.retain(|o| !apps.iter().any(|(a, _)| a == o));
    let network = network_policy(config, origins.clone());
    let mut fetch = if origins.is_empty() {
        FetchPolicy::DenyAll
    } else {
        FetchPolicy::AllowOrigins(origins)
    };
    if !apps.is_empty() {
        fetch = FetchPolicy::Virtual {
            origins: apps
                .iter()
                .map(|(o, app)| (o.clone(), app.fetch_handler()))
                .collect(),
            fallback: Box::new(fetch),
        };
    }
    ProjectRun {
        index,
        name: p.name.clone(),
        repeat_index: p.repeat_index,
        root: config.root.clone(),
        output_dir: config.output_dir.clone(),
        use_options: Value::Object(use_options),
        timeout: p.timeout,
        expect_timeout: p.expect_timeout,
        retries: p.retries,
        fetch,
        network,
        writable_dirs: config.writable_dirs.clone(),
        memory_limit_mb: config.memory_limit_mb,
        output_limit: config.output_limit_mb.max(1) * 1024 * 1024,
        secrets: super::secrets::Secrets::new(&config.secrets, &config.secret_env),
        profiles_dir: config.profiles_dir.clone(),
        apps: apps.to_vec(),
        env: allowed_env(&config.allow_env)
            .into_iter()
            .chain(config.config_env.iter().cloned())
            .collect(),
        module_cache: crate::sandbox::ModuleCache::new(),
        isolation: config.isolation,
        snapshot_dirs: p.snapshots.writable_dirs(&config.root, &p.test_dir),
        snapshots: p.snapshots.for_harness(&config.root, &p.test_dir),
    }
}

/// The host environment variables named in `allowEnv` that are set: all of the host's
/// environment test code can read.
fn allowed_env(names: &[String]) -> Vec<(String, String)> {
    names
        .iter()
        .filter_map(|n| std::env::var(n).ok().map(|v| (n.clone(), v)))
        .collect()
}

/// The `config` argument of `globalSetup(config)`: Playwright's FullConfig, as far as setups
/// read it (`rootDir`, `projects[].use` with `baseURL` and `storageState`, `workers`).
fn full_config_json(config: &super::Config, projects: &[Arc<ProjectRun>]) -> Value {
    let shown = |p: &std::path::Path| {
        p.strip_prefix(&config.root)
            .map(|r| format!("/{}", r.to_string_lossy()))
            .unwrap_or_else(|_| "/".into())
            .trim_end_matches('/')
            .to_string()
    };
    serde_json::json!({
        "rootDir": "/",
        "configFile": config.file.as_deref().map(shown),
        "workers": config.workers,
        "globalSetup": config.global_setup.first().map(|f| shown(f.as_path())),
        "globalTeardown": config.global_teardown.first().map(|f| shown(f.as_path())),
        "projects": projects.iter().zip(&config.projects).map(|(run, p)| serde_json::json!({
            "name": p.name,
            "testDir": shown(&p.test_dir),
            "outputDir": shown(&run.output_dir),
            "retries": run.retries,
            "timeout": run.timeout.as_millis() as u64,
            "use": run.use_options,
        })).collect::<Vec<_>>(),
    })
}

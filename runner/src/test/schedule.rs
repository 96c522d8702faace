//! [`run`]: discovery, listing, selection, then one coordinator that hands jobs to workers,
//! decides retries, counts failures, stops the run on `maxFailures` or an interrupt, and is the
//! only place events are stamped and sent to reporters, so they arrive in one order.

use std::collections::HashMap;
use std::collections::HashSet;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use isolate_browser_reporters::FanOut;
use isolate_browser_reporters::Reporter;
use isolate_browser_reporters::RunEvent;
use isolate_browser_reporters::RunStats;
use isolate_browser_reporters::RunStatus;
use isolate_browser_reporters::TestAttempt;
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
use super::browser_side::BrowserThread;
use super::config::Project;
use super::selection::Entry;
use super::selection::Selection;
use super::web_server;
use super::worker::Job;
use super::worker::ProjectRun;
use super::worker::Worker;
use super::worker::WorkerEvent;
use crate::sandbox::FetchPolicy;
use crate::serve::AppServer;
use crate::serve::AppServerOptions;

type Key = (usize, String, usize);

/// Messages to the coordinator, in the order workers send them.
#[expect(
    clippy::large_enum_variant,
    reason = "messages are moved once through a channel; boxing would only add allocations"
)]
enum ToCoord {
    Event(WorkerEvent),
    /// A worker is idle; `finished_job` when it just completed one.
    WantJob {
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
    mut sink: Option<EventSink>,
    interrupt: Option<watch::Receiver<bool>>,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let config = &request.config;
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
        selected_projects.retain(|i| want.contains(i));
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

    let projects: Vec<Arc<ProjectRun>> = config
        .projects
        .iter()
        .enumerate()
        .map(|(index, p)| {
            Arc::new(project_run(
                index,
                p,
                config,
                base_url.as_deref(),
                &servers,
                &apps,
            ))
        })
        .collect();

    let selection = match super::selection::select(&request, &projects, &selected_projects).await {
        Ok(selection) => selection,
        Err(e) => {
            stop_servers(servers, apps).await;
            return Err(e);
        }
    };
    let Selection {
        mut entries,
        mut file_errors,
        files_by_project,
    } = selection;
    let mut fanout = FanOut::new(reporters);
    let emit = |event: RunEvent, fanout: &mut FanOut, sink: &mut Option<EventSink>| {
        if let Some(s) = sink.as_mut() {
            s(&event);
        }
        fanout.on_event(&event);
    };
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
    clean_output_dir(config);
    let workers = config.workers.max(1);
    emit(
        RunEvent::RunStarted {
            total: entries.len(),
            workers,
        },
        &mut fanout,
        &mut sink,
    );
    for (file, failure) in &file_errors {
        emit(
            RunEvent::FileFailed {
                file: file.clone(),
                failure: failure.clone(),
            },
            &mut fanout,
            &mut sink,
        );
    }
    let index: HashMap<Key, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| ((e.project, e.file.rel.clone(), e.listed.id), i))
        .collect();

    let mut stats = RunStats::default();
    // Statically skipped tests are reported without running anything.
    for e in entries.iter_mut() {
        if let Some((kind, description)) = &e.listed.skip {
            e.done = true;
            stats.skipped += 1;
            let attempt = skipped_attempt(0, description.clone().unwrap_or_else(|| kind.clone()));
            e.attempts.push(TestOutcome::Skipped);
            emit(
                RunEvent::TestFinished {
                    info: e.info.clone(),
                    attempt,
                    will_retry: false,
                },
                &mut fanout,
                &mut sink,
            );
        }
    }

    // Projects run in dependency levels: a level starts when the ones it depends on are done.
    let levels = levels(&config.projects, &selected_projects);
    let (stop_tx, stop_rx) = watch::channel(false);
    let (to_coord, mut from_workers) = mpsc::unbounded_channel::<ToCoord>();
    let mut handles = Vec::new();
    for w in 0..workers {
        let browser = BrowserThread::start(request.browser.clone())
            .map_err(|e| RunError::Worker(e.to_string()))?;
        let tx = to_coord.clone();
        let stop = stop_rx.clone();
        handles.push(tokio::spawn(async move {
            let worker = Worker { index: w, browser };
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
            drop(events_tx);
            let _ = forwarder.await;
            worker.browser.shutdown().await;
        }));
    }
    drop(to_coord);

    let mut queue: VecDeque<Job> = VecDeque::new();
    let mut level = 0;
    let mut waiting: Vec<oneshot::Sender<Option<Job>>> = Vec::new();
    let mut in_flight = 0usize;
    let mut failed_projects: HashSet<usize> = HashSet::new();
    let mut stopping = false;
    let mut interrupted = false;
    let mut failures = 0usize;
    let mut interrupt = interrupt;
    let enqueue_level = |level: usize,
                         queue: &mut VecDeque<Job>,
                         entries: &mut Vec<Entry>,
                         failed_projects: &HashSet<usize>,
                         stats: &mut RunStats,
                         fanout: &mut FanOut,
                         sink: &mut Option<EventSink>| {
        for &pi in &levels[level] {
            let failed_dep = config.projects[pi].dependencies.iter().find(|d| {
                config
                    .projects
                    .iter()
                    .position(|p| &p.name == *d)
                    .is_some_and(|j| failed_projects.contains(&j))
            });
            if let Some(dep) = failed_dep {
                for e in entries.iter_mut().filter(|e| e.project == pi && !e.done) {
                    e.done = true;
                    stats.skipped += 1;
                    e.attempts.push(TestOutcome::Skipped);
                    let attempt =
                        skipped_attempt(0, format!("dependency project \"{dep}\" failed"));
                    let event = RunEvent::TestFinished {
                        info: e.info.clone(),
                        attempt,
                        will_retry: false,
                    };
                    if let Some(s) = sink.as_mut() {
                        s(&event);
                    }
                    fanout.on_event(&event);
                }
                continue;
            }
            for file in &files_by_project[pi] {
                let ids: Vec<&Entry> = entries
                    .iter()
                    .filter(|e| e.project == pi && e.file.rel == file.rel && !e.done)
                    .collect();
                if ids.is_empty() {
                    continue;
                }
                let parallel =
                    config.projects[pi].fully_parallel || ids.iter().all(|e| e.listed.parallel);
                if parallel {
                    // One job per test, but a serial group stays together.
                    let mut groups: Vec<(Option<u64>, Vec<usize>)> = Vec::new();
                    for e in ids {
                        match e.listed.serial_group {
                            Some(g) => match groups.iter_mut().find(|(k, _)| *k == Some(g)) {
                                Some((_, v)) => v.push(e.listed.id),
                                None => groups.push((Some(g), vec![e.listed.id])),
                            },
                            None => groups.push((None, vec![e.listed.id])),
                        }
                    }
                    for (_, ids) in groups {
                        queue.push_back(Job {
                            project: projects[pi].clone(),
                            file: file.clone(),
                            ids,
                            retry: 0,
                        });
                    }
                } else {
                    queue.push_back(Job {
                        project: projects[pi].clone(),
                        file: file.clone(),
                        ids: ids.iter().map(|e| e.listed.id).collect(),
                        retry: 0,
                    });
                }
            }
        }
    };
    if !levels.is_empty() {
        enqueue_level(
            0,
            &mut queue,
            &mut entries,
            &failed_projects,
            &mut stats,
            &mut fanout,
            &mut sink,
        );
    }
    let mut retried_groups: HashSet<(usize, String, u64, u32)> = HashSet::new();
    loop {
        // Hand out work; advance a level when it is drained.
        while !waiting.is_empty() && !queue.is_empty() && !stopping {
            if let (Some(reply), Some(job)) = (waiting.pop(), queue.pop_front()) {
                in_flight += 1;
                if let Err(Some(job)) = reply.send(Some(job)) {
                    in_flight -= 1;
                    queue.push_front(job);
                }
            }
        }
        if queue.is_empty() && in_flight == 0 && !stopping && level + 1 < levels.len() {
            // Projects of this level with a failed test fail their dependants.
            for &pi in &levels[level] {
                if entries.iter().any(|e| {
                    e.project == pi
                        && e.attempts.last().is_some_and(|o| {
                            matches!(o, TestOutcome::Failed | TestOutcome::TimedOut)
                        })
                }) {
                    failed_projects.insert(pi);
                }
            }
            level += 1;
            enqueue_level(
                level,
                &mut queue,
                &mut entries,
                &failed_projects,
                &mut stats,
                &mut fanout,
                &mut sink,
            );
            continue;
        }
        if (queue.is_empty() || stopping) && in_flight == 0 && waiting.len() == workers {
            break;
        }
        let msg = tokio::select! {
            msg = from_workers.recv() => msg,
            Ok(()) = async {
                match interrupt.as_mut() {
                    Some(rx) => rx.changed().await,
                    None => std::future::pending().await,
                }
            } => {
                if interrupt.as_ref().is_some_and(|rx| *rx.borrow()) && !stopping {
                    stopping = true;
                    interrupted = true;
                    queue.clear();
                    let _ = stop_tx.send(true);
                }
                continue;
            }
        };
        let Some(msg) = msg else { break };
        match msg {
            ToCoord::WantJob {
                finished_job,
                reply,
            } => {
                if finished_job {
                    in_flight = in_flight.saturating_sub(1);
                }
                waiting.push(reply);
            }
            ToCoord::Event(WorkerEvent::Flush(done)) => {
                let _ = done.send(());
            }
            ToCoord::Event(WorkerEvent::Started {
                project,
                file,
                id,
                retry,
            }) => {
                if let Some(&i) = index.get(&(project, file.rel.clone(), id)) {
                    emit(
                        RunEvent::TestStarted {
                            info: entries[i].info.clone(),
                            retry,
                        },
                        &mut fanout,
                        &mut sink,
                    );
                }
            }
            ToCoord::Event(WorkerEvent::FileError { file, failure }) => {
                failures += 1;
                file_errors.push((file.rel.clone(), failure.clone()));
                emit(
                    RunEvent::FileFailed {
                        file: file.rel.clone(),
                        failure,
                    },
                    &mut fanout,
                    &mut sink,
                );
            }
            ToCoord::Event(WorkerEvent::Finished {
                project,
                file,
                id,
                attempt,
                not_run,
            }) => {
                let Some(&i) = index.get(&(project, file.rel.clone(), id)) else {
                    continue;
                };
                let e = &mut entries[i];
                if e.done {
                    continue;
                }
                let failed = matches!(attempt.outcome, TestOutcome::Failed | TestOutcome::TimedOut);
                let retry = attempt.retry;
                let group = e.listed.serial_group;
                let mut will_retry = !stopping && failed && retry < e.retries;
                if not_run && !stopping {
                    // A test skipped because an earlier one of its serial group failed runs
                    // again with the group when that retries.
                    if let Some(g) = group {
                        will_retry =
                            retried_groups.contains(&(project, file.rel.clone(), g, retry + 1));
                    }
                }
                e.attempts.push(attempt.outcome);
                if !will_retry {
                    e.done = true;
                    match attempt.outcome {
                        TestOutcome::Passed if e.attempts.len() > 1 => stats.flaky += 1,
                        TestOutcome::Passed => stats.passed += 1,
                        TestOutcome::Skipped => stats.skipped += 1,
                        TestOutcome::Interrupted => stats.interrupted += 1,
                        TestOutcome::Failed | TestOutcome::TimedOut => {
                            stats.failed += 1;
                            failures += 1;
                        }
                    }
                } else if failed {
                    let ids = match group {
                        Some(g) => {
                            retried_groups.insert((project, file.rel.clone(), g, retry + 1));
                            entries
                                .iter()
                                .filter(|x| {
                                    x.project == project
                                        && x.file.rel == file.rel
                                        && x.listed.serial_group == Some(g)
                                })
                                .map(|x| x.listed.id)
                                .collect()
                        }
                        None => vec![id],
                    };
                    queue.push_back(Job {
                        project: projects[project].clone(),
                        file: file.clone(),
                        ids,
                        retry: retry + 1,
                    });
                }
                let info = entries[i].info.clone();
                emit(
                    RunEvent::TestFinished {
                        info,
                        attempt,
                        will_retry,
                    },
                    &mut fanout,
                    &mut sink,
                );
                if config.max_failures > 0 && failures >= config.max_failures && !stopping {
                    stopping = true;
                    queue.clear();
                    let _ = stop_tx.send(true);
                }
            }
        }
    }
    // Whoever is still waiting gets told to stop.
    for reply in waiting.drain(..) {
        let _ = reply.send(None);
    }
    drop(from_workers);
    for h in handles {
        let _ = h.await;
    }
    // Tests that never finished: interrupted runs and max-failures stops leave them unrun.
    let reason = if interrupted {
        "the run was interrupted".to_string()
    } else {
        format!("the run stopped after {} failures", config.max_failures)
    };
    for e in entries.iter_mut().filter(|e| !e.done) {
        e.done = true;
        stats.skipped += 1;
        let event = RunEvent::TestFinished {
            info: e.info.clone(),
            attempt: skipped_attempt(0, reason.clone()),
            will_retry: false,
        };
        emit(event, &mut fanout, &mut sink);
    }
    stop_servers(servers, apps).await;
    let status = if interrupted {
        RunStatus::Interrupted
    } else if stats.failed > 0 || !file_errors.is_empty() {
        RunStatus::Failed
    } else {
        RunStatus::Passed
    };
    emit(
        RunEvent::RunFinished {
            status,
            stats,
            duration: started.elapsed(),
        },
        &mut fanout,
        &mut sink,
    );
    for problem in fanout.errors() {
        eprintln!("warning: {problem}");
    }
    Ok(RunSummary {
        status,
        stats,
        tests,
        file_errors: file_errors.len(),
    })
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
            eprintln!("[WebServer] {}", entry.text);
        }),
        fetch: if config.allow_net.is_empty() {
            FetchPolicy::DenyAll
        } else {
            FetchPolicy::AllowOrigins(config.allow_net.clone())
        },
        ..crate::sandbox::RuntimeOptions::default()
    };
    let mut options = AppServerOptions::new(entry, runtime);
    options.log = Arc::new(|line| eprintln!("[WebServer] {line}"));
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

fn skipped_attempt(retry: u32, reason: String) -> TestAttempt {
    TestAttempt {
        skip_reason: Some(reason),
        ..TestAttempt::new(retry, TestOutcome::Skipped)
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
        root: config.root.clone(),
        output_dir: config.output_dir.clone(),
        use_options: Value::Object(use_options),
        timeout: p.timeout,
        expect_timeout: p.expect_timeout,
        retries: p.retries,
        fetch,
        memory_limit_mb: config.memory_limit_mb,
        profiles_dir: config.profiles_dir.clone(),
        apps: apps.to_vec(),
    }
}

//! The scheduler on its own: no V8, no Chromium, only inputs and the outputs they cause.

use std::time::Duration;

use isolate_browser_reporters::TestId;

use super::*;

fn test(project: usize, file: &str, id: usize) -> PlannedTest {
    PlannedTest {
        info: TestInfo {
            id: TestId(format!("{project}|{file}|{id}")),
            file: file.into(),
            line: 1 + id as u32,
            column: 1,
            title_path: vec![format!("t{id}")],
            project: None,
        },
        project,
        file: file.into(),
        id,
        serial_group: None,
        parallel: false,
        static_skip: None,
        retries: 0,
    }
}

fn project(name: &str, files: &[&str], dependencies: &[usize]) -> PlannedProject {
    PlannedProject {
        name: name.into(),
        dependencies: dependencies.to_vec(),
        fully_parallel: false,
        files: files.iter().map(|f| f.to_string()).collect(),
    }
}

fn plan(tests: Vec<PlannedTest>, projects: Vec<PlannedProject>, levels: Vec<Vec<usize>>) -> Plan {
    Plan {
        tests,
        projects,
        levels,
        workers: 1,
        max_failures: 0,
        file_errors: Vec::new(),
    }
}

fn attempt(outcome: TestOutcome, retry: u32) -> TestAttempt {
    TestAttempt::new(retry, outcome)
}

/// The jobs a batch of outputs assigns.
fn jobs(out: &[Output]) -> Vec<JobSpec> {
    out.iter()
        .filter_map(|o| match o {
            Output::Assign { job, .. } => Some(job.clone()),
            _ => None,
        })
        .collect()
}

/// `(title, outcome, will_retry)` of each finished attempt in a batch.
fn finished(out: &[Output]) -> Vec<(String, TestOutcome, bool)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Event(RunEventKind::TestFinished {
                info,
                attempt,
                will_retry,
            }) => Some((info.title_path[0].clone(), attempt.outcome, *will_retry)),
            _ => None,
        })
        .collect()
}

fn idle(s: &mut Scheduler, finished_job: bool) -> Vec<Output> {
    s.handle(Input::WorkerIdle {
        worker: 0,
        finished_job,
    })
}

fn end(
    s: &mut Scheduler,
    project: usize,
    file: &str,
    id: usize,
    outcome: TestOutcome,
    retry: u32,
) -> Vec<Output> {
    s.handle(Input::TestFinished {
        key: (project, file.into(), id),
        attempt: attempt(outcome, retry),
        not_run: false,
    })
}

#[test]
fn a_retry_that_passes_is_flaky() {
    let mut t = test(0, "a.spec.ts", 0);
    t.retries = 1;
    let (mut s, out) = Scheduler::start(plan(
        vec![t],
        vec![project("", &["a.spec.ts"], &[])],
        vec![vec![0]],
    ));
    assert!(matches!(
        out[0],
        Output::Event(RunEventKind::RunStarted {
            total: 1,
            workers: 1
        })
    ));
    let out = idle(&mut s, false);
    assert_eq!(jobs(&out)[0].retry, 0);
    let out = end(&mut s, 0, "a.spec.ts", 0, TestOutcome::Failed, 0);
    assert_eq!(finished(&out), [("t0".into(), TestOutcome::Failed, true)]);
    let out = idle(&mut s, true);
    assert_eq!(
        jobs(&out),
        [JobSpec {
            project: 0,
            file: "a.spec.ts".into(),
            ids: vec![0],
            retry: 1
        }],
        "the retry runs in a job of its own"
    );
    let out = end(&mut s, 0, "a.spec.ts", 0, TestOutcome::Passed, 1);
    assert_eq!(finished(&out), [("t0".into(), TestOutcome::Passed, false)]);
    idle(&mut s, true);
    assert!(s.is_done());
    let (events, status, stats) = s.finish(Duration::from_secs(1));
    assert_eq!(status, RunStatus::Passed);
    assert_eq!((stats.flaky, stats.passed, stats.failed), (1, 0, 0));
    assert!(matches!(
        events.last(),
        Some(RunEventKind::RunFinished { .. })
    ));
}

#[test]
fn a_failed_dependency_skips_its_dependants() {
    let tests = vec![
        test(0, "setup.ts", 0),
        test(1, "app.spec.ts", 0),
        test(1, "app.spec.ts", 1),
    ];
    let projects = vec![
        project("setup", &["setup.ts"], &[]),
        project("app", &["app.spec.ts"], &[0]),
    ];
    let (mut s, _) = Scheduler::start(plan(tests, projects, vec![vec![0], vec![1]]));
    let out = idle(&mut s, false);
    assert_eq!(jobs(&out)[0].project, 0, "the dependency runs first");
    end(&mut s, 0, "setup.ts", 0, TestOutcome::Failed, 0);
    let out = idle(&mut s, true);
    assert!(jobs(&out).is_empty(), "nothing of the dependant runs");
    let skipped = finished(&out);
    assert_eq!(skipped.len(), 2);
    assert!(
        skipped
            .iter()
            .all(|(_, o, r)| *o == TestOutcome::Skipped && !r)
    );
    let reason = out.iter().find_map(|o| match o {
        Output::Event(RunEventKind::TestFinished { attempt, .. }) => attempt.skip_reason.clone(),
        _ => None,
    });
    assert_eq!(
        reason.as_deref(),
        Some("dependency project \"setup\" failed")
    );
    assert!(s.is_done());
    let (_, status, stats) = s.finish(Duration::ZERO);
    assert_eq!(
        (status, stats.failed, stats.skipped),
        (RunStatus::Failed, 1, 2)
    );
}

#[test]
fn a_passing_dependency_lets_its_dependants_run() {
    let tests = vec![test(0, "setup.ts", 0), test(1, "app.spec.ts", 0)];
    let projects = vec![
        project("setup", &["setup.ts"], &[]),
        project("app", &["app.spec.ts"], &[0]),
    ];
    let (mut s, _) = Scheduler::start(plan(tests, projects, vec![vec![0], vec![1]]));
    idle(&mut s, false);
    end(&mut s, 0, "setup.ts", 0, TestOutcome::Passed, 0);
    let out = idle(&mut s, true);
    assert_eq!(jobs(&out)[0].project, 1);
}

#[test]
fn max_failures_stops_the_running_and_skips_the_rest() {
    let tests = vec![
        test(0, "a.spec.ts", 0),
        test(0, "b.spec.ts", 0),
        test(0, "c.spec.ts", 0),
    ];
    let mut p = plan(
        tests,
        vec![project("", &["a.spec.ts", "b.spec.ts", "c.spec.ts"], &[])],
        vec![vec![0]],
    );
    p.workers = 2;
    p.max_failures = 1;
    let (mut s, _) = Scheduler::start(p);
    let out1 = s.handle(Input::WorkerIdle {
        worker: 0,
        finished_job: false,
    });
    let out2 = s.handle(Input::WorkerIdle {
        worker: 1,
        finished_job: false,
    });
    assert_eq!(jobs(&out1).len() + jobs(&out2).len(), 2);
    let out = end(&mut s, 0, "a.spec.ts", 0, TestOutcome::Failed, 0);
    assert!(
        out.contains(&Output::StopWorkers),
        "the running job is told to stop"
    );
    // The other running test ends interrupted.
    end(&mut s, 0, "b.spec.ts", 0, TestOutcome::Interrupted, 0);
    let out = s.handle(Input::WorkerIdle {
        worker: 0,
        finished_job: true,
    });
    assert!(jobs(&out).is_empty(), "no more work after the stop");
    s.handle(Input::WorkerIdle {
        worker: 1,
        finished_job: true,
    });
    assert!(s.is_done());
    let (events, status, stats) = s.finish(Duration::ZERO);
    assert_eq!(status, RunStatus::Failed);
    assert_eq!((stats.failed, stats.interrupted, stats.skipped), (1, 1, 1));
    let never_ran: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            RunEventKind::TestFinished { info, attempt, .. } => {
                Some((info.file.clone(), attempt.skip_reason.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        never_ran,
        [(
            "c.spec.ts".to_string(),
            Some("the run stopped after 1 failures".to_string())
        )]
    );
}

#[test]
fn an_interrupt_stops_everything_and_the_run_says_so() {
    let tests = vec![test(0, "a.spec.ts", 0), test(0, "b.spec.ts", 0)];
    let (mut s, _) = Scheduler::start(plan(
        tests,
        vec![project("", &["a.spec.ts", "b.spec.ts"], &[])],
        vec![vec![0]],
    ));
    idle(&mut s, false);
    s.handle(Input::TestStarted {
        key: (0, "a.spec.ts".into(), 0),
        retry: 0,
    });
    let out = s.handle(Input::Interrupt);
    assert_eq!(out, [Output::StopWorkers]);
    assert!(
        s.handle(Input::Interrupt).is_empty(),
        "a second signal changes nothing"
    );
    end(&mut s, 0, "a.spec.ts", 0, TestOutcome::Interrupted, 0);
    let out = idle(&mut s, true);
    assert!(jobs(&out).is_empty());
    assert!(s.is_done());
    let (events, status, stats) = s.finish(Duration::ZERO);
    assert_eq!(status, RunStatus::Interrupted);
    assert_eq!((stats.interrupted, stats.skipped), (1, 1));
    assert!(events.iter().any(|e| matches!(e,
        RunEventKind::TestFinished { attempt, .. } if attempt.skip_reason.as_deref() == Some("the run was interrupted"))));
}

#[test]
fn a_serial_group_retries_together() {
    let mut a = test(0, "s.spec.ts", 0);
    let mut b = test(0, "s.spec.ts", 1);
    for t in [&mut a, &mut b] {
        t.serial_group = Some(7);
        t.retries = 1;
    }
    let (mut s, _) = Scheduler::start(plan(
        vec![a, b],
        vec![project("", &["s.spec.ts"], &[])],
        vec![vec![0]],
    ));
    let out = idle(&mut s, false);
    assert_eq!(jobs(&out)[0].ids, [0, 1]);
    let out = end(&mut s, 0, "s.spec.ts", 0, TestOutcome::Failed, 0);
    assert_eq!(finished(&out), [("t0".into(), TestOutcome::Failed, true)]);
    // The second test was skipped by its group and comes back with the retry.
    let out = s.handle(Input::TestFinished {
        key: (0, "s.spec.ts".into(), 1),
        attempt: attempt(TestOutcome::Skipped, 0),
        not_run: true,
    });
    assert_eq!(finished(&out), [("t1".into(), TestOutcome::Skipped, true)]);
    let out = idle(&mut s, true);
    assert_eq!(
        jobs(&out),
        [JobSpec {
            project: 0,
            file: "s.spec.ts".into(),
            ids: vec![0, 1],
            retry: 1
        }]
    );
}

#[test]
fn static_skips_and_load_errors_are_reported_at_the_start() {
    let mut t = test(0, "a.spec.ts", 0);
    t.static_skip = Some("not today".into());
    let mut p = plan(
        vec![t],
        vec![project("", &["a.spec.ts"], &[])],
        vec![vec![0]],
    );
    p.file_errors = vec![("broken.spec.ts".into(), TestFailure::default())];
    let (mut s, out) = Scheduler::start(p);
    assert!(out.iter().any(|o| matches!(o, Output::Event(RunEventKind::FileFailed { file, .. }) if file == "broken.spec.ts")));
    assert_eq!(finished(&out), [("t0".into(), TestOutcome::Skipped, false)]);
    assert!(
        jobs(&idle(&mut s, false)).is_empty(),
        "a skipped test needs no worker"
    );
    assert!(s.is_done());
    let (_, status, _) = s.finish(Duration::ZERO);
    assert_eq!(
        status,
        RunStatus::Failed,
        "a file that does not load fails the run"
    );
}

#[test]
fn fully_parallel_files_split_into_one_job_per_test() {
    let tests = vec![test(0, "a.spec.ts", 0), test(0, "a.spec.ts", 1)];
    let mut pr = project("", &["a.spec.ts"], &[]);
    pr.fully_parallel = true;
    let mut p = plan(tests, vec![pr], vec![vec![0]]);
    p.workers = 2;
    let (mut s, _) = Scheduler::start(p);
    let a = s.handle(Input::WorkerIdle {
        worker: 0,
        finished_job: false,
    });
    let b = s.handle(Input::WorkerIdle {
        worker: 1,
        finished_job: false,
    });
    assert_eq!(jobs(&a)[0].ids, [0]);
    assert_eq!(jobs(&b)[0].ids, [1]);
}

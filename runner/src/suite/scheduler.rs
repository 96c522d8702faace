//! The run's state as a plain state machine with no I/O: it takes what workers report
//! ([`Input`]) and answers what to do ([`Output`]: jobs for idle workers, run events, stop the
//! workers). It owns jobs, retries, serial groups, project dependency levels, `maxFailures`,
//! interruption and the totals; `schedule::run` is the async shell that feeds it.

use std::collections::HashMap;
use std::collections::HashSet;
use std::collections::VecDeque;

use isolate_browser_reporters::RunEventKind;
use isolate_browser_reporters::RunStats;
use isolate_browser_reporters::RunStatus;
use isolate_browser_reporters::TestAttempt;
use isolate_browser_reporters::TestFailure;
use isolate_browser_reporters::TestInfo;
use isolate_browser_reporters::TestOutcome;

/// A test by project, spec file (its path) and its index in the file.
pub(crate) type TestKey = (usize, String, usize);

/// A selected test, as the scheduler needs to know it.
#[derive(Debug, Clone)]
pub(crate) struct PlannedTest {
    pub info: TestInfo,
    pub project: usize,
    pub file: String,
    pub id: usize,
    pub serial_group: Option<u64>,
    /// Declared inside a parallel describe.
    pub parallel: bool,
    /// Skipped as declared (`test.skip('t', fn)`): the reason.
    pub static_skip: Option<String>,
    pub retries: u32,
}

/// A project, as the scheduler needs to know it.
#[derive(Debug, Clone)]
pub(crate) struct PlannedProject {
    pub name: String,
    /// Indices of the projects it depends on.
    pub dependencies: Vec<usize>,
    pub fully_parallel: bool,
    /// Its spec files, in run order.
    pub files: Vec<String>,
}

/// Everything a run schedules.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub tests: Vec<PlannedTest>,
    pub projects: Vec<PlannedProject>,
    /// Projects by dependency level: a level starts when the ones before it are done.
    pub levels: Vec<Vec<usize>>,
    pub workers: usize,
    /// 0: no limit.
    pub max_failures: usize,
    /// Files that failed to load while listing.
    pub file_errors: Vec<(String, TestFailure)>,
}

/// Work for one worker: tests of one spec file, run in one isolate (a fresh one per retry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JobSpec {
    pub project: usize,
    pub file: String,
    pub ids: Vec<usize>,
    pub retry: u32,
}

/// What a worker reported, or what happened to the run.
#[derive(Debug)]
pub(crate) enum Input {
    /// Worker `worker` wants work; `finished_job` when it just completed one.
    WorkerIdle { worker: usize, finished_job: bool },
    /// An attempt began.
    TestStarted { key: TestKey, retry: u32 },
    /// An attempt ended; `not_run` when its serial group skipped it.
    TestFinished {
        key: TestKey,
        attempt: TestAttempt,
        not_run: bool,
    },
    /// A file failed outside any test (afterAll, worker fixture teardown, a crash).
    FileFailed { file: String, failure: TestFailure },
    /// Ctrl-C or SIGTERM.
    Interrupt,
}

/// What the shell must do.
#[derive(Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "outputs are consumed at once; boxing events would only add allocations"
)]
pub(crate) enum Output {
    /// Tell reporters.
    Event(RunEventKind),
    /// Give `job` to idle worker `worker`.
    Assign { worker: usize, job: JobSpec },
    /// Stop the running jobs (their tests end interrupted) and hand out no more.
    StopWorkers,
}

struct Entry {
    test: PlannedTest,
    attempts: Vec<TestOutcome>,
    done: bool,
}

/// The run's state.
pub(crate) struct Scheduler {
    entries: Vec<Entry>,
    index: HashMap<TestKey, usize>,
    projects: Vec<PlannedProject>,
    levels: Vec<Vec<usize>>,
    level: usize,
    workers: usize,
    max_failures: usize,
    queue: VecDeque<JobSpec>,
    idle: Vec<usize>,
    in_flight: usize,
    failed_projects: HashSet<usize>,
    retried_groups: HashSet<(usize, String, u64, u32)>,
    stopping: bool,
    interrupted: bool,
    failures: usize,
    file_errors: usize,
    stats: RunStats,
}

fn skipped(retry: u32, reason: String) -> TestAttempt {
    TestAttempt {
        skip_reason: Some(reason),
        ..TestAttempt::new(retry, TestOutcome::Skipped)
    }
}

impl Scheduler {
    /// Starts a run: the run-started event, files that failed to load, tests skipped as
    /// declared, and the first level's jobs.
    pub(crate) fn start(plan: Plan) -> (Self, Vec<Output>) {
        let mut out = vec![Output::Event(RunEventKind::RunStarted {
            total: plan.tests.len(),
            workers: plan.workers,
        })];
        for (file, failure) in &plan.file_errors {
            out.push(Output::Event(RunEventKind::FileFailed {
                file: file.clone(),
                failure: failure.clone(),
            }));
        }
        let index = plan
            .tests
            .iter()
            .enumerate()
            .map(|(i, t)| ((t.project, t.file.clone(), t.id), i))
            .collect();
        let mut this = Self {
            entries: plan
                .tests
                .into_iter()
                .map(|test| Entry {
                    test,
                    attempts: Vec::new(),
                    done: false,
                })
                .collect(),
            index,
            projects: plan.projects,
            levels: plan.levels,
            level: 0,
            workers: plan.workers.max(1),
            max_failures: plan.max_failures,
            queue: VecDeque::new(),
            idle: Vec::new(),
            in_flight: 0,
            failed_projects: HashSet::new(),
            retried_groups: HashSet::new(),
            stopping: false,
            interrupted: false,
            failures: 0,
            file_errors: plan.file_errors.len(),
            stats: RunStats::default(),
        };
        for e in this.entries.iter_mut() {
            if let Some(reason) = &e.test.static_skip {
                e.done = true;
                e.attempts.push(TestOutcome::Skipped);
                this.stats.skipped += 1;
                out.push(Output::Event(RunEventKind::TestFinished {
                    info: e.test.info.clone(),
                    attempt: skipped(0, reason.clone()),
                    will_retry: false,
                }));
            }
        }
        if !this.levels.is_empty() {
            this.enqueue_level(&mut out);
            this.dispatch(&mut out);
        }
        (this, out)
    }

    /// The test a key names, for events the shell forwards as they are (steps, output).
    pub(crate) fn test_info(&self, key: &TestKey) -> Option<&TestInfo> {
        self.index.get(key).map(|&i| &self.entries[i].test.info)
    }

    /// Whether every worker is idle and nothing is left to hand out.
    pub(crate) fn is_done(&self) -> bool {
        (self.queue.is_empty() || self.stopping)
            && self.in_flight == 0
            && self.idle.len() == self.workers
    }

    /// Files that failed outside their tests, so far.
    pub(crate) fn file_errors(&self) -> usize {
        self.file_errors
    }

    /// Takes one input.
    pub(crate) fn handle(&mut self, input: Input) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::WorkerIdle {
                worker,
                finished_job,
            } => {
                if finished_job {
                    self.in_flight = self.in_flight.saturating_sub(1);
                }
                self.idle.push(worker);
            }
            Input::TestStarted { key, retry } => {
                if let Some(&i) = self.index.get(&key) {
                    out.push(Output::Event(RunEventKind::TestStarted {
                        info: self.entries[i].test.info.clone(),
                        retry,
                    }));
                }
            }
            Input::FileFailed { file, failure } => {
                self.failures += 1;
                self.file_errors += 1;
                out.push(Output::Event(RunEventKind::FileFailed { file, failure }));
            }
            Input::TestFinished {
                key,
                attempt,
                not_run,
            } => self.finished(key, attempt, not_run, &mut out),
            Input::Interrupt => {
                if !self.stopping {
                    self.stopping = true;
                    self.interrupted = true;
                    self.queue.clear();
                    out.push(Output::StopWorkers);
                }
            }
        }
        self.dispatch(&mut out);
        out
    }

    fn check_max_failures(&mut self, out: &mut Vec<Output>) {
        if self.max_failures > 0 && self.failures >= self.max_failures && !self.stopping {
            self.stopping = true;
            self.queue.clear();
            out.push(Output::StopWorkers);
        }
    }

    fn finished(
        &mut self,
        key: TestKey,
        attempt: TestAttempt,
        not_run: bool,
        out: &mut Vec<Output>,
    ) {
        let Some(&i) = self.index.get(&key) else {
            return;
        };
        let (project, file, id) = key;
        let e = &mut self.entries[i];
        if e.done {
            return;
        }
        let failed = matches!(attempt.outcome, TestOutcome::Failed | TestOutcome::TimedOut);
        let retry = attempt.retry;
        let group = e.test.serial_group;
        let mut will_retry = !self.stopping && failed && retry < e.test.retries;
        if not_run && !self.stopping {
            // A test skipped because an earlier one of its serial group failed runs again with
            // the group when that retries.
            if let Some(g) = group {
                will_retry = self
                    .retried_groups
                    .contains(&(project, file.clone(), g, retry + 1));
            }
        }
        e.attempts.push(attempt.outcome);
        if !will_retry {
            e.done = true;
            match attempt.outcome {
                TestOutcome::Passed if e.attempts.len() > 1 => self.stats.flaky += 1,
                TestOutcome::Passed => self.stats.passed += 1,
                TestOutcome::Skipped => self.stats.skipped += 1,
                TestOutcome::Interrupted => self.stats.interrupted += 1,
                TestOutcome::Failed | TestOutcome::TimedOut => {
                    self.stats.failed += 1;
                    self.failures += 1;
                }
            }
        } else if failed {
            let ids = match group {
                Some(g) => {
                    self.retried_groups
                        .insert((project, file.clone(), g, retry + 1));
                    self.entries
                        .iter()
                        .filter(|x| {
                            x.test.project == project
                                && x.test.file == file
                                && x.test.serial_group == Some(g)
                        })
                        .map(|x| x.test.id)
                        .collect()
                }
                None => vec![id],
            };
            self.queue.push_back(JobSpec {
                project,
                file,
                ids,
                retry: retry + 1,
            });
        }
        out.push(Output::Event(RunEventKind::TestFinished {
            info: self.entries[i].test.info.clone(),
            attempt,
            will_retry,
        }));
        self.check_max_failures(out);
    }

    /// Hands out work to idle workers; moves to the next level when this one is drained.
    fn dispatch(&mut self, out: &mut Vec<Output>) {
        loop {
            while !self.stopping && !self.idle.is_empty() && !self.queue.is_empty() {
                if let (Some(worker), Some(job)) = (self.idle.pop(), self.queue.pop_front()) {
                    self.in_flight += 1;
                    out.push(Output::Assign { worker, job });
                }
            }
            if self.queue.is_empty()
                && self.in_flight == 0
                && !self.stopping
                && self.level + 1 < self.levels.len()
            {
                self.next_level(out);
                continue;
            }
            break;
        }
    }

    fn next_level(&mut self, out: &mut Vec<Output>) {
        // Projects of this level with a failed test fail their dependants.
        for &pi in &self.levels[self.level] {
            if self.entries.iter().any(|e| {
                e.test.project == pi
                    && e.attempts
                        .last()
                        .is_some_and(|o| matches!(o, TestOutcome::Failed | TestOutcome::TimedOut))
            }) {
                self.failed_projects.insert(pi);
            }
        }
        self.level += 1;
        self.enqueue_level(out);
    }

    fn enqueue_level(&mut self, out: &mut Vec<Output>) {
        for &pi in &self.levels[self.level] {
            let project = &self.projects[pi];
            let failed_dep = project
                .dependencies
                .iter()
                .find(|d| self.failed_projects.contains(d))
                .map(|&d| self.projects[d].name.clone());
            if let Some(dep) = failed_dep {
                for e in self
                    .entries
                    .iter_mut()
                    .filter(|e| e.test.project == pi && !e.done)
                {
                    e.done = true;
                    e.attempts.push(TestOutcome::Skipped);
                    self.stats.skipped += 1;
                    out.push(Output::Event(RunEventKind::TestFinished {
                        info: e.test.info.clone(),
                        attempt: skipped(0, format!("dependency project \"{dep}\" failed")),
                        will_retry: false,
                    }));
                }
                continue;
            }
            for file in &project.files {
                let tests: Vec<&PlannedTest> = self
                    .entries
                    .iter()
                    .filter(|e| e.test.project == pi && &e.test.file == file && !e.done)
                    .map(|e| &e.test)
                    .collect();
                if tests.is_empty() {
                    continue;
                }
                let parallel = project.fully_parallel || tests.iter().all(|t| t.parallel);
                if !parallel {
                    self.queue.push_back(JobSpec {
                        project: pi,
                        file: file.clone(),
                        ids: tests.iter().map(|t| t.id).collect(),
                        retry: 0,
                    });
                    continue;
                }
                // One job per test, but a serial group stays together.
                let mut groups: Vec<(Option<u64>, Vec<usize>)> = Vec::new();
                for t in tests {
                    match t.serial_group {
                        Some(g) => match groups.iter_mut().find(|(k, _)| *k == Some(g)) {
                            Some((_, ids)) => ids.push(t.id),
                            None => groups.push((Some(g), vec![t.id])),
                        },
                        None => groups.push((None, vec![t.id])),
                    }
                }
                for (_, ids) in groups {
                    self.queue.push_back(JobSpec {
                        project: pi,
                        file: file.clone(),
                        ids,
                        retry: 0,
                    });
                }
            }
        }
    }

    /// Ends the run: tests that never finished (an interrupted run, a max-failures stop) are
    /// reported as not run, then the run-finished event. Returns the final status and totals.
    pub(crate) fn finish(
        &mut self,
        duration: std::time::Duration,
    ) -> (Vec<RunEventKind>, RunStatus, RunStats) {
        let reason = if self.interrupted {
            "the run was interrupted".to_string()
        } else {
            format!("the run stopped after {} failures", self.max_failures)
        };
        let mut out = Vec::new();
        for e in self.entries.iter_mut().filter(|e| !e.done) {
            e.done = true;
            self.stats.skipped += 1;
            out.push(RunEventKind::TestFinished {
                info: e.test.info.clone(),
                attempt: skipped(0, reason.clone()),
                will_retry: false,
            });
        }
        let status = if self.interrupted {
            RunStatus::Interrupted
        } else if self.stats.failed > 0 || self.file_errors > 0 {
            RunStatus::Failed
        } else {
            RunStatus::Passed
        };
        out.push(RunEventKind::RunFinished {
            status,
            stats: self.stats,
            duration,
        });
        (out, status, self.stats)
    }
}

#[cfg(test)]
mod tests;

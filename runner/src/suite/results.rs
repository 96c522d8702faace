//! What a test's run becomes in the reports: the harness's results and errors (and script
//! errors of the isolate) as the reporters' attempts, failures and steps, with user-code stack
//! frames, code frames and the project's secrets masked.

use isolate_browser_reporters::Attachment;
use isolate_browser_reporters::TestAttempt;
use isolate_browser_reporters::TestFailure;
use isolate_browser_reporters::TestOutcome;
use isolate_browser_reporters::TestStep;

use super::browser::PathMap;
use super::protocol::ErrorInfo;
use super::protocol::ErrorOrigin;
use super::protocol::ResultStatus;
use super::protocol::StepInfo;
use super::protocol::TestResult;
use super::secrets::Secrets;
use super::worker::Job;
use super::worker::ProjectRun;
use super::worker::SpecFile;
use crate::sandbox::ConsoleEntry;
use crate::sandbox::ScriptError;
use std::time::Duration;

/// Converts a script error (a load failure, a crash of the harness) to a failure.
pub(crate) fn failure_of_script(e: &ScriptError) -> TestFailure {
    match e {
        ScriptError::Uncaught(js) => TestFailure {
            kind: js.name.clone(),
            message: format!("{}: {}", js.name, js.message),
            stack: (!js.stack.is_empty()).then(|| js.stack.join("\n")),
            code_frame: js.code_frame.clone(),
            call_log: Vec::new(),
            location: js.location.as_ref().map(|l| l.to_string()),
        },
        other => TestFailure {
            kind: "Error".into(),
            message: other.to_string(),
            ..TestFailure::default()
        },
    }
}

/// Where the first user frame of a stack points: `(file, line, column)`.
fn user_frame(stack: &str) -> Option<(String, u32, u32)> {
    for line in stack.lines() {
        let line = line.trim();
        if !line.starts_with("at ") {
            continue;
        }
        let Some(start) = line.find("file:///") else {
            continue;
        };
        let loc = line[start + "file:///".len()..].trim_end_matches(')');
        let mut parts = loc.rsplitn(3, ':');
        let col = parts.next()?.parse().ok()?;
        let ln = parts.next()?.parse().ok()?;
        let file = parts.next()?.to_string();
        if file.starts_with("__isolate_browser") {
            continue;
        }
        return Some((file, ln, col));
    }
    None
}

/// Stack lines in user code only, with `file:///` dropped so paths read project-relative.
fn clean_stack(stack: &str) -> Option<String> {
    let lines: Vec<String> = stack
        .lines()
        .filter(|l| l.trim_start().starts_with("at ") && l.contains("file:///"))
        .map(|l| format!("    {}", l.trim().replace("file:///", "")))
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

pub(crate) fn failures_of(
    errors: &[ErrorInfo],
    project: &ProjectRun,
    file: &SpecFile,
) -> Vec<TestFailure> {
    errors
        .iter()
        .map(|e| {
            let stack = e.stack.as_deref().unwrap_or_default();
            let frame = user_frame(stack);
            let code_frame = frame.as_ref().and_then(|(f, l, c)| {
                let source = if *f == file.rel {
                    file.code.clone()
                } else {
                    None
                }
                .or_else(|| std::fs::read_to_string(project.root.join(f)).ok())?;
                let frame = crate::sandbox::error::code_frame(&source, *l, *c);
                (!frame.is_empty()).then_some(frame)
            });
            let text = match e.origin {
                ErrorOrigin::Timeout => e.message.clone(),
                ErrorOrigin::Thrown => format!("{}: {}", e.name, e.message),
            };
            masked(
                &project.secrets,
                TestFailure {
                    kind: e
                        .matcher
                        .as_ref()
                        .map(|m| format!("expect.{m}"))
                        .unwrap_or_else(|| e.name.clone()),
                    message: text,
                    stack: clean_stack(stack),
                    code_frame,
                    call_log: e.call_log.clone(),
                    location: frame.map(|(f, l, c)| format!("{f}:{l}:{c}")),
                },
            )
        })
        .collect()
}

/// `failure` with the project's secrets masked in everything it shows.
pub(crate) fn masked(secrets: &Secrets, mut failure: TestFailure) -> TestFailure {
    if secrets.is_empty() {
        return failure;
    }
    secrets.mask_in_place(&mut failure.message);
    for text in [&mut failure.stack, &mut failure.code_frame]
        .into_iter()
        .flatten()
    {
        secrets.mask_in_place(text);
    }
    for line in &mut failure.call_log {
        secrets.mask_in_place(line);
    }
    failure
}

fn outcome_of(status: ResultStatus) -> TestOutcome {
    match status {
        ResultStatus::Passed => TestOutcome::Passed,
        ResultStatus::Skipped => TestOutcome::Skipped,
        ResultStatus::TimedOut => TestOutcome::TimedOut,
        ResultStatus::Interrupted => TestOutcome::Interrupted,
        ResultStatus::Failed => TestOutcome::Failed,
    }
}

pub(crate) fn attempt_from_result(
    result: &TestResult,
    console: Vec<ConsoleEntry>,
    cpu: Option<Duration>,
    duration: Duration,
    job: &Job,
    paths: &PathMap,
) -> TestAttempt {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    for e in console {
        if e.level.is_stderr() {
            stderr.push(e.text);
        } else {
            stdout.push(e.text);
        }
    }
    let attachments = result
        .attachments
        .iter()
        .map(|a| Attachment {
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            path: paths.resolve(&a.path).ok().map(|p| p.display().to_string()),
        })
        .collect();
    let skip_reason = (result.status == ResultStatus::Skipped).then(|| {
        result
            .annotations
            .iter()
            .rev()
            .find(|a| matches!(a.kind.as_str(), "skip" | "fixme"))
            .and_then(|a| a.description.clone())
            .unwrap_or_default()
    });
    TestAttempt {
        retry: job.retry,
        outcome: outcome_of(result.status),
        duration,
        cpu_time: cpu,
        failures: failures_of(&result.errors, &job.project, &job.file),
        stdout,
        stderr,
        attachments,
        skip_reason,
        steps: steps_of(&result.steps, &job.project.secrets),
    }
}

fn steps_of(steps: &[StepInfo], secrets: &Secrets) -> Vec<TestStep> {
    steps
        .iter()
        .map(|s| TestStep {
            title: secrets.mask(&s.title).into_owned(),
            duration: Duration::from_millis(s.duration.max(0.0) as u64),
            error: s.error.as_deref().map(|e| secrets.mask(e).into_owned()),
            skipped: s.skipped,
            steps: steps_of(&s.steps, secrets),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_user_frame_is_found() {
        let stack = "Error: x\n    at host (virtual:isolate-browser/internal/browser:3:1)\n    at file:///tests/a.spec.ts:12:5\n    at other (file:///tests/b.ts:1:1)";
        assert_eq!(user_frame(stack), Some(("tests/a.spec.ts".into(), 12, 5)));
        assert_eq!(
            clean_stack(stack).as_deref(),
            Some("    at tests/a.spec.ts:12:5\n    at other (tests/b.ts:1:1)")
        );
    }
}

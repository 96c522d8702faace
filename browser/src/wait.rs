//! The one deadline-and-backoff helper every wait goes through. It retries a probe with
//! Playwright's backoff (0, 20, 50, 100, 100, 500 ms, …) until the probe succeeds or fails for
//! good, or the deadline passes, and keeps a call log of what it saw for the timeout error.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::BrowserError;

/// Delays between attempts; the last one repeats.
const BACKOFF_MS: &[u64] = &[0, 20, 50, 100, 100, 500];

/// What one attempt found.
#[derive(Debug)]
pub enum Attempt<T> {
    /// Done, with this value.
    Ready(T),
    /// Not yet: this line goes into the call log (repeats are collapsed).
    Retry(String),
    /// A failure waiting cannot fix.
    Fail(BrowserError),
}

/// How long `poll` sleeps before attempt number `attempt` (counted from 0).
pub(crate) fn backoff_before(attempt: u32) -> u64 {
    BACKOFF_MS[(attempt as usize).min(BACKOFF_MS.len() - 1)]
}

/// The lines a wait logged, shown when it times out.
#[derive(Debug, Default, Clone)]
pub struct CallLog {
    lines: Vec<String>,
    repeats: usize,
}

impl CallLog {
    /// A log whose first line says what is being waited for.
    pub fn new(first: impl Into<String>) -> Self {
        Self {
            lines: vec![first.into()],
            repeats: 0,
        }
    }

    /// Adds a line; an identical consecutive line is counted instead of repeated, an empty one
    /// is dropped.
    pub fn push(&mut self, line: impl Into<String>) {
        let line = line.into();
        // An empty line: nothing new to say (still waiting as the first line says).
        if line.is_empty() {
            return;
        }
        if self.lines.last() == Some(&line) {
            self.repeats += 1;
            return;
        }
        self.flush_repeats();
        self.lines.push(line);
    }

    fn flush_repeats(&mut self) {
        if self.repeats > 0 {
            self.lines.push(format!("{} × repeated", self.repeats));
            self.repeats = 0;
        }
    }

    /// The lines so far.
    pub fn into_lines(mut self) -> Vec<String> {
        self.flush_repeats();
        self.lines
    }
}

/// Retries `probe` until it is ready or fails, or `timeout` passes; the timeout error names
/// `what` and carries the call log. The first attempt always runs, even with a zero timeout.
pub async fn poll<T, F, Fut>(
    what: &str,
    timeout: Duration,
    mut log: CallLog,
    mut probe: F,
) -> Result<T, BrowserError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let deadline = Instant::now() + timeout;
    let mut attempt = 0u32;
    loop {
        let step = probe(attempt);
        // The first attempt always completes, so a zero timeout still checks the state once.
        let outcome = if attempt == 0 {
            Ok(step.await)
        } else {
            tokio::time::timeout_at(deadline, step).await
        };
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(_) => {
                return Err(BrowserError::Timeout {
                    what: what.to_string(),
                    timeout,
                    call_log: log.into_lines(),
                });
            }
        };
        match outcome {
            Attempt::Ready(value) => return Ok(value),
            // A failure in the page says what was being waited for, as Playwright's do.
            Attempt::Fail(BrowserError::Evaluation { message, stack }) => {
                return Err(BrowserError::Evaluation {
                    message: format!("{message}{}", crate::error::format_log(&log.into_lines())),
                    stack,
                });
            }
            Attempt::Fail(err) => return Err(err),
            Attempt::Retry(line) => log.push(line),
        }
        attempt += 1;
        let delay = backoff_before(attempt);
        let next = Instant::now() + Duration::from_millis(delay);
        if next >= deadline {
            // Sleep out the remainder so the final attempt sees the state at the deadline.
            tokio::time::sleep_until(deadline).await;
            return Err(BrowserError::Timeout {
                what: what.to_string(),
                timeout,
                call_log: log.into_lines(),
            });
        }
        tokio::time::sleep_until(next).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn retries_until_ready() {
        let value = poll(
            "thing",
            Duration::from_secs(5),
            CallLog::new("waiting"),
            |n| async move {
                if n < 3 {
                    Attempt::Retry("not yet".into())
                } else {
                    Attempt::Ready(n)
                }
            },
        )
        .await
        .expect("ready");
        assert_eq!(value, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn times_out_with_a_collapsed_call_log() {
        let err = poll::<(), _, _>(
            "locator.click",
            Duration::from_millis(300),
            CallLog::new("waiting for x"),
            |_| async { Attempt::Retry("element is not visible".into()) },
        )
        .await
        .expect_err("times out");
        let text = err.to_string();
        assert!(
            text.starts_with("locator.click: timeout 300ms exceeded."),
            "{text}"
        );
        assert!(
            text.contains("  - waiting for x\n  - element is not visible\n  - "),
            "{text}"
        );
        assert!(text.contains("× repeated"), "{text}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_ends_the_wait_at_once() {
        let err = poll::<(), _, _>("x", Duration::from_secs(5), CallLog::new("w"), |_| async {
            Attempt::Fail(BrowserError::InvalidArgument("bad".into()))
        })
        .await
        .expect_err("fails");
        assert_eq!(err.to_string(), "bad");
    }
}

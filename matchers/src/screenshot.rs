//! `toHaveScreenshot`'s browser half: take screenshots until two in a row match (a stable page),
//! comparing the first with the expected image when there is one, as Playwright's
//! `page._expectScreenshot` does. What to do with the outcome (write, attach, fail) is the
//! snapshot helper's, in the runner.

use std::time::Duration;
use std::time::Instant;

use isolate_browser_browser::BrowserError;
use isolate_browser_browser::Locator;
use isolate_browser_browser::Page;
use isolate_browser_browser::ScreenshotOptions;

use crate::compare::Format;
use crate::compare::ImageOptions;
use crate::compare::compare_images;

/// What is photographed.
pub enum ShotTarget<'a> {
    Page(&'a Page),
    Locator(&'a Locator),
}

/// One `toHaveScreenshot` attempt.
pub struct ExpectScreenshot<'a> {
    pub target: ShotTarget<'a>,
    pub options: ScreenshotOptions,
    pub format: Format,
    pub compare: ImageOptions,
    /// The expected image; `None` generates a new expectation (a stable screenshot).
    pub expected: Option<Vec<u8>>,
    pub is_not: bool,
    /// `None`: no timeout.
    pub timeout: Option<Duration>,
    /// The call log's first line (`expect(page).toHaveScreenshot(name)`).
    pub title: String,
}

/// How it ended. No `error_message` means the screenshot matched (or, with nothing expected, a
/// stable one was taken into `actual`).
#[derive(Debug, Default)]
pub struct ScreenshotOutcome {
    pub actual: Option<Vec<u8>>,
    pub previous: Option<Vec<u8>>,
    pub diff: Option<Vec<u8>>,
    pub error_message: Option<String>,
    pub log: Vec<String>,
    pub timed_out: bool,
}

/// The last mismatch seen, kept for the failure.
#[derive(Default)]
struct Intermediate {
    message: Option<String>,
    diff: Option<Vec<u8>>,
    actual: Option<Vec<u8>>,
    previous: Option<Vec<u8>>,
}

/// Waits between screenshots: none before the first, then growing to a second.
const POLL_INTERVALS: [u64; 4] = [0, 100, 250, 500];

/// Runs the stable-screenshot loop. Errors are the ones a retry cannot mend (a closed page, a
/// bad selector in a mask); everything else ends in the outcome.
pub async fn expect_screenshot(
    run: ExpectScreenshot<'_>,
) -> Result<ScreenshotOutcome, BrowserError> {
    let mut log = Vec::new();
    if run.expected.is_none() && run.is_not {
        return Ok(ScreenshotOutcome {
            error_message: Some("\"not\" matcher requires expected result".into()),
            ..Default::default()
        });
    }
    if let Err(message) = run.compare.validate() {
        return Ok(ScreenshotOutcome {
            error_message: Some(message),
            ..Default::default()
        });
    }
    log.push(match run.timeout {
        Some(t) => format!("{} with timeout {}ms", run.title, t.as_millis()),
        None => run.title.clone(),
    });
    log.push(if run.expected.is_some() {
        "  verifying given screenshot expectation".to_string()
    } else {
        "  generating new stable screenshot expectation".to_string()
    });
    let deadline = run.timeout.map(|t| Instant::now() + t);
    let mut intermediate = Intermediate::default();
    let work = stable_loop(&run, &mut log, &mut intermediate);
    let result = match deadline {
        Some(d) => match tokio::time::timeout_at(d.into(), work).await {
            Ok(r) => r,
            Err(_) => Err(Failure::Timeout(run.timeout.unwrap_or_default())),
        },
        None => work.await,
    };
    match result {
        Ok(actual) => Ok(ScreenshotOutcome {
            actual,
            log,
            ..Default::default()
        }),
        Err(Failure::Fatal(e)) => Err(e),
        Err(failure) => {
            let timed_out = matches!(failure, Failure::Timeout(_));
            let message = match failure {
                Failure::Timeout(t) => {
                    let text = format!("Timeout {}ms exceeded.", t.as_millis());
                    log.push(text.clone());
                    if intermediate.previous.is_some() {
                        "Failed to take two consecutive stable screenshots.".to_string()
                    } else {
                        text
                    }
                }
                Failure::Mismatch(m) | Failure::Fatal(BrowserError::InvalidArgument(m)) => m,
                Failure::Fatal(e) => e.to_string(),
            };
            Ok(ScreenshotOutcome {
                actual: intermediate.actual,
                previous: intermediate.previous,
                diff: intermediate.diff,
                error_message: Some(message),
                log: compress(log),
                timed_out,
            })
        }
    }
}

enum Failure {
    Timeout(Duration),
    Mismatch(String),
    Fatal(BrowserError),
}

/// Screenshots until one is accepted; `Ok(Some(actual))` when a new expectation was generated.
async fn stable_loop(
    run: &ExpectScreenshot<'_>,
    log: &mut Vec<String>,
    intermediate: &mut Intermediate,
) -> Result<Option<Vec<u8>>, Failure> {
    let mut actual: Option<Vec<u8>> = None;
    let mut first = true;
    let mut attempt = 0usize;
    loop {
        let wait = POLL_INTERVALS.get(attempt).copied().unwrap_or(1000);
        attempt += 1;
        if wait > 0 {
            log.push(format!("waiting {wait}ms before taking screenshot"));
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        let previous = actual.take();
        actual = match take(run).await {
            Ok(shot) => Some(shot),
            Err(e) if fatal(&e) => return Err(Failure::Fatal(e)),
            Err(e) => {
                log.push(format!("failed to take screenshot - {e}"));
                actual = previous;
                continue;
            }
        };
        let expectation = match (&run.expected, first) {
            (Some(expected), true) => Some(expected.as_slice()),
            _ => previous.as_deref(),
        };
        if same(
            run,
            actual.as_deref(),
            expectation,
            previous.as_deref(),
            intermediate,
        )? {
            break;
        }
        if let Some(message) = &intermediate.message {
            log.push(message.clone());
        }
        first = false;
    }
    if !first {
        log.push("captured a stable screenshot".into());
    }
    let Some(expected) = &run.expected else {
        return Ok(actual);
    };
    if first || same(run, actual.as_deref(), Some(expected), None, intermediate)? {
        log.push("screenshot matched expectation".into());
        return Ok(None);
    }
    Err(Failure::Mismatch(
        intermediate.message.clone().unwrap_or_default(),
    ))
}

/// Whether `actual` settles the loop against `expected` (differs from it, with `.not`).
fn same(
    run: &ExpectScreenshot<'_>,
    actual: Option<&[u8]>,
    expected: Option<&[u8]>,
    previous: Option<&[u8]>,
    intermediate: &mut Intermediate,
) -> Result<bool, Failure> {
    let (Some(actual), Some(expected)) = (actual, expected) else {
        return Ok(false);
    };
    let mismatch =
        compare_images(run.format, actual, expected, &run.compare).map_err(Failure::Mismatch)?;
    if mismatch.is_some() == run.is_not {
        return Ok(true);
    }
    if let Some(m) = mismatch {
        *intermediate = Intermediate {
            message: Some(m.message),
            diff: m.diff,
            actual: Some(actual.to_vec()),
            previous: previous.map(<[u8]>::to_vec),
        };
    }
    Ok(false)
}

async fn take(run: &ExpectScreenshot<'_>) -> Result<Vec<u8>, BrowserError> {
    let page = match &run.target {
        ShotTarget::Page(p) => *p,
        ShotTarget::Locator(l) => l.page(),
    };
    // Two animation frames first: what was just changed is painted.
    page.next_frames(2).await?;
    match &run.target {
        ShotTarget::Page(p) => p.screenshot(run.options.clone()).await,
        ShotTarget::Locator(l) => {
            // The loop's own deadline bounds the wait for the element.
            let wait = run.timeout.unwrap_or(Duration::from_secs(86_400));
            l.screenshot(Some(wait), run.options.clone()).await
        }
    }
}

/// Errors no further screenshot can get past.
fn fatal(e: &BrowserError) -> bool {
    matches!(
        e,
        BrowserError::Crashed | BrowserError::Selector { .. } | BrowserError::Closed(_)
    ) || e.to_string().contains("has been closed")
}

/// Repeated lines (the same wait, the same mismatch) are folded into one with a count.
fn compress(log: Vec<String>) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for line in log {
        match out.last_mut() {
            Some((last, n)) if *last == line => *n += 1,
            _ => out.push((line, 1)),
        }
    }
    out.into_iter()
        .map(|(line, n)| {
            if n > 1 {
                format!("{line} (×{n})")
            } else {
                line
            }
        })
        .collect()
}

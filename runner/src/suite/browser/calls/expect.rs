//! `expect.check`: one web-first matcher, polled by the matchers crate until it holds or its
//! timeout passes; `expect.screenshot`: `toHaveScreenshot`'s stable-screenshot loop.

use std::time::Duration;

use isolate_browser_matchers::compare::Format;
use isolate_browser_matchers::compare::ImageOptions;
use isolate_browser_matchers::screenshot::ExpectScreenshot;
use isolate_browser_matchers::screenshot::ShotTarget;
use isolate_browser_matchers::screenshot::expect_screenshot;
use isolate_browser_matchers::web_first;

use super::Cx;
use super::locator::build;
use crate::suite::protocol::Base64;
use crate::suite::protocol::CallError;
use crate::suite::protocol::ExpectArgs;
use crate::suite::protocol::ExpectReply;
use crate::suite::protocol::ExpectScreenshotArgs;
use crate::suite::protocol::ExpectScreenshotReply;
use crate::suite::protocol::millis;

pub(crate) async fn check(cx: &Cx<'_>, args: ExpectArgs) -> Result<ExpectReply, CallError> {
    let page = cx.page(args.page)?;
    let timeout = millis(Some(args.timeout)).unwrap_or(Duration::from_secs(5));
    let base_url = page.context().options().base_url.clone();
    let locator;
    let target = match args.chain {
        Some(chain) => {
            locator = build(cx, &page, chain)?;
            web_first::Target::Locator(&locator)
        }
        None => web_first::Target::Page(&page),
    };
    let check = web_first::check(
        target,
        &args.matcher,
        &args.expected,
        &args.options,
        args.is_not,
        timeout,
        base_url.as_deref(),
    )
    .await
    .map_err(|e| match e {
        web_first::MatcherError::Browser(b) => CallError::from(b),
        other => CallError::new(other.to_string()),
    })?;
    Ok(ExpectReply {
        pass: check.pass != args.is_not,
        message: check.message,
        call_log: check.call_log,
    })
}

/// `toHaveScreenshot`'s loop: the snapshot helper (the harness's JS) decides what the outcome
/// means for the expectation files.
pub(crate) async fn screenshot(
    cx: &Cx<'_>,
    args: ExpectScreenshotArgs,
) -> Result<ExpectScreenshotReply, CallError> {
    let page = cx.page(args.page)?;
    let format = match args.shot.kind.as_deref() {
        Some("webp") => Format::Webp,
        _ => Format::Png,
    };
    let options =
        super::screenshot::options(cx, &page, args.shot, None, args.full_page, args.clip)?;
    let locator;
    let target = match args.chain {
        Some(chain) => {
            locator = build(cx, &page, chain)?;
            ShotTarget::Locator(&locator)
        }
        None => ShotTarget::Page(&page),
    };
    let count = |v: Option<f64>| v.map(|n| n.max(0.0) as u64);
    let outcome = expect_screenshot(ExpectScreenshot {
        target,
        options,
        format,
        compare: ImageOptions {
            threshold: args.threshold,
            max_diff_pixels: count(args.max_diff_pixels),
            max_diff_pixel_ratio: args.max_diff_pixel_ratio,
        },
        expected: args.expected.map(|b| b.0),
        is_not: args.is_not,
        timeout: millis(Some(args.timeout)),
        title: args.title,
    })
    .await?;
    Ok(ExpectScreenshotReply {
        actual: outcome.actual.map(Base64),
        previous: outcome.previous.map(Base64),
        diff: outcome.diff.map(Base64),
        error_message: outcome.error_message,
        log: outcome.log,
        timed_out: outcome.timed_out,
    })
}

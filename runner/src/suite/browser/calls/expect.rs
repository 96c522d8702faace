//! `expect.check`: one web-first matcher, polled by the matchers crate until it holds or its
//! timeout passes.

use std::time::Duration;

use isolate_browser_matchers::web_first;

use super::Cx;
use super::locator::build;
use crate::suite::protocol::CallError;
use crate::suite::protocol::ExpectArgs;
use crate::suite::protocol::ExpectReply;
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

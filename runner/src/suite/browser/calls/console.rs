//! `page.consoleMessages()`, `page.pageErrors()` and their `clear*`, `page.requests()`: what a
//! page kept of its console, its uncaught errors and its requests; and the handles of a console message's arguments, made for
//! every message the isolate receives (`consoleMessage.args()`).

use isolate_browser_browser::ConsoleMessage;
use isolate_browser_browser::MessageFilter;
use isolate_browser_browser::Page;
use isolate_browser_browser::PageErrorRecord;

use super::Cx;
use super::handle::keep_in;
use crate::suite::browser::BrowserSide;
use crate::suite::protocol::CallError;
use crate::suite::protocol::ConsoleInfo;
use crate::suite::protocol::MessagesArgs;
use crate::suite::protocol::PageArgs;
use crate::suite::protocol::RequestResponseArgs;

fn filter_of(filter: Option<&str>) -> Result<MessageFilter, CallError> {
    match filter {
        None | Some("since-navigation") => Ok(MessageFilter::SinceNavigation),
        Some("all") => Ok(MessageFilter::All),
        Some(other) => Err(CallError::new(format!(
            "filter: expected one of (all|since-navigation), got \"{other}\""
        ))),
    }
}

/// The message with handles of its arguments, kept in the session. A page that went away
/// meanwhile leaves the message without them, never without the message.
pub(crate) async fn info(
    side: &BrowserSide,
    session: u32,
    page: &Page,
    message: ConsoleMessage,
) -> ConsoleInfo {
    let mut args = Vec::new();
    if let Ok(handles) = page.console_args(&message).await {
        for handle in handles {
            match keep_in(side, session, handle) {
                Ok(info) => args.push(info),
                Err(_) => break,
            }
        }
    }
    ConsoleInfo { message, args }
}

pub(crate) async fn console_messages(
    cx: &Cx<'_>,
    args: MessagesArgs,
) -> Result<Vec<ConsoleInfo>, CallError> {
    let filter = filter_of(args.filter.as_deref())?;
    let page = cx.page(args.page)?;
    let mut out = Vec::new();
    for message in page.console_messages_filtered(filter) {
        out.push(info(cx.side, cx.session, &page, message).await);
    }
    Ok(out)
}

pub(crate) async fn clear_console_messages(cx: &Cx<'_>, args: PageArgs) -> Result<(), CallError> {
    cx.page(args.page)?.clear_console_messages();
    Ok(())
}

pub(crate) async fn page_errors(
    cx: &Cx<'_>,
    args: MessagesArgs,
) -> Result<Vec<PageErrorRecord>, CallError> {
    let filter = filter_of(args.filter.as_deref())?;
    Ok(cx.page(args.page)?.page_errors(filter))
}

pub(crate) async fn requests(
    cx: &Cx<'_>,
    args: PageArgs,
) -> Result<Vec<isolate_browser_browser::RequestEvent>, CallError> {
    Ok(cx.page(args.page)?.requests())
}

pub(crate) async fn request_response(
    cx: &Cx<'_>,
    args: RequestResponseArgs,
) -> Result<Option<isolate_browser_browser::RequestEvent>, CallError> {
    let page = cx.page(args.page)?;
    Ok(page.response_of_request(&args.request).await)
}

pub(crate) async fn response_body(
    cx: &Cx<'_>,
    args: RequestResponseArgs,
) -> Result<crate::suite::protocol::Base64, CallError> {
    let page = cx.page(args.page)?;
    // No body comes after the page's action timeout (or 30 s, when that is 0: no limit).
    let timeout = Some(page.action_timeout())
        .filter(|t| !t.is_zero())
        .unwrap_or(std::time::Duration::from_secs(30));
    Ok(crate::suite::protocol::Base64(
        page.response_body(&args.request, timeout).await?,
    ))
}

pub(crate) async fn clear_page_errors(cx: &Cx<'_>, args: PageArgs) -> Result<(), CallError> {
    cx.page(args.page)?.clear_page_errors();
    Ok(())
}

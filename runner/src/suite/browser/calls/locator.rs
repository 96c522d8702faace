//! `locator.*`: the chain of steps the in-isolate `Locator` keeps is rebuilt into a
//! browser-crate [`Locator`] on every call, then acted on or read.

use isolate_browser_browser::DragOptions;
use isolate_browser_browser::FilePayload;
use isolate_browser_browser::FilterOptions;
use isolate_browser_browser::Locator;
use isolate_browser_browser::Page;
use isolate_browser_browser::SelectBy;
use isolate_browser_browser::WaitForState;

use super::Cx;
use crate::suite::protocol::CallError;
use crate::suite::protocol::DragToArgs;
use crate::suite::protocol::EvalOnSelectorArgs;
use crate::suite::protocol::FileArg;
use crate::suite::protocol::FilterArg;
use crate::suite::protocol::GetAttributeArgs;
use crate::suite::protocol::LocatorArgs;
use crate::suite::protocol::LocatorClickArgs;
use crate::suite::protocol::LocatorEvaluateArgs;
use crate::suite::protocol::LocatorFillArgs;
use crate::suite::protocol::LocatorForceArgs;
use crate::suite::protocol::LocatorPressArgs;
use crate::suite::protocol::LocatorStep;
use crate::suite::protocol::LocatorTimeoutArgs;
use crate::suite::protocol::LocatorTypeArgs;
use crate::suite::protocol::PageId;
use crate::suite::protocol::SelectOptionArgs;
use crate::suite::protocol::SetInputFilesArgs;
use crate::suite::protocol::WaitForArgs;
use crate::suite::protocol::WaitForStateArg;
use crate::suite::protocol::millis;

enum Base {
    /// Where the chain starts (a page's or frame's document, before any selector).
    Start(Locator),
    Locator(Locator),
}

/// Builds the locator a chain describes, starting from `page` (or from the frame or element
/// handle its first step names).
pub(crate) fn build(
    cx: &Cx<'_>,
    page: &Page,
    chain: Vec<LocatorStep>,
) -> Result<Locator, CallError> {
    let mut base = Base::Start(page.root_locator());
    for step in chain {
        let next = match (base, step) {
            (Base::Start(_), LocatorStep::Frame { frame }) => {
                base = Base::Start(match frame {
                    None => page.root_locator(),
                    Some(id) => page.frame(&id)?.root(),
                });
                continue;
            }
            (Base::Start(_), LocatorStep::Handle { handle }) => {
                Locator::of_handle(&super::handle::handle(cx, handle)?)
            }
            (Base::Start(l) | Base::Locator(l), LocatorStep::Locator { selector }) => {
                l.locator(&selector)
            }
            (Base::Start(l) | Base::Locator(l), LocatorStep::GetByRole { role, options }) => {
                l.get_by_role(&role, options.into())
            }
            (Base::Start(l) | Base::Locator(l), LocatorStep::GetByText { text }) => {
                l.get_by_text(text.into())
            }
            (Base::Start(l) | Base::Locator(l), LocatorStep::GetByLabel { text }) => {
                l.get_by_label(text.into())
            }
            (Base::Start(l) | Base::Locator(l), LocatorStep::GetByPlaceholder { text }) => {
                l.get_by_placeholder(text.into())
            }
            (Base::Start(l) | Base::Locator(l), LocatorStep::GetByAltText { text }) => {
                l.get_by_alt_text(text.into())
            }
            (Base::Start(l) | Base::Locator(l), LocatorStep::GetByTitle { text }) => {
                l.get_by_title(text.into())
            }
            (Base::Start(l) | Base::Locator(l), LocatorStep::GetByTestId { text }) => {
                l.get_by_test_id(text.into())
            }
            (Base::Start(l) | Base::Locator(l), LocatorStep::FrameLocator { selector }) => {
                l.frame_locator(&selector)
            }
            (Base::Locator(l), LocatorStep::Nth { index }) => l.nth(index),
            (Base::Locator(l), LocatorStep::First) => l.first(),
            (Base::Locator(l), LocatorStep::Last) => l.last(),
            (Base::Locator(l), LocatorStep::Filter { options }) => {
                l.filter(filter_options(cx, page, options)?)
            }
            (Base::Locator(l), LocatorStep::And { chain }) => l.and(&build(cx, page, chain)?),
            (Base::Locator(l), LocatorStep::Or { chain }) => l.or(&build(cx, page, chain)?),
            (Base::Start(_), LocatorStep::And { chain }) => build(cx, page, chain)?,
            (Base::Locator(l), LocatorStep::ContentFrame) => l.content_frame(),
            (Base::Locator(l), LocatorStep::Describe { description }) => l.describe(&description),
            (Base::Locator(l), LocatorStep::NonStrict) => l.non_strict(),
            (Base::Start(_), step) => {
                return Err(CallError::bad_call(format!(
                    "a locator cannot start with {step:?}"
                )));
            }
            (Base::Locator(_), step) => {
                return Err(CallError::bad_call(format!(
                    "{step:?} can only start a locator"
                )));
            }
        };
        base = Base::Locator(next);
    }
    match base {
        Base::Locator(l) => Ok(l),
        Base::Start(_) => Err(CallError::bad_call("an empty locator")),
    }
}

fn filter_options(cx: &Cx<'_>, page: &Page, f: FilterArg) -> Result<FilterOptions, CallError> {
    Ok(FilterOptions {
        has_text: f.has_text.map(Into::into),
        has_not_text: f.has_not_text.map(Into::into),
        has: f.has.map(|c| build(cx, page, c)).transpose()?,
        has_not: f.has_not.map(|c| build(cx, page, c)).transpose()?,
        visible: f.visible,
    })
}

pub(crate) fn locator(
    cx: &Cx<'_>,
    page: PageId,
    chain: Vec<LocatorStep>,
) -> Result<Locator, CallError> {
    build(cx, &cx.page(page)?, chain)
}

pub(crate) async fn count(cx: &Cx<'_>, a: LocatorArgs) -> Result<usize, CallError> {
    Ok(locator(cx, a.page, a.chain)?.count().await?)
}

pub(crate) async fn click(cx: &Cx<'_>, a: LocatorClickArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .click(a.options.into())
        .await?)
}

pub(crate) async fn dblclick(cx: &Cx<'_>, a: LocatorClickArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .dblclick(a.options.into())
        .await?)
}

pub(crate) async fn check(cx: &Cx<'_>, a: LocatorClickArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .check(a.options.into())
        .await?)
}

pub(crate) async fn uncheck(cx: &Cx<'_>, a: LocatorClickArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .uncheck(a.options.into())
        .await?)
}

pub(crate) async fn hover(cx: &Cx<'_>, a: LocatorForceArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .hover(millis(a.timeout), a.force)
        .await?)
}

pub(crate) async fn select_text(cx: &Cx<'_>, a: LocatorForceArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .select_text(millis(a.timeout), a.force)
        .await?)
}

pub(crate) async fn fill(cx: &Cx<'_>, a: LocatorFillArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .fill(&a.value, millis(a.timeout), a.force)
        .await?)
}

pub(crate) async fn clear(cx: &Cx<'_>, a: LocatorTimeoutArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .clear(millis(a.timeout))
        .await?)
}

pub(crate) async fn press(cx: &Cx<'_>, a: LocatorPressArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .press(&a.key, millis(a.timeout))
        .await?)
}

pub(crate) async fn press_sequentially(cx: &Cx<'_>, a: LocatorTypeArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .press_sequentially(&a.text, millis(a.delay), millis(a.timeout))
        .await?)
}

pub(crate) async fn focus(cx: &Cx<'_>, a: LocatorTimeoutArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .focus(millis(a.timeout))
        .await?)
}

pub(crate) async fn blur(cx: &Cx<'_>, a: LocatorTimeoutArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .blur(millis(a.timeout))
        .await?)
}

pub(crate) async fn scroll_into_view_if_needed(
    cx: &Cx<'_>,
    a: LocatorTimeoutArgs,
) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .scroll_into_view_if_needed(millis(a.timeout))
        .await?)
}

pub(crate) async fn select_option(
    cx: &Cx<'_>,
    a: SelectOptionArgs,
) -> Result<Vec<String>, CallError> {
    let wanted = a
        .values
        .into_iter()
        .map(|v| {
            let mut every = Vec::new();
            every.extend(v.value.map(SelectBy::Value));
            every.extend(v.label.map(SelectBy::Label));
            every.extend(v.index.map(SelectBy::Index));
            every.extend(v.value_or_label.map(SelectBy::ValueOrLabel));
            SelectBy::Every(every)
        })
        .collect::<Vec<_>>();
    Ok(locator(cx, a.page, a.chain)?
        .select_option(&wanted, millis(a.timeout))
        .await?)
}

pub(crate) async fn text_content(
    cx: &Cx<'_>,
    a: LocatorTimeoutArgs,
) -> Result<Option<String>, CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .text_content(millis(a.timeout))
        .await?)
}

pub(crate) async fn inner_text(cx: &Cx<'_>, a: LocatorTimeoutArgs) -> Result<String, CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .inner_text(millis(a.timeout))
        .await?)
}

pub(crate) async fn inner_html(cx: &Cx<'_>, a: LocatorTimeoutArgs) -> Result<String, CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .inner_html(millis(a.timeout))
        .await?)
}

pub(crate) async fn input_value(cx: &Cx<'_>, a: LocatorTimeoutArgs) -> Result<String, CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .input_value(millis(a.timeout))
        .await?)
}

pub(crate) async fn get_attribute(
    cx: &Cx<'_>,
    a: GetAttributeArgs,
) -> Result<Option<String>, CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .get_attribute(&a.name, millis(a.timeout))
        .await?)
}

pub(crate) async fn all_text_contents(
    cx: &Cx<'_>,
    a: LocatorArgs,
) -> Result<Vec<String>, CallError> {
    let mut out = Vec::new();
    for l in locator(cx, a.page, a.chain)?.all().await? {
        out.push(l.text_content(None).await?.unwrap_or_default());
    }
    Ok(out)
}

pub(crate) async fn all_inner_texts(cx: &Cx<'_>, a: LocatorArgs) -> Result<Vec<String>, CallError> {
    let mut out = Vec::new();
    for l in locator(cx, a.page, a.chain)?.all().await? {
        out.push(l.inner_text(None).await?);
    }
    Ok(out)
}

pub(crate) async fn is_visible(cx: &Cx<'_>, a: LocatorArgs) -> Result<bool, CallError> {
    Ok(locator(cx, a.page, a.chain)?.is_visible().await?)
}

pub(crate) async fn is_hidden(cx: &Cx<'_>, a: LocatorArgs) -> Result<bool, CallError> {
    Ok(locator(cx, a.page, a.chain)?.is_hidden().await?)
}

pub(crate) async fn is_enabled(cx: &Cx<'_>, a: LocatorArgs) -> Result<bool, CallError> {
    Ok(locator(cx, a.page, a.chain)?.is_enabled().await?)
}

pub(crate) async fn is_disabled(cx: &Cx<'_>, a: LocatorArgs) -> Result<bool, CallError> {
    Ok(locator(cx, a.page, a.chain)?.is_disabled().await?)
}

pub(crate) async fn is_editable(cx: &Cx<'_>, a: LocatorArgs) -> Result<bool, CallError> {
    Ok(locator(cx, a.page, a.chain)?.is_editable().await?)
}

pub(crate) async fn is_checked(cx: &Cx<'_>, a: LocatorArgs) -> Result<bool, CallError> {
    Ok(locator(cx, a.page, a.chain)?.is_checked().await?)
}

pub(crate) async fn bounding_box(
    cx: &Cx<'_>,
    a: LocatorTimeoutArgs,
) -> Result<Option<isolate_browser_browser::BoundingBox>, CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .bounding_box(millis(a.timeout))
        .await?)
}

/// The locator's one element (waited for, strict) as a handle, for an evaluation in the
/// page's main world: Playwright's `locator.evaluate` sees the page's globals, and takes handles
/// as arguments.
async fn element_for(
    cx: &Cx<'_>,
    a: &LocatorEvaluateArgs,
    what: &str,
) -> Result<isolate_browser_browser::JsHandle, CallError> {
    locator(cx, a.page, a.chain.clone())?
        .wait_for_selector(WaitForState::Attached, millis(a.timeout), true, what)
        .await?
        .ok_or_else(|| CallError::new(format!("{what}: the element went away")))
}

pub(crate) async fn evaluate(
    cx: &Cx<'_>,
    a: LocatorEvaluateArgs,
) -> Result<serde_json::Value, CallError> {
    let source = super::function_source(a.expression, a.is_function);
    let (arg, handles) = super::handle::with_handles(cx, a.arg)?;
    Ok(locator(cx, a.page, a.chain)?
        .evaluate_one(
            &source,
            arg,
            &handles,
            millis(a.timeout),
            "locator.evaluate",
        )
        .await?)
}

pub(crate) async fn evaluate_handle(
    cx: &Cx<'_>,
    a: LocatorEvaluateArgs,
) -> Result<crate::suite::protocol::HandleInfo, CallError> {
    let el = element_for(cx, &a, "locator.evaluateHandle").await?;
    let source = super::function_source(a.expression, a.is_function);
    let (arg, handles) = super::handle::with_handles(cx, a.arg)?;
    let out = el.evaluate_handle(&source, arg, &handles).await;
    let _ = el.dispose().await;
    super::handle::keep(cx, out?)
}

pub(crate) async fn eval_on_selector(
    cx: &Cx<'_>,
    a: EvalOnSelectorArgs,
) -> Result<serde_json::Value, CallError> {
    eval_matches(cx, a, false).await
}

pub(crate) async fn eval_on_selector_all(
    cx: &Cx<'_>,
    a: EvalOnSelectorArgs,
) -> Result<serde_json::Value, CallError> {
    eval_matches(cx, a, true).await
}

async fn eval_matches(
    cx: &Cx<'_>,
    a: EvalOnSelectorArgs,
    all: bool,
) -> Result<serde_json::Value, CallError> {
    let source = super::function_source(a.expression, a.is_function);
    let (arg, handles) = super::handle::with_handles(cx, a.arg)?;
    Ok(locator(cx, a.page, a.chain)?
        .eval_on_selector(&source, Some(arg), &handles, all, a.selector.as_deref())
        .await?)
}

pub(crate) fn wait_state(state: WaitForStateArg) -> WaitForState {
    match state {
        WaitForStateArg::Attached => WaitForState::Attached,
        WaitForStateArg::Detached => WaitForState::Detached,
        WaitForStateArg::Visible => WaitForState::Visible,
        WaitForStateArg::Hidden => WaitForState::Hidden,
    }
}

pub(crate) async fn wait_for(cx: &Cx<'_>, a: WaitForArgs) -> Result<(), CallError> {
    Ok(locator(cx, a.page, a.chain)?
        .wait_for(wait_state(a.state), millis(a.timeout))
        .await?)
}

pub(crate) async fn set_input_files(cx: &Cx<'_>, a: SetInputFilesArgs) -> Result<(), CallError> {
    let mut files = Vec::new();
    for f in a.files {
        files.push(match f {
            FileArg::Path { path } => FilePayload::from_path(&cx.resolve(&path)?)?,
            FileArg::Payload {
                name,
                mime_type,
                buffer,
            } => FilePayload {
                name,
                mime_type: mime_type.unwrap_or_else(|| "application/octet-stream".into()),
                buffer: buffer.0,
            },
        });
    }
    Ok(locator(cx, a.page, a.chain)?
        .set_input_files(&files, millis(a.timeout))
        .await?)
}

pub(crate) async fn drag_to(cx: &Cx<'_>, a: DragToArgs) -> Result<(), CallError> {
    let page = cx.page(a.page)?;
    let source = build(cx, &page, a.chain)?;
    let target = build(cx, &page, a.target)?;
    Ok(source
        .drag_to(
            &target,
            DragOptions {
                force: a.force,
                timeout: millis(a.timeout),
                ..DragOptions::default()
            },
        )
        .await?)
}

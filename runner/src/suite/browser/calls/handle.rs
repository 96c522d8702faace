//! `page.evaluateHandle` and `jsHandle.*`: values kept in the page. The session holds each
//! handle under an id; nothing of the page's objects reaches the isolate except through them.

use isolate_browser_browser::JsHandle;

use super::Cx;
use crate::suite::protocol::CallError;
use crate::suite::protocol::EvaluateArgs;
use crate::suite::protocol::GetPropertyArgs;
use crate::suite::protocol::HandleArgs;
use crate::suite::protocol::HandleEvaluateArgs;
use crate::suite::protocol::HandleId;
use crate::suite::protocol::HandleInfo;
use crate::suite::protocol::LocatorArgs;
use crate::suite::protocol::NamedHandle;

fn keep(cx: &Cx<'_>, handle: JsHandle) -> Result<HandleInfo, CallError> {
    let id = HandleId(cx.side.id());
    let info = HandleInfo {
        id,
        preview: handle.preview().to_string(),
        is_element: handle.is_element(),
    };
    cx.side.with_session(cx.session, |s| {
        s.handles.insert(id, handle);
        Ok(())
    })?;
    Ok(info)
}

fn handle(cx: &Cx<'_>, id: HandleId) -> Result<JsHandle, CallError> {
    cx.side.with_session(cx.session, |s| {
        s.handles
            .get(&id)
            .cloned()
            .ok_or_else(|| CallError::new("JSHandle is disposed"))
    })
}

pub(crate) async fn page_evaluate_handle(
    cx: &Cx<'_>,
    a: EvaluateArgs,
) -> Result<HandleInfo, CallError> {
    let page = cx.page(a.page)?;
    let h = page
        .evaluate_handle(&a.expression, a.arg.unwrap_or(serde_json::Value::Null))
        .await?;
    keep(cx, h)
}

pub(crate) async fn evaluate(
    cx: &Cx<'_>,
    a: HandleEvaluateArgs,
) -> Result<serde_json::Value, CallError> {
    let h = handle(cx, a.handle)?;
    Ok(h.evaluate(
        &super::function_source(a.expression, a.is_function),
        a.arg.unwrap_or(serde_json::Value::Null),
    )
    .await?)
}

pub(crate) async fn evaluate_handle(
    cx: &Cx<'_>,
    a: HandleEvaluateArgs,
) -> Result<HandleInfo, CallError> {
    let h = handle(cx, a.handle)?;
    let out = h
        .evaluate_handle(
            &super::function_source(a.expression, a.is_function),
            a.arg.unwrap_or(serde_json::Value::Null),
        )
        .await?;
    keep(cx, out)
}

pub(crate) async fn json_value(cx: &Cx<'_>, a: HandleArgs) -> Result<serde_json::Value, CallError> {
    Ok(handle(cx, a.handle)?.json_value().await?)
}

pub(crate) async fn get_property(cx: &Cx<'_>, a: GetPropertyArgs) -> Result<HandleInfo, CallError> {
    let out = handle(cx, a.handle)?.get_property(&a.name).await?;
    keep(cx, out)
}

pub(crate) async fn get_properties(
    cx: &Cx<'_>,
    a: HandleArgs,
) -> Result<Vec<NamedHandle>, CallError> {
    let props = handle(cx, a.handle)?.get_properties().await?;
    props
        .into_iter()
        .map(|(name, h)| {
            Ok(NamedHandle {
                name,
                handle: keep(cx, h)?,
            })
        })
        .collect()
}

pub(crate) async fn query_selector(
    cx: &Cx<'_>,
    a: LocatorArgs,
) -> Result<Option<HandleInfo>, CallError> {
    let found = super::locator::locator(cx, a.page, a.chain)?
        .element_handles(false)
        .await?;
    found.into_iter().next().map(|h| keep(cx, h)).transpose()
}

pub(crate) async fn query_selector_all(
    cx: &Cx<'_>,
    a: LocatorArgs,
) -> Result<Vec<HandleInfo>, CallError> {
    let found = super::locator::locator(cx, a.page, a.chain)?
        .element_handles(true)
        .await?;
    found.into_iter().map(|h| keep(cx, h)).collect()
}

pub(crate) async fn dispose(cx: &Cx<'_>, a: HandleArgs) -> Result<(), CallError> {
    let h = cx
        .side
        .with_session(cx.session, |s| Ok(s.handles.get(&a.handle).cloned()))?;
    if let Some(h) = h {
        h.dispose().await?;
    }
    Ok(())
}

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
use crate::suite::protocol::WaitForSelectorArgs;

pub(crate) fn keep(cx: &Cx<'_>, handle: JsHandle) -> Result<HandleInfo, CallError> {
    keep_in(cx.side, cx.session, handle)
}

/// Keeps `handle` in the session under a new id.
pub(crate) fn keep_in(
    side: &crate::suite::browser::BrowserSide,
    session: u32,
    handle: JsHandle,
) -> Result<HandleInfo, CallError> {
    let id = HandleId(side.id());
    let info = HandleInfo {
        id,
        preview: handle.preview().to_string(),
        is_element: handle.is_element(),
    };
    side.with_session(session, |s| {
        s.handles.insert(id, handle);
        Ok(())
    })?;
    Ok(info)
}

pub(crate) fn handle(cx: &Cx<'_>, id: HandleId) -> Result<JsHandle, CallError> {
    cx.side.with_session(cx.session, |s| {
        s.handles
            .get(&id)
            .cloned()
            .ok_or_else(|| CallError::new("JSHandle is disposed"))
    })
}

/// An evaluate argument with the handles it names (`{ "t": "h", "v": id }` in the wire format)
/// taken out: each becomes an index into the returned list, which the page receives as the
/// call's arguments. Unknown and disposed handles fail here.
pub(crate) fn with_handles(
    cx: &Cx<'_>,
    arg: Option<serde_json::Value>,
) -> Result<(serde_json::Value, Vec<JsHandle>), CallError> {
    fn walk(
        cx: &Cx<'_>,
        v: &mut serde_json::Value,
        out: &mut Vec<JsHandle>,
    ) -> Result<(), CallError> {
        match v {
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(cx, item, out)?;
                }
            }
            serde_json::Value::Object(map) => {
                if map.get("t").and_then(|t| t.as_str()) == Some("h") {
                    let id = map
                        .get("v")
                        .and_then(serde_json::Value::as_u64)
                        .ok_or_else(|| CallError::bad_call("a handle argument without its id"))?;
                    out.push(handle(cx, HandleId(id as u32))?);
                    map.insert("v".into(), serde_json::Value::from(out.len() - 1));
                    return Ok(());
                }
                for item in map.values_mut() {
                    walk(cx, item, out)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
    let mut value = arg.unwrap_or(serde_json::Value::Null);
    let mut handles = Vec::new();
    walk(cx, &mut value, &mut handles)?;
    Ok((value, handles))
}

pub(crate) async fn page_evaluate_handle(
    cx: &Cx<'_>,
    a: EvaluateArgs,
) -> Result<HandleInfo, CallError> {
    let page = cx.page(a.page)?;
    let (arg, handles) = with_handles(cx, a.arg)?;
    let source = super::expression_source(a.expression, a.is_function);
    let h = page.evaluate_handle(&source, arg, &handles).await?;
    keep(cx, h)
}

pub(crate) async fn evaluate(
    cx: &Cx<'_>,
    a: HandleEvaluateArgs,
) -> Result<serde_json::Value, CallError> {
    let h = handle(cx, a.handle)?;
    let (arg, handles) = with_handles(cx, a.arg)?;
    Ok(h.evaluate(
        &super::function_source(a.expression, a.is_function),
        arg,
        &handles,
    )
    .await?)
}

pub(crate) async fn evaluate_handle(
    cx: &Cx<'_>,
    a: HandleEvaluateArgs,
) -> Result<HandleInfo, CallError> {
    let h = handle(cx, a.handle)?;
    let (arg, handles) = with_handles(cx, a.arg)?;
    let out = h
        .evaluate_handle(
            &super::function_source(a.expression, a.is_function),
            arg,
            &handles,
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

pub(crate) async fn wait_for_selector(
    cx: &Cx<'_>,
    a: WaitForSelectorArgs,
) -> Result<Option<HandleInfo>, CallError> {
    let found = super::locator::locator(cx, a.page, a.chain)?
        .wait_for_selector(
            super::locator::wait_state(a.state),
            crate::suite::protocol::millis(a.timeout),
            a.strict,
            &a.what,
        )
        .await
        .map_err(|e| super::frame::named(&a.what, e))?;
    found.map(|h| keep(cx, h)).transpose()
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

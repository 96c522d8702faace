//! `frame.*` and the handle calls that name frames: a frame is its page's id plus the frame's
//! (`None`: the main frame). Calls about a frame report the page's frames, so the isolate's
//! `page.frames()` and `frame.childFrames()` stay synchronous.

use isolate_browser_browser::Frame;
use isolate_browser_browser::Page;

use super::Cx;
use super::handle::handle;
use super::handle::keep;
use crate::suite::protocol::CallError;
use crate::suite::protocol::FrameAddTagArgs;
use crate::suite::protocol::FrameArgs;
use crate::suite::protocol::FrameEvaluateArgs;
use crate::suite::protocol::FrameGotoArgs;
use crate::suite::protocol::FrameRef;
use crate::suite::protocol::FrameSetContentArgs;
use crate::suite::protocol::HandleArgs;
use crate::suite::protocol::HandleInfo;
use crate::suite::protocol::PageId;

fn frame(cx: &Cx<'_>, page: PageId, id: Option<String>, method: &str) -> Result<Frame, CallError> {
    let page = cx.page(page)?;
    let id = match id {
        Some(id) => id,
        None => main_id(&page)?,
    };
    page.frame(&id).map_err(|e| named(method, e))
}

/// Playwright names the call in a detached frame's error (`frame.evaluate: Frame was detached`).
pub(crate) fn named(method: &str, e: isolate_browser_browser::BrowserError) -> CallError {
    match e {
        isolate_browser_browser::BrowserError::Evaluation { message, .. }
            if message.starts_with("Frame was detached") =>
        {
            CallError::new(format!("{method}: {message}"))
        }
        other => other.into(),
    }
}

fn main_id(page: &Page) -> Result<String, CallError> {
    page.frames()
        .into_iter()
        .find(|f| f.parent.is_none())
        .map(|f| f.id)
        .ok_or_else(|| CallError::new("the page has no main frame yet"))
}

pub(crate) async fn evaluate(
    cx: &Cx<'_>,
    a: FrameEvaluateArgs,
) -> Result<serde_json::Value, CallError> {
    let f = frame(cx, a.page, a.frame, "frame.evaluate")?;
    let (arg, handles) = super::handle::with_handles(cx, a.arg)?;
    f.evaluate_wire(&a.expression, arg, &handles)
        .await
        .map_err(|e| named("frame.evaluate", e))
}

pub(crate) async fn evaluate_handle(
    cx: &Cx<'_>,
    a: FrameEvaluateArgs,
) -> Result<HandleInfo, CallError> {
    let f = frame(cx, a.page, a.frame, "frame.evaluateHandle")?;
    let (arg, handles) = super::handle::with_handles(cx, a.arg)?;
    let h = f
        .evaluate_handle(
            &super::expression_source(a.expression, a.is_function),
            arg,
            &handles,
        )
        .await
        .map_err(|e| named("frame.evaluateHandle", e))?;
    keep(cx, h)
}

pub(crate) async fn content(cx: &Cx<'_>, a: FrameArgs) -> Result<String, CallError> {
    Ok(frame(cx, a.page, a.frame, "frame.content")?
        .content()
        .await?)
}

pub(crate) async fn set_content(cx: &Cx<'_>, a: FrameSetContentArgs) -> Result<(), CallError> {
    Ok(frame(cx, a.page, a.frame, "frame.setContent")?
        .set_content(&a.html)
        .await?)
}

pub(crate) async fn title(cx: &Cx<'_>, a: FrameArgs) -> Result<String, CallError> {
    Ok(frame(cx, a.page, a.frame, "frame.title")?.title().await?)
}

pub(crate) async fn goto(
    cx: &Cx<'_>,
    a: FrameGotoArgs,
) -> Result<Option<crate::suite::protocol::ResponseInfo>, CallError> {
    let options = super::page::goto_options(a.wait_until.as_deref(), a.timeout)?;
    let page = cx.page(a.page)?;
    let response = frame(cx, a.page, a.frame, "frame.goto")?
        .goto(&a.url, options)
        .await?;
    Ok(super::page::response_info(&page, response))
}

pub(crate) async fn frame_element(cx: &Cx<'_>, a: FrameArgs) -> Result<HandleInfo, CallError> {
    let h = frame(cx, a.page, a.frame, "frame.frameElement")
        .map_err(|_| CallError::new("Frame has been detached."))?
        .frame_element()
        .await?;
    keep(cx, h)
}

pub(crate) async fn content_frame(cx: &Cx<'_>, a: HandleArgs) -> Result<FrameRef, CallError> {
    let h = handle(cx, a.handle)?;
    let frame = h.content_frame().await?;
    Ok(FrameRef {
        frame,
        frames: h.page().frames(),
    })
}

pub(crate) async fn owner_frame(cx: &Cx<'_>, a: HandleArgs) -> Result<FrameRef, CallError> {
    let h = handle(cx, a.handle)?;
    let frame = h.owner_frame().await?;
    Ok(FrameRef {
        frame,
        frames: h.page().frames(),
    })
}

/// What the page runs for `addScriptTag` / `addStyleTag`: makes the element, waits for it to
/// load (a URL) and returns it.
const ADD_TAG: &str = r#"async ({ style, url, content, type }) => {
  const load = (el, what) => new Promise((resolve, reject) => {
    el.onload = () => resolve(el);
    el.onerror = () => reject(new Error(what));
  });
  if (style) {
    if (url) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = url;
      const loaded = load(link, 'Failed to load CSS from ' + url);
      document.head.appendChild(link);
      return await loaded;
    }
    const el = document.createElement('style');
    el.appendChild(document.createTextNode(content));
    const loaded = load(el, 'Failed to add style tag');
    (document.head || document.documentElement).appendChild(el);
    return await loaded;
  }
  const el = document.createElement('script');
  el.type = type || 'text/javascript';
  if (url) {
    el.src = url;
    const loaded = load(el, 'Failed to load script at ' + url);
    document.head.appendChild(el);
    return await loaded;
  }
  el.text = content;
  let error = null;
  const onError = (e) => { error = e.error; };
  window.addEventListener('error', onError);
  (document.head || document.documentElement).appendChild(el);
  window.removeEventListener('error', onError);
  if (error) throw error;
  return el;
}"#;

pub(crate) async fn add_tag(cx: &Cx<'_>, a: FrameAddTagArgs) -> Result<HandleInfo, CallError> {
    let what = if a.style {
        "frame.addStyleTag"
    } else {
        "frame.addScriptTag"
    };
    let content = match (&a.url, &a.path, a.content) {
        (Some(_), _, _) => None,
        (None, Some(path), _) => {
            let file = cx.resolve(path)?;
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CallError::new(format!("{what}: cannot read {path}: {e}")))?;
            // Named after its file in the page's stack traces.
            Some(if a.style {
                format!("{text}\n/*# sourceURL={path}*/")
            } else {
                format!("{text}\n//# sourceURL={path}")
            })
        }
        (None, None, Some(content)) => Some(content),
        (None, None, None) => {
            return Err(CallError::new(format!(
                "{what}: Provide an object with a `url`, `path` or `content` property"
            )));
        }
    };
    let f = frame(cx, a.page, a.frame, what)?;
    let arg = serde_json::json!({
        "t": "o",
        "id": 1,
        "v": [
            ["style", a.style],
            ["url", a.url.map_or(serde_json::json!({ "t": "u" }), serde_json::Value::String)],
            ["content", content.map_or(serde_json::json!({ "t": "u" }), serde_json::Value::String)],
            ["type", a.kind.map_or(serde_json::json!({ "t": "u" }), serde_json::Value::String)],
        ],
    });
    let h = f
        .evaluate_handle(ADD_TAG, arg, &[])
        .await
        .map_err(|e| named(what, e))?;
    keep(cx, h)
}

//! Running the injected engine: finding the isolated world of the right frame (descending
//! through `frame_locator` iframes), installing the engine there once per document, resolving
//! role parts from the accessibility tree, and calling into it.

use std::sync::Mutex;

use chromiumoxide::cdp::browser_protocol::dom;
use chromiumoxide::cdp::js_protocol::runtime;
use serde_json::Value;
use serde_json::json;

use super::Locator;
use super::is_context_gone;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::selector::Part;

/// The engine, with the node preview the handles use and the strict-mode locator generator
/// spliced in.
static INJECTED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    include_str!("injected.js")
        .replace("__PREVIEW__", crate::page::PREVIEW_JS)
        .replace("__AKA__", include_str!("aka.js"))
});

/// Execution contexts (target, context id) that already hold the injected engine.
static INSTALLED: Mutex<Vec<(String, i64)>> = Mutex::new(Vec::new());
const INSTALLED_KEEP: usize = 4096;

/// Where a locator's elements live: the frame's isolated world, and the frame's offset from
/// the page's top-left corner (for mouse input).
pub(crate) struct Exec {
    pub(crate) ctx: runtime::ExecutionContextId,
    pub(crate) offset: (f64, f64),
    /// The frame, when it is not the page's main frame (a `frame_locator` descends).
    pub(crate) frame: Option<chromiumoxide::cdp::browser_protocol::page::FrameId>,
    /// The element queries start from (an element handle's), in `ctx`; taken by the first call.
    pub(crate) root: Option<runtime::RemoteObjectId>,
    /// A frame to enter is not there: the locator matches nothing.
    pub(crate) missing: bool,
}

/// Parts that match nothing (a locator whose frame is missing).
pub(crate) fn nothing() -> Vec<Part> {
    vec![Part::Css {
        selector: ":not(*)".into(),
    }]
}

/// The world a call runs in: the frame's isolated one (the engine installed once), or its main
/// one (evaluations with the page's globals).
pub(crate) enum World {
    Isolated(runtime::ExecutionContextId),
    /// The main world, the object group the call's objects go in (released by the caller),
    /// and objects of that world for the body (as `rest`).
    Main(
        runtime::ExecutionContextId,
        Option<&'static str>,
        Vec<runtime::CallArgument>,
    ),
}

/// What a locator starts from.
#[derive(Clone)]
pub(crate) enum Root {
    /// The page's main frame.
    Page,
    /// A frame of the page (`page.frame(...)`, `frame.locator(...)`).
    Frame(chromiumoxide::cdp::browser_protocol::page::FrameId),
    /// An element handle: the element itself, and queries inside it.
    Element(crate::JsHandle),
}

/// The offset of a frame owner's content box from its frame's top-left corner.
pub(crate) async fn content_offset(
    cdp_page: &chromiumoxide::Page,
    owner: &runtime::RemoteObjectId,
) -> (f64, f64) {
    let mut params = runtime::CallFunctionOnParams::new(
        "function () { const r = this.getBoundingClientRect(); const s = getComputedStyle(this); return [r.left + this.clientLeft + parseFloat(s.paddingLeft), r.top + this.clientTop + parseFloat(s.paddingTop)]; }",
    );
    params.object_id = Some(owner.clone());
    params.return_by_value = Some(true);
    match cdp_page.execute(params).await {
        Ok(rect) => match rect.result.result.value {
            Some(Value::Array(xy)) => (
                xy.first().and_then(Value::as_f64).unwrap_or(0.0),
                xy.get(1).and_then(Value::as_f64).unwrap_or(0.0),
            ),
            _ => (0.0, 0.0),
        },
        Err(_) => (0.0, 0.0),
    }
}

/// The DOM node `object` (of any world) as an object of the world `ctx`.
pub(crate) async fn resolve_into(
    cdp_page: &chromiumoxide::Page,
    object: &runtime::RemoteObjectId,
    ctx: runtime::ExecutionContextId,
) -> Result<runtime::RemoteObjectId, BrowserError> {
    let node = crate::page::describe_node(cdp_page, object).await?;
    let resolved = cdp_page
        .execute(dom::ResolveNodeParams {
            node_id: None,
            backend_node_id: Some(node.backend_node_id),
            object_group: None,
            execution_context_id: Some(ctx),
        })
        .await
        .map_err(|e| cdp("DOM.resolveNode", e))?;
    resolved
        .result
        .object
        .object_id
        .ok_or_else(|| BrowserError::InvalidArgument("the node has no object".into()))
}

impl Locator {
    /// Runs `body` (which can use `ib`, the injected engine, and `parts`) in the isolated world
    /// of the locator's frame. `Ok(None)` means that document is not ready (navigating, or the
    /// frame is not attached yet): the caller retries.
    pub(crate) async fn run(&self, body: &str) -> Result<Option<Value>, BrowserError> {
        Ok(self.run_at(body).await?.map(|(v, _)| v))
    }

    /// [`Locator::run`], also returning the frame offset.
    pub(crate) async fn run_at(
        &self,
        body: &str,
    ) -> Result<Option<(Value, (f64, f64))>, BrowserError> {
        self.page.ensure_open("using a locator")?;
        if let Some(e) = &self.error {
            return Err(BrowserError::Selector {
                selector: self.description.clone(),
                reason: e.clone(),
            });
        }
        let Some(mut exec) = self.frame_exec().await? else {
            return Ok(None);
        };
        let root = exec.root.take();
        let parts = if exec.missing {
            nothing()
        } else {
            self.parts.clone()
        };
        let value = self.call(exec.ctx, &parts, body, true, None, root).await?;
        Ok(value.map(|o| (o.value.unwrap_or(Value::Null), exec.offset)))
    }

    /// Where the locator starts: the isolated world of its root's frame, that frame's offset,
    /// and (for an element handle's locator) the element, resolved into that world.
    async fn start(&self) -> Result<Option<Exec>, BrowserError> {
        if let Some(e) = &self.error {
            return Err(BrowserError::Selector {
                selector: self.description.clone(),
                reason: e.clone(),
            });
        }
        let cdp_page = self.page.cdp();
        let frame = match &self.root {
            Root::Page => None,
            Root::Frame(id) => Some(id.clone()),
            Root::Element(h) => h.frame_id().cloned(),
        };
        let ctx = match &frame {
            None => cdp_page.secondary_execution_context().await,
            Some(f) => {
                if self.page.frame(f.inner()).is_err() {
                    return Err(BrowserError::Evaluation {
                        message: "Frame was detached".into(),
                        stack: None,
                    });
                }
                cdp_page.frame_secondary_execution_context(f.clone()).await
            }
        }
        .map_err(|e| cdp("Runtime.executionContext", e))?;
        let Some(ctx) = ctx else {
            return Ok(None);
        };
        let offset = match &frame {
            None => (0.0, 0.0),
            Some(f) => match self.page.frame_offset(f).await {
                Ok(o) => o,
                Err(_) if self.page.frame(f.inner()).is_err() => {
                    return Err(BrowserError::Evaluation {
                        message: "Frame was detached".into(),
                        stack: None,
                    });
                }
                Err(e) => return Err(e),
            },
        };
        let root = match &self.root {
            Root::Element(h) => {
                let Some(id) = h.object_id()? else {
                    return Err(BrowserError::InvalidArgument(
                        "the handle is not an element".into(),
                    ));
                };
                match resolve_into(cdp_page, id, ctx).await {
                    Ok(id) => Some(id),
                    // The handle's document is gone (navigated, closed).
                    Err(_) => {
                        return Err(BrowserError::Evaluation {
                            message: "Element is not attached to the DOM".into(),
                            stack: None,
                        });
                    }
                }
            }
            _ => None,
        };
        Ok(Some(Exec {
            ctx,
            offset,
            frame,
            root,
            missing: false,
        }))
    }

    pub(crate) async fn frame_exec(&self) -> Result<Option<Exec>, BrowserError> {
        let cdp_page = self.page.cdp();
        let Some(mut exec) = self.start().await? else {
            return Ok(None);
        };
        for (i, frame_parts) in self.frames.iter().enumerate() {
            let body = "const r = ib.query(parts, ib.root); if (r.length !== 1) return r.length; return r[0];";
            let Some(found) = self
                .call(exec.ctx, frame_parts, body, false, None, exec.root.take())
                .await?
            else {
                return Ok(None);
            };
            let Some(object_id) = found.object_id.clone() else {
                let n = found.value.and_then(|v| v.as_u64()).unwrap_or(0);
                if n > 1 {
                    return Err(BrowserError::StrictMode {
                        locator: self
                            .frame_owners
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| format!("frame of {}", self.description)),
                        count: n as usize,
                        matches: Vec::new(),
                    });
                }
                // No such frame: nothing matches in it (a wait keeps waiting, `count` is 0).
                exec.missing = true;
                return Ok(Some(exec));
            };
            let node = crate::page::describe_node(cdp_page, &object_id).await.ok();
            let owner = node
                .as_ref()
                .is_some_and(|n| matches!(n.node_name.as_str(), "IFRAME" | "FRAME"));
            let Some(frame_id) = node.and_then(|n| n.frame_id).filter(|_| owner) else {
                let preview = if owner {
                    None
                } else {
                    let mut params = runtime::CallFunctionOnParams::new(
                        "function () { const h = this.outerHTML || ''; return h.length > 100 ? h.slice(0, 100) + '…' : h; }",
                    );
                    params.object_id = Some(object_id.clone());
                    params.return_by_value = Some(true);
                    cdp_page
                        .execute(params)
                        .await
                        .ok()
                        .and_then(|r| r.result.result.value)
                        .and_then(|v| v.as_str().map(str::to_string))
                };
                let _ = cdp_page
                    .execute(runtime::ReleaseObjectParams::new(object_id))
                    .await;
                // An <iframe> between documents (reattached, navigating) is waited for.
                let Some(preview) = preview else {
                    return Ok(None);
                };
                return Err(BrowserError::InvalidArgument(format!(
                    "{}: the frame selector resolved to {preview}, <iframe> was expected",
                    self.description
                )));
            };
            let xy = content_offset(cdp_page, &object_id).await;
            let _ = cdp_page
                .execute(runtime::ReleaseObjectParams::new(object_id))
                .await;
            exec.offset.0 += xy.0;
            exec.offset.1 += xy.1;
            match cdp_page
                .frame_secondary_execution_context(frame_id.clone())
                .await
            {
                Ok(Some(next)) => exec.ctx = next,
                _ => return Ok(None),
            }
            exec.frame = Some(frame_id);
        }
        Ok(Some(exec))
    }

    /// Calls `body` in the isolated world `ctx` with the engine bound to `parts`, starting
    /// from `root` (an element of that world, released after the call) or the document.
    /// `by_value` false returns the remote object (for element handles).
    pub(crate) async fn call(
        &self,
        ctx: runtime::ExecutionContextId,
        parts: &[Part],
        body: &str,
        by_value: bool,
        extra: Option<Value>,
        root: Option<runtime::RemoteObjectId>,
    ) -> Result<Option<runtime::RemoteObject>, BrowserError> {
        self.call_in(World::Isolated(ctx), parts, body, by_value, extra, root)
            .await
    }

    /// [`Locator::call`] in either world. In the page's main world the engine is made afresh
    /// for the call and held by no global, so the page cannot reach it (as Playwright's
    /// evaluations, which query in the main world); its matches are then objects of that world
    /// without a per-element round trip.
    pub(crate) async fn call_in(
        &self,
        world: World,
        parts: &[Part],
        body: &str,
        by_value: bool,
        extra: Option<Value>,
        root: Option<runtime::RemoteObjectId>,
    ) -> Result<Option<runtime::RemoteObject>, BrowserError> {
        let (ctx, main, group, rest) = match world {
            World::Isolated(ctx) => (ctx, false, None, Vec::new()),
            World::Main(ctx, group, rest) => (ctx, true, group, rest),
        };
        let cdp_page = self.page.cdp();
        let mut parts = parts.to_vec();
        let mut roles = Vec::new();
        crate::selector::assign_role_slots(&mut parts, &mut roles);
        // The sources of the custom engines these parts use, made into engines in the page.
        let mut used = Vec::new();
        crate::selector::custom_engines(&parts, &mut used);
        let engines: Vec<(String, String)> = self
            .page
            .context()
            .selector_engines()
            .into_iter()
            .filter(|(name, _)| used.contains(name))
            .collect();
        let parts = serde_json::to_string(&parts)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let key = cdp_page.target_id().inner().clone();
        let ctx_id = *ctx.inner();
        let installed = INSTALLED
            .lock()
            .map(|v| v.iter().any(|(k, c)| *k == key && *c == ctx_id))
            .unwrap_or(false);
        let (install, engine) = if main {
            (format!("const engine = {};\n", &*INJECTED), "engine")
        } else if installed {
            (String::new(), "globalThis.__isolateBrowser")
        } else {
            (
                format!("globalThis.__isolateBrowser ??= {};\n", &*INJECTED),
                "globalThis.__isolateBrowser",
            )
        };
        let mut meta = Vec::new();
        let mut arguments = Vec::new();
        for (role, options) in &roles {
            let set = match crate::role::resolve(cdp_page, ctx, role, options).await {
                Ok(set) => set,
                Err(e) if is_context_gone(&e) => return Ok(None),
                Err(e) => return Err(e),
            };
            meta.push(json!({
                "count": set.object_ids.len(),
                "names": set.names,
                "descriptions": set.descriptions,
            }));
            arguments.extend(set.object_ids.into_iter().map(|id| runtime::CallArgument {
                value: None,
                unserializable_value: None,
                object_id: Some(id),
            }));
        }
        arguments.extend(rest);
        arguments.insert(
            0,
            runtime::CallArgument {
                value: Some(json!({ "roles": meta, "extra": extra, "engines": engines })),
                unserializable_value: None,
                object_id: None,
            },
        );
        arguments.insert(
            1,
            runtime::CallArgument {
                value: root.is_none().then_some(Value::Null),
                unserializable_value: None,
                object_id: root.clone(),
            },
        );
        let strict = self.strict;
        let function = format!(
            "async function (meta, rootEl, ...els) {{ {install}if (!{engine}) return {{ __notInstalled: true }}; const roleSets = []; let at = 0; for (const m of meta.roles) {{ roleSets.push({{ elements: els.slice(at, at + m.count), names: m.names, descriptions: m.descriptions }}); at += m.count; }} const rest = els.slice(at); const ib = {engine}.make(roleSets, rootEl ?? document, {strict}, meta.engines); const parts = {parts}; const extra = meta.extra; {body} }}"
        );
        let mut params = runtime::CallFunctionOnParams::new(function);
        params.arguments = Some(arguments);
        params.execution_context_id = Some(ctx);
        params.return_by_value = Some(by_value);
        params.await_promise = Some(true);
        params.object_group = group.map(str::to_string);
        let outcome = cdp_page.execute(params).await;
        if let Some(root) = root {
            let _ = cdp_page
                .execute(runtime::ReleaseObjectParams::new(root))
                .await;
        }
        if !roles.is_empty() {
            let _ = cdp_page
                .execute(runtime::ReleaseObjectGroupParams::new(
                    crate::role::OBJECT_GROUP,
                ))
                .await;
        }
        let res = match outcome {
            Ok(res) => res,
            Err(e) => {
                let err = cdp("Runtime.callFunctionOn", e);
                // The context died under us (navigation): the caller retries, unless the page
                // itself is gone.
                if is_context_gone(&err) && !self.page.is_closed() {
                    return Ok(None);
                }
                return Err(err);
            }
        };
        if let Some(ex) = res.result.exception_details {
            let err = crate::page::exception(&ex);
            if is_context_gone(&err) {
                return Ok(None);
            }
            return Err(err);
        }
        let result = res.result.result;
        let not_installed = result
            .value
            .as_ref()
            .is_some_and(|v| v.get("__notInstalled").is_some());
        if main {
            return Ok(Some(result));
        }
        if let Ok(mut v) = INSTALLED.lock() {
            v.retain(|(k, c)| !(*k == key && *c == ctx_id));
            if !not_installed {
                if v.len() >= INSTALLED_KEEP {
                    v.remove(0);
                }
                v.push((key, ctx_id));
            }
        }
        if not_installed {
            return Ok(None);
        }
        Ok(Some(result))
    }
}

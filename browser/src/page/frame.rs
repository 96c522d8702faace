//! [`Frame`]: one frame of a page (Playwright's `Frame`): evaluation in its main world,
//! locators that start in its document, its content, its `<iframe>` element, and navigation.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::dom;
use chromiumoxide::cdp::browser_protocol::page::FrameId;
use chromiumoxide::cdp::js_protocol::runtime;
use serde_json::Value;

use super::JsHandle;
use super::Page;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::locator::Locator;

/// A frame of a page. It stays valid while the frame is attached; calls on a detached frame
/// fail with Playwright's "Frame was detached".
#[derive(Clone)]
pub struct Frame {
    page: Page,
    id: FrameId,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame({})", self.id.inner())
    }
}

fn detached() -> BrowserError {
    BrowserError::Evaluation {
        message: "Frame was detached".into(),
        stack: None,
    }
}

impl Page {
    /// The frame with this id, if it is attached.
    pub fn frame(&self, id: &str) -> Result<Frame, BrowserError> {
        if !self.frames().iter().any(|f| f.id == id) {
            return Err(detached());
        }
        Ok(Frame {
            page: self.clone(),
            id: FrameId::new(id),
        })
    }

    /// The offset of `frame`'s viewport from the page's top-left corner (its owners' content
    /// boxes, summed up to the main frame).
    pub(crate) async fn frame_offset(&self, frame: &FrameId) -> Result<(f64, f64), BrowserError> {
        let tree = self.frames();
        let cdp_page = self.cdp();
        let mut offset = (0.0, 0.0);
        let mut at = frame.inner().clone();
        while let Some(parent) = tree
            .iter()
            .find(|f| f.id == at)
            .and_then(|f| f.parent.clone())
        {
            let object = frame_owner(cdp_page, FrameId::new(at.clone()), None).await?;
            if let Some(id) = object.object_id {
                let xy = crate::locator::content_offset(cdp_page, &id).await;
                let _ = cdp_page
                    .execute(runtime::ReleaseObjectParams::new(id))
                    .await;
                offset.0 += xy.0;
                offset.1 += xy.1;
            }
            at = parent;
        }
        Ok(offset)
    }
}

impl Frame {
    /// The frame's id.
    pub fn id(&self) -> &str {
        self.id.inner()
    }

    /// The page the frame belongs to.
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// Whether the frame has left its page.
    pub fn is_detached(&self) -> bool {
        !self.page.frames().iter().any(|f| f.id == *self.id.inner())
    }

    /// The execution context of the frame's main world, waiting (up to the action timeout) while
    /// the frame is between documents.
    pub(crate) async fn main_context(&self) -> Result<runtime::ExecutionContextId, BrowserError> {
        let deadline = tokio::time::Instant::now() + self.page.action_timeout();
        loop {
            self.page.ensure_open("evaluating in a frame")?;
            if self.is_detached() {
                return Err(detached());
            }
            let ctx = self
                .page
                .cdp()
                .frame_execution_context(self.id.clone())
                .await
                .map_err(|e| cdp("Runtime.executionContext", e))?;
            if let Some(ctx) = ctx {
                return Ok(ctx);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: "frame.evaluate".into(),
                    timeout: self.page.action_timeout(),
                    call_log: vec!["waiting for the frame's document".into()],
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Runs an evaluation in the frame's main world; a frame that detaches meanwhile fails with
    /// "Frame was detached".
    async fn evaluate_in(
        &self,
        expression: &str,
        by_value: bool,
    ) -> Result<runtime::RemoteObject, BrowserError> {
        let ctx = self.main_context().await?;
        match self
            .page
            .evaluate_remote(expression, Some(ctx), by_value)
            .await
        {
            Err(e) if self.is_detached() => {
                let _ = e;
                Err(detached())
            }
            other => other,
        }
    }

    /// Calls `function` (a wire function) with `handles` in the frame's main world.
    async fn call_in(
        &self,
        function: &str,
        handles: &[JsHandle],
        by_value: bool,
    ) -> Result<runtime::RemoteObject, BrowserError> {
        let ctx = self.main_context().await?;
        match self
            .page
            .call_wire(Some(&self.id), Some(ctx), function, handles, by_value)
            .await
        {
            Err(BrowserError::Protocol { .. } | BrowserError::Evaluation { .. })
                if self.is_detached() =>
            {
                Err(detached())
            }
            other => other,
        }
    }

    /// [`Page::evaluate_wire`] in this frame.
    pub async fn evaluate_wire(
        &self,
        script: &str,
        arg: Value,
        handles: &[JsHandle],
    ) -> Result<Value, BrowserError> {
        let function = super::wire_function(script, &arg, true)?;
        super::wire_value(self.call_in(&function, handles, true).await?.value)
    }

    /// [`Page::evaluate_handle`] in this frame.
    pub async fn evaluate_handle(
        &self,
        script: &str,
        arg: Value,
        handles: &[JsHandle],
    ) -> Result<JsHandle, BrowserError> {
        let function = super::wire_function(script, &arg, false)?;
        self.evaluate_function_handle(&function, handles).await
    }

    /// Calls the function source `function` with `handles` in this frame's main world and
    /// keeps the result in the page.
    pub(crate) async fn evaluate_function_handle(
        &self,
        function: &str,
        handles: &[JsHandle],
    ) -> Result<JsHandle, BrowserError> {
        let remote = self.call_in(function, handles, false).await?;
        JsHandle::from_remote(self.page.clone(), Some(self.id.clone()), remote).await
    }

    async fn evaluate_plain(&self, expression: &str) -> Result<Value, BrowserError> {
        Ok(self
            .evaluate_in(expression, true)
            .await?
            .value
            .unwrap_or(Value::Null))
    }

    /// A locator that starts in this frame's document.
    pub fn locator(&self, selector: &str) -> Locator {
        self.root().locator(selector)
    }

    /// The empty locator of this frame's document (locators are built from it).
    pub fn root(&self) -> Locator {
        Locator::starting_at(
            self.page.clone(),
            crate::locator::Root::Frame(self.id.clone()),
            String::new(),
        )
    }

    /// The document's title.
    pub async fn title(&self) -> Result<String, BrowserError> {
        let v = self.evaluate_plain("document.title").await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// The frame's HTML, doctype included.
    pub async fn content(&self) -> Result<String, BrowserError> {
        let v = self
            .evaluate_plain(
                "(() => { let s = ''; if (document.doctype) s = new XMLSerializer().serializeToString(document.doctype); return s + (document.documentElement ? document.documentElement.outerHTML : ''); })()",
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Replaces the frame's document with `html` and waits for it to load.
    pub async fn set_content(&self, html: &str) -> Result<(), BrowserError> {
        let html = serde_json::to_string(html)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        self.evaluate_plain(&format!(
            "(async () => {{ document.open(); document.write({html}); document.close(); if (document.readyState !== 'complete') await new Promise((r) => addEventListener('load', r, {{ once: true }})); }})()"
        ))
        .await?;
        Ok(())
    }

    /// The `<iframe>` / `<frame>` element that holds this frame, as a handle of its parent's
    /// main world. The main frame has none.
    pub async fn frame_element(&self) -> Result<JsHandle, BrowserError> {
        let parent = self
            .page
            .frames()
            .into_iter()
            .find(|f| f.id == *self.id.inner())
            .ok_or_else(detached)?
            .parent
            .ok_or_else(|| BrowserError::Evaluation {
                message: "Frame has been detached.".into(),
                stack: None,
            })?;
        let parent = self.page.frame(&parent)?;
        let ctx = parent.main_context().await?;
        let object = frame_owner(self.page.cdp(), self.id.clone(), Some(ctx)).await?;
        JsHandle::from_remote(self.page.clone(), Some(parent.id.clone()), object).await
    }

    /// Navigates the frame to `url` and waits for its document to load.
    pub async fn goto(
        &self,
        url: &str,
        options: super::GotoOptions,
    ) -> Result<Option<super::Response>, BrowserError> {
        if self.is_detached() {
            return Err(detached());
        }
        let url = self.page.resolve_url(url);
        let context = self.page.context();
        context
            .network_policy()
            .check_navigation(&url)
            .map_err(|refusal| BrowserError::Refused {
                what: "frame.goto".into(),
                refusal,
            })?;
        let mark = context.network_mark();
        let timeout = options.timeout.unwrap_or(self.page.navigation_timeout());
        // Started from the frame's own document (its isolated world): chromiumoxide holds a
        // `Page.navigate` until the main frame loads, which a child's navigation never does.
        let ctx = self
            .page
            .cdp()
            .frame_secondary_execution_context(self.id.clone())
            .await
            .map_err(|e| cdp("Runtime.executionContext", e))?
            .ok_or_else(detached)?;
        let nav = {
            let page = self.page.cdp().clone();
            let mut params = runtime::EvaluateParams::new(format!(
                "location.href = {}; undefined",
                Value::String(url.clone())
            ));
            params.context_id = Some(ctx);
            async move {
                page.execute(params)
                    .await
                    .map(|_| super::navigation::NavOutcome::default())
            }
        };
        let result = self
            .page
            .wait_navigation(
                &url,
                "frame.goto",
                options.wait_until,
                timeout,
                nav,
                Some(self.id.inner()),
            )
            .await;
        match self.page.explain_failure("frame.goto", mark, result) {
            Err(_) if self.is_detached() => Err(detached()),
            other => other,
        }
    }
}

/// The `<iframe>` element that holds `frame`, as an object of the world `ctx` (the parent's
/// main world when `None`).
async fn frame_owner(
    cdp_page: &chromiumoxide::Page,
    frame: FrameId,
    ctx: Option<runtime::ExecutionContextId>,
) -> Result<runtime::RemoteObject, BrowserError> {
    let owner = cdp_page
        .execute(dom::GetFrameOwnerParams::new(frame))
        .await
        .map_err(|e| cdp("DOM.getFrameOwner", e))?;
    let object = cdp_page
        .execute(dom::ResolveNodeParams {
            node_id: None,
            backend_node_id: Some(owner.result.backend_node_id),
            object_group: None,
            execution_context_id: ctx,
        })
        .await
        .map_err(|e| cdp("DOM.resolveNode", e))?;
    Ok(object.result.object)
}

//! [`JsHandle`]: a value that stays in the page (Playwright's `JSHandle`): an object of the
//! page's main world held by its CDP remote object id, or a primitive held by value. Values
//! cross in the evaluate wire format ([`Page::evaluate_wire`]).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;

use chromiumoxide::cdp::js_protocol::runtime;
use serde_json::Value;
use serde_json::json;

use chromiumoxide::cdp::browser_protocol::dom;
use chromiumoxide::cdp::browser_protocol::page::FrameId;

use super::Page;
use super::WIRE_JS;
use crate::error::BrowserError;
use crate::error::cdp;

/// What a handle holds.
#[derive(Debug, Clone)]
enum Held {
    /// An object (or symbol) of the page.
    Object(runtime::RemoteObjectId),
    /// A primitive, in the wire format.
    Value(Value),
}

/// A value that stays in the page. Clones share it; [`JsHandle::dispose`] releases it.
#[derive(Clone)]
pub struct JsHandle {
    page: Page,
    /// The frame whose main world holds the value (`None`: the main frame).
    frame: Option<FrameId>,
    held: Held,
    preview: String,
    is_element: bool,
    disposed: Arc<AtomicBool>,
}

impl std::fmt::Debug for JsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.preview)
    }
}

impl Page {
    /// Evaluates `script` (an expression or a function source called with the wire-format
    /// `arg`) and keeps the result in the page.
    pub async fn evaluate_handle(
        &self,
        script: &str,
        arg: Value,
        handles: &[JsHandle],
    ) -> Result<JsHandle, BrowserError> {
        self.ensure_open("evaluating")?;
        let function = super::wire_function(script, &arg, false)?;
        self.evaluate_function_handle(&function, handles).await
    }

    /// Calls the function source `function` with `handles` in the main frame and keeps the
    /// result in the page.
    pub(crate) async fn evaluate_function_handle(
        &self,
        function: &str,
        handles: &[JsHandle],
    ) -> Result<JsHandle, BrowserError> {
        let remote = self.call_wire(None, None, function, handles, false).await?;
        JsHandle::from_remote(self.clone(), None, remote).await
    }
}

impl JsHandle {
    pub(crate) async fn from_remote(
        page: Page,
        frame: Option<FrameId>,
        remote: runtime::RemoteObject,
    ) -> Result<Self, BrowserError> {
        let is_element = remote.subtype == Some(runtime::RemoteObjectSubtype::Node);
        let (held, mut preview) = match &remote.object_id {
            Some(id) => (Held::Object(id.clone()), object_preview(&remote)),
            None => {
                let wire = primitive_wire(&remote);
                let preview = primitive_preview(&remote);
                (Held::Value(wire), preview)
            }
        };
        let handle = Self {
            page,
            frame,
            held,
            preview: String::new(),
            is_element,
            disposed: Arc::new(AtomicBool::new(false)),
        };
        if is_element {
            let node = handle
                .call(super::PREVIEW_JS, &[], true)
                .await
                .ok()
                .and_then(|v| super::wire_value(v.value).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| "node".into());
            preview = format!("JSHandle@{node}");
        }
        Ok(Self { preview, ..handle })
    }

    /// Playwright's `toString()`: the primitive itself, `JSHandle@object` for plain objects,
    /// `JSHandle@<tag …>…</tag>` for elements, the class otherwise (`Promise`, `Array(3)`).
    pub fn preview(&self) -> &str {
        &self.preview
    }

    /// The string the handle holds by value, if it is one.
    pub(crate) fn held_string(&self) -> Option<&str> {
        match &self.held {
            Held::Value(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// Whether the value is a DOM node.
    pub fn is_element(&self) -> bool {
        self.is_element
    }

    /// The page the value lives in.
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// The frame whose world holds the value (`None`: the page's main frame).
    pub(crate) fn frame_id(&self) -> Option<&FrameId> {
        self.frame.as_ref()
    }

    /// The execution context of the world that holds the value.
    async fn context(&self) -> Result<runtime::ExecutionContextId, BrowserError> {
        match &self.frame {
            Some(f) => self.page.frame(f.inner())?.main_context().await,
            None => self
                .page
                .cdp()
                .execution_context()
                .await
                .map_err(|e| cdp("Runtime.executionContext", e))?
                .ok_or_else(|| {
                    BrowserError::Closed(Some("evaluating: the page is navigating".into()))
                }),
        }
    }

    /// A primitive's value as a call argument (`undefined`, `NaN` and BigInts unserializable).
    pub(crate) fn primitive_argument(&self) -> runtime::CallArgument {
        let (value, unserializable) = match &self.held {
            Held::Value(v) => match v.get("t").and_then(Value::as_str) {
                Some("u") => (None, None),
                Some("n") => (None, v["v"].as_str().map(str::to_string)),
                Some("b") => (None, v["v"].as_str().map(|d| format!("{d}n"))),
                _ => (Some(v.clone()), None),
            },
            Held::Object(_) => (None, None),
        };
        runtime::CallArgument {
            value,
            unserializable_value: unserializable.map(Into::into),
            object_id: None,
        }
    }

    /// The page object's remote id (`None` for a primitive), after checking it is not disposed.
    pub(crate) fn object_id(&self) -> Result<Option<&runtime::RemoteObjectId>, BrowserError> {
        self.ensure_live()?;
        Ok(match &self.held {
            Held::Object(id) => Some(id),
            Held::Value(_) => None,
        })
    }

    fn ensure_live(&self) -> Result<(), BrowserError> {
        self.page.ensure_open("using a handle")?;
        if self.disposed.load(Ordering::SeqCst) {
            return Err(BrowserError::Evaluation {
                message: "JSHandle is disposed".into(),
                stack: None,
            });
        }
        Ok(())
    }

    /// Calls `function(value, ...args)` in the page; `args` are wire-format values.
    async fn call(
        &self,
        function: &str,
        args: &[Value],
        by_value: bool,
    ) -> Result<runtime::RemoteObject, BrowserError> {
        self.call_with(function, args, &[], by_value, true).await
    }

    /// [`Self::call`] with handles the wire-format `args` name.
    async fn call_with(
        &self,
        function: &str,
        args: &[Value],
        handles: &[JsHandle],
        by_value: bool,
        settle: bool,
    ) -> Result<runtime::RemoteObject, BrowserError> {
        // `settle`: a promise the function returns is waited for (evaluate); without it the
        // promise itself is the result (`getProperty` of a promise).
        let (kw, wait) = if settle {
            ("async ", "await ")
        } else {
            ("", "")
        };
        let mut arguments: Vec<runtime::CallArgument> = Vec::new();
        let declaration;
        let n = args.len();
        let mut params = match &self.held {
            Held::Object(id) => {
                declaration = format!(
                    "{kw}function (...a) {{ const w = {WIRE_JS}; const hs = a.slice({n}); const r = {wait}({function})(this, ...a.slice(0, {n}).map((x) => w.parse(x, hs))); return {}; }}",
                    if by_value { "w.text(r)" } else { "r" }
                );
                let mut p = runtime::CallFunctionOnParams::new(declaration);
                p.object_id = Some(id.clone());
                p
            }
            Held::Value(v) => {
                declaration = format!(
                    "{kw}function (v, ...a) {{ const w = {WIRE_JS}; const hs = a.slice({n}); const r = {wait}({function})(w.parse(v), ...a.slice(0, {n}).map((x) => w.parse(x, hs))); return {}; }}",
                    if by_value { "w.text(r)" } else { "r" }
                );
                arguments.push(runtime::CallArgument {
                    value: Some(v.clone()),
                    unserializable_value: None,
                    object_id: None,
                });
                let mut p = runtime::CallFunctionOnParams::new(declaration);
                p.execution_context_id = Some(self.context().await?);
                p
            }
        };
        arguments.extend(args.iter().map(|a| runtime::CallArgument {
            value: Some(a.clone()),
            unserializable_value: None,
            object_id: None,
        }));
        if !handles.is_empty() {
            let ctx = self.context().await?;
            arguments.extend(
                super::handle_arguments(&self.page, self.frame.as_ref(), ctx, handles).await?,
            );
        }
        params.arguments = Some(arguments);
        params.return_by_value = Some(by_value);
        params.await_promise = Some(settle);
        let res = self
            .page
            .cdp()
            .execute(params)
            .await
            .map_err(|e| cdp("Runtime.callFunctionOn", e))?;
        if let Some(ex) = res.result.exception_details {
            return Err(super::exception(&ex));
        }
        Ok(res.result.result)
    }

    /// `handle.evaluate(fn, arg)`: `fn(value, arg)` in the page; the result in the wire format.
    pub async fn evaluate(
        &self,
        function: &str,
        arg: Value,
        handles: &[JsHandle],
    ) -> Result<Value, BrowserError> {
        self.ensure_live()?;
        super::wire_value(
            self.call_with(function, &[arg], handles, true, true)
                .await?
                .value,
        )
    }

    /// `handle.evaluateHandle(fn, arg)`.
    pub async fn evaluate_handle(
        &self,
        function: &str,
        arg: Value,
        handles: &[JsHandle],
    ) -> Result<Self, BrowserError> {
        self.ensure_live()?;
        let remote = self
            .call_with(function, &[arg], handles, false, true)
            .await?;
        Self::from_remote(self.page.clone(), self.frame.clone(), remote).await
    }

    /// `handle.jsonValue()`, in the wire format.
    pub async fn json_value(&self) -> Result<Value, BrowserError> {
        self.ensure_live()?;
        match &self.held {
            Held::Value(v) => Ok(v.clone()),
            Held::Object(_) => self.evaluate("(v) => v", json!({ "t": "u" }), &[]).await,
        }
    }

    /// `handle.getProperty(name)`.
    pub async fn get_property(&self, name: &str) -> Result<Self, BrowserError> {
        self.ensure_live()?;
        let remote = self
            .call_with(
                "(v, n) => v[n]",
                &[Value::String(name.to_string())],
                &[],
                false,
                false,
            )
            .await?;
        Self::from_remote(self.page.clone(), self.frame.clone(), remote).await
    }

    /// `handle.getProperties()`: every enumerable property (own and inherited), by name.
    pub async fn get_properties(&self) -> Result<Vec<(String, Self)>, BrowserError> {
        self.ensure_live()?;
        let names = self
            .evaluate(
                "(v) => { if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return []; const out = []; for (const k in v) out.push(k); return out; }",
                json!({ "t": "u" }),
                &[],
            )
            .await?;
        let names: Vec<String> = names["v"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let value = self.get_property(&name).await?;
            out.push((name, value));
        }
        Ok(out)
    }

    /// The frame an `<iframe>` / `<frame>` element holds (`None` for other values).
    pub async fn content_frame(&self) -> Result<Option<String>, BrowserError> {
        let Some(id) = self.object_id()? else {
            return Ok(None);
        };
        if !self.is_element {
            return Ok(None);
        }
        let node = super::describe_node(self.page.cdp(), id).await?;
        let owner = matches!(node.node_name.as_str(), "IFRAME" | "FRAME");
        let Some(frame) = node.frame_id.filter(|_| owner) else {
            return Ok(None);
        };
        let frame = frame.inner().clone();
        Ok(self
            .page
            .frames()
            .iter()
            .any(|f| f.id == frame)
            .then_some(frame))
    }

    /// The frame whose document holds the node (`None` for values that are not nodes, and
    /// for nodes whose document is in no frame of the page).
    pub async fn owner_frame(&self) -> Result<Option<String>, BrowserError> {
        self.ensure_live()?;
        if !self.is_element {
            return Ok(None);
        }
        let doc = self
            .call("(n) => n.nodeType === 9 ? n : n.ownerDocument", &[], false)
            .await?;
        let Some(doc) = doc.object_id else {
            return Ok(None);
        };
        let cdp_page = self.page.cdp();
        let wanted = backend_id(cdp_page, &doc).await;
        let _ = cdp_page
            .execute(runtime::ReleaseObjectParams::new(doc))
            .await;
        let Some(wanted) = wanted else {
            return Ok(None);
        };
        for f in self.page.frames() {
            let Ok(Some(ctx)) = cdp_page
                .frame_execution_context(FrameId::new(f.id.clone()))
                .await
            else {
                continue;
            };
            let Ok(remote) = self
                .page
                .evaluate_remote("document", Some(ctx), false)
                .await
            else {
                continue;
            };
            let Some(obj) = remote.object_id else {
                continue;
            };
            let found = backend_id(cdp_page, &obj).await;
            let _ = cdp_page
                .execute(runtime::ReleaseObjectParams::new(obj))
                .await;
            if found == Some(wanted) {
                return Ok(Some(f.id));
            }
        }
        Ok(None)
    }

    /// Releases the value; later calls fail with "JSHandle is disposed".
    pub async fn dispose(&self) -> Result<(), BrowserError> {
        if self.disposed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        if let Held::Object(id) = &self.held
            && !self.page.is_closed()
        {
            let _ = self
                .page
                .cdp()
                .execute(runtime::ReleaseObjectParams::new(id.clone()))
                .await;
        }
        Ok(())
    }
}

async fn backend_id(
    cdp_page: &chromiumoxide::Page,
    object: &runtime::RemoteObjectId,
) -> Option<dom::BackendNodeId> {
    super::describe_node(cdp_page, object)
        .await
        .ok()
        .map(|n| n.backend_node_id)
}

fn primitive_wire(remote: &runtime::RemoteObject) -> Value {
    if let Some(u) = &remote.unserializable_value {
        let u: &str = u.as_ref();
        return match u.strip_suffix('n') {
            Some(digits) if !digits.is_empty() && u != "NaN" => json!({ "t": "b", "v": digits }),
            _ => json!({ "t": "n", "v": u }),
        };
    }
    match remote.r#type {
        runtime::RemoteObjectType::Undefined => json!({ "t": "u" }),
        _ => remote.value.clone().unwrap_or(Value::Null),
    }
}

fn primitive_preview(remote: &runtime::RemoteObject) -> String {
    if remote.subtype == Some(runtime::RemoteObjectSubtype::Null) {
        return "null".into();
    }
    if let Some(u) = &remote.unserializable_value {
        let u: &str = u.as_ref();
        return u.trim_end_matches('n').to_string();
    }
    match &remote.value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) => "null".into(),
        Some(v) => v.to_string(),
        None => match remote.r#type {
            runtime::RemoteObjectType::Undefined => "undefined".into(),
            _ => remote.description.clone().unwrap_or_default(),
        },
    }
}

fn object_preview(remote: &runtime::RemoteObject) -> String {
    if remote.subtype == Some(runtime::RemoteObjectSubtype::Null) {
        return "null".into();
    }
    if remote.class_name.as_deref() == Some("Object")
        && remote.subtype != Some(runtime::RemoteObjectSubtype::Proxy)
    {
        return "JSHandle@object".into();
    }
    remote
        .description
        .clone()
        .or_else(|| remote.class_name.clone())
        .unwrap_or_else(|| "JSHandle@object".into())
}

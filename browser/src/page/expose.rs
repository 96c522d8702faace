//! `page.exposeBinding` / `exposeFunction`: a function of the page's main world whose calls
//! come back to the host (CDP `Runtime.addBinding`) and whose result the host delivers into
//! the calling context. Arguments and results cross in the evaluate wire format.

use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use chromiumoxide::cdp::js_protocol::runtime;
use serde_json::Value;

use super::Page;
use super::WIRE_JS;
use crate::error::BrowserError;
use crate::error::cdp;

/// The CDP binding every exposed function calls through.
pub(crate) const EXPOSE_BINDING: &str = "__isolateBrowserExpose";

/// A call of an exposed function, as the page made it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingCall {
    /// The exposed name.
    pub name: String,
    /// The call's number in its context.
    pub call: u64,
    /// The execution context the call came from (the answer goes back there).
    pub context: i64,
    /// The arguments, each in the wire format.
    pub args: Vec<Value>,
}

/// Parses a binding payload (`{ name, id, args }`); `None` for anything else.
pub(crate) fn binding_call(context: i64, payload: &str) -> Option<BindingCall> {
    let v: Value = serde_json::from_str(payload).ok()?;
    Some(BindingCall {
        name: v.get("name")?.as_str()?.to_string(),
        call: v.get("id")?.as_u64()?,
        context,
        args: v.get("args")?.as_array()?.clone(),
    })
}

fn installer(name: &str) -> Result<String, BrowserError> {
    let name =
        serde_json::to_string(name).map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
    Ok(format!(
        "(() => {{ const b = globalThis.{EXPOSE_BINDING}; if (typeof b !== 'function') return; const w = {WIRE_JS}; const st = globalThis.__isolateBrowserExposed ??= {{ seq: 0, calls: new Map() }}; st.deliver ??= (id, ok, value) => {{ const c = st.calls.get(id); if (!c) return; st.calls.delete(id); if (ok) c.resolve(w.parse(value)); else {{ const e = new Error(value.message); if (value.stack) e.stack = value.stack; c.reject(e); }} }}; const name = {name}; Object.defineProperty(globalThis, name, {{ configurable: true, writable: true, value: (...args) => new Promise((resolve, reject) => {{ const id = ++st.seq; st.calls.set(id, {{ resolve, reject }}); b(JSON.stringify({{ name, id, args: args.map((a) => w.serialize(a)) }})); }}) }}); }})();"
    ))
}

impl Page {
    /// Defines `window[name]` in every frame, now and after every navigation; its calls arrive
    /// as [`super::PageEvent::Binding`]. Fails if the name is taken by an earlier call.
    pub async fn expose_binding(&self, name: &str) -> Result<(), BrowserError> {
        self.ensure_open("exposing a function")?;
        {
            let mut exposed = self
                .inner
                .exposed
                .lock()
                .map_err(|_| BrowserError::InvalidArgument("exposed names poisoned".into()))?;
            if exposed.iter().any(|n| n == name) {
                return Err(BrowserError::InvalidArgument(format!(
                    "Function \"{name}\" has been already registered"
                )));
            }
            exposed.push(name.to_string());
        }
        let cdp_page = self.cdp();
        cdp_page
            .execute(runtime::AddBindingParams::new(EXPOSE_BINDING))
            .await
            .map_err(|e| cdp("Runtime.addBinding", e))?;
        let source = installer(name)?;
        cdp_page
            .execute(cdp_page::AddScriptToEvaluateOnNewDocumentParams::new(
                source.clone(),
            ))
            .await
            .map_err(|e| cdp("Page.addScriptToEvaluateOnNewDocument", e))?;
        for f in self.frames() {
            let ctx = cdp_page
                .frame_execution_context(cdp_page::FrameId::new(f.id))
                .await
                .ok()
                .flatten();
            if let Some(ctx) = ctx {
                let _ = self.evaluate_remote(&source, Some(ctx), true).await;
            }
        }
        Ok(())
    }

    /// Answers a [`BindingCall`]: its result (wire format), or the error the function threw.
    pub async fn deliver_binding(
        &self,
        call: &BindingCall,
        outcome: Result<Value, (String, Option<String>)>,
    ) -> Result<(), BrowserError> {
        let (ok, value) = match outcome {
            Ok(v) => (true, v),
            Err((message, stack)) => (
                false,
                serde_json::json!({ "message": message, "stack": stack }),
            ),
        };
        let value = serde_json::to_string(&value)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let expression = format!(
            "globalThis.__isolateBrowserExposed?.deliver({}, {ok}, {value})",
            call.call
        );
        // The calling document may be gone: nobody waits for the answer then.
        let _ = self
            .evaluate_remote(
                &expression,
                Some(runtime::ExecutionContextId::new(call.context)),
                true,
            )
            .await;
        Ok(())
    }
}

//! Evaluating in the page's own world with a locator's elements as arguments
//! (`page.$eval`, `$$eval`, `locator.evaluateAll`): the elements are found by the engine in
//! the isolated world, then resolved into the frame's main world by their DOM node, so the
//! function sees the page's globals as Playwright's does.

use chromiumoxide::cdp::js_protocol::runtime;
use serde_json::Value;

use super::Locator;
use super::exec::World;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::wait::Attempt;
use crate::wait::CallLog;
use crate::wait::poll;

/// The object group of remote objects made for one evaluation (released together).
const GROUP: &str = "isolate-browser-eval";

/// A locator's matches in the main world of its frame: the frame (`None`: the main frame), that
/// world's context, and the elements.
type MainWorldStart = (
    Option<chromiumoxide::cdp::browser_protocol::page::FrameId>,
    runtime::ExecutionContextId,
    Vec<crate::selector::Part>,
    Option<runtime::RemoteObjectId>,
);

type MainWorldElements = (
    Option<chromiumoxide::cdp::browser_protocol::page::FrameId>,
    runtime::ExecutionContextId,
    Vec<runtime::RemoteObject>,
);

impl Locator {
    /// Calls `function(elements, arg)` (`all`) or `function(firstElement, arg)` in the main
    /// world of the locator's frame, now, without waiting; `arg` and the result are in the
    /// evaluate wire format ([`crate::Page::evaluate_wire`]). With `all` false and nothing
    /// matching, fails with Playwright's "Failed to find element matching selector" naming
    /// `selector` (the caller's spelling; the locator's description when `None`).
    pub async fn eval_on_selector(
        &self,
        function: &str,
        arg: Option<Value>,
        handles: &[crate::JsHandle],
        all: bool,
        selector: Option<&str>,
    ) -> Result<Value, BrowserError> {
        let cdp_page = self.page.cdp().clone();
        let result = self
            .eval_in_main(&cdp_page, function, arg, handles, all, selector)
            .await;
        let _ = cdp_page
            .execute(runtime::ReleaseObjectGroupParams::new(GROUP))
            .await;
        result
    }

    async fn eval_in_main(
        &self,
        cdp_page: &chromiumoxide::Page,
        function: &str,
        arg: Option<Value>,
        handles: &[crate::JsHandle],
        all: bool,
        selector: Option<&str>,
    ) -> Result<Value, BrowserError> {
        let (frame, main, parts, root) = self.main_world_start(cdp_page).await?;
        let rest = crate::page::handle_arguments(&self.page, frame.as_ref(), main, handles).await?;
        // The query and the function run in one call: the matches never leave the page. The
        // function is made by a global eval, so it sees the page's globals, not our locals.
        let wire = crate::page::WIRE_JS;
        let source = serde_json::to_string(function)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let target = if all { "found" } else { "found[0]" };
        let body = format!(
            "const found = ib.query(parts, ib.root); if ({none} && found.length === 0) return 0; const w = {wire}; const fn = (0, eval)('(' + {source} + '\\n)'); return w.text(await fn({target}, w.parse(extra, rest)));",
            none = !all,
        );
        let found = self
            .call_in(
                World::Main(main, Some(GROUP), rest),
                &parts,
                &body,
                true,
                Some(arg.unwrap_or(Value::Null)),
                root,
            )
            .await?
            .ok_or_else(|| {
                BrowserError::Closed(Some("evaluating: the frame is not ready".into()))
            })?;
        if !all && found.value.as_ref().is_some_and(Value::is_number) {
            return Err(BrowserError::Evaluation {
                message: match selector {
                    Some(s) => format!("Failed to find element matching selector \"{s}\""),
                    None => format!(
                        "Failed to find element matching selector {}",
                        self.description
                    ),
                },
                stack: None,
            });
        }
        crate::page::wire_value(found.value)
    }

    /// `locator.evaluate(fn, arg)`: waits (up to `timeout`) for the locator's one element
    /// (strict), then calls `fn(element, arg)` in the main world of its frame. The query and
    /// the call are one round trip, so nothing runs in the page between finding the element
    /// and calling `fn` (Playwright's dispatchEvent is atomic in this way).
    pub async fn evaluate_one(
        &self,
        function: &str,
        arg: Value,
        handles: &[crate::JsHandle],
        timeout: Option<std::time::Duration>,
        what: &str,
    ) -> Result<Value, BrowserError> {
        let cdp_page = self.page.cdp().clone();
        let wire = crate::page::WIRE_JS;
        let source = serde_json::to_string(function)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let body = format!(
            "const found = ib.query(parts, ib.root); if (found.length !== 1) return {{ n: found.length, matches: ib.strictMatches(found) }}; const w = {wire}; const fn = (0, eval)('(' + {source} + '\\n)'); return {{ v: w.text(await fn(found[0], w.parse(extra, rest))) }};"
        );
        let log = CallLog::new(format!("waiting for {}", self.description));
        let outcome = poll(what, self.timeout(timeout), log, |_| {
            let body = body.clone();
            let arg = arg.clone();
            let cdp_page = &cdp_page;
            async move {
                let attempt = async {
                    let (frame, main, parts, root) = self.main_world_start(cdp_page).await?;
                    let rest =
                        crate::page::handle_arguments(&self.page, frame.as_ref(), main, handles)
                            .await?;
                    self.call_in(
                        World::Main(main, Some(GROUP), rest),
                        &parts,
                        &body,
                        true,
                        Some(arg),
                        root,
                    )
                    .await
                };
                let found = attempt.await;
                let _ = cdp_page
                    .execute(runtime::ReleaseObjectGroupParams::new(GROUP))
                    .await;
                let found = match found {
                    Ok(Some(found)) => found.value.unwrap_or(Value::Null),
                    Ok(None) => return Attempt::Retry("document is navigating".into()),
                    Err(BrowserError::Closed(Some(m))) if m.contains("not ready") => {
                        return Attempt::Retry("document is navigating".into());
                    }
                    Err(e) => return Attempt::Fail(e),
                };
                if let Some(v) = found.get("v") {
                    return Attempt::Ready(v.clone());
                }
                match found.get("n").and_then(Value::as_u64).unwrap_or(0) {
                    0 => Attempt::Retry(format!("waiting for {} to be attached", self.description)),
                    n => Attempt::Fail(BrowserError::StrictMode {
                        locator: self.description.clone(),
                        count: n as usize,
                        matches: found
                            .get("matches")
                            .and_then(|m| serde_json::from_value(m.clone()).ok())
                            .unwrap_or_default(),
                    }),
                }
            }
        })
        .await?;
        crate::page::wire_value(Some(outcome))
    }

    /// [`Locator::run`] in the main world of the locator's frame (what reads the page's own
    /// JavaScript properties of elements, which the isolated world does not see).
    pub(crate) async fn run_main(&self, body: &str) -> Result<Option<Value>, BrowserError> {
        let cdp_page = self.page.cdp().clone();
        let (_, main, parts, root) = match self.main_world_start(&cdp_page).await {
            Ok(start) => start,
            Err(BrowserError::Closed(Some(m))) if m.contains("not ready") => return Ok(None),
            Err(e) => return Err(e),
        };
        let found = self
            .call_in(
                World::Main(main, None, Vec::new()),
                &parts,
                body,
                true,
                None,
                root,
            )
            .await?;
        Ok(found.map(|o| o.value.unwrap_or(Value::Null)))
    }

    /// Where a main-world query starts: the locator's frame (`None`: the main frame), that
    /// frame's main world, the parts to run (nothing, when a frame to enter is missing) and
    /// the element handle's element in that world.
    pub(super) async fn main_world_start(
        &self,
        cdp_page: &chromiumoxide::Page,
    ) -> Result<MainWorldStart, BrowserError> {
        self.page.ensure_open("evaluating")?;
        let not_ready = || BrowserError::Closed(Some("evaluating: the frame is not ready".into()));
        // No frame to enter (or a document between loads) has no matches: `$` does not wait.
        let Some(mut exec) = self.frame_exec().await? else {
            let main = cdp_page
                .execution_context()
                .await
                .map_err(|e| cdp("Runtime.executionContext", e))?
                .ok_or_else(not_ready)?;
            return Ok((None, main, super::exec::nothing(), None));
        };
        let main = match &exec.frame {
            None => cdp_page.execution_context().await,
            Some(frame) => cdp_page.frame_execution_context(frame.clone()).await,
        }
        .map_err(|e| cdp("Runtime.executionContext", e))?
        .ok_or_else(not_ready)?;
        let parts = if exec.missing {
            super::exec::nothing()
        } else {
            self.parts.clone()
        };
        let root = match exec.root.take() {
            Some(isolated) => {
                let resolved = super::exec::resolve_into(cdp_page, &isolated, main).await;
                let _ = cdp_page
                    .execute(runtime::ReleaseObjectParams::new(isolated))
                    .await;
                Some(resolved?)
            }
            None => None,
        };
        Ok((exec.frame, main, parts, root))
    }

    /// The locator's matches now (only the first unless `all`), as remote objects of the main
    /// world of its frame (in `group`, when given), and that world's context.
    async fn main_world_elements(
        &self,
        cdp_page: &chromiumoxide::Page,
        all: bool,
        group: Option<&'static str>,
    ) -> Result<MainWorldElements, BrowserError> {
        let not_ready = || BrowserError::Closed(Some("evaluating: the frame is not ready".into()));
        let (frame, main, parts, root) = self.main_world_start(cdp_page).await?;
        let body = if all {
            "return ib.query(parts, ib.root);"
        } else {
            "return ib.query(parts, ib.root).slice(0, 1);"
        };
        let found = self
            .call_in(
                World::Main(main, group, Vec::new()),
                &parts,
                body,
                false,
                None,
                root,
            )
            .await?
            .ok_or_else(not_ready)?;
        let mut elements = Vec::new();
        if let Some(array) = found.object_id {
            let mut props = runtime::GetPropertiesParams::new(array.clone());
            props.own_properties = Some(true);
            let props = cdp_page
                .execute(props)
                .await
                .map_err(|e| cdp("Runtime.getProperties", e))?;
            let mut indexed: Vec<(usize, runtime::RemoteObject)> = props
                .result
                .result
                .into_iter()
                .filter_map(|p| Some((p.name.parse::<usize>().ok()?, p.value?)))
                .collect();
            indexed.sort_by_key(|(i, _)| *i);
            let _ = cdp_page
                .execute(runtime::ReleaseObjectParams::new(array))
                .await;
            elements = indexed.into_iter().map(|(_, o)| o).collect();
        }
        Ok((frame, main, elements))
    }

    /// `page.$` / `$$` (`all`): the matches now, as handles of the page's main world.
    pub async fn element_handles(&self, all: bool) -> Result<Vec<crate::JsHandle>, BrowserError> {
        let cdp_page = self.page.cdp().clone();
        let (frame, _, elements) = self.main_world_elements(&cdp_page, all, None).await?;
        let mut out = Vec::with_capacity(elements.len());
        for remote in elements {
            out.push(
                crate::page::JsHandle::from_remote(self.page.clone(), frame.clone(), remote)
                    .await?,
            );
        }
        Ok(out)
    }
}

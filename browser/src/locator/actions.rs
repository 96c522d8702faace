//! What a locator does: actions that wait for actionability, queries on its single element,
//! and state checks, all through the shared deadline helper.

use std::time::Duration;

use serde_json::Value;
use serde_json::json;

use super::Actionable;
use super::BoundingBox;
use super::Locator;
use super::SelectBy;
use super::WaitForState;
use crate::error::BrowserError;
use crate::input::ClickOptions;
use crate::wait::Attempt;
use crate::wait::CallLog;
use crate::wait::poll;

impl Locator {
    /// Waits for exactly one element and runs `fn_body` (an expression over `el`) on it.
    async fn with_element(
        &self,
        what: &str,
        fn_body: &str,
        timeout: Option<Duration>,
    ) -> Result<Value, BrowserError> {
        Ok(self.with_element_at(what, fn_body, timeout).await?.0)
    }

    /// [`Self::with_element`], also returning the offset of the element's frame in the page.
    async fn with_element_at(
        &self,
        what: &str,
        fn_body: &str,
        timeout: Option<Duration>,
    ) -> Result<(Value, (f64, f64)), BrowserError> {
        let timeout = self.timeout(timeout);
        // A promise the function returns is awaited, as Playwright does.
        let body = format!(
            "const r = ib.withElement(parts, ib.strict, (el) => {fn_body}); if (r && r.value && typeof r.value.then === 'function') r.value = await r.value; return r;"
        );
        let log = CallLog::new(format!("waiting for {}", self.description));
        poll(what, timeout, log, |_| {
            let body = body.clone();
            async move {
                match self.run_at(&body).await {
                    Ok(None) => Attempt::Retry("document is navigating".into()),
                    Ok(Some((v, offset))) => self.interpret(v, None, |a| {
                        Attempt::Ready((a.value.unwrap_or(Value::Null), offset))
                    }),
                    Err(e) => Attempt::Fail(e),
                }
            }
        })
        .await
    }

    /// What a probe's answer means. `action` names the action being attempted (`click`,
    /// `scroll into view`), for Playwright's call-log lines about it.
    fn interpret<T>(
        &self,
        v: Value,
        action: Option<Action<'_>>,
        ok: impl FnOnce(Actionable) -> Attempt<T>,
    ) -> Attempt<T> {
        let a: Actionable = match serde_json::from_value(v) {
            Ok(a) => a,
            Err(e) => {
                return Attempt::Fail(BrowserError::InvalidArgument(format!(
                    "unexpected answer from the page: {e}"
                )));
            }
        };
        match a.status.as_str() {
            "ok" => ok(a),
            "strict" => Attempt::Fail(BrowserError::StrictMode {
                locator: self.description.clone(),
                count: a.count.unwrap_or(0),
                matches: a.matches.unwrap_or_default(),
            }),
            "error" => Attempt::Fail(BrowserError::InvalidArgument(a.message.unwrap_or_default())),
            _ => match (a.reason, a.element) {
                (Some(reason), Some(el)) => Attempt::Retry(match action {
                    Some(Action {
                        name,
                        waiting_for,
                        attempt,
                    }) => {
                        let waiting = match waiting_for {
                            Some(states) => {
                                format!("\n  -   waiting for element to be {states}")
                            }
                            None => String::new(),
                        };
                        format!(
                            "locator resolved to {el}\n  - attempting {name} action{waiting}\n  -   {reason}\n  - retrying {name} action\n  -   waiting {}ms",
                            crate::wait::backoff_before(attempt + 1)
                        )
                    }
                    None => format!("locator resolved to {el}\n  - {reason} - retrying"),
                }),
                (Some(reason), None) => Attempt::Retry(reason),
                (None, _) => {
                    Attempt::Retry(format!("waiting for {} to be attached", self.description))
                }
            },
        }
    }

    /// Waits until the element can take a pointer action, and returns where to act.
    async fn actionable_point(
        &self,
        what: &str,
        checks: &[&str],
        position: Option<(f64, f64)>,
        timeout: Duration,
    ) -> Result<(f64, f64), BrowserError> {
        let waiting_for = states_waited_for(checks);
        let checks = serde_json::to_string(checks).unwrap_or_else(|_| "[]".into());
        let position = position.map(|(x, y)| json!({ "x": x, "y": y }));
        let log = CallLog::new(format!("waiting for {}", self.description));
        poll(what, timeout, log, |attempt| {
            let waiting_for = waiting_for.clone();
            let opts = json!({ "position": position, "attempt": attempt });
            let body = format!("return await ib.actionable(parts, {checks}, {opts});");
            async move {
                match self.run_at(&body).await {
                    Ok(None) => Attempt::Retry("document is navigating".into()),
                    Ok(Some((v, (dx, dy)))) => {
                        let action = Action {
                            name: action_name(what),
                            waiting_for: waiting_for.as_deref(),
                            attempt,
                        };
                        self.interpret(v, Some(action), |a| {
                            // Frame-relative point to page coordinates.
                            Attempt::Ready((a.x.unwrap_or(0.0) + dx, a.y.unwrap_or(0.0) + dy))
                        })
                    }
                    Err(e) => Attempt::Fail(e),
                }
            }
        })
        .await
    }

    /// Clicks the element once it is visible, stable, enabled and receives events.
    pub async fn click(&self, options: ClickOptions) -> Result<(), BrowserError> {
        let what = if options.click_count >= 2 {
            "locator.dblclick"
        } else {
            "locator.click"
        };
        let checks: &[&str] = if options.force {
            &["scroll"]
        } else {
            &["visible", "stable", "enabled", "hit"]
        };
        let (x, y) = self
            .actionable_point(
                what,
                checks,
                options.position,
                self.timeout(options.timeout),
            )
            .await?;
        if options.trial {
            return Ok(());
        }
        let mut opts = options.clone();
        if opts.click_count == 0 {
            opts.click_count = 1;
        }
        self.page.mouse_click(x, y, &opts).await
    }

    /// Double-clicks the element.
    pub async fn dblclick(&self, mut options: ClickOptions) -> Result<(), BrowserError> {
        options.click_count = 2;
        self.click(options).await
    }

    /// Hovers over the element.
    pub async fn hover(&self, timeout: Option<Duration>, force: bool) -> Result<(), BrowserError> {
        let checks: &[&str] = if force {
            &["scroll"]
        } else {
            &["visible", "stable", "hit"]
        };
        let (x, y) = self
            .actionable_point("locator.hover", checks, None, self.timeout(timeout))
            .await?;
        self.page.mouse_move(x, y).await
    }

    /// Replaces the value of an input, textarea or contenteditable.
    pub async fn fill(
        &self,
        value: &str,
        timeout: Option<Duration>,
        force: bool,
    ) -> Result<(), BrowserError> {
        let checks: &[&str] = if force {
            &[]
        } else {
            &["visible", "enabled", "editable"]
        };
        self.actionable_point("locator.fill", checks, None, self.timeout(timeout))
            .await?;
        let v = serde_json::to_string(value)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let mode = self
            .with_element("locator.fill", &format!("ib.fillElement(el, {v})"), timeout)
            .await?;
        if mode.as_str() == Some("insert") {
            self.page.keyboard_insert_text(value).await?;
        }
        Ok(())
    }

    /// Clears an input.
    pub async fn clear(&self, timeout: Option<Duration>) -> Result<(), BrowserError> {
        self.fill("", timeout, false).await
    }

    /// Focuses the element and presses a key or combination.
    pub async fn press(&self, key: &str, timeout: Option<Duration>) -> Result<(), BrowserError> {
        self.focus_for_keys(timeout).await?;
        self.page.keyboard_press(key, None).await
    }

    /// Focuses the element for keyboard input; an input or textarea that was not focused gets
    /// its caret at the start, as Playwright does, so a stale selection is not typed over.
    async fn focus_for_keys(&self, timeout: Option<Duration>) -> Result<(), BrowserError> {
        self.with_element(
            "locator.focus",
            "(() => { const was = el.getRootNode().activeElement === el; el.focus(); if (!was && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) { try { el.setSelectionRange(0, 0); } catch {} } return null; })()",
            timeout,
        )
        .await?;
        Ok(())
    }

    /// Focuses the element and types text key by key.
    pub async fn press_sequentially(
        &self,
        text: &str,
        delay: Option<Duration>,
        timeout: Option<Duration>,
    ) -> Result<(), BrowserError> {
        self.focus_for_keys(timeout).await?;
        self.page.keyboard_type(text, delay).await
    }

    /// Focuses the element.
    pub async fn focus(&self, timeout: Option<Duration>) -> Result<(), BrowserError> {
        self.with_element("locator.focus", "(el.focus(), null)", timeout)
            .await?;
        Ok(())
    }

    /// Removes focus from the element.
    pub async fn blur(&self, timeout: Option<Duration>) -> Result<(), BrowserError> {
        self.with_element("locator.blur", "(el.blur(), null)", timeout)
            .await?;
        Ok(())
    }

    /// Checks a checkbox or radio (clicking it), then verifies it is checked.
    pub async fn check(&self, options: ClickOptions) -> Result<(), BrowserError> {
        self.set_checked(true, options).await
    }

    /// Unchecks a checkbox, then verifies it is unchecked.
    pub async fn uncheck(&self, options: ClickOptions) -> Result<(), BrowserError> {
        self.set_checked(false, options).await
    }

    async fn set_checked(&self, want: bool, options: ClickOptions) -> Result<(), BrowserError> {
        let what = if want {
            "locator.check"
        } else {
            "locator.uncheck"
        };
        let state = self
            .with_element(what, "ib.isChecked(el)", options.timeout)
            .await
            .map_err(|e| match e {
                BrowserError::Evaluation { message, .. } => {
                    BrowserError::InvalidArgument(format!("{what}: {message}"))
                }
                other => other,
            })?;
        if state.as_bool() == Some(want) {
            return Ok(());
        }
        if !want
            && self
                .with_element(what, "ib.isRadio(el)", options.timeout)
                .await?
                .as_bool()
                == Some(true)
        {
            return Err(BrowserError::InvalidArgument(format!(
                "{what}: Cannot uncheck radio button. Radio buttons can only be unchecked by selecting another radio button in the same group."
            )));
        }
        let trial = options.trial;
        self.click(options.clone()).await?;
        if trial {
            return Ok(());
        }
        let after = self
            .with_element(what, "ib.isChecked(el)", options.timeout)
            .await?;
        if after.as_bool() != Some(want) {
            return Err(BrowserError::InvalidArgument(format!(
                "{what}: clicking {} did not change its state",
                self.description
            )));
        }
        Ok(())
    }

    /// Selects options of a `<select>`; returns the selected values.
    pub async fn select_option(
        &self,
        wanted: &[SelectBy],
        timeout: Option<Duration>,
    ) -> Result<Vec<String>, BrowserError> {
        self.actionable_point(
            "locator.selectOption",
            &["visible", "enabled"],
            None,
            self.timeout(timeout),
        )
        .await?;
        let list: Vec<Value> = wanted.iter().map(SelectBy::wire).collect();
        let list = serde_json::to_string(&list)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let timeout_d = self.timeout(timeout);
        let body = format!(
            "return ib.withElement(parts, ib.strict, (el) => ib.selectOptions(el, {list}));"
        );
        poll(
            "locator.selectOption",
            timeout_d,
            CallLog::new(format!("waiting for {}", self.description)),
            |_| {
                let body = body.clone();
                async move {
                    match self.run(&body).await {
                        Ok(None) => Attempt::Retry("document is navigating".into()),
                        Ok(Some(v)) => self.interpret(v, None, |a| match a.value {
                            Some(Value::Null) | None => {
                                Attempt::Retry("did not find some options - retrying".into())
                            }
                            Some(Value::Bool(false)) => Attempt::Retry(
                                "option being selected is not enabled - retrying".into(),
                            ),
                            Some(v) => {
                                Attempt::Ready(serde_json::from_value(v).unwrap_or_default())
                            }
                        }),
                        Err(e) => Attempt::Fail(e),
                    }
                }
            },
        )
        .await
    }

    /// `textContent` of the element.
    pub async fn text_content(
        &self,
        timeout: Option<Duration>,
    ) -> Result<Option<String>, BrowserError> {
        let v = self
            .with_element("locator.textContent", "el.textContent", timeout)
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    /// `innerText` of the element.
    pub async fn inner_text(&self, timeout: Option<Duration>) -> Result<String, BrowserError> {
        let v = self
            .with_element(
                "locator.innerText",
                "(() => { if (!(el instanceof el.ownerDocument.defaultView.HTMLElement)) throw new Error('Node is not an HTMLElement'); return el.innerText; })()",
                timeout,
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// `innerHTML` of the element.
    pub async fn inner_html(&self, timeout: Option<Duration>) -> Result<String, BrowserError> {
        let v = self
            .with_element("locator.innerHTML", "el.innerHTML", timeout)
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// The value of an input, textarea or select.
    pub async fn input_value(&self, timeout: Option<Duration>) -> Result<String, BrowserError> {
        let v = self
            .with_element(
                "locator.inputValue",
                "('value' in el && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)) ? el.value : (() => { throw new Error('Node is not an <input>, <textarea> or <select> element'); })()",
                timeout,
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// An attribute's value, or `None` when absent.
    pub async fn get_attribute(
        &self,
        name: &str,
        timeout: Option<Duration>,
    ) -> Result<Option<String>, BrowserError> {
        let n = serde_json::to_string(name)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let v = self
            .with_element(
                "locator.getAttribute",
                &format!("el.getAttribute({n})"),
                timeout,
            )
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    async fn state(&self, what: &str, expr: &str) -> Result<bool, BrowserError> {
        let body = format!("const r = ib.withElement(parts, ib.strict, (el) => {expr}); return r;");
        let v = self.run_now(&body).await?;
        let a: Actionable =
            serde_json::from_value(v).map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        match a.status.as_str() {
            "ok" => Ok(a.value.and_then(|v| v.as_bool()).unwrap_or(false)),
            "strict" => Err(BrowserError::StrictMode {
                locator: self.description.clone(),
                count: a.count.unwrap_or(0),
                matches: a.matches.unwrap_or_default(),
            }),
            _ if what == "hidden" => Ok(true),
            _ => Ok(false),
        }
    }

    /// Whether the element is visible now (no waiting; false when absent).
    pub async fn is_visible(&self) -> Result<bool, BrowserError> {
        self.state("visible", "ib.isVisible(el)").await
    }

    /// Whether the element is hidden or absent now.
    pub async fn is_hidden(&self) -> Result<bool, BrowserError> {
        self.state("hidden", "!ib.isVisible(el)").await
    }

    /// Whether the element is enabled.
    pub async fn is_enabled(&self) -> Result<bool, BrowserError> {
        self.with_element("locator.isEnabled", "!ib.isDisabled(el)", None)
            .await
            .map(|v| v.as_bool().unwrap_or(false))
    }

    /// Whether the element is disabled.
    pub async fn is_disabled(&self) -> Result<bool, BrowserError> {
        self.with_element("locator.isDisabled", "ib.isDisabled(el)", None)
            .await
            .map(|v| v.as_bool().unwrap_or(false))
    }

    /// Whether the element is editable.
    pub async fn is_editable(&self) -> Result<bool, BrowserError> {
        self.with_element("locator.isEditable", "ib.isEditable(el)", None)
            .await
            .map(|v| v.as_bool().unwrap_or(false))
    }

    /// Whether a checkbox or radio is checked.
    pub async fn is_checked(&self) -> Result<bool, BrowserError> {
        self.with_element("locator.isChecked", "ib.isChecked(el)", None)
            .await
            .map(|v| v.as_bool().unwrap_or(false))
    }

    /// The element's box in the viewport, or `None` when it is not visible.
    pub async fn bounding_box(
        &self,
        timeout: Option<Duration>,
    ) -> Result<Option<BoundingBox>, BrowserError> {
        let (v, (dx, dy)) = self
            .with_element_at(
                "locator.boundingBox",
                "(() => { const r = el.getBoundingClientRect(); return r.width || r.height ? { x: r.x, y: r.y, width: r.width, height: r.height } : null; })()",
                timeout,
            )
            .await?;
        // In the page's coordinates: the frames' offsets added.
        Ok(serde_json::from_value::<BoundingBox>(v)
            .ok()
            .map(|b| BoundingBox {
                x: b.x + dx,
                y: b.y + dy,
                ..b
            }))
    }

    /// Evaluates a function source with the element as first argument (in the isolated world).
    pub async fn evaluate(
        &self,
        function: &str,
        arg: Option<Value>,
        timeout: Option<Duration>,
    ) -> Result<Value, BrowserError> {
        let arg = serde_json::to_string(&arg.unwrap_or(Value::Null))
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        self.with_element(
            "locator.evaluate",
            &format!("({function})(el, {arg})"),
            timeout,
        )
        .await
    }

    /// [`Self::evaluate`] with the argument and result in the evaluate wire format
    /// ([`crate::Page::evaluate_wire`]).
    pub async fn evaluate_wire(
        &self,
        function: &str,
        arg: Value,
        timeout: Option<Duration>,
    ) -> Result<Value, BrowserError> {
        let arg = serde_json::to_string(&arg)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        let wire = crate::page::WIRE_JS;
        self.with_element(
            "locator.evaluate",
            &format!(
                "(async () => {{ const w = {wire}; return w.text(await ({function})(el, w.parse({arg}))); }})()"
            ),
            timeout,
        )
        .await
        .and_then(|v| crate::page::wire_value(Some(v)))
    }

    /// Waits until the element reaches `state`.
    pub async fn wait_for(
        &self,
        state: WaitForState,
        timeout: Option<Duration>,
    ) -> Result<(), BrowserError> {
        let strict = matches!(state, WaitForState::Visible | WaitForState::Hidden);
        self.wait_for_state(state, timeout, strict, "locator.waitFor")
            .await
    }

    /// `waitForSelector`: waits until the first match reaches `state` (any number may match
    /// unless `strict`), and returns it for `attached` and `visible`.
    pub async fn wait_for_selector(
        &self,
        state: WaitForState,
        timeout: Option<Duration>,
        strict: bool,
        what: &str,
    ) -> Result<Option<crate::JsHandle>, BrowserError> {
        self.wait_for_state(state, timeout, strict, what).await?;
        if matches!(state, WaitForState::Detached | WaitForState::Hidden) {
            return Ok(None);
        }
        Ok(self.element_handles(false).await?.into_iter().next())
    }

    async fn wait_for_state(
        &self,
        state: WaitForState,
        timeout: Option<Duration>,
        strict: bool,
        what: &str,
    ) -> Result<(), BrowserError> {
        let timeout = self.timeout(timeout);
        let (want, label) = match state {
            WaitForState::Attached => ("n > 0", "attached"),
            WaitForState::Detached => ("n === 0", "detached"),
            WaitForState::Visible => (
                "n > 0 && ib.isVisible(ib.query(parts, ib.root)[0])",
                "visible",
            ),
            WaitForState::Hidden => (
                "n === 0 || !ib.isVisible(ib.query(parts, ib.root)[0])",
                "hidden",
            ),
        };
        // A retry reports what the first match is now (Playwright's "locator resolved to
        // hidden <div …>" call log lines).
        let body = format!(
            "const n = ib.count(parts); if (n > 1 && {strict}) return {{ status: 'strict', count: n, matches: ib.strictMatches(ib.query(parts, ib.root)) }}; const first = n > 0 ? ib.query(parts, ib.root)[0] : null; const seen = first ? 'locator resolved to ' + (ib.isVisible(first) ? 'visible ' : 'hidden ') + ib.describe(first) : null; return ({want}) ? {{ status: 'ok', count: n }} : {{ status: 'retry', count: n, reason: seen }};"
        );
        let log = CallLog::new(format!("waiting for {} to be {label}", self.description));
        poll(what, timeout, log, |_| {
            let body = body.clone();
            async move {
                match self.run(&body).await {
                    Ok(None) => Attempt::Retry("document is navigating".into()),
                    Ok(Some(v)) => self.interpret(v, None, |_| Attempt::Ready(())),
                    Err(e) => Attempt::Fail(e),
                }
            }
        })
        .await
    }

    /// Scrolls the element into view if it is not.
    pub async fn scroll_into_view_if_needed(
        &self,
        timeout: Option<Duration>,
    ) -> Result<(), BrowserError> {
        self.actionable_point(
            "locator.scrollIntoViewIfNeeded",
            &["box", "stable", "scroll"],
            None,
            self.timeout(timeout),
        )
        .await?;
        // `display: contents` has no box of its own to scroll to: Chromium scrolls to what it
        // renders.
        let Some(mut exec) = self.frame_exec().await? else {
            return Ok(());
        };
        let root = exec.root.take();
        let body = "const el = ib.query(parts, ib.root)[0]; return el && getComputedStyle(el).display === 'contents' ? el : null;";
        let found = self
            .call(exec.ctx, &self.parts, body, false, None, root)
            .await?;
        if let Some(id) = found.and_then(|o| o.object_id) {
            let cdp_page = self.page.cdp();
            let params = chromiumoxide::cdp::browser_protocol::dom::ScrollIntoViewIfNeededParams {
                object_id: Some(id.clone()),
                ..Default::default()
            };
            let scrolled = cdp_page.execute(params).await;
            let _ = cdp_page
                .execute(chromiumoxide::cdp::js_protocol::runtime::ReleaseObjectParams::new(id))
                .await;
            scrolled.map_err(|e| crate::error::cdp("DOM.scrollIntoViewIfNeeded", e))?;
        }
        Ok(())
    }

    /// Selects the element's text (an input's or textarea's value, or its contents) once it
    /// is visible, and focuses it.
    pub async fn select_text(
        &self,
        timeout: Option<Duration>,
        force: bool,
    ) -> Result<(), BrowserError> {
        let checks: &[&str] = if force { &[] } else { &["visible"] };
        self.actionable_point("locator.selectText", checks, None, self.timeout(timeout))
            .await?;
        self.with_element(
            "locator.selectText",
            "{ if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') { el.select(); el.focus(); return null; } const range = el.ownerDocument.createRange(); range.selectNodeContents(el); const selection = el.ownerDocument.defaultView.getSelection(); selection.removeAllRanges(); selection.addRange(range); el.focus?.(); return null; }",
            timeout,
        )
        .await?;
        Ok(())
    }
}

/// The action a call attempts, as Playwright's call log names it (`locator.click` → `click`).
/// An action being attempted, for the call-log lines Playwright writes about it.
struct Action<'a> {
    /// `click`, `scroll into view`, ...
    name: &'a str,
    /// The states the element must reach first (`visible, enabled and stable`), if any.
    waiting_for: Option<&'a str>,
    /// Which attempt this is (counted from 0): says how long the retry waits.
    attempt: u32,
}

/// The element states an action's checks wait for, in Playwright's words: `visible, enabled
/// and stable` for a click, `visible and stable` for a hover; None when nothing is waited for.
fn states_waited_for(checks: &[&str]) -> Option<String> {
    let states: Vec<&str> = ["visible", "enabled", "editable", "stable"]
        .into_iter()
        .filter(|s| checks.contains(s))
        .collect();
    match states.split_last() {
        None => None,
        Some((only, [])) => Some((*only).to_string()),
        Some((last, rest)) => Some(format!("{} and {last}", rest.join(", "))),
    }
}

fn action_name(what: &str) -> &str {
    match what.rsplit('.').next().unwrap_or(what) {
        "scrollIntoViewIfNeeded" => "scroll into view",
        "selectText" => "select text",
        "dragTo" => "drag",
        "check" | "uncheck" | "setChecked" => "click",
        other => other,
    }
}

/// A file to put into an `<input type=file>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePayload {
    /// File name.
    pub name: String,
    /// MIME type.
    pub mime_type: String,
    /// Contents.
    pub buffer: Vec<u8>,
}

impl FilePayload {
    /// Reads a local file; the MIME type is guessed from its extension.
    pub fn from_path(path: &std::path::Path) -> Result<Self, BrowserError> {
        let buffer = std::fs::read(path).map_err(|source| BrowserError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let mime_type = match ext.as_str() {
            "txt" => "text/plain",
            "html" | "htm" => "text/html",
            "css" => "text/css",
            "js" | "mjs" => "text/javascript",
            "json" => "application/json",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "svg" => "image/svg+xml",
            "webp" => "image/webp",
            "pdf" => "application/pdf",
            "csv" => "text/csv",
            "zip" => "application/zip",
            _ => "application/octet-stream",
        }
        .to_string();
        Ok(Self {
            name,
            mime_type,
            buffer,
        })
    }
}

/// Options of `drag_to`.
#[derive(Debug, Clone, Default)]
pub struct DragOptions {
    /// Where to grab the source, relative to its top-left corner.
    pub source_position: Option<(f64, f64)>,
    /// Where to drop on the target, relative to its top-left corner.
    pub target_position: Option<(f64, f64)>,
    /// Skip the actionability checks.
    pub force: bool,
    /// Overrides the action timeout.
    pub timeout: Option<Duration>,
}

impl Locator {
    /// Sets the files of an `<input type=file>` (an empty list clears it).
    pub async fn set_input_files(
        &self,
        files: &[FilePayload],
        timeout: Option<Duration>,
    ) -> Result<(), BrowserError> {
        use base64::Engine as _;
        let list: Vec<Value> = files
            .iter()
            .map(|f| {
                json!({
                    "name": f.name,
                    "mimeType": f.mime_type,
                    "base64": base64::engine::general_purpose::STANDARD.encode(&f.buffer),
                })
            })
            .collect();
        let list = serde_json::to_string(&list)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        self.with_element(
            "locator.setInputFiles",
            &format!("ib.setFiles(el, {list})"),
            timeout,
        )
        .await
        .map_err(|e| match e {
            BrowserError::Evaluation { message, .. } => {
                BrowserError::InvalidArgument(format!("locator.setInputFiles: {message}"))
            }
            other => other,
        })?;
        Ok(())
    }

    /// Drags this element onto `target`: HTML5 drag and drop and plain mouse dragging both
    /// work (Chromium's drag is intercepted and replayed as drag events).
    pub async fn drag_to(
        &self,
        target: &Locator,
        options: DragOptions,
    ) -> Result<(), BrowserError> {
        use chromiumoxide::cdp::browser_protocol::input;
        use futures::StreamExt as _;
        let checks: &[&str] = if options.force {
            &["scroll"]
        } else {
            &["visible", "stable", "hit"]
        };
        let timeout = self.timeout(options.timeout);
        let (sx, sy) = self
            .actionable_point("locator.dragTo", checks, options.source_position, timeout)
            .await?;
        let page = self.page.clone();
        let cdp_page = page.cdp().clone();
        let mut intercepted = cdp_page
            .event_listener::<input::EventDragIntercepted>()
            .await
            .map_err(|e| crate::error::cdp("Input.dragIntercepted", e))?;
        cdp_page
            .execute(input::SetInterceptDragsParams::new(true))
            .await
            .map_err(|e| crate::error::cdp("Input.setInterceptDrags", e))?;
        let result = async {
            page.mouse_move(sx, sy).await?;
            page.mouse_down(crate::input::MouseButton::Left, 1).await?;
            // The target is measured after the press: the page may rearrange on drag start.
            let target_checks: &[&str] = if options.force {
                &["scroll"]
            } else {
                &["visible", "stable"]
            };
            let (tx, ty) = target
                .actionable_point(
                    "locator.dragTo",
                    target_checks,
                    options.target_position,
                    timeout,
                )
                .await?;
            page.mouse_move((sx + tx) / 2.0, (sy + ty) / 2.0).await?;
            page.mouse_move(tx, ty).await?;
            let drag = tokio::time::timeout(Duration::from_millis(100), intercepted.next()).await;
            match drag {
                Ok(Some(ev)) => {
                    for ty_ in [
                        input::DispatchDragEventType::DragEnter,
                        input::DispatchDragEventType::DragOver,
                        input::DispatchDragEventType::Drop,
                    ] {
                        let params = input::DispatchDragEventParams {
                            r#type: ty_,
                            x: tx,
                            y: ty,
                            data: ev.data.clone(),
                            modifiers: None,
                        };
                        cdp_page
                            .execute(params)
                            .await
                            .map_err(|e| crate::error::cdp("Input.dispatchDragEvent", e))?;
                    }
                    page.mouse_up(crate::input::MouseButton::Left, 1).await
                }
                _ => page.mouse_up(crate::input::MouseButton::Left, 1).await,
            }
        }
        .await;
        let _ = cdp_page
            .execute(input::SetInterceptDragsParams::new(false))
            .await;
        result
    }

    /// A screenshot of just this element (its box once it is visible, stable and scrolled
    /// into view); `options.clip` and `options.full_page` are ignored.
    pub async fn screenshot(
        &self,
        timeout: Option<Duration>,
        options: crate::page::ScreenshotOptions,
    ) -> Result<Vec<u8>, BrowserError> {
        // The page is prepared first: an element that only moves because of an animation is
        // stable once animations are disabled.
        self.page
            .prepared_for(&options, self.capture_element(timeout, &options))
            .await
    }

    async fn capture_element(
        &self,
        timeout: Option<Duration>,
        options: &crate::page::ScreenshotOptions,
    ) -> Result<Vec<u8>, BrowserError> {
        self.actionable_point(
            "locator.screenshot",
            &["visible", "stable", "scroll"],
            None,
            self.timeout(timeout),
        )
        .await?;
        let rect = self
            .run_at("const r = ib.withElement(parts, true, (el) => { const b = el.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; }); return r;")
            .await?;
        let Some((value, (dx, dy))) = rect else {
            return Err(BrowserError::InvalidArgument(format!(
                "{}: element is gone",
                self.description
            )));
        };
        let xywh: Vec<f64> = value
            .get("value")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let [x, y, w, h] = xywh.as_slice() else {
            return Err(BrowserError::InvalidArgument(format!(
                "{}: element has no box",
                self.description
            )));
        };
        let (sx, sy) = self.page.scroll_position().await?;
        // The whole element, in page coordinates (beyond the viewport when it is larger), on
        // whole pixels that enclose its box.
        let (left, top) = ((x + dx + sx + 1e-3).floor(), (y + dy + sy + 1e-3).floor());
        let right = (x + dx + sx + w - 1e-3).ceil();
        let bottom = (y + dy + sy + h - 1e-3).ceil();
        self.page
            .capture(&crate::page::ScreenshotOptions {
                clip: Some((left, top, right - left, bottom - top)),
                full_page: true,
                mask: Vec::new(),
                ..options.clone()
            })
            .await
    }
}

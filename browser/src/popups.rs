//! Popups: pages a page opens (`window.open`, `target=_blank` links). Chromium creates their
//! targets itself; each context watches for targets whose opener is one of its pages, makes
//! them [`Page`]s of the context (with its emulation, routes and init scripts) and tells the
//! opener's subscribers (Playwright's `page.on('popup')`).

use std::sync::Weak;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::emulation;
use chromiumoxide::cdp::browser_protocol::target::EventTargetCreated;
use futures::StreamExt as _;

use crate::context::Context;
use crate::context::ContextInner;
use crate::page::Page;

/// How long Chromium may take to hand over a new target's session.
const ATTACH_WAIT: Duration = Duration::from_secs(5);

impl Context {
    /// Starts watching for popups of this context's pages (once, at creation).
    pub(crate) async fn watch_popups(&self) {
        let Ok(mut created) = self
            .inner
            .browser
            .inner
            .cdp
            .event_listener::<EventTargetCreated>()
            .await
        else {
            return;
        };
        let weak: Weak<ContextInner> = std::sync::Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            while let Some(event) = created.next().await {
                let info = &event.target_info;
                let Some(opener_id) = info.opener_id.clone() else {
                    continue;
                };
                if info.r#type != "page" {
                    continue;
                }
                let Some(inner) = weak.upgrade() else { break };
                let context = Context { inner };
                if context.is_closed() {
                    break;
                }
                let Some(opener) = context
                    .pages()
                    .into_iter()
                    .find(|p| p.cdp().target_id() == &opener_id)
                else {
                    continue;
                };
                // The popup takes the foreground: the opener must keep acting focused, or
                // the animation frames an action in flight waits on stop (Playwright emulates
                // focus on every page; that costs ~60 ms a page here, so only openers get it).
                let _ = opener
                    .cdp()
                    .execute(emulation::SetFocusEmulationEnabledParams::new(true))
                    .await;
                let target = info.target_id.clone();
                // Opening it may take a while: the next popup need not wait.
                tokio::spawn(async move {
                    if let Some(popup) = context.adopt(target).await {
                        opener.inner.events.popup(popup);
                    }
                });
            }
        });
    }

    /// Makes the target Chromium opened a page of this context.
    async fn adopt(
        &self,
        target: chromiumoxide::cdp::browser_protocol::target::TargetId,
    ) -> Option<Page> {
        let cdp = &self.inner.browser.inner.cdp;
        let deadline = tokio::time::Instant::now() + ATTACH_WAIT;
        let cdp_page = loop {
            match cdp.get_page(target.clone()).await {
                Ok(page) => break page,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(_) => return None,
            }
        };
        // Chromium holds a target it auto-attached until told to run.
        let _ = cdp_page
            .execute(
                chromiumoxide::cdp::js_protocol::runtime::RunIfWaitingForDebuggerParams::default(),
            )
            .await;
        self.add_page(cdp_page, None).await.ok()
    }
}

//! File choosers (Playwright's `page.on('filechooser')`): while the page intercepts them, a
//! file input the page opens (a click, `input.click()`, also of an input outside the document)
//! is reported instead of opening a dialog, with the input to set files on.

use chromiumoxide::cdp::browser_protocol::dom;
use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use serde::Serialize;

use super::JsHandle;
use super::Page;
use crate::error::BrowserError;
use crate::error::cdp;

/// A file input the page opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChooserEvent {
    /// The frame of the input.
    pub frame: String,
    /// Whether it takes several files (`multiple`, `webkitdirectory`).
    pub multiple: bool,
    #[serde(skip)]
    pub(crate) backend_node_id: Option<i64>,
}

impl FileChooserEvent {
    pub(crate) fn from_cdp(ev: &cdp_page::EventFileChooserOpened) -> Self {
        Self {
            frame: ev.frame_id.inner().clone(),
            multiple: ev.mode == cdp_page::FileChooserOpenedMode::SelectMultiple,
            backend_node_id: ev.backend_node_id.as_ref().map(|id| *id.inner()),
        }
    }
}

impl Page {
    /// Whether file inputs the page opens are reported (`PageEvent::FileChooser`) instead of
    /// opening a dialog.
    pub async fn intercept_file_choosers(&self, on: bool) -> Result<(), BrowserError> {
        self.ensure_open("intercepting file choosers")?;
        self.cdp()
            .execute(cdp_page::SetInterceptFileChooserDialogParams {
                enabled: on,
                cancel: None,
            })
            .await
            .map_err(|e| cdp("Page.setInterceptFileChooserDialog", e))?;
        Ok(())
    }

    /// The input a file chooser is for, as an element handle of its frame.
    pub async fn file_chooser_input(
        &self,
        chooser: &FileChooserEvent,
    ) -> Result<JsHandle, BrowserError> {
        let Some(id) = chooser.backend_node_id else {
            return Err(BrowserError::InvalidArgument(
                "the file chooser has no input element".into(),
            ));
        };
        let object = self
            .cdp()
            .execute(dom::ResolveNodeParams {
                node_id: None,
                backend_node_id: Some(dom::BackendNodeId::new(id)),
                object_group: None,
                execution_context_id: None,
            })
            .await
            .map_err(|e| cdp("DOM.resolveNode", e))?;
        let main = self.inner.frames.snapshot().first().map(|f| f.id.clone());
        let frame = (main.as_deref() != Some(chooser.frame.as_str()))
            .then(|| cdp_page::FrameId::new(chooser.frame.clone()));
        JsHandle::from_remote(self.clone(), frame, object.result.object).await
    }
}

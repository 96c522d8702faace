//! A page's frame tree as Playwright shows it (`page.frames()`, `frame.childFrames()`): kept
//! from the page's own frame events, children in the order they attached (chromiumoxide's
//! tree is unordered), and reported as `frameattached` / `framedetached` / `framenavigated`.

use std::sync::Arc;
use std::sync::Mutex;

use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use futures::StreamExt as _;
use serde::Serialize;

use super::Page;
use super::PageEvent;
use crate::error::BrowserError;
use crate::error::cdp;

/// One frame as the tree knows it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameInfo {
    /// The frame's id (CDP's).
    pub id: String,
    /// The parent frame's id; `None` for the main frame.
    pub parent: Option<String>,
    /// The frame's `name` attribute (the window name it navigated with).
    pub name: String,
    /// The frame's URL, fragment included.
    pub url: String,
    /// How many times the frame navigated (its document or within it), so a listener can tell
    /// a navigation to the same URL.
    pub navigations: u64,
}

/// The tree: frames in attach order, the main frame first.
#[derive(Debug, Default)]
pub(crate) struct FrameTree {
    frames: Mutex<Vec<FrameInfo>>,
    /// Bumped on every change, so callers can tell whether to send the tree again.
    generation: std::sync::atomic::AtomicU64,
}

impl FrameTree {
    fn change(&self, f: impl FnOnce(&mut Vec<FrameInfo>)) {
        if let Ok(mut frames) = self.frames.lock() {
            f(&mut frames);
        }
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn attach(&self, id: String, parent: Option<String>) {
        self.change(|frames| {
            if frames.iter().any(|f| f.id == id) {
                return;
            }
            frames.push(FrameInfo {
                id,
                parent,
                name: String::new(),
                url: String::new(),
                navigations: 0,
            });
        });
    }

    fn detach(&self, id: &str) {
        self.change(|frames| {
            let mut gone = vec![id.to_string()];
            let mut i = 0;
            while i < gone.len() {
                let parent = gone[i].clone();
                gone.extend(
                    frames
                        .iter()
                        .filter(|f| f.parent.as_deref() == Some(&parent))
                        .map(|f| f.id.clone()),
                );
                i += 1;
            }
            frames.retain(|f| !gone.contains(&f.id));
        });
    }

    fn navigated(&self, frame: &cdp_page::Frame) {
        let id = frame.id.inner().clone();
        let url = format!(
            "{}{}",
            frame.url,
            frame.url_fragment.clone().unwrap_or_default()
        );
        let name = frame.name.clone().unwrap_or_default();
        let parent = frame.parent_id.as_ref().map(|p| p.inner().clone());
        self.change(|frames| {
            // A navigation replaces the frame's document: its child frames are gone.
            let children: Vec<String> = frames
                .iter()
                .filter(|f| f.parent.as_deref() == Some(&id))
                .map(|f| f.id.clone())
                .collect();
            if !children.is_empty() {
                let gone: Vec<String> = frames
                    .iter()
                    .filter(|f| children.contains(&f.id) || is_below(frames, f, &children))
                    .map(|f| f.id.clone())
                    .collect();
                frames.retain(|f| !gone.contains(&f.id));
            }
            match frames.iter_mut().find(|f| f.id == id) {
                Some(f) => {
                    f.url = url;
                    f.name = name;
                    f.navigations += 1;
                }
                None if parent.is_none() => {
                    // The main frame can change its id (a cross-process navigation).
                    frames.retain(|f| f.parent.is_some());
                    frames.insert(
                        0,
                        FrameInfo {
                            id,
                            parent,
                            name,
                            url,
                            navigations: 1,
                        },
                    );
                }
                None => frames.push(FrameInfo {
                    id,
                    parent,
                    name,
                    url,
                    navigations: 1,
                }),
            }
        });
    }

    fn set_url(&self, id: &str, url: String) {
        self.change(|frames| {
            if let Some(f) = frames.iter_mut().find(|f| f.id == id) {
                f.url = url;
                f.navigations += 1;
            }
        });
    }

    pub(crate) fn snapshot(&self) -> Vec<FrameInfo> {
        self.frames.lock().map(|f| f.clone()).unwrap_or_default()
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Whether `f` is below one of `roots` (through its parents).
fn is_below(frames: &[FrameInfo], f: &FrameInfo, roots: &[String]) -> bool {
    let mut parent = f.parent.clone();
    while let Some(p) = parent {
        if roots.contains(&p) {
            return true;
        }
        parent = frames
            .iter()
            .find(|x| x.id == p)
            .and_then(|x| x.parent.clone());
    }
    false
}

fn add_tree(tree: &FrameTree, node: &cdp_page::FrameTree) {
    tree.navigated(&node.frame);
    for child in node.child_frames.iter().flatten() {
        add_tree(tree, child);
    }
}

impl Page {
    /// Starts following the page's frames (called once when the page is created).
    pub(crate) async fn start_frames(&self) -> Result<(), BrowserError> {
        let p = self.cdp();
        let mut attached = p
            .event_listener::<cdp_page::EventFrameAttached>()
            .await
            .map_err(|e| cdp("Page.frameAttached", e))?;
        let mut detached = p
            .event_listener::<cdp_page::EventFrameDetached>()
            .await
            .map_err(|e| cdp("Page.frameDetached", e))?;
        let mut navigated = p
            .event_listener::<cdp_page::EventFrameNavigated>()
            .await
            .map_err(|e| cdp("Page.frameNavigated", e))?;
        let mut within = p
            .event_listener::<cdp_page::EventNavigatedWithinDocument>()
            .await
            .map_err(|e| cdp("Page.navigatedWithinDocument", e))?;
        let tree = p
            .execute(cdp_page::GetFrameTreeParams::default())
            .await
            .map_err(|e| cdp("Page.getFrameTree", e))?;
        add_tree(&self.inner.frames, &tree.result.frame_tree);
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            loop {
                let event = tokio::select! {
                    Some(ev) = attached.next() => {
                        let Some(inner) = weak.upgrade() else { break };
                        let id = ev.frame_id.inner().clone();
                        inner.frames.attach(id.clone(), Some(ev.parent_frame_id.inner().clone()));
                        PageEvent::FrameAttached { frame: id, frames: inner.frames.snapshot() }
                    }
                    Some(ev) = detached.next() => {
                        // A frame moving to its own process detaches with reason "swap": it
                        // stays in the tree.
                        if ev.reason == cdp_page::FrameDetachedReason::Swap {
                            continue;
                        }
                        let Some(inner) = weak.upgrade() else { break };
                        let id = ev.frame_id.inner().clone();
                        inner.frames.detach(&id);
                        PageEvent::FrameDetached { frame: id, frames: inner.frames.snapshot() }
                    }
                    Some(ev) = navigated.next() => {
                        let Some(inner) = weak.upgrade() else { break };
                        inner.frames.navigated(&ev.frame);
                        if ev.frame.parent_id.is_none() {
                            inner.events.navigated();
                        }
                        PageEvent::FrameNavigated { frame: ev.frame.id.inner().clone(), frames: inner.frames.snapshot() }
                    }
                    Some(ev) = within.next() => {
                        let Some(inner) = weak.upgrade() else { break };
                        let id = ev.frame_id.inner().clone();
                        inner.frames.set_url(&id, ev.url.clone());
                        PageEvent::FrameNavigated { frame: id, frames: inner.frames.snapshot() }
                    }
                    else => break,
                };
                let Some(inner) = weak.upgrade() else { break };
                inner.events.push(event);
            }
        });
        Ok(())
    }

    /// The page's frames now, the main frame first, then in the order they attached.
    pub fn frames(&self) -> Vec<FrameInfo> {
        self.inner.frames.snapshot()
    }

    /// A number that changes whenever the frame tree does.
    pub fn frames_generation(&self) -> u64 {
        self.inner.frames.generation()
    }
}

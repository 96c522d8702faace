//! `page.video()`: where a page's video is, saving a copy and deleting it. The file is whole
//! once its page or context is closed; `saveAs` and `delete` wait for that, as Playwright's do.

use isolate_browser_browser::Video;

use super::Cx;
use crate::suite::protocol::CallError;
use crate::suite::protocol::PageArgs;
use crate::suite::protocol::PageId;
use crate::suite::protocol::VideoSaveArgs;

fn video(cx: &Cx<'_>, page: PageId) -> Result<Video, CallError> {
    cx.side.with_session(cx.session, |s| {
        s.videos.get(&page).cloned().ok_or_else(|| {
            CallError::new("the page's context does not record videos (recordVideo)")
        })
    })
}

pub(crate) async fn path(cx: &Cx<'_>, args: PageArgs) -> Result<String, CallError> {
    let video = video(cx, args.page)?;
    cx.side
        .with_session(cx.session, |s| Ok(s.defaults.paths.shown(video.path())))
}

pub(crate) async fn save_as(cx: &Cx<'_>, args: VideoSaveArgs) -> Result<(), CallError> {
    let video = video(cx, args.page)?;
    let target = cx
        .side
        .with_session(cx.session, |s| s.defaults.paths.resolve_write(&args.path))?;
    let written = video.finished().await?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            CallError::new(format!("video.saveAs: cannot create {}: {e}", args.path))
        })?;
    }
    std::fs::copy(&written, &target)
        .map_err(|e| CallError::new(format!("video.saveAs: cannot write {}: {e}", args.path)))?;
    Ok(())
}

pub(crate) async fn delete(cx: &Cx<'_>, args: PageArgs) -> Result<(), CallError> {
    let video = video(cx, args.page)?;
    let written = video.finished().await?;
    match std::fs::remove_file(&written) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CallError::new(format!("video.delete: {e}"))),
    }
}

//! The page's screencast: Chromium sends a JPEG frame whenever the page paints, once the last
//! one is acknowledged. One screencast per page feeds everyone who wants frames (its video,
//! its trace), each through a broadcast receiver.

use std::sync::Arc;
use std::time::Instant;

use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use futures::StreamExt as _;
use tokio::sync::broadcast;

use super::Page;
use crate::context::Viewport;
use crate::error::BrowserError;
use crate::error::cdp;

/// Frames a slow receiver may fall behind by before it misses some.
const BACKLOG: usize = 64;

/// One screencast frame.
#[derive(Debug)]
pub struct Frame {
    /// The JPEG.
    pub jpeg: Vec<u8>,
    /// When it arrived.
    pub at: Instant,
    /// Its size in pixels.
    pub width: u32,
    /// Its size in pixels.
    pub height: u32,
}

/// The running screencast of a page.
#[derive(Default)]
pub(crate) struct Screencast {
    frames: std::sync::Mutex<Option<broadcast::Sender<Arc<Frame>>>>,
}

impl Page {
    /// The page's screencast frames from now on, at most `size` each (the first subscriber's
    /// size is the screencast's; later ones get frames of that size).
    pub async fn screencast(
        &self,
        size: Viewport,
    ) -> Result<broadcast::Receiver<Arc<Frame>>, BrowserError> {
        let tx = {
            let mut slot = self
                .inner
                .screencast
                .frames
                .lock()
                .map_err(|_| BrowserError::Closed(Some("starting a screencast".into())))?;
            if let Some(tx) = slot.as_ref() {
                return Ok(tx.subscribe());
            }
            let (tx, _) = broadcast::channel(BACKLOG);
            *slot = Some(tx.clone());
            tx
        };
        let rx = tx.subscribe();
        if let Err(e) = self.start_screencast(tx, size).await {
            if let Ok(mut slot) = self.inner.screencast.frames.lock() {
                *slot = None;
            }
            return Err(e);
        }
        Ok(rx)
    }

    async fn start_screencast(
        &self,
        tx: broadcast::Sender<Arc<Frame>>,
        size: Viewport,
    ) -> Result<(), BrowserError> {
        let page = self.inner.cdp.clone();
        let mut events = page
            .event_listener::<cdp_page::EventScreencastFrame>()
            .await
            .map_err(|e| cdp("Page.screencastFrame", e))?;
        let mut params = cdp_page::StartScreencastParams::builder()
            .format(cdp_page::StartScreencastFormat::Jpeg)
            .quality(90)
            .max_width(i64::from(size.width))
            .max_height(i64::from(size.height))
            .build();
        params.every_nth_frame = Some(1);
        page.execute(params)
            .await
            .map_err(|e| cdp("Page.startScreencast", e))?;
        let weak = std::sync::Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            while let Some(event) = events.next().await {
                let at = Instant::now();
                // Chromium sends the next frame only once this one is acknowledged.
                let ack = page.clone();
                let session = event.session_id;
                tokio::spawn(async move {
                    let _ = ack
                        .execute(cdp_page::ScreencastFrameAckParams::new(session))
                        .await;
                });
                use base64::Engine as _;
                let Ok(jpeg) =
                    base64::engine::general_purpose::STANDARD.decode(event.data.as_ref() as &str)
                else {
                    continue;
                };
                let (width, height) = jpeg_size(&jpeg).unwrap_or((size.width, size.height));
                let frame = Arc::new(Frame {
                    jpeg,
                    at,
                    width,
                    height,
                });
                // Nobody listening now is no reason to stop: a trace may start listening later.
                let _ = tx.send(frame);
                if weak.strong_count() == 0 {
                    break;
                }
            }
        });
        Ok(())
    }
}

/// Width and height of a JPEG, from its start-of-frame segment.
fn jpeg_size(jpeg: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        if jpeg[i] != 0xFF {
            return None;
        }
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]);
            let w = u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]);
            return Some((u32::from(w), u32::from(h)));
        }
        i += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_jpeg_tells_its_size() {
        // SOI, an APP0 segment of 4 bytes, SOF0 for 16 lines of 32 pixels.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00,
            0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9,
        ];
        assert_eq!(super::jpeg_size(&jpeg), Some((32, 16)));
        assert_eq!(super::jpeg_size(&[0xFF, 0xD8, 0x00]), None);
    }
}

//! Videos of pages (Playwright's `recordVideo`): each frame of the page's screencast is held
//! until the next arrives and written to ffmpeg as many times as 25 fps needs, so the video
//! runs at the page's own pace. ffmpeg encodes VP8 into
//! WebM, what Playwright's own recorder writes and what every browser plays.
//!
//! The encoder is Debian's `ffmpeg` (libvpx), found on `PATH` or at `$ISOLATE_BROWSER_FFMPEG`:
//! no Rust crate encodes VP8 or VP9 without a C library, and a pure-Rust AV1 encoder is far
//! too slow for a real-time stream.

use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

use tokio::io::AsyncReadExt as _;
use tokio::io::AsyncWriteExt as _;

use crate::context::Viewport;
use crate::error::BrowserError;

/// Frames per second of every video.
const FPS: f64 = 25.0;
/// The longest a video may take to be written once its page is gone.
const FINISH_WAIT: Duration = Duration::from_secs(30);
/// The environment variable naming the ffmpeg to use.
pub const FFMPEG_ENV: &str = "ISOLATE_BROWSER_FFMPEG";

/// Playwright's `recordVideo`: every page of a context is recorded into `dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordVideo {
    /// Where the videos are written (one `<page id>.webm` per page).
    pub dir: PathBuf,
    /// The frame size; `None` is the viewport scaled down to fit 800×800 (800×450 without a
    /// viewport).
    pub size: Option<Viewport>,
}

impl RecordVideo {
    /// The size of the videos of a context with `viewport`: what was asked, or the viewport
    /// scaled down to fit 800×800, in even pixels (what VP8's 4:2:0 frames need).
    pub fn frame_size(&self, viewport: Option<Viewport>) -> Viewport {
        let even = |n: f64| ((n as u32) & !1).max(2);
        if let Some(size) = self.size {
            return Viewport {
                width: even(f64::from(size.width)),
                height: even(f64::from(size.height)),
            };
        }
        let Some(v) = viewport else {
            return Viewport {
                width: 800,
                height: 450,
            };
        };
        let scale = (800.0 / f64::from(v.width))
            .min(800.0 / f64::from(v.height))
            .min(1.0);
        Viewport {
            width: even(f64::from(v.width) * scale),
            height: even(f64::from(v.height) * scale),
        }
    }
}

/// The ffmpeg videos are encoded with: `$ISOLATE_BROWSER_FFMPEG`, or `ffmpeg` on `PATH`.
pub fn find_ffmpeg() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(FFMPEG_ENV) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("ffmpeg"))
        .find(|p| p.is_file())
}

/// The error for a video asked for where there is no encoder.
pub(crate) fn no_ffmpeg() -> BrowserError {
    BrowserError::InvalidArgument(format!(
        "recordVideo needs ffmpeg to encode WebM and none was found on PATH (install it: `apt-get install ffmpeg`, or set {FFMPEG_ENV} to its path)"
    ))
}

/// The video of one page: where it is written, and its recording.
#[derive(Clone)]
pub struct Video {
    inner: Arc<VideoInner>,
}

struct VideoInner {
    path: PathBuf,
    stop: tokio::sync::watch::Sender<bool>,
    /// `None` while recording; then whether the file was written.
    done: tokio::sync::watch::Receiver<Option<Result<(), String>>>,
}

impl std::fmt::Debug for Video {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Video")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Video {
    /// Starts recording `page` into `dir` at `size`.
    pub(crate) async fn start(
        page: &super::Page,
        dir: &Path,
        size: Viewport,
    ) -> Result<Self, BrowserError> {
        let ffmpeg = find_ffmpeg().ok_or_else(no_ffmpeg)?;
        std::fs::create_dir_all(dir).map_err(|e| {
            BrowserError::InvalidArgument(format!(
                "recordVideo: cannot create {}: {e}",
                dir.display()
            ))
        })?;
        let path = dir.join(format!(
            "{}.webm",
            page.cdp().target_id().as_ref().to_ascii_lowercase()
        ));
        let mut child = encoder(&ffmpeg, &path, size)?;
        let stdin = child.stdin.take().ok_or_else(|| {
            BrowserError::InvalidArgument("recordVideo: ffmpeg has no input".into())
        })?;
        let frames = page.screencast(size).await?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (finished, done) = tokio::sync::watch::channel(None);
        let recording = Recording {
            child,
            stdin,
            timeline: Timeline::default(),
        };
        tokio::spawn(async move {
            let result = recording.run(frames, stopped).await;
            let _ = finished.send(Some(result));
        });
        Ok(Self {
            inner: Arc::new(VideoInner { path, stop, done }),
        })
    }

    /// Where the video is written (complete once its page or context is closed).
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Ends the recording (the page is gone); [`Self::finished`] says when the file is whole.
    pub(crate) fn stop(&self) {
        let _ = self.inner.stop.send(true);
    }

    /// Waits until the video file is complete (its page or context closed) and answers its path.
    /// Waits as long as the page is open: Playwright's `saveAs` does too.
    pub async fn finished(&self) -> Result<PathBuf, BrowserError> {
        let mut stopped = self.inner.stop.subscribe();
        stop_asked(&mut stopped).await;
        let mut done = self.inner.done.clone();
        let result = tokio::time::timeout(FINISH_WAIT, done.wait_for(Option::is_some))
            .await
            .map_err(|_| BrowserError::Timeout {
                what: format!("writing the video {}", self.inner.path.display()),
                timeout: FINISH_WAIT,
                call_log: Vec::new(),
            })?
            .map_err(|_| BrowserError::Closed(Some("writing a video".into())))?
            .clone();
        match result {
            Some(Ok(())) => Ok(self.inner.path.clone()),
            Some(Err(e)) => Err(BrowserError::InvalidArgument(format!(
                "the video {} could not be written: {e}",
                self.inner.path.display()
            ))),
            None => unreachable!("waited for a result"),
        }
    }
}

/// ffmpeg reading JPEG frames on its input at 25 fps and writing VP8 WebM to `path`, each frame
/// padded (a page smaller than the video) with grey to the video's size.
fn encoder(
    ffmpeg: &Path,
    path: &Path,
    size: Viewport,
) -> Result<tokio::process::Child, BrowserError> {
    let (w, h) = (size.width, size.height);
    let mut cmd = tokio::process::Command::new(ffmpeg);
    cmd.args(["-loglevel", "error", "-nostdin", "-y"])
        .args(["-f", "image2pipe", "-c:v", "mjpeg", "-framerate", "25"])
        .args(["-probesize", "32", "-analyzeduration", "0", "-i", "pipe:0"])
        .args([
            "-an",
            "-c:v",
            "libvpx",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
        ])
        .args([
            "-b:v", "1M", "-crf", "8", "-qmin", "0", "-qmax", "50", "-threads", "1",
        ])
        .args(["-pix_fmt", "yuv420p", "-r", "25"])
        .arg("-vf")
        .arg(format!(
            "scale=w={w}:h={h}:force_original_aspect_ratio=decrease,pad={w}:{h}:0:0:gray"
        ))
        .args(["-f", "webm"])
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    cmd.spawn().map_err(|e| {
        BrowserError::InvalidArgument(format!(
            "recordVideo: cannot start {}: {e}",
            ffmpeg.display()
        ))
    })
}

/// Which frame slot (of 1/25 s) each moment falls in, from the first frame on.
#[derive(Default)]
struct Timeline {
    start: Option<Instant>,
    written: u64,
    last: Option<Vec<u8>>,
}

impl Timeline {
    fn slot(&mut self, now: Instant) -> u64 {
        let start = *self.start.get_or_insert(now);
        (now.duration_since(start).as_secs_f64() * FPS) as u64
    }
}

struct Recording {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    timeline: Timeline,
}

impl Recording {
    async fn run(
        mut self,
        mut frames: tokio::sync::broadcast::Receiver<Arc<super::screencast::Frame>>,
        mut stopped: tokio::sync::watch::Receiver<bool>,
    ) -> Result<(), String> {
        use tokio::sync::broadcast::error::RecvError;
        let mut failed = None;
        loop {
            tokio::select! {
                frame = frames.recv() => match frame {
                    Ok(frame) => {
                        if let Err(e) = self.frame(frame.jpeg.clone(), frame.at).await {
                            failed = Some(e);
                            break;
                        }
                    }
                    // Frames missed while ffmpeg was busy: the last one shown stays longer.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                },
                () = stop_asked(&mut stopped) => break,
            }
        }
        drop(frames);
        if failed.is_none()
            && let Err(e) = self.end(Instant::now()).await
        {
            failed = Some(e);
        }
        let Self {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        let mut stderr = String::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = err.read_to_string(&mut stderr).await;
        }
        let status = child.wait().await.map_err(|e| e.to_string())?;
        match failed {
            Some(e) => Err(format!("{e} ({})", stderr.trim())),
            None if status.success() => Ok(()),
            None => Err(format!("ffmpeg failed ({status}): {}", stderr.trim())),
        }
    }

    /// Shows the frame before `jpeg` until now, and `jpeg` from now on.
    async fn frame(&mut self, jpeg: Vec<u8>, now: Instant) -> Result<(), String> {
        let slot = self.timeline.slot(now);
        self.fill(slot).await?;
        self.timeline.last = Some(jpeg);
        Ok(())
    }

    /// Shows the last frame through the slot of `now` (a video is at least one frame long).
    async fn end(&mut self, now: Instant) -> Result<(), String> {
        if self.timeline.last.is_none() {
            return Ok(());
        }
        let slot = self.timeline.slot(now) + 1;
        self.fill(slot).await
    }

    /// Writes the last frame until `slot` frames are written.
    async fn fill(&mut self, slot: u64) -> Result<(), String> {
        let Some(last) = &self.timeline.last else {
            return Ok(());
        };
        while self.timeline.written < slot {
            self.stdin
                .write_all(last)
                .await
                .map_err(|e| format!("ffmpeg stopped reading frames: {e}"))?;
            self.timeline.written += 1;
        }
        Ok(())
    }
}

/// Resolves once the recording is asked to stop (or its video is dropped).
async fn stop_asked(stopped: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await.map(|_| ());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(width: u32, height: u32) -> Viewport {
        Viewport { width, height }
    }

    #[test]
    fn default_size_fits_the_viewport_into_800_square() {
        let r = RecordVideo {
            dir: PathBuf::new(),
            size: None,
        };
        assert_eq!(r.frame_size(Some(v(1280, 720))), v(800, 450));
        assert_eq!(r.frame_size(Some(v(640, 480))), v(640, 480));
        assert_eq!(r.frame_size(Some(v(500, 1000))), v(400, 800));
        assert_eq!(r.frame_size(None), v(800, 450));
        let odd = RecordVideo {
            dir: PathBuf::new(),
            size: Some(v(321, 241)),
        };
        assert_eq!(odd.frame_size(Some(v(1280, 720))), v(320, 240));
    }
}

//! [`ResponseBody`]: an app server's response body, whole or streamed from the sandbox.

use std::pin::Pin;
use std::task::Context;
use std::task::Poll;

use bytes::Bytes;
use http_body::Frame;
use http_body::SizeHint;
use tokio::sync::mpsc;

use super::AbortOnDrop;
use super::bridge::Chunk;

/// The body of a response from [`super::AppServer::handle`] (an `http_body::Body`). A
/// streamed body yields chunks as the handler produces them; dropping it before the end
/// aborts the request's signal in the sandbox.
pub struct ResponseBody {
    kind: Kind,
}

enum Kind {
    Full(Option<Bytes>),
    Stream {
        rx: mpsc::Receiver<Chunk>,
        abort: AbortOnDrop,
    },
}

impl ResponseBody {
    pub(crate) fn full(bytes: Bytes) -> Self {
        Self {
            kind: Kind::Full((!bytes.is_empty()).then_some(bytes)),
        }
    }

    pub(crate) fn stream(rx: mpsc::Receiver<Chunk>, abort: AbortOnDrop) -> Self {
        Self {
            kind: Kind::Stream { rx, abort },
        }
    }

    /// Whether the body streams from the sandbox.
    pub fn is_stream(&self) -> bool {
        matches!(self.kind, Kind::Stream { .. })
    }

    /// Reads the whole body (for tests and callers that do not stream).
    pub async fn collect(self) -> Result<Bytes, std::io::Error> {
        Ok(http_body_util::BodyExt::collect(self).await?.to_bytes())
    }
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Full(b) => write!(
                f,
                "ResponseBody::Full({} bytes)",
                b.as_ref().map_or(0, Bytes::len)
            ),
            Kind::Stream { .. } => f.write_str("ResponseBody::Stream"),
        }
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match &mut self.get_mut().kind {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Stream { rx, abort } => match rx.poll_recv(cx) {
                Poll::Ready(Some(Ok(bytes))) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
                Poll::Ready(Some(Err(e))) => {
                    abort.disarm();
                    Poll::Ready(Some(Err(e)))
                }
                Poll::Ready(None) => {
                    // Finished: nothing to abort.
                    abort.disarm();
                    Poll::Ready(None)
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.kind, Kind::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            Kind::Full(None) => SizeHint::with_exact(0),
            Kind::Stream { .. } => SizeHint::default(),
        }
    }
}

//! The isolate side of an app server: a [`ServeHost`] that hands the pump the requests the
//! host sends, and turns the pump's answers into [`Responded`] values for the waiting host.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::VecDeque;
use std::rc::Rc;
use std::rc::Weak;
use std::task::Poll;
use std::task::Waker;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use tokio::sync::mpsc;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::sandbox::ext::serve::ServeEvent;
use crate::sandbox::ext::serve::ServeHead;
use crate::sandbox::ext::serve::ServeHost;

/// Chunks of a streamed body that may wait unsent before the handler is held back.
const STREAM_BUFFER: usize = 16;

/// A chunk of a streamed body, or the error that cut it off.
pub(crate) type Chunk = Result<Bytes, std::io::Error>;

/// What the handler answered.
pub(crate) struct Responded {
    pub head: ServeHead,
    pub body: RespondedBody,
}

pub(crate) enum RespondedBody {
    Full(Bytes),
    Stream(mpsc::Receiver<Chunk>),
    /// The handler upgraded the request to a WebSocket: what it sends comes here.
    Upgrade(mpsc::UnboundedReceiver<WsOut>),
}

/// A frame the handler sends on a WebSocket.
pub(crate) enum WsOut {
    Text(String),
    Binary(Vec<u8>),
    Close(u16, String),
}

/// A request body the handler reads as the client sends it; errors are what to tell the
/// handler.
pub(crate) type RequestBody = http_body_util::combinators::BoxBody<Bytes, String>;

/// What the host sends into the isolate.
pub(crate) enum Incoming {
    Request {
        event: ServeEvent,
        reply: oneshot::Sender<Responded>,
        /// The body, when it streams (`event` says so).
        body: Option<RequestBody>,
    },
    Abort(u32),
    Ping(u32, oneshot::Sender<()>),
    /// A WebSocket event (`WsOpen`, `WsMessage`, `WsClose`) for the handler.
    Socket(ServeEvent),
    /// Work to start on the isolate's own thread (serving connections there), given a way
    /// to hand the handler requests without crossing threads.
    OnIsolate(Box<dyn FnOnce(LocalBridge) + Send>),
}

pub(crate) struct Bridge {
    incoming: RefCell<mpsc::UnboundedReceiver<Incoming>>,
    /// What work on the isolate's thread hands in, ahead of the channel.
    local: RefCell<VecDeque<Incoming>>,
    /// The pump waiting for events, woken by local hand-ins.
    waiting: RefCell<Option<Waker>>,
    /// Cancelled when the bridge goes (the isolate ended).
    dying: CancellationToken,
    tasks: TaskTracker,
    ready: RefCell<Option<oneshot::Sender<()>>>,
    replies: RefCell<HashMap<u32, oneshot::Sender<Responded>>>,
    /// Streamed request bodies not yet read to the end.
    bodies: RefCell<HashMap<u32, RequestBody>>,
    streams: RefCell<HashMap<u32, mpsc::Sender<Chunk>>>,
    pongs: RefCell<HashMap<u32, oneshot::Sender<()>>>,
    sockets: RefCell<HashMap<u32, mpsc::UnboundedSender<WsOut>>>,
}

impl Bridge {
    pub(crate) fn new(
        incoming: mpsc::UnboundedReceiver<Incoming>,
        ready: oneshot::Sender<()>,
        tasks: TaskTracker,
    ) -> Rc<Self> {
        Rc::new(Self {
            incoming: RefCell::new(incoming),
            local: RefCell::default(),
            waiting: RefCell::default(),
            dying: CancellationToken::new(),
            tasks,
            ready: RefCell::new(Some(ready)),
            replies: RefCell::default(),
            bodies: RefCell::default(),
            streams: RefCell::default(),
            pongs: RefCell::default(),
            sockets: RefCell::default(),
        })
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.dying.cancel();
    }
}

impl Bridge {
    /// Files what an event needs answered with and hands the event to the pump; runs work
    /// meant for the isolate's thread.
    fn accept(self: &Rc<Self>, incoming: Incoming) -> Option<ServeEvent> {
        Some(match incoming {
            Incoming::Request { event, reply, body } => {
                if let ServeEvent::Request { id, .. } = &event {
                    self.replies.borrow_mut().insert(*id, reply);
                    if let Some(body) = body {
                        self.bodies.borrow_mut().insert(*id, body);
                    }
                }
                event
            }
            Incoming::OnIsolate(work) => {
                work(LocalBridge {
                    bridge: Rc::downgrade(self),
                    dying: self.dying.clone(),
                    tasks: self.tasks.clone(),
                });
                return None;
            }
            Incoming::Abort(id) => {
                // Whatever the handler still sends for it goes nowhere.
                self.replies.borrow_mut().remove(&id);
                self.streams.borrow_mut().remove(&id);
                self.bodies.borrow_mut().remove(&id);
                ServeEvent::Abort { id }
            }
            Incoming::Ping(id, pong) => {
                self.pongs.borrow_mut().insert(id, pong);
                ServeEvent::Ping { id }
            }
            Incoming::Socket(event) => {
                if let ServeEvent::WsClose { id, .. } = &event {
                    self.sockets.borrow_mut().remove(id);
                }
                event
            }
        })
    }

    /// Every event waiting (local hand-ins first), or `None` once the host has hung up and
    /// nothing is left.
    fn poll_events(
        self: &Rc<Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<Option<Vec<ServeEvent>>> {
        let mut events = Vec::new();
        let mut closed = false;
        loop {
            let local = self.local.borrow_mut().pop_front();
            let next = match local {
                Some(incoming) => incoming,
                None => match self.incoming.borrow_mut().poll_recv(cx) {
                    Poll::Ready(Some(incoming)) => incoming,
                    Poll::Ready(None) => {
                        closed = true;
                        break;
                    }
                    Poll::Pending => break,
                },
            };
            events.extend(self.accept(next));
        }
        if !events.is_empty() {
            return Poll::Ready(Some(events));
        }
        if closed {
            return Poll::Ready(None);
        }
        *self.waiting.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// The isolate-thread side of a [`Bridge`]: hands the handler requests without a channel,
/// and runs tasks that may outlive the isolate briefly (to answer what they hold).
#[derive(Clone)]
pub(crate) struct LocalBridge {
    bridge: Weak<Bridge>,
    dying: CancellationToken,
    tasks: TaskTracker,
}

impl LocalBridge {
    /// Hands `incoming` to the handler; `false` when the isolate has gone.
    pub(crate) fn send(&self, incoming: Incoming) -> bool {
        let Some(bridge) = self.bridge.upgrade() else {
            return false;
        };
        bridge.local.borrow_mut().push_back(incoming);
        let waiting = bridge.waiting.borrow_mut().take();
        if let Some(waker) = waiting {
            waker.wake();
        }
        true
    }

    /// Cancelled when the isolate has gone.
    pub(crate) fn dying(&self) -> CancellationToken {
        self.dying.clone()
    }

    /// Runs `task` on the isolate's thread (whose runtime is current-thread: the task need
    /// not be `Send`).
    pub(crate) fn spawn(&self, task: impl std::future::Future<Output = ()> + 'static) {
        deno_core::unsync::spawn(self.tasks.track_future(task));
    }
}

/// [`ServeHost`] over a shared [`Bridge`].
pub(crate) struct BridgeHost(pub Rc<Bridge>);

impl ServeHost for BridgeHost {
    fn available(&self) -> bool {
        true
    }

    fn started(&self) {
        if let Some(tx) = self.0.ready.borrow_mut().take() {
            let _ = tx.send(());
        }
    }

    fn next(&self) -> LocalBoxFuture<'static, Option<Vec<ServeEvent>>> {
        let bridge = self.0.clone();
        Box::pin(futures::future::poll_fn(move |cx| bridge.poll_events(cx)))
    }

    fn respond(&self, id: u32, head: ServeHead, body: Option<Vec<u8>>, stream: bool) {
        let Some(reply) = self.0.replies.borrow_mut().remove(&id) else {
            return;
        };
        let body = if stream {
            let (tx, rx) = mpsc::channel(STREAM_BUFFER);
            self.0.streams.borrow_mut().insert(id, tx);
            RespondedBody::Stream(rx)
        } else {
            RespondedBody::Full(body.map(Bytes::from).unwrap_or_default())
        };
        if reply.send(Responded { head, body }).is_err() {
            self.0.streams.borrow_mut().remove(&id);
        }
    }

    fn chunk(&self, id: u32, bytes: Vec<u8>) -> LocalBoxFuture<'static, bool> {
        let sender = self.0.streams.borrow().get(&id).cloned();
        Box::pin(async move {
            match sender {
                Some(tx) => tx.send(Ok(Bytes::from(bytes))).await.is_ok(),
                None => false,
            }
        })
    }

    fn end(&self, id: u32, errored: bool) {
        let sender = self.0.streams.borrow_mut().remove(&id);
        if errored && let Some(tx) = sender {
            let _ = tx.try_send(Err(std::io::Error::other(
                "the response stream failed in the handler",
            )));
        }
    }

    fn body_read(&self, id: u32) -> LocalBoxFuture<'static, Result<Option<Vec<u8>>, String>> {
        let bridge = self.0.clone();
        Box::pin(async move {
            // Out of the map while it is read (the handler reads one chunk at a time).
            let Some(mut body) = bridge.bodies.borrow_mut().remove(&id) else {
                return Ok(None);
            };
            loop {
                match http_body_util::BodyExt::frame(&mut body).await {
                    None => return Ok(None),
                    Some(Err(e)) => return Err(e),
                    Some(Ok(frame)) => {
                        // Trailers carry no bytes.
                        if let Ok(data) = frame.into_data() {
                            bridge.bodies.borrow_mut().insert(id, body);
                            return Ok(Some(data.to_vec()));
                        }
                    }
                }
            }
        })
    }

    fn body_cancel(&self, id: u32) {
        self.0.bodies.borrow_mut().remove(&id);
    }

    fn pong(&self, id: u32) {
        if let Some(tx) = self.0.pongs.borrow_mut().remove(&id) {
            let _ = tx.send(());
        }
    }

    fn upgrade(&self, id: u32) -> bool {
        let Some(reply) = self.0.replies.borrow_mut().remove(&id) else {
            return false;
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let head = ServeHead {
            status: 101,
            reason: None,
            headers: http::HeaderMap::new(),
        };
        if reply
            .send(Responded {
                head,
                body: RespondedBody::Upgrade(rx),
            })
            .is_err()
        {
            return false;
        }
        self.0.sockets.borrow_mut().insert(id, tx);
        true
    }

    fn ws_send(&self, id: u32, text: Option<String>, binary: Option<Vec<u8>>) {
        if let Some(tx) = self.0.sockets.borrow().get(&id) {
            let frame = match (text, binary) {
                (Some(t), _) => WsOut::Text(t),
                (None, b) => WsOut::Binary(b.unwrap_or_default()),
            };
            let _ = tx.send(frame);
        }
    }

    fn ws_close(&self, id: u32, code: u16, reason: String) {
        if let Some(tx) = self.0.sockets.borrow().get(&id) {
            let _ = tx.send(WsOut::Close(code, reason));
        }
    }
}

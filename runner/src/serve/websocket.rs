//! [`WebSocketUpgrade`]: a request the sandbox upgraded (`server.upgrade(request)`), and the
//! frame pump between the client's socket and the handler's `websocket` callbacks.

use async_tungstenite::WebSocketStream;
use async_tungstenite::tokio::TokioAdapter;
use futures::StreamExt as _;
use tokio::io::AsyncRead;
use tokio::io::AsyncWrite;
use tokio::sync::mpsc;
use tungstenite::Message;
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::Role;
use tungstenite::protocol::frame::coding::CloseCode;

use super::bridge::Incoming;
use super::bridge::WsOut;
use crate::sandbox::ext::serve::ServeEvent;

/// A WebSocket the handler accepted. Finish the HTTP upgrade (status 101 with
/// [`WebSocketUpgrade::accept_key`]), then hand the upgraded connection to
/// [`WebSocketUpgrade::run`].
pub struct WebSocketUpgrade {
    pub(crate) id: u32,
    pub(crate) outgoing: mpsc::UnboundedReceiver<WsOut>,
    pub(crate) incoming: mpsc::UnboundedSender<Incoming>,
}

impl std::fmt::Debug for WebSocketUpgrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketUpgrade")
            .field("id", &self.id)
            .finish()
    }
}

impl WebSocketUpgrade {
    /// The `Sec-WebSocket-Accept` value for a request's `Sec-WebSocket-Key`.
    pub fn accept_key(request_key: &[u8]) -> String {
        tungstenite::handshake::derive_accept_key(request_key)
    }

    /// Runs the socket until either side closes it: the client's frames go to the handler's
    /// `websocket.message`, the handler's `ws.send()` frames to the client.
    pub async fn run<S>(mut self, io: S)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let stream =
            WebSocketStream::from_raw_socket(TokioAdapter::new(io), Role::Server, None).await;
        let (mut sink, mut source) = stream.split();
        let id = self.id;
        if !emit(&self.incoming, ServeEvent::WsOpen { id }) {
            return;
        }
        // The close the handler started: reported when the client answers it, goes away, or
        // has not answered within the grace period.
        let mut closing: Option<(u16, String)> = None;
        let close_grace = tokio::time::sleep(std::time::Duration::from_secs(3600));
        tokio::pin!(close_grace);
        loop {
            tokio::select! {
                frame = source.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        emit(&self.incoming, ServeEvent::WsMessage {
                            id,
                            text: Some(text.to_string()),
                            binary: None,
                        });
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        emit(&self.incoming, ServeEvent::WsMessage {
                            id,
                            text: None,
                            binary: Some(bytes.to_vec()),
                        });
                    }
                    Some(Ok(Message::Close(frame))) => {
                        let (code, reason) = closing.take().unwrap_or_else(|| {
                            frame
                                .map(|f| (u16::from(f.code), f.reason.to_string()))
                                .unwrap_or((1005, String::new()))
                        });
                        // The library answers the close handshake; flush it.
                        let _ = sink.close(None).await;
                        emit(&self.incoming, ServeEvent::WsClose { id, code, reason });
                        return;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => {
                        let (code, reason) = closing.take().unwrap_or((1006, String::new()));
                        emit(&self.incoming, ServeEvent::WsClose { id, code, reason });
                        return;
                    }
                },
                () = &mut close_grace, if closing.is_some() => {
                    if let Some((code, reason)) = closing.take() {
                        emit(&self.incoming, ServeEvent::WsClose { id, code, reason });
                    }
                    return;
                }
                out = self.outgoing.recv(), if closing.is_none() => {
                    let message = match out {
                        Some(WsOut::Text(text)) => Message::text(text),
                        Some(WsOut::Binary(bytes)) => Message::binary(bytes),
                        Some(WsOut::Close(code, reason)) => {
                            closing = Some((code, reason.clone()));
                            Message::Close(Some(CloseFrame {
                                code: CloseCode::from(code),
                                reason: reason.into(),
                            }))
                        }
                        // The isolate went away.
                        None => {
                            closing = Some((1011, "the app server restarted".into()));
                            Message::Close(Some(CloseFrame {
                                code: CloseCode::Error,
                                reason: "the app server restarted".into(),
                            }))
                        }
                    };
                    if closing.is_some() {
                        close_grace
                            .as_mut()
                            .reset(tokio::time::Instant::now() + std::time::Duration::from_secs(2));
                    }
                    if sink.send(message).await.is_err() {
                        emit(&self.incoming, ServeEvent::WsClose {
                            id,
                            code: 1006,
                            reason: String::new(),
                        });
                        return;
                    }
                }
            }
        }
    }
}

/// Hands a socket event to the handler; `false` when the isolate is gone.
fn emit(incoming: &mpsc::UnboundedSender<Incoming>, event: ServeEvent) -> bool {
    incoming.send(Incoming::Socket(event)).is_ok()
}

//! Serving an [`AppServer`] over HTTP/1.1 on a real port (hyper): one log line per request,
//! request bodies bounded, and a graceful shutdown that lets requests in flight finish within
//! a grace period.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::time::Duration;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use http_body_util::LengthLimitError;
use http_body_util::Limited;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::AppServer;
use super::Handled;
use super::Log;
use super::OnIsolate;
use super::ResponseBody;
use super::WebSocketUpgrade;
use super::bridge::RequestBody;

/// How to serve.
#[derive(Clone)]
pub struct HttpOptions {
    /// Request bodies larger than this are answered 413.
    pub max_body_bytes: usize,
    /// How long requests in flight may take to finish after shutdown starts.
    pub grace: Duration,
    /// The server's messages, and a line per request, go here.
    pub log: Log,
    /// Whether to log a line per request.
    pub log_requests: bool,
}

type Body = ResponseBody;

fn text(status: u16, body: &'static str) -> hyper::Response<Body> {
    let mut r = hyper::Response::new(ResponseBody::full(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    r
}

/// How often the watchdog looks for a request past its time on a stuck isolate.
const WATCHDOG_TICK: Duration = Duration::from_millis(250);

/// Serves `server` on `listener` until `shutdown` resolves, then shuts down gracefully and
/// closes the app server.
///
/// Connections are served on the isolate's own thread (as Deno.serve does): a request reaches
/// the handler and its response the socket with no thread hop. A watchdog on the caller's
/// runtime catches an isolate stuck in synchronous code (which would hold those connections
/// too): it is terminated, the requests it held are answered 504, its connections close, and
/// a fresh isolate takes the listener over.
pub async fn serve_http(
    server: AppServer,
    listener: TcpListener,
    options: HttpOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let listener = listener.into_std()?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(WATCHDOG_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    'serving: loop {
        let generation = match server.generation().await {
            Ok(g) => g,
            Err(e) => {
                (options.log)(&format!(
                    "the app server could not start again: {e}; retrying in 1s"
                ));
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue 'serving,
                    () = &mut shutdown => break 'serving,
                }
            }
        };
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        let handed = {
            let listener = listener.try_clone()?;
            let server = server.clone();
            let options = options.clone();
            let stop = stop_rx.clone();
            generation.on_isolate(move |on| {
                serve_on_isolate(server, on, listener, options, stop, done_tx);
            })
        };
        if !handed {
            // The isolate went as it was handed the listener: the next turn replaces it.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        }
        tokio::pin!(done_rx);
        loop {
            tokio::select! {
                // The isolate has gone and its connections with it: start another.
                _ = &mut done_rx => continue 'serving,
                () = &mut shutdown => {
                    (options.log)("shutting down: waiting for requests in flight");
                    let _ = stop_tx.send(true);
                    if tokio::time::timeout(options.grace, &mut done_rx).await.is_err() {
                        (options.log)(&format!(
                            "requests still in flight after {:?}; stopping anyway",
                            options.grace
                        ));
                    }
                    break 'serving;
                }
                _ = tick.tick() => {
                    if generation
                        .oldest_local_request()
                        .is_some_and(|waited| waited > server.request_timeout() + WATCHDOG_TICK)
                    {
                        server.check_stuck(&generation);
                    }
                }
            }
        }
    }
    server.close(Duration::from_millis(100)).await;
    Ok(())
}

/// On the isolate's thread: accepts connections and serves them until `stop` or the
/// isolate's end, then lets them finish and drops `done`.
fn serve_on_isolate(
    server: AppServer,
    on: OnIsolate,
    listener: std::net::TcpListener,
    options: HttpOptions,
    mut stop: tokio::sync::watch::Receiver<bool>,
    done: tokio::sync::oneshot::Sender<()>,
) {
    let bridge = on.bridge.clone();
    let dying = on.bridge.dying();
    let on = Rc::new(on);
    bridge.spawn(async move {
        let _done = done;
        let listener = match TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => {
                (options.log)(&format!("cannot listen on the isolate's thread: {e}"));
                return;
            }
        };
        let connections = tokio_util::task::TaskTracker::new();
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    // Out of file descriptors and the like: keep serving the connections we have.
                    Err(e) => {
                        (options.log)(&format!("accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = stop.changed() => break,
                () = dying.cancelled() => break,
            };
            let _ = stream.set_nodelay(true);
            let service = {
                let server = server.clone();
                let options = options.clone();
                let on = on.clone();
                service_fn(move |req| {
                    handle(server.clone(), options.clone(), peer, req, on.clone())
                })
            };
            let mut stop = stop.clone();
            let dying = dying.clone();
            deno_core::unsync::spawn(connections.track_future(async move {
                let conn = hyper::server::conn::http1::Builder::new()
                    // One flat buffer per response: one `write` instead of `writev` over
                    // head and body, measured faster for the small answers apps mostly give.
                    .writev(false)
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades();
                tokio::pin!(conn);
                tokio::select! {
                    _ = conn.as_mut() => return,
                    _ = stop.changed() => {}
                    () = dying.cancelled() => {}
                }
                // Finish the request in flight, then close.
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }));
        }
        drop(listener);
        connections.close();
        connections.wait().await;
    });
}

/// Bodies of a known length up to this are read whole before the handler runs.
const WHOLE_BODY_BYTES: u64 = 64 * 1024;

enum BodyProblem {
    TooLarge,
    Unreadable,
}

/// What went wrong with a body the handler read as it arrived.
#[derive(Default)]
struct StreamedProblems {
    /// It went past the server's limit.
    over_limit: AtomicBool,
    /// Its framing was broken (a malformed chunk): the client's fault, not the handler's.
    unreadable: AtomicBool,
}

/// A request body for the handler to read as it arrives, cut off with an error (and the
/// problem recorded) past `max` bytes or where its framing breaks.
fn stream_body(body: Incoming, max: usize, problems: Arc<StreamedProblems>) -> RequestBody {
    Limited::new(body, max)
        .map_err(move |e| {
            if e.downcast_ref::<LengthLimitError>().is_some() {
                problems.over_limit.store(true, Ordering::SeqCst);
                format!("the request body is over the server's limit of {max} bytes")
            } else {
                problems.unreadable.store(true, Ordering::SeqCst);
                format!("the request body could not be read: {e}")
            }
        })
        .boxed()
}

fn switching_protocols(key: &[u8]) -> hyper::Response<Body> {
    let mut r = text(101, "");
    let headers = r.headers_mut();
    headers.insert(
        hyper::header::UPGRADE,
        hyper::header::HeaderValue::from_static("websocket"),
    );
    headers.insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("Upgrade"),
    );
    if let Ok(accept) = hyper::header::HeaderValue::from_str(&WebSocketUpgrade::accept_key(key)) {
        headers.insert(hyper::header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    r
}

async fn handle(
    server: AppServer,
    options: HttpOptions,
    peer: SocketAddr,
    req: hyper::Request<Incoming>,
    on: Rc<OnIsolate>,
) -> Result<hyper::Response<Body>, Infallible> {
    // What the log line needs, kept only when there is one to write (cheap clones).
    let started = options.log_requests.then(Instant::now);
    let method = req.method().clone();
    let uri = req.uri().clone();
    let path = || uri.path_and_query().map_or("/", |p| p.as_str());
    let mut req = req;
    let on_upgrade = hyper::upgrade::on(&mut req);
    let ws_key = req
        .headers()
        .get(hyper::header::SEC_WEBSOCKET_KEY)
        .map(|k| k.as_bytes().to_vec());
    let (parts, body) = req.into_parts();
    let max = options.max_body_bytes;
    let size = http_body::Body::size_hint(&body);
    // A small body of known length is read whole (one event); any other streams to the
    // handler as it arrives.
    let problems = Arc::new(StreamedProblems::default());
    let mut streamed = None;
    let collected = if http_body::Body::is_end_stream(&body) {
        Ok(Bytes::new())
    } else if size.lower() > max as u64 {
        Err(BodyProblem::TooLarge)
    } else if size.exact().is_some_and(|n| n <= WHOLE_BODY_BYTES) {
        Limited::new(body, max)
            .collect()
            .await
            .map(|c| c.to_bytes())
            .map_err(|e| {
                if e.downcast_ref::<LengthLimitError>().is_some() {
                    BodyProblem::TooLarge
                } else {
                    BodyProblem::Unreadable
                }
            })
    } else {
        streamed = Some(stream_body(body, max, problems.clone()));
        Ok(Bytes::new())
    };
    let response = match collected {
        Err(BodyProblem::TooLarge) => text(413, "Payload Too Large\n"),
        Err(BodyProblem::Unreadable) => text(400, "Bad Request: the body could not be read\n"),
        Ok(bytes) => {
            let request = hyper::Request::from_parts(parts, bytes);
            // hyper drops this future when the client goes away: that aborts the handler's
            // `request.signal`.
            match server.handle_local(request, streamed, &on).await {
                Ok(Handled::WebSocket(ws)) => match ws_key {
                    Some(key) => {
                        tokio::spawn(async move {
                            if let Ok(upgraded) = on_upgrade.await {
                                ws.run(TokioIo::new(upgraded)).await;
                            }
                        });
                        switching_protocols(&key)
                    }
                    None => text(
                        400,
                        "Bad Request: a WebSocket upgrade needs Sec-WebSocket-Key\n",
                    ),
                },
                // A streamed body over the limit or with broken framing: say what happened,
                // whatever the handler made of it.
                _ if problems.over_limit.load(Ordering::SeqCst) => text(413, "Payload Too Large\n"),
                _ if problems.unreadable.load(Ordering::SeqCst) => {
                    text(400, "Bad Request: the body could not be read\n")
                }
                Ok(handled) => handled.into_response(),
                Err(e) => {
                    (options.log)(&format!("{method} {}: {e}", path()));
                    text(500, "Internal Server Error\n")
                }
            }
        }
    };
    if let Some(started) = started {
        (options.log)(&format!(
            "{peer} {method} {} {} {:.1}ms",
            path(),
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        ));
    }
    Ok(response)
}

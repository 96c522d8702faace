//! Serving an [`AppServer`] over HTTP/1.1 on a real port (hyper): one log line per request,
//! request bodies bounded, and a graceful shutdown that lets requests in flight finish within
//! a grace period.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use http_body_util::Full;
use http_body_util::Limited;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::AppServer;
use super::Handled;
use super::Log;
use super::WebSocketUpgrade;

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

type Body = UnsyncBoxBody<Bytes, std::io::Error>;

fn text(status: u16, body: &'static str) -> hyper::Response<Body> {
    let mut r = hyper::Response::new(
        Full::new(Bytes::from_static(body.as_bytes()))
            .map_err(|never: Infallible| match never {})
            .boxed_unsync(),
    );
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    r
}

/// Serves `server` on `listener` until `shutdown` resolves, then shuts down gracefully and
/// closes the app server.
pub async fn serve_http(
    server: AppServer,
    listener: TcpListener,
    options: HttpOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
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
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = {
            let server = server.clone();
            let options = options.clone();
            service_fn(move |req| handle(server.clone(), options.clone(), peer, req))
        };
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {
                    // Finish the request in flight, then close.
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    (options.log)("shutting down: waiting for requests in flight");
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(options.grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        (options.log)(&format!(
            "requests still in flight after {:?}; stopping anyway",
            options.grace
        ));
        connections.abort_all();
    }
    server.close(Duration::from_millis(100)).await;
    Ok(())
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
) -> Result<hyper::Response<Body>, Infallible> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let mut req = req;
    let on_upgrade = hyper::upgrade::on(&mut req);
    let ws_key = req
        .headers()
        .get(hyper::header::SEC_WEBSOCKET_KEY)
        .map(|k| k.as_bytes().to_vec());
    let (parts, body) = req.into_parts();
    let collected = if http_body::Body::is_end_stream(&body) {
        Ok(Bytes::new())
    } else {
        Limited::new(body, options.max_body_bytes)
            .collect()
            .await
            .map(|c| c.to_bytes())
    };
    let response = match collected {
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            text(413, "Payload Too Large\n")
        }
        Err(_) => text(400, "Bad Request: the body could not be read\n"),
        Ok(bytes) => {
            let request = hyper::Request::from_parts(parts, bytes);
            // hyper drops this future when the client goes away: that aborts the handler's
            // `request.signal`.
            match server.handle_inner(request, None).await {
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
                Ok(handled) => handled.into_response().map(|b| b.boxed_unsync()),
                Err(e) => {
                    (options.log)(&format!("{method} {path}: {e}"));
                    text(500, "Internal Server Error\n")
                }
            }
        }
    };
    if options.log_requests {
        (options.log)(&format!(
            "{peer} {method} {path} {} {:.1}ms",
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        ));
    }
    Ok(response)
}

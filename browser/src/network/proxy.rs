//! The SOCKS5 proxy (RFC 1928, CONNECT without authentication) that every connection of a
//! policed context goes through. It decides on the host and port Chromium asks for, resolves
//! names itself, connects to an address it checked and then only copies bytes: TLS stays
//! end to end, and a kept-alive connection pays nothing after its first request.
//!
//! Written here rather than taken from a crate: it is fifty lines of framing around the
//! policy decision, which is the part that matters, and it must resolve, check and connect in
//! one step (a general-purpose server resolves for us, after any hook has run).

use std::collections::VecDeque;
use std::io;
use std::net::IpAddr;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::AsyncReadExt as _;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpListener;
use tokio::net::TcpStream;

use super::NetworkMode;
use super::NetworkPolicy;
use super::Refusal;
use super::RefusalReason;

/// Chromium gets this long to say where it wants to go.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Name resolution and the connection itself.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// Failures kept for error messages (the newest win).
const KEPT_FAILURES: usize = 256;

/// A running proxy for one policy; stops when dropped.
pub(crate) struct PolicyProxy {
    port: u16,
    shared: Arc<Shared>,
    accept: tokio::task::JoinHandle<()>,
}

struct Shared {
    policy: NetworkPolicy,
    grants: Vec<(String, u16)>,
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    next: u64,
    kept: VecDeque<(u64, Refusal)>,
}

impl PolicyProxy {
    /// Listens on an ephemeral port of 127.0.0.1.
    pub(crate) async fn start(policy: NetworkPolicy) -> io::Result<Arc<Self>> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            grants: policy.grants(),
            policy,
            failures: Mutex::default(),
        });
        let serving = shared.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, serving.clone()));
            }
        });
        Ok(Arc::new(Self {
            port,
            shared,
            accept,
        }))
    }

    /// The policy this proxy enforces.
    pub(crate) fn policy(&self) -> &NetworkPolicy {
        &self.shared.policy
    }

    /// Chromium's `--proxy-server` value.
    pub(crate) fn server(&self) -> String {
        format!("socks5://127.0.0.1:{}", self.port)
    }

    /// A point in the failure log; [`Self::failures_since`] returns what came after it.
    pub(crate) fn mark(&self) -> u64 {
        self.shared.lock().next
    }

    /// Failures recorded after `mark`, oldest first.
    pub(crate) fn failures_since(&self, mark: u64) -> Vec<Refusal> {
        self.shared
            .lock()
            .kept
            .iter()
            .filter(|(seq, _)| *seq >= mark)
            .map(|(_, r)| r.clone())
            .collect()
    }
}

impl Drop for PolicyProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(&self, refusal: Refusal) {
        if refusal.is_policy() {
            tracing::info!(target: "isolate_browser::network", "{refusal}");
        }
        let mut f = self.lock();
        let seq = f.next;
        f.next += 1;
        f.kept.push_back((seq, refusal));
        if f.kept.len() > KEPT_FAILURES {
            f.kept.pop_front();
        }
    }

    fn is_granted(&self, host: &str, port: u16) -> bool {
        self.grants.iter().any(|(h, p)| {
            *p == port
                && (h == host || (super::is_loopback_name(h) && super::is_loopback_name(host)))
        })
    }

    /// Where `host:port` may be reached, or why not.
    async fn decide(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, RefusalReason> {
        let granted = self.is_granted(host, port);
        if !granted && self.policy.mode == NetworkMode::Strict {
            return Err(RefusalReason::NotGranted);
        }
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((host, port)))
                .await
                .ok()
                .and_then(Result::ok)
                .map(Iterator::collect)
                .unwrap_or_default(),
        };
        if addrs.is_empty() {
            return Err(RefusalReason::NotResolved);
        }
        if !granted {
            let own = super::addrs::own_addresses();
            // One internal address refuses the name: which one Chromium would use is not ours
            // to guess.
            for a in &addrs {
                if let Some(kind) = super::internal_kind(a.ip(), &own) {
                    return Err(RefusalReason::Internal {
                        address: a.ip(),
                        kind,
                    });
                }
            }
        }
        Ok(addrs)
    }
}

/// SOCKS5 reply codes.
const REPLY_OK: u8 = 0;
const REPLY_FAILURE: u8 = 1;
const REPLY_NOT_ALLOWED: u8 = 2;
const REPLY_HOST_UNREACHABLE: u8 = 4;
const REPLY_REFUSED: u8 = 5;
const REPLY_COMMAND_UNSUPPORTED: u8 = 7;
const REPLY_ADDRESS_UNSUPPORTED: u8 = 8;

async fn serve(mut client: TcpStream, shared: Arc<Shared>) {
    let Ok(Ok(request)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(&mut client)).await
    else {
        return;
    };
    let (host, port) = match request {
        Ok(target) => target,
        Err(code) => {
            let _ = reply(&mut client, code).await;
            return;
        }
    };
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let upstream = match shared.decide(&host, port).await {
        Ok(addrs) => connect(&addrs).await,
        Err(reason) => Err(reason),
    };
    match upstream {
        Ok(mut upstream) => {
            let _ = upstream.set_nodelay(true);
            if reply(&mut client, REPLY_OK).await.is_ok() {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
        }
        Err(reason) => {
            let code = match &reason {
                RefusalReason::NotResolved => REPLY_HOST_UNREACHABLE,
                RefusalReason::ConnectFailed(k) if k == "refused" => REPLY_REFUSED,
                RefusalReason::ConnectFailed(k) if k == "timed out" => REPLY_HOST_UNREACHABLE,
                RefusalReason::ConnectFailed(_) => REPLY_FAILURE,
                _ => REPLY_NOT_ALLOWED,
            };
            shared.record(Refusal { target, reason });
            let _ = reply(&mut client, code).await;
        }
    }
}

/// Reads the greeting and the request. The outer error is a broken or foreign client (just
/// close); the inner one a request to refuse with that reply code.
async fn handshake(client: &mut TcpStream) -> io::Result<Result<(String, u16), u8>> {
    let mut head = [0u8; 2];
    client.read_exact(&mut head).await?;
    if head[0] != 5 {
        return Err(io::Error::other("not SOCKS5"));
    }
    let mut methods = vec![0u8; usize::from(head[1])];
    client.read_exact(&mut methods).await?;
    if !methods.contains(&0) {
        client.write_all(&[5, 0xff]).await?;
        return Err(io::Error::other("no acceptable authentication method"));
    }
    client.write_all(&[5, 0]).await?;
    let mut req = [0u8; 4];
    client.read_exact(&mut req).await?;
    let host = match req[3] {
        1 => {
            let mut a = [0u8; 4];
            client.read_exact(&mut a).await?;
            std::net::Ipv4Addr::from(a).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len).await?;
            let mut name = vec![0u8; usize::from(len[0])];
            client.read_exact(&mut name).await?;
            String::from_utf8_lossy(&name).to_ascii_lowercase()
        }
        4 => {
            let mut a = [0u8; 16];
            client.read_exact(&mut a).await?;
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => return Ok(Err(REPLY_ADDRESS_UNSUPPORTED)),
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port).await?;
    if req[1] != 1 {
        return Ok(Err(REPLY_COMMAND_UNSUPPORTED));
    }
    let host = host.trim_matches(['[', ']']).to_string();
    Ok(Ok((host, u16::from_be_bytes(port))))
}

async fn reply(client: &mut TcpStream, code: u8) -> io::Result<()> {
    client.write_all(&[5, code, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    client.flush().await
}

/// The first of `addrs` that accepts.
async fn connect(addrs: &[SocketAddr]) -> Result<TcpStream, RefusalReason> {
    let mut last = RefusalReason::ConnectFailed("unreachable".into());
    for addr in addrs {
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                last = RefusalReason::ConnectFailed("refused".into());
            }
            Ok(Err(e)) => last = RefusalReason::ConnectFailed(e.to_string()),
            Err(_) => last = RefusalReason::ConnectFailed("timed out".into()),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Speaks SOCKS5 to the proxy like Chromium does; returns the reply code.
    async fn ask(proxy: &PolicyProxy, host: &str, port: u16) -> (u8, Option<TcpStream>) {
        let mut s = TcpStream::connect(("127.0.0.1", proxy.port))
            .await
            .expect("proxy");
        s.write_all(&[5, 1, 0]).await.expect("greet");
        let mut m = [0u8; 2];
        s.read_exact(&mut m).await.expect("method");
        assert_eq!(m, [5, 0]);
        let mut req = vec![5, 1, 0, 3, host.len() as u8];
        req.extend(host.as_bytes());
        req.extend(port.to_be_bytes());
        s.write_all(&req).await.expect("request");
        let mut rep = [0u8; 10];
        s.read_exact(&mut rep).await.expect("reply");
        (rep[1], (rep[1] == 0).then_some(s))
    }

    #[tokio::test]
    async fn loopback_is_reached_only_when_granted() {
        let service = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = service.local_addr().expect("addr").port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = service.accept().await {
                let _ = s.write_all(b"secret").await;
            }
        });
        let open = PolicyProxy::start(NetworkPolicy::open(Vec::new()))
            .await
            .expect("proxy");
        let mark = open.mark();
        assert_eq!(ask(&open, "127.0.0.1", port).await.0, REPLY_NOT_ALLOWED);
        assert_eq!(ask(&open, "localhost", port).await.0, REPLY_NOT_ALLOWED);
        assert_eq!(ask(&open, "169.254.169.254", 80).await.0, REPLY_NOT_ALLOWED);
        let failures = open.failures_since(mark);
        assert_eq!(failures.len(), 3, "{failures:?}");
        assert!(failures.iter().all(Refusal::is_policy));
        assert!(
            failures[0].to_string().contains("loopback"),
            "{}",
            failures[0]
        );

        let granted = PolicyProxy::start(NetworkPolicy::strict(vec![format!(
            "http://localhost:{port}"
        )]))
        .await
        .expect("proxy");
        let (code, stream) = ask(&granted, "127.0.0.1", port).await;
        assert_eq!(code, REPLY_OK);
        let mut body = String::new();
        stream
            .expect("stream")
            .read_to_string(&mut body)
            .await
            .expect("read");
        assert_eq!(body, "secret");
        // Strict: another port of the same host is not granted.
        assert_eq!(ask(&granted, "127.0.0.1", 9).await.0, REPLY_NOT_ALLOWED);
        assert_eq!(
            granted.failures_since(0)[0].reason,
            RefusalReason::NotGranted
        );
    }

    #[tokio::test]
    async fn names_that_do_not_resolve_are_reported_as_such() {
        let open = PolicyProxy::start(NetworkPolicy::open(Vec::new()))
            .await
            .expect("proxy");
        assert_eq!(
            ask(&open, "nothing.invalid", 80).await.0,
            REPLY_HOST_UNREACHABLE
        );
        let f = open.failures_since(0);
        assert_eq!(f[0].reason, RefusalReason::NotResolved);
        assert_eq!(f[0].net_error(), Some("net::ERR_NAME_NOT_RESOLVED"));
    }
}

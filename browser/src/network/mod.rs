//! The browser's network and navigation policy: which URLs pages may load and which hosts
//! their connections may reach.
//!
//! Two halves enforce it:
//! - **Connections.** Every connection of a context (documents, subresources, fetch/XHR,
//!   WebSockets, workers, popups, redirects) goes through a SOCKS5 proxy of ours on
//!   127.0.0.1 ([`proxy`]), loopback included (`<-loopback>` removes Chromium's implicit
//!   bypass). The proxy resolves names itself and connects to the address it checked, so a
//!   name that resolves to loopback is caught and cannot be rebound in between.
//! - **Navigations.** Schemes that never touch the network (`file:`, `view-source:`,
//!   `chrome:`, `devtools:`, ...) are refused before `Page.navigate`; web content cannot
//!   navigate to them by itself (Chromium refuses renderer-initiated navigations there).
//!
//! Requests a route fulfils never reach the network, so they never reach the policy either.

mod addrs;
pub(crate) mod proxy;

use std::fmt;
use std::net::IpAddr;

/// How much of the network pages may reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum NetworkMode {
    /// No policy: Chromium's own behaviour, every scheme and host (the library's default,
    /// as in Playwright). The test runner never uses it.
    #[default]
    Unrestricted,
    /// Public hosts and granted origins; loopback, link-local (cloud metadata included), the
    /// unspecified address and the machine's own addresses only when granted.
    Open,
    /// Granted origins only (plus `data:`, `blob:` and `about:`, which need no network).
    Strict,
}

/// What a context's pages may load.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NetworkPolicy {
    /// How much is reachable beyond the grants.
    pub mode: NetworkMode,
    /// Origins (`http://127.0.0.1:3000`) reachable whatever they resolve to. A grant names a
    /// host and a port; the proxy sees no scheme, so `https://` and `ws://` on the same port
    /// are granted with it.
    pub granted: Vec<String>,
}

impl NetworkPolicy {
    /// The open policy (public hosts) with these grants.
    pub fn open(granted: Vec<String>) -> Self {
        Self {
            mode: NetworkMode::Open,
            granted,
        }
    }

    /// The strict policy (granted origins only).
    pub fn strict(granted: Vec<String>) -> Self {
        Self {
            mode: NetworkMode::Strict,
            granted,
        }
    }

    /// Whether anything is enforced.
    pub fn is_enforced(&self) -> bool {
        self.mode != NetworkMode::Unrestricted
    }

    /// Refuses a navigation to a scheme that never touches the network and is not harmless.
    pub(crate) fn check_navigation(&self, url: &str) -> Result<(), Refusal> {
        if !self.is_enforced() {
            return Ok(());
        }
        let scheme = url
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        match scheme.as_str() {
            "http" | "https" | "data" | "blob" | "about" => Ok(()),
            _ => Err(Refusal {
                target: url.to_string(),
                reason: RefusalReason::Scheme(scheme),
            }),
        }
    }

    /// The grants as host and port pairs; malformed grants are skipped (the runner checks
    /// them where they are configured).
    pub(crate) fn grants(&self) -> Vec<(String, u16)> {
        self.granted
            .iter()
            .filter_map(|o| {
                let url = url::Url::parse(o).ok()?;
                let host = url
                    .host_str()?
                    .trim_matches(['[', ']'])
                    .to_ascii_lowercase();
                Some((host, url.port_or_known_default()?))
            })
            .collect()
    }
}

/// A connection or navigation the policy refused, or a connection the proxy could not make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The URL, or `host:port` for a connection.
    pub target: String,
    /// Why.
    pub reason: RefusalReason,
}

/// Why a connection did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalReason {
    /// A scheme pages may not load (`file`, `view-source`, `chrome`, ...).
    Scheme(String),
    /// The host resolves to an address of this machine or its link (loopback, link-local,
    /// unspecified, an interface's own address) and is not granted.
    Internal {
        /// The address.
        address: IpAddr,
        /// Which kind: `loopback`, `link-local`, `unspecified`, `own` (an interface's), `multicast`.
        kind: &'static str,
    },
    /// The policy is strict and the origin is not granted.
    NotGranted,
    /// Not a policy decision: the name does not resolve (Chromium's `ERR_NAME_NOT_RESOLVED`).
    NotResolved,
    /// Not a policy decision: the connection failed (refused, unreachable, timed out).
    ConnectFailed(String),
}

impl Refusal {
    /// Whether the policy (rather than the network) said no.
    pub fn is_policy(&self) -> bool {
        matches!(
            self.reason,
            RefusalReason::Scheme(_) | RefusalReason::Internal { .. } | RefusalReason::NotGranted
        )
    }

    /// Chromium's error text for a failure that was not the policy's.
    pub(crate) fn net_error(&self) -> Option<&'static str> {
        match &self.reason {
            RefusalReason::NotResolved => Some("net::ERR_NAME_NOT_RESOLVED"),
            RefusalReason::ConnectFailed(kind) if kind == "refused" => {
                Some("net::ERR_CONNECTION_REFUSED")
            }
            RefusalReason::ConnectFailed(kind) if kind == "timed out" => {
                Some("net::ERR_CONNECTION_TIMED_OUT")
            }
            RefusalReason::ConnectFailed(_) => Some("net::ERR_ADDRESS_UNREACHABLE"),
            _ => None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            RefusalReason::Scheme(s) => write!(
                f,
                "{} is refused by the browser's network policy: pages may not load {s}: URLs (only http, https, data, blob and about)",
                self.target
            ),
            RefusalReason::Internal { address, kind } => write!(
                f,
                "{} is refused by the browser's network policy: it resolves to {address}, {}, which pages reach only when its origin is granted",
                self.target,
                phrase(kind),
            ),
            RefusalReason::NotGranted => write!(
                f,
                "{} is refused by the browser's network policy: the policy is strict and this origin is not granted",
                self.target
            ),
            RefusalReason::NotResolved => write!(f, "{} does not resolve", self.target),
            RefusalReason::ConnectFailed(why) => {
                write!(f, "connecting to {} failed: {why}", self.target)
            }
        }
    }
}

/// `kind` (from [`internal_kind`]) as a phrase: "a loopback address".
fn phrase(kind: &str) -> &'static str {
    match kind {
        "loopback" => "a loopback address",
        "link-local" => "a link-local address (cloud metadata services live there)",
        "unspecified" => "the unspecified address (it reaches this machine)",
        "own" => "one of this machine's own addresses",
        _ => "a broadcast or multicast address",
    }
}

/// Why `ip` is internal to this machine or its link, if it is.
pub(crate) fn internal_kind(ip: IpAddr, own: &[IpAddr]) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => {
            if v4.is_loopback() {
                return Some("loopback");
            }
            if v4.is_link_local() {
                return Some("link-local");
            }
            // 0.0.0.0/8 means "this host" to the kernel: connecting to it reaches loopback.
            if v4.octets()[0] == 0 {
                return Some("unspecified");
            }
            if v4.is_broadcast() || v4.is_multicast() {
                return Some("multicast");
            }
        }
        IpAddr::V6(v6) => {
            if v6.is_loopback() {
                return Some("loopback");
            }
            if v6.is_unspecified() {
                return Some("unspecified");
            }
            if v6.is_unicast_link_local() {
                return Some("link-local");
            }
            if v6.is_multicast() {
                return Some("multicast");
            }
            // The IPv6 twin of 169.254.169.254 (the cloud metadata service).
            if v6.segments() == [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254] {
                return Some("link-local");
            }
        }
    }
    if own.contains(&ip) {
        return Some("own");
    }
    None
}

/// Whether `host` (lowercase, without brackets) names this machine's loopback, so that
/// `localhost`, `127.0.0.1` and `::1` grant each other on the same port.
pub(crate) fn is_loopback_name(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| internal_kind(ip, &[]) == Some("loopback"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<&'static str> {
        internal_kind(s.parse().expect("ip"), &["10.1.2.3".parse().expect("ip")])
    }

    #[test]
    fn internal_addresses_are_classified() {
        assert_eq!(kind("127.0.0.1"), Some("loopback"));
        assert_eq!(kind("127.8.9.10"), Some("loopback"));
        assert_eq!(kind("::1"), Some("loopback"));
        assert_eq!(kind("::ffff:127.0.0.1"), Some("loopback"));
        assert_eq!(kind("169.254.169.254"), Some("link-local"));
        assert_eq!(kind("fe80::1"), Some("link-local"));
        assert_eq!(kind("fd00:ec2::254"), Some("link-local"));
        assert_eq!(kind("0.0.0.0"), Some("unspecified"));
        assert_eq!(kind("::"), Some("unspecified"));
        assert_eq!(kind("10.1.2.3"), Some("own"));
        assert_eq!(kind("10.1.2.4"), None);
        assert_eq!(kind("93.184.216.34"), None);
        assert_eq!(kind("2606:2800:220:1::1"), None);
    }

    #[test]
    fn navigations_to_local_schemes_are_refused_only_under_a_policy() {
        let open = NetworkPolicy::open(Vec::new());
        for url in [
            "file:///etc/passwd",
            "FILE:///etc/",
            "view-source:file:///etc/passwd",
            "chrome://version",
            "devtools://devtools/bundled/inspector.html",
            "chrome-extension://x/y",
            "javascript:alert(1)",
        ] {
            let err = open.check_navigation(url).expect_err(url);
            assert!(err.is_policy(), "{url}");
            assert!(err.to_string().contains(url), "{err}");
        }
        for url in [
            "http://a.test/",
            "https://a.test/",
            "data:text/html,x",
            "about:blank",
        ] {
            open.check_navigation(url).expect(url);
        }
        NetworkPolicy::default()
            .check_navigation("file:///etc/passwd")
            .expect("unrestricted");
    }

    #[test]
    fn grants_are_host_and_port() {
        let p = NetworkPolicy::open(vec![
            "http://127.0.0.1:3000".into(),
            "https://Example.com".into(),
            "http://[::1]:8080/".into(),
            "not a url".into(),
        ]);
        assert_eq!(
            p.grants(),
            vec![
                ("127.0.0.1".to_string(), 3000),
                ("example.com".to_string(), 443),
                ("::1".to_string(), 8080),
            ]
        );
        assert!(is_loopback_name("localhost"));
        assert!(is_loopback_name("::1"));
        assert!(is_loopback_name("127.0.0.2"));
        assert!(!is_loopback_name("example.com"));
    }
}

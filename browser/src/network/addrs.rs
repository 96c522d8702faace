//! This machine's own addresses (every interface's), which pages may not reach unless
//! granted: a service bound to 0.0.0.0 answers on all of them.

use std::net::IpAddr;
use std::net::Ipv4Addr;
use std::net::Ipv6Addr;
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;

/// How long a reading of the interfaces is trusted (addresses change rarely; reading them
/// costs a netlink round trip).
const FRESH_FOR: Duration = Duration::from_secs(5);

static CACHE: Mutex<Option<(Instant, Vec<IpAddr>)>> = Mutex::new(None);

/// The addresses of every interface, read at most every few seconds.
pub(crate) fn own_addresses() -> Vec<IpAddr> {
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((at, addrs)) = cache.as_ref()
        && at.elapsed() < FRESH_FOR
    {
        return addrs.clone();
    }
    let addrs = read_interfaces();
    *cache = Some((Instant::now(), addrs.clone()));
    addrs
}

fn read_interfaces() -> Vec<IpAddr> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list we walk read-only and free once.
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return out;
        }
        let mut cur = head;
        while !cur.is_null() {
            let addr = (*cur).ifa_addr;
            if !addr.is_null() {
                match i32::from((*addr).sa_family) {
                    libc::AF_INET => {
                        let sin = &*(addr as *const libc::sockaddr_in);
                        out.push(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                            sin.sin_addr.s_addr,
                        ))));
                    }
                    libc::AF_INET6 => {
                        let sin6 = &*(addr as *const libc::sockaddr_in6);
                        out.push(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)));
                    }
                    _ => {}
                }
            }
            cur = (*cur).ifa_next;
        }
        libc::freeifaddrs(head);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_is_among_the_own_addresses() {
        let own = super::own_addresses();
        assert!(own.contains(&"127.0.0.1".parse().expect("ip")), "{own:?}");
    }
}

//! SSRF guard for webhook URLs: a tenant must not be able to make Chime POST into its own
//! network (cloud metadata at 169.254.169.254, an admin port on localhost, a private service).
//!
//! Two checks use the same rule, [`is_forbidden_ip`]:
//! - [`ensure_public`] at create time, so the API can answer `422` early;
//! - [`GuardedResolver`] at send time, installed as the webhook client's DNS resolver. It checks
//!   the very addresses the connection is then made to, so a DNS answer that changes between
//!   the check and the connect (DNS rebinding) cannot slip through. URLs with an IP literal never
//!   reach a resolver; the webhook channel checks those itself.

use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// True for addresses a webhook must never reach: anything that is not globally routable
/// unicast (loopback, private, link-local, CGNAT, documentation, multicast, broadcast, …),
/// including IPv6 forms that embed such an IPv4 address.
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || a == 0 // "this network" 0.0.0.0/8
        || ip.is_loopback() // 127.0.0.0/8
        || ip.is_private() // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local() // 169.254/16, cloud metadata
        || (a == 100 && (b & 0b1100_0000) == 64) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0/24
        || ip.is_documentation() // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || (a == 198 && (b & 0xfe) == 18) // benchmarking 198.18/15
        || ip.is_multicast() // 224/4
        || a >= 240 // reserved 240/4, broadcast included
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    // Every form that carries an IPv4 address to a translator or tunnel reaches that address:
    // judge it by what it embeds.
    if let Some(embedded) = embedded_v4(ip) {
        return embedded.into_iter().any(is_forbidden_v4);
    }
    let segments = ip.segments();
    ip.is_unspecified()
        || ip.is_loopback()
        // Deprecated IPv4-compatible ::a.b.c.d; nothing legitimate lives in ::/96.
        || segments[..6] == [0; 6]
        || (segments[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // deprecated site-local fec0::/10
        || (segments[0] & 0xff00) == 0xff00 // multicast ff00::/8
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation 2001:db8::/32
        || segments[..4] == [0x0100, 0, 0, 0] // discard-only 100::/64
}

/// The IPv4 address(es) an IPv6 address hands traffic to, for the forms that embed one:
/// IPv4-mapped `::ffff:0:0/96`, IPv4-translated `::ffff:0:0:0/96` (SIIT), the NAT64 prefixes
/// `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4 `2002::/16`, and Teredo `2001::/32` (server and
/// obfuscated client address).
fn embedded_v4(ip: Ipv6Addr) -> Option<Vec<Ipv4Addr>> {
    let s = ip.segments();
    let join = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(vec![v4]);
    }
    if s[..6] == [0, 0, 0, 0, 0xffff, 0] {
        return Some(vec![join(s[6], s[7])]);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || s[..3] == [0x64, 0xff9b, 1] {
        return Some(vec![join(s[6], s[7])]);
    }
    if s[0] == 0x2002 {
        return Some(vec![join(s[1], s[2])]);
    }
    if s[0] == 0x2001 && s[1] == 0 {
        let server = join(s[2], s[3]);
        let client = Ipv4Addr::from(!((u32::from(s[6]) << 16) | u32::from(s[7])));
        return Some(vec![server, client]);
    }
    None
}

/// Checks that `url`'s host only resolves to public addresses (unless `allow_private`).
/// The error names the host and, when it resolved, the offending address.
pub async fn ensure_public(url: &url::Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let addrs: Vec<SocketAddr> = match target(url)? {
        Target::Literal(addr) => vec![addr],
        Target::Domain(host, port) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("cannot resolve host {host}: {e}"))?
            .collect(),
    };
    refuse_forbidden(url, &addrs)
}

/// For code already on a blocking thread (the event handler's transaction): the non-public
/// address `url` points to, if any. A host that cannot be resolved right now is not refused
/// here; the check at send time covers it.
pub fn forbidden_address_blocking(url: &url::Url, allow_private: bool) -> Option<ForbiddenAddress> {
    use std::net::ToSocketAddrs;
    if allow_private {
        return None;
    }
    let addrs: Vec<SocketAddr> = match target(url).ok()? {
        Target::Literal(addr) => vec![addr],
        Target::Domain(host, port) => (host, port).to_socket_addrs().ok()?.collect(),
    };
    first_forbidden(url, &addrs)
}

fn first_forbidden(url: &url::Url, addrs: &[SocketAddr]) -> Option<ForbiddenAddress> {
    addrs
        .iter()
        .find(|addr| is_forbidden_ip(addr.ip()))
        .map(|addr| ForbiddenAddress {
            host: url.host_str().unwrap_or_default().to_owned(),
            ip: addr.ip(),
        })
}

enum Target<'a> {
    Literal(SocketAddr),
    Domain(&'a str, u16),
}

fn target(url: &url::Url) -> Result<Target<'_>, String> {
    let port = url.port_or_known_default().unwrap_or(443);
    match url.host() {
        None => Err("the URL has no host".to_owned()),
        Some(url::Host::Ipv4(ip)) => Ok(Target::Literal(SocketAddr::new(ip.into(), port))),
        Some(url::Host::Ipv6(ip)) => Ok(Target::Literal(SocketAddr::new(ip.into(), port))),
        Some(url::Host::Domain(host)) => Ok(Target::Domain(host, port)),
    }
}

fn refuse_forbidden(url: &url::Url, addrs: &[SocketAddr]) -> Result<(), String> {
    if addrs.is_empty() {
        return Err(format!(
            "host {} has no addresses",
            url.host_str().unwrap_or_default()
        ));
    }
    match first_forbidden(url, addrs) {
        Some(refused) => Err(refused.to_string()),
        None => Ok(()),
    }
}

/// The refusal raised by the guard; the webhook channel finds it in the error chain to
/// classify the send as permanent rather than as a connection failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForbiddenAddress {
    pub host: String,
    pub ip: IpAddr,
}

impl fmt::Display for ForbiddenAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host == self.ip.to_string()
            || self.host.trim_matches(['[', ']']) == self.ip.to_string()
        {
            write!(f, "address {} is not public", self.ip)
        } else {
            write!(
                f,
                "host {} resolves to {}, which is not public",
                self.host, self.ip
            )
        }
    }
}

impl StdError for ForbiddenAddress {}

/// A reqwest DNS resolver that refuses any name with a forbidden address among its answers.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: the connector sets the URL's port on the addresses we return.
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(addr) = addrs.iter().find(|addr| is_forbidden_ip(addr.ip())) {
                let refusal = ForbiddenAddress {
                    host,
                    ip: addr.ip(),
                };
                return Err(Box::new(refusal) as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_addresses() {
        let forbidden = [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "100::1",
            // IPv4-translated (SIIT) around 127.0.0.1 and 10.0.0.1
            "::ffff:0:7f00:1",
            "::ffff:0:a00:1",
            // 6to4 around 127.0.0.1, 192.168.1.1 and 169.254.169.254
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2002:a9fe:a9fe::",
            // Teredo: a public server with an obfuscated client 127.0.0.1, and a private server
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "2001:0:a00:1:8000:63bf:f7f7:f7f7",
            // NAT64 local-use prefix around 127.0.0.1
            "64:ff9b:1::7f00:1",
        ];
        for ip in forbidden {
            let parsed: IpAddr = ip.parse().unwrap();
            assert!(is_forbidden_ip(parsed), "{ip} should be forbidden");
        }
    }

    #[test]
    fn public_addresses() {
        let public = [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.0.1.1",
            "198.20.0.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "::ffff:0:808:808",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
            "64:ff9b:1::808:808",
        ];
        for ip in public {
            let parsed: IpAddr = ip.parse().unwrap();
            assert!(!is_forbidden_ip(parsed), "{ip} should be allowed");
        }
    }

    #[tokio::test]
    async fn ensure_public_refuses_loopback_unless_allowed() {
        for raw in [
            "http://127.0.0.1:8080/hook",
            "http://[::1]/hook",
            "http://2130706433/hook", // 127.0.0.1 in decimal
            "http://localhost/hook",
        ] {
            let url = url::Url::parse(raw).unwrap();
            let err = ensure_public(&url, false).await.unwrap_err();
            assert!(err.contains("not public"), "{raw}: {err}");
            ensure_public(&url, true).await.unwrap();
        }
        let url = url::Url::parse("http://93.184.216.34/hook").unwrap();
        ensure_public(&url, false).await.unwrap();
    }

    #[tokio::test]
    async fn guarded_resolver_refuses_localhost() {
        let err = match GuardedResolver.resolve("localhost".parse().unwrap()).await {
            Ok(_) => panic!("localhost must be refused"),
            Err(e) => e,
        };
        let refusal = err.downcast_ref::<ForbiddenAddress>().unwrap();
        assert!(refusal.ip.is_loopback());
    }
}

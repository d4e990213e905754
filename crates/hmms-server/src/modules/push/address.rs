//! Where the server may send a push: push services are public HTTPS hosts. A subscription is
//! a URL any signed-in user chooses, so without this the server would POST wherever it is told
//! — to its own admin ports, the cloud's metadata service, a printer on the hospital network
//! (server-side request forgery). The address is judged when the subscription is made, and
//! again by the sender's resolver on every connection, after DNS (a name that resolved to a
//! public address at subscription may point inside later). Redirects are not followed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use object_store::signer::Url;

/// Whether `ip` is an address on the public internet: not loopback, private, link-local,
/// shared (carrier NAT), documentation, multicast, reserved or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        || first == 0x0064)
}

/// Whether the server may connect to `ip` for a push (`loopback`: the test setting that lets a
/// local push-service stand-in be used).
pub fn allowed(ip: IpAddr, loopback: bool) -> bool {
    is_public(ip) || (loopback && ip.is_loopback())
}

/// Checks a subscription's endpoint as it is given: an `https://` URL (plain `http://` only to
/// loopback under the test setting) whose host, if written as an address, is allowed.
pub fn check_url(raw: &str, loopback: bool) -> Result<Url, &'static str> {
    let url = Url::parse(raw).map_err(|_| "is not a URL")?;
    let host = url.host().ok_or("must name the push service's host")?;
    let literal = match host {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    };
    let local_http = loopback
        && url.scheme() == "http"
        && (literal.is_some_and(|ip| ip.is_loopback()) || url.host_str() == Some("localhost"));
    if url.scheme() != "https" && !local_http {
        return Err("must be the https:// URL of a push service");
    }
    if literal.is_some_and(|ip| !allowed(ip, loopback)) {
        return Err("must be a push service on the internet, not an address on this network");
    }
    Ok(url)
}

/// Resolves `host:port` and keeps it only if every address is allowed.
pub async fn resolve(host: &str, port: u16, loopback: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("{host} does not resolve: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address"));
    }
    if let Some(bad) = addrs.iter().find(|a| !allowed(a.ip(), loopback)) {
        return Err(format!(
            "{host} resolves to {}, which is not on the internet",
            bad.ip()
        ));
    }
    Ok(addrs)
}

/// The push sender's resolver: connections go only to allowed addresses.
pub struct Guarded {
    pub loopback: bool,
}

impl reqwest_os::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest_os::dns::Name) -> reqwest_os::dns::Resolving {
        let host = name.as_str().to_string();
        let loopback = self.loopback;
        Box::pin(async move {
            let addrs = resolve(&host, 0, loopback).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest_os::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_allowed() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!allowed(bad.parse().unwrap(), false), "{bad}");
        }
        for good in ["142.250.74.78", "17.253.144.10", "2a00:1450:4001:82b::200a"] {
            assert!(allowed(good.parse().unwrap(), false), "{good}");
        }
        assert!(allowed("127.0.0.1".parse().unwrap(), true));
        assert!(!allowed("10.0.0.1".parse().unwrap(), true));
    }

    #[test]
    fn endpoints_are_https_to_the_internet() {
        assert!(check_url("https://fcm.googleapis.com/fcm/send/x", false).is_ok());
        for bad in [
            "http://push.example.com/x",
            "http://127.0.0.1:9/x",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://10.0.0.5/x",
            "https://169.254.169.254/latest/meta-data",
            "ftp://push.example/x",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_url("http://127.0.0.1:9/x", true).is_ok());
        assert!(check_url("https://10.0.0.5/x", true).is_err());
    }
}

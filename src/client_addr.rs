//! The client's address as the throttles and the logs see it. Behind a reverse proxy every
//! connection comes from the proxy, so the address the client really has travels in
//! `X-Forwarded-For`; but any client can send that header, so it counts only when the TCP peer
//! is one of `TECHMATCH_TRUSTED_PROXIES`. Then the list is read from the right (each trusted proxy
//! appends the address it saw) and the first address that is not a trusted proxy is the client.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

/// Reads a proxy setting: a network in CIDR form (`10.0.0.0/8`) or one address (`127.0.0.1`).
pub fn parse_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is neither an address nor a network in CIDR form"))
}

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer's, or the first address from the right of the
    /// `X-Forwarded-For` values that is not a trusted proxy, when the peer is one. A malformed
    /// entry stops the walk at the last address known to be good.
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        let Some(mut client) = peer else { return IpAddr::V4(Ipv4Addr::UNSPECIFIED) };
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for hop in forwarded.iter().rev() {
            if !self.trusts(client) {
                break;
            }
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => client = ip,
                Err(_) => break,
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(HeaderName::from_static("x-forwarded-for"), HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer() {
        let trusted = TrustedProxies::new(vec![parse_proxy("10.0.0.0/8").unwrap(), parse_proxy("127.0.0.1").unwrap()]);
        let spoofed = headers(&["6.6.6.6"]);
        assert_eq!(trusted.client_ip(Some(ip("203.0.113.9")), &spoofed), ip("203.0.113.9"), "untrusted peer");
        assert_eq!(trusted.client_ip(Some(ip("127.0.0.1")), &headers(&["198.51.100.7"])), ip("198.51.100.7"));
        // The client prepends a lie; the proxy appends what it saw: the right-most untrusted hop wins.
        let chain = headers(&["6.6.6.6, 198.51.100.7", "10.1.2.3"]);
        assert_eq!(trusted.client_ip(Some(ip("127.0.0.1")), &chain), ip("198.51.100.7"));
        assert_eq!(trusted.client_ip(Some(ip("127.0.0.1")), &headers(&["garbage"])), ip("127.0.0.1"));
        assert_eq!(TrustedProxies::default().client_ip(Some(ip("127.0.0.1")), &chain), ip("127.0.0.1"), "none trusted");
        assert!(parse_proxy("not-an-address").is_err());
    }
}

//! The client's IP address: the TCP peer, or, when the peer is a trusted proxy, the nearest
//! address in `X-Forwarded-For` that is not itself a trusted proxy.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use ipnet::IpNet;

use super::error::AppError;

#[derive(Clone, Default)]
pub(crate) struct TrustedProxies(pub Arc<Vec<IpNet>>);

impl TrustedProxies {
    pub(crate) fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// Walks `X-Forwarded-For` from the right (the entries our proxies appended) and stops at
    /// the first address we do not trust: entries further left are the client's to forge.
    pub(crate) fn client_address(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for entry in forwarded_for.unwrap_or_default().rsplit(',') {
            let Some(address) = forwarded_address(entry.trim()) else {
                break;
            };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, or an address with the client's port
/// (`203.0.113.7:51234`, `[2001:db8::1]:443`), which some proxies write.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
}

pub(super) struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    TrustedProxies: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip())
            .ok_or_else(|| AppError::BadRequest("no peer address".into()))?;
        // A proxy may append its own header line instead of extending the first one: read
        // every line, in order, as one list. A line that is not text is no address, so the
        // walk from the right stops there.
        let lines: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|value| value.to_str().unwrap_or("unreadable"))
            .collect();
        let forwarded_for = (!lines.is_empty()).then(|| lines.join(","));
        Ok(ClientIp(
            TrustedProxies::from_ref(state).client_address(peer, forwarded_for.as_deref()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(cidrs: &[&str]) -> TrustedProxies {
        TrustedProxies(Arc::new(cidrs.iter().map(|c| c.parse().unwrap()).collect()))
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_forward() {
        let none = proxies(&[]);
        assert_eq!(
            none.client_address(ip("203.0.113.9"), Some("1.2.3.4")),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trusted_proxies_reveal_the_first_untrusted_hop_from_the_right() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.2");
        assert_eq!(
            trusted.client_address(peer, Some("198.51.100.7")),
            ip("198.51.100.7")
        );
        // The client prepended a forged entry; our proxy appended the real one.
        assert_eq!(
            trusted.client_address(peer, Some("6.6.6.6, 198.51.100.7, 10.0.0.3")),
            ip("198.51.100.7")
        );
        assert_eq!(trusted.client_address(peer, Some("garbage")), peer);
        assert_eq!(
            trusted.client_address(peer, Some("198.51.100.7:51234, 10.0.0.3:80")),
            ip("198.51.100.7"),
            "entries with a port name the client too"
        );
        assert_eq!(
            trusted.client_address(peer, Some("[2001:db8::7]:443")),
            ip("2001:db8::7")
        );
        assert_eq!(trusted.client_address(peer, None), peer);
    }
}

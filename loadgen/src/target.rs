//! Where the load goes: the server's address, the protocol generation, and the local
//! source addresses the clients spread over.

use crate::eio::Version;
use anyhow::{Context, Result, bail};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The first and last loopback source addresses clients bind to when the server is on
/// loopback, so that 2000 connections never run one address out of ephemeral ports.
const FIRST_SOURCE: u8 = 2;
const LAST_SOURCE: u8 = 254;

/// The server under load.
#[derive(Debug, Clone)]
pub struct Target {
    /// The `Host` header value (`host:port`).
    pub authority: String,
    /// The resolved address.
    pub addr: SocketAddr,
    /// The Engine.IO generation clients speak.
    pub version: Version,
    /// Whether clients bind to spread loopback source addresses.
    spread_sources: bool,
    /// Whether members join as resumable (The Circle's docs/protocol.md section 6).
    pub resumable: bool,
    /// Whether members join with the profanity filter on (docs/protocol.md section 7).
    pub filter_profanity: bool,
}

impl Target {
    /// Resolves `url` (`http://host:port` or `ws://host:port`; any path is ignored).
    /// A target off the loopback range is refused unless `allow_remote` is set.
    pub async fn resolve(url: &str, version: Version, allow_remote: bool) -> Result<Self> {
        let (host, port) = split_url(url)?;
        let authority = format!("{host}:{port}");
        let lookup = format!(
            "{}:{port}",
            host.trim_start_matches('[').trim_end_matches(']')
        );
        let addr = tokio::net::lookup_host(&lookup)
            .await
            .with_context(|| format!("resolving {lookup}"))?
            .next()
            .with_context(|| format!("{lookup} has no address"))?;
        if !addr.ip().is_loopback() && !allow_remote {
            bail!("{addr} is not a loopback address; pass --allow-remote to load it anyway");
        }
        Ok(Self {
            authority,
            addr,
            version,
            spread_sources: addr.is_ipv4() && addr.ip().is_loopback(),
            resumable: false,
            filter_profanity: false,
        })
    }

    /// The websocket URL of the Socket.IO endpoint.
    pub fn websocket_url(&self) -> String {
        format!(
            "ws://{}{}",
            self.authority,
            crate::eio::websocket_path(self.version)
        )
    }

    /// The source address client `index` binds to, if any.
    pub fn source_for(&self, index: usize) -> Option<IpAddr> {
        self.spread_sources
            .then(|| IpAddr::V4(source_address(index)))
    }
}

/// The loopback source address for client `index`: 127.0.0.2 to 127.0.0.254, round robin.
pub fn source_address(index: usize) -> Ipv4Addr {
    let span = usize::from(LAST_SOURCE - FIRST_SOURCE) + 1;
    let last = FIRST_SOURCE + u8::try_from(index % span).expect("span fits in a byte");
    Ipv4Addr::new(127, 0, 0, last)
}

/// Splits `http://host:port/...` into host and port (default 80).
pub fn split_url(url: &str) -> Result<(String, u16)> {
    let rest = ["http://", "ws://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
        .with_context(|| format!("{url}: only http:// and ws:// URLs are supported"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (
            host,
            port.parse::<u16>()
                .with_context(|| format!("{url}: bad port"))?,
        ),
        _ => (authority, 80),
    };
    if host.is_empty() {
        bail!("{url}: no host");
    }
    Ok((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        assert_eq!(
            split_url("http://127.0.0.1:8080").unwrap(),
            ("127.0.0.1".into(), 8080)
        );
        assert_eq!(
            split_url("ws://localhost:9/socket.io/").unwrap(),
            ("localhost".into(), 9)
        );
        assert_eq!(
            split_url("http://example.test").unwrap(),
            ("example.test".into(), 80)
        );
        assert!(split_url("https://x:1").is_err());
        assert!(split_url("http://:1").is_err());
        assert!(split_url("http://").is_err());
        assert!(split_url("http://h:port").is_err());
    }

    #[test]
    fn source_addresses_cycle_over_the_range() {
        assert_eq!(source_address(0), Ipv4Addr::new(127, 0, 0, 2));
        assert_eq!(source_address(252), Ipv4Addr::new(127, 0, 0, 254));
        assert_eq!(source_address(253), Ipv4Addr::new(127, 0, 0, 2));
    }
}

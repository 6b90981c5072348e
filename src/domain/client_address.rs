use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The address a request comes from: the TCP peer's, or, when the peer is a trusted
/// proxy, the address that proxy says it forwarded for (docs/protocol.md section 4). Rate
/// limits and session bindings are kept per client address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddress(IpAddr);

impl ClientAddress {
    /// Resolves the client behind `peer`: `peer` itself unless it is one of `trusted`;
    /// then, reading `forwarded_for` (the `X-Forwarded-For` entries, oldest first) from
    /// the right, the first address that is not a trusted proxy. An entry that is not an
    /// address ends the walk at the last trusted hop; when every entry is trusted, the
    /// left-most one is the client.
    pub fn resolve<'a>(
        peer: IpAddr,
        forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
        trusted: &TrustedProxies,
    ) -> Self {
        let mut client = peer.to_canonical();
        if !trusted.contains(client) {
            return Self(client);
        }
        for entry in forwarded_for.rev() {
            let Some(hop) = parse_hop(entry.trim()) else {
                break;
            };
            client = hop;
            if !trusted.contains(hop) {
                break;
            }
        }
        Self(client)
    }

    /// The address itself.
    pub fn ip(self) -> IpAddr {
        self.0
    }
}

impl From<IpAddr> for ClientAddress {
    /// A client known by this address (IPv4-mapped IPv6 addresses become IPv4).
    fn from(ip: IpAddr) -> Self {
        Self(ip.to_canonical())
    }
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:80`,
/// `[::1]:80`), as some proxies write it.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|address| address.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`): addresses and
/// CIDR ranges. Empty by default, so that no client can choose its own address.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses `--trusted-proxy` values: addresses (`10.0.0.7`) and ranges (`10.0.0.0/8`,
    /// `fd00::/8`); blank values (an empty variable) are skipped.
    pub fn parse(values: &[String]) -> Result<Self, String> {
        values
            .iter()
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
            .map(|value| {
                value
                    .parse::<IpNet>()
                    .or_else(|_| value.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{value}` is neither an IP address nor a CIDR range"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(&ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> Result<TrustedProxies, String> {
        let values: Vec<String> = values.iter().map(|value| value.to_string()).collect();
        TrustedProxies::parse(&values)
    }

    fn trusted(values: &[&str]) -> TrustedProxies {
        parse(values).unwrap()
    }

    fn resolve(peer: &str, forwarded_for: &str, proxies: &TrustedProxies) -> String {
        let entries = forwarded_for.split(',').filter(|entry| !entry.is_empty());
        ClientAddress::resolve(peer.parse().unwrap(), entries, proxies)
            .ip()
            .to_string()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_it_forwards() {
        let none = TrustedProxies::default();
        assert_eq!(resolve("192.0.2.1", "198.51.100.9", &none), "192.0.2.1");
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let proxies = trusted(&["10.0.0.0/8", "192.0.2.1"]);
        assert_eq!(
            resolve("192.0.2.1", "198.51.100.9", &proxies),
            "198.51.100.9"
        );
        assert_eq!(
            resolve("10.1.2.3", "6.6.6.6, 198.51.100.9, 10.0.0.5", &proxies),
            "198.51.100.9",
            "an address the client wrote itself (left of its own) is not believed"
        );
        assert_eq!(resolve("10.1.2.3", "", &proxies), "10.1.2.3");
        assert_eq!(
            resolve("10.1.2.3", "10.0.0.9, 10.0.0.5", &proxies),
            "10.0.0.9"
        );
        assert_eq!(resolve("10.1.2.3", "junk, 10.0.0.5", &proxies), "10.0.0.5");
        assert_eq!(
            resolve("10.1.2.3", "198.51.100.9:4711", &proxies),
            "198.51.100.9"
        );
        assert_eq!(
            resolve("10.1.2.3", "[2001:db8::1]:80", &proxies),
            "2001:db8::1"
        );
    }

    #[test]
    fn an_untrusted_peer_is_the_client_even_behind_nothing_but_claims() {
        let proxies = trusted(&["10.0.0.0/8"]);
        assert_eq!(resolve("192.0.2.1", "10.0.0.1", &proxies), "192.0.2.1");
    }

    #[test]
    fn ipv4_mapped_peers_count_as_their_ipv4_address() {
        let proxies = trusted(&["127.0.0.3"]);
        assert_eq!(
            resolve("::ffff:127.0.0.3", "198.51.100.9", &proxies),
            "198.51.100.9"
        );
    }

    #[test]
    fn proxy_values_are_addresses_or_ranges_and_blanks_are_skipped() {
        let proxies = trusted(&["10.0.0.0/8", " 192.0.2.7 ", "", "fd00::/8"]);
        for ip in ["10.1.2.3", "192.0.2.7", "fd00::1"] {
            assert!(proxies.contains(ip.parse().unwrap()), "{ip}");
        }
        assert!(!proxies.contains("192.0.2.8".parse().unwrap()));
        assert!(parse(&[""]).is_ok());
        assert!(parse(&["proxy.local"]).is_err());
        assert!(parse(&["10.0.0.0/33"]).is_err());
    }
}

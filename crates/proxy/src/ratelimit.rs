//! Per-client limits: who the client is ([`client_ip`], believing `X-Forwarded-For` only
//! from [`TrustedProxies`]) and whether it may go on ([`ClientLimiter`], GCRA).
//!
//! GCRA keeps one "theoretical arrival time" per client: each request pushes it one
//! emission interval (1/rate) into the future, and a request is refused while that time is
//! more than the burst tolerance ahead of now. IPv6 clients are keyed by their /64, which
//! one subscriber usually owns whole. The table is bounded: when full, expired entries are
//! swept, and if it is still full the oldest arrival times are dropped first.

use axum::http::HeaderMap;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// An IP network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    fn parse(raw: &str) -> Result<Self, String> {
        let (ip, prefix) = match raw.split_once('/') {
            Some((ip, p)) => (ip, Some(p)),
            None => (raw, None),
        };
        let addr: IpAddr = ip
            .trim()
            .parse()
            .map_err(|_| format!("`{raw}` is not an IP address or CIDR"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{raw}` has a bad prefix length"))?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Reverse proxies (addresses or CIDRs) whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Net>);

impl TrustedProxies {
    /// Parses a comma-separated list such as `10.0.0.0/8, 127.0.0.1, ::1`.
    ///
    /// # Errors
    /// A message naming the bad entry.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Net::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Whether `ip` is one of them.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy, in which case the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries to its
/// left were written by the client and prove nothing).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else {
            // Garbage in the chain: stop at the last address we could vouch for.
            break;
        };
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    client
}

/// The key a client is limited under (IPv6: its /64).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let net = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(Ipv6Addr::from(net))
        }
        v4 => v4,
    }
}

/// A keyed GCRA limiter.
#[derive(Debug)]
pub struct ClientLimiter {
    interval: Duration,
    tolerance: Duration,
    max_keys: usize,
    origin: Instant,
    /// Theoretical arrival time per client, as time since `origin`.
    tat: Mutex<HashMap<IpAddr, Duration>>,
}

impl ClientLimiter {
    /// `rate` requests per second sustained, `burst` at once; `None` when `rate` is 0
    /// (the limit is off).
    pub fn new(rate: f64, burst: u32, max_keys: usize) -> Option<Self> {
        if rate <= 0.0 {
            return None;
        }
        let interval = Duration::from_secs_f64(1.0 / rate);
        Some(Self {
            interval,
            tolerance: interval * burst.saturating_sub(1),
            max_keys: max_keys.max(1),
            origin: Instant::now(),
            tat: Mutex::new(HashMap::new()),
        })
    }

    /// Admits one request from `ip`, or says how long to wait.
    ///
    /// # Errors
    /// The `Retry-After` when the client is over its limit.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = self.origin.elapsed();
        let key = limit_key(ip);
        let mut table = self.tat.lock().unwrap_or_else(PoisonError::into_inner);
        if table.len() >= self.max_keys && !table.contains_key(&key) {
            table.retain(|_, tat| *tat > now);
            if table.len() >= self.max_keys {
                let mut tats: Vec<Duration> = table.values().copied().collect();
                let cut = tats.len() / 2;
                tats.select_nth_unstable(cut);
                let median = tats[cut];
                table.retain(|_, tat| *tat > median);
            }
        }
        let tat = table.get(&key).copied().unwrap_or(now).max(now);
        let allow_at = tat.saturating_sub(self.tolerance);
        if now < allow_at {
            return Err(allow_at - now);
        }
        table.insert(key, tat + self.interval);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn cidrs_match() {
        let t = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1, fd00::/8").unwrap();
        assert!(t.contains(ip("10.200.3.4")));
        assert!(t.contains(ip("::ffff:10.1.1.1")));
        assert!(t.contains(ip("192.168.1.1")));
        assert!(!t.contains(ip("192.168.1.2")));
        assert!(t.contains(ip("fd12::1")));
        assert!(!t.contains(ip("fe80::1")));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_peers() {
        let t = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let h = xff("6.6.6.6, 1.2.3.4, 10.0.0.7");
        assert_eq!(client_ip(ip("203.0.113.9"), &h, &t), ip("203.0.113.9"));
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &t), ip("1.2.3.4"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), &HeaderMap::new(), &t),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), &xff("1.2.3.4, nonsense"), &t),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn gcra_allows_the_burst_then_the_rate() {
        let l = ClientLimiter::new(2.0, 3, 100).unwrap();
        let a = ip("1.1.1.1");
        for _ in 0..3 {
            assert!(l.check(a).is_ok());
        }
        let wait = l.check(a).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        assert!(
            l.check(ip("2.2.2.2")).is_ok(),
            "other clients are not affected"
        );
        std::thread::sleep(wait + Duration::from_millis(20));
        assert!(l.check(a).is_ok());
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let l = ClientLimiter::new(1.0, 1, 100).unwrap();
        assert!(l.check(ip("2001:db8:1:2::1")).is_ok());
        assert!(l.check(ip("2001:db8:1:2::ffff")).is_err());
        assert!(l.check(ip("2001:db8:1:3::1")).is_ok());
    }

    #[test]
    fn the_table_stays_bounded() {
        let l = ClientLimiter::new(0.001, 1, 64).unwrap();
        for i in 0..10_000u32 {
            let _ = l.check(IpAddr::from(i.to_be_bytes()));
        }
        assert!(l.tat.lock().unwrap().len() <= 64);
        assert!(ClientLimiter::new(0.0, 10, 10).is_none());
    }
}

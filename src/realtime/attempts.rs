use dashmap::DashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Counts failed `join_group` attempts per client address, so that access codes cannot
/// be guessed (docs/protocol.md section 4). A generic cell rate algorithm: each failure books
/// one interval of the allowance; an address whose bookings run a whole minute ahead is
/// refused until they have drained.
///
/// Unlike a plain rate limiter it can be asked whether an address is blocked without
/// booking anything, so successful joins are never counted.
pub struct FailedAttempts {
    interval: Duration,
    tolerance: Duration,
    booked_until: DashMap<IpAddr, Instant>,
}

impl FailedAttempts {
    /// Allows `per_minute` failures a minute for each address (at least one).
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let interval = Duration::from_secs(60) / per_minute;
        Self {
            interval,
            tolerance: interval * (per_minute - 1),
            booked_until: DashMap::new(),
        }
    }

    /// Whether `ip` has used up its failures at `now`.
    pub fn is_blocked(&self, ip: IpAddr, now: Instant) -> bool {
        self.booked_until
            .get(&ip)
            .is_some_and(|until| until.saturating_duration_since(now) > self.tolerance)
    }

    /// Books one failure of `ip` at `now`.
    pub fn record(&self, ip: IpAddr, now: Instant) {
        let mut until = self.booked_until.entry(ip).or_insert(now);
        *until = (*until).max(now) + self.interval;
    }

    /// Forgets addresses whose bookings have drained.
    pub fn prune(&self, now: Instant) {
        self.booked_until.retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn twenty_failures_a_minute_are_allowed_and_the_twenty_first_attempt_is_refused() {
        let attempts = FailedAttempts::per_minute(20);
        let now = Instant::now();
        for _ in 0..20 {
            assert!(!attempts.is_blocked(IP, now));
            attempts.record(IP, now);
        }
        assert!(attempts.is_blocked(IP, now));
        let other = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));
        assert!(
            !attempts.is_blocked(other, now),
            "another address is not affected"
        );
    }

    #[test]
    fn a_blocked_address_may_try_again_once_its_failures_drain() {
        let attempts = FailedAttempts::per_minute(20);
        let now = Instant::now();
        for _ in 0..20 {
            attempts.record(IP, now);
        }
        assert!(!attempts.is_blocked(IP, now + Duration::from_secs(3)));
        attempts.prune(now + Duration::from_secs(61));
        assert!(attempts.booked_until.is_empty());
    }
}

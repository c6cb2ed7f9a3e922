//! Login throttling, and password-change throttling per user, with `governor`'s keyed GCRA rate
//! limiters (in memory, per instance). A refused attempt answers 429 `rate_limited` with
//! `Retry-After`.
//!
//! Three limits, so that an attacker is slowed without locking the owner out:
//! - per client address, every login and registration attempt;
//! - per account *and* client address, every login attempt: an attacker who guesses one
//!   account's password from one address is refused, the owner signing in from another is not;
//! - per account from all addresses: past it, each attempt waits (up to a cap) before the
//!   password is checked, which slows guesses spread over many addresses but never refuses the
//!   right password.
//!
//! The client address is the one [`crate::client_addr`] derives (trusted proxies only).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::error::ApiError;

/// Keys kept before stale ones are purged.
const PURGE_ABOVE_KEYS: usize = 10_000;

/// The limits, per minute (logins and password changes), and the longest wait of a slowed login.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub per_ip_per_min: u32,
    pub per_account_and_ip_per_min: u32,
    pub slow_after_per_account_per_min: u32,
    pub slowdown_cap: Duration,
    pub password_changes_per_user_per_min: u32,
}

/// The limiters.
pub struct LoginThrottle {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account_and_ip: DefaultKeyedRateLimiter<(String, IpAddr)>,
    per_account: DefaultKeyedRateLimiter<String>,
    slowdown_cap: Duration,
    password_changes: DefaultKeyedRateLimiter<Uuid>,
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN))
}

/// Counts an attempt under `key`; `Err(wait)` when the limit is reached.
fn count<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), Duration> {
    if limiter.len() > PURGE_ABOVE_KEYS {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

fn refuse(wait: Duration) -> ApiError {
    ApiError::TooManyRequests { retry_after_secs: wait.as_secs().max(1) }
}

fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl LoginThrottle {
    /// Each limit is a burst of its size that refills evenly over the minute.
    pub fn new(limits: LoginLimits) -> Self {
        Self {
            per_ip: RateLimiter::keyed(quota(limits.per_ip_per_min)),
            per_account_and_ip: RateLimiter::keyed(quota(limits.per_account_and_ip_per_min)),
            per_account: RateLimiter::keyed(quota(limits.slow_after_per_account_per_min)),
            slowdown_cap: limits.slowdown_cap,
            password_changes: RateLimiter::keyed(quota(limits.password_changes_per_user_per_min)),
        }
    }

    /// Counts a password change (right or wrong) by `user_id`.
    pub fn check_password_change(&self, user_id: Uuid) -> Result<(), ApiError> {
        count(&self.password_changes, &user_id).map_err(refuse)
    }

    /// Counts an attempt from `ip` (logins and registrations).
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        count(&self.per_ip, &ip).map_err(refuse)
    }

    /// Counts a login attempt on the account `email` (case-insensitive) from `ip`: 429 when this
    /// address has tried this account too often, otherwise how long the attempt should wait
    /// before its password is checked (zero unless the account is being tried from everywhere).
    pub fn check_login(&self, email: &str, ip: IpAddr) -> Result<Duration, ApiError> {
        let account = account_key(email);
        count(&self.per_account_and_ip, &(account.clone(), ip)).map_err(refuse)?;
        Ok(count(&self.per_account, &account).err().map_or(Duration::ZERO, |wait| wait.min(self.slowdown_cap)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(LoginLimits {
            per_ip_per_min: 100,
            per_account_and_ip_per_min: 3,
            slow_after_per_account_per_min: 4,
            slowdown_cap: Duration::from_millis(250),
            password_changes_per_user_per_min: 3,
        })
    }

    #[test]
    fn one_address_is_refused_the_owner_elsewhere_is_only_slowed() {
        let t = throttle();
        let (attacker, owner): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(t.check_login("A@x.org", attacker).unwrap(), Duration::ZERO);
        }
        assert!(t.check_login("a@x.org", attacker).is_err(), "the fourth try from one address is refused");
        assert_eq!(t.check_login("a@x.org", owner).unwrap(), Duration::ZERO, "fourth on the account: not yet slowed");
        let wait = t.check_login("a@x.org", owner).unwrap();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(250), "slowed, capped: {wait:?}");
        assert_eq!(t.check_login("b@x.org", owner).unwrap(), Duration::ZERO, "other accounts are untouched");
    }
}

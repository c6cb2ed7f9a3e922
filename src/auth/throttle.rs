//! Login throttling per client address and per account, and password-change throttling per
//! user, with `governor`'s keyed GCRA rate limiters (in memory, per instance). A refused
//! attempt answers 429 `rate_limited` with `Retry-After`.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::error::ApiError;

/// Keys kept before stale ones are purged.
const PURGE_ABOVE_KEYS: usize = 10_000;

/// The limiters.
pub struct LoginThrottle {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
    password_changes: DefaultKeyedRateLimiter<Uuid>,
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN))
}

fn check<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), ApiError> {
    if limiter.len() > PURGE_ABOVE_KEYS {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::TooManyRequests { retry_after_secs: wait.as_secs().max(1) }
    })
}

impl LoginThrottle {
    /// Allows `per_ip_per_min` attempts a minute from one address and `per_account_per_min`
    /// for one account, each as a burst that refills evenly over the minute.
    pub fn new(per_ip_per_min: u32, per_account_per_min: u32) -> Self {
        Self {
            per_ip: RateLimiter::keyed(quota(per_ip_per_min)),
            per_account: RateLimiter::keyed(quota(per_account_per_min)),
            password_changes: RateLimiter::keyed(quota(per_account_per_min)),
        }
    }

    /// Allows `per_user_per_min` password changes a minute by one user (a burst of that size).
    pub fn with_password_changes(mut self, per_user_per_min: u32) -> Self {
        self.password_changes = RateLimiter::keyed(quota(per_user_per_min));
        self
    }

    /// Counts a password change (right or wrong) by `user_id`.
    pub fn check_password_change(&self, user_id: Uuid) -> Result<(), ApiError> {
        check(&self.password_changes, &user_id)
    }

    /// Counts an attempt from `ip`.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        check(&self.per_ip, &ip)
    }

    /// Counts an attempt on the account `email` (case-insensitive).
    pub fn check_account(&self, email: &str) -> Result<(), ApiError> {
        check(&self.per_account, &email.trim().to_lowercase())
    }
}

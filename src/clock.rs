//! The clock of the listing lifecycle: every "now" that decides whether a listing has expired,
//! when its validity restarts, when a reminder is due and what the scheduled jobs see. Queries
//! take that instant as a bind parameter, never PostgreSQL's `now()`, so a test can move time
//! for one server or for several sharing a [`Clock`] (and one database) without sleeping.
//!
//! A low module: it imports nothing of the crate. [`crate::state::AppState`] holds the clock the
//! server was configured with (`ServeConfig::clock`, the system clock unless a test sets one).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// The system clock, or a manual one that tests set and advance. Cloning a manual clock shares
/// it: two servers given clones of one clock see the same time.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl Clock {
    /// The system clock (`Utc::now()`).
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that stands at `at` until it is set or advanced.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self(Some(Arc::new(Mutex::new(at))))
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        self.0.is_some()
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(at) => *at.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Sets a manual clock to `at` (every clone sees it); the system clock ignores it.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(now) = &self.0 {
            *now.lock().unwrap_or_else(|p| p.into_inner()) = at;
        }
    }

    /// Moves a manual clock forward by `by` (every clone sees it); the system clock ignores it.
    pub fn advance(&self, by: Duration) {
        if let Some(now) = &self.0 {
            let mut now = now.lock().unwrap_or_else(|p| p.into_inner());
            *now += by;
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            None => f.write_str("Clock::system"),
            Some(_) => write!(f, "Clock::manual({})", self.now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_is_shared_by_its_clones() {
        let start = Utc::now() - Duration::days(30);
        let clock = Clock::manual(start);
        let other = clock.clone();
        assert_eq!(other.now(), start);
        clock.advance(Duration::days(2));
        assert_eq!(other.now(), start + Duration::days(2));
        other.set(start);
        assert_eq!(clock.now(), start);
        assert!(clock.is_manual());
    }

    #[test]
    fn the_system_clock_ignores_set_and_advance() {
        let clock = Clock::system();
        clock.set(Utc::now() - Duration::days(400));
        clock.advance(Duration::days(-400));
        assert!((Utc::now() - clock.now()).num_seconds().abs() < 5);
        assert!(!clock.is_manual());
    }
}

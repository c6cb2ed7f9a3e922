//! Password hashing with Argon2id at the OWASP Password Storage Cheat Sheet's first
//! recommended setting: m = 19 MiB (19456 KiB), t = 2, p = 1. Run these functions off the
//! async executor (they take tens of milliseconds by design): [`Hashing::run`] does, with at
//! most a bounded number at once, and never while holding a pooled database connection.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::web;
use tokio::sync::Semaphore;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{ApiError, ErrorCode};

/// Shortest accepted password, in characters (NIST SP 800-63B asks for at least 8).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest accepted password, in characters (bounds the hashing work per request).
pub const MAX_PASSWORD_CHARS: usize = 128;

fn argon2() -> Result<Argon2<'static>, ApiError> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| ApiError::Internal(anyhow::anyhow!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The lowest `zxcvbn` score a new password may have: 2 ("somewhat guessable", more than 10^6
/// guesses), which refuses the common passwords, keyboard walks, repeats and dictionary words
/// that an online attacker tries first while accepting any phrase of a few uncommon words.
const MIN_STRENGTH: zxcvbn::Score = zxcvbn::Score::Two;

/// Why `password` is among the first an attacker would try (`zxcvbn`, the estimator of Dropbox,
/// with its lists of common passwords, names and words), or `None` when it is not.
pub fn too_guessable(password: &str) -> Option<String> {
    let estimate = zxcvbn::zxcvbn(password, &[]);
    if estimate.score() >= MIN_STRENGTH {
        return None;
    }
    let warning = estimate.feedback().and_then(|f| f.warning()).map(|w| w.to_string());
    Some(warning.unwrap_or_else(|| "it is a common password or pattern".to_string()))
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `password` with a fresh salt.
pub fn hash(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("argon2 hash: {e}")))
}

/// True when `password` matches the stored PHC string.
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    argon2().is_ok_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Spends the same work as a real check, for logins naming an unknown account (so response
/// time does not reveal which e-mail addresses exist).
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(stored) = DUMMY.get_or_init(|| hash("dummy password for timing").ok()) {
        let _ = verify(password, stored);
    }
}

/// Seconds a client is told to wait when every hashing slot stayed busy.
pub const HASHING_RETRY_AFTER_SECS: u64 = 1;

/// Runs Argon2id work on the blocking thread pool, at most `concurrency` at once (each holds
/// 19 MiB and a core for tens of milliseconds). A request that finds every slot busy waits up
/// to `wait`, then answers 503 `hashing_busy` with `Retry-After`: a flood of logins or password
/// changes queues here instead of multiplying memory and starving other requests of CPU.
pub struct Hashing {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl Hashing {
    /// `concurrency` slots (0: one per CPU core).
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        let concurrency = if concurrency == 0 {
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
        } else {
            concurrency
        };
        Self { slots: Arc::new(Semaphore::new(concurrency)), wait }
    }

    /// Runs `work` (which hashes or verifies) in a free slot on the blocking thread pool,
    /// inside the caller's tracing span. The slot is held until `work` returns, even when the
    /// client has gone.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = match actix_web::rt::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(closed)) => return Err(ApiError::Internal(anyhow::anyhow!("hashing slots closed: {closed}"))),
            Err(_) => {
                tracing::warn!(wait_ms = self.wait.as_millis() as u64, "no free password hashing slot");
                return Err(ApiError::Busy {
                    code: ErrorCode::HashingBusy,
                    detail: "too many sign-ins and password changes at once; retry shortly".into(),
                    retry_after_secs: HASHING_RETRY_AFTER_SECS,
                });
            }
        };
        let span = tracing::Span::current();
        Ok(web::block(move || {
            let _entered = span.enter();
            let out = work();
            drop(slot);
            out
        })
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_owasp_parameters_and_verifies() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterx", &stored));
        assert!(!verify("anything", "not a phc string"));
        assert_ne!(hash("same").unwrap(), hash("same").unwrap(), "salted");
    }
}

#[cfg(test)]
mod strength_tests {
    use super::too_guessable;

    #[test]
    fn common_passwords_are_refused_phrases_are_not() {
        for weak in ["password123", "1234567890", "qwertyuiop", "aaaaaaaaaaaa", "iloveyou2024", "Password2026"] {
            assert!(too_guessable(weak).is_some(), "{weak} should be refused");
        }
        for fine in
            ["correct horse battery", "techmatch-demo-2026", "schemathesis-demo-password", "宁夏枸杞采收装备2026"]
        {
            assert_eq!(too_guessable(fine), None, "{fine} should be accepted");
        }
    }
}

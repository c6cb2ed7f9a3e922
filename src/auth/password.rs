//! Password hashing with Argon2id at the OWASP Password Storage Cheat Sheet's first
//! recommended setting: m = 19 MiB (19456 KiB), t = 2, p = 1. Run these functions off the
//! async executor (they take tens of milliseconds by design).

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;

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

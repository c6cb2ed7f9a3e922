//! Access tokens are JWTs signed with HS256 (the algorithm is pinned: a token naming any other,
//! `none` included, is refused). `exp`, `iat`, `iss`, `aud` and `sub` are required and checked,
//! with 30 s of leeway for clock skew. Refresh tokens are opaque 256-bit random strings that
//! the database stores only as SHA-256 digests; they are never JWTs, so neither kind can stand
//! in for the other.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::credentials::earliest_valid_iat;
use super::principal::Principal;
use crate::config::AuthConfig;
use crate::error::ApiError;
use crate::vocab::{OrganizationKind, Role};

/// Value of the `typ` claim of access tokens.
pub const ACCESS_TOKEN_TYPE: &str = "access";

/// Claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id.
    pub sub: Uuid,
    /// The user's organisation.
    pub org: Uuid,
    /// The organisation's kind.
    pub org_kind: OrganizationKind,
    pub role: Role,
    /// Always [`ACCESS_TOKEN_TYPE`].
    pub typ: String,
    pub iss: String,
    pub aud: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: i64,
    /// Unique token id.
    pub jti: Uuid,
}

/// Issues and verifies access tokens.
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    access_ttl_secs: i64,
    refresh_ttl_secs: i64,
}

impl TokenService {
    /// Keys and rules from the configuration (call [`AuthConfig::validate`] first).
    pub fn new(config: &AuthConfig) -> Self {
        let secret = config.jwt_secret.expose().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            access_ttl_secs: i64::try_from(config.access_token_ttl_secs).unwrap_or(900),
            refresh_ttl_secs: i64::try_from(config.refresh_token_ttl_secs).unwrap_or(30 * 86_400),
        }
    }

    /// Lifetime of access tokens in seconds.
    pub fn access_ttl_secs(&self) -> i64 {
        self.access_ttl_secs
    }

    /// Lifetime of refresh tokens in seconds.
    pub fn refresh_ttl_secs(&self) -> i64 {
        self.refresh_ttl_secs
    }

    /// Signs an access token for `principal`. `password_changed_at` is when the user last
    /// changed their password: the token's `iat` is not before the whole second after it
    /// ([`super::credentials::earliest_valid_iat`]), so that it stays valid while the tokens
    /// issued before the change, in the same second included, are refused.
    pub fn issue_access(
        &self,
        principal: &Principal,
        password_changed_at: Option<DateTime<Utc>>,
    ) -> Result<String, ApiError> {
        let now = Utc::now().timestamp().max(password_changed_at.map_or(i64::MIN, earliest_valid_iat));
        let claims = AccessClaims {
            sub: principal.user_id,
            org: principal.organization_id,
            org_kind: principal.org_kind,
            role: principal.role,
            typ: ACCESS_TOKEN_TYPE.into(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp: now + self.access_ttl_secs,
            jti: Uuid::new_v4(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot sign token: {e}")))
    }

    /// Verifies an access token: signature, algorithm, `exp`, `iss`, `aud`, `typ`; 401
    /// `invalid_token` otherwise (the reason is logged at debug level, not sent).
    pub fn verify_access(&self, token: &str) -> Result<Principal, ApiError> {
        self.verify_access_issued(token).map(|(principal, _)| principal)
    }

    /// [`Self::verify_access`], with the token's `iat` (seconds since the Unix epoch), which
    /// the caller compares with the user's last password change.
    pub fn verify_access_issued(&self, token: &str) -> Result<(Principal, i64), ApiError> {
        let data = decode::<AccessClaims>(token, &self.decoding, &self.validation).map_err(|e| {
            tracing::debug!(error = %e, "access token refused");
            ApiError::invalid_token("the access token is invalid or expired")
        })?;
        let claims = data.claims;
        if claims.typ != ACCESS_TOKEN_TYPE {
            return Err(ApiError::invalid_token("not an access token"));
        }
        let principal = Principal {
            user_id: claims.sub,
            organization_id: claims.org,
            org_kind: claims.org_kind,
            role: claims.role,
            client: None,
        };
        Ok((principal, claims.iat))
    }
}

/// A new refresh token (43 characters of URL-safe base64) and its SHA-256 digest (hex).
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let digest = refresh_token_digest(&token);
    (token, digest)
}

/// The stored form of a refresh token: its SHA-256 digest in lower-case hex.
pub fn refresh_token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

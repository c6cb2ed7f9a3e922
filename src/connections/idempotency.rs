//! `Idempotency-Key` for `POST /api/v1/connections`: the first response to a key is stored per
//! user, and a retry with the same key and body gets it again (same status and body) instead of
//! a second connection or a 409. The same key with another body answers 422
//! `idempotency_key_reused`.

use actix_web::HttpRequest;
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::schema::idempotency_keys;
use crate::error::{ApiError, ErrorCode};

/// Name of the request header.
pub const HEADER: &str = "Idempotency-Key";

/// A stored first response.
#[derive(Debug, Queryable)]
pub struct StoredResponse {
    pub request_hash: String,
    pub status: i16,
    pub body: serde_json::Value,
}

/// The key sent with the request, if any: 1–200 visible ASCII characters, else 400 `invalid_idempotency_key`.
pub fn key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else { return Ok(None) };
    let text = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|t| (1..=200).contains(&t.len()) && t.chars().all(|c| c.is_ascii_graphic()));
    text.map(|t| Some(t.to_string())).ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::InvalidIdempotencyKey,
            "Idempotency-Key must be 1–200 visible ASCII characters",
        )
    })
}

/// SHA-256 (hex) of the request's canonical JSON, to tell a retry from a different request.
pub fn request_hash<T: serde::Serialize>(body: &T) -> String {
    let json = serde_json::to_vec(body).unwrap_or_default();
    Sha256::digest(&json).iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored response for this user and key.
pub fn lookup(conn: &mut PgConnection, user_id: Uuid, key: &str) -> Result<Option<StoredResponse>, ApiError> {
    Ok(idempotency_keys::table
        .find((user_id, key))
        .select((idempotency_keys::request_hash, idempotency_keys::status, idempotency_keys::body))
        .first(conn)
        .optional()?)
}

/// Stores the first response (call inside the transaction that made it).
pub fn store(
    conn: &mut PgConnection,
    user_id: Uuid,
    key: &str,
    hash: &str,
    status: i16,
    body: &serde_json::Value,
) -> Result<(), ApiError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(hash),
            idempotency_keys::status.eq(status),
            idempotency_keys::body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

impl StoredResponse {
    /// The stored response if `hash` is the same request; 422 `idempotency_key_reused` otherwise.
    pub fn replay(self, hash: &str) -> Result<(u16, serde_json::Value), ApiError> {
        if self.request_hash == hash {
            Ok((u16::try_from(self.status).unwrap_or(200), self.body))
        } else {
            Err(ApiError::Status {
                status: actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                code: ErrorCode::IdempotencyKeyReused,
                detail: "this Idempotency-Key was used with a different request".into(),
            })
        }
    }
}

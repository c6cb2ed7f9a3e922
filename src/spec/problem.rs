//! The schema of every error body.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ErrorCode, FieldError};
use crate::vocab::{ConnectionStatus, Quota};

/// An RFC 9457 problem details body (`application/problem+json`): the shape of every error
/// answered by the API, mirroring `src/error.rs`. Some problems carry extension members
/// (`existing_id` on `connection_exists`; `from`, `to` and `allowed` on `illegal_transition`;
/// `quota` and `limit` on `quota_exceeded`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"type": "urn:techmatch:problem:validation_failed", "title": "Unprocessable Entity",
    "status": 422, "code": "validation_failed", "detail": "1 field(s) are invalid",
    "errors": [{"field": "title", "message": "must be 1–200 characters (got 0)"}]}))]
pub struct Problem {
    /// `urn:techmatch:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:techmatch:problem:not_found")]
    pub kind: String,
    /// The HTTP reason phrase of `status`.
    #[schema(example = "Not Found")]
    pub title: String,
    /// The HTTP status code, repeated.
    #[schema(minimum = 400, maximum = 599, example = 404)]
    pub status: u16,
    /// Stable machine-readable code: one of `ErrorCode` (docs/API.md has the same table).
    #[schema(value_type = ErrorCode)]
    pub code: String,
    /// What went wrong, for a human.
    #[schema(example = "supply 6f1c0d7e-2a55-4c1b-9d0e-8f1f2b3c4d5e not found")]
    pub detail: String,
    /// Only on `validation_failed`: every invalid field with its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldError>>,
    /// Only on `connection_exists`: the open connection of the same pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub existing_id: Option<Uuid>,
    /// Only on `illegal_transition`: the connection's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub from: Option<ConnectionStatus>,
    /// Only on `illegal_transition`: the status asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub to: Option<ConnectionStatus>,
    /// Only on `illegal_transition`: the moves allowed from `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub allowed: Option<Vec<ConnectionStatus>>,
    /// Only on `quota_exceeded`: the quota the organisation has used up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub quota: Option<Quota>,
    /// Only on `quota_exceeded`: the quota's size for this organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 0)]
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;
    use actix_web::ResponseError;
    use serde_json::json;

    use super::*;
    use crate::error::{ApiError, ErrorCode};

    fn body_of(err: ApiError) -> Problem {
        let response = err.error_response();
        let bytes = response.into_body().try_into_bytes().unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("error body fits the Problem schema: {e}"))
    }

    #[test]
    fn problem_schema_mirrors_the_error_bodies() {
        let p = body_of(ApiError::NotFound("supply x".into()));
        assert_eq!((p.kind.as_str(), p.status, p.code.as_str()), ("urn:techmatch:problem:not_found", 404, "not_found"));
        let p = body_of(ApiError::invalid_field("title", "too long"));
        assert_eq!(p.errors.map(|e| e.len()), Some(1));
        let p = body_of(ApiError::ConflictWith {
            code: ErrorCode::IllegalTransition,
            detail: "no".into(),
            extension: json!({"from": "signed", "to": "failed", "allowed": []}),
        });
        assert_eq!(p.from, Some(ConnectionStatus::Signed));
        let p = body_of(ApiError::ConflictWith {
            code: ErrorCode::ConnectionExists,
            detail: "no".into(),
            extension: json!({"existing_id": Uuid::nil()}),
        });
        assert_eq!(p.existing_id, Some(Uuid::nil()));
        let p = body_of(ApiError::TooManyWith {
            code: ErrorCode::QuotaExceeded,
            detail: "no".into(),
            retry_after_secs: 60,
            extension: json!({"quota": "listings_per_hour", "limit": 10}),
        });
        assert_eq!((p.status, p.quota, p.limit), (429, Some(Quota::ListingsPerHour), Some(10)));
    }
}

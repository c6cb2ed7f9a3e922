//! The schema of every error body.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

use crate::error::ErrorCode;
#[allow(unused_imports)] // named by the schema attribute of `errors`
use crate::error::FieldError;
use crate::vocab::{
    ChallengeApplicationStatus, ChallengeStatus, ConnectionStatus, ContractStatus, DemandStatus, Quota, SupplyStatus,
};

/// A status of a connection, a supply or a demand (schema only: the `from`, `to`, `allowed` and
/// `current_status` members of a problem name statuses of the record they are about).
pub struct RecordStatus;

impl RecordStatus {
    /// Every status of every vocabulary, each once, in declaration order.
    pub fn values() -> Vec<&'static str> {
        let mut values: Vec<&'static str> = Vec::new();
        let all = ConnectionStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(SupplyStatus::ALL.iter().map(|s| s.as_str()))
            .chain(DemandStatus::ALL.iter().map(|s| s.as_str()))
            .chain(ContractStatus::ALL.iter().map(|s| s.as_str()))
            .chain(ChallengeStatus::ALL.iter().map(|s| s.as_str()))
            .chain(ChallengeApplicationStatus::ALL.iter().map(|s| s.as_str()));
        for value in all {
            if !values.contains(&value) {
                values.push(value);
            }
        }
        values
    }
}

impl PartialSchema for RecordStatus {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A status of the record the problem is about: a connection's (`ConnectionStatus`), a supply's \
(`SupplyStatus`), a demand's (`DemandStatus`), a contract's (`ContractStatus`), a challenge's (`ChallengeStatus`) or \
an application's (`ChallengeApplicationStatus`).",
            ))
            .enum_values(Some(Self::values()))
            .into()
    }
}

impl ToSchema for RecordStatus {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RecordStatus")
    }
}

/// An RFC 9457 problem details body (`application/problem+json`): the shape of every error
/// answered by the API, mirroring `src/error.rs`. Some problems carry extension members
/// (`existing_id` on `connection_exists`; `from`, `to` and `allowed` on `illegal_transition`;
/// `current_status` on `not_pending_review` and `wrong_status`; `current_status`, `opens_at` and
/// `closes_at` on `challenge_closed`; `quota` and `limit` on `quota_exceeded`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"type": "urn:techmatch:problem:validation_failed", "title": "字段校验未通过",
    "status": 422, "code": "validation_failed", "detail": "有 1 个字段无效，逐项见 errors。",
    "errors": [{"field": "title", "code": "too_long", "max": 200, "actual": 230, "message": "最多 200 个字符（实际 230 个）"}]}))]
pub struct Problem {
    /// `urn:techmatch:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:techmatch:problem:not_found")]
    pub kind: String,
    /// A short title of `code`, in the response's language (`Content-Language`: `zh-CN` unless
    /// `Accept-Language` prefers English).
    #[schema(example = "记录不存在")]
    pub title: String,
    /// The HTTP status code, repeated.
    #[schema(minimum = 400, maximum = 599, example = 404)]
    pub status: u16,
    /// Stable machine-readable code: one of `ErrorCode` (docs/API.md has the same table).
    #[schema(value_type = ErrorCode)]
    pub code: String,
    /// What went wrong, for a human, in the response's language: in English the particular
    /// case (`supply 6f1c… not found`), in Chinese the meaning of `code`.
    #[schema(example = "记录不存在，或属于其他机构且不公开。")]
    pub detail: String,
    /// On `validation_failed`, and on `invalid_body`, `invalid_query` and `invalid_path` when a
    /// field can be named: every invalid field with its path, code, parameters and message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Vec<FieldError>>)]
    pub errors: Option<Vec<serde_json::Value>>,
    /// Only on `connection_exists`: the open connection of the same pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub existing_id: Option<Uuid>,
    /// Only on `illegal_transition`: the current status of the connection or listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<RecordStatus>)]
    pub from: Option<String>,
    /// Only on `illegal_transition`: the status asked for (or the one an action leads to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<RecordStatus>)]
    pub to: Option<String>,
    /// Only on `illegal_transition`: the statuses that may be asked for from `from` (for renewal
    /// and confirmation: the statuses the action is taken from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Vec<RecordStatus>>)]
    pub allowed: Option<Vec<String>>,
    /// Only on `not_pending_review`, `wrong_status` and `challenge_closed`: the record's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<RecordStatus>)]
    pub current_status: Option<String>,
    /// Only on `challenge_closed`: when the challenge's application window opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub opens_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Only on `challenge_closed`: when it closes (or closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
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
        let p = body_of(ApiError::invalid_field(
            FieldError::new("title", crate::error::FieldCode::TooLong).with("max", 200).with("actual", 201),
        ));
        let errors = p.errors.unwrap_or_default();
        assert_eq!((errors.len(), &errors[0]["code"], &errors[0]["max"]), (1, &json!("too_long"), &json!(200)));
        let p = body_of(ApiError::ConflictWith {
            code: ErrorCode::IllegalTransition,
            detail: "no".into(),
            extension: json!({"from": "signed", "to": "failed", "allowed": []}),
        });
        assert_eq!(p.from.as_deref(), Some("signed"));
        let p = body_of(ApiError::ConflictWith {
            code: ErrorCode::NotPendingReview,
            detail: "no".into(),
            extension: json!({"current_status": "changes_requested"}),
        });
        assert_eq!(p.current_status.as_deref(), Some("changes_requested"));
        assert!(RecordStatus::values().contains(&"pending_review") && RecordStatus::values().contains(&"signed"));
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

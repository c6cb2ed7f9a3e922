//! One error type for the whole API, rendered as RFC 9457 problem details
//! (`application/problem+json`) with a stable machine-readable `code`.
//!
//! Shape of every error body:
//! ```json
//! {"type": "urn:techmatch:problem:not_found", "title": "Not Found", "status": 404,
//!  "code": "not_found", "detail": "supply 6f… does not exist",
//!  "errors": [{"field": "title", "message": "must be 1–200 characters"}]}
//! ```
//! `errors` appears only on `validation_failed`. The cause of a 500 is logged, never sent.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

pub use crate::error_code::ErrorCode;
pub use crate::field_error::{FieldCode, FieldError};
use crate::lang::Lang;

/// Seconds a client should wait before retrying when the database is unavailable.
pub const RETRY_AFTER_SECS: u32 = 5;

/// The media type of every error body (RFC 9457 §3).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Every failure the API can answer with. Each variant has a fixed HTTP status and `code`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed (bad JSON, bad path or query value, NUL character). `code` names which.
    #[error("{detail}")]
    BadRequest { code: ErrorCode, detail: String },
    /// 400 with the fields serde refused (`invalid_body`, `invalid_query`, `invalid_path`), each
    /// in `errors` with its path and code.
    #[error("{detail}")]
    BadFields { code: ErrorCode, detail: String, errors: Vec<FieldError> },
    /// 422 `validation_failed`: well-formed but invalid fields, listed one by one.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 401: no valid bearer token (`authentication_required`, `invalid_token`,
    /// `invalid_credentials`, `invalid_refresh_token`); answered with `WWW-Authenticate: Bearer`.
    #[error("{detail}")]
    Unauthorized { code: ErrorCode, detail: String },
    /// 403 `forbidden`: authenticated, but the role or organisation may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 429 `rate_limited`, with `Retry-After` in seconds.
    #[error("too many attempts; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// 429 with `Retry-After` in seconds and extension members (`quota_exceeded`: `quota`, `limit`).
    #[error("{detail}")]
    TooManyWith { code: ErrorCode, detail: String, retry_after_secs: u64, extension: serde_json::Value },
    /// 404 `not_found`: the record does not exist (or is not visible to the caller).
    #[error("{0} not found")]
    NotFound(String),
    /// 409: the request conflicts with the current state (`code` says how).
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String },
    /// 409 with extension members (e.g. the existing connection's id, the allowed moves).
    #[error("{detail}")]
    ConflictWith { code: ErrorCode, detail: String, extension: serde_json::Value },
    /// 412 `version_mismatch`: `If-Match` names a version that is no longer current.
    #[error("the record has changed: current version is {current}")]
    VersionMismatch { current: i32 },
    /// 428 `if_match_required`: an update must say which version it edits.
    #[error("send If-Match with the ETag of the version you edit")]
    IfMatchRequired,
    /// 503 with `Retry-After` in seconds: the server is saturated (`code` says by what).
    #[error("{detail}")]
    Busy { code: ErrorCode, detail: String, retry_after_secs: u64 },
    /// 503 `database_unavailable`, with `Retry-After`.
    #[error("the database is unavailable, retry shortly")]
    Unavailable,
    /// 500 `internal`: logged with its cause; the client sees only the code.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    /// Any other status with a stable code, used for framework-level failures (405, 413, 415…).
    #[error("{detail}")]
    Status { status: StatusCode, code: ErrorCode, detail: String },
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    code: ErrorCode,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<serde_json::Value>>,
    /// Extension members (RFC 9457 §3.2), flattened into the object.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extension: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

impl ApiError {
    /// A 400 with the given code and message.
    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::BadRequest { code, detail: detail.into() }
    }

    /// A 409 `illegal_transition` of a record in `from` asked to become `to`, with the statuses it
    /// may move to from there (`allowed`, possibly none): the extension members every such
    /// answer carries (connections, listings, contracts, payments).
    pub fn illegal_transition(
        from: impl serde::Serialize,
        to: impl serde::Serialize,
        allowed: impl serde::Serialize,
        detail: impl Into<String>,
    ) -> Self {
        Self::ConflictWith {
            code: ErrorCode::IllegalTransition,
            detail: detail.into(),
            extension: serde_json::json!({ "from": from, "to": to, "allowed": allowed }),
        }
    }

    /// A 401 `invalid_token` (a bearer token was sent but is not valid).
    pub fn invalid_token(detail: impl Into<String>) -> Self {
        Self::Unauthorized { code: ErrorCode::InvalidToken, detail: detail.into() }
    }

    /// A 400 `invalid_query` about one query parameter, named in `errors`.
    pub fn bad_query(detail: impl Into<String>, error: FieldError) -> Self {
        Self::BadFields { code: ErrorCode::InvalidQuery, detail: detail.into(), errors: vec![error] }
    }

    /// A 422 for a single field.
    pub fn invalid_field(error: FieldError) -> Self {
        Self::Validation(vec![error])
    }

    /// The stable machine-readable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest { code, .. }
            | Self::BadFields { code, .. }
            | Self::Conflict { code, .. }
            | Self::Status { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Busy { code, .. }
            | Self::TooManyWith { code, .. }
            | Self::ConflictWith { code, .. } => *code,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::TooManyRequests { .. } => ErrorCode::RateLimited,
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::VersionMismatch { .. } => ErrorCode::VersionMismatch,
            Self::IfMatchRequired => ErrorCode::IfMatchRequired,
            Self::Unavailable => ErrorCode::DatabaseUnavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } | Self::BadFields { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyRequests { .. } | Self::TooManyWith { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } | Self::ConflictWith { .. } => StatusCode::CONFLICT,
            Self::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            Self::IfMatchRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::Unavailable | Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Status { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let Self::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        let lang = Lang::current();
        let detail = match (self, lang) {
            (Self::Validation(errors), Lang::En) => format!("{} field(s) are invalid", errors.len()),
            (Self::Validation(errors), Lang::Zh) => format!("有 {} 个字段无效，逐项见 errors。", errors.len()),
            (other, Lang::En) => other.to_string(),
            (other, Lang::Zh) => other.code().detail_zh().to_string(),
        };
        let errors = match self {
            Self::Validation(errors) | Self::BadFields { errors, .. } => Some(errors.as_slice()),
            _ => None,
        };
        let extension = match self {
            Self::ConflictWith { extension: serde_json::Value::Object(map), .. }
            | Self::TooManyWith { extension: serde_json::Value::Object(map), .. } => Some(map),
            _ => None,
        };
        let mut response = problem_body(status, self.code(), detail, errors, extension, lang);
        let headers = response.headers_mut();
        match self {
            Self::Unauthorized { code, .. } => {
                let challenge = match *code {
                    ErrorCode::InvalidToken => "Bearer realm=\"techmatch\", error=\"invalid_token\"",
                    _ => "Bearer realm=\"techmatch\"",
                };
                headers.insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static(challenge));
            }
            Self::TooManyRequests { retry_after_secs }
            | Self::TooManyWith { retry_after_secs, .. }
            | Self::Busy { retry_after_secs, .. } => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after_secs));
            }
            _ => {}
        }
        response
    }
}

/// Builds a problem+json response in the request's language (`detail` is the English one; a
/// Chinese answer gives the code's Chinese sentence); used by the catch-all for framework errors.
pub fn problem_response(
    status: StatusCode,
    code: ErrorCode,
    detail: String,
    errors: Option<&[FieldError]>,
) -> HttpResponse {
    let lang = Lang::current();
    let detail = match lang {
        Lang::En => detail,
        Lang::Zh => code.detail_zh().to_string(),
    };
    problem_body(status, code, detail, errors, None, lang)
}

fn problem_body(
    status: StatusCode,
    code: ErrorCode,
    detail: String,
    errors: Option<&[FieldError]>,
    extension: Option<&serde_json::Map<String, serde_json::Value>>,
    lang: Lang,
) -> HttpResponse {
    let body = Problem {
        kind: format!("urn:techmatch:problem:{code}"),
        title: code.title(lang),
        status: status.as_u16(),
        code,
        detail,
        errors: errors.map(|errors| errors.iter().map(|e| e.to_json(lang)).collect()),
        extension,
    };
    let mut builder = HttpResponse::build(status);
    builder.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
    builder.insert_header((header::CONTENT_LANGUAGE, lang.tag()));
    builder.insert_header((header::VARY, "Accept-Language"));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        builder.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
    }
    builder.json(body)
}

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => Self::NotFound("record".into()),
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => unique_violation(info.constraint_name()),
                DatabaseErrorKind::ForeignKeyViolation => Self::Validation(vec![FieldError::new(
                    foreign_key_field(info.table_name(), info.constraint_name()),
                    FieldCode::NotFound,
                )]),
                DatabaseErrorKind::CheckViolation => {
                    let constraint = info.constraint_name().unwrap_or("record").to_string();
                    Self::Validation(vec![
                        FieldError::new(constraint.clone(), FieldCode::Constraint).with("constraint", constraint)
                    ])
                }
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => Self::Unavailable,
                _ if is_connection_loss(info.message()) => Self::Unavailable,
                _ if is_timeout(info.message()) => Self::Status {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    code: ErrorCode::DatabaseBusy,
                    detail:
                        "the database is busy (a lock or statement timeout expired); nothing was changed, retry shortly"
                            .into(),
                },
                _ => Self::Internal(anyhow::anyhow!("database error: {}", info.message())),
            },
            other => Self::Internal(other.into()),
        }
    }
}

/// A 409 naming what is taken, by the unique constraint that refused the row (no SQL wording
/// reaches the client).
fn unique_violation(constraint: Option<&str>) -> ApiError {
    let (code, detail) = match constraint {
        Some("users_email_key") => (ErrorCode::EmailTaken, "an account with this e-mail exists"),
        Some("organizations_kind_name_key") => {
            (ErrorCode::OrganizationExists, "an organisation of this kind and name exists")
        }
        Some("organizations_name_key_key") => (
            ErrorCode::OrganizationExists,
            "an organisation of this name exists (names are compared after Unicode compatibility \
             normalisation and lower-casing, without white space and invisible characters)",
        ),
        Some("organizations_credit_code_key") => {
            (ErrorCode::CreditCodeTaken, "an organisation with this credit code exists")
        }
        _ => (ErrorCode::Conflict, "a record with the same key exists"),
    };
    ApiError::Conflict { code, detail: detail.into() }
}

/// The column behind a foreign key named the PostgreSQL way (`<table>_<column>_fkey`).
fn foreign_key_field(table: Option<&str>, constraint: Option<&str>) -> String {
    let field = match (table, constraint) {
        (Some(table), Some(constraint)) => constraint
            .strip_prefix(table)
            .and_then(|rest| rest.strip_prefix('_'))
            .and_then(|rest| rest.strip_suffix("_fkey")),
        _ => None,
    };
    field.unwrap_or("reference").to_string()
}

/// libpq reports a dropped server as an unclassified error; recognise it by its wording.
fn is_connection_loss(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "server closed the connection",
        "no connection to the server",
        "terminating connection",
        "connection refused",
        "could not connect",
        "ssl syscall error",
        "eof detected",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

/// A statement PostgreSQL cancelled: SQLSTATE 57014 `query_canceled` (`statement_timeout`) or
/// 55P03 `lock_not_available` (`lock_timeout`, `NOWAIT`). Diesel does not expose the SQLSTATE,
/// so the server's (English, the default `lc_messages`) wording is matched.
fn is_timeout(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    ["canceling statement due to statement timeout", "canceling statement due to lock timeout", "could not obtain lock"]
        .iter()
        .any(|needle| m.contains(needle))
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(_: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        Self::Internal(err)
    }
}

//! The authenticated caller ([`Principal`]), taken from `Authorization: Bearer <access token>`.

use std::future::{ready, Ready};

use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use super::principal::{Principal, SignedIn};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let text = value.to_str().map_err(|_| ApiError::invalid_token("malformed Authorization header"))?;
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(ApiError::invalid_token("use Authorization: Bearer <access token>")),
    }
}

fn principal(req: &HttpRequest) -> Result<Option<Principal>, ApiError> {
    let Some(token) = bearer(req)? else { return Ok(None) };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let principal = state.tokens.verify_access(&token)?;
    req.extensions_mut().insert(SignedIn(principal.user_id));
    Ok(Some(principal))
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    /// 401 `authentication_required` without a token, 401 `invalid_token` with a bad one.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(principal(req).and_then(|p| {
            p.ok_or(ApiError::Unauthorized {
                code: ErrorCode::AuthenticationRequired,
                detail: "sign in and send Authorization: Bearer <access token>".into(),
            })
        }))
    }
}

/// An optional caller for endpoints open to the public: no header means anonymous, but a
/// header with a bad token is still refused (401), never silently ignored.
#[derive(Debug, Clone)]
pub struct MaybePrincipal(pub Option<Principal>);

impl FromRequest for MaybePrincipal {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(principal(req).map(MaybePrincipal))
    }
}

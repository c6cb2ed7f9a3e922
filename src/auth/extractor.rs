//! The authenticated caller ([`Principal`]), taken from `Authorization: Bearer <access token>`:
//! a token with a valid signature and claims whose user still stands as the token says
//! ([`super::credentials`]).

use std::future::Future;
use std::pin::Pin;

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

async fn principal(req: HttpRequest) -> Result<Option<Principal>, ApiError> {
    let Some(token) = bearer(&req)? else { return Ok(None) };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let (mut principal, issued_at) = state.tokens.verify_access_issued(&token)?;
    principal.client = Some(state.trusted_proxies.client_ip(req.peer_addr().map(|a| a.ip()), req.headers()));
    state.credentials.check(&state.pool, &principal, issued_at).await?;
    req.extensions_mut().insert(SignedIn(principal.user_id));
    Ok(Some(principal))
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Extracted<Self>;

    /// 401 `authentication_required` without a token, 401 `invalid_token` with a bad one.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            principal(req).await?.ok_or(ApiError::Unauthorized {
                code: ErrorCode::AuthenticationRequired,
                detail: "sign in and send Authorization: Bearer <access token>".into(),
            })
        })
    }
}

/// An optional caller for endpoints open to the public: no header means anonymous, but a
/// header with a bad token is still refused (401), never silently ignored.
#[derive(Debug, Clone)]
pub struct MaybePrincipal(pub Option<Principal>);

impl FromRequest for MaybePrincipal {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { principal(req).await.map(MaybePrincipal) })
    }
}

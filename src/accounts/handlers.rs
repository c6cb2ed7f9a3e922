//! `/api/v1/auth/*` and `/api/v1/me`.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::{web, HttpRequest, HttpResponse};

use super::model::{Account, LoginInput, PasswordChangeInput, RefreshInput, RegisterInput, Session};
use super::{repo, service};
use crate::app::AppState;
use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::organizations::repo as org_repo;
use crate::validation::query_text;

fn client_ip(req: &HttpRequest) -> IpAddr {
    req.peer_addr().map(|a| a.ip()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// `POST /api/v1/auth/register` → 201 with the user and organisation (then log in).
#[tracing::instrument(skip(state, req, body))]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterInput>,
) -> Result<HttpResponse, ApiError> {
    state.throttle.check_ip(client_ip(&req))?;
    let input = body.into_inner();
    let account = db::run(&state.pool, move |conn| service::register(conn, input)).await?;
    tracing::info!(user_id = %account.user.id, organization_id = %account.organization.id, "account registered");
    Ok(HttpResponse::Created().json(account))
}

/// `POST /api/v1/auth/login` → 200 with an access token and a refresh token. Throttled per
/// client address and per account (429 with `Retry-After`).
#[tracing::instrument(skip(state, req, body))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginInput>,
) -> Result<web::Json<Session>, ApiError> {
    let LoginInput { email, password } = body.into_inner();
    query_text("email", Some(&email))?;
    query_text("password", Some(&password))?;
    state.throttle.check_ip(client_ip(&req))?;
    state.throttle.check_account(&email)?;
    let tokens = state.tokens.clone();
    let session = db::run(&state.pool, move |conn| service::login(conn, &tokens, &email, &password)).await?;
    Ok(web::Json(session))
}

/// `POST /api/v1/auth/refresh` → a new token pair; the presented refresh token is used up.
#[tracing::instrument(skip(state, body))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshInput>,
) -> Result<web::Json<Session>, ApiError> {
    let tokens = state.tokens.clone();
    let token = body.into_inner().refresh_token;
    Ok(web::Json(db::run(&state.pool, move |conn| service::refresh(conn, &tokens, &token)).await?))
}

/// `POST /api/v1/auth/logout` → 204; the refresh token's family is revoked.
#[tracing::instrument(skip(state, body))]
pub async fn logout(state: web::Data<AppState>, body: web::Json<RefreshInput>) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().refresh_token;
    db::run(&state.pool, move |conn| service::logout(conn, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/v1/me` → the caller and their organisation.
#[tracing::instrument(skip(state))]
pub async fn me(state: web::Data<AppState>, caller: Principal) -> Result<web::Json<Account>, ApiError> {
    let account = db::run(&state.pool, move |conn| {
        let user = repo::user(conn, caller.user_id)?;
        let organization = org_repo::get(conn, user.organization_id)?;
        Ok(Account { user: user.into(), organization })
    })
    .await?;
    Ok(web::Json(account))
}

/// `POST /api/v1/me/password` → 204; every refresh token of the user is revoked.
#[tracing::instrument(skip(state, body))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Principal,
    body: web::Json<PasswordChangeInput>,
) -> Result<HttpResponse, ApiError> {
    let PasswordChangeInput { current_password, new_password } = body.into_inner();
    query_text("current_password", Some(&current_password))?;
    db::run(&state.pool, move |conn| service::change_password(conn, caller.user_id, &current_password, &new_password))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

//! `/api/v1/auth/*` and `/api/v1/me`.

use std::net::IpAddr;

use actix_web::{get, post, web, HttpRequest, HttpResponse};

use super::model::{Account, LoginInput, PasswordChangeInput, RefreshInput, RegisterInput, Session};
use super::reset::{self, ResetConfirmInput, ResetRequestInput, ResetRequested};
use super::service::Registered;
use super::verification::{self, RegistrationAccepted, VerificationSent, VerifyEmailInput};
use super::{repo, service};
use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::organizations::repo as org_repo;
use crate::spec as oa;
use crate::state::AppState;
use crate::validation::query_text;

/// The client's address, through trusted proxies only ([`crate::client_addr`]).
fn client_ip(state: &AppState, req: &HttpRequest) -> IpAddr {
    state.trusted_proxies.client_ip(req.peer_addr().map(|a| a.ip()), req.headers())
}

/// Register an organisation and its first user.
///
/// 202 with the same answer whether the e-mail address is new or has an account, so the answer
/// tells nobody which addresses are registered. A new address: the organisation and its first
/// user (role `broker` for a service agency, `member` otherwise; its owner) are created and a
/// verification link (48 hours) is mailed; sign in at once, but put listings on the market and
/// open connections only after verifying (`TECHMATCH_REQUIRE_EMAIL_VERIFICATION`). A taken
/// address: nothing is created and its owner is mailed that someone registered with it (at most
/// once an hour).
#[utoipa::path(operation_id = "register", tag = "accounts",
    request_body = RegisterInput, responses(
    (status = 202,
        description = "Accepted: the same answer for a new address and for one that has an account; see the mail.",
        body = RegistrationAccepted),
    (status = 409, description = "`organization_exists` (a name with the same identity key, of any kind), \
`credit_code_taken` or `conflict`.",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::BadRequest, oa::HashingUnavailable, oa::JsonBody, oa::ValidationFailed, oa::TooManyRequests))]
#[post("/auth/register")]
#[tracing::instrument(skip(state, req, body))]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::extract::Json<RegisterInput>,
) -> Result<HttpResponse, ApiError> {
    let client = client_ip(&state, &req);
    state.throttle.check_ip(client)?;
    let (now, url) = (state.clock.now(), state.public_url.clone());
    match service::register(&state.pool, &state.hashing, body.into_inner(), client, now, url).await? {
        Registered::New { user_id, organization_id } => {
            tracing::info!(%user_id, %organization_id, "account registered");
        }
        Registered::AddressTaken { user_id } => {
            tracing::info!(%user_id, "registration with a taken e-mail: nothing created, the owner mailed");
        }
    }
    Ok(HttpResponse::Accepted().json(RegistrationAccepted::new()))
}

/// Verify the e-mail address with the mailed token.
///
/// 204; the account may now put listings on the market and open connections. 422 naming
/// `token` when it is blank or over 200 characters; 410 `verification_token_invalid` for an
/// unknown, used or expired token (48 hours). Not throttled:
/// a token is 256 random bits, and the answer is the same for every wrong one.
#[utoipa::path(operation_id = "verify_email", tag = "accounts",
    request_body = VerifyEmailInput, responses(
    (status = 204, description = "The address is verified."),
    (status = 410, description = "`verification_token_invalid`: unknown, used or older than 48 hours.",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::BadRequest, oa::JsonBody, oa::ValidationFailed, oa::ServiceUnavailable))]
#[post("/auth/verify-email")]
#[tracing::instrument(skip(state, req, body))]
pub async fn verify_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::extract::Json<VerifyEmailInput>,
) -> Result<HttpResponse, ApiError> {
    let (input, now, client) = (body.into_inner(), state.clock.now(), client_ip(&state, &req));
    let user_id = db::run(&state.pool, move |conn| verification::confirm(conn, input, now, client)).await?;
    tracing::info!(%user_id, "e-mail verified");
    Ok(HttpResponse::NoContent().finish())
}

/// Mail a new verification link to the caller.
///
/// 202; earlier links stay valid until they expire. 409 `email_already_verified` when the
/// caller's address is verified.
#[utoipa::path(operation_id = "resend_email_verification", tag = "accounts",
    security(("bearer" = [])), responses(
    (status = 202, description = "A new link is mailed (48 hours).", body = VerificationSent),
    (status = 409, description = "`email_already_verified`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Unauthorized, oa::NotFound, oa::TooManyRequests, oa::ServiceUnavailable))]
#[post("/auth/verify-email/resend")]
#[tracing::instrument(skip(state, req))]
pub async fn resend_email_verification(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Principal,
) -> Result<HttpResponse, ApiError> {
    state.throttle.check_ip(client_ip(&state, &req))?;
    let (now, url) = (state.clock.now(), state.public_url.clone());
    let sent = db::run(&state.pool, move |conn| verification::resend(conn, &caller, now, &url)).await?;
    Ok(HttpResponse::Accepted().json(sent))
}

/// Ask for a password reset mail.
///
/// 202 with the same answer whether the address has an account or not (nothing tells which
/// addresses exist); when it has one, a mail with a single-use token valid 30 minutes is queued.
/// Throttled per client address like sign-in.
#[utoipa::path(operation_id = "request_password_reset", tag = "accounts",
    request_body = ResetRequestInput, responses(
    (status = 202, description = "Accepted (the same for every address).", body = ResetRequested),
    oa::BadRequest, oa::JsonBody, oa::ValidationFailed, oa::TooManyRequests))]
#[post("/auth/password-reset")]
#[tracing::instrument(skip(state, req, body))]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::extract::Json<ResetRequestInput>,
) -> Result<HttpResponse, ApiError> {
    state.throttle.check_ip(client_ip(&state, &req))?;
    let (input, now, url) = (body.into_inner(), state.clock.now(), state.public_url.clone());
    let answer = db::run(&state.pool, move |conn| reset::request(conn, input, now, &url)).await?;
    Ok(HttpResponse::Accepted().json(answer))
}

/// Set a new password with a reset token.
///
/// 204; the token is used up, every refresh token of the user is revoked and access tokens
/// issued before are refused. 410 `reset_token_invalid` for an unknown, used or expired token.
#[utoipa::path(operation_id = "confirm_password_reset", tag = "accounts",
    request_body = ResetConfirmInput, responses(
    (status = 204, description = "The password is set; sign in with it."),
    (status = 410, description = "`reset_token_invalid`: unknown, used or older than 30 minutes.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::BadRequest, oa::HashingUnavailable, oa::JsonBody, oa::ValidationFailed, oa::TooManyRequests))]
#[post("/auth/password-reset/confirm")]
#[tracing::instrument(skip(state, req, body))]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::extract::Json<ResetConfirmInput>,
) -> Result<HttpResponse, ApiError> {
    state.throttle.check_ip(client_ip(&state, &req))?;
    reset::confirm(&state.pool, &state.hashing, &state.credentials, body.into_inner(), state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign in.
///
/// 200 with an access token and a refresh token. Throttled per
/// client address and per account and address (429 with `Retry-After`); many addresses trying
/// one account are slowed, not refused, so the owner can still sign in.
#[utoipa::path(operation_id = "login", tag = "accounts",
    request_body = LoginInput, responses(
    (status = 200, description = "An access token and a refresh token.", body = Session),
    (status = 401, description = "`invalid_credentials`: wrong e-mail or password.", body = oa::Problem,
        content_type = "application/problem+json",
        headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"techmatch\"`"))),
    oa::BadRequest, oa::HashingUnavailable, oa::JsonBody, oa::TooManyRequests))]
#[post("/auth/login")]
#[tracing::instrument(skip(state, req, body))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::extract::Json<LoginInput>,
) -> Result<web::Json<Session>, ApiError> {
    let LoginInput { email, password } = body.into_inner();
    query_text("email", Some(&email))?;
    query_text("password", Some(&password))?;
    let ip = client_ip(&state, &req);
    state.throttle.check_ip(ip)?;
    let wait = state.throttle.check_login(&email, ip)?;
    if !wait.is_zero() {
        // Guesses spread over many addresses: slowed, never refused.
        actix_web::rt::time::sleep(wait).await;
    }
    let session = service::login(&state.pool, &state.hashing, state.tokens.clone(), email, password, ip).await?;
    Ok(web::Json(session))
}

/// Rotate a refresh token.
///
/// A new token pair; the presented refresh token is used up.
#[utoipa::path(operation_id = "refresh", tag = "accounts",
    request_body = RefreshInput, responses(
    (status = 200, description = "A new token pair.", body = Session),
    (status = 401, description = "`invalid_refresh_token`: unknown, used-up (its family is then revoked), revoked or \
expired.", body = oa::Problem, content_type = "application/problem+json",
        headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"techmatch\"`"))),
    oa::Std, oa::JsonBody))]
#[post("/auth/refresh")]
#[tracing::instrument(skip(state, body))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: crate::extract::Json<RefreshInput>,
) -> Result<web::Json<Session>, ApiError> {
    let tokens = state.tokens.clone();
    let token = body.into_inner().refresh_token;
    Ok(web::Json(db::run(&state.pool, move |conn| service::refresh(conn, &tokens, &token)).await?))
}

/// Sign out.
///
/// 204; the refresh token's family is revoked.
#[utoipa::path(operation_id = "logout", tag = "accounts",
    request_body = RefreshInput, responses(
    (status = 204, description = "Signed out (also for an unknown token)."),
    oa::Std, oa::JsonBody))]
#[post("/auth/logout")]
#[tracing::instrument(skip(state, body))]
pub async fn logout(
    state: web::Data<AppState>,
    body: crate::extract::Json<RefreshInput>,
) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().refresh_token;
    db::run(&state.pool, move |conn| service::logout(conn, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's account.
///
/// The caller and their organisation.
#[utoipa::path(operation_id = "get_me", tag = "accounts",
    security(("bearer" = [])), responses(
    (status = 200, description = "The caller and their organisation.", body = Account),
    oa::Unauthorized, oa::NotFound, oa::ServiceUnavailable))]
#[get("/me")]
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

/// Change the caller's password.
///
/// 204; every refresh token of the user is revoked, and access tokens issued before the change
/// are refused. Throttled per user (429 with `Retry-After`).
#[utoipa::path(operation_id = "change_password", tag = "accounts",
    security(("bearer" = [])),
    request_body = PasswordChangeInput, responses(
    (status = 204, description = "Changed; every refresh token of the user is revoked and access tokens issued \
before the change are refused."),
    oa::BadRequest, oa::HashingUnavailable, oa::JsonBody, oa::Unauthorized, oa::NotFound, oa::ValidationFailed,
    oa::PasswordChangesLimited))]
#[post("/me/password")]
#[tracing::instrument(skip(state, body))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Principal,
    body: crate::extract::Json<PasswordChangeInput>,
) -> Result<HttpResponse, ApiError> {
    let PasswordChangeInput { current_password, new_password } = body.into_inner();
    query_text("current_password", Some(&current_password))?;
    state.throttle.check_password_change(caller.user_id)?;
    service::change_password(
        &state.pool,
        &state.hashing,
        &state.credentials,
        caller.user_id,
        current_password,
        new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

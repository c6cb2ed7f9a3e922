//! `/api/v1/organizations/{id}/invitations`, `/api/v1/invitations/accept` and
//! `/api/v1/organizations/{id}/members[/{user_id}[/deactivate]]`.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::{AcceptInput, InvitationCreated, InvitationInput, InvitationView, Member, RoleInput};
use super::service;
use crate::accounts::model::Account;
use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;

/// Invite a colleague (the organisation's owners).
///
/// 201 with the invitation, valid for `TECHMATCH_INVITATION_TTL_HOURS` (7 days by default). Its
/// token is mailed to the address (with a link) in the same transaction and stored as its digest
/// only, never answered: only the address's owner accepts it (`POST /api/v1/invitations/accept`),
/// so an accepted invitation proves the address. The same answer when the address has an account
/// (its mail then says so instead of carrying a token).
#[utoipa::path(operation_id = "invite_member", tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id.")),
    request_body = InvitationInput, responses(
    (status = 201, description = "The invitation (its token is mailed to the address, never answered).",
        body = InvitationCreated),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/organizations/{id}/invitations")]
#[tracing::instrument(skip(state, body))]
pub async fn invite(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<InvitationInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, ttl, url) = (id.into_inner(), body.into_inner(), state.invitation_ttl, state.public_url.clone());
    let created = db::run(&state.pool, move |conn| service::invite(conn, &caller, id, input, ttl, &url)).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Accept an invitation.
///
/// Registers a new account with the invitation's e-mail in its organisation (then sign in):
/// role `broker` in a service agency, `member` otherwise, with the invitation's organisation
/// role. Throttled per client address like registration.
#[utoipa::path(operation_id = "accept_invitation", tag = "members",
    request_body = AcceptInput, responses(
    (status = 201, description = "The new user and their organisation.", body = Account),
    (status = 404, description = "`not_found`: no invitation has this token.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 409, description = "`invitation_used` (already accepted) or `email_taken` (the e-mail has an account \
since).", body = oa::Problem, content_type = "application/problem+json"),
    (status = 410, description = "`invitation_expired` or `invitation_revoked`: ask the owner for a new invitation.",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::BadRequest, oa::HashingUnavailable, oa::JsonBody, oa::ValidationFailed, oa::TooManyRequests))]
#[post("/invitations/accept")]
#[tracing::instrument(skip(state, req, body))]
pub async fn accept(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::extract::Json<AcceptInput>,
) -> Result<HttpResponse, ApiError> {
    let client = state.trusted_proxies.client_ip(req.peer_addr().map(|a| a.ip()), req.headers());
    state.throttle.check_ip(client)?;
    let account = service::accept(&state.pool, &state.hashing, body.into_inner(), client).await?;
    tracing::info!(user_id = %account.user.id, organization_id = %account.organization.id, "invitation accepted");
    Ok(HttpResponse::Created().json(account))
}

/// List an organisation's invitations (its owners).
///
/// Newest first, each with its `status` (`pending`, `accepted`, `expired`, `revoked`); never the
/// token.
#[utoipa::path(operation_id = "list_invitations", tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id."), MemberListParams), responses(
    (status = 200, description = "A page of invitations, newest first.", body = Page<InvitationView>),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[get("/organizations/{id}/invitations")]
#[tracing::instrument(skip(state))]
pub async fn invitations(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<MemberListParams>,
) -> Result<web::Json<Page<InvitationView>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let id = id.into_inner();
    let (items, total) = db::run(&state.pool, move |conn| service::invitations(conn, &caller, id, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Revoke a pending invitation (the organisation's owners).
///
/// It can no longer be accepted (410 `invitation_revoked`). Revoking a revoked or expired one
/// answers it unchanged.
#[utoipa::path(operation_id = "revoke_invitation", tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id."),
        ("invitation_id" = Uuid, Path, description = "Invitation id.")),
    responses(
    (status = 200, description = "The invitation, revoked.", body = InvitationView),
    (status = 409, description = "`invitation_used`: it has been accepted (deactivate the member instead).",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[post("/organizations/{id}/invitations/{invitation_id}/revoke")]
#[tracing::instrument(skip(state))]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<InvitationView>, ApiError> {
    let (id, invitation_id) = path.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| service::revoke(conn, &caller, id, invitation_id)).await?))
}

/// Query of `GET /api/v1/organizations/{id}/members` and `/invitations`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberListParams {
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// List an organisation's members (its members and admins).
///
/// Oldest first, deactivated members included (with `deactivated_at`).
#[utoipa::path(operation_id = "list_members", tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id."), MemberListParams), responses(
    (status = 200, description = "A page of members, oldest first.", body = Page<Member>),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[get("/organizations/{id}/members")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<MemberListParams>,
) -> Result<web::Json<Page<Member>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let id = id.into_inner();
    let (items, total) = db::run(&state.pool, move |conn| service::list(conn, &caller, id, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Change a member's organisation role (the organisation's owners).
///
/// `owner` or `member`; the last active owner cannot be demoted (409 `last_owner`).
#[utoipa::path(operation_id = "change_member_role", tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id."), ("user_id" = Uuid, Path, description = "Member id.")),
    request_body = RoleInput, responses(
    (status = 200, description = "The member with their new organisation role.", body = Member),
    (status = 409, description = "`last_owner` (the organisation would have no active owner) or `conflict` (the \
member is deactivated).", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[patch("/organizations/{id}/members/{user_id}")]
#[tracing::instrument(skip(state, body))]
pub async fn change_role(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<RoleInput>,
) -> Result<web::Json<Member>, ApiError> {
    let ((id, user_id), input) = (path.into_inner(), body.into_inner());
    Ok(web::Json(db::run(&state.pool, move |conn| service::change_role(conn, &caller, id, user_id, input)).await?))
}

/// Deactivate a member, or leave (the organisation's owners; anyone for themselves).
///
/// The member can no longer sign in or refresh, and their access tokens are refused (at once on
/// this instance, within `TECHMATCH_AUTH_CACHE_TTL_MS` on others). The last active owner cannot
/// be deactivated or leave (409 `last_owner`).
#[utoipa::path(operation_id = "deactivate_member", tag = "members",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id."), ("user_id" = Uuid, Path, description = "Member id.")),
    responses(
    (status = 200, description = "The member, deactivated.", body = Member),
    (status = 409, description = "`last_owner`: the organisation would have no active owner.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[post("/organizations/{id}/members/{user_id}/deactivate")]
#[tracing::instrument(skip(state))]
pub async fn deactivate(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<Member>, ApiError> {
    let (id, user_id) = path.into_inner();
    let member = db::run(&state.pool, move |conn| service::deactivate(conn, &caller, id, user_id)).await?;
    state.credentials.forget(user_id);
    Ok(web::Json(member))
}

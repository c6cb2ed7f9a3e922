//! `/api/v1/organizations`: create, get, list.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::{Organization, OrganizationInput, VerificationInput};
use super::{repo, search, service};
use crate::auth::{policy, Principal};
use crate::db;
use crate::error::ApiError;
use crate::found::FoundPage;
use crate::listing::filter::checked_q;
use crate::pagination::PageRequest;
use crate::spec as oa;
use crate::state::AppState;
use crate::vocab::OrganizationKind;

/// Create an organisation (admins).
///
/// 201 with the organisation. Everyone else gets an
/// organisation by registering (`POST /api/v1/auth/register`).
#[utoipa::path(operation_id = "create_organization", tag = "organizations",
    security(("bearer" = [])),
    request_body = OrganizationInput, responses(
    (status = 201, description = "The organisation.", body = Organization,
        headers(("Location" = String, description = "`/api/v1/organizations/{id}`"))),
    (status = 409, description = "`organization_exists` (a name with the same identity key, of any kind) or \
`credit_code_taken`.",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::ValidationFailed))]
#[post("/organizations")]
#[tracing::instrument(skip(state, body))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: web::Json<OrganizationInput>,
) -> Result<HttpResponse, ApiError> {
    policy::require_admin(&caller)?;
    let new = body.into_inner().parse("")?;
    let org = db::run(&state.pool, move |conn| repo::insert(conn, &new)).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/organizations/{}", org.id))).json(org))
}

/// Get an organisation.
#[utoipa::path(operation_id = "get_organization", tag = "organizations",
    params(("id" = Uuid, Path, description = "Organisation id.")), responses(
    (status = 200, description = "The organisation.", body = Organization),
    oa::Std, oa::NotFound))]
#[get("/organizations/{id}")]
#[tracing::instrument(skip(state))]
pub async fn get(state: web::Data<AppState>, id: web::Path<Uuid>) -> Result<web::Json<Organization>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| repo::get(conn, id)).await?))
}

/// Query of `GET /api/v1/organizations`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Free text, at most 200 characters, searched in the name and region through the matching
    /// engine's analysis; results by relevance with `matched_terms`.
    #[param(pattern = "^[^\\x00]*$", max_length = 200)]
    pub q: Option<String>,
    /// The organisations' kind.
    pub kind: Option<OrganizationKind>,
    /// `true`: verified organisations only.
    pub verified: Option<bool>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// List organisations.
#[utoipa::path(operation_id = "list_organizations", tag = "organizations",
    params(ListParams), responses(
    (status = 200, description = "A page of organisations, by name (with `q`: by relevance).",
        body = FoundPage<Organization>),
    oa::Std))]
#[get("/organizations")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
) -> Result<web::Json<FoundPage<Organization>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let q = checked_q(params.q.as_ref())?;
    let verified_only = params.verified == Some(true);
    Ok(web::Json(search::list(&state, q, params.kind, verified_only, page).await?))
}

/// Verify an organisation (admins).
///
/// Sets `verification`. `rejected` takes the organisation's published supplies and open or closed
/// demands off the market (they become drafts, out of matching); setting it back republishes
/// nothing — the owner does, once allowed again.
#[utoipa::path(operation_id = "verify_organization",
    tag = "organizations",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Organisation id.")),
    request_body = VerificationInput, responses(
    (status = 200, description = "The organisation with its new verification.", body = Organization),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[post("/organizations/{id}/verification")]
#[tracing::instrument(skip(state, body))]
pub async fn verify(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: web::Json<VerificationInput>,
) -> Result<web::Json<Organization>, ApiError> {
    policy::require_admin(&caller)?;
    let (id, verification) = (id.into_inner(), body.verification);
    let changed = db::run(&state.pool, move |conn| service::set_verification(conn, &caller, id, verification)).await?;
    changed.supplies.iter().for_each(|s| state.matcher.index(s));
    changed.demands.iter().for_each(|d| state.matcher.index(d));
    Ok(web::Json(changed.organization))
}

//! `/api/v1/organizations`: create, get, list, look up by ids.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::batch::{self, OrganizationBatch};
use super::model::{Organization, OrganizationInput, VerificationInput};
use super::repo::OrgFilter;
use super::{repo, search, service};
use crate::auth::{policy, Principal};
use crate::db;
use crate::error::ApiError;
use crate::etag::json_etag;
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
    body: crate::extract::Json<OrganizationInput>,
) -> Result<HttpResponse, ApiError> {
    policy::require_admin(&caller)?;
    let new = body.into_inner().parse("")?;
    let org = db::run(&state.pool, move |conn| repo::insert(conn, &new)).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/organizations/{}", org.id))).json(org))
}

/// Get an organisation.
///
/// With an `ETag` (a hash of the body); `If-None-Match` naming it answers 304.
#[utoipa::path(operation_id = "get_organization", tag = "organizations",
    params(("id" = Uuid, Path, description = "Organisation id.")), responses(
    (status = 200, description = "The organisation.", body = Organization,
        headers(("ETag" = String, description = "Changes whenever the organisation does."))),
    (status = 304, description = "`If-None-Match` names the current `ETag`: nothing changed since.",
        headers(("ETag" = String, description = "The current ETag."))),
    oa::Std, oa::NotFound))]
#[get("/organizations/{id}")]
#[tracing::instrument(skip(state, req))]
pub async fn get(state: web::Data<AppState>, req: HttpRequest, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let organization = db::run(&state.pool, move |conn| repo::get(conn, id)).await?;
    json_etag(&req, &organization, None)
}

/// Query of `GET /api/v1/organizations/batch`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BatchParams {
    /// 1–100 organisation ids, comma-separated.
    #[param(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\
(,[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}){0,99}$",
        example = "5f0c6a1e-8d1b-4d6e-9a43-1d2a7f1b9c01,7b9e2f4a-3c5d-4e6f-8a9b-0c1d2e3f4a5b"
    )]
    pub ids: String,
}

/// Look up organisations by id.
///
/// The summaries (id, name, kind, verified, region) of up to 100 organisations in one call, in
/// the order asked, duplicates once; ids that name no organisation are listed in `missing`.
/// 400 `invalid_query` when an id is not a UUID, none is given or more than 100 are.
#[utoipa::path(operation_id = "batch_get_organizations", tag = "organizations",
    params(BatchParams), responses(
    (status = 200, description = "The organisations found and the ids not found.", body = OrganizationBatch),
    oa::Std))]
#[get("/organizations/batch")]
#[tracing::instrument(skip(state))]
pub async fn lookup(
    state: web::Data<AppState>,
    params: crate::extract::Query<BatchParams>,
) -> Result<web::Json<OrganizationBatch>, ApiError> {
    let ids = batch::parse_ids(&params.ids)?;
    Ok(web::Json(db::run(&state.pool, move |conn| batch::lookup(conn, ids)).await?))
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
    /// A region by code, name or alias (`640000`, `宁夏`, `银川市`): organisations in it or any of
    /// its sub-regions (by `region_code`); 400 `invalid_query` when it is not a region of
    /// `GET /regions`.
    #[param(pattern = "^[^\\x00]*$", max_length = 100)]
    pub region: Option<String>,
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
    params: crate::extract::Query<ListParams>,
) -> Result<web::Json<FoundPage<Organization>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let q = checked_q(params.q.as_ref())?;
    crate::validation::query_text("region", params.region.as_deref())?;
    let filter = OrgFilter {
        kind: params.kind,
        verified_only: params.verified == Some(true),
        region_prefix: crate::listing::filter::region_prefix(params.region.as_deref())?,
    };
    Ok(web::Json(search::list(&state, q, filter, page).await?))
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
    body: crate::extract::Json<VerificationInput>,
) -> Result<web::Json<Organization>, ApiError> {
    policy::require_admin(&caller)?;
    let (id, verification) = (id.into_inner(), body.verification);
    let changed = db::run(&state.pool, move |conn| service::set_verification(conn, &caller, id, verification)).await?;
    changed.supplies.iter().for_each(|s| state.matcher.index(s));
    changed.demands.iter().for_each(|d| state.matcher.index(d));
    Ok(web::Json(changed.organization))
}

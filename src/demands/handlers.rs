//! `/api/v1/demands`: create, get, list, update (If-Match), withdraw. Access rules come from
//! [`crate::auth::policy`].

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::input::{DemandInput, DemandListParams, DemandPatch};
use super::model::Demand;
use super::repo;
use crate::auth::{policy, MaybePrincipal, Principal};
use crate::db;
use crate::error::ApiError;
use crate::etag::expected_version;
use crate::listing;
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;

/// Post a demand.
///
/// 201 with the demand, `Location` and `ETag`; owned by the caller's organisation.
#[utoipa::path(operation_id = "create_demand", tag = "demands",
    security(("bearer" = [])), request_body = DemandInput,
    responses(
    (status = 201, description = "The new demand, owned by the caller's organisation.", body = Demand,
        headers(("Location" = String, description = "`/api/v1/demands/{id}`"),
            ("ETag" = String, description = "The version, e.g. `\"1\"`."))),
    (status = 409, description = "`conflict`: a demand with the same `source_url` and title exists.",
        body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::ValidationFailed))]
#[post("/demands")]
#[tracing::instrument(skip(state, body))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: web::Json<DemandInput>,
) -> Result<HttpResponse, ApiError> {
    policy::require_demand_publisher(&caller)?;
    let new = body.into_inner().parse(caller.organization_id, state.taxonomy)?;
    listing::http::create::<Demand>(&state, &caller, new).await
}

/// Get a demand.
///
/// With its `ETag`; 404 for another organisation's private demand.
#[utoipa::path(operation_id = "get_demand", tag = "demands",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Demand id.")), responses(
    (status = 200, description = "The demand.", body = Demand,
        headers(("ETag" = String, description = "The version, e.g. `\"3\"`; send it back as `If-Match`."))),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/demands/{id}")]
#[tracing::instrument(skip(state))]
pub async fn get(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    listing::http::get::<Demand>(&state, caller.0.as_ref(), id.into_inner()).await
}

/// List demands.
#[utoipa::path(operation_id = "list_demands", tag = "demands",
    security((), ("bearer" = [])),
    params(DemandListParams), responses(
    (status = 200, description = "A page of demands, newest first.", body = Page<Demand>),
    oa::Std, oa::Unauthorized))]
#[get("/demands")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    params: web::Query<DemandListParams>,
) -> Result<web::Json<Page<Demand>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let filter = params.filter(caller.0.as_ref(), state.taxonomy)?;
    let (items, total) = db::run(&state.pool, move |conn| repo::list(conn, &filter, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Update a demand.
///
/// With `If-Match: "<version>"`; 412 when stale, 428 without it.
#[utoipa::path(operation_id = "update_demand", tag = "demands",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Demand id."), ("If-Match" = String, Header, pattern = "^\"[1-9][0-9]{0,8}\"$",
        description = "The `ETag` of the version being edited, e.g. `\"3\"`.")),
    request_body = DemandPatch, responses(
    (status = 200, description = "The changed demand.", body = Demand,
        headers(("ETag" = String, description = "The version, e.g. `\"3\"`; send it back as `If-Match`."))),
    (status = 409, description = "`withdrawn`: the demand is off the market and cannot change; `conflict`: another \
demand has the same `source_url` and title.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 412, description = "`version_mismatch`: `If-Match` is stale; nothing changed.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 428, description = "`if_match_required`: send `If-Match`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[patch("/demands/{id}")]
#[tracing::instrument(skip(state, req, body))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<DemandPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let version = expected_version(&req)?;
    let changes = body.into_inner().parse(state.taxonomy)?;
    listing::http::update::<Demand>(&state, caller, id, version, changes).await
}

/// Withdraw a demand.
///
/// The enterprise takes its need back (idempotent).
#[utoipa::path(operation_id = "withdraw_demand", tag = "demands",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Demand id.")), responses(
    (status = 200, description = "The withdrawn demand (unchanged when it already was).", body = Demand,
        headers(("ETag" = String, description = "The new version."))),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[post("/demands/{id}/withdraw")]
#[tracing::instrument(skip(state))]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    listing::http::take_off_market::<Demand>(&state, caller, id.into_inner()).await
}

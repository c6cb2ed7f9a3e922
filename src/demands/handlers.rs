//! `/api/v1/demands`: create, get, list, update (If-Match), withdraw. Access rules come from
//! [`crate::auth::policy`].

use actix_web::{web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::input::{DemandInput, DemandListParams, DemandPatch};
use super::model::Demand;
use super::repo;
use crate::app::AppState;
use crate::auth::{policy, MaybePrincipal, Principal};
use crate::db;
use crate::error::ApiError;
use crate::etag::expected_version;
use crate::listing;
use crate::openapi as oa;
use crate::pagination::{Page, PageRequest};

/// Post a demand.
///
/// `POST /api/v1/demands` → 201 with the demand, `Location` and `ETag`; owned by the caller's organisation.
#[utoipa::path(post, operation_id = "create_demand",
    path = "/api/v1/demands", tag = "demands",
    security(("bearer" = [])), request_body = DemandInput,
    responses(
    (status = 201, description = "The new demand, owned by the caller's organisation.", body = Demand,
        headers(("Location" = String, description = "`/api/v1/demands/{id}`"),
            ("ETag" = String, description = "The version, e.g. `\"1\"`."))),
    (status = 400, response = oa::BadRequest),
    (status = 413, response = oa::PayloadTooLarge),
    (status = 415, response = oa::UnsupportedMediaType),
    (status = 401, response = oa::Unauthorized),
    (status = 403, response = oa::Forbidden),
    (status = 409, description = "`conflict`: a demand with the same `source_url` and title exists.",
        body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 422, response = oa::ValidationFailed),
    (status = 503, response = oa::ServiceUnavailable)))]
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
/// `GET /api/v1/demands/{id}` with its `ETag`; 404 for another organisation's private demand.
#[utoipa::path(get, operation_id = "get_demand",
    path = "/api/v1/demands/{id}", tag = "demands",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Demand id.")), responses(
    (status = 200, description = "The demand.", body = Demand,
        headers(("ETag" = String, description = "The version, e.g. `\"3\"`; send it back as `If-Match`."))),
    (status = 400, response = oa::BadRequest),
    (status = 401, response = oa::Unauthorized),
    (status = 404, response = oa::NotFound),
    (status = 503, response = oa::ServiceUnavailable)))]
#[tracing::instrument(skip(state))]
pub async fn get(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    listing::http::get::<Demand>(&state, caller.0.as_ref(), id.into_inner()).await
}

/// List demands.
///
/// `GET /api/v1/demands?industry=&keyword=&q=&status=&organization_id=&region=&page=&per_page=`.
#[utoipa::path(get, operation_id = "list_demands", path = "/api/v1/demands", tag = "demands",
    security((), ("bearer" = [])),
    params(DemandListParams), responses(
    (status = 200, description = "A page of demands, newest first.", body = Page<Demand>),
    (status = 400, response = oa::BadRequest),
    (status = 401, response = oa::Unauthorized),
    (status = 503, response = oa::ServiceUnavailable)))]
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
/// `PATCH /api/v1/demands/{id}` with `If-Match: "<version>"`; 412 when stale, 428 without it.
#[utoipa::path(patch, operation_id = "update_demand",
    path = "/api/v1/demands/{id}", tag = "demands",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Demand id."), ("If-Match" = String, Header, pattern = "^\"[1-9][0-9]{0,8}\"$",
        description = "The `ETag` of the version being edited, e.g. `\"3\"`.")),
    request_body = DemandPatch, responses(
    (status = 200, description = "The changed demand.", body = Demand,
        headers(("ETag" = String, description = "The version, e.g. `\"3\"`; send it back as `If-Match`."))),
    (status = 400, response = oa::BadRequest),
    (status = 413, response = oa::PayloadTooLarge),
    (status = 415, response = oa::UnsupportedMediaType),
    (status = 401, response = oa::Unauthorized),
    (status = 403, response = oa::Forbidden),
    (status = 404, response = oa::NotFound),
    (status = 409, description = "`withdrawn`: the demand is off the market and cannot change; `conflict`: another \
demand has the same `source_url` and title.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 412, description = "`version_mismatch`: `If-Match` is stale; nothing changed.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 422, response = oa::ValidationFailed),
    (status = 428, description = "`if_match_required`: send `If-Match`.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 503, response = oa::ServiceUnavailable)))]
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
/// `POST /api/v1/demands/{id}/withdraw`: the enterprise takes its need back (idempotent).
#[utoipa::path(post, operation_id = "withdraw_demand",
    path = "/api/v1/demands/{id}/withdraw", tag = "demands",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Demand id.")), responses(
    (status = 200, description = "The withdrawn demand (unchanged when it already was).", body = Demand,
        headers(("ETag" = String, description = "The new version."))),
    (status = 400, response = oa::BadRequest),
    (status = 401, response = oa::Unauthorized),
    (status = 403, response = oa::Forbidden),
    (status = 404, response = oa::NotFound),
    (status = 503, response = oa::ServiceUnavailable)))]
#[tracing::instrument(skip(state))]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    listing::http::take_off_market::<Demand>(&state, caller, id.into_inner()).await
}

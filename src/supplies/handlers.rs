//! `/api/v1/supplies`: create, get, list, update (If-Match), archive. Access rules come from
//! [`crate::auth::policy`].

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::input::{SupplyInput, SupplyListParams, SupplyPatch};
use super::model::Supply;
use super::repo;
use crate::auth::{policy, MaybePrincipal, Principal};
use crate::db;
use crate::error::ApiError;
use crate::etag::expected_version;
use crate::listing;
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;

/// Publish a supply.
///
/// 201 with the supply, `Location` and `ETag`; owned by the caller's organisation.
#[utoipa::path(operation_id = "create_supply", tag = "supplies",
    security(("bearer" = [])), request_body = SupplyInput,
    responses(
    (status = 201, description = "The new supply, owned by the caller's organisation.", body = Supply,
        headers(("Location" = String, description = "`/api/v1/supplies/{id}`"),
            ("ETag" = String, description = "The version, e.g. `\"1\"`."))),
    (status = 409, description = "`conflict`: a supply with the same `source_url` and title exists.",
        body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::ValidationFailed))]
#[post("/supplies")]
#[tracing::instrument(skip(state, body))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: web::Json<SupplyInput>,
) -> Result<HttpResponse, ApiError> {
    policy::require_supply_publisher(&caller)?;
    let new = body.into_inner().parse(caller.organization_id, state.taxonomy)?;
    listing::http::create::<Supply>(&state, &caller, new).await
}

/// Get a supply.
///
/// With its `ETag`; 404 for another organisation's private supply.
#[utoipa::path(operation_id = "get_supply", tag = "supplies",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supply id.")), responses(
    (status = 200, description = "The supply.", body = Supply,
        headers(("ETag" = String, description = "The version, e.g. `\"3\"`; send it back as `If-Match`."))),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/supplies/{id}")]
#[tracing::instrument(skip(state))]
pub async fn get(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    listing::http::get::<Supply>(&state, caller.0.as_ref(), id.into_inner()).await
}

/// List supplies.
#[utoipa::path(operation_id = "list_supplies", tag = "supplies",
    security((), ("bearer" = [])),
    params(SupplyListParams), responses(
    (status = 200, description = "A page of supplies, newest first.", body = Page<Supply>),
    oa::Std, oa::Unauthorized))]
#[get("/supplies")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    params: web::Query<SupplyListParams>,
) -> Result<web::Json<Page<Supply>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let filter = params.filter(caller.0.as_ref(), state.taxonomy)?;
    let (items, total) = db::run(&state.pool, move |conn| repo::list(conn, &filter, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Update a supply.
///
/// With `If-Match: "<version>"`; 412 when stale, 428 without it.
#[utoipa::path(operation_id = "update_supply", tag = "supplies",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supply id."), ("If-Match" = String, Header, pattern = "^\"[1-9][0-9]{0,8}\"$",
        description = "The `ETag` of the version being edited, e.g. `\"3\"`.")),
    request_body = SupplyPatch, responses(
    (status = 200, description = "The changed supply.", body = Supply,
        headers(("ETag" = String, description = "The version, e.g. `\"3\"`; send it back as `If-Match`."))),
    (status = 409, description = "`archived`: the supply is off the market and cannot change; `conflict`: another \
supply has the same `source_url` and title.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 412, description = "`version_mismatch`: `If-Match` is stale; nothing changed.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 428, description = "`if_match_required`: send `If-Match`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[patch("/supplies/{id}")]
#[tracing::instrument(skip(state, req, body))]
pub async fn update(
    state: web::Data<AppState>,
    caller: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Json<SupplyPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let version = expected_version(&req)?;
    let changes = body.into_inner().parse(state.taxonomy)?;
    listing::http::update::<Supply>(&state, caller, id, version, changes).await
}

/// Archive a supply.
///
/// Takes the supply off the market (idempotent).
#[utoipa::path(operation_id = "archive_supply", tag = "supplies",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supply id.")), responses(
    (status = 200, description = "The archived supply (unchanged when it already was).", body = Supply,
        headers(("ETag" = String, description = "The new version."))),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[post("/supplies/{id}/archive")]
#[tracing::instrument(skip(state))]
pub async fn archive(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    listing::http::take_off_market::<Supply>(&state, caller, id.into_inner()).await
}

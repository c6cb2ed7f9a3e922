//! `/api/v1/subscriptions[/{id}]` (a user's saved searches) and
//! `/api/v1/supplies/{id}/match-notifications`, `/api/v1/demands/{id}/match-notifications` (whether
//! a listing's organisation hears of new matches for it).

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::{MatchNotifications, Subscription, SubscriptionInput};
use super::repo;
use crate::auth::Principal;
use crate::db;
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::listing::{what, ListingStore};
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;
use crate::supplies::model::Supply;

/// Save a search.
///
/// New listings of `target` that come on the market (published, approved, renewed) and match it
/// at `min_score` or more are notified to the caller (`new_match`), once per listing. Listings
/// of the caller's own organisation are never notified. At most 100 per user.
#[utoipa::path(operation_id = "create_subscription", tag = "subscriptions",
    security(("bearer" = [])), request_body = SubscriptionInput, responses(
    (status = 201, description = "The subscription.", body = Subscription),
    (status = 409, description = "`conflict`: the user keeps 100 subscriptions already.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::ValidationFailed))]
#[post("/subscriptions")]
#[tracing::instrument(skip(state, body))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: crate::extract::Json<SubscriptionInput>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner().parse(state.taxonomy)?;
    let now = state.clock.now();
    let created =
        db::run(&state.pool, move |conn| repo::insert(conn, caller.user_id, caller.organization_id, &new, now)).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Query of `GET /api/v1/subscriptions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubscriptionListParams {
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// List the caller's subscriptions, newest first.
#[utoipa::path(operation_id = "list_subscriptions", tag = "subscriptions",
    security(("bearer" = [])), params(SubscriptionListParams), responses(
    (status = 200, description = "A page of the caller's subscriptions.", body = Page<Subscription>),
    oa::Std, oa::Unauthorized))]
#[get("/subscriptions")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<SubscriptionListParams>,
) -> Result<web::Json<Page<Subscription>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let (items, total) =
        db::run(&state.pool, move |conn| repo::list(conn, caller.user_id, page.offset(), page.limit())).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Read one of the caller's subscriptions (another user's is 404).
#[utoipa::path(operation_id = "get_subscription", tag = "subscriptions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Subscription id.")), responses(
    (status = 200, description = "The subscription.", body = Subscription),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/subscriptions/{id}")]
#[tracing::instrument(skip(state))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Subscription>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| repo::get(conn, caller.user_id, id)).await?))
}

/// Replace one of the caller's subscriptions (another user's is 404).
///
/// The whole search is replaced; `version` grows by one. Listings already notified for it are
/// not notified again.
#[utoipa::path(operation_id = "replace_subscription", tag = "subscriptions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Subscription id.")),
    request_body = SubscriptionInput, responses(
    (status = 200, description = "The subscription as replaced.", body = Subscription),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound, oa::ValidationFailed))]
#[put("/subscriptions/{id}")]
#[tracing::instrument(skip(state, body))]
pub async fn replace(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<SubscriptionInput>,
) -> Result<web::Json<Subscription>, ApiError> {
    let new = body.into_inner().parse(state.taxonomy)?;
    let (id, now) = (id.into_inner(), state.clock.now());
    Ok(web::Json(db::run(&state.pool, move |conn| repo::replace(conn, caller.user_id, id, &new, now)).await?))
}

/// Delete one of the caller's subscriptions (another user's is 404).
#[utoipa::path(operation_id = "delete_subscription", tag = "subscriptions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Subscription id.")), responses(
    (status = 204, description = "Deleted; no more notifications come from it."),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[delete("/subscriptions/{id}")]
#[tracing::instrument(skip(state))]
pub async fn remove(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| repo::delete(conn, caller.user_id, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The listing `id` of kind `L` if the caller's organisation owns it (or the caller is an
/// admin); 404 otherwise.
fn owned<L: ListingStore>(conn: &mut diesel::PgConnection, caller: &Principal, id: Uuid) -> Result<L, ApiError> {
    let listing = L::get(conn, id)?;
    if listing.organization_id() != caller.organization_id && !caller.is_admin() {
        return Err(ApiError::NotFound(what::<L>(id)()));
    }
    Ok(listing)
}

async fn read_setting<L: ListingStore>(
    state: &AppState,
    caller: Principal,
    id: Uuid,
) -> Result<MatchNotifications, ApiError> {
    db::run(&state.pool, move |conn| {
        owned::<L>(conn, &caller, id)?;
        Ok(MatchNotifications { notify_matches: repo::notifies(conn, id)? })
    })
    .await
}

async fn write_setting<L: ListingStore>(
    state: &AppState,
    caller: Principal,
    id: Uuid,
    body: MatchNotifications,
) -> Result<MatchNotifications, ApiError> {
    let now = state.clock.now();
    db::run(&state.pool, move |conn| {
        let listing = owned::<L>(conn, &caller, id)?;
        repo::set_notify(conn, L::KIND.kind, id, listing.organization_id(), body.notify_matches, now)?;
        Ok(body)
    })
    .await
}

/// Whether a supply's organisation hears of new matching demands (its organisation, admins).
#[utoipa::path(operation_id = "get_supply_match_notifications", tag = "subscriptions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Supply id.")), responses(
    (status = 200, description = "The setting.", body = MatchNotifications),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/supplies/{id}/match-notifications")]
#[tracing::instrument(skip(state))]
pub async fn supply_setting(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<MatchNotifications>, ApiError> {
    Ok(web::Json(read_setting::<Supply>(&state, caller, id.into_inner()).await?))
}

/// Turn a supply's new-match notifications on or off (its organisation, admins).
///
/// Each open listing acts as a subscription of its organisation: a new demand that matches it
/// is notified (`new_match`) unless this is off.
#[utoipa::path(operation_id = "set_supply_match_notifications", tag = "subscriptions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Supply id.")),
    request_body = MatchNotifications, responses(
    (status = 200, description = "The setting.", body = MatchNotifications),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound))]
#[put("/supplies/{id}/match-notifications")]
#[tracing::instrument(skip(state, body))]
pub async fn set_supply_setting(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<MatchNotifications>,
) -> Result<web::Json<MatchNotifications>, ApiError> {
    Ok(web::Json(write_setting::<Supply>(&state, caller, id.into_inner(), body.into_inner()).await?))
}

/// Whether a demand's organisation hears of new matching supplies (its organisation, admins).
#[utoipa::path(operation_id = "get_demand_match_notifications", tag = "subscriptions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Demand id.")), responses(
    (status = 200, description = "The setting.", body = MatchNotifications),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/demands/{id}/match-notifications")]
#[tracing::instrument(skip(state))]
pub async fn demand_setting(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<MatchNotifications>, ApiError> {
    Ok(web::Json(read_setting::<Demand>(&state, caller, id.into_inner()).await?))
}

/// Turn a demand's new-match notifications on or off (its organisation, admins).
///
/// Each open listing acts as a subscription of its organisation: a new supply that matches it
/// is notified (`new_match`, "a new supply matches your demand") unless this is off.
#[utoipa::path(operation_id = "set_demand_match_notifications", tag = "subscriptions",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Demand id.")),
    request_body = MatchNotifications, responses(
    (status = 200, description = "The setting.", body = MatchNotifications),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound))]
#[put("/demands/{id}/match-notifications")]
#[tracing::instrument(skip(state, body))]
pub async fn set_demand_setting(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<MatchNotifications>,
) -> Result<web::Json<MatchNotifications>, ApiError> {
    Ok(web::Json(write_setting::<Demand>(&state, caller, id.into_inner(), body.into_inner()).await?))
}

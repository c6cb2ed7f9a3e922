//! `/api/v1/connections`: open (idempotent with `Idempotency-Key`), get, list, move, export.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use matching::Side;
use uuid::Uuid;

use super::input::{ConnectionExportParams, ConnectionListParams, MoveInput, OpenInput};
use super::model::ConnectionView;
use super::move_schema::MoveBody;
use super::repo::{self, Scope};
use super::{export, idempotency, service};
use crate::auth::{policy, Principal};
use crate::db;
use crate::error::ApiError;
use crate::etag::json_etag;
use crate::matches::documents::{as_query, demand_document};
use crate::pagination::{Page, PageRequest};
use crate::quota;
use crate::spec as oa;
use crate::state::AppState;

fn created(view: &serde_json::Value, status: u16) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED));
    if let Some(id) = view.get("id").and_then(|v| v.as_str()) {
        response.insert_header(("Location", format!("/api/v1/connections/{id}")));
    }
    response.json(view)
}

/// Open a connection.
///
/// 201 with the connection. With `Idempotency-Key`, a retry of
/// the same request returns the first response. Counts against the caller's organisation's
/// `proposals_per_day` quota (429 `quota_exceeded` above it; admins have none).
#[utoipa::path(operation_id = "open_connection", tag = "connections",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$",
        description = "1–200 visible ASCII characters, unique per request of this user: a retry with the same key \
and body returns the first response.")),
    request_body = OpenInput, responses(
    (status = 201, description = "The new connection in status `proposed`, with the match at opening.",
        body = ConnectionView, headers(("Location" = String, description = "`/api/v1/connections/{id}`"))),
    (status = 409, description = "`connection_exists` (the pair has an open connection, named by `existing_id`) or \
`listing_not_available` (the demand is not open or the supply not published).", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 422, description = "`validation_failed` (no such demand or supply, or a bad note) or \
`idempotency_key_reused` (the key was used with another body).", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::TooManyRequests))]
#[post("/connections")]
#[tracing::instrument(skip(state, req, body))]
pub async fn open(
    state: web::Data<AppState>,
    caller: Principal,
    req: HttpRequest,
    body: crate::extract::Json<OpenInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let note = input.note()?;
    let key = idempotency::key(&req)?;
    let hash = idempotency::request_hash(&input);
    let user_id = caller.user_id;
    if let Some(k) = key.clone() {
        if let Some(stored) = db::run(&state.pool, move |conn| idempotency::lookup(conn, user_id, &k)).await? {
            let (status, body) = stored.replay(&hash)?;
            return Ok(created(&body, status));
        }
    }
    let (demand_id, supply_id) = (input.demand_id, input.supply_id);
    let (reader, required) = (caller.clone(), state.lifecycle.require_email_verification);
    let (demand, supply, verification) = db::run(&state.pool, move |conn| {
        let (demand, supply) = service::load_pair(conn, &reader, demand_id, supply_id)?;
        crate::accounts::verification::require_verified_email(conn, &reader, required)?;
        Ok((demand, supply, crate::organizations::repo::verification(conn, reader.organization_id)?))
    })
    .await?;
    service::check_can_open(&caller, &demand, &supply, verification)?;
    let matched = state
        .matcher
        .pair(&as_query(demand_document(&demand), false), Side::Supply, supply.id)
        .map(|m| (m.score, serde_json::to_value(&m.explanation).unwrap_or_default()));
    let opener = caller.clone();
    let (k, h) = (key.clone(), hash.clone());
    let quotas = state.quotas;
    let result = db::run(&state.pool, move |conn| {
        conn.build_transaction().run(|conn| {
            quota::check_proposal(conn, &quotas, &opener)?;
            let connection = service::insert_open(conn, &opener, demand_id, supply_id, note.as_deref(), matched)?;
            let view = service::view(conn, &opener, connection.id)?;
            let body = serde_json::to_value(&view).map_err(|e| ApiError::Internal(e.into()))?;
            if let Some(k) = &k {
                idempotency::store(conn, opener.user_id, k, &h, 201, &body)?;
            }
            Ok(body)
        })
    })
    .await;
    match (result, key) {
        (Ok(body), _) => Ok(created(&body, 201)),
        // A concurrent retry with the same key may have won (and taken the last slot of the
        // quota): answer as it did.
        (Err(e @ (ApiError::ConflictWith { .. } | ApiError::TooManyWith { .. })), Some(k)) => {
            match db::run(&state.pool, move |conn| idempotency::lookup(conn, user_id, &k)).await? {
                Some(stored) => stored.replay(&hash).map(|(status, body)| created(&body, status)),
                None => Err(e),
            }
        }
        (Err(e), _) => Err(e),
    }
}

/// Get a connection.
///
/// With its outcome log; 404 for non-participants.
#[utoipa::path(operation_id = "get_connection", tag = "connections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), responses(
    (status = 200, description = "The connection with its outcome log.", body = ConnectionView,
        headers(("ETag" = String, description = "A hash of the connection as the caller sees it."))),
    (status = 304, description = "`If-None-Match` names the current `ETag`: nothing changed since.",
        headers(("ETag" = String, description = "The current ETag."))),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/connections/{id}")]
#[tracing::instrument(skip(state, req))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = db::run(&state.pool, move |conn| service::view(conn, &caller, id)).await?;
    json_etag(&req, &view, None)
}

/// Move a connection to another status.
///
/// One move; 409 `illegal_transition` with the allowed moves.
#[utoipa::path(operation_id = "move_connection", tag = "connections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), request_body = MoveBody, responses(
    (status = 201, description = "The connection after the move, the new event last in its log. On a broker's \
connection the first side's `contacted` records its acceptance and the connection stays `proposed`; the second \
side's moves it.",
        body = ConnectionView),
    (status = 403, description = "`forbidden`: `proposed` → `contacted` is the other side's acceptance: the side \
that opened the connection cannot make it (on a broker's connection each side accepts for itself, never the \
broker); or the caller's organisation was rejected (only `failed` and `withdrawn` remain).", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 409, description = "`illegal_transition`: the move is not allowed from the current status (or `from` \
is stale); `from`, `to` and `allowed` say why. Nothing changed.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound, oa::ValidationFailed))]
#[post("/connections/{id}/events")]
#[tracing::instrument(skip(state, body))]
pub async fn move_to(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<MoveInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let step = body.into_inner().parse()?;
    let view = db::run(&state.pool, move |conn| service::move_to(conn, &caller, id, &step)).await?;
    Ok(HttpResponse::Created().json(view))
}

fn scope(caller: &Principal) -> Scope {
    if caller.is_admin() {
        Scope::All
    } else {
        Scope::Participant { organization_id: caller.organization_id, user_id: caller.user_id }
    }
}

/// List connections.
///
/// The caller's connections (admins: all).
#[utoipa::path(operation_id = "list_connections", tag = "connections",
    security(("bearer" = [])),
    params(ConnectionListParams), responses(
    (status = 200, description = "A page of the caller's connections (admins: all), newest first.",
        body = Page<ConnectionView>),
    oa::Std, oa::Unauthorized))]
#[get("/connections")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<ConnectionListParams>,
) -> Result<web::Json<Page<ConnectionView>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    params.check(state.taxonomy)?;
    let params = params.into_inner();
    let (items, total) = db::run(&state.pool, move |conn| {
        let (rows, total) = repo::list(conn, scope(&caller), &params, page)?;
        Ok((service::views(conn, &caller, rows)?, total))
    })
    .await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Export connections as CSV (admins).
///
/// Every matching connection as CSV.
#[utoipa::path(operation_id = "export_connections_csv",
    tag = "connections",
    security(("bearer" = [])),
    params(ConnectionExportParams), responses(
    (status = 200, description = "UTF-8 CSV with a header row: id, status, demand and supply (id, title, \
organisation), industries, broker, match score, contract amount in yuan, contract type and registration number, \
failure reason, created and updated times; Chinese column names with `headers=zh`, a UTF-8 byte-order mark with \
`bom=true`. `page` and `per_page` are ignored (at most 100000 rows).",
        content_type = "text/csv", body = String,
        headers(("Content-Disposition" = String, description = "`attachment; filename=\"connections.csv\"`"))),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/connections/export.csv")]
#[tracing::instrument(skip(state))]
pub async fn export_csv(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<ConnectionExportParams>,
) -> Result<HttpResponse, ApiError> {
    policy::require_admin(&caller)?;
    // Not paged, but `page` and `per_page` are checked like on every list (400 when out of range).
    PageRequest::parse(params.page, params.per_page)?;
    let filters = params.filters();
    filters.check(state.taxonomy)?;
    let (headers, bom) = (params.headers.unwrap_or_default(), params.bom.unwrap_or(false));
    let csv = db::run(&state.pool, move |conn| export::csv(conn, &caller, &filters, headers, bom)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", "text/csv; charset=utf-8"))
        .insert_header(("Content-Disposition", "attachment; filename=\"connections.csv\""))
        .body(csv))
}

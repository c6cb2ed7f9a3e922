//! `/api/v1/notifications` (the caller's inbox), `/api/v1/notification-preferences` and
//! `/api/v1/organizations/{id}/webhooks` (an organisation's webhook endpoints and their log).

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::inbox::{self, Marked, NotificationView, UnreadCount};
use super::preferences::{self, Preferences, PreferencesInput};
use super::service;
use super::webhooks::{WebhookDelivery, WebhookEndpoint, WebhookEndpointCreated, WebhookInput, WebhookPatch};
use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::field_error::{FieldCode, FieldError};
use crate::lang::Lang;
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;
use crate::vocab::NotificationKind;

/// The language of a reader: their setting, else the request's `Accept-Language`, else Chinese.
fn accepted(req: &HttpRequest) -> Option<Lang> {
    req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).map(|v| Lang::negotiate(v.to_str().ok()))
}

/// Query of `GET /api/v1/notifications`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// `true`: unread notifications only.
    pub unread: Option<bool>,
    /// Kinds, comma-separated (any of them), e.g. `listing_reviewed,listing_expiring`; empty: all.
    #[param(value_type = Option<String>, example = "listing_reviewed")]
    pub kind: Option<String>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

fn parse_kinds(kind: Option<&str>) -> Result<Vec<NotificationKind>, ApiError> {
    let Some(kind) = kind else { return Ok(Vec::new()) };
    kind.split(',')
        .filter(|k| !k.trim().is_empty())
        .map(|k| {
            NotificationKind::parse(k.trim()).ok_or_else(|| {
                ApiError::bad_query(
                    format!("kind `{k}` is not a notification kind"),
                    FieldError::new("kind", FieldCode::UnknownValue).with("value", k.trim()),
                )
            })
        })
        .collect()
}

/// List the caller's notifications.
///
/// Newest first; `unread=true` for unread ones only, `kind` to filter. Texts are in the caller's
/// language (`PATCH /notification-preferences` `language`, else `Accept-Language`, else Chinese).
#[utoipa::path(operation_id = "list_notifications", tag = "notifications",
    security(("bearer" = [])),
    params(InboxParams), responses(
    (status = 200, description = "A page of notifications, newest first.", body = Page<NotificationView>),
    oa::Std, oa::Unauthorized))]
#[get("/notifications")]
#[tracing::instrument(skip(state, req))]
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Principal,
    params: crate::extract::Query<InboxParams>,
) -> Result<web::Json<Page<NotificationView>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let kinds = parse_kinds(params.kind.as_deref())?;
    let (unread, asked) = (params.unread.unwrap_or(false), accepted(&req));
    let (items, total) = db::run(&state.pool, move |conn| {
        let lang = preferences::language(conn, caller.user_id)?.or(asked).unwrap_or_default();
        inbox::list(conn, caller.user_id, unread, &kinds, page, lang)
    })
    .await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Count the caller's unread notifications.
#[utoipa::path(operation_id = "count_unread_notifications", tag = "notifications",
    security(("bearer" = [])),
    responses(
    (status = 200, description = "How many are unread.", body = UnreadCount),
    oa::Std, oa::Unauthorized))]
#[get("/notifications/unread-count")]
#[tracing::instrument(skip(state))]
pub async fn unread_count(state: web::Data<AppState>, caller: Principal) -> Result<web::Json<UnreadCount>, ApiError> {
    Ok(web::Json(db::run(&state.pool, move |conn| inbox::unread(conn, caller.user_id)).await?))
}

/// Mark one notification read.
///
/// Marking a read one again keeps its first `read_at`. Another user's notification is 404.
#[utoipa::path(operation_id = "mark_notification_read", tag = "notifications",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notification id (in the inbox).", minimum = 1)),
    responses(
    (status = 200, description = "The notification, read.", body = NotificationView),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[post("/notifications/{id}/read")]
#[tracing::instrument(skip(state, req))]
pub async fn mark_read(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<NotificationView>, ApiError> {
    let (id, now, asked) = (id.into_inner(), state.clock.now(), accepted(&req));
    Ok(web::Json(
        db::run(&state.pool, move |conn| {
            let lang = preferences::language(conn, caller.user_id)?.or(asked).unwrap_or_default();
            inbox::mark_read(conn, caller.user_id, id, now, lang)
        })
        .await?,
    ))
}

/// Mark all the caller's notifications read.
#[utoipa::path(operation_id = "mark_all_notifications_read", tag = "notifications",
    security(("bearer" = [])),
    responses(
    (status = 200, description = "How many were marked.", body = Marked),
    oa::Std, oa::Unauthorized))]
#[post("/notifications/read-all")]
#[tracing::instrument(skip(state))]
pub async fn mark_all_read(state: web::Data<AppState>, caller: Principal) -> Result<web::Json<Marked>, ApiError> {
    let now = state.clock.now();
    Ok(web::Json(db::run(&state.pool, move |conn| inbox::mark_all_read(conn, caller.user_id, now)).await?))
}

/// Read the caller's notification settings.
///
/// Every kind with its e-mail frequency (`off`, `instant`, `daily`, `weekly`; the inbox always
/// receives every kind) and the language of notifications.
#[utoipa::path(operation_id = "get_notification_preferences", tag = "notifications",
    security(("bearer" = [])),
    responses(
    (status = 200, description = "The settings.", body = Preferences),
    oa::Std, oa::Unauthorized))]
#[get("/notification-preferences")]
#[tracing::instrument(skip(state))]
pub async fn get_preferences(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<web::Json<Preferences>, ApiError> {
    Ok(web::Json(db::run(&state.pool, move |conn| preferences::get(conn, caller.user_id)).await?))
}

/// Change the caller's notification settings.
///
/// What the body leaves out stays as it is. A kind given twice is 422 naming it.
#[utoipa::path(operation_id = "set_notification_preferences", tag = "notifications",
    security(("bearer" = [])),
    request_body = PreferencesInput, responses(
    (status = 200, description = "The settings after the change.", body = Preferences),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::ValidationFailed))]
#[patch("/notification-preferences")]
#[tracing::instrument(skip(state, body))]
pub async fn set_preferences(
    state: web::Data<AppState>,
    caller: Principal,
    body: crate::extract::Json<PreferencesInput>,
) -> Result<web::Json<Preferences>, ApiError> {
    let input = body.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| preferences::set(conn, caller.user_id, input)).await?))
}

/// Query of the webhook lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WebhookListParams {
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Add a webhook endpoint (the organisation's owners).
///
/// 201 with the endpoint and its signing `secret`, shown only here. Every notification of the
/// organisation (and of its members) is then POSTed to the URL as a `WebhookPayload`, signed in
/// `X-Techmatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>` (reject a
/// `t` more than 300 s from your clock), with `X-Techmatch-Delivery` (the delivery id: the same on
/// every retry, dedupe on it) and `X-Techmatch-Event` (the kind). Answer 2xx within 5 s;
/// redirects are not followed; failures are retried with exponential backoff (30 s doubling, at
/// most 2 h) for 24 hours; after `TECHMATCH_WEBHOOK_MAX_FAILURES` (10) consecutive failed
/// attempts the endpoint is disabled and a `webhook_disabled` notification sent. A URL whose host
/// resolves to a loopback, private or link-local address is 422 naming `url`.
#[utoipa::path(operation_id = "create_webhook", tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id.")),
    request_body = WebhookInput, responses(
    (status = 201, description = "The endpoint with its secret (shown once).", body = WebhookEndpointCreated),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/organizations/{id}/webhooks")]
#[tracing::instrument(skip(state, body))]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<WebhookInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, now, loopback) =
        (id.into_inner(), body.into_inner(), state.clock.now(), state.webhook_allow_loopback);
    let created =
        db::run(&state.pool, move |conn| service::create_webhook(conn, &caller, id, &input.url, loopback, now)).await?;
    Ok(HttpResponse::Created().json(created))
}

/// List an organisation's webhook endpoints (its owners).
#[utoipa::path(operation_id = "list_webhooks", tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id."), WebhookListParams), responses(
    (status = 200, description = "A page of endpoints, oldest first (never the secret).", body = Page<WebhookEndpoint>),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[get("/organizations/{id}/webhooks")]
#[tracing::instrument(skip(state))]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<WebhookListParams>,
) -> Result<web::Json<Page<WebhookEndpoint>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let id = id.into_inner();
    let (items, total) = db::run(&state.pool, move |conn| service::list_webhooks(conn, &caller, id, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Change a webhook endpoint (the organisation's owners).
///
/// `url` (checked as on creation), `enabled` (`true` enables a disabled endpoint again and restarts
/// its failure count).
#[utoipa::path(operation_id = "update_webhook", tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id."), ("webhook_id" = Uuid, Path, description = "Endpoint id.")),
    request_body = WebhookPatch, responses(
    (status = 200, description = "The endpoint.", body = WebhookEndpoint),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[patch("/organizations/{id}/webhooks/{webhook_id}")]
#[tracing::instrument(skip(state, body))]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<WebhookPatch>,
) -> Result<web::Json<WebhookEndpoint>, ApiError> {
    let ((id, webhook_id), input) = (path.into_inner(), body.into_inner());
    let (now, loopback) = (state.clock.now(), state.webhook_allow_loopback);
    Ok(web::Json(
        db::run(&state.pool, move |conn| service::update_webhook(conn, &caller, id, webhook_id, input, loopback, now))
            .await?,
    ))
}

/// Delete a webhook endpoint (the organisation's owners).
///
/// 204; nothing is delivered to it again and its pending deliveries fail. Its log stays readable
/// to admins in the database only.
#[utoipa::path(operation_id = "delete_webhook", tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id."), ("webhook_id" = Uuid, Path, description = "Endpoint id.")),
    responses(
    (status = 204, description = "Deleted."),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[delete("/organizations/{id}/webhooks/{webhook_id}")]
#[tracing::instrument(skip(state))]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let ((id, webhook_id), now) = (path.into_inner(), state.clock.now());
    db::run(&state.pool, move |conn| service::delete_webhook(conn, &caller, id, webhook_id, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Read a webhook endpoint's delivery log (the organisation's owners).
///
/// Its deliveries, newest first, each with `status` (`pending`, `delivered`, `failed`), the
/// next attempt and every attempt (time, HTTP status, error, duration).
#[utoipa::path(operation_id = "list_webhook_deliveries", tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id."), ("webhook_id" = Uuid, Path, description = "Endpoint id."),
        WebhookListParams),
    responses(
    (status = 200, description = "A page of deliveries, newest first.", body = Page<WebhookDelivery>),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[get("/organizations/{id}/webhooks/{webhook_id}/deliveries")]
#[tracing::instrument(skip(state))]
pub async fn webhook_deliveries(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    params: crate::extract::Query<WebhookListParams>,
) -> Result<web::Json<Page<WebhookDelivery>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let (id, webhook_id) = path.into_inner();
    let (items, total) =
        db::run(&state.pool, move |conn| service::webhook_deliveries(conn, &caller, id, webhook_id, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

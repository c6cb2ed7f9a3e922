//! `/api/v1/events…` (对接会 / 路演) and `GET /api/v1/stats/events`.

use actix_web::{get, post, web, HttpResponse};
use chrono::{Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::{
    CheckInInput, CreateEventInput, EventListParams, EventMoveInput, EventRegistrationInput, IntentInput,
    InterestInput, MeetingMoveInput, PageParams, ProposePairsInput, ReportParams, RoadshowInput, ScheduleInput,
};
use super::model::{EventView, MeetingView, PairView, RegistrationView, Roadshow};
use super::report::{EventReport, EventStats};
use super::{intents, lifecycle, pairs, registration, repo, report, schedule};
use crate::auth::{policy, Principal};
use crate::db;
use crate::error::ApiError;
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;

/// Create an event.
///
/// A matchmaking event (对接会) in `draft`, with its venues. Admins, technology-transfer agencies and departments.
#[utoipa::path(operation_id = "create_event", tag = "events", security(("bearer" = [])),
    request_body = CreateEventInput, responses(
    (status = 201, description = "The new event in `draft`.", body = EventView,
        headers(("Location" = String, description = "`/api/v1/events/{id}`"))),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::ValidationFailed))]
#[post("/events")]
#[tracing::instrument(skip(state, body))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: crate::extract::Json<CreateEventInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner().parse(state.taxonomy)?;
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| lifecycle::create(conn, &caller, input, now)).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/events/{}", view.event.id))).json(view))
}

/// List events.
///
/// Events other than drafts, and the caller's organisation's drafts (admins: all), latest start first.
#[utoipa::path(operation_id = "list_events", tag = "events", security(("bearer" = [])),
    params(EventListParams), responses(
    (status = 200, description = "A page of events.", body = Page<EventView>),
    oa::Std, oa::Unauthorized))]
#[get("/events")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<EventListParams>,
) -> Result<web::Json<Page<EventView>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let status = params.status;
    let (items, total) = db::run(&state.pool, move |conn| {
        let (rows, total) = repo::list(conn, caller.is_admin(), caller.organization_id, status, page)?;
        let items = rows.into_iter().map(|e| lifecycle::view(conn, &caller, e)).collect::<Result<Vec<_>, _>>()?;
        Ok((items, total))
    })
    .await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Get an event.
#[utoipa::path(operation_id = "get_event", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id.")), responses(
    (status = 200, description = "The event with its venues.", body = EventView),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/events/{id}")]
#[tracing::instrument(skip(state))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<EventView>, ApiError> {
    let id = id.into_inner();
    let view = db::run(&state.pool, move |conn| {
        let event = lifecycle::visible(conn, &caller, id)?;
        lifecycle::view(conn, &caller, event)
    })
    .await?;
    Ok(web::Json(view))
}

/// Move an event.
///
/// `draft` → `registration_open` → `registration_closed` → `in_progress` → `finished`; `cancelled` before `finished`.
#[utoipa::path(operation_id = "move_event", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id.")), request_body = EventMoveInput, responses(
    (status = 200, description = "The event after the move.", body = EventView),
    (status = 409, description = "`illegal_transition`: not allowed from the current status; `from`, `to` and \
`allowed` say why. Nothing changed.", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[post("/events/{id}/status")]
#[tracing::instrument(skip(state, body))]
pub async fn move_to(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<EventMoveInput>,
) -> Result<web::Json<EventView>, ApiError> {
    let (id, to, now) = (id.into_inner(), body.to, state.clock.now());
    Ok(web::Json(db::run(&state.pool, move |conn| lifecycle::move_to(conn, &caller, id, to, now)).await?))
}

/// Register for an event.
///
/// The caller's organisation registers with the listings it brings (its own, on the market); again adds listings.
#[utoipa::path(operation_id = "register_for_event", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id.")), request_body = EventRegistrationInput, responses(
    (status = 201, description = "The registration (new or with the added listings).", body = RegistrationView),
    (status = 404, description = "`not_found`: no such event, or a listing that is missing or another \
organisation's.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`registration_closed` (not `registration_open` or outside the window) or \
`listing_not_available` (a listing off the market).", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::ValidationFailed))]
#[post("/events/{id}/registrations")]
#[tracing::instrument(skip(state, body))]
pub async fn register(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<EventRegistrationInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, now) = (id.into_inner(), body.into_inner(), state.clock.now());
    let (view, _) = db::run(&state.pool, move |conn| registration::register(conn, &caller, id, &input, now)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// List an event's registrations.
///
/// The organiser and admins see all; others their own organisation's.
#[utoipa::path(operation_id = "list_event_registrations", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id."), PageParams), responses(
    (status = 200, description = "A page of registrations, earliest first.", body = Page<RegistrationView>),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/events/{id}/registrations")]
#[tracing::instrument(skip(state))]
pub async fn registrations(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<PageParams>,
) -> Result<web::Json<Page<RegistrationView>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let id = id.into_inner();
    let (items, total) = db::run(&state.pool, move |conn| registration::list(conn, &caller, id, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Check in an organisation.
///
/// At the event (`in_progress`), by the organiser or an admin; a second check-in keeps the first time.
#[utoipa::path(operation_id = "check_in_event", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id.")), request_body = CheckInInput, responses(
    (status = 200, description = "The registration with `checked_in_at`.", body = RegistrationView),
    (status = 404, description = "`not_found`: no such event, or the organisation did not register.",
        body = oa::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`event_not_active`: the event is not `in_progress`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden))]
#[post("/events/{id}/check-ins")]
#[tracing::instrument(skip(state, body))]
pub async fn check_in(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<CheckInInput>,
) -> Result<web::Json<RegistrationView>, ApiError> {
    let (id, org, now) = (id.into_inner(), body.organization_id, state.clock.now());
    Ok(web::Json(db::run(&state.pool, move |conn| registration::check_in(conn, &caller, id, org, now)).await?))
}

/// How many pairs a proposal added.
#[derive(Debug, Serialize, ToSchema)]
pub struct Proposed {
    /// New pairs (pairs proposed before are kept and not counted).
    pub new_pairs: usize,
}

/// Propose pairs.
///
/// The engine pairs the registered demands with registered supplies of other organisations, explained; both sides are notified.
#[utoipa::path(operation_id = "propose_event_pairs", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id.")), request_body = ProposePairsInput, responses(
    (status = 201, description = "How many new pairs; `GET …/pairs` lists them.", body = Proposed),
    (status = 409, description = "`event_not_active`: pairs are proposed before the event (`registration_open` \
or `registration_closed`).", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/events/{id}/pairs")]
#[tracing::instrument(skip(state, body))]
pub async fn propose(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<ProposePairsInput>,
) -> Result<HttpResponse, ApiError> {
    let options = body.parse()?;
    let (id, now, matcher, taxonomy) = (id.into_inner(), state.clock.now(), state.matcher.clone(), state.taxonomy);
    let new_pairs =
        db::run(&state.pool, move |conn| pairs::propose(conn, &matcher, taxonomy, &caller, id, options, now)).await?;
    Ok(HttpResponse::Created().json(Proposed { new_pairs }))
}

/// List an event's pairs.
///
/// The organiser and admins see all; an organisation the pairs it is a side of; best score first.
#[utoipa::path(operation_id = "list_event_pairs", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id."), PageParams), responses(
    (status = 200, description = "A page of pairs with their explanation and both sides' interest.",
        body = Page<PairView>),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/events/{id}/pairs")]
#[tracing::instrument(skip(state))]
pub async fn list_pairs(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<PageParams>,
) -> Result<web::Json<Page<PairView>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let id = id.into_inner();
    let (items, total) = db::run(&state.pool, move |conn| pairs::list(conn, &caller, id, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Mark interest in a pair.
///
/// A side answers for itself; when both are interested a meeting is requested.
#[utoipa::path(operation_id = "mark_event_pair_interest", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id."), ("pair_id" = Uuid, Path, description = "Pair id.")),
    request_body = InterestInput, responses(
    (status = 200, description = "The pair after the answer (`meeting_id` once both sides are interested).",
        body = PairView),
    (status = 409, description = "`event_not_active`: the event is a draft, finished or cancelled.",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/events/{id}/pairs/{pair_id}/interest")]
#[tracing::instrument(skip(state, body))]
pub async fn mark_interest(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<InterestInput>,
) -> Result<web::Json<PairView>, ApiError> {
    let ((id, pair), input, now) = (path.into_inner(), body.into_inner(), state.clock.now());
    Ok(web::Json(db::run(&state.pool, move |conn| pairs::mark_interest(conn, &caller, id, pair, &input, now)).await?))
}

/// Record an intent agreement.
///
/// 意向协议 against a pair, at the event: opens or advances the pair's connection to `negotiating`, attributed to the event.
#[utoipa::path(operation_id = "record_event_intent", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id."), ("pair_id" = Uuid, Path, description = "Pair id.")),
    request_body = IntentInput, responses(
    (status = 201, description = "The pair with its intent and connection.", body = PairView),
    (status = 409, description = "`event_not_active` (the event is not `in_progress`), `intent_exists`, \
`listing_not_available` (a listing left the market) or `illegal_transition` (the connection moved meanwhile).",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/events/{id}/pairs/{pair_id}/intent")]
#[tracing::instrument(skip(state, body))]
pub async fn record_intent(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<IntentInput>,
) -> Result<HttpResponse, ApiError> {
    let ((id, pair), now) = (path.into_inner(), state.clock.now());
    let input = body.into_inner().parse()?;
    let view = db::run(&state.pool, move |conn| intents::record(conn, &caller, id, pair, input, now)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// List an event's meetings.
///
/// The organiser and admins see all; an organisation its own; by slot.
#[utoipa::path(operation_id = "list_event_meetings", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id."), PageParams), responses(
    (status = 200, description = "A page of meetings, scheduled ones by slot first.", body = Page<MeetingView>),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/events/{id}/meetings")]
#[tracing::instrument(skip(state))]
pub async fn meetings(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<PageParams>,
) -> Result<web::Json<Page<MeetingView>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let id = id.into_inner();
    let (items, total) = db::run(&state.pool, move |conn| schedule::list(conn, &caller, id, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Schedule a meeting.
///
/// Into a slot at a table of a venue; no party and no table has two meetings in one slot.
#[utoipa::path(operation_id = "schedule_event_meeting", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id."), ("meeting_id" = Uuid, Path, description = "Meeting id.")),
    request_body = ScheduleInput, responses(
    (status = 201, description = "The scheduled meeting; both parties are notified.", body = MeetingView),
    (status = 409, description = "`slot_taken` (a party or the table has a meeting in the slot; `taken` says \
which), `illegal_transition` (the meeting is not `requested`) or `event_not_active`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/events/{id}/meetings/{meeting_id}/schedule")]
#[tracing::instrument(skip(state, body))]
pub async fn schedule_meeting(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<ScheduleInput>,
) -> Result<HttpResponse, ApiError> {
    let ((id, meeting), input, now) = (path.into_inner(), body.into_inner(), state.clock.now());
    let view = db::run(&state.pool, move |conn| schedule::schedule(conn, &caller, id, meeting, &input, now)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Move a meeting.
///
/// `held` (scheduled, at or after the event) or `cancelled` (frees its slot).
#[utoipa::path(operation_id = "move_event_meeting", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id."), ("meeting_id" = Uuid, Path, description = "Meeting id.")),
    request_body = MeetingMoveInput, responses(
    (status = 200, description = "The meeting after the move.", body = MeetingView),
    (status = 409, description = "`illegal_transition` or `event_not_active`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[post("/events/{id}/meetings/{meeting_id}/status")]
#[tracing::instrument(skip(state, body))]
pub async fn move_meeting(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<MeetingMoveInput>,
) -> Result<web::Json<MeetingView>, ApiError> {
    let ((id, meeting), to, now) = (path.into_inner(), body.to, state.clock.now());
    Ok(web::Json(db::run(&state.pool, move |conn| schedule::move_meeting(conn, &caller, id, meeting, to, now)).await?))
}

/// Schedule a roadshow slot.
///
/// 路演 for a registered supply or 需求发布 (reverse roadshow) for a registered demand, with its order and duration.
#[utoipa::path(operation_id = "add_event_roadshow", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id.")), request_body = RoadshowInput, responses(
    (status = 201, description = "The roadshow slot.", body = Roadshow),
    (status = 409, description = "`conflict` (the position in the venue or the listing's slot is taken) or \
`event_not_active`.", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/events/{id}/roadshows")]
#[tracing::instrument(skip(state, body))]
pub async fn add_roadshow(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<RoadshowInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, now) = (id.into_inner(), body.into_inner(), state.clock.now());
    let roadshow = db::run(&state.pool, move |conn| schedule::add_roadshow(conn, &caller, id, &input, now)).await?;
    Ok(HttpResponse::Created().json(roadshow))
}

/// List an event's roadshows.
#[utoipa::path(operation_id = "list_event_roadshows", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id.")), responses(
    (status = 200, description = "The roadshow slots by venue and position.", body = Vec<Roadshow>),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/events/{id}/roadshows")]
#[tracing::instrument(skip(state))]
pub async fn roadshows(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Roadshow>>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| schedule::roadshows(conn, &caller, id)).await?))
}

/// An event's report.
///
/// Registrations, pairs, mutual interests, meetings held, intents signed and contracts signed from the event's connections within `within_days` of its end.
#[utoipa::path(operation_id = "event_report", tag = "events", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id."), ReportParams), responses(
    (status = 200, description = "The event's funnel.", body = EventReport),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[get("/events/{id}/report")]
#[tracing::instrument(skip(state))]
pub async fn event_report(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<ReportParams>,
) -> Result<web::Json<EventReport>, ApiError> {
    let (id, days) = (id.into_inner(), params.days()?);
    Ok(web::Json(db::run(&state.pool, move |conn| report::event_report(conn, &caller, id, days)).await?))
}

/// Period of the event statistics: events starting from `from` to `to` (days, UTC, both included).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventStatsParams {
    /// First day (UTC).
    pub from: Option<NaiveDate>,
    /// Last day (UTC); not before `from`.
    pub to: Option<NaiveDate>,
    /// Contracts count when signed within this many days after each event ends, 0–3650 (default 90).
    #[param(minimum = 0, maximum = 3650)]
    pub within_days: Option<i64>,
}

/// Event statistics (admins).
///
/// The event funnel of the events starting in the period, in total, by theme industry and by month.
#[utoipa::path(operation_id = "event_stats", tag = "stats", security(("bearer" = [])),
    params(EventStatsParams), responses(
    (status = 200, description = "The funnel in total, by theme industry and by month.", body = EventStats),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/stats/events")]
#[tracing::instrument(skip(state))]
pub async fn stats(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<EventStatsParams>,
) -> Result<web::Json<EventStats>, ApiError> {
    policy::require_admin(&caller)?;
    crate::validation::query_period(params.from, params.to)?;
    let days = ReportParams { within_days: params.within_days }.days()?;
    let start = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
    let (from, to) = (params.from.map(start), params.to.map(|d| start(d) + Duration::days(1)));
    let taxonomy = state.taxonomy;
    Ok(web::Json(db::run(&state.pool, move |conn| report::stats(conn, taxonomy, from, to, days)).await?))
}

//! `/api/v1/challenges…` and `GET /api/v1/stats/challenges`.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::input::{
    self, ApplicationListParams, ApplyInput, AppointInput, AwardInput, ChallengeListParams, ConflictInput,
    CreateChallengeInput, MoveInput, ScoreInput,
};
use super::model::{ApplicationView, Award, ChallengeView, Evaluation, Panel, PublicResult, ScoreSheet, Suggestion};
use super::service::{self, Standing};
use super::stats::ChallengeStats;
use super::suggestions::Engine;
use super::{applications, evaluation, suggestions};
use crate::auth::{policy, MaybePrincipal, Principal};
use crate::db;
use crate::error::ApiError;
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;
use crate::stats::handlers::PeriodParams;

/// Publish a challenge (揭榜挂帅) from a demand.
///
/// A member of the demand's organisation, or an admin on its behalf; the demand must be open.
/// The challenge starts as a `draft`: submit it for screening with `POST …/status`.
#[utoipa::path(operation_id = "create_challenge", tag = "challenges",
    security(("bearer" = [])), request_body = CreateChallengeInput, responses(
    (status = 201, description = "The challenge, `draft`.", body = ChallengeView),
    (status = 409, description = "`listing_not_available`: the demand is not open.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::ValidationFailed))]
#[post("/challenges")]
#[tracing::instrument(skip(state, body))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: crate::extract::Json<CreateChallengeInput>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner().parse()?;
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| service::create(conn, &caller, &new, now)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// List challenges.
///
/// Everyone sees published challenges; signed in, also the organisation's own drafts; admins
/// all. Newest first.
#[utoipa::path(operation_id = "list_challenges", tag = "challenges",
    security((), ("bearer" = [])), params(ChallengeListParams), responses(
    (status = 200, description = "A page of challenges.", body = Page<ChallengeView>),
    oa::Std, oa::Unauthorized))]
#[get("/challenges")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    params: crate::extract::Query<ChallengeListParams>,
) -> Result<web::Json<Page<ChallengeView>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let status = params.status;
    let now = state.clock.now();
    let (items, total) =
        db::run(&state.pool, move |conn| service::list(conn, caller.0.as_ref(), status, page, now)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Get a challenge.
#[utoipa::path(operation_id = "get_challenge", tag = "challenges",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id.")), responses(
    (status = 200, description = "The challenge.", body = ChallengeView),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/challenges/{id}")]
#[tracing::instrument(skip(state))]
pub async fn get(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    id: web::Path<Uuid>,
) -> Result<web::Json<ChallengeView>, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| {
        let caller = caller.0.as_ref();
        let (challenge, standing) = service::visible(conn, caller, id)?;
        service::one_view(conn, caller, challenge, standing, now)
    })
    .await?;
    Ok(web::Json(view))
}

/// Move a challenge.
///
/// `draft` → `screening` (the organisation or an admin), `screening` → `open` or back to `draft`
/// (admins), `closed` → `evaluating`, `evaluating` → `no_award` (admins); `cancelled` from any
/// status before the decision (the organisation before publication, admins always). The window's
/// end closes an open challenge (the scheduler). Opening tells the engine's suggested solvers.
#[utoipa::path(operation_id = "move_challenge", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id.")), request_body = MoveInput, responses(
    (status = 200, description = "The challenge in its new status.", body = ChallengeView),
    (status = 403, description = "`forbidden`: the move is the department's, or the caller is neither the \
challenge's organisation nor an admin.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`illegal_transition`: not allowed from the current status (or the window has \
ended, for `open`); `from`, `to`, `allowed` say why.", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound, oa::ValidationFailed))]
#[post("/challenges/{id}/status")]
#[tracing::instrument(skip(state, body))]
pub async fn move_to(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<MoveInput>,
) -> Result<web::Json<ChallengeView>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let note = input::note("note", body.note)?;
    let now = state.clock.now();
    let st = state.clone();
    let view = db::run(&state.pool, move |conn| {
        let engine = Engine { matcher: &st.matcher, taxonomy: st.taxonomy };
        service::move_to(conn, &caller, id, body.to, note.as_deref(), now, &engine)
    })
    .await?;
    Ok(web::Json(view))
}

/// Suggested solvers for a challenge.
///
/// The engine's supplies for the challenge's demand, with their holders and why (the holders the
/// challenge cannot take left out): the challenge's organisation and admins.
#[utoipa::path(operation_id = "challenge_suggestions", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id.")), responses(
    (status = 200, description = "Up to 20 suggestions, best first.", body = Vec<Suggestion>),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[get("/challenges/{id}/suggestions")]
#[tracing::instrument(skip(state))]
pub async fn suggested(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Suggestion>>, ApiError> {
    let id = id.into_inner();
    let st = state.clone();
    let found = db::run(&state.pool, move |conn| {
        let (challenge, standing) = service::visible(conn, Some(&caller), id)?;
        if !matches!(standing, Standing::Admin | Standing::Owner) {
            return Err(ApiError::Forbidden(
                "suggested solvers are for the challenge's organisation and admins".into(),
            ));
        }
        let engine = Engine { matcher: &st.matcher, taxonomy: st.taxonomy };
        suggestions::suggest(conn, &engine, &challenge, 20)
    })
    .await?;
    Ok(web::Json(found))
}

/// Apply to a challenge (揭榜).
///
/// A university, institute or enterprise of an eligible kind and region, while the window is open,
/// with 1–5 of its own published supplies.
#[utoipa::path(operation_id = "apply_to_challenge", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id.")), request_body = ApplyInput, responses(
    (status = 201, description = "The application, `submitted`.", body = ApplicationView),
    (status = 403, description = "`not_eligible`: the organisation's kind or region is not eligible, or it owns \
the challenge; `forbidden`: admins do not apply.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 404, description = "`not_found`: no such challenge, or a linked supply is missing or another \
organisation's.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`challenge_closed`: the window is not open; `already_applied`: the organisation \
has a submitted application.", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::ValidationFailed))]
#[post("/challenges/{id}/applications")]
#[tracing::instrument(skip(state, body))]
pub async fn apply(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<ApplyInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let new = body.into_inner().parse()?;
    let now = state.clock.now();
    let view = db::run(&state.pool, move |conn| applications::apply(conn, &caller, id, &new, now)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// List a challenge's applications.
///
/// The challenge's organisation, its reviewers and admins see all; an applicant sees its own.
#[utoipa::path(operation_id = "list_challenge_applications", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id."), ApplicationListParams), responses(
    (status = 200, description = "A page of applications, oldest first.", body = Page<ApplicationView>),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/challenges/{id}/applications")]
#[tracing::instrument(skip(state))]
pub async fn list_applications(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<ApplicationListParams>,
) -> Result<web::Json<Page<ApplicationView>>, ApiError> {
    let id = id.into_inner();
    let page = PageRequest::parse(params.page, params.per_page)?;
    let status = params.status;
    let (items, total) = db::run(&state.pool, move |conn| applications::list(conn, &caller, id, status, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Get an application.
#[utoipa::path(operation_id = "get_challenge_application", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id."),
        ("application_id" = Uuid, Path, description = "Application id.")), responses(
    (status = 200, description = "The application.", body = ApplicationView),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/challenges/{id}/applications/{application_id}")]
#[tracing::instrument(skip(state))]
pub async fn get_application(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    let (id, application) = path.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| applications::get(conn, &caller, id, application)).await?))
}

/// Withdraw an application.
///
/// The applicant, until the window closes.
#[utoipa::path(operation_id = "withdraw_challenge_application", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id."),
        ("application_id" = Uuid, Path, description = "Application id.")), responses(
    (status = 200, description = "The application, `withdrawn`.", body = ApplicationView),
    (status = 409, description = "`challenge_closed`: the window has closed; `wrong_status`: not submitted.",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[post("/challenges/{id}/applications/{application_id}/withdraw")]
#[tracing::instrument(skip(state))]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<ApplicationView>, ApiError> {
    let (id, application) = path.into_inner();
    let now = state.clock.now();
    Ok(web::Json(db::run(&state.pool, move |conn| applications::withdraw(conn, &caller, id, application, now)).await?))
}

/// Appoint a reviewer (admins).
///
/// A user of any organisation joins the challenge's panel (again: no change).
#[utoipa::path(operation_id = "appoint_challenge_reviewer", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id.")), request_body = AppointInput, responses(
    (status = 200, description = "The panel.", body = Panel),
    (status = 409, description = "`wrong_status`: the challenge is decided.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/challenges/{id}/reviewers")]
#[tracing::instrument(skip(state, body))]
pub async fn appoint(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<AppointInput>,
) -> Result<web::Json<Panel>, ApiError> {
    let id = id.into_inner();
    let user = body.user_id;
    let now = state.clock.now();
    Ok(web::Json(db::run(&state.pool, move |conn| evaluation::appoint(conn, &caller, id, user, now)).await?))
}

/// Declare a conflict of interest (a reviewer).
///
/// The reviewer steps aside from the application (回避): they cannot score it.
#[utoipa::path(operation_id = "declare_challenge_conflict", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id."),
        ("application_id" = Uuid, Path, description = "Application id.")), request_body = ConflictInput, responses(
    (status = 204, description = "Recorded."),
    (status = 403, description = "`forbidden`: the caller is not a reviewer of the challenge.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound, oa::ValidationFailed))]
#[post("/challenges/{id}/applications/{application_id}/conflict")]
#[tracing::instrument(skip(state, body))]
pub async fn declare_conflict(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<ConflictInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, application) = path.into_inner();
    let note = input::note("note", body.into_inner().note)?;
    let now = state.clock.now();
    db::run(&state.pool, move |conn| {
        evaluation::declare_conflict(conn, &caller, id, application, note.as_deref(), now)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Score an application (a reviewer).
///
/// One score 0–100 per criterion while the challenge is `evaluating`; again to revise.
#[utoipa::path(operation_id = "score_challenge_application", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id."),
        ("application_id" = Uuid, Path, description = "Application id.")), request_body = ScoreInput, responses(
    (status = 200, description = "The reviewer's scores.", body = ScoreSheet),
    (status = 403, description = "`conflict_of_interest`: the application is of the reviewer's organisation or \
they declared a conflict; `forbidden`: not a reviewer.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`wrong_status`: the challenge is not `evaluating` or the application not \
submitted.", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound, oa::ValidationFailed))]
#[post("/challenges/{id}/applications/{application_id}/scores")]
#[tracing::instrument(skip(state, body))]
pub async fn score(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<ScoreInput>,
) -> Result<web::Json<ScoreSheet>, ApiError> {
    let (id, application) = path.into_inner();
    let body = body.into_inner();
    let comment = input::note("comment", body.comment)?;
    let scores: Vec<i64> = body.scores.iter().map(|s| s.0).collect();
    let now = state.clock.now();
    Ok(web::Json(
        db::run(&state.pool, move |conn| {
            evaluation::score(conn, &caller, id, application, &scores, comment.as_deref(), now)
        })
        .await?,
    ))
}

/// The panel's ranking.
///
/// Weighted means per application and the ranking; admins, the challenge's organisation and its
/// reviewers.
#[utoipa::path(operation_id = "challenge_evaluation", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id.")), responses(
    (status = 200, description = "Criteria, panel and ranking.", body = Evaluation),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[get("/challenges/{id}/evaluation")]
#[tracing::instrument(skip(state))]
pub async fn evaluation_of(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Evaluation>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| evaluation::evaluation(conn, &caller, id)).await?))
}

/// Award a challenge (admins).
///
/// From `evaluating`: names 1–10 submitted applications as winners; a connection (`negotiating`,
/// linked to the challenge) opens for each, the other applications become `not_awarded`.
#[utoipa::path(operation_id = "award_challenge", tag = "challenges",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Challenge id.")), request_body = AwardInput, responses(
    (status = 200, description = "The challenge, `awarded`, and its winners with their connections.", body = Award),
    (status = 409, description = "`illegal_transition`: the challenge is not `evaluating`; \
`listing_not_available`: the demand or a winner's supply left the market.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/challenges/{id}/award")]
#[tracing::instrument(skip(state, body))]
pub async fn award(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<AwardInput>,
) -> Result<web::Json<Award>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let note = input::note("note", body.note)?;
    let now = state.clock.now();
    let awarded =
        db::run(&state.pool, move |conn| evaluation::award(conn, &caller, id, &body.winners, note.as_deref(), now))
            .await?;
    Ok(web::Json(awarded))
}

/// The public result of a challenge (公示).
///
/// Winners and a summary of the panel's scores, once awarded (or decided without award).
#[utoipa::path(operation_id = "challenge_result", tag = "challenges",
    params(("id" = Uuid, Path, description = "Challenge id.")), responses(
    (status = 200, description = "The result.", body = PublicResult),
    (status = 404, description = "`not_found`: no such challenge, or not decided yet.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std))]
#[get("/challenges/{id}/result")]
#[tracing::instrument(skip(state))]
pub async fn result(state: web::Data<AppState>, id: web::Path<Uuid>) -> Result<web::Json<PublicResult>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| evaluation::result(conn, id)).await?))
}

/// Challenge statistics (admins).
///
/// The funnel collected → published → applications → awarded → signed, with values in fen,
/// overall, by industry and by period of the challenges created in the period.
#[utoipa::path(operation_id = "challenge_stats", tag = "stats",
    security(("bearer" = [])), params(PeriodParams), responses(
    (status = 200, description = "The challenge funnel.", body = ChallengeStats),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/stats/challenges")]
#[tracing::instrument(skip(state))]
pub async fn stats(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<PeriodParams>,
) -> Result<web::Json<ChallengeStats>, ApiError> {
    policy::require_admin(&caller)?;
    let (from, to) = params.bounds()?;
    let bucket = params.bucket()?;
    Ok(web::Json(db::run(&state.pool, move |conn| super::stats::stats(conn, from, to, &bucket)).await?))
}

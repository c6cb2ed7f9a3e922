//! `/api/v1/connections/{id}/contract`: propose, confirm, dispute, review, register, move, get.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::input::{
    self, ConfirmInput, ContractListParams, ContractReviewInput, DisputeInput, ProposeInput, RegistrationInput,
    StatusInput,
};
use super::model::ContractView;
use super::{repo, service};
use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;

/// Get a connection's contract.
///
/// The two sides, the broker on the connection and admins; 404 for others and before a proposal.
#[utoipa::path(operation_id = "get_contract", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), responses(
    (status = 200, description = "The contract.", body = ContractView),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/connections/{id}/contract")]
#[tracing::instrument(skip(state))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<ContractView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| service::get(conn, &caller, id)).await?))
}

/// Propose the contract's terms.
///
/// One side of a `negotiating` connection proposes; again while `proposed` or `disputed` (the new
/// terms replace the old). The other side confirms.
#[utoipa::path(operation_id = "propose_contract", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), request_body = ProposeInput, responses(
    (status = 201, description = "The contract, `proposed`.", body = ContractView),
    (status = 403, description = "`forbidden`: the caller is not a member of either side (brokers and admins do \
not sign), or its organisation was rejected.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`illegal_transition`: the connection is not `negotiating`, or the contract is \
already confirmed.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 422, description = "`validation_failed`: e.g. `technical_fen` above `total_fen`, a `sub_kind` of \
another kind, a term ending before it starts.", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound))]
#[post("/connections/{id}/contract")]
#[tracing::instrument(skip(state, body))]
pub async fn propose(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<ProposeInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let terms = body.into_inner().parse()?;
    let view = db::run(&state.pool, move |conn| service::propose(conn, &caller, id, &terms)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Confirm the proposed contract.
///
/// The other side than the proposer's; the contract and the connection become `signed`. Above
/// `TECHMATCH_CONTRACT_REVIEW_ABOVE_FEN` or with an unverified party, the contract waits for an
/// admin's review before it counts in the statistics.
#[utoipa::path(operation_id = "confirm_contract", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), request_body = ConfirmInput, responses(
    (status = 200, description = "The contract, `signed`, with its `review`.", body = ContractView),
    (status = 403, description = "`forbidden`: the caller's side proposed these terms, or the caller is not a \
side.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`illegal_transition`: the contract is not `proposed` or the connection not \
`negotiating`.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 412, description = "`version_mismatch`: the terms changed since `version`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound, oa::ValidationFailed))]
#[post("/connections/{id}/contract/confirm")]
#[tracing::instrument(skip(state, body))]
pub async fn confirm(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<ConfirmInput>,
) -> Result<web::Json<ContractView>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let note = input::note("note", body.note, false)?;
    let above = state.contract_review_above_fen;
    let view =
        db::run(&state.pool, move |conn| service::confirm(conn, &caller, id, body.version, note.as_deref(), above))
            .await?;
    Ok(web::Json(view))
}

/// Dispute the proposed contract.
///
/// The other side than the proposer's, with a note; the contract becomes `disputed` until
/// either side proposes new terms.
#[utoipa::path(operation_id = "dispute_contract", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), request_body = DisputeInput, responses(
    (status = 200, description = "The contract, `disputed`.", body = ContractView),
    (status = 403, description = "`forbidden`: the caller's side proposed these terms, or the caller is not a \
side.", body = oa::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`illegal_transition`: the contract is not `proposed`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound, oa::ValidationFailed))]
#[post("/connections/{id}/contract/dispute")]
#[tracing::instrument(skip(state, body))]
pub async fn dispute(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<DisputeInput>,
) -> Result<web::Json<ContractView>, ApiError> {
    let id = id.into_inner();
    let note = input::note("note", Some(body.into_inner().note), true)?.unwrap_or_default();
    Ok(web::Json(db::run(&state.pool, move |conn| service::dispute(conn, &caller, id, &note)).await?))
}

/// Review a contract (admins).
///
/// Approves or rejects a confirmed contract whose `review` is `pending`; approved, it counts in
/// the statistics.
#[utoipa::path(operation_id = "review_contract", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), request_body = ContractReviewInput, responses(
    (status = 200, description = "The contract with the decision.", body = ContractView),
    (status = 409, description = "`illegal_transition`: the review is not `pending`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/connections/{id}/contract/review")]
#[tracing::instrument(skip(state, body))]
pub async fn review(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<ContractReviewInput>,
) -> Result<web::Json<ContractView>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let note = input::note("note", body.note, false)?;
    let decision = body.decision.into();
    Ok(web::Json(
        db::run(&state.pool, move |conn| service::review(conn, &caller, id, decision, note.as_deref())).await?,
    ))
}

/// Record the contract's registration (the seller side).
///
/// 技术合同认定登记: the registry's number and day; `signed` → `registered` (an `in_performance`
/// contract keeps its status).
#[utoipa::path(operation_id = "register_contract", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), request_body = RegistrationInput, responses(
    (status = 200, description = "The contract with its registration.", body = ContractView),
    (status = 403, description = "`forbidden`: only the seller side (the supply's organisation) registers.",
        body = oa::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`illegal_transition`: not confirmed yet, already registered, or ended.",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound, oa::ValidationFailed))]
#[post("/connections/{id}/contract/registration")]
#[tracing::instrument(skip(state, body))]
pub async fn register(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<RegistrationInput>,
) -> Result<web::Json<ContractView>, ApiError> {
    let id = id.into_inner();
    let (number, day) = input::registration(body.into_inner())?;
    Ok(web::Json(db::run(&state.pool, move |conn| service::register(conn, &caller, id, &number, day)).await?))
}

/// Move a confirmed contract.
///
/// `in_performance`, `completed` or `terminated` (with a note), along the contract's
/// `allowed_moves`; either side or an admin.
#[utoipa::path(operation_id = "move_contract", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), request_body = StatusInput, responses(
    (status = 200, description = "The contract in its new status.", body = ContractView),
    (status = 409, description = "`illegal_transition`: not allowed from the current status; `from`, `to`, \
`allowed` say why.", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound, oa::ValidationFailed))]
#[post("/connections/{id}/contract/status")]
#[tracing::instrument(skip(state, body))]
pub async fn move_to(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<StatusInput>,
) -> Result<web::Json<ContractView>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| service::move_to(conn, &caller, id, body)).await?))
}

/// List contracts.
///
/// Admins: all (`review=pending` is the review queue); others: those of connections where their
/// organisation is a side or they are the broker. Newest change first.
#[utoipa::path(operation_id = "list_contracts", tag = "contracts",
    security(("bearer" = [])),
    params(ContractListParams), responses(
    (status = 200, description = "A page of contracts.", body = Page<ContractView>),
    oa::Std, oa::Unauthorized))]
#[get("/contracts")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<ContractListParams>,
) -> Result<web::Json<Page<ContractView>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let (status, wanted_review) = (params.status, params.review);
    let visible_to = (!caller.is_admin()).then_some((caller.organization_id, caller.user_id));
    let (items, total) = db::run(&state.pool, move |conn| {
        let (rows, total) = repo::list(conn, visible_to, status, wanted_review, page)?;
        Ok((service::views(conn, rows)?, total))
    })
    .await?;
    Ok(web::Json(Page::new(items, page, total)))
}

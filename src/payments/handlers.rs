//! `/api/v1/connections/{id}/contract/payments`: list with totals, enter, receive, confirm.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::input::{PaymentInput, ReceiptInput};
use super::model::{Payment, Payments};
use super::service;
use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::spec as oa;
use crate::state::AppState;

/// List a contract's payments.
///
/// With the planned, received (confirmed by the buyer side) and unconfirmed totals.
#[utoipa::path(operation_id = "list_payments", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), responses(
    (status = 200, description = "The payments, oldest first, with totals.", body = Payments),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/connections/{id}/contract/payments")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<Payments>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| service::list(conn, &caller, id)).await?))
}

/// Enter a payment (the seller side).
///
/// An instalment planned, received, or both; a receipt waits for the buyer side's confirmation.
#[utoipa::path(operation_id = "add_payment", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id.")), request_body = PaymentInput, responses(
    (status = 201, description = "The instalment.", body = Payment),
    (status = 403, description = "`forbidden`: only the seller side enters payments.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 409, description = "`contract_not_payable`: the contract is terminated or not confirmed yet.",
        body = oa::Problem, content_type = "application/problem+json"),
    (status = 422, description = "`validation_failed`: a half plan or receipt, or receipts above the contract \
total.", body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound))]
#[post("/connections/{id}/contract/payments")]
#[tracing::instrument(skip(state, body))]
pub async fn add(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: crate::extract::Json<PaymentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let instalment = body.into_inner().parse()?;
    let payment = db::run(&state.pool, move |conn| service::add(conn, &caller, id, &instalment)).await?;
    Ok(HttpResponse::Created().json(payment))
}

/// Record the receipt of a planned payment (the seller side).
#[utoipa::path(operation_id = "receive_payment", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id."), ("payment_id" = Uuid, Path, description = "Payment id.")),
    request_body = ReceiptInput, responses(
    (status = 200, description = "The instalment, `received`.", body = Payment),
    (status = 403, description = "`forbidden`: only the seller side records receipts.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 409, description = "`contract_not_payable` (the contract is terminated or not confirmed) or \
`illegal_transition` (the instalment is not `planned`).", body = oa::Problem, content_type = "application/problem+json"),
    (status = 422, description = "`validation_failed`: receipts above the contract total, or bad fields.",
        body = oa::Problem, content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::NotFound))]
#[post("/connections/{id}/contract/payments/{payment_id}/receipt")]
#[tracing::instrument(skip(state, body))]
pub async fn receive(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<ReceiptInput>,
) -> Result<web::Json<Payment>, ApiError> {
    let (id, payment) = path.into_inner();
    let receipt = body.into_inner().parse()?;
    Ok(web::Json(db::run(&state.pool, move |conn| service::receive(conn, &caller, id, payment, &receipt)).await?))
}

/// Confirm a receipt (the buyer side).
///
/// The amount then counts as received (到账).
#[utoipa::path(operation_id = "confirm_payment", tag = "contracts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id."), ("payment_id" = Uuid, Path, description = "Payment id.")),
    responses(
    (status = 200, description = "The instalment, `confirmed`.", body = Payment),
    (status = 403, description = "`forbidden`: only the buyer side confirms receipts.", body = oa::Problem,
        content_type = "application/problem+json"),
    (status = 409, description = "`illegal_transition`: the instalment is not `received`.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[post("/connections/{id}/contract/payments/{payment_id}/confirm")]
#[tracing::instrument(skip(state))]
pub async fn confirm(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<Payment>, ApiError> {
    let (id, payment) = path.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| service::confirm(conn, &caller, id, payment)).await?))
}

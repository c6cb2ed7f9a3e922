//! `/api/v1/commission-policies` (admins) and `/api/v1/agencies/{id}/commission-statement`.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::{PolicyInput, StatementParams};
use super::model::{Policy, Statement};
use super::{export, repo, service};
use crate::auth::{policy, Principal};
use crate::csv_export::CsvHeaders;
use crate::db;
use crate::error::ApiError;
use crate::spec as oa;
use crate::state::AppState;

/// Create a commission policy (admins).
///
/// A rate on 技术交易额 or on receipts, with caps per agency and per broker per calendar year,
/// over `effective_from`–`effective_to`.
#[utoipa::path(operation_id = "create_commission_policy", tag = "commissions",
    security(("bearer" = [])), request_body = PolicyInput, responses(
    (status = 201, description = "The policy.", body = Policy),
    (status = 409, description = "`policy_overlap`: a policy of the same agency (or the default one, for a \
default) applies during part of this period; `existing_id` names it.", body = oa::Problem,
        content_type = "application/problem+json"),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::ValidationFailed))]
#[post("/commission-policies")]
#[tracing::instrument(skip(state, body))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: crate::extract::Json<PolicyInput>,
) -> Result<HttpResponse, ApiError> {
    policy::require_admin(&caller)?;
    let new = body.into_inner().parse()?;
    let created = db::run(&state.pool, move |conn| service::create(conn, &caller, &new)).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Every commission policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct Policies {
    pub items: Vec<Policy>,
}

/// List commission policies (admins).
#[utoipa::path(operation_id = "list_commission_policies", tag = "commissions",
    security(("bearer" = [])), responses(
    (status = 200, description = "Every policy, by start day.", body = Policies),
    oa::Unauthorized, oa::Forbidden, oa::ServiceUnavailable))]
#[get("/commission-policies")]
#[tracing::instrument(skip(state))]
pub async fn list(state: web::Data<AppState>, caller: Principal) -> Result<web::Json<Policies>, ApiError> {
    policy::require_admin(&caller)?;
    let items = db::run(&state.pool, |conn| repo::list(conn, None)).await?;
    Ok(web::Json(Policies { items }))
}

/// An agency's commission statement.
///
/// Admins and the agency's members. Each row is a contract (its 技术交易额 on its signing day) or
/// a confirmed receipt facilitated by one of the agency's brokers, with the policy applied and the
/// commission after the year's caps.
#[utoipa::path(operation_id = "commission_statement", tag = "commissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The agency (organisation) id."), StatementParams), responses(
    (status = 200, description = "The statement.", body = Statement),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[get("/agencies/{id}/commission-statement")]
#[tracing::instrument(skip(state))]
pub async fn statement(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<StatementParams>,
) -> Result<web::Json<Statement>, ApiError> {
    params.check()?;
    let (id, from, to) = (id.into_inner(), params.from, params.to);
    Ok(web::Json(db::run(&state.pool, move |conn| service::statement(conn, &caller, id, from, to)).await?))
}

/// Query of the statement's CSV export.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementCsvParams {
    /// First day of the period.
    pub from: chrono::NaiveDate,
    /// Last day of the period; not before `from`.
    pub to: chrono::NaiveDate,
    /// Header row in `en` (default) or `zh`.
    #[param(value_type = Option<CsvHeaders>)]
    pub headers: Option<CsvHeaders>,
    /// Start the file with a UTF-8 byte-order mark (Excel on Chinese Windows then reads UTF-8).
    pub bom: Option<bool>,
}

/// Export an agency's commission statement as CSV.
#[utoipa::path(operation_id = "commission_statement_csv", tag = "commissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The agency (organisation) id."), StatementCsvParams), responses(
    (status = 200, description = "UTF-8 CSV, one row per piece of evidence: day, basis, connection, contract, \
payment, broker, base in yuan, policy, rate in percent, computed and earned commission in yuan, capped.",
        content_type = "text/csv", body = String,
        headers(("Content-Disposition" = String, description = "`attachment; filename=\"commission-statement.csv\"`"))),
    oa::Std, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[get("/agencies/{id}/commission-statement.csv")]
#[tracing::instrument(skip(state))]
pub async fn statement_csv(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<StatementCsvParams>,
) -> Result<HttpResponse, ApiError> {
    crate::validation::query_period(Some(params.from), Some(params.to))?;
    let (id, from, to) = (id.into_inner(), params.from, params.to);
    let (headers, bom) = (params.headers.unwrap_or_default(), params.bom.unwrap_or(false));
    let csv = db::run(&state.pool, move |conn| {
        let computed = service::statement(conn, &caller, id, from, to)?;
        export::csv(&computed, headers, bom)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", "text/csv; charset=utf-8"))
        .insert_header(("Content-Disposition", "attachment; filename=\"commission-statement.csv\""))
        .body(csv))
}

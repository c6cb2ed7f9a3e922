//! `GET /api/v1/stats/value` and `GET /api/v1/stats/report.xlsx` (admins).

use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use chrono::{Datelike, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::handlers::PeriodParams;
use super::report::{self, Labels};
use super::value::{self, ValueStats};
use crate::auth::{policy, Principal};
use crate::db;
use crate::db::schema::{organizations, users};
use crate::error::ApiError;
use crate::spec as oa;
use crate::state::AppState;

/// Contract value, 技术交易额 and 到账 views (admins).
///
/// Contracts that count, signed in the period, and confirmed receipts received in it, in total
/// and by industry, period, the region and kind of each side, broker and agency; and the funnel
/// of connections opened in the period: from a match, contract, counted, registered, paid.
#[utoipa::path(operation_id = "value_stats", tag = "stats",
    security(("bearer" = [])),
    params(PeriodParams), responses(
    (status = 200, description = "The views.", body = ValueStats),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/stats/value")]
#[tracing::instrument(skip(state))]
pub async fn value_views(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<PeriodParams>,
) -> Result<web::Json<ValueStats>, ApiError> {
    policy::require_admin(&caller)?;
    let period = params.bucket()?;
    params.bounds()?;
    let (from, to) = (params.from, params.to);
    Ok(web::Json(db::run(&state.pool, move |conn| value::all(conn, from, to, &period)).await?))
}

/// Display names of the brokers (users) and agencies (organisations) among `keys`.
fn party_names(conn: &mut PgConnection, stats: &ValueStats) -> Result<HashMap<String, String>, ApiError> {
    let ids: Vec<Uuid> = stats
        .by_broker
        .iter()
        .chain(&stats.by_agency)
        .filter_map(|r| r.key.as_deref().and_then(|k| k.parse().ok()))
        .collect();
    let mut names: HashMap<String, String> = HashMap::new();
    let people: Vec<(Uuid, String)> =
        users::table.filter(users::id.eq_any(&ids)).select((users::id, users::display_name)).load(conn)?;
    let orgs: Vec<(Uuid, String)> = organizations::table
        .filter(organizations::id.eq_any(&ids))
        .select((organizations::id, organizations::name))
        .load(conn)?;
    for (id, name) in people.into_iter().chain(orgs) {
        names.insert(id.to_string(), name);
    }
    Ok(names)
}

fn kind_zh(kind: &str) -> String {
    match kind {
        "enterprise" => "企业",
        "university" => "高校",
        "research_institute" => "科研院所",
        "service_agency" => "技术转移机构",
        "government" => "政府部门",
        other => other,
    }
    .to_string()
}

/// The department's report for a period as .xlsx (admins).
///
/// Sheets 概要 (totals and the funnel, with its chart), 按月 (monthly contract value, 技术交易额 and
/// 到账, with a column chart), 按产业 (by industry, with a bar chart) and 其他分组 (regions, kinds,
/// agencies, brokers); Chinese headers, amounts in 万元. `period` is ignored (months). Without
/// `from` and `to`, the current year so far.
#[utoipa::path(operation_id = "report_xlsx", tag = "stats",
    security(("bearer" = [])),
    params(PeriodParams), responses(
    (status = 200, description = "The workbook.",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>,
        headers(("Content-Disposition" = String, description = "`attachment; filename=\"techmatch-report.xlsx\"`"))),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/stats/report.xlsx")]
#[tracing::instrument(skip(state))]
pub async fn report_xlsx(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<PeriodParams>,
) -> Result<HttpResponse, ApiError> {
    policy::require_admin(&caller)?;
    params.bounds()?;
    let today = Utc::now().date_naive();
    let from = params.from.unwrap_or_else(|| today.with_ordinal(1).unwrap_or(today));
    let to = params.to.unwrap_or(today).max(from);
    let (stats, names) = db::run(&state.pool, move |conn| {
        let stats = value::all(conn, Some(from), Some(to), "month")?;
        let names = party_names(conn, &stats)?;
        Ok((stats, names))
    })
    .await?;
    let taxonomy = state.taxonomy;
    let industry = |code: &str| taxonomy.get(code).map_or_else(|| code.to_string(), |i| i.name_zh.clone());
    let party = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let labels = Labels { industry: &industry, kind: &kind_zh, party: &party };
    let bytes = report::xlsx(&stats, from, to, &labels)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        .insert_header(("Content-Disposition", "attachment; filename=\"techmatch-report.xlsx\""))
        .body(bytes))
}

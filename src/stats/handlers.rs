//! `GET /api/v1/stats/listings`, `/stats/connections`, `/stats/contracts` (admins only).

use actix_web::{get, web};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::queries::{
    self, BrokerContracts, ContractSum, FailureCount, Funnel, IndustryContracts, LifecycleCounts, ListingCounts,
    PeriodContracts,
};
use crate::accounts::summary::{in_order, user_summaries, UserSummary};
use crate::auth::{policy, Principal};
use crate::db;
use crate::error::ApiError;
use crate::field_error::{FieldCode, FieldError};
use crate::spec as oa;
use crate::state::AppState;

/// Period of the connection and contract statistics: `from` and `to` are days (UTC), both included.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First day of the period (UTC).
    pub from: Option<NaiveDate>,
    /// Last day of the period (UTC); not before `from`.
    pub to: Option<NaiveDate>,
    /// Bucket of `by_period` in the contract statistics: `month` (default), `quarter` or `year`.
    #[param(value_type = Option<Period>)]
    pub period: Option<String>,
}

/// The buckets of `by_period` (schema only: the query keeps the text).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    Quarter,
    Year,
}

/// A half-open period `[from, to)`; `None` leaves a side open.
type Bounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl PeriodParams {
    /// The checked period; 400 `invalid_query` when a day is outside the years 1–9999, `from`
    /// is after `to` or `period` is not `month`, `quarter` or `year` (checked on every
    /// statistics endpoint that takes it).
    pub fn bounds(&self) -> Result<Bounds, ApiError> {
        self.bucket()?;
        crate::validation::query_period(self.from, self.to)?;
        let start = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        Ok((self.from.map(start), self.to.map(|d| start(d) + Duration::days(1))))
    }

    /// The bucket of `by_period`: `month` (default), `quarter` or `year`.
    pub fn bucket(&self) -> Result<String, ApiError> {
        let period = self.period.clone().unwrap_or_else(|| "month".into());
        if !matches!(period.as_str(), "month" | "quarter" | "year") {
            return Err(ApiError::bad_query(
                "period must be month, quarter or year",
                FieldError::new("period", FieldCode::InvalidValue).with("allowed", vec!["month", "quarter", "year"]),
            ));
        }
        Ok(period)
    }
}

/// Period of the lifecycle figures of the listing statistics: `from` and `to` are days (UTC),
/// both included.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RangeParams {
    /// First day of the period (UTC).
    pub from: Option<NaiveDate>,
    /// Last day of the period (UTC); not before `from`.
    pub to: Option<NaiveDate>,
}

impl RangeParams {
    /// The checked period; 400 `invalid_query` as for [`PeriodParams`].
    fn bounds(&self) -> Result<Bounds, ApiError> {
        PeriodParams { from: self.from, to: self.to, period: None }.bounds()
    }
}

/// Listings and connections by industry and by group, and the listing lifecycle's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingStats {
    pub industries: Vec<ListingCounts>,
    pub groups: Vec<ListingCounts>,
    /// Review turnaround and decisions, expiries, renewals and confirmations in the period.
    pub lifecycle: LifecycleCounts,
}

/// Listing statistics (admins).
///
/// Listings and connections now, by industry and group; review decisions (with the median
/// hours from submission to decision), expiries and renewals in the period.
#[utoipa::path(operation_id = "listing_stats", tag = "stats",
    security(("bearer" = [])), params(RangeParams), responses(
    (status = 200, description = "Published supplies, open demands and connections by industry and by group; \
the lifecycle's figures of the period.", body = ListingStats),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/stats/listings")]
#[tracing::instrument(skip(state))]
pub async fn listings(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<RangeParams>,
) -> Result<web::Json<ListingStats>, ApiError> {
    policy::require_admin(&caller)?;
    let (from, to) = params.bounds()?;
    let stats = db::run(&state.pool, move |conn| {
        Ok(ListingStats {
            industries: queries::listings_by_industry(conn)?,
            groups: queries::listings_by_group(conn)?,
            lifecycle: queries::lifecycle(conn, from, to)?,
        })
    })
    .await?;
    Ok(web::Json(stats))
}

/// Conversion between funnel stages (`null` when the earlier stage is empty).
#[derive(Debug, Serialize, ToSchema)]
pub struct Conversion {
    pub contacted_per_proposed: Option<f64>,
    pub negotiating_per_contacted: Option<f64>,
    pub signed_per_negotiating: Option<f64>,
    pub signed_per_proposed: Option<f64>,
}

/// The funnel, its conversion rates and the failure reasons.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionStats {
    pub funnel: Funnel,
    pub conversion: Conversion,
    pub failures: Vec<FailureCount>,
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Connection funnel statistics (admins).
///
/// Connections opened in the period.
#[utoipa::path(operation_id = "connection_stats", tag = "stats",
    security(("bearer" = [])),
    params(PeriodParams), responses(
    (status = 200, description = "The funnel of connections opened in the period, conversion between stages and \
failure reasons.", body = ConnectionStats),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/stats/connections")]
#[tracing::instrument(skip(state))]
pub async fn connections(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<PeriodParams>,
) -> Result<web::Json<ConnectionStats>, ApiError> {
    policy::require_admin(&caller)?;
    let (from, to) = params.bounds()?;
    let (funnel, failures) =
        db::run(&state.pool, move |conn| Ok((queries::funnel(conn, from, to)?, queries::failures(conn, from, to)?)))
            .await?;
    let conversion = Conversion {
        contacted_per_proposed: ratio(funnel.contacted, funnel.proposed),
        negotiating_per_contacted: ratio(funnel.negotiating, funnel.contacted),
        signed_per_negotiating: ratio(funnel.signed, funnel.negotiating),
        signed_per_proposed: ratio(funnel.signed, funnel.proposed),
    };
    Ok(web::Json(ConnectionStats { funnel, conversion, failures }))
}

/// Contracts that count (confirmed by both sides, review cleared): count, value and 技术交易额, in
/// total and by industry, period and broker.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractStats {
    pub total: ContractSum,
    pub by_industry: Vec<IndustryContracts>,
    pub by_period: Vec<PeriodContracts>,
    pub by_broker: Vec<BrokerContracts>,
    /// The brokers named in `by_broker`, in its order: who they are without another call.
    pub brokers: Vec<UserSummary>,
}

/// Contract statistics (admins).
///
/// Contracts signed in the period (by `signed_on`) that count: confirmed by both sides and not
/// waiting for (or refused by) the department's review.
#[utoipa::path(operation_id = "contract_stats", tag = "stats",
    security(("bearer" = [])),
    params(PeriodParams), responses(
    (status = 200, description = "Contracts signed in the period that count (confirmed by both sides, review not \
pending or rejected): count, value and 技术交易额 in total, by industry, by period \
and by broker.", body = ContractStats),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/stats/contracts")]
#[tracing::instrument(skip(state))]
pub async fn contracts(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<PeriodParams>,
) -> Result<web::Json<ContractStats>, ApiError> {
    policy::require_admin(&caller)?;
    let (from, to) = params.bounds()?;
    let period = params.bucket()?;
    let (c, found) = db::run(&state.pool, move |conn| {
        let c = queries::contracts(conn, from, to, &period)?;
        let ids: Vec<uuid::Uuid> = c.by_broker.iter().filter_map(|b| b.broker_id).collect();
        Ok((c, user_summaries(conn, &ids)?))
    })
    .await?;
    Ok(web::Json(ContractStats {
        total: c.total,
        by_industry: c.by_industry,
        by_period: c.by_period,
        brokers: in_order(&found, c.by_broker.iter().filter_map(|b| b.broker_id)),
        by_broker: c.by_broker,
    }))
}

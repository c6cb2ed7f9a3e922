//! The statistics queries. Periods are half-open `[from, to)` in UTC; `None` leaves a side open.
//! A connection counts in every industry that its demand or its supply carries, so per-industry
//! figures may add up to more than the total.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;
use crate::spec::{IndustryCode, IndustryOrGroupCode};
use crate::vocab::FailureReason;

/// Listings and connections of one industry or group.
#[derive(Debug, Serialize, QueryableByName, ToSchema)]
pub struct ListingCounts {
    /// The industry's or the group's code.
    #[diesel(sql_type = Text)]
    #[schema(value_type = IndustryOrGroupCode)]
    pub code: String,
    /// Its Chinese name.
    #[diesel(sql_type = Text)]
    pub name_zh: String,
    /// The group of an industry; the group itself for a group row.
    #[diesel(sql_type = Text)]
    pub group: String,
    /// Published supplies.
    #[diesel(sql_type = BigInt)]
    pub supplies: i64,
    /// Open demands.
    #[diesel(sql_type = BigInt)]
    pub demands: i64,
    /// Connections in any status.
    #[diesel(sql_type = BigInt)]
    pub connections: i64,
    /// Connections with a contract that counts (confirmed by both sides, review cleared).
    #[diesel(sql_type = BigInt)]
    pub signed: i64,
}

const CONNECTION_SIDES: &str =
    "FROM connections c JOIN demands d ON d.id = c.demand_id JOIN supplies s ON s.id = c.supply_id";

/// Whether the contract `k` counts: confirmed by both sides, and its review not waiting or
/// refused (see [`crate::contracts`]). A connection is "signed" in the statistics only with such
/// a contract.
const COUNTED: &str = "k.status NOT IN ('proposed', 'disputed') AND k.review IN ('not_required', 'approved')";

/// Counts per industry, in taxonomy order.
pub fn listings_by_industry(conn: &mut PgConnection) -> Result<Vec<ListingCounts>, ApiError> {
    let sql = format!(
        "SELECT i.code, i.name_zh, i.group_code AS \"group\",
            (SELECT count(*) FROM supplies s WHERE s.status = 'published' AND i.code = ANY (s.industries)) AS supplies,
            (SELECT count(*) FROM demands d WHERE d.status = 'open' AND i.code = ANY (d.industries)) AS demands,
            (SELECT count(*) {CONNECTION_SIDES} WHERE i.code = ANY (d.industries || s.industries)) AS connections,
            (SELECT count(*) {CONNECTION_SIDES} JOIN contracts k ON k.connection_id = c.id WHERE {COUNTED} AND i.code = ANY (d.industries || s.industries)) AS signed
         FROM industries i ORDER BY i.position"
    );
    Ok(diesel::sql_query(sql).load(conn)?)
}

/// Counts per group (a listing with two industries of one group counts once), in taxonomy order.
pub fn listings_by_group(conn: &mut PgConnection) -> Result<Vec<ListingCounts>, ApiError> {
    let in_group =
        |arr: &str| format!("EXISTS (SELECT 1 FROM industries j WHERE j.group_code = g.code AND j.code = ANY ({arr}))");
    let sql = format!(
        "SELECT g.code, g.name_zh, g.code AS \"group\",
            (SELECT count(*) FROM supplies s WHERE s.status = 'published' AND {s}) AS supplies,
            (SELECT count(*) FROM demands d WHERE d.status = 'open' AND {d}) AS demands,
            (SELECT count(*) {CONNECTION_SIDES} WHERE {both}) AS connections,
            (SELECT count(*) {CONNECTION_SIDES} JOIN contracts k ON k.connection_id = c.id WHERE {COUNTED} AND {both}) AS signed
         FROM industry_groups g ORDER BY g.position",
        s = in_group("s.industries"),
        d = in_group("d.industries"),
        both = in_group("d.industries || s.industries"),
    );
    Ok(diesel::sql_query(sql).load(conn)?)
}

/// How far the connections opened in a period got (each stage counted from the log).
#[derive(Debug, Serialize, QueryableByName, ToSchema)]
pub struct Funnel {
    #[diesel(sql_type = BigInt)]
    pub proposed: i64,
    #[diesel(sql_type = BigInt)]
    pub contacted: i64,
    #[diesel(sql_type = BigInt)]
    pub negotiating: i64,
    /// With a contract that counts (confirmed by both sides, review cleared).
    #[diesel(sql_type = BigInt)]
    pub signed: i64,
    /// Ended in `failed`.
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
    /// Ended in `withdrawn`.
    #[diesel(sql_type = BigInt)]
    pub withdrawn: i64,
    /// Still `proposed`, `contacted` or `negotiating`.
    #[diesel(sql_type = BigInt)]
    pub open: i64,
    /// Signed by both sides, but the contract waits for the department's review or was
    /// rejected: not in `signed`.
    #[diesel(sql_type = BigInt)]
    pub awaiting_review: i64,
    /// Median days from opening to the confirmation of the contract, of those signed; `null`
    /// when none is.
    #[diesel(sql_type = Nullable<Double>)]
    pub median_days_to_sign: Option<f64>,
}

const PERIOD: &str =
    "($1::timestamptz IS NULL OR c.created_at >= $1) AND ($2::timestamptz IS NULL OR c.created_at < $2)";

/// The funnel of connections opened in `[from, to)`.
pub fn funnel(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Funnel, ApiError> {
    let reached = |status: &str| {
        format!("(SELECT count(*) FROM c WHERE EXISTS (SELECT 1 FROM connection_events e WHERE e.connection_id = c.id AND e.to_status = '{status}'))")
    };
    let sql = format!(
        "WITH c AS (SELECT * FROM connections c WHERE {PERIOD})
         SELECT (SELECT count(*) FROM c) AS proposed,
                {contacted} AS contacted, {negotiating} AS negotiating,
                (SELECT count(*) FROM c JOIN contracts k ON k.connection_id = c.id WHERE {COUNTED}) AS signed,
                (SELECT count(*) FROM c WHERE status = 'failed') AS failed,
                (SELECT count(*) FROM c WHERE status = 'withdrawn') AS withdrawn,
                (SELECT count(*) FROM c WHERE status IN ('proposed', 'contacted', 'negotiating')) AS open,
                (SELECT count(*) FROM c JOIN contracts k ON k.connection_id = c.id
                  WHERE k.status NOT IN ('proposed', 'disputed') AND k.review IN ('pending', 'rejected')) AS awaiting_review,
                (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM k.confirmed_at - c.created_at)::float8 / 86400.0)
                   FROM c JOIN contracts k ON k.connection_id = c.id WHERE {COUNTED}) AS median_days_to_sign",
        contacted = reached("contacted"),
        negotiating = reached("negotiating"),
    );
    Ok(diesel::sql_query(sql)
        .bind::<Nullable<Timestamptz>, _>(from)
        .bind::<Nullable<Timestamptz>, _>(to)
        .get_result(conn)?)
}

/// Failed connections of one reason.
#[derive(Debug, Serialize, QueryableByName, ToSchema)]
pub struct FailureCount {
    #[diesel(sql_type = Text)]
    #[schema(value_type = FailureReason)]
    pub reason: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// Failure reasons of connections opened in `[from, to)`, most frequent first.
pub fn failures(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<FailureCount>, ApiError> {
    let sql = format!(
        "SELECT c.failure_reason AS reason, count(*) AS count FROM connections c
         WHERE c.status = 'failed' AND {PERIOD} GROUP BY c.failure_reason ORDER BY count DESC, reason"
    );
    Ok(diesel::sql_query(sql).bind::<Nullable<Timestamptz>, _>(from).bind::<Nullable<Timestamptz>, _>(to).load(conn)?)
}

/// Contracts that count: how many, their total value and their 技术交易额, in fen.
#[derive(Debug, Serialize, QueryableByName, ToSchema)]
pub struct ContractSum {
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    /// Sum of contract totals in fen (0.01 CNY).
    #[diesel(sql_type = BigInt)]
    pub amount_fen: i64,
    /// Sum of 技术交易额 in fen.
    #[diesel(sql_type = BigInt)]
    pub technical_fen: i64,
}

/// Signed contracts of one industry.
#[derive(Debug, Serialize, QueryableByName, ToSchema)]
pub struct IndustryContracts {
    #[diesel(sql_type = Text)]
    #[schema(value_type = IndustryCode)]
    pub industry: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    #[diesel(sql_type = BigInt)]
    pub amount_fen: i64,
    /// Sum of 技术交易额 in fen.
    #[diesel(sql_type = BigInt)]
    pub technical_fen: i64,
}

/// Signed contracts of one period (month, quarter or year starting on `period_start`).
#[derive(Debug, Serialize, QueryableByName, ToSchema)]
pub struct PeriodContracts {
    #[diesel(sql_type = Date)]
    pub period_start: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    #[diesel(sql_type = BigInt)]
    pub amount_fen: i64,
    /// Sum of 技术交易额 in fen.
    #[diesel(sql_type = BigInt)]
    pub technical_fen: i64,
}

/// Signed contracts brought by one broker (`null`: no broker).
#[derive(Debug, Serialize, QueryableByName, ToSchema)]
pub struct BrokerContracts {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub broker_id: Option<Uuid>,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    #[diesel(sql_type = BigInt)]
    pub amount_fen: i64,
    /// Sum of 技术交易额 in fen.
    #[diesel(sql_type = BigInt)]
    pub technical_fen: i64,
}

/// Contracts that count, signed (`signed_on`) in `[from, to)`, with their industries.
const SIGNED: &str = "WITH signed AS (
    SELECT c.id, k.total_fen AS amount, k.technical_fen AS technical, c.broker_id, k.signed_on,
           d.industries || s.industries AS industries
    FROM contracts k JOIN connections c ON c.id = k.connection_id
    JOIN demands d ON d.id = c.demand_id JOIN supplies s ON s.id = c.supply_id
    WHERE k.status NOT IN ('proposed', 'disputed') AND k.review IN ('not_required', 'approved')
      AND ($1::timestamptz IS NULL OR k.signed_on >= ($1 AT TIME ZONE 'UTC')::date)
      AND ($2::timestamptz IS NULL OR k.signed_on < ($2 AT TIME ZONE 'UTC')::date))";

/// Signed contracts in total, by industry, by period and by broker.
pub struct Contracts {
    pub total: ContractSum,
    pub by_industry: Vec<IndustryContracts>,
    pub by_period: Vec<PeriodContracts>,
    pub by_broker: Vec<BrokerContracts>,
}

/// The contract figures; `period` is `month`, `quarter` or `year` (checked by the caller).
pub fn contracts(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    period: &str,
) -> Result<Contracts, ApiError> {
    // sum(bigint) is numeric: capped at i64::MAX so that absurd totals (10 000 contracts at the
    // largest amount) saturate instead of failing the cast.
    let sum = "count(*) AS count, least(coalesce(sum(amount), 0), 9223372036854775807)::bigint AS amount_fen,
               least(coalesce(sum(technical), 0), 9223372036854775807)::bigint AS technical_fen";
    let total = diesel::sql_query(format!("{SIGNED} SELECT {sum} FROM signed"))
        .bind::<Nullable<Timestamptz>, _>(from)
        .bind::<Nullable<Timestamptz>, _>(to)
        .get_result(conn)?;
    let by_industry = diesel::sql_query(format!(
        "{SIGNED} SELECT i.code AS industry, {sum} FROM signed JOIN industries i ON i.code = ANY (signed.industries)
         GROUP BY i.code, i.position ORDER BY i.position"
    ))
    .bind::<Nullable<Timestamptz>, _>(from)
    .bind::<Nullable<Timestamptz>, _>(to)
    .load(conn)?;
    let by_period = diesel::sql_query(format!(
        "{SIGNED} SELECT date_trunc($3, signed_on)::date AS period_start, {sum} FROM signed
         GROUP BY 1 ORDER BY 1"
    ))
    .bind::<Nullable<Timestamptz>, _>(from)
    .bind::<Nullable<Timestamptz>, _>(to)
    .bind::<Text, _>(period)
    .load(conn)?;
    let by_broker = diesel::sql_query(format!(
        "{SIGNED} SELECT broker_id, {sum} FROM signed GROUP BY broker_id ORDER BY amount_fen DESC, broker_id NULLS LAST"
    ))
    .bind::<Nullable<Timestamptz>, _>(from)
    .bind::<Nullable<Timestamptz>, _>(to)
    .load(conn)?;
    Ok(Contracts { total, by_industry, by_period, by_broker })
}

/// Review and expiry figures of listings: decisions taken, expiries and renewals in a period,
/// and what waits for review now.
#[derive(Debug, Serialize, QueryableByName, ToSchema)]
pub struct LifecycleCounts {
    /// Listings waiting for review now (both kinds).
    #[diesel(sql_type = BigInt)]
    pub pending_review: i64,
    /// Review decisions `approve` in the period.
    #[diesel(sql_type = BigInt)]
    pub approved: i64,
    /// Review decisions `reject` in the period.
    #[diesel(sql_type = BigInt)]
    pub rejected: i64,
    /// Review decisions `request_changes` in the period.
    #[diesel(sql_type = BigInt)]
    pub changes_requested: i64,
    /// Median hours from submission to decision of the decisions in the period (review
    /// turnaround); `null` when there is none.
    #[diesel(sql_type = Nullable<Double>)]
    pub median_review_hours: Option<f64>,
    /// Listings that expired (left the market at their expiry) in the period.
    #[diesel(sql_type = BigInt)]
    pub expired: i64,
    /// Expired listings renewed by their owners in the period.
    #[diesel(sql_type = BigInt)]
    pub renewed: i64,
    /// Listings on the market their owners confirmed still available in the period.
    #[diesel(sql_type = BigInt)]
    pub confirmed: i64,
}

/// The lifecycle figures of events in `[from, to)` (`listing_events`, stamped by the lifecycle clock).
pub fn lifecycle(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<LifecycleCounts, ApiError> {
    let sql = "WITH e AS (SELECT * FROM listing_events e
                 WHERE ($1::timestamptz IS NULL OR e.created_at >= $1) AND ($2::timestamptz IS NULL OR e.created_at < $2))
         SELECT (SELECT count(*) FROM supplies WHERE status = 'pending_review')
                + (SELECT count(*) FROM demands WHERE status = 'pending_review') AS pending_review,
                (SELECT count(*) FROM e WHERE event = 'approved') AS approved,
                (SELECT count(*) FROM e WHERE event = 'rejected') AS rejected,
                (SELECT count(*) FROM e WHERE event = 'changes_requested') AS changes_requested,
                (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.created_at - e.submitted_at)::float8 / 3600.0)
                   FROM e WHERE event IN ('approved', 'rejected', 'changes_requested') AND submitted_at IS NOT NULL)
                  AS median_review_hours,
                (SELECT count(*) FROM e WHERE event = 'expired') AS expired,
                (SELECT count(*) FROM e WHERE event = 'renewed') AS renewed,
                (SELECT count(*) FROM e WHERE event = 'confirmed') AS confirmed";
    Ok(diesel::sql_query(sql)
        .bind::<Nullable<Timestamptz>, _>(from)
        .bind::<Nullable<Timestamptz>, _>(to)
        .get_result(conn)?)
}

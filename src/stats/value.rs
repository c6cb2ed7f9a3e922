//! The department's value views: contracts that count (by `signed_on`) and their confirmed
//! receipts (到账, by day of receipt) in a period, grouped by industry, period, region and kind
//! of each side, broker and agency; and the funnel from connection to paid contract.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamptz};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// Contracts and receipts of one group.
#[derive(Debug, Clone, Serialize, QueryableByName, ToSchema)]
pub struct ValueRow {
    /// The group: an industry code, a period's first day, a region, an organisation kind, a
    /// broker's or an agency's id; `null` when the record has none (no broker, no region).
    #[diesel(sql_type = Nullable<Text>)]
    pub key: Option<String>,
    /// Contracts that count, signed in the period.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    /// Their totals, in fen.
    #[diesel(sql_type = BigInt)]
    pub amount_fen: i64,
    /// Their 技术交易额, in fen.
    #[diesel(sql_type = BigInt)]
    pub technical_fen: i64,
    /// 到账: receipts of contracts that count, confirmed by the buyer side, received in the
    /// period (whenever the contract was signed), in fen.
    #[diesel(sql_type = BigInt)]
    pub received_fen: i64,
}

/// The groupings of [`ValueStats`] (fixed SQL fragments, never user input).
#[derive(Debug, Clone, Copy)]
pub enum Grouping {
    Total,
    Industry,
    Period,
    SellerRegion,
    BuyerRegion,
    SellerKind,
    BuyerKind,
    Broker,
    Agency,
}

impl Grouping {
    /// The key source, laterally joined to a row `x`.
    fn source(self) -> &'static str {
        match self {
            Grouping::Total => "(SELECT NULL::text)",
            Grouping::Industry => "unnest(x.industries)",
            Grouping::Period => "(SELECT to_char(date_trunc($3, x.day), 'YYYY-MM-DD'))",
            Grouping::SellerRegion => "(SELECT x.seller_region)",
            Grouping::BuyerRegion => "(SELECT x.buyer_region)",
            Grouping::SellerKind => "(SELECT x.seller_kind)",
            Grouping::BuyerKind => "(SELECT x.buyer_kind)",
            Grouping::Broker => "(SELECT x.broker_id::text)",
            Grouping::Agency => "(SELECT x.agency_id::text)",
        }
    }

    /// The order of the groups: the period in time, industries in taxonomy order, the rest by
    /// value.
    fn order(self) -> &'static str {
        match self {
            Grouping::Period => "key",
            Grouping::Industry => "(SELECT position FROM industries WHERE code = key)",
            _ => "amount_fen DESC, received_fen DESC, key NULLS LAST",
        }
    }
}

const COUNTED_CONTRACTS: &str = "WITH k AS (
    SELECT k.id, k.total_fen, k.technical_fen, k.signed_on, c.broker_id, bu.organization_id AS agency_id,
           ARRAY(SELECT DISTINCT unnest(d.industries || s.industries)) AS industries,
           bo.region AS buyer_region, so.region AS seller_region,
           bo.kind AS buyer_kind, so.kind AS seller_kind
    FROM contracts k JOIN connections c ON c.id = k.connection_id
    JOIN demands d ON d.id = c.demand_id JOIN supplies s ON s.id = c.supply_id
    JOIN organizations bo ON bo.id = d.organization_id JOIN organizations so ON so.id = s.organization_id
    LEFT JOIN users bu ON bu.id = c.broker_id
    WHERE k.status NOT IN ('proposed', 'disputed') AND k.review IN ('not_required', 'approved')),
  signed AS (SELECT k.*, k.signed_on AS day FROM k
    WHERE ($1::date IS NULL OR k.signed_on >= $1) AND ($2::date IS NULL OR k.signed_on <= $2)),
  received AS (SELECT k.*, p.received_on AS day, p.received_fen FROM k
    JOIN contract_payments p ON p.contract_id = k.id AND p.status = 'confirmed'
    WHERE ($1::date IS NULL OR p.received_on >= $1) AND ($2::date IS NULL OR p.received_on <= $2))";

/// The rows of one grouping for `[from, to]` (days, both included); `period` is `month`,
/// `quarter` or `year` (checked by the caller).
pub fn grouped(
    conn: &mut PgConnection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    period: &str,
    grouping: Grouping,
) -> Result<Vec<ValueRow>, ApiError> {
    let cap = |e: &str| format!("least(coalesce(sum({e}), 0), 9223372036854775807)::bigint");
    let sql = format!(
        "{COUNTED_CONTRACTS}
         SELECT key, sum(count)::bigint AS count, {amount} AS amount_fen, {technical} AS technical_fen,
                {received} AS received_fen
         FROM (SELECT g.key, 1 AS count, x.total_fen AS amount, x.technical_fen AS technical, 0::bigint AS got
                 FROM signed x CROSS JOIN LATERAL {source} AS g(key)
               UNION ALL
               SELECT g.key, 0, 0, 0, x.received_fen FROM received x CROSS JOIN LATERAL {source} AS g(key)) v
         GROUP BY key ORDER BY {order}",
        amount = cap("amount"),
        technical = cap("technical"),
        received = cap("got"),
        source = grouping.source(),
        order = grouping.order(),
    );
    let mut rows: Vec<ValueRow> = diesel::sql_query(sql)
        .bind::<Nullable<Date>, _>(from)
        .bind::<Nullable<Date>, _>(to)
        .bind::<Text, _>(period)
        .load(conn)?;
    if matches!(grouping, Grouping::Total) && rows.is_empty() {
        rows.push(ValueRow { key: None, count: 0, amount_fen: 0, technical_fen: 0, received_fen: 0 });
    }
    Ok(rows)
}

/// Connections opened in a period and how far they got: from a match, a contract both sides
/// confirmed, one that counts, registered, paid (a confirmed receipt).
#[derive(Debug, Clone, Serialize, QueryableByName, ToSchema)]
pub struct ContractFunnel {
    /// Connections opened in the period.
    #[diesel(sql_type = BigInt)]
    pub connections: i64,
    /// Of those, opened on a pair the matcher had scored (matches shown are not stored, so this
    /// is the "match" stage as far as the records go).
    #[diesel(sql_type = BigInt)]
    pub from_match: i64,
    /// With a contract both sides confirmed.
    #[diesel(sql_type = BigInt)]
    pub contracts: i64,
    /// With a contract that counts (review cleared).
    #[diesel(sql_type = BigInt)]
    pub counted: i64,
    /// With a counted contract registered (技术合同登记号 recorded).
    #[diesel(sql_type = BigInt)]
    pub registered: i64,
    /// With a counted contract that has at least one confirmed receipt.
    #[diesel(sql_type = BigInt)]
    pub paid: i64,
}

/// The funnel of connections opened in `[from, to)`.
pub fn funnel(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<ContractFunnel, ApiError> {
    let counted = "k.status NOT IN ('proposed', 'disputed') AND k.review IN ('not_required', 'approved')";
    let sql = format!(
        "SELECT count(*) AS connections,
                count(*) FILTER (WHERE c.match_score IS NOT NULL) AS from_match,
                count(k.id) FILTER (WHERE k.status NOT IN ('proposed', 'disputed')) AS contracts,
                count(k.id) FILTER (WHERE {counted}) AS counted,
                count(k.id) FILTER (WHERE {counted} AND k.registration_no IS NOT NULL) AS registered,
                count(k.id) FILTER (WHERE {counted} AND EXISTS (SELECT 1 FROM contract_payments p
                    WHERE p.contract_id = k.id AND p.status = 'confirmed')) AS paid
         FROM connections c LEFT JOIN contracts k ON k.connection_id = c.id
         WHERE ($1::timestamptz IS NULL OR c.created_at >= $1) AND ($2::timestamptz IS NULL OR c.created_at < $2)"
    );
    Ok(diesel::sql_query(sql)
        .bind::<Nullable<Timestamptz>, _>(from)
        .bind::<Nullable<Timestamptz>, _>(to)
        .get_result(conn)?)
}

/// Every view of [`ValueStats`].
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ValueStats {
    pub total: ValueRow,
    pub by_industry: Vec<ValueRow>,
    pub by_period: Vec<ValueRow>,
    /// By the region of the supply's organisation (技术输出方).
    pub by_seller_region: Vec<ValueRow>,
    /// By the region of the demand's organisation (技术吸纳方).
    pub by_buyer_region: Vec<ValueRow>,
    /// By the kind of the supply's organisation (university, institute, enterprise …).
    pub by_seller_kind: Vec<ValueRow>,
    pub by_buyer_kind: Vec<ValueRow>,
    /// By the connection's broker (`null`: none).
    pub by_broker: Vec<ValueRow>,
    /// By the broker's organisation (`null`: no broker).
    pub by_agency: Vec<ValueRow>,
    pub funnel: ContractFunnel,
}

/// All the views for `[from, to]` (days) and the funnel of connections opened then.
pub fn all(
    conn: &mut PgConnection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    period: &str,
) -> Result<ValueStats, ApiError> {
    let mut g = |grouping| grouped(conn, from, to, period, grouping);
    let total = g(Grouping::Total)?.into_iter().next().unwrap_or(ValueRow {
        key: None,
        count: 0,
        amount_fen: 0,
        technical_fen: 0,
        received_fen: 0,
    });
    let (by_industry, by_period) = (g(Grouping::Industry)?, g(Grouping::Period)?);
    let (by_seller_region, by_buyer_region) = (g(Grouping::SellerRegion)?, g(Grouping::BuyerRegion)?);
    let (by_seller_kind, by_buyer_kind) = (g(Grouping::SellerKind)?, g(Grouping::BuyerKind)?);
    let (by_broker, by_agency) = (g(Grouping::Broker)?, g(Grouping::Agency)?);
    let start = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
    let funnel = funnel(conn, from.map(start), to.map(|d| start(d) + chrono::Duration::days(1)))?;
    Ok(ValueStats {
        total,
        by_industry,
        by_period,
        by_seller_region,
        by_buyer_region,
        by_seller_kind,
        by_buyer_kind,
        by_broker,
        by_agency,
        funnel,
    })
}

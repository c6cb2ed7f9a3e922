//! The challenge funnel of the statistics (issue 15, item 3): challenges collected (created in
//! the period) → published (opened after screening) → applications (not withdrawn) → awarded
//! (winning applications) → signed (their connections that reached a signed contract), with the
//! value of each stage in fen; overall, by industry of the challenge's demand (a demand of
//! several industries counts in each) and by period of creation.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// One row of the funnel.
#[derive(Debug, Clone, Serialize, QueryableByName, ToSchema)]
pub struct ChallengeFunnel {
    /// `all`, an industry code, or a period (`2026-11`, `2026-Q4`, `2026`).
    #[diesel(sql_type = Text)]
    pub key: String,
    /// Challenges created (needs collected, 征集).
    #[diesel(sql_type = BigInt)]
    pub collected: i64,
    /// Challenges published after screening (opened at some point).
    #[diesel(sql_type = BigInt)]
    pub published: i64,
    /// The rewards of the published challenges, in fen.
    #[diesel(sql_type = BigInt)]
    pub published_reward_fen: i64,
    /// Applications (揭榜方案) not withdrawn.
    #[diesel(sql_type = BigInt)]
    pub applications: i64,
    /// Winning applications.
    #[diesel(sql_type = BigInt)]
    pub awarded: i64,
    /// The prices of the winning applications, in fen.
    #[diesel(sql_type = BigInt)]
    pub awarded_fen: i64,
    /// Winners' connections with a signed contract.
    #[diesel(sql_type = BigInt)]
    pub signed: i64,
    /// Their contract totals, in fen.
    #[diesel(sql_type = BigInt)]
    pub signed_fen: i64,
}

/// The funnel overall, by industry and by period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeStats {
    pub total: ChallengeFunnel,
    pub by_industry: Vec<ChallengeFunnel>,
    pub by_period: Vec<ChallengeFunnel>,
}

/// The grouping key of each query: overall, by industry, by period bucket.
fn key_sql(grouping: &str, bucket: &str) -> String {
    match grouping {
        "industry" => "unnest(ch.industries)".into(),
        "period" => match bucket {
            "quarter" => "to_char(date_trunc('quarter', ch.created_at AT TIME ZONE 'UTC'), 'YYYY-\"Q\"Q')".into(),
            "year" => "to_char(date_trunc('year', ch.created_at AT TIME ZONE 'UTC'), 'YYYY')".into(),
            _ => "to_char(date_trunc('month', ch.created_at AT TIME ZONE 'UTC'), 'YYYY-MM')".into(),
        },
        _ => "'all'".into(),
    }
}

fn funnel(
    conn: &mut PgConnection,
    grouping: &str,
    bucket: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<ChallengeFunnel>, ApiError> {
    let key = key_sql(grouping, bucket);
    let sql = format!(
        "WITH ch AS (
            SELECT c.id, c.created_at, c.opened_at, c.reward_fen, d.industries
            FROM challenges c JOIN demands d ON d.id = c.demand_id
            WHERE ($1 IS NULL OR c.created_at >= $1) AND ($2 IS NULL OR c.created_at < $2)
        ), a AS (
            SELECT challenge_id,
                   count(*) FILTER (WHERE status <> 'withdrawn') AS applications,
                   count(*) FILTER (WHERE status = 'awarded') AS awarded,
                   COALESCE(sum(price_fen) FILTER (WHERE status = 'awarded'), 0) AS awarded_fen
            FROM challenge_applications GROUP BY challenge_id
        ), s AS (
            SELECT challenge_id, count(*) AS signed, COALESCE(sum(contract_amount_fen), 0) AS signed_fen
            FROM connections WHERE challenge_id IS NOT NULL AND status = 'signed' GROUP BY challenge_id
        ), keyed AS (
            SELECT {key} AS key, ch.* FROM ch
        )
        SELECT k.key AS key,
               count(*)::bigint AS collected,
               count(*) FILTER (WHERE k.opened_at IS NOT NULL)::bigint AS published,
               COALESCE(sum(k.reward_fen) FILTER (WHERE k.opened_at IS NOT NULL), 0)::bigint AS published_reward_fen,
               COALESCE(sum(a.applications), 0)::bigint AS applications,
               COALESCE(sum(a.awarded), 0)::bigint AS awarded,
               COALESCE(sum(a.awarded_fen), 0)::bigint AS awarded_fen,
               COALESCE(sum(s.signed), 0)::bigint AS signed,
               COALESCE(sum(s.signed_fen), 0)::bigint AS signed_fen
        FROM keyed k LEFT JOIN a ON a.challenge_id = k.id LEFT JOIN s ON s.challenge_id = k.id
        GROUP BY k.key ORDER BY k.key"
    );
    Ok(diesel::sql_query(sql).bind::<Nullable<Timestamptz>, _>(from).bind::<Nullable<Timestamptz>, _>(to).load(conn)?)
}

/// The funnel of the challenges created in `[from, to)`, periods bucketed by `bucket`
/// (`month`, `quarter`, `year`).
pub fn stats(
    conn: &mut PgConnection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    bucket: &str,
) -> Result<ChallengeStats, ApiError> {
    let total = funnel(conn, "all", bucket, from, to)?.pop().unwrap_or(ChallengeFunnel {
        key: "all".into(),
        collected: 0,
        published: 0,
        published_reward_fen: 0,
        applications: 0,
        awarded: 0,
        awarded_fen: 0,
        signed: 0,
        signed_fen: 0,
    });
    Ok(ChallengeStats {
        total,
        by_industry: funnel(conn, "industry", bucket, from, to)?,
        by_period: funnel(conn, "period", bucket, from, to)?,
    })
}

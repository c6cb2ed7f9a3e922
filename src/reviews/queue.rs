//! The review queue's query: pending supplies and demands together, filtered by kind, industry,
//! organisation and age, oldest submission first.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{demands, organizations, supplies};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::listing::completeness::Completeness;
use crate::listing::view::completeness_of;
use crate::pagination::PageRequest;
use crate::supplies::model::Supply;
use crate::vocab::{DemandStatus, ListingKind, SupplyStatus};

/// The checked filters of the queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub kind: Option<ListingKind>,
    /// Industry codes: a listing matches when it carries any of them (none: no filter).
    pub industries: Vec<String>,
    pub organization_id: Option<Uuid>,
    /// Only listings waiting at least this long.
    pub min_age: Option<Duration>,
    /// Only listings waiting at most this long.
    pub max_age: Option<Duration>,
}

/// A pending listing of either kind.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PendingListing {
    Supply(Supply),
    Demand(Demand),
}

/// One listing in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItem {
    /// `supply` or `demand`: decide at `/api/v1/supplies/{id}/review` or `/api/v1/demands/{id}/review`.
    pub kind: ListingKind,
    pub organization_name: String,
    /// When its review began.
    pub submitted_at: DateTime<Utc>,
    /// Hours it has waited, by the server's clock.
    pub waiting_hours: f64,
    /// What buyers ask for that it does not state (advice for the reviewer and the owner).
    pub completeness: Completeness,
    pub listing: PendingListing,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

const PENDING: &str = "SELECT 'supply' AS kind, id, submitted_at, organization_id, industries FROM supplies
        WHERE status = 'pending_review'
    UNION ALL
    SELECT 'demand', id, submitted_at, organization_id, industries FROM demands WHERE status = 'pending_review'";

const WHERE: &str = "($1::text IS NULL OR q.kind = $1) AND (cardinality($2::text[]) = 0 OR q.industries && $2)
    AND ($3::uuid IS NULL OR q.organization_id = $3)
    AND ($4::timestamptz IS NULL OR q.submitted_at <= $4) AND ($5::timestamptz IS NULL OR q.submitted_at >= $5)";

/// One page of the queue at `now` and its total: oldest submission first.
pub fn page(
    conn: &mut PgConnection,
    filter: &QueueFilter,
    page: PageRequest,
    now: DateTime<Utc>,
) -> Result<(Vec<QueueItem>, i64), ApiError> {
    let kind = filter.kind.map(|k| k.as_str().to_string());
    let submitted_before = filter.min_age.map(|age| now - age);
    let submitted_after = filter.max_age.map(|age| now - age);
    let total = diesel::sql_query(format!("SELECT count(*) AS total FROM ({PENDING}) q WHERE {WHERE}"))
        .bind::<Nullable<Text>, _>(kind.clone())
        .bind::<Array<Text>, _>(&filter.industries)
        .bind::<Nullable<SqlUuid>, _>(filter.organization_id)
        .bind::<Nullable<Timestamptz>, _>(submitted_before)
        .bind::<Nullable<Timestamptz>, _>(submitted_after)
        .get_result::<Count>(conn)?
        .total;
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT q.kind, q.id FROM ({PENDING}) q WHERE {WHERE}
         ORDER BY q.submitted_at NULLS FIRST, q.id OFFSET $6 LIMIT $7"
    ))
    .bind::<Nullable<Text>, _>(kind)
    .bind::<Array<Text>, _>(&filter.industries)
    .bind::<Nullable<SqlUuid>, _>(filter.organization_id)
    .bind::<Nullable<Timestamptz>, _>(submitted_before)
    .bind::<Nullable<Timestamptz>, _>(submitted_after)
    .bind::<BigInt, _>(page.offset())
    .bind::<BigInt, _>(page.limit())
    .load(conn)?;
    let supply_ids: Vec<Uuid> = rows.iter().filter(|r| r.kind == "supply").map(|r| r.id).collect();
    let demand_ids: Vec<Uuid> = rows.iter().filter(|r| r.kind == "demand").map(|r| r.id).collect();
    let mut found_supplies: Vec<Supply> = supplies::table
        .filter(supplies::id.eq_any(&supply_ids))
        .filter(supplies::status.eq(SupplyStatus::PendingReview))
        .select(Supply::as_select())
        .load(conn)?;
    let mut found_demands: Vec<Demand> = demands::table
        .filter(demands::id.eq_any(&demand_ids))
        .filter(demands::status.eq(DemandStatus::PendingReview))
        .select(Demand::as_select())
        .load(conn)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let listing = if row.kind == "supply" {
            let Some(at) = found_supplies.iter().position(|s| s.id == row.id) else { continue };
            PendingListing::Supply(found_supplies.swap_remove(at))
        } else {
            let Some(at) = found_demands.iter().position(|d| d.id == row.id) else { continue };
            PendingListing::Demand(found_demands.swap_remove(at))
        };
        items.push(item(conn, listing, now)?);
    }
    Ok((items, total))
}

fn item(conn: &mut PgConnection, listing: PendingListing, now: DateTime<Utc>) -> Result<QueueItem, ApiError> {
    let (kind, organization_id, submitted_at, completeness) = match &listing {
        PendingListing::Supply(s) => {
            (ListingKind::Supply, s.organization_id, s.submitted_at, completeness_of(conn, s)?)
        }
        PendingListing::Demand(d) => {
            (ListingKind::Demand, d.organization_id, d.submitted_at, completeness_of(conn, d)?)
        }
    };
    let organization_name: String =
        organizations::table.find(organization_id).select(organizations::name).first(conn)?;
    let submitted_at = submitted_at.unwrap_or(now);
    let waiting_hours = ((now - submitted_at).num_minutes() as f64 / 60.0 * 10.0).round() / 10.0;
    Ok(QueueItem { kind, organization_name, submitted_at, waiting_hours, completeness, listing })
}

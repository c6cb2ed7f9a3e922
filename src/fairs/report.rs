//! The event report (one event: registrations → pairs → mutual interest → meetings held →
//! intents signed → contracts signed from the event's connections within N days of its end) and
//! the event funnel of the statistics (`GET /stats/events`: the same figures summed over the
//! events starting in a period, in total, by theme industry and by month). A contract counts as in the
//! other statistics: confirmed by both sides and its review cleared.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Timestamptz, Uuid as SqlUuid};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::lifecycle::managed;
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;

/// The funnel figures of one event or a set of events.
#[derive(Debug, Clone, Default, Serialize, QueryableByName, ToSchema)]
pub struct EventFunnel {
    /// Events counted (1 in an event's report).
    #[diesel(sql_type = BigInt)]
    pub events: i64,
    /// Registered organisations.
    #[diesel(sql_type = BigInt)]
    pub registrations: i64,
    /// Registered organisations that checked in.
    #[diesel(sql_type = BigInt)]
    pub checked_in: i64,
    #[diesel(sql_type = BigInt)]
    pub supplies_registered: i64,
    #[diesel(sql_type = BigInt)]
    pub demands_registered: i64,
    /// Pairs the engine proposed.
    #[diesel(sql_type = BigInt)]
    pub pairs_proposed: i64,
    /// Pairs both sides are interested in.
    #[diesel(sql_type = BigInt)]
    pub mutual_interests: i64,
    /// Meetings requested (by mutual interest), in any status.
    #[diesel(sql_type = BigInt)]
    pub meetings_requested: i64,
    /// Meetings scheduled or held.
    #[diesel(sql_type = BigInt)]
    pub meetings_scheduled: i64,
    #[diesel(sql_type = BigInt)]
    pub meetings_held: i64,
    #[diesel(sql_type = BigInt)]
    pub roadshows: i64,
    /// Intent agreements (意向协议) signed.
    #[diesel(sql_type = BigInt)]
    pub intents_signed: i64,
    /// Sum of the intents' stated amounts, fen.
    #[diesel(sql_type = BigInt)]
    pub intent_amount_fen: i64,
    /// Connections attributed to the event.
    #[diesel(sql_type = BigInt)]
    pub connections: i64,
    /// Contracts of those connections signed by the event's end plus `within_days` (counted:
    /// confirmed by both sides, review cleared).
    #[diesel(sql_type = BigInt)]
    pub contracts_signed: i64,
    /// Their total, fen.
    #[diesel(sql_type = BigInt)]
    pub contract_amount_fen: i64,
}

impl EventFunnel {
    fn add(&mut self, o: &EventFunnel) {
        self.events += o.events;
        self.registrations += o.registrations;
        self.checked_in += o.checked_in;
        self.supplies_registered += o.supplies_registered;
        self.demands_registered += o.demands_registered;
        self.pairs_proposed += o.pairs_proposed;
        self.mutual_interests += o.mutual_interests;
        self.meetings_requested += o.meetings_requested;
        self.meetings_scheduled += o.meetings_scheduled;
        self.meetings_held += o.meetings_held;
        self.roadshows += o.roadshows;
        self.intents_signed += o.intents_signed;
        self.intent_amount_fen += o.intent_amount_fen;
        self.connections += o.connections;
        self.contracts_signed += o.contracts_signed;
        self.contract_amount_fen += o.contract_amount_fen;
    }
}

/// An event's report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventReport {
    pub event_id: Uuid,
    /// Contracts count when signed by the event's end plus this many days.
    pub within_days: i64,
    #[serde(flatten)]
    pub funnel: EventFunnel,
}

/// The funnel of one industry in the statistics.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndustryFunnel {
    /// A theme industry's code.
    #[schema(value_type = crate::spec::IndustryCode)]
    pub code: String,
    pub name_zh: String,
    #[serde(flatten)]
    pub funnel: EventFunnel,
}

/// The funnel of the events starting in one month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodFunnel {
    /// The month, `YYYY-MM` (UTC).
    #[schema(example = "2026-12")]
    pub period: String,
    #[serde(flatten)]
    pub funnel: EventFunnel,
}

/// `GET /stats/events`: the funnel in total, by theme industry (an event counts in each of its
/// theme industries, so the rows may add up to more than the total) and by month of the start.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventStats {
    pub within_days: i64,
    pub total: EventFunnel,
    pub by_industry: Vec<IndustryFunnel>,
    pub by_month: Vec<PeriodFunnel>,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(embed)]
    funnel: EventFunnel,
}

/// The per-event funnel of the events `ids` (all non-draft events starting in `[from, to)` when
/// `ids` is `None`).
fn per_event(
    conn: &mut PgConnection,
    id: Option<Uuid>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    within_days: i64,
) -> Result<Vec<(Uuid, EventFunnel)>, ApiError> {
    let sql = "SELECT e.id, 1::int8 AS events,
        (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id) AS registrations,
        (SELECT count(*) FROM event_registrations r WHERE r.event_id = e.id AND r.checked_in_at IS NOT NULL) AS checked_in,
        (SELECT count(*) FROM event_registration_listings l WHERE l.event_id = e.id AND l.listing_kind = 'supply') AS supplies_registered,
        (SELECT count(*) FROM event_registration_listings l WHERE l.event_id = e.id AND l.listing_kind = 'demand') AS demands_registered,
        (SELECT count(*) FROM event_pairs p WHERE p.event_id = e.id) AS pairs_proposed,
        (SELECT count(*) FROM event_pairs p WHERE p.event_id = e.id AND p.demand_interest AND p.supply_interest) AS mutual_interests,
        (SELECT count(*) FROM event_meetings m WHERE m.event_id = e.id) AS meetings_requested,
        (SELECT count(*) FROM event_meetings m WHERE m.event_id = e.id AND m.status IN ('scheduled', 'held')) AS meetings_scheduled,
        (SELECT count(*) FROM event_meetings m WHERE m.event_id = e.id AND m.status = 'held') AS meetings_held,
        (SELECT count(*) FROM event_roadshows o WHERE o.event_id = e.id) AS roadshows,
        (SELECT count(*) FROM event_pairs p WHERE p.event_id = e.id AND p.intent_at IS NOT NULL) AS intents_signed,
        (SELECT coalesce(sum(p.intent_amount_fen), 0)::int8 FROM event_pairs p WHERE p.event_id = e.id) AS intent_amount_fen,
        (SELECT count(*) FROM connections c WHERE c.event_id = e.id) AS connections,
        (SELECT count(*) FROM connections c JOIN contracts k ON k.connection_id = c.id
           WHERE c.event_id = e.id AND k.status NOT IN ('proposed', 'disputed') AND k.review IN ('not_required', 'approved')
             AND k.signed_on <= (e.ends_at AT TIME ZONE 'UTC')::date + $4::int) AS contracts_signed,
        (SELECT coalesce(sum(k.total_fen), 0)::int8 FROM connections c JOIN contracts k ON k.connection_id = c.id
           WHERE c.event_id = e.id AND k.status NOT IN ('proposed', 'disputed') AND k.review IN ('not_required', 'approved')
             AND k.signed_on <= (e.ends_at AT TIME ZONE 'UTC')::date + $4::int) AS contract_amount_fen
      FROM events e
      WHERE ($1::uuid IS NULL AND e.status <> 'draft' OR e.id = $1)
        AND ($2::timestamptz IS NULL OR e.starts_at >= $2) AND ($3::timestamptz IS NULL OR e.starts_at < $3)
      ORDER BY e.starts_at, e.id";
    let rows: Vec<Row> = diesel::sql_query(sql)
        .bind::<Nullable<SqlUuid>, _>(id)
        .bind::<Nullable<Timestamptz>, _>(from)
        .bind::<Nullable<Timestamptz>, _>(to)
        .bind::<BigInt, _>(within_days)
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.id, r.funnel)).collect())
}

/// An event's report (organiser or admin).
pub fn event_report(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    within_days: i64,
) -> Result<EventReport, ApiError> {
    managed(conn, caller, event_id)?;
    let funnel = per_event(conn, Some(event_id), None, None, within_days)?.pop().map(|r| r.1).unwrap_or_default();
    Ok(EventReport { event_id, within_days, funnel })
}

/// The event funnel of the events starting in `[from, to)`, in total and by theme industry.
pub fn stats(
    conn: &mut PgConnection,
    taxonomy: &Taxonomy,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    within_days: i64,
) -> Result<EventStats, ApiError> {
    use crate::db::schema::events;
    let rows = per_event(conn, None, from, to, within_days)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let facts: std::collections::HashMap<Uuid, (Vec<String>, DateTime<Utc>)> = events::table
        .filter(events::id.eq_any(&ids))
        .select((events::id, events::industries, events::starts_at))
        .load::<(Uuid, Vec<String>, DateTime<Utc>)>(conn)?
        .into_iter()
        .map(|(id, industries, starts)| (id, (industries, starts)))
        .collect();
    let mut by_month: Vec<PeriodFunnel> = Vec::new();
    let mut total = EventFunnel::default();
    let mut by_industry: Vec<IndustryFunnel> = Vec::new();
    for (id, funnel) in &rows {
        total.add(funnel);
        let Some((industries, starts)) = facts.get(id) else { continue };
        let period = starts.format("%Y-%m").to_string();
        match by_month.iter_mut().find(|p| p.period == period) {
            Some(row) => row.funnel.add(funnel),
            None => by_month.push(PeriodFunnel { period, funnel: funnel.clone() }),
        }
        for code in industries {
            match by_industry.iter_mut().find(|i| &i.code == code) {
                Some(row) => row.funnel.add(funnel),
                None => by_industry.push(IndustryFunnel {
                    code: code.clone(),
                    name_zh: taxonomy.get(code).map(|i| i.name_zh.clone()).unwrap_or_default(),
                    funnel: funnel.clone(),
                }),
            }
        }
    }
    let position = |code: &str| taxonomy.industries.iter().position(|i| i.code == code).unwrap_or(usize::MAX);
    by_industry.sort_by_key(|i| position(&i.code));
    Ok(EventStats { within_days, total, by_industry, by_month })
}

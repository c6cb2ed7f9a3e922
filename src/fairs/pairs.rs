//! Pairs proposed by the engine among an event's registered listings, and each side's interest.
//!
//! - Proposing (organiser or admin, before the event: `registration_open` or
//!   `registration_closed`): for each registered demand on the market, the engine ranks the
//!   supplies ([`crate::matches`]) and the best `per_demand` registered supplies of other
//!   organisations scoring at least `min_score` become pairs, each with the engine's explanation
//!   and its Chinese sentence. Proposing again adds only new pairs. Both sides of each new pair are
//!   notified (`event_pair_proposed`).
//! - Reading: the organiser and admins see every pair, an organisation the pairs it is a side of.
//! - Interest: each side answers for itself (the organiser or an admin may answer for a side,
//!   naming it); when both are interested a meeting is requested (once); when a side withdraws
//!   its interest, a meeting not yet scheduled is cancelled.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use matching::{Filters, Side};
use serde_json::json;
use uuid::Uuid;

use super::input::InterestInput;
use super::lifecycle::{managed, organises, require_status, visible};
use super::model::{Event, Intent, PairSide, PairView};
use super::repo;
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::db::schema::{event_meetings, event_pairs};
use crate::error::{ApiError, FieldCode, FieldError};
use crate::industries::taxonomy::Taxonomy;
use crate::listing::Listing;
use crate::matches::documents::{as_query, demand_document};
use crate::matches::service::{MatchService, PAIR_DEPTH};
use crate::notifications::outbox::{self, NewNotification};
use crate::pagination::PageRequest;
use crate::vocab::{AuditAction, AuditRecordType, EventPairStatus, EventStatus, ListingKind, MeetingStatus};
use crate::{demands, supplies};

/// A pair as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = event_pairs)]
pub struct Pair {
    pub id: Uuid,
    pub event_id: Uuid,
    pub demand_id: Uuid,
    pub supply_id: Uuid,
    pub demand_organization_id: Uuid,
    pub supply_organization_id: Uuid,
    pub score: f32,
    pub explanation: serde_json::Value,
    pub summary_zh: String,
    pub demand_interest: Option<bool>,
    pub supply_interest: Option<bool>,
    pub connection_id: Option<Uuid>,
    pub intent_at: Option<DateTime<Utc>>,
    pub intent_by: Option<Uuid>,
    pub intent_amount_fen: Option<i64>,
    pub intent_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Pair {
    pub fn status(&self) -> EventPairStatus {
        match (self.demand_interest, self.supply_interest) {
            (Some(false), _) | (_, Some(false)) => EventPairStatus::Declined,
            (Some(true), Some(true)) => EventPairStatus::Mutual,
            _ => EventPairStatus::Proposed,
        }
    }

    /// Whether the caller's organisation is a side.
    pub fn is_side(&self, caller: &Principal) -> bool {
        caller.organization_id == self.demand_organization_id || caller.organization_id == self.supply_organization_id
    }
}

/// The pair of the event the caller may see (organiser, admin or a side); 404 otherwise.
pub fn visible_pair(conn: &mut PgConnection, caller: &Principal, event: &Event, id: Uuid) -> Result<Pair, ApiError> {
    let pair: Option<Pair> = event_pairs::table
        .find(id)
        .filter(event_pairs::event_id.eq(event.id))
        .select(Pair::as_select())
        .first(conn)
        .optional()?;
    pair.filter(|p| organises(caller, event) || p.is_side(caller))
        .ok_or_else(|| ApiError::NotFound(format!("pair {id}")))
}

/// The views of `pairs` (titles and organisation names in one query each).
pub fn views(conn: &mut PgConnection, pairs: Vec<Pair>) -> Result<Vec<PairView>, ApiError> {
    let demand_ids: Vec<Uuid> = pairs.iter().map(|p| p.demand_id).collect();
    let supply_ids: Vec<Uuid> = pairs.iter().map(|p| p.supply_id).collect();
    let demand_refs = demands::repo::refs(conn, &demand_ids)?;
    let supply_refs = supplies::repo::refs(conn, &supply_ids)?;
    let ids: Vec<Uuid> = pairs.iter().map(|p| p.id).collect();
    let meetings: HashMap<Uuid, Uuid> = event_meetings::table
        .filter(event_meetings::pair_id.eq_any(&ids))
        .select((event_meetings::pair_id, event_meetings::id))
        .load::<(Uuid, Uuid)>(conn)?
        .into_iter()
        .collect();
    Ok(pairs
        .into_iter()
        .map(|p| {
            let side =
                |id: Uuid, org: Uuid, r: Option<&crate::listing::ListingRef>, interested: Option<bool>| PairSide {
                    listing_id: id,
                    title: r.map(|r| r.title.clone()).unwrap_or_default(),
                    organization_id: org,
                    organization_name: r.map(|r| r.organization_name.clone()).unwrap_or_default(),
                    interested,
                };
            PairView {
                id: p.id,
                event_id: p.event_id,
                status: p.status(),
                demand: side(p.demand_id, p.demand_organization_id, demand_refs.get(&p.demand_id), p.demand_interest),
                supply: side(p.supply_id, p.supply_organization_id, supply_refs.get(&p.supply_id), p.supply_interest),
                score: p.score,
                summary_zh: p.summary_zh,
                explanation: p.explanation,
                meeting_id: meetings.get(&p.id).copied(),
                intent: match (p.intent_at, p.connection_id) {
                    (Some(signed_at), Some(connection_id)) => Some(Intent {
                        signed_at,
                        recorded_by: p.intent_by,
                        amount_fen: p.intent_amount_fen,
                        note: p.intent_note,
                        connection_id,
                    }),
                    _ => None,
                },
                created_at: p.created_at,
            }
        })
        .collect())
}

/// One pair's view.
pub fn view(conn: &mut PgConnection, pair: Pair) -> Result<PairView, ApiError> {
    views(conn, vec![pair])?.pop().ok_or_else(|| ApiError::NotFound("pair".into()))
}

/// A page of the pairs the caller may see, best score first.
pub fn list(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    page: PageRequest,
) -> Result<(Vec<PairView>, i64), ApiError> {
    let event = visible(conn, caller, event_id)?;
    let all = organises(caller, &event);
    let query = || {
        let mut q = event_pairs::table.filter(event_pairs::event_id.eq(event_id)).into_boxed();
        if !all {
            let org = caller.organization_id;
            q = q.filter(event_pairs::demand_organization_id.eq(org).or(event_pairs::supply_organization_id.eq(org)));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows = query()
        .order((event_pairs::score.desc(), event_pairs::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Pair::as_select())
        .load(conn)?;
    Ok((views(conn, rows)?, total))
}

fn notify(
    conn: &mut PgConnection,
    event: &Event,
    pair: &Pair,
    titles: (&str, &str),
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    for (org, own, other) in
        [(pair.demand_organization_id, titles.0, titles.1), (pair.supply_organization_id, titles.1, titles.0)]
    {
        outbox::queue(
            conn,
            &NewNotification {
                kind: crate::vocab::NotificationKind::EventPairProposed,
                recipient_organization_id: Some(org),
                recipient_user_id: None,
                subject_kind: "event_pair".into(),
                subject_id: pair.id,
                payload: json!({
                    "title": event.title,
                    "event_id": event.id,
                    "listing_title": own,
                    "partner_title": other,
                    "summary_zh": pair.summary_zh,
                    "path": format!("/api/v1/events/{}/pairs", event.id),
                }),
                dedupe_key: format!("event_pair_proposed:{}:{org}", pair.id),
                created_at: now,
            },
        )?;
    }
    Ok(())
}

/// Proposes pairs (see the module docs); returns how many new pairs.
pub fn propose(
    conn: &mut PgConnection,
    matcher: &MatchService,
    taxonomy: &Taxonomy,
    caller: &Principal,
    event_id: Uuid,
    (per_demand, min_score): (usize, f32),
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let event = managed(conn, caller, event_id)?;
    require_status(&event, &[EventStatus::RegistrationOpen, EventStatus::RegistrationClosed], "proposing pairs")?;
    let listings = repo::registered_listings(conn, event_id, None)?;
    let supply_orgs: HashMap<Uuid, Uuid> =
        listings.iter().filter(|l| l.1 == ListingKind::Supply).map(|&(org, _, id)| (id, org)).collect();
    let demand_ids: Vec<Uuid> = listings.iter().filter(|l| l.1 == ListingKind::Demand).map(|l| l.2).collect();
    let mut candidates = Vec::new();
    for id in demand_ids {
        let demand = demands::repo::get(conn, id)?;
        if !demand.is_candidate() {
            continue;
        }
        let query = as_query(demand_document(&demand), false);
        let ranked = matcher.search(&query, Side::Supply, &Filters::default(), 0, PAIR_DEPTH);
        let mut taken = 0;
        for m in ranked.items {
            if taken == per_demand || m.score < min_score {
                break;
            }
            let Some(&org) = supply_orgs.get(&m.id) else { continue };
            if org == demand.organization_id {
                continue;
            }
            taken += 1;
            let summary = crate::matches::reading::sentence(&m.explanation, taxonomy);
            let explanation = serde_json::to_value(&m.explanation).unwrap_or_default();
            candidates.push((
                demand.id,
                demand.organization_id,
                demand.title.clone(),
                m.id,
                org,
                m.score,
                explanation,
                summary,
            ));
        }
    }
    let supply_ids: Vec<Uuid> = candidates.iter().map(|c| c.3).collect();
    let supply_titles = supplies::repo::refs(conn, &supply_ids)?;
    conn.transaction(|conn| {
        let mut created = 0;
        let mut seen = HashSet::new();
        for (demand_id, demand_org, demand_title, supply_id, supply_org, score, explanation, summary) in candidates {
            if !seen.insert((demand_id, supply_id)) {
                continue;
            }
            let inserted: Option<Pair> = diesel::insert_into(event_pairs::table)
                .values((
                    event_pairs::event_id.eq(event_id),
                    event_pairs::demand_id.eq(demand_id),
                    event_pairs::supply_id.eq(supply_id),
                    event_pairs::demand_organization_id.eq(demand_org),
                    event_pairs::supply_organization_id.eq(supply_org),
                    event_pairs::score.eq(score),
                    event_pairs::explanation.eq(explanation),
                    event_pairs::summary_zh.eq(summary),
                    event_pairs::created_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .returning(Pair::as_returning())
                .get_result(conn)
                .optional()?;
            if let Some(pair) = inserted {
                let supply_title = supply_titles.get(&supply_id).map(|r| r.title.as_str()).unwrap_or_default();
                notify(conn, &event, &pair, (&demand_title, supply_title), now)?;
                created += 1;
            }
        }
        audit::record(
            conn,
            &Entry::by(
                caller,
                AuditAction::EventPairsProposed,
                AuditRecordType::Event,
                event_id,
                event.organizer_organization_id,
            )
            .with_detail(json!({ "new_pairs": created, "per_demand": per_demand, "min_score": min_score })),
        )?;
        Ok(created)
    })
}

/// Marks one side's interest (see the module docs); returns the pair after.
pub fn mark_interest(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    pair_id: Uuid,
    input: &InterestInput,
    now: DateTime<Utc>,
) -> Result<PairView, ApiError> {
    let event = visible(conn, caller, event_id)?;
    let pair = visible_pair(conn, caller, &event, pair_id)?;
    require_status(
        &event,
        &[EventStatus::RegistrationOpen, EventStatus::RegistrationClosed, EventStatus::InProgress],
        "marking interest",
    )?;
    let own_side = if caller.organization_id == pair.demand_organization_id {
        Some(ListingKind::Demand)
    } else if caller.organization_id == pair.supply_organization_id {
        Some(ListingKind::Supply)
    } else {
        None
    };
    let side = match (input.side, own_side) {
        (Some(side), _) if organises(caller, &event) => side,
        (Some(side), Some(own)) if side != own => {
            return Err(ApiError::Forbidden("each side answers for itself".into()));
        }
        (_, Some(own)) => own,
        (None, None) => {
            return Err(ApiError::invalid_field(
                FieldError::new("side", FieldCode::Missing).with("allowed", vec!["demand", "supply"]).says(
                    "请指明代表哪一方作答（`demand` 或 `supply`）",
                    "name the side answered for (`demand` or `supply`)",
                ),
            ))
        }
        (Some(side), None) => side,
    };
    let pair = conn.transaction(|conn| {
        let target = event_pairs::table.find(pair_id);
        let pair: Pair = match side {
            ListingKind::Demand => diesel::update(target)
                .set(event_pairs::demand_interest.eq(input.interested))
                .returning(Pair::as_returning())
                .get_result(conn)?,
            ListingKind::Supply => diesel::update(target)
                .set(event_pairs::supply_interest.eq(input.interested))
                .returning(Pair::as_returning())
                .get_result(conn)?,
        };
        after_interest(conn, caller, &event, pair, side, input.interested, now)
    })?;
    view(conn, pair)
}

/// Requests the meeting of a pair with mutual interest (once), or cancels the meeting not yet
/// scheduled of a pair a side lost interest in; audits the answer.
fn after_interest(
    conn: &mut PgConnection,
    caller: &Principal,
    event: &Event,
    pair: Pair,
    side: ListingKind,
    interested: bool,
    now: DateTime<Utc>,
) -> Result<Pair, ApiError> {
    if pair.status() == EventPairStatus::Mutual {
        // A meeting cancelled when a side withdrew is requested again.
        diesel::update(
            event_meetings::table
                .filter(event_meetings::pair_id.eq(pair.id))
                .filter(event_meetings::status.eq(MeetingStatus::Cancelled)),
        )
        .set((
            event_meetings::status.eq(MeetingStatus::Requested),
            event_meetings::venue_id.eq(None::<Uuid>),
            event_meetings::table_no.eq(None::<i32>),
            event_meetings::slot_start.eq(None::<DateTime<Utc>>),
            event_meetings::updated_at.eq(now),
        ))
        .execute(conn)?;
        diesel::insert_into(event_meetings::table)
            .values((
                event_meetings::event_id.eq(event.id),
                event_meetings::pair_id.eq(pair.id),
                event_meetings::status.eq(MeetingStatus::Requested),
                event_meetings::created_at.eq(now),
                event_meetings::updated_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
    } else if !interested {
        diesel::update(
            event_meetings::table
                .filter(event_meetings::pair_id.eq(pair.id))
                .filter(event_meetings::status.eq(MeetingStatus::Requested)),
        )
        .set((event_meetings::status.eq(MeetingStatus::Cancelled), event_meetings::updated_at.eq(now)))
        .execute(conn)?;
    }
    audit::record(
        conn,
        &Entry::by(
            caller,
            AuditAction::EventInterestMarked,
            AuditRecordType::EventPair,
            pair.id,
            event.organizer_organization_id,
        )
        .with_detail(json!({ "event_id": event.id, "side": side, "interested": interested, "status": pair.status() })),
    )?;
    Ok(pair)
}

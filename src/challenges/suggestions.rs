//! Likely solvers for a challenge: the engine's supplies for the challenge's demand (the same
//! demand → supply matching as `GET /demands/{id}/matches`), each with its holder and the
//! explanation read as a sentence, leaving out the challenge's own organisation and holders of a
//! kind the challenge does not take. When a challenge opens, each suggested organisation is told
//! once (`challenge_suggested`, dedupe key challenge + organisation), in the opening's
//! transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use matching::{Filters, Side};
use serde_json::json;
use uuid::Uuid;

use super::model::{Challenge, Suggestion};
use crate::db::schema::organizations;
use crate::demands;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::matches::documents::{as_query, demand_document};
use crate::matches::reading::sentence;
use crate::matches::service::MatchService;
use crate::notifications::outbox::{self, NewNotification};
use crate::supplies;
use crate::vocab::{NotificationKind, OrganizationKind};

/// The engine and taxonomy the opening of a challenge uses to suggest solvers.
pub struct Engine<'a> {
    pub matcher: &'a MatchService,
    pub taxonomy: &'a Taxonomy,
}

/// How many organisations an opening challenge tells.
pub const NOTIFIED: usize = 10;

/// Up to `limit` suggested supplies for `challenge`, best first.
pub fn suggest(
    conn: &mut PgConnection,
    engine: &Engine<'_>,
    challenge: &Challenge,
    limit: usize,
) -> Result<Vec<Suggestion>, ApiError> {
    let demand = demands::repo::get(conn, challenge.demand_id)?;
    let query = as_query(demand_document(&demand), false);
    let page = engine.matcher.search(&query, Side::Supply, &Filters::default(), 0, limit.saturating_mul(3).max(10));
    let ids: Vec<Uuid> = page.items.iter().map(|m| m.id).collect();
    let refs = supplies::repo::refs(conn, &ids)?;
    let holders: Vec<Uuid> = refs.values().map(|r| r.organization_id).collect();
    let kinds: HashMap<Uuid, OrganizationKind> = organizations::table
        .filter(organizations::id.eq_any(holders))
        .select((organizations::id, organizations::kind))
        .load::<(Uuid, OrganizationKind)>(conn)?
        .into_iter()
        .collect();
    Ok(page
        .items
        .into_iter()
        .filter_map(|m| {
            let r = refs.get(&m.id)?;
            let kind = kinds.get(&r.organization_id)?;
            if r.organization_id == challenge.organization_id || !challenge.eligible_kinds.contains(kind) {
                return None;
            }
            Some(Suggestion {
                supply_id: m.id,
                supply_title: r.title.clone(),
                organization_id: r.organization_id,
                organization_name: r.organization_name.clone(),
                score: m.score,
                reason: sentence(&m.explanation, engine.taxonomy),
                explanation: serde_json::to_value(&m.explanation).unwrap_or_default(),
            })
        })
        .take(limit)
        .collect())
}

/// Queues a `challenge_suggested` notification for each of the best [`NOTIFIED`] suggested
/// organisations (its best supply named); returns how many were queued.
pub fn notify(
    conn: &mut PgConnection,
    engine: &Engine<'_>,
    challenge: &Challenge,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut told: Vec<Uuid> = Vec::new();
    let mut queued = 0;
    for s in suggest(conn, engine, challenge, NOTIFIED * 3)? {
        if told.contains(&s.organization_id) {
            continue;
        }
        told.push(s.organization_id);
        let notification = NewNotification {
            kind: NotificationKind::ChallengeSuggested,
            recipient_organization_id: Some(s.organization_id),
            recipient_user_id: None,
            subject_kind: "challenge".into(),
            subject_id: challenge.id,
            payload: json!({
                "title": challenge.title,
                "challenge_id": challenge.id,
                "reward_fen": challenge.reward_fen,
                "closes_at": challenge.closes_at,
                "supply_id": s.supply_id,
                "supply_title": s.supply_title,
                "reason": s.reason,
                "path": format!("/api/v1/challenges/{}", challenge.id),
            }),
            dedupe_key: format!("challenge_suggested:{}:{}", challenge.id, s.organization_id),
            created_at: now,
        };
        if outbox::queue(conn, &notification)? {
            queued += 1;
        }
        if told.len() >= NOTIFIED {
            break;
        }
    }
    Ok(queued)
}

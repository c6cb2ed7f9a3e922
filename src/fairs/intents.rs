//! Intent agreements (意向协议) recorded at the event against a pair: they open the pair's
//! connection, or advance its open one, to `negotiating`, attributed to the event
//! (`connections.event_id`), through the connections' own service and repository so that the
//! outcome log records each move. The organiser, an admin or either side records it, while the
//! event is `in_progress`; once per pair (409 `intent_exists`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::lifecycle::{require_status, visible};
use super::model::PairView;
use super::pairs::{self, Pair};
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::connections::repo::{self as connections, MoveChanges};
use crate::connections::service as connection_service;
use crate::db::schema::{connections as c, event_pairs};
use crate::error::{ApiError, ErrorCode};
use crate::vocab::{AuditAction, AuditRecordType, ConnectionStatus, EventStatus};

/// Opens or advances the connection of `pair` to `negotiating`; returns its id.
fn advance_connection(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    pair: &Pair,
    note: &str,
) -> Result<Uuid, ApiError> {
    let id = match connections::open_for_pair(conn, pair.demand_id, pair.supply_id)? {
        Some(id) => id,
        None => {
            let matched = Some((pair.score, pair.explanation.clone()));
            connection_service::insert_open(conn, caller, pair.demand_id, pair.supply_id, Some(note), matched)?.id
        }
    };
    let mut status = connections::get(conn, id)?.status;
    while let Some(next) = match status {
        ConnectionStatus::Proposed => Some(ConnectionStatus::Contacted),
        ConnectionStatus::Contacted => Some(ConnectionStatus::Negotiating),
        _ => None,
    } {
        let changes =
            MoveChanges { status: next, contract_amount_fen: None, contract_type: None, failure_reason: None };
        if connections::guarded_move(conn, id, status, &changes)?.is_none() {
            return Err(ApiError::illegal_transition(
                status,
                next,
                status.allowed_moves(),
                "the connection moved meanwhile: record the intent again",
            ));
        }
        connections::append_event(conn, id, Some(status), next, caller.user_id, Some(note))?;
        status = next;
    }
    diesel::update(c::table.find(id).filter(c::event_id.is_null())).set(c::event_id.eq(event_id)).execute(conn)?;
    Ok(id)
}

/// Records the intent agreement of a pair (see the module docs).
pub fn record(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    pair_id: Uuid,
    (amount_fen, note): (Option<i64>, Option<String>),
    now: DateTime<Utc>,
) -> Result<PairView, ApiError> {
    let event = visible(conn, caller, event_id)?;
    pairs::visible_pair(conn, caller, &event, pair_id)?;
    require_status(&event, &[EventStatus::InProgress], "recording an intent agreement")?;
    let log_note = match &note {
        Some(n) => format!("对接会「{}」签订意向协议：{n}", event.title),
        None => format!("对接会「{}」签订意向协议", event.title),
    };
    let pair = conn.transaction(|conn| {
        let pair: Pair = event_pairs::table.find(pair_id).select(Pair::as_select()).for_update().first(conn)?;
        if pair.intent_at.is_some() {
            return Err(ApiError::ConflictWith {
                code: ErrorCode::IntentExists,
                detail: "an intent agreement is already recorded for this pair".into(),
                extension: json!({ "connection_id": pair.connection_id }),
            });
        }
        let connection = advance_connection(conn, caller, event_id, &pair, &log_note)?;
        let pair: Pair = diesel::update(event_pairs::table.find(pair_id))
            .set((
                event_pairs::intent_at.eq(now),
                event_pairs::intent_by.eq(caller.user_id),
                event_pairs::intent_amount_fen.eq(amount_fen),
                event_pairs::intent_note.eq(&note),
                event_pairs::connection_id.eq(connection),
            ))
            .returning(Pair::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            &Entry::by(
                caller,
                AuditAction::EventIntentRecorded,
                AuditRecordType::EventPair,
                pair_id,
                event.organizer_organization_id,
            )
            .with_detail(json!({
                "event_id": event_id, "connection_id": connection, "amount_fen": amount_fen, "note": note,
            })),
        )?;
        Ok(pair)
    })?;
    pairs::view(conn, pair)
}

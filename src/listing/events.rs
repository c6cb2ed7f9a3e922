//! The lifecycle events of listings (`listing_events`, append-only): review decisions, expiries,
//! renewals and confirmations, what the statistics count, and the last review decision that a
//! listing's owner is shown.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::kind::Listing;
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::db::schema::listing_events;
use crate::error::ApiError;
use crate::notifications::outbox::{self, NewNotification};
use crate::vocab::{
    AuditAction, AuditRecordType, ListingEventKind, NotificationKind, ReviewDecision, ReviewReason, Vocabulary,
};

#[derive(Insertable)]
#[diesel(table_name = listing_events)]
struct NewEvent<'a> {
    listing_kind: crate::vocab::ListingKind,
    listing_id: Uuid,
    organization_id: Uuid,
    event: ListingEventKind,
    from_status: &'a str,
    to_status: &'a str,
    actor_id: Option<Uuid>,
    reason: Option<ReviewReason>,
    note: Option<&'a str>,
    submitted_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

/// What happened to a listing, by whom (`None`: the scheduled sweep), at `at`.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub kind: ListingEventKind,
    pub actor: Option<&'a Principal>,
    pub reason: Option<ReviewReason>,
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
}

impl<'a> Event<'a> {
    /// An event without a reason or note.
    pub fn plain(kind: ListingEventKind, actor: Option<&'a Principal>, at: DateTime<Utc>) -> Self {
        Self { kind, actor, reason: None, note: None, at }
    }
}

/// The audit log's record type of kind `L`.
pub fn audit_record_type<L: Listing>() -> AuditRecordType {
    match L::KIND.kind {
        crate::vocab::ListingKind::Demand => AuditRecordType::Demand,
        crate::vocab::ListingKind::Supply => AuditRecordType::Supply,
    }
}

/// The audit log's entry for `event` of `listing` (from `from`): `listing_reviewed`,
/// `listing_expired` (no actor: the sweep), `listing_renewed` (a renewal, or a confirmation that
/// restarts the validity, told apart by `detail.event`).
fn audit_entry<L: Listing>(listing: &L, from: L::Status, event: &Event<'_>) -> Entry {
    let action = match event.kind {
        ListingEventKind::Expired => AuditAction::ListingExpired,
        ListingEventKind::Renewed | ListingEventKind::Confirmed => AuditAction::ListingRenewed,
        ListingEventKind::Approved | ListingEventKind::Rejected | ListingEventKind::ChangesRequested => {
            AuditAction::ListingReviewed
        }
    };
    let (record_type, id, org) = (audit_record_type::<L>(), listing.id(), listing.organization_id());
    let entry = match event.actor {
        Some(actor) => Entry::by(actor, action, record_type, id, org),
        None => {
            Entry { record_id: Some(id), organization_id: Some(org), ..Entry::anonymous(action, record_type, None) }
        }
    };
    entry
        .with_changes(serde_json::json!({
            "status": { "before": from.as_str(), "after": listing.status().as_str() },
            "expires_at": { "after": listing.expires_at() },
        }))
        .with_detail(serde_json::json!({
            "event": event.kind.as_str(),
            "reason": event.reason.map(|r| r.as_str()),
            "note": event.note,
        }))
}

/// Records `event` of `listing` (its state after the event), which was in `from` before, and
/// its audit-log entry, in the caller's transaction; returns the event's id.
pub fn record<L: Listing>(
    conn: &mut PgConnection,
    listing: &L,
    from: L::Status,
    event: &Event<'_>,
) -> Result<i64, ApiError> {
    audit::record(conn, &audit_entry(listing, from, event))?;
    Ok(diesel::insert_into(listing_events::table)
        .values(NewEvent {
            listing_kind: L::KIND.kind,
            listing_id: listing.id(),
            organization_id: listing.organization_id(),
            event: event.kind,
            from_status: from.as_str(),
            to_status: listing.status().as_str(),
            actor_id: event.actor.map(|p| p.user_id),
            reason: event.reason,
            note: event.note,
            submitted_at: listing.submitted_at(),
            created_at: event.at,
        })
        .returning(listing_events::id)
        .get_result(conn)?)
}

/// The last review decision on a listing, as its owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewNote {
    pub decision: ReviewDecision,
    /// Required for `reject` and `request_changes`.
    pub reason: Option<ReviewReason>,
    /// The reason's Chinese label, e.g. `信息不完整`.
    pub reason_label_zh: Option<&'static str>,
    /// The reviewer's note to the owner.
    pub note: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// The review decision an event records, if it is one.
pub fn decision_of(event: ListingEventKind) -> Option<ReviewDecision> {
    match event {
        ListingEventKind::Approved => Some(ReviewDecision::Approve),
        ListingEventKind::Rejected => Some(ReviewDecision::Reject),
        ListingEventKind::ChangesRequested => Some(ReviewDecision::RequestChanges),
        _ => None,
    }
}

/// The event kind recording a review decision.
pub fn event_of(decision: ReviewDecision) -> ListingEventKind {
    match decision {
        ReviewDecision::Approve => ListingEventKind::Approved,
        ReviewDecision::Reject => ListingEventKind::Rejected,
        ReviewDecision::RequestChanges => ListingEventKind::ChangesRequested,
    }
}

/// A decision event as read: its kind, reason, note and time.
type DecisionRow = (ListingEventKind, Option<ReviewReason>, Option<String>, DateTime<Utc>);

/// The last review decision on the listing `id`, if any.
pub fn latest_review(conn: &mut PgConnection, id: Uuid) -> Result<Option<ReviewNote>, ApiError> {
    let decisions = [ListingEventKind::Approved, ListingEventKind::Rejected, ListingEventKind::ChangesRequested];
    let row: Option<DecisionRow> = listing_events::table
        .filter(listing_events::listing_id.eq(id))
        .filter(listing_events::event.eq_any(decisions))
        .order(listing_events::id.desc())
        .select((listing_events::event, listing_events::reason, listing_events::note, listing_events::created_at))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(event, reason, note, decided_at)| {
        decision_of(event).map(|decision| ReviewNote {
            decision,
            reason,
            reason_label_zh: reason.map(ReviewReason::label_zh),
            note,
            decided_at,
        })
    }))
}

/// Queues a `kind` notification about `listing` for its organisation, in the caller's
/// transaction (see [`outbox::queue`]): the subject is the listing, `payload` what the message
/// needs besides its kind, title and path, which are added here.
pub fn notify_owner<L: Listing>(
    conn: &mut PgConnection,
    kind: NotificationKind,
    listing: &L,
    mut payload: serde_json::Value,
    dedupe_key: String,
    at: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let listing_kind = L::KIND;
    if let Some(fields) = payload.as_object_mut() {
        fields.insert("listing_kind".into(), serde_json::json!(listing_kind.kind));
        fields.insert("title".into(), serde_json::json!(listing.title()));
        fields.insert("path".into(), serde_json::json!(format!("{}/{}", listing_kind.path, listing.id())));
    }
    let notification = NewNotification {
        kind,
        recipient_organization_id: Some(listing.organization_id()),
        recipient_user_id: None,
        subject_kind: listing_kind.kind.as_str().into(),
        subject_id: listing.id(),
        payload,
        dedupe_key,
        created_at: at,
    };
    outbox::queue(conn, &notification)
}

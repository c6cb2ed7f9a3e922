//! Review (审核) of listings by department admins: the body of a decision and
//! [`decide`], the one service function every review decision goes through (approve, reject,
//! request changes), in one transaction with its event and the owner's notification.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::events::{self, Event};
use super::lifecycle::{self, Lifecycle};
use super::store::ListingStore;
use crate::auth::principal::Principal;
use crate::error::FieldCode;
use crate::error::{ApiError, ErrorCode};
use crate::spec::text::Note;
use crate::validation::{Fields, MAX_SCENARIO_CHARS};
use crate::vocab::{NotificationKind, ReviewDecision, ReviewReason, Vocabulary};

/// Body of `POST /api/v1/supplies/{id}/review` and `POST /api/v1/demands/{id}/review`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `approve` (on the market), `reject` (for good) or `request_changes` (back to the owner).
    pub decision: ReviewDecision,
    /// Required to reject or request changes; `other` needs a note.
    pub reason: Option<ReviewReason>,
    /// What the owner should know or change, at most 2000 characters.
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// A checked decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub decision: ReviewDecision,
    pub reason: Option<ReviewReason>,
    pub note: Option<String>,
}

impl ReviewInput {
    /// 422 `validation_failed`: no `reason` to reject or request changes, no `note` with `other`,
    /// a note too long or with refused characters.
    pub fn parse(self) -> Result<Decision, ApiError> {
        let mut f = Fields::new();
        let note = f.opt_long_text("note", self.note, MAX_SCENARIO_CHARS);
        if self.decision != ReviewDecision::Approve && self.reason.is_none() {
            f.error(
                "reason",
                FieldCode::Missing,
                "此审核决定需要原因代码",
                format!("a reason code is required to {}", self.decision.as_str().replace('_', " ")),
            );
        }
        if self.reason == Some(ReviewReason::Other) && note.is_none() {
            f.error(
                "note",
                FieldCode::Missing,
                "原因为 `other` 时请在 note 中说明",
                "say why in a note when the reason is `other`",
            );
        }
        f.finish()?;
        Ok(Decision { decision: self.decision, reason: self.reason, note })
    }
}

/// Decides on the pending listing `id` as `reviewer` at `now` (the handler has checked that the
/// reviewer is an admin): approve puts it on the market (its validity starts now; `expired`
/// instead when its deadline has passed meanwhile), reject and request changes send it back
/// with the reason and note the owner sees. Records the event and queues the owner's
/// notification in the same transaction. 409 `not_pending_review` with `current_status`
/// when the listing is not pending review; 404 when absent.
pub fn decide<L: ListingStore>(
    conn: &mut PgConnection,
    reviewer: &Principal,
    id: Uuid,
    decision: &Decision,
    now: DateTime<Utc>,
    settings: &Lifecycle,
) -> Result<L, ApiError> {
    conn.transaction(|conn| {
        let kind = L::KIND;
        let current = L::locked(conn, id)?;
        let from = current.status();
        if from != kind.pending_review {
            return Err(ApiError::ConflictWith {
                code: ErrorCode::NotPendingReview,
                detail: format!("this {} is `{from}`, not pending review: there is nothing to decide", kind.noun),
                extension: json!({ "current_status": from.as_str() }),
            });
        }
        let (status, expires_at) = match decision.decision {
            ReviewDecision::Approve => {
                let expires_at = settings.expiry(kind.kind, current.deadline(), now);
                (lifecycle::entry(&kind, true, expires_at, now), Some(expires_at))
            }
            ReviewDecision::Reject => (kind.rejected, None),
            ReviewDecision::RequestChanges => (kind.changes_requested, None),
        };
        let mut changes = L::status_change(status);
        L::settle(&mut changes, Some(status), expires_at, None);
        let listing = L::apply(conn, id, &changes)?;
        let event = Event {
            kind: events::event_of(decision.decision),
            actor: Some(reviewer),
            reason: decision.reason,
            note: decision.note.as_deref(),
            at: now,
        };
        let event_id = events::record(conn, &listing, from, &event)?;
        let payload = json!({
            "decision": decision.decision,
            "reason": decision.reason,
            "reason_label_zh": decision.reason.map(ReviewReason::label_zh),
            "note": decision.note,
            "status": listing.status().as_str(),
            "expires_at": listing.expires_at(),
        });
        let key = format!("listing_reviewed:{event_id}");
        events::notify_owner(conn, NotificationKind::ListingReviewed, &listing, payload, key, now)?;
        Ok(listing)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(decision: ReviewDecision, reason: Option<ReviewReason>, note: Option<&str>) -> ReviewInput {
        ReviewInput { decision, reason, note: note.map(str::to_string) }
    }

    fn fields(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn approval_needs_no_reason() {
        let d = input(ReviewDecision::Approve, None, Some("  好  ")).parse().unwrap();
        assert_eq!(d.note.as_deref(), Some("好"));
    }

    #[test]
    fn rejecting_or_sending_back_needs_a_reason_code() {
        for decision in [ReviewDecision::Reject, ReviewDecision::RequestChanges] {
            assert_eq!(fields(input(decision, None, Some("请补充")).parse().unwrap_err()), ["reason"]);
            assert!(input(decision, Some(ReviewReason::Incomplete), None).parse().is_ok());
        }
        let other = input(ReviewDecision::Reject, Some(ReviewReason::Other), Some(" ")).parse().unwrap_err();
        assert_eq!(fields(other), ["note"]);
    }
}

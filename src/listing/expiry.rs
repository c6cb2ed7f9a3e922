//! Expiry (有效期) of listings: the sweep that takes expired listings off the market, the
//! reminders queued before expiry, renewal of an expired listing and the owner's "still
//! available" confirmation. One service function each; every "now" is the caller's, from the
//! lifecycle clock, and reaches SQL as a bind parameter.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Text, Timestamptz};
use serde_json::json;
use uuid::Uuid;

use super::events::{self, Event};
use super::kind::{what, Listing};
use super::lifecycle::{self, Lifecycle};
use super::store::ListingStore;
use crate::auth::policy;
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::error::{FieldCode, FieldError};
use crate::quota::{self, Quotas};
use crate::vocab::{ListingEventKind, NotificationKind, Verification, Vocabulary};

/// 404 when the caller cannot see the listing, 403 when they can but may not change it.
fn may_edit<L: Listing>(caller: &Principal, listing: &L) -> Result<(), ApiError> {
    policy::require_edit(caller, listing.organization_id(), listing.is_public(), what::<L>(listing.id()))
}

/// Whether the organisation `id` is verified.
pub fn is_verified(conn: &mut PgConnection, id: Uuid) -> Result<bool, ApiError> {
    Ok(crate::organizations::repo::verification(conn, id)? == Some(Verification::Verified))
}

/// Renews the expired listing `id` for `caller` at `now`: its validity restarts (a demand's
/// deadline must still be ahead: 422 on `deadline` otherwise) and it goes back on the market
/// when its organisation publishes directly, into review otherwise. Counts against the
/// `open_listings` quota. 409 `illegal_transition` unless it is expired; 404/403 as any edit.
pub fn renew<L: ListingStore>(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    now: DateTime<Utc>,
    settings: &Lifecycle,
    quotas: &Quotas,
) -> Result<L, ApiError> {
    conn.transaction(|conn| {
        let kind = L::KIND;
        let current = L::locked(conn, id)?;
        may_edit(caller, &current)?;
        policy::require_writer(conn, caller)?;
        let from = current.status();
        if from != kind.expired {
            return Err(ApiError::illegal_transition(
                from,
                kind.candidate,
                [kind.expired],
                format!(
                    "only an expired {} is renewed; one on the market is confirmed (POST {}/{{id}}/confirm)",
                    kind.noun, kind.path
                ),
            ));
        }
        let expires_at = settings.expiry(kind.kind, current.deadline(), now);
        if expires_at <= now {
            return Err(ApiError::invalid_field(FieldError::new("deadline", FieldCode::OutOfRange).says(
                "截止日期已过：请先（PATCH）设置更晚的日期再续期",
                "the deadline has passed: set a later one (PATCH) before renewing",
            )));
        }
        let direct = settings.publishes_directly(is_verified(conn, current.organization_id())?, caller.is_admin());
        let status = lifecycle::entry(&kind, direct, expires_at, now);
        quota::check_publication(conn, quotas, caller, current.organization_id())?;
        let submitted_at = (status == kind.pending_review).then_some(now);
        let mut changes = L::status_change(status);
        L::settle(&mut changes, Some(status), Some(expires_at), Some(submitted_at));
        let listing = L::apply(conn, id, &changes)?;
        events::record(conn, &listing, from, &Event::plain(ListingEventKind::Renewed, Some(caller), now))?;
        Ok(listing)
    })
}

/// "Still available": the owner of the listing `id`, on the market, confirms it at `now`, and its
/// validity restarts (a demand with a deadline keeps it: its deadline is its validity). 409
/// `illegal_transition` unless it is on the market; 404/403 as any edit.
pub fn confirm<L: ListingStore>(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    now: DateTime<Utc>,
    settings: &Lifecycle,
) -> Result<L, ApiError> {
    conn.transaction(|conn| {
        let kind = L::KIND;
        let current = L::locked(conn, id)?;
        may_edit(caller, &current)?;
        let from = current.status();
        if from != kind.candidate {
            let hint = if from == kind.expired {
                format!("an expired {} is renewed (POST {}/{{id}}/renew)", kind.noun, kind.path)
            } else {
                format!("only a {} on the market (`{}`) is confirmed", kind.noun, kind.candidate)
            };
            return Err(ApiError::illegal_transition(from, kind.candidate, [kind.candidate], hint));
        }
        let expires_at = settings.expiry(kind.kind, current.deadline(), now);
        let mut changes = L::status_change(from);
        L::settle(&mut changes, None, Some(expires_at), None);
        let listing = L::apply(conn, id, &changes)?;
        events::record(conn, &listing, from, &Event::plain(ListingEventKind::Confirmed, Some(caller), now))?;
        Ok(listing)
    })
}

/// The expiry sweep of one kind at `now`: every listing on the market whose expiry is at or
/// before `now` moves to `expired` (one conditional UPDATE: a listing is expired once, however
/// many sweeps run), with an `expired` event and a notification to its owner each. Returns the
/// expired listings (to take out of this instance's index at once; the others see the version
/// bump on their next poll). Call it inside the job's transaction.
pub fn sweep<L: ListingStore>(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<L>, ApiError> {
    let kind = L::KIND;
    let expired = L::expire_due(conn, now)?;
    for listing in &expired {
        events::record(conn, listing, kind.candidate, &Event::plain(ListingEventKind::Expired, None, now))?;
        let payload = json!({
            "expired_at": listing.expires_at(),
            "renew": format!("{}/{}/renew", kind.path, listing.id()),
        });
        let key = format!("listing_expired:{}:{}:{}", kind.kind, listing.id(), listing.expires_at().timestamp());
        events::notify_owner(conn, NotificationKind::ListingExpired, listing, payload, key, now)?;
    }
    Ok(expired)
}

/// The table of a kind, for the reminders' SQL.
fn table_of<L: Listing>() -> &'static str {
    match L::KIND.kind {
        crate::vocab::ListingKind::Supply => "supplies",
        crate::vocab::ListingKind::Demand => "demands",
    }
}

/// Queues the expiry reminders of one kind due at `now`: for every listing on the market that
/// expires within the largest of `days_before` days, one `listing_expiring` notification for the
/// smallest of those offsets it is within (so a listing met 12 hours before expiry gets the
/// one-day reminder only). The dedupe key names the listing, its expiry and the offset: each
/// reminder is queued once, and a confirmed or renewed listing (a new expiry) gets new ones.
/// Returns how many were queued.
pub fn remind<L: ListingStore>(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    days_before: &[i32],
) -> Result<usize, ApiError> {
    if days_before.is_empty() {
        return Ok(0);
    }
    let kind = L::KIND;
    let table = table_of::<L>();
    let sql = format!(
        "INSERT INTO notification_outbox
             (kind, recipient_organization_id, subject_kind, subject_id, payload, dedupe_key, created_at)
         SELECT 'listing_expiring', l.organization_id, $2, l.id,
                jsonb_build_object('listing_kind', $2, 'title', l.title, 'expires_at', l.expires_at,
                    'days_before', r.days, 'path', $3 || '/' || l.id,
                    'confirm', $3 || '/' || l.id || '/confirm', 'deadline', {deadline}),
                'listing_expiring:' || $2 || ':' || l.id || ':' || extract(epoch FROM l.expires_at)::bigint
                    || ':' || r.days,
                $1
         FROM {table} l
         CROSS JOIN LATERAL (SELECT min(d) AS days FROM unnest($5::int[]) AS d
                             WHERE l.expires_at <= $1 + make_interval(days => d)) r
         WHERE l.status = $4 AND l.expires_at > $1 AND r.days IS NOT NULL
         ON CONFLICT (dedupe_key) DO NOTHING",
        deadline = if table == "demands" { "l.deadline" } else { "NULL::date" },
    );
    Ok(diesel::sql_query(sql)
        .bind::<Timestamptz, _>(now)
        .bind::<Text, _>(kind.kind.as_str())
        .bind::<Text, _>(kind.path)
        .bind::<Text, _>(kind.candidate.as_str())
        .bind::<Array<Integer>, _>(days_before)
        .execute(conn)?)
}

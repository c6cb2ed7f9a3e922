//! Table access of a listing kind ([`ListingStore`], implemented in each kind's `repo.rs`) and
//! the guarded changes built on it: an update under `If-Match` and taking a listing off the
//! market. Every function takes a connection; callers run them through [`crate::db::run`].

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::kind::Listing;
use crate::error::{ApiError, ErrorCode};

/// The queries of one listing table that the shared code needs.
pub trait ListingStore: Listing {
    /// A checked listing ready to insert.
    type New: Send + 'static;
    /// Checked changes of a PATCH.
    type Changes: Send + 'static;

    /// Inserts a listing.
    fn insert(conn: &mut PgConnection, new: &Self::New) -> Result<Self, ApiError>;
    /// The listing with this id; 404 when absent.
    fn get(conn: &mut PgConnection, id: Uuid) -> Result<Self, ApiError>;
    /// The listing with this id, its row locked until the transaction ends; 404 when absent.
    fn locked(conn: &mut PgConnection, id: Uuid) -> Result<Self, ApiError>;
    /// Writes `changes`, bumps the version and `updated_at`; returns the new row.
    fn apply(conn: &mut PgConnection, id: Uuid, changes: &Self::Changes) -> Result<Self, ApiError>;
    /// Changes that set only the status.
    fn status_change(status: Self::Status) -> Self::Changes;
    /// The status a new listing asks for (its body's `status`).
    fn new_status(new: &Self::New) -> Self::Status;
    /// A new listing's deadline (a demand's), if any.
    fn new_deadline(new: &Self::New) -> Option<NaiveDate>;
    /// Sets what the lifecycle decides of a new listing: its status, expiry and review start.
    fn place(new: &mut Self::New, status: Self::Status, expires_at: DateTime<Utc>, submitted_at: Option<DateTime<Utc>>);
    /// The status a PATCH sets, if it sets one.
    fn changed_status(changes: &Self::Changes) -> Option<Self::Status>;
    /// The deadline a PATCH sets (`Some(None)` clears it), if it sets one.
    fn changed_deadline(changes: &Self::Changes) -> Option<Option<NaiveDate>>;
    /// Whether a PATCH touches what review judged (title, text, keywords, industries, scenario).
    fn touches_reviewed_text(changes: &Self::Changes) -> bool;
    /// Sets what the lifecycle decides of a change: the status (`None`: unchanged), the expiry
    /// and the review start (each `None`: unchanged).
    fn settle(
        changes: &mut Self::Changes,
        status: Option<Self::Status>,
        expires_at: Option<DateTime<Utc>>,
        submitted_at: Option<Option<DateTime<Utc>>>,
    );
    /// The match candidates among `ids` (in the candidate status and not expired at `now`), in
    /// no particular order.
    fn candidates(conn: &mut PgConnection, ids: Vec<Uuid>, now: DateTime<Utc>) -> Result<Vec<Self>, ApiError>;
    /// Moves every listing on the market whose expiry is at or before `now` to the expired
    /// status (bumping its version, so every instance's index drops it) and returns them. The
    /// condition is in the UPDATE, so a second sweep of the same instant changes nothing.
    fn expire_due(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<Self>, ApiError>;
}

/// What a connection shows of the listing on one side: its title, its owner and their name, and
/// its industries (see each kind's `repo::refs`).
#[derive(Debug, Clone, Default)]
pub struct ListingRef {
    /// The listing's title.
    pub title: String,
    /// The owning organisation.
    pub organization_id: Uuid,
    /// The owning organisation's name.
    pub organization_name: String,
    /// The listing's industry codes.
    pub industries: Vec<String>,
}

/// Applies `changes` if the stored version is `expected_version`. The row is locked, then
/// `guard` decides whether the caller may change it (its error is returned as is; it runs in
/// the updating transaction, so it may lock and count too), then 412
/// when the version is stale, 409 with the off-market status as `code` (`archived`,
/// `withdrawn`) for an off-market listing and `rejected` for one review rejected; then `settle`
/// completes the changes with what the lifecycle decides (status, expiry; it may refuse too);
/// 404 when absent.
pub fn update<L: ListingStore>(
    conn: &mut PgConnection,
    id: Uuid,
    expected_version: i32,
    mut changes: L::Changes,
    guard: impl FnOnce(&mut PgConnection, &L) -> Result<(), ApiError>,
    settle: impl FnOnce(&mut PgConnection, &L, &mut L::Changes) -> Result<(), ApiError>,
) -> Result<L, ApiError> {
    conn.transaction(|conn| {
        let current = L::locked(conn, id)?;
        guard(conn, &current)?;
        if current.version() != expected_version {
            return Err(ApiError::VersionMismatch { current: current.version() });
        }
        let kind = L::KIND;
        if current.status() == kind.off_market {
            return Err(ApiError::Conflict { code: kind.off_market_code, detail: kind.off_market_detail.into() });
        }
        if current.status() == kind.rejected {
            return Err(ApiError::Conflict {
                code: ErrorCode::Rejected,
                detail: format!(
                    "review rejected this {}; it cannot change (POST {}/{{id}}/{} takes it away)",
                    kind.noun, kind.path, kind.off_market_action
                ),
            });
        }
        settle(conn, &current, &mut changes)?;
        L::apply(conn, id, &changes)
    })
}

/// Takes a listing off the market after `guard` allows it (idempotent: an off-market listing
/// is returned unchanged); 404 when absent.
pub fn take_off_market<L: ListingStore>(
    conn: &mut PgConnection,
    id: Uuid,
    guard: impl FnOnce(&L) -> Result<(), ApiError>,
) -> Result<L, ApiError> {
    conn.transaction(|conn| {
        let current = L::locked(conn, id)?;
        guard(&current)?;
        if current.status() == L::KIND.off_market {
            return Ok(current);
        }
        L::apply(conn, id, &L::status_change(L::KIND.off_market))
    })
}

//! Table access of a listing kind ([`ListingStore`], implemented in each kind's `repo.rs`) and
//! the guarded changes built on it: an update under `If-Match` and taking a listing off the
//! market. Every function takes a connection; callers run them through [`crate::db::run`].

use diesel::prelude::*;
use uuid::Uuid;

use super::kind::Listing;
use crate::error::ApiError;

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
    /// The status a new listing is created in.
    fn new_status(new: &Self::New) -> Self::Status;
    /// The status a PATCH sets, if it sets one.
    fn changed_status(changes: &Self::Changes) -> Option<Self::Status>;
    /// The match candidates among `ids` (in the candidate status), in no particular order.
    fn candidates(conn: &mut PgConnection, ids: Vec<Uuid>) -> Result<Vec<Self>, ApiError>;
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
/// `withdrawn`) for an off-market listing; 404 when absent.
pub fn update<L: ListingStore>(
    conn: &mut PgConnection,
    id: Uuid,
    expected_version: i32,
    changes: &L::Changes,
    guard: impl FnOnce(&mut PgConnection, &L) -> Result<(), ApiError>,
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
        L::apply(conn, id, changes)
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

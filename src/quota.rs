//! Per-organisation volume limits (issue 11, item 5): connection proposals per day, listings
//! created per hour, and listings on the market at once (published supplies and open demands).
//! Verified organisations get one set of limits, the others a tighter one; admins have none.
//!
//! Everything is counted in PostgreSQL, inside the transaction that creates the row, so every
//! replica sees the same figures. Before counting, the transaction takes an advisory lock on
//! the organisation ([`lock_organization`]) that it holds until it ends: two creations by one
//! organisation are counted one after the other, so concurrent requests cannot both take the
//! last slot. (Under READ COMMITTED each statement sees what was committed before it began, so
//! the count after the lock sees the rows of the transaction that held it.)
//!
//! Over a limit: 429 `quota_exceeded` with `quota` naming it, `limit` its size and
//! `Retry-After` the seconds until a slot frees (for `open_listings`, which frees only when the
//! organisation takes a listing off the market, a fixed hint of [`OPEN_LISTINGS_RETRY_AFTER_SECS`]).

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamptz};
use serde_json::json;
use uuid::Uuid;

use crate::auth::principal::Principal;
use crate::config::QuotaConfig;
use crate::db::schema::{connections, demands, supplies, users};
use crate::error::{ApiError, ErrorCode};
use crate::vocab::{DemandStatus, Quota, SupplyStatus, Verification};

/// `Retry-After` of `open_listings`: a slot frees only when the organisation archives a supply,
/// withdraws or closes a demand, or takes one back to draft, so this is a hint, not a promise.
pub const OPEN_LISTINGS_RETRY_AFTER_SECS: u64 = 3600;

/// First key of the advisory locks taken by [`lock_organization`] (the second is the hash of
/// the organisation's id), so they cannot meet another use of advisory locks.
const LOCK_NAMESPACE: i32 = 0x7175_6f74; // "quot"

/// The limits of one class of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    /// `POST /connections` by the organisation's users in the last 24 hours.
    pub proposals_per_day: u32,
    /// Supplies and demands created by the organisation in the last hour (drafts included).
    pub listings_per_hour: u32,
    /// Published supplies plus open demands of the organisation at once.
    pub open_listings: u32,
}

/// The limits of verified organisations and of the others (`unverified`; `rejected` ones
/// cannot write at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    pub verified: Tier,
    pub unverified: Tier,
}

impl From<&QuotaConfig> for Quotas {
    /// The limits of the `TECHMATCH_QUOTA_…` settings.
    fn from(config: &QuotaConfig) -> Self {
        Quotas {
            verified: Tier {
                proposals_per_day: config.quota_proposals_per_day,
                listings_per_hour: config.quota_listings_per_hour,
                open_listings: config.quota_open_listings,
            },
            unverified: Tier {
                proposals_per_day: config.quota_unverified_proposals_per_day,
                listings_per_hour: config.quota_unverified_listings_per_hour,
                open_listings: config.quota_unverified_open_listings,
            },
        }
    }
}

impl Quotas {
    fn tier(&self, verification: Option<Verification>) -> Tier {
        match verification {
            Some(Verification::Verified) => self.verified,
            _ => self.unverified,
        }
    }
}

/// Holds, until the caller's transaction ends, the lock that serialises the quota checks of
/// `organization` (call it inside a transaction, before counting).
pub fn lock_organization(conn: &mut PgConnection, organization: Uuid) -> Result<(), ApiError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind::<Integer, _>(LOCK_NAMESPACE)
        .bind::<Text, _>(organization.to_string())
        .execute(conn)?;
    Ok(())
}

/// The transaction's clock (`now()`), which also stamps the rows it inserts.
fn db_now(conn: &mut PgConnection) -> Result<DateTime<Utc>, ApiError> {
    Ok(diesel::select(diesel::dsl::sql::<Timestamptz>("now()")).get_result(conn)?)
}

fn limits_of(conn: &mut PgConnection, quotas: &Quotas, organization: Uuid) -> Result<Tier, ApiError> {
    Ok(quotas.tier(crate::organizations::repo::verification(conn, organization)?))
}

/// 429 `quota_exceeded` naming `quota`.
fn exceeded(quota: Quota, limit: u32, detail: String, retry_after_secs: u64) -> ApiError {
    ApiError::TooManyWith {
        code: ErrorCode::QuotaExceeded,
        detail,
        retry_after_secs,
        extension: json!({ "quota": quota, "limit": limit }),
    }
}

/// Seconds from `now` until the row stamped `oldest` leaves a window of `window` (at least 1).
fn seconds_until_out(oldest: DateTime<Utc>, window: Duration, now: DateTime<Utc>) -> u64 {
    let millis = (oldest + window - now).num_milliseconds().max(0);
    u64::try_from(millis).unwrap_or(0).div_ceil(1000).max(1)
}

/// Which of the `count` rows stamped inside the window must leave it before one more fits under
/// `limit`: the (count − limit)th from the oldest, counting from 0.
fn freeing_index(count: i64, limit: u32) -> i64 {
    (count - i64::from(limit)).max(0)
}

/// Takes the lock of `organization` and reads its tier and the transaction's clock: what every
/// windowed check starts with.
fn begin(conn: &mut PgConnection, quotas: &Quotas, organization: Uuid) -> Result<(Tier, DateTime<Utc>), ApiError> {
    lock_organization(conn, organization)?;
    Ok((limits_of(conn, quotas, organization)?, db_now(conn)?))
}

/// The stamps of the rows counted in a window, oldest first, against `limit`: `None` while one
/// more fits, otherwise how many there are and the seconds until the row that frees a slot
/// leaves the window.
fn over(stamps: &[DateTime<Utc>], limit: u32, window: Duration, now: DateTime<Utc>) -> Option<(usize, u64)> {
    let count = stamps.len();
    if i64::try_from(count).unwrap_or(i64::MAX) < i64::from(limit) {
        return None;
    }
    let freeing = usize::try_from(freeing_index(count as i64, limit)).ok().and_then(|k| stamps.get(k).copied());
    Some((count, seconds_until_out(freeing.unwrap_or(now), window, now)))
}

/// Checks the quotas of a new listing of the caller's organisation: `listings_per_hour`, and
/// `open_listings` when it is created on the market. Takes the organisation's lock (call it in
/// the creating transaction, before the insert). Admins pass.
pub fn check_new_listing(
    conn: &mut PgConnection,
    quotas: &Quotas,
    caller: &Principal,
    on_market: bool,
) -> Result<(), ApiError> {
    if caller.is_admin() {
        return Ok(());
    }
    let org = caller.organization_id;
    let (limits, now) = begin(conn, quotas, org)?;
    let window = Duration::hours(1);
    let since = now - window;
    // Listings created through the API in the window (imports are an operator's load).
    let mut stamps: Vec<DateTime<Utc>> = supplies::table
        .filter(supplies::organization_id.eq(org))
        .filter(supplies::created_at.gt(since))
        .filter(supplies::imported.eq(false))
        .select(supplies::created_at)
        .load(conn)?;
    stamps.extend(
        demands::table
            .filter(demands::organization_id.eq(org))
            .filter(demands::created_at.gt(since))
            .filter(demands::imported.eq(false))
            .select(demands::created_at)
            .load::<DateTime<Utc>>(conn)?,
    );
    stamps.sort();
    if let Some((made, retry_after)) = over(&stamps, limits.listings_per_hour, window, now) {
        return Err(exceeded(
            Quota::ListingsPerHour,
            limits.listings_per_hour,
            format!(
                "your organisation has created {made} listings in the last hour; the limit is {}",
                limits.listings_per_hour
            ),
            retry_after,
        ));
    }
    if on_market {
        check_open_listings(conn, &limits, org)?;
    }
    Ok(())
}

/// Checks `open_listings` before a listing of `organization` goes on the market by a change
/// (a draft published, a demand reopened). Takes the organisation's lock (call it in the
/// changing transaction). Admins pass.
pub fn check_publication(
    conn: &mut PgConnection,
    quotas: &Quotas,
    caller: &Principal,
    organization: Uuid,
) -> Result<(), ApiError> {
    if caller.is_admin() {
        return Ok(());
    }
    lock_organization(conn, organization)?;
    let limits = limits_of(conn, quotas, organization)?;
    check_open_listings(conn, &limits, organization)
}

fn check_open_listings(conn: &mut PgConnection, limits: &Tier, org: Uuid) -> Result<(), ApiError> {
    let published: i64 = supplies::table
        .filter(supplies::organization_id.eq(org))
        .filter(supplies::status.eq_any([SupplyStatus::Published, SupplyStatus::PendingReview]))
        .count()
        .get_result(conn)?;
    let open: i64 = demands::table
        .filter(demands::organization_id.eq(org))
        .filter(demands::status.eq_any([DemandStatus::Open, DemandStatus::PendingReview]))
        .count()
        .get_result(conn)?;
    // Listings waiting for review count too: approval (by an admin, who has no quota) must not
    // take an organisation past its limit.
    let on_market = published + open;
    if on_market >= i64::from(limits.open_listings) {
        return Err(exceeded(
            Quota::OpenListings,
            limits.open_listings,
            format!(
                "your organisation has {on_market} listings on the market or in review (published supplies and open \
                 demands); the limit is {}: archive, withdraw or close one, or create this one as a draft",
                limits.open_listings
            ),
            OPEN_LISTINGS_RETRY_AFTER_SECS,
        ));
    }
    Ok(())
}

/// Checks `proposals_per_day` before a connection is opened by the caller: the connections
/// opened by any user of the caller's organisation in the last 24 hours. Takes the
/// organisation's lock (call it in the opening transaction). Admins pass.
pub fn check_proposal(conn: &mut PgConnection, quotas: &Quotas, caller: &Principal) -> Result<(), ApiError> {
    if caller.is_admin() {
        return Ok(());
    }
    let org = caller.organization_id;
    let (limits, now) = begin(conn, quotas, org)?;
    let window = Duration::days(1);
    let stamps: Vec<DateTime<Utc>> = connections::table
        .inner_join(users::table.on(connections::opened_by.eq(users::id.nullable())))
        .filter(users::organization_id.eq(org))
        .filter(connections::created_at.gt(now - window))
        .order(connections::created_at.asc())
        .select(connections::created_at)
        .load(conn)?;
    if let Some((opened, retry_after)) = over(&stamps, limits.proposals_per_day, window, now) {
        return Err(exceeded(
            Quota::ProposalsPerDay,
            limits.proposals_per_day,
            format!(
                "your organisation has proposed {opened} connections in the last 24 hours; the limit is {}",
                limits.proposals_per_day
            ),
            retry_after,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_counts_up_to_the_whole_second_the_slot_frees() {
        let now = Utc::now();
        let hour = Duration::hours(1);
        assert_eq!(seconds_until_out(now - hour + Duration::milliseconds(1500), hour, now), 2);
        assert_eq!(seconds_until_out(now, hour, now), 3600);
        // A row already out of the window (clock skew): retry at once, but not in 0 s.
        assert_eq!(seconds_until_out(now - hour - hour, hour, now), 1);
    }

    #[test]
    fn the_row_to_wait_for_is_the_one_that_brings_the_count_under_the_limit() {
        assert_eq!(freeing_index(10, 10), 0);
        assert_eq!(freeing_index(12, 10), 2);
        assert_eq!(freeing_index(3, 10), 0);
    }

    #[test]
    fn unverified_and_rejected_organisations_get_the_tighter_tier() {
        let tier = |n| Tier { proposals_per_day: n, listings_per_hour: n, open_listings: n };
        let quotas = Quotas { verified: tier(50), unverified: tier(10) };
        assert_eq!(quotas.tier(Some(Verification::Verified)), tier(50));
        for v in [Some(Verification::Unverified), Some(Verification::Rejected), None] {
            assert_eq!(quotas.tier(v), tier(10));
        }
    }
}

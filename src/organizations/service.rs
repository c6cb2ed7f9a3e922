//! Verification of an organisation and what follows from it.
//!
//! Rejecting an organisation takes its public listings off the market in the same transaction:
//! published supplies and open or closed demands (and those waiting for review) become drafts (private, no match candidates)
//! with `off_market_reason` = `organization_rejected`, and their version is bumped so that every
//! instance's index drops them on its next poll. Restoring the organisation (`verified` or
//! `unverified`) republishes nothing: the owner does, by setting the status again (which clears
//! the reason).

use diesel::prelude::*;
use uuid::Uuid;

use super::model::Organization;
use super::repo;
use crate::db::schema::{demands, supplies};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::listing::Listing;
use crate::supplies::model::Supply;
use crate::vocab::{DemandStatus, SupplyStatus, Verification};

/// The reason recorded on a listing taken off the market by its organisation's rejection.
pub const REJECTED: &str = "organization_rejected";

/// An organisation after a change of verification, with the listings the change took off the
/// market (to re-index on this instance at once).
pub struct Verified {
    pub organization: Organization,
    pub supplies: Vec<Supply>,
    pub demands: Vec<Demand>,
}

/// Sets the verification (404 when absent); a rejection takes the organisation's public
/// listings off the market (see the module docs). One transaction.
pub fn set_verification(conn: &mut PgConnection, id: Uuid, verification: Verification) -> Result<Verified, ApiError> {
    conn.transaction(|conn| {
        let organization = repo::set_verification(conn, id, verification)?;
        if verification != Verification::Rejected {
            return Ok(Verified { organization, supplies: Vec::new(), demands: Vec::new() });
        }
        let supplies = diesel::update(
            supplies::table
                .filter(supplies::organization_id.eq(id))
                .filter(supplies::status.eq_any(Supply::KIND.public.iter().chain([&Supply::KIND.pending_review]))),
        )
        .set((
            supplies::status.eq(SupplyStatus::Draft),
            supplies::off_market_reason.eq(REJECTED),
            supplies::version.eq(supplies::version + 1),
            supplies::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Supply::as_returning())
        .get_results(conn)?;
        let demands = diesel::update(
            demands::table
                .filter(demands::organization_id.eq(id))
                .filter(demands::status.eq_any(Demand::KIND.public.iter().chain([&Demand::KIND.pending_review]))),
        )
        .set((
            demands::status.eq(DemandStatus::Draft),
            demands::off_market_reason.eq(REJECTED),
            demands::version.eq(demands::version + 1),
            demands::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Demand::as_returning())
        .get_results(conn)?;
        Ok(Verified { organization, supplies, demands })
    })
}

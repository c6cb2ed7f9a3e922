//! Verification of an organisation and what follows from it.
//!
//! Rejecting an organisation takes its public listings off the market in the same transaction:
//! published supplies and open or closed demands (and those waiting for review) become drafts (private, no match candidates)
//! with `off_market_reason` = `organization_rejected`, and their version is bumped so that every
//! instance's index drops them on its next poll. Restoring the organisation (`verified` or
//! `unverified`) republishes nothing: the owner does, by setting the status again (which clears
//! the reason).

use std::collections::HashMap;

use diesel::prelude::*;
use uuid::Uuid;

use super::model::Organization;
use super::repo;
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::db::schema::{demands, supplies};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::listing::Listing;
use crate::supplies::model::Supply;
use crate::vocab::{AuditAction, AuditRecordType, DemandStatus, SupplyStatus, Verification};

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
/// listings off the market (see the module docs). One transaction, with the audit entries of
/// the decision and of each listing it took off the market, `caller` the deciding admin.
pub fn set_verification(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    verification: Verification,
) -> Result<Verified, ApiError> {
    conn.transaction(|conn| {
        let before = repo::verification(conn, id)?.ok_or_else(|| ApiError::NotFound(format!("organization {id}")))?;
        let organization = repo::set_verification(conn, id, verification)?;
        let decision =
            Entry::by(caller, AuditAction::OrganizationVerificationSet, AuditRecordType::Organization, id, id)
                .with_changes(serde_json::json!({"verification": {"before": before, "after": verification}}));
        audit::record(conn, &decision)?;
        if verification != Verification::Rejected {
            return Ok(Verified { organization, supplies: Vec::new(), demands: Vec::new() });
        }
        // The statuses before the change, rows locked, for the audit entries.
        let supplies_before: HashMap<Uuid, SupplyStatus> = supplies::table
            .filter(supplies::organization_id.eq(id))
            .filter(supplies::status.eq_any(Supply::KIND.public))
            .select((supplies::id, supplies::status))
            .for_update()
            .load(conn)?
            .into_iter()
            .collect();
        let demands_before: HashMap<Uuid, DemandStatus> = demands::table
            .filter(demands::organization_id.eq(id))
            .filter(demands::status.eq_any(Demand::KIND.public))
            .select((demands::id, demands::status))
            .for_update()
            .load(conn)?
            .into_iter()
            .collect();
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
        let taken_off = |kind: AuditRecordType, listing: Uuid, before: Option<&str>| {
            Entry::by(caller, AuditAction::ListingStatusChanged, kind, listing, id).with_changes(serde_json::json!({
                "status": {"before": before, "after": "draft"},
                "off_market_reason": {"before": null, "after": REJECTED},
            }))
        };
        let mut entries: Vec<Entry> = supplies
            .iter()
            .map(|s| taken_off(AuditRecordType::Supply, s.id, supplies_before.get(&s.id).map(|b| b.as_str())))
            .collect();
        entries.extend(
            demands
                .iter()
                .map(|d| taken_off(AuditRecordType::Demand, d.id, demands_before.get(&d.id).map(|b| b.as_str()))),
        );
        audit::record_all(conn, &entries)?;
        Ok(Verified { organization, supplies, demands })
    })
}

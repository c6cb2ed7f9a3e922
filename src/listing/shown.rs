//! A listing as the API shows it: its columns with the summary of the organisation that holds
//! it ([`OrganizationSummary`]), so a page of listings needs no call per organisation. The
//! summaries of a whole page come from one query ([`with_organizations`]).

use diesel::PgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use super::kind::Listing;
use crate::error::ApiError;
use crate::organizations::summary::{self, OrganizationSummary};
use crate::regions::vocabulary::{names, RegionNames};

/// A listing's columns, `organization`, the summary of its holder, and the names of its region.
#[derive(Debug, Serialize, ToSchema)]
pub struct Shown<L> {
    #[serde(flatten)]
    pub listing: L,
    /// The organisation of `organization_id`.
    pub organization: OrganizationSummary,
    /// The names of `region_code`'s region from its province down (`null` without a code).
    pub region_names: Option<RegionNames>,
}

/// Each listing with its organisation's summary, in the same order; the summaries in one query.
pub fn with_organizations<L: Listing>(conn: &mut PgConnection, listings: Vec<L>) -> Result<Vec<Shown<L>>, ApiError> {
    let ids: Vec<_> = listings.iter().map(Listing::organization_id).collect();
    let found = summary::summaries(conn, &ids)?;
    listings
        .into_iter()
        .map(|listing| {
            let id = listing.organization_id();
            found
                .get(&id)
                .cloned()
                .map(|organization| {
                    let region_names = listing.region_code().and_then(names);
                    Shown { listing, organization, region_names }
                })
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("organization {id} of a listing is missing")))
        })
        .collect()
}

/// One listing with its organisation's summary.
pub fn with_organization<L: Listing>(conn: &mut PgConnection, listing: L) -> Result<Shown<L>, ApiError> {
    with_organizations(conn, vec![listing])?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a listing without its organization")))
}

//! The list filters both kinds of listing take (`industry`, `keyword`, `q`, `status`,
//! `organization_id`, `region`), checked in the same order for both.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::kind::Listing;
use super::values::{industry_codes, non_blank};
use crate::auth::policy;
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::validation;

/// The shared query values of a list request, as sent.
#[derive(Debug, Clone, Copy)]
pub struct ListQuery<'a> {
    /// `industry`: industry codes, comma-separated.
    pub industry: &'a Option<String>,
    /// `keyword`: one exact keyword.
    pub keyword: &'a Option<String>,
    /// `q`: free text.
    pub q: &'a Option<String>,
    /// `region`: an exact region.
    pub region: &'a Option<String>,
    /// `organization_id`: the owning organisation.
    pub organization_id: Option<Uuid>,
}

/// Checked shared list filters of listings with statuses `S`.
#[derive(Debug, Clone)]
pub struct ListFilter<S> {
    /// Known industry codes; a listing matches when it carries any of them (none: no filter).
    pub industries: Vec<String>,
    /// An exact keyword the listing carries.
    pub keyword: Option<String>,
    /// Free text for a case-insensitive substring search in title and body.
    pub q: Option<String>,
    /// The status.
    pub status: S,
    /// The owning organisation.
    pub organization_id: Option<Uuid>,
    /// Exact region.
    pub region: Option<String>,
    /// The lifecycle's now: listings on the market that expire at or before it are left out.
    pub now: DateTime<Utc>,
}

impl ListQuery<'_> {
    /// 400 `nul_character` when a text value holds U+0000 (checked before any other value).
    pub fn check_text(&self) -> Result<(), ApiError> {
        for (name, value) in
            [("keyword", self.keyword), ("q", self.q), ("region", self.region), ("industry", self.industry)]
        {
            validation::query_text(name, value.as_deref())?;
        }
        Ok(())
    }

    /// The checked filters for listings of kind `L` in `status`. A private status
    /// (not in [`Kind::public`](super::Kind::public)) limits the list to the caller's own organisation (admins: the
    /// one asked for, or any), 401 without a token; an unknown industry code is 400 `invalid_query`.
    /// `now` is the lifecycle clock's (expired listings leave the public lists at once).
    pub fn filter<L: Listing>(
        &self,
        status: L::Status,
        caller: Option<&Principal>,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
    ) -> Result<ListFilter<L::Status>, ApiError> {
        let organization_id = if L::KIND.public.contains(&status) {
            self.organization_id
        } else {
            policy::private_list_scope(caller, self.organization_id)?
        };
        Ok(ListFilter {
            industries: industry_codes(self.industry.as_deref(), taxonomy)?,
            keyword: non_blank(self.keyword),
            q: non_blank(self.q),
            status,
            organization_id,
            region: non_blank(self.region),
            now,
        })
    }
}

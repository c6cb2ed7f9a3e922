//! A single listing as answered by its endpoints: the listing with its organisation's summary
//! ([`Shown`]), plus, for its owner's members and admins, its completeness report and the last
//! review decision (a note the owner sees). Everyone else sees the listing as shown alone; lists
//! and matches carry the listing as shown alone.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::completeness::{self, Completeness};
use super::events::{self, ReviewNote};
use super::kind::Listing;
use super::shown::{with_organization, Shown};
use crate::auth::principal::Principal;
use crate::db::schema::organizations;
use crate::error::ApiError;

/// A listing with what only its owner and admins see.
#[derive(Debug, Serialize, ToSchema)]
pub struct Detail<T> {
    #[serde(flatten)]
    pub listing: T,
    /// For the owner and admins: what buyers ask for that the listing does not state (advice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completeness: Option<Completeness>,
    /// For the owner and admins: the last review decision, with its reason and note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewNote>,
}

/// Whether the organisation `id` has a contact e-mail or phone.
pub fn has_contact(conn: &mut PgConnection, id: uuid::Uuid) -> Result<bool, ApiError> {
    let (email, phone): (Option<String>, Option<String>) = organizations::table
        .find(id)
        .select((organizations::contact_email, organizations::contact_phone))
        .first(conn)
        .optional()?
        .unwrap_or((None, None));
    Ok(email.is_some() || phone.is_some())
}

/// The completeness report of `listing`, its organisation's contact looked up.
pub fn completeness_of<L: Listing>(conn: &mut PgConnection, listing: &L) -> Result<Completeness, ApiError> {
    let mut facts = listing.facts();
    facts.contact = has_contact(conn, listing.organization_id())?;
    Ok(completeness::report(&facts))
}

/// `listing` as `caller` sees it, with its organisation's summary.
pub fn detail<L: Listing>(
    conn: &mut PgConnection,
    listing: L,
    caller: Option<&Principal>,
) -> Result<Detail<Shown<L>>, ApiError> {
    let insider = caller.is_some_and(|p| p.is_admin() || p.organization_id == listing.organization_id());
    let (completeness, review) = if insider {
        (Some(completeness_of(conn, &listing)?), events::latest_review(conn, listing.id())?)
    } else {
        (None, None)
    };
    let listing = with_organization(conn, listing)?;
    Ok(Detail { listing, completeness, review })
}

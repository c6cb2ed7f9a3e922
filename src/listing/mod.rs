//! What supplies and demands (the two kinds of listing) share: the facts the shared code needs
//! about each kind ([`Kind`], [`Listing`], [`ListingStore`]), the request flow of their
//! endpoints ([`http`]), their guarded changes ([`store`]), list filters ([`filter`]) and value
//! checks ([`values`]).

pub mod filter;
pub mod http;
pub mod store;
pub mod values;

use matching::{Document, Side};
use serde::Serialize;
use uuid::Uuid;

pub use filter::{ListFilter, ListQuery};
pub use store::ListingStore;
pub use values::{editable_status, like_pattern, mode_names, non_blank, trl_in_range};

use crate::error::ApiError;

/// The words and statuses that tell one kind of listing from the other.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// The noun in messages, e.g. `supply` (as in 404 `supply <id>`).
    pub noun: &'static str,
    /// The collection's path, e.g. `/api/v1/supplies`.
    pub path: &'static str,
    /// The status that takes a listing off the market, e.g. `archived`; also the 409 `code`
    /// when such a listing is changed.
    pub off_market: &'static str,
    /// The endpoint (below `{path}/{id}/`) and verb that take a listing off the market, e.g. `archive`.
    pub off_market_action: &'static str,
    /// The 409 detail when an off-market listing is changed.
    pub off_market_detail: &'static str,
    /// The statuses everyone may see, e.g. `published`; the others are private to the owning
    /// organisation (and admins).
    pub public: &'static [&'static str],
    /// The status of match candidates, e.g. `published`.
    pub candidate: &'static str,
    /// The matching engine's side for this kind.
    pub side: Side,
}

/// The columns every listing has that the shared code reads.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    /// The listing's id.
    pub id: Uuid,
    /// The owning organisation.
    pub organization_id: Uuid,
    /// The version, bumped by every change.
    pub version: i32,
    /// The stored status name.
    pub status: &'a str,
}

/// A stored listing (a supply or a demand) as the shared code sees it.
pub trait Listing: Serialize + Send + Sized + 'static {
    /// What tells this kind from the other.
    const KIND: Kind;

    /// The columns the shared code reads.
    fn head(&self) -> Head<'_>;
    /// The matching engine's document of the listing.
    fn document(&self) -> Document;

    /// The listing's id.
    fn id(&self) -> Uuid {
        self.head().id
    }

    /// The owning organisation.
    fn organization_id(&self) -> Uuid {
        self.head().organization_id
    }

    /// The version, bumped by every change and sent as the `ETag`.
    fn version(&self) -> i32 {
        self.head().version
    }

    /// The stored status name.
    fn status(&self) -> &str {
        self.head().status
    }

    /// Whether everyone may see the listing (in one of the [`Kind::public`] statuses).
    fn is_public(&self) -> bool {
        Self::KIND.public.contains(&self.status())
    }

    /// Whether the listing is a match candidate (in status [`Kind::candidate`]).
    fn is_candidate(&self) -> bool {
        self.status() == Self::KIND.candidate
    }
}

/// The 404 detail of a listing of kind `L`, e.g. `supply <id>`, made when needed.
pub fn what<L: Listing>(id: Uuid) -> impl FnOnce() -> String {
    move || format!("{} {id}", L::KIND.noun)
}

/// 404 for an absent listing of kind `L`: detail `<noun> <id>`, e.g. `supply <id>`.
pub fn not_found<L: Listing>(id: Uuid) -> ApiError {
    ApiError::NotFound(what::<L>(id)())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demands::model::Demand;
    use crate::supplies::model::Supply;
    use crate::vocab::{DemandStatus, SupplyStatus};

    fn public(kind: Kind, status: &str) -> bool {
        kind.public.contains(&status)
    }

    #[test]
    fn public_and_off_market_statuses() {
        for status in SupplyStatus::ALL {
            assert_eq!(public(Supply::KIND, status.as_str()), *status == SupplyStatus::Published, "{status}");
        }
        for status in DemandStatus::ALL {
            let expected = matches!(status, DemandStatus::Open | DemandStatus::Closed);
            assert_eq!(public(Demand::KIND, status.as_str()), expected, "{status}");
        }
        assert_eq!(SupplyStatus::parse(Supply::KIND.off_market), Some(SupplyStatus::Archived));
        assert_eq!(DemandStatus::parse(Demand::KIND.off_market), Some(DemandStatus::Withdrawn));
        assert_eq!(SupplyStatus::parse(Supply::KIND.candidate), Some(SupplyStatus::Published));
        assert_eq!(DemandStatus::parse(Demand::KIND.candidate), Some(DemandStatus::Open));
    }
}

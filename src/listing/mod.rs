//! What supplies and demands (the two kinds of listing) share: the facts the shared code needs
//! about each kind ([`kind`]: [`Kind`], [`Listing`]; [`ListingStore`]), the request flow of their
//! endpoints ([`http`]), their guarded changes ([`store`]), list filters ([`filter`], [`sort`]), the list
//! flow with the text search ([`search`]) and value checks ([`values`]). The children import [`kind`] (and each other), never this module, so the
//! re-exports below point one way.

pub mod completeness;
pub mod endpoints;
pub mod events;
pub mod expiry;
pub mod filter;
pub mod http;
pub mod kind;
pub mod lifecycle;
pub mod model;
pub mod review;
pub mod search;
pub mod shown;
pub mod sort;
pub mod store;
pub mod table;
pub mod values;
pub mod view;

pub use filter::{ListFilter, ListQuery};
pub use kind::{what, Head, Kind, Listing};
pub use shown::{with_organization, with_organizations, Shown};
pub use store::{ListingRef, ListingStore};
pub use values::{distinct_modes, editable_status, mode_names, non_blank, trl_in_range};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demands::model::Demand;
    use crate::supplies::model::Supply;
    use crate::vocab::{DemandStatus, SupplyStatus};

    #[test]
    fn public_and_off_market_statuses() {
        for status in SupplyStatus::ALL {
            assert_eq!(Supply::KIND.public.contains(status), *status == SupplyStatus::Published, "{status}");
        }
        for status in DemandStatus::ALL {
            let expected = matches!(status, DemandStatus::Open | DemandStatus::Closed);
            assert_eq!(Demand::KIND.public.contains(status), expected, "{status}");
        }
        for status in [SupplyStatus::PendingReview, SupplyStatus::Rejected, SupplyStatus::Expired] {
            assert!(!Supply::KIND.public.contains(&status), "{status} is private to its owner");
        }
        for status in DemandStatus::ALL {
            let expected = matches!(status, DemandStatus::Open | DemandStatus::Closed);
            assert_eq!(Demand::KIND.public.contains(status), expected, "{status}");
        }
        assert_eq!(Supply::KIND.off_market, SupplyStatus::Archived);
        assert_eq!(Demand::KIND.off_market, DemandStatus::Withdrawn);
        assert_eq!(Supply::KIND.off_market_code.as_str(), Supply::KIND.off_market.as_str());
        assert_eq!(Demand::KIND.off_market_code.as_str(), Demand::KIND.off_market.as_str());
        assert_eq!(Supply::KIND.candidate, SupplyStatus::Published);
        assert_eq!(Demand::KIND.candidate, DemandStatus::Open);
    }
}

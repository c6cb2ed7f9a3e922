//! Turns stored listings into the engine's queries (each listing makes its own document:
//! [`Listing::document`]).

use matching::{Document, Query};

use crate::demands::model::Demand;
use crate::listing::Listing;
use crate::supplies::model::Supply;

/// The engine document of a supply ([`Listing::document`]).
pub fn supply_document(s: &Supply) -> Document {
    s.document()
}

/// The engine document of a demand ([`Listing::document`]).
pub fn demand_document(d: &Demand) -> Document {
    d.document()
}

/// A document as a query that never returns the document itself. The region takes part in the
/// score only when `use_region` is set ("region when asked").
pub fn as_query(doc: Document, use_region: bool) -> Query {
    Query {
        title: doc.title,
        body: doc.body,
        keywords: doc.keywords,
        industries: doc.industries,
        groups: doc.groups,
        trl: doc.trl,
        money_fen: doc.money_fen,
        modes: doc.modes,
        region: if use_region { doc.region } else { None },
        exclude: Some(doc.id),
        history: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::vocab::TransferMode;

    /// The listings' `transfer_modes` / `cooperation_modes` reach the engine as strings; the
    /// engine ignores any string outside [`matching::MODES`], so the two lists must agree.
    #[test]
    fn engine_modes_are_the_api_transfer_modes() {
        let api: BTreeSet<&str> = TransferMode::ALL.iter().map(|m| m.as_str()).collect();
        let engine: BTreeSet<&str> = matching::MODES.iter().copied().collect();
        assert_eq!(api, engine);
        assert_eq!(TransferMode::ALL.len(), matching::MODES.len(), "no duplicates on either side");
    }
}

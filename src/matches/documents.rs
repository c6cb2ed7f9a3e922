//! Turns stored listings into the engine's documents and queries.

use matching::{Document, Query, Side};

use crate::demands::model::Demand;
use crate::supplies::model::Supply;

fn trl(value: Option<i16>) -> Option<u8> {
    value.and_then(|v| u8::try_from(v).ok())
}

/// The engine document of a supply (asking price as money, offered TRL).
pub fn supply_document(s: &Supply) -> Document {
    Document {
        id: s.id,
        side: Side::Supply,
        title: s.title.clone(),
        body: s.summary.clone(),
        keywords: s.keywords.clone(),
        industries: s.industries.clone(),
        groups: Vec::new(),
        trl: trl(s.trl),
        money_fen: s.price_fen,
        modes: s.transfer_modes.clone(),
        region: s.region.clone(),
    }
}

/// The engine document of a demand (budget as money, minimum TRL wanted).
pub fn demand_document(d: &Demand) -> Document {
    Document {
        id: d.id,
        side: Side::Demand,
        title: d.title.clone(),
        body: d.description.clone(),
        keywords: d.keywords.clone(),
        industries: d.industries.clone(),
        groups: Vec::new(),
        trl: trl(d.trl_min),
        money_fen: d.budget_fen,
        modes: d.cooperation_modes.clone(),
        region: d.region.clone(),
    }
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

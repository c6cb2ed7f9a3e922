//! The completeness report of a listing (issue 12, item 2): which of the facts buyers ask for
//! before they call — maturity, intellectual property, transfer modes, price or budget, the
//! application scenario, a contact — the listing does not state. Advice shown to its owner and in
//! the review queue, never a reason to refuse a write. A pure function of [`Facts`].

use serde::Serialize;
use utoipa::ToSchema;

use crate::vocab::{CompletenessItem, IpType, ListingKind, Vocabulary};

/// What the report looks at, read from a listing and its organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// Supply or demand: what applies differs (IP for supplies; price or budget).
    pub kind: ListingKind,
    /// A TRL (offered, or the lowest wanted) is stated.
    pub trl: bool,
    /// The kind of IP protecting a supply (`None`: not stated).
    pub ip_type: Option<IpType>,
    /// The patent or registration number is stated.
    pub ip_number: bool,
    /// Transfer (supply) or cooperation (demand) modes are stated.
    pub modes: bool,
    /// A price (supply) or budget (demand) is stated.
    pub money: bool,
    /// The application scenario is stated.
    pub scenario: bool,
    /// The organisation has a contact e-mail or phone.
    pub contact: bool,
}

/// One missing fact, with its Chinese label.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct Missing {
    pub item: CompletenessItem,
    /// The item's Chinese label, e.g. `知识产权号`.
    #[schema(example = "知识产权号")]
    pub label_zh: &'static str,
}

/// The completeness report: the share of checked facts stated, and the missing ones in a fixed
/// order (TRL, IP type, IP number, modes, price or budget, scenario, contact).
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct Completeness {
    /// Stated facts over checked facts, 0–1 (1: nothing missing).
    #[schema(minimum = 0, maximum = 1)]
    pub score: f64,
    /// How many facts were checked (7 for a supply with a registered right, 6 otherwise for a
    /// supply, 5 for a demand).
    pub checked: u32,
    pub missing: Vec<Missing>,
}

/// Whether an IP type is a registered right, which has a number (a patent, a copyright
/// registration, a plant variety right…); a technical secret and `none` have none.
pub fn has_registration_number(ip: IpType) -> bool {
    !matches!(ip, IpType::TechnicalSecret | IpType::None)
}

/// The report of `facts`.
pub fn report(facts: &Facts) -> Completeness {
    let supply = facts.kind == ListingKind::Supply;
    let mut checks: Vec<(CompletenessItem, bool)> = vec![(CompletenessItem::Trl, facts.trl)];
    if supply {
        checks.push((CompletenessItem::IpType, facts.ip_type.is_some()));
        if facts.ip_type.is_some_and(has_registration_number) {
            checks.push((CompletenessItem::IpNumber, facts.ip_number));
        }
    }
    checks.push((CompletenessItem::TransferModes, facts.modes));
    checks.push((if supply { CompletenessItem::Price } else { CompletenessItem::Budget }, facts.money));
    checks.push((CompletenessItem::ApplicationScenario, facts.scenario));
    checks.push((CompletenessItem::Contact, facts.contact));
    let checked = checks.len() as u32;
    let missing: Vec<Missing> = checks
        .into_iter()
        .filter(|(_, stated)| !stated)
        .map(|(item, _)| Missing { item, label_zh: item.label_zh() })
        .collect();
    let stated = checked - missing.len() as u32;
    let score = (f64::from(stated) / f64::from(checked) * 100.0).round() / 100.0;
    Completeness { score, checked, missing }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(kind: ListingKind) -> Facts {
        Facts {
            kind,
            trl: true,
            ip_type: Some(IpType::InventionPatent),
            ip_number: true,
            modes: true,
            money: true,
            scenario: true,
            contact: true,
        }
    }

    fn items(report: &Completeness) -> Vec<CompletenessItem> {
        report.missing.iter().map(|m| m.item).collect()
    }

    #[test]
    fn a_complete_supply_misses_nothing() {
        let report = report(&full(ListingKind::Supply));
        assert_eq!((report.score, report.checked), (1.0, 7));
        assert!(report.missing.is_empty());
    }

    #[test]
    fn an_empty_supply_misses_everything_in_order() {
        let facts = Facts {
            kind: ListingKind::Supply,
            trl: false,
            ip_type: None,
            ip_number: false,
            modes: false,
            money: false,
            scenario: false,
            contact: false,
        };
        let r = report(&facts);
        use CompletenessItem::*;
        // Without an IP type the number cannot be asked for.
        assert_eq!(items(&r), [Trl, IpType, TransferModes, Price, ApplicationScenario, Contact]);
        assert_eq!((r.score, r.checked), (0.0, 6));
        assert_eq!(r.missing[1].label_zh, "知识产权类型");
    }

    #[test]
    fn a_registered_right_needs_its_number_a_secret_does_not() {
        let mut facts = Facts { ip_number: false, ..full(ListingKind::Supply) };
        let r = report(&facts);
        assert_eq!(items(&r), [CompletenessItem::IpNumber]);
        assert_eq!(r.score, 0.86, "6 of 7");
        facts.ip_type = Some(IpType::TechnicalSecret);
        assert!(report(&facts).missing.is_empty());
        assert_eq!(report(&facts).checked, 6);
    }

    #[test]
    fn a_demand_is_asked_for_a_budget_and_no_ip() {
        let facts =
            Facts { ip_type: None, ip_number: false, money: false, contact: false, ..full(ListingKind::Demand) };
        let r = report(&facts);
        assert_eq!(items(&r), [CompletenessItem::Budget, CompletenessItem::Contact]);
        assert_eq!((r.checked, r.score), (5, 0.6));
        assert_eq!(r.missing[0].label_zh, "预算");
    }
}

//! The computation of a statement, free of the database: each piece of evidence earns under the
//! policy that applies on its day (the agency's own, else the default one) when the policy's
//! basis is the evidence's; caps are counted per calendar year, per agency and per broker, in
//! the order of the days (within a day, of confirmation), from the first of January of the period's first year (so that a
//! statement for June knows what January to May used of the cap).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::model::{Evidence, Policy, StatementRow};

/// The policy that applies on `day` to `agency`: its own, else the default (`agency_id` null).
fn policy_on(policies: &[Policy], agency: Uuid, day: NaiveDate) -> Option<&Policy> {
    let own = policies.iter().find(|p| p.agency_id == Some(agency) && p.covers(day));
    own.or_else(|| policies.iter().find(|p| p.agency_id.is_none() && p.covers(day)))
}

/// The rows of `agency`'s statement for `[from, to]`; `evidence` must cover the first of
/// January of `from`'s year to `to`.
pub fn rows(
    policies: &[Policy],
    agency: Uuid,
    mut evidence: Vec<Evidence>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<StatementRow> {
    evidence.sort_by_key(|e| (e.day, e.confirmed_at, e.payment_id.is_some(), e.contract_id, e.payment_id));
    let mut agency_used: HashMap<i32, i64> = HashMap::new();
    let mut broker_used: HashMap<(i32, Uuid), i64> = HashMap::new();
    let mut out = Vec::new();
    for e in evidence {
        let Some(policy) = policy_on(policies, agency, e.day).filter(|p| p.basis == e.basis()) else { continue };
        let computed = i64::try_from(i128::from(e.base_fen) * i128::from(policy.rate_bp) / 10_000).unwrap_or(i64::MAX);
        let year = e.day.year();
        let agency_sum = agency_used.entry(year).or_default();
        let broker_sum = broker_used.entry((year, e.broker_id)).or_default();
        let room = |cap: Option<i64>, used: i64| cap.map_or(i64::MAX, |c| c.saturating_sub(used).max(0));
        let commission = computed
            .min(room(policy.cap_per_agency_fen, *agency_sum))
            .min(room(policy.cap_per_broker_fen, *broker_sum));
        *agency_sum = agency_sum.saturating_add(commission);
        *broker_sum = broker_sum.saturating_add(commission);
        if e.day < from || e.day > to {
            continue;
        }
        out.push(StatementRow {
            day: e.day,
            basis: e.basis(),
            connection_id: e.connection_id,
            contract_id: e.contract_id,
            payment_id: e.payment_id,
            broker_id: e.broker_id,
            base_fen: e.base_fen,
            policy_id: policy.id,
            rate_bp: policy.rate_bp,
            computed_fen: computed,
            commission_fen: commission,
            capped: commission < computed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::CommissionBasis;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn policy(agency: Option<Uuid>, basis: CommissionBasis, rate_bp: i32, cap: Option<i64>, from: &str) -> Policy {
        Policy {
            id: Uuid::new_v4(),
            agency_id: agency,
            basis,
            rate_bp,
            cap_per_agency_fen: cap,
            cap_per_broker_fen: None,
            effective_from: day(from),
            effective_to: None,
            note: None,
            created_by: None,
            created_at: chrono::Utc::now(),
        }
    }

    fn contract(broker: Uuid, on: &str, fen: i64) -> Evidence {
        Evidence {
            connection_id: Uuid::new_v4(),
            contract_id: Uuid::new_v4(),
            payment_id: None,
            broker_id: broker,
            day: day(on),
            base_fen: fen,
            confirmed_at: None,
        }
    }

    #[test]
    fn two_percent_capped_at_500k_a_year_counts_the_cap_from_january() {
        // Fuzhou's rule: 2 % of 技术交易额, at most ¥500k (50,000,000 fen) a year per agency.
        let agency = Uuid::new_v4();
        let broker = Uuid::new_v4();
        let policies = [policy(Some(agency), CommissionBasis::TechnicalAmount, 200, Some(50_000_000), "2026-01-01")];
        let evidence = vec![
            contract(broker, "2026-02-01", 2_000_000_000), // ¥20 M → ¥400k
            contract(broker, "2026-06-01", 1_000_000_000), // ¥10 M → ¥200k, ¥100k left under the cap
            contract(broker, "2026-07-01", 100_000_000),   // ¥1 M → ¥20k, nothing left
            contract(broker, "2027-01-05", 100_000_000),   // a new year: ¥20k
        ];
        let rows = rows(&policies, agency, evidence, day("2026-06-01"), day("2027-12-31"));
        let got: Vec<(i64, i64, bool)> = rows.iter().map(|r| (r.computed_fen, r.commission_fen, r.capped)).collect();
        assert_eq!(got, [(20_000_000, 10_000_000, true), (2_000_000, 0, true), (2_000_000, 2_000_000, false)]);
    }

    #[test]
    fn the_agency_s_own_policy_wins_over_the_default_and_the_basis_must_match() {
        let agency = Uuid::new_v4();
        let broker = Uuid::new_v4();
        let policies = [
            policy(None, CommissionBasis::TechnicalAmount, 100, None, "2026-01-01"),
            policy(Some(agency), CommissionBasis::ReceivedAmount, 300, None, "2026-06-01"),
        ];
        let mut receipt = contract(broker, "2026-07-01", 1_000_000);
        receipt.payment_id = Some(Uuid::new_v4());
        let evidence =
            vec![contract(broker, "2026-03-01", 1_000_000), contract(broker, "2026-07-01", 1_000_000), receipt];
        let rows = rows(&policies, agency, evidence, day("2026-01-01"), day("2026-12-31"));
        // March: the default 1 % on 技术交易额; July: the agency's 3 % on receipts only.
        let got: Vec<(CommissionBasis, i64)> = rows.iter().map(|r| (r.basis, r.commission_fen)).collect();
        assert_eq!(got, [(CommissionBasis::TechnicalAmount, 10_000), (CommissionBasis::ReceivedAmount, 30_000)]);
    }
}

//! The signals of a match and how they combine into one score in `0..=1`.

use crate::config::MatchingConfig;
use crate::document::Side;
use crate::explanation::SignalShare;
use crate::industry::{GroupId, IndustryEvidence, IndustryId, Taxonomy};

/// Text relevance in `0..=1`: `bm25 / max(best, floor · ideal)`.
///
/// `best` is the best BM25F score among this query's candidates, `ideal` the query's upper
/// bound ([`crate::index::Retrieved::ideal`]).
pub(crate) fn text_signal(bm25: f32, best: f32, ideal: f32, cfg: &MatchingConfig) -> f32 {
    let denom = best.max(cfg.text_floor * ideal);
    if denom <= 0.0 {
        0.0
    } else {
        (bm25 / denom).clamp(0.0, 1.0)
    }
}

/// Keyword agreement in `0..1`: `s / (s + keyword_half)`, `s` = summed rarity.
pub(crate) fn keyword_signal(rarity_sum: f32, cfg: &MatchingConfig) -> f32 {
    if rarity_sum <= 0.0 {
        0.0
    } else {
        rarity_sum / (rarity_sum + cfg.keyword_half.max(1e-6))
    }
}

/// How two listings' industries agree, with the evidence for the explanation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct IndustryAgreement {
    /// Signal in `0..=1`.
    pub(crate) value: f32,
    /// Industries both sides name (tagged or inferred).
    pub(crate) same: Vec<IndustryId>,
    /// Groups both sides fall in (through an industry or a group tag).
    pub(crate) groups: Vec<GroupId>,
    /// The document's industries that only share a group with the query.
    pub(crate) same_group: Vec<IndustryId>,
    /// Aliases that supplied an industry used above: (alias id, industry, found in query?).
    pub(crate) aliases: Vec<(u32, IndustryId, bool)>,
}

/// Industry agreement: `industry_same` for a shared industry, `industry_same_group` for a
/// shared group, each multiplied by the credit of both sides' evidence (1 for a tag,
/// `alias_industry_credit` for an alias in the text); the best pair counts.
pub(crate) fn industry_agreement(
    tax: &Taxonomy,
    q: &IndustryEvidence,
    d: &IndustryEvidence,
    cfg: &MatchingConfig,
) -> IndustryAgreement {
    let ac = cfg.alias_industry_credit;
    let qi: Vec<(IndustryId, f32, Option<u32>)> =
        q.tagged.iter().map(|&i| (i, 1.0, None)).chain(q.inferred.iter().map(|&(i, a)| (i, ac, Some(a)))).collect();
    let di: Vec<(IndustryId, f32, Option<u32>)> =
        d.tagged.iter().map(|&i| (i, 1.0, None)).chain(d.inferred.iter().map(|&(i, a)| (i, ac, Some(a)))).collect();
    let mut out = IndustryAgreement::default();
    let note_alias = |out: &mut IndustryAgreement, a: Option<u32>, i: IndustryId, in_query: bool| {
        if let Some(a) = a {
            if !out.aliases.contains(&(a, i, in_query)) {
                out.aliases.push((a, i, in_query));
            }
        }
    };
    let push_group = |out: &mut IndustryAgreement, g: GroupId| {
        if !out.groups.contains(&g) {
            out.groups.push(g);
        }
    };
    for &(a, ca, aa) in &qi {
        let ga = tax.group_of(a);
        for &(b, cb, ab) in &di {
            if a == b {
                out.value = out.value.max(cfg.industry_same * ca * cb);
                if !out.same.contains(&a) {
                    out.same.push(a);
                }
                note_alias(&mut out, aa, a, true);
                note_alias(&mut out, ab, b, false);
            } else if ga == tax.group_of(b) {
                out.value = out.value.max(cfg.industry_same_group * ca * cb);
                push_group(&mut out, ga);
                if !out.same_group.contains(&b) {
                    out.same_group.push(b);
                }
                note_alias(&mut out, aa, a, true);
                note_alias(&mut out, ab, b, false);
            }
        }
        for &g in &d.groups {
            if g == ga {
                out.value = out.value.max(cfg.industry_same_group * ca);
                push_group(&mut out, g);
                note_alias(&mut out, aa, a, true);
            }
        }
    }
    for &g in &q.groups {
        for &(b, cb, ab) in &di {
            if tax.group_of(b) == g {
                out.value = out.value.max(cfg.industry_same_group * cb);
                push_group(&mut out, g);
                if !out.same.contains(&b) && !out.same_group.contains(&b) {
                    out.same_group.push(b);
                }
                note_alias(&mut out, ab, b, false);
            }
        }
        if d.groups.contains(&g) {
            out.value = out.value.max(cfg.industry_same_group);
            push_group(&mut out, g);
        }
    }
    out
}

/// The value of [`industry_agreement`] without building its evidence lists (the hot path:
/// every candidate is scored, only the returned page is explained).
pub(crate) fn industry_value(tax: &Taxonomy, q: &IndustryEvidence, d: &IndustryEvidence, cfg: &MatchingConfig) -> f32 {
    let ac = cfg.alias_industry_credit;
    let qi = q.tagged.iter().map(|&i| (i, 1.0)).chain(q.inferred.iter().map(|&(i, _)| (i, ac)));
    let nc = cfg.neighbour_industry_credit;
    let di = || {
        d.tagged
            .iter()
            .map(|&i| (i, 1.0))
            .chain(d.inferred.iter().map(|&(i, _)| (i, ac)))
            .chain(d.neighbours.iter().map(move |&(i, share)| (i, nc * share)))
    };
    let mut best = 0.0f32;
    for (a, ca) in qi {
        let ga = tax.group_of(a);
        for (b, cb) in di() {
            let v = if a == b {
                cfg.industry_same
            } else if ga == tax.group_of(b) {
                cfg.industry_same_group
            } else {
                0.0
            };
            best = best.max(v * ca * cb);
        }
        if d.groups.contains(&ga) {
            best = best.max(cfg.industry_same_group * ca);
        }
    }
    for &g in &q.groups {
        for (b, cb) in di() {
            if tax.group_of(b) == g {
                best = best.max(cfg.industry_same_group * cb);
            }
        }
        if d.groups.contains(&g) {
            best = best.max(cfg.industry_same_group);
        }
    }
    best
}

/// TRL compatibility: 1 when the offered TRL reaches the wanted one, minus
/// `trl_shortfall_penalty` per missing level (floored at 0); `None` when either is unknown.
pub(crate) fn trl_signal(offered: Option<u8>, wanted: Option<u8>, cfg: &MatchingConfig) -> Option<f32> {
    let (o, w) = (offered?, wanted?);
    if o >= w {
        Some(1.0)
    } else {
        Some((1.0 - cfg.trl_shortfall_penalty * f32::from(w - o)).max(0.0))
    }
}

/// Budget vs price: 1 when the price fits the budget, falling linearly to
/// `money_over_budget_at_double` at twice the budget (floored at 0); `None` when either is
/// unknown or the budget is not positive.
pub(crate) fn money_signal(price: Option<i64>, budget: Option<i64>, cfg: &MatchingConfig) -> Option<f32> {
    let (p, b) = (price?, budget?);
    if b <= 0 {
        return None;
    }
    if p <= b {
        return Some(1.0);
    }
    let over = (p - b) as f64 / b as f64; // 1.0 = 100 % over
    let v = 1.0 - over * (1.0 - f64::from(cfg.money_over_budget_at_double));
    Some(v.max(0.0) as f32)
}

/// Mode overlap: 1 when the two mode sets share a mode, 0 otherwise; `None` when either is
/// empty.
pub(crate) fn modes_signal(a: u8, b: u8) -> Option<f32> {
    if a == 0 || b == 0 {
        None
    } else if a & b != 0 {
        Some(1.0)
    } else {
        Some(0.0)
    }
}

/// Regions agree when equal or one contains the other (宁夏 / 宁夏回族自治区).
pub(crate) fn same_region(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && (a.contains(b) || b.contains(a))
}

/// Region: `None` when the query has no region (the signal then takes no part), else 1 on
/// agreement, 0 on disagreement, `unknown` when the document has none.
pub(crate) fn region_signal(query: Option<&str>, doc: Option<&str>) -> Option<Option<f32>> {
    let q = query?;
    Some(doc.map(|d| if same_region(q, d) { 1.0 } else { 0.0 }))
}

/// Which of two listings offers and which wants: returns `(offered, wanted)` arranged by
/// the target side (a supply offers, a demand wants).
pub(crate) fn offered_wanted<T>(target: Side, query_value: T, doc_value: T) -> (T, T) {
    match target {
        Side::Supply => (doc_value, query_value),
        Side::Demand => (query_value, doc_value),
    }
}

/// One signal before combination.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Signal {
    /// Name shown in the explanation.
    pub(crate) name: &'static str,
    /// The underlying figure (BM25F points, rarity sum, TRL gap …, see
    /// [`SignalShare::raw`]).
    pub(crate) raw: f32,
    /// Value in `0..=1`.
    pub(crate) value: f32,
    /// Weight.
    pub(crate) weight: f32,
}

/// Up to eight signals, inline (no allocation per candidate).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Signals {
    items: [Signal; 8],
    len: usize,
}

impl Signals {
    /// Append a signal (ignored beyond eight).
    pub(crate) fn push(&mut self, s: Signal) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = s;
            self.len += 1;
        }
    }

    /// The signals pushed so far.
    pub(crate) fn as_slice(&self) -> &[Signal] {
        &self.items[..self.len]
    }
}

/// Weighted mean of the signals with positive weight (the score of [`combine`] without the
/// shares; allocation-free for the hot path).
pub(crate) fn combine_score(signals: &[Signal]) -> f32 {
    let (mut num, mut den) = (0.0f32, 0.0f32);
    for s in signals.iter().filter(|s| s.weight > 0.0) {
        num += s.weight * s.value;
        den += s.weight;
    }
    if den <= 0.0 {
        0.0
    } else {
        (num / den).clamp(0.0, 1.0)
    }
}

/// Weighted mean of the signals with positive weight, and each signal's share.
pub(crate) fn combine(signals: &[Signal]) -> (f32, Vec<SignalShare>) {
    let total_w: f32 = signals.iter().filter(|s| s.weight > 0.0).map(|s| s.weight).sum();
    if total_w <= 0.0 {
        return (0.0, Vec::new());
    }
    let score: f32 = signals.iter().filter(|s| s.weight > 0.0).map(|s| s.weight * s.value / total_w).sum();
    let shares = signals
        .iter()
        .filter(|s| s.weight > 0.0)
        .map(|s| {
            let contribution = s.weight * s.value / total_w;
            SignalShare {
                name: s.name.to_string(),
                raw: s.raw,
                value: s.value,
                weight: s.weight,
                contribution,
                share: if score > 0.0 { contribution / score } else { 0.0 },
            }
        })
        .collect();
    (score.clamp(0.0, 1.0), shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trl_money_modes() {
        let c = MatchingConfig::default();
        assert_eq!(trl_signal(Some(6), Some(5), &c), Some(1.0));
        assert_eq!(trl_signal(Some(4), Some(6), &c), Some(0.5));
        assert_eq!(trl_signal(None, Some(6), &c), None);
        assert_eq!(money_signal(Some(100), Some(200), &c), Some(1.0));
        assert_eq!(money_signal(Some(300), Some(200), &c), Some(0.5));
        assert_eq!(money_signal(Some(500), Some(200), &c), Some(0.0));
        assert_eq!(modes_signal(0b01, 0b11), Some(1.0));
        assert_eq!(modes_signal(0b01, 0b10), Some(0.0));
        assert_eq!(modes_signal(0, 0b10), None);
        assert_eq!(region_signal(None, Some("宁夏")), None);
        assert_eq!(region_signal(Some("宁夏"), Some("宁夏回族自治区")), Some(Some(1.0)));
        assert_eq!(region_signal(Some("宁夏"), Some("甘肃")), Some(Some(0.0)));
        assert_eq!(offered_wanted(Side::Supply, 5, 7), (7, 5));
    }

    #[test]
    fn combine_is_weighted_mean() {
        let s = [
            Signal { name: "a", raw: 0.0, value: 1.0, weight: 3.0 },
            Signal { name: "b", raw: 0.0, value: 0.0, weight: 1.0 },
            Signal { name: "off", raw: 0.0, value: 1.0, weight: 0.0 },
        ];
        let (score, shares) = combine(&s);
        assert!((score - 0.75).abs() < 1e-6);
        assert_eq!(shares.len(), 2);
        assert!((shares[0].share - 1.0).abs() < 1e-6);
    }
}

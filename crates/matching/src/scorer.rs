//! Scoring one candidate and explaining its score, side by side: [`Scorer::signals`] computes
//! the signals every candidate is ranked by, [`Scorer::explain`] turns the same signals and
//! the evidence behind them into the [`Explanation`] of a returned match.

use std::collections::HashMap;

use crate::analyzer::{Analyzer, BIGRAM_PREFIX};
use crate::config::MatchingConfig;
use crate::document::{Query, Side};
use crate::explanation::{AliasHit, Explanation, KeywordHit, KeywordSource, TermHit};
use crate::index::{Bm25Params, DocSlot, SideIndex, Slot};
use crate::industry::Taxonomy;
use crate::query::AnalyzedQuery;
use crate::retrieval::{bm25_params, Candidates};
use crate::score::{self, Signal, Signals};
use crate::vocab::Vocab;

/// Per-search state of the scorer: the engine's parts, the analysed query and what the
/// candidate stage found.
pub(crate) struct Scorer<'a> {
    config: &'a MatchingConfig,
    analyzer: &'a Analyzer,
    taxonomy: &'a Taxonomy,
    vocab: &'a Vocab,
    side: &'a SideIndex,
    aq: &'a AnalyzedQuery,
    query: &'a Query,
    target: Side,
    /// Best BM25F score among the candidates.
    best: f32,
    /// The query's BM25F upper bound.
    ideal: f32,
    /// Industry votes of the best text matches.
    votes: HashMap<u16, f32>,
    params: Bm25Params,
}

impl<'a> Scorer<'a> {
    /// A scorer for the candidates of `side` (the `target` side) found for `query`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        config: &'a MatchingConfig,
        analyzer: &'a Analyzer,
        taxonomy: &'a Taxonomy,
        vocab: &'a Vocab,
        side: &'a SideIndex,
        target: Side,
        query: &'a Query,
        aq: &'a AnalyzedQuery,
        candidates: &Candidates,
    ) -> Self {
        let votes = Self::industry_votes(config, taxonomy, aq, side, &candidates.by_text);
        Scorer {
            config,
            analyzer,
            taxonomy,
            vocab,
            side,
            aq,
            query,
            target,
            best: candidates.best,
            ideal: candidates.ideal,
            votes,
            params: bm25_params(config),
        }
    }

    /// Industry votes of the best text matches (see
    /// [`MatchingConfig::industry_feedback_depth`]): industry → share of the votes, empty when
    /// the query names an industry or the feedback is off.
    fn industry_votes(
        config: &MatchingConfig,
        taxonomy: &Taxonomy,
        aq: &AnalyzedQuery,
        side: &SideIndex,
        hits: &[(Slot, f32)],
    ) -> HashMap<u16, f32> {
        let c = config;
        let mut votes: HashMap<u16, f32> = HashMap::new();
        if c.w_industry_feedback <= 0.0 || c.industry_feedback_depth == 0 || !aq.evidence.tagged.is_empty() {
            return votes;
        }
        let groups = &aq.evidence.groups;
        let mut total = 0.0;
        for &(slot, b) in hits.iter().take(c.industry_feedback_depth) {
            for &i in side.docs[slot as usize].evidence.tagged.iter() {
                if groups.is_empty() || groups.contains(&taxonomy.group_of(i)) {
                    *votes.entry(i).or_insert(0.0) += b;
                    total += b;
                }
            }
        }
        if total > 0.0 {
            for v in votes.values_mut() {
                *v /= total;
            }
        }
        votes
    }

    /// The signals of one candidate with BM25F score `bm25`; `doc_kw` is the summed rarity of
    /// its keywords found in the query.
    pub(crate) fn signals(&self, d: &DocSlot, bm25: f32, doc_kw: f32) -> Signals {
        let c = self.config;
        let (aq, q) = (self.aq, self.query);
        let (target, best, ideal) = (self.target, self.best, self.ideal);
        let mut sig = Signals::default();
        sig.push(Signal { name: "text", raw: bm25, value: score::text_signal(bm25, best, ideal, c), weight: c.w_text });
        if c.w_keyword > 0.0 {
            let sum = doc_kw + self.query_keyword_hits(d).map(|h| h.1).sum::<f32>();
            sig.push(Signal { name: "keyword", raw: sum, value: score::keyword_signal(sum, c), weight: c.w_keyword });
        }
        if c.w_industry > 0.0 {
            let v = score::industry_value(self.taxonomy, &aq.evidence, &d.evidence, c);
            sig.push(Signal { name: "industry", raw: v, value: v.clamp(0.0, 1.0), weight: c.w_industry });
        }
        if c.w_industry_feedback > 0.0 && !self.votes.is_empty() {
            let top = self.votes.values().copied().fold(0.0f32, f32::max);
            let share = d.evidence.tagged.iter().filter_map(|i| self.votes.get(i)).copied().fold(0.0f32, f32::max);
            let value = if top > 0.0 { share / top } else { 0.0 };
            sig.push(Signal { name: "industry_feedback", raw: share, value, weight: c.w_industry_feedback });
        }
        let unknown = c.unknown_compat;
        if c.w_trl > 0.0 {
            let (o, w) = score::offered_wanted(target, q.trl, d.trl);
            let v = score::trl_signal(o, w, c);
            let raw = match (o, w) {
                (Some(o), Some(w)) => f32::from(o) - f32::from(w),
                _ => f32::NAN,
            };
            if v.is_some() || !c.omit_unknown_signals {
                sig.push(Signal { name: "trl", raw, value: v.unwrap_or(unknown), weight: c.w_trl });
            }
        }
        if c.w_money > 0.0 {
            let (price, budget) = score::offered_wanted(target, q.money_fen, d.money_fen);
            let v = score::money_signal(price, budget, c);
            let raw = match (price, budget, v) {
                (Some(p), Some(b), Some(_)) => (p as f64 / b as f64) as f32,
                _ => f32::NAN,
            };
            if v.is_some() || !c.omit_unknown_signals {
                sig.push(Signal { name: "money", raw, value: v.unwrap_or(unknown), weight: c.w_money });
            }
        }
        if c.w_modes > 0.0 {
            let v = score::modes_signal(aq.modes, d.modes);
            let raw = if v.is_some() { (aq.modes & d.modes).count_ones() as f32 } else { f32::NAN };
            if v.is_some() || !c.omit_unknown_signals {
                sig.push(Signal { name: "modes", raw, value: v.unwrap_or(unknown), weight: c.w_modes });
            }
        }
        if c.w_region > 0.0 {
            let region = score::region_signal(aq.region.as_deref(), d.region.as_deref());
            if let Some(v) = region.filter(|v| v.is_some() || !c.omit_unknown_signals) {
                sig.push(Signal {
                    name: "region",
                    raw: v.unwrap_or(f32::NAN),
                    value: v.unwrap_or(unknown),
                    weight: c.w_region,
                });
            }
        }
        if c.w_history > 0.0 {
            if let Some(&(_, h)) = q.history.iter().find(|(id, _)| *id == d.id) {
                let h = h.clamp(-1.0, 1.0);
                sig.push(Signal { name: "history", raw: h, value: (h + 1.0) / 2.0, weight: c.w_history });
            }
        }
        sig
    }

    /// The query's keywords found verbatim in the document's text (and not already among its
    /// own keywords found in the query), with their rarity.
    fn query_keyword_hits<'b>(&'b self, d: &'b DocSlot) -> impl Iterator<Item = (usize, f32)> + 'b {
        let (aq, side) = (self.aq, self.side);
        aq.keywords.iter().enumerate().filter_map(move |(qi, (k, terms))| {
            let own = self
                .vocab
                .keyword_ids
                .get(k.as_str())
                .is_some_and(|id| d.keywords.contains(id) && aq.keyword_ids.contains(id));
            if own || !d.text.contains(k.as_str()) {
                return None;
            }
            let df = terms.iter().map(|&t| side.df(t)).min().unwrap_or(0).max(1) as f32;
            Some((qi, (1.0 + side.n_alive as f32 / df).ln()))
        })
    }

    /// The topical evidence shared by the query and the candidate in `slot`, strongest first:
    /// agreeing keywords, then meaningful shared terms (words of at least 2 characters, not stop
    /// words, carried by at most [`MatchingConfig::evidence_max_df_ratio`] of the side) by BM25F
    /// contribution, then taxonomy aliases of a shared industry found in both texts. Empty: no
    /// evidence (see [`MatchingConfig::require_evidence`]). `doc_kw` is the summed rarity of
    /// the document's keywords found in the query.
    pub(crate) fn evidence(&self, d: &DocSlot, slot: Slot, doc_kw: f32) -> Vec<String> {
        let (aq, side) = (self.aq, self.side);
        let mut out: Vec<String> = Vec::new();
        let push = |out: &mut Vec<String>, w: &str| {
            // a word inside one already listed (枸杞 inside 枸杞多糖) adds nothing
            if !out.iter().any(|o| o.contains(w)) {
                out.retain(|o| !w.contains(o.as_str()));
                out.push(w.to_string());
            }
        };
        if doc_kw > 0.0 {
            for &k in d.keywords.iter().filter(|k| aq.keyword_ids.contains(k)) {
                push(&mut out, &self.vocab.keyword_names[k as usize]);
            }
        }
        for (qi, _) in self.query_keyword_hits(d) {
            if let Some((k, _)) = aq.keywords.get(qi) {
                push(&mut out, k);
            }
        }
        let max_df = (self.config.evidence_max_df_ratio * side.n_alive as f32).max(1.0);
        let mut terms = side.term_scores(slot, &aq.terms, &self.params);
        terms.retain(|&(t, _)| {
            let name = &self.vocab.term_names[t as usize];
            !name.starts_with(BIGRAM_PREFIX)
                && name.chars().count() >= 2
                && !self.analyzer.is_stop(name)
                && side.df(t) as f32 <= max_df
        });
        terms.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (t, _) in terms {
            push(&mut out, &self.vocab.term_names[t as usize]);
        }
        let doc_industries: Vec<u16> =
            d.evidence.tagged.iter().copied().chain(d.evidence.inferred.iter().map(|x| x.0)).collect();
        for &a in &aq.alias_ids {
            let name = self.taxonomy.alias(a);
            let shared = self
                .taxonomy
                .aliases
                .get(name)
                .is_some_and(|(_, inds)| inds.iter().any(|i| doc_industries.contains(i)));
            if shared && d.text.contains(name) {
                push(&mut out, name);
            }
        }
        out
    }

    /// Why the candidate in `slot` matched, from the signals [`Scorer::signals`] gave it and
    /// the shared `evidence` ([`Scorer::evidence`]).
    pub(crate) fn explain(&self, d: &DocSlot, slot: Slot, sig: &Signals, evidence: Vec<String>) -> Explanation {
        let aq = self.aq;
        let side = self.side;
        let params = &self.params;
        let (_, signals) = score::combine(sig.as_slice());
        let mut hits: Vec<KeywordHit> = Vec::new();
        if self.config.w_keyword > 0.0 {
            for &k in d.keywords.iter().filter(|k| aq.keyword_ids.contains(k)) {
                hits.push(KeywordHit {
                    keyword: self.vocab.keyword_names[k as usize].to_string(),
                    source: KeywordSource::DocumentKeyword,
                    rarity: side.keyword_rarity(k),
                });
            }
            for (qi, rarity) in self.query_keyword_hits(d) {
                hits.push(KeywordHit {
                    keyword: aq.keywords.get(qi).map(|x| x.0.clone()).unwrap_or_default(),
                    source: KeywordSource::QueryKeyword,
                    rarity,
                });
            }
        }
        hits.sort_by(|a, b| b.rarity.total_cmp(&a.rarity));
        let mut terms = side.term_scores(slot, &aq.terms, params);
        terms.retain(|(t, _)| !self.analyzer.is_stop(&self.vocab.term_names[*t as usize]));
        terms.sort_by(|a, b| b.1.total_cmp(&a.1));
        terms.truncate(10);
        let matched_terms = terms
            .into_iter()
            .map(|(t, s)| TermHit {
                term: self.vocab.term_names[t as usize].trim_start_matches(BIGRAM_PREFIX).to_string(),
                bm25: s,
            })
            .collect();
        let ia = score::industry_agreement(self.taxonomy, &aq.evidence, &d.evidence, self.config);
        let tax = self.taxonomy;
        Explanation {
            evidence,
            matched_keywords: hits.iter().map(|h| h.keyword.clone()).collect(),
            keyword_hits: hits,
            matched_terms,
            matched_aliases: ia
                .aliases
                .iter()
                .map(|&(a, i, in_query)| AliasHit {
                    alias: tax.alias(a).to_string(),
                    industry: tax.code(i).to_string(),
                    in_query,
                })
                .collect(),
            matched_industries: ia.same.iter().map(|&i| tax.code(i).to_string()).collect(),
            matched_groups: ia.groups.iter().map(|&g| tax.group_code(g).to_string()).collect(),
            same_group_industries: ia.same_group.iter().map(|&i| tax.code(i).to_string()).collect(),
            signals,
        }
    }
}

//! [`MatchEngine`]: the two side indexes and their dictionaries, updates, and a search as
//! its stages: query analysis (`query`), candidates (`retrieval`), signals and explanations
//! (`scorer`).

use rustc_hash::FxHashMap;
use serde::Serialize;
use uuid::Uuid;

use crate::analyzer::Analyzer;
use crate::config::MatchingConfig;
use crate::document::{Confidence, Document, Filters, IndustryDef, Query, Side};
use crate::explanation::Explanation;
use crate::fields::{mode_names, norm_keywords, side_ix};
use crate::find::{self, Suggestion, TextHit, TextQuery};
use crate::index::{QueryTerm, SideIndex, Slot, TermId};
use crate::industry::Taxonomy;
use crate::ingest::{self, Analysis, Store};
use crate::query::{AnalyzedQuery, QueryAnalysis};
use crate::retrieval::{self, idf_from_both_sides, FilterIds};
use crate::score::{self, Signals};
use crate::scorer::Scorer;
use crate::vocab::Vocab;

/// The in-memory matching engine for both sides.
///
/// `Send + Sync`: searches take `&self` and may run concurrently (each thread keeps its own
/// scratch accumulator); writes take `&mut self` (wrap the engine in an `RwLock`).
#[derive(Debug)]
pub struct MatchEngine {
    config: MatchingConfig,
    analyzer: Analyzer,
    taxonomy: Taxonomy,
    vocab: Vocab,
    sides: [SideIndex; 2],
}

impl MatchEngine {
    /// A new, empty engine. Every taxonomy name and alias is added to the segmentation
    /// dictionary.
    pub fn new(industries: Vec<IndustryDef>, config: MatchingConfig) -> Self {
        let taxonomy = Taxonomy::new(&industries);
        let mut analyzer = Analyzer::new(&config);
        for alias in &taxonomy.alias_names {
            analyzer.add_word(alias);
        }
        Self {
            config,
            analyzer,
            taxonomy,
            vocab: Vocab::default(),
            sides: [SideIndex::default(), SideIndex::default()],
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &MatchingConfig {
        &self.config
    }

    /// Number of live documents of a side.
    pub fn len(&self, side: Side) -> usize {
        self.sides[side_ix(side)].n_alive
    }

    /// True when neither side holds a document.
    pub fn is_empty(&self) -> bool {
        self.len(Side::Supply) == 0 && self.len(Side::Demand) == 0
    }

    /// Whether a document with this id is indexed (on either side).
    pub fn contains(&self, id: Uuid) -> bool {
        self.sides.iter().any(|s| s.by_id.contains_key(&id))
    }

    /// Number of postings of a side (tombstoned ones included), for memory reports.
    pub fn postings_len(&self, side: Side) -> usize {
        self.sides[side_ix(side)].postings.iter().map(Vec::len).sum()
    }

    /// Insert a document, or replace the one with the same id (on either side). Its keywords
    /// join the segmentation dictionary first. Cost: the analysis of one document plus
    /// O(distinct terms) appends; an occasional compaction (see
    /// [`MatchingConfig::compaction_ratio`]).
    pub fn upsert(&mut self, doc: Document) {
        self.upsert_many(vec![doc]);
    }

    /// Insert or replace many documents: all their keywords join the dictionary first (so
    /// every document of the batch is cut with the full vocabulary), then the documents are
    /// analysed on all available cores while this thread indexes them in order. Use it to
    /// load the database at start-up.
    pub fn upsert_many(&mut self, docs: Vec<Document>) {
        for d in &docs {
            self.learn_keywords(&d.keywords);
        }
        let analysis = Analysis { analyzer: &self.analyzer, taxonomy: &self.taxonomy, config: &self.config };
        let store =
            Store { vocab: &mut self.vocab, sides: &mut self.sides, keyword_min_chars: self.config.keyword_min_chars };
        ingest::load(analysis, store, docs);
        for s in &mut self.sides {
            s.maybe_compact(self.config.compaction_ratio);
        }
    }

    /// Release the spare capacity of the postings (call once after a bulk load; later
    /// appends re-grow the lists they touch).
    pub fn shrink_to_fit(&mut self) {
        for s in &mut self.sides {
            s.shrink();
        }
    }

    /// Remove a document by id. Returns false when no such document is indexed.
    pub fn remove(&mut self, id: Uuid) -> bool {
        let mut found = false;
        for s in &mut self.sides {
            if s.remove(id) {
                found = true;
                s.maybe_compact(self.config.compaction_ratio);
            }
        }
        found
    }

    /// A stored document as a query (for `/demands/{id}/matches`): its normalised title and
    /// body, keywords, tags, TRL, money, modes and region, with `exclude` set to its id.
    pub fn document_query(&self, id: Uuid) -> Option<Query> {
        for s in &self.sides {
            if let Some(&slot) = s.by_id.get(&id) {
                let d = &s.docs[slot as usize];
                let title_len = (d.title_len as usize).min(d.text.len());
                let title = d.text.get(..title_len).unwrap_or("").to_string();
                let body = d.text.get(title_len..).unwrap_or("").trim_start_matches('\n').to_string();
                return Some(Query {
                    title,
                    body,
                    keywords: d.keywords.iter().map(|&k| self.vocab.keyword_names[k as usize].to_string()).collect(),
                    industries: d.evidence.tagged.iter().map(|&i| self.taxonomy.code(i).to_string()).collect(),
                    groups: d.evidence.groups.iter().map(|&g| self.taxonomy.group_code(g).to_string()).collect(),
                    trl: d.trl,
                    money_fen: d.money_fen,
                    modes: mode_names(d.modes),
                    region: d.region.as_deref().map(str::to_string),
                    exclude: Some(id),
                    history: Vec::new(),
                });
            }
        }
        None
    }

    fn learn_keywords(&mut self, keywords: &[String]) {
        for k in norm_keywords(keywords) {
            self.analyzer.add_word(&k);
        }
    }

    fn query_analysis(&self) -> QueryAnalysis<'_> {
        QueryAnalysis { analyzer: &self.analyzer, taxonomy: &self.taxonomy, vocab: &self.vocab, config: &self.config }
    }

    /// Analyse a free text for [`MatchEngine::find`] and [`MatchEngine::text_hits`].
    pub fn text_query(&self, text: &str) -> TextQuery {
        TextQuery::new(&self.analyzer, &self.taxonomy, text)
    }

    /// How alike two short texts (titles) are, in `0..=1`: their analysed terms and Chinese
    /// character bigrams compared (see the module `similar`). Used to flag near-duplicates.
    pub fn similarity(&self, a: &str, b: &str) -> f32 {
        crate::similar::similarity(&self.analyzer, a, b)
    }

    /// The live documents of `side` carrying a term of `q`, best first, at most `limit`
    /// (see the module `find`).
    pub fn find(&self, q: &TextQuery, side: Side, limit: usize) -> Vec<TextHit> {
        find::find(&self.sides[side_ix(side)], &self.vocab, &retrieval::bm25_params(&self.config), q, limit)
    }

    /// The terms of `q` occurring in `text` (a text the engine does not index, such as an
    /// organisation's name), typed terms first.
    pub fn text_hits(&self, q: &TextQuery, text: &str) -> Vec<String> {
        q.hits_in(&self.analyzer, text)
    }

    /// Completions of `prefix` for a search box: industry names and aliases, then the keywords
    /// of live listings (most used first); at most `limit`.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        find::suggest(&self.taxonomy, &self.vocab, &self.sides, prefix, limit)
    }

    /// Infer an industry for every live listing tagged with no industry (only groups, or
    /// nothing) from its [`MatchingConfig::neighbour_depth`] nearest listings of the other side
    /// by text: their tagged industries vote, BM25F-weighted and restricted to the listing's
    /// groups when it has some; each voted industry keeps its share of the votes and counts in
    /// the industry agreement at [`MatchingConfig::neighbour_industry_credit`] × share. Call after
    /// loading; a listing upserted later keeps none until the next call.
    pub fn infer_neighbour_industries(&mut self) {
        let depth = self.config.neighbour_depth;
        if depth == 0 {
            return;
        }
        let mut updates: Vec<(usize, Slot, IndustryShares)> = Vec::new();
        for (si, side) in self.sides.iter().enumerate() {
            let other = &self.sides[1 - si];
            if other.n_alive == 0 {
                continue;
            }
            for (slot, d) in side.docs.iter().enumerate() {
                if !side.alive[slot] || !d.evidence.tagged.is_empty() {
                    continue;
                }
                let Some(query) = self.document_query(d.id) else { continue };
                let aq = self.query_analysis().analyze(&query);
                let filters = Filters::default();
                let fi = FilterIds::resolve(&self.taxonomy, &filters);
                let found = retrieval::candidates(&self.config, &self.taxonomy, other, &aq, &fi, None, depth);
                let groups = &d.evidence.groups;
                let mut votes: FxHashMap<u16, f32> = FxHashMap::default();
                let mut total = 0.0;
                for &(s, b) in found.by_text.iter().take(depth) {
                    for &i in other.docs[s as usize].evidence.tagged.iter() {
                        if groups.is_empty() || groups.contains(&self.taxonomy.group_of(i)) {
                            *votes.entry(i).or_insert(0.0) += b;
                            total += b;
                        }
                    }
                }
                let mut shares: Vec<(u16, f32)> =
                    if total > 0.0 { votes.into_iter().map(|(i, v)| (i, v / total)).collect() } else { Vec::new() };
                shares.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                shares.truncate(3);
                updates.push((si, slot as Slot, shares));
            }
        }
        for (si, slot, shares) in updates {
            if let Some(d) = self.sides[si].docs.get_mut(slot as usize) {
                d.evidence.neighbours = shares;
            }
        }
    }

    /// Bounded pseudo-relevance feedback ([`MatchingConfig::prf_docs`]): the keywords of the
    /// best text matches, cut into terms the query lacks, join the query's terms for a second
    /// retrieval, each weighted [`MatchingConfig::prf_weight`] × the share of those documents
    /// carrying it, at most [`MatchingConfig::prf_terms`] of them. Only retrieval and the text
    /// signal see them: evidence and explanations use the query's own terms. `None` when off
    /// or nothing is added.
    fn feedback(&self, aq: &AnalyzedQuery, side: &SideIndex, found: &retrieval::Candidates) -> Option<AnalyzedQuery> {
        let c = &self.config;
        if c.prf_docs == 0 || c.prf_terms == 0 || c.prf_weight <= 0.0 {
            return None;
        }
        let top: Vec<Slot> = found.by_text.iter().take(c.prf_docs).map(|x| x.0).collect();
        if top.is_empty() {
            return None;
        }
        let mut counts: FxHashMap<TermId, u32> = FxHashMap::default();
        let mut toks = Vec::new();
        for &slot in &top {
            let mut seen: Vec<TermId> = Vec::new();
            for &k in side.docs[slot as usize].keywords.iter() {
                toks.clear();
                self.analyzer.tokens(&self.vocab.keyword_names[k as usize], &mut toks);
                for t in &toks {
                    if self.analyzer.is_stop(t) {
                        continue;
                    }
                    if let Some(&id) = self.vocab.term_ids.get(*t) {
                        if !seen.contains(&id) && !aq.terms.iter().any(|q| q.term == id) {
                            seen.push(id);
                        }
                    }
                }
            }
            for id in seen {
                *counts.entry(id).or_insert(0) += 1;
            }
        }
        let mut extra: Vec<(TermId, u32)> = counts.into_iter().collect();
        extra.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        extra.truncate(c.prf_terms);
        if extra.is_empty() {
            return None;
        }
        let mut expanded = aq.clone();
        let n = top.len() as f32;
        for (term, count) in extra {
            expanded.terms.push(QueryTerm { term, weight: c.prf_weight * count as f32 / n, idf: None });
        }
        expanded.terms.sort_unstable_by_key(|t| t.term);
        if self.config.idf_from_both_sides {
            idf_from_both_sides(&mut expanded.terms, &self.sides);
        }
        Some(expanded)
    }

    /// Rank the documents of side `target` for `query`.
    ///
    /// Returns the page `offset .. offset + limit` of the candidates that pass `filters`,
    /// best first; see [`MatchPage::total`] for what the total counts. Never returns
    /// `query.exclude`. Ties are broken by text relevance, then by slot (insertion order).
    pub fn search(&self, query: &Query, target: Side, filters: &Filters, offset: usize, limit: usize) -> MatchPage {
        let side = &self.sides[side_ix(target)];
        if side.n_alive == 0 || limit == 0 {
            return MatchPage::default();
        }
        let mut aq = self.query_analysis().analyze(query);
        let fi = FilterIds::resolve(&self.taxonomy, filters);
        if fi.rules_out_everything() {
            return MatchPage::default();
        }
        if self.config.idf_from_both_sides {
            idf_from_both_sides(&mut aq.terms, &self.sides);
        }
        let depth = self.config.retrieval_depth.max(offset.saturating_add(limit));
        let mut found = retrieval::candidates(&self.config, &self.taxonomy, side, &aq, &fi, query.exclude, depth);
        if let Some(expanded) = self.feedback(&aq, side, &found) {
            found = retrieval::candidates(&self.config, &self.taxonomy, side, &expanded, &fi, query.exclude, depth);
        }
        let scorer =
            Scorer::new(&self.config, &self.analyzer, &self.taxonomy, &self.vocab, side, target, query, &aq, &found);
        let mut scored: Vec<Scored> = Vec::with_capacity(found.bm25.len());
        for (&slot, &b) in &found.bm25 {
            let d = &side.docs[slot as usize];
            let kw = found.keyword_rarity.get(&slot).copied().unwrap_or(0.0);
            let evidence = scorer.evidence(d, slot, kw);
            if self.config.require_evidence && evidence.is_empty() {
                continue;
            }
            let sig = scorer.signals(d, b, kw);
            let s = score::combine_score(sig.as_slice());
            if filters.min_score.is_some_and(|m| s < m) {
                continue;
            }
            let confidence = Confidence::of(s, &self.config);
            if !filters.confidence.is_empty() && !filters.confidence.contains(&confidence) {
                continue;
            }
            scored.push((s, b, slot, sig, evidence));
        }
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        let total = scored.len();
        let items = scored
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(s, _, slot, sig, evidence)| {
                let d = &side.docs[slot as usize];
                let confidence = Confidence::of(s, &self.config);
                Match { id: d.id, score: s, confidence, explanation: scorer.explain(d, slot, &sig, evidence) }
            })
            .collect();
        MatchPage { total, items }
    }
}

/// Industries with their vote share.
type IndustryShares = Vec<(u16, f32)>;

/// A scored candidate: (score, bm25, slot, signals, evidence).
type Scored = (f32, f32, Slot, Signals, Vec<String>);

/// One page of results.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatchPage {
    /// Number of candidates that passed the filters and `min_score`. Candidates are the top
    /// `max(retrieval_depth, offset + limit)` documents by text relevance plus up to
    /// `keyword_candidates` documents with a keyword occurring in the query, so once it
    /// reaches that depth this is a lower bound of the true count, not an exact one.
    pub total: usize,
    /// The requested page, best first.
    pub items: Vec<Match>,
}

/// One ranked document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// Document id.
    pub id: Uuid,
    /// Score in `0..=1` (weighted mean of the signals).
    pub score: f32,
    /// How sure the match is, from the score's thresholds.
    pub confidence: Confidence,
    /// Why it matched.
    pub explanation: Explanation,
}

#[cfg(test)]
pub(crate) fn _assert_send_sync() {
    fn f<T: Send + Sync>() {}
    f::<MatchEngine>();
}

//! [`MatchEngine`]: analysis glue, the two side indexes, re-ranking and explanations.

use std::collections::HashMap;

use uuid::Uuid;

use super::analyzer::{normalize, Analyzer, BIGRAM_PREFIX};
use super::config::MatchingConfig;
use super::explain::{AliasHit, Explanation, KeywordHit, KeywordSource, TermHit};
use super::index::lucene_idf;
use super::index::{Bm25Params, DocSlot, KeywordId, QueryTerm, RetrievalLimits, SideIndex, Slot, TermId};
use super::industry::{IndustryEvidence, Taxonomy};
use super::ingest::{self, Analysis, Store};
use super::score::{self, Signal, Signals};
use super::vocab::Vocab;
use super::{Document, Filters, IndustryDef, Match, MatchPage, Query, Side, MODES};
use rustc_hash::FxHashMap;

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

/// A query after analysis.
struct AnalyzedQuery {
    terms: Vec<QueryTerm>,
    /// Normalised query keywords with the term ids they cut into.
    keywords: Vec<(String, Vec<TermId>)>,
    /// Document keywords occurring in `text`.
    keyword_ids: Vec<KeywordId>,
    evidence: IndustryEvidence,
    modes: u8,
    region: Option<String>,
}

pub(super) fn side_ix(side: Side) -> usize {
    match side {
        Side::Supply => 0,
        Side::Demand => 1,
    }
}

/// Bit mask of the known modes in `modes`.
pub(crate) fn mode_mask(modes: &[String]) -> u8 {
    let mut m = 0u8;
    for s in modes {
        let s = s.trim().to_ascii_lowercase();
        if let Some(i) = MODES.iter().position(|x| *x == s) {
            m |= 1 << i;
        }
    }
    m
}

fn mode_names(mask: u8) -> Vec<String> {
    MODES.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, s)| s.to_string()).collect()
}

pub(super) fn norm_keywords(keywords: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keywords {
        let n = normalize(k.trim());
        let n = n.trim();
        if !n.is_empty() && !out.iter().any(|x| x == n) {
            out.push(n.to_string());
        }
    }
    out
}

pub(super) fn norm_region(r: &Option<String>) -> Option<String> {
    r.as_deref().map(|s| normalize(s.trim())).filter(|s| !s.is_empty())
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

    /// The taxonomy in use.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
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

    fn analyze_query(&self, q: &Query) -> AnalyzedQuery {
        let title = normalize(&q.title);
        let body = normalize(&q.body);
        let keywords = norm_keywords(&q.keywords);
        let c = &self.config;
        // term -> (max boost, count)
        let mut w: FxHashMap<TermId, (f32, u32)> = FxHashMap::default();
        let mut alias_tokens: Vec<String> = Vec::new();
        let mut toks = Vec::new();
        let note = |tok: &str, boost: f32, w: &mut FxHashMap<TermId, (f32, u32)>| {
            if let Some(&id) = self.vocab.term_ids.get(tok) {
                let e = w.entry(id).or_insert((boost, 0));
                e.0 = e.0.max(boost);
                e.1 += 1;
            }
        };
        let mut kw_terms: Vec<(String, Vec<TermId>)> = Vec::new();
        for (text, boost) in [(title.as_str(), c.query_title_boost), (body.as_str(), 1.0)] {
            toks.clear();
            self.analyzer.tokens(text, &mut toks);
            for t in &toks {
                note(t, boost, &mut w);
                if self.taxonomy.aliases.contains_key(*t) {
                    alias_tokens.push(t.to_string());
                }
            }
        }
        for k in &keywords {
            toks.clear();
            self.analyzer.tokens(k, &mut toks);
            let mut ids = Vec::new();
            for t in &toks {
                note(t, c.query_keyword_boost, &mut w);
                if self.taxonomy.aliases.contains_key(*t) {
                    alias_tokens.push(t.to_string());
                }
                ids.push(self.vocab.term_ids.get(*t).copied());
            }
            if self.taxonomy.aliases.contains_key(k.as_str()) {
                alias_tokens.push(k.clone());
            }
            // A keyword with a term unknown to the index cannot occur in any document.
            if k.chars().count() >= c.keyword_min_chars && !ids.is_empty() && ids.iter().all(Option::is_some) {
                kw_terms.push((k.clone(), ids.into_iter().flatten().collect()));
            }
        }
        if self.analyzer.char_bigrams() {
            let mut bg = Vec::new();
            self.analyzer.bigrams(&title, &mut bg);
            self.analyzer.bigrams(&body, &mut bg);
            for b in &bg {
                note(b, 1.0, &mut w);
            }
        }
        let mut terms: Vec<QueryTerm> = w
            .into_iter()
            .map(|(term, (boost, n))| {
                let known = self.vocab.keyword_ids.contains_key(&self.vocab.term_names[term as usize]);
                let kb = if known { c.query_known_keyword_boost } else { 1.0 };
                QueryTerm { term, weight: boost * kb * (1.0 + (n as f32).ln()), idf: None }
            })
            .collect();
        terms.sort_unstable_by_key(|t| t.term);
        let mut text = title;
        text.push('\n');
        text.push_str(&body);
        for k in &keywords {
            text.push('\n');
            text.push_str(k);
        }
        let keyword_ids = self.keywords_in(&text);
        let evidence = self.taxonomy.evidence(&q.industries, &q.groups, alias_tokens.iter().map(String::as_str));
        AnalyzedQuery {
            terms,
            keywords: kw_terms,
            keyword_ids,
            evidence,
            modes: mode_mask(&q.modes),
            region: norm_region(&q.region),
        }
    }

    /// Ids of the known keywords occurring in a normalised text (substring probes from each
    /// character, skipped when the first two characters start no keyword). A Latin keyword
    /// must not cut a Latin word or number in two.
    fn keywords_in(&self, text: &str) -> Vec<KeywordId> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut out = Vec::new();
        let min = self.config.keyword_min_chars.max(1);
        let alnum = |c: char| c.is_ascii_alphanumeric();
        for i in 0..chars.len() {
            if i + 1 >= chars.len() {
                break;
            }
            let Some(&longest) = self.vocab.keyword_prefixes.get(&(chars[i].1, chars[i + 1].1)) else {
                continue;
            };

            if i > 0 && alnum(chars[i].1) && alnum(chars[i - 1].1) {
                continue;
            }
            let start = chars[i].0;
            let max = longest.min(chars.len() - i);
            for len in min..=max {
                let end = chars.get(i + len).map_or(text.len(), |x| x.0);
                let last = chars[i + len - 1].1;
                if let Some(next) = chars.get(i + len) {
                    if alnum(last) && alnum(next.1) {
                        continue;
                    }
                }
                if let Some(&id) = self.vocab.keyword_ids.get(&text[start..end]) {
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
            }
        }
        out
    }

    fn bm25_params(&self) -> Bm25Params {
        let c = &self.config;
        Bm25Params {
            k1: c.k1,
            b: [c.b_title, c.b_keywords, c.b_body, c.b_bigram],
            w: [c.field_weight_title, c.field_weight_keywords, c.field_weight_body, c.field_weight_bigram],
        }
    }

    fn passes(&self, d: &DocSlot, f: &Filters, fi: &FilterIds, exclude: Option<Uuid>) -> bool {
        if exclude == Some(d.id) {
            return false;
        }
        if !fi.industries.is_empty() || !fi.groups.is_empty() {
            let ok = d
                .evidence
                .tagged
                .iter()
                .any(|i| fi.industries.contains(i) || fi.groups.contains(&self.taxonomy.group_of(*i)))
                || d.evidence.groups.iter().any(|g| fi.groups.contains(g));
            if !ok {
                return false;
            }
        }
        if f.trl_min.is_some() || f.trl_max.is_some() {
            let Some(t) = d.trl else {
                return false;
            };
            if f.trl_min.is_some_and(|m| t < m) || f.trl_max.is_some_and(|m| t > m) {
                return false;
            }
        }
        if let Some(r) = &fi.region {
            if !d.region.as_deref().is_some_and(|dr| score::same_region(r, dr)) {
                return false;
            }
        }
        if fi.modes != 0 && d.modes & fi.modes == 0 {
            return false;
        }
        true
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
        let aq = self.analyze_query(query);
        let fi = FilterIds {
            industries: self.taxonomy.resolve_industries(&filters.industries),
            groups: self.taxonomy.resolve_groups(&filters.industries),
            region: norm_region(&filters.region),
            modes: mode_mask(&filters.modes),
        };
        if !filters.industries.is_empty() && fi.industries.is_empty() && fi.groups.is_empty() {
            // Only unknown industry codes: nothing can pass.
            return MatchPage::default();
        }
        let no_filter = fi.industries.is_empty()
            && fi.groups.is_empty()
            && filters.industries.is_empty()
            && filters.trl_min.is_none()
            && filters.trl_max.is_none()
            && fi.region.is_none()
            && fi.modes == 0
            && query.exclude.is_none();
        let accept = |s: Slot| no_filter || self.passes(&side.docs[s as usize], filters, &fi, query.exclude);
        let params = self.bm25_params();
        let mut aq = aq;
        if self.config.idf_from_both_sides {
            let n: usize = self.sides.iter().map(|s| s.n_alive).sum();
            for qt in &mut aq.terms {
                let df: usize = self.sides.iter().map(|s| s.df(qt.term)).sum();
                qt.idf = Some(lucene_idf(n, df));
            }
        }
        let depth = self.config.retrieval_depth.max(offset.saturating_add(limit));
        let cut = ((self.config.update_only_df_ratio.max(0.0) * side.n_alive as f32) as usize)
            .max(self.config.update_only_df_min);
        // Documents carrying a keyword found in the query; the best `keyword_candidates` by
        // summed rarity are candidates whatever their text score.
        let mut kw_score: FxHashMap<Slot, f32> = FxHashMap::default();
        let mut forced: Vec<Slot> = Vec::new();
        if self.config.w_keyword > 0.0 {
            for &k in &aq.keyword_ids {
                let Some(list) = side.kw_postings.get(k as usize) else {
                    continue;
                };
                if list.is_empty() {
                    continue;
                }
                let r = side.keyword_rarity(k);
                for &s in list {
                    if side.alive[s as usize] && accept(s) {
                        *kw_score.entry(s).or_insert(0.0) += r;
                    }
                }
            }
            let mut extra: Vec<(Slot, f32)> = kw_score.iter().map(|(s, r)| (*s, *r)).collect();
            let cmp = |a: &(Slot, f32), b: &(Slot, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
            let k = self.config.keyword_candidates;
            if extra.len() > k && k > 0 {
                extra.select_nth_unstable_by(k - 1, cmp);
            }
            extra.truncate(k);
            forced = extra.into_iter().map(|x| x.0).collect();
        }
        let limits = RetrievalLimits {
            depth,
            update_only_df: cut,
            max_accumulators: self.config.max_accumulators,
            max_rescore: self.config.max_rescore,
        };
        let retrieved = side.retrieve(&aq.terms, &params, limits, &forced, &accept);
        let bm25: FxHashMap<Slot, f32> = retrieved.hits.iter().chain(retrieved.forced.iter()).copied().collect();
        let mut by_text: Vec<(Slot, f32)> = bm25.iter().map(|(s, b)| (*s, *b)).collect();
        by_text.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let votes = self.industry_votes(&aq, side, &by_text);
        let best = retrieved.hits.first().map_or(0.0, |h| h.1);
        let best = bm25.values().copied().fold(best, f32::max);

        let ctx = Ctx { target, best, ideal: retrieved.ideal, votes: &votes, side, params };
        let mut scored: Vec<Scored> = Vec::with_capacity(bm25.len());
        for (&slot, &b) in &bm25 {
            let d = &side.docs[slot as usize];
            let sig = self.signals(&aq, query, &ctx, d, b, kw_score.get(&slot).copied().unwrap_or(0.0));
            let s = score::combine_score(sig.as_slice());
            if filters.min_score.is_some_and(|m| s < m) {
                continue;
            }
            scored.push((s, b, slot, sig));
        }
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        let total = scored.len();
        let items = scored
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(s, _, slot, sig)| {
                let d = &side.docs[slot as usize];
                Match { id: d.id, score: s, explanation: self.explain(&aq, d, slot, &ctx, &sig) }
            })
            .collect();
        MatchPage { total, items }
    }

    /// Industry votes of the best text matches (see
    /// [`MatchingConfig::industry_feedback_depth`]): industry → share of the votes, empty when
    /// the query names an industry or the feedback is off.
    fn industry_votes(&self, aq: &AnalyzedQuery, side: &SideIndex, hits: &[(Slot, f32)]) -> HashMap<u16, f32> {
        let c = &self.config;
        let mut votes: HashMap<u16, f32> = HashMap::new();
        if c.w_industry_feedback <= 0.0 || c.industry_feedback_depth == 0 || !aq.evidence.tagged.is_empty() {
            return votes;
        }
        let groups = &aq.evidence.groups;
        let mut total = 0.0;
        for &(slot, b) in hits.iter().take(c.industry_feedback_depth) {
            for &i in side.docs[slot as usize].evidence.tagged.iter() {
                if groups.is_empty() || groups.contains(&self.taxonomy.group_of(i)) {
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

    fn signals(&self, aq: &AnalyzedQuery, q: &Query, ctx: &Ctx<'_>, d: &DocSlot, bm25: f32, doc_kw: f32) -> Signals {
        let c = &self.config;
        let (target, best, ideal, side) = (ctx.target, ctx.best, ctx.ideal, ctx.side);
        let mut sig = Signals::default();
        sig.push(Signal { name: "text", raw: bm25, value: score::text_signal(bm25, best, ideal, c), weight: c.w_text });
        if c.w_keyword > 0.0 {
            let sum = doc_kw + self.query_keyword_hits(aq, d, side).map(|h| h.1).sum::<f32>();
            sig.push(Signal { name: "keyword", raw: sum, value: score::keyword_signal(sum, c), weight: c.w_keyword });
        }
        if c.w_industry > 0.0 {
            let v = score::industry_value(&self.taxonomy, &aq.evidence, &d.evidence, c);
            sig.push(Signal { name: "industry", raw: v, value: v.clamp(0.0, 1.0), weight: c.w_industry });
        }
        if c.w_industry_feedback > 0.0 && !ctx.votes.is_empty() {
            let top = ctx.votes.values().copied().fold(0.0f32, f32::max);
            let share = d.evidence.tagged.iter().filter_map(|i| ctx.votes.get(i)).copied().fold(0.0f32, f32::max);
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
            sig.push(Signal { name: "trl", raw, value: v.unwrap_or(unknown), weight: c.w_trl });
        }
        if c.w_money > 0.0 {
            let (price, budget) = score::offered_wanted(target, q.money_fen, d.money_fen);
            let v = score::money_signal(price, budget, c);
            let raw = match (price, budget, v) {
                (Some(p), Some(b), Some(_)) => (p as f64 / b as f64) as f32,
                _ => f32::NAN,
            };
            sig.push(Signal { name: "money", raw, value: v.unwrap_or(unknown), weight: c.w_money });
        }
        if c.w_modes > 0.0 {
            let v = score::modes_signal(aq.modes, d.modes);
            let raw = if v.is_some() { (aq.modes & d.modes).count_ones() as f32 } else { f32::NAN };
            sig.push(Signal { name: "modes", raw, value: v.unwrap_or(unknown), weight: c.w_modes });
        }
        if c.w_region > 0.0 {
            if let Some(v) = score::region_signal(aq.region.as_deref(), d.region.as_deref()) {
                sig.push(Signal {
                    name: "region",
                    raw: v.unwrap_or(f32::NAN),
                    value: v.unwrap_or(unknown),
                    weight: c.w_region,
                });
            }
        }
        sig
    }

    /// The query's keywords found verbatim in the document's text (and not already among its
    /// own keywords found in the query), with their rarity.
    fn query_keyword_hits<'a>(
        &'a self,
        aq: &'a AnalyzedQuery,
        d: &'a DocSlot,
        side: &'a SideIndex,
    ) -> impl Iterator<Item = (usize, f32)> + 'a {
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

    fn explain(&self, aq: &AnalyzedQuery, d: &DocSlot, slot: Slot, ctx: &Ctx<'_>, sig: &Signals) -> Explanation {
        let side = ctx.side;
        let params = &ctx.params;
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
            for (qi, rarity) in self.query_keyword_hits(aq, d, side) {
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
        let ia = score::industry_agreement(&self.taxonomy, &aq.evidence, &d.evidence, &self.config);
        let tax = &self.taxonomy;
        Explanation {
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

/// A scored candidate: (score, bm25, slot, signals).
type Scored = (f32, f32, Slot, Signals);

/// Per-search context of the scorer.
struct Ctx<'a> {
    target: Side,
    best: f32,
    ideal: f32,
    votes: &'a HashMap<u16, f32>,
    side: &'a SideIndex,
    params: Bm25Params,
}

/// Filters resolved to ids once per search.
struct FilterIds {
    industries: Vec<u16>,
    groups: Vec<u16>,
    region: Option<String>,
    modes: u8,
}

#[cfg(test)]
pub(crate) fn _assert_send_sync() {
    fn f<T: Send + Sync>() {}
    f::<MatchEngine>();
}

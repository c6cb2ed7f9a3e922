//! The candidate stage of a search: the filters resolved to ids, the documents carrying a
//! keyword found in the query, and BM25F retrieval over the target side's index.

use rustc_hash::FxHashMap;
use uuid::Uuid;

use crate::config::MatchingConfig;
use crate::document::Filters;
use crate::fields::{mode_mask, norm_region};
use crate::index::{lucene_idf, Bm25Params, DocSlot, QueryTerm, RetrievalLimits, SideIndex, Slot};
use crate::industry::{GroupId, IndustryId, Taxonomy};
use crate::query::AnalyzedQuery;
use crate::score::same_region;

/// The BM25F parameters of the configuration.
pub(crate) fn bm25_params(c: &MatchingConfig) -> Bm25Params {
    Bm25Params {
        k1: c.k1,
        b: [c.b_title, c.b_keywords, c.b_body, c.b_bigram],
        w: [c.field_weight_title, c.field_weight_keywords, c.field_weight_body, c.field_weight_bigram],
    }
}

/// Give every query term the idf over the live documents of both sides
/// ([`MatchingConfig::idf_from_both_sides`]).
pub(crate) fn idf_from_both_sides(terms: &mut [QueryTerm], sides: &[SideIndex; 2]) {
    let n: usize = sides.iter().map(|s| s.n_alive).sum();
    for qt in terms {
        let df: usize = sides.iter().map(|s| s.df(qt.term)).sum();
        qt.idf = Some(lucene_idf(n, df));
    }
}

/// Filters resolved to ids once per search.
pub(crate) struct FilterIds<'a> {
    filters: &'a Filters,
    industries: Vec<IndustryId>,
    groups: Vec<GroupId>,
    region: Option<String>,
    modes: u8,
}

impl<'a> FilterIds<'a> {
    /// Resolve the industry and group codes, normalise the region, mask the modes.
    pub(crate) fn resolve(taxonomy: &Taxonomy, filters: &'a Filters) -> Self {
        FilterIds {
            filters,
            industries: taxonomy.resolve_industries(&filters.industries),
            groups: taxonomy.resolve_groups(&filters.industries),
            region: norm_region(&filters.region),
            modes: mode_mask(&filters.modes),
        }
    }

    /// True when the industry filter names only unknown codes: nothing can pass.
    pub(crate) fn rules_out_everything(&self) -> bool {
        !self.filters.industries.is_empty() && self.industries.is_empty() && self.groups.is_empty()
    }

    /// True when no document can fail the filters (nor `exclude`).
    fn accept_all(&self, exclude: Option<Uuid>) -> bool {
        let f = self.filters;
        self.industries.is_empty()
            && self.groups.is_empty()
            && f.industries.is_empty()
            && f.trl_min.is_none()
            && f.trl_max.is_none()
            && self.region.is_none()
            && self.modes == 0
            && exclude.is_none()
            && f.exclude.is_empty()
    }

    /// Whether a document passes the filters and is not `exclude`. `min_score` is applied
    /// after scoring.
    fn passes(&self, taxonomy: &Taxonomy, d: &DocSlot, exclude: Option<Uuid>) -> bool {
        let f = self.filters;
        if exclude == Some(d.id) || f.exclude.contains(&d.id) {
            return false;
        }
        if !self.industries.is_empty() || !self.groups.is_empty() {
            let ok = d
                .evidence
                .tagged
                .iter()
                .any(|i| self.industries.contains(i) || self.groups.contains(&taxonomy.group_of(*i)))
                || d.evidence.groups.iter().any(|g| self.groups.contains(g));
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
        if let Some(r) = &self.region {
            if !d.region.as_deref().is_some_and(|dr| same_region(r, dr)) {
                return false;
            }
        }
        if self.modes != 0 && d.modes & self.modes == 0 {
            return false;
        }
        true
    }
}

/// The candidates of one search, each with its BM25F score.
pub(crate) struct Candidates {
    /// Every candidate's BM25F score: the top documents by text relevance plus the keyword
    /// candidates.
    pub(crate) bm25: FxHashMap<Slot, f32>,
    /// The same, best first (ties by slot).
    pub(crate) by_text: Vec<(Slot, f32)>,
    /// Summed rarity of each passing document's keywords found in the query.
    pub(crate) keyword_rarity: FxHashMap<Slot, f32>,
    /// The best BM25F score among the candidates.
    pub(crate) best: f32,
    /// The query's BM25F upper bound ([`crate::index::Retrieved::ideal`]).
    pub(crate) ideal: f32,
}

/// Find the candidates of `side` for an analysed query: the top `depth` documents by BM25F
/// that pass `filters` and are not `exclude`, plus the best
/// [`MatchingConfig::keyword_candidates`] documents (by summed rarity) carrying a keyword
/// found in the query, whatever their text score.
pub(crate) fn candidates(
    config: &MatchingConfig,
    taxonomy: &Taxonomy,
    side: &SideIndex,
    aq: &AnalyzedQuery,
    filters: &FilterIds<'_>,
    exclude: Option<Uuid>,
    depth: usize,
) -> Candidates {
    let no_filter = filters.accept_all(exclude);
    let accept = |s: Slot| no_filter || filters.passes(taxonomy, &side.docs[s as usize], exclude);
    let params = bm25_params(config);
    let cut = ((config.update_only_df_ratio.max(0.0) * side.n_alive as f32) as usize).max(config.update_only_df_min);
    // Documents carrying a keyword found in the query; the best `keyword_candidates` by
    // summed rarity are candidates whatever their text score.
    let mut kw_score: FxHashMap<Slot, f32> = FxHashMap::default();
    let mut forced: Vec<Slot> = Vec::new();
    if config.w_keyword > 0.0 {
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
        let k = config.keyword_candidates;
        if extra.len() > k && k > 0 {
            extra.select_nth_unstable_by(k - 1, cmp);
        }
        extra.truncate(k);
        forced = extra.into_iter().map(|x| x.0).collect();
    }
    let limits = RetrievalLimits {
        depth,
        update_only_df: cut,
        max_accumulators: config.max_accumulators,
        max_rescore: config.max_rescore,
    };
    let retrieved = side.retrieve(&aq.terms, &params, limits, &forced, &accept);
    let bm25: FxHashMap<Slot, f32> = retrieved.hits.iter().chain(retrieved.forced.iter()).copied().collect();
    let mut by_text: Vec<(Slot, f32)> = bm25.iter().map(|(s, b)| (*s, *b)).collect();
    by_text.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let best = retrieved.hits.first().map_or(0.0, |h| h.1);
    let best = bm25.values().copied().fold(best, f32::max);
    Candidates { bm25, by_text, keyword_rarity: kw_score, best, ideal: retrieved.ideal }
}

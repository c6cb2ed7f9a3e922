//! Query analysis: a [`Query`] becomes weighted index terms, the indexed keywords its text
//! contains, and its industry evidence, modes and region.

use rustc_hash::FxHashMap;

use crate::analyzer::{normalize, Analyzer};
use crate::config::MatchingConfig;
use crate::document::Query;
use crate::fields::{mode_mask, norm_keywords, norm_region};
use crate::index::{KeywordId, QueryTerm, TermId};
use crate::industry::{IndustryEvidence, Taxonomy};
use crate::vocab::Vocab;

/// A query after analysis.
#[derive(Clone)]
pub(crate) struct AnalyzedQuery {
    pub(crate) terms: Vec<QueryTerm>,
    /// Normalised query keywords with the term ids they cut into.
    pub(crate) keywords: Vec<(String, Vec<TermId>)>,
    /// Document keywords occurring in `text`.
    pub(crate) keyword_ids: Vec<KeywordId>,
    pub(crate) evidence: IndustryEvidence,
    /// Ids of the taxonomy aliases found in the query's text or keywords.
    pub(crate) alias_ids: Vec<u32>,
    pub(crate) modes: u8,
    pub(crate) region: Option<String>,
}

/// What analysing a query reads: the engine's analyser, taxonomy and dictionaries.
#[derive(Clone, Copy)]
pub(crate) struct QueryAnalysis<'a> {
    pub(crate) analyzer: &'a Analyzer,
    pub(crate) taxonomy: &'a Taxonomy,
    pub(crate) vocab: &'a Vocab,
    pub(crate) config: &'a MatchingConfig,
}

impl QueryAnalysis<'_> {
    /// Normalise and cut the query's title, body and keywords into weighted terms of the
    /// index's vocabulary (terms the index does not know are dropped), find the indexed
    /// keywords occurring in its text, and collect its industry evidence.
    pub(crate) fn analyze(&self, q: &Query) -> AnalyzedQuery {
        let title = normalize(&q.title);
        let body = normalize(&q.body);
        let keywords = norm_keywords(&q.keywords);
        let c = self.config;
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
        let mut alias_ids: Vec<u32> =
            alias_tokens.iter().filter_map(|t| self.taxonomy.aliases.get(t.as_str()).map(|a| a.0)).collect();
        alias_ids.sort_unstable();
        alias_ids.dedup();
        AnalyzedQuery {
            terms,
            keywords: kw_terms,
            keyword_ids,
            evidence,
            alias_ids,
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
}

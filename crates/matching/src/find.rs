//! Finding listings by a short free text (the `q` of the list endpoints) and completing a
//! prefix for the search box.
//!
//! A text goes through the same analysis as documents (normalisation with traditional →
//! simplified conversion, jieba with the domain dictionary); stop words are dropped; a term
//! that names an industry also looks for the industry's other names (at a lower weight). Every
//! live document of the side carrying a term is scored by BM25F over title, keywords and body;
//! a document whose region contains a term scores as if the term were in its title. Documents
//! are ranked by the share of the query's own terms they carry, then by that score.

use rustc_hash::FxHashMap;
use serde::Serialize;
use uuid::Uuid;

use crate::analyzer::{normalize, Analyzer};
use crate::index::{lucene_idf, Bm25Params, SideIndex, Slot, TermId, FIELDS};
use crate::industry::Taxonomy;
use crate::vocab::Vocab;

/// Weight of a term reached through an industry alias rather than typed.
const ALIAS_WEIGHT: f32 = 0.4;
/// Terms of one query kept (the rest of a long text is ignored).
const MAX_TERMS: usize = 32;

/// Why a text search has nothing to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmptyText {
    /// Every word of the text is a stop word (的, 研究, 技术 …).
    StopWordsOnly,
    /// The text holds no letter, digit or Chinese character worth searching.
    NoTerms,
}

/// A free text analysed for finding listings ([`crate::MatchEngine::text_query`]).
#[derive(Debug, Clone, Default)]
pub struct TextQuery {
    /// (term, weight, typed): typed terms come from the text, the others from aliases.
    terms: Vec<(String, f32, bool)>,
    empty: Option<EmptyText>,
}

impl TextQuery {
    /// The terms searched (normalised), typed ones first.
    pub fn terms(&self) -> Vec<&str> {
        self.terms.iter().map(|t| t.0.as_str()).collect()
    }

    /// `Some` when the text has nothing to search for, and why.
    pub fn empty(&self) -> Option<EmptyText> {
        self.empty
    }

    /// Analyse `text`.
    pub(crate) fn new(analyzer: &Analyzer, taxonomy: &Taxonomy, text: &str) -> Self {
        let norm = normalize(text);
        let mut raw = Vec::new();
        analyzer.tokens(&norm, &mut raw);
        let mut terms: Vec<(String, f32, bool)> = Vec::new();
        let push = |terms: &mut Vec<(String, f32, bool)>, t: &str, w: f32, typed: bool| {
            if terms.len() < MAX_TERMS && !terms.iter().any(|x| x.0 == t) {
                terms.push((t.to_string(), w, typed));
            }
        };
        for t in raw.iter().filter(|t| !analyzer.is_stop(t)) {
            push(&mut terms, t, 1.0, true);
        }
        let typed: Vec<String> = terms.iter().map(|t| t.0.clone()).collect();
        for t in &typed {
            if let Some((_, industries)) = taxonomy.aliases.get(t.as_str()) {
                for &i in industries {
                    for &a in taxonomy.industry_aliases.get(i as usize).map_or(&[][..], Vec::as_slice) {
                        push(&mut terms, taxonomy.alias(a), ALIAS_WEIGHT, false);
                    }
                }
            }
        }
        let empty = if terms.is_empty() {
            Some(if raw.is_empty() { EmptyText::NoTerms } else { EmptyText::StopWordsOnly })
        } else {
            None
        };
        Self { terms, empty }
    }

    /// The query's terms found in `text` (normalised like documents), typed ones first; empty
    /// when none is. Used for texts the engine does not index (organisation names).
    pub(crate) fn hits_in(&self, analyzer: &Analyzer, text: &str) -> Vec<String> {
        let norm = normalize(text);
        let mut toks = Vec::new();
        analyzer.tokens(&norm, &mut toks);
        self.terms.iter().filter(|t| toks.contains(&t.0.as_str()) || norm.contains(&t.0)).map(|t| t.0.clone()).collect()
    }
}

/// One document found by a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextHit {
    /// Document id.
    pub id: Uuid,
    /// Relevance in `0..=1`: the share of the typed terms carried, weighted with BM25F.
    pub relevance: f32,
    /// The query terms the document carries (normalised), for highlighting.
    pub terms: Vec<String>,
}

/// Every live document of `side` carrying a term of `q`, best first, at most `limit`.
pub(crate) fn find(side: &SideIndex, vocab: &Vocab, p: &Bm25Params, q: &TextQuery, limit: usize) -> Vec<TextHit> {
    if q.empty.is_some() || side.n_alive == 0 {
        return Vec::new();
    }
    let n_typed = q.terms.iter().filter(|t| t.2).count().max(1) as f32;
    let norms = norms(side, p);
    // dense accumulator by slot: (bm25, bit set of the terms carried), and the slots touched
    let mut acc: Vec<(f32, u64)> = vec![(0.0, 0); side.docs.len()];
    let mut touched: Vec<Slot> = Vec::new();
    let mut add = |slot: Slot, score: f32, bit: u64, once: bool| {
        let e = &mut acc[slot as usize];
        if once && e.1 & bit != 0 {
            return;
        }
        if e.1 == 0 {
            touched.push(slot);
        }
        e.0 += score;
        e.1 |= bit;
    };
    let mut ideal = 0.0f32;
    let mut in_title: Vec<(u64, f32)> = Vec::new();
    for (i, (term, weight, typed)) in q.terms.iter().enumerate() {
        let bit = 1u64 << i;
        let id: Option<TermId> = vocab.term_ids.get(term.as_str()).copied();
        let df = id.map_or(0, |t| side.df(t));
        let idf = lucene_idf(side.n_alive, df.max(1));
        ideal += idf * weight * (p.k1 + 1.0);
        if let Some(list) = id.and_then(|t| side.postings.get(t as usize)) {
            for post in list.iter().filter(|x| side.alive.get(x.slot as usize).copied().unwrap_or(false)) {
                let lens = &side.lens[post.slot as usize];
                let mut tf = 0.0;
                for f in 0..FIELDS {
                    if post.tf[f] > 0 {
                        tf += p.w[f] * f32::from(post.tf[f]) / (norms[f].0 + norms[f].1 * f32::from(lens[f]));
                    }
                }
                add(post.slot, idf * weight * tf * (p.k1 + 1.0) / (p.k1 + tf), bit, false);
            }
        }
        if *typed {
            in_title.push((bit, idf * weight * (p.k1 + 1.0) * p.w[0] / (p.k1 + p.w[0])));
        }
    }
    // the region is not an index field: a document whose region holds a typed term counts it
    // once in its title (each distinct region is tested once)
    let mut regions: FxHashMap<&str, u64> = FxHashMap::default();
    for (slot, d) in side.docs.iter().enumerate() {
        let Some(r) = d.region.as_deref().filter(|_| side.alive[slot]) else { continue };
        let bits = *regions.entry(r).or_insert_with(|| {
            in_title
                .iter()
                .filter(|(bit, _)| r.contains(q.terms[bit.trailing_zeros() as usize].0.as_str()))
                .fold(0, |b, x| b | x.0)
        });
        if bits != 0 {
            for &(bit, score) in in_title.iter().filter(|(bit, _)| bits & bit != 0) {
                add(slot as Slot, score, bit, true);
            }
        }
    }
    let ideal = ideal.max(f32::EPSILON);
    let mut hits: Vec<(f32, f32, Slot, u64)> = touched
        .into_iter()
        .map(|slot| {
            let (s, bits) = acc[slot as usize];
            let typed = q.terms.iter().enumerate().filter(|(i, t)| t.2 && bits & (1 << i) != 0).count() as f32;
            (typed / n_typed, (s / ideal).min(1.0), slot, bits)
        })
        .collect();
    let order = |a: &(f32, f32, Slot, u64), b: &(f32, f32, Slot, u64)| {
        b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2))
    };
    if hits.len() > limit && limit > 0 {
        hits.select_nth_unstable_by(limit - 1, order);
    }
    hits.truncate(limit);
    hits.sort_unstable_by(order);
    hits.into_iter()
        .map(|(coverage, s, slot, bits)| TextHit {
            id: side.docs[slot as usize].id,
            relevance: 0.8 * coverage + 0.2 * s,
            terms: q.terms.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, t)| t.0.clone()).collect(),
        })
        .collect()
}

/// Per-field `(1 − b, b / avglen)`.
fn norms(side: &SideIndex, p: &Bm25Params) -> [(f32, f32); FIELDS] {
    let n = side.n_alive.max(1) as f32;
    let mut out = [(1.0, 0.0); FIELDS];
    for (f, o) in out.iter_mut().enumerate() {
        let avg = (side.len_sum[f] as f32 / n).max(1.0);
        *o = (1.0 - p.b[f], p.b[f] / avg);
    }
    out
}

/// A completion for the search box.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    /// The completed text (normalised: simplified Chinese, lower case).
    pub text: String,
    /// `keyword` (a listing's keyword) or `industry` (a name or alias of an industry).
    pub kind: SuggestionKind,
    /// The industry codes an `industry` completion names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub industries: Vec<String>,
    /// Listings carrying the keyword (0 for industry names).
    pub listings: usize,
}

/// What a [`Suggestion`] completes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// A keyword of at least one listing.
    Keyword,
    /// A name or alias of an industry.
    Industry,
}

/// Industry names and listing keywords starting with `prefix` (normalised): industries first,
/// then keywords by the number of live listings carrying them; at most `limit`.
pub(crate) fn suggest(
    taxonomy: &Taxonomy,
    vocab: &Vocab,
    sides: &[SideIndex; 2],
    prefix: &str,
    limit: usize,
) -> Vec<Suggestion> {
    let prefix = normalize(prefix.trim());
    if prefix.is_empty() || limit == 0 {
        return Vec::new();
    }
    let mut out: Vec<Suggestion> = Vec::new();
    let mut aliases: Vec<&String> = taxonomy.alias_names.iter().filter(|a| a.starts_with(&prefix)).collect();
    aliases.sort_by_key(|a| (a.chars().count(), a.as_str()));
    for a in aliases {
        let industries = taxonomy
            .aliases
            .get(a.as_str())
            .map(|(_, ids)| ids.iter().map(|&i| taxonomy.code(i).to_string()).collect())
            .unwrap_or_default();
        out.push(Suggestion { text: a.clone(), kind: SuggestionKind::Industry, industries, listings: 0 });
    }
    let live = |k: u32| -> usize {
        sides
            .iter()
            .map(|s| {
                s.kw_postings.get(k as usize).map_or(0, |l| {
                    l.iter().filter(|&&slot| s.alive.get(slot as usize).copied().unwrap_or(false)).count()
                })
            })
            .sum()
    };
    let mut keywords: Vec<(usize, &str)> = vocab
        .keyword_names
        .iter()
        .enumerate()
        .filter(|(_, k)| k.starts_with(prefix.as_str()))
        .map(|(i, k)| (live(i as u32), &**k))
        .filter(|(n, k)| *n > 0 && !out.iter().any(|s| s.text == *k))
        .collect();
    keywords.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    for (n, k) in keywords {
        out.push(Suggestion {
            text: k.to_string(),
            kind: SuggestionKind::Keyword,
            industries: Vec::new(),
            listings: n,
        });
    }
    out.truncate(limit);
    out
}

//! Getting listings into the index: analysis of a [`Document`] (normalisation, segmentation,
//! per-field term counts, industry evidence) and its insertion, plus the bulk-load pipeline
//! that analyses on every core while one thread inserts.

use std::collections::BTreeMap;
use std::sync::{mpsc, Mutex, PoisonError};

use rustc_hash::FxHashMap;

use crate::analyzer::{normalize, Analyzer};
use crate::config::MatchingConfig;
use crate::document::Document;
use crate::fields::{mode_mask, norm_keywords, norm_region, side_ix};
use crate::index::{DocSlot, KeywordId, SideIndex, TermId, FIELDS, F_BIGRAM, F_BODY, F_KEYWORDS, F_TITLE};
use crate::industry::{IndustryEvidence, Taxonomy};
use crate::vocab::Vocab;

/// Documents per unit of work handed to an analysis thread by [`load`].
const BLOCK: usize = 256;

/// A document after analysis, before its terms are interned (built in parallel).
pub(crate) struct Analyzed {
    doc: Document,
    text: String,
    title_len: usize,
    keywords: Vec<String>,
    /// Distinct terms, concatenated; `spans` index into it (two allocations per document
    /// instead of one per term keeps bulk loads from fragmenting the heap).
    terms_buf: String,
    spans: Vec<(u32, u32, [u8; FIELDS])>,
    lens: [u16; FIELDS],
    evidence: IndustryEvidence,
}

/// What analysing a document reads (shared by the analysis threads).
#[derive(Clone, Copy)]
pub(crate) struct Analysis<'a> {
    pub(crate) analyzer: &'a Analyzer,
    pub(crate) taxonomy: &'a Taxonomy,
    pub(crate) config: &'a MatchingConfig,
}

impl Analysis<'_> {
    /// Normalise and cut a document's title, body and keywords; count terms per field;
    /// collect its industry evidence (tags plus aliases found in the text).
    pub(crate) fn document(&self, doc: Document) -> Analyzed {
        let title = normalize(&doc.title);
        let body = normalize(&doc.body);
        let keywords = norm_keywords(&doc.keywords);
        let merge = self.config.merge_fields;
        let mut bg = Vec::new();
        if self.analyzer.char_bigrams() {
            self.analyzer.bigrams(&title, &mut bg);
            self.analyzer.bigrams(&body, &mut bg);
        }
        let mut counts: FxHashMap<&str, [u8; FIELDS]> = FxHashMap::default();
        let mut lens = [0u16; FIELDS];
        let mut alias_tokens: Vec<&str> = Vec::new();
        fn add<'a>(
            counts: &mut FxHashMap<&'a str, [u8; FIELDS]>,
            lens: &mut [u16; FIELDS],
            merge: bool,
            tok: &'a str,
            field: usize,
        ) {
            let field = if merge && field != F_BIGRAM { F_BODY } else { field };
            let e = counts.entry(tok).or_insert([0; FIELDS]);
            e[field] = e[field].saturating_add(1);
            lens[field] = lens[field].saturating_add(1);
        }
        let mut toks = Vec::new();
        let texts = [(title.as_str(), F_TITLE), (body.as_str(), F_BODY)]
            .into_iter()
            .chain(keywords.iter().map(|k| (k.as_str(), F_KEYWORDS)));
        for (text, field) in texts {
            toks.clear();
            self.analyzer.tokens(text, &mut toks);
            for &t in &toks {
                add(&mut counts, &mut lens, merge, t, field);
                if self.taxonomy.aliases.contains_key(t) {
                    alias_tokens.push(t);
                }
            }
            // A whole keyword may be an alias that segmentation splits.
            if field == F_KEYWORDS && self.taxonomy.aliases.contains_key(text) {
                alias_tokens.push(text);
            }
        }
        for b in &bg {
            add(&mut counts, &mut lens, merge, b, F_BIGRAM);
        }
        let evidence = self.taxonomy.evidence(&doc.industries, &doc.groups, alias_tokens.iter().copied());
        let mut terms: Vec<(&str, [u8; FIELDS])> = counts.into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut terms_buf = String::with_capacity(terms.iter().map(|t| t.0.len()).sum());
        let spans = terms
            .iter()
            .map(|(t, tf)| {
                let start = terms_buf.len() as u32;
                terms_buf.push_str(t);
                (start, terms_buf.len() as u32, *tf)
            })
            .collect();
        let title_len = title.len();
        let mut text = String::with_capacity(title.len() + 1 + body.len());
        text.push_str(&title);
        text.push('\n');
        text.push_str(&body);
        Analyzed { doc, text, title_len, keywords, terms_buf, spans, lens, evidence }
    }
}

/// What indexing an analysed document writes: the dictionaries and the two side indexes.
pub(crate) struct Store<'a> {
    pub(crate) vocab: &'a mut Vocab,
    pub(crate) sides: &'a mut [SideIndex; 2],
    /// [`MatchingConfig::keyword_min_chars`].
    pub(crate) keyword_min_chars: usize,
}

impl Store<'_> {
    /// Intern the document's terms and keywords and append it to its side, replacing the
    /// document with the same id on either side.
    pub(crate) fn insert(&mut self, a: Analyzed) {
        let id = a.doc.id;
        for s in self.sides.iter_mut() {
            s.remove(id);
        }
        let terms: Vec<(TermId, [u8; FIELDS])> = a
            .spans
            .iter()
            .map(|&(st, en, tf)| (self.vocab.intern_term(&a.terms_buf[st as usize..en as usize]), tf))
            .collect();
        let min_chars = self.keyword_min_chars;
        let keywords: Vec<KeywordId> = a
            .keywords
            .iter()
            .filter(|k| k.chars().count() >= min_chars)
            .map(|k| self.vocab.intern_keyword(k))
            .collect();
        let slot = DocSlot {
            id,
            text: a.text.into_boxed_str(),
            title_len: a.title_len as u32,
            keywords: keywords.into_boxed_slice(),
            evidence: a.evidence,
            trl: a.doc.trl,
            money_fen: a.doc.money_fen,
            modes: mode_mask(&a.doc.modes),
            region: norm_region(&a.doc.region).map(String::into_boxed_str),
        };
        self.sides[side_ix(a.doc.side)].insert(slot, &terms, a.lens);
    }
}

/// Analyse and insert `docs` in order. Batches of at least two blocks are analysed on every
/// available core, [`BLOCK`] documents at a time, while the calling thread inserts the
/// finished blocks in their original order (so slots, and thus results, do not depend on
/// thread timing). A panic in any thread propagates to the caller.
pub(crate) fn load(analysis: Analysis<'_>, mut store: Store<'_>, docs: Vec<Document>) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || docs.len() < 2 * BLOCK {
        for d in docs {
            store.insert(analysis.document(d));
        }
        return;
    }
    let mut blocks: Vec<Vec<Document>> = Vec::with_capacity(docs.len().div_ceil(BLOCK));
    let mut it = docs.into_iter().peekable();
    while it.peek().is_some() {
        blocks.push(it.by_ref().take(BLOCK).collect());
    }
    let queue = Mutex::new(blocks.into_iter().enumerate());
    // Bounded, so analysis cannot run far ahead of insertion and pile up memory.
    let (tx, rx) = mpsc::sync_channel::<(usize, Vec<Analyzed>)>(threads * 2);
    std::thread::scope(|sc| {
        for _ in 0..threads {
            let (tx, queue) = (tx.clone(), &queue);
            sc.spawn(move || loop {
                let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                let Some((i, block)) = next else { break };
                let analyzed = block.into_iter().map(|d| analysis.document(d)).collect();
                if tx.send((i, analyzed)).is_err() {
                    break; // the inserting thread is gone (it panicked)
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Vec<Analyzed>> = BTreeMap::new();
        let mut next = 0;
        for (i, analyzed) in rx {
            pending.insert(i, analyzed);
            while let Some(block) = pending.remove(&next) {
                for a in block {
                    store.insert(a);
                }
                next += 1;
            }
        }
    });
}

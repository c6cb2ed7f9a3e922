//! The inverted index of one side (supplies or demands) and candidate retrieval.
//!
//! Documents live in *slots* numbered in insertion order; postings are therefore appended
//! in slot order and stay sorted, which lets retrieval gallop through them. Removing a
//! document tombstones its slot; [`SideIndex::compact`] renumbers the live slots
//! (monotonically, so postings stay sorted) and drops dead postings.

use std::cell::RefCell;
use std::collections::HashMap;

use uuid::Uuid;

use crate::industry::IndustryEvidence;

/// Id of an index term (shared by both sides).
pub(crate) type TermId = u32;
/// Id of a normalised keyword string (shared by both sides).
pub(crate) type KeywordId = u32;
/// Document slot within one side.
pub(crate) type Slot = u32;

/// Field numbers of the per-field term frequencies.
pub(crate) const F_TITLE: usize = 0;
/// Keywords field.
pub(crate) const F_KEYWORDS: usize = 1;
/// Body field (summary / description).
pub(crate) const F_BODY: usize = 2;
/// Character-bigram field.
pub(crate) const F_BIGRAM: usize = 3;
/// Number of fields.
pub(crate) const FIELDS: usize = 4;

/// One posting: a document slot and the term's frequency in each field (saturating at 255).
/// 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Posting {
    /// Document slot.
    pub(crate) slot: Slot,
    /// Term frequency per field ([`F_TITLE`], [`F_KEYWORDS`], [`F_BODY`], [`F_BIGRAM`]).
    pub(crate) tf: [u8; FIELDS],
}

/// What the engine keeps about an indexed document besides its postings.
#[derive(Debug, Clone)]
pub(crate) struct DocSlot {
    /// Listing id.
    pub(crate) id: Uuid,
    /// Normalised `title + '\n' + body`; used to test whether a query keyword occurs in the
    /// document and to rebuild the document as a query.
    pub(crate) text: Box<str>,
    /// Byte length of the title inside `text`.
    pub(crate) title_len: u32,
    /// Keyword ids (normalised, deduplicated).
    pub(crate) keywords: Box<[KeywordId]>,
    /// Tagged and alias-inferred industries, group tags.
    pub(crate) evidence: IndustryEvidence,
    /// TRL 1..=9.
    pub(crate) trl: Option<u8>,
    /// Price or budget in fen.
    pub(crate) money_fen: Option<i64>,
    /// Bit i set = mode [`crate::document::MODES`]`[i]`.
    pub(crate) modes: u8,
    /// Normalised region.
    pub(crate) region: Option<Box<str>>,
}

/// BM25F parameters, resolved for one side at query time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bm25Params {
    /// Saturation.
    pub(crate) k1: f32,
    /// Per-field length-normalisation strength.
    pub(crate) b: [f32; FIELDS],
    /// Per-field weight.
    pub(crate) w: [f32; FIELDS],
}

/// How deep and how exhaustively [`SideIndex::retrieve`] searches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetrievalLimits {
    /// Number of documents to return (the `depth` of the doc comment of `retrieve`).
    pub(crate) depth: usize,
    /// Terms in more documents than this only update documents already found.
    pub(crate) update_only_df: usize,
    /// After this many documents are found, further terms only update them.
    pub(crate) max_accumulators: usize,
    /// At most this many documents (the best partial scores, at least `depth`) go through the
    /// update phase.
    pub(crate) max_rescore: usize,
}

/// A query term with its query-side weight.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueryTerm {
    /// Term id.
    pub(crate) term: TermId,
    /// Query-side weight (boosts × log term count).
    pub(crate) weight: f32,
    /// Inverse document frequency to use; `None` = this side's own
    /// ([`SideIndex::idf`]).
    pub(crate) idf: Option<f32>,
}

/// Retrieval output.
#[derive(Debug, Clone, Default)]
pub(crate) struct Retrieved {
    /// Top documents by BM25F, best first: (slot, score).
    pub(crate) hits: Vec<(Slot, f32)>,
    /// The `forced` documents that passed `accept`, with their exact BM25F score.
    pub(crate) forced: Vec<(Slot, f32)>,
    /// Upper bound of the BM25F score for this query: Σ idf·weight·(k1+1).
    pub(crate) ideal: f32,
}

/// The index of one side.
#[derive(Debug, Default)]
pub(crate) struct SideIndex {
    /// Postings by term id (terms unseen on this side have an empty list).
    pub(crate) postings: Vec<Vec<Posting>>,
    /// Slots carrying each keyword, by keyword id.
    pub(crate) kw_postings: Vec<Vec<Slot>>,
    /// Documents by slot (dead slots keep their data until compaction).
    pub(crate) docs: Vec<DocSlot>,
    /// Field lengths (terms) by slot, kept apart from `docs` for cache locality.
    pub(crate) lens: Vec<[u16; FIELDS]>,
    /// Liveness by slot.
    pub(crate) alive: Vec<bool>,
    /// Live slot of each id.
    pub(crate) by_id: HashMap<Uuid, Slot>,
    /// Number of live documents.
    pub(crate) n_alive: usize,
    /// Sum of live field lengths.
    pub(crate) len_sum: [u64; FIELDS],
    /// Number of dead slots.
    pub(crate) dead: usize,
}

#[derive(Default)]
struct Scratch {
    acc: Vec<f32>,
    state: Vec<u8>,
    touched: Vec<Slot>,
    tmp: Vec<f32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

const UNSEEN: u8 = 0;
const ACCEPTED: u8 = 1;
const REJECTED: u8 = 2;
const FORCED: u8 = 3;

impl SideIndex {
    /// Append a document. `terms` holds each distinct term with its per-field frequency.
    /// The caller has removed any previous version of the same id.
    pub(crate) fn insert(&mut self, doc: DocSlot, terms: &[(TermId, [u8; FIELDS])], lens: [u16; FIELDS]) -> Slot {
        let slot = self.docs.len() as Slot;
        for &(t, tf) in terms {
            let t = t as usize;
            if self.postings.len() <= t {
                self.postings.resize_with(t + 1, Vec::new);
            }
            self.postings[t].push(Posting { slot, tf });
        }
        for &k in doc.keywords.iter() {
            let k = k as usize;
            if self.kw_postings.len() <= k {
                self.kw_postings.resize_with(k + 1, Vec::new);
            }
            self.kw_postings[k].push(slot);
        }
        for (f, l) in lens.iter().enumerate() {
            self.len_sum[f] += u64::from(*l);
        }
        self.by_id.insert(doc.id, slot);
        self.docs.push(doc);
        self.lens.push(lens);
        self.alive.push(true);
        self.n_alive += 1;
        slot
    }

    /// Tombstone the document with this id. Returns false when it is not indexed.
    pub(crate) fn remove(&mut self, id: Uuid) -> bool {
        let Some(slot) = self.by_id.remove(&id) else {
            return false;
        };
        let s = slot as usize;
        self.alive[s] = false;
        for (f, l) in self.lens[s].iter().enumerate() {
            self.len_sum[f] = self.len_sum[f].saturating_sub(u64::from(*l));
        }
        self.n_alive -= 1;
        self.dead += 1;
        true
    }

    /// Compact when at least `ratio` of the slots are dead (and there are some).
    pub(crate) fn maybe_compact(&mut self, ratio: f32) {
        if self.dead > 0 && self.dead as f32 >= ratio * self.docs.len() as f32 {
            self.compact();
        }
    }

    /// Renumber live slots (keeping their order) and drop dead postings. O(postings).
    pub(crate) fn compact(&mut self) {
        let mut remap = vec![Slot::MAX; self.docs.len()];
        let mut next: Slot = 0;
        for (i, a) in self.alive.iter().enumerate() {
            if *a {
                remap[i] = next;
                next += 1;
            }
        }
        for list in &mut self.postings {
            list.retain_mut(|p| {
                let n = remap[p.slot as usize];
                p.slot = n;
                n != Slot::MAX
            });
            list.shrink_to_fit();
        }
        for list in &mut self.kw_postings {
            list.retain_mut(|s| {
                let n = remap[*s as usize];
                *s = n;
                n != Slot::MAX
            });
            list.shrink_to_fit();
        }
        let alive = std::mem::take(&mut self.alive);
        let docs = std::mem::take(&mut self.docs);
        let lens = std::mem::take(&mut self.lens);
        for ((d, l), a) in docs.into_iter().zip(lens).zip(alive) {
            if a {
                self.docs.push(d);
                self.lens.push(l);
                self.alive.push(true);
            }
        }
        for slot in self.by_id.values_mut() {
            *slot = remap[*slot as usize];
        }
        self.dead = 0;
    }

    /// Release spare capacity after a bulk load.
    pub(crate) fn shrink(&mut self) {
        for l in &mut self.postings {
            l.shrink_to_fit();
        }
        for l in &mut self.kw_postings {
            l.shrink_to_fit();
        }
    }

    /// Document frequency of a term on this side (tombstoned postings included until the
    /// next compaction).
    pub(crate) fn df(&self, term: TermId) -> usize {
        self.postings.get(term as usize).map_or(0, Vec::len)
    }

    /// Lucene BM25 idf `ln(1 + (N − df + 0.5)/(df + 0.5))` over the live documents.
    pub(crate) fn idf(&self, term: TermId) -> f32 {
        lucene_idf(self.n_alive, self.df(term))
    }

    /// Keyword rarity `ln(1 + N/df)` (df = live-or-tombstoned documents carrying it).
    pub(crate) fn keyword_rarity(&self, kw: KeywordId) -> f32 {
        let df = self.kw_postings.get(kw as usize).map_or(0, Vec::len).max(1) as f32;
        (1.0 + self.n_alive as f32 / df).ln()
    }

    /// Per-field `(1 − b, b / avglen)` for length normalisation.
    fn norms(&self, p: &Bm25Params) -> [(f32, f32); FIELDS] {
        let n = self.n_alive.max(1) as f32;
        let mut out = [(1.0, 0.0); FIELDS];
        for (f, o) in out.iter_mut().enumerate() {
            let avg = (self.len_sum[f] as f32 / n).max(1.0);
            *o = (1.0 - p.b[f], p.b[f] / avg);
        }
        out
    }

    #[inline]
    fn pseudo_tf(&self, p: &Posting, norms: &[(f32, f32); FIELDS], w: &[f32; FIELDS]) -> f32 {
        let lens = &self.lens[p.slot as usize];
        let mut t = 0.0;
        for f in 0..FIELDS {
            if p.tf[f] > 0 {
                t += w[f] * f32::from(p.tf[f]) / (norms[f].0 + norms[f].1 * f32::from(lens[f]));
            }
        }
        t
    }

    /// BM25F contribution of each query term to one document (terms absent from it are
    /// left out). Binary search per term; used for re-ranking extras and explanations.
    pub(crate) fn term_scores(&self, slot: Slot, terms: &[QueryTerm], p: &Bm25Params) -> Vec<(TermId, f32)> {
        let norms = self.norms(p);
        let mut out = Vec::new();
        for qt in terms {
            let Some(list) = self.postings.get(qt.term as usize) else {
                continue;
            };
            if let Ok(i) = list.binary_search_by_key(&slot, |x| x.slot) {
                let t = self.pseudo_tf(&list[i], &norms, &p.w);
                let idf = qt.idf.unwrap_or_else(|| self.idf(qt.term));
                let s = idf * qt.weight * t * (p.k1 + 1.0) / (p.k1 + t);
                out.push((qt.term, s));
            }
        }
        out
    }

    /// Top `depth` documents by BM25F among those `accept` lets through.
    ///
    /// Term at a time into a dense per-thread accumulator, in two phases:
    /// 1. *OR phase*: terms with document frequency ≤ `update_only_df`, highest upper bound
    ///    first, add every document they touch. Before a term, if the remaining terms' upper
    ///    bounds sum to less than the current `depth`-th score, no unseen document can enter
    ///    the top `depth` any more and the phase ends early (exact, max-score style). Common
    ///    terms join this phase only while fewer than `depth` documents were found, and the
    ///    phase also ends once `max_acc` documents were found (accumulator limit).
    /// 2. *Update phase*: the remaining terms only update the documents that can still reach
    ///    the top `depth` (galloping through the postings when those are few, scanning
    ///    otherwise); at most `max_rescore` of them, the best partial scores. Skipping common
    ///    terms' unseen documents and the rescore cap are the approximations: a
    ///    document matching *only* terms in more than `update_only_df` documents is not a
    ///    candidate, and so is one whose rarer terms come after the accumulator limit.
    ///
    /// `forced` documents (e.g. keyword candidates) are accumulated exactly, never pruned and
    /// always returned in [`Retrieved::forced`].
    pub(crate) fn retrieve(
        &self,
        terms: &[QueryTerm],
        p: &Bm25Params,
        limits: RetrievalLimits,
        forced: &[Slot],
        accept: &dyn Fn(Slot) -> bool,
    ) -> Retrieved {
        let RetrievalLimits { depth, update_only_df, max_accumulators: max_acc, max_rescore } = limits;
        let max_rescore = max_rescore.max(depth);
        let depth = depth.max(1);
        let norms = self.norms(p);
        let mut ts: Vec<(QueryTerm, f32, f32, bool)> = terms
            .iter()
            .filter(|qt| self.df(qt.term) > 0)
            .map(|qt| {
                let idf = qt.idf.unwrap_or_else(|| self.idf(qt.term));
                (*qt, idf, idf * qt.weight * (p.k1 + 1.0), self.df(qt.term) > update_only_df)
            })
            .collect();
        // rare terms first, each group by upper bound
        ts.sort_by(|a, b| a.3.cmp(&b.3).then(b.2.total_cmp(&a.2)));
        let ideal: f32 = ts.iter().map(|t| t.2).sum();
        let mut rem = vec![0.0f32; ts.len() + 1];
        for i in (0..ts.len()).rev() {
            rem[i] = rem[i + 1] + ts[i].2;
        }
        let n_slots = self.docs.len();
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let sc = &mut *guard;
            if sc.acc.len() < n_slots {
                sc.acc.resize(n_slots, 0.0);
                sc.state.resize(n_slots, UNSEEN);
            }
            let mut accepted = 0usize;
            for &f in forced {
                let fu = f as usize;
                if fu < n_slots && sc.state[fu] == UNSEEN && self.alive[fu] && accept(f) {
                    sc.state[fu] = FORCED;
                    sc.touched.push(f);
                }
            }
            let mut i = 0;
            let mut theta = f32::NEG_INFINITY;
            let mut best_so_far = 0.0f32;
            let kth = |sc: &mut Scratch| -> f32 {
                sc.tmp.clear();
                for &s in &sc.touched {
                    if sc.state[s as usize] == ACCEPTED {
                        sc.tmp.push(sc.acc[s as usize]);
                    }
                }
                if sc.tmp.len() < depth {
                    return f32::NEG_INFINITY;
                }
                let (_, k, _) = sc.tmp.select_nth_unstable_by(depth - 1, |a, b| b.total_cmp(a));
                *k
            };
            // Phase 1: OR.
            while i < ts.len() {
                let (qt, idf, _, common) = ts[i];
                if (common && accepted >= depth) || (i > 0 && accepted >= max_acc.max(depth)) {
                    break;
                }
                let list = &self.postings[qt.term as usize];
                // θ ≤ the best score so far, so only select when pruning is possible at all.
                if i > 0 && accepted >= depth && list.len() > accepted / 4 && rem[i] < best_so_far {
                    theta = kth(sc);
                    if rem[i] < theta {
                        break;
                    }
                }
                let mult = idf * qt.weight;
                for post in list {
                    let s = post.slot as usize;
                    let st = sc.state[s];
                    if st == UNSEEN {
                        sc.touched.push(post.slot);
                        if self.alive[s] && accept(post.slot) {
                            sc.state[s] = ACCEPTED;
                            accepted += 1;
                        } else {
                            sc.state[s] = REJECTED;
                            continue;
                        }
                    } else if st == REJECTED {
                        continue;
                    }
                    let t = self.pseudo_tf(post, &norms, &p.w);
                    let a = sc.acc[s] + mult * t * (p.k1 + 1.0) / (p.k1 + t);
                    sc.acc[s] = a;
                    best_so_far = best_so_far.max(a);
                }
                i += 1;
            }
            // Phase 2: update the documents that can still make the top `depth`.
            if i < ts.len() {
                theta = theta.max(kth(sc));
                let mut cands: Vec<Slot> = Vec::new();
                for &s in &sc.touched {
                    let su = s as usize;
                    if sc.state[su] == FORCED {
                        cands.push(s);
                    } else if sc.state[su] == ACCEPTED {
                        if sc.acc[su] + rem[i] >= theta {
                            cands.push(s);
                        } else {
                            sc.state[su] = REJECTED;
                        }
                    }
                }
                // Bound the update phase: keep the `max_rescore` best partial scores (forced
                // documents always stay).
                let n_forced = cands.iter().filter(|&&c| sc.state[c as usize] == FORCED).count();
                if cands.len() > max_rescore + n_forced {
                    let acc = &sc.acc;
                    let st = &sc.state;
                    let key = |c: Slot| if st[c as usize] == FORCED { f32::INFINITY } else { acc[c as usize] };
                    cands.select_nth_unstable_by(max_rescore + n_forced - 1, |a, b| {
                        key(*b).total_cmp(&key(*a)).then(a.cmp(b))
                    });
                    for &c in &cands[max_rescore + n_forced..] {
                        sc.state[c as usize] = REJECTED;
                    }
                    cands.truncate(max_rescore + n_forced);
                }
                cands.sort_unstable();
                for j in i..ts.len() {
                    let (qt, idf, _, _) = ts[j];
                    if j > i {
                        // Progressive pruning: the bound of the terms left keeps shrinking.
                        if cands.len() > depth {
                            sc.tmp.clear();
                            let st = &sc.state;
                            let acc = &sc.acc;
                            sc.tmp.extend(
                                cands.iter().filter(|&&c| st[c as usize] == ACCEPTED).map(|&c| acc[c as usize]),
                            );
                        }
                        if sc.tmp.len() >= depth && cands.len() > depth {
                            let (_, k, _) = sc.tmp.select_nth_unstable_by(depth - 1, |a, b| b.total_cmp(a));
                            theta = theta.max(*k);
                        }
                        let bound = rem[j];
                        cands.retain(|&c| {
                            let keep = sc.state[c as usize] == FORCED || sc.acc[c as usize] + bound >= theta;
                            if !keep {
                                sc.state[c as usize] = REJECTED;
                            }
                            keep
                        });
                    }
                    let mult = idf * qt.weight;
                    let list = &self.postings[qt.term as usize];
                    if cands.len() * 8 < list.len() {
                        let mut lo = 0usize;
                        for &c in &cands {
                            lo = gallop(list, lo, c);
                            if lo >= list.len() {
                                break;
                            }
                            if list[lo].slot == c {
                                let t = self.pseudo_tf(&list[lo], &norms, &p.w);
                                sc.acc[c as usize] += mult * t * (p.k1 + 1.0) / (p.k1 + t);
                            }
                        }
                    } else {
                        for post in list {
                            let st = sc.state[post.slot as usize];
                            if st == ACCEPTED || st == FORCED {
                                let t = self.pseudo_tf(post, &norms, &p.w);
                                sc.acc[post.slot as usize] += mult * t * (p.k1 + 1.0) / (p.k1 + t);
                            }
                        }
                    }
                }
            }
            let mut hits: Vec<(Slot, f32)> = sc
                .touched
                .iter()
                .filter(|&&s| sc.state[s as usize] == ACCEPTED)
                .map(|&s| (s, sc.acc[s as usize]))
                .collect();
            let forced_hits: Vec<(Slot, f32)> = sc
                .touched
                .iter()
                .filter(|&&s| sc.state[s as usize] == FORCED)
                .map(|&s| (s, sc.acc[s as usize]))
                .collect();
            for &s in &sc.touched {
                sc.acc[s as usize] = 0.0;
                sc.state[s as usize] = UNSEEN;
            }
            sc.touched.clear();
            let cmp = |a: &(Slot, f32), b: &(Slot, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
            if hits.len() > depth {
                hits.select_nth_unstable_by(depth - 1, cmp);
                hits.truncate(depth);
            }
            hits.sort_unstable_by(cmp);
            Retrieved { hits, forced: forced_hits, ideal }
        })
    }
}

/// Lucene BM25 idf `ln(1 + (N − df + 0.5)/(df + 0.5))` (df clamped to N).
pub(crate) fn lucene_idf(n: usize, df: usize) -> f32 {
    let n = n as f32;
    let df = (df as f32).min(n);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// First index `>= from` whose slot is `>= target` (exponential then binary search).
fn gallop(list: &[Posting], from: usize, target: Slot) -> usize {
    let n = list.len();
    if from >= n || list[from].slot >= target {
        return from;
    }
    let mut step = 1;
    let mut lo = from;
    let mut hi = from + 1;
    while hi < n && list[hi].slot < target {
        lo = hi;
        step *= 2;
        hi = hi.saturating_add(step);
    }
    let hi = hi.min(n);
    // list[lo] < target; answer in (lo, hi]
    lo + 1 + list[lo + 1..hi].partition_point(|p| p.slot < target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallop_finds_first_not_less() {
        let list: Vec<Posting> =
            [1u32, 3, 5, 7, 9, 11, 13, 15, 17].iter().map(|&s| Posting { slot: s, tf: [0, 0, 1, 0] }).collect();
        assert_eq!(gallop(&list, 0, 0), 0);
        assert_eq!(gallop(&list, 0, 1), 0);
        assert_eq!(gallop(&list, 0, 2), 1);
        assert_eq!(gallop(&list, 2, 13), 6);
        assert_eq!(gallop(&list, 0, 16), 8);
        assert_eq!(gallop(&list, 0, 18), 9);
        assert_eq!(gallop(&list, 9, 20), 9);
    }
}

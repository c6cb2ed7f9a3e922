//! Standing queries (subscriptions, saved searches): which of many stored queries a new listing
//! could match, without scoring them all.
//!
//! Each [`StandingQuery`] is cut into keys with the engine's own analysis
//! ([`crate::MatchEngine::text_query`]: normalisation, traditional → simplified, jieba with the
//! domain dictionary, stop words dropped, industry aliases expanded): `t:` its text's and
//! keywords' terms, `k:` its keywords whole (normalised), and `i:` its industry or group codes
//! when it has neither text nor keywords. The [`StandingIndex`] inverts them per watched side
//! (key → query slots). A new listing becomes a [`Probe`] with the keys of its title, keywords,
//! body, industries and their groups; [`StandingIndex::candidates`] returns only the queries
//! sharing a key with it and passing their hard filters (TRL range, modes, region, industries).
//! Only those are then scored by the engine, so the work per listing follows the number of
//! queries that share a word or industry with it, not the number stored.
//!
//! The engine requires topical evidence for a match (a shared keyword, a meaningful shared word
//! or an alias of a shared industry in both texts), all of which share a key here, so a query
//! left out could not have matched.

use rustc_hash::FxHashMap;
use uuid::Uuid;

use crate::analyzer::normalize;
use crate::document::{Document, Side};
use crate::engine::MatchEngine;
use crate::fields::{mode_mask, norm_keywords, norm_region, side_ix};

/// Characters of a listing's body analysed at a time (the engine's text queries keep 32 terms).
const CHUNK_CHARS: usize = 40;

/// A stored query: what it looks for and its hard filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StandingQuery {
    /// The subscription's id.
    pub id: Uuid,
    /// The side of the listings it watches.
    pub target: Option<Side>,
    /// Free text (title-like words of the search).
    pub text: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Industry or group codes: a listing must carry one of them (by industry or group).
    pub industries: Vec<String>,
    /// A listing's TRL must be at least this (a listing without TRL fails).
    pub trl_min: Option<u8>,
    /// A listing's TRL must be at most this (a listing without TRL fails).
    pub trl_max: Option<u8>,
    /// A listing must offer one of these modes (empty: any).
    pub modes: Vec<String>,
    /// A listing's region must equal, contain or be contained in this one.
    pub region: Option<String>,
}

/// What the index keeps of a query: its hard filters.
#[derive(Debug, Clone)]
struct Entry {
    id: Uuid,
    industries: Vec<String>,
    trl_min: Option<u8>,
    trl_max: Option<u8>,
    modes: u8,
    region: Option<String>,
}

/// A new listing as the index sees it: its keys and what the hard filters test.
#[derive(Debug, Clone)]
pub struct Probe {
    side: Side,
    keys: Vec<String>,
    /// The listing's industry codes and the group codes of its industries and group tags.
    codes: Vec<String>,
    trl: Option<u8>,
    modes: u8,
    region: Option<String>,
}

impl Probe {
    /// The probe of `doc`; `groups` are the group codes of its industries (the caller's
    /// taxonomy knows them), besides its own group tags.
    pub fn of(engine: &MatchEngine, doc: &Document, groups: &[String]) -> Probe {
        let mut keys: Vec<String> = Vec::new();
        let mut texts: Vec<String> = vec![doc.title.clone()];
        texts.extend(doc.keywords.iter().cloned());
        texts.extend(chunks(&doc.body));
        for text in &texts {
            for term in engine.text_query(text).terms() {
                keys.push(format!("t:{term}"));
            }
        }
        for k in norm_keywords(&doc.keywords) {
            keys.push(format!("k:{k}"));
        }
        let mut codes: Vec<String> = doc.industries.iter().chain(&doc.groups).chain(groups).cloned().collect();
        codes.sort_unstable();
        codes.dedup();
        keys.extend(codes.iter().map(|c| format!("i:{c}")));
        keys.sort_unstable();
        keys.dedup();
        Probe {
            side: doc.side,
            keys,
            codes,
            trl: doc.trl,
            modes: mode_mask(&doc.modes),
            region: norm_region(&doc.region),
        }
    }

    /// The keys looked up (for tests and reports).
    pub fn keys(&self) -> &[String] {
        &self.keys
    }
}

/// Splits a long text into pieces of about [`CHUNK_CHARS`] characters at punctuation or white
/// space where it can (never inside a character).
fn chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut n = 0;
    for c in text.chars() {
        current.push(c);
        n += 1;
        let breaks =
            c.is_whitespace() || matches!(c, '。' | '，' | '；' | '、' | '！' | '？' | ',' | '.' | ';' | ':' | '：');
        if (breaks && n >= CHUNK_CHARS / 2) || n >= CHUNK_CHARS {
            out.push(std::mem::take(&mut current));
            n = 0;
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// The inverted index of the standing queries of both sides.
#[derive(Debug, Default)]
pub struct StandingIndex {
    /// Per watched side: key → slots.
    postings: [FxHashMap<String, Vec<u32>>; 2],
    /// Slot → entry (`None`: removed).
    entries: Vec<Option<Entry>>,
    slots: FxHashMap<Uuid, u32>,
    dead: usize,
    /// The keys of each live query, to rebuild the postings when many slots are dead.
    keys: Vec<(Side, Vec<String>)>,
}

impl StandingIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of queries held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when no query is held.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The keys of `q` (see the module docs), analysed by `engine`.
    pub fn keys_of(engine: &MatchEngine, q: &StandingQuery) -> Vec<String> {
        let mut keys = Vec::new();
        let mut texts: Vec<&str> = vec![q.text.as_str()];
        texts.extend(q.keywords.iter().map(String::as_str));
        for text in texts.into_iter().filter(|t| !t.trim().is_empty()) {
            for term in engine.text_query(text).terms() {
                keys.push(format!("t:{term}"));
            }
        }
        for k in norm_keywords(&q.keywords) {
            keys.push(format!("k:{k}"));
        }
        if keys.is_empty() {
            keys.extend(q.industries.iter().map(|c| format!("i:{c}")));
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Adds `q`, or replaces the query with its id. A query without a target side or without
    /// any key is held but can never be a candidate.
    pub fn upsert(&mut self, engine: &MatchEngine, q: &StandingQuery) {
        self.remove(q.id);
        let Some(target) = q.target else { return };
        let keys = Self::keys_of(engine, q);
        let slot = self.entries.len() as u32;
        self.entries.push(Some(Entry {
            id: q.id,
            industries: q.industries.clone(),
            trl_min: q.trl_min,
            trl_max: q.trl_max,
            modes: mode_mask(&q.modes),
            region: norm_region(&q.region),
        }));
        let postings = &mut self.postings[side_ix(target)];
        for k in &keys {
            postings.entry(k.clone()).or_default().push(slot);
        }
        self.keys.push((target, keys));
        self.slots.insert(q.id, slot);
    }

    /// Removes the query `id`; false when it is not held.
    pub fn remove(&mut self, id: Uuid) -> bool {
        let Some(slot) = self.slots.remove(&id) else { return false };
        if let Some(e) = self.entries.get_mut(slot as usize) {
            *e = None;
        }
        if let Some(k) = self.keys.get_mut(slot as usize) {
            k.1.clear();
        }
        self.dead += 1;
        if self.dead > 64 && self.dead * 2 > self.entries.len() {
            self.compact();
        }
        true
    }

    /// Rewrites the postings without the removed slots.
    fn compact(&mut self) {
        let entries = std::mem::take(&mut self.entries);
        let keys = std::mem::take(&mut self.keys);
        self.postings = Default::default();
        self.slots.clear();
        self.dead = 0;
        for (entry, (side, keys)) in entries.into_iter().zip(keys) {
            let Some(entry) = entry else { continue };
            let slot = self.entries.len() as u32;
            let postings = &mut self.postings[side_ix(side)];
            for k in &keys {
                postings.entry(k.clone()).or_default().push(slot);
            }
            self.slots.insert(entry.id, slot);
            self.entries.push(Some(entry));
            self.keys.push((side, keys));
        }
    }

    /// The ids of the queries watching the probe's side that share a key with it and whose
    /// hard filters it passes: the only ones worth scoring. Sorted, each once.
    pub fn candidates(&self, probe: &Probe) -> Vec<Uuid> {
        let postings = &self.postings[side_ix(probe.side)];
        let mut slots: Vec<u32> = Vec::new();
        for k in &probe.keys {
            if let Some(list) = postings.get(k) {
                slots.extend_from_slice(list);
            }
        }
        slots.sort_unstable();
        slots.dedup();
        let mut out: Vec<Uuid> = slots
            .into_iter()
            .filter_map(|s| self.entries.get(s as usize).and_then(Option::as_ref))
            .filter(|e| passes(e, probe))
            .map(|e| e.id)
            .collect();
        out.sort_unstable();
        out
    }
}

/// Whether the probe passes the entry's hard filters.
fn passes(e: &Entry, p: &Probe) -> bool {
    if e.trl_min.is_some() || e.trl_max.is_some() {
        let Some(trl) = p.trl else { return false };
        if e.trl_min.is_some_and(|m| trl < m) || e.trl_max.is_some_and(|m| trl > m) {
            return false;
        }
    }
    if e.modes != 0 && e.modes & p.modes == 0 {
        return false;
    }
    if let Some(region) = &e.region {
        match &p.region {
            Some(r) if r.contains(region.as_str()) || region.contains(r.as_str()) => {}
            _ => return false,
        }
    }
    if !e.industries.is_empty() && !e.industries.iter().any(|c| p.codes.contains(c)) {
        return false;
    }
    true
}

/// Normalises a text the way the index compares regions and keywords (for callers' checks).
pub fn normalized(text: &str) -> String {
    normalize(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MatchingConfig;
    use crate::document::IndustryDef;

    fn engine() -> MatchEngine {
        let goji = IndustryDef {
            code: "goji".into(),
            group: "six_special".into(),
            names: vec!["枸杞".into(), "Goji".into(), "宁夏红果".into()],
        };
        MatchEngine::new(vec![goji], MatchingConfig::default())
    }

    fn next_id() -> Uuid {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(1);
        Uuid::from_u64_pair(0, N.fetch_add(1, Ordering::Relaxed))
    }

    fn query(text: &str, target: Side) -> StandingQuery {
        StandingQuery { id: next_id(), target: Some(target), text: text.into(), ..StandingQuery::default() }
    }

    fn listing(title: &str, side: Side) -> Document {
        Document { id: next_id(), side, title: title.into(), body: title.into(), ..Document::default() }
    }

    #[test]
    fn a_listing_sharing_no_term_or_industry_scores_no_subscription() {
        let e = engine();
        let mut index = StandingIndex::new();
        for text in ["枸杞烘干设备", "光伏组件清洗", "滩羊肉冷链", "葡萄酒酿造工艺"] {
            index.upsert(&e, &query(text, Side::Supply));
        }
        let mut industry_only = query("", Side::Supply);
        industry_only.industries = vec!["goji".into()];
        index.upsert(&e, &industry_only);
        assert_eq!(index.len(), 5);
        let unrelated = Probe::of(&e, &listing("氢能储运安全监测", Side::Supply), &[]);
        assert!(index.candidates(&unrelated).is_empty(), "{:?}", unrelated.keys());
        let related = Probe::of(&e, &listing("光伏组件自动清洗机器人", Side::Supply), &[]);
        assert_eq!(index.candidates(&related).len(), 1);
    }

    #[test]
    fn only_the_watched_side_is_probed() {
        let e = engine();
        let mut index = StandingIndex::new();
        index.upsert(&e, &query("光伏组件清洗", Side::Demand));
        let supply = Probe::of(&e, &listing("光伏组件清洗机器人", Side::Supply), &[]);
        assert!(index.candidates(&supply).is_empty());
        let demand = Probe::of(&e, &listing("光伏组件清洗机器人", Side::Demand), &[]);
        assert_eq!(index.candidates(&demand).len(), 1);
    }

    #[test]
    fn industry_only_queries_meet_listings_of_the_industry_or_group() {
        let e = engine();
        let mut index = StandingIndex::new();
        let mut q = query("", Side::Supply);
        q.industries = vec!["six_special".into()];
        index.upsert(&e, &q);
        let mut doc = listing("鲜果分选", Side::Supply);
        doc.industries = vec!["goji".into()];
        assert!(index.candidates(&Probe::of(&e, &doc, &[])).is_empty(), "the group is not known without the caller");
        assert_eq!(index.candidates(&Probe::of(&e, &doc, &["six_special".into()])), vec![q.id]);
    }

    #[test]
    fn hard_filters_and_removal() {
        let e = engine();
        let mut index = StandingIndex::new();
        let mut q = query("光伏组件清洗", Side::Supply);
        q.trl_min = Some(6);
        q.modes = vec!["license".into()];
        q.region = Some("宁夏".into());
        index.upsert(&e, &q);
        let mut doc = listing("光伏组件清洗机器人", Side::Supply);
        assert!(index.candidates(&Probe::of(&e, &doc, &[])).is_empty(), "no TRL");
        doc.trl = Some(7);
        doc.modes = vec!["license".into()];
        doc.region = Some("宁夏银川".into());
        assert_eq!(index.candidates(&Probe::of(&e, &doc, &[])), vec![q.id]);
        doc.trl = Some(5);
        assert!(index.candidates(&Probe::of(&e, &doc, &[])).is_empty(), "TRL below the range");
        doc.trl = Some(7);
        assert!(index.remove(q.id));
        assert!(index.candidates(&Probe::of(&e, &doc, &[])).is_empty());
        assert!(index.is_empty());
    }

    #[test]
    fn many_removals_compact_and_keep_the_live_queries() {
        let e = engine();
        let mut index = StandingIndex::new();
        let keep = query("滩羊肉冷链", Side::Demand);
        index.upsert(&e, &keep);
        for _ in 0..200 {
            let q = query("滩羊肉冷链", Side::Demand);
            index.upsert(&e, &q);
            index.remove(q.id);
        }
        assert_eq!(index.len(), 1);
        assert!(index.entries.len() < 150, "compacted");
        assert_eq!(index.candidates(&Probe::of(&e, &listing("滩羊肉冷链运输", Side::Demand), &[])), vec![keep.id]);
    }

    #[test]
    fn long_bodies_are_cut_into_chunks() {
        let body = "枸杞".repeat(50);
        assert!(chunks(&body).iter().all(|c| c.chars().count() <= CHUNK_CHARS));
        assert_eq!(chunks(&body).concat(), body);
    }
}

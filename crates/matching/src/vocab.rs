//! The engine's dictionaries: index terms and listing keywords interned to dense ids.

use rustc_hash::FxHashMap;

use crate::index::{KeywordId, TermId};

/// Interned index terms and keywords (both directions: string → id and id → string).
///
/// Ids are dense and never reused: a term or keyword stays known after the last document that
/// carried it is removed (its postings go, the entry is a few bytes).
#[derive(Debug, Default)]
pub(crate) struct Vocab {
    /// Index term → id.
    pub(crate) term_ids: FxHashMap<Box<str>, TermId>,
    /// Id → index term.
    pub(crate) term_names: Vec<Box<str>>,
    /// Normalised keyword → id.
    pub(crate) keyword_ids: FxHashMap<Box<str>, KeywordId>,
    /// Id → normalised keyword.
    pub(crate) keyword_names: Vec<Box<str>>,
    /// First two characters of every keyword → the longest such keyword in characters, to
    /// skip hopeless substring probes.
    pub(crate) keyword_prefixes: FxHashMap<(char, char), usize>,
}

impl Vocab {
    /// The id of `t`, added when new.
    pub(crate) fn intern_term(&mut self, t: &str) -> TermId {
        if let Some(&id) = self.term_ids.get(t) {
            return id;
        }
        let id = self.term_names.len() as TermId;
        self.term_names.push(t.into());
        self.term_ids.insert(t.into(), id);
        id
    }

    /// The id of keyword `k` (already normalised), added when new.
    pub(crate) fn intern_keyword(&mut self, k: &str) -> KeywordId {
        if let Some(&id) = self.keyword_ids.get(k) {
            return id;
        }
        let id = self.keyword_names.len() as KeywordId;
        self.keyword_names.push(k.into());
        self.keyword_ids.insert(k.into(), id);
        let n = k.chars().count();
        let mut cs = k.chars();
        if let (Some(a), Some(b)) = (cs.next(), cs.next()) {
            let e = self.keyword_prefixes.entry((a, b)).or_insert(0);
            *e = (*e).max(n);
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut v = Vocab::default();
        assert_eq!(v.intern_term("枸杞"), 0);
        assert_eq!(v.intern_term("枸杞多糖"), 1);
        assert_eq!(v.intern_term("枸杞"), 0);
        assert_eq!(&*v.term_names[1], "枸杞多糖");
        assert_eq!(v.intern_keyword("光伏组件"), 0);
        assert_eq!(v.intern_keyword("光伏"), 1);
        assert_eq!(v.keyword_prefixes.get(&('光', '伏')), Some(&4), "the longest keyword behind the prefix");
        assert_eq!(v.term_ids.get("枸杞多"), None);
    }
}

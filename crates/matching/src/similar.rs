//! How alike two short texts are (the near-duplicate check of imports): the Dice coefficient of
//! their analysed terms — the same normalisation and segmentation as documents, stop words
//! dropped — blended with that of their Chinese character bigrams, so a reworded title (一种 added,
//! 技术 → 工艺) still scores high while titles sharing one common word do not.

use std::collections::HashSet;

use crate::analyzer::{normalize, Analyzer};

/// Weight of the term overlap in the blend (the rest is the bigram overlap).
const TERM_WEIGHT: f32 = 0.5;

/// Dice coefficient of two sets: `2|A∩B| / (|A| + |B|)`, 0 when both are empty.
fn dice<T: Eq + std::hash::Hash>(a: &HashSet<T>, b: &HashSet<T>) -> f32 {
    let total = a.len() + b.len();
    if total == 0 {
        return 0.0;
    }
    2.0 * a.intersection(b).count() as f32 / total as f32
}

/// The analysed terms and character bigrams of `text`.
fn features(analyzer: &Analyzer, text: &str) -> (HashSet<String>, HashSet<String>) {
    let norm = normalize(text);
    let mut toks = Vec::new();
    analyzer.tokens(&norm, &mut toks);
    let terms = toks.into_iter().filter(|t| !analyzer.is_stop(t)).map(str::to_string).collect();
    let mut grams = Vec::new();
    analyzer.bigrams(&norm, &mut grams);
    (terms, grams.into_iter().collect())
}

/// Similarity of `a` and `b` in `0..=1` (1 for texts equal after normalisation).
pub(crate) fn similarity(analyzer: &Analyzer, a: &str, b: &str) -> f32 {
    if normalize(a) == normalize(b) {
        return 1.0;
    }
    let (ta, ga) = features(analyzer, a);
    let (tb, gb) = features(analyzer, b);
    if ga.is_empty() && gb.is_empty() {
        return dice(&ta, &tb);
    }
    TERM_WEIGHT * dice(&ta, &tb) + (1.0 - TERM_WEIGHT) * dice(&ga, &gb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MatchingConfig;

    #[test]
    fn reworded_titles_are_close_and_different_ones_far() {
        let analyzer = Analyzer::new(&MatchingConfig::default());
        let same = similarity(&analyzer, "枸杞多糖提取技术", "枸杞多糖提取技术");
        assert!((same - 1.0).abs() < 1e-6);
        let width = similarity(&analyzer, "ＡＩ 枸杞多糖提取", "ai枸杞多糖提取");
        assert!((width - 1.0).abs() < 1e-6, "{width}");
        let near = similarity(&analyzer, "枸杞多糖高效提取技术", "一种枸杞多糖的高效提取工艺");
        assert!(near > 0.6, "{near}");
        let far = similarity(&analyzer, "枸杞多糖高效提取技术", "光伏组件清洗机器人");
        assert!(far < 0.2, "{far}");
    }
}

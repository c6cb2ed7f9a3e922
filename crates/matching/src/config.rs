//! Every tunable number of the matching engine.
//!
//! [`MatchingConfig::default`] holds the tuned values. They were chosen by running the
//! CSL-derived development set (`eval/`, see `eval::run_eval`, behind the `eval` feature) and keeping a
//! handful of round values that improved the *averages* of both directions; no value was
//! fitted to a single query. `BENCHMARKS.md` ("Matching quality") lists the figures.
//! [`MatchingConfig::plain_bm25`] switches every signal except text relevance off and
//! is the reference the tuned values are compared with.

use serde::{Deserialize, Serialize};

/// Weights and switches of the analyser, the retrieval stage and the score.
///
/// The final score of a candidate is a weighted mean of signal values that each lie in
/// `0..=1`:
///
/// `score = (w_text·text + w_keyword·keyword + w_industry·industry + w_trl·trl
///           + w_money·money + w_modes·modes + w_region·region) / Σ w`
///
/// so it lies in `0..=1` too. A compatibility signal whose data is missing on either side is
/// left out of the sum ([`MatchingConfig::omit_unknown_signals`]; off, it takes
/// [`MatchingConfig::unknown_compat`]), so a listing with unknown TRL is neither rewarded nor
/// ruled out. Signals whose weight is zero are left out of the sum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchingConfig {
    // ---------------------------------------------------------------- analysis
    /// Use jieba's search mode (`cut_for_search`: a long word plus the 2- and 3-character
    /// dictionary words inside it) instead of plain `cut`. Search mode lets 枸杞多糖 match a
    /// text that only says 枸杞 … 多糖.
    pub search_mode_segmentation: bool,
    /// Let jieba's HMM guess words that are not in the dictionary.
    pub hmm: bool,
    /// Drop the stop-word list of `analyzer::STOP_WORDS` from the index and the
    /// query. Off by default: on the development set removing them *lowered* NDCG@10 by
    /// about 0.02 in both directions (BM25's idf already gives them almost no weight, and
    /// max-score pruning skips their long posting lists). The list is always used to keep
    /// them out of the explanation's `matched_terms`.
    pub remove_stop_words: bool,
    /// Drop single-character Chinese tokens (jieba emits them for characters it cannot join).
    pub drop_single_han: bool,
    /// Also index overlapping character bigrams of each run of Chinese characters as a
    /// secondary field (weight [`MatchingConfig::field_weight_bigram`]). Costs about twice
    /// the postings; measured in BENCHMARKS.md.
    pub char_bigrams: bool,
    /// Index title, keywords and body as one field (plain BM25 over the concatenated
    /// text) instead of three BM25F fields.
    pub merge_fields: bool,

    // ---------------------------------------------------------------- BM25F
    /// BM25 term-frequency saturation `k1` (dimensionless).
    pub k1: f32,
    /// Length-normalisation strength `b` of the title field (0 = none, 1 = full).
    pub b_title: f32,
    /// Length-normalisation strength `b` of the keywords field.
    pub b_keywords: f32,
    /// Length-normalisation strength `b` of the body field (summary / description).
    pub b_body: f32,
    /// Length-normalisation strength `b` of the character-bigram field.
    pub b_bigram: f32,
    /// Weight of a term occurrence in the title, relative to the body (BM25F field weight).
    pub field_weight_title: f32,
    /// Weight of a term occurrence in the keywords, relative to the body.
    pub field_weight_keywords: f32,
    /// Weight of a term occurrence in the body.
    pub field_weight_body: f32,
    /// Weight of a character-bigram occurrence (only used with `char_bigrams`).
    pub field_weight_bigram: f32,
    /// Compute BM25 idf over the listings of *both* sides instead of the searched side only.
    /// Term rarity is a property of the platform's language; the demand side alone is often
    /// small (89 documents in the dev set), which makes its idf noisy.
    pub idf_from_both_sides: bool,
    /// Query-side weight of a term that occurs in the query's title (body terms weigh 1).
    pub query_title_boost: f32,
    /// Query-side weight of a term that occurs in the query's keywords.
    pub query_keyword_boost: f32,

    /// Query-side weight factor of a term that is itself some indexed listing's keyword
    /// (a concept publishers use to describe technology, e.g. 枸杞多糖, 斜拉桥).
    pub query_known_keyword_boost: f32,

    // ---------------------------------------------------------------- retrieval
    /// How many text candidates the index hands to the re-ranker (at least
    /// `offset + limit`). `MatchPage::total` is bounded by this depth plus the keyword
    /// candidates.
    pub retrieval_depth: usize,
    /// Terms found in more than `max(update_only_df_ratio · N, update_only_df_min)` documents
    /// only update candidates found through rarer terms (see
    /// `index::SideIndex::retrieve`); this bounds the postings read per query.
    pub update_only_df_ratio: f32,
    /// Accumulator limit ("continue" strategy): once this many documents have been found,
    /// further terms only update them. At least `retrieval_depth`.
    pub max_accumulators: usize,
    /// At most this many documents (the best partial text scores) are completed with the
    /// terms of the update phase (see `index::SideIndex::retrieve`).
    pub max_rescore: usize,
    /// At most this many documents that only carry a query keyword (and are not among the
    /// text candidates) join the candidates, by keyword rarity.
    pub keyword_candidates: usize,
    /// Lower bound of the update-only threshold, so small corpora are searched exactly.
    pub update_only_df_min: usize,
    /// Compact the postings when this share of document slots is tombstoned.
    pub compaction_ratio: f32,

    // ---------------------------------------------------------------- signal shaping
    /// Text relevance is `bm25 / max(best bm25 among candidates, text_floor · ideal)` where
    /// `ideal` is the query's own upper bound. The floor keeps a weak best match from being
    /// blown up to 1.0.
    pub text_floor: f32,
    /// Keyword agreement is `s / (s + keyword_half)` where `s` sums the rarity
    /// `ln(1 + N/df)` of the agreeing keywords; one keyword of rarity `keyword_half` gives 0.5.
    pub keyword_half: f32,
    /// Minimum length in characters of a keyword for it to count as agreeing (shorter ones
    /// are too ambiguous as substrings).
    pub keyword_min_chars: usize,
    /// Industry signal when the two listings share an industry code.
    pub industry_same: f32,
    /// Industry signal when they only share a group.
    pub industry_same_group: f32,
    /// Factor applied to an industry that was only inferred from an alias in the text (not
    /// tagged by the publisher).
    pub alias_industry_credit: f32,
    /// Industry feedback: when the query names no industry (only a group, or nothing), the
    /// industries of its `industry_feedback_depth` best text matches vote for the industry
    /// it is probably about (votes weighted by BM25F; restricted to the query's groups when
    /// it has some). A document of the winning industry gets 1, others their vote share
    /// relative to the winner. 0 switches the vote off.
    pub industry_feedback_depth: usize,
    /// Value of a compatibility signal whose data is missing on either side.
    pub unknown_compat: f32,
    /// TRL: each level the offer falls short of the wanted level removes this much.
    pub trl_shortfall_penalty: f32,
    /// Money: value when the price exceeds the budget by 100 % (linear between 1.0 at
    /// price = budget and this figure; floored at 0).
    pub money_over_budget_at_double: f32,

    // ---------------------------------------------------------------- weights
    /// Weight of text relevance (BM25F).
    pub w_text: f32,
    /// Weight of exact keyword agreement.
    pub w_keyword: f32,
    /// Weight of industry agreement.
    pub w_industry: f32,
    /// Weight of the industry-feedback signal (see `industry_feedback_depth`).
    pub w_industry_feedback: f32,
    /// Weight of TRL compatibility.
    pub w_trl: f32,
    /// Weight of budget/price compatibility.
    pub w_money: f32,
    /// Weight of cooperation-mode overlap.
    pub w_modes: f32,
    /// Weight of region agreement (only when the query names a region).
    pub w_region: f32,
    /// Weight of the outcome history ([`crate::Query::history`]; only for documents with one).
    pub w_history: f32,

    // ---------------------------------------------------------------- evidence and confidence
    /// Return only candidates with topical evidence: a shared meaningful term (a word, not a
    /// stop word, of at least 2 characters, carried by at most
    /// [`MatchingConfig::evidence_max_df_ratio`] of the target side), an agreeing keyword, or a
    /// taxonomy alias present in both texts. Industry agreement then re-orders these but never
    /// makes a match alone.
    pub require_evidence: bool,
    /// Leave a compatibility signal (TRL, money, modes, region) out of the score and the
    /// explanation when either side lacks its data, instead of counting it at
    /// [`MatchingConfig::unknown_compat`].
    pub omit_unknown_signals: bool,

    // ---------------------------------------------------------------- pseudo-relevance feedback
    /// Nearest documents of the other side whose industries vote for a listing tagged with a
    /// group only (0: off; see `MatchEngine::infer_neighbour_industries`).
    pub neighbour_depth: usize,
    /// Credit of an industry voted by the neighbours, times its vote share (an alias-inferred
    /// industry gets `alias_industry_credit`, a tagged one 1).
    pub neighbour_industry_credit: f32,
    /// Best text matches whose keywords feed a second retrieval (0: off).
    pub prf_docs: usize,
    /// Most feedback terms added.
    pub prf_terms: usize,
    /// Query-side weight of a feedback term carried by every feedback document.
    pub prf_weight: f32,
    /// Share of the target side's documents above which a shared term is too common to count
    /// as evidence.
    pub evidence_max_df_ratio: f32,
    /// Score from which a match is `strong` (calibrated on the development set, see
    /// BENCHMARKS.md "Confidence").
    pub strong_score: f32,
    /// Score from which a match is `possible`; below it, `weak`.
    pub possible_score: f32,
}

impl Default for MatchingConfig {
    fn default() -> Self {
        Self {
            search_mode_segmentation: true,
            hmm: true,
            remove_stop_words: false,
            drop_single_han: false,
            char_bigrams: false,
            merge_fields: false,
            k1: 1.2,
            b_title: 0.5,
            b_keywords: 0.3,
            b_body: 0.75,
            b_bigram: 0.75,
            field_weight_title: 2.0,
            field_weight_keywords: 2.0,
            field_weight_body: 1.0,
            field_weight_bigram: 0.3,
            idf_from_both_sides: false,
            query_title_boost: 1.5,
            query_keyword_boost: 1.5,
            query_known_keyword_boost: 1.0,
            retrieval_depth: 100,
            update_only_df_ratio: 0.01,
            update_only_df_min: 500,
            max_accumulators: 2000,
            keyword_candidates: 50,
            max_rescore: 400,
            compaction_ratio: 0.25,
            text_floor: 0.05,
            keyword_half: 4.0,
            keyword_min_chars: 2,
            industry_same: 1.0,
            industry_same_group: 0.5,
            alias_industry_credit: 0.5,
            industry_feedback_depth: 10,
            unknown_compat: 0.5,
            trl_shortfall_penalty: 0.25,
            money_over_budget_at_double: 0.0,
            w_text: 1.0,
            w_keyword: 1.0,
            w_industry: 0.4,
            w_industry_feedback: 0.3,
            w_trl: 0.05,
            w_money: 0.05,
            w_modes: 0.05,
            w_region: 0.05,
            w_history: 0.1,
            require_evidence: true,
            omit_unknown_signals: true,
            neighbour_depth: 0,
            neighbour_industry_credit: 0.5,
            prf_docs: 0,
            prf_terms: 10,
            prf_weight: 0.3,
            evidence_max_df_ratio: 0.25,
            strong_score: 0.55,
            possible_score: 0.30,
        }
    }
}

impl MatchingConfig {
    /// Plain BM25 over title + keywords + body: the same analyser, field weights 1, `b` =
    /// 0.75, no query boosts, and every signal but text relevance switched off.
    pub fn plain_bm25() -> Self {
        Self {
            b_title: 0.75,
            b_keywords: 0.75,
            b_body: 0.75,
            field_weight_title: 1.0,
            field_weight_keywords: 1.0,
            field_weight_body: 1.0,
            query_title_boost: 1.0,
            query_keyword_boost: 1.0,
            query_known_keyword_boost: 1.0,
            char_bigrams: false,
            merge_fields: true,
            w_keyword: 0.0,
            w_industry: 0.0,
            w_industry_feedback: 0.0,
            w_trl: 0.0,
            w_money: 0.0,
            w_modes: 0.0,
            w_region: 0.0,
            w_history: 0.0,
            require_evidence: false,
            prf_docs: 0,
            neighbour_depth: 0,
            ..Self::default()
        }
    }
}

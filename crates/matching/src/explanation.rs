//! Why a document matched: the evidence a broker can check or challenge.
//!
//! With the `openapi` feature these types are schemas of the API, and their doc comments are
//! the schema descriptions of the committed `openapi/openapi.json`: change both together.

use serde::Serialize;

/// Where a matched keyword was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeywordSource {
    /// One of the document's keywords occurs verbatim in the query text.
    DocumentKeyword,
    /// One of the query's keywords occurs verbatim in the document's title or body.
    QueryKeyword,
}

/// One agreeing keyword.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeywordHit {
    /// The keyword, normalised (NFKC, lower case).
    pub keyword: String,
    /// Which side's keyword it is.
    pub source: KeywordSource,
    /// Rarity `ln(1 + N/df)` on the target side (higher = rarer = stronger evidence).
    pub rarity: f32,
}

/// A taxonomy alias (or industry name) found in a text, and the industry it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AliasHit {
    /// The alias, normalised.
    pub alias: String,
    /// Industry code it maps to.
    pub industry: String,
    /// True when found in the query text, false when found in the document text.
    pub in_query: bool,
}

/// One query term and what it added to the text relevance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TermHit {
    /// Index term (normalised; character bigrams are shown without their marker).
    pub term: String,
    /// BM25F points this term contributed.
    pub bm25: f32,
}

/// One signal's part in the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignalShare {
    /// `text`, `keyword`, `industry`, `industry_feedback`, `trl`, `money`, `modes`,
    /// `region` or `history`.
    pub name: String,
    /// The underlying figure: `text` = BM25F points; `keyword` = summed rarity of the
    /// agreeing keywords; `industry` = the agreement before weighting (1 same industry, 0.5
    /// same group by default); `industry_feedback` = the vote share of the document's
    /// industry among the query's best text matches; `trl` = offered − wanted levels; `money` = price / budget;
    /// `modes` = number of shared modes; `region` = 1 same, 0 different; `history` = the
    /// owner's outcome history with similar listings, −1..1. For a
    /// compatibility signal with missing data, `NaN` is serialised as `null`.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub raw: f32,
    /// Signal value in `0..=1` (what is weighted).
    pub value: f32,
    /// Weight from [`super::MatchingConfig`].
    pub weight: f32,
    /// `weight · value / Σ weights`: the points this signal adds to the score.
    pub contribution: f32,
    /// `contribution / score` (the shares sum to 1 when the score is positive).
    pub share: f32,
}

/// The explanation attached to every [`super::Match`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    /// The topical evidence both texts share, strongest first: agreeing keywords, meaningful
    /// shared words (not stop words, not carried by most listings), aliases of a shared
    /// industry found in both texts. Never empty in a returned match (unless the engine's
    /// `require_evidence` is off).
    pub evidence: Vec<String>,
    /// Agreeing keywords, strongest first (the strings of `keyword_hits`).
    pub matched_keywords: Vec<String>,
    /// Agreeing keywords with their direction and rarity.
    pub keyword_hits: Vec<KeywordHit>,
    /// Query terms found in the document, by BM25F contribution, at most 10 (stop words
    /// left out).
    pub matched_terms: Vec<TermHit>,
    /// Aliases that supplied an industry used by the industry agreement.
    pub matched_aliases: Vec<AliasHit>,
    /// Industry codes named by both sides.
    pub matched_industries: Vec<String>,
    /// Group codes both sides fall in (through an industry or a group tag).
    pub matched_groups: Vec<String>,
    /// The document's industry codes that share only a group with the query.
    pub same_group_industries: Vec<String>,
    /// Every signal with positive weight, in a fixed order.
    pub signals: Vec<SignalShare>,
}

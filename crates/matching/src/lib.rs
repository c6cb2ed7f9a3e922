//! Matching engine: ranks technology supplies (科技成果) for a demand (技术需求) and demands
//! for a supply.
//!
//! Pure Rust, in memory, no I/O. The quality harness over the development set (`eval`, which
//! reads and writes files) is behind the cargo feature `eval`; `utoipa::ToSchema` on [`Side`]
//! and the explanation types is behind the feature `openapi`.
//!
//! # How a match is found
//! 1. **Analysis** (`analyzer`; `ingest` for documents, `query` for queries): NFKC +
//!    lower-case + zero-width removal, jieba-rs segmentation (search mode) with the dictionary
//!    extended by the taxonomy's names and aliases and by every indexed listing's keywords, stop
//!    words removed.
//! 2. **Retrieval** (`index`, driven by `retrieval`): one inverted index per [`Side`] (term →
//!    postings sorted by document slot, with per-field term frequencies). BM25F over title,
//!    keywords and body is accumulated term at a time into a dense per-thread accumulator,
//!    rarest terms first. Terms carried by more than 1 % of the documents
//!    ([`MatchingConfig::update_only_df_ratio`]) and every term after the first 2,000 documents
//!    found ([`MatchingConfig::max_accumulators`]) only update documents already found; once the
//!    remaining terms cannot lift a document into the top [`MatchingConfig::retrieval_depth`],
//!    it is dropped (max-score pruning), and the long lists are galloped through for the few
//!    survivors. Documents whose keywords occur verbatim in the query text join the candidates
//!    through a keyword index ([`MatchingConfig::keyword_candidates`]).
//! 3. **Scoring** (`score`: each signal and their combination; `scorer`: one candidate's
//!    signals): each candidate gets signals in `0..=1` — text relevance, keyword agreement,
//!    industry agreement, TRL, money, cooperation modes, region — combined as a weighted mean
//!    ([`MatchingConfig`]), so the score lies in `0..=1`.
//! 4. **Explanation** (`scorer`, beside the scoring; the types in `explanation`): matched
//!    keywords, aliases, industries, the best text terms and every signal's contribution and
//!    share of the score.
//!
//! # Updates
//! [`MatchEngine::upsert`] appends a new slot (the old one, if any, is tombstoned);
//! [`MatchEngine::remove`] tombstones. When [`MatchingConfig::compaction_ratio`] of the slots
//! are dead the side's postings are rewritten once (amortised O(1) per write).
//! [`MatchEngine::upsert_many`] is the fast path for loading: a batch is analysed on every core
//! while one thread inserts the analysed documents in order (`ingest`).
//!
//! # Modules
//! The public API is re-exported here; every other module is private. Shared types live in
//! their own files (`document`, `config`, `explanation`), so no module imports this file, and
//! the modules form layers, each importing only from the layers before it: `document`,
//! `config`, `explanation` · `analyzer` · `similar` (how alike two titles are) · `fields`, `industry` · `index` · `vocab` · `ingest`,
//! `config`, `explanation` · `analyzer` · `fields`, `industry` · `index` · `vocab` · `ingest`,
//! `query` · `score` · `retrieval`, `find` (text search of the list endpoints, completions) · `scorer` ·
//! `engine` · `eval`.

mod analyzer;
mod config;
mod document;
mod engine;
#[cfg(feature = "eval")]
pub mod eval;
mod explanation;
mod fields;
mod find;
mod index;
mod industry;
mod ingest;
mod query;
mod retrieval;
mod score;
mod scorer;
mod similar;
pub mod standing;
mod vocab;

pub use config::MatchingConfig;
pub use document::{Confidence, Document, Filters, IndustryDef, Query, Side, MODES};
pub use engine::{Match, MatchEngine, MatchPage};
pub use explanation::{AliasHit, Explanation, KeywordHit, KeywordSource, SignalShare, TermHit};
pub use find::{EmptyText, Suggestion, SuggestionKind, TextHit, TextQuery};

//! Subscriptions (订阅, saved searches) and the new-match notifications they and each
//! organisation's own open listings cause (issue "Tell people", items 1 and 2).
//!
//! `handlers` serves `/api/v1/subscriptions` and the per-listing opt-out; `repo` stores them;
//! `producer` is the `new_matches` job's work: every listing that came on the market
//! (`listing_market_entries`, queued by a trigger in the listing's own transaction) is matched
//! through the engine against the subscriptions that share a term or industry with it (the
//! standing index, `matching::standing`) and against the other side's open listings, and one
//! `new_match` notification per subscription (or watching listing) is queued.

pub mod handlers;
pub mod model;
pub mod producer;
pub mod repo;

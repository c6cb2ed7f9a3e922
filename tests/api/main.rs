//! The integration tests: the real server on a random port and its own fresh PostgreSQL
//! database per test, spoken to over HTTP. One test binary (one link, one build of the
//! harness); each area is a module, so `cargo test --test api openapi::` or
//! `scripts/test.sh matching::` runs one of them.
//!
//! Needs `DATABASE_URL` (`scripts/test.sh` starts a throwaway cluster and sets it).

// Panicking on an unexpected value is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod audit;
mod auth;
mod challenges;
mod commissions;
mod connection_notifications;
mod connections;
mod consumers;
mod contracts;
mod delivery;
mod errors;
mod events;
mod evidence;
mod exchange;
mod lifecycle;
mod listings;
mod matching;
mod members;
mod messages;
mod notify_bench;
mod openapi;
mod operations;
mod outcomes;
mod payments;
mod proxy;
mod quotas;
mod regions;
mod report;
mod resilience;
mod schema;
mod search;
mod subscriptions;
mod trust_auth;
mod trust_input;
mod trust_ops;
mod verification;

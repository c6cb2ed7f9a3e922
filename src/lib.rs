//! techmatch: a REST API for a regional science and technology achievement supply–demand
//! matching platform (科技成果供需对接平台).
//!
//! Universities and institutes publish technology achievements ([`supplies`]), enterprises post
//! technology needs ([`demands`]); the [`matching`] engine (its own crate, `crates/matching`)
//! ranks one side for the other on keywords, text and the region's priority [`industries`].
//! [`app::Application`] builds the server; `main.rs` is a thin CLI over it.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod challenges;
pub mod client_addr;
pub mod clock;
pub mod commissions;
pub mod config;
pub mod connections;
pub mod contracts;
pub mod cors;
pub mod csv_export;
pub mod db;
pub mod delivery;
pub mod demands;
pub mod docs;
pub mod error;
pub mod error_code;
pub mod etag;
pub mod exchange;
pub mod extract;
pub mod fairs;
pub mod field_error;
pub mod found;
pub mod health;
pub mod import;
pub mod industries;
pub mod jobs;
pub mod lang;
pub mod listing;
pub mod mailsink;
pub mod matches;
pub mod members;
pub mod metrics;
pub mod middleware;
pub mod notifications;
pub mod organizations;
pub mod pagination;
pub mod payments;
pub mod quota;
pub mod regions;
pub mod reviews;
pub mod routes;
pub mod search;
pub mod spec;
pub mod state;
pub mod stats;
pub mod subscriptions;
pub mod supplies;
pub mod telemetry;
pub mod text_rules;
pub mod validation;
pub mod vocab;
pub mod vocabularies;

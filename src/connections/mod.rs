//! Connections (对接): the tracked path from a match to a signed contract, with an append-only
//! outcome log, CSV export, and the rules of who may see and move them.

pub mod demo;
pub mod export;
pub mod handlers;
pub mod idempotency;
pub mod input;
pub mod model;
pub mod move_schema;
pub mod notify;
pub mod repo;
pub mod service;

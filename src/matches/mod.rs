//! Matches (匹配) over HTTP: the engine's index kept in step with PostgreSQL, and the
//! `/demands/{id}/matches` and `/supplies/{id}/matches` endpoints.

pub mod documents;
pub mod handlers;
pub mod service;

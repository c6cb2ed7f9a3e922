//! Matches (匹配) over HTTP: the engine's index kept in step with PostgreSQL, and the
//! `/demands/{id}/matches` and `/supplies/{id}/matches` endpoints, and what a person reads beside a
//! match (`reading`: one Chinese sentence, the industries' Chinese names).

pub mod documents;
pub mod handlers;
pub mod reading;
pub mod service;

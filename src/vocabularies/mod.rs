//! `GET /api/v1/vocabularies`: every controlled vocabulary ([`crate::vocab`]) with its values and
//! their Chinese and English labels, for frontends to show instead of hard-coding them; the same
//! labels go into the OpenAPI document ([`model::label_schemas`]).

pub mod handlers;
pub mod model;

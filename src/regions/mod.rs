//! Regions: the GB/T 2260 administrative division codes of `data/regions.json` (every province,
//! Ningxia's cities and counties), names and aliases resolved to codes ([`vocabulary`]), and
//! `GET /api/v1/regions` ([`handlers`]).

pub mod handlers;
pub mod vocabulary;

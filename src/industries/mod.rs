//! Industries (产业): the taxonomy and `GET /api/v1/industries`.

pub mod handlers;
pub mod taxonomy;

//! Demands (技术需求): enterprises' technology needs.

pub mod handlers;
pub mod input;
pub mod model;
pub mod repo;

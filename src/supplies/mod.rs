//! Supplies (科技成果): technology achievements offered for transfer.

pub mod handlers;
pub mod input;
pub mod model;
pub mod repo;

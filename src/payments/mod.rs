//! Payments (到账) of a contract: instalments planned and received, entered by the seller side
//! and confirmed by the buyer side; the received total counts confirmed receipts only.

pub mod handlers;
pub mod input;
pub mod model;
pub mod repo;
pub mod service;

//! Broker and agency commissions: the admins' policies (a rate on 技术交易额 or on receipts,
//! caps per agency and per broker per year, effective dates) and an agency's statement for a
//! period, computed from the contracts and receipts its brokers facilitated, with the evidence.
//! The facilitators of a contract are its connection's broker and the broker's organisation
//! (the agency).

pub mod export;
pub mod handlers;
pub mod input;
pub mod model;
pub mod repo;
pub mod service;
pub mod statement;

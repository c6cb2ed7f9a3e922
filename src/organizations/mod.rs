//! Organisations (企业、高校、科研院所、技术转移机构、政府部门) that own listings.

pub mod batch;
pub mod credit_code;
pub mod handlers;
pub mod model;
pub mod repo;
pub mod search;
pub mod service;
pub mod summary;

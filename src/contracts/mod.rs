//! Technology contracts (技术合同): one per connection, proposed by one side and confirmed (or
//! disputed) by the other; the department reviews large ones and those of unverified parties
//! before they count; registration with the registry (技术合同认定登记) and the contract's life
//! after signing.

pub mod demo;
pub mod handlers;
pub mod input;
pub mod model;
pub mod notify;
pub mod repo;
pub mod service;

//! User accounts and sessions: registration, login, refresh-token rotation, logout, `me`,
//! password change, e-mail verification, and the demo users of the run command.

pub mod demo;
pub mod handlers;
pub mod model;
pub mod repo;
pub mod reset;
pub mod service;
pub mod summary;
pub mod verification;

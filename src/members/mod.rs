//! An organisation's members (issue 12, item 6): an owner invites colleagues (a token with an
//! expiry, stored as its digest, accepted by registering a new account with it), lists the
//! members, changes their organisation role (`owner` / `member`) and deactivates them; a member
//! may leave (deactivate themselves). An organisation always keeps an active owner. Every
//! change is audited in its own transaction. The rules are in `docs/SECURITY.md`.

pub mod handlers;
pub mod model;
pub mod repo;
pub mod service;

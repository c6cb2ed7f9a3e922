//! The audit log (issue 12, item 5): an append-only record of who did what to which record and
//! when, with the changed fields before and after. The database refuses UPDATE, DELETE and
//! TRUNCATE of `audit_log` (migration 000016).
//!
//! A service records an action with one call, inside the transaction of the action itself, so
//! that a failed action leaves no entry and no entry exists without its action:
//!
//! ```ignore
//! conn.transaction(|conn| {
//!     let listing = ...; // the action
//!     audit::record(conn, &Entry::by(caller, AuditAction::ListingRenewed, AuditRecordType::Supply,
//!         listing.id, listing.organization_id).with_changes(audit::changes(&before, &listing)))?;
//!     Ok(listing)
//! })
//! ```
//!
//! Who may read which entries is in [`repo::Scope`] and `docs/SECURITY.md`.

pub mod handlers;
pub mod model;
pub mod repo;

pub use model::{changes, created, Entry};
pub use repo::{record, record_all};

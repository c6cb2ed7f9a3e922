//! Notifications (the "Tell people" issue builds delivery): for now the outbox that causes write
//! to ([`outbox`]). ARCHITECTURE.md, "A notification kind", says how a new kind is added.

pub mod outbox;
pub mod text;

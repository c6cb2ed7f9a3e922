//! Notifications: the outbox that causes write to ([`outbox`]), the texts ([`text`]) and their
//! delivery (issue 13): the fan-out of outbox rows to inboxes, e-mail and webhooks ([`fanout`]),
//! the inbox ([`inbox`]), preferences ([`preferences`]), e-mail over SMTP with digests
//! ([`email`]) and signed webhooks ([`webhooks`], described in the OpenAPI document by
//! [`webhook_doc`]). ARCHITECTURE.md, "A notification kind", says
//! how a new kind is added; `crate::delivery` runs the passes.

pub mod email;
pub mod fanout;
pub mod handlers;
pub mod inbox;
pub mod outbox;
pub mod preferences;
pub mod service;
pub mod text;
pub mod webhook_doc;
pub mod webhooks;

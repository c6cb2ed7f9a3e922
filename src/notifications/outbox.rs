//! The notification outbox: a row per message to deliver, written by the service that causes it
//! in the same transaction as its cause, so a message is queued if and only if its cause
//! committed. Delivery jobs (the notifications issue) read undelivered rows and set
//! `delivered_at`; no service calls a channel. `dedupe_key` is unique: queuing the same message
//! twice (two instances, two ticks, a retry) queues it once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::notification_outbox;
use crate::error::ApiError;
use crate::vocab::NotificationKind;

/// A notification to queue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notification_outbox)]
pub struct NewNotification {
    pub kind: NotificationKind,
    /// The organisation whose members are told (its listings' owner).
    pub recipient_organization_id: Option<Uuid>,
    /// The one user told, when it is about a person rather than an organisation.
    pub recipient_user_id: Option<Uuid>,
    /// What the message is about: `supply`, `demand`, `connection`…
    pub subject_kind: String,
    pub subject_id: Uuid,
    /// Everything a message needs (titles, dates, links), so delivery reads no other table.
    pub payload: serde_json::Value,
    /// Unique: the same key is queued once.
    pub dedupe_key: String,
    pub created_at: DateTime<Utc>,
}

/// Queues `notification` unless one with its `dedupe_key` is queued already; true when queued.
pub fn queue(conn: &mut PgConnection, notification: &NewNotification) -> Result<bool, ApiError> {
    let inserted = diesel::insert_into(notification_outbox::table)
        .values(notification)
        .on_conflict(notification_outbox::dedupe_key)
        .do_nothing()
        .execute(conn)?;
    Ok(inserted == 1)
}

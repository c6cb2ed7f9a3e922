//! The in-app inbox: the notifications the fan-out wrote for a user, rendered in the reader's
//! language when read, marked read one by one or all at once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::text::render;
use crate::db::schema::notifications;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::pagination::PageRequest;
use crate::vocab::NotificationKind;

/// A notification in the inbox, in the reader's language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    /// Identity in the inbox (mark it read with `POST /notifications/{id}/read`).
    #[schema(example = 42)]
    pub id: i64,
    /// The outbox row it came from: the same id in the e-mail's Message-ID and in webhook payloads
    /// (`notification_id`).
    pub notification_id: i64,
    pub kind: NotificationKind,
    /// What it is about: `supply`, `demand`, `connection`, `webhook`…
    pub subject_kind: String,
    pub subject_id: Uuid,
    /// One line, e.g. 审核结果：枸杞采收装备.
    pub title: String,
    /// The message.
    pub body: String,
    /// The API path of what it is about, when there is one.
    pub link: Option<String>,
    /// When its cause happened.
    pub created_at: DateTime<Utc>,
    /// When the reader marked it read; absent while unread.
    pub read_at: Option<DateTime<Utc>>,
}

/// Unread notifications of the caller.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnreadCount {
    #[schema(example = 3)]
    pub unread: i64,
}

/// How many notifications a "mark all read" marked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Marked {
    #[schema(example = 3)]
    pub marked: i64,
}

type Row = (i64, i64, String, String, Uuid, serde_json::Value, DateTime<Utc>, Option<DateTime<Utc>>);

fn view(row: Row, lang: Lang) -> Result<NotificationView, ApiError> {
    let (id, outbox_id, kind, subject_kind, subject_id, payload, created_at, read_at) = row;
    let kind = NotificationKind::parse(&kind)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown notification kind {kind}")))?;
    let message = render(kind, &payload, lang);
    Ok(NotificationView {
        id,
        notification_id: outbox_id,
        kind,
        subject_kind,
        subject_id,
        title: message.title,
        body: message.body,
        link: message.link,
        created_at,
        read_at,
    })
}

const COLUMNS: (
    notifications::id,
    notifications::outbox_id,
    notifications::kind,
    notifications::subject_kind,
    notifications::subject_id,
    notifications::payload,
    notifications::created_at,
    notifications::read_at,
) = (
    notifications::id,
    notifications::outbox_id,
    notifications::kind,
    notifications::subject_kind,
    notifications::subject_id,
    notifications::payload,
    notifications::created_at,
    notifications::read_at,
);

/// A page of `user_id`'s notifications, newest first, with the total; only unread ones with
/// `unread_only`, only `kinds` when given.
pub fn list(
    conn: &mut PgConnection,
    user_id: Uuid,
    unread_only: bool,
    kinds: &[NotificationKind],
    page: PageRequest,
    lang: Lang,
) -> Result<(Vec<NotificationView>, i64), ApiError> {
    let filtered = || {
        let mut query = notifications::table.filter(notifications::user_id.eq(user_id)).into_boxed();
        if unread_only {
            query = query.filter(notifications::read_at.is_null());
        }
        if !kinds.is_empty() {
            query = query.filter(notifications::kind.eq_any(kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>()));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows: Vec<Row> = filtered()
        .select(COLUMNS)
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .offset(page.offset())
        .limit(page.limit())
        .load(conn)?;
    let items = rows.into_iter().map(|r| view(r, lang)).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// How many of `user_id`'s notifications are unread.
pub fn unread(conn: &mut PgConnection, user_id: Uuid) -> Result<UnreadCount, ApiError> {
    let unread = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(UnreadCount { unread })
}

/// Marks one of `user_id`'s notifications read at `now` (a read one keeps its first time); 404
/// for another user's or none.
pub fn mark_read(
    conn: &mut PgConnection,
    user_id: Uuid,
    id: i64,
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<NotificationView, ApiError> {
    diesel::update(notifications::table)
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .set(notifications::read_at.eq(now))
        .execute(conn)?;
    let row: Option<Row> = notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user_id))
        .select(COLUMNS)
        .first(conn)
        .optional()?;
    view(row.ok_or_else(|| ApiError::NotFound(format!("notification {id}")))?, lang)
}

/// Marks every unread notification of `user_id` read at `now`.
pub fn mark_all_read(conn: &mut PgConnection, user_id: Uuid, now: DateTime<Utc>) -> Result<Marked, ApiError> {
    let marked = diesel::update(notifications::table)
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .set(notifications::read_at.eq(now))
        .execute(conn)?;
    Ok(Marked { marked: i64::try_from(marked).unwrap_or(i64::MAX) })
}

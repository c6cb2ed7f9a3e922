//! The fan-out: each undelivered outbox row becomes, in one transaction, an inbox row per
//! recipient (the user named, or every active member of the organisation named), an e-mail queued
//! for each recipient whose preference for the kind is `instant` (a digest mark for `daily` and
//! `weekly`; a saved search's own frequency, carried in its `new_match` payload, replaces the
//! preference unless that is `off`: [`email_frequency`]), and a webhook delivery for each enabled endpoint of the organisation — and the row
//! is marked `delivered_at`.
//!
//! Rows are claimed with `SELECT … FOR UPDATE SKIP LOCKED`: instances running the fan-out at the
//! same moment take disjoint rows, and a row is marked in the transaction that wrote its inbox
//! rows, so it is fanned out exactly once (the inserts also carry unique keys: `(outbox_id,
//! user_id)`, `email_outbox.message_id`, `(endpoint_id, outbox_id)`). A process that dies in the
//! middle leaves its transaction uncommitted: the rows are claimed again by the next pass.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use uuid::Uuid;

use super::preferences;
use super::text::render;
use super::webhooks::{WebhookPayload, WebhookSubject, WebhookText, WebhookTexts};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::vocab::{EmailFrequency, NotificationKind};

/// An outbox row claimed for fan-out.
#[derive(Debug, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub kind: NotificationKind,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub recipient_organization_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub recipient_user_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub subject_kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub subject_id: Uuid,
    #[diesel(sql_type = Jsonb)]
    pub payload: Value,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, QueryableByName)]
struct Recipient {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    organization_id: Uuid,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Nullable<Text>)]
    locale: Option<String>,
}

#[derive(Debug, QueryableByName)]
#[allow(dead_code)] // only whether a row came back is read
struct Inserted {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(Debug, QueryableByName)]
struct Endpoint {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// What one fan-out pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FannedOut {
    /// Outbox rows marked delivered.
    pub outbox_rows: usize,
    /// Inbox rows written.
    pub inbox_rows: usize,
    /// E-mails queued (instant).
    pub emails: usize,
    /// Webhook deliveries queued.
    pub webhooks: usize,
}

/// The Message-ID of the instant mail of outbox row `outbox_id` to `user_id` (the idempotency id
/// a mail reader dedupes on).
pub fn message_id(outbox_id: i64, user_id: Uuid) -> String {
    format!("<notification-{outbox_id}-{}@techmatch>", user_id.simple())
}

/// Claims up to `batch` undelivered outbox rows (oldest first, skipping rows another instance
/// holds) and fans them out at `now`, in one transaction. `public_url` prefixes the links of mails.
pub fn fan_out(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    batch: i64,
    public_url: &str,
) -> Result<FannedOut, ApiError> {
    conn.transaction(|conn| {
        let claimed: Vec<Claimed> = diesel::sql_query(
            "SELECT id, kind, recipient_organization_id, recipient_user_id, subject_kind, subject_id, payload, created_at \
             FROM notification_outbox WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT $1 \
             FOR UPDATE SKIP LOCKED",
        )
        .bind::<BigInt, _>(batch)
        .load(conn)?;
        let mut done = FannedOut::default();
        for row in &claimed {
            let one = fan_out_one(conn, row, now, public_url)?;
            done.inbox_rows += one.inbox_rows;
            done.emails += one.emails;
            done.webhooks += one.webhooks;
        }
        let ids: Vec<i64> = claimed.iter().map(|r| r.id).collect();
        done.outbox_rows = diesel::sql_query("UPDATE notification_outbox SET delivered_at = $1 WHERE id = ANY($2)")
            .bind::<Timestamptz, _>(now)
            .bind::<Array<BigInt>, _>(&ids)
            .execute(conn)?;
        Ok(done)
    })
}

/// How a notification is mailed: the user's preference for its kind, except that a match of a
/// saved search follows the frequency chosen for that search (`frequency` in the payload:
/// `instant`, `daily` or `weekly`), unless the user turned the kind's mail `off`.
pub fn email_frequency(preference: EmailFrequency, payload: &Value) -> EmailFrequency {
    // A subscription's frequency is instant, daily or weekly; `off` is the user's alone.
    let chosen = payload
        .get("frequency")
        .and_then(Value::as_str)
        .and_then(EmailFrequency::parse)
        .filter(|f| *f != EmailFrequency::Off);
    match (preference, chosen) {
        (EmailFrequency::Off, _) | (_, None) => preference,
        (_, Some(chosen)) => chosen,
    }
}

fn fan_out_one(
    conn: &mut PgConnection,
    row: &Claimed,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<FannedOut, ApiError> {
    let recipients: Vec<Recipient> = diesel::sql_query(
        "SELECT u.id, u.organization_id, u.email, s.locale FROM users u \
         LEFT JOIN notification_settings s ON s.user_id = u.id \
         WHERE u.deactivated_at IS NULL AND (u.id = $1 OR ($1 IS NULL AND u.organization_id = $2)) ORDER BY u.created_at",
    )
    .bind::<Nullable<SqlUuid>, _>(row.recipient_user_id)
    .bind::<Nullable<SqlUuid>, _>(row.recipient_organization_id)
    .load(conn)?;
    let mut done = FannedOut::default();
    for user in &recipients {
        let preference = preferences::email_frequency(conn, user.id, row.kind)?;
        let frequency = email_frequency(preference, &row.payload);
        let digest = match frequency {
            EmailFrequency::Daily => Some("daily"),
            EmailFrequency::Weekly => Some("weekly"),
            EmailFrequency::Off | EmailFrequency::Instant => None,
        };
        let inserted: Option<Inserted> = diesel::sql_query(
            "INSERT INTO notifications (outbox_id, user_id, kind, subject_kind, subject_id, payload, created_at, digest) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (outbox_id, user_id) DO NOTHING RETURNING id",
        )
        .bind::<BigInt, _>(row.id)
        .bind::<SqlUuid, _>(user.id)
        .bind::<Text, _>(row.kind.as_str())
        .bind::<Text, _>(&row.subject_kind)
        .bind::<SqlUuid, _>(row.subject_id)
        .bind::<Jsonb, _>(&row.payload)
        .bind::<Timestamptz, _>(row.created_at)
        .bind::<Nullable<Text>, _>(digest)
        .get_result(conn)
        .optional()?;
        if inserted.is_none() {
            continue;
        }
        done.inbox_rows += 1;
        if frequency == EmailFrequency::Instant {
            let lang = user.locale.as_deref().and_then(Lang::parse).unwrap_or_default();
            let message = render(row.kind, &row.payload, lang);
            let mut body = message.body.clone();
            if let Some(link) = &message.link {
                body.push_str(&format!("\n\n{}{link}", public_url.trim_end_matches('/')));
            }
            body.push_str(lang.pick(
                "\n\n—\n在“通知设置”中可改为每日或每周摘要，或关闭邮件。",
                "\n\n—\nChange to a daily or weekly digest, or turn e-mail off, in your notification settings.",
            ));
            done.emails += super::email::queue(
                conn,
                &super::email::NewEmail {
                    message_id: message_id(row.id, user.id),
                    user_id: Some(user.id),
                    to_address: user.email.clone(),
                    subject: message.title,
                    body,
                },
                now,
            )?;
        }
    }
    // Webhooks: the organisation named, else the organisation of the user named.
    let organization = row.recipient_organization_id.or_else(|| recipients.first().map(|u| u.organization_id));
    if let Some(organization) = organization {
        let endpoints: Vec<Endpoint> = diesel::sql_query(
            "SELECT id FROM webhook_endpoints WHERE organization_id = $1 AND enabled AND deleted_at IS NULL ORDER BY created_at",
        )
        .bind::<SqlUuid, _>(organization)
        .load(conn)?;
        for endpoint in endpoints {
            let delivery_id = Uuid::new_v4();
            let body = webhook_body(delivery_id, row, organization);
            done.webhooks += diesel::sql_query(
                "INSERT INTO webhook_deliveries (id, endpoint_id, outbox_id, kind, body, created_at, next_attempt_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (endpoint_id, outbox_id) DO NOTHING",
            )
            .bind::<SqlUuid, _>(delivery_id)
            .bind::<SqlUuid, _>(endpoint.id)
            .bind::<BigInt, _>(row.id)
            .bind::<Text, _>(row.kind.as_str())
            .bind::<Text, _>(body.to_string())
            .bind::<Timestamptz, _>(now)
            .execute(conn)?;
        }
    }
    Ok(done)
}

/// The JSON body of a webhook delivery ([`WebhookPayload`], as documented in the OpenAPI document).
fn webhook_body(delivery_id: Uuid, row: &Claimed, organization_id: Uuid) -> Value {
    let text = |lang| {
        let m = render(row.kind, &row.payload, lang);
        WebhookText { title: m.title, body: m.body, link: m.link }
    };
    let payload = WebhookPayload {
        id: delivery_id,
        notification_id: row.id,
        kind: row.kind,
        created_at: row.created_at,
        organization_id,
        recipient_user_id: row.recipient_user_id,
        subject: WebhookSubject { kind: row.subject_kind.clone(), id: row.subject_id },
        payload: row.payload.as_object().cloned().unwrap_or_default(),
        text: WebhookTexts { zh: text(Lang::Zh), en: text(Lang::En) },
    };
    serde_json::to_value(payload).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_saved_search_chooses_its_frequency_unless_mail_is_off() {
        let daily = json!({"via": "subscription", "frequency": "daily"});
        assert_eq!(email_frequency(EmailFrequency::Instant, &daily), EmailFrequency::Daily);
        assert_eq!(email_frequency(EmailFrequency::Weekly, &daily), EmailFrequency::Daily);
        assert_eq!(email_frequency(EmailFrequency::Off, &daily), EmailFrequency::Off);
        let own_listing = json!({"via": "listing"});
        assert_eq!(email_frequency(EmailFrequency::Weekly, &own_listing), EmailFrequency::Weekly);
        assert_eq!(email_frequency(EmailFrequency::Instant, &json!({"frequency": "hourly"})), EmailFrequency::Instant);
    }
}

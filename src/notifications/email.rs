//! E-mail: a queue (`email_outbox`) that the fan-out, the digests and account mail write to in
//! their own transactions, and [`send_due`], which claims due rows with `FOR UPDATE SKIP LOCKED`,
//! sends each over SMTP (lettre) and marks it sent in the same transaction.
//!
//! **At least once, with a Message-ID.** A mail is handed to the SMTP server before the
//! transaction that marks it sent commits; a process killed between the two sends it again on the
//! next pass. Every send of a row carries the same `Message-ID` (unique per row), so a reader or a
//! receiving system can drop the second copy; the tests count distinct Message-IDs. Two instances
//! never send one row at the same time: the row stays locked until its transaction ends.

use std::time::{Duration as StdDuration, SystemTime};

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use uuid::Uuid;

use super::text::render;
use crate::config::{DeliveryConfig, SmtpTls};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::vocab::NotificationKind;

/// How long a mail is retried before it is given up (`failed_at`).
pub const RETRY_FOR_HOURS: i64 = 24;

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct NewEmail {
    /// The `Message-ID` header, `<…@…>`; unique: the same id is queued once.
    pub message_id: String,
    pub user_id: Option<Uuid>,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

/// Queues `email` at `now` unless its Message-ID is queued already; 1 when queued, 0 otherwise.
pub fn queue(conn: &mut PgConnection, email: &NewEmail, now: DateTime<Utc>) -> Result<usize, ApiError> {
    Ok(diesel::sql_query(
        "INSERT INTO email_outbox (message_id, user_id, to_address, subject, body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind::<Text, _>(&email.message_id)
    .bind::<Nullable<SqlUuid>, _>(email.user_id)
    .bind::<Text, _>(&email.to_address)
    .bind::<Text, _>(&email.subject)
    .bind::<Text, _>(&email.body)
    .bind::<Timestamptz, _>(now)
    .execute(conn)?)
}

/// The SMTP side: a transport when `TECHMATCH_SMTP_HOST` is set, and the sender.
pub struct Mailer {
    transport: Option<SmtpTransport>,
    from: Mailbox,
}

impl Mailer {
    /// Builds the transport of `config` (no connection is made until a mail is sent).
    pub fn new(config: &DeliveryConfig) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("TECHMATCH_MAIL_FROM is not a mailbox ({e}): {}", config.mail_from))?;
        let transport = match &config.smtp_host {
            None => None,
            Some(host) => {
                let builder = match config.smtp_tls {
                    SmtpTls::None => SmtpTransport::builder_dangerous(host),
                    SmtpTls::Starttls => SmtpTransport::starttls_relay(host)?,
                    SmtpTls::Tls => SmtpTransport::relay(host)?,
                };
                let mut builder =
                    builder.port(config.smtp_port).timeout(Some(StdDuration::from_millis(config.smtp_timeout_ms)));
                if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_string()));
                }
                Some(builder.build())
            }
        };
        Ok(Self { transport, from })
    }

    /// Whether mail is sent at all.
    pub fn enabled(&self) -> bool {
        self.transport.is_some()
    }
}

#[derive(Debug, QueryableByName)]
struct Due {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    message_id: String,
    #[diesel(sql_type = Text)]
    to_address: String,
    #[diesel(sql_type = Text)]
    subject: String,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

/// What one sending pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    pub failed: usize,
}

/// The wait before attempt `attempts + 1`: 30 s doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 7)).unwrap_or(7);
    Duration::seconds(30 * 2_i64.pow(exp)).min(Duration::hours(1))
}

/// The body as 8bit UTF-8 with CRLF line ends, so the Chinese text stays readable in the .eml
/// (relays speak 8BITMIME; RFC 5322 allows lines of 998 octets, lettre's chooser wants 76 and
/// would pick base64 for nearly every Chinese line). A line too long or a NUL falls back to
/// lettre's choice.
fn eight_bit(text: &str) -> Body {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    if crlf.contains('\0') || crlf.split("\r\n").any(|line| line.len() > 998) {
        return Body::new(text.to_string());
    }
    Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit)
}

fn build(mailer: &Mailer, due: &Due, now: DateTime<Utc>) -> Result<Message, String> {
    let to: Mailbox = due.to_address.parse().map_err(|e| format!("bad recipient: {e}"))?;
    Message::builder()
        .message_id(Some(due.message_id.clone()))
        .date(SystemTime::from(now))
        .from(mailer.from.clone())
        .to(to)
        .subject(due.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(eight_bit(&due.body))
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// Claims up to `batch` due mails and sends them, in one transaction: each sent one is marked
/// `sent_at`, each failure counted with its error and retried after [`backoff`] (given up after
/// [`RETRY_FOR_HOURS`], or at once on a permanent SMTP refusal). Nothing when mail is off.
pub fn send_due(conn: &mut PgConnection, mailer: &Mailer, now: DateTime<Utc>, batch: i64) -> Result<Sent, ApiError> {
    let Some(transport) = &mailer.transport else {
        return Ok(Sent::default());
    };
    conn.transaction(|conn| {
        let due: Vec<Due> = diesel::sql_query(
            "SELECT id, message_id, to_address, subject, body, attempts, created_at FROM email_outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id \
             LIMIT $2 FOR UPDATE SKIP LOCKED",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(batch)
        .load(conn)?;
        let mut done = Sent::default();
        for mail in &due {
            let result = build(mailer, mail, now).and_then(|message| {
                transport.send(&message).map(|_| ()).map_err(|e| {
                    if e.is_permanent() {
                        format!("permanent: {e}")
                    } else {
                        e.to_string()
                    }
                })
            });
            match result {
                Ok(()) => {
                    diesel::sql_query(
                        "UPDATE email_outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1",
                    )
                    .bind::<BigInt, _>(mail.id)
                    .bind::<Timestamptz, _>(now)
                    .execute(conn)?;
                    done.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(message_id = %mail.message_id, %error, "mail not sent");
                    let next = now + backoff(mail.attempts);
                    let give_up = error.starts_with("permanent")
                        || error.starts_with("bad recipient")
                        || next > mail.created_at + Duration::hours(RETRY_FOR_HOURS);
                    diesel::sql_query(
                        "UPDATE email_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, \
                         failed_at = CASE WHEN $4 THEN $5 ELSE NULL END WHERE id = $1",
                    )
                    .bind::<BigInt, _>(mail.id)
                    .bind::<Text, _>(error.chars().take(500).collect::<String>())
                    .bind::<Timestamptz, _>(next)
                    .bind::<diesel::sql_types::Bool, _>(give_up)
                    .bind::<Timestamptz, _>(now)
                    .execute(conn)?;
                    done.failed += 1;
                }
            }
        }
        Ok(done)
    })
}

/// The start of the current day in China (UTC+8), as a UTC instant.
pub fn china_day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = (now + Duration::hours(8)).date_naive();
    Utc.from_utc_datetime(&local.and_time(NaiveTime::MIN)) - Duration::hours(8)
}

/// The start of the current week (Monday 00:00) in China, as a UTC instant.
pub fn china_week_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let day = china_day_start(now);
    let weekday = (now + Duration::hours(8)).weekday().num_days_from_monday();
    day - Duration::days(i64::from(weekday))
}

#[derive(Debug, QueryableByName)]
struct DigestReader {
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Nullable<Text>)]
    locale: Option<String>,
}

#[derive(Debug, QueryableByName)]
struct DigestItem {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    kind: NotificationKind,
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

/// Queues the digests due at `now`: for each user, one mail listing the notifications marked
/// `daily` created before today (China time) and not yet digested, and one for `weekly` before
/// this week's Monday; the notifications are marked digested in the same transaction. The
/// Message-ID names the user and the period, so a digest is queued once. Returns mails queued.
pub fn queue_digests(conn: &mut PgConnection, now: DateTime<Utc>, public_url: &str) -> Result<usize, ApiError> {
    let mut queued = 0;
    for (digest, boundary) in [("daily", china_day_start(now)), ("weekly", china_week_start(now))] {
        let readers: Vec<DigestReader> = diesel::sql_query(
            "SELECT DISTINCT n.user_id, u.email, s.locale FROM notifications n JOIN users u ON u.id = n.user_id \
             LEFT JOIN notification_settings s ON s.user_id = n.user_id \
             WHERE n.digest = $1 AND n.digested_at IS NULL AND n.created_at < $2 AND u.deactivated_at IS NULL",
        )
        .bind::<Text, _>(digest)
        .bind::<Timestamptz, _>(boundary)
        .load(conn)?;
        for reader in readers {
            let items: Vec<DigestItem> = diesel::sql_query(
                "SELECT id, kind, payload, created_at FROM notifications WHERE user_id = $1 AND digest = $2 \
                 AND digested_at IS NULL AND created_at < $3 ORDER BY created_at, id FOR UPDATE",
            )
            .bind::<SqlUuid, _>(reader.user_id)
            .bind::<Text, _>(digest)
            .bind::<Timestamptz, _>(boundary)
            .load(conn)?;
            if items.is_empty() {
                continue;
            }
            let lang = reader.locale.as_deref().and_then(Lang::parse).unwrap_or_default();
            let mut body = String::new();
            for item in &items {
                let m = render(item.kind, &item.payload, lang);
                let when = (item.created_at + Duration::hours(8)).format("%Y-%m-%d %H:%M");
                body.push_str(&format!("• {}（{when}）\n  {}\n", m.title, m.body));
                if let Some(link) = m.link {
                    body.push_str(&format!("  {}{link}\n", public_url.trim_end_matches('/')));
                }
                body.push('\n');
            }
            let subject = match (digest, lang) {
                ("daily", Lang::Zh) => format!("每日通知摘要：{} 条", items.len()),
                ("daily", Lang::En) => format!("Daily digest: {} notifications", items.len()),
                (_, Lang::Zh) => format!("每周通知摘要：{} 条", items.len()),
                (_, Lang::En) => format!("Weekly digest: {} notifications", items.len()),
            };
            let message_id = format!(
                "<digest-{digest}-{}-{}@techmatch>",
                reader.user_id.simple(),
                (boundary + Duration::hours(8)).format("%Y%m%d")
            );
            queued += queue(
                conn,
                &NewEmail { message_id, user_id: Some(reader.user_id), to_address: reader.email, subject, body },
                now,
            )?;
            let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
            diesel::sql_query("UPDATE notifications SET digested_at = $1 WHERE id = ANY($2)")
                .bind::<Timestamptz, _>(now)
                .bind::<Array<BigInt>, _>(&ids)
                .execute(conn)?;
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_days_and_weeks_start_at_local_midnight() {
        // 2026-12-02 is a Wednesday; 17:00 UTC is already Thursday 01:00 in China.
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 17, 0, 0).unwrap();
        assert_eq!(china_day_start(now), Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).unwrap());
        // Monday 2026-11-30 00:00 in China.
        assert_eq!(china_week_start(now), Utc.with_ymd_and_hms(2026, 11, 29, 16, 0, 0).unwrap());
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(3), Duration::seconds(240));
        assert_eq!(backoff(20), Duration::hours(1));
    }
}

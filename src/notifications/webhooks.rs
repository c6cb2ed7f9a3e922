//! Webhooks of an organisation: endpoints its owners manage, and [`send_due`], which delivers the
//! queued deliveries of one endpoint at a time.
//!
//! Every request is a POST of the delivery's JSON body (schema `WebhookPayload`) with
//! `X-Techmatch-Delivery: <delivery id>` (the idempotency id: the same on every retry),
//! `X-Techmatch-Event: <kind>` and `X-Techmatch-Signature: t=<unix seconds>,v1=<hex>`, where the
//! hex is HMAC-SHA256 with the endpoint's secret over `t + "." + body`. Receivers recompute it,
//! compare in constant time and refuse a `t` more than [`REPLAY_WINDOW_SECS`] from their clock.
//!
//! **At least once, with an id.** The request is made while the delivery row is locked
//! (`FOR UPDATE SKIP LOCKED`, so two instances never send it at once) and the row is marked
//! delivered in that transaction; a process killed after the receiver answered and before the
//! commit sends it again later with the same `X-Techmatch-Delivery`, which the receiver dedupes
//! on. A 2xx answer delivers; anything else (3xx included: redirects are not followed), a timeout
//! or a refused address is a failed attempt, retried after 30 s doubling (at most 2 h) for
//! [`RETRY_FOR_HOURS`]. After `TECHMATCH_WEBHOOK_MAX_FAILURES` consecutive failed attempts the
//! endpoint is disabled, its pending deliveries fail and a `webhook_disabled` notification is
//! queued for its organisation.
//!
//! **SSRF.** The host is resolved and every address checked, when the endpoint is saved and again
//! on each attempt (the connection goes to the addresses checked, so a DNS answer that changes in
//! between cannot redirect it): loopback (unless `TECHMATCH_WEBHOOK_ALLOW_LOOPBACK`), private,
//! shared (100.64/10), link-local, unspecified, multicast, broadcast and documentation addresses
//! are refused, IPv4-mapped IPv6 addresses by their IPv4 address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;
use uuid::Uuid;

use super::outbox::{self, NewNotification};
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::error::ApiError;
use crate::pagination::PageRequest;
use crate::vocab::{NotificationKind, WebhookDeliveryStatus};

/// Seconds either side of the receiver's clock within which a signature's `t` is accepted.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// How long a delivery is retried before it fails.
pub const RETRY_FOR_HOURS: i64 = 24;

/// The signature header's value for `body` sent at unix time `t`: `t=<t>,v1=<hex HMAC-SHA256>`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let hex = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(t.to_string().as_bytes());
            mac.update(b".");
            mac.update(body.as_bytes());
            mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>()
        }
        Err(_) => String::new(),
    };
    format!("t={t},v1={hex}")
}

/// Why `ip` may not be a webhook target, or `None` when it may.
pub fn refused_address(ip: IpAddr, allow_loopback: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4, allow_loopback),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return refused_v4(v4, allow_loopback);
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                (!allow_loopback).then_some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if first & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if first & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if first == 0x2001 && v6.segments()[1] == 0x0db8 {
                Some("documentation")
            } else if first == 0x0064 && v6.segments()[1] == 0xff9b {
                Some("NAT64 (an IPv4 address in disguise)")
            } else {
                None
            }
        }
    }
}

fn refused_v4(v4: Ipv4Addr, allow_loopback: bool) -> Option<&'static str> {
    let [a, b, ..] = v4.octets();
    if v4.is_loopback() {
        (!allow_loopback).then_some("loopback")
    } else if v4.is_private() {
        Some("private")
    } else if v4.is_link_local() {
        Some("link-local")
    } else if v4.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared address space")
    } else if v4.is_broadcast() || v4.is_multicast() || a >= 240 {
        Some("broadcast, multicast or reserved")
    } else if v4.is_documentation() || (a == 198 && (18..20).contains(&b)) {
        Some("documentation or benchmarking")
    } else {
        None
    }
}

/// Resolves `netloc` (`host:port`) and checks every address; the addresses, or why not.
pub fn resolve_checked(netloc: &str, allow_loopback: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> =
        netloc.to_socket_addrs().map_err(|e| format!("cannot resolve {netloc}: {e}"))?.collect();
    if addrs.is_empty() {
        return Err(format!("{netloc} has no address"));
    }
    for addr in &addrs {
        if let Some(why) = refused_address(addr.ip(), allow_loopback) {
            return Err(format!("{netloc} resolves to {} ({why}): refused", addr.ip()));
        }
    }
    Ok(addrs)
}

/// Checks a webhook URL: `http` or `https`, a host, no user info or fragment, at most 2000
/// characters, every address of the host allowed. The message says what is wrong.
pub fn check_url(url: &str, allow_loopback: bool) -> Result<(), String> {
    if url.chars().count() > 2000 {
        return Err("at most 2000 characters".into());
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must be http or https".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    if parsed.fragment().is_some() {
        return Err("must not have a fragment".into());
    }
    let host = match parsed.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        None => return Err("must name a host".into()),
    };
    let port = parsed.port_or_known_default().unwrap_or(80);
    resolve_checked(&format!("{host}:{port}"), allow_loopback).map(|_| ())
}

/// The JSON body POSTed to a webhook endpoint for each notification.
///
/// Headers: `Content-Type: application/json`; `X-Techmatch-Delivery: <id>` (the idempotency id,
/// the same on every retry: process each id once); `X-Techmatch-Event: <kind>`;
/// `X-Techmatch-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is HMAC-SHA256 keyed with the
/// endpoint's secret over the bytes `t + "." + body` (the body exactly as received). Verify by
/// recomputing it and comparing in constant time; refuse a `t` more than 300 seconds from your
/// clock (the replay window). Answer 2xx within 5 s; anything else, a redirect or a timeout is
/// retried with exponential backoff (30 s doubling, at most 2 h) for 24 hours.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookPayload {
    /// The delivery id (also `X-Techmatch-Delivery`).
    pub id: Uuid,
    /// The notification (outbox row); one notification reaches each endpoint once.
    pub notification_id: i64,
    pub kind: NotificationKind,
    /// When its cause happened.
    pub created_at: DateTime<Utc>,
    /// The organisation the endpoint belongs to.
    pub organization_id: Uuid,
    /// The one user told, when the notification is about a person.
    pub recipient_user_id: Option<Uuid>,
    pub subject: WebhookSubject,
    /// The facts of the notification as queued (title, dates, reason, `path`…), by kind.
    #[schema(additional_properties = true)]
    pub payload: serde_json::Map<String, serde_json::Value>,
    /// The text in both languages.
    pub text: WebhookTexts,
}

/// What a notification is about.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookSubject {
    /// `supply`, `demand`, `connection`, `webhook`…
    pub kind: String,
    pub id: Uuid,
}

/// A notification's text in Chinese and English.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookTexts {
    pub zh: WebhookText,
    pub en: WebhookText,
}

/// A notification's text in one language.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookText {
    pub title: String,
    pub body: String,
    /// The API path of what it is about.
    pub link: Option<String>,
}

/// An organisation's webhook endpoint as its owners see it (never the secret, but once).
#[derive(Debug, Clone, Serialize, ToSchema, Queryable)]
pub struct WebhookEndpoint {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// Where deliveries are POSTed.
    pub url: String,
    /// False once disabled (by its owners, or after too many consecutive failures).
    pub enabled: bool,
    /// Failed attempts since the last success.
    pub consecutive_failures: i32,
    /// When it was disabled after consecutive failures.
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new endpoint with its signing secret, shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEndpointCreated {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// The HMAC-SHA256 key of `X-Techmatch-Signature` (shown only here).
    #[schema(example = "whsec_3q2+7w…")]
    pub secret: String,
}

/// A new endpoint.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// `http` or `https` URL whose host resolves only to public addresses.
    #[schema(example = "https://erp.example.com/techmatch/webhook", max_length = 2000)]
    pub url: String,
}

/// A change of an endpoint; what is absent stays (a JSON object only).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, try_from = "serde_json::Map<String, serde_json::Value>")]
pub struct WebhookPatch {
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    /// `true` enables it again (its failure count restarts), `false` pauses it.
    pub enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookPatchFields {
    url: Option<String>,
    enabled: Option<bool>,
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for WebhookPatch {
    type Error = serde_json::Error;

    fn try_from(object: serde_json::Map<String, serde_json::Value>) -> Result<Self, Self::Error> {
        let fields: WebhookPatchFields = serde_json::from_value(serde_json::Value::Object(object))?;
        Ok(Self { url: fields.url, enabled: fields.enabled })
    }
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable)]
pub struct WebhookAttempt {
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when no answer came.
    pub status_code: Option<i32>,
    /// Why it failed (a timeout, a refused address, a non-2xx status).
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// A delivery in an endpoint's log, with its attempts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookDelivery {
    /// The idempotency id (`X-Techmatch-Delivery` and the payload's `id`).
    pub id: Uuid,
    pub notification_id: i64,
    pub kind: NotificationKind,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// The next attempt, while `pending`.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempt_log: Vec<WebhookAttempt>,
}

const ENDPOINT_COLUMNS: (
    webhook_endpoints::id,
    webhook_endpoints::organization_id,
    webhook_endpoints::url,
    webhook_endpoints::enabled,
    webhook_endpoints::consecutive_failures,
    webhook_endpoints::disabled_at,
    webhook_endpoints::created_at,
    webhook_endpoints::updated_at,
) = (
    webhook_endpoints::id,
    webhook_endpoints::organization_id,
    webhook_endpoints::url,
    webhook_endpoints::enabled,
    webhook_endpoints::consecutive_failures,
    webhook_endpoints::disabled_at,
    webhook_endpoints::created_at,
    webhook_endpoints::updated_at,
);

fn new_secret() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use base64::Engine;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Saves a new endpoint of `organization_id` (the caller's rights checked by the service).
pub fn create(
    conn: &mut PgConnection,
    organization_id: Uuid,
    url: &str,
    now: DateTime<Utc>,
) -> Result<WebhookEndpointCreated, ApiError> {
    let secret = new_secret();
    let endpoint = diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::id.eq(Uuid::new_v4()),
            webhook_endpoints::organization_id.eq(organization_id),
            webhook_endpoints::url.eq(url),
            webhook_endpoints::secret.eq(&secret),
            webhook_endpoints::created_at.eq(now),
            webhook_endpoints::updated_at.eq(now),
        ))
        .returning(ENDPOINT_COLUMNS)
        .get_result(conn)?;
    Ok(WebhookEndpointCreated { endpoint, secret })
}

/// A page of `organization_id`'s endpoints, oldest first.
pub fn list(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: PageRequest,
) -> Result<(Vec<WebhookEndpoint>, i64), ApiError> {
    let base = || {
        webhook_endpoints::table
            .filter(webhook_endpoints::organization_id.eq(organization_id))
            .filter(webhook_endpoints::deleted_at.is_null())
    };
    let total = base().count().get_result(conn)?;
    let items = base()
        .select(ENDPOINT_COLUMNS)
        .order((webhook_endpoints::created_at, webhook_endpoints::id))
        .offset(page.offset())
        .limit(page.limit())
        .load(conn)?;
    Ok((items, total))
}

/// `organization_id`'s endpoint `id`, locked; 404 for none (or a deleted one).
pub fn get_locked(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<WebhookEndpoint, ApiError> {
    webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(id))
        .filter(webhook_endpoints::organization_id.eq(organization_id))
        .filter(webhook_endpoints::deleted_at.is_null())
        .select(ENDPOINT_COLUMNS)
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("webhook {id}")))
}

/// Changes the URL or the enabled flag of a locked endpoint (enabling restarts its failure count).
pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    url: Option<&str>,
    enabled: Option<bool>,
    now: DateTime<Utc>,
) -> Result<WebhookEndpoint, ApiError> {
    if let Some(url) = url {
        diesel::update(webhook_endpoints::table.find(id)).set(webhook_endpoints::url.eq(url)).execute(conn)?;
    }
    if let Some(enabled) = enabled {
        diesel::update(webhook_endpoints::table.find(id)).set(webhook_endpoints::enabled.eq(enabled)).execute(conn)?;
        if enabled {
            diesel::update(webhook_endpoints::table.find(id))
                .set((
                    webhook_endpoints::consecutive_failures.eq(0),
                    webhook_endpoints::disabled_at.eq(None::<DateTime<Utc>>),
                ))
                .execute(conn)?;
        }
    }
    Ok(diesel::update(webhook_endpoints::table.find(id))
        .set(webhook_endpoints::updated_at.eq(now))
        .returning(ENDPOINT_COLUMNS)
        .get_result(conn)?)
}

/// Deletes an endpoint (kept for its log, never delivered to again; its pending deliveries fail).
pub fn delete(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> Result<(), ApiError> {
    diesel::update(webhook_endpoints::table.find(id))
        .set((
            webhook_endpoints::deleted_at.eq(now),
            webhook_endpoints::enabled.eq(false),
            webhook_endpoints::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(webhook_deliveries::table)
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .filter(webhook_deliveries::status.eq("pending"))
        .set((webhook_deliveries::status.eq("failed"), webhook_deliveries::last_error.eq("endpoint deleted")))
        .execute(conn)?;
    Ok(())
}

type DeliveryRow = (Uuid, i64, String, String, i32, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>);

/// A page of endpoint `id`'s deliveries, newest first, each with its attempts.
pub fn deliveries(
    conn: &mut PgConnection,
    id: Uuid,
    page: PageRequest,
) -> Result<(Vec<WebhookDelivery>, i64), ApiError> {
    let total = webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(id)).count().get_result(conn)?;
    let rows: Vec<DeliveryRow> = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .select((
            webhook_deliveries::id,
            webhook_deliveries::outbox_id,
            webhook_deliveries::kind,
            webhook_deliveries::status,
            webhook_deliveries::attempts,
            webhook_deliveries::created_at,
            webhook_deliveries::next_attempt_at,
            webhook_deliveries::delivered_at,
        ))
        .order((webhook_deliveries::created_at.desc(), webhook_deliveries::id))
        .offset(page.offset())
        .limit(page.limit())
        .load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let attempts: Vec<(Uuid, WebhookAttempt)> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .select((
            webhook_attempts::delivery_id,
            (
                webhook_attempts::attempted_at,
                webhook_attempts::status_code,
                webhook_attempts::error,
                webhook_attempts::duration_ms,
            ),
        ))
        .order(webhook_attempts::id)
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|(id, outbox_id, kind, status, n, created_at, next, delivered_at)| {
            let status = WebhookDeliveryStatus::parse(&status).unwrap_or(WebhookDeliveryStatus::Failed);
            Ok(WebhookDelivery {
                id,
                notification_id: outbox_id,
                kind: NotificationKind::parse(&kind)
                    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown notification kind {kind}")))?,
                status,
                attempts: n,
                created_at,
                next_attempt_at: (status == WebhookDeliveryStatus::Pending).then_some(next),
                delivered_at,
                attempt_log: attempts.iter().filter(|(d, _)| *d == id).map(|(_, a)| a.clone()).collect(),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok((items, total))
}

/// The rules of sending.
#[derive(Debug, Clone)]
pub struct SendSettings {
    pub allow_loopback: bool,
    pub max_failures: i32,
    pub timeout: StdDuration,
    pub batch: i64,
}

#[derive(Debug, QueryableByName)]
struct ClaimedEndpoint {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    organization_id: Uuid,
    #[diesel(sql_type = Text)]
    url: String,
    #[diesel(sql_type = Text)]
    secret: String,
}

#[derive(Debug, QueryableByName)]
struct DueDelivery {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

#[derive(Debug, QueryableByName)]
struct Failures {
    #[diesel(sql_type = Integer)]
    consecutive_failures: i32,
}

/// What one sending pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub delivered: usize,
    pub failed_attempts: usize,
    pub disabled: usize,
}

/// The wait before attempt `attempts + 1`: 30 s doubling, at most two hours.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 8)).unwrap_or(8);
    Duration::seconds(30 * 2_i64.pow(exp)).min(Duration::hours(2))
}

fn agent(settings: &SendSettings) -> ureq::Agent {
    let allow_loopback = settings.allow_loopback;
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(settings.timeout)
        .timeout_connect(settings.timeout)
        .user_agent("techmatch-webhooks/1")
        .resolver(move |netloc: &str| {
            resolve_checked(netloc, allow_loopback)
                .map_err(|why| std::io::Error::new(std::io::ErrorKind::PermissionDenied, why))
        })
        .build()
}

/// One POST: the status and the error of a failed attempt.
fn post(
    agent: &ureq::Agent,
    url: &str,
    delivery: &DueDelivery,
    secret: &str,
    now: DateTime<Utc>,
) -> (Option<i32>, Option<String>) {
    let t = now.timestamp();
    let result = agent
        .post(url)
        .set("Content-Type", "application/json")
        .set("X-Techmatch-Delivery", &delivery.id.to_string())
        .set("X-Techmatch-Event", &delivery.kind)
        .set("X-Techmatch-Signature", &signature(secret, t, &delivery.body))
        .send_string(&delivery.body);
    match result {
        Ok(response) if (200..300).contains(&response.status()) => (Some(i32::from(response.status())), None),
        Ok(response) => (
            Some(i32::from(response.status())),
            Some(format!("answered {} (only 2xx delivers; redirects are not followed)", response.status())),
        ),
        Err(ureq::Error::Status(code, _)) => (Some(i32::from(code)), Some(format!("answered {code}"))),
        Err(ureq::Error::Transport(t)) => (None, Some(t.to_string().chars().take(500).collect())),
    }
}

/// Sends the due deliveries of up to `endpoints` endpoints, one endpoint per transaction: the
/// endpoint row and its due deliveries are claimed with `FOR UPDATE SKIP LOCKED`, sent in order,
/// and each outcome recorded (attempt log, status, next attempt) before the commit. The first
/// failure stops that endpoint for this pass.
pub fn send_due(
    conn: &mut PgConnection,
    settings: &SendSettings,
    now: DateTime<Utc>,
    endpoints: usize,
) -> Result<Delivered, ApiError> {
    let agent = agent(settings);
    let mut done = Delivered::default();
    for _ in 0..endpoints {
        let claimed = conn.transaction(|conn| -> Result<bool, ApiError> {
            let endpoint: Option<ClaimedEndpoint> = diesel::sql_query(
                "SELECT e.id, e.organization_id, e.url, e.secret FROM webhook_endpoints e \
                 WHERE e.enabled AND e.deleted_at IS NULL AND EXISTS (SELECT 1 FROM webhook_deliveries d \
                 WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= $1) \
                 ORDER BY e.id LIMIT 1 FOR UPDATE OF e SKIP LOCKED",
            )
            .bind::<Timestamptz, _>(now)
            .get_result(conn)
            .optional()?;
            let Some(endpoint) = endpoint else {
                return Ok(false);
            };
            let due: Vec<DueDelivery> = diesel::sql_query(
                "SELECT id, kind, body, created_at, attempts FROM webhook_deliveries \
                 WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at <= $2 \
                 ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED",
            )
            .bind::<SqlUuid, _>(endpoint.id)
            .bind::<Timestamptz, _>(now)
            .bind::<BigInt, _>(settings.batch)
            .load(conn)?;
            for delivery in &due {
                let started = Instant::now();
                let (status_code, error) = post(&agent, &endpoint.url, delivery, &endpoint.secret, now);
                let elapsed = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
                diesel::insert_into(webhook_attempts::table)
                    .values((
                        webhook_attempts::delivery_id.eq(delivery.id),
                        webhook_attempts::attempted_at.eq(now),
                        webhook_attempts::status_code.eq(status_code),
                        webhook_attempts::error.eq(&error),
                        webhook_attempts::duration_ms.eq(elapsed),
                    ))
                    .execute(conn)?;
                match error {
                    None => {
                        diesel::sql_query(
                            "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $2, attempts = attempts + 1, \
                             last_status_code = $3, last_error = NULL WHERE id = $1",
                        )
                        .bind::<SqlUuid, _>(delivery.id)
                        .bind::<Timestamptz, _>(now)
                        .bind::<Nullable<Integer>, _>(status_code)
                        .execute(conn)?;
                        diesel::sql_query("UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1")
                            .bind::<SqlUuid, _>(endpoint.id)
                            .execute(conn)?;
                        done.delivered += 1;
                    }
                    Some(error) => {
                        done.failed_attempts += 1;
                        tracing::warn!(delivery = %delivery.id, endpoint = %endpoint.id, %error, "webhook attempt failed");
                        let next = now + backoff(delivery.attempts);
                        let give_up = next > delivery.created_at + Duration::hours(RETRY_FOR_HOURS);
                        diesel::sql_query(
                            "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = $2, last_error = $3, \
                             next_attempt_at = $4, status = CASE WHEN $5 THEN 'failed' ELSE 'pending' END WHERE id = $1",
                        )
                        .bind::<SqlUuid, _>(delivery.id)
                        .bind::<Nullable<Integer>, _>(status_code)
                        .bind::<Text, _>(&error)
                        .bind::<Timestamptz, _>(next)
                        .bind::<Bool, _>(give_up)
                        .execute(conn)?;
                        let failures: Failures = diesel::sql_query(
                            "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 WHERE id = $1 \
                             RETURNING consecutive_failures",
                        )
                        .bind::<SqlUuid, _>(endpoint.id)
                        .get_result(conn)?;
                        if failures.consecutive_failures >= settings.max_failures {
                            disable(conn, &endpoint, failures.consecutive_failures, now)?;
                            done.disabled += 1;
                        }
                        break;
                    }
                }
            }
            Ok(true)
        })?;
        if !claimed {
            break;
        }
    }
    Ok(done)
}

/// Disables `endpoint` after `failures` consecutive failures: its pending deliveries fail and its
/// organisation is told (`webhook_disabled`), in the caller's transaction.
fn disable(
    conn: &mut PgConnection,
    endpoint: &ClaimedEndpoint,
    failures: i32,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::sql_query("UPDATE webhook_endpoints SET enabled = FALSE, disabled_at = $2, updated_at = $2 WHERE id = $1")
        .bind::<SqlUuid, _>(endpoint.id)
        .bind::<Timestamptz, _>(now)
        .execute(conn)?;
    diesel::sql_query(
        "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint disabled after consecutive failures' \
         WHERE endpoint_id = $1 AND status = 'pending'",
    )
    .bind::<SqlUuid, _>(endpoint.id)
    .execute(conn)?;
    tracing::warn!(endpoint = %endpoint.id, failures, "webhook endpoint disabled after consecutive failures");
    outbox::queue(
        conn,
        &NewNotification {
            kind: NotificationKind::WebhookDisabled,
            recipient_organization_id: Some(endpoint.organization_id),
            recipient_user_id: None,
            subject_kind: "webhook".into(),
            subject_id: endpoint.id,
            payload: serde_json::json!({
                "url": endpoint.url,
                "failures": failures,
                "path": format!("/api/v1/organizations/{}/webhooks/{}", endpoint.organization_id, endpoint.id),
            }),
            dedupe_key: format!("webhook_disabled:{}:{}", endpoint.id, now.timestamp()),
            created_at: now,
        },
    )?;
    Ok(())
}

/// Counts of the work waiting (the benchmark and the metrics read it).
pub fn pending(conn: &mut PgConnection) -> Result<i64, ApiError> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let n: N =
        diesel::sql_query("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'").get_result(conn)?;
    Ok(n.n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_t_dot_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=".to_string()
                + &{
                    let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_test").unwrap();
                    mac.update(br#"1700000000.{"a":1}"#);
                    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>()
                }
        );
    }

    #[test]
    fn private_loopback_and_link_local_addresses_are_refused() {
        let refused = |ip: &str, loopback| refused_address(ip.parse().unwrap(), loopback);
        assert_eq!(refused("127.0.0.1", false), Some("loopback"));
        assert_eq!(refused("127.0.0.1", true), None);
        assert_eq!(refused("::1", false), Some("loopback"));
        assert_eq!(refused("10.1.2.3", true), Some("private"));
        assert_eq!(refused("172.16.0.1", true), Some("private"));
        assert_eq!(refused("192.168.1.1", true), Some("private"));
        assert_eq!(refused("169.254.169.254", true), Some("link-local"));
        assert_eq!(refused("fe80::1", true), Some("link-local"));
        assert_eq!(refused("fd00::1", true), Some("private (unique local)"));
        assert_eq!(refused("::ffff:10.0.0.1", true), Some("private"));
        assert_eq!(refused("0.0.0.0", true), Some("unspecified"));
        assert_eq!(refused("100.64.0.1", true), Some("shared address space"));
        assert_eq!(refused("8.8.8.8", false), None);
        assert_eq!(refused("2606:4700::1111", false), None);
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("ftp://example.com/", true).unwrap_err().contains("http"));
        assert!(check_url("http://user:pw@127.0.0.1/", true).unwrap_err().contains("user name"));
        assert!(check_url("http://127.0.0.1:9/", false).unwrap_err().contains("loopback"));
        assert!(check_url("http://[::ffff:192.168.0.1]/", true).unwrap_err().contains("private"));
        assert!(check_url("http://127.0.0.1:9/hook", true).is_ok());
    }
}

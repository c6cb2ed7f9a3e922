//! The delivery passes of one instance (issue 13): every `TECHMATCH_DELIVERY_TICK_MS` it fans the
//! outbox out ([`notifications::fanout`]), sends due mail ([`notifications::email`]) and due
//! webhook deliveries ([`notifications::webhooks`]), and queues the digests that are due.
//!
//! Every instance runs every pass; none is a leader. The fan-out and the senders claim their rows
//! with `FOR UPDATE SKIP LOCKED`, so instances share the work row by row and never hold the same
//! row (PostgreSQL's own row locks: no job-queue crate, no extra table of leases). The digests are
//! a scheduled job ([`jobs::run_once`]: one instance at a time under an advisory lock) whose
//! Message-IDs name the user and the period, so a digest is queued once.
//!
//! Guarantees (proved by `tests/api/delivery.rs`, the two-instance kill test among them):
//! inbox rows exactly once (written in the transaction that marks the outbox row delivered);
//! e-mail and webhooks at least once, each with an id the receiver dedupes on (`Message-ID`,
//! `X-Techmatch-Delivery`): the send happens before its transaction commits, so an instance
//! killed between the two leaves the row to be sent again.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::config::DeliveryConfig;
use crate::db::{self, PgPool};
use crate::error::ApiError;
use crate::jobs::{self, Job};
use crate::notifications::email::{self, Mailer};
use crate::notifications::fanout;
use crate::notifications::webhooks::{self, SendSettings};

/// Endpoints one webhook pass serves at most (one transaction each).
const ENDPOINTS_PER_PASS: usize = 20;

/// What one instance's delivery passes need.
pub struct Deliverer {
    pub pool: PgPool,
    pub clock: Clock,
    pub mailer: Arc<Mailer>,
    pub webhooks: SendSettings,
    pub batch: i64,
    pub public_url: String,
    pub instance: String,
}

/// What one round of passes did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Round {
    pub fanned_out: usize,
    pub mails: usize,
    pub webhooks: usize,
}

impl Deliverer {
    /// The deliverer of `config`.
    pub fn new(pool: PgPool, clock: Clock, config: &DeliveryConfig, instance: String) -> anyhow::Result<Self> {
        Ok(Self {
            pool,
            clock,
            mailer: Arc::new(Mailer::new(config)?),
            webhooks: SendSettings {
                allow_loopback: config.webhook_allow_loopback,
                max_failures: i32::try_from(config.webhook_max_failures).unwrap_or(i32::MAX),
                timeout: Duration::from_millis(config.webhook_timeout_ms),
                batch: i64::from(config.delivery_batch),
            },
            batch: i64::from(config.delivery_batch),
            public_url: config.public_url.clone(),
            instance,
        })
    }

    /// The fan-out until the outbox is drained (at most ten batches).
    pub fn fan_out(&self, conn: &mut diesel::PgConnection, now: DateTime<Utc>) -> Result<Round, ApiError> {
        let mut round = Round::default();
        for _ in 0..10 {
            let done = fanout::fan_out(conn, now, self.batch, &self.public_url)?;
            round.fanned_out += done.outbox_rows;
            if done.outbox_rows < usize::try_from(self.batch).unwrap_or(usize::MAX) {
                break;
            }
        }
        Ok(round)
    }

    /// The digests due (one instance at a time), then due mail (at most ten batches).
    pub fn mail(&self, conn: &mut diesel::PgConnection, now: DateTime<Utc>) -> Result<Round, ApiError> {
        let mut round = Round::default();
        if !self.mailer.enabled() {
            return Ok(round);
        }
        let public_url = self.public_url.clone();
        jobs::run_once(conn, Job::EmailDigests, &self.instance, &self.clock, |conn, now| {
            let queued = email::queue_digests(conn, now, &public_url)?;
            Ok(((), queued))
        })?;
        for _ in 0..10 {
            let sent = email::send_due(conn, &self.mailer, now, self.batch)?;
            round.mails += sent.sent;
            if sent.sent + sent.failed < usize::try_from(self.batch).unwrap_or(usize::MAX) {
                break;
            }
        }
        Ok(round)
    }

    /// Due webhook deliveries of up to [`ENDPOINTS_PER_PASS`] endpoints.
    pub fn webhooks(&self, conn: &mut diesel::PgConnection, now: DateTime<Utc>) -> Result<Round, ApiError> {
        let delivered = webhooks::send_due(conn, &self.webhooks, now, ENDPOINTS_PER_PASS)?.delivered;
        Ok(Round { webhooks: delivered, ..Round::default() })
    }

    /// Runs the three passes — fan-out, mail, webhooks — as three loops every `every` until the
    /// server stops, each off the async executor on its own pooled connection, so a slow SMTP
    /// server or webhook receiver never delays the inbox.
    pub fn spawn(self, every: Duration) {
        let this = Arc::new(self);
        type Pass = fn(&Deliverer, &mut diesel::PgConnection, DateTime<Utc>) -> Result<Round, ApiError>;
        let passes: [(&'static str, Pass); 3] =
            [("fan-out", Deliverer::fan_out), ("mail", Deliverer::mail), ("webhooks", Deliverer::webhooks)];
        for (name, pass) in passes {
            let this = this.clone();
            actix_web::rt::spawn(async move {
                let mut ticker = actix_web::rt::time::interval(every);
                loop {
                    ticker.tick().await;
                    let me = this.clone();
                    let now = me.clock.now();
                    match db::run(&this.pool, move |conn| pass(&me, conn, now)).await {
                        Ok(round) if round.fanned_out + round.mails + round.webhooks > 0 => tracing::info!(
                            pass = name,
                            fanned_out = round.fanned_out,
                            mails = round.mails,
                            webhooks = round.webhooks,
                            instance = %this.instance,
                            "notifications delivered"
                        ),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(pass = name, error = %e, "notification delivery failed; will retry"),
                    }
                }
            });
        }
    }
}

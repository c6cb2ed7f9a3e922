//! Scheduled work that replicas share through PostgreSQL: the expiry sweep and the expiry
//! reminders (issue 12, item 4).
//!
//! Leader-free: every instance ticks every `TECHMATCH_JOBS_TICK_MS`, and each tick runs each job
//! in one transaction that first takes the job's advisory lock with
//! `pg_try_advisory_xact_lock` — an instance that finds it held skips that job this tick instead
//! of waiting, and the lock ends with the transaction, so no instance is ever "the leader" and
//! a stopped one leaves nothing to take over. The work itself is idempotent conditional SQL
//! (`UPDATE … WHERE status = <on the market> AND expires_at <= $now RETURNING …`, reminders
//! `INSERT … ON CONFLICT (dedupe_key) DO NOTHING`), so even two runs of one instant could not
//! expire a listing twice or queue a reminder twice; the lock keeps them from trying. Each run
//! that held the lock is recorded in `job_runs` (job, instance, start, finish, rows changed);
//! idle runs older than a day are pruned by the next run of their job.
//!
//! "Now" is the lifecycle clock's ([`Clock`]), passed to SQL as a parameter, so tests move time
//! for several instances at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text, Timestamptz};

use crate::clock::Clock;
use crate::db::{self, PgPool};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::exchange::job::Importer;
use crate::listing::expiry;
use crate::listing::lifecycle::Lifecycle;
use crate::matches::service::MatchService;
use crate::subscriptions::producer::Producer;
use crate::supplies::model::Supply;

/// First key of the jobs' advisory locks (the second is the job's [`Job::lock_key`]), apart from
/// the quota locks and the migration lock.
pub const LOCK_NAMESPACE: i32 = 0x6a6f_6273; // "jobs"

/// A scheduled job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Takes listings past their expiry off the market.
    ExpirySweep,
    /// Queues the reminders before expiry.
    ExpiryReminders,
    /// Closes the registration of events at `registration_closes_at` (issue 15).
    EventRegistrationClose,
    /// Closes the challenges whose application window ended.
    ChallengeClose,
    /// Matches listings that came on the market against subscriptions and open listings
    /// (`new_match` notifications, [`crate::subscriptions::producer`]).
    NewMatches,
    /// Queues `connection_stale` for open connections without a move for the configured days.
    StaleConnections,
    /// Queues the daily and weekly e-mail digests (run by [`crate::delivery`]).
    EmailDigests,
}

impl Job {
    /// The name recorded in `job_runs`.
    pub fn name(self) -> &'static str {
        match self {
            Job::ExpirySweep => "expiry_sweep",
            Job::ExpiryReminders => "expiry_reminders",
            Job::EventRegistrationClose => "event_registration_close",
            Job::ChallengeClose => "challenge_close",
            Job::NewMatches => "new_matches",
            Job::StaleConnections => "stale_connections",
            Job::EmailDigests => "email_digests",
        }
    }

    /// The second key of the job's advisory lock.
    pub fn lock_key(self) -> i32 {
        match self {
            Job::ExpirySweep => 1,
            Job::ExpiryReminders => 2,
            Job::EventRegistrationClose => 150,
            // The challenges' migration range (000040–000044), apart from other features' jobs.
            Job::ChallengeClose => 40,
            Job::NewMatches => 3,
            Job::StaleConnections => 4,
            Job::EmailDigests => 30,
        }
    }
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Runs `work` as one run of `job` by `instance` at the clock's now, unless another
/// instance is running the job: in one transaction, the job's lock taken without waiting, the
/// work, and its record in `job_runs` (with the rows `work` says it changed). `None` when the
/// lock was held elsewhere (nothing done, nothing recorded).
pub fn run_once<T>(
    conn: &mut PgConnection,
    job: Job,
    instance: &str,
    clock: &Clock,
    work: impl FnOnce(&mut PgConnection, DateTime<Utc>) -> Result<(T, usize), ApiError>,
) -> Result<Option<T>, ApiError> {
    conn.transaction(|conn| {
        let got: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1, $2) AS locked")
            .bind::<Integer, _>(LOCK_NAMESPACE)
            .bind::<Integer, _>(job.lock_key())
            .get_result(conn)?;
        if !got.locked {
            return Ok(None);
        }
        let started = clock.now();
        let (output, rows) = work(conn, started)?;
        diesel::sql_query(
            "INSERT INTO job_runs (job, instance_id, started_at, finished_at, rows_affected) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind::<Text, _>(job.name())
        .bind::<Text, _>(instance)
        .bind::<Timestamptz, _>(started)
        .bind::<Timestamptz, _>(clock.now())
        .bind::<BigInt, _>(i64::try_from(rows).unwrap_or(i64::MAX))
        .execute(conn)?;
        diesel::sql_query(
            "DELETE FROM job_runs WHERE job = $1 AND rows_affected = 0 AND started_at < $2 - interval '1 day'",
        )
        .bind::<Text, _>(job.name())
        .bind::<Timestamptz, _>(started)
        .execute(conn)?;
        Ok(Some(output))
    })
}

/// The listings one sweep took off the market.
#[derive(Debug, Default)]
pub struct Swept {
    pub supplies: Vec<Supply>,
    pub demands: Vec<Demand>,
}

/// One tick of this instance: the expiry sweep, then the reminders (so a listing expired by the
/// sweep is not reminded), then the new matches, each run once across instances ([`run_once`]).
/// Returns what the sweep expired (`None` when another instance held its lock) and how many
/// reminders were queued.
pub fn tick(
    conn: &mut PgConnection,
    instance: &str,
    clock: &Clock,
    settings: &Lifecycle,
    producer: &Producer,
) -> Result<(Option<Swept>, Option<usize>), ApiError> {
    let swept = run_once(conn, Job::ExpirySweep, instance, clock, |conn, now| {
        let swept =
            Swept { supplies: expiry::sweep::<Supply>(conn, now)?, demands: expiry::sweep::<Demand>(conn, now)? };
        let rows = swept.supplies.len() + swept.demands.len();
        Ok((swept, rows))
    })?;
    let reminded = run_once(conn, Job::ExpiryReminders, instance, clock, |conn, now| {
        let queued = expiry::remind::<Supply>(conn, now, &settings.reminder_days)?
            + expiry::remind::<Demand>(conn, now, &settings.reminder_days)?;
        Ok((queued, queued))
    })?;
    let closed = run_once(conn, Job::EventRegistrationClose, instance, clock, |conn, now| {
        let closed = crate::fairs::lifecycle::close_due_registrations(conn, now)?;
        Ok((closed, closed))
    })?;
    if let Some(closed) = closed.filter(|n| *n > 0) {
        tracing::info!(closed, instance, "event registrations closed");
    }
    let produced = run_once(conn, Job::NewMatches, instance, clock, |conn, now| {
        let produced = producer.run(conn, now)?;
        Ok((produced, produced.listings))
    })?;
    if let Some(p) = produced.filter(|p| p.listings > 0) {
        tracing::info!(listings = p.listings, scored = p.scored, queued = p.queued, "new listings matched");
    }
    let stale = run_once(conn, Job::StaleConnections, instance, clock, |conn, now| {
        let queued = crate::connections::notify::stale(conn, now, settings.connection_stale_days)?;
        Ok((queued, queued))
    })?;
    if let Some(queued) = stale.filter(|n| *n > 0) {
        tracing::info!(queued, "stale connections notified");
    }
    Ok((swept, reminded))
}

/// One run of the challenges' close (issue 15): every `open` challenge whose window ended by the
/// clock's now becomes `closed`, once across instances ([`run_once`]; the update is conditional
/// on `status = 'open'` too). `None` when another instance held the lock.
pub fn close_challenges(conn: &mut PgConnection, instance: &str, clock: &Clock) -> Result<Option<usize>, ApiError> {
    run_once(conn, Job::ChallengeClose, instance, clock, |conn, now| {
        let closed = crate::challenges::service::close_due(conn, now)?;
        Ok((closed, closed))
    })
}

/// A name for this instance in `job_runs`: the process id and a random suffix (several
/// in-process servers, as in the tests, get different names).
pub fn instance_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "techmatch".into());
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &suffix[..8])
}

/// Runs waiting import jobs ([`crate::exchange::job`]) every `every` until the server stops: each
/// job is claimed with `FOR UPDATE SKIP LOCKED`, so it runs on one instance only. Apart from the
/// expiry ticks, so a long import does not delay the sweep.
pub fn spawn_imports(pool: PgPool, importer: Importer, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut ticker = actix_web::rt::time::interval(every);
        loop {
            ticker.tick().await;
            let importer = importer.clone();
            if let Err(e) = db::run(&pool, move |conn| importer.run_pending(conn, 10)).await {
                tracing::warn!(error = %e, "import jobs failed; will retry on the next tick");
            }
        }
    });
}

/// What the scheduler of one instance needs.
pub struct Scheduler {
    pub pool: PgPool,
    pub matcher: Arc<MatchService>,
    pub clock: Clock,
    pub settings: Lifecycle,
    pub instance: String,
    /// The `new_match` producer with this instance's standing index of subscriptions.
    pub producer: Arc<Producer>,
}

impl Scheduler {
    /// Runs one tick off the async executor and takes what it expired out of this instance's
    /// index at once (other instances see the version bumps on their next poll).
    pub async fn tick_once(&self) {
        let (instance, clock, settings) = (self.instance.clone(), self.clock.clone(), self.settings.clone());
        let producer = self.producer.clone();
        match db::run(&self.pool, move |conn| tick(conn, &instance, &clock, &settings, &producer)).await {
            Ok((swept, reminded)) => {
                if let Some(swept) = swept {
                    swept.supplies.iter().for_each(|s| self.matcher.index(s));
                    swept.demands.iter().for_each(|d| self.matcher.index(d));
                    let expired = swept.supplies.len() + swept.demands.len();
                    if expired > 0 {
                        tracing::info!(expired, instance = %self.instance, "expiry sweep took listings off the market");
                    }
                }
                if let Some(queued) = reminded.filter(|n| *n > 0) {
                    tracing::info!(queued, instance = %self.instance, "expiry reminders queued");
                }
            }
            Err(e) => tracing::warn!(error = %e, "scheduled jobs failed; will retry on the next tick"),
        }
        let (instance, clock) = (self.instance.clone(), self.clock.clone());
        match db::run(&self.pool, move |conn| close_challenges(conn, &instance, &clock)).await {
            Ok(Some(closed)) if closed > 0 => tracing::info!(closed, instance = %self.instance, "challenges closed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "closing challenges failed; will retry on the next tick"),
        }
    }

    /// Ticks every `every` until the server stops.
    pub fn spawn(self, every: Duration) {
        actix_web::rt::spawn(async move {
            let mut ticker = actix_web::rt::time::interval(every);
            loop {
                ticker.tick().await;
                self.tick_once().await;
            }
        });
    }
}

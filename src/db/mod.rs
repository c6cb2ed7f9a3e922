//! Database access: the r2d2 pool, embedded migrations, the Diesel schema, and [`run`], which
//! runs blocking Diesel work off the async executor.

pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, HandleError, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::DatabaseConfig;
use crate::error::ApiError;

/// A pool of PostgreSQL connections.
pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Key of the advisory lock held while migrating, so that replicas starting together migrate once.
const MIGRATION_LOCK_KEY: i64 = 0x7465_6368_6d61_7463; // "techmatc"

/// Adds libpq connection options that make a dead server fail fast (2 s to connect, 5 s TCP
/// user timeout, a keepalive probe after 30 s of silence so that a connection waiting for a
/// reply across a partition is noticed too), unless the URL already sets them.
pub fn with_fail_fast_options(url: &str) -> String {
    let mut url = url.to_string();
    for (key, value) in [("connect_timeout", "2"), ("tcp_user_timeout", "5000"), ("keepalives_idle", "30")] {
        if !url.contains(&format!("{key}=")) {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&format!("{key}={value}"));
        }
    }
    url
}

/// Builds the pool without connecting: the service starts even while PostgreSQL is down and
/// `/readyz` reports it. A checkout waits at most `db_checkout_timeout_ms`, then answers 503.
/// Every new connection gets `statement_timeout` and `lock_timeout` ([`SessionTimeouts`]), so a
/// held lock or a runaway query frees its pooled connection within seconds instead of holding
/// it (and, with a few such requests, the whole pool). Connection failures are logged at most
/// once a second ([`ThrottledErrorLog`]).
pub fn build_pool(config: &DatabaseConfig) -> PgPool {
    let manager = ConnectionManager::<PgConnection>::new(with_fail_fast_options(config.database_url.expose()));
    Pool::builder()
        .max_size(config.db_pool_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_millis(config.db_checkout_timeout_ms))
        .test_on_check_out(true)
        .connection_customizer(Box::new(SessionTimeouts {
            statement_ms: config.db_statement_timeout_ms,
            lock_ms: config.db_lock_timeout_ms,
        }))
        .error_handler(Box::new(ThrottledErrorLog::default()))
        .build_unchecked(manager)
}

/// Sets `statement_timeout` and `lock_timeout` on each connection the pool opens. A statement
/// cancelled by either answers 503 `database_busy` with `Retry-After` (see [`crate::error`]).
#[derive(Debug)]
pub struct SessionTimeouts {
    /// `statement_timeout` in milliseconds.
    pub statement_ms: u64,
    /// `lock_timeout` in milliseconds.
    pub lock_ms: u64,
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionTimeouts {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!(
            "SET statement_timeout = {}; SET lock_timeout = {}",
            self.statement_ms, self.lock_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The pool's error handler: logs a failure to connect at most once a second, with the number
/// of failures left unlogged since the previous line (r2d2's default logs every attempt, about
/// 13 lines a second per instance during an outage).
#[derive(Debug, Default)]
pub struct ThrottledErrorLog {
    last: Mutex<Option<Instant>>,
    suppressed: AtomicU64,
}

/// Shortest interval between two pool error lines.
const POOL_ERROR_LOG_INTERVAL: Duration = Duration::from_secs(1);

impl HandleError<diesel::r2d2::Error> for ThrottledErrorLog {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        let now = Instant::now();
        let due = match self.last.lock() {
            Ok(mut last) => {
                let due = !matches!(*last, Some(at) if now.duration_since(at) < POOL_ERROR_LOG_INTERVAL);
                if due {
                    *last = Some(now);
                }
                due
            }
            Err(_) => true,
        };
        if due {
            let suppressed = self.suppressed.swap(0, Ordering::Relaxed);
            tracing::error!(error = %error, suppressed, "database connection failed");
        } else {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Applies pending migrations under an advisory lock; returns the versions applied.
///
/// The lock is session-level and taken outside any transaction, so it spans the whole run
/// while diesel applies each migration in its own transaction: a second instance waits, then
/// finds nothing pending (`tests/api/resilience.rs` races two on an empty database).
pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(conn)?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(|v| v.to_string()).collect())
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(conn)?;
    applied
}

/// The one-row query result of a lookup by key, with 404 for a missing row.
pub trait FoundExtension<T> {
    /// The row; [`ApiError::NotFound`] with detail `what()` (e.g. `user <id>`) when there is none.
    fn or_not_found(self, what: impl FnOnce() -> String) -> Result<T, ApiError>;
}

impl<T> FoundExtension<T> for QueryResult<T> {
    fn or_not_found(self, what: impl FnOnce() -> String) -> Result<T, ApiError> {
        self.optional()?.ok_or_else(|| ApiError::NotFound(what()))
    }
}

/// Extra time allowed, on top of the pool's checkout timeout, before [`checkout`] gives up.
const CHECKOUT_SLACK: Duration = Duration::from_millis(100);

/// Takes a connection from the pool on the blocking thread pool. Answers
/// [`ApiError::Unavailable`] (503) when none frees up within the pool's checkout timeout,
/// when PostgreSQL refuses, and also when checking a pooled connection hangs: r2d2 bounds only
/// the wait for a free connection, not the `SELECT 1` it sends to test one, and across a silent
/// network (a partition, a frozen host) that test would wait for TCP to give up. The abandoned
/// checkout finishes in the background and returns its connection to the pool.
pub async fn checkout(pool: &PgPool) -> Result<PooledConnection<ConnectionManager<PgConnection>>, ApiError> {
    let deadline = pool.connection_timeout() + CHECKOUT_SLACK;
    let pool = pool.clone();
    match actix_web::rt::time::timeout(deadline, web::block(move || pool.get())).await {
        Ok(checked_out) => Ok(checked_out??),
        Err(_) => {
            tracing::warn!(
                deadline_ms = deadline.as_millis() as u64,
                "database checkout timed out; is PostgreSQL reachable?"
            );
            Err(ApiError::Unavailable)
        }
    }
}

/// Runs `work` with a pooled connection on the blocking thread pool, inside the caller's
/// tracing span. Pool exhaustion or a lost server becomes [`ApiError::Unavailable`] (503), within
/// the checkout timeout (see [`checkout`]).
pub async fn run<T, F>(pool: &PgPool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let mut conn = checkout(pool).await?;
    let span = tracing::Span::current();
    web::block(move || {
        let _entered = span.enter();
        work(&mut conn)
    })
    .await?
}

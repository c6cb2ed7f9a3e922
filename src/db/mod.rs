//! Database access: the r2d2 pool, embedded migrations, the Diesel schema, and [`run`], which
//! runs blocking Diesel work off the async executor.

pub mod schema;

use std::time::Duration;

use actix_web::web;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
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
pub fn build_pool(config: &DatabaseConfig) -> PgPool {
    let manager = ConnectionManager::<PgConnection>::new(with_fail_fast_options(config.database_url.expose()));
    Pool::builder()
        .max_size(config.db_pool_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_millis(config.db_checkout_timeout_ms))
        .test_on_check_out(true)
        .build_unchecked(manager)
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

//! Database access: the r2d2 pool, embedded migrations, the Diesel schema, and [`run`], which
//! runs blocking Diesel work off the async executor.

pub mod schema;

use std::time::Duration;

use actix_web::web;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
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
/// user timeout), unless the URL already sets them.
pub fn with_fail_fast_options(url: &str) -> String {
    let mut url = url.to_string();
    for (key, value) in [("connect_timeout", "2"), ("tcp_user_timeout", "5000")] {
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
pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(conn)?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(|v| v.to_string()).collect())
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(conn)?;
    applied
}

/// Runs `work` with a pooled connection on the blocking thread pool, inside the caller's
/// tracing span. Pool exhaustion or a lost server becomes [`ApiError::Unavailable`] (503).
pub async fn run<T, F>(pool: &PgPool, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    web::block(move || {
        let _entered = span.enter();
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}

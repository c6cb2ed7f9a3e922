//! Builds the HTTP server: the shared state, the middleware, the routes of [`crate::routes`] with
//! the document and `Allow` table derived from them, error handling, the index refresher and the
//! scheduled jobs ([`crate::jobs`]). `main`
//! and the integration tests both start the server through [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use matching::MatchingConfig;

use utoipa_actix_web::AppExt;

use crate::auth::credentials::CredentialCache;
use crate::auth::password::Hashing;
use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::TokenService;
use crate::client_addr::TrustedProxies;
use crate::config::ServeConfig;
use crate::db::{self, PgPool};
use crate::delivery::Deliverer;
use crate::docs::OpenApiJson;
use crate::extract::{json_config, path_config, problem_catch_all, query_config, route_not_found};
use crate::industries::taxonomy::Taxonomy;
use crate::jobs::{self, Scheduler};
use crate::listing::lifecycle::Lifecycle;
use crate::matches::service::MatchService;
use crate::metrics::{self, Metrics};
use crate::middleware::{self as mw, RequestDeadline};
use crate::quota::Quotas;
use crate::state::{AppState, ExchangeSettings};
use crate::subscriptions::producer::Producer;
use crate::{cors, routes};

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    matcher: Arc<MatchService>,
}

impl Application {
    /// Binds the listener (port 0 picks a free port), loads the matching index (or leaves that
    /// to the refresher when PostgreSQL is down) and prepares the server.
    pub async fn build(config: ServeConfig) -> anyhow::Result<Self> {
        config.auth.validate()?;
        let cors_origins = cors::parse_origins(&config.cors_origins)?;
        let tokens = Arc::new(TokenService::new(&config.auth));
        let throttle = LoginThrottle::new(config.auth.login_limits());
        let trusted_proxies = TrustedProxies::new(config.auth.trusted_proxies.clone());
        let credentials = CredentialCache::new(Duration::from_millis(config.auth.auth_cache_ttl_ms));
        let hashing =
            Hashing::new(config.auth.hash_concurrency as usize, Duration::from_millis(config.auth.hash_wait_ms));
        let taxonomy = Taxonomy::embedded();
        let pool = db::build_pool(&config.database);
        let matcher = Arc::new(MatchService::new(taxonomy, MatchingConfig::default()));
        refresh_index(&pool, &matcher).await;
        spawn_refresher(pool.clone(), matcher.clone(), Duration::from_millis(config.index_refresh_ms));
        let lifecycle = Lifecycle::from(&config.lifecycle);
        Scheduler {
            pool: pool.clone(),
            matcher: matcher.clone(),
            clock: config.clock.clone(),
            settings: lifecycle.clone(),
            instance: jobs::instance_id(),
            producer: Arc::new(Producer::new(matcher.clone(), taxonomy)),
        }
        .spawn(Duration::from_millis(config.jobs_tick_ms));
        Deliverer::new(pool.clone(), config.clock.clone(), &config.delivery, jobs::instance_id())?
            .spawn(Duration::from_millis(config.delivery.delivery_tick_ms));

        let listener = TcpListener::bind(config.bind)?;
        let port = listener.local_addr()?.port();
        let application_matcher = matcher.clone();
        let state = web::Data::new(AppState {
            pool,
            taxonomy,
            matcher,
            tokens,
            throttle,
            trusted_proxies,
            credentials,
            hashing,
            quotas: Quotas::from(&config.quotas),
            invitation_ttl: chrono::Duration::hours(i64::try_from(config.auth.invitation_ttl_hours)?),
            clock: config.clock.clone(),
            lifecycle,
            contract_review_above_fen: config.contract_review_above_fen,
            webhook_allow_loopback: config.delivery.webhook_allow_loopback,
            public_url: config.delivery.public_url.clone(),
            metrics: Metrics::new()?,
            exchange: ExchangeSettings {
                max_import_bytes: config.import_max_bytes,
                near_duplicate_threshold: f32::from(config.import_near_duplicate_percent) / 100.0,
            },
        });
        jobs::spawn_imports(
            state.pool.clone(),
            crate::exchange::handlers::importer(&state),
            Duration::from_millis(config.jobs_tick_ms),
        );
        let document = routes::document();
        let document_json = web::Data::new(OpenApiJson(routes::document_json(&document)?));
        let route_table = web::Data::new(routes::route_table(&document));
        let max_body = usize::try_from(config.max_body_bytes)?;
        let deadline = web::Data::new(RequestDeadline(Duration::from_millis(config.request_timeout_ms)));
        // The last `wrap` is the outermost: the request id and access log see everything, HEAD
        // is routed as GET before the rest, the deadline bounds the handler; outside them all, the
        // language of the problems (Accept-Language).
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(problem_catch_all())
                .wrap(cors::middleware(&cors_origins))
                .wrap(cors::rejections_as_problems())
                .wrap(from_fn(mw::deadline))
                .wrap(from_fn(metrics::http::track))
                .wrap(Compress::default())
                .wrap(from_fn(mw::security_headers))
                .wrap(from_fn(mw::head_as_get))
                .wrap(from_fn(mw::request_context))
                .wrap(from_fn(mw::language))
                .app_data(state.clone())
                .app_data(deadline.clone())
                .app_data(document_json.clone())
                .app_data(route_table.clone())
                .app_data(json_config(max_body))
                .app_data(path_config())
                .app_data(query_config())
                .into_utoipa_app()
                .configure(routes::configure)
                .into_app()
                .default_service(web::to(route_not_found))
        })
        // Below compose's `stop_grace_period` (30 s), so in-flight requests finish or are cut
        // by the server itself, never by the orchestrator's SIGKILL.
        .shutdown_timeout(config.shutdown_grace_secs);
        if config.workers > 0 {
            server = server.workers(config.workers);
        }
        let server = server.listen(listener)?.run();
        tracing::info!(port, "techmatch listening");
        Ok(Self { port, server, matcher: application_matcher })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The matching index this server answers from (its [`MatchService::refreshes`] tells how
    /// many polls for other instances' writes have completed).
    pub fn matcher(&self) -> Arc<MatchService> {
        self.matcher.clone()
    }

    /// Serves until the process is told to stop: SIGTERM stops accepting connections and lets
    /// in-flight requests finish (up to `TECHMATCH_SHUTDOWN_GRACE_SECS`, 20 s); SIGINT and
    /// SIGQUIT stop at once.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn refresh_index(pool: &PgPool, matcher: &Arc<MatchService>) {
    let (pool, matcher) = (pool.clone(), matcher.clone());
    let started = std::time::Instant::now();
    let result = web::block(move || -> Result<usize, crate::error::ApiError> {
        let mut conn = pool.get()?;
        matcher.refresh(&mut conn)
    })
    .await;
    match result {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => {
            tracing::info!(rows = n, elapsed_ms = started.elapsed().as_millis() as u64, "matching index refreshed")
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "matching index refresh failed; will retry"),
        Err(e) => tracing::warn!(error = %e, "matching index refresh task failed; will retry"),
    }
}

fn spawn_refresher(pool: PgPool, matcher: Arc<MatchService>, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut ticker = actix_web::rt::time::interval(every);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            refresh_index(&pool, &matcher).await;
        }
    });
}

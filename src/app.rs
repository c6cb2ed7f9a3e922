//! Builds the HTTP application: shared state, routes, error handling, the index refresher.
//! `main` and the integration tests both start the server through [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use matching::MatchingConfig;
use tracing_actix_web::TracingLogger;

use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::TokenService;
use crate::config::ServeConfig;
use crate::db::{self, PgPool};
use crate::extract::{json_config, path_config, problem_catch_all, query_config, route_not_found};
use crate::industries::taxonomy::Taxonomy;
use crate::matches::service::MatchService;
use crate::metrics::{self, Metrics};
use crate::{
    accounts, connections, cors, demands, health, industries, matches, openapi, organizations, stats, supplies,
};

/// What every handler can reach.
pub struct AppState {
    pub pool: PgPool,
    pub taxonomy: &'static Taxonomy,
    pub matcher: Arc<MatchService>,
    pub tokens: Arc<TokenService>,
    pub throttle: LoginThrottle,
    pub metrics: Metrics,
}

/// Every route of the API.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(health::healthz)))
        .service(web::resource("/readyz").route(web::get().to(health::readyz)))
        .service(web::resource("/metrics").route(web::get().to(metrics::scrape)))
        .service(web::resource("/docs").route(web::get().to(openapi::docs_page)))
        .service(web::resource("/docs/redoc.standalone.js").route(web::get().to(openapi::docs_script)))
        .service(
            web::scope("/api/v1")
                .service(web::resource("/openapi.json").route(web::get().to(openapi::api_document)))
                .service(web::resource("/industries").route(web::get().to(industries::handlers::list)))
                .service(web::resource("/auth/register").route(web::post().to(accounts::handlers::register)))
                .service(web::resource("/auth/login").route(web::post().to(accounts::handlers::login)))
                .service(web::resource("/auth/refresh").route(web::post().to(accounts::handlers::refresh)))
                .service(web::resource("/auth/logout").route(web::post().to(accounts::handlers::logout)))
                .service(web::resource("/me").route(web::get().to(accounts::handlers::me)))
                .service(web::resource("/me/password").route(web::post().to(accounts::handlers::change_password)))
                .service(
                    web::resource("/organizations")
                        .route(web::get().to(organizations::handlers::list))
                        .route(web::post().to(organizations::handlers::create)),
                )
                .service(web::resource("/organizations/{id}").route(web::get().to(organizations::handlers::get)))
                .service(
                    web::resource("/organizations/{id}/verification")
                        .route(web::post().to(organizations::handlers::verify)),
                )
                .service(
                    web::resource("/supplies")
                        .route(web::get().to(supplies::handlers::list))
                        .route(web::post().to(supplies::handlers::create)),
                )
                .service(
                    web::resource("/supplies/{id}")
                        .route(web::get().to(supplies::handlers::get))
                        .route(web::patch().to(supplies::handlers::update)),
                )
                .service(web::resource("/supplies/{id}/archive").route(web::post().to(supplies::handlers::archive)))
                .service(web::resource("/supplies/{id}/matches").route(web::get().to(matches::handlers::for_supply)))
                .service(
                    web::resource("/demands")
                        .route(web::get().to(demands::handlers::list))
                        .route(web::post().to(demands::handlers::create)),
                )
                .service(
                    web::resource("/demands/{id}")
                        .route(web::get().to(demands::handlers::get))
                        .route(web::patch().to(demands::handlers::update)),
                )
                .service(web::resource("/demands/{id}/withdraw").route(web::post().to(demands::handlers::withdraw)))
                .service(web::resource("/demands/{id}/matches").route(web::get().to(matches::handlers::for_demand)))
                .service(web::resource("/matches").route(web::post().to(matches::handlers::preview)))
                .service(
                    web::resource("/connections")
                        .route(web::get().to(connections::handlers::list))
                        .route(web::post().to(connections::handlers::open)),
                )
                .service(
                    web::resource("/connections/export.csv").route(web::get().to(connections::handlers::export_csv)),
                )
                .service(web::resource("/connections/{id}").route(web::get().to(connections::handlers::get)))
                .service(
                    web::resource("/connections/{id}/events").route(web::post().to(connections::handlers::move_to)),
                )
                .service(web::resource("/stats/listings").route(web::get().to(stats::handlers::listings)))
                .service(web::resource("/stats/connections").route(web::get().to(stats::handlers::connections)))
                .service(web::resource("/stats/contracts").route(web::get().to(stats::handlers::contracts))),
        );
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener (port 0 picks a free port), loads the matching index (or leaves that
    /// to the refresher when PostgreSQL is down) and prepares the server.
    pub async fn build(config: ServeConfig) -> anyhow::Result<Self> {
        config.auth.validate()?;
        let cors_origins = cors::parse_origins(&config.cors_origins)?;
        let tokens = Arc::new(TokenService::new(&config.auth));
        let throttle = LoginThrottle::new(config.auth.login_per_ip_per_min, config.auth.login_per_account_per_min);
        let taxonomy = Taxonomy::embedded();
        let pool = db::build_pool(&config.database);
        let matcher = Arc::new(MatchService::new(taxonomy, MatchingConfig::default()));
        refresh_index(&pool, &matcher).await;
        spawn_refresher(pool.clone(), matcher.clone(), Duration::from_millis(config.index_refresh_ms));

        let listener = TcpListener::bind(config.bind)?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState { pool, taxonomy, matcher, tokens, throttle, metrics: Metrics::new() });
        let max_body = usize::try_from(config.max_body_bytes)?;
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(problem_catch_all())
                .wrap(cors::middleware(&cors_origins))
                .wrap(cors::rejections_as_problems())
                .wrap(from_fn(metrics::track))
                .wrap(TracingLogger::default())
                .app_data(state.clone())
                .app_data(json_config(max_body))
                .app_data(path_config())
                .app_data(query_config())
                .configure(routes)
                .default_service(web::to(route_not_found))
        })
        .shutdown_timeout(30);
        if config.workers > 0 {
            server = server.workers(config.workers);
        }
        let server = server.listen(listener)?.run();
        tracing::info!(port, "techmatch listening");
        Ok(Self { port, server })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop: SIGTERM stops accepting connections and lets
    /// in-flight requests finish (up to 30 s); SIGINT and SIGQUIT stop at once.
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

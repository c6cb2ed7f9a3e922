//! Prometheus metrics, served as text at `GET /metrics`.
//!
//! | series | kind | labels |
//! | --- | --- | --- |
//! | `techmatch_http_requests_total` | counter | `method`, `route`, `status` |
//! | `techmatch_http_request_duration_seconds` | histogram | `method`, `route`, `status` |
//! | `techmatch_http_requests_in_flight` | gauge | — |
//! | `techmatch_match_search_duration_seconds` | histogram | `candidates` (`supply` or `demand`) |
//! | `techmatch_match_index_listings` | gauge | `side` (`supply` or `demand`) |
//! | `techmatch_db_pool_connections` | gauge | — (open connections, busy or idle) |
//! | `techmatch_db_pool_idle_connections` | gauge | — |
//! | `techmatch_db_pool_max_connections` | gauge | — |
//!
//! `route` is the matched route pattern (`/api/v1/supplies/{id}`), never the raw path, and
//! `unmatched` for unknown routes; methods outside the usual seven count as `OTHER`. So the
//! number of series stays bounded whatever clients send. The pool and index gauges are sampled
//! when Prometheus scrapes. Every instance keeps its own registry: scrape each replica, not
//! the load balancer.

use std::time::Instant;

use actix_web::http::Method;
use matching::Side;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::db::PgPool;
use crate::error::ApiError;

pub mod http;

/// Upper bounds (seconds) of the HTTP latency buckets.
const HTTP_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Upper bounds (seconds) of the engine search latency buckets: a search over a few thousand
/// listings takes well under a millisecond to a few milliseconds.
const MATCH_BUCKETS: &[f64] = &[0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/// This instance's metrics registry and the series it holds.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_duration: HistogramVec,
    pub(crate) in_flight: IntGauge,
    match_duration: HistogramVec,
    index_listings: IntGaugeVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
}

fn side_label(side: Side) -> &'static str {
    match side {
        Side::Supply => "supply",
        Side::Demand => "demand",
    }
}

pub(crate) fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

impl Metrics {
    /// A fresh registry with every series registered (and no samples yet). Fails only if a
    /// series above were ill-formed (a bad name or label, a name used twice).
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("techmatch_http_requests_total", "HTTP requests answered, by route pattern and status."),
            &["method", "route", "status"],
        )?;
        let request_duration = HistogramVec::new(
            HistogramOpts::new(
                "techmatch_http_request_duration_seconds",
                "Time from receiving a request to its response head, by route pattern and status.",
            )
            .buckets(HTTP_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )?;
        let in_flight = IntGauge::new("techmatch_http_requests_in_flight", "HTTP requests being handled now.")?;
        let match_duration = HistogramVec::new(
            HistogramOpts::new(
                "techmatch_match_search_duration_seconds",
                "Time spent in the matching engine's search, by the side of the candidates ranked.",
            )
            .buckets(MATCH_BUCKETS.to_vec()),
            &["candidates"],
        )?;
        let index_listings = IntGaugeVec::new(
            Opts::new("techmatch_match_index_listings", "Candidates in this instance's matching index, by side."),
            &["side"],
        )?;
        let pool_connections =
            IntGauge::new("techmatch_db_pool_connections", "Open PostgreSQL connections of the pool (busy or idle).")?;
        let pool_idle =
            IntGauge::new("techmatch_db_pool_idle_connections", "Idle PostgreSQL connections of the pool.")?;
        let pool_max = IntGauge::new("techmatch_db_pool_max_connections", "Largest size of the PostgreSQL pool.")?;
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(request_duration.clone()),
            Box::new(in_flight.clone()),
            Box::new(match_duration.clone()),
            Box::new(index_listings.clone()),
            Box::new(pool_connections.clone()),
            Box::new(pool_idle.clone()),
            Box::new(pool_max.clone()),
        ] {
            registry.register(collector)?;
        }
        Ok(Self {
            registry,
            requests,
            request_duration,
            in_flight,
            match_duration,
            index_listings,
            pool_connections,
            pool_idle,
            pool_max,
        })
    }

    /// Runs `search` (an engine search ranking `candidates`) and records how long it took.
    pub fn time_match<T>(&self, candidates: Side, search: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = search();
        self.match_duration.with_label_values(&[side_label(candidates)]).observe(started.elapsed().as_secs_f64());
        result
    }

    pub(crate) fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.request_duration.with_label_values(&labels).observe(seconds);
    }

    /// Samples the pool and the index, then renders every series in the Prometheus text format.
    pub fn render(&self, pool: &PgPool, index_len: impl Fn(Side) -> usize) -> Result<String, ApiError> {
        let pool_state = pool.state();
        self.pool_connections.set(i64::from(pool_state.connections));
        self.pool_idle.set(i64::from(pool_state.idle_connections));
        self.pool_max.set(i64::from(pool.max_size()));
        for side in [Side::Supply, Side::Demand] {
            let len = i64::try_from(index_len(side)).unwrap_or(i64::MAX);
            self.index_listings.with_label_values(&[side_label(side)]).set(len);
        }
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot encode metrics: {e}")))?;
        String::from_utf8(out).map_err(|e| ApiError::Internal(e.into()))
    }
}

//! The HTTP side of the metrics: the middleware that counts every request and `GET /metrics`.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{get, web, HttpResponse};
use prometheus::{Encoder, IntGauge, TextEncoder};

use super::method_label;
use crate::error::ApiError;
use crate::state::AppState;

/// Counts a request as in flight until dropped (also when the client goes away mid-request).
struct InFlight<'a>(&'a IntGauge);

impl<'a> InFlight<'a> {
    fn enter(gauge: &'a IntGauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Middleware (`actix_web::middleware::from_fn(metrics::track)`): counts and times every
/// request by method, route pattern and status.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_string());
    let result = {
        let _in_flight = InFlight::enter(&state.metrics.in_flight);
        next.call(req).await
    };
    let status = match &result {
        Ok(res) => res.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    state.metrics.observe_request(method, &route, status.as_u16(), started.elapsed().as_secs_f64());
    result
}

/// Prometheus metrics.
///
/// This instance's series in the Prometheus text exposition format (0.0.4).
#[utoipa::path(operation_id = "metrics", tag = "health", responses(
    (status = 200, description = "This instance's series (requests and latency per route pattern and status, engine \
search latency, pool and index gauges) in the Prometheus text format 0.0.4.",
        content_type = "text/plain; version=0.0.4",
        body = String)))]
#[get("/metrics")]
pub async fn scrape(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let body = state.metrics.render(&state.pool, |side| state.matcher.len(side))?;
    Ok(HttpResponse::Ok().insert_header((header::CONTENT_TYPE, TextEncoder::new().format_type())).body(body))
}

//! The server's own middleware (`src/app.rs` wraps the app in them): the request id, its span
//! and the access log; HEAD answered as GET; the request deadline; the headers every response
//! carries.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use tracing::Instrument;

use crate::auth::principal::SignedIn;
use crate::client_addr::TrustedProxies;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Name of the request and response header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// The id of a request: the client's `X-Request-Id` when sane (1–128 of `A–Z a–z 0–9 - _ . :`),
/// else a new UUID. It is answered in `X-Request-Id` and is a field of the request's span, so
/// every log line written while serving the request names it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    fn of(req: &ServiceRequest) -> Self {
        let sent = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).filter(|id| {
            (1..=128).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        });
        Self(sent.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string))
    }
}

/// Outermost middleware: takes or makes the [`RequestId`], runs the request inside a span that
/// carries it, answers it in `X-Request-Id`, and writes one access-log line per request
/// (method, route pattern, status, latency, request id, client address, the signed-in user when
/// known).
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = RequestId::of(&req);
    let method = req.method().clone();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_string());
    // The client's address: the peer, or X-Forwarded-For through trusted proxies only.
    let peer = req.peer_addr().map(|a| a.ip());
    let client = match req.app_data::<web::Data<AppState>>() {
        Some(state) => state.trusted_proxies.client_ip(peer, req.headers()),
        None => TrustedProxies::default().client_ip(peer, req.headers()),
    };
    let span = tracing::info_span!("request", request_id = %id.0, method = %method, route = %route, client = %client);
    req.extensions_mut().insert(id.clone());
    let result = next.call(req).instrument(span.clone()).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (status, user) = match &result {
        Ok(res) => (res.status(), res.request().extensions().get::<SignedIn>().map(|s| s.0.to_string())),
        Err(e) => (e.as_response_error().status_code(), None),
    };
    tracing::info!(
        parent: &span,
        method = %method,
        route = %route,
        status = status.as_u16(),
        latency_ms,
        request_id = %id.0,
        user_id = user.as_deref().unwrap_or("-"),
        "request served"
    );
    let mut res = result.map_err(|error| Answered { error, request_id: id.0.clone() })?;
    if let Ok(value) = header::HeaderValue::from_str(&id.0) {
        res.headers_mut().insert(header::HeaderName::from_static(REQUEST_ID), value);
    }
    Ok(res)
}

/// HEAD on any GET route: the request is routed as a GET; the HTTP layer sends the head of the
/// answer (with its `Content-Length`) and no body (RFC 9110 §9.3.2).
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// How long a request may take (`TECHMATCH_REQUEST_TIMEOUT_MS`), handed to [`deadline`] as app data.
#[derive(Debug, Clone, Copy)]
pub struct RequestDeadline(pub Duration);

/// The request deadline: a request whose handler has not answered within [`RequestDeadline`]
/// answers 503 `request_timeout` with `Retry-After`. The handler's future is dropped; database
/// work already handed to the blocking pool ends within `statement_timeout` (below the deadline),
/// so a write either committed before or is rolled back; a retry with the same
/// `Idempotency-Key` tells which. (The answer is an error value, not a response: an app-level
/// middleware runs before routing and may not keep a copy of the request to answer with.)
pub async fn deadline(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(limit) = req.app_data::<web::Data<RequestDeadline>>().map(|d| d.0) else {
        return next.call(req).await;
    };
    match actix_web::rt::time::timeout(limit, next.call(req)).await {
        Ok(result) => result,
        Err(_) => {
            tracing::warn!(limit_ms = limit.as_millis() as u64, "request deadline passed");
            Err(ApiError::Status {
                status: actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                code: ErrorCode::RequestTimeout,
                detail: format!("the request did not finish within {} ms; retry shortly", limit.as_millis()),
            }
            .into())
        }
    }
}

/// An error that reached the outermost middleware, answered with the headers every response
/// carries (the request id, `nosniff`).
#[derive(Debug)]
struct Answered {
    error: actix_web::Error,
    request_id: String,
}

impl std::fmt::Display for Answered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for Answered {
    fn status_code(&self) -> actix_web::http::StatusCode {
        self.error.as_response_error().status_code()
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let mut response = self.error.error_response();
        let headers = response.headers_mut();
        if let Ok(value) = header::HeaderValue::from_str(&self.request_id) {
            headers.insert(header::HeaderName::from_static(REQUEST_ID), value);
        }
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
        response
    }
}

/// The Content-Security-Policy of the `/docs` page (set by its handler) keeps it offline; this
/// adds what every response carries: `X-Content-Type-Options: nosniff`, and
/// `Cache-Control: no-store` on the account endpoints under `/api/v1/auth/` (their bodies carry
/// tokens or credentials).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let carries_tokens = req.path().starts_with("/api/v1/auth/");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    if carries_tokens {
        headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// Answers the request in the language its `Accept-Language` asks for (Chinese unless English
/// is preferred, see [`Lang::negotiate`](crate::lang::Lang::negotiate)): every problem rendered
/// while handling it, including an error an inner middleware returns, reads
/// [`Lang::current`](crate::lang::Lang::current). The outermost middleware.
pub async fn language(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let header = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let lang = crate::lang::Lang::negotiate(header);
    crate::lang::scope(lang, async move {
        match next.call(req).await {
            Ok(res) => Ok(res.map_into_boxed_body()),
            // Rendered here, in the language's scope, rather than by the server outside it.
            Err(err) => {
                let response = err.error_response();
                Err(actix_web::error::InternalError::from_response(err.to_string(), response).into())
            }
        }
    })
    .await
}

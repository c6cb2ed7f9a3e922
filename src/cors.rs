//! Cross-origin access for the separate web frontend (`TECHMATCH_CORS_ORIGINS`).
//!
//! With no origin configured (the default) no CORS header is ever sent and browsers keep the
//! same-origin rule. With origins configured, a preflight from one of them is answered with the
//! allowed methods (GET, POST, PATCH), request headers (`Authorization`, `Content-Type`,
//! `If-Match`, `If-None-Match`, `Idempotency-Key`) and exposed response headers (`ETag`, `Location`,
//! `Retry-After`, `Content-Disposition` of the CSV export); a preflight from
//! any other origin is refused with 400 `cors_rejected` problem JSON. Actual requests from other
//! origins are served without CORS headers (the browser then hides the response from the page),
//! so curl and same-origin callers work whatever `Origin` they send.

use actix_cors::{Cors, CorsError};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderName};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::middleware::{Condition, ErrorHandlerResponse, ErrorHandlers};
use actix_web::HttpResponse;

use crate::error::{problem_response, ErrorCode};

/// `Idempotency-Key` of `POST /api/v1/connections`, lower-cased as header names are on the wire.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Seconds a browser may cache a preflight answer.
pub const PREFLIGHT_MAX_AGE_SECS: usize = 3600;

/// Checks and normalises configured origins (`scheme://host[:port]`, no path, no wildcard);
/// blank entries are dropped. An error names the bad entry, so the service refuses to start.
pub fn parse_origins(raw: &[String]) -> anyhow::Result<Vec<String>> {
    let mut origins = Vec::new();
    for entry in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let origin = entry.trim_end_matches('/');
        let uri: Uri = origin.parse().map_err(|e| anyhow::anyhow!("TECHMATCH_CORS_ORIGINS: `{entry}`: {e}"))?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        let bare = uri.path_and_query().map_or(true, |pq| pq.as_str().is_empty() || pq.as_str() == "/");
        if !scheme_ok || uri.host().is_none() || !bare || origin.contains('*') {
            anyhow::bail!("TECHMATCH_CORS_ORIGINS: `{entry}` is not an origin like https://app.example.org[:port]");
        }
        origins.push(origin.to_string());
    }
    Ok(origins)
}

/// The CORS middleware for these (already parsed) origins; does nothing when there are none.
pub fn middleware(origins: &[String]) -> Condition<Cors> {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PATCH, Method::PUT, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static(IDEMPOTENCY_KEY),
        ])
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER, header::CONTENT_DISPOSITION])
        .max_age(PREFLIGHT_MAX_AGE_SECS);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    Condition::new(!origins.is_empty(), cors)
}

/// Turns the CORS middleware's plain-text refusals (400) into `cors_rejected` problem JSON.
/// Wrap it outside [`middleware`].
pub fn rejections_as_problems<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().handler(StatusCode::BAD_REQUEST, |res: ServiceResponse<B>| {
        let detail = res.response().error().and_then(|e| e.as_error::<CorsError>()).map(|e| e.to_string());
        let Some(detail) = detail else {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        };
        let (req, _) = res.into_parts();
        let response: HttpResponse<BoxBody> =
            problem_response(StatusCode::BAD_REQUEST, ErrorCode::CorsRejected, detail, None);
        Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, response).map_into_right_body()))
    })
}

#[cfg(test)]
mod tests {
    use super::parse_origins;

    #[test]
    fn origins_are_checked_and_normalised() {
        let raw = vec![" https://app.example.org/ ".to_string(), String::new(), "http://127.0.0.1:5173".into()];
        assert_eq!(parse_origins(&raw).unwrap(), ["https://app.example.org", "http://127.0.0.1:5173"]);
        for bad in ["*", "app.example.org", "ftp://x.org", "https://x.org/app", "https://*.x.org"] {
            assert!(parse_origins(&[bad.to_string()]).is_err(), "{bad}");
        }
    }
}

//! Optimistic concurrency: every listing carries a `version`; responses send it as a strong
//! `ETag: "<version>"`, and updates must send `If-Match: "<version>"` (428 without it, 412 when
//! it is stale). Reads answer `304 Not Modified` when `If-None-Match` names the current `ETag`
//! ([`not_modified`]); records without a version (organisations, connections as the caller sees
//! them, the taxonomy, the vocabularies) get an ETag from a hash of their JSON ([`json_etag`]).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode};

/// The `ETag` header for a record version.
pub fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// The version named by `If-Match`: 428 `if_match_required` when absent, 400 `invalid_if_match`
/// when it is not a single strong ETag of this API.
pub fn expected_version(req: &HttpRequest) -> Result<i32, ApiError> {
    let value = req.headers().get(header::IF_MATCH).ok_or(ApiError::IfMatchRequired)?;
    parse_if_match(value).ok_or_else(|| {
        ApiError::bad_request(ErrorCode::InvalidIfMatch, "If-Match must be one ETag as sent by this API, e.g. \"3\"")
    })
}

/// `Cache-Control` of reference data that changes only with a release (the taxonomy, the
/// vocabularies): shared caches may keep it an hour, then revalidate with the `ETag`.
pub const CACHE_CONTROL: &str = "public, max-age=3600";

/// True when `If-None-Match` names `tag` (weak comparison, RFC 9110 13.1.2) or is `*`.
pub fn not_modified(req: &HttpRequest, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let wanted = opaque(tag);
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t) == wanted)
}

/// The strong ETag of a JSON body: the first 16 bytes of its SHA-256, in hex and quotes.
pub fn content_tag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// `value` as JSON with an `ETag` made from its bytes ([`content_tag`]) and, when given,
/// `Cache-Control`; `304 Not Modified` (no body, the same headers) when `If-None-Match` names it.
pub fn json_etag<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    cache_control: Option<&'static str>,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))?;
    let tag = content_tag(&body);
    let unchanged = not_modified(req, &tag);
    let mut response = if unchanged { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response.insert_header((header::ETAG, tag.clone()));
    if let Some(cache_control) = cache_control {
        response.insert_header((header::CACHE_CONTROL, cache_control));
    }
    if unchanged {
        return Ok(response.finish());
    }
    Ok(response.content_type("application/json").body(body))
}

fn parse_if_match(value: &HeaderValue) -> Option<i32> {
    let text = value.to_str().ok()?.trim();
    text.strip_prefix('"')?.strip_suffix('"')?.parse().ok().filter(|v: &i32| *v >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strong_etags_only() {
        assert_eq!(parse_if_match(&HeaderValue::from_static("\"3\"")), Some(3));
        assert_eq!(parse_if_match(&HeaderValue::from_static("3")), None);
        assert_eq!(parse_if_match(&HeaderValue::from_static("W/\"3\"")), None);
        assert_eq!(parse_if_match(&HeaderValue::from_static("\"0\"")), None);
        assert_eq!(parse_if_match(&HeaderValue::from_static("*")), None);
    }

    #[test]
    fn if_none_match_compares_weakly_and_in_lists() {
        use actix_web::test::TestRequest;
        let req = |v: &str| TestRequest::default().insert_header((header::IF_NONE_MATCH, v)).to_http_request();
        assert!(not_modified(&req("\"3\""), "\"3\""));
        assert!(not_modified(&req("W/\"3\""), "\"3\""));
        assert!(not_modified(&req("\"1\", \"3\""), "\"3\""));
        assert!(not_modified(&req("*"), "\"3\""));
        assert!(!not_modified(&req("\"4\""), "\"3\""));
        assert!(!not_modified(&TestRequest::default().to_http_request(), "\"3\""));
        assert_ne!(content_tag(b"{}"), content_tag(b"[]"));
    }
}

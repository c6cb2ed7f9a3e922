//! Optimistic concurrency: every listing carries a `version`; responses send it as a strong
//! `ETag: "<version>"`, and updates must send `If-Match: "<version>"` (428 without it, 412 when
//! it is stale).

use actix_web::http::header::{self, HeaderValue};
use actix_web::HttpRequest;

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
}

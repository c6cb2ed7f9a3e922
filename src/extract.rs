//! Makes the framework's own failures speak problem JSON: JSON body, path and query extractor
//! errors, unknown routes, wrong methods, oversized bodies.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::{problem_response, ApiError, ErrorCode, PROBLEM_JSON};

/// JSON bodies: size limit in bytes, `application/json` required, errors as problem JSON.
pub fn json_config(limit_bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit_bytes).error_handler(|err, _req| json_error(err).into())
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::ContentType => ApiError::Status {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: ErrorCode::UnsupportedMediaType,
            detail: "send the body as application/json".into(),
        },
        JsonPayloadError::Overflow { limit } | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::Status {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: ErrorCode::PayloadTooLarge,
                detail: format!("the body is larger than {limit} bytes"),
            }
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::bad_request(ErrorCode::InvalidBody, format!("the body does not fit the schema: {e}"))
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::bad_request(ErrorCode::MalformedJson, format!("the body is not valid JSON: {e}"))
        }
        other => ApiError::bad_request(ErrorCode::MalformedJson, format!("the body could not be read: {other}")),
    }
}

/// Path parameters (e.g. a bad UUID) answer 400 `invalid_path`.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req| {
        ApiError::bad_request(ErrorCode::InvalidPath, format!("invalid path parameter: {err}")).into()
    })
}

/// Query strings answer 400 `invalid_query` when a value does not parse.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::bad_request(ErrorCode::InvalidQuery, format!("invalid query string: {err}")).into()
    })
}

/// The default service: any unknown route answers 404 `route_not_found`.
pub async fn route_not_found(req: HttpRequest) -> HttpResponse {
    problem_response(
        StatusCode::NOT_FOUND,
        ErrorCode::RouteNotFound,
        format!("no route for {} {}", req.method(), req.path()),
        None,
    )
}

/// Rewrites any error response that is not already problem JSON (a 405 from a resource with
/// no matching method, an extractor the handlers above do not cover) into problem JSON.
pub fn problem_catch_all<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(PROBLEM_JSON));
        if is_problem {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let code = match status {
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::NOT_FOUND => ErrorCode::RouteNotFound,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            s if s.is_server_error() => ErrorCode::Internal,
            _ => ErrorCode::BadRequest,
        };
        let detail = match status {
            StatusCode::METHOD_NOT_ALLOWED => {
                format!("{} is not allowed on {}", res.request().method(), res.request().path())
            }
            s => s.canonical_reason().unwrap_or("error").to_string(),
        };
        let allow = (status == StatusCode::METHOD_NOT_ALLOWED)
            .then(|| res.request().match_pattern())
            .flatten()
            .and_then(|pattern| crate::openapi::allowed_methods(&pattern));
        let (req, _) = res.into_parts();
        let mut response: HttpResponse<BoxBody> = problem_response(status, code, detail, None);
        if let Some(allow) = allow.and_then(|a| header::HeaderValue::from_str(&a).ok()) {
            // RFC 9110 §15.5.6: a 405 names the methods the resource does support.
            response.headers_mut().insert(header::ALLOW, allow);
        }
        Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, response).map_into_right_body()))
    })
}

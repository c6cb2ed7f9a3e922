//! Makes the framework's own failures speak problem JSON: JSON body, path and query extractor
//! errors, unknown routes, wrong methods, oversized bodies.
//!
//! A wrong method on a known path (each method of a path is its own guarded resource) reaches
//! the default service, which answers 405 with `Allow` from the [`RouteTable`] that
//! [`crate::routes`] derives from the route declarations and hands over as app data.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceResponse};
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

/// The methods each route pattern answers, in the order the routes are declared.
pub struct RouteTable {
    routes: Vec<(ResourceDef, String)>,
}

impl RouteTable {
    /// A table of `(pattern, methods)`, e.g. `("/api/v1/supplies/{id}", ["GET", "PATCH"])`.
    /// Patterns without parameters are tried first, so `/connections/export.csv` is not taken
    /// for `/connections/{id}`.
    pub fn new<'a>(routes: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>) -> Self {
        let mut routes: Vec<(ResourceDef, String)> =
            routes.into_iter().map(|(pattern, methods)| (ResourceDef::new(pattern), methods.join(", "))).collect();
        routes.sort_by_key(|(def, _)| def.pattern().is_some_and(|p| p.contains('{')));
        Self { routes }
    }

    /// The methods of the route matching `path` (`GET, PATCH`), if any route matches it.
    pub fn allowed(&self, path: &str) -> Option<&str> {
        self.routes.iter().find(|(def, _)| def.is_match(path)).map(|(_, methods)| methods.as_str())
    }
}

/// The default service: a known path with another method answers 405 `method_not_allowed` with
/// `Allow` (RFC 9110 §15.5.6); any other route answers 404 `route_not_found`.
pub async fn route_not_found(req: HttpRequest) -> HttpResponse {
    let allow = req.app_data::<web::Data<RouteTable>>().and_then(|table| table.allowed(req.path()));
    let Some(allow) = allow else {
        return problem_response(
            StatusCode::NOT_FOUND,
            ErrorCode::RouteNotFound,
            format!("no route for {} {}", req.method(), req.path()),
            None,
        );
    };
    let mut response = problem_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("{} is not allowed on {}", req.method(), req.path()),
        None,
    );
    if let Ok(value) = header::HeaderValue::from_str(allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// Rewrites any error response that is not already problem JSON (an extractor the handlers
/// above do not cover, a framework failure) into problem JSON.
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
        let (req, _) = res.into_parts();
        let response: HttpResponse<BoxBody> = problem_response(status, code, detail, None);
        Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, response).map_into_right_body()))
    })
}

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

use crate::error::{problem_response, ApiError, ErrorCode, FieldCode, FieldError, PROBLEM_JSON};
use crate::lang::Lang;

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
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::BadFields {
            code: ErrorCode::InvalidBody,
            detail: format!("the body does not fit the schema: {e}"),
            errors: vec![serde_field_error("", &e.to_string())],
        },
        JsonPayloadError::Deserialize(e) => {
            ApiError::bad_request(ErrorCode::MalformedJson, format!("the body is not valid JSON: {e}"))
        }
        other => ApiError::bad_request(ErrorCode::MalformedJson, format!("the body could not be read: {other}")),
    }
}

/// Path parameters (e.g. a bad UUID) answer 400 `invalid_path`, naming the parameter in `errors`:
/// every path parameter of the API is a UUID, so the first that is not one is the culprit.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, req| {
        let params = req.match_info();
        let name = params
            .iter()
            .find(|(_, value)| uuid::Uuid::parse_str(value).is_err())
            .or_else(|| params.iter().next())
            .map(|(name, _)| name.to_string())
            .unwrap_or_else(|| "path".into());
        ApiError::BadFields {
            code: ErrorCode::InvalidPath,
            detail: format!("invalid path parameter: {err}"),
            errors: vec![FieldError::new(name, FieldCode::InvalidFormat).with("format", "uuid")],
        }
        .into()
    })
}

/// Query strings read by `web::Query` (the handlers use [`Query`]) answer 400 `invalid_query`.
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

/// A JSON body read like `web::Json` (size limit, `application/json`, syntax errors as 400
/// `malformed_json`, all by [`json_config`]), then deserialised with the path of every field serde
/// refuses: a wrong type, a missing or unknown field, a value outside a vocabulary answers 400
/// `invalid_body` with that field in `errors` (`{"field": "organization.kind", "code":
/// "invalid_value", "allowed": [...]}`).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

type Extracted<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, actix_web::Error>>>>;

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let raw = web::Json::<Box<serde_json::value::RawValue>>::from_request(req, payload);
        Box::pin(async move {
            let raw = raw.await?.into_inner();
            let mut deserializer = serde_json::Deserializer::from_str(raw.get());
            serde_path_to_error::deserialize(&mut deserializer).map(Json).map_err(|e| {
                let error = serde_field_error(&field_path(e.path()), &e.inner().to_string());
                ApiError::BadFields {
                    code: ErrorCode::InvalidBody,
                    detail: format!("the body does not fit the schema: `{}` {}", error.field, error.message(Lang::En)),
                    errors: vec![error],
                }
                .into()
            })
        })
    }
}

/// A query string deserialised with the name of the parameter serde refuses: an unknown
/// parameter or a value that does not parse answers 400 `invalid_query` with the parameter in
/// `errors`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: serde::de::DeserializeOwned> Query<T> {
    /// Parses `query` (a query string without `?`) as the extractor does.
    pub fn from_query(query: &str) -> Result<Self, ApiError> {
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(Query).map_err(|e| {
            let error = serde_field_error(&field_path(e.path()), &e.inner().to_string());
            ApiError::BadFields {
                code: ErrorCode::InvalidQuery,
                detail: format!("invalid query string: `{}` {}", error.field, error.message(Lang::En)),
                errors: vec![error],
            }
        })
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: serde::de::DeserializeOwned> actix_web::FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Self::from_query(req.query_string()).map_err(Into::into))
    }
}

/// A path as our field names write it: `organization.name`, `keywords.2`.
fn field_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let segments: Vec<String> = path
        .iter()
        .map(|segment| match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => key.clone(),
            Segment::Enum { variant } => variant.clone(),
            Segment::Unknown => "?".to_string(),
        })
        .collect();
    segments.join(".")
}

/// The names between backticks in a serde message (`` unknown field `x`, expected one of `a`, `b` ``).
fn quoted(message: &str) -> Vec<String> {
    message.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

fn child(parent: &str, name: &str) -> String {
    if parent.is_empty() || parent == "?" {
        name.to_string()
    } else if parent.rsplit('.').next() == Some(name) {
        parent.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// The JSON type named by serde's "invalid type: <unexpected>, …".
fn json_type(unexpected: &str) -> &'static str {
    let word = unexpected.split([' ', '`']).next().unwrap_or("");
    match word {
        "integer" => "integer",
        "floating" => "number",
        "string" | "character" => "string",
        "boolean" => "boolean",
        "null" | "unit" | "none" => "null",
        "map" | "struct" => "object",
        "sequence" | "tuple" => "array",
        _ => "value",
    }
}

/// Turns serde's message about the field at `path` into a field error with a code and
/// parameters: `missing`, `unknown_field` (`allowed`), `invalid_type` (`expected`, `actual`),
/// `invalid_value` (`allowed` for a closed vocabulary, `expected` otherwise).
pub fn serde_field_error(path: &str, message: &str) -> FieldError {
    let message = match message.rfind(" at line ") {
        Some(i) if message[i..].contains(" column ") => &message[..i],
        _ => message,
    };
    let names = quoted(message);
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = quoted(rest).into_iter().next().unwrap_or_default();
        return FieldError::new(child(path, &name), FieldCode::Missing);
    }
    if message.starts_with("unknown field ") {
        let name = names.first().cloned().unwrap_or_default();
        return FieldError::new(child(path, &name), FieldCode::UnknownField)
            .with("allowed", names[1.min(names.len())..].to_vec());
    }
    if message.starts_with("unknown variant ") {
        let mut error =
            FieldError::new(path, FieldCode::InvalidValue).with("allowed", names[1.min(names.len())..].to_vec());
        if let Some(value) = names.first() {
            error = error.with("value", value.as_str());
        }
        return error;
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (unexpected, expected) = rest.split_once(", expected ").unwrap_or((rest, "another type"));
        // serde names a body's own type (`struct SupplyInput`): the reader sees a JSON object.
        let expected =
            if expected.starts_with("struct ") || expected.starts_with("map") { "an object" } else { expected };
        return FieldError::new(path, FieldCode::InvalidType)
            .with("expected", expected)
            .with("actual", json_type(unexpected));
    }
    if let Some(rest) = message.strip_prefix("duplicate field ") {
        let name = quoted(rest).into_iter().next().unwrap_or_default();
        return FieldError::new(child(path, &name), FieldCode::InvalidValue).says("字段重复", "is given twice");
    }
    if let Some((_, expected)) = message.split_once(", expected ") {
        return FieldError::new(path, FieldCode::InvalidValue).with("expected", expected);
    }
    FieldError::new(path, FieldCode::InvalidValue)
        .says(format!("取值无效（{message}）"), format!("is invalid ({message})"))
}

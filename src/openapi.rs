//! The OpenAPI 3.1 document of the API, generated from the handlers' `#[utoipa::path]`
//! annotations and the types' `ToSchema` derives. It is committed as `openapi/openapi.json`
//! (a test fails when the two differ; `UPDATE_OPENAPI=1 cargo test --test openapi` rewrites it)
//! and served at `GET /api/v1/openapi.json`; `GET /docs` renders it with a vendored Redoc.
//!
//! Besides the document this module holds the pieces that exist only to describe the API: the
//! [`Problem`] schema of every error body, the reusable error responses, schemas built from the
//! compiled taxonomy and vocabularies ([`IndustryCode`], [`IndustryList`], …), the text patterns
//! that say what `str::trim` and the NUL check accept, and the documentation endpoints. It also
//! answers the `Allow` header of a 405 ([`allowed_methods`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Header, HeaderBuilder, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToResponse, ToSchema};
use uuid::Uuid;

use crate::error::{FieldError, PROBLEM_JSON};
use crate::industries::taxonomy::Taxonomy;
use crate::vocab::ConnectionStatus;

/// The API description: every route of [`crate::app::routes`] with its parameters, bodies,
/// responses and security.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "techmatch",
        description = "REST API of a regional science and technology achievement supply–demand matching platform \
(科技成果供需对接平台): universities and institutes publish technology achievements (supplies), enterprises post \
technology needs (demands), the service ranks one side for the other with an explanation of every match, and logs each \
connection (对接) from first contact to signed contract.\n\nConventions (errors, pagination, concurrency, \
idempotency) are described in docs/API.md. Every failure is an RFC 9457 problem (`application/problem+json`) with a \
stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        crate::health::healthz,
        crate::health::readyz,
        crate::metrics::scrape,
        api_document,
        docs_page,
        docs_script,
        crate::industries::handlers::list,
        crate::accounts::handlers::register,
        crate::accounts::handlers::login,
        crate::accounts::handlers::refresh,
        crate::accounts::handlers::logout,
        crate::accounts::handlers::me,
        crate::accounts::handlers::change_password,
        crate::organizations::handlers::list,
        crate::organizations::handlers::create,
        crate::organizations::handlers::get,
        crate::organizations::handlers::verify,
        crate::supplies::handlers::list,
        crate::supplies::handlers::create,
        crate::supplies::handlers::get,
        crate::supplies::handlers::update,
        crate::supplies::handlers::archive,
        crate::matches::handlers::for_supply,
        crate::demands::handlers::list,
        crate::demands::handlers::create,
        crate::demands::handlers::get,
        crate::demands::handlers::update,
        crate::demands::handlers::withdraw,
        crate::matches::handlers::for_demand,
        crate::matches::handlers::preview,
        crate::connections::handlers::list,
        crate::connections::handlers::open,
        crate::connections::handlers::export_csv,
        crate::connections::handlers::get,
        crate::connections::handlers::move_to,
        crate::stats::handlers::listings,
        crate::stats::handlers::connections,
        crate::stats::handlers::contracts,
    ),
    components(
        schemas(
            Problem,
            FieldError,
            IndustryCode,
            IndustryOrGroupCode,
            IndustryList,
            IndustryOrGroupList,
            TransferModeList,
            Keyword,
            crate::stats::handlers::Period
        ),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            PayloadTooLarge,
            UnsupportedMediaType,
            ValidationFailed,
            TooManyRequests,
            ServiceUnavailable
        ),
    ),
    modifiers(&Components),
    tags(
        (name = "health", description = "Liveness and readiness probes, Prometheus metrics."),
        (name = "docs", description = "This document and its human-readable rendering."),
        (name = "industries", description = "The industry taxonomy: 六新六特六优 plus the +N frontier fields."),
        (name = "accounts", description = "Registration, sign-in, token rotation and the caller's account."),
        (name = "organizations", description = "Universities, institutes, enterprises, agencies and departments."),
        (name = "supplies", description = "Technology achievements offered for transfer (科技成果)."),
        (name = "demands", description = "Technology needs posted by enterprises (技术需求)."),
        (name = "matches", description = "Ranked, scored and explained pairings of demands and supplies."),
        (name = "connections", description = "Tracked connections (对接) with an append-only outcome log."),
        (name = "stats", description = "Statistics for the science and technology department (admins)."),
    ),
)]
pub struct ApiDoc;

/// The generated document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The generated document as pretty-printed JSON with a final newline (the form committed as
/// `openapi/openapi.json`).
pub fn document_json() -> String {
    let mut text = document().to_pretty_json().unwrap_or_else(|e| panic!("the OpenAPI document serialises: {e}"));
    text.push('\n');
    text
}

/// The methods of a route pattern (e.g. `/api/v1/supplies/{id}` → `GET, PATCH`), from the
/// document; the `Allow` header of a 405 (the route-coverage test keeps the document and
/// `src/app.rs` in step).
pub fn allowed_methods(pattern: &str) -> Option<String> {
    static METHODS: OnceLock<HashMap<String, String>> = OnceLock::new();
    METHODS
        .get_or_init(|| {
            document()
                .paths
                .paths
                .into_iter()
                .map(|(path, item)| {
                    let methods: Vec<&str> = [
                        ("GET", item.get.is_some()),
                        ("POST", item.post.is_some()),
                        ("PUT", item.put.is_some()),
                        ("PATCH", item.patch.is_some()),
                        ("DELETE", item.delete.is_some()),
                    ]
                    .into_iter()
                    .filter_map(|(name, present)| present.then_some(name))
                    .collect();
                    (path, methods.join(", "))
                })
                .collect()
        })
        .get(pattern)
        .cloned()
}

/// Name of the bearer security scheme in the document.
pub const BEARER: &str = "bearer";

/// Adds what the derive cannot express: the bearer (JWT) security scheme.
struct Components;

impl Modify for Components {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /api/v1/auth/login` or `POST /api/v1/auth/refresh` \
(HS256 JWT, 15 minutes by default).",
                    ))
                    .build(),
            ),
        );
    }
}

/// An RFC 9457 problem details body (`application/problem+json`): the shape of every error
/// answered by the API, mirroring `src/error.rs`. Some problems carry extension members
/// (`existing_id` on `connection_exists`; `from`, `to` and `allowed` on `illegal_transition`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"type": "urn:techmatch:problem:validation_failed", "title": "Unprocessable Entity",
    "status": 422, "code": "validation_failed", "detail": "1 field(s) are invalid",
    "errors": [{"field": "title", "message": "must be 1–200 characters (got 0)"}]}))]
pub struct Problem {
    /// `urn:techmatch:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:techmatch:problem:not_found")]
    pub kind: String,
    /// The HTTP reason phrase of `status`.
    #[schema(example = "Not Found")]
    pub title: String,
    /// The HTTP status code, repeated.
    #[schema(minimum = 400, maximum = 599, example = 404)]
    pub status: u16,
    /// Stable machine-readable code (the table in docs/API.md lists every one), e.g.
    /// `invalid_query`, `authentication_required`, `not_found`, `validation_failed`,
    /// `database_unavailable`.
    #[schema(example = "not_found")]
    pub code: String,
    /// What went wrong, for a human.
    #[schema(example = "supply 6f1c0d7e-2a55-4c1b-9d0e-8f1f2b3c4d5e not found")]
    pub detail: String,
    /// Only on `validation_failed`: every invalid field with its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldError>>,
    /// Only on `connection_exists`: the open connection of the same pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub existing_id: Option<Uuid>,
    /// Only on `illegal_transition`: the connection's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub from: Option<ConnectionStatus>,
    /// Only on `illegal_transition`: the status asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub to: Option<ConnectionStatus>,
    /// Only on `illegal_transition`: the moves allowed from `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub allowed: Option<Vec<ConnectionStatus>>,
}

/// An industry code of the taxonomy (`GET /api/v1/industries`), e.g. `goji`, `new_materials`,
/// `hydrogen`. The enumeration is built from the compiled `data/industries.json`.
pub struct IndustryCode;

impl PartialSchema for IndustryCode {
    fn schema() -> RefOr<Schema> {
        let codes: Vec<&str> = Taxonomy::embedded().industries.iter().map(|i| i.code.as_str()).collect();
        let example = codes.first().copied().unwrap_or_default();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An industry code of the taxonomy (`GET /api/v1/industries`)."))
            .enum_values(Some(codes))
            .examples([example])
            .into()
    }
}

impl ToSchema for IndustryCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("IndustryCode")
    }
}

/// An industry code or an industry group code (`six_new`, `six_special`, `six_advantage`,
/// `plus_n`): the match filters accept both.
pub struct IndustryOrGroupCode;

impl PartialSchema for IndustryOrGroupCode {
    fn schema() -> RefOr<Schema> {
        let taxonomy = Taxonomy::embedded();
        let codes: Vec<&str> = taxonomy
            .industries
            .iter()
            .map(|i| i.code.as_str())
            .chain(taxonomy.groups.iter().map(|g| g.code.as_str()))
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An industry code or an industry group code (`GET /api/v1/industries`)."))
            .enum_values(Some(codes))
            .into()
    }
}

impl ToSchema for IndustryOrGroupCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("IndustryOrGroupCode")
    }
}

/// White space as `str::trim` knows it (Rust's `char::is_whitespace`, the Unicode White_Space
/// property), as the body of a regular-expression character class.
pub const WHITE_SPACE_CLASS: &str =
    "\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// A pattern for a comma-separated list of `codes` as the list filters read it: each item is
/// trimmed, empty items are skipped (so an empty value means no filter), any other item must be
/// one of `codes`.
fn code_list_pattern(codes: &[&str]) -> String {
    let item = format!("[{WHITE_SPACE_CLASS}]*({})?[{WHITE_SPACE_CLASS}]*", codes.join("|"));
    format!("^{item}(,{item})*$")
}

fn code_list_schema(description: &str, codes: &[&str], example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(code_list_pattern(codes)))
        .examples([example])
        .into()
}

macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident, $description:expr, $codes:expr, $example:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let codes: Vec<&str> = $codes;
                code_list_schema($description, &codes, $example)
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

code_list!(
    /// Comma-separated industry codes (a list filter).
    IndustryList,
    "Comma-separated industry codes (`IndustryCode`); blank items are ignored.",
    Taxonomy::embedded().industries.iter().map(|i| i.code.as_str()).collect(),
    "goji,dairy"
);

code_list!(
    /// Comma-separated industry or group codes (the match filter).
    IndustryOrGroupList,
    "Comma-separated industry or group codes (`IndustryOrGroupCode`); blank items are ignored.",
    {
        let t = Taxonomy::embedded();
        t.industries.iter().map(|i| i.code.as_str()).chain(t.groups.iter().map(|g| g.code.as_str())).collect()
    },
    "goji,six_new"
);

code_list!(
    /// Comma-separated cooperation / transfer modes (the match filter).
    TransferModeList,
    "Comma-separated cooperation / transfer modes (`TransferMode`); blank items are ignored.",
    crate::vocab::TransferMode::ALL.iter().map(|m| m.as_str()).collect(),
    "transfer,license"
);

/// A keyword of a listing: at most 30 characters, not blank, no U+0000.
pub struct Keyword;

impl PartialSchema for Keyword {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A keyword: at most 30 characters, not blank."))
            .min_length(Some(1))
            .max_length(Some(30))
            .pattern(Some(REQUIRED_TEXT))
            .examples(["枸杞"])
            .into()
    }
}

impl ToSchema for Keyword {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Keyword")
    }
}

/// The pattern of a required text: no U+0000 and at least one character that is not white space
/// (texts are trimmed before their length is checked).
pub const REQUIRED_TEXT: &str =
    "^[^\\x00]*[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\x00][^\\x00]*$";

/// The statuses a supply may be given through its body (archiving has its own endpoint).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditableSupplyStatus {
    Draft,
    Published,
}

/// The statuses a demand may be given through its body (withdrawing has its own endpoint).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditableDemandStatus {
    Draft,
    Open,
    Closed,
}

fn problem_content() -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(utoipa::openapi::Ref::from_schema_name("Problem"))).build()
}

fn integer_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
        .description(Some(description))
        .build()
}

fn string_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(Object::with_type(SchemaType::Type(Type::String)))
        .description(Some(description))
        .build()
}

/// A problem response with a description and optional headers.
fn problem(description: &str, headers: Vec<(&str, Header)>) -> RefOr<Response> {
    let mut builder = ResponseBuilder::new().description(description).content(PROBLEM_JSON, problem_content());
    for (name, h) in headers {
        builder = builder.header(name, h);
    }
    builder.build().into()
}

macro_rules! problem_response {
    ($(#[$meta:meta])* $name:ident, $description:expr $(, $header:expr)* $(,)?) => {
        $(#[$meta])*
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), problem($description, vec![$($header),*]))
            }
        }
    };
}

problem_response!(
    /// 400: the request is malformed.
    BadRequest,
    "The request is malformed: `malformed_json` (the body is not JSON), `invalid_body` (the JSON does not fit the \
schema: unknown field, wrong type, unknown enum value), `invalid_path` (a path parameter does not parse), \
`invalid_query` (a query parameter is unknown, malformed or out of range), `nul_character` (a text holds U+0000), \
`invalid_if_match` or `invalid_idempotency_key` (a header is malformed)."
);

problem_response!(
    /// 401: no valid bearer token.
    Unauthorized,
    "`authentication_required` (no bearer token where one is needed) or `invalid_token` (the token is forged, \
expired, or not an access token; also answered when an optional token is sent and is not valid).",
    ("WWW-Authenticate", www_authenticate())
);

problem_response!(
    /// 403: the caller's role or organisation may not do this.
    Forbidden,
    "`forbidden`: the caller's role or organisation may not do this."
);

problem_response!(
    /// 404: no such record, or not visible to the caller.
    NotFound,
    "`not_found`: no such record, or another organisation's private record."
);

problem_response!(
    /// 413: the body is too large.
    PayloadTooLarge,
    "`payload_too_large`: the body exceeds `TECHMATCH_MAX_BODY_BYTES` (256 KiB by default)."
);

problem_response!(
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    "`unsupported_media_type`: the body must be sent as `application/json`."
);

problem_response!(
    /// 422: fields are invalid.
    ValidationFailed,
    "`validation_failed`: the JSON is well-formed but fields are invalid; `errors` lists each field with its \
message (lengths are counted in characters, as sent)."
);

problem_response!(
    /// 429: too many attempts.
    TooManyRequests,
    "`rate_limited`: too many login or registration attempts from this address or for this account.",
    ("Retry-After", retry_after("Seconds to wait before trying again."))
);

problem_response!(
    /// 503: PostgreSQL is unreachable or the pool is exhausted.
    ServiceUnavailable,
    "`database_unavailable`: PostgreSQL is unreachable or every pooled connection is busy; retry later.",
    ("Retry-After", retry_after("Seconds to wait before retrying (5)."))
);

fn www_authenticate() -> Header {
    string_header("`Bearer realm=\"techmatch\"`, with `error=\"invalid_token\"` for a bad token.")
}

fn retry_after(description: &str) -> Header {
    integer_header(description)
}

/// This OpenAPI document.
///
/// `GET /api/v1/openapi.json`: this document.
#[utoipa::path(
    get,
    operation_id = "get_openapi_document",
    path = "/api/v1/openapi.json",
    tag = "docs",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API.", content_type = "application/json",
        body = Object)),
)]
pub async fn api_document() -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CONTENT_TYPE, "application/json")).body(document_json())
}

/// The Redoc standalone bundle (MIT, see `docs/vendor/redoc.LICENSE`), served by `GET /docs`.
const REDOC_JS: &str = include_str!("../docs/vendor/redoc.standalone.js");
/// The page rendering the document; it loads the bundle from `/docs/redoc.standalone.js`.
const DOCS_HTML: &str = include_str!("../docs/vendor/index.html");

/// API documentation page.
///
/// `GET /docs`: a human-readable rendering of this document (Redoc, served from the binary).
#[utoipa::path(
    get,
    operation_id = "get_docs_page",
    path = "/docs",
    tag = "docs",
    responses((status = 200, description = "An HTML page rendering `/api/v1/openapi.json` with Redoc.",
        content_type = "text/html", body = String)),
)]
pub async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(DOCS_HTML)
}

/// Documentation page script.
///
/// `GET /docs/redoc.standalone.js`: the vendored renderer used by the docs page.
#[utoipa::path(
    get,
    operation_id = "get_docs_script",
    path = "/docs/redoc.standalone.js",
    tag = "docs",
    responses((status = 200, description = "Redoc 2.5.4 (MIT), the script the docs page runs.",
        content_type = "application/javascript", body = String)),
)]
pub async fn docs_script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(REDOC_JS)
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;
    use actix_web::ResponseError;
    use serde_json::json;

    use super::*;
    use crate::error::{ApiError, ErrorCode};

    fn body_of(err: ApiError) -> Problem {
        let response = err.error_response();
        let bytes = response.into_body().try_into_bytes().unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("error body fits the Problem schema: {e}"))
    }

    #[test]
    fn problem_schema_mirrors_the_error_bodies() {
        let p = body_of(ApiError::NotFound("supply x".into()));
        assert_eq!((p.kind.as_str(), p.status, p.code.as_str()), ("urn:techmatch:problem:not_found", 404, "not_found"));
        let p = body_of(ApiError::invalid_field("title", "too long"));
        assert_eq!(p.errors.map(|e| e.len()), Some(1));
        let p = body_of(ApiError::ConflictWith {
            code: ErrorCode::IllegalTransition,
            detail: "no".into(),
            extension: json!({"from": "signed", "to": "failed", "allowed": []}),
        });
        assert_eq!(p.from, Some(ConnectionStatus::Signed));
        let p = body_of(ApiError::ConflictWith {
            code: ErrorCode::ConnectionExists,
            detail: "no".into(),
            extension: json!({"existing_id": Uuid::nil()}),
        });
        assert_eq!(p.existing_id, Some(Uuid::nil()));
    }

    fn enum_of<T: ToSchema>() -> Vec<String> {
        let RefOr::T(Schema::Object(o)) = T::schema() else { panic!("{} is an inline object schema", T::name()) };
        o.enum_values.unwrap_or_default().iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
    }

    #[test]
    fn vocabulary_schemas_list_the_stored_values() {
        use crate::vocab::*;
        fn check<T: ToSchema + Copy + std::fmt::Display>(all: &[T]) {
            assert_eq!(enum_of::<T>(), all.iter().map(|v| v.to_string()).collect::<Vec<_>>(), "{}", T::name());
        }
        check(TransferMode::ALL);
        check(IpType::ALL);
        check(SupplyStatus::ALL);
        check(DemandStatus::ALL);
        check(OrganizationKind::ALL);
        check(Role::ALL);
        check(Verification::ALL);
        check(ConnectionStatus::ALL);
        check(ContractType::ALL);
        check(FailureReason::ALL);
    }

    /// The characters of the first `[^...]` class of [`REQUIRED_TEXT`] that is not `[^\x00]`.
    fn white_space_class() -> Vec<(u32, u32)> {
        let class = REQUIRED_TEXT.split("[^").nth(2).and_then(|c| c.split(']').next()).unwrap_or_default();
        let mut chars = Vec::new();
        let mut rest = class;
        while !rest.is_empty() {
            let (c, tail) = match rest.strip_prefix('\\') {
                Some(t) if t.starts_with('x') => (u32::from_str_radix(&t[1..3], 16).unwrap(), &t[3..]),
                Some(t) if t.starts_with('u') => (u32::from_str_radix(&t[1..5], 16).unwrap(), &t[5..]),
                Some(t) => (
                    match &t[..1] {
                        "t" => 9,
                        "n" => 10,
                        "r" => 13,
                        other => panic!("unexpected escape {other}"),
                    },
                    &t[1..],
                ),
                None => {
                    let c = rest.chars().next().unwrap();
                    (c as u32, &rest[c.len_utf8()..])
                }
            };
            chars.push(c);
            rest = tail;
        }
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if i + 2 < chars.len() && chars[i + 1] == '-' as u32 {
                ranges.push((chars[i], chars[i + 2]));
                i += 3;
            } else {
                ranges.push((chars[i], chars[i]));
                i += 1;
            }
        }
        ranges
    }

    #[test]
    fn list_patterns_read_lists_as_the_filters_do() {
        let re = code_list_pattern(&["goji", "dairy"]);
        assert!(REQUIRED_TEXT.contains(WHITE_SPACE_CLASS));
        assert!(re.starts_with('^') && re.ends_with('$') && re.contains("(goji|dairy)"), "{re}");
    }

    #[test]
    fn text_patterns_know_white_space_as_trim_does() {
        let ranges = white_space_class();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let in_class = ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&(c as u32)));
            assert_eq!(in_class, c.is_whitespace() || c == '\0', "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn industry_codes_come_from_the_taxonomy() {
        let RefOr::T(Schema::Object(o)) = IndustryCode::schema() else { panic!("an inline object schema") };
        assert_eq!(o.enum_values.map(|v| v.len()), Some(Taxonomy::embedded().industries.len()));
    }
}

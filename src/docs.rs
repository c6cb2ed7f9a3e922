//! The API's description for people and generators: `GET /api/v1/openapi.json` serves the
//! document that [`crate::routes`] derives from the route declarations (handed to the handler as
//! app data, so this module imports no feature), and `GET /docs` renders it with a vendored Redoc.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

/// The OpenAPI document as pretty-printed JSON, built once at start-up.
#[derive(Clone)]
pub struct OpenApiJson(pub String);

/// This OpenAPI document.
///
/// This document.
#[utoipa::path(operation_id = "get_openapi_document",
    tag = "docs",
    responses(
    (status = 200, description = "The OpenAPI 3.1 document of this API.", content_type = "application/json",
        body = Object)))]
#[get("/openapi.json")]
pub async fn api_document(document: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CONTENT_TYPE, "application/json")).body(document.0.clone())
}

/// The Redoc standalone bundle (MIT, see `docs/vendor/redoc.LICENSE`), served by `GET /docs`.
const REDOC_JS: &str = include_str!("../docs/vendor/redoc.standalone.js");
/// The page rendering the document; it loads the bundle from `/docs/redoc.standalone.js`.
const DOCS_HTML: &str = include_str!("../docs/vendor/index.html");

/// API documentation page.
///
/// A human-readable rendering of this document (Redoc, served from the binary).
#[utoipa::path(operation_id = "get_docs_page", tag = "docs", responses(
    (status = 200, description = "An HTML page rendering `/api/v1/openapi.json` with Redoc.",
        content_type = "text/html", body = String)))]
#[get("/docs")]
pub async fn docs_page() -> HttpResponse {
    asset("text/html; charset=utf-8", "no-cache", DOCS_HTML)
}

/// Documentation page script.
///
/// The vendored renderer used by the docs page.
#[utoipa::path(operation_id = "get_docs_script", tag = "docs", responses(
    (status = 200, description = "Redoc 2.5.4 (MIT), the script the docs page runs.",
        content_type = "application/javascript", body = String)))]
#[get("/docs/redoc.standalone.js")]
pub async fn docs_script() -> HttpResponse {
    asset("application/javascript; charset=utf-8", "public, max-age=86400", REDOC_JS)
}

/// A file compiled into the binary, with its type and caching.
fn asset(content_type: &str, cache_control: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .body(body)
}

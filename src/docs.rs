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
    let mut response = asset("text/html; charset=utf-8", "no-cache", DOCS_HTML);
    if let Ok(value) = header::HeaderValue::from_str(docs_policy()) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The page's Content-Security-Policy: scripts from this server (the bundle) and the page's one
/// inline script, by its SHA-256; the document fetched from this server; styles inline (Redoc
/// injects its own); images and fonts from this server or `data:`; the search worker from a
/// `blob:`. Nothing may load from anywhere else, so the page works offline and tells no third
/// party who reads it.
fn docs_policy() -> &'static str {
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        use base64::Engine;
        use sha2::Digest;
        let scripts = DOCS_HTML.split("<script>").skip(1).filter_map(|rest| rest.split_once("</script>"));
        let hashes: Vec<String> = scripts
            .map(|(inline, _)| {
                let digest = sha2::Sha256::digest(inline.as_bytes());
                format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
            })
            .collect();
        format!(
            "default-src 'none'; script-src 'self' {}; connect-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; \
frame-ancestors 'none'",
            hashes.join(" ")
        )
    })
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

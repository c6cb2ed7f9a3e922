//! `GET /api/v1/vocabularies`.

use actix_web::{get, HttpRequest, HttpResponse};

use super::model::{every, VocabularyList};
use crate::error::ApiError;
use crate::etag::{json_etag, CACHE_CONTROL};

/// List the vocabularies with their labels.
///
/// Every controlled vocabulary (statuses, transfer modes, IP types, organisation kinds, roles,
/// contract types, failure reasons, …): its name (as its schema is named in this document) and
/// its values in order, each with its Chinese and English label. With an `ETag` and
/// `Cache-Control: public, max-age=3600`; `If-None-Match` naming the `ETag` answers 304.
#[utoipa::path(operation_id = "list_vocabularies", tag = "vocabularies", responses(
    (status = 200, description = "Every vocabulary with its labels.", body = VocabularyList,
        headers(("ETag" = String, description = "A hash of the vocabularies."),
            ("Cache-Control" = String, description = "`public, max-age=3600`."))),
    (status = 304, description = "`If-None-Match` names the current `ETag`: nothing changed since.",
        headers(("ETag" = String, description = "The current ETag.")))))]
#[get("/vocabularies")]
#[tracing::instrument(skip(req))]
pub async fn list(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    json_etag(&req, &every(), Some(CACHE_CONTROL))
}

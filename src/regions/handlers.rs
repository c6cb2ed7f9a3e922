//! `GET /api/v1/regions`.

use actix_web::{get, HttpRequest, HttpResponse};

use super::vocabulary::{list, RegionList};
use crate::error::ApiError;
use crate::etag::{json_etag, CACHE_CONTROL};

/// List the regions.
///
/// The region vocabulary: GB/T 2260 administrative division codes of every province (省级) and of
/// Ningxia's cities (地级) and counties (区县), each with its parent's code, level, Chinese and
/// English names and the aliases accepted in a listing's or organisation's `region` and in the
/// `region` filters. With an `ETag` and `Cache-Control: public, max-age=3600`; `If-None-Match`
/// naming the `ETag` answers 304.
#[utoipa::path(operation_id = "list_regions", tag = "regions", responses(
    (status = 200, description = "Every region.", body = RegionList,
        headers(("ETag" = String, description = "A hash of the list."),
            ("Cache-Control" = String, description = "`public, max-age=3600`."))),
    (status = 304, description = "`If-None-Match` names the current `ETag`: nothing changed since.",
        headers(("ETag" = String, description = "The current ETag.")))))]
#[get("/regions")]
#[tracing::instrument(skip(req))]
pub async fn list_regions(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    json_etag(&req, list(), Some(CACHE_CONTROL))
}

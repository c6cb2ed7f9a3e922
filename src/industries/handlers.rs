//! `GET /api/v1/industries`: the taxonomy as stored in the database, grouped.

use actix_web::{get, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{
    self,
    schema::{industries, industry_groups},
};
use crate::error::ApiError;
use crate::etag::{json_etag, CACHE_CONTROL};
use crate::spec::{self as oa, IndustryCode};
use crate::state::AppState;

/// One industry as listed.
#[derive(Debug, Serialize, Queryable, ToSchema)]
pub struct IndustryView {
    #[schema(value_type = IndustryCode)]
    pub code: String,
    #[serde(skip)]
    pub group_code: String,
    /// Chinese name, e.g. 枸杞.
    pub name_zh: String,
    /// English name, e.g. Goji.
    pub name_en: String,
    /// Common names and sub-chains that also stand for this industry in texts.
    pub aliases: Vec<String>,
}

/// A group with its industries, in the taxonomy's order.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    /// `six_new` (六新), `six_special` (六特), `six_advantage` (六优) or `plus_n` (+N).
    #[schema(example = "six_special")]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub industries: Vec<IndustryView>,
}

/// The taxonomy: `{"groups": [{"code": "six_new", ..., "industries": [...]}, ...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaxonomyView {
    pub groups: Vec<GroupView>,
}

/// List the industry taxonomy.
///
/// Lists every group and industry (20 industries in 4 groups), with an `ETag` and
/// `Cache-Control: public, max-age=3600`; `If-None-Match` naming the `ETag` answers 304.
#[utoipa::path(operation_id = "list_industries", tag = "industries", responses(
    (status = 200, description = "The taxonomy, in its order.", body = TaxonomyView,
        headers(("ETag" = String, description = "A hash of the taxonomy."),
            ("Cache-Control" = String, description = "`public, max-age=3600`."))),
    (status = 304, description = "`If-None-Match` names the current `ETag`: nothing changed since.",
        headers(("ETag" = String, description = "The current ETag."))),
    oa::ServiceUnavailable))]
#[get("/industries")]
#[tracing::instrument(skip(state, req))]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (groups, mut all) = db::run(&state.pool, |conn| {
        let groups: Vec<(String, String, String)> = industry_groups::table
            .order(industry_groups::position)
            .select((industry_groups::code, industry_groups::name_zh, industry_groups::name_en))
            .load(conn)?;
        let all: Vec<IndustryView> = industries::table
            .order(industries::position)
            .select((
                industries::code,
                industries::group_code,
                industries::name_zh,
                industries::name_en,
                industries::aliases,
            ))
            .load(conn)?;
        Ok((groups, all))
    })
    .await?;
    let groups = groups
        .into_iter()
        .map(|(code, name_zh, name_en)| {
            let (mine, rest): (Vec<_>, Vec<_>) = all.drain(..).partition(|i| i.group_code == code);
            all = rest;
            GroupView { code, name_zh, name_en, industries: mine }
        })
        .collect();
    json_etag(&req, &TaxonomyView { groups }, Some(CACHE_CONTROL))
}

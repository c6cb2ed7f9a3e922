//! `GET /api/v1/reviews`: the review queue (admins).

use actix_web::{get, web};
use chrono::Duration;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::queue::{QueueFilter, QueueItem};
use crate::auth::{policy, Principal};
use crate::db;
use crate::error::ApiError;
use crate::listing::values::industry_codes;
use crate::pagination::{Page, PageRequest};
use crate::spec::{self as oa, IndustryList};
use crate::state::AppState;
use crate::validation::query_text;
use crate::vocab::ListingKind;

/// Query of `GET /api/v1/reviews`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// `supply` or `demand` (default: both).
    pub kind: Option<ListingKind>,
    /// Industry codes, comma-separated: a listing matches when it carries any of them.
    #[param(value_type = Option<IndustryList>)]
    pub industry: Option<String>,
    /// The owning organisation.
    pub organization_id: Option<Uuid>,
    /// Only listings waiting at least this many hours (0–87600).
    #[param(minimum = 0, maximum = 87600)]
    pub min_age_hours: Option<u32>,
    /// Only listings waiting at most this many hours (0–87600; below `min_age_hours` none is).
    #[param(minimum = 0, maximum = 87600)]
    pub max_age_hours: Option<u32>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Longest age filter: ten years in hours.
const MAX_AGE_HOURS: u32 = 87_600;

impl QueueParams {
    fn filter(&self, state: &AppState) -> Result<QueueFilter, ApiError> {
        query_text("industry", self.industry.as_deref())?;
        for (field, age) in [("min_age_hours", self.min_age_hours), ("max_age_hours", self.max_age_hours)] {
            if let Some(age) = age.filter(|a| *a > MAX_AGE_HOURS) {
                return Err(ApiError::bad_query(
                    "ages are 0–87600 hours",
                    crate::validation::range_error(field, 0, MAX_AGE_HOURS, i64::from(age)),
                ));
            }
        }
        Ok(QueueFilter {
            kind: self.kind,
            industries: industry_codes(self.industry.as_deref(), state.taxonomy)?,
            organization_id: self.organization_id,
            min_age: self.min_age_hours.map(|h| Duration::hours(i64::from(h))),
            max_age: self.max_age_hours.map(|h| Duration::hours(i64::from(h))),
        })
    }
}

/// The review queue (admins).
///
/// Supplies and demands pending review, oldest submission first, each with its completeness
/// report (what buyers ask for that it does not state). Decide with
/// `POST /api/v1/supplies/{id}/review` or `POST /api/v1/demands/{id}/review`.
#[utoipa::path(operation_id = "review_queue", tag = "reviews",
    security(("bearer" = [])),
    params(QueueParams), responses(
    (status = 200, description = "A page of listings pending review, oldest first.", body = Page<QueueItem>),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/reviews")]
#[tracing::instrument(skip(state))]
pub async fn queue(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<QueueParams>,
) -> Result<web::Json<Page<QueueItem>>, ApiError> {
    policy::require_admin(&caller)?;
    let page = PageRequest::parse(params.page, params.per_page)?;
    let filter = params.filter(&state)?;
    let now = state.clock.now();
    let (items, total) = db::run(&state.pool, move |conn| super::queue::page(conn, &filter, page, now)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

//! `GET /api/v1/demands/{id}/matches` (supplies for a demand) and
//! `GET /api/v1/supplies/{id}/matches` (demands for a supply).

use std::collections::{BTreeMap, HashMap};

use actix_web::{get, post, web};
use matching::{Confidence, Explanation, Filters, Match, Query, Side};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::documents::as_query;
use super::reading;
use crate::auth::{policy, MaybePrincipal, Principal};
use crate::connections;
use crate::db;
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::field_error::{FieldCode, FieldError};
use crate::industries::taxonomy::Taxonomy;
use crate::listing::{self, mode_names, non_blank, trl_in_range, what, with_organizations, ListingStore, Shown};
use crate::pagination::{Page, PageRequest, DEFAULT_PER_PAGE};
use crate::spec::text::{PreviewText, Region, Title};
use crate::spec::{self as oa, IndustryCode, IndustryOrGroupList, Keyword, TransferModeList};
use crate::state::AppState;
use crate::supplies::model::Supply;
use crate::validation::{
    opt_integer, query_text, Fields, MAX_BODY_CHARS, MAX_KEYWORDS, MAX_KEYWORD_CHARS, MAX_REGION_CHARS, MAX_TITLE_CHARS,
};
use crate::vocab::TransferMode;

/// Query of the match endpoints.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatchParams {
    /// Industry or group codes, comma-separated: keep listings tagged with any of them.
    #[param(value_type = Option<IndustryOrGroupList>)]
    pub industry: Option<String>,
    /// Keep listings with TRL ≥ this (1–9).
    #[param(minimum = 1, maximum = 9)]
    pub trl_min: Option<u8>,
    /// Keep listings with TRL ≤ this (1–9).
    #[param(minimum = 1, maximum = 9)]
    pub trl_max: Option<u8>,
    /// Keep listings of this region (one name containing the other counts).
    #[param(pattern = "^[^\\x00]*$")]
    pub region: Option<String>,
    /// Cooperation / transfer modes, comma-separated: keep listings offering any of them.
    #[param(value_type = Option<TransferModeList>)]
    pub mode: Option<String>,
    /// Keep matches scoring at least this (0–1).
    #[param(minimum = 0, maximum = 1)]
    pub min_score: Option<f64>,
    /// Confidence tiers to keep, comma-separated: `strong`, `possible`, `weak` (default
    /// `strong,possible`; thresholds in BENCHMARKS.md "Confidence").
    #[param(pattern = "^(strong|possible|weak)(,(strong|possible|weak))*$")]
    pub confidence: Option<String>,
    /// Page number (default 1); matches are listed down to rank 1000: `page × per_page` ≤ 1000.
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Deepest rank a match page may reach (`page × per_page`): matching scores candidates down to
/// the requested depth, so the depth is bounded like a page size.
pub const MAX_MATCH_DEPTH: u32 = 1000;

/// 400 `invalid_query` naming `field` with `code` (and its parameters through `with`).
fn bad(detail: String, error: FieldError) -> ApiError {
    ApiError::bad_query(detail, error)
}

impl MatchParams {
    /// Checks the values into engine filters; 400 `invalid_query` for a bad one.
    pub fn filters(&self, taxonomy: &Taxonomy) -> Result<Filters, ApiError> {
        for (name, value) in [
            ("industry", &self.industry),
            ("region", &self.region),
            ("mode", &self.mode),
            ("confidence", &self.confidence),
        ] {
            query_text(name, value.as_deref())?;
        }
        let split = |v: &Option<String>| -> Vec<String> {
            v.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
        };
        let industries = split(&self.industry);
        if let Some(code) =
            industries.iter().find(|c| !taxonomy.contains(c) && !taxonomy.groups.iter().any(|g| &g.code == *c))
        {
            return Err(bad(
                format!("unknown industry or group code `{code}`"),
                FieldError::new("industry", FieldCode::UnknownValue).with("value", code.as_str()),
            ));
        }
        let modes = split(&self.mode);
        if let Some(mode) = modes.iter().find(|m| TransferMode::parse(m).is_none()) {
            return Err(bad(
                format!("unknown cooperation mode `{mode}`"),
                FieldError::new("mode", FieldCode::UnknownValue).with("value", mode.as_str()),
            ));
        }
        trl_in_range("trl_min", self.trl_min)?;
        trl_in_range("trl_max", self.trl_max)?;
        if self.page.unwrap_or(1).saturating_mul(self.per_page.unwrap_or(DEFAULT_PER_PAGE)) > MAX_MATCH_DEPTH {
            return Err(bad(
                format!("matches are listed down to rank {MAX_MATCH_DEPTH}: lower page or per_page"),
                FieldError::new("page", FieldCode::OutOfRange).with("max_depth", MAX_MATCH_DEPTH),
            ));
        }
        if self.min_score.is_some_and(|s| !(0.0..=1.0).contains(&s)) {
            return Err(bad(
                "min_score must be between 0 and 1".into(),
                FieldError::new("min_score", FieldCode::OutOfRange).with("min", 0).with("max", 1),
            ));
        }
        let mut confidence = Vec::new();
        for tier in split(&self.confidence) {
            confidence.push(match tier.as_str() {
                "strong" => Confidence::Strong,
                "possible" => Confidence::Possible,
                "weak" => Confidence::Weak,
                _ => {
                    return Err(bad(
                        format!("unknown confidence `{tier}`; allowed: strong, possible, weak"),
                        FieldError::new("confidence", FieldCode::UnknownValue)
                            .with("value", tier.as_str())
                            .with("allowed", vec!["strong", "possible", "weak"]),
                    ))
                }
            });
        }
        if confidence.is_empty() {
            if self.confidence.is_some() {
                return Err(bad(
                    "confidence names no tier; allowed: strong, possible, weak".into(),
                    FieldError::new("confidence", FieldCode::Blank).with("allowed", vec!["strong", "possible", "weak"]),
                ));
            }
            confidence = vec![Confidence::Strong, Confidence::Possible];
        }
        Ok(Filters {
            industries,
            trl_min: self.trl_min,
            trl_max: self.trl_max,
            region: non_blank(&self.region),
            modes,
            min_score: self.min_score.map(|s| s as f32),
            confidence,
            exclude: Vec::new(),
        })
    }
}

/// One ranked listing with its score (0–1) and the explanation of the score.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchItem<T> {
    /// 0–1, higher is better.
    #[schema(minimum = 0, maximum = 1)]
    pub score: f32,
    /// `strong` or `possible` (`weak` only when asked for with `confidence`).
    pub confidence: Confidence,
    /// Why, in one Chinese sentence built from `explanation`, e.g.
    /// `双方都涉及「枸杞」「采收」；同属枸杞产业；成熟度符合需求。`
    pub summary_zh: String,
    /// The Chinese name of every industry and group code in `explanation` and of the listing's
    /// industries, by code.
    pub industry_names: BTreeMap<String, String>,
    pub listing: T,
    pub explanation: Explanation,
}

/// The same page with each listing wrapped by `wrap`.
fn wrap_listings<T, U>(page: Page<MatchItem<T>>, wrap: impl Fn(T) -> U) -> Page<MatchItem<U>> {
    let items = page.items.into_iter();
    let items = items.map(|m| MatchItem {
        score: m.score,
        confidence: m.confidence,
        summary_zh: m.summary_zh,
        industry_names: m.industry_names,
        listing: wrap(m.listing),
        explanation: m.explanation,
    });
    Page { items: items.collect(), page: page.page, per_page: page.per_page, total: page.total }
}

/// Puts the loaded rows in the engine's rank order, dropping any the database no longer holds as
/// candidates (the index may trail another instance's write by a poll, and a listing past its
/// expiry leaves the matches before the sweep takes it out of the index).
fn hydrate<T: listing::Listing>(
    ranked: Vec<Match>,
    rows: Vec<Shown<T>>,
    taxonomy: &Taxonomy,
) -> Vec<MatchItem<Shown<T>>> {
    let mut by_id: HashMap<Uuid, Shown<T>> = rows.into_iter().map(|r| (r.listing.id(), r)).collect();
    ranked
        .into_iter()
        .filter_map(|m| {
            by_id.remove(&m.id).map(|listing| {
                let own = listing.listing.document().industries;
                MatchItem {
                    score: m.score,
                    confidence: m.confidence,
                    summary_zh: reading::sentence(&m.explanation, taxonomy),
                    industry_names: reading::industry_names(&m.explanation, own.iter(), taxonomy),
                    listing,
                    explanation: m.explanation,
                }
            })
        })
        .collect()
}

/// Ranks the candidates of kind `T` (published supplies or open demands) for `query` and loads
/// them in rank order.
async fn ranked<T: ListingStore>(
    state: &AppState,
    query: Query,
    filters: Filters,
    page: PageRequest,
) -> Result<Page<MatchItem<Shown<T>>>, ApiError> {
    let side = T::KIND.side;
    let found = state.metrics.time_match(side, || {
        state.matcher.search(&query, side, &filters, page.offset() as usize, page.limit() as usize)
    });
    let ranked = found.items;
    let ids: Vec<Uuid> = ranked.iter().map(|r| r.id).collect();
    let now = state.clock.now();
    let rows = db::run(&state.pool, move |conn| {
        let rows = T::candidates(conn, ids, now)?;
        with_organizations(conn, rows)
    })
    .await?;
    Ok(Page::new(hydrate(ranked, rows, state.taxonomy), page, found.total as i64))
}

/// Ranks the candidates of kind `T` for the stored listing `id` of kind `L`; 404 when that
/// listing is absent or private to another organisation.
async fn ranked_for<L: ListingStore, T: ListingStore>(
    state: &AppState,
    caller: Option<&Principal>,
    id: Uuid,
    params: &MatchParams,
) -> Result<Page<MatchItem<Shown<T>>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let mut filters = params.filters(state.taxonomy)?;
    let listing = db::run(&state.pool, move |conn| L::get(conn, id)).await?;
    policy::require_read(caller, listing.organization_id(), listing.is_public(), what::<L>(id))?;
    // pairs a connection ended as not relevant are not suggested again
    let is_demand = L::KIND.side == Side::Demand;
    filters.exclude =
        db::run(&state.pool, move |conn| connections::repo::not_relevant_partners(conn, id, is_demand)).await?;
    let mut query = as_query(listing.document(), false);
    if is_demand {
        // outcomes teach the ranking: supplies of organisations that connected with similar
        // demands rise, those that declined them sink (the engine's `history` signal)
        let industries = query.industries.clone();
        query.history =
            db::run(&state.pool, move |conn| connections::repo::supply_history(conn, id, industries)).await?;
    }
    ranked(state, query, filters, page).await
}

/// Supplies matching a demand.
///
/// Published supplies ranked for the demand.
#[utoipa::path(operation_id = "match_supplies_for_demand", tag = "matches",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Demand id."), MatchParams), responses(
    (status = 200, description = "Published supplies ranked for the demand, best first.",
        body = Page<MatchItem<Shown<Supply>>>),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/demands/{id}/matches")]
#[tracing::instrument(skip(state))]
pub async fn for_demand(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<MatchParams>,
) -> Result<web::Json<Page<MatchItem<Shown<Supply>>>>, ApiError> {
    Ok(web::Json(ranked_for::<Demand, Supply>(&state, caller.0.as_ref(), id.into_inner(), &params).await?))
}

/// Demands matching a supply.
///
/// Open demands ranked for the supply.
#[utoipa::path(operation_id = "match_demands_for_supply", tag = "matches",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supply id."), MatchParams), responses(
    (status = 200, description = "Open demands ranked for the supply, best first.", body = Page<MatchItem<Shown<Demand>>>),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/supplies/{id}/matches")]
#[tracing::instrument(skip(state))]
pub async fn for_supply(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<MatchParams>,
) -> Result<web::Json<Page<MatchItem<Shown<Demand>>>>, ApiError> {
    Ok(web::Json(ranked_for::<Supply, Demand>(&state, caller.0.as_ref(), id.into_inner(), &params).await?))
}

/// Body of `POST /api/v1/matches`: a listing that is not stored (a preview before posting).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    /// What to rank: `supply` (for a demand being written) or `demand` (for a supply).
    pub target: Side,
    /// 1–200 characters.
    #[schema(value_type = Title)]
    pub title: String,
    /// Description or summary, at most 5000 characters.
    #[serde(default)]
    #[schema(value_type = PreviewText)]
    pub body: String,
    /// At most 20, each 1–30 characters.
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<Keyword>)]
    pub keywords: Vec<String>,
    /// Industry codes, at most 5.
    #[serde(default)]
    #[schema(max_items = 5, value_type = Vec<IndustryCode>)]
    pub industries: Vec<String>,
    /// Offered TRL (ranking demands) or lowest TRL wanted (ranking supplies), 1–9.
    #[schema(minimum = 1, maximum = 9)]
    #[serde(default, deserialize_with = "opt_integer")]
    pub trl: Option<i64>,
    /// Price or budget in fen, 0–10^15.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(default, deserialize_with = "opt_integer")]
    pub money_fen: Option<i64>,
    /// Cooperation / transfer modes.
    #[serde(default)]
    pub modes: Vec<TransferMode>,
    /// When set, region agreement takes part in the score (at most 100 characters).
    #[schema(value_type = Option<Region>)]
    pub region: Option<String>,
}

impl PreviewInput {
    fn query(self, taxonomy: &Taxonomy) -> Result<Query, ApiError> {
        let mut f = Fields::new();
        let query = Query {
            title: f.text("title", self.title, MAX_TITLE_CHARS),
            body: f.opt_long_text("body", Some(self.body), MAX_BODY_CHARS).unwrap_or_default(),
            keywords: f.terms("keywords", self.keywords, MAX_KEYWORDS, MAX_KEYWORD_CHARS),
            industries: f.industries("industries", self.industries, taxonomy),
            groups: Vec::new(),
            trl: f.small_range("trl", self.trl, 1, 9).and_then(|t| u8::try_from(t).ok()),
            money_fen: f.money("money_fen", self.money_fen),
            modes: mode_names(self.modes),
            region: f.opt_text("region", self.region, MAX_REGION_CHARS),
            exclude: None,
            history: Vec::new(),
        };
        f.finish()?;
        Ok(query)
    }
}

/// A ranked listing of either side, told apart by `side` (`supply` or `demand`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "side", rename_all = "snake_case")]
pub enum Listing {
    Supply(Shown<Supply>),
    Demand(Shown<Demand>),
}

/// Preview matches for an unsaved listing.
///
/// Ranks published supplies (or
/// open demands) for a text and tags that are not stored, so a frontend can preview matches
/// before posting. Open to anonymous callers (only public listings are candidates).
#[utoipa::path(operation_id = "preview_matches", tag = "matches", params(MatchParams),
    request_body = PreviewInput, responses(
    (status = 200, description = "Published supplies (`target: supply`) or open demands (`target: demand`) ranked \
for the text, best first.", body = Page<MatchItem<Listing>>),
    oa::Std, oa::JsonBody, oa::ValidationFailed))]
#[post("/matches")]
#[tracing::instrument(skip(state, body))]
pub async fn preview(
    state: web::Data<AppState>,
    params: crate::extract::Query<MatchParams>,
    body: crate::extract::Json<PreviewInput>,
) -> Result<web::Json<Page<MatchItem<Listing>>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let filters = params.filters(state.taxonomy)?;
    let input = body.into_inner();
    let target = input.target;
    let query = input.query(state.taxonomy)?;
    Ok(web::Json(match target {
        Side::Supply => wrap_listings(ranked::<Supply>(&state, query, filters, page).await?, Listing::Supply),
        Side::Demand => wrap_listings(ranked::<Demand>(&state, query, filters, page).await?, Listing::Demand),
    }))
}

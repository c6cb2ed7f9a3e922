//! Request bodies and query strings of `/api/v1/demands`, turned into checked values.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::{Demand, DemandChanges, NewDemand};
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::sort::SortKey;
use crate::listing::{distinct_modes, editable_status, ListFilter, ListQuery};
use crate::spec::text::{LongText, Region, Scenario, SourceUrl, Title};
use crate::spec::{
    EditableDemandStatus, IndustryCode, IndustryOrGroupList, Keyword, NewDemandStatus, TransferModeList,
};
use crate::validation::{
    nullable, nullable_integer, opt_integer, Fields, MAX_BODY_CHARS, MAX_KEYWORDS, MAX_KEYWORD_CHARS,
    MAX_SCENARIO_CHARS, MAX_TITLE_CHARS,
};
use crate::vocab::{DemandStatus, OrganizationKind, TransferMode};

/// Body of `POST /api/v1/demands`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandInput {
    /// 1–200 characters.
    #[schema(value_type = Title)]
    pub title: String,
    /// 1–5000 characters.
    #[schema(value_type = LongText)]
    pub description: String,
    /// At most 20, each 1–30 characters (duplicates are dropped).
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<Keyword>)]
    pub keywords: Vec<String>,
    /// At most 5 industry codes.
    #[serde(default)]
    #[schema(max_items = 5, value_type = Vec<IndustryCode>)]
    pub industries: Vec<String>,
    /// Lowest acceptable TRL, 1–9.
    #[schema(minimum = 1, maximum = 9)]
    #[serde(default, deserialize_with = "opt_integer")]
    pub trl_min: Option<i64>,
    /// Budget in fen (0.01 CNY), 0–10^15.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(default, deserialize_with = "opt_integer")]
    pub budget_fen: Option<i64>,
    /// `YYYY-MM-DD`, a day of the years 0001–9999.
    pub deadline: Option<NaiveDate>,
    /// Cooperation modes wanted (duplicates are dropped).
    #[serde(default)]
    pub cooperation_modes: Vec<TransferMode>,
    /// A region of `GET /api/v1/regions` by code, name or alias (`宁夏`, `银川市兴庆区`, `640104`),
    /// at most 100 characters; kept as written, its code stored as `region_code` (422
    /// `unknown_value` when it names no region).
    #[schema(value_type = Option<Region>)]
    pub region: Option<String>,
    /// Where the technology would be applied, at most 2000 characters.
    #[schema(value_type = Option<Scenario>)]
    pub application_scenario: Option<String>,
    /// `draft` or `open` (default): `open` submits it, and it goes on the market at once for a
    /// verified organisation, into review otherwise; a demand whose deadline has passed is created
    /// `expired` (docs/API.md, **Listing lifecycle**).
    #[schema(value_type = Option<NewDemandStatus>)]
    pub status: Option<DemandStatus>,
    /// An absolute http(s) URL of the public source.
    #[schema(value_type = Option<SourceUrl>)]
    pub source_url: Option<String>,
}

/// Body of `PATCH /api/v1/demands/{id}`: any subset of the fields; `null` clears an optional one.
/// Absent fields stay as they are; `null` on a required field also leaves it alone.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandPatch {
    /// 1–200 characters.
    #[schema(value_type = Option<Title>)]
    pub title: Option<String>,
    /// 1–5000 characters.
    #[schema(value_type = Option<LongText>)]
    pub description: Option<String>,
    /// Replaces the keywords: at most 20, each 1–30 characters.
    #[schema(max_items = 20, value_type = Option<Vec<Keyword>>)]
    pub keywords: Option<Vec<String>>,
    /// Replaces the industries: at most 5 codes.
    #[schema(max_items = 5, value_type = Option<Vec<IndustryCode>>)]
    pub industries: Option<Vec<String>>,
    /// 1–9; `null` clears it.
    #[serde(default, deserialize_with = "nullable_integer")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 9)]
    pub trl_min: Option<Option<i64>>,
    /// In fen, 0–10^15; `null` clears it.
    #[serde(default, deserialize_with = "nullable_integer")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub budget_fen: Option<Option<i64>>,
    /// `YYYY-MM-DD`, a day of the years 0001–9999; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub deadline: Option<Option<NaiveDate>>,
    pub cooperation_modes: Option<Vec<TransferMode>>,
    /// At most 100 characters; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Region>)]
    pub region: Option<Option<String>>,
    /// At most 2000 characters; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Scenario>)]
    pub application_scenario: Option<Option<String>>,
    /// `draft` (take it off the market or out of review), `open` (submit it) or `closed` (an open
    /// demand whose need is met); withdrawing and renewal have their own endpoints.
    #[schema(value_type = Option<EditableDemandStatus>)]
    pub status: Option<DemandStatus>,
    /// An absolute http(s) URL; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<SourceUrl>)]
    pub source_url: Option<Option<String>>,
}

impl DemandInput {
    /// Checks every field; 422 lists each invalid one.
    /// The owner is the caller's organisation, never a body field.
    pub fn parse(self, owner: Uuid, taxonomy: &Taxonomy) -> Result<NewDemand, ApiError> {
        let mut f = Fields::new();
        let (region, region_code) = f.region("region", self.region);
        let new = NewDemand {
            organization_id: owner,
            title: f.text("title", self.title, MAX_TITLE_CHARS),
            description: f.long_text("description", self.description, MAX_BODY_CHARS),
            keywords: f.terms("keywords", self.keywords, MAX_KEYWORDS, MAX_KEYWORD_CHARS),
            industries: f.industries("industries", self.industries, taxonomy),
            trl_min: f.small_range("trl_min", self.trl_min, 1, 9),
            budget_fen: f.money("budget_fen", self.budget_fen),
            deadline: f.day("deadline", self.deadline),
            cooperation_modes: distinct_modes(self.cooperation_modes),
            region,
            region_code,
            application_scenario: f.opt_long_text(
                "application_scenario",
                self.application_scenario,
                MAX_SCENARIO_CHARS,
            ),
            status: editable_status::<Demand>(&mut f, self.status.unwrap_or(DemandStatus::Open)),
            source_url: f.url("source_url", self.source_url),
            extra: serde_json::json!({}),
            // Set from the clock when the listing is created (`listing::http::create`).
            expires_at: chrono::DateTime::UNIX_EPOCH,
            submitted_at: None,
        };
        f.finish()?;
        Ok(new)
    }
}

impl DemandPatch {
    /// Checks the fields present; 422 lists each invalid one.
    pub fn parse(self, taxonomy: &Taxonomy) -> Result<DemandChanges, ApiError> {
        let mut f = Fields::new();
        let region = self.region.map(|v| f.region("region", v));
        let changes = DemandChanges {
            title: self.title.map(|v| f.text("title", v, MAX_TITLE_CHARS)),
            description: self.description.map(|v| f.long_text("description", v, MAX_BODY_CHARS)),
            keywords: self.keywords.map(|v| f.terms("keywords", v, MAX_KEYWORDS, MAX_KEYWORD_CHARS)),
            industries: self.industries.map(|v| f.industries("industries", v, taxonomy)),
            trl_min: self.trl_min.map(|v| f.small_range("trl_min", v, 1, 9)),
            budget_fen: self.budget_fen.map(|v| f.money("budget_fen", v)),
            deadline: self.deadline.map(|v| f.day("deadline", v)),
            cooperation_modes: self.cooperation_modes.map(distinct_modes),
            region: region.as_ref().map(|(text, _)| text.clone()),
            region_code: region.map(|(_, code)| code),
            application_scenario: self
                .application_scenario
                .map(|v| f.opt_long_text("application_scenario", v, MAX_SCENARIO_CHARS)),
            status: self.status.map(|s| editable_status::<Demand>(&mut f, s)),
            source_url: self.source_url.map(|v| f.url("source_url", v)),
            expires_at: None,
            submitted_at: None,
        };
        f.finish()?;
        Ok(changes)
    }
}

/// The `sort` fields of the demand list.
const DEMAND_SORTS: &[(&str, SortKey)] = &[
    ("relevance", SortKey::Relevance),
    ("created", SortKey::Created),
    ("updated", SortKey::Updated),
    ("deadline", SortKey::Deadline),
    ("budget", SortKey::Money),
];

/// Checked list filters: the shared ones and the deadline range.
#[derive(Debug, Clone)]
pub struct DemandFilter {
    /// The filters every listing list takes.
    pub list: ListFilter<DemandStatus>,
    /// Deadline on or after this day.
    pub deadline_from: Option<NaiveDate>,
    /// Deadline on or before this day.
    pub deadline_to: Option<NaiveDate>,
}

/// Query of `GET /api/v1/demands`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DemandListParams {
    /// Industry codes, comma-separated: a demand matches when it carries any of them.
    #[param(value_type = Option<IndustryOrGroupList>)]
    pub industry: Option<String>,
    /// An exact keyword the demand carries.
    #[param(pattern = "^[^\\x00]*$")]
    pub keyword: Option<String>,
    /// Free text, at most 200 characters, searched in title, keywords, description, region and
    /// the organisation's name through the matching engine's analysis (full-width and case
    /// folded, traditional Chinese read as simplified, jieba words, industry aliases); results
    /// come by relevance with `relevance` and `matched_terms`. A text of stop words only gives an
    /// empty page with `empty_reason`.
    #[param(pattern = "^[^\\x00]*$", max_length = 200)]
    pub q: Option<String>,
    /// Default `open` (those not yet expired); `closed` is public too; the other statuses need a
    /// token and list the caller's organisation's demands (admins: any organisation's).
    pub status: Option<DemandStatus>,
    /// The organisation with the need.
    pub organization_id: Option<Uuid>,
    /// A region by code, name or alias (`640000`, `宁夏`, `银川市`): listings in it or any of its
    /// sub-regions (by `region_code`); 400 `invalid_query` when it is not a region of `GET /regions`.
    #[param(pattern = "^[^\\x00]*$")]
    pub region: Option<String>,
    /// Order: `relevance`, `created`, `updated`, `deadline`, `budget`; `-` before a field for descending (`-created`). Default: relevance with
    /// `q`, newest first without; an unknown field is 400 `invalid_query` listing the allowed ones.
    #[param(pattern = "^-?(relevance|created|updated|deadline|budget)$")]
    pub sort: Option<String>,
    /// Created on or after this day (UTC).
    pub created_from: Option<NaiveDate>,
    /// Created on or before this day (UTC).
    pub created_to: Option<NaiveDate>,
    /// The owning organisation's kind.
    pub organization_kind: Option<OrganizationKind>,
    /// `true`: only listings of verified organisations.
    pub verified: Option<bool>,
    /// Lowest budget, fen (demands without a budget are left out).
    #[param(minimum = 0)]
    pub budget_min: Option<i64>,
    /// Highest budget, fen (demands without a budget are left out).
    #[param(minimum = 0)]
    pub budget_max: Option<i64>,
    /// Deadline on or after this day (demands without a deadline are left out).
    pub deadline_from: Option<NaiveDate>,
    /// Deadline on or before this day (demands without a deadline are left out).
    pub deadline_to: Option<NaiveDate>,
    /// Cooperation modes, comma-separated: a demand matches when it wants any of them.
    #[param(value_type = Option<TransferModeList>)]
    pub cooperation_mode: Option<String>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

impl DemandListParams {
    /// Checks the filters; bad values answer 400 `invalid_query` (or `nul_character`).
    /// Unpublished statuses are limited to the caller's own organisation (admins: any).
    pub fn filter(
        &self,
        caller: Option<&Principal>,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
    ) -> Result<DemandFilter, ApiError> {
        let query = ListQuery {
            industry: &self.industry,
            keyword: &self.keyword,
            q: &self.q,
            region: &self.region,
            organization_id: self.organization_id,
            sort: &self.sort,
            sorts: DEMAND_SORTS,
            created: (self.created_from, self.created_to),
            money: (self.budget_min, self.budget_max),
            money_names: ("budget_min", "budget_max"),
            modes: &self.cooperation_mode,
            modes_name: "cooperation_mode",
            organization_kind: self.organization_kind,
            verified: self.verified,
        };
        query.check_text()?;
        let status = self.status.unwrap_or(DemandStatus::Open);
        Ok(DemandFilter {
            list: query.filter::<Demand>(status, caller, taxonomy, now)?,
            deadline_from: self.deadline_from,
            deadline_to: self.deadline_to,
        })
    }
}

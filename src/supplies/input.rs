//! Request bodies and query strings of `/api/v1/supplies`, turned into checked values.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::{NewSupply, Supply, SupplyChanges};
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::sort::SortKey;
use crate::listing::{distinct_modes, editable_status, trl_in_range, ListFilter, ListQuery};
use crate::spec::text::{IpNumber, LongText, Region, Scenario, SourceUrl, Title};
use crate::spec::{EditableSupplyStatus, IndustryCode, IndustryOrGroupList, Keyword, TransferModeList};
use crate::validation::{
    nullable, nullable_integer, opt_integer, Fields, MAX_BODY_CHARS, MAX_IP_NUMBER_CHARS, MAX_KEYWORDS,
    MAX_KEYWORD_CHARS, MAX_SCENARIO_CHARS, MAX_TITLE_CHARS,
};
use crate::vocab::{IpType, OrganizationKind, SupplyStatus, TransferMode};

/// Body of `POST /api/v1/supplies`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyInput {
    /// 1–200 characters.
    #[schema(value_type = Title)]
    pub title: String,
    /// 1–5000 characters.
    #[schema(value_type = LongText)]
    pub summary: String,
    /// At most 20, each 1–30 characters (duplicates are dropped).
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<Keyword>)]
    pub keywords: Vec<String>,
    /// At most 5 industry codes.
    #[serde(default)]
    #[schema(max_items = 5, value_type = Vec<IndustryCode>)]
    pub industries: Vec<String>,
    /// Technology readiness level offered, 1–9.
    #[schema(minimum = 1, maximum = 9)]
    #[serde(default, deserialize_with = "opt_integer")]
    pub trl: Option<i64>,
    pub ip_type: Option<IpType>,
    /// Patent or registration number of the right, at most 100 characters.
    #[schema(value_type = Option<IpNumber>)]
    pub ip_number: Option<String>,
    /// Transfer modes offered (duplicates are dropped).
    #[serde(default)]
    pub transfer_modes: Vec<TransferMode>,
    /// Asking price in fen (0.01 CNY), 0–10^15.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(default, deserialize_with = "opt_integer")]
    pub price_fen: Option<i64>,
    /// A region of `GET /api/v1/regions` by code, name or alias (`宁夏`, `银川市兴庆区`, `640104`),
    /// at most 100 characters; kept as written, its code stored as `region_code` (422
    /// `unknown_value` when it names no region).
    #[schema(value_type = Option<Region>)]
    pub region: Option<String>,
    /// Where the technology is applied, at most 2000 characters.
    #[schema(value_type = Option<Scenario>)]
    pub application_scenario: Option<String>,
    /// `draft` or `published` (default): `published` submits it, and it goes on the market at once
    /// for a verified organisation, into review otherwise (docs/API.md, **Listing lifecycle**).
    #[schema(value_type = Option<EditableSupplyStatus>)]
    pub status: Option<SupplyStatus>,
    /// An absolute http(s) URL of the public source.
    #[schema(value_type = Option<SourceUrl>)]
    pub source_url: Option<String>,
}

/// Body of `PATCH /api/v1/supplies/{id}`: any subset of the fields; `null` clears an optional one.
/// Absent fields stay as they are; `null` on a required field also leaves it alone.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyPatch {
    /// 1–200 characters.
    #[schema(value_type = Option<Title>)]
    pub title: Option<String>,
    /// 1–5000 characters.
    #[schema(value_type = Option<LongText>)]
    pub summary: Option<String>,
    /// Replaces the keywords: at most 20, each 1–30 characters.
    #[schema(max_items = 20, value_type = Option<Vec<Keyword>>)]
    pub keywords: Option<Vec<String>>,
    /// Replaces the industries: at most 5 codes.
    #[schema(max_items = 5, value_type = Option<Vec<IndustryCode>>)]
    pub industries: Option<Vec<String>>,
    /// 1–9; `null` clears it.
    #[serde(default, deserialize_with = "nullable_integer")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 9)]
    pub trl: Option<Option<i64>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<IpType>)]
    pub ip_type: Option<Option<IpType>>,
    /// At most 100 characters; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<IpNumber>)]
    pub ip_number: Option<Option<String>>,
    pub transfer_modes: Option<Vec<TransferMode>>,
    /// In fen, 0–10^15; `null` clears it (negotiable).
    #[serde(default, deserialize_with = "nullable_integer")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub price_fen: Option<Option<i64>>,
    /// At most 100 characters; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Region>)]
    pub region: Option<Option<String>>,
    /// At most 2000 characters; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Scenario>)]
    pub application_scenario: Option<Option<String>>,
    /// `draft` (take it off the market or out of review) or `published` (submit it); archiving
    /// and renewal have their own endpoints.
    #[schema(value_type = Option<EditableSupplyStatus>)]
    pub status: Option<SupplyStatus>,
    /// An absolute http(s) URL; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<SourceUrl>)]
    pub source_url: Option<Option<String>>,
}

impl SupplyInput {
    /// Checks every field; 422 lists each invalid one.
    /// The owner is the caller's organisation, never a body field.
    pub fn parse(self, owner: Uuid, taxonomy: &Taxonomy) -> Result<NewSupply, ApiError> {
        let mut f = Fields::new();
        let (region, region_code) = f.region("region", self.region);
        let new = NewSupply {
            organization_id: owner,
            title: f.text("title", self.title, MAX_TITLE_CHARS),
            summary: f.long_text("summary", self.summary, MAX_BODY_CHARS),
            keywords: f.terms("keywords", self.keywords, MAX_KEYWORDS, MAX_KEYWORD_CHARS),
            industries: f.industries("industries", self.industries, taxonomy),
            trl: f.small_range("trl", self.trl, 1, 9),
            ip_type: self.ip_type,
            ip_number: f.opt_text("ip_number", self.ip_number, MAX_IP_NUMBER_CHARS),
            transfer_modes: distinct_modes(self.transfer_modes),
            price_fen: f.money("price_fen", self.price_fen),
            region,
            region_code,
            application_scenario: f.opt_long_text(
                "application_scenario",
                self.application_scenario,
                MAX_SCENARIO_CHARS,
            ),
            status: editable_status::<Supply>(&mut f, self.status.unwrap_or(SupplyStatus::Published)),
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

impl SupplyPatch {
    /// Checks the fields present; 422 lists each invalid one.
    pub fn parse(self, taxonomy: &Taxonomy) -> Result<SupplyChanges, ApiError> {
        let mut f = Fields::new();
        let region = self.region.map(|v| f.region("region", v));
        let changes = SupplyChanges {
            title: self.title.map(|v| f.text("title", v, MAX_TITLE_CHARS)),
            summary: self.summary.map(|v| f.long_text("summary", v, MAX_BODY_CHARS)),
            keywords: self.keywords.map(|v| f.terms("keywords", v, MAX_KEYWORDS, MAX_KEYWORD_CHARS)),
            industries: self.industries.map(|v| f.industries("industries", v, taxonomy)),
            trl: self.trl.map(|v| f.small_range("trl", v, 1, 9)),
            ip_type: self.ip_type,
            ip_number: self.ip_number.map(|v| f.opt_text("ip_number", v, MAX_IP_NUMBER_CHARS)),
            transfer_modes: self.transfer_modes.map(distinct_modes),
            price_fen: self.price_fen.map(|v| f.money("price_fen", v)),
            region: region.as_ref().map(|(text, _)| text.clone()),
            region_code: region.map(|(_, code)| code),
            application_scenario: self
                .application_scenario
                .map(|v| f.opt_long_text("application_scenario", v, MAX_SCENARIO_CHARS)),
            status: self.status.map(|s| editable_status::<Supply>(&mut f, s)),
            source_url: self.source_url.map(|v| f.url("source_url", v)),
            expires_at: None,
            submitted_at: None,
        };
        f.finish()?;
        Ok(changes)
    }
}

/// The `sort` fields of the supply list.
const SUPPLY_SORTS: &[(&str, SortKey)] = &[
    ("relevance", SortKey::Relevance),
    ("created", SortKey::Created),
    ("updated", SortKey::Updated),
    ("price", SortKey::Money),
];

/// Query of `GET /api/v1/supplies`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SupplyListParams {
    /// Industry codes, comma-separated: a supply matches when it carries any of them.
    #[param(value_type = Option<IndustryOrGroupList>)]
    pub industry: Option<String>,
    /// An exact keyword the supply carries.
    #[param(pattern = "^[^\\x00]*$")]
    pub keyword: Option<String>,
    /// Free text, at most 200 characters, searched in title, keywords, summary, region and the
    /// organisation's name through the matching engine's analysis (full-width and case folded,
    /// traditional Chinese read as simplified, jieba words, industry aliases); results come by
    /// relevance with `relevance` and `matched_terms`. A text of stop words only gives an empty
    /// page with `empty_reason`.
    #[param(pattern = "^[^\\x00]*$", max_length = 200)]
    pub q: Option<String>,
    /// Default `published` (those not yet expired); other statuses need a token and list the
    /// caller's organisation's supplies (admins: any organisation's).
    pub status: Option<SupplyStatus>,
    /// Lowest TRL, 1–9.
    #[param(minimum = 1, maximum = 9)]
    pub trl_min: Option<i16>,
    /// Highest TRL, 1–9.
    #[param(minimum = 1, maximum = 9)]
    pub trl_max: Option<i16>,
    /// The holding organisation.
    pub organization_id: Option<Uuid>,
    /// A region by code, name or alias (`640000`, `宁夏`, `银川市`): listings in it or any of its
    /// sub-regions (by `region_code`); 400 `invalid_query` when it is not a region of `GET /regions`.
    #[param(pattern = "^[^\\x00]*$")]
    pub region: Option<String>,
    /// Order: `relevance`, `created`, `updated`, `price`; `-` before a field for descending (`-created`). Default: relevance with
    /// `q`, newest first without; an unknown field is 400 `invalid_query` listing the allowed ones.
    #[param(pattern = "^-?(relevance|created|updated|price)$")]
    pub sort: Option<String>,
    /// Created on or after this day (UTC).
    pub created_from: Option<NaiveDate>,
    /// Created on or before this day (UTC).
    pub created_to: Option<NaiveDate>,
    /// The owning organisation's kind.
    pub organization_kind: Option<OrganizationKind>,
    /// `true`: only listings of verified organisations.
    pub verified: Option<bool>,
    /// Lowest asking price, fen (supplies without a price are left out).
    #[param(minimum = 0)]
    pub price_min: Option<i64>,
    /// Highest asking price, fen (supplies without a price are left out).
    #[param(minimum = 0)]
    pub price_max: Option<i64>,
    /// The IP type.
    pub ip_type: Option<IpType>,
    /// Transfer modes, comma-separated: a supply matches when it offers any of them.
    #[param(value_type = Option<TransferModeList>)]
    pub transfer_mode: Option<String>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Checked list filters: the shared ones and the TRL range.
#[derive(Debug, Clone)]
pub struct SupplyFilter {
    /// The filters every listing list takes.
    pub list: ListFilter<SupplyStatus>,
    /// Lowest TRL, 1–9.
    pub trl_min: Option<i16>,
    /// Highest TRL, 1–9.
    pub trl_max: Option<i16>,
    /// The IP type.
    pub ip_type: Option<IpType>,
}

impl SupplyListParams {
    /// Checks the filters; bad values answer 400 `invalid_query` (or `nul_character`).
    /// Unpublished statuses are limited to the caller's own organisation (admins: any).
    pub fn filter(
        &self,
        caller: Option<&Principal>,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
    ) -> Result<SupplyFilter, ApiError> {
        let query = ListQuery {
            industry: &self.industry,
            keyword: &self.keyword,
            q: &self.q,
            region: &self.region,
            organization_id: self.organization_id,
            sort: &self.sort,
            sorts: SUPPLY_SORTS,
            created: (self.created_from, self.created_to),
            money: (self.price_min, self.price_max),
            money_names: ("price_min", "price_max"),
            modes: &self.transfer_mode,
            modes_name: "transfer_mode",
            organization_kind: self.organization_kind,
            verified: self.verified,
        };
        query.check_text()?;
        trl_in_range("trl_min", self.trl_min)?;
        trl_in_range("trl_max", self.trl_max)?;
        let status = self.status.unwrap_or(SupplyStatus::Published);
        Ok(SupplyFilter {
            list: query.filter::<Supply>(status, caller, taxonomy, now)?,
            trl_min: self.trl_min,
            trl_max: self.trl_max,
            ip_type: self.ip_type,
        })
    }
}

//! Request bodies and query strings of `/api/v1/demands`, turned into checked values.

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::model::{DemandChanges, NewDemand};
use crate::auth::{policy, Principal};
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::{industry_codes, mode_names, non_blank};
use crate::validation::{
    self, nullable, Fields, MAX_BODY_CHARS, MAX_KEYWORDS, MAX_KEYWORD_CHARS, MAX_REGION_CHARS, MAX_TITLE_CHARS,
};
use crate::vocab::{DemandStatus, TransferMode};

/// Body of `POST /api/v1/demands`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandInput {
    /// 1–200 characters.
    pub title: String,
    /// 1–5000 characters.
    pub description: String,
    /// At most 20, each 1–30 characters.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// At most 5 industry codes.
    #[serde(default)]
    pub industries: Vec<String>,
    /// Lowest acceptable TRL, 1–9.
    pub trl_min: Option<i64>,
    /// Budget in fen (0.01 CNY), ≥ 0.
    pub budget_fen: Option<i64>,
    /// `YYYY-MM-DD`.
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
    pub cooperation_modes: Vec<TransferMode>,
    pub region: Option<String>,
    /// `draft`, `open` (default) or `closed`.
    pub status: Option<DemandStatus>,
    pub source_url: Option<String>,
}

/// Body of `PATCH /api/v1/demands/{id}`: any subset of the fields; `null` clears an optional one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub keywords: Option<Vec<String>>,
    pub industries: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub trl_min: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub budget_fen: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub deadline: Option<Option<NaiveDate>>,
    pub cooperation_modes: Option<Vec<TransferMode>>,
    #[serde(default, deserialize_with = "nullable")]
    pub region: Option<Option<String>>,
    /// `draft`, `open` or `closed`; withdrawing has its own endpoint.
    pub status: Option<DemandStatus>,
    #[serde(default, deserialize_with = "nullable")]
    pub source_url: Option<Option<String>>,
}

fn editable_status(f: &mut Fields, status: DemandStatus) -> String {
    if status == DemandStatus::Withdrawn {
        f.error("status", "use POST /api/v1/demands/{id}/withdraw to withdraw");
    }
    status.as_str().to_string()
}

impl DemandInput {
    /// Checks every field; 422 lists each invalid one.
    /// The owner is the caller's organisation, never a body field.
    pub fn parse(self, owner: Uuid, taxonomy: &Taxonomy) -> Result<NewDemand, ApiError> {
        let mut f = Fields::new();
        let new = NewDemand {
            organization_id: owner,
            title: f.text("title", self.title, MAX_TITLE_CHARS),
            description: f.text("description", self.description, MAX_BODY_CHARS),
            keywords: f.terms("keywords", self.keywords, MAX_KEYWORDS, MAX_KEYWORD_CHARS),
            industries: f.industries("industries", self.industries, taxonomy),
            trl_min: f.small_range("trl_min", self.trl_min, 1, 9),
            budget_fen: f.money("budget_fen", self.budget_fen),
            deadline: self.deadline,
            cooperation_modes: mode_names(self.cooperation_modes),
            region: f.opt_text("region", self.region, MAX_REGION_CHARS),
            status: editable_status(&mut f, self.status.unwrap_or(DemandStatus::Open)),
            source_url: f.url("source_url", self.source_url),
            extra: serde_json::json!({}),
        };
        f.finish()?;
        Ok(new)
    }
}

impl DemandPatch {
    /// Checks the fields present; 422 lists each invalid one.
    pub fn parse(self, taxonomy: &Taxonomy) -> Result<DemandChanges, ApiError> {
        let mut f = Fields::new();
        let changes = DemandChanges {
            title: self.title.map(|v| f.text("title", v, MAX_TITLE_CHARS)),
            description: self.description.map(|v| f.text("description", v, MAX_BODY_CHARS)),
            keywords: self.keywords.map(|v| f.terms("keywords", v, MAX_KEYWORDS, MAX_KEYWORD_CHARS)),
            industries: self.industries.map(|v| f.industries("industries", v, taxonomy)),
            trl_min: self.trl_min.map(|v| f.small_range("trl_min", v, 1, 9)),
            budget_fen: self.budget_fen.map(|v| f.money("budget_fen", v)),
            deadline: self.deadline,
            cooperation_modes: self.cooperation_modes.map(mode_names),
            region: self.region.map(|v| f.opt_text("region", v, MAX_REGION_CHARS)),
            status: self.status.map(|s| editable_status(&mut f, s)),
            source_url: self.source_url.map(|v| f.url("source_url", v)),
        };
        f.finish()?;
        Ok(changes)
    }
}

/// Query of `GET /api/v1/demands`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandListParams {
    /// Industry codes, comma-separated: a demand matches when it carries any of them.
    pub industry: Option<String>,
    /// An exact keyword the demand carries.
    pub keyword: Option<String>,
    /// Free text searched in title and description (case-insensitive substring).
    pub q: Option<String>,
    /// Default `open`.
    pub status: Option<DemandStatus>,
    pub organization_id: Option<Uuid>,
    pub region: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Checked list filters.
#[derive(Debug, Clone, Default)]
pub struct DemandFilter {
    pub industries: Vec<String>,
    pub keyword: Option<String>,
    pub q: Option<String>,
    pub status: String,
    pub organization_id: Option<Uuid>,
    pub region: Option<String>,
}

impl DemandListParams {
    /// Checks the filters; bad values answer 400 `invalid_query` (or `nul_character`).
    /// Unpublished statuses are limited to the caller's own organisation (admins: any).
    pub fn filter(&self, caller: Option<&Principal>, taxonomy: &Taxonomy) -> Result<DemandFilter, ApiError> {
        for (name, value) in
            [("keyword", &self.keyword), ("q", &self.q), ("region", &self.region), ("industry", &self.industry)]
        {
            validation::query_text(name, value.as_deref())?;
        }
        let status = self.status.unwrap_or(DemandStatus::Open);
        let organization_id = if status.is_public() {
            self.organization_id
        } else {
            policy::private_list_scope(caller, self.organization_id)?
        };
        Ok(DemandFilter {
            industries: industry_codes(self.industry.as_deref(), taxonomy)?,
            keyword: non_blank(&self.keyword),
            q: non_blank(&self.q),
            status: status.as_str().to_string(),
            organization_id,
            region: non_blank(&self.region),
        })
    }
}

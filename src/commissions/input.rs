//! Bodies and query strings of the commission endpoints.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::error::{FieldCode, FieldError};
use crate::spec::text::Note;
use crate::validation::{opt_integer, Fields};
use crate::vocab::CommissionBasis;

/// Body of `POST /api/v1/commission-policies`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// The agency (an organisation whose brokers facilitate contracts); absent: the default for
    /// every agency without a policy of its own.
    pub agency_id: Option<Uuid>,
    pub basis: CommissionBasis,
    /// Basis points, 0–10000 (200 = 2 %).
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 0, maximum = 10000)]
    pub rate_bp: i64,
    /// Most commission per agency per calendar year, in fen.
    #[serde(default, deserialize_with = "opt_integer")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub cap_per_agency_fen: Option<i64>,
    /// Most commission on one broker's contracts per calendar year, in fen.
    #[serde(default, deserialize_with = "opt_integer")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub cap_per_broker_fen: Option<i64>,
    pub effective_from: NaiveDate,
    /// Last day it applies (absent: open-ended); not before `effective_from`.
    pub effective_to: Option<NaiveDate>,
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// A checked policy.
#[derive(Debug, Clone)]
pub struct NewPolicy {
    pub agency_id: Option<Uuid>,
    pub basis: CommissionBasis,
    pub rate_bp: i32,
    pub cap_per_agency_fen: Option<i64>,
    pub cap_per_broker_fen: Option<i64>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub note: Option<String>,
}

impl PolicyInput {
    /// 422 naming each bad field.
    pub fn parse(self) -> Result<NewPolicy, ApiError> {
        let mut f = Fields::new();
        let rate = f.small_range("rate_bp", Some(self.rate_bp), 0, 10_000).map(i32::from).unwrap_or_default();
        let cap_agency = f.money("cap_per_agency_fen", self.cap_per_agency_fen);
        let cap_broker = f.money("cap_per_broker_fen", self.cap_per_broker_fen);
        f.day("effective_from", Some(self.effective_from));
        f.day("effective_to", self.effective_to);
        if self.effective_to.is_some_and(|to| to < self.effective_from) {
            f.push(
                FieldError::new("effective_to", FieldCode::Inconsistent)
                    .with("other", "effective_from")
                    .says("不能早于生效日期 effective_from", "cannot be before effective_from"),
            );
        }
        let note = f.opt_long_text("note", self.note, 2000);
        f.finish()?;
        Ok(NewPolicy {
            agency_id: self.agency_id,
            basis: self.basis,
            rate_bp: rate,
            cap_per_agency_fen: cap_agency,
            cap_per_broker_fen: cap_broker,
            effective_from: self.effective_from,
            effective_to: self.effective_to,
            note,
        })
    }
}

/// Query of the commission statement.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementParams {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period; not before `from`.
    pub to: NaiveDate,
}

impl StatementParams {
    /// 400 `invalid_query` for days outside the years 1–9999 or `from` after `to`.
    pub fn check(&self) -> Result<(), ApiError> {
        crate::validation::query_period(Some(self.from), Some(self.to))
    }
}

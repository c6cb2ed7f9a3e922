//! Bodies of `/api/v1/connections/{id}/contract…`.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::error::{FieldCode, FieldError};
use crate::spec::text::{Note, RegistrationNo, RequiredNote};
use crate::validation::Fields;
use crate::vocab::{ContractReview, ContractStatus, ContractSubKind, ContractType};

/// Longest note, in characters.
const MAX_NOTE_CHARS: usize = 2000;

/// Body of `POST /api/v1/connections/{id}/contract`: the terms one side proposes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeInput {
    pub contract_type: ContractType,
    /// A sub-kind of `contract_type` (422 when it belongs to another kind).
    pub sub_kind: Option<ContractSubKind>,
    /// The contract total in fen (0.01 CNY), 0–10^15.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub total_fen: i64,
    /// 技术交易额 in fen: the technical part of the total; at most `total_fen` (422 otherwise).
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub technical_fen: i64,
    /// The day the contract was signed.
    pub signed_on: NaiveDate,
    /// First day of the term (履行期限).
    pub term_start: NaiveDate,
    /// Last day of the term; not before `term_start`.
    pub term_end: NaiveDate,
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// Checked terms.
#[derive(Debug, Clone)]
pub struct Terms {
    pub contract_type: ContractType,
    pub sub_kind: Option<ContractSubKind>,
    pub total_fen: i64,
    pub technical_fen: i64,
    pub signed_on: NaiveDate,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub note: Option<String>,
}

impl ProposeInput {
    /// 422 naming each bad field: amounts out of range, 技术交易额 above the total, a sub-kind of
    /// another kind, days outside the years 1–9999, a term that ends before it starts.
    pub fn parse(self) -> Result<Terms, ApiError> {
        let mut f = Fields::new();
        f.money("total_fen", Some(self.total_fen));
        f.money("technical_fen", Some(self.technical_fen));
        if self.technical_fen > self.total_fen {
            f.push(FieldError::new("technical_fen", FieldCode::Inconsistent).with("other", "total_fen").says(
                "技术交易额不能超过合同总额 total_fen",
                "技术交易额 cannot exceed the contract total (`total_fen`)",
            ));
        }
        if let Some(sub) = self.sub_kind.filter(|s| s.contract_type() != self.contract_type) {
            f.push(FieldError::new("sub_kind", FieldCode::Inconsistent).with("other", "contract_type").says(
                format!("`{sub}` 属于 `{}` 合同，不属于 `{}`", sub.contract_type(), self.contract_type),
                format!("`{sub}` is a kind of `{}` contract, not `{}`", sub.contract_type(), self.contract_type),
            ));
        }
        f.day("signed_on", Some(self.signed_on));
        f.day("term_start", Some(self.term_start));
        f.day("term_end", Some(self.term_end));
        if self.term_end < self.term_start {
            f.push(
                FieldError::new("term_end", FieldCode::Inconsistent)
                    .with("other", "term_start")
                    .says("合同期限不能在开始前结束", "the term cannot end before it starts"),
            );
        }
        let note = f.opt_long_text("note", self.note, MAX_NOTE_CHARS);
        f.finish()?;
        Ok(Terms {
            contract_type: self.contract_type,
            sub_kind: self.sub_kind,
            total_fen: self.total_fen,
            technical_fen: self.technical_fen,
            signed_on: self.signed_on,
            term_start: self.term_start,
            term_end: self.term_end,
            note,
        })
    }
}

/// Body of `POST …/contract/confirm`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmInput {
    /// The `version` of the contract as the confirming side read it: 412 `version_mismatch` when
    /// the terms changed since.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// Body of `POST …/contract/dispute`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeInput {
    /// What is wrong with the terms.
    #[schema(value_type = RequiredNote)]
    pub note: String,
}

/// The decisions of a review.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractDecision {
    Approved,
    Rejected,
}

impl From<ContractDecision> for ContractReview {
    fn from(d: ContractDecision) -> Self {
        match d {
            ContractDecision::Approved => ContractReview::Approved,
            ContractDecision::Rejected => ContractReview::Rejected,
        }
    }
}

/// Body of `POST …/contract/review` (admins).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = ContractReviewInput)] // the listings' review body is `ReviewInput`
#[serde(deny_unknown_fields)]
pub struct ContractReviewInput {
    pub decision: ContractDecision,
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// Body of `POST …/contract/registration` (the seller side).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    /// 技术合同登记号 as the registry issued it.
    #[schema(value_type = RegistrationNo)]
    pub registration_no: String,
    /// The day of registration.
    pub registered_on: NaiveDate,
}

/// Body of `POST …/contract/status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// `in_performance`, `completed` or `terminated` (see the contract's `allowed_moves`).
    pub to: ContractStatus,
    /// Why (required for `terminated`).
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// Checks a note of at most 2000 characters (`required`: not blank).
pub fn note(field: &str, value: Option<String>, required: bool) -> Result<Option<String>, ApiError> {
    let mut f = Fields::new();
    let note = f.opt_long_text(field, value, MAX_NOTE_CHARS);
    if required && note.is_none() {
        f.push(FieldError::new(field, FieldCode::Missing));
    }
    f.finish()?;
    Ok(note)
}

/// Checks a registration number (see [`RegistrationNo`]) and its day.
pub fn registration(input: RegistrationInput) -> Result<(String, NaiveDate), ApiError> {
    let mut f = Fields::new();
    let number = f.text("registration_no", input.registration_no, 32);
    let well_formed =
        (6..=32).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !number.is_empty() && !well_formed {
        f.push(FieldError::new("registration_no", FieldCode::InvalidFormat).with("format", "registration_no"));
    }
    f.day("registered_on", Some(input.registered_on));
    f.finish()?;
    Ok((number, input.registered_on))
}

/// Query of `GET /api/v1/contracts`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContractListParams {
    /// Only contracts in this status.
    pub status: Option<ContractStatus>,
    /// Only contracts with this review (`pending`: the department's queue).
    pub review: Option<ContractReview>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

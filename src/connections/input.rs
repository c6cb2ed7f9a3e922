//! Bodies and query strings of `/api/v1/connections`.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::field_error::{FieldCode, FieldError};
use crate::spec::text::Note;
use crate::spec::IndustryCode;
use crate::validation::{query_period, query_text, Fields};
use crate::vocab::{ConnectionStatus, FailureReason};

/// Longest note on an event, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// Body of `POST /api/v1/connections`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    /// An open demand.
    pub demand_id: Uuid,
    /// A published supply.
    pub supply_id: Uuid,
    /// Why these two should talk (at most 2000 characters).
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// Body of `POST /api/v1/connections/{id}/events`: a move to `to`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// The status the client last saw. When given, the move applies only if the connection is
    /// still in it (409 `illegal_transition` otherwise), so two people acting on the same view
    /// cannot both win.
    pub from: Option<ConnectionStatus>,
    pub to: ConnectionStatus,
    /// At most 2000 characters; required when `failure_reason` is `other`.
    pub note: Option<String>,
    /// Required for `failed`.
    pub failure_reason: Option<FailureReason>,
}

/// A checked move.
#[derive(Debug, Clone)]
pub struct Move {
    pub from: Option<ConnectionStatus>,
    pub to: ConnectionStatus,
    pub note: Option<String>,
    pub failure_reason: Option<FailureReason>,
}

impl OpenInput {
    /// The checked note.
    pub fn note(&self) -> Result<Option<String>, ApiError> {
        let mut f = Fields::new();
        let note = f.opt_long_text("note", self.note.clone(), MAX_NOTE_CHARS);
        f.finish()?;
        Ok(note)
    }
}

impl MoveInput {
    /// Checks the fields each target status needs; 422 lists what is missing or misplaced (and
    /// `to: signed`, which only a confirmed contract sets).
    pub fn parse(self) -> Result<Move, ApiError> {
        let mut f = Fields::new();
        let note = f.opt_long_text("note", self.note, MAX_NOTE_CHARS);
        let failing = self.to == ConnectionStatus::Failed;
        if self.to == ConnectionStatus::Signed {
            f.error(
                "to",
                FieldCode::NotAllowed,
                "对方确认合同后对接即为已签约（POST /api/v1/connections/{id}/contract，然后 …/contract/confirm）",
                "a connection is signed when the other side confirms the contract \
                 (POST /api/v1/connections/{id}/contract, then …/contract/confirm)",
            );
        }
        match (failing, self.failure_reason) {
            (true, None) => {
                f.error("failure_reason", FieldCode::Missing, "对接失败时必填", "required when the connection fails")
            }
            (true, Some(FailureReason::Other)) if note.is_none() => f.error(
                "note",
                FieldCode::Missing,
                "failure_reason 为 `other` 时必填",
                "required when failure_reason is `other`",
            ),
            (false, Some(_)) => {
                f.error("failure_reason", FieldCode::NotAllowed, "仅用于变更为 `failed`", "only for a move to `failed`")
            }
            _ => {}
        }
        f.finish()?;
        Ok(Move { from: self.from, to: self.to, note, failure_reason: self.failure_reason })
    }
}

/// Query of `GET /api/v1/connections` and the CSV export.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConnectionListParams {
    /// Only connections in this status.
    pub status: Option<ConnectionStatus>,
    /// An industry code carried by the demand or the supply.
    #[param(value_type = Option<IndustryCode>)]
    pub industry: Option<String>,
    /// An organisation on either side.
    pub organization_id: Option<Uuid>,
    /// The broker on the connection.
    pub broker_id: Option<Uuid>,
    /// Opened on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Opened on or before this day (UTC); not before `from`.
    pub to: Option<NaiveDate>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

impl ConnectionListParams {
    /// Rejects NUL, unknown industry codes, days outside the years 1–9999 and `from` after
    /// `to` (400 `invalid_query`; NUL is `nul_character`).
    pub fn check(&self, taxonomy: &crate::industries::taxonomy::Taxonomy) -> Result<(), ApiError> {
        query_text("industry", self.industry.as_deref())?;
        query_period(self.from, self.to)?;
        if let Some(code) = self.industry.as_deref().filter(|c| !taxonomy.contains(c)) {
            return Err(ApiError::bad_query(
                format!("unknown industry code `{code}`"),
                FieldError::new("industry", FieldCode::UnknownValue).with("value", code),
            ));
        }
        Ok(())
    }
}

/// Query of the CSV export: the list's filters, and the file's options.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConnectionExportParams {
    /// Only connections in this status.
    pub status: Option<ConnectionStatus>,
    /// An industry code carried by the demand or the supply.
    #[param(value_type = Option<IndustryCode>)]
    pub industry: Option<String>,
    /// An organisation on either side.
    pub organization_id: Option<Uuid>,
    /// The broker on the connection.
    pub broker_id: Option<Uuid>,
    /// Opened on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Opened on or before this day (UTC); not before `from`.
    pub to: Option<NaiveDate>,
    /// Checked like the list's, then ignored.
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Checked like the list's, then ignored.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
    /// Header row in `en` (default) or `zh`.
    #[param(value_type = Option<crate::csv_export::CsvHeaders>)]
    pub headers: Option<crate::csv_export::CsvHeaders>,
    /// Start the file with a UTF-8 byte-order mark (Excel on Chinese Windows then reads UTF-8).
    pub bom: Option<bool>,
}

impl ConnectionExportParams {
    /// The filters, as the list takes them.
    pub fn filters(&self) -> ConnectionListParams {
        ConnectionListParams {
            status: self.status,
            industry: self.industry.clone(),
            organization_id: self.organization_id,
            broker_id: self.broker_id,
            from: self.from,
            to: self.to,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

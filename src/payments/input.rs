//! Bodies of `/api/v1/connections/{id}/contract/payments…`.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::error::{FieldCode, FieldError};
use crate::spec::text::{EvidenceRef, Note};
use crate::validation::{opt_integer, Fields};
use crate::validation::{range_error, MAX_MONEY_FEN};

/// Body of `POST …/contract/payments`: an instalment, planned (`planned_on`, `planned_fen`) or
/// received (`received_on`, `received_fen`, `evidence_ref`), or both.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    pub planned_on: Option<NaiveDate>,
    /// The planned amount in fen, 0–10^15.
    #[serde(default, deserialize_with = "opt_integer")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub planned_fen: Option<i64>,
    pub received_on: Option<NaiveDate>,
    /// The amount received in fen, 1–10^15; all receipts of a contract together at most its total.
    #[serde(default, deserialize_with = "opt_integer")]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    pub received_fen: Option<i64>,
    #[schema(value_type = Option<EvidenceRef>)]
    pub evidence_ref: Option<String>,
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// Body of `POST …/payments/{payment_id}/receipt`: the receipt of a planned instalment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptInput {
    pub received_on: NaiveDate,
    /// 1–10^15 fen.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    pub received_fen: i64,
    #[schema(value_type = EvidenceRef)]
    pub evidence_ref: String,
}

/// A checked instalment: the plan, the receipt, or both.
#[derive(Debug, Clone)]
pub struct Instalment {
    pub plan: Option<(NaiveDate, i64)>,
    pub receipt: Option<Receipt>,
    pub note: Option<String>,
}

/// A checked receipt.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub on: NaiveDate,
    pub fen: i64,
    pub evidence_ref: String,
}

fn receipt(f: &mut Fields, on: Option<NaiveDate>, fen: Option<i64>, evidence: Option<String>) -> Option<Receipt> {
    let on = f.day("received_on", on);
    let fen = f.money("received_fen", fen);
    if fen == Some(0) {
        f.push(
            range_error("received_fen", 1, MAX_MONEY_FEN, 0).says("到账金额至少 1 分", "a receipt is at least 1 fen"),
        );
    }
    let evidence = f.opt_text("evidence_ref", evidence, 200);
    match (on, fen, evidence) {
        (None, None, None) => None,
        (Some(on), Some(fen), Some(evidence_ref)) => Some(Receipt { on, fen, evidence_ref }),
        (on, fen, evidence) => {
            for (field, present) in
                [("received_on", on.is_some()), ("received_fen", fen.is_some()), ("evidence_ref", evidence.is_some())]
            {
                if !present {
                    f.error(
                        field,
                        FieldCode::Missing,
                        "到账需要 received_on、received_fen 和 evidence_ref",
                        "a receipt needs received_on, received_fen and evidence_ref",
                    );
                }
            }
            None
        }
    }
}

impl PaymentInput {
    /// 422 naming each bad field: a half plan, a half receipt, neither, amounts out of range.
    pub fn parse(self) -> Result<Instalment, ApiError> {
        let mut f = Fields::new();
        let planned_on = f.day("planned_on", self.planned_on);
        let planned_fen = f.money("planned_fen", self.planned_fen);
        let plan = match (planned_on, planned_fen) {
            (Some(on), Some(fen)) => Some((on, fen)),
            (None, None) => None,
            (on, _) => {
                f.error(
                    if on.is_none() { "planned_on" } else { "planned_fen" },
                    FieldCode::Missing,
                    "计划需要 planned_on 和 planned_fen",
                    "a plan needs planned_on and planned_fen",
                );
                None
            }
        };
        let receipt = receipt(&mut f, self.received_on, self.received_fen, self.evidence_ref);
        let note = f.opt_long_text("note", self.note, 2000);
        if plan.is_none() && receipt.is_none() {
            f.error(
                "planned_on",
                FieldCode::Missing,
                "分期须为计划（planned_on、planned_fen）或到账（received_on、received_fen、evidence_ref）",
                "an instalment is planned (planned_on, planned_fen) or received (received_on, received_fen, evidence_ref)",
            );
        }
        f.finish()?;
        Ok(Instalment { plan, receipt, note })
    }
}

impl ReceiptInput {
    /// 422 naming each bad field.
    pub fn parse(self) -> Result<Receipt, ApiError> {
        let mut f = Fields::new();
        let receipt = receipt(&mut f, Some(self.received_on), Some(self.received_fen), Some(self.evidence_ref));
        f.finish()?;
        receipt.ok_or_else(|| ApiError::invalid_field(FieldError::new("evidence_ref", FieldCode::Missing)))
    }
}

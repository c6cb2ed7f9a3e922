//! Policies, evidence and statements.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Uuid as SqlUuid};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::commission_policies;
use crate::vocab::CommissionBasis;

/// A commission policy.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = commission_policies)]
pub struct Policy {
    pub id: Uuid,
    /// The agency it applies to; `null`: every agency without a policy of its own.
    pub agency_id: Option<Uuid>,
    pub basis: CommissionBasis,
    /// The rate in basis points (200 = 2 %).
    pub rate_bp: i32,
    /// Most commission an agency earns in a calendar year, in fen; `null`: no cap.
    pub cap_per_agency_fen: Option<i64>,
    /// Most commission earned on one broker's contracts in a calendar year, in fen.
    pub cap_per_broker_fen: Option<i64>,
    pub effective_from: NaiveDate,
    /// Last day it applies; `null`: open-ended.
    pub effective_to: Option<NaiveDate>,
    pub note: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Policy {
    /// Whether the policy applies on `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_to.map_or(true, |to| day <= to)
    }
}

/// Something a commission may be earned on: a confirmed contract that counts (its 技术交易额 on
/// its signing day) or a confirmed receipt of one (its amount on its day).
#[derive(Debug, Clone, QueryableByName)]
pub struct Evidence {
    #[diesel(sql_type = SqlUuid)]
    pub connection_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub contract_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub payment_id: Option<Uuid>,
    #[diesel(sql_type = SqlUuid)]
    pub broker_id: Uuid,
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub base_fen: i64,
    /// When it was confirmed (orders evidence of one day: the first confirmed uses a cap first).
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl Evidence {
    /// The basis this evidence is for.
    pub fn basis(&self) -> CommissionBasis {
        if self.payment_id.is_some() {
            CommissionBasis::ReceivedAmount
        } else {
            CommissionBasis::TechnicalAmount
        }
    }
}

/// One row of a statement: the evidence, the policy applied, and the commission.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct StatementRow {
    pub day: NaiveDate,
    /// `technical_amount` (a contract) or `received_amount` (a receipt).
    pub basis: CommissionBasis,
    pub connection_id: Uuid,
    pub contract_id: Uuid,
    /// The receipt, for `received_amount`.
    pub payment_id: Option<Uuid>,
    pub broker_id: Uuid,
    /// The amount the rate applies to, in fen.
    pub base_fen: i64,
    pub policy_id: Uuid,
    pub rate_bp: i32,
    /// `base_fen × rate_bp / 10000`, rounded down to the fen.
    pub computed_fen: i64,
    /// What is earned after the year's caps.
    pub commission_fen: i64,
    /// Whether a cap cut the commission.
    pub capped: bool,
}

/// An agency's commission statement for a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Statement {
    pub agency_id: Uuid,
    pub agency_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Sum of `commission_fen`.
    pub commission_fen: i64,
    /// Oldest first.
    pub rows: Vec<StatementRow>,
}

//! A payment as stored and returned, and a contract's totals.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::contract_payments;
use crate::vocab::PaymentStatus;

/// One instalment of a contract's payments.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = contract_payments)]
pub struct Payment {
    pub id: Uuid,
    pub contract_id: Uuid,
    /// `planned`, `received` (recorded by the seller side) or `confirmed` (by the buyer side).
    pub status: PaymentStatus,
    pub planned_on: Option<NaiveDate>,
    /// The planned amount in fen.
    pub planned_fen: Option<i64>,
    pub received_on: Option<NaiveDate>,
    /// The amount received in fen.
    pub received_fen: Option<i64>,
    /// Where the receipt can be checked (a bank slip or invoice number).
    pub evidence_ref: Option<String>,
    pub note: Option<String>,
    pub entered_by: Option<Uuid>,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contract's payments with their totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Payments {
    pub contract_id: Uuid,
    /// The contract total, for comparison.
    pub contract_total_fen: i64,
    /// Sum of the planned amounts of instalments not yet received.
    pub planned_fen: i64,
    /// 到账: sum of the receipts the buyer side confirmed.
    pub received_fen: i64,
    /// Receipts recorded by the seller side, not yet confirmed.
    pub unconfirmed_fen: i64,
    /// Oldest first.
    pub items: Vec<Payment>,
}

impl Payments {
    /// The totals of `items`.
    pub fn new(contract_id: Uuid, contract_total_fen: i64, items: Vec<Payment>) -> Self {
        let sum = |status: PaymentStatus, amount: fn(&Payment) -> Option<i64>| -> i64 {
            items.iter().filter(|p| p.status == status).filter_map(amount).sum()
        };
        Self {
            contract_id,
            contract_total_fen,
            planned_fen: sum(PaymentStatus::Planned, |p| p.planned_fen),
            received_fen: sum(PaymentStatus::Confirmed, |p| p.received_fen),
            unconfirmed_fen: sum(PaymentStatus::Received, |p| p.received_fen),
            items,
        }
    }
}

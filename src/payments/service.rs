//! Payment rules.
//!
//! - The seller side (the supply's organisation) enters instalments, planned or received, and
//!   records the receipt of a planned one; the buyer side (the demand's) confirms a receipt.
//!   Brokers and admins see them; nobody else (404).
//! - Entering or receiving needs a contract both sides confirmed that is not `terminated`: 409
//!   `contract_not_payable` otherwise. A receipt recorded before the termination may still be
//!   confirmed.
//! - All receipts of a contract (confirmed or not) together are at most its total (422
//!   `received_fen`); only confirmed ones count as received (到账).

use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::input::{Instalment, Receipt};
use super::model::{Payment, Payments};
use super::repo;
use crate::auth::principal::Principal;
use crate::contracts::model::Contract;
use crate::contracts::repo as contract_repo;
use crate::contracts::service::{audit_both_sides, parties, Parties, Side};
use crate::error::{ApiError, ErrorCode};
use crate::error::{FieldCode, FieldError};
use crate::vocab::{AuditAction, AuditRecordType, ContractStatus, PaymentStatus};

/// 403 unless the caller acts for `side` of the contract.
fn require(caller: &Principal, parties: &Parties, side: Side, what: &str) -> Result<(), ApiError> {
    if caller.is_admin() || parties.side_of(caller) != Some(side) {
        return Err(ApiError::Forbidden(what.into()));
    }
    Ok(())
}

fn no_contract(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("contract of connection {id}"))
}

/// The contract of connection `id`, locked; 409 `contract_not_payable` unless confirmed and not
/// terminated.
fn payable(conn: &mut PgConnection, id: Uuid) -> Result<Contract, ApiError> {
    let contract = contract_repo::lock_of_connection(conn, id)?.ok_or_else(|| no_contract(id))?;
    if !contract.status.is_confirmed() || contract.status == ContractStatus::Terminated {
        return Err(ApiError::ConflictWith {
            code: ErrorCode::ContractNotPayable,
            detail: format!(
                "payments are recorded on a contract both sides confirmed that is not terminated; this one is `{}`",
                contract.status
            ),
            extension: json!({ "contract_status": contract.status }),
        });
    }
    Ok(contract)
}

/// 422 when `fen` more would bring the receipts of `contract` above its total.
fn check_cap(conn: &mut PgConnection, contract: &Contract, fen: i64) -> Result<(), ApiError> {
    let recorded = repo::received_total(conn, contract.id)?;
    if recorded.saturating_add(fen) > contract.total_fen {
        let total = recorded.saturating_add(fen);
        return Err(ApiError::invalid_field(
            FieldError::new("received_fen", FieldCode::Inconsistent).with("other", "total_fen").says(
                format!("到账合计将为 {total} 分，超过合同总额 {} 分", contract.total_fen),
                format!("receipts would total {total} fen, above the contract total of {} fen", contract.total_fen),
            ),
        ));
    }
    Ok(())
}

/// The payments of connection `id`'s contract with their totals.
pub fn list(conn: &mut PgConnection, caller: &Principal, id: Uuid) -> Result<Payments, ApiError> {
    parties(conn, caller, id)?;
    let contract = contract_repo::of_connection(conn, id)?.ok_or_else(|| no_contract(id))?;
    let items = repo::of_contract(conn, contract.id)?;
    Ok(Payments::new(contract.id, contract.total_fen, items))
}

/// The seller side enters an instalment.
pub fn add(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    instalment: &Instalment,
) -> Result<Payment, ApiError> {
    let parties = parties(conn, caller, id)?;
    require(caller, &parties, Side::Seller, "the seller side (the supply's organisation) enters payments")?;
    crate::auth::policy::require_writer(conn, caller)?;
    conn.transaction(|conn| {
        let contract = payable(conn, id)?;
        if let Some(receipt) = &instalment.receipt {
            check_cap(conn, &contract, receipt.fen)?;
        }
        let added = repo::insert(conn, contract.id, instalment, caller.user_id)?;
        let record = (AuditAction::PaymentRecorded, AuditRecordType::Payment, added.id);
        audit_both_sides(conn, caller, &parties, record, None::<&Payment>, &added)?;
        Ok(added)
    })
}

/// The seller side records the receipt of a planned instalment.
pub fn receive(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    payment: Uuid,
    receipt: &Receipt,
) -> Result<Payment, ApiError> {
    let parties = parties(conn, caller, id)?;
    require(caller, &parties, Side::Seller, "the seller side (the supply's organisation) records receipts")?;
    crate::auth::policy::require_writer(conn, caller)?;
    conn.transaction(|conn| {
        let contract = payable(conn, id)?;
        let current = repo::lock(conn, contract.id, payment)?;
        if current.status != PaymentStatus::Planned {
            return Err(illegal(current.status, PaymentStatus::Received, PaymentStatus::Planned));
        }
        check_cap(conn, &contract, receipt.fen)?;
        let received = repo::receive(conn, payment, receipt)?;
        let record = (AuditAction::PaymentRecorded, AuditRecordType::Payment, payment);
        audit_both_sides(conn, caller, &parties, record, Some(&current), &received)?;
        Ok(received)
    })
}

fn illegal(from: PaymentStatus, to: PaymentStatus, needed: PaymentStatus) -> ApiError {
    let detail = format!("the payment is `{from}`: only a `{needed}` one can become `{to}`");
    ApiError::illegal_transition(from, to, &[] as &[PaymentStatus], detail)
}

/// The buyer side confirms a receipt.
pub fn confirm(conn: &mut PgConnection, caller: &Principal, id: Uuid, payment: Uuid) -> Result<Payment, ApiError> {
    let parties = parties(conn, caller, id)?;
    require(caller, &parties, Side::Buyer, "the buyer side (the demand's organisation) confirms receipts")?;
    conn.transaction(|conn| {
        let contract = contract_repo::lock_of_connection(conn, id)?.ok_or_else(|| no_contract(id))?;
        let current = repo::lock(conn, contract.id, payment)?;
        if current.status != PaymentStatus::Received {
            return Err(illegal(current.status, PaymentStatus::Confirmed, PaymentStatus::Received));
        }
        let confirmed = repo::confirm(conn, payment, caller.user_id)?;
        let record = (AuditAction::PaymentConfirmed, AuditRecordType::Payment, payment);
        audit_both_sides(conn, caller, &parties, record, Some(&current), &confirmed)?;
        Ok(confirmed)
    })
}

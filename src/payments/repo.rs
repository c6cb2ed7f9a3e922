//! Payment queries.

use diesel::prelude::*;
use uuid::Uuid;

use super::input::{Instalment, Receipt};
use super::model::Payment;
use crate::db::schema::contract_payments as p;
use crate::db::FoundExtension;
use crate::error::ApiError;
use crate::vocab::PaymentStatus;

/// The payments of a contract, oldest first.
pub fn of_contract(conn: &mut PgConnection, contract_id: Uuid) -> Result<Vec<Payment>, ApiError> {
    Ok(p::table
        .filter(p::contract_id.eq(contract_id))
        .order((p::created_at, p::id))
        .select(Payment::as_select())
        .load(conn)?)
}

/// Receipts recorded on a contract (confirmed or not), in fen.
pub fn received_total(conn: &mut PgConnection, contract_id: Uuid) -> Result<i64, ApiError> {
    let amounts: Vec<Option<i64>> = p::table
        .filter(p::contract_id.eq(contract_id))
        .filter(p::status.ne(PaymentStatus::Planned))
        .select(p::received_fen)
        .load(conn)?;
    Ok(amounts.into_iter().flatten().sum())
}

/// Inserts an instalment entered by `user`.
pub fn insert(conn: &mut PgConnection, contract_id: Uuid, i: &Instalment, user: Uuid) -> Result<Payment, ApiError> {
    let status = if i.receipt.is_some() { PaymentStatus::Received } else { PaymentStatus::Planned };
    Ok(diesel::insert_into(p::table)
        .values((
            p::contract_id.eq(contract_id),
            p::status.eq(status),
            p::planned_on.eq(i.plan.map(|(on, _)| on)),
            p::planned_fen.eq(i.plan.map(|(_, fen)| fen)),
            p::received_on.eq(i.receipt.as_ref().map(|r| r.on)),
            p::received_fen.eq(i.receipt.as_ref().map(|r| r.fen)),
            p::evidence_ref.eq(i.receipt.as_ref().map(|r| r.evidence_ref.clone())),
            p::note.eq(i.note.as_deref()),
            p::entered_by.eq(Some(user)),
        ))
        .returning(Payment::as_returning())
        .get_result(conn)?)
}

/// The payment `id` of contract `contract_id`, locked; 404 when absent.
pub fn lock(conn: &mut PgConnection, contract_id: Uuid, id: Uuid) -> Result<Payment, ApiError> {
    p::table
        .find(id)
        .filter(p::contract_id.eq(contract_id))
        .select(Payment::as_select())
        .for_update()
        .first(conn)
        .or_not_found(|| format!("payment {id}"))
}

/// Records the receipt of a planned instalment.
pub fn receive(conn: &mut PgConnection, id: Uuid, r: &Receipt) -> Result<Payment, ApiError> {
    Ok(diesel::update(p::table.find(id))
        .set((
            p::status.eq(PaymentStatus::Received),
            p::received_on.eq(Some(r.on)),
            p::received_fen.eq(Some(r.fen)),
            p::evidence_ref.eq(Some(r.evidence_ref.as_str())),
            p::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Payment::as_returning())
        .get_result(conn)?)
}

/// The buyer side confirms a receipt.
pub fn confirm(conn: &mut PgConnection, id: Uuid, user: Uuid) -> Result<Payment, ApiError> {
    Ok(diesel::update(p::table.find(id))
        .set((
            p::status.eq(PaymentStatus::Confirmed),
            p::confirmed_by.eq(Some(user)),
            p::confirmed_at.eq(diesel::dsl::now),
            p::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Payment::as_returning())
        .get_result(conn)?)
}

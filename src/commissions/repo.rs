//! Policy and evidence queries.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Date, Uuid as SqlUuid};
use uuid::Uuid;

use super::input::NewPolicy;
use super::model::{Evidence, Policy};
use crate::db::schema::commission_policies as cp;
use crate::error::ApiError;

/// Locks the policies against concurrent creation until the transaction ends (the overlap check
/// and the insert run under it).
pub fn lock(conn: &mut PgConnection) -> Result<(), ApiError> {
    diesel::sql_query("LOCK TABLE commission_policies IN SHARE ROW EXCLUSIVE MODE").execute(conn)?;
    Ok(())
}

/// A policy of the same scope (the agency, or the default) whose period meets `[from, to]`.
pub fn overlapping(
    conn: &mut PgConnection,
    agency: Option<Uuid>,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Result<Option<Uuid>, ApiError> {
    let mut query = cp::table.select(cp::id).into_boxed();
    query = match agency {
        Some(a) => query.filter(cp::agency_id.eq(a)),
        None => query.filter(cp::agency_id.is_null()),
    };
    query = query.filter(cp::effective_to.is_null().or(cp::effective_to.ge(from)));
    if let Some(to) = to {
        query = query.filter(cp::effective_from.le(to));
    }
    Ok(query.first(conn).optional()?)
}

/// Inserts a policy.
pub fn insert(conn: &mut PgConnection, p: &NewPolicy, admin: Uuid) -> Result<Policy, ApiError> {
    Ok(diesel::insert_into(cp::table)
        .values((
            cp::agency_id.eq(p.agency_id),
            cp::basis.eq(p.basis),
            cp::rate_bp.eq(p.rate_bp),
            cp::cap_per_agency_fen.eq(p.cap_per_agency_fen),
            cp::cap_per_broker_fen.eq(p.cap_per_broker_fen),
            cp::effective_from.eq(p.effective_from),
            cp::effective_to.eq(p.effective_to),
            cp::note.eq(p.note.as_deref()),
            cp::created_by.eq(Some(admin)),
        ))
        .returning(Policy::as_returning())
        .get_result(conn)?)
}

/// Every policy, the default ones and the agency's (all of them when `agency` is `None`), by
/// start day.
pub fn list(conn: &mut PgConnection, agency: Option<Uuid>) -> Result<Vec<Policy>, ApiError> {
    let mut query = cp::table.select(Policy::as_select()).order((cp::effective_from, cp::id)).into_boxed();
    if let Some(a) = agency {
        query = query.filter(cp::agency_id.is_null().or(cp::agency_id.eq(a)));
    }
    Ok(query.load(conn)?)
}

/// Contracts that count and confirmed receipts of them, facilitated by a broker of `agency` (the
/// broker's organisation now), dated in `[from, to]`.
pub fn evidence(
    conn: &mut PgConnection,
    agency: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Evidence>, ApiError> {
    let sql = "WITH k AS (
        SELECT k.id, k.connection_id, k.signed_on, k.technical_fen, c.broker_id, k.confirmed_at
        FROM contracts k JOIN connections c ON c.id = k.connection_id JOIN users u ON u.id = c.broker_id
        WHERE u.organization_id = $1
          AND k.status NOT IN ('proposed', 'disputed') AND k.review IN ('not_required', 'approved'))
      SELECT k.connection_id, k.id AS contract_id, NULL::uuid AS payment_id, k.broker_id, k.signed_on AS day,
             k.technical_fen AS base_fen, k.confirmed_at
        FROM k WHERE k.signed_on BETWEEN $2 AND $3
      UNION ALL
      SELECT k.connection_id, k.id, p.id, k.broker_id, p.received_on, p.received_fen, p.confirmed_at
        FROM k JOIN contract_payments p ON p.contract_id = k.id
       WHERE p.status = 'confirmed' AND p.received_on BETWEEN $2 AND $3";
    Ok(diesel::sql_query(sql).bind::<SqlUuid, _>(agency).bind::<Date, _>(from).bind::<Date, _>(to).load(conn)?)
}

//! Contract queries. Every change locks the row first (`FOR UPDATE`) in the caller's transaction.

use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use super::input::Terms;
use super::model::Contract;
use crate::db::schema::contracts;
use crate::error::ApiError;
use crate::vocab::{ContractReview, ContractReviewReason, ContractStatus};

/// The contract of a connection, locked until the transaction ends; `None` when there is none.
pub fn lock_of_connection(conn: &mut PgConnection, connection_id: Uuid) -> Result<Option<Contract>, ApiError> {
    Ok(contracts::table
        .filter(contracts::connection_id.eq(connection_id))
        .select(Contract::as_select())
        .for_update()
        .first(conn)
        .optional()?)
}

/// The contract of a connection; `None` when there is none.
pub fn of_connection(conn: &mut PgConnection, connection_id: Uuid) -> Result<Option<Contract>, ApiError> {
    Ok(contracts::table
        .filter(contracts::connection_id.eq(connection_id))
        .select(Contract::as_select())
        .first(conn)
        .optional()?)
}

/// Records `terms` as proposed by `user` of `organization`: a new contract, or new terms for
/// one still `proposed` or `disputed` (the dispute is cleared, the version grows).
pub fn propose(
    conn: &mut PgConnection,
    connection_id: Uuid,
    existing: Option<&Contract>,
    terms: &Terms,
    user: Uuid,
    organization: Uuid,
) -> Result<Contract, ApiError> {
    let values = (
        contracts::status.eq(ContractStatus::Proposed),
        contracts::contract_type.eq(terms.contract_type),
        contracts::sub_kind.eq(terms.sub_kind),
        contracts::total_fen.eq(terms.total_fen),
        contracts::technical_fen.eq(terms.technical_fen),
        contracts::signed_on.eq(terms.signed_on),
        contracts::term_start.eq(Some(terms.term_start)),
        contracts::term_end.eq(Some(terms.term_end)),
        contracts::proposed_by.eq(Some(user)),
        contracts::proposer_organization_id.eq(Some(organization)),
        contracts::proposed_at.eq(diesel::dsl::now),
        contracts::proposal_note.eq(terms.note.as_deref()),
        contracts::disputed_by.eq(None::<Uuid>),
        contracts::dispute_note.eq(None::<String>),
    );
    Ok(match existing {
        None => diesel::insert_into(contracts::table)
            .values((contracts::connection_id.eq(connection_id), values))
            .returning(Contract::as_returning())
            .get_result(conn)?,
        Some(c) => diesel::update(contracts::table.find(c.id))
            .set((values, contracts::version.eq(contracts::version + 1), contracts::updated_at.eq(diesel::dsl::now)))
            .returning(Contract::as_returning())
            .get_result(conn)?,
    })
}

/// Confirms the contract: `signed`, with the review it needs.
pub fn confirm(
    conn: &mut PgConnection,
    id: Uuid,
    user: Uuid,
    review: ContractReview,
    reasons: &[ContractReviewReason],
) -> Result<Contract, ApiError> {
    Ok(diesel::update(contracts::table.find(id))
        .set((
            contracts::status.eq(ContractStatus::Signed),
            contracts::confirmed_by.eq(Some(user)),
            contracts::confirmed_at.eq(diesel::dsl::now),
            contracts::review.eq(review),
            contracts::review_reasons.eq(reasons.to_vec()),
            contracts::version.eq(contracts::version + 1),
            contracts::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Contract::as_returning())
        .get_result(conn)?)
}

/// Marks the proposal disputed by `user`, with `note`.
pub fn dispute(conn: &mut PgConnection, id: Uuid, user: Uuid, note: &str) -> Result<Contract, ApiError> {
    Ok(diesel::update(contracts::table.find(id))
        .set((
            contracts::status.eq(ContractStatus::Disputed),
            contracts::disputed_by.eq(Some(user)),
            contracts::dispute_note.eq(Some(note)),
            contracts::version.eq(contracts::version + 1),
            contracts::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Contract::as_returning())
        .get_result(conn)?)
}

/// Records an admin's review decision.
pub fn review(
    conn: &mut PgConnection,
    id: Uuid,
    admin: Uuid,
    decision: ContractReview,
    note: Option<&str>,
) -> Result<Contract, ApiError> {
    Ok(diesel::update(contracts::table.find(id))
        .set((
            contracts::review.eq(decision),
            contracts::reviewed_by.eq(Some(admin)),
            contracts::reviewed_at.eq(diesel::dsl::now),
            contracts::review_note.eq(note),
            contracts::version.eq(contracts::version + 1),
            contracts::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Contract::as_returning())
        .get_result(conn)?)
}

/// Records the registration; the status becomes `status`.
pub fn register(
    conn: &mut PgConnection,
    id: Uuid,
    status: ContractStatus,
    number: &str,
    day: NaiveDate,
) -> Result<Contract, ApiError> {
    Ok(diesel::update(contracts::table.find(id))
        .set((
            contracts::status.eq(status),
            contracts::registration_no.eq(Some(number)),
            contracts::registered_on.eq(Some(day)),
            contracts::version.eq(contracts::version + 1),
            contracts::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Contract::as_returning())
        .get_result(conn)?)
}

/// Moves the contract to `to` with `note`.
pub fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    to: ContractStatus,
    note: Option<&str>,
) -> Result<Contract, ApiError> {
    Ok(diesel::update(contracts::table.find(id))
        .set((
            contracts::status.eq(to),
            contracts::status_note.eq(note),
            contracts::version.eq(contracts::version + 1),
            contracts::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Contract::as_returning())
        .get_result(conn)?)
}

/// One page of contracts, newest first, with the total: all of them (`visible_to` `None`, for
/// admins) or those on connections where the organisation is a side or the user the broker.
pub fn list(
    conn: &mut PgConnection,
    visible_to: Option<(Uuid, Uuid)>,
    status: Option<ContractStatus>,
    review: Option<ContractReview>,
    page: crate::pagination::PageRequest,
) -> Result<(Vec<Contract>, i64), ApiError> {
    use crate::db::schema::{connections as c, demands as d, supplies as s};
    let filtered = || {
        let mut query = contracts::table.into_boxed();
        if let Some((organization, user)) = visible_to {
            let visible = c::table
                .inner_join(d::table)
                .inner_join(s::table)
                .filter(
                    d::organization_id
                        .eq(organization)
                        .or(s::organization_id.eq(organization))
                        .or(c::broker_id.eq(user)),
                )
                .select(c::id);
            query = query.filter(contracts::connection_id.eq_any(visible));
        }
        if let Some(status) = status {
            query = query.filter(contracts::status.eq(status));
        }
        if let Some(review) = review {
            query = query.filter(contracts::review.eq(review));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((contracts::updated_at.desc(), contracts::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Contract::as_select())
        .load(conn)?;
    Ok((items, total))
}

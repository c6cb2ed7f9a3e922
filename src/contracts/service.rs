//! Contract rules.
//!
//! - Who: the two sides of the connection (members of the demand's organisation, the buyer, and
//!   of the supply's, the seller) propose, confirm, dispute and move a contract; the broker on
//!   the connection and admins see it; admins review it; everyone else gets 404. A broker or an
//!   admin cannot propose or confirm (403): a contract binds the two sides only.
//! - Proposing: on a `negotiating` connection, either side puts the terms (again, while they are
//!   `proposed` or `disputed`: the new terms replace the old, the version grows).
//! - Confirming: only the other side than the proposer's organisation (403 for the proposer's
//!   own side), naming the `version` it read (412 when the terms changed). The contract becomes
//!   `signed` and the connection `signed` in the same transaction, with the contract's total and
//!   type and one event in its log. A confirmed contract above the review threshold, or one
//!   with a party the department has not verified, waits for an admin's review (`pending`)
//!   before it counts in the statistics; otherwise it counts at once.
//! - Disputing: the other side, with a note; the contract becomes `disputed` until new terms.
//! - After signing: the seller side records the registration (技术合同认定登记), `signed` →
//!   `registered`; either side moves it to `in_performance`, `completed` or `terminated` (with a
//!   note). Illegal moves answer 409 `illegal_transition` with `from`, `to`, `allowed`.

use diesel::prelude::*;
use diesel::Connection as _;
use uuid::Uuid;

use super::input::{StatusInput, Terms};
use super::model::{Contract, ContractView, Party};
use super::notify::{self, Step};
use super::repo;
use crate::audit::{self, Entry};
use crate::auth::policy::{require_admin, require_writer};
use crate::auth::principal::Principal;
use crate::connections::model::Connection;
use crate::connections::repo::{self as connection_repo, MoveChanges};
use crate::error::ApiError;
use crate::vocab::{
    AuditAction, AuditRecordType, ConnectionStatus, ContractReview, ContractReviewReason, ContractStatus, Verification,
};
use crate::{demands, supplies};

/// The connection of a contract and its two parties.
pub struct Parties {
    pub connection: Connection,
    pub buyer: Party,
    pub seller: Party,
}

/// Which side of the contract an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Buyer,
    Seller,
}

impl Parties {
    /// The caller's side, if the caller acts for one of the two organisations.
    pub fn side_of(&self, caller: &Principal) -> Option<Side> {
        if caller.organization_id == self.buyer.organization_id {
            Some(Side::Buyer)
        } else if caller.organization_id == self.seller.organization_id {
            Some(Side::Seller)
        } else {
            None
        }
    }

    /// Tells the side that did not act what happened to the terms ([`notify::tell_other_side`]).
    fn tell_other_side(
        &self,
        conn: &mut PgConnection,
        acting: Side,
        contract: &Contract,
        step: Step,
    ) -> Result<(), ApiError> {
        let sides = (&self.buyer, &self.seller);
        notify::tell_other_side(conn, sides, acting == Side::Buyer, self.connection.id, contract, step)
    }

    fn view(&self, contract: Contract) -> ContractView {
        ContractView::new(contract, self.buyer.clone(), self.seller.clone())
    }
}

/// The connection `id` and its parties, if the caller may see it (a side, its broker, an
/// admin); 404 otherwise.
pub fn parties(conn: &mut PgConnection, caller: &Principal, id: Uuid) -> Result<Parties, ApiError> {
    let missing = || ApiError::NotFound(format!("connection {id}"));
    let connection = connection_repo::get(conn, id)?;
    let demand =
        demands::repo::refs(conn, &[connection.demand_id])?.remove(&connection.demand_id).ok_or_else(missing)?;
    let supply =
        supplies::repo::refs(conn, &[connection.supply_id])?.remove(&connection.supply_id).ok_or_else(missing)?;
    let buyer = Party {
        organization_id: demand.organization_id,
        organization_name: demand.organization_name,
        listing_id: connection.demand_id,
    };
    let seller = Party {
        organization_id: supply.organization_id,
        organization_name: supply.organization_name,
        listing_id: connection.supply_id,
    };
    let parties = Parties { connection, buyer, seller };
    let sees =
        caller.is_admin() || parties.connection.broker_id == Some(caller.user_id) || parties.side_of(caller).is_some();
    if !sees {
        return Err(missing());
    }
    Ok(parties)
}

/// 403 unless the caller acts for one of the two sides (and its organisation is not rejected).
fn require_side(conn: &mut PgConnection, caller: &Principal, parties: &Parties) -> Result<Side, ApiError> {
    let side = parties.side_of(caller).filter(|_| !caller.is_admin()).ok_or_else(|| {
        ApiError::Forbidden("only the two sides of the connection propose, confirm and move its contract".into())
    })?;
    require_writer(conn, caller)?;
    Ok(side)
}

/// The `allowed` of a refusal that no move of the request's kind would avoid.
const NO_MOVES: &[ContractStatus] = &[];

fn no_contract(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("contract of connection {id} (none proposed yet)"))
}

/// The views of `contracts` (one query per table, whatever their number).
pub fn views(conn: &mut PgConnection, contracts: Vec<Contract>) -> Result<Vec<ContractView>, ApiError> {
    use crate::db::schema::connections as c;
    let ids: Vec<Uuid> = contracts.iter().map(|k| k.connection_id).collect();
    let pairs: std::collections::HashMap<Uuid, (Uuid, Uuid)> = c::table
        .filter(c::id.eq_any(&ids))
        .select((c::id, c::demand_id, c::supply_id))
        .load::<(Uuid, Uuid, Uuid)>(conn)?
        .into_iter()
        .map(|(id, demand, supply)| (id, (demand, supply)))
        .collect();
    let demand_ids: Vec<Uuid> = pairs.values().map(|p| p.0).collect();
    let supply_ids: Vec<Uuid> = pairs.values().map(|p| p.1).collect();
    let demand_refs = demands::repo::refs(conn, &demand_ids)?;
    let supply_refs = supplies::repo::refs(conn, &supply_ids)?;
    let party = |listing_id: Uuid, r: Option<&crate::listing::ListingRef>| Party {
        organization_id: r.map(|r| r.organization_id).unwrap_or_default(),
        organization_name: r.map(|r| r.organization_name.clone()).unwrap_or_default(),
        listing_id,
    };
    Ok(contracts
        .into_iter()
        .filter_map(|k| {
            let (demand, supply) = *pairs.get(&k.connection_id)?;
            Some(ContractView::new(k, party(demand, demand_refs.get(&demand)), party(supply, supply_refs.get(&supply))))
        })
        .collect())
}

/// The contract of connection `id` as the caller may see it.
pub fn get(conn: &mut PgConnection, caller: &Principal, id: Uuid) -> Result<ContractView, ApiError> {
    let parties = parties(conn, caller, id)?;
    let contract = repo::of_connection(conn, id)?.ok_or_else(|| no_contract(id))?;
    Ok(parties.view(contract))
}

/// Records `caller`'s `action` on a record of the contract in the audit log, once under each
/// party's organisation (both sides' members read it), with the fields that changed from `before`
/// (all of `after` for a new record), in the caller's transaction.
pub fn audit_both_sides(
    conn: &mut PgConnection,
    caller: &Principal,
    parties: &Parties,
    (action, record_type, record_id): (AuditAction, AuditRecordType, Uuid),
    before: Option<&impl serde::Serialize>,
    after: &impl serde::Serialize,
) -> Result<(), ApiError> {
    let changes = match before {
        Some(before) => audit::changes(before, after),
        None => audit::created(after),
    };
    for org in [parties.buyer.organization_id, parties.seller.organization_id] {
        let entry = Entry::by(caller, action, record_type, record_id, org).with_changes(changes.clone());
        audit::record(conn, &entry)?;
    }
    Ok(())
}

/// [`audit_both_sides`] for the contract itself.
fn audited(
    conn: &mut PgConnection,
    caller: &Principal,
    parties: &Parties,
    action: AuditAction,
    before: Option<Contract>,
    after: Contract,
) -> Result<ContractView, ApiError> {
    let before = before.map(|c| parties.view(c));
    let view = parties.view(after);
    audit_both_sides(conn, caller, parties, (action, AuditRecordType::Contract, view.id), before.as_ref(), &view)?;
    Ok(view)
}

/// Proposes `terms` (see the module docs).
pub fn propose(conn: &mut PgConnection, caller: &Principal, id: Uuid, terms: &Terms) -> Result<ContractView, ApiError> {
    let parties = parties(conn, caller, id)?;
    let side = require_side(conn, caller, &parties)?;
    conn.transaction(|conn| {
        let status = connection_repo::lock_status(conn, id)?;
        let existing = repo::lock_of_connection(conn, id)?;
        if let Some(c) = existing.as_ref().filter(|c| c.status.is_confirmed()) {
            return Err(ApiError::illegal_transition(
                c.status,
                ContractStatus::Proposed,
                NO_MOVES,
                format!("the contract is already `{}`: a confirmed contract's terms do not change", c.status),
            ));
        }
        if status != ConnectionStatus::Negotiating {
            return Err(ApiError::illegal_transition(
                status,
                ContractStatus::Proposed,
                NO_MOVES,
                format!("a contract is proposed on a `negotiating` connection; this one is `{status}`"),
            ));
        }
        let contract = repo::propose(conn, id, existing.as_ref(), terms, caller.user_id, caller.organization_id)?;
        parties.tell_other_side(conn, side, &contract, Step::Proposed)?;
        audited(conn, caller, &parties, AuditAction::ContractProposed, existing, contract)
    })
}

/// Why a confirmed contract waits for review: its total above `review_above_fen`, a party the
/// department has not verified.
fn review_reasons(
    conn: &mut PgConnection,
    contract: &Contract,
    parties: &Parties,
    review_above_fen: i64,
) -> Result<Vec<ContractReviewReason>, ApiError> {
    let mut reasons = Vec::new();
    if contract.total_fen > review_above_fen {
        reasons.push(ContractReviewReason::LargeAmount);
    }
    for org in [parties.buyer.organization_id, parties.seller.organization_id] {
        if crate::organizations::repo::verification(conn, org)? != Some(Verification::Verified) {
            reasons.push(ContractReviewReason::UnverifiedParty);
            break;
        }
    }
    Ok(reasons)
}

/// The proposal, locked, that the caller (the other side) may answer; 403 for the proposer's
/// side, 409 when it is not `proposed`.
fn answerable(conn: &mut PgConnection, caller: &Principal, id: Uuid, to: ContractStatus) -> Result<Contract, ApiError> {
    let contract = repo::lock_of_connection(conn, id)?.ok_or_else(|| no_contract(id))?;
    if contract.status != ContractStatus::Proposed {
        return Err(ApiError::illegal_transition(
            contract.status,
            to,
            NO_MOVES,
            format!("only a `proposed` contract is confirmed or disputed; this one is `{}`", contract.status),
        ));
    }
    if contract.proposer_organization_id == Some(caller.organization_id) {
        return Err(ApiError::Forbidden(
            "your side proposed these terms: the other side confirms or disputes them".into(),
        ));
    }
    Ok(contract)
}

/// Confirms the proposal (see the module docs).
pub fn confirm(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    version: i64,
    note: Option<&str>,
    review_above_fen: i64,
) -> Result<ContractView, ApiError> {
    let parties = parties(conn, caller, id)?;
    let side = require_side(conn, caller, &parties)?;
    conn.transaction(|conn| {
        let status = connection_repo::lock_status(conn, id)?;
        let contract = answerable(conn, caller, id, ContractStatus::Signed)?;
        if i64::from(contract.version) != version {
            return Err(ApiError::VersionMismatch { current: contract.version });
        }
        if status != ConnectionStatus::Negotiating {
            return Err(ApiError::illegal_transition(
                status,
                ConnectionStatus::Signed,
                NO_MOVES,
                format!("the connection is `{status}`: only a `negotiating` connection is signed"),
            ));
        }
        let reasons = review_reasons(conn, &contract, &parties, review_above_fen)?;
        let review = if reasons.is_empty() { ContractReview::NotRequired } else { ContractReview::Pending };
        let before = contract.clone();
        let confirmed = repo::confirm(conn, contract.id, caller.user_id, review, &reasons)?;
        let changes = MoveChanges {
            status: ConnectionStatus::Signed,
            contract_amount_fen: Some(confirmed.total_fen),
            contract_type: Some(confirmed.contract_type),
            failure_reason: None,
        };
        connection_repo::guarded_move(conn, id, ConnectionStatus::Negotiating, &changes)?;
        connection_repo::append_event(
            conn,
            id,
            Some(ConnectionStatus::Negotiating),
            ConnectionStatus::Signed,
            caller.user_id,
            note,
        )?;
        parties.tell_other_side(conn, side, &confirmed, Step::Confirmed)?;
        audited(conn, caller, &parties, AuditAction::ContractConfirmed, Some(before), confirmed)
    })
}

/// Disputes the proposal with `note` (see the module docs).
pub fn dispute(conn: &mut PgConnection, caller: &Principal, id: Uuid, note: &str) -> Result<ContractView, ApiError> {
    let parties = parties(conn, caller, id)?;
    let side = require_side(conn, caller, &parties)?;
    conn.transaction(|conn| {
        let contract = answerable(conn, caller, id, ContractStatus::Disputed)?;
        let disputed = repo::dispute(conn, contract.id, caller.user_id, note)?;
        parties.tell_other_side(conn, side, &disputed, Step::Disputed)?;
        audited(conn, caller, &parties, AuditAction::ContractDisputed, Some(contract), disputed)
    })
}

/// An admin's review decision on a contract waiting for it (409 otherwise).
pub fn review(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    decision: ContractReview,
    note: Option<&str>,
) -> Result<ContractView, ApiError> {
    require_admin(caller)?;
    let parties = parties(conn, caller, id)?;
    conn.transaction(|conn| {
        let contract = repo::lock_of_connection(conn, id)?.ok_or_else(|| no_contract(id))?;
        if contract.review != ContractReview::Pending {
            let detail = format!("the contract's review is `{}`, not `pending`", contract.review);
            return Err(ApiError::illegal_transition(contract.review, decision, NO_MOVES, detail));
        }
        let reviewed = repo::review(conn, contract.id, caller.user_id, decision, note)?;
        audited(conn, caller, &parties, AuditAction::ContractReviewed, Some(contract), reviewed)
    })
}

/// The seller side records the registration: `signed` → `registered`; an `in_performance`
/// contract keeps its status. 409 when already registered or not confirmed.
pub fn register(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    number: &str,
    day: chrono::NaiveDate,
) -> Result<ContractView, ApiError> {
    let parties = parties(conn, caller, id)?;
    if require_side(conn, caller, &parties)? != Side::Seller {
        return Err(ApiError::Forbidden("the seller side (the supply's organisation) registers the contract".into()));
    }
    conn.transaction(|conn| {
        let contract = repo::lock_of_connection(conn, id)?.ok_or_else(|| no_contract(id))?;
        let to = match contract.status {
            ContractStatus::Signed => ContractStatus::Registered,
            ContractStatus::InPerformance if contract.registration_no.is_none() => ContractStatus::InPerformance,
            from => {
                return Err(ApiError::illegal_transition(
                    from,
                    ContractStatus::Registered,
                    NO_MOVES,
                    format!("a contract is registered once, after both sides confirmed it; this one is `{from}`"),
                ))
            }
        };
        let registered = repo::register(conn, contract.id, to, number, day)?;
        connection_repo::set_registration_no(conn, id, number)?;
        audited(conn, caller, &parties, AuditAction::ContractRegistered, Some(contract), registered)
    })
}

/// Either side (or an admin) moves a confirmed contract along `allowed_moves`; `terminated`
/// needs a note (422).
pub fn move_to(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    input: StatusInput,
) -> Result<ContractView, ApiError> {
    let parties = parties(conn, caller, id)?;
    if !caller.is_admin() {
        require_side(conn, caller, &parties)?;
    }
    let note = super::input::note("note", input.note, input.to == ContractStatus::Terminated)?;
    conn.transaction(|conn| {
        let contract = repo::lock_of_connection(conn, id)?.ok_or_else(|| no_contract(id))?;
        let allowed = contract.status.allowed_moves();
        if !allowed.contains(&input.to) {
            return Err(ApiError::illegal_transition(
                contract.status,
                input.to,
                allowed,
                format!("a contract that is `{}` cannot move to `{}`", contract.status, input.to),
            ));
        }
        let moved = repo::set_status(conn, contract.id, input.to, note.as_deref())?;
        audited(conn, caller, &parties, AuditAction::ContractStatusChanged, Some(contract), moved)
    })
}

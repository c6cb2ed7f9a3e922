//! Connection rules.
//!
//! - Opening: the demand must be open and the supply published; the caller must belong to the
//!   demand's or the supply's organisation, be a broker (recorded as the connection's broker), or
//!   an admin. One open connection per pair (409 `connection_exists` naming it).
//! - Seeing and moving: the two organisations, the broker on it, and admins; everyone else gets
//!   404. Moves follow [`ConnectionStatus::allowed_moves`]; an illegal one answers 409
//!   `illegal_transition` with the allowed moves and changes nothing. The database guards
//!   against concurrent moves (`UPDATE … WHERE status = from`), and every move appends one
//!   event in the same transaction.
//! - Brokers open connections between others only once the department has verified their
//!   agency. Contact details of a side are shown to the other side once the connection has
//!   reached `contacted`, a move only the side that did not propose it can make: so both sides
//!   have agreed to talk. On a broker's connection each side accepts for itself (recorded in
//!   `connection_acceptances`) and the connection reaches `contacted` with the second
//!   acceptance; the broker sees neither side's contacts before that. Admins see both.
//! - Every response that shows a user another organisation's contacts writes a `contact_views`
//!   row (who, which connection, when).
//! - An organisation the department has rejected moves its connections only to `failed` or
//!   `withdrawn` ([`crate::auth::policy::require_writer`]).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::Connection as _;
use serde_json::json;
use uuid::Uuid;

use super::input::Move;
use super::model::{Connection, ConnectionView, Contact, Side};
use super::repo::{self, MoveChanges, NewConnection};
use crate::accounts::summary::{in_order, user_summaries};
use crate::audit::{self, Entry};
use crate::auth::policy::can_read;
use crate::auth::principal::Principal;
use crate::db::schema::organizations;
use crate::demands::model::Demand;
use crate::error::{ApiError, ErrorCode};
use crate::error::{FieldCode, FieldError};
use crate::listing::Listing;
use crate::supplies::model::Supply;
use crate::vocab::{AuditAction, AuditRecordType, ConnectionStatus, DemandStatus, Role, SupplyStatus, Verification};
use crate::{demands, supplies};

/// Loads the two listings of a new connection; 422 naming the missing one. A listing the caller
/// may not see (another organisation's draft, archived supply, withdrawn demand) answers the
/// same, so that the reply does not tell private ids from missing ones.
pub fn load_pair(
    conn: &mut PgConnection,
    caller: &Principal,
    demand_id: Uuid,
    supply_id: Uuid,
) -> Result<(Demand, Supply), ApiError> {
    let no_demand = || ApiError::invalid_field(FieldError::new("demand_id", FieldCode::NotFound));
    let no_supply = || ApiError::invalid_field(FieldError::new("supply_id", FieldCode::NotFound));
    let demand = demands::repo::get(conn, demand_id).map_err(|_| no_demand())?;
    if !can_read(Some(caller), demand.organization_id, demand.is_public()) {
        return Err(no_demand());
    }
    let supply = supplies::repo::get(conn, supply_id).map_err(|_| no_supply())?;
    if !can_read(Some(caller), supply.organization_id, supply.is_public()) {
        return Err(no_supply());
    }
    Ok((demand, supply))
}

/// 409 `listing_not_available`.
fn not_on_market() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::ListingNotAvailable,
        detail: "connections join an open demand and a published supply".into(),
    }
}

/// 403 unless the caller may open a connection between them (whether both listings are on the
/// market is checked under lock by [`insert_open`]): a side's organisation, an admin, or a broker whose
/// agency the department has verified (a broker sees both sides' contacts, so
/// self-registration alone is not enough); 403 too for an organisation whose verification was
/// rejected. `verification` is the caller's organisation's (`None`: no such organisation).
pub fn check_can_open(
    caller: &Principal,
    demand: &Demand,
    supply: &Supply,
    verification: Option<Verification>,
) -> Result<(), ApiError> {
    if !caller.is_admin() {
        crate::auth::policy::require_not_rejected(verification)?;
    }
    let is_party = caller.organization_id == demand.organization_id || caller.organization_id == supply.organization_id;
    if !(is_party || caller.role == Role::Broker || caller.is_admin()) {
        return Err(ApiError::Forbidden(
            "only the demand's enterprise, the supply's holder, a broker or an admin may open this connection".into(),
        ));
    }
    if !(is_party || caller.is_admin() || verification == Some(Verification::Verified)) {
        return Err(ApiError::Forbidden(
            "a broker opens connections between others once the department has verified the agency".into(),
        ));
    }
    Ok(())
}

/// Share-locks both listings until the caller's transaction ends (an archive, withdrawal or
/// edit of either waits for it) and checks that they are on the market (an open demand, a
/// published supply): 409 `listing_not_available` otherwise, also for a listing archived while
/// the connection was being opened.
fn lock_on_market(conn: &mut PgConnection, demand_id: Uuid, supply_id: Uuid) -> Result<(), ApiError> {
    use crate::db::schema::{demands as d, supplies as s};
    let demand: DemandStatus = d::table.find(demand_id).select(d::status).for_share().first(conn)?;
    let supply: SupplyStatus = s::table.find(supply_id).select(s::status).for_share().first(conn)?;
    if demand != Demand::KIND.candidate || supply != Supply::KIND.candidate {
        return Err(not_on_market());
    }
    Ok(())
}

/// Inserts the connection and its opening event, after [`lock_on_market`] (call it inside a
/// transaction so that the lock lasts until the commit). A second open connection of the pair
/// answers 409 `connection_exists` with `existing_id`.
pub fn insert_open(
    conn: &mut PgConnection,
    caller: &Principal,
    demand_id: Uuid,
    supply_id: Uuid,
    note: Option<&str>,
    matched: Option<(f32, serde_json::Value)>,
) -> Result<Connection, ApiError> {
    let (match_score, match_explanation) = matched.map_or((None, None), |(s, e)| (Some(s), Some(e)));
    let new = NewConnection {
        demand_id,
        supply_id,
        opened_by: Some(caller.user_id),
        broker_id: (caller.role == Role::Broker).then_some(caller.user_id),
        match_score,
        match_explanation,
    };
    lock_on_market(conn, demand_id, supply_id)?;
    let inserted = conn.transaction(|conn| {
        let connection = repo::insert(conn, &new)?;
        repo::append_event(conn, connection.id, None, ConnectionStatus::Proposed, caller.user_id, note)?;
        super::notify::proposed(conn, &connection, caller)?;
        Ok::<_, ApiError>(connection)
    });
    match inserted {
        Err(ApiError::Conflict { .. }) => {
            // The open-pair unique index refused the row (the transaction was rolled back).
            let existing = repo::open_for_pair(conn, demand_id, supply_id)?;
            Err(ApiError::ConflictWith {
                code: ErrorCode::ConnectionExists,
                detail: "this demand and supply already have an open connection".into(),
                extension: json!({ "existing_id": existing }),
            })
        }
        other => other,
    }
}

/// `proposed` → `contacted` reveals each side's contacts to the other, so it is the acceptance
/// of whoever did not propose: on a connection a side opened, the other side (any member of its
/// organisation); on a broker's connection, each side for itself (the move happens with the
/// second acceptance), never the broker. Admins may always. 403 otherwise. The rule is
/// [`may_accept`], already applied to `current.allowed_moves` by [`views`].
fn check_can_accept(current: &ConnectionView) -> Result<(), ApiError> {
    if current.allowed_moves.contains(&ConnectionStatus::Contacted) {
        Ok(())
    } else if current.broker_id.is_some() {
        Err(ApiError::Forbidden(
            "on a broker's connection each side accepts for itself (your side has accepted, or you are the broker)"
                .into(),
        ))
    } else {
        Err(ApiError::Forbidden(
            "your organisation proposed this connection: the other side accepts it (moves it to `contacted`)".into(),
        ))
    }
}

/// Whether `caller` may accept a proposal (see [`check_can_accept`]), given the connection's
/// broker, the organisation of the user who opened it, the two sides' organisations and those
/// that have accepted already (broker's connections).
fn may_accept(
    caller: &Principal,
    broker_id: Option<Uuid>,
    opener_org: Option<Uuid>,
    sides: [Uuid; 2],
    accepted: &[Uuid],
) -> bool {
    let org = caller.organization_id;
    caller.is_admin()
        || match broker_id {
            Some(broker) => broker != caller.user_id && sides.contains(&org) && !accepted.contains(&org),
            None => opener_org != Some(org),
        }
}

/// The organisations that have accepted each of `connections` (broker's connections).
fn acceptances_of(conn: &mut PgConnection, connections: &[Uuid]) -> Result<HashMap<Uuid, Vec<Uuid>>, ApiError> {
    use crate::db::schema::connection_acceptances as a;
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let rows: Vec<(Uuid, Uuid)> = a::table
        .filter(a::connection_id.eq_any(connections))
        .select((a::connection_id, a::organization_id))
        .load(conn)?;
    for (connection, organization) in rows {
        out.entry(connection).or_default().push(organization);
    }
    Ok(out)
}

/// Records that `caller`'s organisation accepts the broker's connection `id`; returns whether
/// both sides (`sides`) have now accepted.
fn accept_for_side(conn: &mut PgConnection, caller: &Principal, id: Uuid, sides: [Uuid; 2]) -> Result<bool, ApiError> {
    use crate::db::schema::connection_acceptances as a;
    diesel::insert_into(a::table)
        .values((
            a::connection_id.eq(id),
            a::organization_id.eq(caller.organization_id),
            a::accepted_by.eq(caller.user_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    let accepted: Vec<Uuid> = a::table.filter(a::connection_id.eq(id)).select(a::organization_id).load(conn)?;
    Ok(sides.iter().all(|side| accepted.contains(side)))
}

/// Records that `caller` was shown another organisation's contacts on connections: a
/// `contact_views` row per connection and an audit entry (`contacts_viewed`) per connection and
/// organisation whose contacts were shown (so that organisation's members read it), together.
/// `shown` holds (connection, organisation shown) pairs.
fn record_contact_views(conn: &mut PgConnection, caller: &Principal, shown: &[(Uuid, Uuid)]) -> Result<(), ApiError> {
    use crate::db::schema::contact_views as v;
    if shown.is_empty() {
        return Ok(());
    }
    let mut connections: Vec<Uuid> = shown.iter().map(|&(c, _)| c).collect();
    connections.dedup();
    let rows: Vec<_> =
        connections.iter().map(|&id| (v::connection_id.eq(id), v::viewer_id.eq(caller.user_id))).collect();
    let entries: Vec<Entry> = shown
        .iter()
        .map(|&(connection, org)| {
            Entry::by(caller, AuditAction::ContactsViewed, AuditRecordType::Connection, connection, org)
        })
        .collect();
    conn.transaction(|conn| {
        diesel::insert_into(v::table).values(rows).execute(conn)?;
        audit::record_all(conn, &entries)
    })
}

/// The organisation of each of `users` (one query).
fn organizations_of(conn: &mut PgConnection, users: &[Uuid]) -> Result<HashMap<Uuid, Uuid>, ApiError> {
    use crate::db::schema::users as u;
    Ok(u::table.filter(u::id.eq_any(users)).select((u::id, u::organization_id)).load(conn)?.into_iter().collect())
}

/// How the caller relates to a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    DemandSide,
    SupplySide,
    Overseer,
}

fn relation(caller: &Principal, connection: &Connection, demand_org: Uuid, supply_org: Uuid) -> Option<Relation> {
    if caller.is_admin() || connection.broker_id == Some(caller.user_id) {
        Some(Relation::Overseer)
    } else if caller.organization_id == demand_org {
        Some(Relation::DemandSide)
    } else if caller.organization_id == supply_org {
        Some(Relation::SupplySide)
    } else {
        None
    }
}

#[derive(Queryable)]
struct OrgContact {
    id: Uuid,
    name: String,
    email: Option<String>,
    phone: Option<String>,
}

/// The view of connections the caller may see (others are dropped), recording the contacts it
/// shows (`contact_views` and the audit log); one query per table, whatever the number of
/// connections.
pub fn views(
    conn: &mut PgConnection,
    caller: &Principal,
    connections: Vec<Connection>,
) -> Result<Vec<ConnectionView>, ApiError> {
    let (out, shown) = build_views(conn, caller, connections)?;
    record_contact_views(conn, caller, &shown)?;
    Ok(out)
}

/// The views of `connections` the caller may see, and the (connection, organisation) pairs
/// whose contacts they show.
type Built = (Vec<ConnectionView>, Vec<(Uuid, Uuid)>);

fn build_views(conn: &mut PgConnection, caller: &Principal, connections: Vec<Connection>) -> Result<Built, ApiError> {
    let demand_ids: Vec<Uuid> = connections.iter().map(|c| c.demand_id).collect();
    let supply_ids: Vec<Uuid> = connections.iter().map(|c| c.supply_id).collect();
    let demand_rows = demands::repo::refs(conn, &demand_ids)?;
    let supply_rows = supplies::repo::refs(conn, &supply_ids)?;
    let org_ids: Vec<Uuid> = demand_rows.values().chain(supply_rows.values()).map(|r| r.organization_id).collect();
    let orgs: HashMap<Uuid, OrgContact> = organizations::table
        .filter(organizations::id.eq_any(org_ids))
        .select((organizations::id, organizations::name, organizations::contact_email, organizations::contact_phone))
        .load::<OrgContact>(conn)?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let ids: Vec<Uuid> = connections.iter().map(|c| c.id).collect();
    let mut events_by_id = repo::events_of(conn, &ids)?;
    let openers: Vec<Uuid> = connections.iter().filter_map(|c| c.opened_by).collect();
    let opener_orgs = organizations_of(conn, &openers)?;
    let brokered: Vec<Uuid> = connections.iter().filter(|c| c.broker_id.is_some()).map(|c| c.id).collect();
    let acceptances = acceptances_of(conn, &brokered)?;
    let named = connections.iter().flat_map(|c| [c.opened_by, c.broker_id]);
    let named: Vec<Uuid> = named.chain(events_by_id.values().flatten().map(|e| e.actor_id)).flatten().collect();
    let named_users = user_summaries(conn, &named)?;
    let mut shown = Vec::new();
    let mut out = Vec::with_capacity(connections.len());
    for c in connections {
        let (Some(demand), Some(supply)) = (demand_rows.get(&c.demand_id), supply_rows.get(&c.supply_id)) else {
            continue;
        };
        let (demand_title, demand_org) = (demand.title.clone(), demand.organization_id);
        let (supply_title, supply_org) = (supply.title.clone(), supply.organization_id);
        let Some(rel) = relation(caller, &c, demand_org, supply_org) else { continue };
        let events = events_by_id.remove(&c.id).unwrap_or_default();
        let contacted = events.iter().any(|e| e.to_status == ConnectionStatus::Contacted);
        let side = |listing_id: Uuid, title: String, org: Uuid, visible: bool| {
            let o = orgs.get(&org);
            Side {
                listing_id,
                title,
                organization_id: org,
                organization_name: o.map(|o| o.name.clone()).unwrap_or_default(),
                contact: o.filter(|_| visible).map(|o| Contact { email: o.email.clone(), phone: o.phone.clone() }),
            }
        };
        // Each side sees its own contacts; the other side's, and a broker both, once accepted.
        let see_demand_contact = rel == Relation::DemandSide || contacted || caller.is_admin();
        let see_supply_contact = rel == Relation::SupplySide || contacted || caller.is_admin();
        if see_demand_contact && demand_org != caller.organization_id {
            shown.push((c.id, demand_org));
        }
        if see_supply_contact && supply_org != caller.organization_id {
            shown.push((c.id, supply_org));
        }
        let opener_org = c.opened_by.and_then(|u| opener_orgs.get(&u).copied());
        let accepted = acceptances.get(&c.id).map(Vec::as_slice).unwrap_or_default();
        let sides = [demand_org, supply_org];
        out.push(ConnectionView {
            id: c.id,
            allowed_moves: c
                .status
                .allowed_moves()
                .iter()
                .copied()
                .filter(|&to| to != ConnectionStatus::Signed)
                .filter(|&to| {
                    to != ConnectionStatus::Contacted || may_accept(caller, c.broker_id, opener_org, sides, accepted)
                })
                .collect(),
            status: c.status,
            demand: side(c.demand_id, demand_title, demand_org, see_demand_contact),
            supply: side(c.supply_id, supply_title, supply_org, see_supply_contact),
            opened_by: c.opened_by,
            broker_id: c.broker_id,
            match_score: c.match_score,
            match_explanation: c.match_explanation,
            contract_amount_fen: c.contract_amount_fen,
            contract_type: c.contract_type,
            contract_registration_no: c.contract_registration_no,
            failure_reason: c.failure_reason,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
            users: in_order(
                &named_users,
                [c.opened_by, c.broker_id].into_iter().chain(events.iter().map(|e| e.actor_id)).flatten(),
            ),
            events,
        });
    }
    Ok((out, shown))
}

/// The connection as the caller may see it; 404 when they may not.
pub fn view(conn: &mut PgConnection, caller: &Principal, id: Uuid) -> Result<ConnectionView, ApiError> {
    let connection = repo::get(conn, id)?;
    views(conn, caller, vec![connection])?.pop().ok_or_else(|| ApiError::NotFound(format!("connection {id}")))
}

/// The moves of the events endpoint from `from` (`signed` is the contract's confirmation).
fn event_moves(from: ConnectionStatus) -> Vec<ConnectionStatus> {
    from.allowed_moves().iter().copied().filter(|&to| to != ConnectionStatus::Signed).collect()
}

/// Moves a connection (see the module docs); returns the new view. The connection is first read
/// for the checks without recording a contact view: only the answer shows contacts.
pub fn move_to(conn: &mut PgConnection, caller: &Principal, id: Uuid, step: &Move) -> Result<ConnectionView, ApiError> {
    let connection = repo::get(conn, id)?;
    let current = build_views(conn, caller, vec![connection])?
        .0
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("connection {id}")))?;
    let from = current.status;
    let illegal =
        |from: ConnectionStatus, detail: String| ApiError::illegal_transition(from, step.to, event_moves(from), detail);
    let not_allowed = |from: ConnectionStatus| format!("a connection that is `{from}` cannot move to `{}`", step.to);
    if let Some(expected) = step.from.filter(|&expected| expected != from) {
        return Err(illegal(from, format!("the connection is `{from}`, not `{expected}`: reload it and decide again")));
    }
    if !from.allowed_moves().contains(&step.to) {
        return Err(illegal(from, not_allowed(from)));
    }
    if !matches!(step.to, ConnectionStatus::Failed | ConnectionStatus::Withdrawn) {
        crate::auth::policy::require_writer(conn, caller)?;
    }
    let accepting = from == ConnectionStatus::Proposed && step.to == ConnectionStatus::Contacted;
    if accepting {
        check_can_accept(&current)?;
    }
    let changes = MoveChanges {
        status: step.to,
        contract_amount_fen: None,
        contract_type: None,
        failure_reason: step.failure_reason,
    };
    let sides = [current.demand.organization_id, current.supply.organization_id];
    let side_accepts = accepting && current.broker_id.is_some() && !caller.is_admin();
    let moved = conn.transaction(|conn| {
        if side_accepts && !accept_for_side(conn, caller, id, sides)? {
            // The first side's acceptance: recorded; the move waits for the other side's.
            return Ok(true);
        }
        let Some(moved) = repo::guarded_move(conn, id, from, &changes)? else { return Ok(false) };
        repo::append_event(conn, id, Some(from), step.to, caller.user_id, step.note.as_deref())?;
        super::notify::moved(conn, &moved, from, caller)?;
        Ok::<_, ApiError>(true)
    })?;
    if !moved {
        // Another move came first: answer with the status it left.
        let now = repo::get(conn, id)?.status;
        return Err(illegal(now, not_allowed(now)));
    }
    view(conn, caller, id)
}

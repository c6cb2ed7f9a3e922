//! Connection queries. The status guard of a move is in the `UPDATE … WHERE status = from`.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveTime};
use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use super::input::ConnectionListParams;
use super::model::{Connection, ConnectionEvent};
use crate::db::schema::{connection_events, connections, demands, supplies};
use crate::db::FoundExtension;
use crate::error::ApiError;
use crate::pagination::PageRequest;
use crate::vocab::{ConnectionStatus, ContractType, FailureReason};

/// Columns written when a connection is opened.
#[derive(Debug, Insertable)]
#[diesel(table_name = connections)]
pub struct NewConnection {
    pub demand_id: Uuid,
    pub supply_id: Uuid,
    pub opened_by: Option<Uuid>,
    pub broker_id: Option<Uuid>,
    pub match_score: Option<f32>,
    pub match_explanation: Option<serde_json::Value>,
}

/// Which connections a caller may list.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Every connection (admins).
    All,
    /// Connections where the organisation is a side or the user is the broker.
    Participant { organization_id: Uuid, user_id: Uuid },
}

/// Inserts a connection; the open-pair unique index refuses a second open one.
pub fn insert(conn: &mut PgConnection, new: &NewConnection) -> Result<Connection, ApiError> {
    Ok(diesel::insert_into(connections::table).values(new).returning(Connection::as_returning()).get_result(conn)?)
}

/// The open connection of a pair, if any.
pub fn open_for_pair(conn: &mut PgConnection, demand_id: Uuid, supply_id: Uuid) -> Result<Option<Uuid>, ApiError> {
    let open: Vec<ConnectionStatus> = ConnectionStatus::ALL.iter().copied().filter(|s| !s.is_final()).collect();
    Ok(connections::table
        .filter(connections::demand_id.eq(demand_id))
        .filter(connections::supply_id.eq(supply_id))
        .filter(connections::status.eq_any(open))
        .select(connections::id)
        .first(conn)
        .optional()?)
}

/// The listings of the other side that a connection with the listing `id` (a demand when
/// `is_demand`) ended as `failed` / `not_relevant`: its matches no longer suggest them.
pub fn not_relevant_partners(conn: &mut PgConnection, id: Uuid, is_demand: bool) -> Result<Vec<Uuid>, ApiError> {
    let failed = connections::table
        .filter(connections::status.eq(ConnectionStatus::Failed))
        .filter(connections::failure_reason.eq(FailureReason::NotRelevant));
    Ok(if is_demand {
        failed.filter(connections::demand_id.eq(id)).select(connections::supply_id).load(conn)?
    } else {
        failed.filter(connections::supply_id.eq(id)).select(connections::demand_id).load(conn)?
    })
}

/// Outcome history for ranking supplies for the demand `id` (of `industries`): each
/// organisation's connections between its supplies and *similar* demands (other demands sharing an
/// industry), accepted (`contacted`, `negotiating`, `signed`) minus declined (`failed` as
/// `not_relevant`), over their number plus one, so in `-1..1`; then every published supply of those
/// organisations with its owner's value. Empty when the demand has no industry.
pub fn supply_history(
    conn: &mut PgConnection,
    id: Uuid,
    industries: Vec<String>,
) -> Result<Vec<(Uuid, f32)>, ApiError> {
    use crate::vocab::SupplyStatus;
    if industries.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, ConnectionStatus, Option<FailureReason>)> = connections::table
        .inner_join(demands::table)
        .inner_join(supplies::table)
        .filter(demands::industries.overlaps_with(industries))
        .filter(connections::demand_id.ne(id))
        .select((supplies::organization_id, connections::status, connections::failure_reason))
        .load(conn)?;
    let mut by_org: HashMap<Uuid, (f32, f32)> = HashMap::new();
    for (org, status, reason) in rows {
        let e = by_org.entry(org).or_insert((0.0, 0.0));
        match (status, reason) {
            (ConnectionStatus::Contacted | ConnectionStatus::Negotiating | ConnectionStatus::Signed, _) => e.0 += 1.0,
            (ConnectionStatus::Failed, Some(FailureReason::NotRelevant)) => e.1 += 1.0,
            _ => {}
        }
    }
    by_org.retain(|_, (up, down)| *up + *down > 0.0);
    if by_org.is_empty() {
        return Ok(Vec::new());
    }
    let owners: Vec<Uuid> = by_org.keys().copied().collect();
    let listed: Vec<(Uuid, Uuid)> = supplies::table
        .filter(supplies::organization_id.eq_any(owners))
        .filter(supplies::status.eq(SupplyStatus::Published))
        .select((supplies::id, supplies::organization_id))
        .load(conn)?;
    Ok(listed
        .into_iter()
        .filter_map(|(sid, org)| by_org.get(&org).map(|(up, down)| (sid, (up - down) / (up + down + 1.0))))
        .collect())
}

/// The connection with this id; 404 when absent.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<Connection, ApiError> {
    connections::table.find(id).select(Connection::as_select()).first(conn).or_not_found(|| format!("connection {id}"))
}

/// The outcome logs of the connections `ids` in one query: connection id → its events, oldest
/// first. A connection without events (none exist: opening writes the first) is absent.
pub fn events_of(conn: &mut PgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<ConnectionEvent>>, ApiError> {
    let rows: Vec<ConnectionEvent> = connection_events::table
        .filter(connection_events::connection_id.eq_any(ids))
        .order(connection_events::id)
        .select(ConnectionEvent::as_select())
        .load(conn)?;
    let mut out: HashMap<Uuid, Vec<ConnectionEvent>> = HashMap::with_capacity(ids.len());
    for e in rows {
        out.entry(e.connection_id).or_default().push(e);
    }
    Ok(out)
}

/// Appends one event to the log.
pub fn append_event(
    conn: &mut PgConnection,
    connection_id: Uuid,
    from: Option<ConnectionStatus>,
    to: ConnectionStatus,
    actor: Uuid,
    note: Option<&str>,
) -> Result<(), ApiError> {
    diesel::insert_into(connection_events::table)
        .values((
            connection_events::connection_id.eq(connection_id),
            connection_events::from_status.eq(from),
            connection_events::to_status.eq(to),
            connection_events::actor_id.eq(actor),
            connection_events::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

/// Outcome columns set by a move (the contract's amount and type only by the confirmation of its
/// contract, [`crate::contracts`]).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = connections)]
pub struct MoveChanges {
    pub status: ConnectionStatus,
    pub contract_amount_fen: Option<i64>,
    pub contract_type: Option<ContractType>,
    pub failure_reason: Option<FailureReason>,
}

/// Moves the connection if its status is still `from`; `None` when another move came first.
pub fn guarded_move(
    conn: &mut PgConnection,
    id: Uuid,
    from: ConnectionStatus,
    changes: &MoveChanges,
) -> Result<Option<Connection>, ApiError> {
    Ok(diesel::update(connections::table.find(id).filter(connections::status.eq(from)))
        .set((changes, connections::version.eq(connections::version + 1), connections::updated_at.eq(diesel::dsl::now)))
        .returning(Connection::as_returning())
        .get_result(conn)
        .optional()?)
}

type Joined = diesel::dsl::InnerJoin<diesel::dsl::InnerJoin<connections::table, demands::table>, supplies::table>;

fn filtered(scope: Scope, params: &ConnectionListParams) -> diesel::dsl::IntoBoxed<'static, Joined, Pg> {
    let mut query = connections::table.inner_join(demands::table).inner_join(supplies::table).into_boxed();
    if let Scope::Participant { organization_id, user_id } = scope {
        query = query.filter(
            demands::organization_id
                .eq(organization_id)
                .or(supplies::organization_id.eq(organization_id))
                .or(connections::broker_id.eq(user_id)),
        );
    }
    if let Some(status) = params.status {
        query = query.filter(connections::status.eq(status));
    }
    if let Some(code) = &params.industry {
        query = query.filter(
            demands::industries.contains(vec![code.clone()]).or(supplies::industries.contains(vec![code.clone()])),
        );
    }
    if let Some(org) = params.organization_id {
        query = query.filter(demands::organization_id.eq(org).or(supplies::organization_id.eq(org)));
    }
    if let Some(broker) = params.broker_id {
        query = query.filter(connections::broker_id.eq(broker));
    }
    if let Some(from) = params.from {
        query = query.filter(connections::created_at.ge(day_start(from)));
    }
    if let Some(to) = params.to {
        query = query.filter(connections::created_at.lt(day_start(to) + Duration::days(1)));
    }
    query
}

fn day_start(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// One page of connections visible in `scope` and matching `params`, newest first, with the total.
pub fn list(
    conn: &mut PgConnection,
    scope: Scope,
    params: &ConnectionListParams,
    page: PageRequest,
) -> Result<(Vec<Connection>, i64), ApiError> {
    let total = filtered(scope, params).count().get_result(conn)?;
    let items = filtered(scope, params)
        .order((connections::created_at.desc(), connections::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Connection::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Every connection matching `params` (at most `limit`), oldest first, for the export.
pub fn all(conn: &mut PgConnection, params: &ConnectionListParams, limit: i64) -> Result<Vec<Connection>, ApiError> {
    Ok(filtered(Scope::All, params)
        .order((connections::created_at, connections::id))
        .limit(limit)
        .select(Connection::as_select())
        .load(conn)?)
}

/// Copies the registration number of the connection's contract onto it (the connection's view
/// shows it).
pub fn set_registration_no(conn: &mut PgConnection, id: Uuid, number: &str) -> Result<(), ApiError> {
    diesel::update(connections::table.find(id))
        .set((
            connections::contract_registration_no.eq(number),
            connections::version.eq(connections::version + 1),
            connections::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The connection's status, locked until the transaction ends (its contract changes wait).
pub fn lock_status(conn: &mut PgConnection, id: Uuid) -> Result<ConnectionStatus, ApiError> {
    connections::table
        .find(id)
        .select(connections::status)
        .for_update()
        .first(conn)
        .or_not_found(|| format!("connection {id}"))
}

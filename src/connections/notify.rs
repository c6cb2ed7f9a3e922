//! The notifications connections cause, queued in the transaction of their cause
//! ([`crate::notifications::outbox`]): `connection_proposed` to the side or sides that did not
//! open it, `connection_accepted` (the move to `contacted`) and `connection_moved` (any other move)
//! to the parties that did not make the move, and `connection_stale` for open connections without a
//! move for the configured number of days (the `stale_connections` job, [`stale`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Timestamptz};
use serde_json::json;
use uuid::Uuid;

use super::model::Connection;
use crate::auth::principal::Principal;
use crate::db::schema::{demands, organizations, supplies};
use crate::error::ApiError;
use crate::notifications::outbox::{self, NewNotification};
use crate::vocab::{ConnectionStatus, NotificationKind};

/// What a connection's notifications say of its two listings.
struct Pair {
    demand_title: String,
    demand_org: Uuid,
    supply_title: String,
    supply_org: Uuid,
}

fn pair(conn: &mut PgConnection, c: &Connection) -> Result<Pair, ApiError> {
    let (demand_title, demand_org): (String, Uuid) =
        demands::table.find(c.demand_id).select((demands::title, demands::organization_id)).first(conn)?;
    let (supply_title, supply_org): (String, Uuid) =
        supplies::table.find(c.supply_id).select((supplies::title, supplies::organization_id)).first(conn)?;
    Ok(Pair { demand_title, demand_org, supply_title, supply_org })
}

/// Queues `kind` about `c` for every side organisation but the caller's, and for the broker when
/// the broker did not act; `step` tells the dedupe keys of one connection's messages apart.
fn tell_others(
    conn: &mut PgConnection,
    kind: NotificationKind,
    c: &Connection,
    caller: &Principal,
    from: Option<ConnectionStatus>,
    step: &str,
    at: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let p = pair(conn, c)?;
    let by: String = organizations::table
        .find(caller.organization_id)
        .select(organizations::name)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let payload = json!({
        "connection_id": c.id,
        "path": format!("/api/v1/connections/{}", c.id),
        "demand_title": p.demand_title,
        "supply_title": p.supply_title,
        "by": by,
        "from_status": from,
        "status": c.status,
    });
    let mut orgs = vec![p.demand_org];
    if p.supply_org != p.demand_org {
        orgs.push(p.supply_org);
    }
    let mut recipients: Vec<(Option<Uuid>, Option<Uuid>)> =
        orgs.into_iter().filter(|o| *o != caller.organization_id).map(|o| (Some(o), None)).collect();
    if let Some(broker) = c.broker_id.filter(|b| *b != caller.user_id) {
        recipients.push((None, Some(broker)));
    }
    let mut queued = 0;
    for (org, user) in recipients {
        let who = org.or(user).map(|u| u.to_string()).unwrap_or_default();
        let notification = NewNotification {
            kind,
            recipient_organization_id: org,
            recipient_user_id: user,
            subject_kind: "connection".into(),
            subject_id: c.id,
            payload: payload.clone(),
            dedupe_key: format!("{}:{}:{step}:{who}", kind.as_str(), c.id),
            created_at: at,
        };
        queued += usize::from(outbox::queue(conn, &notification)?);
    }
    Ok(queued)
}

/// A connection was opened by `caller`: the other side (both sides, for a broker's) is told.
pub fn proposed(conn: &mut PgConnection, c: &Connection, caller: &Principal) -> Result<usize, ApiError> {
    tell_others(conn, NotificationKind::ConnectionProposed, c, caller, None, "opened", c.created_at)
}

/// `caller` moved `c` (as it now is) from `from`: the other parties are told.
pub fn moved(
    conn: &mut PgConnection,
    c: &Connection,
    from: ConnectionStatus,
    caller: &Principal,
) -> Result<usize, ApiError> {
    let kind = if from == ConnectionStatus::Proposed && c.status == ConnectionStatus::Contacted {
        NotificationKind::ConnectionAccepted
    } else {
        NotificationKind::ConnectionMoved
    };
    tell_others(conn, kind, c, caller, Some(from), c.status.as_str(), c.updated_at)
}

/// Queues `connection_stale` for both sides of every open connection (`proposed`, `contacted`,
/// `negotiating`) whose last event is at least `days` days before `now`; once per connection and
/// quiet period (the dedupe key names the last event, so a move starts a new period). Returns how
/// many were queued.
pub fn stale(conn: &mut PgConnection, now: DateTime<Utc>, days: i32) -> Result<usize, ApiError> {
    Ok(diesel::sql_query(
        "INSERT INTO notification_outbox \
             (kind, recipient_organization_id, subject_kind, subject_id, payload, dedupe_key, created_at) \
         SELECT 'connection_stale', side.org, 'connection', c.id, \
                jsonb_build_object('connection_id', c.id, 'path', '/api/v1/connections/' || c.id, \
                    'demand_title', d.title, 'supply_title', s.title, 'status', c.status, 'days', $2, \
                    'quiet_since', last.created_at), \
                'connection_stale:' || c.id || ':' || last.id || ':' || side.org, $1 \
         FROM connections c \
         JOIN LATERAL (SELECT e.id, e.created_at FROM connection_events e WHERE e.connection_id = c.id \
                       ORDER BY e.id DESC LIMIT 1) last ON true \
         JOIN demands d ON d.id = c.demand_id \
         JOIN supplies s ON s.id = c.supply_id \
         CROSS JOIN LATERAL (SELECT DISTINCT o FROM unnest(ARRAY[d.organization_id, s.organization_id]) o) side(org) \
         WHERE c.status IN ('proposed', 'contacted', 'negotiating') \
           AND last.created_at <= $1 - make_interval(days => $2) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Integer, _>(days)
    .execute(conn)?)
}

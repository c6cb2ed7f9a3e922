//! Writing and reading `audit_log`.

use chrono::{NaiveDate, NaiveTime};
use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use super::model::{AuditEntry, Entry};
use crate::db::schema::audit_log;
use crate::error::ApiError;
use crate::pagination::PageRequest;
use crate::vocab::{AuditAction, AuditRecordType};

/// Records `entry`. Call it with the connection of the action's own transaction.
pub fn record(conn: &mut PgConnection, entry: &Entry) -> Result<(), ApiError> {
    diesel::insert_into(audit_log::table).values(entry.row()).execute(conn)?;
    Ok(())
}

/// Records several entries in one statement (nothing for none).
pub fn record_all(conn: &mut PgConnection, entries: &[Entry]) -> Result<(), ApiError> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = entries.iter().map(Entry::row).collect();
    diesel::insert_into(audit_log::table).values(rows).execute(conn)?;
    Ok(())
}

/// Whose entries a reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A department admin: every entry.
    All,
    /// A member of an organisation: the entries about that organisation's records, except
    /// sign-ins (successful or not) of anyone but the reader.
    Organization { organization_id: Uuid, reader: Uuid },
}

/// The filters of a read (all optional; days in UTC, both ends included).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub record_type: Option<AuditRecordType>,
    pub record_id: Option<Uuid>,
    pub action: Option<AuditAction>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

type Boxed = audit_log::BoxedQuery<'static, Pg>;

fn filtered(scope: Scope, f: &Filter) -> Boxed {
    let mut q = audit_log::table.into_boxed();
    if let Scope::Organization { organization_id, reader } = scope {
        let sign_ins = [AuditAction::SignedIn, AuditAction::SignInFailed];
        q = q
            .filter(audit_log::organization_id.eq(organization_id))
            .filter(audit_log::action.ne_all(sign_ins).or(audit_log::record_id.eq(reader)));
    }
    if let Some(v) = f.actor_id {
        q = q.filter(audit_log::actor_id.eq(v));
    }
    if let Some(v) = f.organization_id {
        q = q.filter(audit_log::organization_id.eq(v));
    }
    if let Some(v) = f.record_type {
        q = q.filter(audit_log::record_type.eq(v));
    }
    if let Some(v) = f.record_id {
        q = q.filter(audit_log::record_id.eq(v));
    }
    if let Some(v) = f.action {
        q = q.filter(audit_log::action.eq(v));
    }
    if let Some(day) = f.from {
        q = q.filter(audit_log::occurred_at.ge(day.and_time(NaiveTime::MIN).and_utc()));
    }
    if let Some(day) = f.to.and_then(|d| d.succ_opt()) {
        q = q.filter(audit_log::occurred_at.lt(day.and_time(NaiveTime::MIN).and_utc()));
    }
    q
}

/// One page of the entries `scope` may read that match `filter`, newest first, with the total.
pub fn list(
    conn: &mut PgConnection,
    scope: Scope,
    filter: &Filter,
    page: PageRequest,
) -> Result<(Vec<AuditEntry>, i64), ApiError> {
    let total = filtered(scope, filter).count().get_result(conn)?;
    let items = filtered(scope, filter)
        .order((audit_log::occurred_at.desc(), audit_log::id.desc()))
        .offset(page.offset())
        .limit(page.limit())
        .select(AuditEntry::as_select())
        .load(conn)?;
    Ok((items, total))
}

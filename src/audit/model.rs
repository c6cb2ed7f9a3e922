//! An audit-log entry: [`Entry`] to write one, [`AuditEntry`] as stored and read.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::principal::Principal;
use crate::db::schema::audit_log;
use crate::vocab::{AuditAction, AuditRecordType};

/// Fields never written to the log, wherever they appear in `changes` or `detail`.
pub const SECRET_FIELDS: [&str; 6] =
    ["password", "password_hash", "current_password", "new_password", "token", "refresh_token"];

/// Fields left out of `changes`: every change bumps them, they say nothing.
const NOISE_FIELDS: [&str; 3] = ["version", "updated_at", "created_at"];

/// One entry to record ([`crate::audit::record`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub action: AuditAction,
    pub record_type: AuditRecordType,
    /// The record acted on (`None` for a set of records, such as an export, or a sign-in with
    /// an unknown e-mail).
    pub record_id: Option<Uuid>,
    /// The organisation the record belongs to; its members read the entry.
    pub organization_id: Option<Uuid>,
    /// Who acted (`None`: nobody signed in, e.g. a failed sign-in).
    pub actor_id: Option<Uuid>,
    pub actor_organization_id: Option<Uuid>,
    /// The client's address (through trusted proxies only, [`crate::client_addr`]).
    pub client_addr: Option<IpAddr>,
    /// `{"field": {"before": …, "after": …}}` of the fields that changed.
    pub changes: Value,
    /// Other facts of the action (an export's filters and row count, a sign-in failure's reason).
    pub detail: Value,
}

impl Entry {
    /// An entry of `caller` doing `action` to the record `record_type` `record_id` owned by
    /// `organization_id`, with no changes or detail yet.
    pub fn by(
        caller: &Principal,
        action: AuditAction,
        record_type: AuditRecordType,
        record_id: Uuid,
        organization_id: Uuid,
    ) -> Self {
        Self {
            action,
            record_type,
            record_id: Some(record_id),
            organization_id: Some(organization_id),
            actor_id: Some(caller.user_id),
            actor_organization_id: Some(caller.organization_id),
            client_addr: caller.client,
            changes: Value::Object(Map::new()),
            detail: Value::Object(Map::new()),
        }
    }

    /// An entry of `caller` doing `action` to a set of records of `record_type` (an export), of
    /// `organization_id` when the set is one organisation's.
    pub fn on_set(
        caller: &Principal,
        action: AuditAction,
        record_type: AuditRecordType,
        organization_id: Option<Uuid>,
    ) -> Self {
        Self { record_id: None, organization_id, ..Self::by(caller, action, record_type, Uuid::nil(), Uuid::nil()) }
    }

    /// An entry with no actor (nobody signed in).
    pub fn anonymous(action: AuditAction, record_type: AuditRecordType, client_addr: Option<IpAddr>) -> Self {
        Self {
            action,
            record_type,
            record_id: None,
            organization_id: None,
            actor_id: None,
            actor_organization_id: None,
            client_addr,
            changes: Value::Object(Map::new()),
            detail: Value::Object(Map::new()),
        }
    }

    /// With these changes (see [`changes`], [`created`]).
    pub fn with_changes(mut self, changes: Value) -> Self {
        self.changes = changes;
        self
    }

    /// With this detail (a JSON object).
    pub fn with_detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }

    /// The row to insert, secrets removed.
    pub(super) fn row(&self) -> NewRow {
        NewRow {
            actor_id: self.actor_id,
            actor_organization_id: self.actor_organization_id,
            client_addr: self.client_addr.map(|a| a.to_string()),
            action: self.action,
            record_type: self.record_type,
            record_id: self.record_id,
            organization_id: self.organization_id,
            changes: without_secrets(self.changes.clone()),
            detail: without_secrets(self.detail.clone()),
        }
    }
}

/// A row of `audit_log` ready to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub(super) struct NewRow {
    actor_id: Option<Uuid>,
    actor_organization_id: Option<Uuid>,
    client_addr: Option<String>,
    action: AuditAction,
    record_type: AuditRecordType,
    record_id: Option<Uuid>,
    organization_id: Option<Uuid>,
    changes: Value,
    detail: Value,
}

/// An entry as stored and returned.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// Increasing with the order of writing.
    pub id: i64,
    /// When the action's transaction ran.
    pub occurred_at: DateTime<Utc>,
    /// The user who acted; null when nobody was signed in (a failed sign-in).
    pub actor_id: Option<Uuid>,
    /// The actor's organisation at the time.
    pub actor_organization_id: Option<Uuid>,
    /// The client's address, when known.
    pub client_addr: Option<String>,
    pub action: AuditAction,
    pub record_type: AuditRecordType,
    /// Null for an action on a set of records (an export) or an unknown account.
    pub record_id: Option<Uuid>,
    /// The organisation the record belongs to.
    pub organization_id: Option<Uuid>,
    /// `{"field": {"before": …, "after": …}}` for each field the action changed (never a secret).
    #[schema(value_type = Object)]
    pub changes: Value,
    /// Other facts of the action, e.g. `{"rows": 12, "filters": {…}}` for an export or
    /// `{"reason": "wrong_password"}` for a failed sign-in.
    #[schema(value_type = Object)]
    pub detail: Value,
}

fn object_of(value: &impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The fields of `before` and `after` (serialised as JSON objects) that differ, as
/// `{"field": {"before": …, "after": …}}`; the version and timestamps are left out.
pub fn changes(before: &impl Serialize, after: &impl Serialize) -> Value {
    diff(object_of(before), object_of(after))
}

/// The fields of a new record (null ones left out) as changes from nothing.
pub fn created(after: &impl Serialize) -> Value {
    let after: Map<String, Value> = object_of(after).into_iter().filter(|(_, v)| !v.is_null()).collect();
    diff(Map::new(), after)
}

fn diff(before: Map<String, Value>, after: Map<String, Value>) -> Value {
    let mut out = Map::new();
    let keys = before.keys().chain(after.keys()).filter(|k| !NOISE_FIELDS.contains(&k.as_str()));
    for key in keys {
        let (b, a) = (before.get(key).unwrap_or(&Value::Null), after.get(key).unwrap_or(&Value::Null));
        if b != a && !out.contains_key(key) {
            out.insert(key.clone(), serde_json::json!({ "before": b, "after": a }));
        }
    }
    Value::Object(out)
}

/// `value` with every [`SECRET_FIELDS`] member removed, at any depth.
fn without_secrets(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| !SECRET_FIELDS.contains(&k.as_str()))
                .map(|(k, v)| (k, without_secrets(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_secrets).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn changes_name_only_the_fields_that_differ() {
        let before = json!({"title": "旧", "trl": 3, "version": 1, "updated_at": "a", "keywords": ["x"]});
        let after = json!({"title": "新", "trl": 3, "version": 2, "updated_at": "b", "keywords": ["x", "y"]});
        assert_eq!(
            changes(&before, &after),
            json!({"title": {"before": "旧", "after": "新"}, "keywords": {"before": ["x"], "after": ["x", "y"]}})
        );
        assert_eq!(
            created(&json!({"title": "新", "price_fen": null})),
            json!({"title": {"before": null, "after": "新"}})
        );
    }

    #[test]
    fn secrets_never_reach_a_row() {
        let entry = Entry::anonymous(AuditAction::SignInFailed, AuditRecordType::User, None)
            .with_detail(json!({"password": "p", "nested": {"password_hash": "h", "ok": 1}}))
            .with_changes(json!({"token": {"before": null, "after": "t"}}));
        let row = entry.row();
        assert_eq!(row.detail, json!({"nested": {"ok": 1}}));
        assert_eq!(row.changes, json!({}));
    }
}

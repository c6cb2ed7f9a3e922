//! The user summary embedded wherever a record names users (connections: the opener, the broker,
//! each event's actor; contract statistics: the brokers): enough to show who without another
//! call. Never the e-mail or the role. Loaded for a whole page in one query.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{organizations, users};
use crate::error::ApiError;

/// Who a user is, as others may see it: id, display name and organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UserSummary {
    pub id: Uuid,
    pub display_name: String,
    pub organization_id: Uuid,
    pub organization_name: String,
}

/// The summaries of the users `ids` (duplicates allowed, absent ids left out), by id, in one query.
pub fn user_summaries(conn: &mut PgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, UserSummary>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String, Uuid, String)> = users::table
        .inner_join(organizations::table)
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name, users::organization_id, organizations::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, display_name, organization_id, organization_name)| {
            (id, UserSummary { id, display_name, organization_id, organization_name })
        })
        .collect())
}

/// The summaries of `ids` in their order of first appearance, each once (absent ids left out).
pub fn in_order(found: &HashMap<Uuid, UserSummary>, ids: impl IntoIterator<Item = Uuid>) -> Vec<UserSummary> {
    let mut out: Vec<UserSummary> = Vec::new();
    for id in ids {
        if let Some(user) = found.get(&id).filter(|_| !out.iter().any(|u| u.id == id)) {
            out.push(user.clone());
        }
    }
    out
}

//! The organisation summary embedded wherever a record names an organisation (listings, match
//! results, the batch lookup): enough to show the holder without a second call. Loaded for a
//! whole page in one query.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::organizations;
use crate::error::ApiError;
use crate::vocab::{OrganizationKind, Verification};

/// Who holds a record: the organisation's id, name, kind, whether the department verified it,
/// and its region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrganizationSummary {
    pub id: Uuid,
    pub name: String,
    pub kind: OrganizationKind,
    /// True when the department verified the organisation (`verification` is `verified`).
    pub verified: bool,
    pub region: Option<String>,
}

/// The summaries of the organisations `ids` (duplicates allowed; absent ids are left out), by id,
/// in one query.
pub fn summaries(conn: &mut PgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, OrganizationSummary>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String, OrganizationKind, Verification, Option<String>)> = organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((
            organizations::id,
            organizations::name,
            organizations::kind,
            organizations::verification,
            organizations::region,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kind, verification, region)| {
            (id, OrganizationSummary { id, name, kind, verified: verification == Verification::Verified, region })
        })
        .collect())
}

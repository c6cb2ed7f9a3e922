//! `GET /api/v1/organizations/batch?ids=…`: the summaries of up to [`MAX_IDS`] organisations in
//! one query, for a page that names many.

use diesel::PgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::summary::{summaries, OrganizationSummary};
use crate::error::ApiError;
use crate::field_error::{FieldCode, FieldError};

/// Most ids one lookup takes.
pub const MAX_IDS: usize = 100;

/// The answer of a batch lookup.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationBatch {
    /// The organisations found, in the order asked.
    pub items: Vec<OrganizationSummary>,
    /// The ids asked for that name no organisation.
    pub missing: Vec<Uuid>,
}

/// The distinct ids of a comma-separated list, in order; 400 `invalid_query` when one is not a
/// UUID, when there are none or more than [`MAX_IDS`].
pub fn parse_ids(text: &str) -> Result<Vec<Uuid>, ApiError> {
    let invalid = |detail: String, code: FieldCode| ApiError::bad_query(detail, FieldError::new("ids", code));
    let mut ids = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id = Uuid::parse_str(part)
            .map_err(|_| invalid(format!("ids: `{part}` is not a UUID"), FieldCode::InvalidFormat))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
        if ids.len() > MAX_IDS {
            return Err(ApiError::bad_query(
                format!("ids: at most {MAX_IDS} ids per lookup"),
                FieldError::new("ids", FieldCode::TooMany).with("max", MAX_IDS),
            ));
        }
    }
    if ids.is_empty() {
        return Err(invalid("ids: give at least one organisation id".into(), FieldCode::Blank));
    }
    Ok(ids)
}

/// The summaries of `ids` in their order, and the ids not found.
pub fn lookup(conn: &mut PgConnection, ids: Vec<Uuid>) -> Result<OrganizationBatch, ApiError> {
    let mut found = summaries(conn, &ids)?;
    let (mut items, mut missing) = (Vec::new(), Vec::new());
    for id in ids {
        match found.remove(&id) {
            Some(summary) => items.push(summary),
            None => missing.push(id),
        }
    }
    Ok(OrganizationBatch { items, missing })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_distinct_ids_in_order() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(parse_ids(&format!("{a}, {b},{a},")).unwrap(), vec![a, b]);
        assert!(parse_ids("").is_err());
        assert!(parse_ids("nope").is_err());
        let many: Vec<String> = (0..=MAX_IDS).map(|_| Uuid::new_v4().to_string()).collect();
        assert!(parse_ids(&many.join(",")).is_err());
        assert_eq!(parse_ids(&many[..MAX_IDS].join(",")).unwrap().len(), MAX_IDS);
    }
}

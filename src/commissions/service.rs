//! Commission rules: admins create policies (409 `policy_overlap` when one of the same scope —
//! the same agency, or the default — meets the new one's period); an agency's statement is
//! readable by admins and by the agency's own members.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::input::NewPolicy;
use super::model::{Policy, Statement};
use super::{repo, statement};
use crate::audit::{self, Entry};
use crate::auth::policy::require_admin;
use crate::auth::principal::Principal;
use crate::db::schema::organizations;
use crate::db::FoundExtension;
use crate::error::{ApiError, ErrorCode};
use crate::error::{FieldCode, FieldError};
use crate::vocab::{AuditAction, AuditRecordType};

/// Creates a policy (admins).
pub fn create(conn: &mut PgConnection, caller: &Principal, new: &NewPolicy) -> Result<Policy, ApiError> {
    require_admin(caller)?;
    if let Some(agency) = new.agency_id {
        organizations::table
            .find(agency)
            .select(organizations::id)
            .first::<Uuid>(conn)
            .map_err(|_| ApiError::invalid_field(FieldError::new("agency_id", FieldCode::NotFound)))?;
    }
    conn.transaction(|conn| {
        repo::lock(conn)?;
        if let Some(existing) = repo::overlapping(conn, new.agency_id, new.effective_from, new.effective_to)? {
            return Err(ApiError::ConflictWith {
                code: ErrorCode::PolicyOverlap,
                detail: "another policy of this agency (or the default one) applies during this period".into(),
                extension: json!({ "existing_id": existing }),
            });
        }
        let policy = repo::insert(conn, new, caller.user_id)?;
        let on = Entry::on_set(
            caller,
            AuditAction::CommissionPolicyCreated,
            AuditRecordType::CommissionPolicy,
            new.agency_id,
        );
        audit::record(conn, &Entry { record_id: Some(policy.id), ..on }.with_changes(audit::created(&policy)))?;
        Ok(policy)
    })
}

/// The statement of `agency` for `[from, to]`: admins, and members of the agency.
pub fn statement(
    conn: &mut PgConnection,
    caller: &Principal,
    agency: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Statement, ApiError> {
    if !(caller.is_admin() || caller.organization_id == agency) {
        return Err(ApiError::Forbidden("an agency's statement is for the department and the agency".into()));
    }
    let name: String = organizations::table
        .find(agency)
        .select(organizations::name)
        .first(conn)
        .or_not_found(|| format!("organisation {agency}"))?;
    let year_start = NaiveDate::from_ymd_opt(from.year(), 1, 1).unwrap_or(from);
    let evidence = repo::evidence(conn, agency, year_start, to)?;
    let policies = repo::list(conn, Some(agency))?;
    let rows = statement::rows(&policies, agency, evidence, from, to);
    let commission_fen = rows.iter().map(|r| r.commission_fen).fold(0_i64, i64::saturating_add);
    Ok(Statement { agency_id: agency, agency_name: name, from, to, commission_fen, rows })
}

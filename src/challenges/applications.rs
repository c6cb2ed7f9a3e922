//! Application rules (揭榜, docs/API.md **Challenges**).
//!
//! - Applying: while the window is open (`open`, `opens_at` ≤ now < `closes_at`; otherwise 409
//!   `challenge_closed`), by a member of an organisation whose kind (and region, when the
//!   challenge names regions) is eligible and that is not the challenge's own (403
//!   `not_eligible`); admins do not apply (403). The linked supplies are the applicant's own
//!   (another organisation's or a missing one: 404) and on the market (422). One submitted
//!   application per organisation (409 `already_applied`).
//! - Withdrawing: the applicant, until the window closes (409 `challenge_closed` after).
//! - Seeing: the applicant sees its own; the challenge's organisation, its reviewers and admins
//!   see all; others get 404.
//!
//! The challenge row is share-locked while an application is submitted or withdrawn, so the
//! scheduler's close (an update of that row) is ordered with it: an application is either in
//! before the close or refused after it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::input::NewApplication;
use super::lifecycle;
use super::model::{Application, ApplicationView, Challenge};
use super::repo;
use super::service::{self, Standing};
use crate::audit::{self, Entry};
use crate::auth::policy::require_writer;
use crate::auth::Principal;
use crate::db::schema::{organizations, supplies};
use crate::error::{ApiError, ErrorCode, FieldCode, FieldError};
use crate::pagination::PageRequest;
use crate::vocab::{AuditAction, AuditRecordType, ChallengeApplicationStatus, SupplyStatus};

/// 409 `challenge_closed` for `challenge` at `now`.
fn closed(challenge: &Challenge, detail: &str) -> ApiError {
    ApiError::ConflictWith {
        code: ErrorCode::ChallengeClosed,
        detail: detail.into(),
        extension: json!({
            "current_status": challenge.status,
            "opens_at": challenge.opens_at,
            "closes_at": challenge.closes_at,
        }),
    }
}

fn not_eligible(detail: String) -> ApiError {
    ApiError::Status { status: actix_web::http::StatusCode::FORBIDDEN, code: ErrorCode::NotEligible, detail }
}

/// Whether an organisation's `region` names one of `wanted` (or the other way round, after
/// trimming); any region when `wanted` is empty.
pub fn region_fits(region: Option<&str>, wanted: &[String]) -> bool {
    if wanted.is_empty() {
        return true;
    }
    let Some(region) = region.map(str::trim).filter(|r| !r.is_empty()) else { return false };
    wanted.iter().any(|w| region.contains(w.as_str()) || w.contains(region))
}

/// Checks the caller's organisation against the challenge's eligibility (403 `not_eligible`).
fn check_eligible(conn: &mut PgConnection, caller: &Principal, challenge: &Challenge) -> Result<(), ApiError> {
    if caller.is_admin() {
        return Err(ApiError::Forbidden("admins run challenges; organisations apply".into()));
    }
    if caller.organization_id == challenge.organization_id {
        return Err(not_eligible("an organisation does not take on its own challenge".into()));
    }
    if !challenge.eligible_kinds.contains(&caller.org_kind) {
        let kinds: Vec<&str> = challenge.eligible_kinds.iter().map(|k| k.as_str()).collect();
        return Err(not_eligible(format!(
            "organisations of kind `{}` may not apply; eligible: {}",
            caller.org_kind,
            kinds.join(", ")
        )));
    }
    let region: Option<String> =
        organizations::table.find(caller.organization_id).select(organizations::region).first(conn)?;
    if !region_fits(region.as_deref(), &challenge.eligible_regions) {
        return Err(not_eligible(format!(
            "the organisation's region ({}) is not among the eligible regions: {}",
            region.as_deref().unwrap_or("none"),
            challenge.eligible_regions.join("、")
        )));
    }
    Ok(())
}

/// Checks the linked supplies: each the caller's organisation's (404 otherwise, as for a missing
/// one) and published (422 naming it).
fn check_supplies(conn: &mut PgConnection, caller: &Principal, ids: &[Uuid]) -> Result<(), ApiError> {
    let rows: Vec<(Uuid, Uuid, SupplyStatus)> = supplies::table
        .filter(supplies::id.eq_any(ids))
        .select((supplies::id, supplies::organization_id, supplies::status))
        .load(conn)?;
    for (i, id) in ids.iter().enumerate() {
        match rows.iter().find(|r| r.0 == *id) {
            Some((_, org, status)) if *org == caller.organization_id => {
                if *status != SupplyStatus::Published {
                    return Err(ApiError::invalid_field(
                        FieldError::new(format!("supply_ids.{i}"), FieldCode::NotAllowed).says(
                            format!("成果 {id} 的状态为 `{status}`：只能关联已发布的成果"),
                            format!("supply {id} is `{status}`: only published supplies are linked"),
                        ),
                    ));
                }
            }
            _ => return Err(ApiError::NotFound(format!("supply {id}"))),
        }
    }
    Ok(())
}

/// The views of `rows` (one query for the organisations' names).
pub fn views(conn: &mut PgConnection, rows: Vec<Application>) -> Result<Vec<ApplicationView>, ApiError> {
    let orgs: Vec<Uuid> = rows.iter().map(|a| a.organization_id).collect();
    let names = repo::organization_names(conn, &orgs)?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let name = names.get(&a.organization_id).cloned().unwrap_or_default();
            ApplicationView::new(a, name)
        })
        .collect())
}

fn audit_application(
    conn: &mut PgConnection,
    caller: &Principal,
    action: AuditAction,
    before: Option<&Application>,
    after: &Application,
) -> Result<(), ApiError> {
    let changes = match before {
        Some(b) => audit::changes(b, after),
        None => audit::created(after),
    };
    let entry = Entry::by(caller, action, AuditRecordType::ChallengeApplication, after.id, after.organization_id)
        .with_changes(changes)
        .with_detail(json!({ "challenge_id": after.challenge_id }));
    audit::record(conn, &entry)
}

/// Submits an application (see the module docs).
pub fn apply(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge_id: Uuid,
    new: &NewApplication,
    now: DateTime<Utc>,
) -> Result<ApplicationView, ApiError> {
    service::visible(conn, Some(caller), challenge_id)?;
    let inserted = conn.transaction(|conn| {
        let challenge = repo::share(conn, challenge_id)?;
        if !lifecycle::accepts_applications(challenge.status, challenge.opens_at, challenge.closes_at, now) {
            let detail = if challenge.status == crate::vocab::ChallengeStatus::Open && now < challenge.opens_at {
                "the application window has not opened yet"
            } else {
                "the challenge takes no applications: its application window is closed"
            };
            return Err(closed(&challenge, detail));
        }
        check_eligible(conn, caller, &challenge)?;
        require_writer(conn, caller)?;
        check_supplies(conn, caller, &new.supply_ids)?;
        if let Some(existing) = repo::submitted_of(conn, challenge_id, caller.organization_id)? {
            return Err(already(existing));
        }
        let application = conn.transaction(|conn| {
            repo::insert_application(conn, challenge_id, caller.organization_id, Some(caller.user_id), new, now)
        })?;
        audit_application(conn, caller, AuditAction::ChallengeApplicationSubmitted, None, &application)?;
        Ok(application)
    });
    let application = match inserted {
        Err(ApiError::Conflict { .. }) => {
            // The one-per-organisation index refused a concurrent second application.
            let existing = repo::submitted_of(conn, challenge_id, caller.organization_id)?.unwrap_or_default();
            return Err(already(existing));
        }
        other => other?,
    };
    Ok(views(conn, vec![application])?.remove(0))
}

fn already(existing: Uuid) -> ApiError {
    ApiError::ConflictWith {
        code: ErrorCode::AlreadyApplied,
        detail: "your organisation has a submitted application to this challenge (withdraw it to apply again)".into(),
        extension: json!({ "existing_id": existing }),
    }
}

/// Withdraws the caller's organisation's application (see the module docs).
pub fn withdraw(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<ApplicationView, ApiError> {
    service::visible(conn, Some(caller), challenge_id)?;
    let application = conn.transaction(|conn| {
        let challenge = repo::share(conn, challenge_id)?;
        let before = repo::lock_application(conn, challenge_id, id)?;
        if before.organization_id != caller.organization_id || caller.is_admin() {
            return Err(ApiError::NotFound(format!("application {id}")));
        }
        if before.status != ChallengeApplicationStatus::Submitted {
            return Err(ApiError::ConflictWith {
                code: ErrorCode::WrongStatus,
                detail: format!("only a submitted application is withdrawn; this one is `{}`", before.status),
                extension: json!({ "current_status": before.status }),
            });
        }
        if !lifecycle::may_withdraw(challenge.status, challenge.closes_at, now) {
            return Err(closed(&challenge, "the application window has closed: applications stay for evaluation"));
        }
        let after = repo::set_application_status(conn, id, ChallengeApplicationStatus::Withdrawn, None, now)?;
        audit_application(conn, caller, AuditAction::ChallengeApplicationWithdrawn, Some(&before), &after)?;
        Ok(after)
    })?;
    Ok(views(conn, vec![application])?.remove(0))
}

/// A page of the applications the caller may see (see the module docs).
pub fn list(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge_id: Uuid,
    status: Option<ChallengeApplicationStatus>,
    page: PageRequest,
) -> Result<(Vec<ApplicationView>, i64), ApiError> {
    let (_, standing) = service::visible(conn, Some(caller), challenge_id)?;
    let only = (standing == Standing::Public).then_some(caller.organization_id);
    let (rows, total) = repo::applications(conn, challenge_id, only, status, Some(page))?;
    Ok((views(conn, rows)?, total))
}

/// One application the caller may see; 404 otherwise.
pub fn get(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge_id: Uuid,
    id: Uuid,
) -> Result<ApplicationView, ApiError> {
    let (_, standing) = service::visible(conn, Some(caller), challenge_id)?;
    let application = repo::application(conn, challenge_id, id)?;
    if standing == Standing::Public && application.organization_id != caller.organization_id {
        return Err(ApiError::NotFound(format!("application {id}")));
    }
    Ok(views(conn, vec![application])?.remove(0))
}

#[cfg(test)]
mod tests {
    use super::region_fits;

    #[test]
    fn regions_fit_either_way() {
        let wanted = vec!["宁夏".to_string()];
        assert!(region_fits(Some("宁夏银川"), &wanted));
        assert!(region_fits(Some("宁夏"), &["宁夏回族自治区".to_string()]));
        assert!(!region_fits(Some("陕西"), &wanted));
        assert!(!region_fits(None, &wanted));
        assert!(region_fits(None, &[]));
    }
}

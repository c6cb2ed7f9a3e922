//! Challenge rules (docs/API.md, **Challenges**).
//!
//! - Creating: from an open demand, by a member of the demand's organisation or by an admin on
//!   its behalf (the challenge belongs to the demand's organisation either way); another
//!   organisation's demand answers 403 when it is public and 404 when it is not. A challenge
//!   starts as a `draft`.
//! - Seeing: drafts, challenges in screening and those cancelled before publication are seen by
//!   their organisation, the reviewers and admins only (404 for others); the rest are public.
//! - Moving: [`super::lifecycle`] decides; 409 `illegal_transition` for a move the lifecycle
//!   does not have, 403 for one that is not the caller's. Opening needs a window that has not
//!   ended (409 otherwise) and queues the engine's suggested solvers
//!   ([`super::suggestions::notify`]). Every move is audited in its transaction.
//! - Closing: the scheduler closes an `open` challenge at `closes_at` ([`close_due`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::input::NewChallenge;
use super::lifecycle::{self, Actor, Refusal};
use super::model::{Challenge, ChallengeView};
use super::repo::{self, Scope};
use super::suggestions::Engine;
use crate::audit::{self, Entry};
use crate::auth::policy::{can_read, require_writer};
use crate::auth::Principal;
use crate::demands;
use crate::error::{ApiError, ErrorCode, FieldCode, FieldError};
use crate::listing::Listing;
use crate::pagination::PageRequest;
use crate::vocab::{AuditAction, AuditRecordType, ChallengeStatus, DemandStatus};

/// How the caller stands to a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Admin,
    Owner,
    Reviewer,
    Public,
}

impl Standing {
    /// Whether the caller sees every application and the panel's ranking.
    pub fn oversees(self) -> bool {
        self != Standing::Public
    }
}

/// How `caller` stands to `challenge`.
pub fn standing(
    conn: &mut PgConnection,
    caller: Option<&Principal>,
    challenge: &Challenge,
) -> Result<Standing, ApiError> {
    Ok(match caller {
        Some(p) if p.is_admin() => Standing::Admin,
        Some(p) if p.organization_id == challenge.organization_id => Standing::Owner,
        Some(p) if repo::is_reviewer(conn, challenge.id, p.user_id)? => Standing::Reviewer,
        _ => Standing::Public,
    })
}

/// The challenge `id` and the caller's standing, if the caller may see it; 404 otherwise.
pub fn visible(
    conn: &mut PgConnection,
    caller: Option<&Principal>,
    id: Uuid,
) -> Result<(Challenge, Standing), ApiError> {
    let challenge = repo::get(conn, id)?;
    let standing = standing(conn, caller, &challenge)?;
    if standing == Standing::Public && !lifecycle::is_public(challenge.status, challenge.opened_at.is_some()) {
        return Err(ApiError::NotFound(format!("challenge {id}")));
    }
    Ok((challenge, standing))
}

fn actor(standing: Standing) -> Option<Actor> {
    match standing {
        Standing::Admin => Some(Actor::Admin),
        Standing::Owner => Some(Actor::Owner),
        _ => None,
    }
}

/// The views of `challenges` as `caller` sees them at `now` (one query for the organisations).
pub fn views(
    conn: &mut PgConnection,
    caller: Option<&Principal>,
    challenges: Vec<Challenge>,
    now: DateTime<Utc>,
) -> Result<Vec<ChallengeView>, ApiError> {
    let orgs: Vec<Uuid> = challenges.iter().map(|c| c.organization_id).collect();
    let names = repo::organization_names(conn, &orgs)?;
    challenges
        .into_iter()
        .map(|c| {
            let standing = match caller {
                Some(p) if p.is_admin() => Standing::Admin,
                Some(p) if p.organization_id == c.organization_id => Standing::Owner,
                _ => Standing::Public,
            };
            let name = names.get(&c.organization_id).cloned().unwrap_or_default();
            Ok(view(c, name, standing, now))
        })
        .collect()
}

/// The view of `c` for a caller of `standing`.
pub fn view(c: Challenge, organization_name: String, standing: Standing, now: DateTime<Utc>) -> ChallengeView {
    let allowed_moves = actor(standing).map(|a| lifecycle::moves_for(a, c.status)).unwrap_or_default();
    ChallengeView {
        accepting_applications: lifecycle::accepts_applications(c.status, c.opens_at, c.closes_at, now),
        criteria: c.criteria(),
        milestones: c.milestones(),
        id: c.id,
        demand_id: c.demand_id,
        organization_id: c.organization_id,
        organization_name,
        title: c.title,
        description: c.description,
        reward_fen: c.reward_fen,
        opens_at: c.opens_at,
        closes_at: c.closes_at,
        eligible_kinds: c.eligible_kinds,
        eligible_regions: c.eligible_regions,
        status: c.status,
        allowed_moves,
        status_note: c.status_note,
        opened_at: c.opened_at,
        closed_at: c.closed_at,
        decided_at: c.decided_at,
        result_note: c.result_note,
        version: c.version,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

/// The view of one challenge for `caller`.
pub fn one_view(
    conn: &mut PgConnection,
    caller: Option<&Principal>,
    c: Challenge,
    standing: Standing,
    now: DateTime<Utc>,
) -> Result<ChallengeView, ApiError> {
    let _ = caller;
    let name = repo::organization_names(conn, &[c.organization_id])?.remove(&c.organization_id).unwrap_or_default();
    Ok(view(c, name, standing, now))
}

/// Records `caller`'s (or the scheduler's, `None`) `action` on the challenge, under its
/// organisation, with the fields that changed.
pub fn audit_challenge(
    conn: &mut PgConnection,
    caller: Option<&Principal>,
    action: AuditAction,
    before: Option<&Challenge>,
    after: &Challenge,
) -> Result<(), ApiError> {
    let changes = match before {
        Some(b) => audit::changes(b, after),
        None => audit::created(after),
    };
    let entry = match caller {
        Some(p) => Entry::by(p, action, AuditRecordType::Challenge, after.id, after.organization_id),
        None => Entry {
            record_id: Some(after.id),
            organization_id: Some(after.organization_id),
            ..Entry::anonymous(action, AuditRecordType::Challenge, None)
        },
    };
    audit::record(conn, &entry.with_changes(changes))
}

/// Creates a draft challenge (see the module docs).
pub fn create(
    conn: &mut PgConnection,
    caller: &Principal,
    new: &NewChallenge,
    now: DateTime<Utc>,
) -> Result<ChallengeView, ApiError> {
    let no_demand = || {
        ApiError::invalid_field(FieldError::new("demand_id", FieldCode::NotFound).says("需求不存在", "no such demand"))
    };
    let demand = demands::repo::get(conn, new.demand_id).map_err(|_| no_demand())?;
    if !caller.is_admin() {
        if !can_read(Some(caller), demand.organization_id, demand.is_public()) {
            return Err(no_demand());
        }
        if demand.organization_id != caller.organization_id {
            return Err(ApiError::Forbidden(
                "a challenge is published from a demand by its organisation, or by an admin on its behalf".into(),
            ));
        }
        require_writer(conn, caller)?;
    }
    if demand.status != DemandStatus::Open {
        return Err(ApiError::Conflict {
            code: ErrorCode::ListingNotAvailable,
            detail: format!("a challenge is published from an open demand; this one is `{}`", demand.status),
        });
    }
    let title = new.title.clone().unwrap_or_else(|| demand.title.clone());
    let description = new.description.clone().unwrap_or_else(|| demand.description.clone());
    conn.transaction(|conn| {
        let challenge = repo::insert(conn, new, demand.organization_id, caller.user_id, (&title, &description), now)?;
        audit_challenge(conn, Some(caller), AuditAction::ChallengeCreated, None, &challenge)?;
        let standing = if caller.is_admin() { Standing::Admin } else { Standing::Owner };
        one_view(conn, Some(caller), challenge, standing, now)
    })
}

/// One page of the challenges the caller may see.
pub fn list(
    conn: &mut PgConnection,
    caller: Option<&Principal>,
    status: Option<ChallengeStatus>,
    page: PageRequest,
    now: DateTime<Utc>,
) -> Result<(Vec<ChallengeView>, i64), ApiError> {
    let scope = match caller {
        Some(p) if p.is_admin() => Scope::All,
        other => Scope::Public(other.map(|p| p.organization_id)),
    };
    let (rows, total) = repo::list(conn, scope, status, page)?;
    Ok((views(conn, caller, rows, now)?, total))
}

/// The refusal of a move as an error.
pub fn refused(from: ChallengeStatus, to: ChallengeStatus, refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Illegal { allowed } => ApiError::illegal_transition(
            from,
            to,
            allowed,
            format!("a challenge that is `{from}` cannot move to `{to}`"),
        ),
        Refusal::NotYours => ApiError::Forbidden(format!(
            "the move `{from}` → `{to}` is the department's (the challenge's organisation submits drafts and \
cancels before publication)"
        )),
    }
}

/// Moves the challenge (see the module docs).
pub fn move_to(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    to: ChallengeStatus,
    note: Option<&str>,
    now: DateTime<Utc>,
    engine: &Engine<'_>,
) -> Result<ChallengeView, ApiError> {
    let (_, standing) = visible(conn, Some(caller), id)?;
    let Some(actor) = actor(standing) else {
        return Err(ApiError::Forbidden("only the challenge's organisation and admins move it".into()));
    };
    if to == ChallengeStatus::Awarded {
        return Err(ApiError::invalid_field(
            FieldError::new("to", FieldCode::NotAllowed)
                .says("授奖须同时指定获奖者：POST …/award", "a challenge is awarded with its winners: POST …/award"),
        ));
    }
    if actor == Actor::Owner {
        require_writer(conn, caller)?;
    }
    conn.transaction(|conn| {
        let before = repo::lock(conn, id)?;
        let from = before.status;
        lifecycle::check(actor, from, to).map_err(|r| refused(from, to, r))?;
        if to == ChallengeStatus::Open && before.closes_at <= now {
            return Err(ApiError::illegal_transition(
                from,
                to,
                lifecycle::moves_for(actor, from),
                "the application window has already ended: a new challenge with a later `closes_at` is needed",
            ));
        }
        let after = repo::set_status(conn, &before, to, note, now)?;
        if to == ChallengeStatus::NoAward {
            repo::settle(conn, id, &[], now)?;
        }
        audit_challenge(conn, Some(caller), AuditAction::ChallengeStatusChanged, Some(&before), &after)?;
        if to == ChallengeStatus::Open {
            super::suggestions::notify(conn, engine, &after, now)?;
        }
        one_view(conn, Some(caller), after, standing, now)
    })
}

/// Closes the challenges whose window ended by `now` (the scheduler's job, run once across
/// instances): each is audited as a move by nobody. Returns how many.
pub fn close_due(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let due = repo::close_due(conn, now)?;
    for before in &due {
        let mut after = before.clone();
        after.status = ChallengeStatus::Closed;
        after.closed_at = Some(now);
        let entry = Entry {
            record_id: Some(before.id),
            organization_id: Some(before.organization_id),
            ..Entry::anonymous(AuditAction::ChallengeStatusChanged, AuditRecordType::Challenge, None)
        }
        .with_changes(audit::changes(before, &after))
        .with_detail(json!({ "by": "scheduler", "closes_at": before.closes_at }));
        audit::record(conn, &entry)?;
    }
    Ok(due.len())
}

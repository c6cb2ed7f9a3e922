//! Challenge queries. Every change locks its row first (`FOR UPDATE`) in the caller's
//! transaction; "now" is the lifecycle clock's, passed in.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::input::{NewApplication, NewChallenge};
use super::model::{Application, Challenge};
use crate::db::schema::{challenge_applications as ca, challenge_conflicts as cc, challenge_reviewers as cr};
use crate::db::schema::{challenge_scores as cs, challenges as c, organizations};
use crate::db::FoundExtension;
use crate::error::ApiError;
use crate::pagination::PageRequest;
use crate::vocab::{ChallengeApplicationStatus, ChallengeStatus};

/// The challenge `id`; 404 when absent.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<Challenge, ApiError> {
    c::table.find(id).select(Challenge::as_select()).first(conn).or_not_found(|| format!("challenge {id}"))
}

/// The challenge `id`, locked until the transaction ends; 404 when absent.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Challenge, ApiError> {
    c::table.find(id).select(Challenge::as_select()).for_update().first(conn).or_not_found(|| format!("challenge {id}"))
}

/// The challenge `id`, share-locked until the transaction ends (its status cannot change
/// meanwhile: the close waits for an application being submitted, and the other way round).
pub fn share(conn: &mut PgConnection, id: Uuid) -> Result<Challenge, ApiError> {
    c::table.find(id).select(Challenge::as_select()).for_share().first(conn).or_not_found(|| format!("challenge {id}"))
}

/// Inserts a draft challenge of `organization` from `demand` defaults.
pub fn insert(
    conn: &mut PgConnection,
    new: &NewChallenge,
    organization: Uuid,
    created_by: Uuid,
    (title, description): (&str, &str),
    now: DateTime<Utc>,
) -> Result<Challenge, ApiError> {
    Ok(diesel::insert_into(c::table)
        .values((
            c::demand_id.eq(new.demand_id),
            c::organization_id.eq(organization),
            c::created_by.eq(Some(created_by)),
            c::title.eq(title),
            c::description.eq(description),
            c::reward_fen.eq(new.reward_fen),
            c::opens_at.eq(new.opens_at),
            c::closes_at.eq(new.closes_at),
            c::eligible_kinds.eq(&new.eligible_kinds),
            c::eligible_regions.eq(&new.eligible_regions),
            c::milestones.eq(serde_json::to_value(&new.milestones).unwrap_or_default()),
            c::criteria.eq(serde_json::to_value(&new.criteria).unwrap_or_default()),
            c::created_at.eq(now),
            c::updated_at.eq(now),
        ))
        .returning(Challenge::as_returning())
        .get_result(conn)?)
}

/// Moves `before` to `to` with `note` at `now`, stamping `opened_at`, `closed_at` or
/// `decided_at` as the move says.
pub fn set_status(
    conn: &mut PgConnection,
    before: &Challenge,
    to: ChallengeStatus,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Challenge, ApiError> {
    use ChallengeStatus::*;
    let opened = before.opened_at.or((to == Open).then_some(now));
    let closed = before.closed_at.or((to == Closed).then_some(now));
    let decided = matches!(to, Awarded | NoAward | Cancelled).then_some(now);
    Ok(diesel::update(c::table.find(before.id))
        .set((
            c::status.eq(to),
            c::status_note.eq(note),
            c::opened_at.eq(opened),
            c::closed_at.eq(closed),
            c::decided_at.eq(decided),
            c::version.eq(c::version + 1),
            c::updated_at.eq(now),
        ))
        .returning(Challenge::as_returning())
        .get_result(conn)?)
}

/// Records the award's note.
pub fn set_result_note(conn: &mut PgConnection, id: Uuid, note: Option<&str>) -> Result<(), ApiError> {
    diesel::update(c::table.find(id)).set(c::result_note.eq(note)).execute(conn)?;
    Ok(())
}

/// Closes every `open` challenge whose window ended by `now`; returns them as they were before.
pub fn close_due(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<Challenge>, ApiError> {
    let due: Vec<Challenge> = c::table
        .filter(c::status.eq(ChallengeStatus::Open))
        .filter(c::closes_at.le(now))
        .select(Challenge::as_select())
        .for_update()
        .skip_locked()
        .load(conn)?;
    let ids: Vec<Uuid> = due.iter().map(|ch| ch.id).collect();
    if !ids.is_empty() {
        diesel::update(c::table.filter(c::id.eq_any(&ids)).filter(c::status.eq(ChallengeStatus::Open)))
            .set((
                c::status.eq(ChallengeStatus::Closed),
                c::closed_at.eq(Some(now)),
                c::version.eq(c::version + 1),
                c::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(due)
}

/// Which challenges a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Every challenge (admins).
    All,
    /// The public ones and, when signed in, the organisation's own.
    Public(Option<Uuid>),
}

/// One page of challenges, newest first, with the total.
pub fn list(
    conn: &mut PgConnection,
    scope: Scope,
    status: Option<ChallengeStatus>,
    page: PageRequest,
) -> Result<(Vec<Challenge>, i64), ApiError> {
    use ChallengeStatus::*;
    let filtered = || {
        let mut q = c::table.into_boxed();
        if let Scope::Public(org) = scope {
            let public = c::status
                .eq_any(vec![Open, Closed, Evaluating, Awarded, NoAward])
                .or(c::status.eq(Cancelled).and(c::opened_at.is_not_null()));
            q = match org {
                Some(org) => q.filter(public.or(c::organization_id.eq(org))),
                None => q.filter(public),
            };
        }
        if let Some(s) = status {
            q = q.filter(c::status.eq(s));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((c::created_at.desc(), c::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Challenge::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// The names of the organisations `ids`.
pub fn organization_names(conn: &mut PgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, ApiError> {
    Ok(organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((organizations::id, organizations::name))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .collect())
}

/// Inserts an application of `organization` by `user`; a second submitted one of the
/// organisation answers the unique violation as 409 (mapped by the caller).
pub fn insert_application(
    conn: &mut PgConnection,
    challenge: Uuid,
    organization: Uuid,
    user: Option<Uuid>,
    new: &NewApplication,
    now: DateTime<Utc>,
) -> Result<Application, ApiError> {
    Ok(diesel::insert_into(ca::table)
        .values((
            ca::challenge_id.eq(challenge),
            ca::organization_id.eq(organization),
            ca::submitted_by.eq(user),
            ca::proposal.eq(&new.proposal),
            ca::team_summary.eq(&new.team_summary),
            ca::price_fen.eq(new.price_fen),
            ca::duration_days.eq(new.duration_days),
            ca::supply_ids.eq(&new.supply_ids),
            ca::created_at.eq(now),
            ca::updated_at.eq(now),
        ))
        .returning(Application::as_returning())
        .get_result(conn)?)
}

/// The submitted application of `organization` to `challenge`, if any.
pub fn submitted_of(conn: &mut PgConnection, challenge: Uuid, organization: Uuid) -> Result<Option<Uuid>, ApiError> {
    Ok(ca::table
        .filter(ca::challenge_id.eq(challenge))
        .filter(ca::organization_id.eq(organization))
        .filter(ca::status.ne(ChallengeApplicationStatus::Withdrawn))
        .select(ca::id)
        .first(conn)
        .optional()?)
}

/// The application `id` of `challenge`; 404 when absent or of another challenge.
pub fn application(conn: &mut PgConnection, challenge: Uuid, id: Uuid) -> Result<Application, ApiError> {
    ca::table
        .find(id)
        .filter(ca::challenge_id.eq(challenge))
        .select(Application::as_select())
        .first(conn)
        .or_not_found(|| format!("application {id}"))
}

/// The application `id` of `challenge`, locked; 404 when absent.
pub fn lock_application(conn: &mut PgConnection, challenge: Uuid, id: Uuid) -> Result<Application, ApiError> {
    ca::table
        .find(id)
        .filter(ca::challenge_id.eq(challenge))
        .select(Application::as_select())
        .for_update()
        .first(conn)
        .or_not_found(|| format!("application {id}"))
}

/// Sets an application's status (and its connection).
pub fn set_application_status(
    conn: &mut PgConnection,
    id: Uuid,
    to: ChallengeApplicationStatus,
    connection: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Application, ApiError> {
    Ok(diesel::update(ca::table.find(id))
        .set((ca::status.eq(to), ca::connection_id.eq(connection), ca::updated_at.eq(now)))
        .returning(Application::as_returning())
        .get_result(conn)?)
}

/// Every application of `challenge` (optionally only `organization`'s, only in `status`), a page
/// of them oldest first, with the total.
pub fn applications(
    conn: &mut PgConnection,
    challenge: Uuid,
    organization: Option<Uuid>,
    status: Option<ChallengeApplicationStatus>,
    page: Option<PageRequest>,
) -> Result<(Vec<Application>, i64), ApiError> {
    let filtered = || {
        let mut q = ca::table.filter(ca::challenge_id.eq(challenge)).into_boxed();
        if let Some(org) = organization {
            q = q.filter(ca::organization_id.eq(org));
        }
        if let Some(s) = status {
            q = q.filter(ca::status.eq(s));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let mut q = filtered().order((ca::created_at, ca::id)).select(Application::as_select());
    if let Some(p) = page {
        q = q.offset(p.offset()).limit(p.limit());
    }
    Ok((q.load(conn)?, total))
}

/// The reviewers of `challenge`, in order of appointment.
pub fn reviewers(conn: &mut PgConnection, challenge: Uuid) -> Result<Vec<Uuid>, ApiError> {
    Ok(cr::table
        .filter(cr::challenge_id.eq(challenge))
        .order((cr::created_at, cr::user_id))
        .select(cr::user_id)
        .load(conn)?)
}

/// Whether `user` is a reviewer of `challenge`.
pub fn is_reviewer(conn: &mut PgConnection, challenge: Uuid, user: Uuid) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        cr::table.filter(cr::challenge_id.eq(challenge)).filter(cr::user_id.eq(user)),
    ))
    .get_result(conn)?)
}

/// Appoints `user`; true when newly appointed.
pub fn appoint(
    conn: &mut PgConnection,
    challenge: Uuid,
    user: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    Ok(diesel::insert_into(cr::table)
        .values((cr::challenge_id.eq(challenge), cr::user_id.eq(user), cr::appointed_by.eq(by), cr::created_at.eq(now)))
        .on_conflict_do_nothing()
        .execute(conn)?
        == 1)
}

/// Records a declared conflict; true when new.
pub fn declare_conflict(
    conn: &mut PgConnection,
    application: Uuid,
    reviewer: Uuid,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    Ok(diesel::insert_into(cc::table)
        .values((
            cc::application_id.eq(application),
            cc::reviewer_id.eq(reviewer),
            cc::note.eq(note),
            cc::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?
        == 1)
}

/// Whether `reviewer` declared a conflict with `application`.
pub fn has_conflict(conn: &mut PgConnection, application: Uuid, reviewer: Uuid) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        cc::table.filter(cc::application_id.eq(application)).filter(cc::reviewer_id.eq(reviewer)),
    ))
    .get_result(conn)?)
}

/// Stores (or replaces) `reviewer`'s scores of `application`; returns the row's update time.
pub fn upsert_scores(
    conn: &mut PgConnection,
    application: Uuid,
    reviewer: Uuid,
    scores: &[i32],
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::insert_into(cs::table)
        .values((
            cs::application_id.eq(application),
            cs::reviewer_id.eq(reviewer),
            cs::scores.eq(scores),
            cs::comment.eq(comment),
            cs::created_at.eq(now),
            cs::updated_at.eq(now),
        ))
        .on_conflict((cs::application_id, cs::reviewer_id))
        .do_update()
        .set((cs::scores.eq(scores), cs::comment.eq(comment), cs::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Every score sheet of the applications `ids`: application → reviewers' scores.
pub fn scores_of(conn: &mut PgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Vec<i32>>>, ApiError> {
    let rows: Vec<(Uuid, Vec<i32>)> = cs::table
        .filter(cs::application_id.eq_any(ids))
        .order((cs::application_id, cs::reviewer_id))
        .select((cs::application_id, cs::scores))
        .load(conn)?;
    let mut out: HashMap<Uuid, Vec<Vec<i32>>> = HashMap::new();
    for (id, scores) in rows {
        out.entry(id).or_default().push(scores);
    }
    Ok(out)
}

/// After the decision: every submitted application of the challenge but `winners` becomes
/// `not_awarded`.
pub fn settle(
    conn: &mut PgConnection,
    challenge_id: Uuid,
    winners: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::update(
        ca::table
            .filter(ca::challenge_id.eq(challenge_id))
            .filter(ca::status.eq(ChallengeApplicationStatus::Submitted))
            .filter(ca::id.ne_all(winners)),
    )
    .set((ca::status.eq(ChallengeApplicationStatus::NotAwarded), ca::updated_at.eq(now)))
    .execute(conn)?;
    Ok(())
}

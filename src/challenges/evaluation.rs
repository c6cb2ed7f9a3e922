//! Evaluation and award (docs/API.md, **Challenges**).
//!
//! - Panel: admins appoint reviewers (users of any organisation) until the decision.
//! - Conflicts: a reviewer declares a conflict of interest with an application (回避).
//! - Scoring: a reviewer scores each criterion 0–100 of a submitted application while the
//!   challenge is `evaluating` (409 `wrong_status` otherwise), and may revise until the decision;
//!   never an application of their own organisation or one they declared a conflict with (403
//!   `conflict_of_interest`); not a reviewer: 403.
//! - Ranking: [`super::scoring::rank`] over the stored sheets.
//! - Award (admins): from `evaluating`, names 1–10 submitted applications; for each, a connection
//!   between the challenge's demand and the application's first supply is opened (or the open
//!   one of that pair taken) and brought to `negotiating`, with its events in the outcome log,
//!   and linked to the challenge; the others become `not_awarded`; all in one transaction.
//! - Result (公示): public once `awarded` or `no_award`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::model::{
    Application, Award, Evaluation, Panel, PublicResult, RankedApplication, Reviewer, ScoreSheet, ScoreSummary, Winner,
};
use super::repo;
use super::scoring::{self, Sheets};
use super::service::{self, Standing};
use crate::accounts::summary::user_summaries;
use crate::audit::{self, Entry};
use crate::auth::policy::require_admin;
use crate::auth::Principal;
use crate::connections::repo::{self as connection_repo, MoveChanges};
use crate::connections::service as connection_service;
use crate::db::schema::connections;
use crate::error::{ApiError, ErrorCode, FieldCode, FieldError};
use crate::vocab::{AuditAction, AuditRecordType, ChallengeApplicationStatus, ChallengeStatus, ConnectionStatus};

fn wrong_status(status: impl serde::Serialize + std::fmt::Display, detail: String) -> ApiError {
    ApiError::ConflictWith { code: ErrorCode::WrongStatus, detail, extension: json!({ "current_status": status }) }
}

fn conflict_of_interest(detail: &str) -> ApiError {
    ApiError::Status {
        status: actix_web::http::StatusCode::FORBIDDEN,
        code: ErrorCode::ConflictOfInterest,
        detail: detail.into(),
    }
}

fn decided(status: ChallengeStatus) -> bool {
    matches!(status, ChallengeStatus::Awarded | ChallengeStatus::NoAward | ChallengeStatus::Cancelled)
}

/// The panel of `challenge`.
pub fn panel(conn: &mut PgConnection, challenge: Uuid) -> Result<Panel, ApiError> {
    let ids = repo::reviewers(conn, challenge)?;
    let found = user_summaries(conn, &ids)?;
    let reviewers = ids
        .iter()
        .filter_map(|id| found.get(id))
        .map(|u| Reviewer {
            user_id: u.id,
            display_name: u.display_name.clone(),
            organization_id: u.organization_id,
            organization_name: u.organization_name.clone(),
        })
        .collect();
    Ok(Panel { challenge_id: challenge, reviewers })
}

/// Appoints `user` to the panel (admins).
pub fn appoint(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge_id: Uuid,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Panel, ApiError> {
    require_admin(caller)?;
    conn.transaction(|conn| {
        let challenge = repo::lock(conn, challenge_id)?;
        if decided(challenge.status) {
            return Err(wrong_status(
                challenge.status,
                format!("the challenge is `{}`: its panel no longer changes", challenge.status),
            ));
        }
        if user_summaries(conn, &[user])?.is_empty() {
            return Err(ApiError::invalid_field(
                FieldError::new("user_id", FieldCode::NotFound).says("用户不存在", "no such user"),
            ));
        }
        if repo::appoint(conn, challenge_id, user, caller.user_id, now)? {
            let entry = Entry::by(
                caller,
                AuditAction::ChallengeReviewerAppointed,
                AuditRecordType::Challenge,
                challenge_id,
                challenge.organization_id,
            )
            .with_detail(json!({ "reviewer_id": user }));
            audit::record(conn, &entry)?;
        }
        panel(conn, challenge_id)
    })
}

/// The application `id` and its challenge's status, for a reviewer of the challenge (403 for
/// anyone else who may see the challenge).
fn for_reviewer(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge_id: Uuid,
    id: Uuid,
) -> Result<(super::model::Challenge, Application), ApiError> {
    let (challenge, _) = service::visible(conn, Some(caller), challenge_id)?;
    if !repo::is_reviewer(conn, challenge_id, caller.user_id)? {
        return Err(ApiError::Forbidden("only the challenge's appointed reviewers score its applications".into()));
    }
    let application = repo::application(conn, challenge_id, id)?;
    Ok((challenge, application))
}

/// Records that the calling reviewer steps aside from the application.
pub fn declare_conflict(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge_id: Uuid,
    id: Uuid,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let (challenge, application) = for_reviewer(conn, caller, challenge_id, id)?;
    conn.transaction(|conn| {
        if repo::declare_conflict(conn, application.id, caller.user_id, note, now)? {
            let entry = Entry::by(
                caller,
                AuditAction::ChallengeConflictDeclared,
                AuditRecordType::ChallengeApplication,
                application.id,
                challenge.organization_id,
            )
            .with_detail(json!({ "challenge_id": challenge_id, "note": note }));
            audit::record(conn, &entry)?;
        }
        Ok(())
    })
}

/// Stores the calling reviewer's scores (see the module docs).
pub fn score(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge_id: Uuid,
    id: Uuid,
    scores: &[i64],
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ScoreSheet, ApiError> {
    let (_, application) = for_reviewer(conn, caller, challenge_id, id)?;
    if application.organization_id == caller.organization_id {
        return Err(conflict_of_interest("a reviewer never scores an application of their own organisation"));
    }
    if repo::has_conflict(conn, id, caller.user_id)? {
        return Err(conflict_of_interest("you declared a conflict of interest with this application"));
    }
    conn.transaction(|conn| {
        let challenge = repo::share(conn, challenge_id)?;
        if challenge.status != ChallengeStatus::Evaluating {
            return Err(wrong_status(
                challenge.status,
                format!("applications are scored while the challenge is `evaluating`; it is `{}`", challenge.status),
            ));
        }
        let application = repo::lock_application(conn, challenge_id, id)?;
        if application.status != ChallengeApplicationStatus::Submitted {
            return Err(wrong_status(
                application.status,
                format!("only submitted applications are scored; this one is `{}`", application.status),
            ));
        }
        let criteria = challenge.criteria();
        let mut errors = crate::validation::Fields::new();
        if scores.len() != criteria.len() {
            let (want, got) = (criteria.len(), scores.len());
            let code = if got < want { FieldCode::TooShort } else { FieldCode::TooMany };
            errors.push(FieldError::new("scores", code).with("min", want).with("max", want).with("actual", got).says(
                format!("每项评价标准一个分数：应为 {want} 个（实际 {got} 个）"),
                format!("one score per criterion: {want} (got {got})"),
            ));
        }
        for (i, s) in scores.iter().enumerate() {
            if !(0..=100).contains(s) {
                errors.push(crate::validation::range_error(&format!("scores.{i}"), 0, 100, *s));
            }
        }
        errors.finish()?;
        let values: Vec<i32> = scores.iter().map(|&s| i32::try_from(s).unwrap_or_default()).collect();
        repo::upsert_scores(conn, id, caller.user_id, &values, comment, now)?;
        let entry = Entry::by(
            caller,
            AuditAction::ChallengeApplicationScored,
            AuditRecordType::ChallengeApplication,
            id,
            challenge.organization_id,
        )
        .with_detail(json!({ "challenge_id": challenge_id, "scores": values }));
        audit::record(conn, &entry)?;
        Ok(ScoreSheet {
            application_id: id,
            reviewer_id: caller.user_id,
            scores: values,
            comment: comment.map(str::to_string),
            updated_at: now,
        })
    })
}

/// The ranked applications of `challenge` (not withdrawn), with their organisations' names.
fn ranked(conn: &mut PgConnection, challenge: &super::model::Challenge) -> Result<Vec<RankedApplication>, ApiError> {
    let (rows, _) = repo::applications(conn, challenge.id, None, None, None)?;
    let rows: Vec<Application> =
        rows.into_iter().filter(|a| a.status != ChallengeApplicationStatus::Withdrawn).collect();
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let mut scores = repo::scores_of(conn, &ids)?;
    let sheets: Vec<Sheets> =
        ids.iter().map(|id| Sheets { application: *id, by_reviewer: scores.remove(id).unwrap_or_default() }).collect();
    let ranking = scoring::rank(&challenge.weights(), &sheets);
    let orgs: Vec<Uuid> = rows.iter().map(|a| a.organization_id).collect();
    let names = repo::organization_names(conn, &orgs)?;
    let by_id: HashMap<Uuid, &Application> = rows.iter().map(|a| (a.id, a)).collect();
    Ok(ranking
        .into_iter()
        .filter_map(|r| {
            let a = by_id.get(&r.application)?;
            Some(RankedApplication {
                application_id: a.id,
                organization_id: a.organization_id,
                organization_name: names.get(&a.organization_id).cloned().unwrap_or_default(),
                status: a.status,
                reviewers: r.reviewers,
                criterion_means: r.criterion_means,
                weighted_score: r.weighted,
                rank: r.rank,
            })
        })
        .collect())
}

/// The panel's ranking: admins, the challenge's organisation and its reviewers (403 for others
/// who may see the challenge).
pub fn evaluation(conn: &mut PgConnection, caller: &Principal, challenge_id: Uuid) -> Result<Evaluation, ApiError> {
    let (challenge, standing) = service::visible(conn, Some(caller), challenge_id)?;
    if standing == Standing::Public {
        return Err(ApiError::Forbidden(
            "the panel's scores are read by admins, the challenge's organisation and its reviewers; the public \
result follows the award"
                .into(),
        ));
    }
    Ok(Evaluation {
        challenge_id,
        status: challenge.status,
        criteria: challenge.criteria(),
        reviewers: panel(conn, challenge_id)?.reviewers,
        ranking: ranked(conn, &challenge)?,
    })
}

/// Opens (or takes) the connection of a winner and brings it to `negotiating`, linked to the
/// challenge; returns its id.
fn open_for_winner(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge: &super::model::Challenge,
    application: &Application,
) -> Result<Uuid, ApiError> {
    let supply = application.supply_ids.first().copied().ok_or_else(|| {
        ApiError::invalid_field(FieldError::new("winners", FieldCode::InvalidValue).says(
            format!("申请 {} 未关联任何成果", application.id),
            format!("application {} links no supply", application.id),
        ))
    })?;
    let note = format!("揭榜挂帅「{}」授奖", challenge.title);
    let id = match connection_service::insert_open(conn, caller, challenge.demand_id, supply, Some(&note), None) {
        Ok(c) => c.id,
        Err(ApiError::ConflictWith { code: ErrorCode::ConnectionExists, .. }) => {
            connection_repo::open_for_pair(conn, challenge.demand_id, supply)?
                .ok_or_else(|| ApiError::NotFound(format!("connection of supply {supply}")))?
        }
        Err(e) => return Err(e),
    };
    let mut status = connection_repo::lock_status(conn, id)?;
    while let Some(next) = match status {
        ConnectionStatus::Proposed => Some(ConnectionStatus::Contacted),
        ConnectionStatus::Contacted => Some(ConnectionStatus::Negotiating),
        _ => None,
    } {
        let changes =
            MoveChanges { status: next, contract_amount_fen: None, contract_type: None, failure_reason: None };
        connection_repo::guarded_move(conn, id, status, &changes)?;
        connection_repo::append_event(conn, id, Some(status), next, caller.user_id, Some(&note))?;
        status = next;
    }
    diesel::update(connections::table.find(id)).set(connections::challenge_id.eq(challenge.id)).execute(conn)?;
    Ok(id)
}

/// Awards the challenge to `winners` (see the module docs).
pub fn award(
    conn: &mut PgConnection,
    caller: &Principal,
    challenge_id: Uuid,
    winners: &[Uuid],
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Award, ApiError> {
    require_admin(caller)?;
    let mut f = crate::validation::Fields::new();
    if !(1..=10).contains(&winners.len()) {
        let n = winners.len();
        let code = if n == 0 { FieldCode::TooShort } else { FieldCode::TooMany };
        f.push(
            FieldError::new("winners", code)
                .with("min", 1)
                .with("max", 10)
                .with("actual", n)
                .says(format!("获奖者应为 1–10 个（实际 {n} 个）"), format!("1–10 winners (got {n})")),
        );
    }
    for (i, w) in winners.iter().enumerate() {
        if winners[..i].contains(w) {
            f.error(format!("winners.{i}"), FieldCode::InvalidValue, "重复指定", "named twice");
        }
    }
    f.finish()?;
    conn.transaction(|conn| {
        let before = repo::lock(conn, challenge_id)?;
        if before.status != ChallengeStatus::Evaluating {
            return Err(ApiError::illegal_transition(
                before.status,
                ChallengeStatus::Awarded,
                super::lifecycle::allowed_moves(before.status),
                format!("a challenge is awarded after evaluation; this one is `{}`", before.status),
            ));
        }
        let mut chosen = Vec::new();
        for (i, w) in winners.iter().enumerate() {
            let application = repo::lock_application(conn, challenge_id, *w).map_err(|_| {
                ApiError::invalid_field(
                    FieldError::new(format!("winners.{i}"), FieldCode::NotFound)
                        .says("该榜单没有此申请", "no such application of this challenge"),
                )
            })?;
            if application.status != ChallengeApplicationStatus::Submitted {
                return Err(ApiError::invalid_field(
                    FieldError::new(format!("winners.{i}"), FieldCode::NotAllowed).says(
                        format!("申请 {w} 的状态为 `{}`：只有已提交的申请可以获奖", application.status),
                        format!("application {w} is `{}`: only submitted applications win", application.status),
                    ),
                ));
            }
            chosen.push(application);
        }
        let mut opened = Vec::new();
        for application in &chosen {
            let connection = open_for_winner(conn, caller, &before, application)?;
            repo::set_application_status(
                conn,
                application.id,
                ChallengeApplicationStatus::Awarded,
                Some(connection),
                now,
            )?;
            opened.push((application.id, connection));
        }
        repo::settle(conn, challenge_id, winners, now)?;
        let after = repo::set_status(conn, &before, ChallengeStatus::Awarded, note, now)?;
        repo::set_result_note(conn, challenge_id, note)?;
        let entry = Entry::by(
            caller,
            AuditAction::ChallengeAwarded,
            AuditRecordType::Challenge,
            challenge_id,
            before.organization_id,
        )
        .with_changes(audit::changes(&before, &after))
        .with_detail(json!({
            "winners": opened.iter().map(|(a, c)| json!({"application_id": a, "connection_id": c})).collect::<Vec<_>>(),
        }));
        audit::record(conn, &entry)?;
        let after = repo::get(conn, challenge_id)?;
        let ranking = ranked(conn, &after)?;
        let winners = winner_rows(&ranking, &opened);
        Ok(Award { challenge: service::one_view(conn, Some(caller), after, Standing::Admin, now)?, winners })
    })
}

fn winner_rows(ranking: &[RankedApplication], opened: &[(Uuid, Uuid)]) -> Vec<Winner> {
    opened
        .iter()
        .filter_map(|(application, connection)| {
            let r = ranking.iter().find(|r| r.application_id == *application)?;
            Some(Winner {
                application_id: r.application_id,
                organization_id: r.organization_id,
                organization_name: r.organization_name.clone(),
                connection_id: Some(*connection),
                weighted_score: r.weighted_score,
                rank: r.rank,
            })
        })
        .collect()
}

/// The public result (公示) of an awarded challenge or one decided without award; 404 before.
pub fn result(conn: &mut PgConnection, challenge_id: Uuid) -> Result<PublicResult, ApiError> {
    let challenge = repo::get(conn, challenge_id)?;
    if !matches!(challenge.status, ChallengeStatus::Awarded | ChallengeStatus::NoAward) {
        return Err(ApiError::NotFound(format!("result of challenge {challenge_id} (published after the decision)")));
    }
    let ranking = ranked(conn, &challenge)?;
    let (rows, _) = repo::applications(conn, challenge_id, None, Some(ChallengeApplicationStatus::Awarded), None)?;
    let opened: Vec<(Uuid, Uuid)> = rows.iter().map(|a| (a.id, a.connection_id.unwrap_or_default())).collect();
    let scored: Vec<f64> = ranking.iter().filter_map(|r| r.weighted_score).collect();
    let organization_name = repo::organization_names(conn, &[challenge.organization_id])?
        .remove(&challenge.organization_id)
        .unwrap_or_default();
    Ok(PublicResult {
        challenge_id,
        title: challenge.title.clone(),
        organization_name,
        reward_fen: challenge.reward_fen,
        status: challenge.status,
        decided_at: challenge.decided_at,
        result_note: challenge.result_note.clone(),
        criteria: challenge.criteria(),
        // The public sees who won and how they scored, not the connection.
        winners: winner_rows(&ranking, &opened).into_iter().map(|w| Winner { connection_id: None, ..w }).collect(),
        scores: ScoreSummary {
            applications: ranking.len(),
            scored: scored.len(),
            reviewers: repo::reviewers(conn, challenge_id)?.len(),
            highest: scored.iter().copied().reduce(f64::max),
            lowest: scored.iter().copied().reduce(f64::min),
            mean: (!scored.is_empty()).then(|| scoring::round2(scored.iter().sum::<f64>() / scored.len() as f64)),
        },
    })
}

//! The demo challenge of `techmatch demo`: an open demand (the demo enterprise's when it has one)
//! whose best-matching supplies come from at least two other eligible organisations becomes an
//! awarded challenge: its window is over, each of those organisations applied with its best
//! supply, the demo admin and broker scored every application on four weighted criteria, and the
//! best was awarded (a connection opened and brought to `negotiating`, then signed with a demo
//! contract), so the README and the statistics show the whole funnel. Skipped when a challenge
//! exists.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use matching::{Filters, Side};
use uuid::Uuid;

use super::input::{NewApplication, NewChallenge, APPLICANT_KINDS};
use super::model::{Criterion, Milestone};
use super::{evaluation, repo};
use crate::accounts::{repo as account_repo, service as account_service};
use crate::db::schema::{challenge_reviewers, challenges, demands, organizations};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::listing::Listing;
use crate::matches::documents::{as_query, demand_document};
use crate::matches::service::MatchService;
use crate::vocab::{ChallengeStatus, ContractType, OrganizationKind};

/// The demo's reward: 50万元.
const DEMO_REWARD_FEN: i64 = 50_000_000;

/// The scores of the demo applications by the two reviewers, best first.
const SCORES: [[[i32; 4]; 2]; 3] =
    [[[92, 88, 85, 80], [88, 90, 82, 84]], [[80, 76, 78, 88], [78, 80, 74, 90]], [[70, 72, 66, 92], [74, 68, 70, 86]]];

/// Creates the demo challenge (see the module docs); returns how many challenges were created.
pub fn seed(conn: &mut PgConnection, matcher: &MatchService) -> Result<usize, ApiError> {
    let existing: i64 = challenges::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    let Some(admin) = account_repo::user_by_email(conn, "admin@demo.techmatch")? else { return Ok(0) };
    let admin = account_service::principal_of(conn, &admin)?;
    let Some(broker) = account_repo::user_by_email(conn, "broker@demo.techmatch")? else { return Ok(0) };
    let enterprise = account_repo::user_by_email(conn, "enterprise@demo.techmatch")?.map(|u| u.organization_id);
    let mut open: Vec<Demand> = demands::table
        .filter(demands::status.eq(Demand::KIND.candidate))
        .order(demands::title)
        .select(Demand::as_select())
        .load(conn)?;
    // The demo enterprise's demands first.
    open.sort_by_key(|d| Some(d.organization_id) != enterprise);
    let kinds: std::collections::HashMap<Uuid, OrganizationKind> =
        organizations::table.select((organizations::id, organizations::kind)).load(conn)?.into_iter().collect();
    let mut chosen = None;
    for demand in open.into_iter().take(300) {
        let query = as_query(demand_document(&demand), false);
        let found = matcher.search(&query, Side::Supply, &Filters::default(), 0, 20).items;
        let ids: Vec<Uuid> = found.iter().map(|m| m.id).collect();
        let refs = crate::supplies::repo::refs(conn, &ids)?;
        let mut picks: Vec<(Uuid, Uuid)> = Vec::new();
        for m in found.iter().filter(|m| m.score >= 0.3) {
            let Some(r) = refs.get(&m.id) else { continue };
            let eligible = kinds.get(&r.organization_id).is_some_and(|k| APPLICANT_KINDS.contains(k));
            if eligible
                && r.organization_id != demand.organization_id
                && !picks.iter().any(|p| p.1 == r.organization_id)
            {
                picks.push((m.id, r.organization_id));
            }
        }
        if picks.len() >= 2 {
            picks.truncate(3);
            chosen = Some((demand, picks));
            break;
        }
    }
    let Some((demand, picks)) = chosen else { return Ok(0) };
    let now = Utc::now();
    let new = NewChallenge {
        demand_id: demand.id,
        title: None,
        description: None,
        reward_fen: DEMO_REWARD_FEN,
        opens_at: now - Duration::days(40),
        closes_at: now - Duration::days(10),
        eligible_kinds: APPLICANT_KINDS.to_vec(),
        eligible_regions: Vec::new(),
        milestones: vec![
            Milestone { title: "方案论证与样机".into(), due_on: (now + Duration::days(90)).date_naive() },
            Milestone { title: "中试验证与验收".into(), due_on: (now + Duration::days(270)).date_naive() },
        ],
        criteria: vec![
            Criterion { name: "技术先进性".into(), weight: 40 },
            Criterion { name: "方案可行性".into(), weight: 30 },
            Criterion { name: "团队能力".into(), weight: 20 },
            Criterion { name: "报价合理性".into(), weight: 10 },
        ],
    };
    conn.transaction(|conn| {
        let challenge = repo::insert(
            conn,
            &new,
            demand.organization_id,
            admin.user_id,
            (&format!("揭榜挂帅：{}", demand.title), &demand.description),
            now - Duration::days(45),
        )?;
        diesel::update(challenges::table.find(challenge.id))
            .set((
                challenges::status.eq(ChallengeStatus::Evaluating),
                challenges::opened_at.eq(Some(now - Duration::days(40))),
                challenges::closed_at.eq(Some(now - Duration::days(10))),
                challenges::status_note.eq(Some("演示数据")),
            ))
            .execute(conn)?;
        let mut applications = Vec::new();
        for (i, (supply, org)) in picks.iter().enumerate() {
            let title =
                crate::supplies::repo::refs(conn, &[*supply])?.remove(supply).map(|r| r.title).unwrap_or_default();
            let application = NewApplication {
                proposal: format!("演示揭榜方案：以成果「{title}」为基础，分两期完成样机研制与中试验证。"),
                team_summary: "演示团队：项目负责人 1 名，研发骨干 4 名，中试工程师 2 名。".into(),
                price_fen: DEMO_REWARD_FEN - 5_000_000 * i as i64,
                duration_days: 270 + 30 * i as i32,
                supply_ids: vec![*supply],
            };
            let at = now - Duration::days(30 - 3 * i as i64);
            applications.push(repo::insert_application(conn, challenge.id, *org, None, &application, at)?);
        }
        for reviewer in [admin.user_id, broker.id] {
            diesel::insert_into(challenge_reviewers::table)
                .values((
                    challenge_reviewers::challenge_id.eq(challenge.id),
                    challenge_reviewers::user_id.eq(reviewer),
                    challenge_reviewers::appointed_by.eq(admin.user_id),
                ))
                .execute(conn)?;
        }
        for (a, sheets) in applications.iter().zip(SCORES) {
            for (reviewer, scores) in [admin.user_id, broker.id].into_iter().zip(sheets) {
                repo::upsert_scores(conn, a.id, reviewer, &scores, Some("演示评分"), now - Duration::days(5))?;
            }
        }
        let winner = applications[0].id;
        let award = evaluation::award(conn, &admin, challenge.id, &[winner], Some("演示数据：评审结果公示"), now)?;
        if let Some(connection) = award.winners.first().and_then(|w| w.connection_id) {
            crate::contracts::demo::sign(conn, &admin, connection, 45_000_000, ContractType::Development)?;
        }
        Ok(1)
    })
}

//! Demo connections for the run command: the imported demands whose best match scores highest
//! (at least [`DEMO_MIN_SCORE`]) are each connected to that match by the demo broker and moved to
//! a varied status, so the statistics endpoints show something on first start. The imported
//! parties have no users to accept for themselves, so the demo admin records the acceptance
//! (`contacted`; a broker cannot), and the signed ones get a contract as if both sides had
//! confirmed it ([`crate::contracts::demo`]). Skipped when connections already exist.

use diesel::prelude::*;
use matching::{Filters, Side};

use super::input::Move;
use super::service;
use crate::accounts::{repo as account_repo, service as account_service};
use crate::db::schema::{connections, demands};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::listing::Listing;
use crate::matches::documents::{as_query, demand_document};
use crate::matches::service::MatchService;
use crate::vocab::{ConnectionStatus, ContractType, FailureReason};

/// Only a demand whose best match scores at least this can get a demo connection, so that the
/// demo pairs listings a person would also pair.
const DEMO_MIN_SCORE: f32 = 0.5;

/// The moves that bring each demo connection to its final status.
fn script(i: usize) -> Vec<Move> {
    use ConnectionStatus::*;
    let step = |to| Move { from: None, to, note: None, failure_reason: None };
    let failed = |reason| Move { failure_reason: Some(reason), note: Some("演示数据".into()), ..step(Failed) };
    match i % 7 {
        0 => vec![],
        1 => vec![step(Contacted)],
        2..=4 => vec![step(Contacted), step(Negotiating)],
        5 => vec![step(Contacted), failed(FailureReason::PriceGap)],
        _ => vec![failed(FailureReason::NoResponse)],
    }
}

/// Creates up to `count` demo connections (see the module docs); returns how many.
pub fn seed(conn: &mut PgConnection, matcher: &MatchService, count: usize) -> Result<usize, ApiError> {
    let existing: i64 = connections::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    let Some(broker) = account_repo::user_by_email(conn, "broker@demo.techmatch")? else { return Ok(0) };
    let broker = account_service::principal_of(conn, &broker)?;
    let Some(admin) = account_repo::user_by_email(conn, "admin@demo.techmatch")? else { return Ok(0) };
    let admin = account_service::principal_of(conn, &admin)?;
    let open_demands: Vec<Demand> = demands::table
        .filter(demands::status.eq(Demand::KIND.candidate))
        .order(demands::title)
        .select(Demand::as_select())
        .load(conn)?;
    // Each open demand with its best match; the strongest pairs become the demo connections.
    let mut pairs: Vec<(Demand, matching::Match)> = open_demands
        .into_iter()
        .filter_map(|demand| {
            let query = as_query(demand_document(&demand), false);
            let best = matcher.search(&query, Side::Supply, &Filters::default(), 0, 1).items.into_iter().next()?;
            (best.score >= DEMO_MIN_SCORE).then_some((demand, best))
        })
        .collect();
    pairs.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    let mut created = 0;
    for (demand, best) in pairs.into_iter().take(count) {
        let explanation = serde_json::to_value(&best.explanation).unwrap_or_default();
        let connection =
            service::insert_open(conn, &broker, demand.id, best.id, Some("演示对接"), Some((best.score, explanation)))?;
        for step in script(created) {
            let actor = if step.to == crate::vocab::ConnectionStatus::Contacted { &admin } else { &broker };
            service::move_to(conn, actor, connection.id, &step)?;
        }
        if matches!(created % 7, 3 | 4) {
            // 30万 yuan and up (invented demo figures); the imported parties have no users, so
            // the demo writes the contract as both sides would have confirmed it.
            let kind = if created % 2 == 0 { ContractType::Transfer } else { ContractType::Development };
            crate::contracts::demo::sign(conn, &broker, connection.id, 30_000_000 + 5_000_000 * created as i64, kind)?;
        }
        created += 1;
    }
    Ok(created)
}

//! The matching index of this instance, kept in step with PostgreSQL.
//!
//! PostgreSQL is the source of truth. At start-up every published supply and open demand is
//! loaded; each write through this instance updates the index at once; and a background task
//! polls for rows changed by other instances every `TECHMATCH_INDEX_REFRESH_MS` (1 s by default),
//! so a change made elsewhere shows here within about that interval.
//!
//! The poll re-reads rows whose `updated_at` is later than the previous poll's start minus
//! [`REFRESH_OVERLAP_SECS`]: `updated_at` is the writing transaction's start time, so a
//! transaction that commits up to that long after it began is still seen. Re-applying a row is
//! harmless (an upsert or a removal by id).

use std::sync::{Mutex, RwLock};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::documents::{demand_document, demand_is_candidate, supply_document, supply_is_candidate};
use crate::db::schema::{demands, supplies};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::matching::{Filters, IndustryDef, MatchEngine, MatchPage, MatchingConfig, Query, Side};
use crate::supplies::model::Supply;

/// Seconds of overlap between successive polls (see the module docs).
pub const REFRESH_OVERLAP_SECS: i64 = 30;

/// How deep [`MatchService::pair`] looks for a listing among the ranked candidates.
pub const PAIR_DEPTH: usize = 1000;

/// The index and the time of the last poll.
pub struct MatchService {
    engine: RwLock<MatchEngine>,
    synced_at: Mutex<Option<DateTime<Utc>>>,
}

/// The engine's view of the taxonomy: each industry with its names and aliases.
pub fn industry_defs(taxonomy: &Taxonomy) -> Vec<IndustryDef> {
    taxonomy
        .industries
        .iter()
        .map(|i| IndustryDef {
            code: i.code.clone(),
            group: i.group.clone(),
            names: std::iter::once(i.name_zh.clone())
                .chain(std::iter::once(i.name_en.clone()))
                .chain(i.aliases.iter().cloned())
                .collect(),
        })
        .collect()
}

impl MatchService {
    /// An empty index over the taxonomy; call [`MatchService::refresh`] to load it.
    pub fn new(taxonomy: &Taxonomy, config: MatchingConfig) -> Self {
        Self { engine: RwLock::new(MatchEngine::new(industry_defs(taxonomy), config)), synced_at: Mutex::new(None) }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, MatchEngine> {
        self.engine.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, MatchEngine> {
        self.engine.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Puts a supply in the index if it is a candidate, takes it out otherwise.
    pub fn index_supply(&self, supply: &Supply) {
        let mut engine = self.write();
        if supply_is_candidate(supply) {
            engine.upsert(supply_document(supply));
        } else {
            engine.remove(supply.id);
        }
    }

    /// Puts a demand in the index if it is a candidate, takes it out otherwise.
    pub fn index_demand(&self, demand: &Demand) {
        let mut engine = self.write();
        if demand_is_candidate(demand) {
            engine.upsert(demand_document(demand));
        } else {
            engine.remove(demand.id);
        }
    }

    /// Loads every listing changed since the last poll (all of them on the first call) and
    /// applies it. Returns how many rows were applied.
    pub fn refresh(&self, conn: &mut PgConnection) -> Result<usize, ApiError> {
        let since = *self.synced_at.lock().unwrap_or_else(|p| p.into_inner());
        let started: DateTime<Utc> =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Timestamptz>("now()")).get_result(conn)?;
        let (changed_supplies, changed_demands) = match since {
            None => (
                supplies::table.filter(supplies::status.eq("published")).select(Supply::as_select()).load(conn)?,
                demands::table.filter(demands::status.eq("open")).select(Demand::as_select()).load(conn)?,
            ),
            Some(since) => {
                let from = since - Duration::seconds(REFRESH_OVERLAP_SECS);
                (
                    supplies::table.filter(supplies::updated_at.ge(from)).select(Supply::as_select()).load(conn)?,
                    demands::table.filter(demands::updated_at.ge(from)).select(Demand::as_select()).load(conn)?,
                )
            }
        };
        let applied = changed_supplies.len() + changed_demands.len();
        {
            let mut engine = self.write();
            let mut batch = Vec::new();
            for s in &changed_supplies {
                if supply_is_candidate(s) {
                    batch.push(supply_document(s))
                } else {
                    engine.remove(s.id);
                }
            }
            for d in &changed_demands {
                if demand_is_candidate(d) {
                    batch.push(demand_document(d))
                } else {
                    engine.remove(d.id);
                }
            }
            engine.upsert_many(batch);
        }
        *self.synced_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(started);
        Ok(applied)
    }

    /// Ranks listings of side `target` for `query`.
    pub fn search(&self, query: &Query, target: Side, filters: &Filters, offset: usize, limit: usize) -> MatchPage {
        self.read().search(query, target, filters, offset, limit)
    }

    /// The match of one listing `id` of side `target` for `query`, if it is among the best
    /// [`PAIR_DEPTH`] candidates (used to record the score when a connection is opened).
    pub fn pair(&self, query: &Query, target: Side, id: uuid::Uuid) -> Option<crate::matching::Match> {
        self.read().search(query, target, &Filters::default(), 0, PAIR_DEPTH).items.into_iter().find(|m| m.id == id)
    }

    /// Number of indexed candidates of one side.
    pub fn len(&self, side: Side) -> usize {
        self.read().len(side)
    }

    /// True when neither side has a candidate.
    pub fn is_empty(&self) -> bool {
        self.len(Side::Supply) == 0 && self.len(Side::Demand) == 0
    }
}

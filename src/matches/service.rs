//! The matching index of this instance, kept in step with PostgreSQL.
//!
//! PostgreSQL is the source of truth. At start-up every published supply and open demand is
//! loaded; each write through this instance updates the index at once; and a background task
//! polls for rows changed by other instances every `TECHMATCH_INDEX_REFRESH_MS` (1 s by default),
//! so a change made elsewhere shows here within about that interval.
//!
//! Every listing row carries `changed_xid`, the id of the transaction that last wrote it (a
//! trigger stamps it, migration 000007). Each poll first takes the oldest transaction id still
//! running, `pg_snapshot_xmin(pg_current_snapshot())`, then reads the rows whose `changed_xid`
//! is at least the value the *previous* poll took. A transaction that had not committed when a
//! poll read its rows was still running when that poll took its horizon, so its id is at or
//! above the horizon and the next poll reads its rows; each change is read about once (more
//! only while some transaction stays open). Re-applying a row is harmless: versions decide.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use matching::{
    Document, Filters, IndustryDef, MatchEngine, MatchPage, MatchingConfig, Query, Side, Suggestion, TextHit, TextQuery,
};
use uuid::Uuid;

use crate::db::schema::{demands, supplies};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::Listing;
use crate::supplies::model::Supply;

/// How deep [`MatchService::pair`] looks for a listing among the ranked candidates.
pub const PAIR_DEPTH: usize = 1000;

/// The index and the transaction horizon of the last poll.
pub struct MatchService {
    index: RwLock<Indexed>,
    /// `pg_snapshot_xmin` taken at the start of the last successful poll (`None` before the
    /// first): the next poll reads the rows written by transactions from this id on.
    horizon: Mutex<Option<i64>>,
    /// Polls completed so far (see [`MatchService::refreshes`]).
    refreshes: AtomicU64,
}

/// The engine and the version of every listing applied to it, so that a poll never puts back an
/// older version than a write already applied, and unchanged rows are not re-indexed.
struct Indexed {
    engine: MatchEngine,
    versions: HashMap<Uuid, i32>,
}

impl Indexed {
    /// Applies one listing version unless a newer or equal one was applied already.
    fn apply(&mut self, id: Uuid, version: i32, document: Option<Document>) -> bool {
        if self.versions.get(&id).is_some_and(|&v| v >= version) {
            return false;
        }
        self.versions.insert(id, version);
        match document {
            Some(doc) => self.engine.upsert(doc),
            None => {
                self.engine.remove(id);
            }
        }
        true
    }
}

/// What the index holds for a listing version: its document when it is a candidate, `None` when
/// it must be taken out.
fn entry<L: Listing>(listing: &L) -> (Uuid, i32, Option<Document>) {
    (listing.id(), listing.version(), listing.is_candidate().then(|| listing.document()))
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
        let index = Indexed { engine: MatchEngine::new(industry_defs(taxonomy), config), versions: HashMap::new() };
        Self { index: RwLock::new(index), horizon: Mutex::new(None), refreshes: AtomicU64::new(0) }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Indexed> {
        self.index.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Indexed> {
        self.index.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Puts a listing in the index if it is a candidate, takes it out otherwise.
    pub fn index<L: Listing>(&self, listing: &L) {
        let (id, version, doc) = entry(listing);
        self.write().apply(id, version, doc);
    }

    /// Loads every listing changed since the last poll (all candidates on the first call) and
    /// applies those newer than what the index holds. Returns how many were applied.
    pub fn refresh(&self, conn: &mut PgConnection) -> Result<usize, ApiError> {
        let since = *self.horizon.lock().unwrap_or_else(|p| p.into_inner());
        // Taken before the rows are read (see the module docs); xid8 fits i64 for the next
        // few billion years of transactions.
        let horizon: i64 =
            diesel::select(sql::<BigInt>("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")).get_result(conn)?;
        let (changed_supplies, changed_demands) = match since {
            None => (
                supplies::table
                    .filter(supplies::status.eq(Supply::KIND.candidate))
                    .select(Supply::as_select())
                    .load(conn)?,
                demands::table
                    .filter(demands::status.eq(Demand::KIND.candidate))
                    .select(Demand::as_select())
                    .load(conn)?,
            ),
            Some(since) => (
                supplies::table
                    .filter(sql::<Bool>("supplies.changed_xid >= ").bind::<BigInt, _>(since).sql("::text::xid8"))
                    .select(Supply::as_select())
                    .load(conn)?,
                demands::table
                    .filter(sql::<Bool>("demands.changed_xid >= ").bind::<BigInt, _>(since).sql("::text::xid8"))
                    .select(Demand::as_select())
                    .load(conn)?,
            ),
        };
        let mut applied = 0;
        {
            let mut index = self.write();
            let mut batch = Vec::new();
            let rows = changed_supplies.iter().map(entry).chain(changed_demands.iter().map(entry));
            for (id, version, doc) in rows {
                if index.versions.get(&id).is_some_and(|&v| v >= version) {
                    continue;
                }
                applied += 1;
                match doc {
                    // New candidates are analysed together (in parallel) below.
                    Some(doc) => {
                        index.versions.insert(id, version);
                        batch.push(doc);
                    }
                    None => {
                        index.apply(id, version, None);
                    }
                }
            }
            index.engine.upsert_many(batch);
        }
        *self.horizon.lock().unwrap_or_else(|p| p.into_inner()) = Some(horizon);
        self.refreshes.fetch_add(1, Ordering::Release);
        Ok(applied)
    }

    /// How many calls of [`MatchService::refresh`] have succeeded. Once it has grown by two
    /// since some moment, a poll that began after that moment has been applied: tests wait on
    /// it instead of sleeping through poll intervals.
    pub fn refreshes(&self) -> u64 {
        self.refreshes.load(Ordering::Acquire)
    }

    /// Ranks listings of side `target` for `query`.
    pub fn search(&self, query: &Query, target: Side, filters: &Filters, offset: usize, limit: usize) -> MatchPage {
        self.read().engine.search(query, target, filters, offset, limit)
    }

    /// The match of one listing `id` of side `target` for `query`, if it is among the best
    /// [`PAIR_DEPTH`] candidates (used to record the score when a connection is opened).
    pub fn pair(&self, query: &Query, target: Side, id: uuid::Uuid) -> Option<matching::Match> {
        self.read()
            .engine
            .search(query, target, &Filters::default(), 0, PAIR_DEPTH)
            .items
            .into_iter()
            .find(|m| m.id == id)
    }

    /// Runs `f` with the engine under the read lock (the standing index of subscriptions analyses
    /// with the engine's dictionary: `matching::standing`).
    pub fn with_engine<T>(&self, f: impl FnOnce(&MatchEngine) -> T) -> T {
        f(&self.read().engine)
    }

    /// A free text analysed for [`MatchService::find`] (the `q` of the lists).
    pub fn text_query(&self, text: &str) -> TextQuery {
        self.read().engine.text_query(text)
    }

    /// How alike two titles are, in `0..=1` (the engine's analysis; near-duplicates of imports).
    pub fn similarity(&self, a: &str, b: &str) -> f32 {
        self.read().engine.similarity(a, b)
    }

    /// The indexed candidates of `side` carrying a term of `q`, best first, at most `limit`.
    pub fn find(&self, q: &TextQuery, side: Side, limit: usize) -> Vec<TextHit> {
        self.read().engine.find(q, side, limit)
    }

    /// The terms of `q` found in each of `texts` (same order), for texts the index does not
    /// hold (organisation names, listings off the market).
    pub fn text_hits<'a>(&self, q: &TextQuery, texts: impl Iterator<Item = &'a str>) -> Vec<Vec<String>> {
        let guard = self.read();
        texts.map(|t| guard.engine.text_hits(q, t)).collect()
    }

    /// Search-box completions of `prefix`: industry names and aliases, then listing keywords.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        self.read().engine.suggest(prefix, limit)
    }

    /// Number of indexed candidates of one side.
    pub fn len(&self, side: Side) -> usize {
        self.read().engine.len(side)
    }

    /// True when neither side has a candidate.
    pub fn is_empty(&self) -> bool {
        self.len(Side::Supply) == 0 && self.len(Side::Demand) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: Uuid, title: &str) -> Document {
        Document { id, side: Side::Supply, title: title.into(), body: title.into(), ..Document::default() }
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let taxonomy = Taxonomy::embedded();
        let mut index = Indexed {
            engine: MatchEngine::new(industry_defs(taxonomy), MatchingConfig::default()),
            versions: HashMap::new(),
        };
        let id = Uuid::new_v4();
        assert!(index.apply(id, 2, Some(doc(id, "滩羊肉检测"))));
        assert!(!index.apply(id, 1, None), "a stale poll of version 1 must not remove version 2");
        assert!(!index.apply(id, 2, Some(doc(id, "滩羊肉检测"))), "the same version is not re-indexed");
        assert_eq!(index.engine.len(Side::Supply), 1);
        assert!(index.apply(id, 3, None));
        assert_eq!(index.engine.len(Side::Supply), 0);
    }
}

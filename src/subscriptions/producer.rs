//! The `new_matches` job's work: new listings matched against subscriptions and against the
//! other side's open listings, one `new_match` notification queued per subscription (or watching
//! listing) and new listing.
//!
//! **What comes on the market.** A trigger on `supplies` and `demands` (migration 000035) queues a
//! `listing_market_entries` row whenever a listing enters the candidate status (`published`,
//! `open`) — created so, approved by review, renewed, reopened — in the same transaction as the
//! change, so an entry exists if and only if the change committed.
//!
//! **Once across replicas.** The job runs under its advisory lock ([`crate::jobs::run_once`]);
//! it takes at most [`BATCH`] unmatched entries (`FOR UPDATE SKIP LOCKED`, oldest first), queues
//! the notifications with `ON CONFLICT (dedupe_key) DO NOTHING` and sets the entries'
//! `matched_at`, all in the job's transaction: a crash leaves the entries unmatched and nothing
//! queued, and a retry queues nothing twice. Dedupe keys: `new_match:subscription:<sub>:<listing>`
//! and `new_match:listing:<watching listing>:<listing>` — a subscriber hears of a listing once,
//! however often it is renewed or re-approved.
//!
//! **Bounded work.** Each new listing is (1) probed against the standing index of this instance
//! (`matching::standing`: subscriptions inverted by analysed term, keyword and industry), and
//! only the subscriptions sharing a key and passing their hard filters are scored, each by one
//! engine search of its query (the listing must rank among its [`SUBSCRIPTION_DEPTH`] best
//! matches at `min_score` or more, as `POST /matches` would show it); and (2) ranked as a query
//! against the other side's open listings once, the best [`IMPLICIT_LIMIT`] strong or possible
//! matches notified to their organisations. The standing index is brought up to date from
//! `subscriptions` (id and version of every row; changed rows reloaded) before each batch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamptz};
use matching::standing::{Probe, StandingIndex, StandingQuery};
use matching::{Confidence, Filters, Match, Query, Side};
use serde_json::json;
use uuid::Uuid;

use super::model::Subscription;
use super::repo;
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::{Listing, ListingStore};
use crate::matches::documents::as_query;
use crate::matches::reading;
use crate::matches::service::MatchService;
use crate::notifications::outbox::{self, NewNotification};
use crate::supplies::model::Supply;
use crate::vocab::{ListingKind, NotificationKind};

/// Entries matched per run of the job.
pub const BATCH: i64 = 100;
/// How deep a subscription's ranking is searched for the new listing.
pub const SUBSCRIPTION_DEPTH: usize = 100;
/// Listings of the other side told of one new listing at most (its best matches).
pub const IMPLICIT_LIMIT: usize = 20;

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Produced {
    /// Entries (listings that came on the market) matched.
    pub listings: usize,
    /// Subscriptions scored by the engine (the standing index's candidates).
    pub scored: usize,
    /// Notifications queued.
    pub queued: usize,
}

/// The subscriptions as this instance's standing index holds them.
#[derive(Default)]
struct Standing {
    index: StandingIndex,
    subscriptions: HashMap<Uuid, Subscription>,
}

/// The producer of `new_match` notifications of one instance.
pub struct Producer {
    matcher: Arc<MatchService>,
    taxonomy: &'static Taxonomy,
    standing: Mutex<Standing>,
}

#[derive(QueryableByName)]
struct EntryRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    listing_kind: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    listing_id: Uuid,
}

/// Industry codes and group codes of a subscription's `industries`.
fn split_codes(taxonomy: &Taxonomy, codes: &[String]) -> (Vec<String>, Vec<String>) {
    codes.iter().cloned().partition(|c| taxonomy.contains(c))
}

/// The engine query of a subscription: its text as the title (the industries' Chinese names when
/// it has neither text nor keywords), its keywords and industries.
pub fn subscription_query(taxonomy: &Taxonomy, s: &Subscription) -> Query {
    let (industries, groups) = split_codes(taxonomy, &s.industries);
    let mut title = s.query_text.clone().unwrap_or_default();
    if title.is_empty() && s.keywords.is_empty() {
        let names: Vec<&str> = s
            .industries
            .iter()
            .filter_map(|c| {
                taxonomy
                    .get(c)
                    .map(|i| i.name_zh.as_str())
                    .or_else(|| taxonomy.groups.iter().find(|g| &g.code == c).map(|g| g.name_zh.as_str()))
            })
            .collect();
        title = names.join(" ");
    }
    Query { title, keywords: s.keywords.clone(), industries, groups, ..Query::default() }
}

/// The engine filters of a subscription.
pub fn subscription_filters(s: &Subscription) -> Filters {
    Filters {
        industries: s.industries.clone(),
        trl_min: s.trl_min.and_then(|t| u8::try_from(t).ok()),
        trl_max: s.trl_max.and_then(|t| u8::try_from(t).ok()),
        region: s.region.clone(),
        modes: s.modes.iter().map(|m| m.as_str().to_string()).collect(),
        min_score: Some(s.min_score),
        confidence: vec![Confidence::Strong, Confidence::Possible],
        exclude: Vec::new(),
    }
}

/// The standing query of a subscription (its keys and hard filters).
fn standing_query(taxonomy: &Taxonomy, s: &Subscription) -> StandingQuery {
    let query = subscription_query(taxonomy, s);
    let filters = subscription_filters(s);
    StandingQuery {
        id: s.id,
        target: Some(match s.target {
            ListingKind::Supply => Side::Supply,
            ListingKind::Demand => Side::Demand,
        }),
        text: query.title,
        keywords: query.keywords,
        industries: s.industries.clone(),
        trl_min: filters.trl_min,
        trl_max: filters.trl_max,
        modes: filters.modes,
        region: filters.region,
    }
}

/// What a `new_match` payload says of the match itself.
fn match_fields(m: &Match, taxonomy: &Taxonomy) -> serde_json::Value {
    let e = &m.explanation;
    json!({
        "score": (m.score * 1000.0).round() / 1000.0,
        "confidence": m.confidence,
        "summary_zh": reading::sentence(e, taxonomy),
        "evidence": e.evidence,
        "matched_keywords": e.matched_keywords,
        "matched_terms": e.matched_terms.iter().map(|t| t.term.clone()).collect::<Vec<_>>(),
        "matched_industries": e.matched_industries,
    })
}

fn merge(mut base: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

/// The listing as a payload names it.
fn listing_fields<L: Listing>(listing: &L) -> serde_json::Value {
    json!({
        "listing_kind": L::KIND.kind,
        "listing_id": listing.id(),
        "title": listing.title(),
        "path": format!("{}/{}", L::KIND.path, listing.id()),
    })
}

impl Producer {
    /// A producer over this instance's matching index.
    pub fn new(matcher: Arc<MatchService>, taxonomy: &'static Taxonomy) -> Self {
        Self { matcher, taxonomy, standing: Mutex::new(Standing::default()) }
    }

    fn standing(&self) -> std::sync::MutexGuard<'_, Standing> {
        self.standing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Number of subscriptions in this instance's standing index.
    pub fn standing_len(&self) -> usize {
        self.standing().index.len()
    }

    /// Brings the standing index up to date with `subscriptions`.
    pub fn sync(&self, conn: &mut PgConnection) -> Result<(), ApiError> {
        let stored: HashMap<Uuid, i32> = repo::versions(conn)?.into_iter().collect();
        let mut standing = self.standing();
        let gone: Vec<Uuid> = standing.subscriptions.keys().filter(|id| !stored.contains_key(id)).copied().collect();
        for id in gone {
            standing.index.remove(id);
            standing.subscriptions.remove(&id);
        }
        let changed: Vec<Uuid> = stored
            .iter()
            .filter(|(id, v)| standing.subscriptions.get(id).map(|s| s.version) != Some(**v))
            .map(|(id, _)| *id)
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        let rows = repo::by_ids(conn, &changed)?;
        let queries: Vec<StandingQuery> = rows.iter().map(|s| standing_query(self.taxonomy, s)).collect();
        let standing = &mut *standing;
        self.matcher.with_engine(|engine| {
            for q in &queries {
                standing.index.upsert(engine, q);
            }
        });
        for s in rows {
            standing.subscriptions.insert(s.id, s);
        }
        Ok(())
    }

    /// One run: matches up to [`BATCH`] listings that came on the market and queues their
    /// notifications, at `now`, in the caller's transaction (the job's).
    pub fn run(&self, conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Produced, ApiError> {
        let entries: Vec<EntryRow> = diesel::sql_query(
            "SELECT id, listing_kind, listing_id FROM listing_market_entries WHERE matched_at IS NULL \
             ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind::<BigInt, _>(BATCH)
        .load(conn)?;
        let mut produced = Produced::default();
        if entries.is_empty() {
            return Ok(produced);
        }
        self.sync(conn)?;
        for entry in entries {
            let (scored, queued) = match entry.listing_kind.as_str() {
                "supply" => self.produce::<Supply, Demand>(conn, entry.listing_id, now)?,
                _ => self.produce::<Demand, Supply>(conn, entry.listing_id, now)?,
            };
            diesel::sql_query(
                "UPDATE listing_market_entries SET matched_at = $2, scored = $3, queued = $4 WHERE id = $1",
            )
            .bind::<BigInt, _>(entry.id)
            .bind::<Timestamptz, _>(now)
            .bind::<Integer, _>(i32::try_from(scored).unwrap_or(i32::MAX))
            .bind::<Integer, _>(i32::try_from(queued).unwrap_or(i32::MAX))
            .execute(conn)?;
            produced.listings += 1;
            produced.scored += scored;
            produced.queued += queued;
        }
        Ok(produced)
    }

    /// Matches the listing `id` of kind `L` (if still on the market) against the subscriptions
    /// watching its side and against the open listings of kind `T`; returns the subscriptions
    /// scored and the notifications queued.
    fn produce<L: ListingStore, T: ListingStore>(
        &self,
        conn: &mut PgConnection,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(usize, usize), ApiError> {
        let Some(listing) = L::candidates(conn, vec![id], now)?.pop() else { return Ok((0, 0)) };
        // this instance's index may trail the write that put it on the market by a poll
        self.matcher.index(&listing);
        let doc = listing.document();
        let groups: Vec<String> =
            doc.industries.iter().filter_map(|c| self.taxonomy.get(c).map(|i| i.group.clone())).collect();
        let side = L::KIND.side;
        let base = listing_fields(&listing);
        let mut queued = 0;

        // (1) explicit subscriptions sharing a key with the listing
        let candidates: Vec<Subscription> = {
            let standing = self.standing();
            let probe = self.matcher.with_engine(|engine| Probe::of(engine, &doc, &groups));
            standing
                .index
                .candidates(&probe)
                .into_iter()
                .filter_map(|sid| standing.subscriptions.get(&sid).cloned())
                .collect()
        };
        let scored = candidates.len();
        for s in candidates.iter().filter(|s| s.organization_id != listing.organization_id()) {
            let query = subscription_query(self.taxonomy, s);
            let page = self.matcher.search(&query, side, &subscription_filters(s), 0, SUBSCRIPTION_DEPTH);
            let Some(m) = page.items.into_iter().find(|m| m.id == id) else { continue };
            let payload = merge(
                merge(base.clone(), match_fields(&m, self.taxonomy)),
                json!({
                    "via": "subscription",
                    "subscription_id": s.id,
                    "subscription_name": s.name,
                    "frequency": s.frequency,
                }),
            );
            let notification = NewNotification {
                kind: NotificationKind::NewMatch,
                recipient_organization_id: None,
                recipient_user_id: Some(s.user_id),
                subject_kind: L::KIND.kind.as_str().into(),
                subject_id: id,
                payload,
                dedupe_key: format!("new_match:subscription:{}:{id}", s.id),
                created_at: now,
            };
            queued += usize::from(outbox::queue(conn, &notification)?);
        }

        // (2) the other side's open listings act as their organisations' subscriptions
        let query = as_query(doc, false);
        let filters = Filters { confidence: vec![Confidence::Strong, Confidence::Possible], ..Filters::default() };
        let page = self.matcher.search(&query, side.opposite(), &filters, 0, IMPLICIT_LIMIT);
        let ids: Vec<Uuid> = page.items.iter().map(|m| m.id).collect();
        if !ids.is_empty() {
            let opted_out = repo::opted_out(conn, &ids)?;
            let watching: HashMap<Uuid, T> = T::candidates(conn, ids, now)?.into_iter().map(|t| (t.id(), t)).collect();
            for m in page.items {
                let Some(w) = watching.get(&m.id) else { continue };
                if w.organization_id() == listing.organization_id() || opted_out.contains(&m.id) {
                    continue;
                }
                let payload = merge(
                    merge(base.clone(), match_fields(&m, self.taxonomy)),
                    json!({ "via": "listing", "watching": listing_fields(w) }),
                );
                let notification = NewNotification {
                    kind: NotificationKind::NewMatch,
                    recipient_organization_id: Some(w.organization_id()),
                    recipient_user_id: None,
                    subject_kind: L::KIND.kind.as_str().into(),
                    subject_id: id,
                    payload,
                    dedupe_key: format!("new_match:listing:{}:{id}", w.id()),
                    created_at: now,
                };
                queued += usize::from(outbox::queue(conn, &notification)?);
            }
        }
        Ok((scored, queued))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{SubscriptionFrequency, TransferMode};

    fn subscription(text: Option<&str>, industries: &[&str]) -> Subscription {
        Subscription {
            id: Uuid::nil(),
            user_id: Uuid::nil(),
            organization_id: Uuid::nil(),
            name: "n".into(),
            target: ListingKind::Supply,
            query_text: text.map(str::to_string),
            keywords: Vec::new(),
            industries: industries.iter().map(|s| s.to_string()).collect(),
            region: None,
            trl_min: Some(4),
            trl_max: None,
            modes: vec![TransferMode::License],
            min_score: 0.4,
            frequency: SubscriptionFrequency::Daily,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn industries_alone_search_for_their_names() {
        let taxonomy = Taxonomy::embedded();
        let q = subscription_query(taxonomy, &subscription(None, &["goji", "six_special"]));
        assert!(q.title.contains("枸杞"), "{q:?}");
        assert_eq!(q.industries, vec!["goji".to_string()]);
        assert_eq!(q.groups, vec!["six_special".to_string()]);
        let with_text = subscription_query(taxonomy, &subscription(Some("烘干"), &["goji"]));
        assert_eq!(with_text.title, "烘干");
    }

    #[test]
    fn filters_carry_the_subscription_limits() {
        let f = subscription_filters(&subscription(Some("烘干"), &["goji"]));
        assert_eq!((f.trl_min, f.min_score), (Some(4), Some(0.4)));
        assert_eq!(f.modes, vec!["license".to_string()]);
        assert_eq!(f.industries, vec!["goji".to_string()]);
    }
}

//! The list endpoints of both kinds of listing: filters only in SQL; with `q`, the text through
//! the matching engine (no `ILIKE`).
//!
//! With `q`, the candidates are the indexed listings the engine finds for the text (at most
//! [`MAX_TEXT_HITS`]; for the candidate status, `published` or `open`) or, for the other
//! statuses (a caller's own drafts, closed or archived listings, which the index does not hold),
//! at most [`MAX_TEXT_HITS`] of the filtered rows analysed in place; listings of organisations
//! whose name carries a term join them. The SQL filters then apply, and the rows are ordered by
//! relevance (or `sort`) and cut to the page here; the page's organisation summaries come last,
//! in one query.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use super::filter::ListFilter;
use super::kind::Listing;
use super::shown::{with_organizations, Shown};
use super::sort::{Sort, SortKey};
use crate::db;
use crate::error::ApiError;
use crate::found::{Found, FoundPage};
use crate::organizations::repo as organizations;
use crate::pagination::PageRequest;
use crate::state::AppState;

/// Most listings a `q` search considers.
pub const MAX_TEXT_HITS: usize = 1000;
/// Relevance of a listing found only through its organisation's name, per share of terms.
const ORGANIZATION_WEIGHT: f32 = 0.5;

/// A kind of listing as its list endpoint sees it (implemented in each kind's `repo.rs`).
pub trait Searchable: Listing {
    /// The kind's checked list filters.
    type Filter: Send + Sync + Clone + 'static;
    /// The shared part of the filters.
    fn common(filter: &Self::Filter) -> &ListFilter<Self::Status>;
    /// One page of the filtered listings in the filter's order (SQL only), and the total.
    fn page(conn: &mut PgConnection, filter: &Self::Filter, page: PageRequest) -> Result<(Vec<Self>, i64), ApiError>;
    /// At most `cap` filtered listings, restricted to `ids` or to listings of `owners` when
    /// `among` is given.
    fn rows(
        conn: &mut PgConnection,
        filter: &Self::Filter,
        among: Option<(&[Uuid], &[Uuid])>,
        cap: i64,
    ) -> Result<Vec<Self>, ApiError>;
    /// When the listing was created and last changed.
    fn stamps(&self) -> (DateTime<Utc>, DateTime<Utc>);
    /// The value `sort=deadline` orders by (days since the epoch), if the kind has one.
    fn deadline_days(&self) -> Option<i64>;
}

/// The page of listings of kind `L` that `filter` selects, each with its organisation's summary
/// (the page's summaries in one query).
pub async fn list<L: Searchable>(
    state: &AppState,
    filter: L::Filter,
    page: PageRequest,
) -> Result<FoundPage<Shown<L>>, ApiError> {
    let found = find::<L>(state, filter, page).await?;
    let FoundPage { items, page, per_page, total, query_terms, empty_reason } = found;
    let (listings, what): (Vec<L>, Vec<_>) =
        items.into_iter().map(|f| (f.item, (f.relevance, f.matched_terms))).unzip();
    let shown = db::run(&state.pool, move |conn| with_organizations(conn, listings)).await?;
    let items = shown
        .into_iter()
        .zip(what)
        .map(|(item, (relevance, matched_terms))| Found { item, relevance, matched_terms })
        .collect();
    Ok(FoundPage { items, page, per_page, total, query_terms, empty_reason })
}

/// The page of listings of kind `L` that `filter` selects.
async fn find<L: Searchable>(state: &AppState, filter: L::Filter, page: PageRequest) -> Result<FoundPage<L>, ApiError> {
    let common = L::common(&filter);
    let Some(q) = common.q.clone() else {
        let (items, total) = db::run(&state.pool, move |conn| L::page(conn, &filter, page)).await?;
        return Ok(FoundPage::new(items.into_iter().map(Found::plain).collect(), page, total));
    };
    let tq = state.matcher.text_query(&q);
    if let Some(why) = tq.empty() {
        return Ok(FoundPage::nothing_to_search(page, why));
    }
    let query_terms: Vec<String> = tq.terms().into_iter().map(str::to_string).collect();
    let n_terms = query_terms.len().max(1) as f32;
    let sort = common.sort;
    let indexed = common.status == L::KIND.candidate;
    let mut hits: HashMap<Uuid, (f32, Vec<String>)> = HashMap::new();
    if indexed {
        for h in state.matcher.find(&tq, L::KIND.side, MAX_TEXT_HITS) {
            hits.insert(h.id, (h.relevance, h.terms));
        }
    }
    let names = db::run(&state.pool, organizations::names).await?;
    let name_hits = state.matcher.text_hits(&tq, names.iter().map(|(_, name)| name.as_str()));
    let owners: HashMap<Uuid, Vec<String>> =
        names.iter().zip(name_hits).filter(|(_, t)| !t.is_empty()).map(|((id, _), t)| (*id, t)).collect();
    let ids: Vec<Uuid> = hits.keys().copied().collect();
    let owner_ids: Vec<Uuid> = owners.keys().copied().collect();
    let rows = db::run(&state.pool, move |conn| {
        let among = indexed.then_some((ids.as_slice(), owner_ids.as_slice()));
        L::rows(conn, &filter, among, MAX_TEXT_HITS as i64)
    })
    .await?;
    let in_place = if indexed {
        Vec::new()
    } else {
        let texts: Vec<String> = rows.iter().map(searchable_text).collect();
        state.matcher.text_hits(&tq, texts.iter().map(String::as_str))
    };
    let mut found: Vec<Found<L>> = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let (mut relevance, mut terms) = match hits.remove(&row.id()) {
            Some(hit) => hit,
            None => {
                let t = in_place.get(i).cloned().unwrap_or_default();
                (0.8 * t.len() as f32 / n_terms, t)
            }
        };
        if let Some(by_name) = owners.get(&row.organization_id()) {
            relevance = relevance.max(ORGANIZATION_WEIGHT * by_name.len() as f32 / n_terms);
            for t in by_name {
                if !terms.contains(t) {
                    terms.push(t.clone());
                }
            }
        }
        if terms.is_empty() {
            continue;
        }
        found.push(Found { item: row, relevance: Some(relevance.min(1.0)), matched_terms: Some(terms) });
    }
    order(&mut found, sort);
    let total = found.len() as i64;
    let items: Vec<Found<L>> = found.into_iter().skip(page.offset() as usize).take(page.limit() as usize).collect();
    let mut out = FoundPage::new(items, page, total);
    out.query_terms = Some(query_terms);
    Ok(out)
}

/// Title, keywords, body and region of a listing, one text (for listings the index lacks).
fn searchable_text<L: Listing>(listing: &L) -> String {
    let d = listing.document();
    let mut text = d.title;
    for part in d.keywords.iter().chain(std::iter::once(&d.body)).chain(d.region.iter()) {
        text.push('\n');
        text.push_str(part);
    }
    text
}

/// Orders found listings by `sort` (relevance: best first, then newest; a missing money or
/// deadline last), the id breaking ties.
fn order<L: Searchable>(found: &mut [Found<L>], sort: Sort) {
    let value = |f: &Found<L>| -> Option<i64> {
        let (created, updated) = f.item.stamps();
        match sort.key {
            SortKey::Relevance => None,
            SortKey::Created => Some(created.timestamp_micros()),
            SortKey::Updated => Some(updated.timestamp_micros()),
            SortKey::Money => f.item.document().money_fen,
            SortKey::Deadline => f.item.deadline_days(),
        }
    };
    found.sort_by(|a, b| {
        let by_key = if sort.key == SortKey::Relevance {
            let (ra, rb) = (a.relevance.unwrap_or(0.0), b.relevance.unwrap_or(0.0));
            rb.total_cmp(&ra).then_with(|| b.item.stamps().0.cmp(&a.item.stamps().0))
        } else {
            match (value(a), value(b)) {
                (Some(x), Some(y)) if sort.descending => y.cmp(&x),
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        };
        by_key.then_with(|| a.item.id().cmp(&b.item.id()))
    });
}

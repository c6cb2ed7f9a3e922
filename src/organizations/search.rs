//! `GET /api/v1/organizations` with `q`: the organisations whose name or region carries a term
//! of the text (analysed by the matching engine, no `ILIKE`), most terms first, then by name.

use super::model::Organization;
use super::repo::{self, OrgFilter};
use crate::db;
use crate::error::ApiError;
use crate::found::{Found, FoundPage};
use crate::pagination::PageRequest;
use crate::state::AppState;

/// Most organisations a `q` search reads.
pub const MAX_SCANNED: i64 = 10_000;

/// The page of the organisations `filter` keeps matching `q`, or all of them by name without `q`.
pub async fn list(
    state: &AppState,
    q: Option<String>,
    filter: OrgFilter,
    page: PageRequest,
) -> Result<FoundPage<Organization>, ApiError> {
    let Some(q) = q else {
        let (items, total) = db::run(&state.pool, move |conn| repo::list(conn, &filter, page)).await?;
        return Ok(FoundPage::new(items.into_iter().map(Found::plain).collect(), page, total));
    };
    let tq = state.matcher.text_query(&q);
    if let Some(why) = tq.empty() {
        return Ok(FoundPage::nothing_to_search(page, why));
    }
    let terms: Vec<String> = tq.terms().into_iter().map(str::to_string).collect();
    let orgs = db::run(&state.pool, move |conn| repo::all(conn, &filter, MAX_SCANNED)).await?;
    let texts: Vec<String> =
        orgs.iter().map(|o| format!("{}\n{}", o.name, o.region.as_deref().unwrap_or_default())).collect();
    let hits = state.matcher.text_hits(&tq, texts.iter().map(String::as_str));
    let n_terms = terms.len().max(1) as f32;
    let mut found: Vec<Found<Organization>> = orgs
        .into_iter()
        .zip(hits)
        .filter(|(_, t)| !t.is_empty())
        .map(|(o, t)| Found { item: o, relevance: Some((t.len() as f32 / n_terms).min(1.0)), matched_terms: Some(t) })
        .collect();
    // stable: equal relevance keeps the order by name
    found.sort_by(|a, b| b.relevance.unwrap_or(0.0).total_cmp(&a.relevance.unwrap_or(0.0)));
    let total = found.len() as i64;
    let items = found.into_iter().skip(page.offset() as usize).take(page.limit() as usize).collect();
    let mut out = FoundPage::new(items, page, total);
    out.query_terms = Some(terms);
    Ok(out)
}

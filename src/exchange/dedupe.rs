//! Duplicates of an import. **Exact**: a row whose title has the identity key
//! ([`crate::text_rules::identity_key`]: NFKC, lower case, white space and invisible characters
//! removed, so full-width and half-width forms agree) of an existing listing of the same
//! organisation, or of an earlier row for the same organisation, is skipped and reported
//! `duplicate`. **Near**: a row whose title the engine finds alike an existing listing on the
//! market ([`MatchService::similarity`], from the threshold up) is imported and reported
//! `near_duplicate` with that listing and the similarity, for a person to decide on. The
//! candidates are the engine's text search hits for the title (the listings on the market the
//! index holds); rows of the same upload are not compared with each other.

use std::collections::HashMap;

use diesel::PgConnection;
use uuid::Uuid;

use super::kinds::Importable;
use super::model::Issue;
use super::owners::Owner;
use crate::error::ApiError;

use crate::matches::service::MatchService;
use crate::text_rules::identity_key;

/// Text-search hits of a title whose similarity is computed.
const CANDIDATES: usize = 5;

/// The rows that are not exact duplicates; a `duplicate` line for each that is.
pub fn exact<L: Importable>(
    conn: &mut PgConnection,
    rows: Vec<(i32, Owner, L::New)>,
    issues: &mut Vec<Issue>,
) -> Result<Vec<(i32, Owner, L::New)>, ApiError> {
    let owners: Vec<Uuid> = rows
        .iter()
        .filter_map(|(_, o, _)| match o {
            Owner::Existing { id, .. } => Some(*id),
            Owner::New(_) => None,
        })
        .collect::<std::collections::HashSet<_>>()
        .into_iter()
        .collect();
    let mut seen: HashMap<(String, String), Option<Uuid>> = HashMap::new();
    for chunk in owners.chunks(1000) {
        for (id, org, title) in L::titles_of(conn, chunk)? {
            seen.insert((org.to_string(), identity_key(&title)), Some(id));
        }
    }
    let mut kept = Vec::with_capacity(rows.len());
    for (row, owner, new) in rows {
        let key = (owner.key(), identity_key(L::new_title(&new)));
        match seen.get(&key) {
            Some(existing) => {
                let mut issue = Issue::new(
                    row,
                    Some("title"),
                    "duplicate",
                    match existing {
                        Some(_) => "the organisation has a listing with the same title; skipped",
                        None => "an earlier row has the same title and organisation; skipped",
                    },
                );
                issue.listing_id = *existing;
                issue.similarity = Some(1.0);
                issues.push(issue);
            }
            None => {
                seen.insert(key, None);
                kept.push((row, owner, new));
            }
        }
    }
    Ok(kept)
}

/// A `near_duplicate` line for each row alike an existing listing on the market (the most alike).
pub fn near<L: Importable>(
    conn: &mut PgConnection,
    matcher: &MatchService,
    rows: &[(i32, Owner, L::New)],
    threshold: f32,
) -> Result<Vec<Issue>, ApiError> {
    let mut hits: Vec<(usize, Vec<Uuid>)> = Vec::new();
    for (i, (_, _, new)) in rows.iter().enumerate() {
        let q = matcher.text_query(L::new_title(new));
        if q.empty().is_some() {
            continue;
        }
        let found: Vec<Uuid> = matcher.find(&q, L::KIND.side, CANDIDATES).into_iter().map(|h| h.id).collect();
        if !found.is_empty() {
            hits.push((i, found));
        }
    }
    let mut ids: Vec<Uuid> = hits.iter().flat_map(|(_, f)| f.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut titles: HashMap<Uuid, String> = HashMap::new();
    for chunk in ids.chunks(1000) {
        titles.extend(L::titles(conn, chunk)?);
    }
    let mut out = Vec::new();
    for (i, found) in hits {
        let (row, _, new) = &rows[i];
        let title = L::new_title(new);
        let best = found
            .iter()
            .filter_map(|id| titles.get(id).map(|t| (*id, t, matcher.similarity(title, t))))
            .max_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((id, existing, similarity)) = best.filter(|b| b.2 >= threshold) {
            let mut issue = Issue::new(
                *row,
                Some("title"),
                "near_duplicate",
                format!("imported; alike the listing 「{existing}」 ({similarity:.2}): decide whether to keep both"),
            );
            issue.listing_id = Some(id);
            issue.similarity = Some((similarity * 1000.0).round() / 1000.0);
            out.push(issue);
        }
    }
    Ok(out)
}

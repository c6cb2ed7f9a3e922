//! Demand queries. Every function takes a connection; callers run them through [`crate::db::run`].

use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use super::input::DemandFilter;
use super::model::{Demand, DemandChanges, NewDemand};
use crate::db::schema::demands;
use crate::error::ApiError;
use crate::listing::like_pattern;
use crate::pagination::PageRequest;

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("demand {id}"))
}

/// Inserts a demand.
pub fn insert(conn: &mut PgConnection, new: &NewDemand) -> Result<Demand, ApiError> {
    Ok(diesel::insert_into(demands::table).values(new).returning(Demand::as_returning()).get_result(conn)?)
}

/// Inserts a demand unless one with the same `source_url` and title exists; `None` when skipped.
pub fn insert_if_new(conn: &mut PgConnection, new: &NewDemand) -> Result<Option<Demand>, ApiError> {
    Ok(diesel::insert_into(demands::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(Demand::as_returning())
        .get_result(conn)
        .optional()?)
}

/// The demand with this id; 404 when absent.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<Demand, ApiError> {
    demands::table.find(id).select(Demand::as_select()).first(conn).optional()?.ok_or_else(|| not_found(id))
}

fn filtered(filter: &DemandFilter) -> demands::BoxedQuery<'static, Pg> {
    let mut query = demands::table.filter(demands::status.eq(filter.status.clone())).into_boxed();
    if !filter.industries.is_empty() {
        query = query.filter(demands::industries.overlaps_with(filter.industries.clone()));
    }
    if let Some(keyword) = &filter.keyword {
        query = query.filter(demands::keywords.contains(vec![keyword.clone()]));
    }
    if let Some(q) = &filter.q {
        let pattern = like_pattern(q);
        query = query.filter(demands::title.ilike(pattern.clone()).or(demands::description.ilike(pattern)));
    }
    if let Some(org) = filter.organization_id {
        query = query.filter(demands::organization_id.eq(org));
    }
    if let Some(region) = &filter.region {
        query = query.filter(demands::region.eq(region.clone()));
    }
    query
}

/// One page of demands matching `filter`, newest first, and the total count.
pub fn list(conn: &mut PgConnection, filter: &DemandFilter, page: PageRequest) -> Result<(Vec<Demand>, i64), ApiError> {
    let total = filtered(filter).count().get_result(conn)?;
    let items = filtered(filter)
        .order((demands::created_at.desc(), demands::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Demand::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Applies `changes` if the stored version is `expected_version`. The row is locked, then
/// `guard` decides whether the caller may change it (its error is returned as is), then 412
/// when the version is stale, 409 `withdrawn` for a withdrawn demand; 404 when absent.
pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    expected_version: i32,
    changes: &DemandChanges,
    guard: impl FnOnce(&Demand) -> Result<(), ApiError>,
) -> Result<Demand, ApiError> {
    conn.transaction(|conn| {
        let current = locked(conn, id)?;
        guard(&current)?;
        if current.version != expected_version {
            return Err(ApiError::VersionMismatch { current: current.version });
        }
        if current.status == "withdrawn" {
            return Err(ApiError::Conflict {
                code: "withdrawn",
                detail: "a withdrawn demand cannot be changed".into(),
            });
        }
        Ok(diesel::update(demands::table.find(id))
            .set((changes, demands::version.eq(demands::version + 1), demands::updated_at.eq(diesel::dsl::now)))
            .returning(Demand::as_returning())
            .get_result(conn)?)
    })
}

fn locked(conn: &mut PgConnection, id: Uuid) -> Result<Demand, ApiError> {
    demands::table
        .find(id)
        .select(Demand::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Withdraws a demand after `guard` allows it (idempotent: a withdrawn demand is returned
/// unchanged); 404 when absent.
pub fn withdraw(
    conn: &mut PgConnection,
    id: Uuid,
    guard: impl FnOnce(&Demand) -> Result<(), ApiError>,
) -> Result<Demand, ApiError> {
    conn.transaction(|conn| {
        let current = locked(conn, id)?;
        guard(&current)?;
        if current.status == "withdrawn" {
            return Ok(current);
        }
        Ok(diesel::update(demands::table.find(id))
            .set((
                demands::status.eq("withdrawn"),
                demands::version.eq(demands::version + 1),
                demands::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Demand::as_returning())
            .get_result(conn)?)
    })
}

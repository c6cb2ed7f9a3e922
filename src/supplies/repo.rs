//! Supply queries. Every function takes a connection; callers run them through [`crate::db::run`].

use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use super::input::SupplyFilter;
use super::model::{NewSupply, Supply, SupplyChanges};
use crate::db::schema::supplies;
use crate::error::ApiError;
use crate::listing::like_pattern;
use crate::pagination::PageRequest;

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("supply {id}"))
}

/// Inserts a supply.
pub fn insert(conn: &mut PgConnection, new: &NewSupply) -> Result<Supply, ApiError> {
    Ok(diesel::insert_into(supplies::table).values(new).returning(Supply::as_returning()).get_result(conn)?)
}

/// Inserts a supply unless one with the same `source_url` and title exists; `None` when skipped.
pub fn insert_if_new(conn: &mut PgConnection, new: &NewSupply) -> Result<Option<Supply>, ApiError> {
    Ok(diesel::insert_into(supplies::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(Supply::as_returning())
        .get_result(conn)
        .optional()?)
}

/// The supply with this id; 404 when absent.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<Supply, ApiError> {
    supplies::table.find(id).select(Supply::as_select()).first(conn).optional()?.ok_or_else(|| not_found(id))
}

fn filtered(filter: &SupplyFilter) -> supplies::BoxedQuery<'static, Pg> {
    let mut query = supplies::table.filter(supplies::status.eq(filter.status.clone())).into_boxed();
    if !filter.industries.is_empty() {
        query = query.filter(supplies::industries.overlaps_with(filter.industries.clone()));
    }
    if let Some(keyword) = &filter.keyword {
        query = query.filter(supplies::keywords.contains(vec![keyword.clone()]));
    }
    if let Some(q) = &filter.q {
        let pattern = like_pattern(q);
        query = query.filter(supplies::title.ilike(pattern.clone()).or(supplies::summary.ilike(pattern)));
    }
    if let Some(min) = filter.trl_min {
        query = query.filter(supplies::trl.ge(min));
    }
    if let Some(max) = filter.trl_max {
        query = query.filter(supplies::trl.le(max));
    }
    if let Some(org) = filter.organization_id {
        query = query.filter(supplies::organization_id.eq(org));
    }
    if let Some(region) = &filter.region {
        query = query.filter(supplies::region.eq(region.clone()));
    }
    query
}

/// One page of supplies matching `filter`, newest first, and the total count.
pub fn list(conn: &mut PgConnection, filter: &SupplyFilter, page: PageRequest) -> Result<(Vec<Supply>, i64), ApiError> {
    let total = filtered(filter).count().get_result(conn)?;
    let items = filtered(filter)
        .order((supplies::created_at.desc(), supplies::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Supply::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Applies `changes` if the stored version is `expected_version`. The row is locked, then
/// `guard` decides whether the caller may change it (its error is returned as is), then 412
/// when the version is stale, 409 `archived` for an archived supply; 404 when absent.
pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    expected_version: i32,
    changes: &SupplyChanges,
    guard: impl FnOnce(&Supply) -> Result<(), ApiError>,
) -> Result<Supply, ApiError> {
    conn.transaction(|conn| {
        let current = locked(conn, id)?;
        guard(&current)?;
        if current.version != expected_version {
            return Err(ApiError::VersionMismatch { current: current.version });
        }
        if current.status == "archived" {
            return Err(ApiError::Conflict { code: "archived", detail: "an archived supply cannot be changed".into() });
        }
        Ok(diesel::update(supplies::table.find(id))
            .set((changes, supplies::version.eq(supplies::version + 1), supplies::updated_at.eq(diesel::dsl::now)))
            .returning(Supply::as_returning())
            .get_result(conn)?)
    })
}

fn locked(conn: &mut PgConnection, id: Uuid) -> Result<Supply, ApiError> {
    supplies::table
        .find(id)
        .select(Supply::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Archives a supply after `guard` allows it (idempotent: an archived supply is returned
/// unchanged); 404 when absent.
pub fn archive(
    conn: &mut PgConnection,
    id: Uuid,
    guard: impl FnOnce(&Supply) -> Result<(), ApiError>,
) -> Result<Supply, ApiError> {
    conn.transaction(|conn| {
        let current = locked(conn, id)?;
        guard(&current)?;
        if current.status == "archived" {
            return Ok(current);
        }
        Ok(diesel::update(supplies::table.find(id))
            .set((
                supplies::status.eq("archived"),
                supplies::version.eq(supplies::version + 1),
                supplies::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Supply::as_returning())
            .get_result(conn)?)
    })
}

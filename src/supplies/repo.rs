//! Supply queries. Every function takes a connection; callers run them through [`crate::db::run`].

use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use super::input::SupplyFilter;
use super::model::{NewSupply, Supply, SupplyChanges};
use crate::db::schema::supplies;
use crate::db::FoundExtension;
use crate::error::ApiError;
use crate::listing::{like_pattern, what, Listing, ListingStore};
use crate::pagination::PageRequest;
use crate::vocab::SupplyStatus;

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
    supplies::table.find(id).select(Supply::as_select()).first(conn).or_not_found(what::<Supply>(id))
}

fn filtered(filter: &SupplyFilter) -> supplies::BoxedQuery<'static, Pg> {
    let mut query = supplies::table.filter(supplies::status.eq(filter.list.status)).into_boxed();
    if !filter.list.industries.is_empty() {
        query = query.filter(supplies::industries.overlaps_with(filter.list.industries.clone()));
    }
    if let Some(keyword) = &filter.list.keyword {
        query = query.filter(supplies::keywords.contains(vec![keyword.clone()]));
    }
    if let Some(q) = &filter.list.q {
        let pattern = like_pattern(q);
        query = query.filter(supplies::title.ilike(pattern.clone()).or(supplies::summary.ilike(pattern)));
    }
    if let Some(min) = filter.trl_min {
        query = query.filter(supplies::trl.ge(min));
    }
    if let Some(max) = filter.trl_max {
        query = query.filter(supplies::trl.le(max));
    }
    if let Some(org) = filter.list.organization_id {
        query = query.filter(supplies::organization_id.eq(org));
    }
    if let Some(region) = &filter.list.region {
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

impl ListingStore for Supply {
    type New = NewSupply;
    type Changes = SupplyChanges;

    fn insert(conn: &mut PgConnection, new: &NewSupply) -> Result<Supply, ApiError> {
        Ok(diesel::insert_into(supplies::table).values(new).returning(Supply::as_returning()).get_result(conn)?)
    }

    fn get(conn: &mut PgConnection, id: Uuid) -> Result<Supply, ApiError> {
        get(conn, id)
    }

    fn locked(conn: &mut PgConnection, id: Uuid) -> Result<Supply, ApiError> {
        supplies::table.find(id).select(Supply::as_select()).for_update().first(conn).or_not_found(what::<Supply>(id))
    }

    fn apply(conn: &mut PgConnection, id: Uuid, changes: &SupplyChanges) -> Result<Supply, ApiError> {
        Ok(diesel::update(supplies::table.find(id))
            .set((changes, supplies::version.eq(supplies::version + 1), supplies::updated_at.eq(diesel::dsl::now)))
            .returning(Supply::as_returning())
            .get_result(conn)?)
    }

    fn status_change(status: SupplyStatus) -> SupplyChanges {
        SupplyChanges { status: Some(status), ..SupplyChanges::default() }
    }

    fn candidates(conn: &mut PgConnection, ids: Vec<Uuid>) -> Result<Vec<Supply>, ApiError> {
        Ok(supplies::table
            .filter(supplies::id.eq_any(ids))
            .filter(supplies::status.eq(Supply::KIND.candidate))
            .select(Supply::as_select())
            .load(conn)?)
    }
}

//! Demand queries. Every function takes a connection; callers run them through [`crate::db::run`].

use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Demand, DemandChanges, NewDemand};
use crate::db::schema::demands;
use crate::db::FoundExtension;
use crate::error::ApiError;
use crate::listing::{like_pattern, what, ListFilter, Listing, ListingStore};
use crate::pagination::PageRequest;
use crate::vocab::DemandStatus;

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
    demands::table.find(id).select(Demand::as_select()).first(conn).or_not_found(what::<Demand>(id))
}

fn filtered(filter: &ListFilter<DemandStatus>) -> demands::BoxedQuery<'static, Pg> {
    let mut query = demands::table.filter(demands::status.eq(filter.status)).into_boxed();
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
pub fn list(
    conn: &mut PgConnection,
    filter: &ListFilter<DemandStatus>,
    page: PageRequest,
) -> Result<(Vec<Demand>, i64), ApiError> {
    let total = filtered(filter).count().get_result(conn)?;
    let items = filtered(filter)
        .order((demands::created_at.desc(), demands::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Demand::as_select())
        .load(conn)?;
    Ok((items, total))
}

impl ListingStore for Demand {
    type New = NewDemand;
    type Changes = DemandChanges;

    fn insert(conn: &mut PgConnection, new: &NewDemand) -> Result<Demand, ApiError> {
        Ok(diesel::insert_into(demands::table).values(new).returning(Demand::as_returning()).get_result(conn)?)
    }

    fn get(conn: &mut PgConnection, id: Uuid) -> Result<Demand, ApiError> {
        get(conn, id)
    }

    fn locked(conn: &mut PgConnection, id: Uuid) -> Result<Demand, ApiError> {
        demands::table.find(id).select(Demand::as_select()).for_update().first(conn).or_not_found(what::<Demand>(id))
    }

    fn apply(conn: &mut PgConnection, id: Uuid, changes: &DemandChanges) -> Result<Demand, ApiError> {
        Ok(diesel::update(demands::table.find(id))
            .set((changes, demands::version.eq(demands::version + 1), demands::updated_at.eq(diesel::dsl::now)))
            .returning(Demand::as_returning())
            .get_result(conn)?)
    }

    fn status_change(status: DemandStatus) -> DemandChanges {
        DemandChanges { status: Some(status), ..DemandChanges::default() }
    }

    fn candidates(conn: &mut PgConnection, ids: Vec<Uuid>) -> Result<Vec<Demand>, ApiError> {
        Ok(demands::table
            .filter(demands::id.eq_any(ids))
            .filter(demands::status.eq(Demand::KIND.candidate))
            .select(Demand::as_select())
            .load(conn)?)
    }
}

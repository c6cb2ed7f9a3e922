//! Demand queries. Every function takes a connection; callers run them through [`crate::db::run`].

use chrono::{DateTime, Datelike, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use super::input::DemandFilter;
use super::model::{Demand, DemandChanges, NewDemand};
use crate::db::schema::demands;
use crate::error::ApiError;
use crate::listing::filter::ListFilter;
use crate::listing::search::Searchable;
use crate::listing::table::listing_table;
use crate::pagination::PageRequest;
use crate::vocab::DemandStatus;

listing_table!(
    table: demands, listing: Demand, new: NewDemand, changes: DemandChanges, money: budget_fen,
    modes: cooperation_modes, deadline: (|new| new.deadline, |changes| changes.deadline), sort_deadline: deadline
);

fn filtered(filter: &DemandFilter) -> demands::BoxedQuery<'static, Pg> {
    let mut query = listed(&filter.list);
    if let Some(from) = filter.deadline_from {
        query = query.filter(demands::deadline.ge(from));
    }
    if let Some(to) = filter.deadline_to {
        query = query.filter(demands::deadline.le(to));
    }
    query
}

impl Searchable for Demand {
    type Filter = DemandFilter;

    fn common(filter: &DemandFilter) -> &ListFilter<DemandStatus> {
        &filter.list
    }

    fn page(conn: &mut PgConnection, filter: &DemandFilter, page: PageRequest) -> Result<(Vec<Demand>, i64), ApiError> {
        page_of(conn, || filtered(filter), filter.list.sort, page)
    }

    fn rows(
        conn: &mut PgConnection,
        filter: &DemandFilter,
        among: Option<(&[Uuid], &[Uuid])>,
        cap: i64,
    ) -> Result<Vec<Demand>, ApiError> {
        rows_of(conn, || filtered(filter), among, cap)
    }

    fn stamps(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.created_at, self.updated_at)
    }

    fn deadline_days(&self) -> Option<i64> {
        self.deadline.map(|d| i64::from(d.num_days_from_ce()))
    }
}

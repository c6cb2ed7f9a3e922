//! Supply queries. Every function takes a connection; callers run them through [`crate::db::run`].

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use uuid::Uuid;

use super::input::SupplyFilter;
use super::model::{NewSupply, Supply, SupplyChanges};
use crate::db::schema::supplies;
use crate::error::ApiError;
use crate::listing::filter::ListFilter;
use crate::listing::search::Searchable;
use crate::listing::table::listing_table;
use crate::pagination::PageRequest;
use crate::vocab::SupplyStatus;

listing_table!(
    table: supplies, listing: Supply, new: NewSupply, changes: SupplyChanges, money: price_fen, modes: transfer_modes,
    deadline: (|_| None, |_| None),
);

fn filtered(filter: &SupplyFilter) -> supplies::BoxedQuery<'static, Pg> {
    let mut query = listed(&filter.list);
    if let Some(min) = filter.trl_min {
        query = query.filter(supplies::trl.ge(min));
    }
    if let Some(max) = filter.trl_max {
        query = query.filter(supplies::trl.le(max));
    }
    if let Some(ip_type) = filter.ip_type {
        query = query.filter(supplies::ip_type.eq(ip_type));
    }
    query
}

impl Searchable for Supply {
    type Filter = SupplyFilter;

    fn common(filter: &SupplyFilter) -> &ListFilter<SupplyStatus> {
        &filter.list
    }

    fn page(conn: &mut PgConnection, filter: &SupplyFilter, page: PageRequest) -> Result<(Vec<Supply>, i64), ApiError> {
        page_of(conn, || filtered(filter), filter.list.sort, page)
    }

    fn rows(
        conn: &mut PgConnection,
        filter: &SupplyFilter,
        among: Option<(&[Uuid], &[Uuid])>,
        cap: i64,
    ) -> Result<Vec<Supply>, ApiError> {
        rows_of(conn, || filtered(filter), among, cap)
    }

    fn stamps(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.created_at, self.updated_at)
    }

    fn deadline_days(&self) -> Option<i64> {
        None
    }
}

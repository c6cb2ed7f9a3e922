//! Supply queries. Every function takes a connection; callers run them through [`crate::db::run`].

use diesel::pg::Pg;
use diesel::prelude::*;

use super::input::SupplyFilter;
use super::model::{NewSupply, Supply, SupplyChanges};
use crate::db::schema::supplies;
use crate::error::ApiError;
use crate::listing::table::listing_table;
use crate::pagination::PageRequest;

listing_table!(
    table: supplies, listing: Supply, new: NewSupply, changes: SupplyChanges, body: summary,
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
    query
}

/// One page of supplies matching `filter`, newest first, and the total count.
pub fn list(conn: &mut PgConnection, filter: &SupplyFilter, page: PageRequest) -> Result<(Vec<Supply>, i64), ApiError> {
    page_of(conn, || filtered(filter), page)
}

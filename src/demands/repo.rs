//! Demand queries. Every function takes a connection; callers run them through [`crate::db::run`].

use diesel::prelude::*;

use super::model::{Demand, DemandChanges, NewDemand};
use crate::db::schema::demands;
use crate::error::ApiError;
use crate::listing::table::listing_table;
use crate::listing::ListFilter;
use crate::pagination::PageRequest;
use crate::vocab::DemandStatus;

listing_table!(
    table: demands, listing: Demand, new: NewDemand, changes: DemandChanges, body: description,
    deadline: (|new| new.deadline, |changes| changes.deadline),
);

/// One page of demands matching `filter`, newest first, and the total count.
pub fn list(
    conn: &mut PgConnection,
    filter: &ListFilter<DemandStatus>,
    page: PageRequest,
) -> Result<(Vec<Demand>, i64), ApiError> {
    page_of(conn, || listed(filter), page)
}

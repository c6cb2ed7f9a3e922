//! The queries of a listing table — insert, get, the shared list filters, a page, the listings
//! behind connections and [`ListingStore`](super::store::ListingStore) — written once. Each kind's
//! `repo.rs` invokes [`listing_table!`] with its table and types, and adds what only it has
//! (the supplies' TRL range).

/// Defines, in a kind's `repo.rs`, `insert_if_new`, `get`, `refs`, the private `listed` (the shared
/// list filters as a boxed query) and `page_of`, and implements `ListingStore` for the kind.
/// Invoke it where `diesel::prelude::*` is in scope; `money` is the price or budget column,
/// `modes` the modes column, `deadline` how a new listing and a change name the deadline (for its
/// expiry) and `sort_deadline` (demands) the column `sort=deadline` orders by.
macro_rules! listing_table {
    (
        table: $table:ident, listing: $listing:ident, new: $new:ident, changes: $changes:ident,
        money: $money:ident, modes: $modes:ident, deadline: ($new_deadline:expr, $changed_deadline:expr)
        $(, sort_deadline: $deadline:ident)? $(,)?
    ) => {
        /// Inserts a listing unless one with the same `source_url` and title exists; `None` when skipped.
        pub fn insert_if_new(conn: &mut PgConnection, new: &$new) -> Result<Option<$listing>, $crate::error::ApiError> {
            Ok(diesel::insert_into($table::table)
                .values(new)
                .on_conflict_do_nothing()
                .returning($listing::as_returning())
                .get_result(conn)
                .optional()?)
        }

        /// The listing with this id; 404 when absent.
        pub fn get(conn: &mut PgConnection, id: uuid::Uuid) -> Result<$listing, $crate::error::ApiError> {
            use $crate::db::FoundExtension;
            $table::table
                .find(id)
                .select($listing::as_select())
                .first(conn)
                .or_not_found($crate::listing::kind::what::<$listing>(id))
        }

        /// The title, owner and industries of the listings `ids`, by id (absent ids are left out).
        pub fn refs(
            conn: &mut PgConnection,
            ids: &[uuid::Uuid],
        ) -> Result<std::collections::HashMap<uuid::Uuid, $crate::listing::store::ListingRef>, $crate::error::ApiError>
        {
            use $crate::db::schema::organizations;
            Ok($table::table
                .inner_join(organizations::table)
                .filter($table::id.eq_any(ids))
                .select(($table::id, $table::title, $table::organization_id, organizations::name, $table::industries))
                .load::<(uuid::Uuid, String, uuid::Uuid, String, Vec<String>)>(conn)?
                .into_iter()
                .map(|(id, title, organization_id, organization_name, industries)| {
                    (id, $crate::listing::store::ListingRef { title, organization_id, organization_name, industries })
                })
                .collect())
        }

        /// The listings matching the shared list filters (status, industries, keyword, organisation,
        /// region, created and money ranges, modes, the owner's kind and verification), as a query
        /// to add to. `q` is not applied here: text goes through the engine
        /// ([`crate::listing::search`]). Listings on the market whose expiry has passed at the filter's
        /// `now` are left out before the sweep marks them.
        fn listed(
            filter: &$crate::listing::filter::ListFilter<<$listing as $crate::listing::kind::Listing>::Status>,
        ) -> $table::BoxedQuery<'static, diesel::pg::Pg> {
            use $crate::db::schema::organizations;
            use $crate::listing::kind::Listing;
            let mut query = $table::table.filter($table::status.eq(filter.status)).into_boxed();
            if filter.status == $listing::KIND.candidate {
                query = query.filter($table::expires_at.gt(filter.now));
            }
            if !filter.industries.is_empty() {
                query = query.filter($table::industries.overlaps_with(filter.industries.clone()));
            }
            if let Some(keyword) = &filter.keyword {
                query = query.filter($table::keywords.contains(vec![keyword.clone()]));
            }
            if let Some(org) = filter.organization_id {
                query = query.filter($table::organization_id.eq(org));
            }
            if let Some(prefix) = &filter.region {
                query = query.filter($table::region_code.like(format!("{prefix}%")));
            }
            if let Some(from) = filter.created_from {
                query = query.filter($table::created_at.ge(from));
            }
            if let Some(before) = filter.created_before {
                query = query.filter($table::created_at.lt(before));
            }
            if let Some(min) = filter.money_min {
                query = query.filter($table::$money.ge(min));
            }
            if let Some(max) = filter.money_max {
                query = query.filter($table::$money.le(max));
            }
            if !filter.modes.is_empty() {
                query = query.filter($table::$modes.overlaps_with(filter.modes.clone()));
            }
            if filter.organization_kind.is_some() || filter.verified_only {
                let mut owners = organizations::table.select(organizations::id).into_boxed();
                if let Some(kind) = filter.organization_kind {
                    owners = owners.filter(organizations::kind.eq(kind));
                }
                if filter.verified_only {
                    owners = owners.filter(organizations::verification.eq($crate::vocab::Verification::Verified));
                }
                query = query.filter($table::organization_id.eq_any(owners));
            }
            query
        }

        /// One page of the listings `filtered` makes in the order `sort` (relevance: newest
        /// first; id breaks ties), and their total count.
        fn page_of(
            conn: &mut PgConnection,
            filtered: impl Fn() -> $table::BoxedQuery<'static, diesel::pg::Pg>,
            sort: $crate::listing::sort::Sort,
            page: $crate::pagination::PageRequest,
        ) -> Result<(Vec<$listing>, i64), $crate::error::ApiError> {
            use $crate::listing::sort::SortKey;
            let total = filtered().count().get_result(conn)?;
            let query = filtered();
            let query = match (sort.key, sort.descending) {
                (SortKey::Updated, true) => query.order(($table::updated_at.desc(), $table::id)),
                (SortKey::Updated, false) => query.order(($table::updated_at.asc(), $table::id)),
                (SortKey::Money, true) => query.order(($table::$money.desc().nulls_last(), $table::id)),
                (SortKey::Money, false) => query.order(($table::$money.asc().nulls_last(), $table::id)),
                $(
                (SortKey::Deadline, true) => query.order(($table::$deadline.desc().nulls_last(), $table::id)),
                (SortKey::Deadline, false) => query.order(($table::$deadline.asc().nulls_last(), $table::id)),
                )?
                (SortKey::Created, false) => query.order(($table::created_at.asc(), $table::id)),
                _ => query.order(($table::created_at.desc(), $table::id)),
            };
            let items = query.offset(page.offset()).limit(page.limit()).select($listing::as_select()).load(conn)?;
            Ok((items, total))
        }

        /// At most `cap` of the listings `filtered` makes, restricted to `ids` or to listings of
        /// the organisations `owners` when `among` is given (the text search's candidates).
        fn rows_of(
            conn: &mut PgConnection,
            filtered: impl Fn() -> $table::BoxedQuery<'static, diesel::pg::Pg>,
            among: Option<(&[uuid::Uuid], &[uuid::Uuid])>,
            cap: i64,
        ) -> Result<Vec<$listing>, $crate::error::ApiError> {
            let mut query = filtered();
            if let Some((ids, owners)) = among {
                query = query
                    .filter($table::id.eq_any(ids.to_vec()).or($table::organization_id.eq_any(owners.to_vec())));
            }
            Ok(query.order(($table::created_at.desc(), $table::id)).limit(cap).select($listing::as_select()).load(conn)?)
        }

        impl $crate::listing::store::ListingStore for $listing {
            type New = $new;
            type Changes = $changes;

            fn insert(conn: &mut PgConnection, new: &$new) -> Result<$listing, $crate::error::ApiError> {
                Ok(diesel::insert_into($table::table)
                    .values(new)
                    .returning($listing::as_returning())
                    .get_result(conn)?)
            }

            fn get(conn: &mut PgConnection, id: uuid::Uuid) -> Result<$listing, $crate::error::ApiError> {
                get(conn, id)
            }

            fn locked(conn: &mut PgConnection, id: uuid::Uuid) -> Result<$listing, $crate::error::ApiError> {
                use $crate::db::FoundExtension;
                $table::table
                    .find(id)
                    .select($listing::as_select())
                    .for_update()
                    .first(conn)
                    .or_not_found($crate::listing::kind::what::<$listing>(id))
            }

            fn apply(
                conn: &mut PgConnection,
                id: uuid::Uuid,
                changes: &$changes,
            ) -> Result<$listing, $crate::error::ApiError> {
                Ok(diesel::update($table::table.find(id))
                    .set((changes, $table::version.eq($table::version + 1), $table::updated_at.eq(diesel::dsl::now)))
                    .returning($listing::as_returning())
                    .get_result(conn)?)
            }

            fn status_change(status: <$listing as $crate::listing::kind::Listing>::Status) -> $changes {
                $changes { status: Some(status), ..$changes::default() }
            }

            fn new_status(new: &$new) -> <$listing as $crate::listing::kind::Listing>::Status {
                new.status
            }

            fn new_deadline(new: &$new) -> Option<chrono::NaiveDate> {
                let deadline: fn(&$new) -> Option<chrono::NaiveDate> = $new_deadline;
                deadline(new)
            }

            fn place(
                new: &mut $new,
                status: <$listing as $crate::listing::kind::Listing>::Status,
                expires_at: chrono::DateTime<chrono::Utc>,
                submitted_at: Option<chrono::DateTime<chrono::Utc>>,
            ) {
                new.status = status;
                new.expires_at = expires_at;
                new.submitted_at = submitted_at;
            }

            fn changed_status(changes: &$changes) -> Option<<$listing as $crate::listing::kind::Listing>::Status> {
                changes.status
            }

            fn changed_deadline(changes: &$changes) -> Option<Option<chrono::NaiveDate>> {
                let deadline: fn(&$changes) -> Option<Option<chrono::NaiveDate>> = $changed_deadline;
                deadline(changes)
            }

            fn touches_reviewed_text(changes: &$changes) -> bool {
                changes.touches_reviewed_text()
            }

            fn settle(
                changes: &mut $changes,
                status: Option<<$listing as $crate::listing::kind::Listing>::Status>,
                expires_at: Option<chrono::DateTime<chrono::Utc>>,
                submitted_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
            ) {
                changes.status = status;
                if expires_at.is_some() {
                    changes.expires_at = expires_at;
                }
                if submitted_at.is_some() {
                    changes.submitted_at = submitted_at;
                }
            }

            fn candidates(
                conn: &mut PgConnection,
                ids: Vec<uuid::Uuid>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$listing>, $crate::error::ApiError> {
                use $crate::listing::kind::Listing;
                Ok($table::table
                    .filter($table::id.eq_any(ids))
                    .filter($table::status.eq($listing::KIND.candidate))
                    .filter($table::expires_at.gt(now))
                    .select($listing::as_select())
                    .load(conn)?)
            }

            fn expire_due(
                conn: &mut PgConnection,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$listing>, $crate::error::ApiError> {
                use $crate::listing::kind::Listing;
                Ok(diesel::update(
                    $table::table
                        .filter($table::status.eq($listing::KIND.candidate))
                        .filter($table::expires_at.le(now)),
                )
                .set((
                    $table::status.eq($listing::KIND.expired),
                    $table::version.eq($table::version + 1),
                    $table::updated_at.eq(diesel::dsl::now),
                ))
                .returning($listing::as_returning())
                .get_results(conn)?)
            }
        }
    };
}

pub(crate) use listing_table;

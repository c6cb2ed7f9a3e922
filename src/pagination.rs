//! Page-number pagination: `?page=1&per_page=20`, `per_page` at most [`MAX_PER_PAGE`].
//! Every list answers `{"items": [...], "page": 1, "per_page": 20, "total": 163}`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// Page size when none is asked for.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// Largest page size.
pub const MAX_PER_PAGE: u32 = 100;
/// Highest page number (bounds the OFFSET the database must skip).
pub const MAX_PAGE: u32 = 10_000;

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    /// Checks the raw query values; out-of-range values answer 400 `invalid_query`.
    pub fn parse(page: Option<u32>, per_page: Option<u32>) -> Result<Self, ApiError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(ApiError::bad_query(
                format!("page must be between 1 and {MAX_PAGE}"),
                crate::validation::range_error("page", 1, MAX_PAGE, i64::from(page)),
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::bad_query(
                format!("per_page must be between 1 and {MAX_PER_PAGE}"),
                crate::validation::range_error("per_page", 1, MAX_PER_PAGE, i64::from(per_page)),
            ));
        }
        Ok(Self { page, per_page })
    }

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// Rows to return.
    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

/// One page of a list, with the total number of matching items.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// This page's number, from 1.
    #[schema(minimum = 1, maximum = 10000)]
    pub page: u32,
    /// The page size asked for (the last page may hold fewer items).
    #[schema(minimum = 1, maximum = 100)]
    pub per_page: u32,
    /// Items matching the filters, over all pages.
    #[schema(minimum = 0)]
    pub total: i64,
}

impl<T> Page<T> {
    /// Wraps `items` fetched for `request`.
    pub fn new(items: Vec<T>, request: PageRequest, total: i64) -> Self {
        Self { items, page: request.page, per_page: request.per_page, total }
    }
}

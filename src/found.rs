//! The page a list with `q` answers: each item with its relevance and the terms it matched (for
//! highlighting), and, when the text had nothing to search for, why the page is empty.

use matching::EmptyText;
use serde::Serialize;
use utoipa::ToSchema;

use crate::pagination::PageRequest;

/// An item of a list, with what `q` found in it (both absent without `q`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Found<T> {
    /// The item itself.
    #[serde(flatten)]
    pub item: T,
    /// Relevance to `q`, 0–1 (the share of the query's words the item carries, then BM25F).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub relevance: Option<f32>,
    /// The query terms found in the item (normalised: simplified Chinese, lower case), to
    /// highlight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_terms: Option<Vec<String>>,
}

impl<T> Found<T> {
    /// An item listed without `q`.
    pub fn plain(item: T) -> Self {
        Self { item, relevance: None, matched_terms: None }
    }
}

/// One page of a list that takes `q`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FoundPage<T> {
    /// The items of this page.
    // inline: utoipa names the schema of `Found<T>` by `T`'s bare name, so `Found<Shown<Supply>>`
    // and `Found<Shown<Demand>>` would both be `Found_Shown`, one overwriting the other
    #[schema(inline)]
    pub items: Vec<Found<T>>,
    /// This page's number, from 1.
    #[schema(minimum = 1, maximum = 10000)]
    pub page: u32,
    /// The page size asked for (the last page may hold fewer items).
    #[schema(minimum = 1, maximum = 100)]
    pub per_page: u32,
    /// Items matching the filters (and `q`), over all pages.
    #[schema(minimum = 0)]
    pub total: i64,
    /// With `q`: the terms searched for (after normalisation, segmentation and stop words; an
    /// industry name brings the industry's other names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_terms: Option<Vec<String>>,
    /// With `q` and an empty page because the text had nothing to search for: why
    /// (`stop_words_only`, `no_terms`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_reason: Option<EmptyText>,
}

impl<T> FoundPage<T> {
    /// A page of `items` (already cut to the page) out of `total`.
    pub fn new(items: Vec<Found<T>>, request: PageRequest, total: i64) -> Self {
        Self { items, page: request.page, per_page: request.per_page, total, query_terms: None, empty_reason: None }
    }

    /// The empty page of a `q` with nothing to search for.
    pub fn nothing_to_search(request: PageRequest, why: EmptyText) -> Self {
        Self { empty_reason: Some(why), query_terms: Some(Vec::new()), ..Self::new(Vec::new(), request, 0) }
    }
}

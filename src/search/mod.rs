//! The search box: completions of a prefix (`GET /api/v1/suggestions`). The lists' `q` itself
//! is in [`crate::listing::search`] and [`crate::organizations::search`].

pub mod handlers;

//! The department's review queue (审核队列): listings of both kinds waiting for review, oldest
//! first, each with its completeness report. Decisions are taken on each listing
//! (`POST /api/v1/supplies/{id}/review`, [`crate::listing::review`]).

pub mod demo;
pub mod handlers;
pub mod queue;

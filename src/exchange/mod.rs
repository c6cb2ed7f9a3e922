//! 信息汇交 (issue 17, item 6): bulk import of listings as asynchronous jobs with a per-row
//! report and duplicate detection, export with the list filters, and the exchange format
//! (docs/EXCHANGE.md).
//!
//! Files: `record` (a row of any format as text) · `parse` (JSON Lines, CSV, XLSX → records) ·
//! `kinds` (a record checked as the create endpoints check a body) · `owners` (whose listing a
//! row becomes) · `dedupe` (exact and near duplicates) · `job` (the runner: claim, check, write)
//! · `model`, `repo` (the job and its report) · `format` (GB/T 4754 codes) · `export` ·
//! `handlers`.

pub mod dedupe;
pub mod export;
pub mod format;
pub mod handlers;
pub mod job;
pub mod kinds;
pub mod model;
pub mod owners;
pub mod parse;
pub mod record;
pub mod repo;

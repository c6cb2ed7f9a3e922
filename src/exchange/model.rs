//! The import job as stored and returned, and the lines of its report.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{import_job_issues, import_jobs};
use crate::vocab::{ExchangeFormat, ImportMode, ImportStatus, ListingKind, OrganizationKind, Role};

/// One line of an import's report: a row's problem, a duplicate skipped, or a near-duplicate
/// imported for a person to decide on.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable, ToSchema)]
#[diesel(table_name = import_job_issues)]
pub struct Issue {
    /// The row: the line of a JSON Lines file, the spreadsheet row of a CSV or XLSX file (the
    /// header is row 1).
    #[diesel(column_name = row_number)]
    #[schema(minimum = 1)]
    pub row: i32,
    /// The field at fault (`title`, `industries.0`…), when one is.
    pub field: Option<String>,
    /// `invalid_row` (unreadable), `required`, `too_long`, `invalid`, `unknown_industry`,
    /// `unknown_value`, `unknown_organization`, `organization_required`,
    /// `organization_not_allowed`, `not_a_publisher`, `duplicate` (skipped: same normalised
    /// title and organisation as `listing_id`, or as an earlier row), `near_duplicate`
    /// (imported; `listing_id` is alike by `similarity`).
    #[schema(example = "unknown_industry")]
    pub code: String,
    /// What is wrong, in English.
    pub message: String,
    /// The existing listing a duplicate or near-duplicate resembles.
    pub listing_id: Option<Uuid>,
    /// How alike the titles are, `0..=1` (near-duplicates).
    #[schema(minimum = 0, maximum = 1)]
    pub similarity: Option<f32>,
}

impl Issue {
    /// A row's problem with no listing attached.
    pub fn new(row: i32, field: Option<&str>, code: &str, message: impl Into<String>) -> Self {
        Self {
            row,
            field: field.map(str::to_string),
            code: code.to_string(),
            message: message.into(),
            listing_id: None,
            similarity: None,
        }
    }

    /// Whether the line counts as a row error (not a duplicate or a near-duplicate).
    pub fn is_error(&self) -> bool {
        self.code != "duplicate" && self.code != "near_duplicate"
    }
}

/// An import job row (the uploaded bytes are read separately).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = import_jobs)]
pub struct JobRow {
    pub id: Uuid,
    pub created_by: Uuid,
    pub actor_organization_id: Uuid,
    pub actor_org_kind: OrganizationKind,
    pub actor_role: Role,
    pub organization_id: Option<Uuid>,
    pub kind: ListingKind,
    pub format: ExchangeFormat,
    pub mode: ImportMode,
    pub status: ImportStatus,
    pub payload_bytes: i64,
    pub rows_total: i32,
    pub rows_done: i32,
    pub imported: i32,
    pub duplicates: i32,
    pub near_duplicates: i32,
    pub invalid_rows: i32,
    pub failure: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A new job, as the upload is stored.
#[derive(Debug, Insertable)]
#[diesel(table_name = import_jobs)]
pub struct NewJob {
    pub created_by: Uuid,
    pub actor_organization_id: Uuid,
    pub actor_org_kind: OrganizationKind,
    pub actor_role: Role,
    pub organization_id: Option<Uuid>,
    pub kind: ListingKind,
    pub format: ExchangeFormat,
    pub mode: ImportMode,
    pub payload: Vec<u8>,
    pub payload_bytes: i64,
    pub created_at: DateTime<Utc>,
}

/// How far a job has come.
#[derive(Debug, Serialize, ToSchema)]
pub struct Progress {
    /// Rows checked so far.
    pub rows_done: i32,
    /// Rows in the file (known once a runner has read it; 0 before).
    pub rows_total: i32,
}

/// What a job did with its rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct Counts {
    /// Listings created.
    pub imported: i32,
    /// Rows skipped as exact duplicates.
    pub duplicates: i32,
    /// Rows imported that resemble an existing listing (listed in `near_duplicates`).
    pub near_duplicates: i32,
    /// Rows with at least one error (not imported).
    pub invalid_rows: i32,
}

/// An import job (信息汇交导入任务).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportJob {
    pub id: Uuid,
    /// What the rows are: supplies or demands.
    pub kind: ListingKind,
    pub format: ExchangeFormat,
    pub mode: ImportMode,
    pub status: ImportStatus,
    /// The organisation the rows belong to unless they name their own (`null`: each row names it).
    pub organization_id: Option<Uuid>,
    /// The user who uploaded the file.
    pub created_by: Uuid,
    /// Size of the upload in bytes.
    pub payload_bytes: i64,
    pub progress: Progress,
    pub counts: Counts,
    /// Why the whole file failed to be read, when it did.
    pub failure: Option<String>,
    /// The first 100 near-duplicates (the report lists them all): imported rows alike an
    /// existing listing, for a person to decide on.
    pub near_duplicates: Vec<Issue>,
    /// The per-row report: `GET /api/v1/exchange/imports/{id}/report`.
    #[schema(example = "/api/v1/exchange/imports/6f1c…/report")]
    pub report: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ImportJob {
    /// The job as returned, with its first near-duplicates.
    pub fn of(row: JobRow, near_duplicates: Vec<Issue>) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            format: row.format,
            mode: row.mode,
            status: row.status,
            organization_id: row.organization_id,
            created_by: row.created_by,
            payload_bytes: row.payload_bytes,
            progress: Progress { rows_done: row.rows_done, rows_total: row.rows_total },
            counts: Counts {
                imported: row.imported,
                duplicates: row.duplicates,
                near_duplicates: row.near_duplicates,
                invalid_rows: row.invalid_rows,
            },
            failure: row.failure,
            near_duplicates,
            report: format!("/api/v1/exchange/imports/{}/report", row.id),
            created_at: row.created_at,
            started_at: row.started_at,
            finished_at: row.finished_at,
        }
    }
}

//! Queries of import jobs and their reports.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Issue, JobRow, NewJob};
use crate::db::schema::{import_job_issues, import_jobs};
use crate::db::FoundExtension;
use crate::error::ApiError;
use crate::pagination::PageRequest;

/// Near-duplicates shown with a job.
pub const NEAR_DUPLICATES_SHOWN: i64 = 100;

/// Stores an upload as a queued job.
pub fn insert(conn: &mut PgConnection, new: &NewJob) -> Result<JobRow, ApiError> {
    Ok(diesel::insert_into(import_jobs::table).values(new).returning(JobRow::as_returning()).get_result(conn)?)
}

/// The job; 404 when absent.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<JobRow, ApiError> {
    import_jobs::table.find(id).select(JobRow::as_select()).first(conn).or_not_found(|| format!("import job {id}"))
}

/// The job's first near-duplicates, by row.
pub fn near_duplicates(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Issue>, ApiError> {
    Ok(import_job_issues::table
        .filter(import_job_issues::job_id.eq(id))
        .filter(import_job_issues::code.eq("near_duplicate"))
        .order((import_job_issues::row_number, import_job_issues::id))
        .limit(NEAR_DUPLICATES_SHOWN)
        .select(Issue::as_select())
        .load(conn)?)
}

/// One page of the job's report (lines of `code` only, when given), by row, and the total.
pub fn report(
    conn: &mut PgConnection,
    id: Uuid,
    code: Option<&str>,
    page: PageRequest,
) -> Result<(Vec<Issue>, i64), ApiError> {
    let filtered = || {
        let mut q = import_job_issues::table.filter(import_job_issues::job_id.eq(id)).into_boxed();
        if let Some(code) = code {
            q = q.filter(import_job_issues::code.eq(code.to_string()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let items = filtered()
        .order((import_job_issues::row_number, import_job_issues::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Issue::as_select())
        .load(conn)?;
    Ok((items, total))
}

//! The import job runner. Jobs wait in `import_jobs`; any instance takes the oldest waiting one
//! with `FOR UPDATE SKIP LOCKED` (so each runs once across replicas, and a runner that died
//! leaves its job to be taken again after [`STALE_AFTER_MINUTES`]), reads the uploaded bytes,
//! checks every row as the create endpoints check a body, finds duplicates ([`super::dedupe`]),
//! and writes the listings, the report and the job's end in one transaction. That transaction
//! first re-locks the job as still running under the same attempt, so a job taken over as stale
//! cannot be written twice. In `all_or_nothing` mode any row error writes no listing (the job is
//! `failed` with its report); in `valid_rows_only` mode the valid rows are imported.
//!
//! Imported listings are marked `imported` (the hourly creation quota counts only what users
//! create) and land where a created one would: on the market when their organisation publishes
//! directly (verified) or an admin imports them, in review otherwise.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Timestamptz};
use uuid::Uuid;

use super::dedupe;
use super::kinds::Importable;
use super::model::{Issue, JobRow};
use super::owners::{Owner, Owners};
use super::parse;
use super::record::Record;
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::clock::Clock;
use crate::db::schema::{import_job_issues, import_jobs};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::lifecycle::{self, Lifecycle};
use crate::matches::service::MatchService;
use crate::organizations::repo as org_repo;
use crate::supplies::model::Supply;
use crate::vocab::{AuditAction, AuditRecordType, ImportMode, ImportStatus, ListingKind, Role};

/// A running job not finished after this many minutes is taken again by another runner.
pub const STALE_AFTER_MINUTES: i64 = 15;
/// Rows checked between two progress updates.
const PROGRESS_EVERY: usize = 500;

/// What a runner needs.
#[derive(Clone)]
pub struct Importer {
    pub matcher: Arc<MatchService>,
    pub taxonomy: &'static Taxonomy,
    pub clock: Clock,
    pub lifecycle: Lifecycle,
    /// Similarity (0–1) from which an imported row is listed as a near-duplicate.
    pub near_duplicate_threshold: f32,
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// Takes the oldest waiting job (queued, or running but stale), marking it running; `None` when
/// there is none free.
fn claim(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Option<(JobRow, Vec<u8>)>, ApiError> {
    let claimed: Option<Claimed> = diesel::sql_query(
        "UPDATE import_jobs SET status = 'running', started_at = $1, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM import_jobs \
                     WHERE status = 'queued' OR (status = 'running' AND started_at < $1 - make_interval(mins => $2)) \
                     ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Integer, _>(STALE_AFTER_MINUTES as i32)
    .get_result(conn)
    .optional()?;
    let Some(Claimed { id }) = claimed else { return Ok(None) };
    let (row, payload): (JobRow, Option<Vec<u8>>) =
        import_jobs::table.find(id).select((JobRow::as_select(), import_jobs::payload)).first(conn)?;
    Ok(Some((row, payload.unwrap_or_default())))
}

/// The caller the job acts as.
fn actor(job: &JobRow) -> Principal {
    Principal {
        user_id: job.created_by,
        organization_id: job.actor_organization_id,
        org_kind: job.actor_org_kind,
        role: job.actor_role,
        client: None,
    }
}

/// What a finished job wrote: its status and counts.
struct Outcome {
    status: ImportStatus,
    rows_total: usize,
    imported: usize,
    duplicates: usize,
    near_duplicates: usize,
    invalid_rows: usize,
    failure: Option<String>,
}

impl Importer {
    /// Runs waiting jobs until none is left or `limit` have run; returns how many ran.
    pub fn run_pending(&self, conn: &mut PgConnection, limit: usize) -> Result<usize, ApiError> {
        let mut ran = 0;
        while ran < limit {
            let Some((job, payload)) = claim(conn, self.clock.now())? else { break };
            let started = std::time::Instant::now();
            let ran_ok = match job.kind {
                ListingKind::Supply => self.run::<Supply>(conn, &job, &payload),
                ListingKind::Demand => self.run::<Demand>(conn, &job, &payload),
            };
            match ran_ok {
                Ok(()) => {}
                // The database went away: the job stays running and is taken again once stale.
                Err(e @ ApiError::Unavailable) => return Err(e),
                // Anything else would fail again: the job fails (nothing of it was written).
                Err(e) => {
                    tracing::error!(job = %job.id, error = %e, "import job failed");
                    let outcome = Outcome {
                        status: ImportStatus::Failed,
                        rows_total: usize::try_from(job.rows_total).unwrap_or_default(),
                        imported: 0,
                        duplicates: 0,
                        near_duplicates: 0,
                        invalid_rows: 0,
                        failure: Some(
                            "the import could not be completed (logged on the server); nothing was imported".into(),
                        ),
                    };
                    let now = self.clock.now();
                    conn.transaction(|conn| finish(conn, &job, &outcome, &[], now))?;
                }
            }
            tracing::info!(job = %job.id, elapsed_ms = started.elapsed().as_millis() as u64, "import job ran");
            ran += 1;
        }
        Ok(ran)
    }

    fn progress(conn: &mut PgConnection, job: Uuid, done: usize, total: usize) -> Result<(), ApiError> {
        diesel::update(import_jobs::table.find(job))
            .set((
                import_jobs::rows_done.eq(i32::try_from(done).unwrap_or(i32::MAX)),
                import_jobs::rows_total.eq(i32::try_from(total).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
        Ok(())
    }

    fn run<L: Importable>(&self, conn: &mut PgConnection, job: &JobRow, payload: &[u8]) -> Result<(), ApiError> {
        let rows = match parse::rows(job.format, payload) {
            Ok(rows) => rows,
            Err(reason) => {
                let outcome = Outcome {
                    status: ImportStatus::Failed,
                    rows_total: 0,
                    imported: 0,
                    duplicates: 0,
                    near_duplicates: 0,
                    invalid_rows: 0,
                    failure: Some(reason),
                };
                let now = self.clock.now();
                return conn.transaction(|conn| finish(conn, job, &outcome, &[], now));
            }
        };
        let total = rows.len();
        Self::progress(conn, job.id, 0, total)?;
        let records: Vec<&Record> = rows.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
        let owners = Owners::load(conn, job, &records)?;
        let mut issues: Vec<Issue> = Vec::new();
        let mut valid: Vec<(i32, Owner, L::New)> = Vec::new();
        for (i, (row, read)) in rows.into_iter().enumerate() {
            match read {
                Err(issue) => issues.push(issue),
                Ok(record) => {
                    let mut problems: Vec<Issue> = Vec::new();
                    let owner = owners.of(row, &record).map_err(|issue| problems.push(issue)).ok();
                    if let Some(owner) = &owner {
                        if !L::PUBLISHERS.contains(&owner.kind()) {
                            problems.push(Issue::new(
                                row,
                                Some("organization"),
                                "not_a_publisher",
                                format!("a {} organisation does not hold {}", owner.kind(), L::KIND.noun),
                            ));
                        }
                    }
                    match L::check(&record, self.taxonomy) {
                        Ok(new) if problems.is_empty() => {
                            if let Some(owner) = owner {
                                valid.push((row, owner, new));
                            }
                        }
                        Ok(_) => {}
                        Err(found) => problems.extend(
                            found
                                .into_iter()
                                .map(|(field, code, message)| Issue::new(row, Some(&field), code, message)),
                        ),
                    }
                    issues.extend(problems);
                }
            }
            if (i + 1) % PROGRESS_EVERY == 0 {
                Self::progress(conn, job.id, i + 1, total)?;
            }
        }
        let invalid_rows = {
            let mut rows: Vec<i32> = issues.iter().map(|i| i.row).collect();
            rows.dedup();
            rows.len()
        };
        Self::progress(conn, job.id, total, total)?;
        if invalid_rows > 0 && job.mode == ImportMode::AllOrNothing {
            let outcome = Outcome {
                status: ImportStatus::Failed,
                rows_total: total,
                imported: 0,
                duplicates: 0,
                near_duplicates: 0,
                invalid_rows,
                failure: None,
            };
            let now = self.clock.now();
            return conn.transaction(|conn| finish(conn, job, &outcome, &issues, now));
        }
        let checked = dedupe::exact::<L>(conn, valid, &mut issues)?;
        let near = dedupe::near::<L>(conn, &self.matcher, &checked, self.near_duplicate_threshold)?;
        let near_count = near.len();
        issues.extend(near);
        let now = self.clock.now();
        let inserted = conn.transaction(|conn| {
            if !still_ours(conn, job)? {
                return Ok(None);
            }
            let (inserted, skipped) = self.insert::<L>(conn, job, checked, now)?;
            issues.extend(skipped);
            let outcome = Outcome {
                status: ImportStatus::Succeeded,
                rows_total: total,
                imported: inserted.len(),
                duplicates: issues.iter().filter(|i| i.code == "duplicate").count(),
                near_duplicates: near_count,
                invalid_rows,
                failure: None,
            };
            issues.sort_by_key(|i| i.row);
            finish(conn, job, &outcome, &issues, now)?;
            Ok::<_, ApiError>(Some(inserted))
        })?;
        for listing in inserted.unwrap_or_default() {
            self.matcher.index(&listing);
        }
        Ok(())
    }

    /// Creates the organisations the rows need and inserts the listings, each placed by the
    /// lifecycle. Returns the listings inserted and a `duplicate` line for each row skipped
    /// because a listing with its `source_url` and title exists.
    fn insert<L: Importable>(
        &self,
        conn: &mut PgConnection,
        job: &JobRow,
        rows: Vec<(i32, Owner, L::New)>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<L>, Vec<Issue>), ApiError> {
        let admin = job.actor_role == Role::Admin;
        let mut created: HashMap<String, Uuid> = HashMap::new();
        let mut news = Vec::with_capacity(rows.len());
        let mut row_of: HashMap<(Uuid, String), i32> = HashMap::new();
        for (row, owner, mut new) in rows {
            let (id, verified) = match owner {
                Owner::Existing { id, verified, .. } => (id, verified),
                Owner::New(org) => {
                    let id = match created.get(&org.name_key) {
                        Some(id) => *id,
                        None => {
                            let id = org_repo::get_or_create(conn, &org)?.id;
                            created.insert(org.name_key.clone(), id);
                            id
                        }
                    };
                    (id, false)
                }
            };
            L::set_owner(&mut new, id);
            let direct = self.lifecycle.publishes_directly(verified, admin);
            let expires_at = self.lifecycle.expiry(L::KIND.kind, L::new_deadline(&new), now);
            let status = lifecycle::entry(&L::KIND, direct, expires_at, now);
            let submitted_at = (status == L::KIND.pending_review).then_some(now);
            L::place(&mut new, status, expires_at, submitted_at);
            row_of.insert((id, L::new_title(&new).to_string()), row);
            news.push(new);
        }
        let inserted = L::insert_imported(conn, &news)?;
        for listing in &inserted {
            row_of.remove(&(listing.organization_id(), listing.title().to_string()));
        }
        let skipped = row_of
            .into_values()
            .map(|row| {
                Issue::new(row, Some("source_url"), "duplicate", "a listing with the same source_url and title exists")
            })
            .collect();
        Ok((inserted, skipped))
    }
}

/// Whether the job is still running under the attempt this runner took (locked until commit).
fn still_ours(conn: &mut PgConnection, job: &JobRow) -> Result<bool, ApiError> {
    Ok(import_jobs::table
        .find(job.id)
        .filter(import_jobs::status.eq(ImportStatus::Running))
        .filter(import_jobs::attempts.eq(job.attempts))
        .select(import_jobs::id)
        .for_update()
        .first::<Uuid>(conn)
        .optional()?
        .is_some())
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Writes the report and the job's end (status, counts, the upload dropped) and the audit entry.
fn finish(
    conn: &mut PgConnection,
    job: &JobRow,
    outcome: &Outcome,
    issues: &[Issue],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if !still_ours(conn, job)? {
        return Ok(());
    }
    diesel::delete(import_job_issues::table.filter(import_job_issues::job_id.eq(job.id))).execute(conn)?;
    for chunk in issues.chunks(1000) {
        let rows: Vec<_> = chunk.iter().map(|i| (import_job_issues::job_id.eq(job.id), i)).collect();
        diesel::insert_into(import_job_issues::table).values(rows).execute(conn)?;
    }
    diesel::update(import_jobs::table.find(job.id))
        .set((
            import_jobs::status.eq(outcome.status),
            import_jobs::rows_total.eq(count(outcome.rows_total)),
            import_jobs::rows_done.eq(count(outcome.rows_total)),
            import_jobs::imported.eq(count(outcome.imported)),
            import_jobs::duplicates.eq(count(outcome.duplicates)),
            import_jobs::near_duplicates.eq(count(outcome.near_duplicates)),
            import_jobs::invalid_rows.eq(count(outcome.invalid_rows)),
            import_jobs::failure.eq(&outcome.failure),
            import_jobs::payload.eq(None::<Vec<u8>>),
            import_jobs::finished_at.eq(now),
        ))
        .execute(conn)?;
    let entry = Entry::by(
        &actor(job),
        AuditAction::ListingsImported,
        AuditRecordType::ImportJob,
        job.id,
        job.organization_id.unwrap_or(job.actor_organization_id),
    )
    .with_detail(serde_json::json!({
        "kind": job.kind,
        "format": job.format,
        "mode": job.mode,
        "status": outcome.status,
        "rows": outcome.rows_total,
        "imported": outcome.imported,
        "duplicates": outcome.duplicates,
        "near_duplicates": outcome.near_duplicates,
        "invalid_rows": outcome.invalid_rows,
    }));
    audit::record(conn, &entry)
}

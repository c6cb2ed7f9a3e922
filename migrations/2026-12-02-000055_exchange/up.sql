-- 信息汇交 (issue 17, item 6): bulk imports as jobs taken by one replica at a time
-- (`FOR UPDATE SKIP LOCKED`), their per-row report, and the audit actions of imports and exports.
CREATE TABLE import_jobs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Who asked: the job runs with their rights (the audit entry names them).
    created_by UUID NOT NULL REFERENCES users (id),
    actor_organization_id UUID NOT NULL REFERENCES organizations (id),
    actor_org_kind TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    -- The organisation every row belongs to, unless rows name their own (admins, agencies).
    organization_id UUID REFERENCES organizations (id),
    kind TEXT NOT NULL CHECK (kind IN ('supply', 'demand')),
    format TEXT NOT NULL CHECK (format IN ('jsonl', 'csv', 'xlsx')),
    mode TEXT NOT NULL CHECK (mode IN ('all_or_nothing', 'valid_rows_only')),
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    -- The uploaded bytes, dropped once the job has finished.
    payload BYTEA,
    payload_bytes BIGINT NOT NULL CHECK (payload_bytes >= 0),
    rows_total INTEGER NOT NULL DEFAULT 0,
    rows_done INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    near_duplicates INTEGER NOT NULL DEFAULT 0,
    invalid_rows INTEGER NOT NULL DEFAULT 0,
    -- Why the whole file failed (unreadable), when it did.
    failure TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ
);
CREATE INDEX import_jobs_waiting ON import_jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX import_jobs_actor ON import_jobs (actor_organization_id, created_at DESC);

-- One line of a job's report: a row's problem (`field`, `code`, `message`), a duplicate skipped
-- or a near-duplicate imported (with the existing listing and the similarity).
CREATE TABLE import_job_issues (
    id BIGSERIAL PRIMARY KEY,
    job_id UUID NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    field TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    listing_id UUID,
    similarity REAL
);
CREATE INDEX import_job_issues_job ON import_job_issues (job_id, row_number, id);

INSERT INTO audit_actions (name) VALUES ('listings_imported'), ('listings_exported');
INSERT INTO audit_record_types (name) VALUES ('import_job');

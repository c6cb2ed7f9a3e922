-- Issue 12: listings that stay true. Review before publication, expiry and renewal, the
-- completeness facts buyers ask for, lifecycle events for the statistics, the notification
-- outbox and the record of scheduled job runs. docs/API.md, "Listing lifecycle", has the states.

-- The new statuses: pending_review, changes_requested, rejected (review) and expired.
ALTER TABLE supplies DROP CONSTRAINT supplies_status_check;
ALTER TABLE supplies ADD CONSTRAINT supplies_status_check CHECK (status IN
    ('draft', 'pending_review', 'changes_requested', 'rejected', 'published', 'expired', 'archived'));
ALTER TABLE demands DROP CONSTRAINT demands_status_check;
ALTER TABLE demands ADD CONSTRAINT demands_status_check CHECK (status IN
    ('draft', 'pending_review', 'changes_requested', 'rejected', 'open', 'closed', 'expired', 'withdrawn'));

-- When the listing leaves the market unless confirmed or renewed (set by the service from its
-- clock: a demand's deadline, otherwise the validity period), and when its current review began.
ALTER TABLE supplies ADD COLUMN expires_at TIMESTAMPTZ, ADD COLUMN submitted_at TIMESTAMPTZ;
ALTER TABLE demands ADD COLUMN expires_at TIMESTAMPTZ, ADD COLUMN submitted_at TIMESTAMPTZ;
-- Existing rows: the default validity from their creation (365 days for supplies, 180 for
-- demands), or the end of a demand's deadline day in China (UTC+8).
UPDATE supplies SET expires_at = created_at + interval '365 days';
UPDATE demands SET expires_at = CASE
    WHEN deadline IS NOT NULL THEN ((deadline + 1)::timestamp AT TIME ZONE 'UTC') - interval '8 hours'
    ELSE created_at + interval '180 days' END;
-- The service always sends its own value (from its clock and settings); the defaults serve rows
-- written by other SQL (fixtures, an operator's statement).
ALTER TABLE supplies ALTER COLUMN expires_at SET NOT NULL, ALTER COLUMN expires_at SET DEFAULT now() + interval '365 days';
ALTER TABLE demands ALTER COLUMN expires_at SET NOT NULL, ALTER COLUMN expires_at SET DEFAULT now() + interval '180 days';

-- Completeness facts (advice, never required): the number of a registered right, and where the
-- technology is or would be applied.
ALTER TABLE supplies ADD COLUMN ip_number TEXT CHECK (char_length(ip_number) <= 100),
    ADD COLUMN application_scenario TEXT CHECK (char_length(application_scenario) <= 2000);
ALTER TABLE demands ADD COLUMN application_scenario TEXT CHECK (char_length(application_scenario) <= 2000);

-- The expiry sweep and reminders read listings on the market by expiry; the review queue reads
-- pending ones oldest first.
CREATE INDEX supplies_published_expires_idx ON supplies (expires_at) WHERE status = 'published';
CREATE INDEX demands_open_expires_idx ON demands (expires_at) WHERE status = 'open';
CREATE INDEX supplies_review_queue_idx ON supplies (submitted_at, id) WHERE status = 'pending_review';
CREATE INDEX demands_review_queue_idx ON demands (submitted_at, id) WHERE status = 'pending_review';

-- Review decisions, expiries, renewals and confirmations of listings, append-only: what the
-- statistics count (review turnaround, expired and renewed listings). `actor_id` is NULL for the
-- scheduled expiry sweep; `submitted_at` is when the decided review began.
CREATE TABLE listing_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    listing_kind TEXT NOT NULL CHECK (listing_kind IN ('supply', 'demand')),
    listing_id UUID NOT NULL,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    event TEXT NOT NULL CHECK (event IN ('approved', 'rejected', 'changes_requested', 'expired', 'renewed', 'confirmed')),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor_id UUID REFERENCES users (id),
    reason TEXT CHECK (reason IN ('incomplete', 'unclear_benefit', 'duplicate', 'out_of_scope', 'not_verifiable',
        'inappropriate', 'other')),
    note TEXT CHECK (char_length(note) <= 2000),
    submitted_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (event NOT IN ('rejected', 'changes_requested') OR reason IS NOT NULL)
);
CREATE INDEX listing_events_listing_idx ON listing_events (listing_id, id);
CREATE INDEX listing_events_event_idx ON listing_events (event, created_at);

CREATE FUNCTION listing_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'listing_events is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER listing_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON listing_events
    FOR EACH ROW EXECUTE FUNCTION listing_events_append_only();
CREATE TRIGGER listing_events_no_truncate
    BEFORE TRUNCATE ON listing_events
    FOR EACH STATEMENT EXECUTE FUNCTION listing_events_append_only();

-- Notifications to deliver, written in the same transaction as their cause (ARCHITECTURE.md,
-- "A notification kind"). Delivery (inbox, e-mail, webhook) is the notifications issue's: it
-- reads undelivered rows and sets `delivered_at`. `dedupe_key` makes queuing idempotent (a
-- reminder is queued once however many instances or ticks try). `payload` holds what a message
-- needs (titles, dates, links), so delivery reads no other table.
CREATE TABLE notification_outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('listing_expiring', 'listing_expired', 'listing_reviewed')),
    recipient_organization_id UUID REFERENCES organizations (id),
    recipient_user_id UUID REFERENCES users (id),
    subject_kind TEXT NOT NULL CHECK (char_length(subject_kind) BETWEEN 1 AND 40),
    subject_id UUID NOT NULL,
    payload JSONB NOT NULL DEFAULT '{}',
    dedupe_key TEXT NOT NULL UNIQUE CHECK (char_length(dedupe_key) BETWEEN 1 AND 200),
    created_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ,
    CHECK (recipient_organization_id IS NOT NULL OR recipient_user_id IS NOT NULL)
);
CREATE INDEX notification_outbox_undelivered_idx ON notification_outbox (created_at, id) WHERE delivered_at IS NULL;
CREATE INDEX notification_outbox_subject_idx ON notification_outbox (subject_id);

-- Each run of a scheduled job (src/jobs.rs) by the instance that held the job's advisory lock:
-- which instance, when, and how many rows it changed. Idle runs older than a day are pruned.
CREATE TABLE job_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job TEXT NOT NULL CHECK (char_length(job) BETWEEN 1 AND 60),
    instance_id TEXT NOT NULL CHECK (char_length(instance_id) BETWEEN 1 AND 200),
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    rows_affected BIGINT NOT NULL CHECK (rows_affected >= 0)
);
CREATE INDEX job_runs_job_started_idx ON job_runs (job, started_at);

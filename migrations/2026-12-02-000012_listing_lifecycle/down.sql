DROP TABLE job_runs;
DROP TABLE notification_outbox;
DROP TABLE listing_events;
DROP FUNCTION listing_events_append_only();

DROP INDEX supplies_published_expires_idx;
DROP INDEX demands_open_expires_idx;
DROP INDEX supplies_review_queue_idx;
DROP INDEX demands_review_queue_idx;

ALTER TABLE supplies DROP COLUMN ip_number, DROP COLUMN application_scenario;
ALTER TABLE demands DROP COLUMN application_scenario;
ALTER TABLE supplies DROP COLUMN expires_at, DROP COLUMN submitted_at;
ALTER TABLE demands DROP COLUMN expires_at, DROP COLUMN submitted_at;

-- Listings in the new statuses become drafts (private), as they were not on the market.
ALTER TABLE supplies DROP CONSTRAINT supplies_status_check;
UPDATE supplies SET status = 'draft' WHERE status IN ('pending_review', 'changes_requested', 'rejected', 'expired');
ALTER TABLE supplies ADD CONSTRAINT supplies_status_check CHECK (status IN ('draft', 'published', 'archived'));
ALTER TABLE demands DROP CONSTRAINT demands_status_check;
UPDATE demands SET status = 'draft' WHERE status IN ('pending_review', 'changes_requested', 'rejected', 'expired');
ALTER TABLE demands ADD CONSTRAINT demands_status_check CHECK (status IN ('draft', 'open', 'closed', 'withdrawn'));

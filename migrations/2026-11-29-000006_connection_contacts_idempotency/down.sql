DROP INDEX connection_events_to_status_idx;
DROP INDEX connections_broker_idx;
DROP TABLE idempotency_keys;
ALTER TABLE organizations DROP COLUMN contact_phone, DROP COLUMN contact_email;

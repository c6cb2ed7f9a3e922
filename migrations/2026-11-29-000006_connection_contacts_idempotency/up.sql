-- Contact details of an organisation, revealed to the other party of a connection once it is
-- `contacted` or later.
ALTER TABLE organizations
    ADD COLUMN contact_email TEXT CHECK (char_length(contact_email) <= 254),
    ADD COLUMN contact_phone TEXT CHECK (char_length(contact_phone) <= 40);

-- Responses of POSTs sent with an `Idempotency-Key`, per user: a retry returns the first answer.
CREATE TABLE idempotency_keys (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key TEXT NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    request_hash TEXT NOT NULL,
    status SMALLINT NOT NULL,
    body JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

CREATE INDEX connections_broker_idx ON connections (broker_id) WHERE broker_id IS NOT NULL;
CREATE INDEX connection_events_to_status_idx ON connection_events (to_status, created_at);

-- Delivery of the notification outbox (issue 13): the inbox, channel preferences, the e-mail
-- queue and webhooks. The outbox (000012) stays the one place causes write to; the fan-out job
-- turns each outbox row into inbox rows, queued e-mails and webhook deliveries in one transaction.

INSERT INTO notification_kinds (name) VALUES ('webhook_disabled');

-- A reader's language for notifications (no row or NULL: the request's Accept-Language, else Chinese).
CREATE TABLE notification_settings (
    user_id UUID PRIMARY KEY REFERENCES users (id),
    locale TEXT CHECK (locale IN ('zh', 'en'))
);

-- The inbox: one row per outbox row and recipient user. The payload is copied so the inbox
-- renders in the reader's language without reading the outbox.
CREATE TABLE notifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id BIGINT NOT NULL REFERENCES notification_outbox (id),
    user_id UUID NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL REFERENCES notification_kinds (name),
    subject_kind TEXT NOT NULL,
    subject_id UUID NOT NULL,
    payload JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ,
    -- 'daily' or 'weekly' while the notification waits for its digest; NULL otherwise.
    digest TEXT CHECK (digest IN ('daily', 'weekly')),
    digested_at TIMESTAMPTZ,
    UNIQUE (outbox_id, user_id)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_digest_idx ON notifications (digest, user_id) WHERE digest IS NOT NULL AND digested_at IS NULL;

-- E-mail per user and kind (the inbox is always on); no row: the default of the kind.
CREATE TABLE notification_preferences (
    user_id UUID NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL REFERENCES notification_kinds (name),
    email TEXT NOT NULL CHECK (email IN ('off', 'instant', 'daily', 'weekly')),
    PRIMARY KEY (user_id, kind)
);

-- Mail to send: instant notifications, digests (and later account mail). `message_id` is the
-- Message-ID header and unique, so one message is queued once; a row is sent when `sent_at` is set.
CREATE TABLE email_outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE CHECK (char_length(message_id) BETWEEN 1 AND 250),
    user_id UUID REFERENCES users (id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT,
    sent_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ
);
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Webhook endpoints of an organisation (its owners manage them).
CREATE TABLE webhook_endpoints (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    url TEXT NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2000),
    secret TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    disabled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (organization_id);

-- One delivery of one outbox row to one endpoint; `id` is the idempotency id the receiver sees
-- (`X-Techmatch-Delivery`). `body` is the exact JSON signed and sent on every attempt.
CREATE TABLE webhook_deliveries (
    id UUID PRIMARY KEY,
    endpoint_id UUID NOT NULL REFERENCES webhook_endpoints (id),
    outbox_id BIGINT NOT NULL REFERENCES notification_outbox (id),
    kind TEXT NOT NULL REFERENCES notification_kinds (name),
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at TIMESTAMPTZ,
    UNIQUE (endpoint_id, outbox_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC);

-- Every attempt of a delivery: the delivery log an organisation reads.
CREATE TABLE webhook_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id UUID NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at TIMESTAMPTZ NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

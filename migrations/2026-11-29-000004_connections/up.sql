-- Connections (对接) between one demand and one supply, and their append-only outcome log.
CREATE TABLE connections (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    demand_id UUID NOT NULL REFERENCES demands (id),
    supply_id UUID NOT NULL REFERENCES supplies (id),
    status TEXT NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'contacted', 'negotiating', 'signed', 'failed', 'withdrawn')),
    opened_by UUID REFERENCES users (id),
    broker_id UUID REFERENCES users (id),
    match_score REAL,
    match_explanation JSONB,
    -- Contract amount in fen (0.01 CNY); required once signed.
    contract_amount_fen BIGINT CHECK (contract_amount_fen >= 0),
    contract_type TEXT CHECK (contract_type IN ('development', 'transfer', 'license', 'consulting', 'service')),
    contract_registration_no TEXT CHECK (char_length(contract_registration_no) <= 64),
    failure_reason TEXT CHECK (failure_reason IN ('price_gap', 'technology_too_early', 'benefit_unclear',
        'no_response', 'ip_issue', 'capacity', 'other')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (status <> 'signed' OR (contract_amount_fen IS NOT NULL AND contract_type IS NOT NULL)),
    CHECK (status <> 'failed' OR failure_reason IS NOT NULL)
);
-- At most one open connection per pair.
CREATE UNIQUE INDEX connections_open_pair_key ON connections (demand_id, supply_id)
    WHERE status IN ('proposed', 'contacted', 'negotiating');
CREATE INDEX connections_supply_id_idx ON connections (supply_id);
CREATE INDEX connections_status_idx ON connections (status, created_at);

CREATE TABLE connection_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id UUID NOT NULL REFERENCES connections (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id UUID REFERENCES users (id),
    note TEXT CHECK (char_length(note) <= 2000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX connection_events_connection_idx ON connection_events (connection_id, id);

-- The outcome log is append-only: no UPDATE or DELETE, whoever asks.
CREATE FUNCTION connection_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'connection_events is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER connection_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON connection_events
    FOR EACH ROW EXECUTE FUNCTION connection_events_append_only();
CREATE TRIGGER connection_events_no_truncate
    BEFORE TRUNCATE ON connection_events
    FOR EACH STATEMENT EXECUTE FUNCTION connection_events_append_only();

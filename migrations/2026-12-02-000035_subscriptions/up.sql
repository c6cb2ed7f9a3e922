-- Subscriptions (saved searches, 订阅), the opt-out of a listing's own match notifications, and
-- the queue of listings that came on the market, which the `new_matches` job matches against the
-- subscriptions (issue "Tell people", items 1 and 2).
CREATE TABLE subscriptions (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    -- which side it watches: new supplies or new demands
    target TEXT NOT NULL CHECK (target IN ('supply', 'demand')),
    query_text TEXT,
    keywords TEXT[] NOT NULL DEFAULT '{}',
    industries TEXT[] NOT NULL DEFAULT '{}',
    region TEXT,
    trl_min SMALLINT CHECK (trl_min BETWEEN 1 AND 9),
    trl_max SMALLINT CHECK (trl_max BETWEEN 1 AND 9),
    modes TEXT[] NOT NULL DEFAULT '{}',
    min_score REAL NOT NULL CHECK (min_score >= 0 AND min_score <= 1),
    frequency TEXT NOT NULL CHECK (frequency IN ('instant', 'daily', 'weekly')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX subscriptions_user_idx ON subscriptions (user_id, created_at);

-- A listing whose own organisation does not want to hear of new matches for it.
CREATE TABLE listing_match_optouts (
    listing_id UUID PRIMARY KEY,
    listing_kind TEXT NOT NULL CHECK (listing_kind IN ('supply', 'demand')),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    created_at TIMESTAMPTZ NOT NULL
);

-- Every time a listing comes on the market (a supply becomes `published`, a demand `open`: created
-- so, approved, renewed, reopened; not imported), a trigger queues it here in the same transaction; the
-- `new_matches` job takes the unmatched rows and sets `matched_at`.
CREATE TABLE listing_market_entries (
    id BIGSERIAL PRIMARY KEY,
    listing_kind TEXT NOT NULL CHECK (listing_kind IN ('supply', 'demand')),
    listing_id UUID NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    matched_at TIMESTAMPTZ,
    -- subscriptions the engine scored for it (the standing index's candidates), and notifications queued
    scored INTEGER,
    queued INTEGER
);
CREATE INDEX listing_market_entries_pending_idx ON listing_market_entries (id) WHERE matched_at IS NULL;

CREATE FUNCTION queue_market_entry() RETURNS trigger AS $$
DECLARE
    kind TEXT := TG_ARGV[0];
    on_market TEXT := TG_ARGV[1];
BEGIN
    -- a bulk load (`techmatch import`, `imported`) is not news; its listings count once they come
    -- back on the market
    IF NEW.status = on_market
       AND ((TG_OP = 'INSERT' AND NOT NEW.imported) OR (TG_OP = 'UPDATE' AND OLD.status IS DISTINCT FROM on_market)) THEN
        INSERT INTO listing_market_entries (listing_kind, listing_id) VALUES (kind, NEW.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER supplies_market_entry AFTER INSERT OR UPDATE OF status ON supplies
    FOR EACH ROW EXECUTE FUNCTION queue_market_entry('supply', 'published');
CREATE TRIGGER demands_market_entry AFTER INSERT OR UPDATE OF status ON demands
    FOR EACH ROW EXECUTE FUNCTION queue_market_entry('demand', 'open');

INSERT INTO notification_kinds (name) VALUES
    ('new_match'), ('connection_proposed'), ('connection_accepted'), ('connection_moved'),
    ('connection_stale');

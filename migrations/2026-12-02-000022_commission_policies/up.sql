-- Commission policies for technology-transfer agencies and their brokers: a rate (basis points)
-- on the 技术交易额 of confirmed contracts or on confirmed receipts (到账), capped per agency and
-- per broker per calendar year, effective over a period. `agency_id` NULL: every agency without a
-- policy of its own. Policies of one scope never overlap (checked under a table lock).
CREATE TABLE commission_policies (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    agency_id UUID REFERENCES organizations (id),
    basis TEXT NOT NULL CHECK (basis IN ('technical_amount', 'received_amount')),
    rate_bp INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    cap_per_agency_fen BIGINT CHECK (cap_per_agency_fen BETWEEN 0 AND 1000000000000000),
    cap_per_broker_fen BIGINT CHECK (cap_per_broker_fen BETWEEN 0 AND 1000000000000000),
    effective_from DATE NOT NULL,
    effective_to DATE,
    note TEXT CHECK (char_length(note) <= 2000),
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (effective_to IS NULL OR effective_to >= effective_from)
);
CREATE INDEX commission_policies_agency_idx ON commission_policies (agency_id, effective_from);

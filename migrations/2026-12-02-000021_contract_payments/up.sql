-- Payments (到账) of a contract: instalments planned and received, entered by the seller side and
-- confirmed by the buyer side. Only confirmed receipts count as received.
CREATE TABLE contract_payments (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    contract_id UUID NOT NULL REFERENCES contracts (id),
    status TEXT NOT NULL CHECK (status IN ('planned', 'received', 'confirmed')),
    planned_on DATE,
    planned_fen BIGINT CHECK (planned_fen BETWEEN 0 AND 1000000000000000),
    received_on DATE,
    received_fen BIGINT CHECK (received_fen BETWEEN 1 AND 1000000000000000),
    -- Where the receipt can be checked: a bank slip or invoice number.
    evidence_ref TEXT CHECK (char_length(evidence_ref) BETWEEN 1 AND 200),
    note TEXT CHECK (char_length(note) <= 2000),
    entered_by UUID REFERENCES users (id),
    confirmed_by UUID REFERENCES users (id),
    confirmed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (status <> 'planned' OR (planned_on IS NOT NULL AND planned_fen IS NOT NULL)),
    CHECK (status = 'planned' OR (received_on IS NOT NULL AND received_fen IS NOT NULL AND evidence_ref IS NOT NULL)),
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
);
CREATE INDEX contract_payments_contract_idx ON contract_payments (contract_id, created_at);

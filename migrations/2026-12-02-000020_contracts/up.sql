-- Technology contracts (技术合同): one per connection, proposed by one side and confirmed by the
-- other. Only a confirmed contract (status past `disputed`) whose review is `not_required` or
-- `approved` counts in the statistics.
CREATE TABLE contracts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    connection_id UUID NOT NULL UNIQUE REFERENCES connections (id),
    status TEXT NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'disputed', 'signed', 'registered', 'in_performance', 'completed', 'terminated')),
    contract_type TEXT NOT NULL CHECK (contract_type IN ('development', 'transfer', 'license', 'consulting', 'service')),
    sub_kind TEXT CHECK (sub_kind IN ('commissioned_development', 'cooperative_development',
        'patent_transfer', 'patent_application_transfer', 'technical_secret_transfer',
        'patent_license', 'technical_secret_license', 'technical_intermediary', 'technical_training')),
    -- Contract total and its technical part (技术交易额), in fen.
    total_fen BIGINT NOT NULL CHECK (total_fen BETWEEN 0 AND 1000000000000000),
    technical_fen BIGINT NOT NULL CHECK (technical_fen >= 0 AND technical_fen <= total_fen),
    signed_on DATE NOT NULL,
    -- The term (履行期限); NULL only for contracts carried over from one-sided signing.
    term_start DATE,
    term_end DATE,
    proposed_by UUID REFERENCES users (id),
    proposer_organization_id UUID REFERENCES organizations (id),
    proposed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    proposal_note TEXT CHECK (char_length(proposal_note) <= 2000),
    disputed_by UUID REFERENCES users (id),
    dispute_note TEXT CHECK (char_length(dispute_note) <= 2000),
    confirmed_by UUID REFERENCES users (id),
    confirmed_at TIMESTAMPTZ,
    review TEXT NOT NULL DEFAULT 'not_required'
        CHECK (review IN ('not_required', 'pending', 'approved', 'rejected')),
    review_reasons TEXT[] NOT NULL DEFAULT '{}'
        CHECK (review_reasons <@ ARRAY['large_amount', 'unverified_party', 'one_sided_legacy']::text[]),
    reviewed_by UUID REFERENCES users (id),
    reviewed_at TIMESTAMPTZ,
    review_note TEXT CHECK (char_length(review_note) <= 2000),
    registration_no TEXT CHECK (registration_no ~ '^[0-9A-Za-z-]{6,32}$'),
    registered_on DATE,
    status_note TEXT CHECK (char_length(status_note) <= 2000),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (term_end IS NULL OR term_start IS NULL OR term_end >= term_start),
    CHECK (status IN ('proposed', 'disputed') OR confirmed_at IS NOT NULL),
    CHECK (status <> 'registered' OR registration_no IS NOT NULL),
    CHECK ((registration_no IS NULL) = (registered_on IS NULL))
);
CREATE INDEX contracts_signed_on_idx ON contracts (signed_on);

-- Connections signed one-sidedly before contracts existed: each becomes a contract as recorded
-- (技术交易额 = the amount, signed on the day of the `signed` event, no term), which counts only
-- once an admin approves it (review `pending`, reason `one_sided_legacy`).
INSERT INTO contracts (connection_id, status, contract_type, total_fen, technical_fen, signed_on,
                       proposed_by, proposer_organization_id, proposed_at, confirmed_at,
                       review, review_reasons, registration_no, registered_on, created_at, updated_at)
SELECT c.id, 'signed', c.contract_type, c.contract_amount_fen, c.contract_amount_fen,
       (e.created_at AT TIME ZONE 'UTC')::date, e.actor_id, u.organization_id, e.created_at, e.created_at,
       'pending', ARRAY['one_sided_legacy'], NULL, NULL, e.created_at, e.created_at
FROM connections c
JOIN LATERAL (SELECT * FROM connection_events ev WHERE ev.connection_id = c.id AND ev.to_status = 'signed'
              ORDER BY ev.id LIMIT 1) e ON true
LEFT JOIN users u ON u.id = e.actor_id
WHERE c.status = 'signed' AND c.contract_amount_fen IS NOT NULL AND c.contract_type IS NOT NULL
  AND c.contract_amount_fen <= 1000000000000000;

-- Supplies (科技成果) and demands (技术需求). Money is in fen (0.01 CNY), never negative.
-- Industries are codes of the `industries` table (checked by the service against the taxonomy).
CREATE TABLE supplies (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    summary TEXT NOT NULL CHECK (char_length(summary) BETWEEN 1 AND 5000),
    keywords TEXT[] NOT NULL DEFAULT '{}' CHECK (cardinality(keywords) <= 20),
    industries TEXT[] NOT NULL DEFAULT '{}' CHECK (cardinality(industries) <= 5),
    trl SMALLINT CHECK (trl BETWEEN 1 AND 9),
    ip_type TEXT CHECK (ip_type IN ('invention_patent', 'utility_model', 'design_patent', 'software_copyright',
                                    'plant_variety', 'integrated_circuit_layout', 'technical_secret', 'none')),
    transfer_modes TEXT[] NOT NULL DEFAULT '{}' CHECK (transfer_modes <@ ARRAY['transfer', 'license', 'equity',
        'joint_development', 'technical_service', 'technical_consulting']::TEXT[]),
    price_fen BIGINT CHECK (price_fen >= 0),
    region TEXT CHECK (char_length(region) <= 100),
    status TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published', 'archived')),
    source_url TEXT CHECK (char_length(source_url) <= 2000),
    extra JSONB NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX supplies_organization_id_idx ON supplies (organization_id);
CREATE INDEX supplies_status_created_idx ON supplies (status, created_at DESC, id);
CREATE INDEX supplies_trl_idx ON supplies (trl);
CREATE INDEX supplies_industries_idx ON supplies USING GIN (industries);
CREATE INDEX supplies_keywords_idx ON supplies USING GIN (keywords);
CREATE UNIQUE INDEX supplies_source_key ON supplies (source_url, title) WHERE source_url IS NOT NULL;

CREATE TABLE demands (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description TEXT NOT NULL CHECK (char_length(description) BETWEEN 1 AND 5000),
    keywords TEXT[] NOT NULL DEFAULT '{}' CHECK (cardinality(keywords) <= 20),
    industries TEXT[] NOT NULL DEFAULT '{}' CHECK (cardinality(industries) <= 5),
    -- The lowest technology readiness level the enterprise will take.
    trl_min SMALLINT CHECK (trl_min BETWEEN 1 AND 9),
    budget_fen BIGINT CHECK (budget_fen >= 0),
    deadline DATE,
    cooperation_modes TEXT[] NOT NULL DEFAULT '{}' CHECK (cooperation_modes <@ ARRAY['transfer', 'license', 'equity',
        'joint_development', 'technical_service', 'technical_consulting']::TEXT[]),
    region TEXT CHECK (char_length(region) <= 100),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'closed', 'withdrawn')),
    source_url TEXT CHECK (char_length(source_url) <= 2000),
    extra JSONB NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX demands_organization_id_idx ON demands (organization_id);
CREATE INDEX demands_status_created_idx ON demands (status, created_at DESC, id);
CREATE INDEX demands_industries_idx ON demands USING GIN (industries);
CREATE INDEX demands_keywords_idx ON demands USING GIN (keywords);
CREATE UNIQUE INDEX demands_source_key ON demands (source_url, title) WHERE source_url IS NOT NULL;

-- Challenges (揭榜挂帅 / 挑战赛): a demand published with a reward, an application window,
-- eligibility, milestones and weighted evaluation criteria; applications (揭榜), the review panel,
-- declared conflicts and scores; the connection an award opens is linked to its challenge.
CREATE TABLE challenges (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    demand_id UUID NOT NULL REFERENCES demands (id),
    -- The demand's organisation: the challenge's owner (also when an admin created it for them).
    organization_id UUID NOT NULL REFERENCES organizations (id),
    created_by UUID REFERENCES users (id),
    title TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description TEXT NOT NULL CHECK (char_length(description) BETWEEN 1 AND 5000),
    -- Reward or budget in fen (0.01 CNY).
    reward_fen BIGINT NOT NULL CHECK (reward_fen BETWEEN 0 AND 1000000000000000),
    opens_at TIMESTAMPTZ NOT NULL,
    closes_at TIMESTAMPTZ NOT NULL,
    -- Organisation kinds that may apply, and regions (empty: any region).
    eligible_kinds TEXT[] NOT NULL,
    eligible_regions TEXT[] NOT NULL DEFAULT '{}',
    -- [{"title": …, "due_on": "YYYY-MM-DD"}]
    milestones JSONB NOT NULL DEFAULT '[]',
    -- [{"name": …, "weight": 1–100}], weights summing to 100
    criteria JSONB NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'screening', 'open', 'closed', 'evaluating',
        'awarded', 'no_award', 'cancelled')),
    status_note TEXT CHECK (char_length(status_note) <= 2000),
    opened_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    decided_at TIMESTAMPTZ,
    result_note TEXT CHECK (char_length(result_note) <= 2000),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (closes_at > opens_at)
);
CREATE INDEX challenges_open_closes_idx ON challenges (closes_at) WHERE status = 'open';
CREATE INDEX challenges_status_idx ON challenges (status, created_at);
CREATE INDEX challenges_demand_idx ON challenges (demand_id);

CREATE TABLE challenge_applications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    challenge_id UUID NOT NULL REFERENCES challenges (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    submitted_by UUID REFERENCES users (id),
    proposal TEXT NOT NULL CHECK (char_length(proposal) BETWEEN 1 AND 5000),
    team_summary TEXT NOT NULL CHECK (char_length(team_summary) BETWEEN 1 AND 2000),
    price_fen BIGINT NOT NULL CHECK (price_fen BETWEEN 0 AND 1000000000000000),
    duration_days INTEGER NOT NULL CHECK (duration_days BETWEEN 1 AND 3650),
    supply_ids UUID[] NOT NULL,
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'withdrawn', 'awarded', 'not_awarded')),
    connection_id UUID REFERENCES connections (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (cardinality(supply_ids) BETWEEN 1 AND 5)
);
-- One application per organisation and challenge, unless withdrawn.
CREATE UNIQUE INDEX challenge_applications_one_per_org ON challenge_applications (challenge_id, organization_id)
    WHERE status <> 'withdrawn';

-- The review panel (评审专家) an admin appoints.
CREATE TABLE challenge_reviewers (
    challenge_id UUID NOT NULL REFERENCES challenges (id),
    user_id UUID NOT NULL REFERENCES users (id),
    appointed_by UUID REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (challenge_id, user_id)
);

-- Conflicts of interest a reviewer declared on an application (回避).
CREATE TABLE challenge_conflicts (
    application_id UUID NOT NULL REFERENCES challenge_applications (id),
    reviewer_id UUID NOT NULL REFERENCES users (id),
    note TEXT CHECK (char_length(note) <= 2000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, reviewer_id)
);

-- A reviewer's scores of an application: one 0–100 score per criterion, in the criteria's order.
CREATE TABLE challenge_scores (
    application_id UUID NOT NULL REFERENCES challenge_applications (id),
    reviewer_id UUID NOT NULL REFERENCES users (id),
    scores INTEGER[] NOT NULL,
    comment TEXT CHECK (char_length(comment) <= 2000),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, reviewer_id)
);

-- The connection an award opened, linked to its challenge.
ALTER TABLE connections ADD COLUMN challenge_id UUID REFERENCES challenges (id);
CREATE INDEX connections_challenge_idx ON connections (challenge_id) WHERE challenge_id IS NOT NULL;

INSERT INTO audit_actions (name) VALUES
    ('challenge_created'), ('challenge_status_changed'), ('challenge_reviewer_appointed'),
    ('challenge_awarded'), ('challenge_application_submitted'), ('challenge_application_withdrawn'),
    ('challenge_conflict_declared'), ('challenge_application_scored');
INSERT INTO audit_record_types (name) VALUES ('challenge'), ('challenge_application');
INSERT INTO notification_kinds (name) VALUES ('challenge_suggested');

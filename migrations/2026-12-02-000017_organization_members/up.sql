-- Issue 12, item 6: organisation members. Within its organisation a user is an `owner` (invites
-- colleagues, changes their organisation role, deactivates them) or a `member`; the platform
-- role (`users.role`: member, broker, admin) is unchanged. The oldest user of each organisation
-- becomes its owner.
ALTER TABLE users ADD COLUMN organization_role TEXT NOT NULL DEFAULT 'member'
    CHECK (organization_role IN ('owner', 'member'));
UPDATE users u SET organization_role = 'owner'
FROM (SELECT DISTINCT ON (organization_id) id FROM users ORDER BY organization_id, created_at, id) first
WHERE u.id = first.id;

-- Invitations: the token is returned once (to the owner) and stored as its SHA-256 digest.
-- Accepting one registers a new account in the organisation (`accepted_user_id`); a revoked or
-- expired one can no longer be accepted.
CREATE TABLE invitations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    organization_role TEXT NOT NULL CHECK (organization_role IN ('owner', 'member')),
    token_hash TEXT NOT NULL UNIQUE CHECK (char_length(token_hash) = 64),
    invited_by UUID NOT NULL REFERENCES users (id),
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    accepted_user_id UUID REFERENCES users (id),
    -- An owner may take a pending invitation back.
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((accepted_at IS NULL) = (accepted_user_id IS NULL))
);
CREATE INDEX invitations_organization_idx ON invitations (organization_id, created_at);

-- E-mail verification at registration (issue 13, item 5). A user's address is verified when they
-- use the single-use token mailed at registration (or on request), valid 48 hours by the lifecycle
-- clock and stored as its SHA-256 digest only. Accepting an invitation and resetting the password
-- prove the address too. Accounts that existed before this migration have been in use under
-- their address and are taken as verified from their creation.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;
UPDATE users SET email_verified_at = created_at;

CREATE TABLE email_verifications (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX email_verifications_user_idx ON email_verifications (user_id);

INSERT INTO audit_actions (name) VALUES ('email_verified'), ('registration_with_taken_email');

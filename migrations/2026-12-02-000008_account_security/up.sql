-- What an access token is checked against on every request (docs/SECURITY.md): when the user
-- last changed their password (tokens issued before are refused; NULL: never changed since the
-- account was created) and whether an operator has deactivated the account (refused at once,
-- also at login and refresh).
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMPTZ;

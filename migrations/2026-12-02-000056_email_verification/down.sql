-- The lookup values go only while no audit entry uses them (the log is append-only).
DELETE FROM audit_actions WHERE name IN ('email_verified', 'registration_with_taken_email');
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;

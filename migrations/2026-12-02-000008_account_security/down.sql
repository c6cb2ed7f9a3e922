ALTER TABLE users DROP COLUMN deactivated_at;
ALTER TABLE users DROP COLUMN password_changed_at;

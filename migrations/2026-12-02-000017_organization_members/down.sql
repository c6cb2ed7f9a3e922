DROP TABLE invitations;
ALTER TABLE users DROP COLUMN organization_role;

DROP INDEX connections_opened_by_created_idx;
DROP INDEX demands_organization_open_idx;
DROP INDEX supplies_organization_published_idx;
CREATE INDEX demands_organization_id_idx ON demands (organization_id);
DROP INDEX demands_organization_created_idx;
CREATE INDEX supplies_organization_id_idx ON supplies (organization_id);
DROP INDEX supplies_organization_created_idx;

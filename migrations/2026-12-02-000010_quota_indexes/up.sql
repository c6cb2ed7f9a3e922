-- Indexes of the per-organisation quotas (src/quota.rs, issue 11 item 5), counted in the
-- creating transaction of every listing and connection.

-- Listings created by an organisation in the last hour. Leads with the organisation, so it
-- also serves every lookup the single-column index served; that one goes.
CREATE INDEX supplies_organization_created_idx ON supplies (organization_id, created_at);
DROP INDEX supplies_organization_id_idx;
CREATE INDEX demands_organization_created_idx ON demands (organization_id, created_at);
DROP INDEX demands_organization_id_idx;

-- An organisation's listings on the market (published supplies, open demands).
CREATE INDEX supplies_organization_published_idx ON supplies (organization_id) WHERE status = 'published';
CREATE INDEX demands_organization_open_idx ON demands (organization_id) WHERE status = 'open';

-- Connections opened by a user (and so by an organisation's users) in the last day.
CREATE INDEX connections_opened_by_created_idx ON connections (opened_by, created_at) WHERE opened_by IS NOT NULL;

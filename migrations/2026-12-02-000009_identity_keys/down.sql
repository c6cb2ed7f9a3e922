DROP TABLE contact_views;
DROP TABLE connection_acceptances;

DROP TRIGGER demands_clear_off_market_reason ON demands;
DROP TRIGGER supplies_clear_off_market_reason ON supplies;
DROP FUNCTION techmatch_clear_off_market_reason();
ALTER TABLE demands DROP COLUMN off_market_reason;
ALTER TABLE supplies DROP COLUMN off_market_reason;

DROP INDEX organizations_name_key_key;
DROP TRIGGER organizations_fill_name_key ON organizations;
DROP FUNCTION techmatch_fill_name_key();
ALTER TABLE organizations DROP COLUMN name_key;
DROP FUNCTION techmatch_name_key(TEXT);

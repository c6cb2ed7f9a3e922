ALTER TABLE supplies DROP COLUMN region_code;
ALTER TABLE demands DROP COLUMN region_code;
ALTER TABLE organizations DROP COLUMN region_code;

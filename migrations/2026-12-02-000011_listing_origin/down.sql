ALTER TABLE demands DROP COLUMN imported;
ALTER TABLE supplies DROP COLUMN imported;

-- Which transaction last wrote each listing, so that every instance's matching-index poll reads
-- each change once: a poll reads the rows whose changed_xid is at least the oldest transaction
-- still running when the previous poll began (pg_snapshot_xmin), instead of a time window.
-- xid8 is PostgreSQL's 64-bit, never-wrapping transaction id (PostgreSQL 13+).
ALTER TABLE supplies ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE demands ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();

CREATE FUNCTION techmatch_stamp_changed_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_xid := pg_current_xact_id();
    RETURN NEW;
END
$$;

CREATE TRIGGER supplies_changed_xid BEFORE INSERT OR UPDATE ON supplies
    FOR EACH ROW EXECUTE FUNCTION techmatch_stamp_changed_xid();
CREATE TRIGGER demands_changed_xid BEFORE INSERT OR UPDATE ON demands
    FOR EACH ROW EXECUTE FUNCTION techmatch_stamp_changed_xid();

CREATE INDEX supplies_changed_xid_idx ON supplies (changed_xid);
CREATE INDEX demands_changed_xid_idx ON demands (changed_xid);

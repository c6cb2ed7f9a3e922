DROP TRIGGER demands_changed_xid ON demands;
DROP TRIGGER supplies_changed_xid ON supplies;
DROP FUNCTION techmatch_stamp_changed_xid();
ALTER TABLE demands DROP COLUMN changed_xid;
ALTER TABLE supplies DROP COLUMN changed_xid;

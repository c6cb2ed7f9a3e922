-- Values of audit actions, audited record types and notification kinds move from CHECK lists to
-- lookup tables referenced by foreign key. The database still refuses a value it does not know,
-- and a feature that adds values (challenges, events, imports, notifications) adds rows in its own
-- migration (`INSERT INTO audit_actions VALUES (...)`) instead of restating every earlier value in
-- a new CHECK, which two features written side by side would each overwrite.
CREATE TABLE audit_actions (name TEXT PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,59}$'));
CREATE TABLE audit_record_types (name TEXT PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,59}$'));
CREATE TABLE notification_kinds (name TEXT PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,59}$'));

INSERT INTO audit_actions (name) VALUES
    ('listing_created'), ('listing_updated'), ('listing_status_changed'),
    ('listing_reviewed'), ('listing_expired'), ('listing_renewed'),
    ('organization_verification_set'),
    ('account_registered'), ('member_invited'), ('invitation_revoked'), ('invitation_accepted'),
    ('member_role_changed'), ('member_deactivated'),
    ('connections_exported'), ('contacts_viewed'),
    ('signed_in'), ('sign_in_failed'),
    ('contract_proposed'), ('contract_confirmed'), ('contract_disputed'), ('contract_reviewed'),
    ('contract_registered'), ('contract_status_changed'), ('payment_recorded'), ('payment_confirmed'),
    ('commission_policy_created');
INSERT INTO audit_record_types (name) VALUES
    ('supply'), ('demand'), ('organization'), ('user'), ('invitation'), ('connection'),
    ('contract'), ('payment'), ('commission_policy');
INSERT INTO notification_kinds (name) VALUES
    ('listing_expiring'), ('listing_expired'), ('listing_reviewed');

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_record_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_fkey
    FOREIGN KEY (action) REFERENCES audit_actions (name);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_record_type_fkey
    FOREIGN KEY (record_type) REFERENCES audit_record_types (name);

ALTER TABLE notification_outbox DROP CONSTRAINT notification_outbox_kind_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_kind_fkey
    FOREIGN KEY (kind) REFERENCES notification_kinds (name);

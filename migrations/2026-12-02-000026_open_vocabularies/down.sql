ALTER TABLE notification_outbox DROP CONSTRAINT notification_outbox_kind_fkey;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_record_type_fkey;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_fkey;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_kind_check
    CHECK (kind IN ('listing_expiring', 'listing_expired', 'listing_reviewed'));
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
        'listing_created', 'listing_updated', 'listing_status_changed',
        'listing_reviewed', 'listing_expired', 'listing_renewed',
        'organization_verification_set',
        'account_registered', 'member_invited', 'invitation_revoked', 'invitation_accepted', 'member_role_changed', 'member_deactivated',
        'connections_exported', 'contacts_viewed',
        'signed_in', 'sign_in_failed',
        'contract_proposed', 'contract_confirmed', 'contract_disputed', 'contract_reviewed',
        'contract_registered', 'contract_status_changed', 'payment_recorded', 'payment_confirmed',
        'commission_policy_created'));
ALTER TABLE audit_log ADD CONSTRAINT audit_log_record_type_check CHECK (record_type IN (
        'supply', 'demand', 'organization', 'user', 'invitation', 'connection',
        'contract', 'payment', 'commission_policy'));
DROP TABLE notification_kinds;
DROP TABLE audit_record_types;
DROP TABLE audit_actions;

-- Issue 12, item 5: the audit log. Who (user, their organisation, client address) did what
-- (`action`) to which record (`record_type`, `record_id`, owned by `organization_id`), when, with
-- the changed fields before and after (`changes`) and other facts (`detail`). Written by the
-- service in the transaction of the action itself (src/audit). No foreign keys: the log outlives
-- what it names. Append-only like connection_events: no UPDATE, DELETE or TRUNCATE, whoever asks.
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_id UUID,
    actor_organization_id UUID,
    client_addr TEXT CHECK (char_length(client_addr) <= 45),
    action TEXT NOT NULL CHECK (action IN (
        'listing_created', 'listing_updated', 'listing_status_changed',
        'listing_reviewed', 'listing_expired', 'listing_renewed',
        'organization_verification_set',
        'account_registered', 'member_invited', 'invitation_revoked', 'invitation_accepted', 'member_role_changed', 'member_deactivated',
        'connections_exported', 'contacts_viewed',
        'signed_in', 'sign_in_failed',
        'contract_proposed', 'contract_confirmed', 'contract_disputed', 'contract_reviewed',
        'contract_registered', 'contract_status_changed', 'payment_recorded', 'payment_confirmed',
        'commission_policy_created')),
    record_type TEXT NOT NULL CHECK (record_type IN (
        'supply', 'demand', 'organization', 'user', 'invitation', 'connection',
        'contract', 'payment', 'commission_policy')),
    record_id UUID,
    organization_id UUID,
    changes JSONB NOT NULL DEFAULT '{}',
    detail JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at, id);
CREATE INDEX audit_log_organization_idx ON audit_log (organization_id, occurred_at) WHERE organization_id IS NOT NULL;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, occurred_at) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_log_record_idx ON audit_log (record_type, record_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

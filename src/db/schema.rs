// Diesel table definitions for the migrations in `migrations/` (the shape `diesel print-schema`
// gives, with text arrays declared non-null since the service never stores NULL elements).

diesel::table! {
    organizations (id) {
        id -> Uuid,
        kind -> Text,
        name -> Text,
        region -> Nullable<Text>,
        credit_code -> Nullable<Text>,
        verification -> Text,
        is_placeholder -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        name_key -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        organization_id -> Uuid,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        password_changed_at -> Nullable<Timestamptz>,
        deactivated_at -> Nullable<Timestamptz>,
        organization_role -> Text,
    }
}

diesel::table! {
    industry_groups (code) {
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        position -> Int2,
    }
}

diesel::table! {
    industries (code) {
        code -> Text,
        group_code -> Text,
        name_zh -> Text,
        name_en -> Text,
        aliases -> Array<Text>,
        position -> Int2,
    }
}

diesel::table! {
    supplies (id) {
        id -> Uuid,
        organization_id -> Uuid,
        title -> Text,
        summary -> Text,
        keywords -> Array<Text>,
        industries -> Array<Text>,
        trl -> Nullable<Int2>,
        ip_type -> Nullable<Text>,
        transfer_modes -> Array<Text>,
        price_fen -> Nullable<Int8>,
        region -> Nullable<Text>,
        status -> Text,
        source_url -> Nullable<Text>,
        extra -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        off_market_reason -> Nullable<Text>,
        imported -> Bool,
        expires_at -> Timestamptz,
        submitted_at -> Nullable<Timestamptz>,
        ip_number -> Nullable<Text>,
        application_scenario -> Nullable<Text>,
    }
}

diesel::table! {
    demands (id) {
        id -> Uuid,
        organization_id -> Uuid,
        title -> Text,
        description -> Text,
        keywords -> Array<Text>,
        industries -> Array<Text>,
        trl_min -> Nullable<Int2>,
        budget_fen -> Nullable<Int8>,
        deadline -> Nullable<Date>,
        cooperation_modes -> Array<Text>,
        region -> Nullable<Text>,
        status -> Text,
        source_url -> Nullable<Text>,
        extra -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        off_market_reason -> Nullable<Text>,
        imported -> Bool,
        expires_at -> Timestamptz,
        submitted_at -> Nullable<Timestamptz>,
        application_scenario -> Nullable<Text>,
    }
}

diesel::table! {
    connections (id) {
        id -> Uuid,
        demand_id -> Uuid,
        supply_id -> Uuid,
        status -> Text,
        opened_by -> Nullable<Uuid>,
        broker_id -> Nullable<Uuid>,
        match_score -> Nullable<Float4>,
        match_explanation -> Nullable<Jsonb>,
        contract_amount_fen -> Nullable<Int8>,
        contract_type -> Nullable<Text>,
        contract_registration_no -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    connection_events (id) {
        id -> Int8,
        connection_id -> Uuid,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Nullable<Uuid>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Uuid,
        key -> Text,
        request_hash -> Text,
        status -> Int2,
        body -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    connection_acceptances (connection_id, organization_id) {
        connection_id -> Uuid,
        organization_id -> Uuid,
        accepted_by -> Uuid,
        accepted_at -> Timestamptz,
    }
}

diesel::table! {
    contact_views (id) {
        id -> Int8,
        connection_id -> Uuid,
        viewer_id -> Uuid,
        viewed_at -> Timestamptz,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_organization_id -> Nullable<Uuid>,
        client_addr -> Nullable<Text>,
        action -> Text,
        record_type -> Text,
        record_id -> Nullable<Uuid>,
        organization_id -> Nullable<Uuid>,
        changes -> Jsonb,
        detail -> Jsonb,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        organization_id -> Uuid,
        email -> Text,
        organization_role -> Text,
        token_hash -> Text,
        invited_by -> Uuid,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        accepted_user_id -> Nullable<Uuid>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listing_events (id) {
        id -> Int8,
        listing_kind -> Text,
        listing_id -> Uuid,
        organization_id -> Uuid,
        event -> Text,
        from_status -> Text,
        to_status -> Text,
        actor_id -> Nullable<Uuid>,
        reason -> Nullable<Text>,
        note -> Nullable<Text>,
        submitted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    notification_outbox (id) {
        id -> Int8,
        kind -> Text,
        recipient_organization_id -> Nullable<Uuid>,
        recipient_user_id -> Nullable<Uuid>,
        subject_kind -> Text,
        subject_id -> Uuid,
        payload -> Jsonb,
        dedupe_key -> Text,
        created_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    job_runs (id) {
        id -> Int8,
        job -> Text,
        instance_id -> Text,
        started_at -> Timestamptz,
        finished_at -> Timestamptz,
        rows_affected -> Int8,
    }
}

diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(listing_events -> organizations (organization_id));
diesel::joinable!(industries -> industry_groups (group_code));
diesel::joinable!(supplies -> organizations (organization_id));
diesel::joinable!(demands -> organizations (organization_id));
diesel::joinable!(connections -> demands (demand_id));
diesel::joinable!(connections -> supplies (supply_id));
diesel::table! {
    contracts (id) {
        id -> Uuid,
        connection_id -> Uuid,
        status -> Text,
        contract_type -> Text,
        sub_kind -> Nullable<Text>,
        total_fen -> Int8,
        technical_fen -> Int8,
        signed_on -> Date,
        term_start -> Nullable<Date>,
        term_end -> Nullable<Date>,
        proposed_by -> Nullable<Uuid>,
        proposer_organization_id -> Nullable<Uuid>,
        proposed_at -> Timestamptz,
        proposal_note -> Nullable<Text>,
        disputed_by -> Nullable<Uuid>,
        dispute_note -> Nullable<Text>,
        confirmed_by -> Nullable<Uuid>,
        confirmed_at -> Nullable<Timestamptz>,
        review -> Text,
        review_reasons -> Array<Text>,
        reviewed_by -> Nullable<Uuid>,
        reviewed_at -> Nullable<Timestamptz>,
        review_note -> Nullable<Text>,
        registration_no -> Nullable<Text>,
        registered_on -> Nullable<Date>,
        status_note -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    contract_payments (id) {
        id -> Uuid,
        contract_id -> Uuid,
        status -> Text,
        planned_on -> Nullable<Date>,
        planned_fen -> Nullable<Int8>,
        received_on -> Nullable<Date>,
        received_fen -> Nullable<Int8>,
        evidence_ref -> Nullable<Text>,
        note -> Nullable<Text>,
        entered_by -> Nullable<Uuid>,
        confirmed_by -> Nullable<Uuid>,
        confirmed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    commission_policies (id) {
        id -> Uuid,
        agency_id -> Nullable<Uuid>,
        basis -> Text,
        rate_bp -> Int4,
        cap_per_agency_fen -> Nullable<Int8>,
        cap_per_broker_fen -> Nullable<Int8>,
        effective_from -> Date,
        effective_to -> Nullable<Date>,
        note -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(connection_events -> connections (connection_id));
diesel::joinable!(contracts -> connections (connection_id));
diesel::joinable!(contract_payments -> contracts (contract_id));
diesel::joinable!(connection_acceptances -> connections (connection_id));
diesel::joinable!(contact_views -> connections (connection_id));
diesel::joinable!(invitations -> organizations (organization_id));

diesel::table! {
    notification_settings (user_id) {
        user_id -> Uuid,
        locale -> Nullable<Text>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Int8,
        outbox_id -> Int8,
        user_id -> Uuid,
        kind -> Text,
        subject_kind -> Text,
        subject_id -> Uuid,
        payload -> Jsonb,
        created_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
        digest -> Nullable<Text>,
        digested_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    notification_preferences (user_id, kind) {
        user_id -> Uuid,
        kind -> Text,
        email -> Text,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> Int8,
        message_id -> Text,
        user_id -> Nullable<Uuid>,
        to_address -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamptz,
        next_attempt_at -> Timestamptz,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        failed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Uuid,
        organization_id -> Uuid,
        url -> Text,
        secret -> Text,
        enabled -> Bool,
        consecutive_failures -> Int4,
        disabled_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        endpoint_id -> Uuid,
        outbox_id -> Int8,
        kind -> Text,
        body -> Text,
        status -> Text,
        attempts -> Int4,
        created_at -> Timestamptz,
        next_attempt_at -> Timestamptz,
        last_status_code -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Int8,
        delivery_id -> Uuid,
        attempted_at -> Timestamptz,
        status_code -> Nullable<Int4>,
        error -> Nullable<Text>,
        duration_ms -> Int4,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    users,
    industry_groups,
    industries,
    supplies,
    demands,
    connections,
    connection_events,
    refresh_tokens,
    idempotency_keys,
    connection_acceptances,
    contact_views,
    audit_log,
    invitations,
    listing_events,
    notification_outbox,
    job_runs,
    contracts,
    contract_payments,
    commission_policies,
    notification_settings,
    notifications,
    notification_preferences,
    email_outbox,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    password_resets,
);

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Text,
        expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));

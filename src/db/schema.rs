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
        region_code -> Nullable<Text>,
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
        email_verified_at -> Nullable<Timestamptz>,
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
        region_code -> Nullable<Text>,
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
        region_code -> Nullable<Text>,
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
        challenge_id -> Nullable<Uuid>,
        event_id -> Nullable<Uuid>,
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

diesel::table! {
    challenges (id) {
        id -> Uuid,
        demand_id -> Uuid,
        organization_id -> Uuid,
        created_by -> Nullable<Uuid>,
        title -> Text,
        description -> Text,
        reward_fen -> Int8,
        opens_at -> Timestamptz,
        closes_at -> Timestamptz,
        eligible_kinds -> Array<Text>,
        eligible_regions -> Array<Text>,
        milestones -> Jsonb,
        criteria -> Jsonb,
        status -> Text,
        status_note -> Nullable<Text>,
        opened_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        decided_at -> Nullable<Timestamptz>,
        result_note -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    challenge_applications (id) {
        id -> Uuid,
        challenge_id -> Uuid,
        organization_id -> Uuid,
        submitted_by -> Nullable<Uuid>,
        proposal -> Text,
        team_summary -> Text,
        price_fen -> Int8,
        duration_days -> Int4,
        supply_ids -> Array<Uuid>,
        status -> Text,
        connection_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    challenge_reviewers (challenge_id, user_id) {
        challenge_id -> Uuid,
        user_id -> Uuid,
        appointed_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    challenge_conflicts (application_id, reviewer_id) {
        application_id -> Uuid,
        reviewer_id -> Uuid,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    challenge_scores (application_id, reviewer_id) {
        application_id -> Uuid,
        reviewer_id -> Uuid,
        scores -> Array<Int4>,
        comment -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(connection_events -> connections (connection_id));
diesel::joinable!(contracts -> connections (connection_id));
diesel::joinable!(contract_payments -> contracts (contract_id));
diesel::joinable!(connection_acceptances -> connections (connection_id));
diesel::joinable!(contact_views -> connections (connection_id));
diesel::joinable!(invitations -> organizations (organization_id));
diesel::joinable!(challenges -> demands (demand_id));
diesel::joinable!(challenge_applications -> challenges (challenge_id));
diesel::joinable!(challenge_scores -> challenge_applications (application_id));

diesel::table! {
    events (id) {
        id -> Uuid,
        title -> Text,
        description -> Nullable<Text>,
        organizer_organization_id -> Uuid,
        created_by -> Nullable<Uuid>,
        format -> Text,
        online_url -> Nullable<Text>,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        registration_opens_at -> Timestamptz,
        registration_closes_at -> Timestamptz,
        slot_minutes -> Int4,
        industries -> Array<Text>,
        status -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    event_venues (id) {
        id -> Uuid,
        event_id -> Uuid,
        name -> Text,
        address -> Nullable<Text>,
        is_main -> Bool,
        tables -> Int4,
        position -> Int4,
    }
}

diesel::table! {
    event_registrations (event_id, organization_id) {
        event_id -> Uuid,
        organization_id -> Uuid,
        registered_by -> Nullable<Uuid>,
        registered_at -> Timestamptz,
        checked_in_at -> Nullable<Timestamptz>,
        checked_in_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    event_registration_listings (event_id, listing_id) {
        event_id -> Uuid,
        organization_id -> Uuid,
        listing_kind -> Text,
        listing_id -> Uuid,
    }
}

diesel::table! {
    event_pairs (id) {
        id -> Uuid,
        event_id -> Uuid,
        demand_id -> Uuid,
        supply_id -> Uuid,
        demand_organization_id -> Uuid,
        supply_organization_id -> Uuid,
        score -> Float4,
        explanation -> Jsonb,
        summary_zh -> Text,
        demand_interest -> Nullable<Bool>,
        supply_interest -> Nullable<Bool>,
        connection_id -> Nullable<Uuid>,
        intent_at -> Nullable<Timestamptz>,
        intent_by -> Nullable<Uuid>,
        intent_amount_fen -> Nullable<Int8>,
        intent_note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    event_meetings (id) {
        id -> Uuid,
        event_id -> Uuid,
        pair_id -> Uuid,
        status -> Text,
        venue_id -> Nullable<Uuid>,
        table_no -> Nullable<Int4>,
        slot_start -> Nullable<Timestamptz>,
        scheduled_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    event_meeting_bookings (event_id, organization_id, slot_start) {
        event_id -> Uuid,
        organization_id -> Uuid,
        slot_start -> Timestamptz,
        meeting_id -> Uuid,
    }
}

diesel::table! {
    event_roadshows (id) {
        id -> Uuid,
        event_id -> Uuid,
        venue_id -> Uuid,
        kind -> Text,
        listing_id -> Uuid,
        organization_id -> Uuid,
        position -> Int4,
        starts_at -> Timestamptz,
        minutes -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(event_venues -> events (event_id));
diesel::joinable!(event_registrations -> events (event_id));
diesel::joinable!(event_pairs -> events (event_id));
diesel::joinable!(event_meetings -> event_pairs (pair_id));
diesel::joinable!(event_roadshows -> events (event_id));
diesel::joinable!(connections -> events (event_id));

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

diesel::table! {
    email_verifications (id) {
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
    challenges,
    challenge_applications,
    challenge_reviewers,
    challenge_conflicts,
    challenge_scores,
    events,
    event_venues,
    event_registrations,
    event_registration_listings,
    event_pairs,
    event_meetings,
    event_meeting_bookings,
    event_roadshows,
    subscriptions,
    listing_match_optouts,
    listing_market_entries,
    notification_settings,
    notifications,
    notification_preferences,
    email_outbox,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    password_resets,
    email_verifications,
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

diesel::table! {
    import_jobs (id) {
        id -> Uuid,
        created_by -> Uuid,
        actor_organization_id -> Uuid,
        actor_org_kind -> Text,
        actor_role -> Text,
        organization_id -> Nullable<Uuid>,
        kind -> Text,
        format -> Text,
        mode -> Text,
        status -> Text,
        payload -> Nullable<Bytea>,
        payload_bytes -> Int8,
        rows_total -> Int4,
        rows_done -> Int4,
        imported -> Int4,
        duplicates -> Int4,
        near_duplicates -> Int4,
        invalid_rows -> Int4,
        failure -> Nullable<Text>,
        attempts -> Int4,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    import_job_issues (id) {
        id -> Int8,
        job_id -> Uuid,
        row_number -> Int4,
        field -> Nullable<Text>,
        code -> Text,
        message -> Text,
        listing_id -> Nullable<Uuid>,
        similarity -> Nullable<Float4>,
    }
}

diesel::joinable!(import_job_issues -> import_jobs (job_id));

diesel::table! {
    subscriptions (id) {
        id -> Uuid,
        user_id -> Uuid,
        organization_id -> Uuid,
        name -> Text,
        target -> Text,
        query_text -> Nullable<Text>,
        keywords -> Array<Text>,
        industries -> Array<Text>,
        region -> Nullable<Text>,
        trl_min -> Nullable<Int2>,
        trl_max -> Nullable<Int2>,
        modes -> Array<Text>,
        min_score -> Float4,
        frequency -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    listing_match_optouts (listing_id) {
        listing_id -> Uuid,
        listing_kind -> Text,
        organization_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    listing_market_entries (id) {
        id -> Int8,
        listing_kind -> Text,
        listing_id -> Uuid,
        entered_at -> Timestamptz,
        matched_at -> Nullable<Timestamptz>,
        scored -> Nullable<Int4>,
        queued -> Nullable<Int4>,
    }
}

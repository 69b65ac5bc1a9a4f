// @generated automatically by Diesel CLI.

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        name -> Text,
        key_prefix -> Text,
        key_hash -> Text,
        role -> Text,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        rate_limit -> Nullable<Int4>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        tenant_id -> Uuid,
        actor -> Text,
        action -> Text,
        subject_id -> Nullable<Uuid>,
        detail -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    delivery_attempts (id) {
        id -> Uuid,
        notification_id -> Uuid,
        tenant_id -> Uuid,
        attempt_number -> Int4,
        started_at -> Timestamptz,
        finished_at -> Timestamptz,
        outcome -> Text,
        error -> Nullable<Text>,
        response_summary -> Nullable<Text>,
        provider_message_id -> Nullable<Text>,
        provider_status -> Nullable<Text>,
        provider_status_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    events (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        event_type -> Text,
        payload -> Jsonb,
        status -> Text,
        error -> Nullable<Text>,
        idempotency_key -> Nullable<Text>,
        created_at -> Timestamptz,
        processed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        status -> Text,
        channel -> Text,
        recipient -> Text,
        subject -> Nullable<Text>,
        body -> Text,
        data -> Jsonb,
        target_date -> Nullable<Timestamptz>,
        lead_time -> Nullable<Text>,
        send_at -> Timestamptz,
        due_at -> Timestamptz,
        timezone -> Nullable<Text>,
        cron -> Nullable<Text>,
        series_id -> Nullable<Uuid>,
        expires_at -> Nullable<Timestamptz>,
        group_key -> Nullable<Text>,
        attempts -> Int4,
        max_attempts -> Int4,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        cancelled_at -> Nullable<Timestamptz>,
        claimed_at -> Nullable<Timestamptz>,
        event_id -> Nullable<Uuid>,
        idempotency_key -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        event_slot -> Nullable<Int4>,
        html -> Nullable<Text>,
        delivery_status -> Nullable<Text>,
        delivery_status_at -> Nullable<Timestamptz>,
        template -> Nullable<Text>,
        template_version -> Nullable<Int4>,
        recipient_id -> Nullable<Text>,
        category -> Nullable<Text>,
        urgent -> Bool,
        fallback -> Array<Text>,
        channel_index -> Int4,
        digest_key -> Nullable<Text>,
        digest_window -> Nullable<Text>,
        digest_subject -> Nullable<Text>,
        digest_body -> Nullable<Text>,
        digest_release_at -> Nullable<Timestamptz>,
        digest_of -> Nullable<Uuid>,
    }
}

diesel::table! {
    recipient_defaults (tenant_id) {
        tenant_id -> Uuid,
        preferences -> Jsonb,
        quiet_hours -> Nullable<Jsonb>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    recipients (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        external_id -> Text,
        name -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        webhook_url -> Nullable<Text>,
        timezone -> Nullable<Text>,
        locale -> Nullable<Text>,
        preferred_channel -> Nullable<Text>,
        preferences -> Jsonb,
        quiet_hours -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    rules (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        event_type -> Text,
        channel -> Nullable<Text>,
        recipient_path -> Nullable<Text>,
        target_date_path -> Text,
        timezone_path -> Nullable<Text>,
        lead_times -> Array<Text>,
        subject -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        html -> Nullable<Text>,
        template -> Nullable<Text>,
        template_version -> Nullable<Int4>,
        recipient_id_path -> Nullable<Text>,
        category -> Nullable<Text>,
        fallback -> Array<Text>,
    }
}

diesel::table! {
    series (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        cron -> Text,
        timezone -> Text,
        ends_at -> Nullable<Timestamptz>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    templates (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        name -> Text,
        version -> Int4,
        subject -> Nullable<Text>,
        body -> Text,
        html -> Nullable<Text>,
        digest -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    tenants (id) {
        id -> Uuid,
        name -> Text,
        webhook_secret -> Text,
        created_at -> Timestamptz,
        previous_webhook_secret -> Nullable<Text>,
        previous_webhook_secret_expires_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamptz,
        token_version -> Int4,
        disabled_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(api_keys -> tenants (tenant_id));
diesel::joinable!(delivery_attempts -> notifications (notification_id));
diesel::joinable!(events -> tenants (tenant_id));
diesel::joinable!(notifications -> events (event_id));
diesel::joinable!(notifications -> series (series_id));
diesel::joinable!(notifications -> tenants (tenant_id));
diesel::joinable!(recipient_defaults -> tenants (tenant_id));
diesel::joinable!(recipients -> tenants (tenant_id));
diesel::joinable!(rules -> tenants (tenant_id));
diesel::joinable!(series -> tenants (tenant_id));
diesel::joinable!(templates -> tenants (tenant_id));
diesel::joinable!(users -> tenants (tenant_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    audit_log,
    delivery_attempts,
    events,
    notifications,
    recipient_defaults,
    recipients,
    rules,
    series,
    templates,
    tenants,
    users,
);

//! The rules of webhook endpoints: only the organisation's owners (and admins) manage them and
//! read their log; a URL is checked against the SSRF rules before it is saved.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::webhooks::{self, WebhookDelivery, WebhookEndpoint, WebhookEndpointCreated, WebhookPatch};
use crate::auth::policy;
use crate::auth::principal::Principal;
use crate::error::{ApiError, FieldCode, FieldError};
use crate::organizations::repo as org_repo;
use crate::pagination::PageRequest;

/// 404 for no such organisation, 403 unless the caller is one of its active owners or an admin.
fn require_owner(conn: &mut PgConnection, caller: &Principal, organization_id: Uuid) -> Result<(), ApiError> {
    org_repo::get(conn, organization_id)?;
    policy::require_member_manager(conn, caller, organization_id)
}

fn checked_url(url: &str, allow_loopback: bool) -> Result<String, ApiError> {
    let url = url.trim();
    webhooks::check_url(url, allow_loopback).map_err(|why| {
        ApiError::invalid_field(
            FieldError::new("url", FieldCode::NotAllowed).says(format!("Webhook 地址不可用：{why}"), why),
        )
    })?;
    Ok(url.to_string())
}

/// Adds an endpoint to `organization_id`; 422 naming `url` for a refused URL.
pub fn create_webhook(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    url: &str,
    allow_loopback: bool,
    now: DateTime<Utc>,
) -> Result<WebhookEndpointCreated, ApiError> {
    require_owner(conn, caller, organization_id)?;
    let url = checked_url(url, allow_loopback)?;
    webhooks::create(conn, organization_id, &url, now)
}

/// A page of `organization_id`'s endpoints.
pub fn list_webhooks(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    page: PageRequest,
) -> Result<(Vec<WebhookEndpoint>, i64), ApiError> {
    require_owner(conn, caller, organization_id)?;
    webhooks::list(conn, organization_id, page)
}

/// Changes an endpoint in one transaction.
pub fn update_webhook(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
    input: WebhookPatch,
    allow_loopback: bool,
    now: DateTime<Utc>,
) -> Result<WebhookEndpoint, ApiError> {
    require_owner(conn, caller, organization_id)?;
    let url = input.url.as_deref().map(|u| checked_url(u, allow_loopback)).transpose()?;
    conn.transaction(|conn| {
        webhooks::get_locked(conn, organization_id, id)?;
        webhooks::update(conn, id, url.as_deref(), input.enabled, now)
    })
}

/// Deletes an endpoint.
pub fn delete_webhook(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    require_owner(conn, caller, organization_id)?;
    conn.transaction(|conn| {
        webhooks::get_locked(conn, organization_id, id)?;
        webhooks::delete(conn, id, now)
    })
}

/// A page of an endpoint's delivery log.
pub fn webhook_deliveries(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
    page: PageRequest,
) -> Result<(Vec<WebhookDelivery>, i64), ApiError> {
    require_owner(conn, caller, organization_id)?;
    conn.transaction(|conn| {
        webhooks::get_locked(conn, organization_id, id)?;
        webhooks::deliveries(conn, id, page)
    })
}

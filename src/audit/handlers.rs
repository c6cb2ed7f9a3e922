//! `GET /api/v1/audit-log`: admins read every entry; anyone else the entries about their own
//! organisation's records (not others' sign-ins).

use actix_web::{get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::model::AuditEntry;
use super::repo::{self, Filter, Scope};
use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;
use crate::validation::query_period;
use crate::vocab::{AuditAction, AuditRecordType};

/// Query of `GET /api/v1/audit-log`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only entries of this acting user.
    pub actor_id: Option<Uuid>,
    /// Only entries about this organisation's records (others than admins: only their own).
    pub organization_id: Option<Uuid>,
    /// Only entries about records of this type.
    pub record_type: Option<AuditRecordType>,
    /// Only entries about this record.
    pub record_id: Option<Uuid>,
    /// Only entries of this action.
    pub action: Option<AuditAction>,
    /// Entries on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Entries on or before this day (UTC); not before `from`.
    pub to: Option<NaiveDate>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Read the audit log.
///
/// Newest first. Admins read every entry; anyone else reads the entries about their own
/// organisation's records, without other users' sign-ins (403 when `organization_id` names
/// another organisation).
#[utoipa::path(operation_id = "list_audit_log", tag = "audit",
    security(("bearer" = [])),
    params(AuditParams), responses(
    (status = 200, description = "A page of entries, newest first.", body = Page<AuditEntry>),
    oa::Std, oa::Unauthorized, oa::Forbidden))]
#[get("/audit-log")]
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    params: crate::extract::Query<AuditParams>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    query_period(params.from, params.to)?;
    let params = params.into_inner();
    let scope = if caller.is_admin() {
        Scope::All
    } else {
        if params.organization_id.is_some_and(|id| id != caller.organization_id) {
            return Err(ApiError::Forbidden("only your own organisation's audit entries can be read".into()));
        }
        Scope::Organization { organization_id: caller.organization_id, reader: caller.user_id }
    };
    let filter = Filter {
        actor_id: params.actor_id,
        organization_id: params.organization_id,
        record_type: params.record_type,
        record_id: params.record_id,
        action: params.action,
        from: params.from,
        to: params.to,
    };
    let (items, total) = db::run(&state.pool, move |conn| repo::list(conn, scope, &filter, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

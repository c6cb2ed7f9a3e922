//! `/api/v1/organizations`: create, get, list.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use uuid::Uuid;

use super::model::{Organization, OrganizationInput, VerificationInput};
use super::repo;
use crate::app::AppState;
use crate::auth::{policy, Principal};
use crate::db;
use crate::error::ApiError;
use crate::pagination::{Page, PageRequest};

/// `POST /api/v1/organizations` (admins) → 201 with the organisation. Everyone else gets an
/// organisation by registering (`POST /api/v1/auth/register`).
#[tracing::instrument(skip(state, body))]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: web::Json<OrganizationInput>,
) -> Result<HttpResponse, ApiError> {
    policy::require_admin(&caller)?;
    let new = body.into_inner().parse("")?;
    let org = db::run(&state.pool, move |conn| repo::insert(conn, &new)).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/organizations/{}", org.id))).json(org))
}

/// `GET /api/v1/organizations/{id}`.
#[tracing::instrument(skip(state))]
pub async fn get(state: web::Data<AppState>, id: web::Path<Uuid>) -> Result<web::Json<Organization>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(db::run(&state.pool, move |conn| repo::get(conn, id)).await?))
}

/// Query of `GET /api/v1/organizations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// `GET /api/v1/organizations?page=&per_page=`.
#[tracing::instrument(skip(state))]
pub async fn list(
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
) -> Result<web::Json<Page<Organization>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let (items, total) = db::run(&state.pool, move |conn| repo::list(conn, page)).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// `POST /api/v1/organizations/{id}/verification` (admins): sets `verification`.
#[tracing::instrument(skip(state, body))]
pub async fn verify(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: web::Json<VerificationInput>,
) -> Result<web::Json<Organization>, ApiError> {
    policy::require_admin(&caller)?;
    let (id, verification) = (id.into_inner(), body.verification.as_str());
    Ok(web::Json(db::run(&state.pool, move |conn| repo::set_verification(conn, id, verification)).await?))
}

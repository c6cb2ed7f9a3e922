//! `GET /healthz` (the process is alive) and `GET /readyz` (the database answers).

use actix_web::{get, web};
use diesel::prelude::*;
use matching::Side;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::ApiError;
use crate::spec as oa;
use crate::state::AppState;

/// Body of the health endpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the endpoint answers 200.
    #[schema(value_type = String, pattern = "^ok$", example = "ok")]
    pub status: &'static str,
}

/// Body of `/readyz`: also the matching index's size.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// Always `ok` when the endpoint answers 200.
    #[schema(value_type = String, pattern = "^ok$", example = "ok")]
    pub status: &'static str,
    /// Published supplies in this instance's matching index.
    pub indexed_supplies: usize,
    /// Open demands in this instance's matching index.
    pub indexed_demands: usize,
}

/// Liveness probe.
///
/// 200 while the process serves requests, whatever the database does.
#[utoipa::path(operation_id = "healthz", tag = "health",
    responses(
    (status = 200, description = "The process is alive.", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness probe.
///
/// 200 when a pooled connection answers `SELECT 1`; 503 `database_unavailable` otherwise.
#[utoipa::path(operation_id = "readyz", tag = "health", responses(
    (status = 200, description = "PostgreSQL answers; the matching index's size.", body = Readiness),
    oa::ServiceUnavailable))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Readiness>, ApiError> {
    db::run(&state.pool, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(web::Json(Readiness {
        status: "ok",
        indexed_supplies: state.matcher.len(Side::Supply),
        indexed_demands: state.matcher.len(Side::Demand),
    }))
}

//! `/api/v1/exchange`: upload an import (202 with the job), read a job and its report, export
//! supplies and demands with the list filters.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::export::{self, Exportable, MAX_EXPORT_ROWS};
use super::job::Importer;
use super::model::{ImportJob, Issue, NewJob};
use super::repo;
use crate::audit::{self, Entry};
use crate::auth::policy::{self, DEMAND_PUBLISHERS, SUPPLY_PUBLISHERS};
use crate::auth::{MaybePrincipal, Principal};
use crate::csv_export::CsvHeaders;
use crate::db::{self, PgPool};
use crate::demands::{input::DemandListParams, model::Demand};
use crate::error::{ApiError, ErrorCode};
use crate::field_error::{FieldCode, FieldError};
use crate::listing::search::{self, Searchable};
use crate::listing::{with_organizations, Shown};
use crate::pagination::{Page, PageRequest};
use crate::spec as oa;
use crate::state::AppState;
use crate::supplies::{input::SupplyListParams, model::Supply};
use crate::vocab::{AuditAction, AuditRecordType, ExchangeFormat, ImportMode, ListingKind, OrganizationKind};

/// Query of `POST /api/v1/exchange/imports`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// What the rows are: `supply` or `demand`.
    pub kind: ListingKind,
    /// `all_or_nothing` (default): any row error imports nothing; `valid_rows_only`: valid rows
    /// are imported and the others reported.
    pub mode: Option<ImportMode>,
    /// The file's format; default from `Content-Type` (`application/x-ndjson`, `text/csv`,
    /// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    pub format: Option<ExchangeFormat>,
    /// The organisation every row belongs to unless the row names its own. Default: the
    /// caller's organisation; admins and technology-transfer agencies may name another (or give
    /// none and name each row's organisation).
    pub organization_id: Option<Uuid>,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The format of the upload: the query's, or the one `Content-Type` names (415 otherwise).
fn format_of(req: &HttpRequest, asked: Option<ExchangeFormat>) -> Result<ExchangeFormat, ApiError> {
    if let Some(format) = asked {
        return Ok(format);
    }
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/x-ndjson"
        | "application/jsonl"
        | "application/json-lines"
        | "application/x-jsonlines"
        | "application/jsonlines" => Ok(ExchangeFormat::Jsonl),
        "text/csv" => Ok(ExchangeFormat::Csv),
        XLSX => Ok(ExchangeFormat::Xlsx),
        _ => Err(ApiError::Status {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: ErrorCode::UnsupportedMediaType,
            detail: format!("send the file as application/x-ndjson, text/csv or {XLSX} (or name `format`)"),
        }),
    }
}

fn too_large(limit: u64) -> ApiError {
    ApiError::Status {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        code: ErrorCode::PayloadTooLarge,
        detail: format!("the upload is larger than {limit} bytes (TECHMATCH_IMPORT_MAX_BYTES)"),
    }
}

/// The importer of this instance.
pub fn importer(state: &AppState) -> Importer {
    Importer {
        matcher: state.matcher.clone(),
        taxonomy: state.taxonomy,
        clock: state.clock.clone(),
        lifecycle: state.lifecycle.clone(),
        near_duplicate_threshold: state.exchange.near_duplicate_threshold,
    }
}

/// Runs waiting import jobs now, off the request (the scheduler's ticks would take them too).
pub fn kick(pool: PgPool, importer: Importer) {
    actix_web::rt::spawn(async move {
        if let Err(e) = db::run(&pool, move |conn| importer.run_pending(conn, 1)).await {
            tracing::warn!(error = %e, "import job failed to run; the next tick retries");
        }
    });
}

/// Upload listings to import (信息汇交导入).
///
/// The body is the file itself (JSON Lines, CSV or XLSX; docs/EXCHANGE.md), at most
/// `TECHMATCH_IMPORT_MAX_BYTES` (413 before it is read whole). Answers 202 with the queued job at
/// once; a job runner (any instance, once) checks every row as the create endpoints check a body
/// and writes the listings, and `GET /exchange/imports/{id}` follows its progress and counts.
/// Rows with errors, exact duplicates (same normalised title and organisation: skipped) and
/// near-duplicates (imported, for a person to decide on) are listed in the job's report. An
/// organisation imports for itself; admins and technology-transfer agencies import for others
/// (`organization_id`, or each row's `organization` / `credit_code`); anyone else naming another
/// organisation gets 403.
#[utoipa::path(operation_id = "create_import", tag = "exchange",
    security(("bearer" = [])),
    params(ImportParams),
    request_body(description = "The file: JSON Lines, CSV (UTF-8, a BOM is tolerated; English or Chinese headers) \
or XLSX (the first sheet; cell values only, a formula gives its cached value).",
        content((String = "application/x-ndjson"), (String = "text/csv"),
            (crate::spec::text::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses(
    (status = 202, description = "The queued job.", body = ImportJob,
        headers(("Location" = String, description = "`/api/v1/exchange/imports/{id}`"))),
    oa::Std, oa::JsonBody, oa::Unauthorized, oa::Forbidden, oa::NotFound))]
#[post("/exchange/imports")]
#[tracing::instrument(skip(state, req, payload))]
pub async fn create_import(
    state: web::Data<AppState>,
    caller: Principal,
    req: HttpRequest,
    params: crate::extract::Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let format = format_of(&req, params.format)?;
    let for_others = caller.is_admin() || caller.org_kind == OrganizationKind::ServiceAgency;
    let organization_id = match params.organization_id {
        Some(id) if id != caller.organization_id && !for_others => {
            return Err(ApiError::Forbidden(
                "only admins and technology-transfer agencies import listings of other organisations".into(),
            ))
        }
        Some(id) => Some(id),
        None if for_others => None,
        None => Some(caller.organization_id),
    };
    if organization_id == Some(caller.organization_id) {
        let publishers: &[OrganizationKind] =
            if params.kind == ListingKind::Supply { &SUPPLY_PUBLISHERS } else { &DEMAND_PUBLISHERS };
        if !publishers.contains(&caller.org_kind) {
            return Err(ApiError::Forbidden(format!(
                "a {} organisation does not hold {}s",
                caller.org_kind, params.kind
            )));
        }
    }
    let limit = state.exchange.max_import_bytes;
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let bytes = payload
        .to_bytes_limited(usize::try_from(limit).unwrap_or(usize::MAX))
        .await
        .map_err(|_| too_large(limit))?
        .map_err(|e| ApiError::bad_request(ErrorCode::BadRequest, format!("the upload could not be read: {e}")))?;
    let writer = caller.clone();
    let now = state.clock.now();
    let mode = params.mode.unwrap_or(ImportMode::AllOrNothing);
    let verified_email_required = state.lifecycle.require_email_verification;
    let job = db::run(&state.pool, move |conn| {
        policy::require_writer(conn, &writer)?;
        // An import puts its rows on the market (or into review), as a submission does.
        crate::accounts::verification::require_verified_email(conn, &writer, verified_email_required)?;
        if let Some(id) = organization_id {
            crate::organizations::repo::get(conn, id)?;
        }
        let new = NewJob {
            created_by: writer.user_id,
            actor_organization_id: writer.organization_id,
            actor_org_kind: writer.org_kind,
            actor_role: writer.role,
            organization_id,
            kind: params.kind,
            format,
            mode,
            payload_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            payload: bytes.to_vec(),
            created_at: now,
        };
        repo::insert(conn, &new)
    })
    .await?;
    kick(state.pool.clone(), importer(&state));
    let location = format!("/api/v1/exchange/imports/{}", job.id);
    Ok(HttpResponse::Accepted().insert_header((header::LOCATION, location)).json(ImportJob::of(job, Vec::new())))
}

/// 404 unless `caller` may read the job: the uploading organisation, the organisation the job
/// imports for, and admins.
fn may_read(caller: &Principal, job: &super::model::JobRow) -> Result<(), ApiError> {
    if caller.is_admin()
        || caller.organization_id == job.actor_organization_id
        || job.organization_id == Some(caller.organization_id)
    {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("import job {}", job.id)))
    }
}

/// Read an import job.
///
/// Its status (`queued`, `running`, `succeeded`, `failed`), progress, counts and first
/// near-duplicates; visible to the uploading organisation, the organisation imported for, and admins.
#[utoipa::path(operation_id = "get_import", tag = "exchange",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Import job id.")),
    responses((status = 200, description = "The job.", body = ImportJob),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/exchange/imports/{id}")]
#[tracing::instrument(skip(state))]
pub async fn get_import(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<ImportJob>, ApiError> {
    let id = id.into_inner();
    let job = db::run(&state.pool, move |conn| {
        let job = repo::get(conn, id)?;
        may_read(&caller, &job)?;
        let near = repo::near_duplicates(conn, id)?;
        Ok(ImportJob::of(job, near))
    })
    .await?;
    Ok(web::Json(job))
}

/// Query of an import's report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Only lines of this code (`duplicate`, `near_duplicate`, `unknown_industry`…).
    #[param(pattern = "^[a-z_]{1,40}$")]
    pub code: Option<String>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Read an import's per-row report.
///
/// One line per problem of a row (`row`, `field`, `code`, `message`), per duplicate skipped and
/// per near-duplicate imported (with `listing_id` and `similarity`), by row.
#[utoipa::path(operation_id = "get_import_report", tag = "exchange",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Import job id."), ReportParams),
    responses((status = 200, description = "A page of the report, by row.", body = Page<Issue>),
    oa::Std, oa::Unauthorized, oa::NotFound))]
#[get("/exchange/imports/{id}/report")]
#[tracing::instrument(skip(state))]
pub async fn get_import_report(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    params: crate::extract::Query<ReportParams>,
) -> Result<web::Json<Page<Issue>>, ApiError> {
    let page = PageRequest::parse(params.page, params.per_page)?;
    let code = params.into_inner().code;
    if code
        .as_deref()
        .is_some_and(|c| c.is_empty() || c.len() > 40 || !c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    {
        return Err(ApiError::bad_query(
            "code: lower-case letters and `_`, 1–40",
            FieldError::new("code", FieldCode::InvalidFormat).with("pattern", "^[a-z_]{1,40}$"),
        ));
    }
    let id = id.into_inner();
    let (items, total) = db::run(&state.pool, move |conn| {
        let job = repo::get(conn, id)?;
        may_read(&caller, &job)?;
        repo::report(conn, id, code.as_deref(), page)
    })
    .await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// The export's own query values (the rest are the list's filters).
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (default), `xlsx` or `jsonl`.
    pub format: Option<ExchangeFormat>,
    /// Header row of CSV and XLSX: `en` (default, the exchange format's field names) or `zh`.
    pub headers: Option<CsvHeaders>,
}

/// Splits a query string into the export's own values and the list's filters.
fn split_query(query: &str) -> Result<(ExportParams, String), ApiError> {
    let (own, rest): (Vec<&str>, Vec<&str>) = query
        .split('&')
        .filter(|p| !p.is_empty())
        .partition(|p| matches!(p.split('=').next(), Some("format" | "headers")));
    let own = crate::extract::Query::<ExportParams>::from_query(&own.join("&"))?;
    Ok((own.into_inner(), rest.join("&")))
}

/// The listings `filter` selects (at most [`MAX_EXPORT_ROWS`]) with their organisations, and
/// whether there were more.
async fn selected<L: Searchable>(state: &AppState, filter: L::Filter) -> Result<(Vec<Shown<L>>, bool), ApiError> {
    if L::common(&filter).q.is_some() {
        // Text search goes through the engine, a page at a time (at most its hit cap).
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let request = PageRequest::parse(Some(page), Some(100))?;
            let found = search::list::<L>(state, filter.clone(), request).await?;
            let total = found.total;
            out.extend(found.items.into_iter().map(|f| f.item));
            if out.len() as i64 >= total || out.len() >= MAX_EXPORT_ROWS || page >= 100 {
                let more = total > out.len() as i64;
                out.truncate(MAX_EXPORT_ROWS);
                return Ok((out, more));
            }
            page += 1;
        }
    }
    db::run(&state.pool, move |conn| {
        let mut rows = L::rows(conn, &filter, None, MAX_EXPORT_ROWS as i64 + 1)?;
        let more = rows.len() > MAX_EXPORT_ROWS;
        rows.truncate(MAX_EXPORT_ROWS);
        Ok((with_organizations(conn, rows)?, more))
    })
    .await
}

/// Renders, audits and answers an export.
async fn answer<L: Searchable + Exportable>(
    state: &AppState,
    caller: Option<Principal>,
    filter: L::Filter,
    own: ExportParams,
    filters: String,
) -> Result<HttpResponse, ApiError> {
    let format = own.format.unwrap_or(ExchangeFormat::Csv);
    let headers = own.headers.unwrap_or_default();
    let organization_id = L::common(&filter).organization_id;
    let (listings, more) = selected::<L>(state, filter).await?;
    let rows = listings.len();
    let (media, bytes) = export::render(&listings, format, headers)?;
    let record_type =
        if L::KIND.kind == ListingKind::Supply { AuditRecordType::Supply } else { AuditRecordType::Demand };
    let detail = serde_json::json!({ "format": format, "rows": rows, "filters": filters, "truncated": more });
    let entry = match &caller {
        Some(p) => Entry::on_set(p, AuditAction::ListingsExported, record_type, organization_id),
        None => Entry::anonymous(AuditAction::ListingsExported, record_type, None),
    }
    .with_detail(detail);
    db::run(&state.pool, move |conn| audit::record(conn, &entry)).await?;
    let name = format!("techmatch-{}.{format}", L::KIND.path.rsplit('/').next().unwrap_or("listings"));
    Ok(HttpResponse::Ok()
        .content_type(media)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .insert_header(("X-Export-Truncated", if more { "true" } else { "false" }))
        .body(bytes))
}

/// Export supplies (信息汇交导出).
///
/// The supplies the list `GET /supplies` selects with the same filters (published ones to anyone;
/// other statuses to their own organisation and admins), at most 10,000 in the list's order,
/// as CSV (UTF-8 with a BOM), XLSX or JSON Lines in the exchange format (docs/EXCHANGE.md), with
/// the GB/T 4754 codes of their industries. `page` and `per_page` are ignored.
#[utoipa::path(operation_id = "export_supplies", tag = "exchange",
    security((), ("bearer" = [])),
    params(ExportParams, SupplyListParams),
    responses((status = 200, description = "The file.",
        content((String = "text/csv"), (String = "application/x-ndjson"),
            (crate::spec::text::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        headers(("Content-Disposition" = String, description = "`attachment; filename=\"techmatch-supplies.csv\"`"),
            ("X-Export-Truncated" = String, description = "`true` when the filters selected more than 10,000."))),
    oa::Std, oa::Unauthorized))]
#[get("/exchange/supplies")]
#[tracing::instrument(skip(state, req))]
pub async fn export_supplies(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (own, rest) = split_query(req.query_string())?;
    let params = crate::extract::Query::<SupplyListParams>::from_query(&rest)?;
    // Checked as the list checks them, though an export is not paged.
    PageRequest::parse(params.page, params.per_page)?;
    let filter = params.filter(caller.0.as_ref(), state.taxonomy, state.clock.now())?;
    answer::<Supply>(&state, caller.0, filter, own, rest).await
}

/// Export demands (信息汇交导出).
///
/// As `GET /exchange/supplies`, for the demands `GET /demands` selects with the same filters.
#[utoipa::path(operation_id = "export_demands", tag = "exchange",
    security((), ("bearer" = [])),
    params(ExportParams, DemandListParams),
    responses((status = 200, description = "The file.",
        content((String = "text/csv"), (String = "application/x-ndjson"),
            (crate::spec::text::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        headers(("Content-Disposition" = String, description = "`attachment; filename=\"techmatch-demands.csv\"`"),
            ("X-Export-Truncated" = String, description = "`true` when the filters selected more than 10,000."))),
    oa::Std, oa::Unauthorized))]
#[get("/exchange/demands")]
#[tracing::instrument(skip(state, req))]
pub async fn export_demands(
    state: web::Data<AppState>,
    caller: MaybePrincipal,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (own, rest) = split_query(req.query_string())?;
    let params = crate::extract::Query::<DemandListParams>::from_query(&rest)?;
    // Checked as the list checks them, though an export is not paged.
    PageRequest::parse(params.page, params.per_page)?;
    let filter = params.filter(caller.0.as_ref(), state.taxonomy, state.clock.now())?;
    answer::<Demand>(&state, caller.0, filter, own, rest).await
}

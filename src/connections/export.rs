//! The department's CSV export of connections (one row per connection, UTF-8 with a header).

use diesel::prelude::*;
use uuid::Uuid;

use super::input::ConnectionListParams;
use super::repo;
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::csv_export::{yuan, CsvHeaders, Table};
use crate::error::ApiError;
use crate::listing::ListingRef;
use crate::vocab::{AuditAction, AuditRecordType};
use crate::{demands, supplies};

/// Most rows one export returns.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

const COLUMNS: [(&str, &str); 17] = [
    ("id", "对接编号"),
    ("status", "状态"),
    ("demand_id", "需求编号"),
    ("demand_title", "需求名称"),
    ("demand_organization", "需求方"),
    ("supply_id", "成果编号"),
    ("supply_title", "成果名称"),
    ("supply_organization", "成果方"),
    ("industries", "产业"),
    ("broker_id", "技术经纪人"),
    ("match_score", "匹配度"),
    ("contract_amount_yuan", "合同金额（元）"),
    ("contract_type", "合同类型"),
    ("contract_registration_no", "技术合同登记号"),
    ("failure_reason", "失败原因"),
    ("created_at", "创建时间"),
    ("updated_at", "更新时间"),
];

/// The CSV text (cells passed through [`crate::csv_export::spreadsheet_safe`]): id, status, demand
/// and supply (id, title, organisation), industries, broker, match score, contract amount in yuan
/// (of the contract both sides confirmed), contract type and registration number, failure reason,
/// opened and last-changed times (RFC 3339); the header row in `headers`' language, with a BOM
/// when asked. The export is recorded in the audit log (`connections_exported`, with its filters
/// and row count) in the transaction that reads the rows.
pub fn csv(
    conn: &mut PgConnection,
    caller: &Principal,
    params: &ConnectionListParams,
    headers: CsvHeaders,
    bom: bool,
) -> Result<String, ApiError> {
    conn.transaction(|conn| {
        let (text, rows) = write_csv(conn, params, headers, bom)?;
        audit::record(conn, &export_entry(caller, params, rows))?;
        Ok(text)
    })
}

/// The audit entry of an export of `rows` connections matching `params`.
fn export_entry(caller: &Principal, params: &ConnectionListParams, rows: usize) -> Entry {
    let filters = serde_json::json!({
        "status": params.status,
        "industry": params.industry,
        "organization_id": params.organization_id,
        "broker_id": params.broker_id,
        "from": params.from,
        "to": params.to,
    });
    Entry::on_set(caller, AuditAction::ConnectionsExported, AuditRecordType::Connection, params.organization_id)
        .with_detail(serde_json::json!({ "rows": rows, "filters": filters, "format": "csv" }))
}

/// The CSV text and its number of data rows.
fn write_csv(
    conn: &mut PgConnection,
    params: &ConnectionListParams,
    headers: CsvHeaders,
    bom: bool,
) -> Result<(String, usize), ApiError> {
    let rows = repo::all(conn, params, MAX_EXPORT_ROWS)?;
    let count = rows.len();
    let demand_ids: Vec<Uuid> = rows.iter().map(|c| c.demand_id).collect();
    let supply_ids: Vec<Uuid> = rows.iter().map(|c| c.supply_id).collect();
    let demand_info = demands::repo::refs(conn, &demand_ids)?;
    let supply_info = supplies::repo::refs(conn, &supply_ids)?;
    let mut table = Table::new(&COLUMNS, headers, bom)?;
    let empty = ListingRef::default();
    for c in rows {
        let d = demand_info.get(&c.demand_id).unwrap_or(&empty);
        let s = supply_info.get(&c.supply_id).unwrap_or(&empty);
        let mut industries: Vec<&str> = d.industries.iter().chain(&s.industries).map(String::as_str).collect();
        industries.sort_unstable();
        industries.dedup();
        table.row([
            c.id.to_string(),
            c.status.to_string(),
            c.demand_id.to_string(),
            d.title.clone(),
            d.organization_name.clone(),
            c.supply_id.to_string(),
            s.title.clone(),
            s.organization_name.clone(),
            industries.join(";"),
            c.broker_id.map(|b| b.to_string()).unwrap_or_default(),
            c.match_score.map(|m| format!("{m:.4}")).unwrap_or_default(),
            c.contract_amount_fen.map(yuan).unwrap_or_default(),
            c.contract_type.map(|t| t.to_string()).unwrap_or_default(),
            c.contract_registration_no.unwrap_or_default(),
            c.failure_reason.map(|r| r.to_string()).unwrap_or_default(),
            c.created_at.to_rfc3339(),
            c.updated_at.to_rfc3339(),
        ])?;
    }
    Ok((table.finish()?, count))
}

//! The department's CSV export of connections (one row per connection, UTF-8 with a header).

use diesel::prelude::*;
use uuid::Uuid;

use super::input::ConnectionListParams;
use super::repo;
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::listing::ListingRef;
use crate::vocab::{AuditAction, AuditRecordType};
use crate::{demands, supplies};

/// Most rows one export returns.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// `cell`, made inert for spreadsheets: a text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is a formula to Excel and LibreOffice, so it gets a leading `'` (OWASP, "CSV
/// Injection"). Listing titles and organisation names are written by any registered user.
pub fn spreadsheet_safe(mut cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.insert(0, '\'');
    }
    cell
}

/// The CSV text (cells passed through [`spreadsheet_safe`]): id, status, demand and supply (id,
/// title, organisation), industries, broker, match score, contract amount in yuan, contract type
/// and registration number, failure reason, opened and last-changed times (RFC 3339). The export
/// is recorded in the audit log (`connections_exported`, with its filters and row count) in the
/// transaction that reads the rows.
pub fn csv(conn: &mut PgConnection, caller: &Principal, params: &ConnectionListParams) -> Result<String, ApiError> {
    conn.transaction(|conn| {
        let text = write_csv(conn, params)?;
        audit::record(conn, &export_entry(caller, params, text.rows))?;
        Ok(text.csv)
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

/// A CSV text and its number of data rows.
struct Written {
    csv: String,
    rows: usize,
}

fn write_csv(conn: &mut PgConnection, params: &ConnectionListParams) -> Result<Written, ApiError> {
    let rows = repo::all(conn, params, MAX_EXPORT_ROWS)?;
    let count = rows.len();
    let demand_ids: Vec<Uuid> = rows.iter().map(|c| c.demand_id).collect();
    let supply_ids: Vec<Uuid> = rows.iter().map(|c| c.supply_id).collect();
    let demand_info = demands::repo::refs(conn, &demand_ids)?;
    let supply_info = supplies::repo::refs(conn, &supply_ids)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Internal(e.into());
    writer
        .write_record([
            "id",
            "status",
            "demand_id",
            "demand_title",
            "demand_organization",
            "supply_id",
            "supply_title",
            "supply_organization",
            "industries",
            "broker_id",
            "match_score",
            "contract_amount_yuan",
            "contract_type",
            "contract_registration_no",
            "failure_reason",
            "created_at",
            "updated_at",
        ])
        .map_err(fail)?;
    let empty = ListingRef::default();
    for c in rows {
        let d = demand_info.get(&c.demand_id).unwrap_or(&empty);
        let s = supply_info.get(&c.supply_id).unwrap_or(&empty);
        let mut industries: Vec<&str> = d.industries.iter().chain(&s.industries).map(String::as_str).collect();
        industries.sort_unstable();
        industries.dedup();
        let amount = c.contract_amount_fen.map(|f| format!("{}.{:02}", f / 100, f % 100)).unwrap_or_default();
        let cells = [
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
            amount,
            c.contract_type.map(|t| t.to_string()).unwrap_or_default(),
            c.contract_registration_no.unwrap_or_default(),
            c.failure_reason.map(|r| r.to_string()).unwrap_or_default(),
            c.created_at.to_rfc3339(),
            c.updated_at.to_rfc3339(),
        ];
        writer.write_record(cells.map(spreadsheet_safe)).map_err(fail)?;
    }
    let bytes = writer.into_inner().map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))?;
    let csv = String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Written { csv, rows: count })
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_are_made_inert() {
        for formula in
            ["=HYPERLINK(\"http://evil.example\")", "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1"]
        {
            assert_eq!(spreadsheet_safe(formula.to_string()), format!("'{formula}"));
        }
        for text in ["枸杞鲜果采收", "0.7512", "2026-11-29T10:00:00+00:00", "", "a=b"] {
            assert_eq!(spreadsheet_safe(text.to_string()), text);
        }
    }
}

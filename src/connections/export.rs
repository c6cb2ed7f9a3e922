//! The department's CSV export of connections (one row per connection, UTF-8 with a header).

use diesel::prelude::*;
use uuid::Uuid;

use super::input::ConnectionListParams;
use super::repo;
use crate::csv_export::spreadsheet_safe;
use crate::error::ApiError;
use crate::listing::ListingRef;
use crate::{demands, supplies};

/// Most rows one export returns.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// The CSV text (cells passed through [`crate::csv_export::spreadsheet_safe`]): id, status, demand and supply (id,
/// title, organisation), industries, broker, match score, contract amount in yuan, contract type
/// and registration number, failure reason, opened and last-changed times (RFC 3339).
pub fn csv(conn: &mut PgConnection, params: &ConnectionListParams) -> Result<String, ApiError> {
    let rows = repo::all(conn, params, MAX_EXPORT_ROWS)?;
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
    String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.into()))
}

//! A commission statement as CSV: one row per piece of evidence.

use super::model::Statement;
use crate::csv_export::{yuan, CsvHeaders, Table};
use crate::error::ApiError;

const COLUMNS: [(&str, &str); 12] = [
    ("day", "日期"),
    ("basis", "计提依据"),
    ("connection_id", "对接编号"),
    ("contract_id", "合同编号"),
    ("payment_id", "到账编号"),
    ("broker_id", "技术经纪人"),
    ("base_yuan", "计提基数（元）"),
    ("policy_id", "政策编号"),
    ("rate_percent", "比例（%）"),
    ("computed_yuan", "计算金额（元）"),
    ("commission_yuan", "佣金（元）"),
    ("capped", "是否封顶"),
];

/// The statement's rows as CSV (the total is the sum of `commission_yuan`).
pub fn csv(statement: &Statement, headers: CsvHeaders, bom: bool) -> Result<String, ApiError> {
    let mut table = Table::new(&COLUMNS, headers, bom)?;
    for r in &statement.rows {
        let basis = match (headers, r.basis) {
            (CsvHeaders::Zh, crate::vocab::CommissionBasis::TechnicalAmount) => "技术交易额".to_string(),
            (CsvHeaders::Zh, crate::vocab::CommissionBasis::ReceivedAmount) => "到账额".to_string(),
            (CsvHeaders::En, b) => b.to_string(),
        };
        let capped = match (headers, r.capped) {
            (CsvHeaders::Zh, true) => "是",
            (CsvHeaders::Zh, false) => "否",
            (CsvHeaders::En, c) => {
                if c {
                    "true"
                } else {
                    "false"
                }
            }
        };
        table.row([
            r.day.to_string(),
            basis,
            r.connection_id.to_string(),
            r.contract_id.to_string(),
            r.payment_id.map(|p| p.to_string()).unwrap_or_default(),
            r.broker_id.to_string(),
            yuan(r.base_fen),
            r.policy_id.to_string(),
            format!("{}.{:02}", r.rate_bp / 100, r.rate_bp % 100),
            yuan(r.computed_fen),
            yuan(r.commission_fen),
            capped.to_string(),
        ])?;
    }
    table.finish()
}

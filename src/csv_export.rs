//! What every CSV export shares: cells made inert for spreadsheets, and the options Excel on
//! Chinese Windows needs (a UTF-8 byte-order mark, Chinese headers).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

/// The language of an export's header row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CsvHeaders {
    /// snake_case field names (default).
    #[default]
    En,
    /// Chinese column names.
    Zh,
}

/// `cell`, made inert for spreadsheets: a text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is a formula to Excel and LibreOffice, so it gets a leading `'` (OWASP, "CSV
/// Injection"). Listing titles and organisation names are written by any registered user.
pub fn spreadsheet_safe(mut cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.insert(0, '\'');
    }
    cell
}

/// Fen as yuan with two decimals (`123456` → `1234.56`).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (fen / 100).unsigned_abs(), (fen % 100).unsigned_abs())
}

/// A CSV document: the header row in the chosen language, then rows whose cells go through
/// [`spreadsheet_safe`]; with `bom`, the text starts with U+FEFF.
pub struct Table {
    writer: csv::Writer<Vec<u8>>,
    bom: bool,
}

fn fail(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("csv: {e}"))
}

impl Table {
    /// A table with the header row: each column as (English name, Chinese name).
    pub fn new(columns: &[(&str, &str)], headers: CsvHeaders, bom: bool) -> Result<Self, ApiError> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let names = columns.iter().map(|(en, zh)| if headers == CsvHeaders::Zh { *zh } else { *en });
        writer.write_record(names).map_err(fail)?;
        Ok(Self { writer, bom })
    }

    /// Appends one row.
    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) -> Result<(), ApiError> {
        self.writer.write_record(cells.into_iter().map(spreadsheet_safe)).map_err(fail)
    }

    /// The finished text.
    pub fn finish(self) -> Result<String, ApiError> {
        let bytes = self.writer.into_inner().map_err(fail)?;
        let text = String::from_utf8(bytes).map_err(fail)?;
        Ok(if self.bom { format!("\u{feff}{text}") } else { text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn headers_in_chinese_and_a_bom_on_request() {
        let columns = [("id", "编号"), ("amount_yuan", "金额（元）")];
        let mut t = Table::new(&columns, CsvHeaders::Zh, true).unwrap();
        t.row(["a".to_string(), yuan(123_456)]).unwrap();
        assert_eq!(t.finish().unwrap(), "\u{feff}编号,金额（元）\na,1234.56\n");
        let t = Table::new(&columns, CsvHeaders::En, false).unwrap();
        assert_eq!(t.finish().unwrap(), "id,amount_yuan\n");
        assert_eq!(yuan(5), "0.05");
    }
}

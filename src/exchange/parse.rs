//! Reading an uploaded file into [`Record`]s, one per row, numbered as a person finds them: the
//! line of a JSON Lines file, the spreadsheet row of a CSV or XLSX file (the header is row 1).
//! A file that cannot be read at all (not UTF-8, not a workbook, no header row) is an `Err` with
//! the reason; a row that cannot be read is an [`Issue`] of that row.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use super::model::Issue;
use super::record::{field_of_header, Field, Record};
use crate::vocab::ExchangeFormat;

/// The rows of a file: each a record or the reason it could not be read.
pub type Rows = Vec<(i32, Result<Record, Issue>)>;

/// Reads `bytes` as `format`.
pub fn rows(format: ExchangeFormat, bytes: &[u8]) -> Result<Rows, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("the file is empty".into());
    }
    match format {
        ExchangeFormat::Jsonl => jsonl(bytes),
        ExchangeFormat::Csv => csv(bytes),
        ExchangeFormat::Xlsx => xlsx(bytes),
    }
}

fn utf8(bytes: &[u8]) -> Result<&str, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("the file is not UTF-8 text: {e}"))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

fn row_number(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// JSON Lines: each non-blank line one object in the shape of `data/listings/*.jsonl`.
fn jsonl(bytes: &[u8]) -> Result<Rows, String> {
    let text = utf8(bytes)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row = row_number(i + 1);
        let read = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => Ok(Record::from_json(object)),
            Ok(_) => Err(Issue::new(row, None, "invalid_row", "the line is not a JSON object")),
            Err(e) => Err(Issue::new(row, None, "invalid_row", format!("the line is not JSON: {e}"))),
        };
        out.push((row, read));
    }
    Ok(out)
}

/// The fields of a header row (`None` for columns not read); an error when no column is the title.
fn header_fields<'a>(headers: impl Iterator<Item = &'a str>) -> Result<Vec<Option<Field>>, String> {
    let fields: Vec<Option<Field>> = headers.map(field_of_header).collect();
    if !fields.contains(&Some(Field::Title)) {
        return Err("the header row has no title column (`title` or `名称`); see docs/EXCHANGE.md".into());
    }
    Ok(fields)
}

fn record_of(fields: &[Option<Field>], cells: impl Iterator<Item = String>) -> Option<Record> {
    let mut record = Record::default();
    let mut any = false;
    for (field, cell) in fields.iter().zip(cells) {
        if !cell.trim().is_empty() {
            any = true;
        }
        if let Some(field) = field {
            record.set(*field, cell);
        }
    }
    any.then_some(record)
}

/// CSV with a header row, UTF-8 (a byte-order mark is skipped), comma-separated.
fn csv(bytes: &[u8]) -> Result<Rows, String> {
    let text = utf8(bytes)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| format!("the header row cannot be read: {e}"))?.clone();
    let fields = header_fields(headers.iter())?;
    let mut out = Vec::new();
    for (i, result) in reader.records().enumerate() {
        let row = row_number(i + 2);
        match result {
            Ok(record) => {
                if let Some(r) = record_of(&fields, record.iter().map(str::to_string)) {
                    out.push((row, Ok(r)));
                }
            }
            Err(e) => {
                out.push((row, Err(Issue::new(row, None, "invalid_row", format!("the row cannot be read: {e}")))))
            }
        }
    }
    Ok(out)
}

/// A cell's value as text: the cached value of a formula cell (never its formula), integers
/// without a decimal point, dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            // Excel's day 0 is 1899-12-30 (the 1900 leap-year bug included).
            let days = d.as_f64().floor() as i64;
            chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(days)))
                .map(|day| day.to_string())
                .unwrap_or_default()
        }
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// The first worksheet of an .xlsx workbook, its first row the header. Values only.
fn xlsx(bytes: &[u8]) -> Result<Rows, String> {
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("the file is not an .xlsx workbook: {e}"))?;
    let name = workbook.sheet_names().first().cloned().ok_or("the workbook has no worksheet")?;
    let range = workbook.worksheet_range(&name).map_err(|e| format!("the worksheet cannot be read: {e}"))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().ok_or("the worksheet is empty")?.iter().map(cell_text).collect();
    let fields = header_fields(header.iter().map(String::as_str))?;
    let first = range.start().map_or(0, |(r, _)| r as usize);
    let mut out = Vec::new();
    for (i, cells) in rows.enumerate() {
        // Spreadsheet rows are 1-based; the header is the range's first row.
        let row = row_number(first + i + 2);
        if let Some(r) = record_of(&fields, cells.iter().map(cell_text)) {
            out.push((row, Ok(r)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_a_bom_and_chinese_headers() {
        let text = "\u{feff}名称,简介,产业,关键词\n枸杞多糖,提取工艺,枸杞,多糖；提取\n,,,\n";
        let rows = rows(ExchangeFormat::Csv, text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        let (row, record) = &rows[0];
        assert_eq!(*row, 2);
        let record = record.as_ref().unwrap();
        assert_eq!(record.title.as_deref(), Some("枸杞多糖"));
        assert_eq!(record.industries, ["枸杞"]);
        assert_eq!(record.keywords, ["多糖", "提取"]);
    }

    #[test]
    fn unreadable_files_and_rows() {
        assert!(rows(ExchangeFormat::Csv, b"foo,bar\n1,2\n").is_err());
        assert!(rows(ExchangeFormat::Xlsx, b"not a zip").is_err());
        let rows = rows(ExchangeFormat::Jsonl, b"{\"title\":\"a\"}\n\n[1]\n{oops\n").unwrap();
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 3, 4]);
        assert!(rows[1].1.is_err() && rows[2].1.is_err());
    }
}

//! Export of listings (信息汇交导出) with the list filters, in the exchange format
//! (docs/EXCHANGE.md): CSV (UTF-8 with a byte-order mark, English or Chinese headers, cells made
//! inert for spreadsheets), XLSX (first sheet, the same columns) or JSON Lines (the import's
//! shape, so an export imports back). Bounded: at most [`MAX_EXPORT_ROWS`] listings, in the list's
//! order; `X-Export-Truncated: true` says when the filters selected more. Each export is
//! recorded in the audit log (`listings_exported`, with the format, filters and row count).

use serde_json::{json, Value};

use super::format::gbt4754;
use crate::csv_export::{yuan, CsvHeaders, Table};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::listing::Shown;
use crate::organizations::summary::OrganizationSummary;
use crate::supplies::model::Supply;
use crate::vocab::{ExchangeFormat, TransferMode};

/// Most listings one export holds.
pub const MAX_EXPORT_ROWS: usize = 10_000;

/// A kind of listing as exported: its columns (English name, Chinese name) and its cells.
pub trait Exportable {
    /// The columns, in order.
    const COLUMNS: &'static [(&'static str, &'static str)];
    /// One listing's cells, in the order of [`Exportable::COLUMNS`].
    fn cells(&self, organization: &OrganizationSummary) -> Vec<Value>;
}

fn modes(modes: &[TransferMode]) -> Value {
    Value::Array(modes.iter().map(|m| Value::String(m.as_str().into())).collect())
}

fn opt<T: serde::Serialize>(value: &Option<T>) -> Value {
    value.as_ref().map_or(Value::Null, |v| json!(v))
}

fn money(fen: Option<i64>) -> Value {
    fen.map_or(Value::Null, |f| Value::String(yuan(f)))
}

impl Exportable for Supply {
    const COLUMNS: &'static [(&'static str, &'static str)] = &[
        ("id", "编号"),
        ("title", "名称"),
        ("summary", "简介"),
        ("keywords", "关键词"),
        ("industries", "产业"),
        ("industries_gbt4754", "国民经济行业分类"),
        ("organization", "所属机构"),
        ("org_kind", "机构类型"),
        ("region", "地区"),
        ("trl", "技术成熟度"),
        ("price_yuan", "价格（元）"),
        ("transfer_modes", "转化方式"),
        ("ip_type", "知识产权类型"),
        ("ip_number", "知识产权编号"),
        ("application_scenario", "应用场景"),
        ("source_url", "来源链接"),
        ("status", "状态"),
        ("created_at", "创建时间"),
        ("updated_at", "更新时间"),
        ("expires_at", "有效期至"),
    ];

    fn cells(&self, organization: &OrganizationSummary) -> Vec<Value> {
        vec![
            json!(self.id),
            json!(self.title),
            json!(self.summary),
            json!(self.keywords),
            json!(self.industries),
            json!(gbt4754(&self.industries)),
            json!(organization.name),
            json!(organization.kind),
            opt(&self.region),
            opt(&self.trl),
            money(self.price_fen),
            modes(&self.transfer_modes),
            opt(&self.ip_type),
            opt(&self.ip_number),
            opt(&self.application_scenario),
            opt(&self.source_url),
            json!(self.status),
            json!(self.created_at),
            json!(self.updated_at),
            json!(self.expires_at),
        ]
    }
}

impl Exportable for Demand {
    const COLUMNS: &'static [(&'static str, &'static str)] = &[
        ("id", "编号"),
        ("title", "名称"),
        ("description", "需求描述"),
        ("keywords", "关键词"),
        ("industries", "产业"),
        ("industries_gbt4754", "国民经济行业分类"),
        ("organization", "所属机构"),
        ("org_kind", "机构类型"),
        ("region", "地区"),
        ("trl_min", "最低技术成熟度"),
        ("budget_yuan", "预算（元）"),
        ("deadline", "截止日期"),
        ("cooperation_modes", "合作方式"),
        ("application_scenario", "应用场景"),
        ("source_url", "来源链接"),
        ("status", "状态"),
        ("created_at", "创建时间"),
        ("updated_at", "更新时间"),
        ("expires_at", "有效期至"),
    ];

    fn cells(&self, organization: &OrganizationSummary) -> Vec<Value> {
        vec![
            json!(self.id),
            json!(self.title),
            json!(self.description),
            json!(self.keywords),
            json!(self.industries),
            json!(gbt4754(&self.industries)),
            json!(organization.name),
            json!(organization.kind),
            opt(&self.region),
            opt(&self.trl_min),
            money(self.budget_fen),
            opt(&self.deadline),
            modes(&self.cooperation_modes),
            opt(&self.application_scenario),
            opt(&self.source_url),
            json!(self.status),
            json!(self.created_at),
            json!(self.updated_at),
            json!(self.expires_at),
        ]
    }
}

/// A cell as spreadsheet text: lists joined with `;`, null empty.
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

fn xlsx_fail(e: rust_xlsxwriter::XlsxError) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("xlsx: {e}"))
}

/// The listings as a file of `format` (headers in `headers`' language for CSV and XLSX); the
/// media type and the bytes.
pub fn render<L: Exportable>(
    listings: &[Shown<L>],
    format: ExchangeFormat,
    headers: CsvHeaders,
) -> Result<(&'static str, Vec<u8>), ApiError> {
    let names = L::COLUMNS.iter().map(|(en, zh)| if headers == CsvHeaders::Zh { *zh } else { *en });
    match format {
        ExchangeFormat::Csv => {
            let mut table = Table::new(L::COLUMNS, headers, true)?;
            for s in listings {
                table.row(s.listing.cells(&s.organization).iter().map(text))?;
            }
            Ok(("text/csv; charset=utf-8", table.finish()?.into_bytes()))
        }
        ExchangeFormat::Jsonl => {
            let mut out = Vec::new();
            for s in listings {
                let object: serde_json::Map<String, Value> =
                    L::COLUMNS.iter().map(|(en, _)| en.to_string()).zip(s.listing.cells(&s.organization)).collect();
                serde_json::to_writer(&mut out, &object).map_err(|e| ApiError::Internal(e.into()))?;
                out.push(b'\n');
            }
            Ok(("application/x-ndjson", out))
        }
        ExchangeFormat::Xlsx => {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet.set_name("listings").map_err(xlsx_fail)?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (c, name) in names.enumerate() {
                sheet.write_string_with_format(0, c as u16, name, &bold).map_err(xlsx_fail)?;
            }
            for (r, s) in listings.iter().enumerate() {
                for (c, cell) in s.listing.cells(&s.organization).iter().enumerate() {
                    let row = u32::try_from(r + 1).unwrap_or(u32::MAX);
                    match cell {
                        Value::Number(n) => {
                            sheet.write_number(row, c as u16, n.as_f64().unwrap_or_default()).map_err(xlsx_fail)?;
                        }
                        // Written as text cells (never formulas), so they need no quoting.
                        other => {
                            sheet.write_string(row, c as u16, text(other)).map_err(xlsx_fail)?;
                        }
                    }
                }
            }
            let bytes = workbook.save_to_buffer().map_err(xlsx_fail)?;
            Ok(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes))
        }
    }
}

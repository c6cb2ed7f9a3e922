//! The department's period report as an .xlsx workbook (rust_xlsxwriter): Chinese headers, amounts
//! in 万元, and native Excel charts — the funnel (a horizontal bar chart with its stages top
//! down: Excel's own funnel chart type is not one rust_xlsxwriter writes), the monthly contract
//! value and the value by industry.

use chrono::NaiveDate;
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

use super::value::{ValueRow, ValueStats};
use crate::error::ApiError;

/// The sheets' names (also used in chart ranges).
const SUMMARY: &str = "概要";
const MONTHLY: &str = "按月";
const INDUSTRY: &str = "按产业";
const GROUPS: &str = "其他分组";

/// Fen as 万元 (10,000 yuan).
fn wan(fen: i64) -> f64 {
    fen as f64 / 1_000_000.0
}

fn fail(e: XlsxError) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("xlsx: {e}"))
}

/// Labels of what a report shows, resolved by the caller (industry names from the taxonomy,
/// organisation kinds, broker and agency names).
pub struct Labels<'a> {
    pub industry: &'a dyn Fn(&str) -> String,
    pub kind: &'a dyn Fn(&str) -> String,
    pub party: &'a dyn Fn(&str) -> String,
}

const VALUE_HEADERS: [&str; 4] = ["合同数（项）", "合同金额（万元）", "技术交易额（万元）", "到账额（万元）"];

/// Writes `rows` under a header at `top`: the label column, then count and the three amounts.
/// Returns the row after the table.
fn value_table(
    sheet: &mut Worksheet,
    top: u32,
    label_header: &str,
    rows: &[ValueRow],
    label: &dyn Fn(Option<&str>) -> String,
    f: &Formats,
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(top, 0, label_header, &f.header)?;
    for (i, h) in VALUE_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(top, i as u16 + 1, *h, &f.header)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = top + 1 + i as u32;
        sheet.write_string(row, 0, label(r.key.as_deref()))?;
        sheet.write_number(row, 1, r.count as f64)?;
        for (col, fen) in [(2, r.amount_fen), (3, r.technical_fen), (4, r.received_fen)] {
            sheet.write_number_with_format(row, col, wan(fen), &f.money)?;
        }
    }
    Ok(top + 1 + rows.len() as u32)
}

/// Prints on landscape pages one sheet wide (what the department pastes or prints).
fn printable(sheet: &mut Worksheet) {
    sheet.set_landscape().set_print_fit_to_pages(1, 0);
}

struct Formats {
    title: Format,
    header: Format,
    money: Format,
}

/// The report for `[from, to]` from `stats` (grouped by month) as .xlsx bytes.
pub fn xlsx(stats: &ValueStats, from: NaiveDate, to: NaiveDate, labels: &Labels) -> Result<Vec<u8>, ApiError> {
    build(stats, from, to, labels).map_err(fail)
}

fn build(stats: &ValueStats, from: NaiveDate, to: NaiveDate, labels: &Labels) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        title: Format::new().set_bold().set_font_size(14),
        header: Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_border(rust_xlsxwriter::FormatBorder::Thin),
        money: Format::new().set_num_format("#,##0.00"),
    };
    let mut book = Workbook::new();

    // 概要: the totals and the funnel, with its chart.
    let sheet = book.add_worksheet().set_name(SUMMARY)?;
    printable(sheet);
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 18)?;
    sheet.write_string_with_format(0, 0, format!("技术合同与到账统计报告（{from} 至 {to}）"), &f.title)?;
    sheet.write_string(1, 0, "只计双方确认、审核通过（或无需审核）的合同；到账只计买方确认的到账。金额单位：万元。")?;
    sheet.write_string_with_format(3, 0, "指标", &f.header)?;
    sheet.write_string_with_format(3, 1, "数值", &f.header)?;
    let t = &stats.total;
    sheet.write_string(4, 0, VALUE_HEADERS[0])?;
    sheet.write_number(4, 1, t.count as f64)?;
    for (i, fen) in [t.amount_fen, t.technical_fen, t.received_fen].into_iter().enumerate() {
        sheet.write_string(5 + i as u32, 0, VALUE_HEADERS[i + 1])?;
        sheet.write_number_with_format(5 + i as u32, 1, wan(fen), &f.money)?;
    }
    let funnel_top = 9;
    sheet.write_string_with_format(funnel_top, 0, "对接转化漏斗（期内新开对接）", &f.header)?;
    sheet.write_string_with_format(funnel_top, 1, "数量", &f.header)?;
    let u = &stats.funnel;
    let stages = [
        ("对接", u.connections),
        ("其中源自匹配", u.from_match),
        ("双方确认合同", u.contracts),
        ("计入统计", u.counted),
        ("已登记", u.registered),
        ("已到账", u.paid),
    ];
    for (i, (name, n)) in stages.iter().enumerate() {
        sheet.write_string(funnel_top + 1 + i as u32, 0, *name)?;
        sheet.write_number(funnel_top + 1 + i as u32, 1, *n as f64)?;
    }
    let last = funnel_top + stages.len() as u32;
    let mut funnel = Chart::new(ChartType::Bar);
    funnel.add_series().set_name("数量").set_categories((SUMMARY, funnel_top + 1, 0, last, 0)).set_values((
        SUMMARY,
        funnel_top + 1,
        1,
        last,
        1,
    ));
    funnel.title().set_name("对接 → 合同 → 登记 → 到账");
    funnel.y_axis().set_reverse();
    funnel.x_axis().set_major_unit(1);
    funnel.legend().set_hidden();
    sheet.insert_chart(last + 2, 0, &funnel)?;

    // 按月: contract value, 技术交易额 and receipts by month, with a column chart.
    let sheet = book.add_worksheet().set_name(MONTHLY)?;
    printable(sheet);
    for col in 0..5 {
        sheet.set_column_width(col, 18)?;
    }
    let month = |k: Option<&str>| k.map(|d| d.get(..7).unwrap_or(d).to_string()).unwrap_or_default();
    let end = value_table(sheet, 0, "月份", &stats.by_period, &month, &f)?;
    let mut monthly = Chart::new(ChartType::Column);
    for (col, name) in [(2, "合同金额（万元）"), (3, "技术交易额（万元）"), (4, "到账额（万元）")]
    {
        monthly.add_series().set_name(name).set_categories((MONTHLY, 1, 0, end.max(2) - 1, 0)).set_values((
            MONTHLY,
            1,
            col,
            end.max(2) - 1,
            col,
        ));
    }
    monthly.title().set_name("月度合同金额与到账");
    monthly.y_axis().set_name("万元");
    sheet.insert_chart(end + 1, 0, &monthly)?;

    // 按产业: value by industry, with a bar chart.
    let sheet = book.add_worksheet().set_name(INDUSTRY)?;
    printable(sheet);
    for col in 0..5 {
        sheet.set_column_width(col, 18)?;
    }
    let industry = |k: Option<&str>| k.map(labels.industry).unwrap_or_default();
    let end = value_table(sheet, 0, "产业", &stats.by_industry, &industry, &f)?;
    let mut by_industry = Chart::new(ChartType::Bar);
    by_industry
        .add_series()
        .set_name("合同金额（万元）")
        .set_categories((INDUSTRY, 1, 0, end.max(2) - 1, 0))
        .set_values((INDUSTRY, 1, 2, end.max(2) - 1, 2));
    by_industry.title().set_name("分产业合同金额");
    by_industry.y_axis().set_reverse();
    sheet.insert_chart(end + 1, 0, &by_industry)?;

    // 其他分组: regions, kinds, agencies, brokers.
    let sheet = book.add_worksheet().set_name(GROUPS)?;
    printable(sheet);
    for col in 0..5 {
        sheet.set_column_width(col, 20)?;
    }
    let region = |k: Option<&str>| k.map(str::to_string).unwrap_or_else(|| "（未填）".into());
    let kind = |k: Option<&str>| k.map(labels.kind).unwrap_or_default();
    let party = |k: Option<&str>| k.map(labels.party).unwrap_or_else(|| "（无经纪人）".into());
    let mut top = 0;
    for (header, rows, label) in [
        ("卖方地区", &stats.by_seller_region, &region as &dyn Fn(Option<&str>) -> String),
        ("买方地区", &stats.by_buyer_region, &region),
        ("卖方类型", &stats.by_seller_kind, &kind),
        ("买方类型", &stats.by_buyer_kind, &kind),
        ("技术转移机构", &stats.by_agency, &party),
        ("技术经纪人", &stats.by_broker, &party),
    ] {
        top = value_table(sheet, top, header, rows, label, &f)? + 1;
    }
    book.save_to_buffer()
}

//! One row of an import, whatever the file's format: the fields of the exchange format
//! (docs/EXCHANGE.md) as text, before checking. JSON Lines rows keep the shape of
//! `data/listings/*.jsonl` and the CLI import (`extra.org_name`, `extra.region`,
//! `extra.budget_cny`); CSV and XLSX rows name their columns in English or Chinese
//! ([`field_of_header`]).

use serde_json::{Map, Value};

/// A field of the exchange format an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Summary,
    Keywords,
    Industries,
    OrgKind,
    Organization,
    CreditCode,
    Region,
    SourceUrl,
    Trl,
    MoneyYuan,
    Deadline,
    Modes,
    IpType,
    IpNumber,
    Scenario,
}

/// The column names (lower case) each field is read from, English and Chinese.
const HEADERS: &[(Field, &[&str])] = &[
    (Field::Title, &["title", "名称", "标题", "成果名称", "需求名称", "项目名称"]),
    (Field::Summary, &["summary", "description", "简介", "摘要", "成果简介", "需求描述", "描述", "内容"]),
    (Field::Keywords, &["keywords", "关键词"]),
    (Field::Industries, &["industries", "产业", "行业", "所属产业"]),
    (Field::OrgKind, &["org_kind", "organization_kind", "机构类型", "单位类型"]),
    (
        Field::Organization,
        &[
            "organization",
            "organization_name",
            "org_name",
            "机构",
            "机构名称",
            "单位名称",
            "所属机构",
            "完成单位",
            "需求单位",
        ],
    ),
    (Field::CreditCode, &["credit_code", "organization_credit_code", "统一社会信用代码", "信用代码"]),
    (Field::Region, &["region", "地区", "所在地区", "所属地区"]),
    (Field::SourceUrl, &["source_url", "来源链接", "来源", "链接"]),
    (Field::Trl, &["trl", "trl_min", "技术成熟度", "最低技术成熟度"]),
    (
        Field::MoneyYuan,
        &["price_yuan", "budget_yuan", "价格（元）", "价格(元)", "预算（元）", "预算(元)", "价格", "预算"],
    ),
    (Field::Deadline, &["deadline", "截止日期"]),
    (Field::Modes, &["transfer_modes", "cooperation_modes", "modes", "转化方式", "合作方式"]),
    (Field::IpType, &["ip_type", "知识产权类型"]),
    (Field::IpNumber, &["ip_number", "知识产权编号", "专利号"]),
    (Field::Scenario, &["application_scenario", "应用场景"]),
];

/// The field a column header names (trimmed, case-insensitive, a byte-order mark ignored);
/// `None` for columns the import does not read (`id`, `status`, the GB/T 4754 codes…).
pub fn field_of_header(header: &str) -> Option<Field> {
    let h = header.trim_start_matches('\u{feff}').trim().to_lowercase();
    HEADERS.iter().find(|(_, names)| names.contains(&h.as_str())).map(|(f, _)| *f)
}

/// One row as read, every value as text; lists split.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    pub industries: Vec<String>,
    pub org_kind: Option<String>,
    pub organization: Option<String>,
    pub credit_code: Option<String>,
    pub region: Option<String>,
    pub source_url: Option<String>,
    pub trl: Option<String>,
    pub money_yuan: Option<String>,
    pub deadline: Option<String>,
    pub modes: Vec<String>,
    pub ip_type: Option<String>,
    pub ip_number: Option<String>,
    pub scenario: Option<String>,
    /// Facts kept as they are (`extra` of a JSON Lines row).
    pub extra: Map<String, Value>,
}

/// Splits a list cell on `;` `；` `,` `，` `、` or `|`, trimming and dropping blanks.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([';', '；', ',', '，', '、', '|']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
    .filter(|s| !s.trim().is_empty())
}

fn list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(text).map(|s| s.trim().to_string()).collect(),
        other => text(other).map(|s| split_list(&s)).unwrap_or_default(),
    }
}

impl Record {
    /// Sets `field` from a cell's text.
    pub fn set(&mut self, field: Field, cell: String) {
        let value = Some(cell.trim().to_string()).filter(|s| !s.is_empty());
        match field {
            Field::Title => self.title = value,
            Field::Summary => self.summary = value,
            Field::Keywords => self.keywords = split_list(&cell),
            Field::Industries => self.industries = split_list(&cell),
            Field::OrgKind => self.org_kind = value,
            Field::Organization => self.organization = value,
            Field::CreditCode => self.credit_code = value,
            Field::Region => self.region = value,
            Field::SourceUrl => self.source_url = value,
            Field::Trl => self.trl = value,
            Field::MoneyYuan => self.money_yuan = value,
            Field::Deadline => self.deadline = value,
            Field::Modes => self.modes = split_list(&cell),
            Field::IpType => self.ip_type = value,
            Field::IpNumber => self.ip_number = value,
            Field::Scenario => self.scenario = value,
        }
    }

    /// A JSON Lines object: the fields by their English names (as [`field_of_header`] reads
    /// them), `extra` kept, and the CLI's `extra.org_name`, `extra.region` and `extra.budget_cny`
    /// read as the organisation, region and budget when the row does not give them itself.
    pub fn from_json(object: Map<String, Value>) -> Self {
        let mut record = Record::default();
        for (key, value) in &object {
            if key == "extra" {
                continue;
            }
            let Some(field) = field_of_header(key) else { continue };
            match field {
                Field::Keywords | Field::Industries | Field::Modes => {
                    let items = list(value);
                    match field {
                        Field::Keywords => record.keywords = items,
                        Field::Industries => record.industries = items,
                        _ => record.modes = items,
                    }
                }
                other => {
                    if let Some(t) = text(value) {
                        record.set(other, t);
                    }
                }
            }
        }
        if let Some(Value::Object(extra)) = object.get("extra") {
            let get = |k: &str| extra.get(k).and_then(text);
            if record.organization.is_none() {
                record.organization = get("org_name");
            }
            if record.region.is_none() {
                record.region = get("region");
            }
            if record.money_yuan.is_none() {
                record.money_yuan = get("budget_cny");
            }
            record.extra = extra.clone();
        }
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_english_headers() {
        assert_eq!(field_of_header("\u{feff}名称"), Some(Field::Title));
        assert_eq!(field_of_header(" Title "), Some(Field::Title));
        assert_eq!(field_of_header("预算（元）"), Some(Field::MoneyYuan));
        assert_eq!(field_of_header("id"), None);
    }

    #[test]
    fn a_cli_line_reads_as_before() {
        let line = r#"{"title":"鱼菜共生","summary":"s","keywords":["a","b"],"industries":["冷凉蔬菜"],
            "org_kind":"university","extra":{"region":"宁夏","org_name":"宁夏大学","budget_cny":12.5}}"#;
        let Value::Object(o) = serde_json::from_str(line).unwrap() else { panic!() };
        let r = Record::from_json(o);
        assert_eq!(r.title.as_deref(), Some("鱼菜共生"));
        assert_eq!(r.keywords, ["a", "b"]);
        assert_eq!(r.organization.as_deref(), Some("宁夏大学"));
        assert_eq!(r.region.as_deref(), Some("宁夏"));
        assert_eq!(r.money_yuan.as_deref(), Some("12.5"));
        assert_eq!(split_list("光伏；储能、氢能, 算力"), ["光伏", "储能", "氢能", "算力"]);
    }
}

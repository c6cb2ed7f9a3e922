//! One invalid input field: where (`field`, a dotted path), what (`code`, from a closed list) and
//! its parameters (`max`, `actual`…), with a message in the reader's language. Every validation
//! of the code base, and every field serde refuses in a body, a query string or a path, is
//! reported this way; docs/API.md ("Field errors") lists the codes and their parameters.
//!
//! ```json
//! {"field": "title", "code": "too_long", "max": 200, "actual": 230, "message": "最多 200 个字符（实际 230 个）"}
//! ```

use std::borrow::Cow;

use serde_json::{Map, Value};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::lang::Lang;

macro_rules! field_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $text:literal,)+) => {
        /// The machine-readable `code` of a field error.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum FieldCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl FieldCode {
            /// Every code, in the order of docs/API.md's list.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The code as sent.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// What the code means and which parameters it carries (its doc comment).
            pub fn meaning(self) -> &'static str {
                match self { $(Self::$variant => concat!($($doc),+).trim_start()),+ }
            }
        }
    };
}

field_codes! {
    /// A required field is absent (or `null`), or a field required by another field's value is missing.
    Missing = "missing",
    /// The body or query has a field of this name that the operation does not take; `allowed`: the names it takes.
    UnknownField = "unknown_field",
    /// The JSON type is wrong; `expected`: what was expected (e.g. `a string`), `actual`: what was sent (e.g. `integer`).
    InvalidType = "invalid_type",
    /// The value does not parse or is not one of a closed list; `allowed`: the values (for a vocabulary), `expected`: the form otherwise.
    InvalidValue = "invalid_value",
    /// A required text is empty or only white space and invisible characters; `max`.
    Blank = "blank",
    /// A text is longer than `max` characters (`actual`: its length as sent).
    TooLong = "too_long",
    /// A text is shorter than `min` characters (`actual`).
    TooShort = "too_short",
    /// A list has more than `max` items (`actual`).
    TooMany = "too_many",
    /// A number outside `min`..=`max` (`actual`).
    OutOfRange = "out_of_range",
    /// A text holds a character no text may hold; `character`: e.g. `U+202E`.
    ForbiddenCharacter = "forbidden_character",
    /// A text is not of its format; `format`: `url`, `email`, `credit_code`, `registration_no`, `date`.
    InvalidFormat = "invalid_format",
    /// A code or name that is not in a vocabulary; `value`, `vocabulary`: `industries` (GET /industries) or `regions` (GET /regions).
    UnknownValue = "unknown_value",
    /// A password that is too easy to guess; `reason`.
    WeakPassword = "weak_password",
    /// The field names a record that does not exist (or is not visible to the caller).
    NotFound = "not_found",
    /// The value does not match what is on record (a current password).
    Mismatch = "mismatch",
    /// The field may not be set here or in this state (the message says how to do it instead).
    NotAllowed = "not_allowed",
    /// The value contradicts another field, named by `other`.
    Inconsistent = "inconsistent",
    /// The record breaks a rule the database keeps; `constraint`: its name.
    Constraint = "constraint",
}

impl std::fmt::Display for FieldCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One invalid field. Built with [`FieldError::new`], parameters added with [`FieldError::with`]
/// and, where the standard message of the code says too little, a message of its own in both
/// languages with [`FieldError::says`].
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The field's JSON name, dotted for nested items (`keywords.2`, `organization.name`).
    pub field: String,
    /// What is wrong, from a closed list.
    pub code: FieldCode,
    /// The code's parameters (`max`, `actual`, `allowed`…), sent as members of the error.
    pub params: Map<String, Value>,
    /// A message of its own (Chinese, English) instead of the code's standard one.
    pub note: Option<(Cow<'static, str>, Cow<'static, str>)>,
}

impl FieldError {
    /// An error of `code` on `field`, without parameters.
    pub fn new(field: impl Into<String>, code: FieldCode) -> Self {
        Self { field: field.into(), code, params: Map::new(), note: None }
    }

    /// Adds the parameter `name`.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.params.insert(name.to_string(), value.into());
        self
    }

    /// A message of its own, in Chinese and English.
    pub fn says(mut self, zh: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        self.note = Some((zh.into(), en.into()));
        self
    }

    fn param(&self, name: &str) -> String {
        match self.params.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        if let Some((zh, en)) = &self.note {
            return lang.pick(zh, en).to_string();
        }
        let p = |name: &str| self.param(name);
        let has = |name: &str| self.params.contains_key(name);
        match (self.code, lang) {
            (FieldCode::Missing, Lang::Zh) => "必填".into(),
            (FieldCode::Missing, Lang::En) => "is required".into(),
            (FieldCode::UnknownField, Lang::Zh) => "不是该请求可用的字段".into(),
            (FieldCode::UnknownField, Lang::En) => "is not a field of this request".into(),
            (FieldCode::InvalidType, Lang::Zh) => format!("类型错误：应为 {}", p("expected")),
            (FieldCode::InvalidType, Lang::En) => format!("has the wrong type: expected {}", p("expected")),
            (FieldCode::InvalidValue, Lang::Zh) if has("allowed") => format!("取值无效，可选值：{}", p("allowed")),
            (FieldCode::InvalidValue, Lang::En) if has("allowed") => format!("is not one of: {}", p("allowed")),
            (FieldCode::InvalidValue, Lang::Zh) if has("expected") => format!("取值无效：应为 {}", p("expected")),
            (FieldCode::InvalidValue, Lang::En) if has("expected") => format!("is invalid: expected {}", p("expected")),
            (FieldCode::InvalidValue, Lang::Zh) => "取值无效".into(),
            (FieldCode::InvalidValue, Lang::En) => "is invalid".into(),
            (FieldCode::Blank, Lang::Zh) => format!("不能为空（1–{} 个字符）", p("max")),
            (FieldCode::Blank, Lang::En) => format!("must not be blank (1–{} characters)", p("max")),
            (FieldCode::TooLong, Lang::Zh) => format!("最多 {} 个字符（实际 {} 个）", p("max"), p("actual")),
            (FieldCode::TooLong, Lang::En) => format!("must be at most {} characters (got {})", p("max"), p("actual")),
            (FieldCode::TooShort, Lang::Zh) => format!("至少 {} 个字符（实际 {} 个）", p("min"), p("actual")),
            (FieldCode::TooShort, Lang::En) => {
                format!("must be at least {} characters (got {})", p("min"), p("actual"))
            }
            (FieldCode::TooMany, Lang::Zh) => format!("最多 {} 项（实际 {} 项）", p("max"), p("actual")),
            (FieldCode::TooMany, Lang::En) => format!("at most {} items (got {})", p("max"), p("actual")),
            (FieldCode::OutOfRange, Lang::Zh) => {
                format!("应在 {} 到 {} 之间（实际 {}）", p("min"), p("max"), p("actual"))
            }
            (FieldCode::OutOfRange, Lang::En) => {
                format!("must be between {} and {} (got {})", p("min"), p("max"), p("actual"))
            }
            (FieldCode::ForbiddenCharacter, Lang::Zh) => format!("不能包含字符 {}", p("character")),
            (FieldCode::ForbiddenCharacter, Lang::En) => format!("must not contain the character {}", p("character")),
            (FieldCode::InvalidFormat, Lang::Zh) => format!("格式不正确（{}）", format_zh(&p("format"))),
            (FieldCode::InvalidFormat, Lang::En) => format!("is not a valid {}", format_en(&p("format"))),
            (FieldCode::UnknownValue, Lang::Zh) => format!("未知的{}：{}", vocabulary_zh(&p("vocabulary")), p("value")),
            (FieldCode::UnknownValue, Lang::En) => {
                format!("unknown {}: {}", vocabulary_en(&p("vocabulary")), p("value"))
            }
            (FieldCode::WeakPassword, Lang::Zh) => "密码太容易被猜到，请使用由不常见词组成的更长短语".into(),
            (FieldCode::WeakPassword, Lang::En) => {
                format!("is too easy to guess: {}; use a longer phrase of uncommon words", p("reason"))
            }
            (FieldCode::NotFound, Lang::Zh) => "引用的记录不存在".into(),
            (FieldCode::NotFound, Lang::En) => "refers to a record that does not exist".into(),
            (FieldCode::Mismatch, Lang::Zh) => "与记录不符".into(),
            (FieldCode::Mismatch, Lang::En) => "does not match".into(),
            (FieldCode::NotAllowed, Lang::Zh) => "此处不能设置该字段".into(),
            (FieldCode::NotAllowed, Lang::En) => "may not be set here".into(),
            (FieldCode::Inconsistent, Lang::Zh) => format!("与字段 {} 矛盾", p("other")),
            (FieldCode::Inconsistent, Lang::En) => format!("contradicts `{}`", p("other")),
            (FieldCode::Constraint, Lang::Zh) => "违反数据库约束".into(),
            (FieldCode::Constraint, Lang::En) => "violates a database constraint".into(),
        }
    }

    /// The error as sent: `field`, `code`, the parameters and `message` in `lang`.
    pub fn to_json(&self, lang: Lang) -> Value {
        let mut out = Map::new();
        out.insert("field".into(), Value::String(self.field.clone()));
        out.insert("code".into(), Value::String(self.code.as_str().into()));
        for (name, value) in &self.params {
            out.insert(name.clone(), value.clone());
        }
        out.insert("message".into(), Value::String(self.message(lang)));
        Value::Object(out)
    }
}

fn format_zh(format: &str) -> &str {
    match format {
        "url" => "应为 http:// 或 https:// 开头的绝对网址",
        "email" => "应为电子邮件地址",
        "credit_code" => "应为 18 位统一社会信用代码",
        "registration_no" => "应为 6–32 位字母、数字或连字符",
        "date" => "应为日期 YYYY-MM-DD",
        "uuid" => "应为 UUID",
        other => other,
    }
}

fn format_en(format: &str) -> &str {
    match format {
        "url" => "absolute http:// or https:// URL",
        "email" => "e-mail address",
        "credit_code" => "unified social credit code (18 characters)",
        "registration_no" => "registration number (6–32 ASCII letters, digits and hyphens)",
        "date" => "date (YYYY-MM-DD)",
        "uuid" => "UUID",
        other => other,
    }
}

fn vocabulary_zh(vocabulary: &str) -> &str {
    match vocabulary {
        "industries" => "产业代码",
        "regions" => "地区",
        _ => "取值",
    }
}

fn vocabulary_en(vocabulary: &str) -> &str {
    match vocabulary {
        "industries" => "industry code",
        "regions" => "region",
        _ => "value",
    }
}

/// In the document: the field error's members, with `code` a closed enumeration whose
/// description lists every code and its parameters.
impl PartialSchema for FieldError {
    fn schema() -> RefOr<Schema> {
        let mut codes = String::from("What is wrong with the field:\n");
        for code in FieldCode::ALL {
            codes.push_str(&format!("\n- `{}` — {}", code.as_str(), code.meaning()));
        }
        let text = |description: &str| ObjectBuilder::new().schema_type(Type::String).description(Some(description));
        let any =
            |description: &str| ObjectBuilder::new().schema_type(SchemaType::AnyValue).description(Some(description));
        let list_or_text = |description: &str| {
            OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::String))
                .item(ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(description))
        };
        ObjectBuilder::new()
            .description(Some(
                "One invalid field: its path, a machine-readable `code`, the code's parameters as members, and a \
`message` in the language of the response (`Content-Language`).",
            ))
            .property("field", text("The field's JSON name, dotted for nested items (`keywords.2`, `organization.name`); for a query or path parameter its name.").examples([Value::from("title")]))
            .required("field")
            .property(
                "code",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(codes))
                    .enum_values(Some(FieldCode::ALL.iter().map(|c| c.as_str()))),
            )
            .required("code")
            .property("message", text("Why it is invalid, in the response's language (Chinese unless `Accept-Language` asks for English).").examples([Value::from("最多 200 个字符（实际 230 个）")]))
            .required("message")
            .property("max", any("`too_long`, `too_many`, `out_of_range`, `blank`: the largest length, count or value allowed (a number; a day for a date)."))
            .property("min", any("`too_short`, `out_of_range`: the smallest length or value allowed (a number; a day for a date)."))
            .property("actual", any("`too_long`, `too_short`, `too_many`, `out_of_range`: the length, count or value sent; `invalid_type`: the JSON type sent."))
            .property("expected", text("`invalid_type`, `invalid_value`: what was expected."))
            .property("allowed", list_or_text("`unknown_field`: the names the operation takes; `invalid_value`: the values of the vocabulary."))
            .property("value", text("`unknown_value`: the value sent."))
            .property("vocabulary", text("`unknown_value`: `industries` or `regions`."))
            .property("character", text("`forbidden_character`: the character, as `U+XXXX`."))
            .property("format", text("`invalid_format`: `url`, `email`, `credit_code`, `registration_no`, `date`, `uuid`."))
            .property("reason", text("`weak_password`: why the password is weak."))
            .property("other", text("`inconsistent`: the field it contradicts."))
            .property("constraint", text("`constraint`: the database rule's name."))
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl ToSchema for FieldError {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("FieldError")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_the_language_and_params_are_members() {
        let e = FieldError::new("title", FieldCode::TooLong).with("max", 200).with("actual", 230);
        assert_eq!(e.message(Lang::En), "must be at most 200 characters (got 230)");
        assert_eq!(e.message(Lang::Zh), "最多 200 个字符（实际 230 个）");
        let json = e.to_json(Lang::En);
        assert_eq!(json["field"], "title");
        assert_eq!(json["code"], "too_long");
        assert_eq!(json["max"], 200);
        let noted = FieldError::new("note", FieldCode::Missing).says("说明原因", "say why");
        assert_eq!(noted.message(Lang::Zh), "说明原因");
    }

    #[test]
    fn api_md_lists_every_field_code() {
        let doc = include_str!("../docs/API.md");
        for code in FieldCode::ALL {
            assert!(doc.contains(&format!("| `{}` |", code.as_str())), "docs/API.md lacks the field code `{code}`");
        }
    }
}

//! Field-by-field input checking that collects every problem before answering. Lengths are
//! counted in Unicode scalar values (characters), not bytes, as sent (before trimming, so that a
//! JSON Schema `maxLength` states the same limit). Any text containing U+0000 makes
//! the whole request a 400 `nul_character` (PostgreSQL cannot store it).

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use crate::error::{ApiError, ErrorCode, FieldCode, FieldError};
use crate::industries::taxonomy::Taxonomy;
use crate::text_rules;

/// Collects field errors while input is turned into domain values.
#[derive(Default)]
pub struct Fields {
    errors: Vec<FieldError>,
    nul_field: Option<String>,
}

impl Fields {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Records an error of `code` on `field` with a message of its own (Chinese, English).
    pub fn error(
        &mut self,
        field: impl Into<String>,
        code: FieldCode,
        zh: impl Into<std::borrow::Cow<'static, str>>,
        en: impl Into<std::borrow::Cow<'static, str>>,
    ) {
        self.errors.push(FieldError::new(field, code).says(zh, en));
    }

    fn length(&mut self, field: impl Into<String>, len: usize, max: usize) {
        let code = if len == 0 { FieldCode::Blank } else { FieldCode::TooLong };
        let mut error = FieldError::new(field, code).with("max", max);
        if len > 0 {
            error = error.with("actual", len);
        }
        self.errors.push(error);
    }

    fn nul_free(&mut self, field: &str, value: &str) -> bool {
        if value.contains('\0') {
            self.nul_field.get_or_insert_with(|| field.to_string());
            return false;
        }
        true
    }

    /// 422 on `field` when `value` holds a character no text may hold (a bidirectional or C0
    /// control; tab, line feed and carriage return are allowed in multi-line texts): see
    /// [`text_rules`](crate::text_rules).
    fn allowed_characters(&mut self, field: &str, value: &str, multi_line: bool) {
        if let Some(c) = text_rules::first_refused(value, multi_line) {
            let kind = if text_rules::is_bidi_control(c) { "bidi_control" } else { "control" };
            self.push(
                FieldError::new(field, FieldCode::ForbiddenCharacter)
                    .with("character", format!("U+{:04X}", c as u32))
                    .with("kind", kind),
            );
        }
    }

    fn required(&mut self, field: &str, value: String, max: usize, multi_line: bool) -> String {
        if !self.nul_free(field, &value) {
            return value;
        }
        self.allowed_characters(field, &value, multi_line);
        let trimmed = value.trim();
        let len = if text_rules::is_blank(trimmed) { 0 } else { value.chars().count() };
        if len == 0 || len > max {
            self.length(field, len, max);
        }
        trimmed.to_string()
    }

    /// An optional text, `None` when `blank` holds for it trimmed.
    fn optional(
        &mut self,
        field: &str,
        value: Option<String>,
        max: usize,
        multi_line: bool,
        blank: fn(&str) -> bool,
    ) -> Option<String> {
        let value = value?;
        if !self.nul_free(field, &value) {
            return None;
        }
        self.allowed_characters(field, &value, multi_line);
        let trimmed = value.trim();
        let len = value.chars().count();
        if len > max {
            self.length(field, len, max);
        }
        (!blank(trimmed)).then(|| trimmed.to_string())
    }

    /// A required single-line text (a title, a name): at most `max` characters as sent, not
    /// blank (white space and invisible characters alone are blank), no control characters;
    /// trimmed.
    pub fn text(&mut self, field: &str, value: String, max: usize) -> String {
        self.required(field, value, max, false)
    }

    /// A required multi-line text (a summary, a description): as [`Fields::text`], but tab,
    /// line feed and carriage return are allowed.
    pub fn long_text(&mut self, field: &str, value: String, max: usize) -> String {
        self.required(field, value, max, true)
    }

    /// An optional single-line text: at most `max` characters as sent, no control characters;
    /// trimmed; blank becomes `None`.
    pub fn opt_text(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        self.optional(field, value, max, false, text_rules::is_blank)
    }

    /// An optional multi-line text (a note): as [`Fields::opt_text`], but tab, line feed and
    /// carriage return are allowed.
    pub fn opt_long_text(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        self.optional(field, value, max, true, text_rules::is_blank)
    }

    /// A list of short texts (keywords): at most `max_items` items as sent, each at most
    /// `max_chars` characters as sent and not blank; trimmed, then duplicates are dropped (first kept).
    pub fn terms(&mut self, field: &str, values: Vec<String>, max_items: usize, max_chars: usize) -> Vec<String> {
        let sent = values.len();
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(values.len());
        for (i, value) in values.into_iter().enumerate() {
            let item = format!("{field}.{i}");
            if !self.nul_free(&item, &value) {
                continue;
            }
            self.allowed_characters(&item, &value, false);
            let trimmed = value.trim();
            let len = if text_rules::is_blank(trimmed) { 0 } else { value.chars().count() };
            if len == 0 || len > max_chars {
                self.length(item, len, max_chars);
            } else if seen.insert(trimmed.to_string()) {
                out.push(trimmed.to_string());
            }
        }
        if sent > max_items {
            self.push(FieldError::new(field, FieldCode::TooMany).with("max", max_items).with("actual", sent));
        }
        out
    }

    /// Industry codes, each checked against the taxonomy; duplicates dropped.
    pub fn industries(&mut self, field: &str, values: Vec<String>, taxonomy: &Taxonomy) -> Vec<String> {
        let codes = self.terms(field, values, MAX_INDUSTRIES, 40);
        for (i, code) in codes.iter().enumerate() {
            if !taxonomy.contains(code) {
                self.push(
                    FieldError::new(format!("{field}.{i}"), FieldCode::UnknownValue)
                        .with("value", code.as_str())
                        .with("vocabulary", "industries"),
                );
            }
        }
        codes
    }

    /// A number in `lo..=hi`, narrowed to `i16` (TRL and similar small ranges).
    pub fn small_range(&mut self, field: &str, value: Option<i64>, lo: i16, hi: i16) -> Option<i16> {
        let v = value?;
        match i16::try_from(v) {
            Ok(n) if (lo..=hi).contains(&n) => Some(n),
            _ => {
                self.push(range_error(field, lo, hi, v));
                None
            }
        }
    }

    /// A money amount in fen (0.01 CNY): 0..=10^15 (ten trillion yuan).
    pub fn money(&mut self, field: &str, value: Option<i64>) -> Option<i64> {
        let v = value?;
        if !(0..=MAX_MONEY_FEN).contains(&v) {
            self.push(range_error(field, 0, MAX_MONEY_FEN, v));
        }
        Some(v)
    }

    /// An optional region (see [`crate::regions::vocabulary::resolve`]): the text as written
    /// (trimmed, as [`Fields::opt_text`]) and the GB/T 2260 code it names; a text that names no
    /// region is an `unknown_value` error on `field` (`vocabulary: regions`).
    pub fn region(&mut self, field: &str, value: Option<String>) -> (Option<String>, Option<String>) {
        let before = self.errors.len();
        let text = self.opt_text(field, value, MAX_REGION_CHARS);
        let Some(written) = text.as_deref().filter(|_| self.errors.len() == before) else { return (text, None) };
        match crate::regions::vocabulary::resolve(written) {
            Some(code) => (text, Some(code.to_string())),
            None => {
                self.push(
                    FieldError::new(field, FieldCode::UnknownValue)
                        .with("value", written)
                        .with("vocabulary", "regions"),
                );
                (text, None)
            }
        }
    }

    /// An optional single-line code (a credit code, a URL): as [`Fields::opt_text`], but only
    /// white space is blank (invisible characters make it an invalid code, as its pattern says).
    pub fn opt_code(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        self.optional(field, value, max, false, str::is_empty)
    }

    /// An absolute http(s) URL of at most 2000 characters.
    pub fn url(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let url = self.opt_code(field, value, 2000)?;
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.contains(char::is_whitespace) {
            self.push(FieldError::new(field, FieldCode::InvalidFormat).with("format", "url"));
        }
        Some(url)
    }

    /// A calendar day of a body: one of the years 0001–9999 (what `format: date` can write and
    /// PostgreSQL stores), else an error on `field`.
    pub fn day(&mut self, field: &str, value: Option<NaiveDate>) -> Option<NaiveDate> {
        let day = value?;
        if !day_in_range(day) {
            self.push(
                FieldError::new(field, FieldCode::OutOfRange)
                    .with("min", "0001-01-01")
                    .with("max", "9999-12-31")
                    .with("actual", day.to_string()),
            );
        }
        Some(day)
    }

    /// Ends the check: 400 `nul_character` if any text held U+0000, else 422 with every field
    /// error, else `Ok`.
    pub fn finish(self) -> Result<(), ApiError> {
        if let Some(field) = self.nul_field {
            return Err(ApiError::bad_request(
                ErrorCode::NulCharacter,
                format!("`{field}` contains the NUL character U+0000"),
            ));
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

/// An `out_of_range` error on `field`: `actual` is not in `lo..=hi`.
pub fn range_error(field: &str, lo: impl Into<i64>, hi: impl Into<i64>, actual: i64) -> FieldError {
    FieldError::new(field, FieldCode::OutOfRange).with("min", lo.into()).with("max", hi.into()).with("actual", actual)
}

/// Most industries a listing may carry.
pub const MAX_INDUSTRIES: usize = 5;
/// Most keywords a listing may carry.
pub const MAX_KEYWORDS: usize = 20;
/// Longest keyword, in characters.
pub const MAX_KEYWORD_CHARS: usize = 30;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest summary or description, in characters.
pub const MAX_BODY_CHARS: usize = 5000;
/// Longest region name, in characters.
pub const MAX_REGION_CHARS: usize = 100;
/// Longest IP (patent or registration) number, in characters.
pub const MAX_IP_NUMBER_CHARS: usize = 100;
/// Longest application scenario or review note, in characters.
pub const MAX_SCENARIO_CHARS: usize = 2000;
/// Largest money amount in fen (10^15 fen = ten trillion yuan).
pub const MAX_MONEY_FEN: i64 = 1_000_000_000_000_000;

/// Deserialises a field that may be absent (`None`), `null` (`Some(None)`) or a value
/// (`Some(Some(v))`), for PATCH bodies. Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// An integer as JSON may spell it: `6` or `6.0` (JSON Schema, and the many JSON encoders that
/// write every number as a float, treat both as the integer 6). A number with a fraction, or
/// outside the `i64` range, is refused like any other type error (400 `invalid_body`).
struct JsonInteger(i64);

impl<'de> serde::Deserialize<'de> for JsonInteger {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = JsonInteger;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an integer")
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<JsonInteger, E> {
                Ok(JsonInteger(v))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<JsonInteger, E> {
                i64::try_from(v)
                    .map(JsonInteger)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }

            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<JsonInteger, E> {
                // 2^63 as f64 is exactly i64::MAX + 1, hence the strict upper bound.
                if v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64 {
                    Ok(JsonInteger(v as i64))
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Deserialises an optional integer field, accepting `6.0` for 6 (see [`JsonInteger`]).
/// Use with `#[serde(default, deserialize_with = "opt_integer")]`.
pub fn opt_integer<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    <Option<JsonInteger> as serde::Deserialize>::deserialize(deserializer).map(|v| v.map(|i| i.0))
}

/// Deserialises a required integer field, accepting `6.0` for 6 (see [`JsonInteger`]).
/// Use with `#[serde(deserialize_with = "integer")]`.
pub fn integer<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    <JsonInteger as serde::Deserialize>::deserialize(deserializer).map(|i| i.0)
}

/// Like [`nullable`] for an integer field of a PATCH body, accepting `6.0` for 6.
/// Use with `#[serde(default, deserialize_with = "nullable_integer")]`.
pub fn nullable_integer<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<i64>>, D::Error> {
    opt_integer(deserializer).map(Some)
}

/// Rejects a query-string value holding U+0000 with 400 `nul_character`.
pub fn query_text(name: &str, value: Option<&str>) -> Result<(), ApiError> {
    match value {
        Some(v) if v.contains('\0') => {
            Err(ApiError::bad_request(ErrorCode::NulCharacter, format!("`{name}` contains the NUL character U+0000")))
        }
        _ => Ok(()),
    }
}

/// True for a day of the years 1–9999: what an RFC 3339 `full-date` can write and what
/// PostgreSQL stores as a date or a timestamp (its timestamps end in 294276 AD and begin in
/// 4713 BC).
pub fn day_in_range(day: NaiveDate) -> bool {
    (1..=9999).contains(&day.year())
}

/// Rejects a day query parameter outside the years 1–9999 with 400 `invalid_query`.
pub fn query_day(name: &str, day: Option<NaiveDate>) -> Result<(), ApiError> {
    match day {
        Some(d) if !day_in_range(d) => Err(ApiError::BadFields {
            code: ErrorCode::InvalidQuery,
            detail: format!("`{name}` must be a day of the years 0001–9999 (got {d})"),
            errors: vec![FieldError::new(name, FieldCode::OutOfRange)
                .with("min", "0001-01-01")
                .with("max", "9999-12-31")
                .with("actual", d.to_string())],
        }),
        _ => Ok(()),
    }
}

/// Checks the `from` and `to` days of a period filter (both included, either may be absent):
/// 400 `invalid_query` for a day outside the years 1–9999 or `from` after `to`.
pub fn query_period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(), ApiError> {
    query_day("from", from)?;
    query_day("to", to)?;
    match (from, to) {
        (Some(from), Some(to)) if from > to => Err(ApiError::BadFields {
            code: ErrorCode::InvalidQuery,
            detail: "`from` is after `to`".into(),
            errors: vec![FieldError::new("from", FieldCode::Inconsistent)
                .with("other", "to")
                .says("开始日期晚于结束日期 to", "is after `to`")],
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_outside_four_digit_years_are_refused() {
        let day = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        assert!(day_in_range(day(1)) && day_in_range(day(2026)) && day_in_range(day(9999)));
        for y in [0, -1, -4714, 10000, 262142] {
            assert!(!day_in_range(day(y)), "{y}");
        }
        assert!(query_day("from", Some(day(-5000))).is_err());
        assert!(query_day("from", None).is_ok());
        assert!(query_period(Some(day(2026)), Some(day(2025))).is_err());
        assert!(query_period(Some(day(2025)), Some(day(2025))).is_ok() && query_period(None, None).is_ok());
    }

    #[test]
    fn lengths_and_counts_are_those_sent() {
        let mut f = Fields::new();
        assert_eq!(f.text("title", format!(" {}", "a".repeat(200)), 200), "a".repeat(200));
        assert_eq!(f.opt_text("region", Some(format!("{} ", "b".repeat(100))), 100), Some("b".repeat(100)));
        f.terms("keywords", vec![format!(" {}", "c".repeat(30))], 20, 30);
        f.terms("industries", vec!["goji".to_string(); 6], 5, 40);
        f.long_text("summary", " \u{3000}\t".into(), 10);
        let Err(ApiError::Validation(errors)) = f.finish() else { panic!("invalid fields") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "region", "keywords.0", "industries", "summary"]);
    }

    #[test]
    fn control_and_bidi_characters_are_refused_and_invisible_texts_are_blank() {
        let mut f = Fields::new();
        f.text("title", "a\u{202E}b".into(), 200);
        f.text("name", "a\nb".into(), 200);
        assert_eq!(f.long_text("summary", "a\r\n\tb".into(), 200), "a\r\n\tb");
        f.long_text("description", "a\u{7}".into(), 200);
        f.text("blank", "\u{200B}\u{FEFF}".into(), 200);
        assert_eq!(f.opt_text("region", Some("\u{2060} ".into()), 100), None);
        assert_eq!(f.url("source_url", Some("\u{200B}".into())), Some("\u{200B}".into()));
        let day = NaiveDate::from_ymd_opt(10000, 1, 1);
        assert_eq!(f.day("deadline", day), day);
        let Err(ApiError::Validation(errors)) = f.finish() else { panic!("invalid fields") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "name", "description", "blank", "source_url", "deadline"]);
    }

    #[test]
    fn integers_may_be_written_as_integral_floats() {
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(default, deserialize_with = "opt_integer")]
            n: Option<i64>,
            #[serde(default, deserialize_with = "nullable_integer")]
            m: Option<Option<i64>>,
        }
        let parse = |json: &str| serde_json::from_str::<Body>(json).map(|b| (b.n, b.m));
        assert_eq!(parse(r#"{"n": 6.0, "m": null}"#).unwrap(), (Some(6), Some(None)));
        assert_eq!(parse(r#"{"n": -3, "m": 1e3}"#).unwrap(), (Some(-3), Some(Some(1000))));
        assert_eq!(parse("{}").unwrap(), (None, None));
        assert!(parse(r#"{"n": 6.5}"#).is_err());
        assert!(parse(r#"{"n": 1e300}"#).is_err());
        assert!(parse(r#"{"n": 18446744073709551615}"#).is_err());
        assert!(parse(r#"{"n": "6"}"#).is_err());
    }
}

//! Text types of the document: each carries its length bounds and its pattern once, so a field
//! says `#[schema(value_type = Title)]` instead of repeating a regular expression. The patterns say
//! what the input checks accept: no U+0000 anywhere, and for required texts at least one character
//! that is not white space as `str::trim` knows it (texts are trimmed before their length counts).

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// White space as `str::trim` knows it (Rust's `char::is_whitespace`, the Unicode White_Space
/// property), as the body of a regular-expression character class.
pub const WHITE_SPACE_CLASS: &str =
    "\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// The pattern of a required text: no U+0000 and at least one character that is not white space.
pub const REQUIRED_TEXT: &str =
    "^[^\\x00]*[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\x00][^\\x00]*$";

/// The pattern of an optional text: no U+0000.
pub const NO_NUL: &str = "^[^\\x00]*$";

/// The pattern of an absolute http(s) URL, surrounded by optional white space (blank clears it).
pub const HTTP_URL: &str =
    "^[\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*\
(https?://[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\x00]*)?\
[\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$";

/// The pattern of an account's e-mail address: one `@`, a dot in the domain, surrounded by
/// optional white space.
pub const ACCOUNT_EMAIL: &str = "^[\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[^@\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\x00]+@[^@.\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\x00][^@\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\x00]*\\.[^@\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\x00]*[^@.\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\x00][\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$";

/// A string schema with optional bounds, a pattern, a description and an example.
fn text(min: Option<usize>, max: usize, pattern: &str, description: &str, example: Option<&str>) -> RefOr<Schema> {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .min_length(min)
        .max_length(Some(max))
        .pattern(Some(pattern));
    if let Some(example) = example {
        object = object.examples([example]);
    }
    object.into()
}

macro_rules! text_type {
    ($(#[$meta:meta])* $name:ident: $min:expr, $max:expr, $pattern:expr, $description:expr $(, $example:expr)?) => {
        $(#[$meta])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                text($min, $max, $pattern, $description, None $(.or(Some($example)))?)
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

text_type!(
    /// A title or a name: 1–200 characters, not blank.
    Title: Some(1), 200, REQUIRED_TEXT, "1–200 characters, not blank.", "枸杞鲜果无损分选"
);
text_type!(
    /// A listing's summary or description: 1–5000 characters, not blank.
    LongText: Some(1), 5000, REQUIRED_TEXT, "1–5000 characters, not blank."
);
text_type!(
    /// A person's display name: 1–100 characters, not blank.
    DisplayName: Some(1), 100, REQUIRED_TEXT, "1–100 characters, not blank.", "张三"
);
text_type!(
    /// A region: at most 100 characters.
    Region: None, 100, NO_NUL, "At most 100 characters.", "宁夏"
);
text_type!(
    /// A free-text note: at most 2000 characters.
    Note: None, 2000, NO_NUL, "At most 2000 characters."
);
text_type!(
    /// The public source of a listing: an absolute http(s) URL, at most 2000 characters.
    SourceUrl: None, 2000, HTTP_URL, "An absolute http(s) URL, at most 2000 characters.",
    "https://kjt.nx.gov.cn/"
);
text_type!(
    /// A keyword of a listing: at most 30 characters, not blank.
    Keyword: Some(1), 30, REQUIRED_TEXT, "A keyword: at most 30 characters, not blank.", "枸杞"
);
text_type!(
    /// Why a connection failed for another reason: 1–2000 characters, not blank.
    Reason: Some(1), 2000, REQUIRED_TEXT, "Why the connection failed: 1–2000 characters, not blank."
);
text_type!(
    /// A technology-contract registration number (技术合同登记号): at most 64 characters.
    RegistrationNo: None, 64, NO_NUL, "技术合同登记号, at most 64 characters."
);
text_type!(
    /// The free text of a match preview: at most 5000 characters.
    PreviewText: None, 5000, NO_NUL, "At most 5000 characters."
);
text_type!(
    /// An e-mail address: at most 254 characters.
    Email: None, 254, NO_NUL, "An e-mail address, at most 254 characters.", "enterprise@demo.techmatch"
);
text_type!(
    /// The e-mail address that signs an account in: at most 254 characters.
    AccountEmail: None, 254, ACCOUNT_EMAIL, "An e-mail address (at most 254 characters), the sign-in name.",
    "tech@example.org"
);
text_type!(
    /// A telephone number: at most 40 characters.
    Phone: None, 40, NO_NUL, "At most 40 characters.", "0951-1234567"
);
text_type!(
    /// A new password: 10–128 characters.
    NewPassword: Some(10), 128, NO_NUL, "10–128 characters, not a common password or pattern."
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The characters of the first `[^...]` class of [`REQUIRED_TEXT`] that is not `[^\x00]`.
    fn white_space_class() -> Vec<(u32, u32)> {
        let class = REQUIRED_TEXT.split("[^").nth(2).and_then(|c| c.split(']').next()).unwrap_or_default();
        let mut chars = Vec::new();
        let mut rest = class;
        while !rest.is_empty() {
            let (c, tail) = match rest.strip_prefix('\\') {
                Some(t) if t.starts_with('x') => (u32::from_str_radix(&t[1..3], 16).unwrap(), &t[3..]),
                Some(t) if t.starts_with('u') => (u32::from_str_radix(&t[1..5], 16).unwrap(), &t[5..]),
                Some(t) => (
                    match &t[..1] {
                        "t" => 9,
                        "n" => 10,
                        "r" => 13,
                        other => panic!("unexpected escape {other}"),
                    },
                    &t[1..],
                ),
                None => {
                    let c = rest.chars().next().unwrap();
                    (c as u32, &rest[c.len_utf8()..])
                }
            };
            chars.push(c);
            rest = tail;
        }
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if i + 2 < chars.len() && chars[i + 1] == '-' as u32 {
                ranges.push((chars[i], chars[i + 2]));
                i += 3;
            } else {
                ranges.push((chars[i], chars[i]));
                i += 1;
            }
        }
        ranges
    }

    #[test]
    fn text_patterns_know_white_space_as_trim_does() {
        assert!(REQUIRED_TEXT.contains(WHITE_SPACE_CLASS));
        assert!(HTTP_URL.contains(WHITE_SPACE_CLASS));
        let ranges = white_space_class();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let in_class = ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&(c as u32)));
            assert_eq!(in_class, c.is_whitespace() || c == '\0', "U+{:04X}", c as u32);
        }
    }
}

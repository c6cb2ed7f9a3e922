//! Text types of the document: each carries its length bounds and its pattern once, so a field
//! says `#[schema(value_type = Title)]` instead of repeating a regular expression. The patterns say
//! what the input checks accept (`validation::Fields`, with the character rules of
//! `text_rules`): no U+0000, no bidirectional controls, no C0 controls (multi-line texts may hold
//! tab, line feed and carriage return), and for required texts at least one character that is
//! neither white space as `str::trim` knows it nor invisible (texts are trimmed before their
//! length counts).

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// White space as `str::trim` knows it (Rust's `char::is_whitespace`, the Unicode White_Space
/// property), as the body of a regular-expression character class.
pub const WHITE_SPACE_CLASS: &str =
    "\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// White space that is not a C0 control: what single-line texts may carry around their content.
pub const LINE_SPACE_CLASS: &str = " \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// The bidirectional controls every text refuses (see [`crate::text_rules::is_bidi_control`]).
pub const BIDI_CLASS: &str = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

/// What a single-line text refuses: U+0000, the C0 controls and the bidirectional controls.
pub const LINE_REFUSED_CLASS: &str = "\\x00-\\x1f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

/// What a multi-line text refuses: as [`LINE_REFUSED_CLASS`] but tab, line feed and carriage
/// return are allowed.
pub const TEXT_REFUSED_CLASS: &str =
    "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

/// The pattern of a password: no U+0000 (any other character is allowed in a secret).
pub const NO_NUL: &str = "^[^\\x00]*$";

/// The patterns that depend on the invisible characters of [`crate::text_rules`], made once.
pub struct Patterns {
    /// A required single-line text: no refused character, at least one that is neither white
    /// space nor invisible.
    pub required_line: String,
    /// A required multi-line text.
    pub required_text: String,
    /// An optional single-line text: no refused character.
    pub line: String,
    /// An optional multi-line text.
    pub text: String,
    /// An absolute http(s) URL, surrounded by optional white space (blank clears it).
    pub http_url: String,
    /// An account's e-mail address: one `@`, a dot in the domain, surrounded by optional white space.
    pub account_email: String,
}

/// The patterns of the text types.
pub fn patterns() -> &'static Patterns {
    static PATTERNS: std::sync::OnceLock<Patterns> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| {
        let invisible = crate::text_rules::class_of(crate::text_rules::is_invisible);
        let required =
            |refused: &str| format!("^[^{refused}]*[^{WHITE_SPACE_CLASS}{invisible}{refused}][^{refused}]*$");
        let (sp, no) = (LINE_SPACE_CLASS, format!("{WHITE_SPACE_CLASS}{LINE_REFUSED_CLASS}"));
        Patterns {
            required_line: required(LINE_REFUSED_CLASS),
            required_text: required(TEXT_REFUSED_CLASS),
            line: format!("^[^{LINE_REFUSED_CLASS}]*$"),
            text: format!("^[^{TEXT_REFUSED_CLASS}]*$"),
            http_url: format!("^[{sp}]*(https?://[^{no}]*)?[{sp}]*$"),
            account_email: format!("^[{sp}]*[^@{no}]+@[^@.{no}][^@{no}]*\\.[^@{no}]*[^@.{no}][{sp}]*$"),
        }
    })
}

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
    ($(#[$meta:meta])* $name:ident: $min:expr, $max:expr, $pattern:ident, $description:expr $(, $example:expr)?) => {
        text_type!($(#[$meta])* $name: $min, $max, (&patterns().$pattern), $description $(, $example)?);
    };
    ($(#[$meta:meta])* $name:ident: $min:expr, $max:expr, ($pattern:expr), $description:expr $(, $example:expr)?) => {
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
    Title: Some(1), 200, required_line, "1–200 characters, not blank.", "枸杞鲜果无损分选"
);
text_type!(
    /// A listing's summary or description: 1–5000 characters, not blank.
    LongText: Some(1), 5000, required_text, "1–5000 characters, not blank."
);
text_type!(
    /// A person's display name: 1–100 characters, not blank.
    DisplayName: Some(1), 100, required_line, "1–100 characters, not blank.", "张三"
);
text_type!(
    /// A region: at most 100 characters.
    Region: None, 100, line, "At most 100 characters.", "宁夏"
);
text_type!(
    /// A free-text note: at most 2000 characters.
    Note: None, 2000, text, "At most 2000 characters."
);
text_type!(
    /// The public source of a listing: an absolute http(s) URL, at most 2000 characters.
    SourceUrl: None, 2000, http_url, "An absolute http(s) URL, at most 2000 characters.",
    "https://kjt.nx.gov.cn/"
);
text_type!(
    /// A keyword of a listing: at most 30 characters, not blank.
    Keyword: Some(1), 30, required_line, "A keyword: at most 30 characters, not blank.", "枸杞"
);
text_type!(
    /// Why a connection failed for another reason: 1–2000 characters, not blank.
    Reason: Some(1), 2000, required_text, "Why the connection failed: 1–2000 characters, not blank."
);
text_type!(
    /// A technology-contract registration number (技术合同登记号). No published format was found
    /// (docs/API.md, **Contracts**): 6–32 ASCII letters, digits and hyphens.
    RegistrationNo: Some(6), 32, ("^[0-9A-Za-z-]{6,32}$"),
    "技术合同登记号: 6–32 ASCII letters, digits and hyphens (no published format is checked beyond that).",
    "2026640100000123"
);
text_type!(
    /// Where a payment's receipt can be checked (a bank slip or invoice number): 1–200 characters.
    EvidenceRef: Some(1), 200, required_line, "Where the receipt can be checked (a bank slip or invoice number): 1–200 \
characters, not blank.", "银行回单 2026112000123"
);
text_type!(
    /// A note that must say something: 1–2000 characters, not blank.
    RequiredNote: Some(1), 2000, required_text, "1–2000 characters, not blank."
);
text_type!(
    /// The number of a patent or another registered right: at most 100 characters.
    IpNumber: None, 100, line, "At most 100 characters.", "ZL202310123456.7"
);
text_type!(
    /// Where a technology is or would be applied: at most 2000 characters.
    Scenario: None, 2000, text, "At most 2000 characters.", "枸杞主产区的规模化种植基地，鲜果采收季节"
);
text_type!(
    /// The free text of a match preview: at most 5000 characters.
    PreviewText: None, 5000, text, "At most 5000 characters."
);
text_type!(
    /// An e-mail address: at most 254 characters.
    Email: None, 254, line, "An e-mail address, at most 254 characters.", "enterprise@demo.techmatch"
);
text_type!(
    /// The e-mail address that signs an account in: at most 254 characters.
    AccountEmail: None, 254, account_email, "An e-mail address (at most 254 characters), the sign-in name.",
    "tech@example.org"
);
text_type!(
    /// A telephone number: at most 40 characters.
    Phone: None, 40, line, "At most 40 characters.", "0951-1234567"
);
text_type!(
    /// A new password: 10–128 characters.
    NewPassword: Some(10), 128, (NO_NUL), "10–128 characters, not a common password or pattern."
);

/// The bytes of a file sent or answered as is (an XLSX workbook): `type: string, format:
/// binary` in the document, so generators and clients treat it as a file, not as JSON numbers.
pub struct FileBytes;

impl utoipa::PartialSchema for FileBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("The file's bytes."))
            .into()
    }
}

impl utoipa::ToSchema for FileBytes {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("FileBytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text_rules::{is_bidi_control, is_invisible, is_refused};

    /// The code points of a character-class body as `(first, last)` ranges.
    fn ranges(class: &str) -> Vec<(u32, u32)> {
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
                    (if c == '-' { u32::MAX } else { c as u32 }, &rest[c.len_utf8()..])
                }
            };
            chars.push(c);
            rest = tail;
        }
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if i + 2 < chars.len() && chars[i + 1] == u32::MAX {
                ranges.push((chars[i], chars[i + 2]));
                i += 3;
            } else {
                ranges.push((chars[i], chars[i]));
                i += 1;
            }
        }
        ranges
    }

    /// Asserts that `class` holds exactly the characters for which `expected` is true.
    fn assert_class(name: &str, class: &str, expected: impl Fn(char) -> bool) {
        let ranges = ranges(class);
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let in_class = ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&(c as u32)));
            assert_eq!(in_class, expected(c), "{name}: U+{:04X}", c as u32);
        }
    }

    /// The body of the `n`-th `[^…]` class of `pattern` (0-based).
    fn negated_class(pattern: &str, n: usize) -> &str {
        pattern.split("[^").nth(n + 1).and_then(|c| c.split(']').next()).unwrap()
    }

    #[test]
    fn text_patterns_know_white_space_as_trim_does() {
        assert_class("white space", WHITE_SPACE_CLASS, char::is_whitespace);
        assert_class("line space", LINE_SPACE_CLASS, |c| c.is_whitespace() && !is_refused(c, false));
        assert_class("bidi", BIDI_CLASS, is_bidi_control);
    }

    #[test]
    fn text_patterns_refuse_what_the_checks_refuse() {
        assert_class("line refused", LINE_REFUSED_CLASS, |c| c == '\0' || is_refused(c, false));
        assert_class("text refused", TEXT_REFUSED_CLASS, |c| c == '\0' || is_refused(c, true));
        let p = patterns();
        assert_eq!(negated_class(&p.line, 0), LINE_REFUSED_CLASS);
        assert_eq!(negated_class(&p.text, 0), TEXT_REFUSED_CLASS);
        for (pattern, multi_line) in [(&p.required_line, false), (&p.required_text, true)] {
            // Blank: white space and invisible characters (and what is refused anyway).
            assert_class("visible", negated_class(pattern, 1), |c| {
                c == '\0' || c.is_whitespace() || is_invisible(c) || is_refused(c, multi_line)
            });
        }
    }
}

//! Which characters a text field may hold, which count as invisible, and the identity key that
//! makes look-alike names equal. A low module: it imports nothing of the crate, so the input
//! checks (`validation`) and the schema patterns (`spec::text`) share one definition.
//!
//! - **Refused everywhere** (422 naming the field): the bidirectional controls — embeddings and
//!   overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E, U+200F and U+061C — which
//!   reorder what a reader sees, and the C0 controls U+0001–U+001F (U+0000 is its own 400).
//! - **Multi-line texts** (descriptions, summaries, notes, a match preview's body) may hold tab,
//!   line feed and carriage return; single-line texts (titles, names, keywords, regions,
//!   e-mail, phone, URLs, registration numbers) may not.
//! - **Invisible**: general category Cf (format: zero-width space, joiners, soft hyphen, BOM, tags,
//!   …) and the other default-ignorable characters that render as nothing (combining grapheme
//!   joiner, Hangul fillers, Mongolian and standard variation selectors, the blank Braille
//!   pattern U+2800). They are allowed
//!   inside a text (emoji sequences and some scripts need joiners) but a text of nothing else
//!   is blank.
//! - **Identity key** ([`identity_key`]) of a name: NFKC, then lower case, with invisible
//!   characters and white space removed, then NFKC again. `ＡＩ测试大学`, `ai测试大学` and
//!   `AI测试\u{200B}大学` all have the key `ai测试大学`.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// True for a bidirectional formatting control (embeddings, overrides, isolates, marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// True for a character a text may not hold: a bidirectional control or a C0 control, except
/// tab, line feed and carriage return when `multi_line`. U+0000 is reported separately (it is
/// refused before anything else, with 400 `nul_character`).
pub fn is_refused(c: char, multi_line: bool) -> bool {
    is_bidi_control(c) || (c < ' ' && !(multi_line && matches!(c, '\t' | '\n' | '\r')))
}

/// True for a character that renders as nothing: general category Cf (format) and the other
/// default-ignorable code points that are not Cf (U+034F, U+115F, U+1160, U+17B4, U+17B5,
/// U+180B–U+180F, U+3164, U+FE00–U+FE0F, U+FFA0, U+E0100–U+E01EF), and U+2800 BRAILLE PATTERN
/// BLANK, which renders as a space without being white space.
pub fn is_invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// True when `text` has no character that is neither white space nor invisible.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// The first character of `text` that it may not hold (see [`is_refused`]).
pub fn first_refused(text: &str, multi_line: bool) -> Option<char> {
    text.chars().find(|&c| c != '\0' && is_refused(c, multi_line))
}

/// The key under which two names are the same identity: NFKC (full-width and compatibility
/// forms fold to their plain ones), lower case, invisible characters and white space removed,
/// NFKC again (lower-casing can un-normalise). Lower case rather than full case folding: the two
/// differ only for a few characters (ß, final sigma, some Greek and Cherokee forms) and the
/// standard library's mapping needs no further crate.
pub fn identity_key(name: &str) -> String {
    let folded: String = name.nfkc().flat_map(char::to_lowercase).collect();
    folded.nfkc().filter(|&c| !(c.is_whitespace() || is_invisible(c))).collect()
}

/// The code points for which `predicate` holds, as the body of a regular-expression character
/// class: ranges of `\uXXXX` escapes in the Basic Multilingual Plane, literal characters beyond
/// it (what both ECMA-262 and Python read). Used to state [`is_invisible`] in the schema.
pub fn class_of(predicate: impl Fn(char) -> bool) -> String {
    let mut ranges: Vec<(char, char)> = Vec::new();
    for c in (0..=0x10FFFF_u32).filter_map(char::from_u32).filter(|&c| predicate(c)) {
        match ranges.last_mut() {
            Some((_, hi)) if *hi as u32 + 1 == c as u32 => *hi = c,
            _ => ranges.push((c, c)),
        }
    }
    let one = |c: char| if (c as u32) < 0x10000 { format!("\\u{:04x}", c as u32) } else { c.to_string() };
    let mut out = String::new();
    for (lo, hi) in ranges {
        out.push_str(&one(lo));
        if hi != lo {
            if hi as u32 > lo as u32 + 1 {
                out.push('-');
            }
            out.push_str(&one(hi));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alike_names_share_a_key() {
        let key = identity_key("AI测试大学");
        assert_eq!(key, "ai测试大学");
        for name in [
            "ai测试大学",
            "ＡＩ测试大学",
            "AI测试\u{200B}大学",
            "AI\u{202E}测试大学",
            " AI 测试\u{3000}大学 ",
            "A\u{00AD}I测试大学",
            "AI测试\u{2800}大学",
        ] {
            assert_eq!(identity_key(name), key, "{name:?}");
        }
        assert_ne!(identity_key("AI测试学院"), key);
        assert_eq!(identity_key(&identity_key("ＫＡＰＰＡ Ⅳ")), identity_key("ＫＡＰＰＡ Ⅳ"));
    }

    #[test]
    fn refused_and_invisible_characters() {
        for c in ['\u{202E}', '\u{2066}', '\u{200F}', '\u{061C}', '\u{1}', '\u{1F}', '\u{B}'] {
            assert!(is_refused(c, true) && is_refused(c, false), "U+{:04X}", c as u32);
        }
        for c in ['\t', '\n', '\r'] {
            assert!(!is_refused(c, true) && is_refused(c, false));
        }
        assert!(!is_refused(' ', false) && !is_refused('枸', false) && !is_refused('\u{200D}', false));
        assert!(is_blank("\u{200B}\u{FEFF} \u{2060}") && is_blank("") && !is_blank("\u{200B}a"));
        assert_eq!(first_refused("ab\u{7}c\u{202E}", true), Some('\u{7}'));
    }

    #[test]
    fn classes_list_exactly_the_predicate() {
        let class = class_of(is_invisible);
        assert!(class.starts_with("\\u00ad\\u034f"), "{class}");
        assert!(class.contains("\\u200b-\\u200f") && class.contains('\u{E0001}'));
    }
}

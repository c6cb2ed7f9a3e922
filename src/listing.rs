//! Pieces shared by the two kinds of listing (supplies and demands).

use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::vocab::TransferMode;

/// Stored names of cooperation/transfer modes, duplicates dropped (first kept).
pub fn mode_names(modes: Vec<TransferMode>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for mode in modes {
        if !out.iter().any(|s| s == mode.as_str()) {
            out.push(mode.as_str().to_string());
        }
    }
    out
}

/// A trimmed query value, `None` when blank.
pub fn non_blank(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// Parses `industry=a,b` into known codes; 400 `invalid_query` for an unknown one.
pub fn industry_codes(value: Option<&str>, taxonomy: &Taxonomy) -> Result<Vec<String>, ApiError> {
    let Some(value) = value else { return Ok(Vec::new()) };
    value
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|code| {
            if taxonomy.contains(code) {
                Ok(code.to_string())
            } else {
                Err(ApiError::bad_request("invalid_query", format!("unknown industry code `{code}`")))
            }
        })
        .collect()
}

/// A case-insensitive substring pattern for `ILIKE`, with `%`, `_` and `\` in `text` escaped.
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_pattern("枸杞"), "%枸杞%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}

//! The `sort` of the listing lists: a field and a direction (`created`, `-created`).

use crate::error::ApiError;

/// What a list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Relevance to `q` (without `q`: newest first).
    Relevance,
    /// `created_at`.
    Created,
    /// `updated_at`.
    Updated,
    /// The demand's deadline (listings without one last).
    Deadline,
    /// The supply's price or the demand's budget (listings without one last).
    Money,
}

/// A checked `sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The field.
    pub key: SortKey,
    /// Largest (latest) first.
    pub descending: bool,
}

impl Sort {
    /// Newest first: the order of a list without `q` and without `sort`.
    pub const NEWEST: Sort = Sort { key: SortKey::Created, descending: true };

    /// Parses `sort` (`field` ascending, `-field` descending) against the fields a kind allows
    /// (`(name, key)`). Absent: relevance with `q`, newest first without. An unknown field is 400
    /// `invalid_query` listing the allowed ones. `relevance` is always best first and, without
    /// `q`, means newest first.
    pub fn parse(value: Option<&str>, allowed: &[(&str, SortKey)], has_q: bool) -> Result<Sort, ApiError> {
        // absent: the default; empty or blank: refused like any unknown field (the documented
        // pattern has no empty value)
        let Some(value) = value else {
            return Ok(if has_q { Sort { key: SortKey::Relevance, descending: true } } else { Sort::NEWEST });
        };
        let (name, descending) = match value.strip_prefix('-') {
            Some(name) => (name, true),
            None => (value, false),
        };
        let Some(&(_, key)) = allowed.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
            return Err(ApiError::bad_query(
                format!(
                    "unknown sort `{value}`; allowed: {} (prefix `-` for descending, e.g. `-created`)",
                    names.join(", ")
                ),
                crate::error::FieldError::new("sort", crate::error::FieldCode::InvalidValue)
                    .with("value", value)
                    .with("allowed", names.clone()),
            ));
        };
        Ok(match key {
            SortKey::Relevance if has_q => Sort { key, descending: true },
            SortKey::Relevance => Sort::NEWEST,
            _ => Sort { key, descending },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOWED: &[(&str, SortKey)] =
        &[("relevance", SortKey::Relevance), ("created", SortKey::Created), ("price", SortKey::Money)];

    #[test]
    fn fields_and_directions() {
        assert_eq!(Sort::parse(None, ALLOWED, false).unwrap(), Sort::NEWEST);
        assert_eq!(Sort::parse(None, ALLOWED, true).unwrap().key, SortKey::Relevance);
        assert_eq!(
            Sort::parse(Some("price"), ALLOWED, false).unwrap(),
            Sort { key: SortKey::Money, descending: false }
        );
        assert_eq!(Sort::parse(Some("-price"), ALLOWED, true).unwrap(), Sort { key: SortKey::Money, descending: true });
        assert_eq!(Sort::parse(Some("relevance"), ALLOWED, false).unwrap(), Sort::NEWEST);
        let e = Sort::parse(Some("deadline"), ALLOWED, false).unwrap_err().to_string();
        assert!(e.contains("relevance, created, price"), "{e}");
    }
}

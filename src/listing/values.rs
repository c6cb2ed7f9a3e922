//! Checks of single values that both kinds of listing take, in bodies and in queries.

use super::kind::Listing;
use crate::error::ApiError;
use crate::error::{FieldCode, FieldError};
use crate::industries::taxonomy::Taxonomy;
use crate::validation::Fields;
use crate::vocab::TransferMode;

/// Cooperation/transfer modes, duplicates dropped (first kept).
pub fn distinct_modes(modes: Vec<TransferMode>) -> Vec<TransferMode> {
    let mut out: Vec<TransferMode> = Vec::with_capacity(modes.len());
    for mode in modes {
        if !out.contains(&mode) {
            out.push(mode);
        }
    }
    out
}

/// Names of cooperation/transfer modes (as the matching engine takes them), duplicates dropped
/// (first kept).
pub fn mode_names(modes: Vec<TransferMode>) -> Vec<String> {
    distinct_modes(modes).into_iter().map(|m| m.as_str().to_string()).collect()
}

/// A trimmed query value, `None` when blank.
pub fn non_blank(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// Parses `industry=a,b` into known industry codes, a group code (e.g. `six_special`) standing
/// for every industry of the group; 400 `invalid_query` for an unknown code.
pub fn industry_codes(value: Option<&str>, taxonomy: &Taxonomy) -> Result<Vec<String>, ApiError> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let mut out: Vec<String> = Vec::new();
    for code in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let found: Vec<&str> = if taxonomy.contains(code) {
            vec![code]
        } else {
            taxonomy.industries.iter().filter(|i| i.group == code).map(|i| i.code.as_str()).collect()
        };
        if found.is_empty() {
            return Err(ApiError::bad_query(
                format!("unknown industry or group code `{code}`"),
                FieldError::new("industry", FieldCode::UnknownValue)
                    .with("value", code)
                    .with("vocabulary", "industries"),
            ));
        }
        for c in found {
            if !out.iter().any(|o| o == c) {
                out.push(c.to_string());
            }
        }
    }
    Ok(out)
}

/// 400 `invalid_query` (`<name> must be between 1 and 9`) for a TRL query value out of 1–9.
pub fn trl_in_range(name: &str, value: Option<impl Into<i16>>) -> Result<(), ApiError> {
    if let Some(v) = value.map(Into::into).filter(|v: &i16| !(1..=9).contains(v)) {
        return Err(ApiError::bad_query(
            format!("{name} must be between 1 and 9"),
            crate::validation::range_error(name, 1, 9, i64::from(v)),
        ));
    }
    Ok(())
}

/// A status a body may set; the off-market status of `L` is an error on `status` naming the
/// endpoint to use instead (e.g. `use POST /api/v1/supplies/{id}/archive to archive`), and so are
/// the statuses only review and expiry set.
pub fn editable_status<L: Listing>(f: &mut Fields, status: L::Status) -> L::Status {
    let kind = L::KIND;
    let path = kind.path;
    let candidate = kind.candidate;
    if status == kind.off_market {
        let action = kind.off_market_action;
        f.error(
            "status",
            FieldCode::NotAllowed,
            format!("请用 POST {path}/{{id}}/{action} 操作"),
            format!("use POST {path}/{{id}}/{action} to {action}"),
        );
    } else if status == kind.expired {
        f.error(
            "status",
            FieldCode::NotAllowed,
            format!("`expired` 在到期时设置；续期请用 POST {path}/{{id}}/renew"),
            format!("`expired` is set at expiry; use POST {path}/{{id}}/renew to renew"),
        );
    } else if [kind.pending_review, kind.changes_requested, kind.rejected].contains(&status) {
        f.error(
            "status",
            FieldCode::NotAllowed,
            format!("`{status}` 由审核设置；提交审核请发送 `{candidate}`"),
            format!("`{status}` is set by review; send `{candidate}` to submit the listing"),
        );
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demands::model::Demand;
    use crate::supplies::model::Supply;
    use crate::vocab::{DemandStatus, SupplyStatus};

    fn status_errors<S>(check: impl FnOnce(&mut Fields) -> S) -> Vec<String> {
        let mut f = Fields::new();
        check(&mut f);
        match f.finish() {
            Ok(()) => Vec::new(),
            Err(ApiError::Validation(errors)) => {
                errors.into_iter().map(|e| format!("{}: {}", e.field, e.message(crate::lang::Lang::En))).collect()
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn off_market_status_names_its_endpoint() {
        assert!(status_errors(|f| editable_status::<Supply>(f, SupplyStatus::Published)).is_empty());
        assert!(status_errors(|f| editable_status::<Demand>(f, DemandStatus::Closed)).is_empty());
        assert_eq!(
            status_errors(|f| editable_status::<Supply>(f, SupplyStatus::Archived)),
            ["status: use POST /api/v1/supplies/{id}/archive to archive"]
        );
        assert_eq!(
            status_errors(|f| editable_status::<Demand>(f, DemandStatus::Withdrawn)),
            ["status: use POST /api/v1/demands/{id}/withdraw to withdraw"]
        );
        assert_eq!(
            status_errors(|f| editable_status::<Supply>(f, SupplyStatus::PendingReview)),
            ["status: `pending_review` is set by review; send `published` to submit the listing"]
        );
        assert_eq!(
            status_errors(|f| editable_status::<Demand>(f, DemandStatus::Expired)),
            ["status: `expired` is set at expiry; use POST /api/v1/demands/{id}/renew to renew"]
        );
    }

    #[test]
    fn trl_query_values_are_1_to_9() {
        assert!(trl_in_range("trl_min", Some(1_i16)).is_ok() && trl_in_range("trl_max", Some(9_u8)).is_ok());
        assert!(trl_in_range("trl_min", None::<i16>).is_ok());
        let err = trl_in_range("trl_max", Some(10_u8)).unwrap_err();
        assert_eq!(err.to_string(), "trl_max must be between 1 and 9");
    }
}

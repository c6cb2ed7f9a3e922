//! The list filters both kinds of listing take (`industry`, `keyword`, `q`, `status`,
//! `organization_id`, `region`, `sort`, the created range, the money range, the modes, the
//! organisation's kind and verification), checked in the same order for both.

use chrono::{DateTime, Days, NaiveDate, Utc};
use uuid::Uuid;

use super::kind::Listing;
use super::sort::{Sort, SortKey};
use super::values::{industry_codes, non_blank};
use crate::auth::policy;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ErrorCode, FieldCode, FieldError};
use crate::industries::taxonomy::Taxonomy;
use crate::validation;
use crate::vocab::{OrganizationKind, TransferMode};

/// Longest `q`, in characters.
pub const MAX_Q_CHARS: usize = 200;

/// The shared query values of a list request, as sent.
#[derive(Debug, Clone, Copy)]
pub struct ListQuery<'a> {
    /// `industry`: industry codes, comma-separated.
    pub industry: &'a Option<String>,
    /// `keyword`: one exact keyword.
    pub keyword: &'a Option<String>,
    /// `q`: free text.
    pub q: &'a Option<String>,
    /// `region`: a region's code or name; its sub-regions are included.
    pub region: &'a Option<String>,
    /// `organization_id`: the owning organisation.
    pub organization_id: Option<Uuid>,
    /// `sort`: a field of `sorts`, `-` before it for descending.
    pub sort: &'a Option<String>,
    /// The `sort` fields this kind allows.
    pub sorts: &'static [(&'static str, SortKey)],
    /// `created_from`, `created_to`: days (UTC), both included.
    pub created: (Option<NaiveDate>, Option<NaiveDate>),
    /// The price or budget range in fen, both included (names differ by kind).
    pub money: (Option<i64>, Option<i64>),
    /// The money range's parameter names, for messages.
    pub money_names: (&'static str, &'static str),
    /// Transfer or cooperation modes, comma-separated: any of them.
    pub modes: &'a Option<String>,
    /// The modes' parameter name, for messages.
    pub modes_name: &'static str,
    /// `organization_kind`: the owner's kind.
    pub organization_kind: Option<OrganizationKind>,
    /// `verified`: `true` keeps listings of verified organisations only.
    pub verified: Option<bool>,
}

/// Checked shared list filters of listings with statuses `S`.
#[derive(Debug, Clone)]
pub struct ListFilter<S> {
    /// Known industry codes; a listing matches when it carries any of them (none: no filter).
    pub industries: Vec<String>,
    /// An exact keyword the listing carries.
    pub keyword: Option<String>,
    /// Free text searched through the matching engine's analysis (at most [`MAX_Q_CHARS`]).
    pub q: Option<String>,
    /// The order.
    pub sort: Sort,
    /// Created at or after this instant.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before this instant.
    pub created_before: Option<DateTime<Utc>>,
    /// Lowest price or budget, fen (listings without one are left out when set).
    pub money_min: Option<i64>,
    /// Highest price or budget, fen (listings without one are left out when set).
    pub money_max: Option<i64>,
    /// Modes: a listing matches when it offers or wants any of them (none: no filter).
    pub modes: Vec<TransferMode>,
    /// The owner's kind.
    pub organization_kind: Option<OrganizationKind>,
    /// Only listings of verified organisations.
    pub verified_only: bool,
    /// The status.
    pub status: S,
    /// The owning organisation.
    pub organization_id: Option<Uuid>,
    /// The GB/T 2260 code prefix of the region asked for (`64` for Ningxia): a listing matches
    /// when its `region_code` starts with it, so sub-regions are included.
    pub region: Option<String>,
    /// The lifecycle's now: listings on the market that expire at or before it are left out.
    pub now: DateTime<Utc>,
}

impl ListQuery<'_> {
    /// 400 `nul_character` when a text value holds U+0000 (checked before any other value).
    pub fn check_text(&self) -> Result<(), ApiError> {
        for (name, value) in [
            ("keyword", self.keyword),
            ("q", self.q),
            ("region", self.region),
            ("industry", self.industry),
            ("sort", self.sort),
            (self.modes_name, self.modes),
        ] {
            validation::query_text(name, value.as_deref())?;
        }
        Ok(())
    }

    /// The checked filters for listings of kind `L` in `status`. A private status
    /// (not in [`Kind::public`](super::Kind::public)) limits the list to the caller's own organisation (admins: the
    /// one asked for, or any), 401 without a token; an unknown industry code is 400 `invalid_query`.
    /// `now` is the lifecycle clock's (expired listings leave the public lists at once).
    pub fn filter<L: Listing>(
        &self,
        status: L::Status,
        caller: Option<&Principal>,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
    ) -> Result<ListFilter<L::Status>, ApiError> {
        let organization_id = if L::KIND.public.contains(&status) {
            self.organization_id
        } else {
            policy::private_list_scope(caller, self.organization_id)?
        };
        let q = checked_q(self.q.as_ref())?;
        let (money_min, money_max) = self.money;
        for (name, value) in [(self.money_names.0, money_min), (self.money_names.1, money_max)] {
            if value.is_some_and(|v| v < 0) {
                return Err(ApiError::bad_query(
                    format!("{name} must not be negative"),
                    crate::validation::range_error(
                        name,
                        0,
                        crate::validation::MAX_MONEY_FEN,
                        value.unwrap_or_default(),
                    ),
                ));
            }
        }
        Ok(ListFilter {
            industries: industry_codes(self.industry.as_deref(), taxonomy)?,
            keyword: non_blank(self.keyword),
            sort: Sort::parse(self.sort.as_deref(), self.sorts, q.is_some())?,
            q,
            status,
            organization_id,
            region: region_prefix(self.region.as_deref())?,
            now,
            created_from: self.created.0.map(day_start),
            created_before: self.created.1.and_then(|d| d.checked_add_days(Days::new(1))).map(day_start),
            money_min,
            money_max,
            modes: modes(self.modes_name, self.modes.as_deref())?,
            organization_kind: self.organization_kind,
            verified_only: self.verified == Some(true),
        })
    }
}

/// A trimmed `q`, `None` when blank: 400 `invalid_query` over [`MAX_Q_CHARS`] characters (as sent),
/// `nul_character` with U+0000.
pub fn checked_q(q: Option<&String>) -> Result<Option<String>, ApiError> {
    validation::query_text("q", q.map(String::as_str))?;
    if q.is_some_and(|q| q.chars().count() > MAX_Q_CHARS) {
        let actual = q.map(|q| q.chars().count()).unwrap_or_default();
        return Err(ApiError::bad_query(
            format!("q must be at most {MAX_Q_CHARS} characters"),
            FieldError::new("q", FieldCode::TooLong).with("max", MAX_Q_CHARS).with("actual", actual),
        ));
    }
    Ok(q.map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_string))
}

/// The code prefix of the region a `region` filter names by code, name or alias (`640000`,
/// `宁夏`, `银川市`); `None` when blank; 400 `invalid_query` naming `region` when it names no
/// region of `GET /regions`.
pub fn region_prefix(value: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    match crate::regions::vocabulary::resolve(value) {
        Some(code) => Ok(Some(crate::regions::vocabulary::prefix(code).to_string())),
        None => Err(ApiError::BadFields {
            code: ErrorCode::InvalidQuery,
            detail: format!("region: `{value}` is not a region of GET /api/v1/regions"),
            errors: vec![FieldError::new("region", FieldCode::UnknownValue)
                .with("value", value)
                .with("vocabulary", "regions")],
        }),
    }
}

/// The first instant of a UTC day.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Parses comma-separated mode names; 400 `invalid_query` naming the allowed ones.
pub fn modes(name: &str, value: Option<&str>) -> Result<Vec<TransferMode>, ApiError> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let param = name;
    for mode in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let Some(parsed) = TransferMode::parse(mode) else {
            let allowed: Vec<&str> = TransferMode::ALL.iter().map(|m| m.as_str()).collect();
            return Err(ApiError::bad_query(
                format!("{param}: unknown mode `{mode}`; allowed: {}", allowed.join(", ")),
                FieldError::new(param, FieldCode::InvalidValue).with("value", mode).with("allowed", allowed),
            ));
        };
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    Ok(out)
}

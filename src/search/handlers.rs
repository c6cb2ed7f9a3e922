//! `GET /api/v1/suggestions`: keyword and industry-name completions of a prefix.

use actix_web::{get, web};
use matching::Suggestion;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::field_error::{FieldCode, FieldError};
use crate::spec as oa;
use crate::state::AppState;
use crate::validation;

/// Longest prefix, in characters.
pub const MAX_PREFIX_CHARS: usize = 50;
/// Completions when `limit` is not given, and the most `limit` may ask for.
const LIMITS: (usize, usize) = (10, 50);

/// Query of `GET /api/v1/suggestions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What was typed so far: 1–50 characters (full-width, case and traditional Chinese are
    /// folded); a blank one completes to nothing.
    #[param(pattern = "^[^\\x00]*$", min_length = 1, max_length = 50)]
    pub prefix: String,
    /// Completions to return, 1–50 (default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

/// The completions of a prefix.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    /// Industry names and aliases first (shortest first), then listing keywords (most used first).
    pub items: Vec<Suggestion>,
}

/// Complete a search-box prefix.
///
/// Industry names and aliases of the taxonomy, then the keywords of listings on the market,
/// starting with `prefix`.
#[utoipa::path(operation_id = "suggest", tag = "search",
    params(SuggestParams), responses(
    (status = 200, description = "The completions (possibly none).", body = Suggestions),
    oa::Std))]
#[get("/suggestions")]
#[tracing::instrument(skip(state))]
pub async fn suggest(
    state: web::Data<AppState>,
    params: crate::extract::Query<SuggestParams>,
) -> Result<web::Json<Suggestions>, ApiError> {
    validation::query_text("prefix", Some(&params.prefix))?;
    let n = params.prefix.chars().count();
    if n == 0 || n > MAX_PREFIX_CHARS {
        let code = if n == 0 { FieldCode::Blank } else { FieldCode::TooLong };
        return Err(ApiError::bad_query(
            format!("prefix must be 1–{MAX_PREFIX_CHARS} characters"),
            FieldError::new("prefix", code).with("max", MAX_PREFIX_CHARS).with("actual", n),
        ));
    }
    let limit = params.limit.unwrap_or(LIMITS.0);
    if !(1..=LIMITS.1).contains(&limit) {
        return Err(ApiError::bad_query(
            format!("limit must be between 1 and {}", LIMITS.1),
            crate::validation::range_error("limit", 1, LIMITS.1 as i64, limit as i64),
        ));
    }
    Ok(web::Json(Suggestions { items: state.matcher.suggest(params.prefix.trim(), limit) }))
}

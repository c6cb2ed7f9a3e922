//! A subscription as stored and shown, and its input.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::subscriptions;
use crate::error::{FieldCode, FieldError};
use crate::industries::taxonomy::Taxonomy;
use crate::spec::text::{Region, Title};
use crate::spec::{IndustryOrGroupCode, Keyword};
use crate::validation::{
    opt_integer, Fields, MAX_INDUSTRIES, MAX_KEYWORDS, MAX_KEYWORD_CHARS, MAX_REGION_CHARS, MAX_TITLE_CHARS,
};
use crate::vocab::{ListingKind, SubscriptionFrequency, TransferMode};

/// A saved search: new listings of `target` that match it at `min_score` or more are notified
/// to its owner.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = subscriptions)]
pub struct Subscription {
    pub id: Uuid,
    /// The user it belongs to (only they see and change it).
    pub user_id: Uuid,
    /// The user's organisation: its own listings are never notified to it.
    pub organization_id: Uuid,
    /// A name for the owner, e.g. `枸杞深加工成果`.
    pub name: String,
    /// Which side it watches: new supplies (`supply`) or new demands (`demand`).
    pub target: ListingKind,
    /// The words searched for (as in `POST /matches`'s title).
    #[serde(rename = "text")]
    #[schema(rename = "text")]
    pub query_text: Option<String>,
    pub keywords: Vec<String>,
    /// Industry or group codes: only listings carrying one of them match.
    pub industries: Vec<String>,
    /// Only listings of this region (one name containing the other counts).
    pub region: Option<String>,
    pub trl_min: Option<i16>,
    pub trl_max: Option<i16>,
    /// Only listings offering one of these modes (empty: any).
    pub modes: Vec<TransferMode>,
    /// Only matches scoring at least this (0–1).
    pub min_score: f32,
    /// How e-mail delivers its notifications: each at once, or in a daily or weekly digest.
    pub frequency: SubscriptionFrequency,
    /// Bumped by every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Body of `POST /api/v1/subscriptions` and `PUT /api/v1/subscriptions/{id}`. Rules across fields
/// (422 `validation_failed` naming the field): at least one of `text`, `keywords` or `industries`
/// (else on `text`), and `trl_min` ≤ `trl_max` (else on `trl_max`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    /// 1–200 characters.
    #[schema(value_type = Title)]
    pub name: String,
    /// Which side to watch: `supply` (new technology offers) or `demand` (new needs).
    pub target: ListingKind,
    /// Words to search for, at most 200 characters (analysed like a match query).
    #[schema(value_type = Option<Title>)]
    pub text: Option<String>,
    /// At most 20, each 1–30 characters.
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<Keyword>)]
    pub keywords: Vec<String>,
    /// Industry or group codes, at most 5: only listings carrying one of them (a subscription
    /// with industries alone searches for their names).
    #[serde(default)]
    #[schema(max_items = 5, value_type = Vec<IndustryOrGroupCode>)]
    pub industries: Vec<String>,
    /// Only listings of this region (at most 100 characters).
    #[schema(value_type = Option<Region>)]
    pub region: Option<String>,
    /// Only listings with TRL at least this (1–9).
    #[schema(minimum = 1, maximum = 9)]
    #[serde(default, deserialize_with = "opt_integer")]
    pub trl_min: Option<i64>,
    /// Only listings with TRL at most this (1–9, not below `trl_min`).
    #[schema(minimum = 1, maximum = 9)]
    #[serde(default, deserialize_with = "opt_integer")]
    pub trl_max: Option<i64>,
    /// Only listings offering one of these modes.
    #[serde(default)]
    #[schema(max_items = 6)]
    pub modes: Vec<TransferMode>,
    /// Notify matches scoring at least this, 0–1 (default 0: every match the engine lists,
    /// strong or possible).
    #[schema(minimum = 0, maximum = 1)]
    pub min_score: Option<f64>,
    /// `instant` (default), `daily` or `weekly`: how e-mail delivers its notifications.
    pub frequency: Option<SubscriptionFrequency>,
}

/// A checked subscription, ready to store.
#[derive(Debug, Clone)]
pub struct Checked {
    pub name: String,
    pub target: ListingKind,
    pub query_text: Option<String>,
    pub keywords: Vec<String>,
    pub industries: Vec<String>,
    pub region: Option<String>,
    pub trl_min: Option<i16>,
    pub trl_max: Option<i16>,
    pub modes: Vec<TransferMode>,
    pub min_score: f32,
    pub frequency: SubscriptionFrequency,
}

impl SubscriptionInput {
    /// Checks every field; 422 `validation_failed` naming each bad one.
    pub fn parse(self, taxonomy: &Taxonomy) -> Result<Checked, crate::error::ApiError> {
        let mut f = Fields::new();
        let name = f.text("name", self.name, MAX_TITLE_CHARS);
        let query_text = f.opt_text("text", self.text, MAX_TITLE_CHARS);
        let keywords = f.terms("keywords", self.keywords, MAX_KEYWORDS, MAX_KEYWORD_CHARS);
        let industries = f.terms("industries", self.industries, MAX_INDUSTRIES, 40);
        for (i, code) in industries.iter().enumerate() {
            if !taxonomy.contains(code) && !taxonomy.groups.iter().any(|g| &g.code == code) {
                f.push(
                    FieldError::new(format!("industries.{i}"), FieldCode::UnknownValue)
                        .with("value", code.as_str())
                        .with("vocabulary", "industries")
                        .says(
                            format!("未知的产业代码或产业组代码 `{code}`"),
                            format!("unknown industry or group code `{code}`"),
                        ),
                );
            }
        }
        let region = f.opt_text("region", self.region, MAX_REGION_CHARS);
        let trl_min = f.small_range("trl_min", self.trl_min, 1, 9);
        let trl_max = f.small_range("trl_max", self.trl_max, 1, 9);
        if let (Some(lo), Some(hi)) = (trl_min, trl_max) {
            if lo > hi {
                f.push(
                    FieldError::new("trl_max", FieldCode::Inconsistent)
                        .with("other", "trl_min")
                        .with("min", lo)
                        .with("actual", hi)
                        .says(format!("不能低于 trl_min（{lo}）"), format!("must not be below trl_min ({lo})")),
                );
            }
        }
        if self.modes.len() > 6 {
            // The code's standard message: "at most 6 items (got N)".
            f.push(FieldError::new("modes", FieldCode::TooMany).with("max", 6).with("actual", self.modes.len()));
        }
        let mut modes: Vec<TransferMode> = Vec::new();
        for m in self.modes {
            if !modes.contains(&m) {
                modes.push(m);
            }
        }
        let min_score = self.min_score.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&min_score) {
            f.push(
                FieldError::new("min_score", FieldCode::OutOfRange)
                    .with("min", 0)
                    .with("max", 1)
                    .with("actual", min_score)
                    .says("应在 0 到 1 之间", "must be between 0 and 1"),
            );
        }
        if query_text.is_none() && keywords.is_empty() && industries.is_empty() {
            f.error(
                "text",
                FieldCode::Missing,
                "请给出要搜索的文本、关键词或产业",
                "give a text, keywords or industries to search for",
            );
        }
        f.finish()?;
        Ok(Checked {
            name,
            target: self.target,
            query_text,
            keywords,
            industries,
            region,
            trl_min,
            trl_max,
            modes,
            min_score: min_score as f32,
            frequency: self.frequency.unwrap_or(SubscriptionFrequency::Instant),
        })
    }
}

/// Whether a listing's own organisation hears of new matches for it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchNotifications {
    /// `true` (the default): a new listing of the other side that matches it is notified to
    /// its organisation; `false`: not.
    pub notify_matches: bool,
}

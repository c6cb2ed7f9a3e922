//! Bodies and query parameters of `/api/v1/events…`, checked into plain values.

use chrono::{DateTime, Datelike, Duration, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, FieldCode, FieldError};
use crate::industries::taxonomy::Taxonomy;
use crate::spec::text::{Note, SourceUrl, Title};
use crate::spec::IndustryCode;
use crate::validation::{range_error, Fields};
use crate::vocab::{EventFormat, EventStatus, ListingKind, MeetingStatus, RoadshowKind};

const MAX_TITLE: usize = 200;
const MAX_TEXT: usize = 5000;
const MAX_NOTE: usize = 2000;
/// Longest event, so that its slots stay few.
const MAX_DAYS: i64 = 31;
/// Most venues of an event.
const MAX_VENUES: usize = 20;
/// Most listings one registration brings per kind.
pub const MAX_LISTINGS: usize = 50;

fn year_ok(t: DateTime<Utc>) -> bool {
    (2000..=2100).contains(&t.year())
}

/// A venue of a new event.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueInput {
    #[schema(value_type = Title)]
    pub name: String,
    #[schema(value_type = Option<Title>)]
    pub address: Option<String>,
    /// The main venue (at most one); the others are sub-venues (分会场).
    pub is_main: Option<bool>,
    /// Meeting tables, 1–500.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 1, maximum = 500)]
    pub tables: i64,
}

/// Body of `POST /api/v1/events`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEventInput {
    #[schema(value_type = Title)]
    pub title: String,
    #[schema(value_type = Option<Note>)]
    pub description: Option<String>,
    pub format: EventFormat,
    /// The livestream or meeting link of an online or hybrid event.
    #[schema(value_type = Option<SourceUrl>)]
    pub online_url: Option<String>,
    /// Between the years 2000 and 2100; the event lasts at most 31 days.
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`.
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    /// After `registration_opens_at`, not after `starts_at`.
    pub registration_closes_at: DateTime<Utc>,
    /// Meeting slot length, 5–240 minutes (default 30).
    #[serde(default, deserialize_with = "crate::validation::opt_integer")]
    #[schema(minimum = 5, maximum = 240)]
    pub slot_minutes: Option<i64>,
    /// Theme industries (codes of `GET /industries`).
    #[serde(default)]
    #[schema(max_items = 18, value_type = Vec<IndustryCode>)]
    pub industries: Vec<String>,
    /// The main venue and sub-venues (分会场), at most 20; an on-site or hybrid event has one at least.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub venues: Vec<VenueInput>,
    /// The organising organisation (admins only; default: the caller's).
    pub organizer_organization_id: Option<Uuid>,
}

/// A checked new event.
#[derive(Debug, Clone)]
pub struct NewEventInput {
    pub title: String,
    pub description: Option<String>,
    pub format: EventFormat,
    pub online_url: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub slot_minutes: i32,
    pub industries: Vec<String>,
    pub venues: Vec<(String, Option<String>, bool, i32)>,
    pub organizer_organization_id: Option<Uuid>,
}

impl CreateEventInput {
    /// 422 naming each bad field.
    pub fn parse(self, taxonomy: &Taxonomy) -> Result<NewEventInput, ApiError> {
        let mut f = Fields::new();
        let title = f.text("title", self.title, MAX_TITLE);
        let description = f.opt_long_text("description", self.description, MAX_TEXT);
        let online_url = f.url("online_url", self.online_url);
        let industries = f.industries("industries", self.industries, taxonomy);
        for (field, t) in [
            ("starts_at", self.starts_at),
            ("ends_at", self.ends_at),
            ("registration_opens_at", self.registration_opens_at),
            ("registration_closes_at", self.registration_closes_at),
        ] {
            if !year_ok(t) {
                f.push(
                    FieldError::new(field, FieldCode::OutOfRange)
                        .with("min", 2000)
                        .with("max", 2100)
                        .with("actual", t.year())
                        .says("年份应在 2000 到 2100 之间", "must be between the years 2000 and 2100"),
                );
            }
        }
        if self.ends_at <= self.starts_at {
            f.push(
                FieldError::new("ends_at", FieldCode::Inconsistent)
                    .with("other", "starts_at")
                    .says("活动的结束时间必须晚于开始时间", "the event must end after it starts"),
            );
        } else if self.ends_at - self.starts_at > Duration::days(MAX_DAYS) {
            f.push(
                FieldError::new("ends_at", FieldCode::Inconsistent)
                    .with("other", "starts_at")
                    .with("max_days", MAX_DAYS)
                    .says(format!("活动最长持续 {MAX_DAYS} 天"), format!("an event lasts at most {MAX_DAYS} days")),
            );
        }
        if self.registration_closes_at <= self.registration_opens_at {
            f.push(
                FieldError::new("registration_closes_at", FieldCode::Inconsistent)
                    .with("other", "registration_opens_at")
                    .says("报名截止时间必须晚于报名开始时间", "registration must close after it opens"),
            );
        }
        if self.registration_closes_at > self.starts_at {
            f.push(
                FieldError::new("registration_closes_at", FieldCode::Inconsistent)
                    .with("other", "starts_at")
                    .says("报名须在活动开始前截止", "registration must close by the start of the event"),
            );
        }
        let slot = self.slot_minutes.unwrap_or(30);
        if !(5..=240).contains(&slot) {
            f.push(range_error("slot_minutes", 5, 240, slot));
        }
        if self.venues.len() > MAX_VENUES {
            f.push(
                FieldError::new("venues", FieldCode::TooMany)
                    .with("max", MAX_VENUES)
                    .with("actual", self.venues.len())
                    .says(format!("最多 {MAX_VENUES} 个场地"), format!("at most {MAX_VENUES} venues")),
            );
        }
        if self.venues.is_empty() && self.format != EventFormat::Online {
            f.push(
                FieldError::new("venues", FieldCode::Missing)
                    .with("other", "format")
                    .says("线下或混合活动至少需要一个场地", "an on-site or hybrid event needs a venue"),
            );
        }
        if self.venues.iter().filter(|v| v.is_main == Some(true)).count() > 1 {
            f.error("venues", FieldCode::InvalidValue, "最多只能有一个主场地", "at most one main venue");
        }
        let mut venues = Vec::new();
        for (i, v) in self.venues.into_iter().take(MAX_VENUES).enumerate() {
            let name = f.text(&format!("venues[{i}].name"), v.name, MAX_TITLE);
            let address = f.opt_text(&format!("venues[{i}].address"), v.address, MAX_TITLE);
            if !(1..=500).contains(&v.tables) {
                f.push(range_error(&format!("venues[{i}].tables"), 1, 500, v.tables));
            }
            venues.push((name, address, v.is_main.unwrap_or(false), v.tables.clamp(1, 500) as i32));
        }
        f.finish()?;
        Ok(NewEventInput {
            title,
            description,
            format: self.format,
            online_url,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.registration_closes_at,
            slot_minutes: slot as i32,
            industries,
            venues,
            organizer_organization_id: self.organizer_organization_id,
        })
    }
}

/// Body of `POST /api/v1/events/{id}/status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventMoveInput {
    pub to: EventStatus,
}

/// Body of `POST /api/v1/events/{id}/registrations`: the listings the organisation brings (its
/// own, on the market). Registering again adds listings.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRegistrationInput {
    #[serde(default)]
    #[schema(max_items = 50)]
    pub supply_ids: Vec<Uuid>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub demand_ids: Vec<Uuid>,
    /// The registering organisation (admins only; default: the caller's).
    pub organization_id: Option<Uuid>,
}

impl EventRegistrationInput {
    /// 422 for too many listings.
    pub fn check(&self) -> Result<(), ApiError> {
        let mut f = Fields::new();
        if self.supply_ids.len() > MAX_LISTINGS {
            f.push(
                FieldError::new("supply_ids", FieldCode::TooMany)
                    .with("max", MAX_LISTINGS)
                    .with("actual", self.supply_ids.len()),
            );
        }
        if self.demand_ids.len() > MAX_LISTINGS {
            f.push(
                FieldError::new("demand_ids", FieldCode::TooMany)
                    .with("max", MAX_LISTINGS)
                    .with("actual", self.demand_ids.len()),
            );
        }
        f.finish()
    }
}

/// Body of `POST /api/v1/events/{id}/pairs`: how many pairs to propose.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposePairsInput {
    /// Most supplies proposed per registered demand, 1–20 (default 3).
    #[serde(default, deserialize_with = "crate::validation::opt_integer")]
    #[schema(minimum = 1, maximum = 20)]
    pub per_demand: Option<i64>,
    /// Lowest score of a proposed pair, 0–1 (default 0.1).
    #[schema(minimum = 0, maximum = 1)]
    pub min_score: Option<f32>,
}

impl ProposePairsInput {
    /// The checked (per_demand, min_score); 422 out of range.
    pub fn parse(&self) -> Result<(usize, f32), ApiError> {
        let mut f = Fields::new();
        let per = self.per_demand.unwrap_or(3);
        if !(1..=20).contains(&per) {
            f.push(range_error("per_demand", 1, 20, per));
        }
        let min = self.min_score.unwrap_or(0.1);
        if !(0.0..=1.0).contains(&min) {
            f.push(
                FieldError::new("min_score", FieldCode::OutOfRange).with("min", 0).with("max", 1).with("actual", min),
            );
        }
        f.finish()?;
        Ok((per as usize, min))
    }
}

/// Body of `POST /api/v1/events/{id}/pairs/{pair_id}/interest`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterestInput {
    pub interested: bool,
    /// The side answered for: needed from the organiser or an admin; a side's own member may
    /// leave it out (403 when it names the other side).
    pub side: Option<ListingKind>,
}

/// Body of `POST /api/v1/events/{id}/meetings/{meeting_id}/schedule`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// A venue of the event.
    pub venue_id: Uuid,
    /// A table of the venue, 1..=its `tables`.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 1, maximum = 500)]
    pub table_no: i64,
    /// The slot: `starts_at` plus a whole number of `slot_minutes`, ending by `ends_at`.
    pub slot_start: DateTime<Utc>,
}

/// Body of `POST /api/v1/events/{id}/meetings/{meeting_id}/status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingMoveInput {
    /// `held` (at the event) or `cancelled`.
    pub to: MeetingStatus,
}

/// Body of `POST /api/v1/events/{id}/check-ins`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInInput {
    /// A registered organisation.
    pub organization_id: Uuid,
}

/// Body of `POST /api/v1/events/{id}/pairs/{pair_id}/intent`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntentInput {
    /// The intended amount in fen, 0–10^15.
    #[serde(default, deserialize_with = "crate::validation::opt_integer")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub amount_fen: Option<i64>,
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

impl IntentInput {
    /// The checked (amount, note).
    pub fn parse(self) -> Result<(Option<i64>, Option<String>), ApiError> {
        let mut f = Fields::new();
        let amount = f.money("amount_fen", self.amount_fen);
        let note = f.opt_long_text("note", self.note, MAX_NOTE);
        f.finish()?;
        Ok((amount, note))
    }
}

/// Body of `POST /api/v1/events/{id}/roadshows`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadshowInput {
    pub kind: RoadshowKind,
    /// A supply (`roadshow`) or demand (`reverse_roadshow`) registered for the event.
    pub listing_id: Uuid,
    pub venue_id: Uuid,
    /// Order within the venue, 1–1000 (unique per venue).
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 1, maximum = 1000)]
    pub position: i64,
    /// Within the event.
    pub starts_at: DateTime<Utc>,
    /// Duration, 1–240 minutes.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 1, maximum = 240)]
    pub minutes: i64,
}

/// Paging of the event lists.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Page size, 1–100.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
    /// Only events in this status.
    pub status: Option<EventStatus>,
}

/// Paging of an event's registrations, pairs and meetings.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Page size, 1–100.
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Query of the event report.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Contracts count when signed within this many days after the event ends, 0–3650 (default 90).
    #[param(minimum = 0, maximum = 3650)]
    pub within_days: Option<i64>,
}

impl ReportParams {
    /// 400 `invalid_query` out of range.
    pub fn days(&self) -> Result<i64, ApiError> {
        let days = self.within_days.unwrap_or(90);
        if !(0..=3650).contains(&days) {
            return Err(ApiError::bad_request(
                crate::error::ErrorCode::InvalidQuery,
                "within_days must be between 0 and 3650",
            ));
        }
        Ok(days)
    }
}

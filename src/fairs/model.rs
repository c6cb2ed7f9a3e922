//! Event records as stored and as returned.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use matching::Explanation;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{event_roadshows, event_venues, events};
use crate::vocab::{EventFormat, EventPairStatus, EventStatus, MeetingStatus, RoadshowKind};

/// An event as stored and returned.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    /// The organiser: its members manage the event.
    pub organizer_organization_id: Uuid,
    pub created_by: Option<Uuid>,
    pub format: EventFormat,
    pub online_url: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    /// The scheduler closes registration at this time.
    pub registration_closes_at: DateTime<Utc>,
    /// Length of a meeting slot; slots start at `starts_at` and every `slot_minutes` after.
    pub slot_minutes: i32,
    /// Theme industries (codes of `GET /industries`).
    pub industries: Vec<String>,
    pub status: EventStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A venue: the main venue or a sub-venue (分会场), with its meeting tables numbered from 1.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = event_venues)]
pub struct Venue {
    pub id: Uuid,
    #[serde(skip)]
    pub event_id: Uuid,
    pub name: String,
    pub address: Option<String>,
    pub is_main: bool,
    /// Meeting tables, numbered 1..=tables.
    pub tables: i32,
    pub position: i32,
}

/// An event as returned: the event, its venues and what the caller may do next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    #[serde(flatten)]
    pub event: Event,
    pub venues: Vec<Venue>,
    /// Statuses the caller may move the event to (empty unless the caller organises it).
    pub allowed_moves: Vec<EventStatus>,
}

/// An organisation's registration with the listings it brings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationView {
    pub event_id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub registered_at: DateTime<Utc>,
    /// Set at check-in.
    pub checked_in_at: Option<DateTime<Utc>>,
    pub supply_ids: Vec<Uuid>,
    pub demand_ids: Vec<Uuid>,
}

/// One side of a pair.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PairSide {
    pub listing_id: Uuid,
    pub title: String,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// This side's interest: `null` until it answers.
    pub interested: Option<bool>,
}

/// An intent agreement (意向协议) recorded against a pair.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Intent {
    pub signed_at: DateTime<Utc>,
    pub recorded_by: Option<Uuid>,
    /// Intended amount in fen, if stated.
    pub amount_fen: Option<i64>,
    pub note: Option<String>,
    /// The connection it opened or advanced (status `negotiating`, attributed to the event).
    pub connection_id: Uuid,
}

/// A pair the engine proposed among the registered listings, explained.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PairView {
    pub id: Uuid,
    pub event_id: Uuid,
    pub demand: PairSide,
    pub supply: PairSide,
    /// 0–1, the engine's score.
    pub score: f32,
    /// Why, in one Chinese sentence.
    pub summary_zh: String,
    #[schema(value_type = Explanation)]
    pub explanation: serde_json::Value,
    pub status: EventPairStatus,
    /// The meeting requested by mutual interest, if any.
    pub meeting_id: Option<Uuid>,
    pub intent: Option<Intent>,
    pub created_at: DateTime<Utc>,
}

/// A meeting (洽谈) of a pair.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: Uuid,
    pub event_id: Uuid,
    pub pair_id: Uuid,
    pub status: MeetingStatus,
    pub venue_id: Option<Uuid>,
    pub table_no: Option<i32>,
    pub slot_start: Option<DateTime<Utc>>,
    pub slot_end: Option<DateTime<Utc>>,
    pub demand_organization_id: Uuid,
    pub supply_organization_id: Uuid,
    pub demand_title: String,
    pub supply_title: String,
}

/// A roadshow (路演) or reverse roadshow (需求发布) slot.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = event_roadshows)]
pub struct Roadshow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub venue_id: Uuid,
    pub kind: RoadshowKind,
    /// A supply (`roadshow`) or a demand (`reverse_roadshow`) registered for the event.
    pub listing_id: Uuid,
    pub organization_id: Uuid,
    /// Order within the venue, from 1.
    pub position: i32,
    pub starts_at: DateTime<Utc>,
    pub minutes: i32,
    pub created_at: DateTime<Utc>,
}

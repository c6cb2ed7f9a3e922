//! Meetings and roadshows: the organiser schedules a requested meeting into a slot at a table of
//! a venue, and the roadshow (路演) and reverse-roadshow (需求发布) slots.
//!
//! No party (organisation) has two meetings in one slot and no table two meetings in one slot,
//! also under concurrent requests: PostgreSQL decides, through the primary key of
//! `event_meeting_bookings` (event, organisation, slot) — one row per party of a scheduled
//! meeting — and the unique index of `event_meetings` on (venue, table, slot) for scheduled and
//! held meetings. Of two concurrent requests for one party and slot, the second waits for the
//! first to commit and then fails its insert: 409 `slot_taken` (`taken`: `party` or `table`), with
//! nothing written. A meeting is scheduled once (`requested` → `scheduled`, guarded); it is then
//! `held` at the event or `cancelled` (which frees its slot).

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;
use uuid::Uuid;

use super::input::{RoadshowInput, ScheduleInput};
use super::lifecycle::{managed, organises, require_status, visible};
use super::model::{Event, MeetingView, Roadshow, Venue};
use super::repo;
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::db::schema::{
    event_meeting_bookings, event_meetings, event_pairs, event_registration_listings, event_roadshows,
};
use crate::error::{ApiError, ErrorCode, FieldCode, FieldError};
use crate::notifications::outbox::{self, NewNotification};
use crate::pagination::PageRequest;
use crate::validation::range_error;
use crate::vocab::{
    AuditAction, AuditRecordType, EventStatus, ListingKind, MeetingStatus, NotificationKind, RoadshowKind,
};
use crate::{demands, supplies};

type MeetingRow = (Uuid, Uuid, MeetingStatus, Option<Uuid>, Option<i32>, Option<DateTime<Utc>>, Uuid, Uuid, Uuid, Uuid);

/// 409 `slot_taken` for a unique violation of the bookings or of the table index; other errors as they are.
fn slot_taken(err: DieselError) -> ApiError {
    match &err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            let taken = if info.constraint_name() == Some("event_meetings_table_slot_key") { "table" } else { "party" };
            ApiError::ConflictWith {
                code: ErrorCode::SlotTaken,
                detail: if taken == "table" {
                    "the table already has a meeting in this slot".into()
                } else {
                    "a party of this meeting already has a meeting in this slot".into()
                },
                extension: json!({ "taken": taken }),
            }
        }
        _ => ApiError::from(err),
    }
}

/// The meeting views of rows (titles in one query per kind).
fn views(conn: &mut PgConnection, slot_minutes: i32, rows: Vec<MeetingRow>) -> Result<Vec<MeetingView>, ApiError> {
    let demand_ids: Vec<Uuid> = rows.iter().map(|r| r.6).collect();
    let supply_ids: Vec<Uuid> = rows.iter().map(|r| r.7).collect();
    let d = demands::repo::refs(conn, &demand_ids)?;
    let s = supplies::repo::refs(conn, &supply_ids)?;
    Ok(rows
        .into_iter()
        .map(|(id, pair_id, status, venue_id, table_no, slot_start, demand_id, supply_id, demand_org, supply_org)| {
            MeetingView {
                id,
                event_id: Uuid::nil(),
                pair_id,
                status,
                venue_id,
                table_no,
                slot_start,
                slot_end: slot_start.map(|t| t + Duration::minutes(i64::from(slot_minutes))),
                demand_organization_id: demand_org,
                supply_organization_id: supply_org,
                demand_title: d.get(&demand_id).map(|r| r.title.clone()).unwrap_or_default(),
                supply_title: s.get(&supply_id).map(|r| r.title.clone()).unwrap_or_default(),
            }
        })
        .collect())
}

fn load(
    conn: &mut PgConnection,
    event: &Event,
    only: Option<Uuid>,
    meeting: Option<Uuid>,
    page: PageRequest,
) -> Result<(Vec<MeetingView>, i64), ApiError> {
    let query = || {
        let mut q = event_meetings::table
            .inner_join(event_pairs::table)
            .filter(event_meetings::event_id.eq(event.id))
            .into_boxed();
        if let Some(org) = only {
            q = q.filter(event_pairs::demand_organization_id.eq(org).or(event_pairs::supply_organization_id.eq(org)));
        }
        if let Some(id) = meeting {
            q = q.filter(event_meetings::id.eq(id));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<MeetingRow> = query()
        .order((event_meetings::slot_start.asc().nulls_last(), event_meetings::created_at, event_meetings::id))
        .offset(page.offset())
        .limit(page.limit())
        .select((
            event_meetings::id,
            event_meetings::pair_id,
            event_meetings::status,
            event_meetings::venue_id,
            event_meetings::table_no,
            event_meetings::slot_start,
            event_pairs::demand_id,
            event_pairs::supply_id,
            event_pairs::demand_organization_id,
            event_pairs::supply_organization_id,
        ))
        .load(conn)?;
    let mut items = views(conn, event.slot_minutes, rows)?;
    items.iter_mut().for_each(|m| m.event_id = event.id);
    Ok((items, total))
}

fn one(conn: &mut PgConnection, event: &Event, id: Uuid) -> Result<MeetingView, ApiError> {
    load(conn, event, None, Some(id), PageRequest { page: 1, per_page: 1 })?
        .0
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("meeting {id}")))
}

/// A page of the meetings the caller may see (organiser and admins: all; others: their own).
pub fn list(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    page: PageRequest,
) -> Result<(Vec<MeetingView>, i64), ApiError> {
    let event = visible(conn, caller, event_id)?;
    let only = (!organises(caller, &event)).then_some(caller.organization_id);
    load(conn, &event, only, None, page)
}

/// The venue of the event, or 422 naming `field`.
fn venue_of(conn: &mut PgConnection, event: &Event, id: Uuid) -> Result<Venue, ApiError> {
    repo::venues(conn, event.id)?.into_iter().find(|v| v.id == id).ok_or_else(|| {
        ApiError::invalid_field(
            FieldError::new("venue_id", FieldCode::NotFound).says("不是本活动的场地", "not a venue of this event"),
        )
    })
}

/// 422 unless `slot_start` is a slot of the event (see [`ScheduleInput`]).
fn check_slot(event: &Event, slot_start: DateTime<Utc>) -> Result<(), ApiError> {
    let slot = Duration::minutes(i64::from(event.slot_minutes));
    let offset = slot_start - event.starts_at;
    let aligned = offset.num_seconds() >= 0
        && offset.num_seconds() % slot.num_seconds() == 0
        && offset.subsec_nanos() == 0
        && slot_start + slot <= event.ends_at;
    if aligned {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            FieldError::new("slot_start", FieldCode::InvalidValue)
                .with("starts_at", event.starts_at.to_rfc3339())
                .with("slot_minutes", event.slot_minutes)
                .with("ends_at", event.ends_at.to_rfc3339())
                .says(
                    format!(
                        "时段从 {} 开始，每 {} 分钟一个，须在 {} 前结束",
                        event.starts_at, event.slot_minutes, event.ends_at
                    ),
                    format!(
                        "slots start at {} and every {} minutes after, and end by {}",
                        event.starts_at, event.slot_minutes, event.ends_at
                    ),
                ),
        ))
    }
}

/// Schedules a requested meeting (see the module docs).
pub fn schedule(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    meeting_id: Uuid,
    input: &ScheduleInput,
    now: DateTime<Utc>,
) -> Result<MeetingView, ApiError> {
    let event = managed(conn, caller, event_id)?;
    require_status(
        &event,
        &[EventStatus::RegistrationOpen, EventStatus::RegistrationClosed, EventStatus::InProgress],
        "scheduling meetings",
    )?;
    let current = one(conn, &event, meeting_id)?;
    let venue = venue_of(conn, &event, input.venue_id)?;
    if !(1..=i64::from(venue.tables)).contains(&input.table_no) {
        return Err(ApiError::invalid_field(range_error("table_no", 1, venue.tables, input.table_no).says(
            format!("该场地的桌号为 1 到 {}", venue.tables),
            format!("the venue has tables 1 to {}", venue.tables),
        )));
    }
    check_slot(&event, input.slot_start)?;
    let illegal = |from: MeetingStatus| {
        ApiError::illegal_transition(
            from,
            MeetingStatus::Scheduled,
            if from == MeetingStatus::Requested { vec![MeetingStatus::Scheduled] } else { vec![] },
            format!("a meeting that is `{from}` cannot be scheduled (only `requested` ones)"),
        )
    };
    if current.status != MeetingStatus::Requested {
        return Err(illegal(current.status));
    }
    let table_no = input.table_no as i32;
    let scheduled = conn.transaction(|conn| {
        let moved = diesel::update(
            event_meetings::table.find(meeting_id).filter(event_meetings::status.eq(MeetingStatus::Requested)),
        )
        .set((
            event_meetings::status.eq(MeetingStatus::Scheduled),
            event_meetings::venue_id.eq(venue.id),
            event_meetings::table_no.eq(table_no),
            event_meetings::slot_start.eq(input.slot_start),
            event_meetings::scheduled_by.eq(caller.user_id),
            event_meetings::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(slot_taken)?;
        if moved == 0 {
            return Ok(false);
        }
        for org in [current.demand_organization_id, current.supply_organization_id] {
            diesel::insert_into(event_meeting_bookings::table)
                .values((
                    event_meeting_bookings::event_id.eq(event_id),
                    event_meeting_bookings::organization_id.eq(org),
                    event_meeting_bookings::slot_start.eq(input.slot_start),
                    event_meeting_bookings::meeting_id.eq(meeting_id),
                ))
                .execute(conn)
                .map_err(slot_taken)?;
            outbox::queue(
                conn,
                &NewNotification {
                    kind: NotificationKind::EventMeetingScheduled,
                    recipient_organization_id: Some(org),
                    recipient_user_id: None,
                    subject_kind: "event_meeting".into(),
                    subject_id: meeting_id,
                    payload: json!({
                        "title": event.title,
                        "event_id": event_id,
                        "demand_title": current.demand_title,
                        "supply_title": current.supply_title,
                        "venue": venue.name,
                        "table_no": table_no,
                        "slot_start": input.slot_start,
                        "path": format!("/api/v1/events/{event_id}/meetings"),
                    }),
                    dedupe_key: format!("event_meeting_scheduled:{meeting_id}:{org}:{}", input.slot_start.timestamp()),
                    created_at: now,
                },
            )?;
        }
        audit::record(
            conn,
            &Entry::by(
                caller,
                AuditAction::EventMeetingScheduled,
                AuditRecordType::EventMeeting,
                meeting_id,
                event.organizer_organization_id,
            )
            .with_detail(json!({
                "event_id": event_id, "venue_id": venue.id, "table_no": table_no, "slot_start": input.slot_start,
            })),
        )?;
        Ok::<_, ApiError>(true)
    })?;
    if !scheduled {
        return Err(illegal(one(conn, &event, meeting_id)?.status));
    }
    one(conn, &event, meeting_id)
}

/// Moves a meeting to `held` (scheduled, while the event is in progress or finished) or
/// `cancelled` (requested or scheduled; frees its slot). Organiser or admin.
pub fn move_meeting(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    meeting_id: Uuid,
    to: MeetingStatus,
    now: DateTime<Utc>,
) -> Result<MeetingView, ApiError> {
    let event = managed(conn, caller, event_id)?;
    let current = one(conn, &event, meeting_id)?;
    let from: &[MeetingStatus] = match to {
        MeetingStatus::Held => {
            require_status(&event, &[EventStatus::InProgress, EventStatus::Finished], "recording a meeting as held")?;
            &[MeetingStatus::Scheduled]
        }
        MeetingStatus::Cancelled => &[MeetingStatus::Requested, MeetingStatus::Scheduled],
        _ => &[],
    };
    let allowed: Vec<MeetingStatus> = match current.status {
        MeetingStatus::Requested => vec![MeetingStatus::Scheduled, MeetingStatus::Cancelled],
        MeetingStatus::Scheduled => vec![MeetingStatus::Held, MeetingStatus::Cancelled],
        _ => vec![],
    };
    let illegal = |now_status: MeetingStatus| {
        ApiError::illegal_transition(
            now_status,
            to,
            allowed.clone(),
            format!("a meeting that is `{now_status}` cannot move to `{to}` here (scheduling is `POST …/schedule`)"),
        )
    };
    if !from.contains(&current.status) {
        return Err(illegal(current.status));
    }
    let moved = conn.transaction(|conn| {
        let n =
            diesel::update(event_meetings::table.find(meeting_id).filter(event_meetings::status.eq(current.status)))
                .set((event_meetings::status.eq(to), event_meetings::updated_at.eq(now)))
                .execute(conn)?;
        if n == 0 {
            return Ok(false);
        }
        if to == MeetingStatus::Cancelled {
            diesel::delete(event_meeting_bookings::table.filter(event_meeting_bookings::meeting_id.eq(meeting_id)))
                .execute(conn)?;
        }
        audit::record(
            conn,
            &Entry::by(
                caller,
                AuditAction::EventMeetingStatusChanged,
                AuditRecordType::EventMeeting,
                meeting_id,
                event.organizer_organization_id,
            )
            .with_detail(json!({ "event_id": event_id, "from": current.status, "to": to })),
        )?;
        Ok::<_, ApiError>(true)
    })?;
    if !moved {
        return Err(illegal(one(conn, &event, meeting_id)?.status));
    }
    one(conn, &event, meeting_id)
}

/// Schedules a roadshow slot (organiser or admin, before the event ends): the listing must be
/// registered for the event with the kind's side (a supply for `roadshow`, a demand for
/// `reverse_roadshow`; 422 otherwise), the slot within the event; a position or listing already
/// used answers 409 `conflict`.
pub fn add_roadshow(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    input: &RoadshowInput,
    now: DateTime<Utc>,
) -> Result<Roadshow, ApiError> {
    let event = managed(conn, caller, event_id)?;
    require_status(
        &event,
        &[EventStatus::Draft, EventStatus::RegistrationOpen, EventStatus::RegistrationClosed, EventStatus::InProgress],
        "scheduling roadshows",
    )?;
    let venue = venue_of(conn, &event, input.venue_id)?;
    let kind = match input.kind {
        RoadshowKind::Roadshow => ListingKind::Supply,
        RoadshowKind::ReverseRoadshow => ListingKind::Demand,
    };
    let owner: Option<Uuid> = event_registration_listings::table
        .filter(event_registration_listings::event_id.eq(event_id))
        .filter(event_registration_listings::listing_id.eq(input.listing_id))
        .filter(event_registration_listings::listing_kind.eq(kind.as_str()))
        .select(event_registration_listings::organization_id)
        .first(conn)
        .optional()?;
    let Some(owner) = owner else {
        let kind_zh = match kind {
            ListingKind::Supply => "供给",
            ListingKind::Demand => "需求",
        };
        return Err(ApiError::invalid_field(
            FieldError::new("listing_id", FieldCode::NotFound)
                .says(format!("不是本活动已报名的{kind_zh}"), format!("not a {kind} registered for this event")),
        ));
    };
    let mut f = crate::validation::Fields::new();
    if !(1..=1000).contains(&input.position) {
        f.push(range_error("position", 1, 1000, input.position));
    }
    if !(1..=240).contains(&input.minutes) {
        f.push(range_error("minutes", 1, 240, input.minutes));
    }
    let ends = input.starts_at + Duration::minutes(input.minutes.clamp(1, 240));
    if input.starts_at < event.starts_at || ends > event.ends_at {
        f.push(
            FieldError::new("starts_at", FieldCode::OutOfRange)
                .with("min", event.starts_at.to_rfc3339())
                .with("max", event.ends_at.to_rfc3339())
                .with("actual", input.starts_at.to_rfc3339())
                .says("时段必须在活动期间内", "the slot must lie within the event"),
        );
    }
    f.finish()?;
    conn.transaction(|conn| {
        let roadshow: Roadshow = diesel::insert_into(event_roadshows::table)
            .values((
                event_roadshows::event_id.eq(event_id),
                event_roadshows::venue_id.eq(venue.id),
                event_roadshows::kind.eq(input.kind),
                event_roadshows::listing_id.eq(input.listing_id),
                event_roadshows::organization_id.eq(owner),
                event_roadshows::position.eq(input.position as i32),
                event_roadshows::starts_at.eq(input.starts_at),
                event_roadshows::minutes.eq(input.minutes as i32),
                event_roadshows::created_at.eq(now),
            ))
            .returning(Roadshow::as_returning())
            .get_result(conn)?;
        audit::record(
            conn,
            &Entry::by(
                caller,
                AuditAction::EventRoadshowScheduled,
                AuditRecordType::EventRoadshow,
                roadshow.id,
                event.organizer_organization_id,
            )
            .with_changes(audit::created(&roadshow)),
        )?;
        Ok(roadshow)
    })
}

/// The roadshows of an event the caller may see, by venue and position.
pub fn roadshows(conn: &mut PgConnection, caller: &Principal, event_id: Uuid) -> Result<Vec<Roadshow>, ApiError> {
    visible(conn, caller, event_id)?;
    repo::roadshows(conn, event_id)
}

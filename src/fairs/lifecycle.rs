//! Who may see and manage an event, its creation and its status moves (the state machine is
//! [`EventStatus::allowed_moves`]; an illegal move answers 409 `illegal_transition` and changes
//! nothing), and the scheduler's closing of registration at `registration_closes_at`.
//!
//! - Creating: admins (for any organisation as organiser), and members of a technology-transfer
//!   agency or a department (their own organisation organises it); others 403.
//! - Seeing: every signed-in user sees non-draft events; a draft only its organiser and admins
//!   (404 for others).
//! - Managing (status, pairs, scheduling, check-in, roadshows, the report): the organiser's
//!   members and admins; others 403 (404 for a draft).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::input::NewEventInput;
use super::model::{Event, EventView};
use super::repo::{self, NewEvent};
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::vocab::{AuditAction, AuditRecordType, EventStatus, OrganizationKind};

/// Whether the caller organises the event (or is an admin).
pub fn organises(caller: &Principal, event: &Event) -> bool {
    caller.is_admin() || caller.organization_id == event.organizer_organization_id
}

/// The event if the caller may see it; 404 otherwise.
pub fn visible(conn: &mut PgConnection, caller: &Principal, id: Uuid) -> Result<Event, ApiError> {
    let event = repo::get(conn, id)?;
    if event.status == EventStatus::Draft && !organises(caller, &event) {
        return Err(ApiError::NotFound(format!("event {id}")));
    }
    Ok(event)
}

/// The event if the caller manages it; 404 when they may not see it, 403 when they may not manage it.
pub fn managed(conn: &mut PgConnection, caller: &Principal, id: Uuid) -> Result<Event, ApiError> {
    let event = visible(conn, caller, id)?;
    if !organises(caller, &event) {
        return Err(ApiError::Forbidden("only the event's organiser or an admin may do this".into()));
    }
    Ok(event)
}

/// 409 `event_not_active` unless the event is in one of `allowed`.
pub fn require_status(event: &Event, allowed: &[EventStatus], what: &str) -> Result<(), ApiError> {
    if allowed.contains(&event.status) {
        return Ok(());
    }
    Err(ApiError::ConflictWith {
        code: ErrorCode::EventNotActive,
        detail: format!("{what} is not possible while the event is `{}`", event.status),
        extension: json!({ "event_status": event.status, "allowed_in": allowed }),
    })
}

/// The event as the caller sees it.
pub fn view(conn: &mut PgConnection, caller: &Principal, event: Event) -> Result<EventView, ApiError> {
    let venues = repo::venues(conn, event.id)?;
    let allowed_moves = if organises(caller, &event) { event.status.allowed_moves().to_vec() } else { Vec::new() };
    Ok(EventView { event, venues, allowed_moves })
}

/// Creates an event in `draft` with its venues (see the module docs for who may).
pub fn create(
    conn: &mut PgConnection,
    caller: &Principal,
    input: NewEventInput,
    now: DateTime<Utc>,
) -> Result<EventView, ApiError> {
    let organiser = match input.organizer_organization_id {
        Some(org) if org != caller.organization_id && !caller.is_admin() => {
            return Err(ApiError::Forbidden("only admins create events for another organisation".into()))
        }
        Some(org) => org,
        None => caller.organization_id,
    };
    if !(caller.is_admin() || matches!(caller.org_kind, OrganizationKind::ServiceAgency | OrganizationKind::Government))
    {
        return Err(ApiError::Forbidden(
            "events are organised by admins, technology-transfer agencies and departments".into(),
        ));
    }
    let new = NewEvent {
        title: input.title,
        description: input.description,
        organizer_organization_id: organiser,
        created_by: Some(caller.user_id),
        format: input.format,
        online_url: input.online_url,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        registration_opens_at: input.registration_opens_at,
        registration_closes_at: input.registration_closes_at,
        slot_minutes: input.slot_minutes,
        industries: input.industries,
        created_at: now,
        updated_at: now,
    };
    let event = conn.transaction(|conn| {
        let event = repo::insert(conn, &new)?;
        repo::insert_venues(conn, event.id, &input.venues)?;
        audit::record(
            conn,
            &Entry::by(caller, AuditAction::EventCreated, AuditRecordType::Event, event.id, organiser)
                .with_changes(audit::created(&event)),
        )?;
        Ok::<_, ApiError>(event)
    })?;
    view(conn, caller, event)
}

/// Moves the event to `to` (organiser or admin).
pub fn move_to(
    conn: &mut PgConnection,
    caller: &Principal,
    id: Uuid,
    to: EventStatus,
    now: DateTime<Utc>,
) -> Result<EventView, ApiError> {
    let event = managed(conn, caller, id)?;
    let from = event.status;
    let illegal = |from: EventStatus| {
        ApiError::illegal_transition(
            from,
            to,
            from.allowed_moves(),
            format!("an event that is `{from}` cannot move to `{to}`"),
        )
    };
    if !from.allowed_moves().contains(&to) {
        return Err(illegal(from));
    }
    let moved = conn.transaction(|conn| {
        let Some(moved) = repo::guarded_move(conn, id, from, to, now)? else { return Ok(None) };
        audit::record(
            conn,
            &Entry::by(
                caller,
                AuditAction::EventStatusChanged,
                AuditRecordType::Event,
                id,
                event.organizer_organization_id,
            )
            .with_changes(audit::changes(&event, &moved)),
        )?;
        Ok::<_, ApiError>(Some(moved))
    })?;
    match moved {
        Some(event) => view(conn, caller, event),
        None => Err(illegal(repo::get(conn, id)?.status)),
    }
}

/// The scheduler's step: closes the registration of every event whose window has ended, each
/// audited without an actor. Returns how many.
pub fn close_due_registrations(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<usize, ApiError> {
    conn.transaction(|conn| {
        let closed = repo::close_due(conn, now)?;
        let entries: Vec<Entry> = closed
            .iter()
            .map(|e| Entry {
                record_id: Some(e.id),
                organization_id: Some(e.organizer_organization_id),
                ..Entry::anonymous(AuditAction::EventStatusChanged, AuditRecordType::Event, None).with_detail(json!({
                    "from": EventStatus::RegistrationOpen, "to": EventStatus::RegistrationClosed,
                    "reason": "registration_closes_at",
                }))
            })
            .collect();
        audit::record_all(conn, &entries)?;
        Ok(closed.len())
    })
}

//! Registration with the listings an organisation brings, and check-in at the event.
//!
//! - Registering: while the event is `registration_open` and the clock is within its window
//!   (409 `registration_closed` otherwise). The listings must be the organisation's own (another
//!   organisation's or a missing one: 404) and on the market (409 `listing_not_available`).
//!   Registering again adds listings. Admins may register an organisation (`organization_id`).
//! - Reading: the organiser and admins see every registration, others their own.
//! - Check-in: the organiser or an admin, while the event is `in_progress`; 404 for an
//!   organisation that did not register; a second check-in keeps the first time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::input::EventRegistrationInput;
use super::lifecycle::{managed, organises, require_status, visible};
use super::model::RegistrationView;
use super::repo;
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::listing::Listing;
use crate::organizations::summary::summaries;
use crate::pagination::PageRequest;
use crate::vocab::{AuditAction, AuditRecordType, EventStatus, ListingKind};
use crate::{demands, supplies};

/// The listings `ids` of `kind`, checked: the organisation's own (404 otherwise) and on the market.
fn own_listings(
    conn: &mut PgConnection,
    organization: Uuid,
    supply_ids: &[Uuid],
    demand_ids: &[Uuid],
) -> Result<Vec<(ListingKind, Uuid)>, ApiError> {
    let not_available = |what: String| ApiError::Conflict {
        code: ErrorCode::ListingNotAvailable,
        detail: format!("{what} is not on the market: only published supplies and open demands are brought to events"),
    };
    let mut out = Vec::new();
    for &id in supply_ids {
        let supply = supplies::repo::get(conn, id)?;
        if supply.organization_id != organization {
            return Err(ApiError::NotFound(format!("supply {id}")));
        }
        if !supply.is_candidate() {
            return Err(not_available(format!("supply {id}")));
        }
        out.push((ListingKind::Supply, id));
    }
    for &id in demand_ids {
        let demand = demands::repo::get(conn, id)?;
        if demand.organization_id != organization {
            return Err(ApiError::NotFound(format!("demand {id}")));
        }
        if !demand.is_candidate() {
            return Err(not_available(format!("demand {id}")));
        }
        out.push((ListingKind::Demand, id));
    }
    Ok(out)
}

/// Registers the caller's organisation (or, for admins, `organization_id`); returns the
/// registration and whether it is new.
pub fn register(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    input: &EventRegistrationInput,
    now: DateTime<Utc>,
) -> Result<(RegistrationView, bool), ApiError> {
    input.check()?;
    let organization = match input.organization_id {
        Some(org) if org != caller.organization_id && !caller.is_admin() => {
            return Err(ApiError::Forbidden("only admins register another organisation".into()))
        }
        Some(org) => org,
        None => caller.organization_id,
    };
    crate::auth::policy::require_writer(conn, caller)?;
    let created = conn.transaction(|conn| {
        // Share-locked: a status change waits for the registration to commit.
        let event = repo::get_for_share(conn, event_id)?;
        if event.status == EventStatus::Draft && !organises(caller, &event) {
            return Err(ApiError::NotFound(format!("event {event_id}")));
        }
        let in_window = event.registration_opens_at <= now && now < event.registration_closes_at;
        if event.status != EventStatus::RegistrationOpen || !in_window {
            return Err(ApiError::ConflictWith {
                code: ErrorCode::RegistrationClosed,
                detail: format!(
                    "registration is open while the event is `registration_open`, from {} to {}",
                    event.registration_opens_at, event.registration_closes_at
                ),
                extension: json!({
                    "event_status": event.status,
                    "registration_opens_at": event.registration_opens_at,
                    "registration_closes_at": event.registration_closes_at,
                }),
            });
        }
        let listings = own_listings(conn, organization, &input.supply_ids, &input.demand_ids)?;
        let created = repo::register(conn, event_id, organization, caller.user_id, now, &listings)?;
        audit::record(
            conn,
            &Entry::by(
                caller,
                AuditAction::EventRegistered,
                AuditRecordType::EventRegistration,
                event_id,
                organization,
            )
            .with_detail(json!({
                "new": created,
                "supply_ids": input.supply_ids,
                "demand_ids": input.demand_ids,
                "organizer_organization_id": event.organizer_organization_id,
            })),
        )?;
        Ok(created)
    })?;
    let view = views(conn, event_id, Some(organization), PageRequest { page: 1, per_page: 1 })?
        .0
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("registration of {organization}")))?;
    Ok((view, created))
}

/// A page of the event's registrations (of `only` when set) with their listings.
pub fn views(
    conn: &mut PgConnection,
    event_id: Uuid,
    only: Option<Uuid>,
    page: PageRequest,
) -> Result<(Vec<RegistrationView>, i64), ApiError> {
    let (rows, total) = repo::registrations(conn, event_id, only, page)?;
    let orgs: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let names = summaries(conn, &orgs)?;
    let mut listings: HashMap<Uuid, (Vec<Uuid>, Vec<Uuid>)> = HashMap::new();
    for (org, kind, id) in repo::registered_listings(conn, event_id, Some(&orgs))? {
        let entry = listings.entry(org).or_default();
        match kind {
            ListingKind::Supply => entry.0.push(id),
            ListingKind::Demand => entry.1.push(id),
        }
    }
    let items = rows
        .into_iter()
        .map(|(org, registered_at, checked_in_at)| {
            let (supply_ids, demand_ids) = listings.remove(&org).unwrap_or_default();
            RegistrationView {
                event_id,
                organization_id: org,
                organization_name: names.get(&org).map(|s| s.name.clone()).unwrap_or_default(),
                registered_at,
                checked_in_at,
                supply_ids,
                demand_ids,
            }
        })
        .collect();
    Ok((items, total))
}

/// The registrations the caller may read.
pub fn list(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    page: PageRequest,
) -> Result<(Vec<RegistrationView>, i64), ApiError> {
    let event = visible(conn, caller, event_id)?;
    let only = (!organises(caller, &event)).then_some(caller.organization_id);
    views(conn, event_id, only, page)
}

/// Checks in a registered organisation (see the module docs).
pub fn check_in(
    conn: &mut PgConnection,
    caller: &Principal,
    event_id: Uuid,
    organization: Uuid,
    now: DateTime<Utc>,
) -> Result<RegistrationView, ApiError> {
    let event = managed(conn, caller, event_id)?;
    require_status(&event, &[EventStatus::InProgress], "check-in")?;
    conn.transaction(|conn| {
        let Some(first) = repo::check_in(conn, event_id, organization, caller.user_id, now)? else {
            return Err(ApiError::NotFound(format!("registration of organisation {organization}")));
        };
        if first {
            audit::record(
                conn,
                &Entry::by(
                    caller,
                    AuditAction::EventCheckedIn,
                    AuditRecordType::EventRegistration,
                    event_id,
                    organization,
                )
                .with_detail(json!({ "organizer_organization_id": event.organizer_organization_id })),
            )?;
        }
        Ok::<_, ApiError>(())
    })?;
    views(conn, event_id, Some(organization), PageRequest { page: 1, per_page: 1 })?
        .0
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("registration of organisation {organization}")))
}

//! Event queries. Status changes are guarded (`UPDATE … WHERE status = from`); double-booking is
//! refused by the unique keys of `event_meeting_bookings` and `event_meetings` (migration 000045).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Event, Roadshow, Venue};
use crate::db::schema::{event_registration_listings, event_registrations, event_roadshows, event_venues, events};
use crate::db::FoundExtension;
use crate::error::ApiError;
use crate::pagination::PageRequest;
use crate::vocab::{EventFormat, EventStatus, ListingKind};

/// Columns of a new event.
#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    pub title: String,
    pub description: Option<String>,
    pub organizer_organization_id: Uuid,
    pub created_by: Option<Uuid>,
    pub format: EventFormat,
    pub online_url: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub slot_minutes: i32,
    pub industries: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn insert(conn: &mut PgConnection, new: &NewEvent) -> Result<Event, ApiError> {
    Ok(diesel::insert_into(events::table).values(new).returning(Event::as_returning()).get_result(conn)?)
}

pub fn insert_venues(
    conn: &mut PgConnection,
    event_id: Uuid,
    venues: &[(String, Option<String>, bool, i32)],
) -> Result<(), ApiError> {
    let rows: Vec<_> = venues
        .iter()
        .enumerate()
        .map(|(i, (name, address, is_main, tables))| {
            (
                event_venues::event_id.eq(event_id),
                event_venues::name.eq(name),
                event_venues::address.eq(address),
                event_venues::is_main.eq(is_main),
                event_venues::tables.eq(tables),
                event_venues::position.eq(i as i32 + 1),
            )
        })
        .collect();
    diesel::insert_into(event_venues::table).values(rows).execute(conn)?;
    Ok(())
}

/// The event; 404 when absent.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<Event, ApiError> {
    events::table.find(id).select(Event::as_select()).first(conn).or_not_found(|| format!("event {id}"))
}

/// The event, share-locked until the transaction ends (a status change waits for it).
pub fn get_for_share(conn: &mut PgConnection, id: Uuid) -> Result<Event, ApiError> {
    events::table.find(id).select(Event::as_select()).for_share().first(conn).or_not_found(|| format!("event {id}"))
}

pub fn venues(conn: &mut PgConnection, event_id: Uuid) -> Result<Vec<Venue>, ApiError> {
    Ok(event_venues::table
        .filter(event_venues::event_id.eq(event_id))
        .order(event_venues::position)
        .select(Venue::as_select())
        .load(conn)?)
}

/// Events the caller may list: every non-draft event, plus the drafts of `own` (admins: `None`
/// with `all`), newest start first.
pub fn list(
    conn: &mut PgConnection,
    all: bool,
    own: Uuid,
    status: Option<EventStatus>,
    page: PageRequest,
) -> Result<(Vec<Event>, i64), ApiError> {
    let query = || {
        let mut q = events::table.into_boxed();
        if !all {
            q = q.filter(events::status.ne(EventStatus::Draft).or(events::organizer_organization_id.eq(own)));
        }
        if let Some(s) = status {
            q = q.filter(events::status.eq(s));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((events::starts_at.desc(), events::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Event::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Moves the event if it is still `from`.
pub fn guarded_move(
    conn: &mut PgConnection,
    id: Uuid,
    from: EventStatus,
    to: EventStatus,
    now: DateTime<Utc>,
) -> Result<Option<Event>, ApiError> {
    Ok(diesel::update(events::table.find(id).filter(events::status.eq(from)))
        .set((events::status.eq(to), events::version.eq(events::version + 1), events::updated_at.eq(now)))
        .returning(Event::as_returning())
        .get_result(conn)
        .optional()?)
}

/// Closes the registration of every open event whose window has ended at `now`.
pub fn close_due(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<Vec<Event>, ApiError> {
    Ok(diesel::update(
        events::table
            .filter(events::status.eq(EventStatus::RegistrationOpen))
            .filter(events::registration_closes_at.le(now)),
    )
    .set((
        events::status.eq(EventStatus::RegistrationClosed),
        events::version.eq(events::version + 1),
        events::updated_at.eq(now),
    ))
    .returning(Event::as_returning())
    .get_results(conn)?)
}

/// Adds the registration of `organization` (kept when it exists) and its listings; true when
/// the registration is new.
pub fn register(
    conn: &mut PgConnection,
    event_id: Uuid,
    organization: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
    listings: &[(ListingKind, Uuid)],
) -> Result<bool, ApiError> {
    let new = diesel::insert_into(event_registrations::table)
        .values((
            event_registrations::event_id.eq(event_id),
            event_registrations::organization_id.eq(organization),
            event_registrations::registered_by.eq(by),
            event_registrations::registered_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?
        == 1;
    let rows: Vec<_> = listings
        .iter()
        .map(|(kind, id)| {
            (
                event_registration_listings::event_id.eq(event_id),
                event_registration_listings::organization_id.eq(organization),
                event_registration_listings::listing_kind.eq(kind.as_str()),
                event_registration_listings::listing_id.eq(id),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(event_registration_listings::table).values(rows).on_conflict_do_nothing().execute(conn)?;
    }
    Ok(new)
}

/// A registration row: (organisation, registered_at, checked_in_at).
pub type RegistrationRow = (Uuid, DateTime<Utc>, Option<DateTime<Utc>>);

/// Registrations of the event (of `only` when set), by registration time.
pub fn registrations(
    conn: &mut PgConnection,
    event_id: Uuid,
    only: Option<Uuid>,
    page: PageRequest,
) -> Result<(Vec<RegistrationRow>, i64), ApiError> {
    let query = || {
        let mut q = event_registrations::table.filter(event_registrations::event_id.eq(event_id)).into_boxed();
        if let Some(org) = only {
            q = q.filter(event_registrations::organization_id.eq(org));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((event_registrations::registered_at, event_registrations::organization_id))
        .offset(page.offset())
        .limit(page.limit())
        .select((
            event_registrations::organization_id,
            event_registrations::registered_at,
            event_registrations::checked_in_at,
        ))
        .load(conn)?;
    Ok((rows, total))
}

/// The registered listings of the event: (organisation, kind, listing), of `orgs` when given.
pub fn registered_listings(
    conn: &mut PgConnection,
    event_id: Uuid,
    orgs: Option<&[Uuid]>,
) -> Result<Vec<(Uuid, ListingKind, Uuid)>, ApiError> {
    let mut q = event_registration_listings::table
        .filter(event_registration_listings::event_id.eq(event_id))
        .select((
            event_registration_listings::organization_id,
            event_registration_listings::listing_kind,
            event_registration_listings::listing_id,
        ))
        .into_boxed();
    if let Some(orgs) = orgs {
        q = q.filter(event_registration_listings::organization_id.eq_any(orgs.to_vec()));
    }
    let rows: Vec<(Uuid, String, Uuid)> = q.load(conn)?;
    Ok(rows.into_iter().filter_map(|(org, kind, id)| ListingKind::parse(&kind).map(|k| (org, k, id))).collect())
}

/// Whether `organization` is registered for the event.
pub fn is_registered(conn: &mut PgConnection, event_id: Uuid, organization: Uuid) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        event_registrations::table
            .filter(event_registrations::event_id.eq(event_id))
            .filter(event_registrations::organization_id.eq(organization)),
    ))
    .get_result(conn)?)
}

/// Checks in a registered organisation (kept when checked in already); `None` when it is not
/// registered.
pub fn check_in(
    conn: &mut PgConnection,
    event_id: Uuid,
    organization: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<bool>, ApiError> {
    if !is_registered(conn, event_id, organization)? {
        return Ok(None);
    }
    let changed = diesel::update(
        event_registrations::table
            .filter(event_registrations::event_id.eq(event_id))
            .filter(event_registrations::organization_id.eq(organization))
            .filter(event_registrations::checked_in_at.is_null()),
    )
    .set((event_registrations::checked_in_at.eq(now), event_registrations::checked_in_by.eq(by)))
    .execute(conn)?;
    Ok(Some(changed == 1))
}

pub fn roadshows(conn: &mut PgConnection, event_id: Uuid) -> Result<Vec<Roadshow>, ApiError> {
    Ok(event_roadshows::table
        .inner_join(event_venues::table.on(event_venues::id.eq(event_roadshows::venue_id)))
        .filter(event_roadshows::event_id.eq(event_id))
        .order((event_venues::position, event_roadshows::position))
        .select(Roadshow::as_select())
        .load(conn)?)
}

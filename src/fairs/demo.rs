//! The demo event of `techmatch demo`: 「2026 宁夏科技成果供需对接会（演示）」, organised by the
//! demo department, already held. The organisations behind the strongest imported demand–supply
//! matches register with those listings (the demo admin registers them: imported organisations
//! have no users); the engine proposes pairs; most pairs find mutual interest (one side declines
//! one); the meetings are scheduled into slots at the main venue and a sub-venue, with roadshow
//! and reverse-roadshow slots; at the event everyone checks in, the meetings are held and intent
//! agreements open connections attributed to the event, one of which has since been signed.
//! The same service functions as the API run, on a timeline before now. Skipped when the demo
//! event exists.

use chrono::{DateTime, Duration, DurationRound, Utc};
use diesel::prelude::*;
use matching::{Filters, Side};
use uuid::Uuid;

use super::input::{EventRegistrationInput, InterestInput, NewEventInput, RoadshowInput, ScheduleInput};
use super::{intents, lifecycle, pairs, registration, schedule};
use crate::accounts::{repo as account_repo, service as account_service};
use crate::db::schema::{demands, event_meetings, event_pairs, events};
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::Listing;
use crate::matches::documents::{as_query, demand_document};
use crate::matches::service::MatchService;
use crate::vocab::{ContractType, EventFormat, EventStatus, ListingKind, MeetingStatus, RoadshowKind};

/// The demo event's title.
pub const DEMO_TITLE: &str = "2026 宁夏科技成果供需对接会（演示）";
/// Demands brought to the demo event.
const DEMO_DEMANDS: usize = 6;

/// Seeds the demo event (see the module docs); returns its id, `None` when skipped.
pub fn seed(
    conn: &mut PgConnection,
    matcher: &MatchService,
    taxonomy: &Taxonomy,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, ApiError> {
    let exists: i64 = events::table.filter(events::title.eq(DEMO_TITLE)).count().get_result(conn)?;
    if exists > 0 {
        return Ok(None);
    }
    let Some(admin) = account_repo::user_by_email(conn, "admin@demo.techmatch")? else { return Ok(None) };
    let admin = account_service::principal_of(conn, &admin)?;
    // The strongest matches of open demands bring their two organisations.
    let open: Vec<Demand> = demands::table
        .filter(demands::status.eq(Demand::KIND.candidate))
        .order(demands::title)
        .select(Demand::as_select())
        .load(conn)?;
    let mut picks: Vec<(Demand, Vec<matching::Match>)> = open
        .into_iter()
        .filter_map(|d| {
            let query = as_query(demand_document(&d), false);
            let best = matcher.search(&query, Side::Supply, &Filters::default(), 0, 2).items;
            (best.first().is_some_and(|m| m.score >= 0.4)).then_some((d, best))
        })
        .collect();
    picks.sort_by(|a, b| b.1[0].score.total_cmp(&a.1[0].score));
    picks.truncate(DEMO_DEMANDS);
    if picks.is_empty() {
        return Ok(None);
    }
    let day = now.duration_trunc(Duration::days(1)).unwrap_or(now);
    let starts = day - Duration::days(3) + Duration::hours(1); // 09:00 Beijing time
    let (reg_open, reg_close) = (starts - Duration::days(20), starts - Duration::days(2));
    let at_registration = reg_open + Duration::days(1);
    let input = NewEventInput {
        title: DEMO_TITLE.into(),
        description: Some("主会场加分会场，成果路演、需求发布与一对一洽谈（演示数据）".into()),
        format: EventFormat::Hybrid,
        online_url: Some("https://example.org/live/demo".into()),
        starts_at: starts,
        ends_at: starts + Duration::hours(8),
        registration_opens_at: reg_open,
        registration_closes_at: reg_close,
        slot_minutes: 30,
        industries: {
            let mut codes: Vec<String> = picks.iter().flat_map(|(d, _)| d.industries.clone()).collect();
            codes.sort();
            codes.dedup();
            codes.retain(|c| taxonomy.get(c).is_some());
            codes
        },
        venues: vec![
            ("主会场".into(), Some("银川国际交流中心".into()), true, 6),
            ("分会场一（枸杞与葡萄酒）".into(), Some("银川国际交流中心 B 厅".into()), false, 4),
        ],
        organizer_organization_id: None,
    };
    let event = lifecycle::create(conn, &admin, input, reg_open)?.event;
    let id = event.id;
    lifecycle::move_to(conn, &admin, id, EventStatus::RegistrationOpen, reg_open)?;
    // Each organisation registers with its listings of the picks.
    let mut by_org: Vec<(Uuid, Vec<Uuid>, Vec<Uuid>)> = Vec::new();
    let supply_orgs = crate::supplies::repo::refs(
        conn,
        &picks.iter().flat_map(|(_, ms)| ms.iter().map(|m| m.id)).collect::<Vec<_>>(),
    )?;
    let mut add = |org: Uuid, kind: ListingKind, listing: Uuid| {
        let i = match by_org.iter().position(|e| e.0 == org) {
            Some(i) => i,
            None => {
                by_org.push((org, Vec::new(), Vec::new()));
                by_org.len() - 1
            }
        };
        let entry = &mut by_org[i];
        let list = if kind == ListingKind::Supply { &mut entry.1 } else { &mut entry.2 };
        if !list.contains(&listing) {
            list.push(listing);
        }
    };
    for (demand, matches) in &picks {
        add(demand.organization_id, ListingKind::Demand, demand.id);
        for m in matches {
            if let Some(r) = supply_orgs.get(&m.id) {
                add(r.organization_id, ListingKind::Supply, m.id);
            }
        }
    }
    for (org, supply_ids, demand_ids) in &by_org {
        let input = EventRegistrationInput {
            supply_ids: supply_ids.clone(),
            demand_ids: demand_ids.clone(),
            organization_id: Some(*org),
        };
        registration::register(conn, &admin, id, &input, at_registration)?;
    }
    let at_pairs = reg_close - Duration::days(1);
    pairs::propose(conn, matcher, taxonomy, &admin, id, (2, 0.2), at_pairs)?;
    let all_pairs: Vec<(Uuid, Uuid, Uuid)> = event_pairs::table
        .filter(event_pairs::event_id.eq(id))
        .order((event_pairs::score.desc(), event_pairs::id))
        .select((event_pairs::id, event_pairs::demand_id, event_pairs::supply_id))
        .load(conn)?;
    for (i, (pair, _, _)) in all_pairs.iter().enumerate() {
        let declined = i % 4 == 3;
        for (side, interested) in [(ListingKind::Demand, true), (ListingKind::Supply, !declined)] {
            let answer = InterestInput { interested, side: Some(side) };
            pairs::mark_interest(conn, &admin, id, *pair, &answer, at_pairs)?;
        }
    }
    // Meetings: the first free slot at a table, alternating the venues.
    let venues = super::repo::venues(conn, id)?;
    let meetings: Vec<(Uuid, Uuid)> = event_meetings::table
        .filter(event_meetings::event_id.eq(id))
        .order(event_meetings::created_at)
        .select((event_meetings::id, event_meetings::pair_id))
        .load(conn)?;
    for (i, (meeting, _)) in meetings.iter().enumerate() {
        let venue = &venues[i % venues.len()];
        for k in 0..16 {
            let slot = ScheduleInput {
                venue_id: venue.id,
                table_no: 1 + (i as i64 / 2) % i64::from(venue.tables),
                slot_start: starts + Duration::minutes(30 * k),
            };
            match schedule::schedule(conn, &admin, id, *meeting, &slot, at_pairs) {
                Ok(_) => break,
                Err(ApiError::ConflictWith { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
    }
    // Roadshows: the first two supplies on the main venue, a reverse roadshow of the first demand.
    let supplies_shown: Vec<Uuid> = by_org.iter().flat_map(|o| o.1.clone()).take(2).collect();
    let demand_shown: Vec<Uuid> = by_org.iter().flat_map(|o| o.2.clone()).take(1).collect();
    let shows = supplies_shown
        .iter()
        .map(|s| (RoadshowKind::Roadshow, *s))
        .chain(demand_shown.iter().map(|d| (RoadshowKind::ReverseRoadshow, *d)));
    for (position, (kind, listing)) in shows.enumerate() {
        let slot = RoadshowInput {
            kind,
            listing_id: listing,
            venue_id: venues[0].id,
            position: position as i64 + 1,
            starts_at: starts + Duration::minutes(15 * position as i64),
            minutes: 15,
        };
        schedule::add_roadshow(conn, &admin, id, &slot, at_pairs)?;
    }
    lifecycle::move_to(conn, &admin, id, EventStatus::RegistrationClosed, reg_close)?;
    lifecycle::move_to(conn, &admin, id, EventStatus::InProgress, starts)?;
    for (org, _, _) in &by_org {
        registration::check_in(conn, &admin, id, *org, starts + Duration::minutes(10))?;
    }
    let held_at = starts + Duration::hours(3);
    let scheduled: Vec<(Uuid, Uuid)> = event_meetings::table
        .filter(event_meetings::event_id.eq(id))
        .filter(event_meetings::status.eq(MeetingStatus::Scheduled))
        .order(event_meetings::slot_start)
        .select((event_meetings::id, event_meetings::pair_id))
        .load(conn)?;
    let mut signed = false;
    for (i, (meeting, pair)) in scheduled.iter().enumerate() {
        if i + 1 == scheduled.len() && i > 0 {
            // One party did not come: cancelled.
            schedule::move_meeting(conn, &admin, id, *meeting, MeetingStatus::Cancelled, held_at)?;
            continue;
        }
        schedule::move_meeting(conn, &admin, id, *meeting, MeetingStatus::Held, held_at)?;
        // Intents for every other meeting; pairs the demo connections already link are left
        // as they are (the connections' own demo keeps its statuses).
        let (demand_id, supply_id): (Uuid, Uuid) =
            event_pairs::table.find(pair).select((event_pairs::demand_id, event_pairs::supply_id)).first(conn)?;
        let linked = crate::connections::repo::open_for_pair(conn, demand_id, supply_id)?.is_some();
        if i % 2 == 0 && !linked {
            let amount = Some(50_000_000 + 20_000_000 * i as i64);
            let view = intents::record(conn, &admin, id, *pair, (amount, Some("演示意向协议".into())), held_at)?;
            if !signed {
                if let Some(intent) = view.intent {
                    crate::contracts::demo::sign(
                        conn,
                        &admin,
                        intent.connection_id,
                        80_000_000,
                        ContractType::Transfer,
                    )?;
                    signed = true;
                }
            }
        }
    }
    lifecycle::move_to(conn, &admin, id, EventStatus::Finished, starts + Duration::hours(8))?;
    Ok(Some(id))
}

//! Matchmaking events (对接会) over HTTP: every status move and refusal, registration with the
//! caller's own listings only, engine-proposed pairs, interest, meetings scheduled without
//! double-booking under concurrent requests, check-in, intent agreements that advance a
//! connection, roadshows, the report, the scheduler closing registration, and the statistics on
//! the demo data.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use techmatch::clock::Clock;

use crate::common::{self, Session, TestApp, TestDb};

fn clock() -> Clock {
    let now = Utc::now();
    Clock::manual(DateTime::from_timestamp(now.timestamp(), 0).unwrap())
}

async fn spawn(clock: &Clock) -> TestApp {
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.clock = clock.clone();
    TestApp::spawn_with(db, config).await
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

fn name(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// An event body: registration open now for a day, the event the day after, 30-minute slots.
fn event_body(now: DateTime<Utc>) -> Value {
    let starts = now + Duration::days(2);
    json!({
        "title": "宁夏科技成果供需对接会",
        "format": "hybrid",
        "starts_at": starts,
        "ends_at": starts + Duration::hours(8),
        "registration_opens_at": now - Duration::hours(1),
        "registration_closes_at": now + Duration::days(1),
        "slot_minutes": 30,
        "industries": ["goji"],
        "venues": [{"name": "主会场", "is_main": true, "tables": 10}, {"name": "分会场一", "tables": 2}],
    })
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql).get_result::<N>(&mut app.db.connect()).unwrap().n
}

async fn status_to(app: &TestApp, who: &Session, event: &str, to: &str) -> common::Reply {
    app.post_as(who.bearer(), &format!("/api/v1/events/{event}/status"), &json!({"to": to})).await
}

#[actix_web::test]
async fn an_event_runs_from_registration_to_its_report() {
    let clock = clock();
    let app = spawn(&clock).await;
    let now = clock.now();
    let agency = app.register("service_agency", &name("技术转移中心")).await;
    let enterprise = app.register("enterprise", &name("枸杞企业")).await;
    let institute = app.register("research_institute", &name("农科院")).await;
    let stranger = app.register("university", &name("大学")).await;
    let demand = id(&app
        .create_demand(&enterprise, json!({"title": "枸杞鲜果机械化采收", "description": "需要枸杞采收装备", "keywords": ["枸杞", "采收"], "industries": ["goji"]}))
        .await
        .body);
    let supply = id(&app
        .create_supply(&institute, json!({"title": "枸杞采收装备", "summary": "枸杞鲜果采收机", "keywords": ["枸杞", "采收"], "industries": ["goji"]}))
        .await
        .body);
    let strangers_supply = id(&app
        .create_supply(&stranger, json!({"title": "葡萄酒酿造工艺", "summary": "酿酒", "industries": ["wine"]}))
        .await
        .body);
    common::index_polled(&app.matcher, StdDuration::from_secs(10)).await;

    // Creating: not by an enterprise; bad times refused by field.
    let refused = app.post_as(enterprise.bearer(), "/api/v1/events", &event_body(now)).await;
    refused.assert_problem(403, "forbidden");
    let mut bad = event_body(now);
    bad["ends_at"] = json!(now);
    let invalid = app.post_as(agency.bearer(), "/api/v1/events", &bad).await;
    invalid.assert_problem(422, "validation_failed");
    assert_eq!(invalid.body["errors"][0]["field"], "ends_at", "{}", invalid.body);
    let created = app.post_as(agency.bearer(), "/api/v1/events", &event_body(now)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["venues"].as_array().unwrap().len(), 2);
    let event = id(&created.body);
    let base = format!("/api/v1/events/{event}");

    // A draft is the organiser's alone; an illegal move changes nothing.
    app.get_as(enterprise.bearer(), &base).await.assert_problem(404, "not_found");
    let reg = json!({"demand_ids": [demand]});
    app.post_as(enterprise.bearer(), &format!("{base}/registrations"), &reg).await.assert_problem(404, "not_found");
    let illegal = status_to(&app, &agency, &event, "in_progress").await;
    illegal.assert_problem(409, "illegal_transition");
    assert_eq!(illegal.body["allowed"], json!(["registration_open", "cancelled"]));
    let opened = status_to(&app, &agency, &event, "registration_open").await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    status_to(&app, &enterprise, &event, "registration_closed").await.assert_problem(403, "forbidden");

    // Registration: own listings only; another organisation's listing is not found.
    let theirs = json!({"supply_ids": [strangers_supply]});
    app.post_as(enterprise.bearer(), &format!("{base}/registrations"), &theirs).await.assert_problem(404, "not_found");
    let registered = app.post_as(enterprise.bearer(), &format!("{base}/registrations"), &reg).await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    assert_eq!(registered.body["demand_ids"], json!([demand]));
    let reg_i = json!({"supply_ids": [supply]});
    assert_eq!(app.post_as(institute.bearer(), &format!("{base}/registrations"), &reg_i).await.status, 201);
    let reg_s = json!({"supply_ids": [strangers_supply]});
    assert_eq!(app.post_as(stranger.bearer(), &format!("{base}/registrations"), &reg_s).await.status, 201);
    let mine = app.get_as(enterprise.bearer(), &format!("{base}/registrations")).await;
    assert_eq!(mine.body["total"], 1, "others see their own registration only: {}", mine.body);
    assert_eq!(app.get_as(agency.bearer(), &format!("{base}/registrations")).await.body["total"], 3);

    // Pairs: proposed by the organiser only, explained; both sides notified.
    app.post_as(enterprise.bearer(), &format!("{base}/pairs"), &json!({})).await.assert_problem(403, "forbidden");
    let proposed = app.post_as(agency.bearer(), &format!("{base}/pairs"), &json!({"min_score": 0.05})).await;
    assert_eq!(proposed.status, 201, "{}", proposed.body);
    assert!(proposed.body["new_pairs"].as_u64().unwrap() >= 1, "{}", proposed.body);
    let again = app.post_as(agency.bearer(), &format!("{base}/pairs"), &json!({"min_score": 0.05})).await;
    assert_eq!(again.body["new_pairs"], 0, "proposing again adds nothing new");
    let pairs = app.get_as(enterprise.bearer(), &format!("{base}/pairs")).await;
    let pair = pairs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["supply"]["listing_id"] == json!(supply))
        .unwrap_or_else(|| panic!("the goji pair is proposed: {}", pairs.body))
        .clone();
    assert!(pair["summary_zh"].as_str().unwrap().contains("枸杞"), "{pair}");
    assert_eq!(pair["status"], "proposed");
    let pair_id = id(&pair);
    assert_eq!(app.get_as(stranger.bearer(), &format!("{base}/pairs")).await.body["total"], 0);
    let notified = format!(
        "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'event_pair_proposed' AND subject_id = '{pair_id}'"
    );
    assert_eq!(count(&app, &notified).await, 2);

    // Interest: each side for itself; mutual interest requests a meeting.
    let interest = format!("{base}/pairs/{pair_id}/interest");
    app.post_as(stranger.bearer(), &interest, &json!({"interested": true})).await.assert_problem(404, "not_found");
    app.post_as(enterprise.bearer(), &interest, &json!({"interested": true, "side": "supply"}))
        .await
        .assert_problem(403, "forbidden");
    let one = app.post_as(enterprise.bearer(), &interest, &json!({"interested": true})).await;
    assert_eq!((one.status.as_u16(), one.body["status"].as_str()), (200, Some("proposed")), "{}", one.body);
    assert!(one.body["meeting_id"].is_null());
    let both = app.post_as(institute.bearer(), &interest, &json!({"interested": true})).await;
    assert_eq!(both.body["status"], "mutual", "{}", both.body);
    let meeting = both.body["meeting_id"].as_str().expect("a meeting is requested").to_string();

    // Scheduling: a slot of the event at a table of one of its venues.
    let venue = created.body["venues"][0]["id"].as_str().unwrap().to_string();
    let starts: DateTime<Utc> = serde_json::from_value(created.body["starts_at"].clone()).unwrap();
    let sched = format!("{base}/meetings/{meeting}/schedule");
    let off_slot = json!({"venue_id": venue, "table_no": 1, "slot_start": starts + Duration::minutes(10)});
    app.post_as(agency.bearer(), &sched, &off_slot).await.assert_problem(422, "validation_failed");
    let no_table = json!({"venue_id": venue, "table_no": 11, "slot_start": starts});
    app.post_as(agency.bearer(), &sched, &no_table).await.assert_problem(422, "validation_failed");
    let slot = json!({"venue_id": venue, "table_no": 1, "slot_start": starts});
    app.post_as(enterprise.bearer(), &sched, &slot).await.assert_problem(403, "forbidden");
    let scheduled = app.post_as(agency.bearer(), &sched, &slot).await;
    assert_eq!(scheduled.status, 201, "{}", scheduled.body);
    assert_eq!(scheduled.body["status"], "scheduled");
    app.post_as(agency.bearer(), &sched, &slot).await.assert_problem(409, "illegal_transition");
    let meeting_notes = format!(
        "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'event_meeting_scheduled' AND subject_id = '{meeting}'"
    );
    assert_eq!(count(&app, &meeting_notes).await, 2);
    let theirs = app.get_as(institute.bearer(), &format!("{base}/meetings")).await;
    assert_eq!(theirs.body["items"][0]["table_no"], 1, "{}", theirs.body);

    // Roadshows: a registered supply; a reverse roadshow needs a demand; positions are unique.
    let road = json!({"kind": "roadshow", "listing_id": supply, "venue_id": venue, "position": 1,
        "starts_at": starts, "minutes": 15});
    assert_eq!(app.post_as(agency.bearer(), &format!("{base}/roadshows"), &road).await.status, 201);
    let mut same_position = road.clone();
    same_position["listing_id"] = json!(strangers_supply);
    app.post_as(agency.bearer(), &format!("{base}/roadshows"), &same_position).await.assert_problem(409, "conflict");
    let mut reverse = road.clone();
    reverse["kind"] = json!("reverse_roadshow");
    reverse["position"] = json!(2);
    app.post_as(agency.bearer(), &format!("{base}/roadshows"), &reverse).await.assert_problem(422, "validation_failed");
    reverse["listing_id"] = json!(demand);
    assert_eq!(app.post_as(agency.bearer(), &format!("{base}/roadshows"), &reverse).await.status, 201);
    assert_eq!(app.get_as(stranger.bearer(), &format!("{base}/roadshows")).await.body.as_array().unwrap().len(), 2);

    // Before the event: no check-in, no intent.
    let check_in = json!({"organization_id": enterprise.organization_id});
    app.post_as(agency.bearer(), &format!("{base}/check-ins"), &check_in).await.assert_problem(409, "event_not_active");
    let intent_path = format!("{base}/pairs/{pair_id}/intent");
    let intent = json!({"amount_fen": 50_000_000, "note": "意向转让"});
    app.post_as(enterprise.bearer(), &intent_path, &intent).await.assert_problem(409, "event_not_active");

    // The scheduler closes registration at its end.
    clock.advance(Duration::days(1));
    let deadline = Instant::now() + StdDuration::from_secs(10);
    loop {
        let got = app.get_as(agency.bearer(), &base).await;
        if got.body["status"] == "registration_closed" {
            break;
        }
        assert!(Instant::now() < deadline, "registration was not closed: {}", got.body);
        actix_web::rt::time::sleep(StdDuration::from_millis(20)).await;
    }
    app.post_as(enterprise.bearer(), &format!("{base}/registrations"), &reg)
        .await
        .assert_problem(409, "registration_closed");
    let closed_by = "SELECT count(*) AS n FROM audit_log WHERE action = 'event_status_changed' AND actor_id IS NULL";
    assert_eq!(count(&app, closed_by).await, 1);

    // At the event: check-in and intents.
    assert_eq!(status_to(&app, &agency, &event, "in_progress").await.status, 200);
    let checked = app.post_as(agency.bearer(), &format!("{base}/check-ins"), &check_in).await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(checked.body["checked_in_at"].is_string());
    let agency_in = json!({"organization_id": agency.organization_id});
    app.post_as(agency.bearer(), &format!("{base}/check-ins"), &agency_in).await.assert_problem(404, "not_found");
    let held = app.post_as(agency.bearer(), &format!("{base}/meetings/{meeting}/status"), &json!({"to": "held"})).await;
    assert_eq!(held.body["status"], "held", "{}", held.body);
    app.post_as(stranger.bearer(), &intent_path, &intent).await.assert_problem(404, "not_found");
    let signed = app.post_as(enterprise.bearer(), &intent_path, &intent).await;
    assert_eq!(signed.status, 201, "{}", signed.body);
    let connection = signed.body["intent"]["connection_id"].as_str().unwrap().to_string();
    app.post_as(institute.bearer(), &intent_path, &intent).await.assert_problem(409, "intent_exists");
    let opened = app.get_as(enterprise.bearer(), &format!("/api/v1/connections/{connection}")).await;
    assert_eq!(opened.body["status"], "negotiating", "{}", opened.body);
    let log: Vec<&str> =
        opened.body["events"].as_array().unwrap().iter().map(|e| e["to_status"].as_str().unwrap()).collect();
    assert_eq!(log, ["proposed", "contacted", "negotiating"]);
    let attributed =
        format!("SELECT count(*) AS n FROM connections WHERE id = '{connection}' AND event_id = '{event}'");
    assert_eq!(count(&app, &attributed).await, 1);

    // After it: the report.
    assert_eq!(status_to(&app, &agency, &event, "finished").await.status, 200);
    status_to(&app, &agency, &event, "cancelled").await.assert_problem(409, "illegal_transition");
    app.get_as(enterprise.bearer(), &format!("{base}/report")).await.assert_problem(403, "forbidden");
    app.get_as(agency.bearer(), &format!("{base}/report?within_days=-1")).await.assert_problem(400, "invalid_query");
    let report = app.get_as(agency.bearer(), &format!("{base}/report?within_days=30")).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let r = &report.body;
    assert_eq!((r["registrations"].as_i64(), r["checked_in"].as_i64()), (Some(3), Some(1)), "{r}");
    assert_eq!((r["mutual_interests"].as_i64(), r["meetings_held"].as_i64()), (Some(1), Some(1)), "{r}");
    assert_eq!((r["intents_signed"].as_i64(), r["intent_amount_fen"].as_i64()), (Some(1), Some(50_000_000)), "{r}");
    assert_eq!(
        (r["connections"].as_i64(), r["contracts_signed"].as_i64(), r["roadshows"].as_i64()),
        (Some(1), Some(0), Some(2))
    );

    // Every action is in the audit log.
    let audited = format!(
        "SELECT count(DISTINCT action) AS n FROM audit_log WHERE action LIKE 'event\\_%' \
         AND (record_id = '{event}' OR detail->>'event_id' = '{event}' OR record_type = 'event_roadshow')"
    );
    assert_eq!(count(&app, &audited).await, 10);
}

#[actix_web::test]
async fn an_event_is_cancelled_and_then_refuses_everything() {
    let clock = clock();
    let app = spawn(&clock).await;
    let admin = app.admin().await;
    let enterprise = app.register("enterprise", &name("企业")).await;
    let created = app.post_as(admin.bearer(), "/api/v1/events", &event_body(clock.now())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let event = id(&created.body);
    assert_eq!(status_to(&app, &admin, &event, "registration_open").await.status, 200);
    let reg = app.post_as(enterprise.bearer(), &format!("/api/v1/events/{event}/registrations"), &json!({})).await;
    assert_eq!(reg.status, 201, "{}", reg.body);
    let cancelled = status_to(&app, &admin, &event, "cancelled").await;
    assert_eq!(cancelled.body["allowed_moves"], json!([]), "{}", cancelled.body);
    status_to(&app, &admin, &event, "registration_open").await.assert_problem(409, "illegal_transition");
    let again = app.post_as(enterprise.bearer(), &format!("/api/v1/events/{event}/registrations"), &json!({})).await;
    again.assert_problem(409, "registration_closed");
    app.post_as(admin.bearer(), &format!("/api/v1/events/{event}/pairs"), &json!({}))
        .await
        .assert_problem(409, "event_not_active");
    let listed = app.get_as(enterprise.bearer(), "/api/v1/events?status=cancelled").await;
    assert_eq!(listed.body["total"], 1, "{}", listed.body);
}

/// Many organisations have mutual interest with one enterprise; the organiser's requests to put
/// all their meetings into one slot race: exactly one succeeds, the others get 409 `slot_taken`.
#[actix_web::test]
async fn concurrent_scheduling_never_double_books_a_party() {
    const RIVALS: usize = 8;
    let clock = clock();
    let app = spawn(&clock).await;
    let admin = app.admin().await;
    let now = clock.now();
    let created = app.post_as(admin.bearer(), "/api/v1/events", &event_body(now)).await;
    let event = id(&created.body);
    let base = format!("/api/v1/events/{event}");
    let venue = created.body["venues"][0]["id"].as_str().unwrap().to_string();
    let starts: DateTime<Utc> = serde_json::from_value(created.body["starts_at"].clone()).unwrap();
    assert_eq!(status_to(&app, &admin, &event, "registration_open").await.status, 200);
    let enterprise = app.register("enterprise", &name("枸杞企业")).await;
    let demand = id(&app
        .create_demand(&enterprise, json!({"title": "枸杞采收与烘干", "description": "枸杞采收、烘干装备", "keywords": ["枸杞"], "industries": ["goji"]}))
        .await
        .body);
    let reg =
        app.post_as(enterprise.bearer(), &format!("{base}/registrations"), &json!({"demand_ids": [demand]})).await;
    assert_eq!(reg.status, 201, "{}", reg.body);
    let mut rivals = Vec::new();
    for i in 0..RIVALS {
        let institute = app.register("research_institute", &name("研究所")).await;
        let supply = id(&app
            .create_supply(&institute, json!({"title": format!("枸杞采收装备{i}"), "summary": "枸杞采收与烘干", "keywords": ["枸杞"], "industries": ["goji"]}))
            .await
            .body);
        let reg = json!({"supply_ids": [supply]});
        assert_eq!(app.post_as(institute.bearer(), &format!("{base}/registrations"), &reg).await.status, 201);
        rivals.push(institute);
    }
    common::index_polled(&app.matcher, StdDuration::from_secs(10)).await;
    let proposed =
        app.post_as(admin.bearer(), &format!("{base}/pairs"), &json!({"per_demand": 20, "min_score": 0})).await;
    assert_eq!(proposed.body["new_pairs"], RIVALS, "{}", proposed.body);
    let pairs = app.get_as(admin.bearer(), &format!("{base}/pairs?per_page=100")).await;
    let mut meetings = Vec::new();
    for pair in pairs.body["items"].as_array().unwrap() {
        let path = format!("{base}/pairs/{}/interest", id(pair));
        let rival = rivals.iter().find(|r| pair["supply"]["organization_id"] == json!(r.organization_id)).unwrap();
        assert_eq!(app.post_as(enterprise.bearer(), &path, &json!({"interested": true})).await.status, 200);
        let both = app.post_as(rival.bearer(), &path, &json!({"interested": true})).await;
        meetings.push(both.body["meeting_id"].as_str().unwrap().to_string());
    }
    // Each request takes its own table: only the enterprise (a party of all) collides.
    let requests = meetings.iter().enumerate().map(|(i, m)| {
        let body = json!({"venue_id": venue, "table_no": 1 + i, "slot_start": starts});
        let path = format!("{base}/meetings/{m}/schedule");
        let token = admin.token.clone();
        let app = &app;
        async move { app.post_as(Some(&token), &path, &body).await }
    });
    let replies = common::futures_join_all(requests).await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "exactly one meeting gets the slot");
    for r in replies.iter().filter(|r| r.status != 201) {
        r.assert_problem(409, "slot_taken");
        assert_eq!(r.body["taken"], "party", "{}", r.body);
    }
    let booked = format!(
        "SELECT count(*) AS n FROM event_meeting_bookings WHERE organization_id = '{}'",
        enterprise.organization_id
    );
    assert_eq!(count(&app, &booked).await, 1);
    // The table of the winner is taken in that slot, for anyone.
    let winner = replies.iter().find(|r| r.status == 201).unwrap();
    let loser = meetings.iter().find(|m| **m != id(&winner.body)).unwrap();
    let table = json!({"venue_id": venue, "table_no": winner.body["table_no"], "slot_start": starts});
    let later =
        json!({"venue_id": venue, "table_no": winner.body["table_no"], "slot_start": starts + Duration::minutes(30)});
    let path = format!("{base}/meetings/{loser}/schedule");
    app.post_as(admin.bearer(), &path, &table).await.assert_problem(409, "slot_taken");
    assert_eq!(app.post_as(admin.bearer(), &path, &later).await.status, 201);
    // Cancelling frees the slot.
    let cancel =
        app.post_as(admin.bearer(), &format!("{base}/meetings/{loser}/status"), &json!({"to": "cancelled"})).await;
    assert_eq!(cancel.body["status"], "cancelled", "{}", cancel.body);
    assert_eq!(count(&app, &booked).await, 1);
}

/// `techmatch demo`'s event on the real listings: the statistics and the report show its funnel.
#[actix_web::test]
async fn statistics_show_the_demo_event() {
    let app = TestApp::with_real_listings().await;
    let admin = app.admin().await;
    let member = app.register("enterprise", &name("企业")).await;
    let event = {
        let mut conn = app.db.connect();
        let matcher = techmatch::matches::service::MatchService::new(
            techmatch::industries::taxonomy::Taxonomy::embedded(),
            matching::MatchingConfig::default(),
        );
        matcher.refresh(&mut conn).unwrap();
        let taxonomy = techmatch::industries::taxonomy::Taxonomy::embedded();
        let seeded = techmatch::fairs::demo::seed(&mut conn, &matcher, taxonomy, Utc::now()).unwrap();
        assert!(
            techmatch::fairs::demo::seed(&mut conn, &matcher, taxonomy, Utc::now()).unwrap().is_none(),
            "idempotent"
        );
        seeded.expect("the demo event is created")
    };
    app.get_as(member.bearer(), "/api/v1/stats/events").await.assert_problem(403, "forbidden");
    app.get_as(admin.bearer(), "/api/v1/stats/events?from=2026-12-31&to=2026-01-01")
        .await
        .assert_problem(400, "invalid_query");
    let stats = app.get_as(admin.bearer(), "/api/v1/stats/events").await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    let total = &stats.body["total"];
    assert_eq!(total["events"], 1, "{}", stats.body);
    for figure in
        ["registrations", "pairs_proposed", "mutual_interests", "meetings_held", "intents_signed", "roadshows"]
    {
        assert!(total[figure].as_i64().unwrap() > 0, "{figure}: {}", stats.body);
    }
    assert!(total["pairs_proposed"].as_i64() >= total["mutual_interests"].as_i64());
    assert!(total["mutual_interests"].as_i64() >= total["meetings_held"].as_i64());
    assert_eq!(total["contracts_signed"], 1, "{}", stats.body);
    let industries = stats.body["by_industry"].as_array().unwrap();
    assert!(!industries.is_empty() && industries.iter().all(|i| i["events"] == 1), "{}", stats.body);
    assert_eq!(stats.body["by_month"].as_array().unwrap().len(), 1, "{}", stats.body);
    assert_eq!(stats.body["by_month"][0]["intents_signed"], total["intents_signed"]);
    let long_ago = app.get_as(admin.bearer(), "/api/v1/stats/events?to=2020-01-01").await;
    assert_eq!(long_ago.body["total"]["events"], 0);
    let report = app.get_as(admin.bearer(), &format!("/api/v1/events/{event}/report")).await;
    assert_eq!(report.body["intents_signed"], total["intents_signed"], "{}", report.body);
    let none_in_time = app.get_as(admin.bearer(), &format!("/api/v1/events/{event}/report?within_days=0")).await;
    assert_eq!(none_in_time.body["contracts_signed"], 0, "signed after the event's end day: {}", none_in_time.body);
    let listed = app.get_as(member.bearer(), "/api/v1/events").await;
    assert_eq!(listed.body["items"][0]["status"], "finished", "{}", listed.body);
}

/// A side that withdraws its interest cancels the meeting request; a requested meeting is not
/// `held`, a held one is not cancelled; the organiser closes registration by hand too.
#[actix_web::test]
async fn withdrawn_interest_cancels_the_request_and_meetings_only_move_forward() {
    let clock = clock();
    let app = spawn(&clock).await;
    let admin = app.admin().await;
    let created = app.post_as(admin.bearer(), "/api/v1/events", &event_body(clock.now())).await;
    let event = id(&created.body);
    let base = format!("/api/v1/events/{event}");
    let venue = created.body["venues"][0]["id"].as_str().unwrap().to_string();
    let starts: DateTime<Utc> = serde_json::from_value(created.body["starts_at"].clone()).unwrap();
    assert_eq!(status_to(&app, &admin, &event, "registration_open").await.status, 200);
    let enterprise = app.register("enterprise", &name("企业")).await;
    let institute = app.register("university", &name("大学")).await;
    let demand = id(&app
        .create_demand(&enterprise, json!({"title": "滩羊肉品质检测", "description": "滩羊肉快速检测", "keywords": ["滩羊"], "industries": ["tan_sheep"]}))
        .await
        .body);
    let supply = id(&app
        .create_supply(&institute, json!({"title": "滩羊肉品质快速检测技术", "summary": "滩羊肉检测", "keywords": ["滩羊"], "industries": ["tan_sheep"]}))
        .await
        .body);
    common::index_polled(&app.matcher, StdDuration::from_secs(10)).await;
    for (who, body) in [(&enterprise, json!({"demand_ids": [demand]})), (&institute, json!({"supply_ids": [supply]}))] {
        assert_eq!(app.post_as(who.bearer(), &format!("{base}/registrations"), &body).await.status, 201);
    }
    let proposed = app.post_as(admin.bearer(), &format!("{base}/pairs"), &json!({"min_score": 0})).await;
    assert_eq!(proposed.body["new_pairs"], 1, "{}", proposed.body);
    let pair = id(&app.get_as(admin.bearer(), &format!("{base}/pairs")).await.body["items"][0]);
    let interest = format!("{base}/pairs/{pair}/interest");
    app.post_as(admin.bearer(), &interest, &json!({"interested": true})).await.assert_problem(422, "validation_failed");
    assert_eq!(
        app.post_as(admin.bearer(), &interest, &json!({"interested": true, "side": "demand"})).await.status,
        200
    );
    let mutual = app.post_as(institute.bearer(), &interest, &json!({"interested": true})).await;
    let meeting = mutual.body["meeting_id"].as_str().unwrap().to_string();
    let moved = format!("{base}/meetings/{meeting}/status");
    app.post_as(admin.bearer(), &moved, &json!({"to": "held"})).await.assert_problem(409, "event_not_active");
    let declined = app.post_as(institute.bearer(), &interest, &json!({"interested": false})).await;
    assert_eq!(declined.body["status"], "declined", "{}", declined.body);
    let meetings = app.get_as(enterprise.bearer(), &format!("{base}/meetings")).await;
    assert_eq!(meetings.body["items"][0]["status"], "cancelled", "{}", meetings.body);
    let slot = json!({"venue_id": venue, "table_no": 1, "slot_start": starts});
    let sched = format!("{base}/meetings/{meeting}/schedule");
    app.post_as(admin.bearer(), &sched, &slot).await.assert_problem(409, "illegal_transition");
    // Interested again: requested again, then scheduled and held; a held meeting stays held.
    app.post_as(institute.bearer(), &interest, &json!({"interested": true})).await;
    assert_eq!(app.post_as(admin.bearer(), &sched, &slot).await.status, 201);
    assert_eq!(status_to(&app, &admin, &event, "registration_closed").await.body["status"], "registration_closed");
    assert_eq!(status_to(&app, &admin, &event, "in_progress").await.status, 200);
    assert_eq!(app.post_as(admin.bearer(), &moved, &json!({"to": "held"})).await.body["status"], "held");
    let refused = app.post_as(admin.bearer(), &moved, &json!({"to": "cancelled"})).await;
    refused.assert_problem(409, "illegal_transition");
    assert_eq!(refused.body["allowed"], json!([]));
    app.post_as(admin.bearer(), &moved, &json!({"to": "requested"})).await.assert_problem(409, "illegal_transition");
}

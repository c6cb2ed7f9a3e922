//! The notifications connections cause, asserted in the outbox: proposed (to the other side),
//! accepted, moved, and stale after the configured quiet days (the clock moved, never slept).

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use techmatch::clock::Clock;

use crate::common::{self, Session, TestApp, TestDb};
use crate::subscriptions::{eventually, payloads, scalar};

struct Pair {
    enterprise: Session,
    institute: Session,
    demand: String,
    supply: String,
}

async fn pair(app: &TestApp) -> Pair {
    let enterprise = app.register("enterprise", "宁夏某枸杞企业").await;
    let institute = app.register("research_institute", "宁夏农林科学院").await;
    let demand = app
        .create_demand(&enterprise, json!({"title": "枸杞鲜果机械化采收", "description": "需要枸杞鲜果低损采收装备"}))
        .await;
    let supply =
        app.create_supply(&institute, json!({"title": "枸杞鲜果低损采收装备", "summary": "枸杞鲜果采收机"})).await;
    Pair {
        demand: demand.body["id"].as_str().unwrap().into(),
        supply: supply.body["id"].as_str().unwrap().into(),
        enterprise,
        institute,
    }
}

async fn open(app: &TestApp, p: &Pair) -> String {
    let opened = app
        .post_as(p.enterprise.bearer(), "/api/v1/connections", &json!({"demand_id": p.demand, "supply_id": p.supply}))
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    opened.body["id"].as_str().unwrap().to_string()
}

async fn step(app: &TestApp, who: &Session, id: &str, to: &str) {
    let moved = app.post_as(who.bearer(), &format!("/api/v1/connections/{id}/events"), &json!({"to": to})).await;
    assert!(moved.status.is_success(), "{}", moved.body);
}

fn to_org(kind: &str, org: &str, connection: &str) -> String {
    format!("kind = '{kind}' AND recipient_organization_id = '{org}' AND subject_id = '{connection}'")
}

#[actix_web::test]
async fn the_other_side_hears_of_proposals_acceptances_and_moves() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    let (enterprise, institute) = (p.enterprise.organization_id.clone(), p.institute.organization_id.clone());
    let id = open(&app, &p).await;

    let proposed = payloads(&app, &to_org("connection_proposed", &institute, &id));
    assert_eq!(proposed.len(), 1);
    assert_eq!(proposed[0]["by"], "宁夏某枸杞企业");
    assert_eq!(proposed[0]["path"], format!("/api/v1/connections/{id}"));
    assert_eq!(
        (proposed[0]["demand_title"].as_str(), proposed[0]["supply_title"].as_str()),
        (Some("枸杞鲜果机械化采收"), Some("枸杞鲜果低损采收装备"))
    );
    assert!(payloads(&app, &to_org("connection_proposed", &enterprise, &id)).is_empty(), "not the proposer");

    step(&app, &p.institute, &id, "contacted").await;
    let accepted = payloads(&app, &to_org("connection_accepted", &enterprise, &id));
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        (accepted[0]["by"].as_str(), accepted[0]["status"].as_str()),
        (Some("宁夏农林科学院"), Some("contacted"))
    );
    assert!(payloads(&app, &to_org("connection_accepted", &institute, &id)).is_empty());

    step(&app, &p.enterprise, &id, "negotiating").await;
    let moved = payloads(&app, &to_org("connection_moved", &institute, &id));
    assert_eq!(moved.len(), 1);
    assert_eq!(
        (moved[0]["from_status"].as_str(), moved[0]["status"].as_str()),
        (Some("contacted"), Some("negotiating"))
    );
    // a refused move queues nothing
    let refused = app
        .post_as(p.institute.bearer(), &format!("/api/v1/connections/{id}/events"), &json!({"to": "proposed"}))
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    let all = scalar(&app, &format!("SELECT count(*) AS n FROM notification_outbox WHERE subject_id = '{id}'"));
    assert_eq!(all, 3);
}

/// After the quiet days both sides hear once; a move starts a new quiet period; final
/// connections are never stale.
#[actix_web::test]
async fn a_connection_without_a_move_is_stale_once_per_quiet_period() {
    let now = Utc::now();
    let clock = Clock::manual(DateTime::from_timestamp(now.timestamp(), 0).unwrap());
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.clock = clock.clone();
    config.lifecycle.connection_stale_days = 10;
    let app = TestApp::spawn_with(db, config).await;
    let p = pair(&app).await;
    let id = open(&app, &p).await;
    let stale = format!(
        "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'connection_stale' AND subject_id = '{id}'"
    );
    let runs = "SELECT count(*) AS n FROM job_runs WHERE job = 'stale_connections'";
    let wait_runs = |from: i64| {
        let app = &app;
        async move {
            eventually("two more stale runs", StdDuration::from_secs(10), || scalar(app, runs) >= from + 2).await;
        }
    };

    clock.advance(Duration::days(9));
    let r = scalar(&app, runs);
    wait_runs(r).await;
    assert_eq!(scalar(&app, &stale), 0, "9 quiet days are not 10");

    clock.advance(Duration::days(2));
    eventually("stale notifications", StdDuration::from_secs(10), || scalar(&app, &stale) == 2).await;
    let r = scalar(&app, runs);
    wait_runs(r).await;
    assert_eq!(scalar(&app, &stale), 2, "once per quiet period");
    let told: Vec<Value> = payloads(&app, &format!("kind = 'connection_stale' AND subject_id = '{id}'"));
    assert_eq!(told[0]["days"], 10);
    let orgs = scalar(
        &app,
        &format!(
            "SELECT count(DISTINCT recipient_organization_id) AS n FROM notification_outbox \
             WHERE kind = 'connection_stale' AND subject_id = '{id}' AND recipient_organization_id IN ('{}', '{}')",
            p.enterprise.organization_id, p.institute.organization_id
        ),
    );
    assert_eq!(orgs, 2, "both sides");

    // a move (recorded at the database's time, before the clock's now) starts a new period
    step(&app, &p.institute, &id, "contacted").await;
    clock.advance(Duration::days(11));
    eventually("the next period's notifications", StdDuration::from_secs(10), || scalar(&app, &stale) == 4).await;

    // a final connection is never stale
    step(&app, &p.enterprise, &id, "withdrawn").await;
    clock.advance(Duration::days(30));
    let r = scalar(&app, runs);
    wait_runs(r).await;
    assert_eq!(scalar(&app, &stale), 4);
}

//! Subscriptions (saved searches) over HTTP and the `new_match` notifications that listings
//! coming on the market cause, asserted in the outbox (the inbox is the delivery side's).
//! Waits poll the database with a deadline: the `new_matches` job runs on the servers' ticks.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::{Reply, Session, TestApp};

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Payload {
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    payload: Value,
}

pub fn scalar(app: &TestApp, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<N>(&mut app.db.connect()).unwrap().n
}

/// The payloads of the outbox rows `condition` selects, oldest first.
pub fn payloads(app: &TestApp, condition: &str) -> Vec<Value> {
    diesel::sql_query(format!("SELECT payload FROM notification_outbox WHERE {condition} ORDER BY id"))
        .load::<Payload>(&mut app.db.connect())
        .unwrap()
        .into_iter()
        .map(|p| p.payload)
        .collect()
}

/// Returns once `check` holds; panics after `within`.
pub async fn eventually(what: &str, within: Duration, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < within, "{what} did not happen within {within:?}");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the `new_matches` job has matched every time listing `id` came on the market
/// (`times` entries).
async fn matched(app: &TestApp, id: &str, times: i64) {
    let sql = format!(
        "SELECT count(*) AS n FROM listing_market_entries WHERE listing_id = '{id}' AND matched_at IS NOT NULL"
    );
    eventually("the new listing's matching", Duration::from_secs(20), || scalar(app, &sql) >= times).await;
}

fn id(reply: &Reply) -> String {
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

async fn subscribe(app: &TestApp, who: &Session, body: Value) -> String {
    id(&app.post_as(who.bearer(), "/api/v1/subscriptions", &body).await)
}

async fn put(app: &TestApp, who: &Session, path: &str, body: &Value) -> Reply {
    app.raw_as(who.bearer(), "PUT", path, Some("application/json"), &serde_json::to_vec(body).unwrap()).await
}

fn goji_supply(title: &str) -> Value {
    json!({"title": title, "summary": "枸杞鲜果热风烘干设备，低温分段烘干，已完成样机试验", "keywords": ["枸杞烘干"],
           "industries": ["goji"], "trl": 6, "ip_type": "invention_patent", "transfer_modes": ["license"]})
}

fn goji_demand(title: &str) -> Value {
    json!({"title": title, "description": "需要枸杞鲜果烘干设备，日处理 20 吨，降低烘干能耗", "keywords": ["枸杞烘干"],
           "industries": ["goji"]})
}

fn new_matches_for(recipient: &str) -> String {
    format!("kind = 'new_match' AND {recipient}")
}

#[actix_web::test]
async fn subscriptions_are_saved_read_replaced_and_deleted_by_their_owner_only() {
    let app = TestApp::spawn().await;
    let owner = app.register("enterprise", "订阅企业").await;
    let other = app.register("enterprise", "另一企业").await;
    let body = json!({"name": "枸杞加工成果", "target": "supply", "text": "枸杞 烘干", "keywords": ["枸杞烘干"],
                      "industries": ["goji", "six_special"], "region": "宁夏", "trl_min": 4, "trl_max": 9,
                      "modes": ["license", "transfer"], "min_score": 0.3, "frequency": "daily"});
    let created = app.post_as(owner.bearer(), "/api/v1/subscriptions", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let sid = created.body["id"].as_str().unwrap().to_string();
    for (field, value) in [
        ("text", json!("枸杞 烘干")),
        ("target", json!("supply")),
        ("frequency", json!("daily")),
        ("trl_min", json!(4)),
        ("version", json!(1)),
        ("user_id", json!(owner.user_id)),
    ] {
        assert_eq!(created.body[field], value, "{field}: {}", created.body);
    }
    let second = subscribe(&app, &owner, json!({"name": "光伏", "target": "demand", "keywords": ["光伏组件"]})).await;
    let path = format!("/api/v1/subscriptions/{sid}");

    let page = app.get_as(owner.bearer(), "/api/v1/subscriptions?per_page=1").await;
    assert_eq!((page.body["total"].as_i64(), page.body["items"].as_array().unwrap().len()), (Some(2), 1));
    assert_eq!(page.body["items"][0]["id"], second.as_str(), "newest first");
    let page2 = app.get_as(owner.bearer(), "/api/v1/subscriptions?per_page=1&page=2").await;
    assert_eq!(page2.body["items"][0]["id"], sid.as_str());
    assert_eq!(app.get_as(other.bearer(), "/api/v1/subscriptions").await.body["total"], 0);
    assert_eq!(app.get_as(owner.bearer(), &path).await.body["name"], "枸杞加工成果");
    assert_eq!(app.get_as(None, "/api/v1/subscriptions").await.status, 401);

    // another user's subscription does not exist for them
    app.get_as(other.bearer(), &path).await.assert_problem(404, "not_found");
    put(&app, &other, &path, &body).await.assert_problem(404, "not_found");
    app.raw_as(other.bearer(), "DELETE", &path, None, b"").await.assert_problem(404, "not_found");

    let replaced = put(&app, &owner, &path, &json!({"name": "枸杞", "target": "supply", "industries": ["goji"]})).await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!((replaced.body["version"].as_i64(), replaced.body["frequency"].as_str()), (Some(2), Some("instant")));
    assert_eq!(replaced.body["text"], Value::Null);
    assert_eq!(replaced.body["min_score"], 0.0);

    let deleted = app.raw_as(owner.bearer(), "DELETE", &path, None, b"").await;
    assert_eq!(deleted.status, 204);
    app.get_as(owner.bearer(), &path).await.assert_problem(404, "not_found");
    assert_eq!(app.get_as(owner.bearer(), "/api/v1/subscriptions").await.body["total"], 1);
}

#[actix_web::test]
async fn a_bad_subscription_names_each_field() {
    let app = TestApp::spawn().await;
    let owner = app.register("enterprise", "订阅企业").await;
    let bad = app
        .post_as(
            owner.bearer(),
            "/api/v1/subscriptions",
            &json!({"name": " ", "target": "supply", "industries": ["no_such"], "trl_min": 7, "trl_max": 3,
                    "min_score": 1.5, "region": "a\u{202E}b"}),
        )
        .await;
    bad.assert_problem(422, "validation_failed");
    let fields: Vec<&str> =
        bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in ["name", "industries.0", "trl_max", "min_score", "region"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let nothing =
        app.post_as(owner.bearer(), "/api/v1/subscriptions", &json!({"name": "空", "target": "demand"})).await;
    nothing.assert_problem(422, "validation_failed");
    assert_eq!(nothing.body["errors"][0]["field"], "text");
    app.post_as(owner.bearer(), "/api/v1/subscriptions", &json!({"name": "x", "target": "both", "text": "枸杞"}))
        .await
        .assert_problem(400, "invalid_body");
    app.post_as(
        owner.bearer(),
        "/api/v1/subscriptions",
        &json!({"name": "x", "target": "supply", "text": "枸杞", "x": 1}),
    )
    .await
    .assert_problem(400, "invalid_body");
    assert_eq!(app.get_as(owner.bearer(), "/api/v1/subscriptions").await.body["total"], 0, "nothing half-written");
}

/// A new supply reaches the subscriptions it matches once, with the engine's explanation; not
/// those it shares nothing with, not its own organisation's, not one whose minimum score it
/// misses; taking it off the market and publishing it again notifies nobody twice.
#[actix_web::test]
async fn a_new_supply_notifies_each_matching_subscription_once() {
    let app = TestApp::spawn().await;
    let buyer = app.register("enterprise", "枸杞加工企业").await;
    let picky = app.register("enterprise", "挑剔企业").await;
    let university = app.register("university", "宁夏大学").await;
    let wanted =
        subscribe(&app, &buyer, json!({"name": "枸杞烘干成果", "target": "supply", "text": "枸杞 烘干"})).await;
    let unrelated =
        subscribe(&app, &buyer, json!({"name": "光伏", "target": "supply", "text": "光伏组件清洗机器人"})).await;
    let demands_only = subscribe(&app, &buyer, json!({"name": "需求", "target": "demand", "text": "枸杞 烘干"})).await;
    let too_high =
        subscribe(&app, &picky, json!({"name": "高分", "target": "supply", "text": "枸杞 烘干", "min_score": 1.0}))
            .await;
    let own = subscribe(&app, &university, json!({"name": "自己的", "target": "supply", "text": "枸杞 烘干"})).await;

    let created = app.create_supply(&university, goji_supply("枸杞鲜果热风烘干设备")).await;
    let supply = id(&created);
    matched(&app, &supply, 1).await;

    let about = |sub: &str| format!("kind = 'new_match' AND payload->>'subscription_id' = '{sub}'");
    let got = payloads(&app, &format!("{} AND recipient_user_id = '{}'", about(&wanted), buyer.user_id));
    assert_eq!(got.len(), 1, "{got:?}");
    let p = &got[0];
    assert_eq!(p["listing_id"], supply.as_str());
    assert_eq!(p["path"], format!("/api/v1/supplies/{supply}"));
    assert_eq!((p["title"].as_str(), p["via"].as_str()), (Some("枸杞鲜果热风烘干设备"), Some("subscription")));
    assert_eq!(p["subscription_name"], "枸杞烘干成果");
    assert!(p["score"].as_f64().unwrap() > 0.0, "{p}");
    assert!(p["summary_zh"].as_str().unwrap().contains("枸杞"), "{p}");
    assert!(!p["evidence"].as_array().unwrap().is_empty(), "{p}");
    for sub in [&unrelated, &demands_only, &too_high, &own] {
        assert_eq!(payloads(&app, &about(sub)).len(), 0, "subscription {sub}");
    }
    // only the matching subscriptions were scored: the unrelated one shares no term
    let scored =
        scalar(&app, &format!("SELECT scored::bigint AS n FROM listing_market_entries WHERE listing_id = '{supply}'"));
    assert_eq!(
        scored, 3,
        "the two matching, the too demanding one and the own one share terms; the others are not scored"
    );

    // off the market and back on: a new on-market entry, no second notification
    let path = format!("/api/v1/supplies/{supply}");
    let v = format!("\"{}\"", created.body["version"]);
    let draft = app.patch_as(university.bearer(), &path, &json!({"status": "draft"}), Some(&v)).await;
    assert_eq!(draft.status, 200, "{}", draft.body);
    let v = format!("\"{}\"", draft.body["version"]);
    let again = app.patch_as(university.bearer(), &path, &json!({"status": "published"}), Some(&v)).await;
    assert_eq!(again.body["status"], "published", "{}", again.body);
    matched(&app, &supply, 2).await;
    assert_eq!(payloads(&app, &about(&wanted)).len(), 1, "once per subscription and listing");
}

/// A demand approved by review comes on the market then, and is matched against the
/// subscriptions watching demands.
#[actix_web::test]
async fn a_demand_approved_by_review_is_matched_then() {
    let app = TestApp::spawn().await;
    let university = app.register("university", "宁夏大学").await;
    let newcomer = app.register_unverified("enterprise", "新注册企业").await;
    let admin = app.admin().await;
    let sub =
        subscribe(&app, &university, json!({"name": "枸杞需求", "target": "demand", "keywords": ["枸杞烘干"]})).await;
    let demand = id(&app.create_demand(&newcomer, goji_demand("枸杞烘干设备需求")).await);
    let pending =
        scalar(&app, &format!("SELECT count(*) AS n FROM listing_market_entries WHERE listing_id = '{demand}'"));
    assert_eq!(pending, 0, "pending review is not on the market");
    let approved =
        app.post_as(admin.bearer(), &format!("/api/v1/demands/{demand}/review"), &json!({"decision": "approve"})).await;
    assert_eq!(approved.body["status"], "open", "{}", approved.body);
    matched(&app, &demand, 1).await;
    let got = payloads(&app, &format!("kind = 'new_match' AND payload->>'subscription_id' = '{sub}'"));
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0]["listing_kind"].as_str(), got[0]["listing_id"].as_str()),
        (Some("demand"), Some(demand.as_str()))
    );
}

/// Each organisation's open listings act as its subscriptions: a new supply that matches a demand
/// is notified to the demand's organisation, unless the demand opted out.
#[actix_web::test]
async fn own_open_listings_hear_of_new_matches_unless_they_opt_out() {
    let app = TestApp::spawn().await;
    let listening = app.register("enterprise", "枸杞加工企业").await;
    let quiet = app.register("enterprise", "安静企业").await;
    let university = app.register("university", "宁夏大学").await;
    let heard = id(&app.create_demand(&listening, goji_demand("枸杞烘干设备需求")).await);
    let muted = id(&app.create_demand(&quiet, goji_demand("枸杞鲜果烘干需求")).await);
    let setting = format!("/api/v1/demands/{muted}/match-notifications");
    assert_eq!(app.get_as(quiet.bearer(), &setting).await.body, json!({"notify_matches": true}));
    let off = put(&app, &quiet, &setting, &json!({"notify_matches": false})).await;
    assert_eq!((off.status.as_u16(), &off.body), (200, &json!({"notify_matches": false})));
    assert_eq!(app.get_as(quiet.bearer(), &setting).await.body["notify_matches"], false);
    // only the listing's organisation (and admins) may read or change it
    app.get_as(listening.bearer(), &setting).await.assert_problem(404, "not_found");
    put(&app, &listening, &setting, &json!({"notify_matches": true})).await.assert_problem(404, "not_found");
    put(&app, &quiet, &setting, &json!({"notify_matches": "no"})).await.assert_problem(400, "invalid_body");
    matched(&app, &heard, 1).await;
    matched(&app, &muted, 1).await;

    let supply = id(&app.create_supply(&university, goji_supply("枸杞鲜果热风烘干设备")).await);
    matched(&app, &supply, 1).await;
    let to = |org: &str| new_matches_for(&format!("recipient_organization_id = '{org}' AND subject_id = '{supply}'"));
    let got = payloads(&app, &to(&listening.organization_id));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["via"], "listing");
    assert_eq!(got[0]["watching"]["listing_id"], heard.as_str());
    assert_eq!(got[0]["watching"]["title"], "枸杞烘干设备需求");
    assert!(got[0]["summary_zh"].as_str().unwrap().contains("枸杞"), "{}", got[0]);
    assert!(payloads(&app, &to(&quiet.organization_id)).is_empty(), "opted out");
    assert!(payloads(&app, &to(&university.organization_id)).is_empty(), "never its own organisation");

    // turned on again, the next new supply is heard
    put(&app, &quiet, &setting, &json!({"notify_matches": true})).await;
    let next = id(&app.create_supply(&university, goji_supply("枸杞低温烘干工艺")).await);
    matched(&app, &next, 1).await;
    let again =
        new_matches_for(&format!("recipient_organization_id = '{}' AND subject_id = '{next}'", quiet.organization_id));
    assert_eq!(payloads(&app, &again).len(), 1);
    let supply_setting = format!("/api/v1/supplies/{next}/match-notifications");
    assert_eq!(app.get_as(university.bearer(), &supply_setting).await.body["notify_matches"], true);
    let off = put(&app, &university, &supply_setting, &json!({"notify_matches": false})).await;
    assert_eq!(off.body["notify_matches"], false);
}

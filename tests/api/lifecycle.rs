//! The listing lifecycle over HTTP (issue 12): review before publication, the completeness
//! report, expiry, renewal and confirmation, reminders in the outbox, and scheduled work that
//! runs once across two server instances. Time is moved by a manual clock shared with the
//! servers, never by sleeping; waits poll the database with a deadline.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use techmatch::clock::Clock;

use crate::common::{self, Reply, Session, TestApp, TestDb};

/// A server on a fresh database whose lifecycle clock is `clock`.
async fn app_at(clock: &Clock) -> TestApp {
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.clock = clock.clone();
    TestApp::spawn_with(db, config).await
}

/// A manual clock standing at the real now (rounded to the second).
fn manual_clock() -> Clock {
    let now = Utc::now();
    Clock::manual(DateTime::from_timestamp(now.timestamp(), 0).unwrap())
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The single bigint `n` that `sql` selects.
fn scalar(db: &TestDb, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<N>(&mut db.connect()).unwrap().n
}

/// Returns once `check` holds; panics after `within`. Polls every 20 ms without blocking the
/// servers' tasks.
async fn eventually(what: &str, within: StdDuration, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < within, "{what} did not happen within {within:?}");
        actix_web::rt::time::sleep(StdDuration::from_millis(20)).await;
    }
}

fn id(reply: &Reply) -> String {
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

fn version(reply: &Reply) -> String {
    format!("\"{}\"", reply.body["version"])
}

fn demand(title: &str) -> Value {
    json!({"title": title, "description": "需要枸杞鲜果低损采收装备，日处理 20 吨", "keywords": ["枸杞采收"],
           "industries": ["goji"]})
}

fn supply(title: &str) -> Value {
    json!({"title": title, "summary": "枸杞鲜果低损采收装备，已完成样机试验", "keywords": ["枸杞采收"],
           "industries": ["goji"], "trl": 6, "ip_type": "invention_patent", "transfer_modes": ["license"]})
}

async fn review(app: &TestApp, who: &Session, kind: &str, id: &str, body: Value) -> Reply {
    app.post_as(who.bearer(), &format!("/api/v1/{kind}/{id}/review"), &body).await
}

async fn action(app: &TestApp, who: &Session, kind: &str, id: &str, what: &str) -> Reply {
    app.post_as(who.bearer(), &format!("/api/v1/{kind}/{id}/{what}"), &json!({})).await
}

fn titles(reply: &Reply) -> Vec<String> {
    reply.body["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
}

/// Before: an unverified enterprise's demand was public the moment it was created. Now it waits
/// in the review queue (with its completeness report), private to its owner, until an admin
/// approves it; then it is listed and matched.
#[actix_web::test]
async fn an_unverified_organisations_listing_waits_for_review_then_goes_on_the_market() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let newcomer = app.register_unverified("enterprise", "新注册企业").await;
    let outsider = app.register("enterprise", "另一家企业").await;
    let institute = app.register("research_institute", "研究院").await;
    let offered = id(&app.create_supply(&institute, supply("枸杞鲜果低损采收装备")).await);

    let created = app.create_demand(&newcomer, demand("枸杞鲜果机械化采收")).await;
    let demand_id = id(&created);
    assert_eq!(created.body["status"], "pending_review");
    assert!(created.body["submitted_at"].is_string() && created.body["expires_at"].is_string());
    let report = &created.body["completeness"];
    let missing: Vec<&str> =
        report["missing"].as_array().unwrap().iter().map(|m| m["item"].as_str().unwrap()).collect();
    assert_eq!(missing, ["trl", "transfer_modes", "budget", "application_scenario", "contact"], "{report}");
    assert_eq!(report["missing"][2]["label_zh"], "预算");

    // Private while pending: not listed, not matched, 404 to others.
    assert_eq!(app.get("/api/v1/demands").await.body["total"], 0);
    let path = format!("/api/v1/demands/{demand_id}");
    app.get(&path).await.assert_problem(404, "not_found");
    app.get_as(outsider.bearer(), &path).await.assert_problem(404, "not_found");
    assert_eq!(app.get_as(newcomer.bearer(), &path).await.body["status"], "pending_review");
    let matches = app.get(&format!("/api/v1/supplies/{offered}/matches")).await;
    assert_eq!(matches.body["total"], 0, "{}", matches.body);

    // The queue: admins only, oldest first, with the report and the organisation's name.
    app.get_as(newcomer.bearer(), "/api/v1/reviews").await.assert_problem(403, "forbidden");
    app.get("/api/v1/reviews").await.assert_problem(401, "authentication_required");
    let queue = app.get_as(admin.bearer(), "/api/v1/reviews").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert_eq!(queue.body["total"], 1);
    let item = &queue.body["items"][0];
    assert_eq!((item["kind"].as_str(), item["organization_name"].as_str()), (Some("demand"), Some("新注册企业")));
    assert_eq!(item["listing"]["id"], demand_id.as_str());
    assert_eq!(item["completeness"], *report);
    for (filter, total) in [
        ("kind=supply", 0),
        ("kind=demand", 1),
        ("industry=wine", 0),
        ("industry=goji,wine", 1),
        ("min_age_hours=1", 0),
        ("max_age_hours=1", 1),
    ] {
        let reply = app.get_as(admin.bearer(), &format!("/api/v1/reviews?{filter}")).await;
        assert_eq!(reply.body["total"], total, "{filter}: {}", reply.body);
    }
    let by_org =
        app.get_as(admin.bearer(), &format!("/api/v1/reviews?organization_id={}", outsider.organization_id)).await;
    assert_eq!(by_org.body["total"], 0);
    let empty = app.get_as(admin.bearer(), "/api/v1/reviews?min_age_hours=5&max_age_hours=1").await;
    assert_eq!(empty.body["total"], 0, "a range that holds no age holds no listing");
    for bad in ["kind=both", "industry=nope", "min_age_hours=-1", "max_age_hours=87601"] {
        app.get_as(admin.bearer(), &format!("/api/v1/reviews?{bad}")).await.assert_problem(400, "invalid_query");
    }

    // Approval puts it on the market.
    let approved =
        review(&app, &admin, "demands", &demand_id, json!({"decision": "approve", "note": "准予发布"})).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.body["status"], "open");
    assert_eq!(approved.body["review"]["decision"], "approve");
    assert_eq!(approved.body["review"]["note"], "准予发布");
    assert_eq!(app.get("/api/v1/demands").await.body["total"], 1);
    assert!(app.get(&path).await.body.get("review").is_none(), "the note is for the owner");
    let matches = app.get(&format!("/api/v1/supplies/{offered}/matches")).await;
    assert_eq!(matches.body["items"][0]["listing"]["id"], demand_id.as_str(), "{}", matches.body);
    assert_eq!(app.get_as(admin.bearer(), "/api/v1/reviews").await.body["total"], 0);
}

/// Rejecting or sending back needs a coded reason (422 without), `other` a note; a decision on a
/// listing that is not pending is 409 with its status; the owner sees the reason and note, edits
/// and submits again; a rejected listing cannot change but can be withdrawn.
#[actix_web::test]
async fn review_decisions_need_a_reason_and_only_pending_listings_are_decided() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.register_unverified("enterprise", "新注册企业").await;
    let d = id(&app.create_demand(&owner, demand("需求甲")).await);

    review(&app, &owner, "demands", &d, json!({"decision": "approve"})).await.assert_problem(403, "forbidden");
    let missing = review(&app, &admin, "demands", &d, json!({"decision": "request_changes", "note": "请补充"})).await;
    missing.assert_problem(422, "validation_failed");
    assert_eq!(missing.body["errors"][0]["field"], "reason");
    review(&app, &admin, "demands", &d, json!({"decision": "reject"})).await.assert_problem(422, "validation_failed");
    let other = review(&app, &admin, "demands", &d, json!({"decision": "reject", "reason": "other"})).await;
    assert_eq!(other.body["errors"][0]["field"], "note", "{}", other.body);
    review(&app, &admin, "demands", &d, json!({"decision": "maybe"})).await.assert_problem(400, "invalid_body");
    review(&app, &admin, "demands", &uuid::Uuid::new_v4().to_string(), json!({"decision": "approve"}))
        .await
        .assert_problem(404, "not_found");

    let back = review(
        &app,
        &admin,
        "demands",
        &d,
        json!({"decision": "request_changes", "reason": "incomplete", "note": "请补充预算和合作方式"}),
    )
    .await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(back.body["status"], "changes_requested");
    let seen = app.get_as(owner.bearer(), &format!("/api/v1/demands/{d}")).await;
    assert_eq!(seen.body["review"]["decision"], "request_changes");
    assert_eq!(seen.body["review"]["reason"], "incomplete");
    assert_eq!(seen.body["review"]["reason_label_zh"], "信息不完整");
    assert_eq!(seen.body["review"]["note"], "请补充预算和合作方式");

    // Not pending any more: 409 naming its status.
    let again = review(&app, &admin, "demands", &d, json!({"decision": "approve"})).await;
    again.assert_problem(409, "not_pending_review");
    assert_eq!(again.body["current_status"], "changes_requested");

    // The owner edits and submits again: back in the queue.
    let path = format!("/api/v1/demands/{d}");
    let edited = app
        .patch_as(owner.bearer(), &path, &json!({"budget_fen": 50_000_000, "status": "open"}), Some(&version(&seen)))
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["status"], "pending_review");

    let rejected = review(
        &app,
        &admin,
        "demands",
        &d,
        json!({"decision": "reject", "reason": "duplicate", "note": "与已有需求重复"}),
    )
    .await;
    assert_eq!(rejected.body["status"], "rejected", "{}", rejected.body);
    review(&app, &admin, "demands", &d, json!({"decision": "approve"})).await.assert_problem(409, "not_pending_review");
    app.patch_as(owner.bearer(), &path, &json!({"title": "换个标题"}), Some(&version(&rejected)))
        .await
        .assert_problem(409, "rejected");
    app.patch_as(owner.bearer(), &path, &json!({"status": "open"}), Some(&version(&rejected)))
        .await
        .assert_problem(409, "rejected");
    let withdrawn = action(&app, &owner, "demands", &d, "withdraw").await;
    assert_eq!(withdrawn.body["status"], "withdrawn", "{}", withdrawn.body);

    // Each decision queued a notification for the owner's organisation.
    let queued = scalar(
        &app.db,
        &format!(
            "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'listing_reviewed' AND subject_id = '{d}' \
             AND recipient_organization_id = '{}'",
            owner.organization_id
        ),
    );
    assert_eq!(queued, 2);
}

/// Verified organisations publish directly (the default); with the setting off they go through
/// review too. Taking a listing back to draft and submitting it again follows the same rule.
#[actix_web::test]
async fn verified_organisations_publish_directly_unless_the_setting_is_off() {
    let app = TestApp::spawn().await;
    let verified = app.register("research_institute", "已认证研究院").await;
    let direct = app.create_supply(&verified, supply("直接发布的成果")).await;
    assert_eq!(direct.body["status"], "published", "{}", direct.body);
    assert!(direct.body["submitted_at"].is_null());

    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.lifecycle.verified_publish_directly = false;
    let strict = TestApp::spawn_with(db, config).await;
    let verified = strict.register("research_institute", "已认证研究院").await;
    let waiting = strict.create_supply(&verified, supply("也要审核的成果")).await;
    assert_eq!(waiting.body["status"], "pending_review", "{}", waiting.body);
    let s = id(&waiting);
    let path = format!("/api/v1/supplies/{s}");
    let drafted = strict.patch_as(verified.bearer(), &path, &json!({"status": "draft"}), Some("\"1\"")).await;
    assert_eq!(drafted.body["status"], "draft", "taken back from the queue: {}", drafted.body);
    let again = strict.patch_as(verified.bearer(), &path, &json!({"status": "published"}), Some("\"2\"")).await;
    assert_eq!(again.body["status"], "pending_review");
}

/// The decision documented in docs/API.md: a change to the reviewed text of a listing on the
/// market sends it back to review when its organisation goes through review (what the department
/// approved is what the market sees); other fields stay live; verified organisations' edits go
/// live at once.
#[actix_web::test]
async fn a_text_change_sends_a_reviewed_listing_back_to_review_but_not_a_verified_ones() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let newcomer = app.register_unverified("research_institute", "新研究所").await;
    let s = id(&app.create_supply(&newcomer, supply("待审成果")).await);
    let approved = review(&app, &admin, "supplies", &s, json!({"decision": "approve"})).await;
    assert_eq!(approved.body["status"], "published");
    let path = format!("/api/v1/supplies/{s}");

    let priced =
        app.patch_as(newcomer.bearer(), &path, &json!({"price_fen": 10_000_000}), Some(&version(&approved))).await;
    assert_eq!(priced.body["status"], "published", "a price is not reviewed text: {}", priced.body);
    let retitled =
        app.patch_as(newcomer.bearer(), &path, &json!({"title": "全新的标题"}), Some(&version(&priced))).await;
    assert_eq!(retitled.body["status"], "pending_review", "{}", retitled.body);
    assert_eq!(app.get("/api/v1/supplies").await.body["total"], 0, "off the market until approved again");

    let verified = app.register("research_institute", "老牌研究院").await;
    let v = app.create_supply(&verified, supply("已认证成果")).await;
    let vpath = format!("/api/v1/supplies/{}", id(&v));
    let edited = app.patch_as(verified.bearer(), &vpath, &json!({"summary": "新的摘要"}), Some("\"1\"")).await;
    assert_eq!(edited.body["status"], "published", "{}", edited.body);
}

/// Statuses only the lifecycle sets are refused in bodies (422), and moves it does not allow are
/// 409 `illegal_transition` with what is allowed; renewal and confirmation have their own rules.
#[actix_web::test]
async fn illegal_status_moves_are_refused_with_what_is_allowed() {
    let app = TestApp::spawn().await;
    let owner = app.register("enterprise", "企业").await;
    let mut closed = demand("关闭的需求");
    closed["status"] = json!("closed");
    let refused = app.create_demand(&owner, closed).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.body["errors"][0]["field"], "status");
    for status in ["pending_review", "changes_requested", "rejected", "expired"] {
        let mut body = demand("t");
        body["status"] = json!(status);
        app.create_demand(&owner, body).await.assert_problem(422, "validation_failed");
    }

    let mut draft = demand("草稿");
    draft["status"] = json!("draft");
    let d = id(&app.create_demand(&owner, draft).await);
    let path = format!("/api/v1/demands/{d}");
    let illegal = app.patch_as(owner.bearer(), &path, &json!({"status": "closed"}), Some("\"1\"")).await;
    illegal.assert_problem(409, "illegal_transition");
    assert_eq!((illegal.body["from"].as_str(), illegal.body["to"].as_str()), (Some("draft"), Some("closed")));
    assert_eq!(illegal.body["allowed"], json!(["draft", "open"]));

    // Renewal is for expired listings, confirmation for those on the market.
    let renew = action(&app, &owner, "demands", &d, "renew").await;
    renew.assert_problem(409, "illegal_transition");
    assert_eq!(renew.body["allowed"], json!(["expired"]));
    action(&app, &owner, "demands", &d, "confirm").await.assert_problem(409, "illegal_transition");
    let open = app.patch_as(owner.bearer(), &path, &json!({"status": "open"}), Some("\"1\"")).await;
    assert_eq!(open.body["status"], "open", "{}", open.body);
    let closed = app.patch_as(owner.bearer(), &path, &json!({"status": "closed"}), Some("\"2\"")).await;
    assert_eq!(closed.body["status"], "closed", "{}", closed.body);
    action(&app, &owner, "demands", &d, "renew").await.assert_problem(409, "illegal_transition");
}

/// Before: a demand with `deadline: 2020-01-01` was created open, listed and matched. Now it is
/// created `expired`, off the market; renewing it needs a later deadline first.
#[actix_web::test]
async fn a_demand_with_a_past_deadline_is_never_on_the_market() {
    let app = TestApp::spawn().await;
    let owner = app.register("enterprise", "企业").await;
    let institute = app.register("research_institute", "研究院").await;
    let s = id(&app.create_supply(&institute, supply("枸杞鲜果低损采收装备")).await);
    let mut old = demand("过期的需求");
    old["deadline"] = json!("2020-01-01");
    let created = app.create_demand(&owner, old).await;
    assert_eq!(created.body["status"], "expired", "{}", created.body);
    assert_eq!(created.body["expires_at"], "2020-01-01T16:00:00Z", "the end of the day in China");
    let d = id(&created);
    assert_eq!(app.get("/api/v1/demands").await.body["total"], 0);
    assert_eq!(app.get(&format!("/api/v1/supplies/{s}/matches")).await.body["total"], 0);
    app.get(&format!("/api/v1/demands/{d}")).await.assert_problem(404, "not_found");

    let renew = action(&app, &owner, "demands", &d, "renew").await;
    renew.assert_problem(422, "validation_failed");
    assert_eq!(renew.body["errors"][0]["field"], "deadline");
    let later = (Utc::now() + Duration::days(60)).date_naive().to_string();
    let path = format!("/api/v1/demands/{d}");
    let moved = app.patch_as(owner.bearer(), &path, &json!({"deadline": later}), Some("\"1\"")).await;
    assert_eq!(moved.body["status"], "expired", "editing does not renew: {}", moved.body);
    let renewed = action(&app, &owner, "demands", &d, "renew").await;
    assert_eq!(renewed.body["status"], "open", "{}", renewed.body);
    assert_eq!(app.get(&format!("/api/v1/supplies/{s}/matches")).await.body["items"][0]["listing"]["id"], d.as_str());
}

/// At expiry a listing leaves the public lists and matches at once (the queries compare with the
/// clock), the sweep marks it `expired` within a tick and takes it out of the index; its owner
/// still reads it and renews it in one call (back on the market for a verified organisation, to
/// review otherwise); another organisation's renewal is 404.
#[actix_web::test]
async fn at_expiry_a_listing_leaves_lists_and_matches_and_its_owner_renews_it() {
    let clock = manual_clock();
    let app = app_at(&clock).await;
    let admin = app.admin().await;
    let institute = app.register("research_institute", "研究院").await;
    let newcomer = app.register_unverified("enterprise", "新企业").await;
    let outsider = app.register("enterprise", "别家企业").await;
    let s = app.create_supply(&institute, supply("枸杞鲜果低损采收装备")).await;
    let supply_id = id(&s);
    let d = id(&app.create_demand(&newcomer, demand("枸杞鲜果机械化采收")).await);
    review(&app, &admin, "demands", &d, json!({"decision": "approve"})).await;
    let expires: DateTime<Utc> = s.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires, clock.now() + Duration::days(365));
    let matches = format!("/api/v1/supplies/{supply_id}/matches");
    assert_eq!(app.get(&matches).await.body["total"], 1);
    let searched = "/api/v1/supplies?q=%E6%9E%B8%E6%9D%9E"; // q=枸杞: the engine's search, then SQL
    assert_eq!(app.get(searched).await.body["total"], 1);

    // Past both expiries (demands: 180 days): gone from lists and matches before any sweep.
    clock.set(expires + Duration::seconds(1));
    assert_eq!(app.get("/api/v1/supplies").await.body["total"], 0);
    assert_eq!(app.get(searched).await.body["total"], 0, "a search leaves it out too");
    assert_eq!(app.get("/api/v1/demands").await.body["total"], 0);
    // The supply's own matches: an empty page before the sweep, 404 once the sweep (every 100 ms
    // here) has made it private; either way nothing is matched.
    let gone = app.get(&matches).await;
    assert!(gone.status == 404 || gone.body["items"].as_array().is_some_and(|i| i.is_empty()), "{}", gone.body);

    eventually("the sweep", StdDuration::from_secs(10), || {
        scalar(&app.db, "SELECT count(*) AS n FROM supplies WHERE status = 'expired'") == 1
            && scalar(&app.db, "SELECT count(*) AS n FROM demands WHERE status = 'expired'") == 1
    })
    .await;
    // The sweeping instance takes them out of its index once its transaction has committed.
    eventually("the index drops them", StdDuration::from_secs(2), || {
        app.matcher.len(matching::Side::Supply) + app.matcher.len(matching::Side::Demand) == 0
    })
    .await;
    let path = format!("/api/v1/supplies/{supply_id}");
    app.get(&path).await.assert_problem(404, "not_found");
    let own = app.get_as(institute.bearer(), &path).await;
    assert_eq!(own.body["status"], "expired");
    assert_eq!(app.get_as(institute.bearer(), "/api/v1/supplies?status=expired").await.body["total"], 1);

    action(&app, &outsider, "supplies", &supply_id, "renew").await.assert_problem(404, "not_found");
    action(&app, &institute, "supplies", &supply_id, "confirm").await.assert_problem(409, "illegal_transition");
    let renewed = action(&app, &institute, "supplies", &supply_id, "renew").await;
    assert_eq!(renewed.status, 200, "{}", renewed.body);
    assert_eq!(renewed.body["status"], "published");
    let until: DateTime<Utc> = renewed.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(until, clock.now() + Duration::days(365), "validity restarts from the clock's now");
    assert_eq!(titles(&app.get("/api/v1/supplies").await), ["枸杞鲜果低损采收装备"]);
    let back = action(&app, &newcomer, "demands", &d, "renew").await;
    assert_eq!(back.body["status"], "pending_review", "unverified: to review: {}", back.body);

    // The audit log holds the review decision (by the admin), the expiry (no actor: the sweep)
    // and the renewal (by the owner), each with the status it moved.
    let log = app.get_as(admin.bearer(), &format!("/api/v1/audit-log?record_id={supply_id}")).await;
    let entries: Vec<(String, Value, Value)> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_string(), e["actor_id"].clone(), e["changes"]["status"].clone()))
        .collect();
    let owner = json!(institute.user_id);
    assert_eq!(
        entries,
        [
            ("listing_renewed".into(), owner.clone(), json!({"before": "expired", "after": "published"})),
            ("listing_expired".into(), Value::Null, json!({"before": "published", "after": "expired"})),
            ("listing_created".into(), owner, json!({"before": null, "after": "published"})),
        ],
        "{}",
        log.body
    );
    let reviewed =
        app.get_as(admin.bearer(), &format!("/api/v1/audit-log?record_id={d}&action=listing_reviewed")).await;
    let admin_id = app.get_as(admin.bearer(), "/api/v1/me").await.body["user"]["id"].clone();
    assert_eq!(reviewed.body["items"][0]["actor_id"], admin_id, "{}", reviewed.body);
    assert_eq!(reviewed.body["items"][0]["detail"]["event"], "approved");
}

/// "Still available?": the owner confirms in one call and the validity restarts from now; the
/// version changes; a draft is not confirmed.
#[actix_web::test]
async fn still_available_restarts_the_validity() {
    let clock = manual_clock();
    let app = app_at(&clock).await;
    let owner = app.register("research_institute", "研究院").await;
    let other = app.register("research_institute", "别的研究院").await;
    let s = id(&app.create_supply(&owner, supply("成果")).await);
    clock.advance(Duration::days(300));
    action(&app, &other, "supplies", &s, "confirm").await.assert_problem(403, "forbidden");
    let confirmed = action(&app, &owner, "supplies", &s, "confirm").await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let until: DateTime<Utc> = confirmed.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(until, clock.now() + Duration::days(365));
    assert_eq!(confirmed.header("etag"), Some("\"2\""));
    clock.advance(Duration::days(100));
    assert_eq!(app.get("/api/v1/supplies").await.body["total"], 1, "still on the market 400 days after creation");
}

/// Reminders 7 days and 1 day before expiry are queued in the outbox once each, whatever the
/// number of ticks; a listing met later than 7 days before gets only the reminder it is within.
#[actix_web::test]
async fn expiry_reminders_are_queued_once_seven_and_one_day_before() {
    let clock = manual_clock();
    let app = app_at(&clock).await;
    let owner = app.register("research_institute", "研究院").await;
    let s = app.create_supply(&owner, supply("成果")).await;
    let supply_id = id(&s);
    let expires: DateTime<Utc> = s.body["expires_at"].as_str().unwrap().parse().unwrap();
    let reminders = |days: i64| {
        format!(
            "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'listing_expiring' AND subject_id = '{supply_id}' \
             AND (payload->>'days_before')::int = {days} AND recipient_organization_id = '{}'",
            owner.organization_id
        )
    };
    let runs_since = |at: DateTime<Utc>| {
        format!(
            "SELECT count(*) AS n FROM job_runs WHERE job = 'expiry_reminders' AND started_at >= '{}'",
            at.to_rfc3339()
        )
    };

    clock.set(expires - Duration::days(8));
    let at = clock.now();
    eventually("a reminders run", StdDuration::from_secs(10), || scalar(&app.db, &runs_since(at)) >= 2).await;
    assert_eq!(scalar(&app.db, &reminders(7)), 0, "not due yet");

    clock.set(expires - Duration::days(7) + Duration::hours(1));
    let at = clock.now();
    eventually("the 7-day reminder", StdDuration::from_secs(10), || scalar(&app.db, &reminders(7)) == 1).await;
    eventually("more runs", StdDuration::from_secs(10), || scalar(&app.db, &runs_since(at)) >= 3).await;
    assert_eq!(scalar(&app.db, &reminders(7)), 1, "queued once");
    assert_eq!(scalar(&app.db, &reminders(1)), 0);
    let payload = scalar(
        &app.db,
        &format!(
            "SELECT count(*) AS n FROM notification_outbox WHERE subject_id = '{supply_id}' AND payload->>'title' = '成果' \
             AND payload->>'confirm' = '/api/v1/supplies/{supply_id}/confirm' AND payload ? 'expires_at'"
        ),
    );
    assert_eq!(payload, 1, "the payload holds what a message needs");

    clock.set(expires - Duration::hours(12));
    eventually("the 1-day reminder", StdDuration::from_secs(10), || scalar(&app.db, &reminders(1)) == 1).await;
    assert_eq!(scalar(&app.db, &reminders(7)), 1);

    // Met for the first time 12 hours before expiry: only the 1-day reminder.
    let late = id(&app.create_supply(&owner, supply("晚到的成果")).await);
    clock.advance(Duration::days(365) - Duration::hours(12));
    let late_ones = format!(
        "SELECT count(*) AS n FROM notification_outbox WHERE subject_id = '{late}' AND kind = 'listing_expiring'"
    );
    eventually("the late listing's reminder", StdDuration::from_secs(10), || scalar(&app.db, &late_ones) == 1).await;
    let one_day = format!("{late_ones} AND (payload->>'days_before')::int = 1");
    assert_eq!(scalar(&app.db, &one_day), 1);
}

/// Issue 12, item 4: two server instances on one database share one manual clock. Past expiry
/// both tick, but exactly one sweep run expires the listings, each once, and the reminders
/// before it were queued once; `job_runs` shows both instances ran the jobs.
#[actix_web::test]
async fn two_instances_run_each_sweep_and_reminder_once() {
    let clock = manual_clock();
    let db = TestDb::new();
    let shared = db.shared();
    let mut config = common::serve_config(&db.url);
    config.clock = clock.clone();
    let a = TestApp::spawn_with(db, config.clone()).await;
    let b = TestApp::spawn_with(shared, config).await;

    let institute = a.register("research_institute", "研究院").await;
    let enterprise = b.register("enterprise", "企业").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(id(&a.create_supply(&institute, supply(&format!("成果 {n}"))).await));
    }
    let mut with_deadline = demand("有截止日期的需求");
    let deadline = (clock.now() + Duration::days(30)).date_naive();
    with_deadline["deadline"] = json!(deadline.to_string());
    ids.push(id(&b.create_demand(&enterprise, with_deadline).await));
    let expires_demand = techmatch::listing::lifecycle::end_of_day_in_china(deadline);
    let expires_supplies = clock.now() + Duration::days(365);

    let runs_by_both = |job: &str, since: DateTime<Utc>| {
        format!(
            "SELECT count(DISTINCT instance_id) AS n FROM job_runs WHERE job = '{job}' AND started_at >= '{}'",
            since.to_rfc3339()
        )
    };
    // Seven days before the demand's deadline: its reminder, once.
    clock.set(expires_demand - Duration::days(7) + Duration::minutes(1));
    let at = clock.now();
    eventually("both instances' reminder runs", StdDuration::from_secs(15), || {
        scalar(&a.db, &runs_by_both("expiry_reminders", at)) == 2
    })
    .await;
    let reminders = "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'listing_expiring'";
    assert_eq!(scalar(&a.db, reminders), 1);

    // Past every expiry: one sweep run does it all.
    clock.set(expires_supplies + Duration::minutes(1));
    let at = clock.now();
    eventually("the listings expired and both instances swept", StdDuration::from_secs(15), || {
        scalar(&a.db, "SELECT count(*) AS n FROM supplies WHERE status = 'expired'") == 3
            && scalar(&a.db, "SELECT count(*) AS n FROM demands WHERE status = 'expired'") == 1
            && scalar(&a.db, &runs_by_both("expiry_sweep", at)) == 2
    })
    .await;
    let since = format!("started_at >= '{}'", at.to_rfc3339());
    let working =
        format!("SELECT count(*) AS n FROM job_runs WHERE job = 'expiry_sweep' AND rows_affected > 0 AND {since}");
    assert_eq!(scalar(&a.db, &working), 1, "exactly one run changed anything");
    let expired_rows =
        format!("SELECT sum(rows_affected)::bigint AS n FROM job_runs WHERE job = 'expiry_sweep' AND {since}");
    assert_eq!(scalar(&a.db, &expired_rows), 4);
    let events = "SELECT count(DISTINCT listing_id) AS n FROM listing_events WHERE event = 'expired'";
    assert_eq!(scalar(&a.db, events), 4);
    assert_eq!(scalar(&a.db, "SELECT count(*) AS n FROM listing_events WHERE event = 'expired'"), 4, "each once");
    assert_eq!(
        scalar(&a.db, "SELECT count(*) AS n FROM audit_log WHERE action = 'listing_expired'"),
        4,
        "audited once"
    );
    assert_eq!(scalar(&a.db, "SELECT count(*) AS n FROM supplies WHERE version <> 2"), 0, "one bump each");
    let notices = "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'listing_expired'";
    assert_eq!(scalar(&a.db, notices), 4);
    // Reminders of the supplies (their 7- and 1-day marks were skipped over by the jump) are not
    // queued after expiry, and the demand's stays single.
    assert_eq!(scalar(&a.db, reminders), 1);
    // Both indexes dropped them: B learns of A's sweep (or A of B's) by its poll.
    common::index_polled(&a.matcher, StdDuration::from_secs(5)).await;
    common::index_polled(&b.matcher, StdDuration::from_secs(5)).await;
    assert_eq!(a.matcher.len(matching::Side::Supply) + b.matcher.len(matching::Side::Supply), 0);
    assert_eq!(ids.len(), 4);
}

/// The listing statistics gain the review turnaround (median hours from submission to decision)
/// and the expired, renewed and confirmed counts.
#[actix_web::test]
async fn statistics_count_review_turnaround_expiries_and_renewals() {
    let clock = manual_clock();
    let app = app_at(&clock).await;
    let admin = app.admin().await;
    let newcomer = app.register_unverified("enterprise", "新企业").await;
    let first = id(&app.create_demand(&newcomer, demand("需求一")).await);
    clock.advance(Duration::hours(2));
    let second = id(&app.create_demand(&newcomer, demand("需求二")).await);
    clock.advance(Duration::hours(4));
    // Waited 6 and 4 hours: median 5.
    review(&app, &admin, "demands", &first, json!({"decision": "approve"})).await;
    review(&app, &admin, "demands", &second, json!({"decision": "request_changes", "reason": "unclear_benefit"})).await;
    let stats = app.get_as(admin.bearer(), "/api/v1/stats/listings").await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    let lifecycle = &stats.body["lifecycle"];
    assert_eq!(lifecycle["median_review_hours"], 5.0, "{lifecycle}");
    assert_eq!((lifecycle["approved"].as_i64(), lifecycle["changes_requested"].as_i64()), (Some(1), Some(1)));
    assert_eq!(lifecycle["pending_review"], 0);

    clock.advance(Duration::days(181));
    eventually("the sweep", StdDuration::from_secs(10), || {
        scalar(&app.db, "SELECT count(*) AS n FROM demands WHERE status = 'expired'") == 1
    })
    .await;
    let renewed = action(&app, &newcomer, "demands", &first, "renew").await;
    assert_eq!(renewed.body["status"], "pending_review", "{}", renewed.body);
    let lifecycle = app.get_as(admin.bearer(), "/api/v1/stats/listings").await.body["lifecycle"].clone();
    assert_eq!((lifecycle["expired"].as_i64(), lifecycle["renewed"].as_i64()), (Some(1), Some(1)), "{lifecycle}");
    assert_eq!(lifecycle["pending_review"], 1);
    // The period filters the events by day.
    let day = (clock.now() - Duration::days(2)).date_naive();
    let before = app.get_as(admin.bearer(), &format!("/api/v1/stats/listings?to={day}")).await;
    assert_eq!(before.body["lifecycle"]["expired"], 0, "{}", before.body);
    assert_eq!(before.body["lifecycle"]["approved"], 1);
    app.get_as(admin.bearer(), "/api/v1/stats/listings?from=2027-01-02&to=2027-01-01")
        .await
        .assert_problem(400, "invalid_query");
}

/// The listing events are append-only, like the connection log.
#[test]
fn listing_events_are_append_only() {
    let db = TestDb::new();
    let mut conn = db.connect();
    diesel::sql_query(
        "WITH o AS (INSERT INTO organizations (kind, name) VALUES ('enterprise', 'e') RETURNING id)
         INSERT INTO listing_events (listing_kind, listing_id, organization_id, event, from_status, to_status, created_at)
         SELECT 'demand', gen_random_uuid(), id, 'expired', 'open', 'expired', now() FROM o",
    )
    .execute(&mut conn)
    .unwrap();
    for statement in ["UPDATE listing_events SET note = 'x'", "DELETE FROM listing_events", "TRUNCATE listing_events"] {
        let err = diesel::sql_query(statement).execute(&mut conn).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{statement}: {err}");
    }
}

//! Issue 11, item 5: per-organisation quotas. Connection proposals per day, listings created per
//! hour and listings on the market at once, tighter for unverified organisations, none for
//! admins, counted in PostgreSQL under a per-organisation lock. Each test says what the code
//! before it did (one enterprise opened 111 proposals in 0.3 s and created 2,000 maximum-size
//! demands in 4.9 s).

use serde_json::{json, Value};
use techmatch::config::QuotaConfig;

use crate::common::{self, futures_join_all, Reply, Session, TestApp, TestDb};

/// One tier of limits: proposals per day, listings per hour, open listings.
type Tier = [u32; 3];

/// Generous enough never to be met by a test that is about another quota.
const LOTS: u32 = 10_000;

/// A server whose verified organisations get `verified` and the others `unverified`, with
/// `workers` HTTP workers and a pool of `pool` connections.
async fn app_with(verified: Tier, unverified: Tier, workers: usize, pool: u32) -> TestApp {
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.quotas = QuotaConfig {
        quota_proposals_per_day: verified[0],
        quota_listings_per_hour: verified[1],
        quota_open_listings: verified[2],
        quota_unverified_proposals_per_day: unverified[0],
        quota_unverified_listings_per_hour: unverified[1],
        quota_unverified_open_listings: unverified[2],
    };
    config.workers = workers;
    config.database.db_pool_size = pool;
    TestApp::spawn_with(db, config).await
}

async fn app(verified: Tier, unverified: Tier) -> TestApp {
    app_with(verified, unverified, 1, 4).await
}

fn supply(n: usize) -> Value {
    json!({"title": format!("枸杞鲜果低损采收装备 {n}"), "summary": "枸杞鲜果采收机", "industries": ["goji"]})
}

fn demand(n: usize) -> Value {
    json!({"title": format!("枸杞鲜果机械化采收 {n}"), "description": "需要枸杞鲜果低损采收装备", "industries": ["goji"]})
}

fn id(reply: &Reply) -> String {
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

/// `Retry-After` in seconds.
fn retry_after(reply: &Reply) -> u64 {
    reply.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("Retry-After: {}", reply.body))
}

/// Asserts a 429 `quota_exceeded` naming `quota` with `limit`, and returns its `Retry-After`.
fn assert_quota(reply: &Reply, quota: &str, limit: u32) -> u64 {
    reply.assert_problem(429, "quota_exceeded");
    assert_eq!(reply.body["quota"], quota, "{}", reply.body);
    assert_eq!(reply.body["limit"], limit, "{}", reply.body);
    retry_after(reply)
}

async fn verify(app: &TestApp, admin: &Session, org: &Session) {
    let path = format!("/api/v1/organizations/{}/verification", org.organization_id);
    let reply = app.post_as(admin.bearer(), &path, &json!({"verification": "verified"})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// The admin approves a listing of an unverified organisation (`kind`: `supplies` or `demands`),
/// so that it goes on the market; returns its id.
async fn approved(app: &TestApp, admin: &Session, kind: &str, id: String) -> String {
    let path = format!("/api/v1/{kind}/{id}/review");
    let reply = app.post_as(admin.bearer(), &path, &json!({"decision": "approve"})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    id
}

/// `POST /api/v1/supplies` with an `Idempotency-Key`.
async fn create_with_key(app: &TestApp, who: &Session, key: &str, body: &Value) -> Reply {
    let req = awc::Client::default()
        .post(app.url("/api/v1/supplies"))
        .insert_header(("Authorization", format!("Bearer {}", who.token)))
        .insert_header(("Idempotency-Key", key.to_string()))
        .insert_header(("Content-Type", "application/json"));
    app.send(req, Some(serde_json::to_vec(body).unwrap())).await
}

async fn open(app: &TestApp, who: &Session, demand: &str, supply: &str) -> Reply {
    app.post_as(who.bearer(), "/api/v1/connections", &json!({"demand_id": demand, "supply_id": supply})).await
}

/// A demand of an unverified enterprise and `n` supplies of an unverified institute (created by
/// them, so keep their listing quotas above `n`), approved by the admin.
async fn market(app: &TestApp, n: usize) -> (Session, Session, String, Vec<String>) {
    let admin = app.admin().await;
    let enterprise = app.register_unverified("enterprise", "配额测试企业").await;
    let institute = app.register_unverified("research_institute", "配额测试研究所").await;
    let demand = approved(app, &admin, "demands", id(&app.create_demand(&enterprise, demand(0)).await)).await;
    let mut supplies = Vec::new();
    for i in 0..n {
        supplies.push(approved(app, &admin, "supplies", id(&app.create_supply(&institute, supply(i)).await)).await);
    }
    (enterprise, institute, demand, supplies)
}

/// Before: every creation answered 201, however many came in an hour. Now supplies and demands
/// of one organisation count together against `listings_per_hour`; the next answers 429
/// `quota_exceeded` with `Retry-After` up to an hour, drafts count too, and a replay of an
/// earlier creation under its `Idempotency-Key` is answered as before and not counted again.
#[actix_web::test]
async fn the_listing_after_the_hourly_quota_is_a_429_naming_it() {
    let app = app([LOTS; 3], [LOTS, 3, LOTS]).await;
    let enterprise = app.register_unverified("enterprise", "配额测试企业").await;
    let first = id(&create_with_key(&app, &enterprise, "first-supply", &supply(0)).await);
    id(&app.create_demand(&enterprise, demand(1)).await);
    let mut draft = demand(2);
    draft["status"] = json!("draft");
    id(&app.create_demand(&enterprise, draft).await);

    let over = app.create_supply(&enterprise, supply(3)).await;
    let wait = assert_quota(&over, "listings_per_hour", 3);
    assert!((3500..=3600).contains(&wait), "the first creation leaves the window in about an hour: {wait}");
    assert_quota(&app.create_demand(&enterprise, demand(4)).await, "listings_per_hour", 3);

    // The replay is the first answer again, not a fourth listing.
    let replay = create_with_key(&app, &enterprise, "first-supply", &supply(0)).await;
    assert_eq!(id(&replay), first);

    // Another organisation has its own count.
    let other = app.register_unverified("enterprise", "另一家企业").await;
    id(&app.create_supply(&other, supply(5)).await);
}

/// Before: no limit at all, verified or not. Now an unverified organisation meets its tighter
/// hourly quota (2) where a verified one goes on to its own (4), and verification lifts the
/// first one's limit at once.
#[actix_web::test]
async fn an_unverified_organisation_meets_a_tighter_limit_than_a_verified_one() {
    let app = app([LOTS, 4, LOTS], [LOTS, 2, LOTS]).await;
    let admin = app.admin().await;
    let newcomer = app.register_unverified("university", "新来的大学").await;
    let known = app.register_unverified("university", "配额测试大学").await;
    verify(&app, &admin, &known).await;

    for i in 0..2 {
        id(&app.create_supply(&newcomer, supply(i)).await);
    }
    assert_quota(&app.create_supply(&newcomer, supply(2)).await, "listings_per_hour", 2);

    for i in 0..4 {
        id(&app.create_supply(&known, supply(i)).await);
    }
    assert_quota(&app.create_supply(&known, supply(4)).await, "listings_per_hour", 4);

    verify(&app, &admin, &newcomer).await;
    id(&app.create_supply(&newcomer, supply(2)).await);
    id(&app.create_supply(&newcomer, supply(3)).await);
    assert_quota(&app.create_supply(&newcomer, supply(4)).await, "listings_per_hour", 4);
}

/// Before: an organisation could keep any number of listings on the market. Now published
/// supplies and open demands count together against `open_listings`: creating one more on the
/// market, or publishing a draft, answers 429 with a fixed `Retry-After` hint; a draft may still
/// be created, and taking a listing off the market frees a slot.
#[actix_web::test]
async fn listings_on_the_market_are_capped_when_created_and_when_published() {
    let app = app([LOTS; 3], [LOTS, LOTS, 2]).await;
    let enterprise = app.register_unverified("enterprise", "配额测试企业").await;
    let published = id(&app.create_supply(&enterprise, supply(0)).await);
    id(&app.create_demand(&enterprise, demand(1)).await);

    let over = app.create_supply(&enterprise, supply(2)).await;
    assert_eq!(assert_quota(&over, "open_listings", 2), 3600);
    assert_quota(&app.create_demand(&enterprise, demand(3)).await, "open_listings", 2);

    let mut body = supply(4);
    body["status"] = json!("draft");
    let draft = id(&app.create_supply(&enterprise, body).await);
    let path = format!("/api/v1/supplies/{draft}");
    let publish = |version: &'static str| {
        let (app, path, token) = (&app, &path, enterprise.bearer());
        async move { app.patch_as(token, path, &json!({"status": "published"}), Some(version)).await }
    };
    assert_quota(&publish("\"1\"").await, "open_listings", 2);
    // An edit that does not publish is not counted.
    let edit = app
        .patch_as(
            enterprise.bearer(),
            &format!("/api/v1/supplies/{draft}"),
            &json!({"title": "改个标题"}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.body);

    let archived = app.post_as(enterprise.bearer(), &format!("/api/v1/supplies/{published}/archive"), &json!({})).await;
    assert_eq!(archived.status, 200, "{}", archived.body);
    let now_published = publish("\"2\"").await;
    assert_eq!(now_published.status, 200, "{}", now_published.body);
    // Submitted: an unverified organisation's listing waits for review, and counts meanwhile.
    assert_eq!(now_published.body["status"], "pending_review");
}

/// Before: one enterprise opened 111 proposals in 0.3 s. Now the connections opened by an
/// organisation's users in 24 hours are capped: the next answers 429 `proposals_per_day` with
/// `Retry-After` up to a day; withdrawn proposals still count; the other side's organisation
/// has its own count.
#[actix_web::test]
async fn the_proposal_after_the_daily_quota_is_a_429_naming_it() {
    let app = app([LOTS; 3], [2, LOTS, LOTS]).await;
    let (enterprise, institute, demand, supplies) = market(&app, 3).await;
    let first = id(&open(&app, &enterprise, &demand, &supplies[0]).await);
    id(&open(&app, &enterprise, &demand, &supplies[1]).await);

    let over = open(&app, &enterprise, &demand, &supplies[2]).await;
    let wait = assert_quota(&over, "proposals_per_day", 2);
    assert!((86_300..=86_400).contains(&wait), "the first proposal leaves the window in about a day: {wait}");

    let withdrawn = app
        .post_as(enterprise.bearer(), &format!("/api/v1/connections/{first}/events"), &json!({"to": "withdrawn"}))
        .await;
    assert_eq!(withdrawn.status, 201, "{}", withdrawn.body);
    assert_quota(&open(&app, &enterprise, &demand, &supplies[0]).await, "proposals_per_day", 2);

    id(&open(&app, &institute, &demand, &supplies[2]).await);
}

/// Before: nobody had limits, so admins had none either; they must keep none. An admin opens
/// more connections than any organisation may, and publishes an organisation's drafts when that
/// organisation is at its `open_listings` limit.
#[actix_web::test]
async fn an_admin_is_exempt_from_every_quota() {
    let app = app([1, LOTS, 1], [1, LOTS, 1]).await;
    let admin = app.admin().await;
    let enterprise = app.register_unverified("enterprise", "配额测试企业").await;
    let institute = app.register_unverified("research_institute", "配额测试研究所").await;
    verify(&app, &admin, &institute).await;
    let demand = approved(&app, &admin, "demands", id(&app.create_demand(&enterprise, demand(0)).await)).await;
    let mut supplies = vec![id(&app.create_supply(&institute, supply(0)).await)];
    for i in 1..4 {
        let mut body = supply(i);
        body["status"] = json!("draft");
        supplies.push(id(&app.create_supply(&institute, body).await));
    }
    let publish = |who: &Session, id: &str| {
        let (token, path) = (who.token.clone(), format!("/api/v1/supplies/{id}"));
        let app = &app;
        async move { app.patch_as(Some(&token), &path, &json!({"status": "published"}), Some("\"1\"")).await }
    };
    assert_quota(&publish(&institute, &supplies[1]).await, "open_listings", 1);
    for s in &supplies[1..] {
        let reply = publish(&admin, s).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    id(&open(&app, &enterprise, &demand, &supplies[0]).await);
    assert_quota(&open(&app, &enterprise, &demand, &supplies[1]).await, "proposals_per_day", 1);
    for s in &supplies[1..] {
        id(&open(&app, &admin, &demand, s).await);
    }
}

/// Before: concurrent creations were never counted, so nothing could stop them; a count without
/// a lock would let every request of a burst see the same figure. Now n + 3 creations fired at
/// once by one organisation on two workers yield exactly n 201s and 429s for the rest, for each
/// quota.
#[actix_web::test]
async fn concurrent_creations_cannot_exceed_a_quota() {
    const N: usize = 3;
    let n = N as u32;
    let app = app_with([LOTS; 3], [n, n, LOTS], 2, 12).await;

    // listings_per_hour
    let university = app.register_unverified("university", "配额测试大学").await;
    let replies = futures_join_all((0..N + 3).map(|i| app.create_supply(&university, supply(i)))).await;
    assert_burst(&replies, "listings_per_hour");

    // proposals_per_day: an enterprise's demand, a verified institute's supplies.
    let admin = app.admin().await;
    let enterprise = app.register_unverified("enterprise", "配额测试企业").await;
    let institute = app.register_unverified("research_institute", "配额测试研究所").await;
    verify(&app, &admin, &institute).await;
    let wanted = approved(&app, &admin, "demands", id(&app.create_demand(&enterprise, demand(0)).await)).await;
    let mut supplies = Vec::new();
    for i in 0..N + 3 {
        supplies.push(id(&app.create_supply(&institute, supply(i)).await));
    }
    let replies = futures_join_all(supplies.iter().map(|s| open(&app, &enterprise, &wanted, s))).await;
    assert_burst(&replies, "proposals_per_day");

    // open_listings: an organisation allowed many creations but few listings on the market.
    let app = app_with([LOTS; 3], [LOTS, LOTS, n], 2, 12).await;
    let enterprise = app.register_unverified("enterprise", "配额测试企业").await;
    let replies = futures_join_all((0..N + 3).map(|i| app.create_demand(&enterprise, demand(i)))).await;
    assert_burst(&replies, "open_listings");

    fn assert_burst(replies: &[Reply], quota: &str) {
        let created = replies.iter().filter(|r| r.status == 201).count();
        assert_eq!(created, N, "{quota}: {:?}", replies.iter().map(|r| (r.status, &r.body)).collect::<Vec<_>>());
        for r in replies.iter().filter(|r| r.status != 201) {
            assert_quota(r, quota, N as u32);
        }
    }
}

/// Before migration 000011 the hourly quota counted every row created in the hour, so right
/// after `techmatch import` (79 listings of the placeholder organisation the demo enterprise
/// belongs to) the demo enterprise's first demand answered 429 for an hour. Imported listings
/// are an operator's load and no longer count; what the enterprise creates does.
#[actix_web::test]
async fn an_import_does_not_use_up_its_organisation_s_hourly_quota() {
    let db = TestDb::new();
    db.import_real_listings();
    techmatch::accounts::demo::ensure_demo_accounts(&mut db.connect(), common::PASSWORD).unwrap();
    let mut config = common::serve_config(&db.url);
    config.quotas = QuotaConfig {
        quota_proposals_per_day: LOTS,
        quota_listings_per_hour: 2,
        quota_open_listings: LOTS,
        quota_unverified_proposals_per_day: LOTS,
        quota_unverified_listings_per_hour: 2,
        quota_unverified_open_listings: LOTS,
    };
    let app = TestApp::spawn_with(db, config).await;
    let enterprise = app.login("enterprise@demo.techmatch", common::PASSWORD).await;
    for n in 0..2 {
        id(&app.post_as(enterprise.bearer(), "/api/v1/demands", &demand(n)).await);
    }
    let over = app.post_as(enterprise.bearer(), "/api/v1/demands", &demand(2)).await;
    assert_quota(&over, "listings_per_hour", 2);
}

//! Challenges (揭榜挂帅, issue 15) over HTTP: every move of the lifecycle and its refusals, the
//! scheduler's close at the window's end (a manual clock, two servers), applications and their
//! visibility, the panel's scores with conflicts of interest, the award that opens connections,
//! the public result, suggested solvers in the outbox, and the funnel on the demo data.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
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

fn manual_clock() -> Clock {
    let now = Utc::now();
    Clock::manual(DateTime::from_timestamp(now.timestamp(), 0).unwrap())
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn scalar(db: &TestDb, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<N>(&mut db.connect()).unwrap().n
}

async fn eventually(what: &str, within: StdDuration, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < within, "{what} did not happen within {within:?}");
        actix_web::rt::time::sleep(StdDuration::from_millis(20)).await;
    }
}

fn ok(reply: &Reply, status: u16) -> &Value {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.body);
    &reply.body
}

fn id_of(reply: &Reply) -> String {
    reply.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", reply.body)).to_string()
}

/// An enterprise with an open demand.
async fn owner_with_demand(app: &TestApp) -> (Session, String) {
    let enterprise = app.register("enterprise", &format!("枸杞企业{}", uuid::Uuid::new_v4().simple())).await;
    let demand = app
        .create_demand(
            &enterprise,
            json!({"title": "枸杞鲜果低损采收", "description": "需要枸杞鲜果低损采收装备，日处理 20 吨",
                "keywords": ["枸杞采收"], "industries": ["goji"]}),
        )
        .await;
    assert_eq!(demand.body["status"], "open", "{}", demand.body);
    (enterprise, id_of(&demand))
}

/// An organisation of `kind` with a published supply; returns the session and the supply id.
async fn solver(app: &TestApp, kind: &str, title: &str) -> (Session, String) {
    let session = app.register(kind, &format!("{title}{}", uuid::Uuid::new_v4().simple())).await;
    let supply = app
        .create_supply(
            &session,
            json!({"title": title, "summary": "枸杞鲜果低损采收装备，振动式采收", "keywords": ["枸杞采收"],
                "industries": ["goji"]}),
        )
        .await;
    assert_eq!(supply.body["status"], "published", "{}", supply.body);
    (session, id_of(&supply))
}

fn challenge_body(demand: &str, now: DateTime<Utc>) -> Value {
    json!({
        "demand_id": demand,
        "reward_fen": 50_000_000,
        "opens_at": rfc3339(now - Duration::hours(1)),
        "closes_at": rfc3339(now + Duration::days(10)),
        "milestones": [{"title": "样机", "due_on": "2027-06-30"}],
        "criteria": [{"name": "技术先进性", "weight": 60}, {"name": "报价合理性", "weight": 40}],
    })
}

/// Creates a challenge of `owner`'s demand and brings it to `open`; returns its id.
async fn open_challenge(app: &TestApp, owner: &Session, admin: &Session, body: Value) -> String {
    let created = app.post_as(owner.bearer(), "/api/v1/challenges", &body).await;
    let id = id_of(&created);
    assert_eq!(ok(&created, 201)["status"], "draft");
    let path = format!("/api/v1/challenges/{id}/status");
    ok(&app.post_as(owner.bearer(), &path, &json!({"to": "screening"})).await, 200);
    let opened = app.post_as(admin.bearer(), &path, &json!({"to": "open", "note": "审核通过"})).await;
    assert_eq!(ok(&opened, 200)["status"], "open");
    id
}

fn application_body(supplies: &[&str]) -> Value {
    json!({"proposal": "以振动式采收装备为基础，两期完成。", "team_summary": "研发 5 人", "price_fen": 40_000_000,
        "duration_days": 300, "supply_ids": supplies})
}

#[actix_web::test]
async fn a_challenge_moves_through_its_lifecycle_and_the_scheduler_closes_it_at_the_window_end() {
    let clock = manual_clock();
    let app = app_at(&clock).await;
    let admin = app.admin().await;
    let (owner, demand) = owner_with_demand(&app).await;
    let stranger = app.register("university", "某大学").await;
    let now = clock.now();

    // Bad input: a window closing before it opens, weights not summing to 100.
    let mut bad = challenge_body(&demand, now);
    bad["closes_at"] = json!(rfc3339(now - Duration::days(1)));
    bad["criteria"] = json!([{"name": "a", "weight": 30}]);
    let reply = app.post_as(owner.bearer(), "/api/v1/challenges", &bad).await;
    reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> =
        reply.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["closes_at", "criteria"], "{}", reply.body);
    // Another organisation's demand is not theirs to publish.
    app.post_as(stranger.bearer(), "/api/v1/challenges", &challenge_body(&demand, now))
        .await
        .assert_problem(403, "forbidden");

    let created = app.post_as(owner.bearer(), "/api/v1/challenges", &challenge_body(&demand, now)).await;
    let body = ok(&created, 201);
    assert_eq!(body["title"], "枸杞鲜果低损采收", "the demand's title by default");
    assert_eq!(body["allowed_moves"], json!(["screening", "cancelled"]));
    assert_eq!(body["eligible_kinds"], json!(["university", "research_institute", "enterprise"]));
    let id = id_of(&created);
    let path = format!("/api/v1/challenges/{id}");
    let status = format!("{path}/status");

    // A draft is private.
    app.get(&path).await.assert_problem(404, "not_found");
    app.get_as(stranger.bearer(), &path).await.assert_problem(404, "not_found");
    let listed = app.get("/api/v1/challenges").await;
    assert_eq!(ok(&listed, 200)["total"], 0);
    let own = app.get_as(owner.bearer(), "/api/v1/challenges").await;
    assert_eq!(ok(&own, 200)["total"], 1);

    // No skipping stages; the department's moves are not the owner's.
    let skip = app.post_as(admin.bearer(), &status, &json!({"to": "open"})).await;
    skip.assert_problem(409, "illegal_transition");
    assert_eq!(skip.body["allowed"], json!(["screening", "cancelled"]));
    ok(&app.post_as(owner.bearer(), &status, &json!({"to": "screening"})).await, 200);
    app.post_as(owner.bearer(), &status, &json!({"to": "open"})).await.assert_problem(403, "forbidden");
    app.post_as(stranger.bearer(), &status, &json!({"to": "cancelled"})).await.assert_problem(404, "not_found");
    // Screening returns it to the owner, who submits again.
    assert_eq!(ok(&app.post_as(admin.bearer(), &status, &json!({"to": "draft"})).await, 200)["status"], "draft");
    ok(&app.post_as(owner.bearer(), &status, &json!({"to": "screening"})).await, 200);
    let opened = app.post_as(admin.bearer(), &status, &json!({"to": "open"})).await;
    let body = ok(&opened, 200);
    assert_eq!(body["accepting_applications"], true);
    assert!(body["opened_at"].is_string());
    app.post_as(admin.bearer(), &status, &json!({"to": "awarded"})).await.assert_problem(422, "validation_failed");
    app.post_as(owner.bearer(), &status, &json!({"to": "cancelled"})).await.assert_problem(403, "forbidden");
    assert_eq!(ok(&app.get(&path).await, 200)["status"], "open", "published: public");
    assert_eq!(ok(&app.get("/api/v1/challenges?status=open").await, 200)["total"], 1);

    // The window ends: the scheduler closes it at the clock's closes_at, not before.
    let closes = DateTime::parse_from_rfc3339(body["closes_at"].as_str().unwrap()).unwrap().with_timezone(&Utc);
    clock.set(closes - Duration::seconds(1));
    let db = app.db.shared();
    let run_at = format!(
        "SELECT count(*) AS n FROM job_runs WHERE job = 'challenge_close' AND started_at = '{}'",
        rfc3339(closes - Duration::seconds(1))
    );
    eventually("a close run a second before the end", StdDuration::from_secs(10), || scalar(&db, &run_at) >= 2).await;
    assert_eq!(ok(&app.get(&path).await, 200)["status"], "open");
    clock.set(closes);
    eventually("the close", StdDuration::from_secs(10), || {
        scalar(&db, &format!("SELECT count(*) AS n FROM challenges WHERE id = '{id}' AND status = 'closed'")) == 1
    })
    .await;
    let closed = app.get_as(admin.bearer(), &path).await;
    assert_eq!(ok(&closed, 200)["closed_at"], json!(rfc3339(closes)), "{}", closed.body);
    assert_eq!(closed.body["allowed_moves"], json!(["evaluating", "cancelled"]));

    // Evaluation, then no award: the result is public.
    app.get(&format!("{path}/result")).await.assert_problem(404, "not_found");
    ok(&app.post_as(admin.bearer(), &status, &json!({"to": "evaluating"})).await, 200);
    let decided = app.post_as(admin.bearer(), &status, &json!({"to": "no_award", "note": "无方案达到要求"})).await;
    assert_eq!(ok(&decided, 200)["status"], "no_award");
    assert_eq!(ok(&decided, 200)["allowed_moves"], json!([]));
    let result = app.get(&format!("{path}/result")).await;
    assert_eq!(ok(&result, 200)["status"], "no_award");
    assert_eq!(result.body["winners"], json!([]));
    app.post_as(admin.bearer(), &status, &json!({"to": "cancelled"})).await.assert_problem(409, "illegal_transition");

    // A second challenge: the owner cancels a draft; it stays private.
    let second = id_of(&app.post_as(owner.bearer(), "/api/v1/challenges", &challenge_body(&demand, clock.now())).await);
    let cancel =
        app.post_as(owner.bearer(), &format!("/api/v1/challenges/{second}/status"), &json!({"to": "cancelled"})).await;
    assert_eq!(ok(&cancel, 200)["status"], "cancelled");
    app.get(&format!("/api/v1/challenges/{second}")).await.assert_problem(404, "not_found");

    // Every move is in the audit log, the scheduler's without an actor.
    let moves = format!(
        "SELECT count(*) AS n FROM audit_log WHERE record_type = 'challenge' AND record_id = '{id}' AND action = 'challenge_status_changed'"
    );
    assert_eq!(scalar(&db, &moves), 7, "screening, draft, screening, open, closed, evaluating, no_award");
    let by_scheduler = format!("{moves} AND actor_id IS NULL");
    assert_eq!(scalar(&db, &by_scheduler), 1);
}

#[actix_web::test]
async fn two_servers_close_a_challenge_once() {
    let clock = manual_clock();
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.clock = clock.clone();
    let shared = db.shared();
    let app = TestApp::spawn_with(db, config).await;
    let mut other = common::serve_config(&shared.url);
    other.clock = clock.clone();
    let _second = TestApp::spawn_with(shared.shared(), other).await;
    let admin = app.admin().await;
    let (owner, demand) = owner_with_demand(&app).await;
    let id = open_challenge(&app, &owner, &admin, challenge_body(&demand, clock.now())).await;
    clock.advance(Duration::days(11));
    eventually("the close", StdDuration::from_secs(10), || {
        scalar(&shared, &format!("SELECT count(*) AS n FROM challenges WHERE id = '{id}' AND status = 'closed'")) == 1
    })
    .await;
    let ran = "SELECT count(DISTINCT instance_id) AS n FROM job_runs WHERE job = 'challenge_close'";
    eventually("both instances tick", StdDuration::from_secs(10), || scalar(&shared, ran) == 2).await;
    let closing = "SELECT count(*) AS n FROM job_runs WHERE job = 'challenge_close' AND rows_affected > 0";
    assert_eq!(scalar(&shared, closing), 1, "one run closed it");
    let audited = format!(
        "SELECT count(*) AS n FROM audit_log WHERE record_id = '{id}' AND action = 'challenge_status_changed' AND actor_id IS NULL"
    );
    assert_eq!(scalar(&shared, &audited), 1);
}

#[actix_web::test]
async fn applications_keep_to_the_window_eligibility_and_their_own_supplies() {
    let clock = manual_clock();
    let app = app_at(&clock).await;
    let admin = app.admin().await;
    let (owner, demand) = owner_with_demand(&app).await;
    let (institute, institute_supply) = solver(&app, "research_institute", "振动式枸杞采收机").await;
    let (university, university_supply) = solver(&app, "university", "枸杞采收机器人").await;
    let agency = app.register("service_agency", "技术转移中心").await;
    let id = open_challenge(&app, &owner, &admin, challenge_body(&demand, clock.now())).await;
    let apps = format!("/api/v1/challenges/{id}/applications");

    // Another organisation's supply: 404; a kind the challenge does not take, or its owner: 403.
    app.post_as(university.bearer(), &apps, &application_body(&[&institute_supply]))
        .await
        .assert_problem(404, "not_found");
    app.post_as(agency.bearer(), &apps, &application_body(&[&university_supply]))
        .await
        .assert_problem(403, "not_eligible");
    app.post_as(owner.bearer(), &apps, &application_body(&[&university_supply]))
        .await
        .assert_problem(403, "not_eligible");
    app.post_as(admin.bearer(), &apps, &application_body(&[&university_supply])).await.assert_problem(403, "forbidden");
    let mut empty = application_body(&[]);
    empty["duration_days"] = json!(0);
    let reply = app.post_as(university.bearer(), &apps, &empty).await;
    reply.assert_problem(422, "validation_failed");

    let first = app.post_as(institute.bearer(), &apps, &application_body(&[&institute_supply])).await;
    assert_eq!(ok(&first, 201)["status"], "submitted");
    let institute_app = id_of(&first);
    app.post_as(institute.bearer(), &apps, &application_body(&[&institute_supply]))
        .await
        .assert_problem(409, "already_applied");
    let second = app.post_as(university.bearer(), &apps, &application_body(&[&university_supply])).await;
    let university_app = id_of(&second);
    ok(&second, 201);

    // Each applicant sees its own; the owner and admins see all.
    for (who, expected) in [(&institute, 1), (&university, 1), (&owner, 2), (&admin, 2)] {
        let list = app.get_as(who.bearer(), &apps).await;
        assert_eq!(ok(&list, 200)["total"], expected, "{}", list.body);
    }
    let mine = app.get_as(university.bearer(), &apps).await;
    assert_eq!(mine.body["items"][0]["id"], json!(university_app));
    app.get_as(university.bearer(), &format!("{apps}/{institute_app}")).await.assert_problem(404, "not_found");
    ok(&app.get_as(owner.bearer(), &format!("{apps}/{institute_app}")).await, 200);
    app.post_as(university.bearer(), &format!("{apps}/{institute_app}/withdraw"), &json!({}))
        .await
        .assert_problem(404, "not_found");

    // Withdrawing while open; again: 409.
    let withdrawn = app.post_as(university.bearer(), &format!("{apps}/{university_app}/withdraw"), &json!({})).await;
    assert_eq!(ok(&withdrawn, 200)["status"], "withdrawn");
    app.post_as(university.bearer(), &format!("{apps}/{university_app}/withdraw"), &json!({}))
        .await
        .assert_problem(409, "wrong_status");

    // A region the applicant is not in.
    let mut regional = challenge_body(&demand, clock.now());
    regional["eligible_regions"] = json!(["陕西"]);
    let regional = open_challenge(&app, &owner, &admin, regional).await;
    app.post_as(
        university.bearer(),
        &format!("/api/v1/challenges/{regional}/applications"),
        &application_body(&[&university_supply]),
    )
    .await
    .assert_problem(403, "not_eligible");

    // After the window: applying and withdrawing are refused, whether or not the scheduler ran.
    clock.advance(Duration::days(10));
    let late = app.post_as(university.bearer(), &apps, &application_body(&[&university_supply])).await;
    late.assert_problem(409, "challenge_closed");
    assert!(late.body["closes_at"].is_string());
    assert!(late.body["current_status"].is_string());
    app.post_as(institute.bearer(), &format!("{apps}/{institute_app}/withdraw"), &json!({}))
        .await
        .assert_problem(409, "challenge_closed");
    let audited = "SELECT count(*) AS n FROM audit_log WHERE record_type = 'challenge_application'";
    assert_eq!(scalar(&app.db, audited), 3, "two submissions and a withdrawal");
}

#[actix_web::test]
async fn the_panel_scores_without_conflicts_and_the_award_opens_connections() {
    let clock = manual_clock();
    let app = app_at(&clock).await;
    let admin = app.admin().await;
    let (owner, demand) = owner_with_demand(&app).await;
    let (institute, institute_supply) = solver(&app, "research_institute", "振动式枸杞采收机").await;
    let (university, university_supply) = solver(&app, "university", "枸杞采收机器人").await;
    let expert = app.register("research_institute", "评审专家所").await;
    let id = open_challenge(&app, &owner, &admin, challenge_body(&demand, clock.now())).await;
    let base = format!("/api/v1/challenges/{id}");
    let a = id_of(
        &app.post_as(institute.bearer(), &format!("{base}/applications"), &application_body(&[&institute_supply]))
            .await,
    );
    let b = id_of(
        &app.post_as(university.bearer(), &format!("{base}/applications"), &application_body(&[&university_supply]))
            .await,
    );

    // The panel: a member of the institute (an applicant) and an outside expert.
    app.post_as(owner.bearer(), &format!("{base}/reviewers"), &json!({"user_id": expert.user_id}))
        .await
        .assert_problem(403, "forbidden");
    app.post_as(admin.bearer(), &format!("{base}/reviewers"), &json!({"user_id": uuid::Uuid::new_v4()}))
        .await
        .assert_problem(422, "validation_failed");
    for user in [&institute.user_id, &expert.user_id] {
        ok(&app.post_as(admin.bearer(), &format!("{base}/reviewers"), &json!({"user_id": user})).await, 200);
    }
    let panel = app.post_as(admin.bearer(), &format!("{base}/reviewers"), &json!({"user_id": expert.user_id})).await;
    assert_eq!(ok(&panel, 200)["reviewers"].as_array().unwrap().len(), 2, "appointing twice changes nothing");

    let score = |app_id: &str| format!("{base}/applications/{app_id}/scores");
    // Not a reviewer; before evaluation.
    app.post_as(owner.bearer(), &score(&a), &json!({"scores": [80, 80]})).await.assert_problem(403, "forbidden");
    app.post_as(expert.bearer(), &score(&a), &json!({"scores": [80, 80]})).await.assert_problem(409, "wrong_status");
    // The expert steps aside from the university's application.
    let conflict =
        app.post_as(expert.bearer(), &format!("{base}/applications/{b}/conflict"), &json!({"note": "曾合作"})).await;
    assert_eq!(conflict.status.as_u16(), 204, "{}", conflict.body);
    app.post_as(university.bearer(), &format!("{base}/applications/{a}/conflict"), &json!({}))
        .await
        .assert_problem(403, "forbidden");

    clock.advance(Duration::days(10));
    ok(&app.post_as(admin.bearer(), &format!("{base}/status"), &json!({"to": "closed"})).await, 200);
    ok(&app.post_as(admin.bearer(), &format!("{base}/status"), &json!({"to": "evaluating"})).await, 200);

    // Own organisation's application; a declared conflict.
    app.post_as(institute.bearer(), &score(&a), &json!({"scores": [99, 99]}))
        .await
        .assert_problem(403, "conflict_of_interest");
    app.post_as(expert.bearer(), &score(&b), &json!({"scores": [99, 99]}))
        .await
        .assert_problem(403, "conflict_of_interest");
    // Out of range, wrong length.
    let bad = app.post_as(expert.bearer(), &score(&a), &json!({"scores": [101, 5]})).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "scores.0");
    app.post_as(expert.bearer(), &score(&a), &json!({"scores": [70]})).await.assert_problem(422, "validation_failed");
    let early = app.post_as(expert.bearer(), &score(&b), &json!({"scores": [1.5, 2]})).await;
    early.assert_problem(400, "invalid_body");

    let sheet = app.post_as(expert.bearer(), &score(&a), &json!({"scores": [70, 60], "comment": "可行"})).await;
    assert_eq!(ok(&sheet, 200)["scores"], json!([70, 60]));
    ok(&app.post_as(institute.bearer(), &score(&b), &json!({"scores": [90.0, 80]})).await, 200);

    // The ranking: weights 60/40 → B 86, A 66.
    let evaluation = app.get_as(owner.bearer(), &format!("{base}/evaluation")).await;
    let ranking = ok(&evaluation, 200)["ranking"].as_array().unwrap().clone();
    assert_eq!(ranking[0]["application_id"], json!(b));
    assert_eq!(ranking[0]["weighted_score"], json!(86.0));
    assert_eq!(ranking[0]["rank"], 1);
    assert_eq!(ranking[1]["weighted_score"], json!(66.0));
    app.get_as(university.bearer(), &format!("{base}/evaluation")).await.assert_problem(403, "forbidden");
    app.get(&format!("{base}/result")).await.assert_problem(404, "not_found");

    // The award opens a negotiating connection for the winner, linked to the challenge.
    app.post_as(admin.bearer(), &format!("{base}/award"), &json!({"winners": [uuid::Uuid::new_v4()]}))
        .await
        .assert_problem(422, "validation_failed");
    app.post_as(owner.bearer(), &format!("{base}/award"), &json!({"winners": [b]}))
        .await
        .assert_problem(403, "forbidden");
    let award =
        app.post_as(admin.bearer(), &format!("{base}/award"), &json!({"winners": [b], "note": "专家评审"})).await;
    let body = ok(&award, 200);
    assert_eq!(body["challenge"]["status"], "awarded");
    let connection = body["winners"][0]["connection_id"].as_str().unwrap().to_string();
    let shown = app.get_as(admin.bearer(), &format!("/api/v1/connections/{connection}")).await;
    assert_eq!(ok(&shown, 200)["status"], "negotiating");
    let steps: Vec<&str> =
        shown.body["events"].as_array().unwrap().iter().map(|e| e["to_status"].as_str().unwrap()).collect();
    assert_eq!(steps, ["proposed", "contacted", "negotiating"]);
    assert_eq!(shown.body["supply"]["listing_id"], json!(university_supply));
    let linked = format!("SELECT count(*) AS n FROM connections WHERE id = '{connection}' AND challenge_id = '{id}'");
    assert_eq!(scalar(&app.db, &linked), 1);
    let loser = app.get_as(institute.bearer(), &format!("{base}/applications/{a}")).await;
    assert_eq!(ok(&loser, 200)["status"], "not_awarded");
    let winner = app.get_as(university.bearer(), &format!("{base}/applications/{b}")).await;
    assert_eq!(ok(&winner, 200)["connection_id"], json!(connection));
    // The winner's side moves the connection on as usual.
    let moved = app
        .post_as(
            university.bearer(),
            &format!("/api/v1/connections/{connection}/contract"),
            &json!({
            "contract_type": "development", "total_fen": 40_000_000, "technical_fen": 30_000_000,
            "signed_on": "2026-12-01", "term_start": "2026-12-01", "term_end": "2027-12-01"}),
        )
        .await;
    ok(&moved, 201);

    // Once: a second award is refused.
    app.post_as(admin.bearer(), &format!("{base}/award"), &json!({"winners": [a]}))
        .await
        .assert_problem(409, "illegal_transition");
    app.post_as(expert.bearer(), &score(&a), &json!({"scores": [10, 10]})).await.assert_problem(409, "wrong_status");

    // The public result.
    let result = app.get(&format!("{base}/result")).await;
    let body = ok(&result, 200);
    assert_eq!(body["winners"].as_array().unwrap().len(), 1);
    assert_eq!(body["winners"][0]["application_id"], json!(b));
    assert_eq!(body["winners"][0]["weighted_score"], json!(86.0));
    assert!(body["winners"][0]["connection_id"].is_null(), "the public does not see the connection");
    assert_eq!(body["scores"]["applications"], 2);
    assert_eq!(body["scores"]["reviewers"], 2);
    assert_eq!(body["scores"]["mean"], json!(76.0));
    let awarded =
        format!("SELECT count(*) AS n FROM audit_log WHERE record_id = '{id}' AND action = 'challenge_awarded'");
    assert_eq!(scalar(&app.db, &awarded), 1);
}

#[actix_web::test]
async fn suggested_solvers_are_explained_and_told_once_when_the_challenge_opens() {
    let clock = manual_clock();
    let app = app_at(&clock).await;
    let admin = app.admin().await;
    let (owner, demand) = owner_with_demand(&app).await;
    let (institute, supply) = solver(&app, "research_institute", "振动式枸杞采收机").await;
    let own_supply = id_of(
        &app.create_supply(
            &owner,
            json!({"title": "枸杞鲜果采收装备", "summary": "企业自有的枸杞鲜果低损采收装备", "keywords": ["枸杞采收"],
                "industries": ["goji"]}),
        )
        .await,
    );
    let id = open_challenge(&app, &owner, &admin, challenge_body(&demand, clock.now())).await;

    let found = app.get_as(owner.bearer(), &format!("/api/v1/challenges/{id}/suggestions")).await;
    let items = ok(&found, 200).as_array().unwrap().clone();
    let first = items.iter().find(|s| s["supply_id"] == json!(supply)).unwrap_or_else(|| panic!("{}", found.body));
    assert_eq!(first["organization_id"], json!(institute.organization_id));
    assert!(!first["reason"].as_str().unwrap().is_empty());
    assert!(items.iter().all(|s| s["supply_id"] != json!(own_supply)), "not the challenge's own organisation");
    app.get_as(institute.bearer(), &format!("/api/v1/challenges/{id}/suggestions"))
        .await
        .assert_problem(403, "forbidden");

    let told = format!(
        "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'challenge_suggested' AND subject_id = '{id}' \
AND recipient_organization_id = '{}' AND dedupe_key = 'challenge_suggested:{id}:{}'",
        institute.organization_id, institute.organization_id
    );
    assert_eq!(scalar(&app.db, &told), 1);
    let owner_told = format!(
        "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'challenge_suggested' AND recipient_organization_id = '{}'",
        owner.organization_id
    );
    assert_eq!(scalar(&app.db, &owner_told), 0);
}

#[actix_web::test]
async fn the_challenge_funnel_counts_the_demo_challenge() {
    let app = TestApp::with_real_listings().await;
    let admin = app.admin().await;
    let seeded = techmatch::challenges::demo::seed(&mut app.db.connect(), &app.matcher).unwrap();
    assert_eq!(seeded, 1);
    assert_eq!(techmatch::challenges::demo::seed(&mut app.db.connect(), &app.matcher).unwrap(), 0, "idempotent");

    let stats = app.get_as(admin.bearer(), "/api/v1/stats/challenges").await;
    let total = &ok(&stats, 200)["total"];
    assert_eq!(total["collected"], 1, "{}", stats.body);
    assert_eq!(total["published"], 1);
    assert_eq!(total["published_reward_fen"], 50_000_000);
    let applications = total["applications"].as_i64().unwrap();
    assert!((2..=3).contains(&applications), "{}", stats.body);
    assert_eq!(total["awarded"], 1);
    assert_eq!(total["awarded_fen"], 50_000_000, "the best application asked the full reward");
    assert_eq!(total["signed"], 1);
    assert_eq!(total["signed_fen"], 45_000_000);
    assert!(!stats.body["by_industry"].as_array().unwrap().is_empty());
    let periods = stats.body["by_period"].as_array().unwrap();
    assert_eq!(periods.len(), 1);
    assert_eq!(periods[0]["collected"], 1);
    let yearly = app.get_as(admin.bearer(), "/api/v1/stats/challenges?period=year").await;
    assert_eq!(ok(&yearly, 200)["by_period"][0]["key"].as_str().unwrap().len(), 4);
    let empty = app.get_as(admin.bearer(), "/api/v1/stats/challenges?from=2000-01-01&to=2000-12-31").await;
    assert_eq!(ok(&empty, 200)["total"]["collected"], 0);
    app.get_as(admin.bearer(), "/api/v1/stats/challenges?period=week").await.assert_problem(400, "invalid_query");
    let enterprise = app.login("enterprise@demo.techmatch", common::PASSWORD).await;
    app.get_as(enterprise.bearer(), "/api/v1/stats/challenges").await.assert_problem(403, "forbidden");

    // The demo challenge as the README shows it.
    let list = app.get("/api/v1/challenges").await;
    let challenge = &ok(&list, 200)["items"][0];
    assert_eq!(challenge["status"], "awarded");
    let id = challenge["id"].as_str().unwrap();
    let result = app.get(&format!("/api/v1/challenges/{id}/result")).await;
    assert_eq!(ok(&result, 200)["winners"][0]["rank"], 1);
    assert_eq!(result.body["scores"]["reviewers"], 2);
}

/// Five simultaneous applications of one organisation: one is submitted, the others are told
/// which (409 `already_applied` naming it), whether the check or the unique index caught them.
#[actix_web::test]
async fn concurrent_applications_of_one_organisation_submit_one() {
    let clock = manual_clock();
    let app = app_at(&clock).await;
    let admin = app.admin().await;
    let (owner, demand) = owner_with_demand(&app).await;
    let (institute, supply) = solver(&app, "research_institute", "振动式枸杞采收机").await;
    let id = open_challenge(&app, &owner, &admin, challenge_body(&demand, clock.now())).await;
    let path = format!("/api/v1/challenges/{id}/applications");
    let body = application_body(&[&supply]);
    let replies = common::futures_join_all((0..5).map(|_| app.post_as(institute.bearer(), &path, &body))).await;
    let created: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(created.len(), 1, "{:?}", replies.iter().map(|r| r.body.clone()).collect::<Vec<_>>());
    let winner = id_of(created[0]);
    for r in replies.iter().filter(|r| r.status != 201) {
        r.assert_problem(409, "already_applied");
        assert_eq!(r.body["existing_id"], json!(winner));
    }
    let stored = format!("SELECT count(*) AS n FROM challenge_applications WHERE challenge_id = '{id}'");
    assert_eq!(scalar(&app.db, &stored), 1);
}

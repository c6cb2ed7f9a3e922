//! Contracts (技术合同) over HTTP: one side proposes, the other confirms or disputes; only
//! confirmed contracts whose review is cleared count in the statistics; registration and the
//! life after signing; the one-sided attack of old; the migration of one-sided signed rows.

use crate::common::{self, Session, TestApp, PASSWORD};
use diesel::connection::SimpleConnection;
use diesel::RunQueryDsl;
use diesel_migrations::MigrationHarness;
use serde_json::{json, Value};

pub struct Pair {
    pub enterprise: Session,
    pub institute: Session,
    pub connection: String,
}

/// Two fresh organisations, verified by `admin`, with a demand and a supply on the market.
pub struct Parties {
    pub enterprise: Session,
    pub institute: Session,
    pub demand: String,
    pub supply: String,
}

pub async fn verified_parties(app: &TestApp, admin: &Session) -> Parties {
    let (enterprise, institute, demand, supply) = listed(app, Some(admin)).await;
    Parties { enterprise, institute, demand, supply }
}

async fn listed(app: &TestApp, verified_by: Option<&Session>) -> (Session, Session, String, String) {
    // `register` gives verified organisations, so their listings go on the market at once; the
    // unverified case takes the verification away afterwards, as an admin could.
    let enterprise = app.register("enterprise", &format!("企业{}", uuid::Uuid::new_v4().simple())).await;
    let institute = app.register("research_institute", &format!("研究院{}", uuid::Uuid::new_v4().simple())).await;
    let demand = app
        .create_demand(
            &enterprise,
            json!({"title": "枸杞鲜果机械化采收", "description": "需要采收装备", "industries": ["goji"]}),
        )
        .await;
    let supply = app
        .create_supply(&institute, json!({"title": "枸杞采收装备", "summary": "采收机", "industries": ["goji"]}))
        .await;
    assert_eq!((demand.body["status"].as_str(), supply.body["status"].as_str()), (Some("open"), Some("published")));
    for org in [&enterprise.organization_id, &institute.organization_id] {
        match verified_by {
            Some(admin) => {
                let path = format!("/api/v1/organizations/{org}/verification");
                let reply = app.post_as(admin.bearer(), &path, &json!({"verification": "verified"})).await;
                assert_eq!(reply.status, 200, "{}", reply.body);
            }
            None => {
                let sql = format!("UPDATE organizations SET verification = 'unverified' WHERE id = '{org}'");
                diesel::sql_query(sql).execute(&mut app.db.connect()).unwrap();
            }
        }
    }
    (enterprise, institute, demand.body["id"].as_str().unwrap().into(), supply.body["id"].as_str().unwrap().into())
}

/// Two fresh organisations with a connection brought to `negotiating`.
pub async fn negotiating(app: &TestApp, verified_by: Option<&Session>) -> Pair {
    let (enterprise, institute, demand, supply) = listed(app, verified_by).await;
    let body = json!({"demand_id": demand, "supply_id": supply});
    let opened = app.post_as(enterprise.bearer(), "/api/v1/connections", &body).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let connection = opened.body["id"].as_str().unwrap().to_string();
    let step = |who: &Session, to: &str| {
        let (token, path) = (who.token.clone(), format!("/api/v1/connections/{connection}/events"));
        let body = json!({"to": to});
        async move { app.post_as(Some(&token), &path, &body).await }
    };
    assert_eq!(step(&institute, "contacted").await.status, 201);
    assert_eq!(step(&enterprise, "negotiating").await.status, 201);
    Pair { enterprise, institute, connection }
}

pub fn terms(total: i64, technical: i64) -> Value {
    json!({"contract_type": "transfer", "sub_kind": "patent_transfer", "total_fen": total, "technical_fen": technical,
        "signed_on": "2026-11-20", "term_start": "2026-12-01", "term_end": "2027-11-30", "note": "按专利权转让签订"})
}

pub async fn propose(app: &TestApp, who: &Session, connection: &str, body: &Value) -> common::Reply {
    app.post_as(who.bearer(), &format!("/api/v1/connections/{connection}/contract"), body).await
}

pub async fn confirm(app: &TestApp, who: &Session, connection: &str, version: &Value) -> common::Reply {
    let path = format!("/api/v1/connections/{connection}/contract/confirm");
    app.post_as(who.bearer(), &path, &json!({"version": version, "note": "确认签订"})).await
}

/// The statistics an admin reads, as one value to compare before and after.
async fn all_statistics(app: &TestApp, admin: &Session) -> Value {
    let mut out = json!({});
    for path in ["/api/v1/stats/contracts", "/api/v1/stats/connections", "/api/v1/stats/listings"] {
        let reply = app.get_as(admin.bearer(), path).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        out[path] = reply.body;
    }
    out
}

async fn contract_total(app: &TestApp, admin: &Session) -> Value {
    app.get_as(admin.bearer(), "/api/v1/stats/contracts").await.body["total"].clone()
}

#[actix_web::test]
async fn both_sides_sign_and_a_confirmed_contract_between_verified_parties_counts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = negotiating(&app, Some(&admin)).await;
    let c = &p.connection;
    app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{c}/contract"))
        .await
        .assert_problem(404, "not_found");
    // A negotiating connection offers no `signed` move: the contract signs it.
    let view = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{c}")).await;
    assert_eq!(view.body["allowed_moves"], json!(["failed", "withdrawn"]));
    let events = format!("/api/v1/connections/{c}/events");
    let illegal = app.post_as(p.enterprise.bearer(), &events, &json!({"to": "contacted"})).await;
    illegal.assert_problem(409, "illegal_transition");
    assert_eq!(illegal.body["allowed"], json!(["failed", "withdrawn"]));
    let proposed = propose(&app, &p.enterprise, c, &terms(5_000_000, 4_000_000)).await;
    assert_eq!(proposed.status, 201, "{}", proposed.body);
    assert_eq!(proposed.body["status"], "proposed");
    assert_eq!(proposed.body["counts_in_statistics"], false);
    assert_eq!(proposed.body["buyer"]["organization_id"], p.enterprise.organization_id.as_str());
    assert_eq!(proposed.body["seller"]["organization_id"], p.institute.organization_id.as_str());
    assert_eq!(proposed.body["proposer_organization_id"], p.enterprise.organization_id.as_str());
    assert_eq!(contract_total(&app, &admin).await["count"], 0, "a proposal does not count");

    // Confirming one's own proposal: 403, nothing changes.
    confirm(&app, &p.enterprise, c, &proposed.body["version"]).await.assert_problem(403, "forbidden");
    // A confirmation names the terms it read.
    let stale = json!(proposed.body["version"].as_i64().unwrap() + 1);
    confirm(&app, &p.institute, c, &stale).await.assert_problem(412, "version_mismatch");
    let signed = confirm(&app, &p.institute, c, &proposed.body["version"]).await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    assert_eq!(signed.body["status"], "signed");
    assert_eq!(signed.body["review"], "not_required");
    assert_eq!(signed.body["review_reasons"], json!([]));
    assert_eq!(signed.body["counts_in_statistics"], true);
    assert_eq!(signed.body["confirmed_by"], p.institute.user_id.as_str());
    assert_eq!(signed.body["allowed_moves"], json!(["in_performance", "terminated"]));

    let connection = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{c}")).await;
    assert_eq!(connection.body["status"], "signed");
    assert_eq!(connection.body["contract_amount_fen"], 5_000_000);
    assert_eq!(connection.body["contract_type"], "transfer");
    let last = connection.body["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["to_status"].clone(), last["note"].clone()), (json!("signed"), json!("确认签订")));

    assert_eq!(
        contract_total(&app, &admin).await,
        json!({"count": 1, "amount_fen": 5_000_000, "technical_fen": 4_000_000})
    );
    let funnel = app.get_as(admin.bearer(), "/api/v1/stats/connections").await.body["funnel"].clone();
    assert_eq!(funnel["signed"], 1);
    // A confirmed contract's terms do not change.
    propose(&app, &p.enterprise, c, &terms(1, 1)).await.assert_problem(409, "illegal_transition");
    propose(&app, &p.institute, c, &terms(1, 1)).await.assert_problem(409, "illegal_transition");

    // The audit log: the proposal and the confirmation, by whoever did them, read by both sides'
    // members (one entry under each organisation); refused attempts left nothing.
    let contract_id = signed.body["id"].as_str().unwrap();
    for side in [&p.enterprise, &p.institute] {
        let log = app.get_as(side.bearer(), &format!("/api/v1/audit-log?record_id={contract_id}")).await;
        assert_eq!(log.status, 200, "{}", log.body);
        let seen: Vec<(Value, Value)> = log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["action"].clone(), e["actor_id"].clone()))
            .collect();
        assert_eq!(
            seen,
            [
                (json!("contract_confirmed"), json!(p.institute.user_id)),
                (json!("contract_proposed"), json!(p.enterprise.user_id)),
            ],
            "{}",
            log.body
        );
        let confirmed = &log.body["items"][0]["changes"]["status"];
        assert_eq!(confirmed, &json!({"before": "proposed", "after": "signed"}));
    }
}

#[actix_web::test]
async fn bad_terms_and_the_wrong_people_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = negotiating(&app, None).await;
    let c = &p.connection;
    for (body, field) in [
        (terms(1_000, 1_001), "technical_fen"),
        (terms(-1, 0), "total_fen"),
        (terms(1_000_000_000_000_001, 0), "total_fen"),
        (
            {
                let mut t = terms(10, 5);
                t["sub_kind"] = json!("patent_license");
                t
            },
            "sub_kind",
        ),
        (
            {
                let mut t = terms(10, 5);
                t["term_end"] = json!("2026-11-30");
                t
            },
            "term_end",
        ),
    ] {
        let reply = propose(&app, &p.enterprise, c, &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], field, "{body}");
    }
    let mut unknown = terms(10, 5);
    unknown["registration_no"] = json!("2026640100000123");
    propose(&app, &p.enterprise, c, &unknown).await.assert_problem(400, "invalid_body");
    // Brokers and admins do not sign; outsiders do not see the connection.
    propose(&app, &admin, c, &terms(10, 5)).await.assert_problem(403, "forbidden");
    let outsider = app.register("enterprise", "旁观企业").await;
    propose(&app, &outsider, c, &terms(10, 5)).await.assert_problem(404, "not_found");
    app.get_as(outsider.bearer(), &format!("/api/v1/connections/{c}/contract")).await.assert_problem(404, "not_found");
    // Nothing to confirm yet.
    confirm(&app, &p.institute, c, &json!(1)).await.assert_problem(404, "not_found");
    // A connection signs only from `negotiating`.
    let other = negotiating(&app, None).await;
    let failed = app
        .post_as(
            other.enterprise.bearer(),
            &format!("/api/v1/connections/{}/events", other.connection),
            &json!({"to": "failed", "failure_reason": "price_gap"}),
        )
        .await;
    assert_eq!(failed.status, 201);
    let reply = propose(&app, &other.enterprise, &other.connection, &terms(10, 5)).await;
    reply.assert_problem(409, "illegal_transition");
    assert_eq!(reply.body["from"], "failed");
    // Nothing was written by any refusal.
    app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{c}/contract"))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn the_one_sided_ten_trillion_attack_leaves_statistics_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // An honest, counted contract so that "unchanged" is not "empty".
    let honest = negotiating(&app, Some(&admin)).await;
    let v = propose(&app, &honest.institute, &honest.connection, &terms(8_000_000, 6_000_000)).await.body["version"]
        .clone();
    assert_eq!(confirm(&app, &honest.enterprise, &honest.connection, &v).await.status, 200);

    // Two organisations registered a minute ago, negotiating; one side records ten trillion yuan.
    let p = negotiating(&app, None).await;
    let c = &p.connection;
    let before = all_statistics(&app, &admin).await;
    assert_eq!(before["/api/v1/stats/contracts"]["total"]["count"], 1);
    assert_eq!(before["/api/v1/stats/connections"]["funnel"]["signed"], 1);
    let huge = 1_000_000_000_000_000_i64;
    let one_sided = app
        .post_as(
            p.enterprise.bearer(),
            &format!("/api/v1/connections/{c}/events"),
            &json!({"to": "signed", "contract_amount_fen": huge, "contract_type": "transfer"}),
        )
        .await;
    one_sided.assert_problem(400, "invalid_body");
    let bare =
        app.post_as(p.enterprise.bearer(), &format!("/api/v1/connections/{c}/events"), &json!({"to": "signed"})).await;
    bare.assert_problem(422, "validation_failed");
    let proposed = propose(&app, &p.enterprise, c, &terms(huge, huge)).await;
    assert_eq!(proposed.status, 201, "{}", proposed.body);
    assert_eq!(all_statistics(&app, &admin).await, before, "a proposal alone changes nothing");

    // Even the colluding other side's confirmation only queues it for review.
    let confirmed = confirm(&app, &p.institute, c, &proposed.body["version"]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.body["review"], "pending");
    assert_eq!(confirmed.body["review_reasons"], json!(["large_amount", "unverified_party"]));
    assert_eq!(confirmed.body["counts_in_statistics"], false);
    let mut after = all_statistics(&app, &admin).await;
    // The connection is no longer open: it is signed, waiting for review, outside `signed`.
    let funnel = &mut after["/api/v1/stats/connections"]["funnel"];
    assert_eq!((funnel["open"].clone(), funnel["awaiting_review"].clone()), (json!(0), json!(1)));
    (funnel["open"], funnel["awaiting_review"]) = (json!(1), json!(0));
    assert_eq!(after, before, "a contract waiting for review changes no figure");
    let rejected = app
        .post_as(
            admin.bearer(),
            &format!("/api/v1/connections/{c}/contract/review"),
            &json!({"decision": "rejected", "note": "金额明显失实"}),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.body);
    assert_eq!(rejected.body["review"], "rejected");
    let mut after = all_statistics(&app, &admin).await;
    let funnel = &mut after["/api/v1/stats/connections"]["funnel"];
    (funnel["open"], funnel["awaiting_review"]) = (json!(1), json!(0));
    assert_eq!(after, before, "a rejected contract never counts");

    // The pair reopened is a new connection with no contract of its own yet.
    let connection = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{c}")).await;
    let body = json!({"demand_id": connection.body["demand"]["listing_id"], "supply_id": connection.body["supply"]["listing_id"]});
    let reopened = app.post_as(p.enterprise.bearer(), "/api/v1/connections", &body).await;
    assert_eq!(reopened.status, 201, "{}", reopened.body);
    assert_ne!(reopened.body["id"], json!(c));
    let path = format!("/api/v1/connections/{}/contract", reopened.body["id"].as_str().unwrap());
    app.get_as(p.enterprise.bearer(), &path).await.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_disputed_proposal_waits_for_new_terms() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = negotiating(&app, Some(&admin)).await;
    let c = &p.connection;
    let first = propose(&app, &p.enterprise, c, &terms(3_000_000, 3_000_000)).await;
    let dispute = |who: Session, note: &'static str| {
        let path = format!("/api/v1/connections/{c}/contract/dispute");
        let app = &app;
        async move { app.post_as(who.bearer(), &path, &json!({"note": note})).await }
    };
    dispute(p.enterprise.clone(), "我方提出的").await.assert_problem(403, "forbidden");
    let blank = dispute(p.institute.clone(), "  ").await;
    blank.assert_problem(422, "validation_failed");
    let disputed = dispute(p.institute.clone(), "技术交易额应为 200 万元").await;
    assert_eq!(disputed.status, 200, "{}", disputed.body);
    assert_eq!(
        (disputed.body["status"].clone(), disputed.body["dispute_note"].clone()),
        (json!("disputed"), json!("技术交易额应为 200 万元"))
    );
    confirm(&app, &p.institute, c, &disputed.body["version"]).await.assert_problem(409, "illegal_transition");
    assert_eq!(contract_total(&app, &admin).await["count"], 0);

    // New terms from the other side this time: the enterprise confirms them.
    let second = propose(&app, &p.institute, c, &terms(3_000_000, 2_000_000)).await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(second.body["status"], "proposed");
    assert_eq!(second.body["dispute_note"], Value::Null);
    assert!(second.body["version"].as_i64() > first.body["version"].as_i64());
    confirm(&app, &p.institute, c, &second.body["version"]).await.assert_problem(403, "forbidden");
    confirm(&app, &p.enterprise, c, &first.body["version"]).await.assert_problem(412, "version_mismatch");
    assert_eq!(confirm(&app, &p.enterprise, c, &second.body["version"]).await.status, 200);
    assert_eq!(
        contract_total(&app, &admin).await,
        json!({"count": 1, "amount_fen": 3_000_000, "technical_fen": 2_000_000})
    );

    // Each step reached the other side's inbox (`contract_updated`), newest first.
    let institute = contract_news(&app, &p.institute, 2).await;
    assert!(institute[0].contains("确认了合同条款（合同金额 30000.00 元）"), "{institute:?}");
    assert!(institute[1].contains("提出了合同条款"), "{institute:?}");
    let enterprise = contract_news(&app, &p.enterprise, 2).await;
    assert!(enterprise[0].contains("提出了合同条款"), "{enterprise:?}");
    assert!(enterprise[1].contains("提出异议：技术交易额应为 200 万元"), "{enterprise:?}");
}

/// The bodies of `who`'s `contract_updated` notifications (in Chinese), newest first, once there
/// are `n` (the delivery pass fans them out within its tick).
async fn contract_news(app: &TestApp, who: &Session, n: usize) -> Vec<String> {
    let started = std::time::Instant::now();
    loop {
        let req = awc::Client::default()
            .get(app.url("/api/v1/notifications?kind=contract_updated"))
            .insert_header(("Authorization", format!("Bearer {}", who.token)))
            .insert_header(("Accept-Language", "zh-CN"));
        let reply = app.send(req, None).await;
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        if items.len() >= n {
            return items.iter().map(|i| i["body"].as_str().unwrap_or_default().to_string()).collect();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{}", reply.body);
        actix_web::rt::time::sleep(std::time::Duration::from_millis(30)).await;
    }
}

#[actix_web::test]
async fn amounts_above_the_setting_wait_for_an_admin_even_between_verified_parties() {
    let db = common::TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.contract_review_above_fen = 1_000_000;
    let app = TestApp::spawn_with(db, config).await;
    let admin = app.admin().await;
    let small = negotiating(&app, Some(&admin)).await;
    let v =
        propose(&app, &small.enterprise, &small.connection, &terms(1_000_000, 1_000_000)).await.body["version"].clone();
    assert_eq!(
        confirm(&app, &small.institute, &small.connection, &v).await.body["review"],
        "not_required",
        "at the threshold"
    );
    let p = negotiating(&app, Some(&admin)).await;
    let c = &p.connection;
    let v = propose(&app, &p.enterprise, c, &terms(1_000_001, 500_000)).await.body["version"].clone();
    let confirmed = confirm(&app, &p.institute, c, &v).await;
    assert_eq!(
        (confirmed.body["review"].clone(), confirmed.body["review_reasons"].clone()),
        (json!("pending"), json!(["large_amount"]))
    );
    assert_eq!(contract_total(&app, &admin).await["count"], 1);

    let review = format!("/api/v1/connections/{c}/contract/review");
    app.post_as(p.enterprise.bearer(), &review, &json!({"decision": "approved"}))
        .await
        .assert_problem(403, "forbidden");
    let approved = app.post_as(admin.bearer(), &review, &json!({"decision": "approved", "note": "合同原件已核"})).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.body["counts_in_statistics"], true);
    assert!(approved.body["reviewed_by"].is_string() && approved.body["reviewed_at"].is_string());
    assert_eq!(
        contract_total(&app, &admin).await,
        json!({"count": 2, "amount_fen": 2_000_001, "technical_fen": 1_500_000})
    );
    app.post_as(admin.bearer(), &review, &json!({"decision": "rejected"}))
        .await
        .assert_problem(409, "illegal_transition");
}

#[actix_web::test]
async fn the_seller_registers_and_the_contract_runs_its_course() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = negotiating(&app, Some(&admin)).await;
    let c = &p.connection;
    let registration = format!("/api/v1/connections/{c}/contract/registration");
    let status = format!("/api/v1/connections/{c}/contract/status");
    let number = json!({"registration_no": "2026640100000123", "registered_on": "2026-11-25"});
    let v = propose(&app, &p.enterprise, c, &terms(2_000_000, 2_000_000)).await.body["version"].clone();
    app.post_as(p.institute.bearer(), &registration, &number).await.assert_problem(409, "illegal_transition");
    assert_eq!(confirm(&app, &p.institute, c, &v).await.status, 200);

    app.post_as(p.enterprise.bearer(), &registration, &number).await.assert_problem(403, "forbidden");
    for bad in ["12 34", "登记号123456", "12345"] {
        let reply = app
            .post_as(
                p.institute.bearer(),
                &registration,
                &json!({"registration_no": bad, "registered_on": "2026-11-25"}),
            )
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], "registration_no", "{bad}");
    }
    let registered = app.post_as(p.institute.bearer(), &registration, &number).await;
    assert_eq!(registered.status, 200, "{}", registered.body);
    assert_eq!(
        (registered.body["status"].clone(), registered.body["registration_no"].clone()),
        (json!("registered"), json!("2026640100000123"))
    );
    app.post_as(p.institute.bearer(), &registration, &number).await.assert_problem(409, "illegal_transition");
    let connection = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{c}")).await;
    assert_eq!(connection.body["contract_registration_no"], "2026640100000123");

    let early = app.post_as(p.enterprise.bearer(), &status, &json!({"to": "completed"})).await;
    early.assert_problem(409, "illegal_transition");
    assert_eq!(early.body["allowed"], json!(["in_performance", "terminated"]));
    let performing = app.post_as(p.enterprise.bearer(), &status, &json!({"to": "in_performance"})).await;
    assert_eq!(performing.body["status"], "in_performance", "{}", performing.body);
    app.post_as(p.institute.bearer(), &status, &json!({"to": "terminated"}))
        .await
        .assert_problem(422, "validation_failed");
    let ended = app.post_as(p.institute.bearer(), &status, &json!({"to": "terminated", "note": "对方违约"})).await;
    assert_eq!(
        (ended.body["status"].clone(), ended.body["status_note"].clone()),
        (json!("terminated"), json!("对方违约"))
    );
    assert_eq!(ended.body["allowed_moves"], json!([]));
    app.post_as(p.institute.bearer(), &status, &json!({"to": "completed"}))
        .await
        .assert_problem(409, "illegal_transition");
}

/// Connections signed one-sidedly before contracts existed become contracts waiting for review.
#[actix_web::test]
async fn one_sided_signed_rows_are_migrated_to_contracts_waiting_for_review() {
    let db = common::TestDb::new();
    let mut conn = db.connect();
    // Back to the schema before contracts (this migration and any later one reverted).
    let is_contracts = |v: &str| v.replace('-', "") == "20261202000020";
    while conn.applied_migrations().unwrap().iter().any(|v| is_contracts(&v.to_string())) {
        conn.revert_last_migration(techmatch::db::MIGRATIONS).unwrap();
    }
    conn.batch_execute(
        "INSERT INTO organizations (id, kind, name) VALUES
           ('00000000-0000-0000-0000-0000000000e1', 'enterprise', 'E'), ('00000000-0000-0000-0000-0000000000a1', 'research_institute', 'I');
         INSERT INTO demands (id, organization_id, title, description, industries) VALUES
           ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000e1', 'd1', 'd', '{goji}');
         INSERT INTO supplies (id, organization_id, title, summary, industries) VALUES
           ('00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-0000000000a1', 's1', 's', '{goji}');
         INSERT INTO connections (id, demand_id, supply_id, status, contract_amount_fen, contract_type, created_at) VALUES
           ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000f1',
            'signed', 1000000000000000, 'license', '2026-06-01 09:00:00+00');
         INSERT INTO connection_events (connection_id, from_status, to_status, created_at) VALUES
           ('00000000-0000-0000-0000-0000000000c1', NULL, 'proposed', '2026-06-01 09:00:00+00'),
           ('00000000-0000-0000-0000-0000000000c1', 'proposed', 'signed', '2026-06-02 09:00:00+00');",
    )
    .unwrap();
    conn.run_pending_migrations(techmatch::db::MIGRATIONS).unwrap();
    // The demo accounts are written by today's code, so on today's schema.
    techmatch::accounts::demo::ensure_demo_accounts(&mut conn, PASSWORD).unwrap();
    drop(conn);
    let app = TestApp::spawn_on(db).await;
    let admin = app.login("admin@demo.techmatch", PASSWORD).await;
    let c = "00000000-0000-0000-0000-0000000000c1";
    let contract = app.get_as(admin.bearer(), &format!("/api/v1/connections/{c}/contract")).await;
    assert_eq!(contract.status, 200, "{}", contract.body);
    assert_eq!(
        [
            &contract.body["status"],
            &contract.body["review"],
            &contract.body["review_reasons"],
            &contract.body["signed_on"],
            &contract.body["total_fen"]
        ],
        [
            &json!("signed"),
            &json!("pending"),
            &json!(["one_sided_legacy"]),
            &json!("2026-06-02"),
            &json!(1_000_000_000_000_000_i64)
        ]
    );
    assert_eq!(contract_total(&app, &admin).await["count"], 0, "a one-sided contract of old does not count");
    let approved = app
        .post_as(admin.bearer(), &format!("/api/v1/connections/{c}/contract/review"), &json!({"decision": "approved"}))
        .await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(contract_total(&app, &admin).await["count"], 1);
}

/// Two verified organisations with a contract of `total` fen both sides confirmed (the
/// enterprise proposed, the institute confirmed).
pub async fn signed(app: &TestApp, admin: &Session, total: i64, technical: i64) -> Pair {
    let p = negotiating(app, Some(admin)).await;
    let v = propose(app, &p.enterprise, &p.connection, &terms(total, technical)).await.body["version"].clone();
    let confirmed = confirm(app, &p.institute, &p.connection, &v).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    p
}

#[actix_web::test]
async fn admins_list_the_review_queue_and_others_their_own_contracts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let counted = signed(&app, &admin, 1_000, 1_000).await;
    let pending = negotiating(&app, None).await;
    let v = propose(&app, &pending.enterprise, &pending.connection, &terms(2_000, 2_000)).await.body["version"].clone();
    assert_eq!(confirm(&app, &pending.institute, &pending.connection, &v).await.status, 200);

    let queue = app.get_as(admin.bearer(), "/api/v1/contracts?review=pending").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert_eq!(queue.body["total"], 1);
    assert_eq!(queue.body["items"][0]["connection_id"], pending.connection.as_str());
    assert_eq!(queue.body["items"][0]["seller"]["organization_id"], pending.institute.organization_id.as_str());
    assert_eq!(app.get_as(admin.bearer(), "/api/v1/contracts").await.body["total"], 2);
    let own = app.get_as(counted.institute.bearer(), "/api/v1/contracts").await;
    assert_eq!(
        (own.body["total"].clone(), own.body["items"][0]["connection_id"].clone()),
        (json!(1), json!(counted.connection))
    );
    let outsider = app.register("enterprise", "旁观企业").await;
    assert_eq!(app.get_as(outsider.bearer(), "/api/v1/contracts").await.body["total"], 0);
    app.get_as(admin.bearer(), "/api/v1/contracts?review=maybe").await.assert_problem(400, "invalid_query");
}

//! Connections (对接) over HTTP: the path from proposal to contract, illegal and concurrent
//! moves, idempotent opening, visibility, contact reveal, the append-only log, statistics.

use crate::common::{self, Session, TestApp, PASSWORD};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

struct Parties {
    enterprise: Session,
    institute: Session,
    demand: String,
    supply: String,
}

async fn parties(app: &TestApp) -> Parties {
    let enterprise = app.register("enterprise", "宁夏某枸杞企业").await;
    let institute = app.register("research_institute", "宁夏农林科学院").await;
    let demand = app
        .create_demand(&enterprise, json!({"title": "枸杞鲜果机械化采收", "description": "需要枸杞鲜果低损采收装备", "keywords": ["枸杞采收"], "industries": ["goji"]}))
        .await;
    let supply = app
        .create_supply(&institute, json!({"title": "枸杞鲜果高效低损采收装备", "summary": "枸杞鲜果采收机", "keywords": ["枸杞采收"], "industries": ["goji"]}))
        .await;
    Parties {
        demand: demand.body["id"].as_str().unwrap().into(),
        supply: supply.body["id"].as_str().unwrap().into(),
        enterprise,
        institute,
    }
}

async fn open(app: &TestApp, who: &Session, p: &Parties) -> common::Reply {
    app.post_as(
        who.bearer(),
        "/api/v1/connections",
        &json!({"demand_id": p.demand, "supply_id": p.supply, "note": "看起来对口"}),
    )
    .await
}

async fn step(app: &TestApp, who: &Session, id: &str, body: Value) -> common::Reply {
    app.post_as(who.bearer(), &format!("/api/v1/connections/{id}/events"), &body).await
}

#[actix_web::test]
async fn the_happy_path_from_proposal_to_signed_contract() {
    let app = TestApp::spawn().await;
    let p = parties(&app).await;
    let opened = open(&app, &p.enterprise, &p).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let id = opened.body["id"].as_str().unwrap().to_string();
    assert_eq!(opened.header("location"), Some(format!("/api/v1/connections/{id}").as_str()));
    assert_eq!(opened.body["status"], "proposed");
    assert_eq!(opened.body["allowed_moves"], json!(["failed", "withdrawn"]), "the proposer cannot accept");
    assert!(opened.body["match_score"].as_f64().unwrap() > 0.0, "score recorded at opening");
    assert!(opened.body["match_explanation"]["matched_keywords"].to_string().contains("枸杞采收"));
    assert_eq!(opened.body["broker_id"], Value::Null);
    assert_eq!(opened.body["events"].as_array().unwrap().len(), 1);
    assert_eq!(opened.body["events"][0]["note"], "看起来对口");
    // Contacts: each side sees its own, not the other's, until contacted.
    assert!(opened.body["demand"]["contact"].is_object());
    assert_eq!(opened.body["supply"]["contact"], Value::Null);
    let seen_by_supplier = app.get_as(p.institute.bearer(), &format!("/api/v1/connections/{id}")).await;
    assert_eq!(seen_by_supplier.body["demand"]["contact"], Value::Null);
    assert_eq!(seen_by_supplier.body["allowed_moves"], json!(["contacted", "failed", "withdrawn"]));

    // The proposing side cannot accept its own proposal (that would reveal the other's contacts).
    step(&app, &p.enterprise, &id, json!({"to": "contacted"})).await.assert_problem(403, "forbidden");
    assert_eq!(step(&app, &p.institute, &id, json!({"to": "contacted", "note": "愿意洽谈"})).await.status, 201);
    let after_contact = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{id}")).await;
    assert!(after_contact.body["supply"]["contact"].is_object(), "revealed once contacted: {}", after_contact.body);
    assert_eq!(step(&app, &p.enterprise, &id, json!({"to": "negotiating"})).await.status, 201);
    // Signing is the contract's: one side proposes, the other confirms.
    let terms = json!({"contract_type": "transfer", "total_fen": 30_000_000, "technical_fen": 30_000_000,
        "signed_on": "2026-03-01", "term_start": "2026-03-01", "term_end": "2027-02-28"});
    let proposed = app.post_as(p.enterprise.bearer(), &format!("/api/v1/connections/{id}/contract"), &terms).await;
    assert_eq!(proposed.status, 201, "{}", proposed.body);
    let confirm = json!({"version": proposed.body["version"]});
    let confirmed =
        app.post_as(p.institute.bearer(), &format!("/api/v1/connections/{id}/contract/confirm"), &confirm).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let signed = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{id}")).await;
    assert_eq!(signed.body["status"], "signed");
    assert_eq!(signed.body["contract_amount_fen"], 30_000_000);
    assert_eq!(signed.body["contract_type"], "transfer");
    assert_eq!(signed.body["allowed_moves"], json!([]));
    let log: Vec<(Value, Value)> = signed.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["from_status"].clone(), e["to_status"].clone()))
        .collect();
    assert_eq!(
        log,
        [
            (Value::Null, json!("proposed")),
            (json!("proposed"), json!("contacted")),
            (json!("contacted"), json!("negotiating")),
            (json!("negotiating"), json!("signed"))
        ]
    );
    assert_eq!(signed.body["events"][1]["actor_id"], p.institute.user_id.as_str());
    assert_eq!(signed.body["events"][3]["actor_id"], p.institute.user_id.as_str(), "the confirming side signs");
}

#[actix_web::test]
async fn illegal_moves_answer_409_with_the_allowed_moves_and_change_nothing() {
    let app = TestApp::spawn().await;
    let p = parties(&app).await;
    let id = open(&app, &p.enterprise, &p).await.body["id"].as_str().unwrap().to_string();
    for to in ["proposed", "negotiating"] {
        let reply = step(&app, &p.enterprise, &id, json!({"to": to})).await;
        reply.assert_problem(409, "illegal_transition");
        assert_eq!(reply.body["from"], "proposed");
        assert_eq!(reply.body["allowed"], json!(["contacted", "failed", "withdrawn"]));
    }
    // A stale `from` says so, even when the move itself would be allowed from the real status.
    let stale =
        step(&app, &p.enterprise, &id, json!({"from": "contacted", "to": "failed", "failure_reason": "capacity"}))
            .await;
    stale.assert_problem(409, "illegal_transition");
    assert!(stale.body["detail"].as_str().unwrap().contains("not `contacted`"), "{}", stale.body);
    // Payload rules per target.
    for (body, field) in [
        (json!({"to": "failed"}), "failure_reason"),
        (json!({"to": "failed", "failure_reason": "other"}), "note"),
        (json!({"to": "contacted", "failure_reason": "capacity"}), "failure_reason"),
        // Only the other side's confirmation of a contract signs a connection.
        (json!({"to": "signed"}), "to"),
    ] {
        let reply = step(&app, &p.enterprise, &id, body.clone()).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], field, "{body}");
    }
    step(&app, &p.enterprise, &id, json!({"to": "gone"})).await.assert_problem(400, "invalid_body");
    // The one-sided contract fields of old are gone from the move.
    step(&app, &p.enterprise, &id, json!({"to": "signed", "contract_amount_fen": 1, "contract_type": "license"}))
        .await
        .assert_problem(400, "invalid_body");
    let now = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{id}")).await;
    assert_eq!((now.body["status"].clone(), now.body["version"].clone()), (json!("proposed"), json!(1)));
    assert_eq!(now.body["events"].as_array().unwrap().len(), 1);

    // Final statuses allow nothing.
    assert_eq!(
        step(&app, &p.enterprise, &id, json!({"to": "failed", "failure_reason": "price_gap"})).await.status,
        201
    );
    for body in
        [json!({"to": "contacted"}), json!({"to": "withdrawn"}), json!({"to": "failed", "failure_reason": "capacity"})]
    {
        let reply = step(&app, &p.enterprise, &id, body).await;
        reply.assert_problem(409, "illegal_transition");
        assert_eq!(reply.body["allowed"], json!([]));
    }
    // Once the pair has no open connection, a new one may be opened.
    assert_eq!(open(&app, &p.enterprise, &p).await.status, 201);
}

#[actix_web::test]
async fn two_concurrent_moves_from_one_status_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let p = parties(&app).await;
    let admin = app.admin().await;
    // The same move twice, and two different moves from the status both callers saw.
    for (first, second) in [
        (json!({"to": "contacted"}), json!({"to": "contacted"})),
        (json!({"from": "proposed", "to": "contacted"}), json!({"from": "proposed", "to": "withdrawn"})),
        (
            json!({"from": "proposed", "to": "failed", "failure_reason": "capacity"}),
            json!({"from": "proposed", "to": "contacted"}),
        ),
    ] {
        let id = open(&app, &p.enterprise, &p).await.body["id"].as_str().unwrap().to_string();
        let (a, b) = tokio::join!(step(&app, &admin, &id, first), step(&app, &p.institute, &id, second));
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{} / {}", a.body, b.body);
        let now = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{id}")).await;
        assert_eq!(now.body["events"].as_array().unwrap().len(), 2, "one move logged");
        assert_eq!(now.body["version"], 2);
        let loser = if a.status == 201 { &b } else { &a };
        assert_eq!(loser.body["code"], "illegal_transition");
        // Close it so the next round can open the pair again.
        let _ = step(&app, &p.enterprise, &id, json!({"to": "withdrawn"})).await;
    }
}

#[actix_web::test]
async fn opening_is_idempotent_with_a_key_and_unique_per_open_pair() {
    let app = TestApp::spawn().await;
    let p = parties(&app).await;
    let body = json!({"demand_id": p.demand, "supply_id": p.supply});
    let send = |key: &'static str, body: Value| {
        let app = &app;
        let token = p.enterprise.token.clone();
        async move {
            let req = awc::Client::default()
                .post(app.url("/api/v1/connections"))
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Idempotency-Key", key));
            app.send(req.insert_header(("Content-Type", "application/json")), Some(serde_json::to_vec(&body).unwrap()))
                .await
        }
    };
    let first = send("open-1", body.clone()).await;
    let retry = send("open-1", body.clone()).await;
    assert_eq!((first.status.as_u16(), retry.status.as_u16()), (201, 201));
    assert_eq!(first.body, retry.body, "the retry gets the first response");
    let other_body = json!({"demand_id": p.demand, "supply_id": p.supply, "note": "different"});
    send("open-1", other_body).await.assert_problem(422, "idempotency_key_reused");
    let again = open(&app, &p.enterprise, &p).await;
    again.assert_problem(409, "connection_exists");
    assert_eq!(again.body["existing_id"], first.body["id"]);
    assert_eq!(app.get_as(p.enterprise.bearer(), "/api/v1/connections").await.body["total"], 1);
}

#[actix_web::test]
async fn only_the_parties_their_broker_and_admins_see_a_connection() {
    let app = TestApp::spawn().await;
    let p = parties(&app).await;
    let outsider = app.register("enterprise", "无关企业").await;
    let broker = app.register_unverified("service_agency", "技术转移中心").await;
    let other_broker = app.register("service_agency", "另一家中心").await;
    let admin = app.admin().await;

    // The outsider may not open one between others' listings, nor a broker before the department
    // has verified the agency.
    open(&app, &outsider, &p).await.assert_problem(403, "forbidden");
    open(&app, &broker, &p).await.assert_problem(403, "forbidden");
    let verify = format!("/api/v1/organizations/{}/verification", broker.organization_id);
    assert_eq!(app.post_as(admin.bearer(), &verify, &json!({"verification": "verified"})).await.status, 200);
    let by_broker = open(&app, &broker, &p).await;
    assert_eq!(by_broker.status, 201, "{}", by_broker.body);
    assert_eq!(by_broker.body["broker_id"], broker.user_id.as_str());
    // Contacts reach the broker only once both sides have accepted (see trust_input).
    assert!(by_broker.body["demand"]["contact"].is_null() && by_broker.body["supply"]["contact"].is_null());
    let id = by_broker.body["id"].as_str().unwrap();
    let path = format!("/api/v1/connections/{id}");

    for who in [&outsider, &other_broker] {
        app.get_as(who.bearer(), &path).await.assert_problem(404, "not_found");
        step(&app, who, id, json!({"to": "contacted"})).await.assert_problem(404, "not_found");
        assert_eq!(app.get_as(who.bearer(), "/api/v1/connections").await.body["total"], 0);
    }
    for who in [&p.enterprise, &p.institute, &broker, &admin] {
        assert_eq!(app.get_as(who.bearer(), &path).await.status, 200, "{}", who.email);
        assert_eq!(app.get_as(who.bearer(), "/api/v1/connections").await.body["total"], 1);
    }
    app.get(&path).await.assert_problem(401, "authentication_required");
    // On a broker's connection, each side accepts for itself; the broker cannot.
    step(&app, &broker, id, json!({"to": "contacted"})).await.assert_problem(403, "forbidden");
    for party in [&p.enterprise, &p.institute] {
        assert_eq!(step(&app, party, id, json!({"to": "contacted"})).await.status, 201);
    }
    let filtered = app
        .get_as(
            admin.bearer(),
            &format!("/api/v1/connections?broker_id={}&status=contacted&industry=goji", broker.user_id),
        )
        .await;
    assert_eq!(filtered.body["total"], 1);
    assert_eq!(app.get_as(admin.bearer(), "/api/v1/connections?industry=wine").await.body["total"], 0);
    app.get_as(admin.bearer(), "/api/v1/connections?industry=nope").await.assert_problem(400, "invalid_query");
    // Days PostgreSQL cannot hold as a timestamp (or RFC 3339 cannot write) are refused, not a 500.
    for path in [
        "/api/v1/connections?from=-4714-11-24",
        "/api/v1/connections?to=0000-06-01",
        "/api/v1/connections/export.csv?from=-5000-01-01",
        "/api/v1/stats/connections?from=0000-01-01",
        "/api/v1/stats/contracts?to=-0001-01-01",
    ] {
        app.get_as(admin.bearer(), path).await.assert_problem(400, "invalid_query");
    }

    // A withdrawn demand cannot get new connections.
    app.post_as(p.enterprise.bearer(), &format!("/api/v1/demands/{}/withdraw", p.demand), &json!({})).await;
    let closed = app
        .post_as(admin.bearer(), "/api/v1/connections", &json!({"demand_id": p.demand, "supply_id": p.supply}))
        .await;
    closed.assert_problem(409, "listing_not_available");
    let unknown = app
        .post_as(
            admin.bearer(),
            "/api/v1/connections",
            &json!({"demand_id": uuid::Uuid::new_v4(), "supply_id": p.supply}),
        )
        .await;
    unknown.assert_problem(422, "validation_failed");
    // To anyone but its organisation (and admins), the withdrawn demand is as absent as a random id.
    let other_broker = app.register("service_agency", "另一家技术转移机构").await;
    let hidden = app
        .post_as(other_broker.bearer(), "/api/v1/connections", &json!({"demand_id": p.demand, "supply_id": p.supply}))
        .await;
    hidden.assert_problem(422, "validation_failed");
    assert_eq!(hidden.body["errors"], unknown.body["errors"]);
}

/// A supply archived while a connection to it is being opened: the open waits for the archive's
/// transaction and then refuses, instead of joining an archived supply.
#[actix_web::test]
async fn an_archive_racing_an_open_wins_or_waits() {
    let db = common::TestDb::new();
    let url = db.url.clone();
    let app = TestApp::spawn_on(db).await;
    let p = parties(&app).await;
    let archive = format!("UPDATE supplies SET status = 'archived', version = version + 1 WHERE id = '{}'", p.supply);
    let archiver = common::hold_write(&url, archive);
    // The open's checks read the committed 'published' row; its insert must wait for the archive,
    // which commits once the open waits for it (or once the open is answered, if it never waits).
    let mut opening = std::pin::pin!(open(&app, &p.enterprise, &p));
    let answered_first = tokio::select! {
        opened = &mut opening => Some(opened),
        () = archiver.blocks_another(&url, std::time::Duration::from_secs(10)) => None,
    };
    archiver.commit().await;
    let opened = match answered_first {
        Some(opened) => opened,
        None => opening.await,
    };
    opened.assert_problem(409, "listing_not_available");
    let listed = app.get_as(p.enterprise.bearer(), "/api/v1/connections").await;
    assert_eq!(listed.body["total"], 0, "{}", listed.body);
}

#[actix_web::test]
async fn the_outcome_log_has_no_way_to_be_altered() {
    let app = TestApp::spawn().await;
    let p = parties(&app).await;
    let id = open(&app, &p.enterprise, &p).await.body["id"].as_str().unwrap().to_string();
    step(&app, &p.institute, &id, json!({"to": "contacted"})).await;
    let before = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{id}")).await.body["events"].clone();
    for method in ["PUT", "PATCH", "DELETE"] {
        for path in [format!("/api/v1/connections/{id}/events"), format!("/api/v1/connections/{id}")] {
            let reply = app.raw_as(p.enterprise.bearer(), method, &path, Some("application/json"), b"{}").await;
            reply.assert_problem(405, "method_not_allowed");
        }
    }
    let mut conn = app.db.connect();
    for statement in [
        "UPDATE connection_events SET note = 'rewritten'".to_string(),
        "DELETE FROM connection_events".to_string(),
        format!("UPDATE connection_events SET to_status = 'signed' WHERE connection_id = '{id}'"),
    ] {
        assert!(diesel::sql_query(statement).execute(&mut conn).is_err());
    }
    let after = app.get_as(p.enterprise.bearer(), &format!("/api/v1/connections/{id}")).await.body["events"].clone();
    assert_eq!(before, after);
}

#[actix_web::test]
async fn csv_export_for_admins() {
    let app = TestApp::spawn().await;
    let p = parties(&app).await;
    let id = open(&app, &p.enterprise, &p).await.body["id"].as_str().unwrap().to_string();
    let admin = app.admin().await;
    app.get_as(p.enterprise.bearer(), "/api/v1/connections/export.csv").await.assert_problem(403, "forbidden");
    let csv = app.get_as(admin.bearer(), "/api/v1/connections/export.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.body.as_str().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("id,status,demand_id,demand_title"));
    assert!(lines[1].starts_with(&format!("{id},proposed,{}", p.demand)));
    assert!(lines[1].contains("枸杞鲜果高效低损采收装备") && lines[1].contains("goji"));
    assert!(!text.starts_with('\u{feff}'), "no BOM unless asked");
    // For Excel on Chinese Windows: Chinese headers and a UTF-8 byte-order mark, on request.
    let zh = app.get_as(admin.bearer(), "/api/v1/connections/export.csv?headers=zh&bom=true").await;
    let text = zh.body.as_str().unwrap();
    assert!(text.starts_with("\u{feff}对接编号,状态,需求编号,需求名称"), "{text}");
    assert_eq!(text.lines().nth(1), Some(lines[1]));
    app.get_as(admin.bearer(), "/api/v1/connections/export.csv?headers=fr").await.assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn csv_export_cells_cannot_be_spreadsheet_formulas() {
    let app = TestApp::spawn().await;
    let enterprise = app.register("enterprise", "=HYPERLINK(\"http://evil.example\",\"x\")").await;
    let institute = app.register("research_institute", "研究院").await;
    let demand = app.create_demand(&enterprise, json!({"title": "+cmd|' /C calc'!A0", "description": "需要"})).await;
    let supply = app.create_supply(&institute, json!({"title": "@SUM(A1)", "summary": "成果"})).await;
    let body = json!({"demand_id": demand.body["id"], "supply_id": supply.body["id"]});
    assert_eq!(app.post_as(enterprise.bearer(), "/api/v1/connections", &body).await.status, 201);
    let csv = app.get_as(app.admin().await.bearer(), "/api/v1/connections/export.csv").await;
    let text = csv.body.as_str().unwrap();
    let row = text.lines().nth(1).unwrap();
    for cell in ["'+cmd|' /C calc'!A0", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"", "'@SUM(A1)"] {
        assert!(row.contains(cell), "{cell} not in {row}");
    }
}

/// Contract totals past i64 (thousands of contracts at the largest amount the API accepts, or
/// this shortcut) saturate instead of failing the statistics with a 500.
#[actix_web::test]
async fn contract_totals_saturate_instead_of_overflowing() {
    let db = common::TestDb::new();
    let mut conn = db.connect();
    stats_fixture(&mut conn);
    conn.batch_execute(
        "ALTER TABLE contracts DROP CONSTRAINT contracts_total_fen_check;
         UPDATE contracts SET total_fen = 5000000000000000000, technical_fen = 5000000000000000000",
    )
    .unwrap();
    let app = TestApp::spawn_on(db).await;
    let admin = app.login("admin@demo.techmatch", PASSWORD).await;
    let contracts = app.get_as(admin.bearer(), "/api/v1/stats/contracts").await;
    assert_eq!(contracts.status, 200, "{}", contracts.body);
    assert_eq!(contracts.body["total"], json!({"count": 3, "amount_fen": i64::MAX, "technical_fen": i64::MAX}));
}

/// A fixture with hand-computed figures (see the comments): 3 demands, 3 supplies, 8 connections.
fn stats_fixture(conn: &mut PgConnection) {
    techmatch::accounts::demo::ensure_demo_accounts(conn, PASSWORD).unwrap();
    let sql = r#"
    INSERT INTO organizations (id, kind, name) VALUES
      ('00000000-0000-0000-0000-0000000000e1', 'enterprise', 'E'), ('00000000-0000-0000-0000-0000000000a1', 'research_institute', 'I');
    INSERT INTO demands (id, organization_id, title, description, industries) VALUES
      ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000e1', 'd1', 'd', '{goji}'),
      ('00000000-0000-0000-0000-0000000000d2', '00000000-0000-0000-0000-0000000000e1', 'd2', 'd', '{wine}'),
      ('00000000-0000-0000-0000-0000000000d3', '00000000-0000-0000-0000-0000000000e1', 'd3', 'd', '{goji,equipment_manufacturing}');
    INSERT INTO supplies (id, organization_id, title, summary, industries) VALUES
      ('00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-0000000000a1', 's1', 's', '{goji}'),
      ('00000000-0000-0000-0000-0000000000f2', '00000000-0000-0000-0000-0000000000a1', 's2', 's', '{wine}'),
      ('00000000-0000-0000-0000-0000000000f3', '00000000-0000-0000-0000-0000000000a1', 's3', 's', '{clean_energy}');
    "#;
    conn.batch_execute(sql).unwrap();
    // (connection, demand, supply, final status, broker?, amount, type, reason, [(status, day)])
    let b = "(SELECT id FROM users WHERE email = 'broker@demo.techmatch')";
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        bool,
        Option<i64>,
        Option<&'a str>,
        Option<&'a str>,
        Vec<(&'a str, &'a str)>,
    );
    let rows: Vec<Row> = vec![
        (
            "c1",
            "d1",
            "f1",
            "signed",
            true,
            Some(100_000_000),
            Some("transfer"),
            None,
            vec![
                ("proposed", "2026-01-10"),
                ("contacted", "2026-01-12"),
                ("negotiating", "2026-01-20"),
                ("signed", "2026-01-30"),
            ],
        ),
        (
            "c2",
            "d2",
            "f2",
            "signed",
            false,
            Some(30_000_000),
            Some("development"),
            None,
            vec![
                ("proposed", "2026-02-01"),
                ("contacted", "2026-02-02"),
                ("negotiating", "2026-02-05"),
                ("signed", "2026-03-11"),
            ],
        ),
        (
            "c3",
            "d3",
            "f1",
            "failed",
            false,
            None,
            None,
            Some("price_gap"),
            vec![("proposed", "2026-02-10"), ("contacted", "2026-02-11"), ("failed", "2026-02-15")],
        ),
        (
            "c4",
            "d1",
            "f3",
            "failed",
            false,
            None,
            None,
            Some("no_response"),
            vec![("proposed", "2026-03-01"), ("failed", "2026-03-20")],
        ),
        (
            "c5",
            "d2",
            "f3",
            "negotiating",
            false,
            None,
            None,
            None,
            vec![("proposed", "2026-03-05"), ("contacted", "2026-03-06"), ("negotiating", "2026-03-07")],
        ),
        ("c6", "d3", "f2", "proposed", false, None, None, None, vec![("proposed", "2026-04-01")]),
        (
            "c7",
            "d3",
            "f3",
            "withdrawn",
            false,
            None,
            None,
            None,
            vec![("proposed", "2026-04-02"), ("withdrawn", "2026-04-03")],
        ),
        (
            "c8",
            "d2",
            "f1",
            "signed",
            true,
            Some(20_000_000),
            Some("license"),
            None,
            vec![
                ("proposed", "2026-04-10"),
                ("contacted", "2026-04-11"),
                ("negotiating", "2026-04-12"),
                ("signed", "2026-04-20"),
            ],
        ),
    ];
    let id = |s: &str| format!("'00000000-0000-0000-0000-0000000000{s}'");
    for (c, d, s, status, brokered, amount, kind, reason, events) in rows {
        let q = |v: Option<&str>| v.map_or("NULL".to_string(), |v| format!("'{v}'"));
        conn.batch_execute(&format!(
            "INSERT INTO connections (id, demand_id, supply_id, status, broker_id, contract_amount_fen, contract_type, failure_reason, created_at)
             VALUES ({}, {}, {}, '{status}', {}, {}, {}, {}, '{} 09:00:00+00')",
            id(c), id(d), id(s), if brokered { b } else { "NULL" },
            amount.map_or("NULL".into(), |a| a.to_string()), q(kind), q(reason), events[0].1
        ))
        .unwrap();
        if let (Some(amount), Some(kind), Some((_, day))) = (amount, kind, events.last()) {
            // Confirmed by both sides on the day of the `signed` event; 技术交易额 half the total.
            conn.batch_execute(&format!(
                "INSERT INTO contracts (connection_id, status, contract_type, total_fen, technical_fen, signed_on,
                    term_start, term_end, confirmed_at)
                 VALUES ({}, 'signed', '{kind}', {amount}, {}, '{day}', '{day}', '{day}', '{day} 09:00:00+00')",
                id(c),
                amount / 2
            ))
            .unwrap();
        }
        let mut from = "NULL".to_string();
        for (to, day) in events {
            conn.batch_execute(&format!(
                "INSERT INTO connection_events (connection_id, from_status, to_status, created_at) VALUES ({}, {from}, '{to}', '{day} 09:00:00+00')",
                id(c)
            ))
            .unwrap();
            from = format!("'{to}'");
        }
    }
}

#[actix_web::test]
async fn statistics_on_a_fixture_computed_by_hand() {
    let db = common::TestDb::new();
    stats_fixture(&mut db.connect());
    let app = TestApp::spawn_on(db).await;
    let admin = app.login("admin@demo.techmatch", PASSWORD).await;
    let member = app.register("enterprise", "企业").await;
    app.get_as(member.bearer(), "/api/v1/stats/connections").await.assert_problem(403, "forbidden");

    let all = app.get_as(admin.bearer(), "/api/v1/stats/connections").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let f = &all.body["funnel"];
    // Opened 8; reached contacted: c1 c2 c3 c5 c8; negotiating: c1 c2 c5 c8; signed: c1 c2 c8.
    assert_eq!(
        [&f["proposed"], &f["contacted"], &f["negotiating"], &f["signed"], &f["failed"], &f["withdrawn"], &f["open"]],
        [&json!(8), &json!(5), &json!(4), &json!(3), &json!(2), &json!(1), &json!(2)]
    );
    // Days to sign: 20 (c1), 38 (c2), 10 (c8) → median 20.
    assert_eq!(f["median_days_to_sign"], 20.0);
    let c = &all.body["conversion"];
    assert_eq!(
        [
            &c["contacted_per_proposed"],
            &c["negotiating_per_contacted"],
            &c["signed_per_negotiating"],
            &c["signed_per_proposed"]
        ],
        [&json!(0.625), &json!(0.8), &json!(0.75), &json!(0.375)]
    );
    assert_eq!(
        all.body["failures"],
        json!([{"reason": "no_response", "count": 1}, {"reason": "price_gap", "count": 1}])
    );

    // Opened in February and March: c2 c3 c4 c5.
    let window = app.get_as(admin.bearer(), "/api/v1/stats/connections?from=2026-02-01&to=2026-03-31").await;
    let w = &window.body["funnel"];
    assert_eq!(
        [&w["proposed"], &w["contacted"], &w["negotiating"], &w["signed"], &w["failed"], &w["open"]],
        [&json!(4), &json!(3), &json!(2), &json!(1), &json!(2), &json!(1)]
    );
    assert_eq!(w["median_days_to_sign"], 38.0);

    let contracts = app.get_as(admin.bearer(), "/api/v1/stats/contracts?period=quarter").await;
    assert_eq!(contracts.status, 200, "{}", contracts.body);
    assert_eq!(contracts.body["total"], json!({"count": 3, "amount_fen": 150_000_000, "technical_fen": 75_000_000}));
    // c1 goji; c2 wine; c8 wine (d2) and goji (s1). Taxonomy order: wine before goji.
    assert_eq!(
        contracts.body["by_industry"],
        json!([
            {"industry": "wine", "count": 2, "amount_fen": 50_000_000, "technical_fen": 25_000_000},
            {"industry": "goji", "count": 2, "amount_fen": 120_000_000, "technical_fen": 60_000_000}
        ])
    );
    assert_eq!(
        contracts.body["by_period"],
        json!([
            {"period_start": "2026-01-01", "count": 2, "amount_fen": 130_000_000, "technical_fen": 65_000_000},
            {"period_start": "2026-04-01", "count": 1, "amount_fen": 20_000_000, "technical_fen": 10_000_000}
        ])
    );
    let brokers = contracts.body["by_broker"].as_array().unwrap();
    assert_eq!((brokers[0]["count"].clone(), brokers[0]["amount_fen"].clone()), (json!(2), json!(120_000_000)));
    assert!(brokers[0]["broker_id"].is_string());
    assert_eq!(
        brokers[1],
        json!({"broker_id": null, "count": 1, "amount_fen": 30_000_000, "technical_fen": 15_000_000})
    );
    let months = app.get_as(admin.bearer(), "/api/v1/stats/contracts?from=2026-03-01").await;
    assert_eq!(
        months.body["by_period"],
        json!([
            {"period_start": "2026-03-01", "count": 1, "amount_fen": 30_000_000, "technical_fen": 15_000_000},
            {"period_start": "2026-04-01", "count": 1, "amount_fen": 20_000_000, "technical_fen": 10_000_000}
        ])
    );
    app.get_as(admin.bearer(), "/api/v1/stats/contracts?period=week").await.assert_problem(400, "invalid_query");
    app.get_as(admin.bearer(), "/api/v1/stats/contracts?from=2026-05-01&to=2026-04-01")
        .await
        .assert_problem(400, "invalid_query");

    let listings = app.get_as(admin.bearer(), "/api/v1/stats/listings").await;
    let industry = |code: &str| {
        listings.body["industries"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap().clone()
    };
    let group =
        |code: &str| listings.body["groups"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap().clone();
    let counts =
        |v: Value| [v["supplies"].clone(), v["demands"].clone(), v["connections"].clone(), v["signed"].clone()];
    // goji: s1; d1 d3; c1 c3 c4 c6 c7 c8; signed c1 c8.
    assert_eq!(counts(industry("goji")), [json!(1), json!(2), json!(6), json!(2)]);
    // six_special: s1 s2; d1 d2 d3; every connection; 3 signed. six_new: s3; d3; c3 c4 c5 c6 c7; none signed.
    assert_eq!(counts(group("six_special")), [json!(2), json!(3), json!(8), json!(3)]);
    assert_eq!(counts(group("six_new")), [json!(1), json!(1), json!(5), json!(0)]);
    assert_eq!(listings.body["industries"].as_array().unwrap().len(), 20);
}

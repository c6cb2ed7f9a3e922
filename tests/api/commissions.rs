//! Commissions over HTTP: admin policies (overlaps refused), an agency's statement from the
//! contracts and receipts its broker facilitated, with its evidence, and its CSV export.

use crate::common::{Session, TestApp, PASSWORD};
use crate::contracts::{confirm, propose, terms};
use serde_json::{json, Value};

struct Brokered {
    broker: Session,
    agency: String,
    enterprise: Session,
    institute: Session,
    connection: String,
}

/// A connection the demo broker opened between two verified organisations, signed for `total`
/// (技术交易额 `technical`) on 2026-11-20.
async fn brokered(app: &TestApp, admin: &Session, total: i64, technical: i64) -> Brokered {
    let broker = app.login("broker@demo.techmatch", PASSWORD).await;
    let me = app.get_as(broker.bearer(), "/api/v1/me").await;
    let agency = me.body["organization"]["id"].as_str().or(me.body["organization_id"].as_str()).unwrap().to_string();
    let p = crate::contracts::verified_parties(app, admin).await;
    let body = json!({"demand_id": p.demand, "supply_id": p.supply});
    let opened = app.post_as(broker.bearer(), "/api/v1/connections", &body).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let connection = opened.body["id"].as_str().unwrap().to_string();
    let events = format!("/api/v1/connections/{connection}/events");
    for who in [&p.enterprise, &p.institute] {
        assert_eq!(app.post_as(who.bearer(), &events, &json!({"to": "contacted"})).await.status, 201);
    }
    assert_eq!(app.post_as(p.enterprise.bearer(), &events, &json!({"to": "negotiating"})).await.status, 201);
    let v = propose(app, &p.institute, &connection, &terms(total, technical)).await.body["version"].clone();
    assert_eq!(confirm(app, &p.enterprise, &connection, &v).await.status, 200);
    Brokered { broker, agency, enterprise: p.enterprise, institute: p.institute, connection }
}

fn policy(agency: Option<&str>, basis: &str, rate_bp: i64, cap: Option<i64>, from: &str, to: Option<&str>) -> Value {
    json!({"agency_id": agency, "basis": basis, "rate_bp": rate_bp, "cap_per_agency_fen": cap,
        "effective_from": from, "effective_to": to, "note": "福州：技术交易额 2%，每年封顶 50 万元"})
}

#[actix_web::test]
async fn policies_are_for_admins_and_never_overlap_in_one_scope() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let broker = app.login("broker@demo.techmatch", PASSWORD).await;
    let agency =
        app.get_as(broker.bearer(), "/api/v1/me").await.body["organization"]["id"].as_str().unwrap().to_string();
    let first = policy(Some(&agency), "technical_amount", 200, Some(50_000_000), "2026-01-01", Some("2026-12-31"));
    app.post_as(broker.bearer(), "/api/v1/commission-policies", &first).await.assert_problem(403, "forbidden");
    let created = app.post_as(admin.bearer(), "/api/v1/commission-policies", &first).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // Any overlap of the same agency's periods, whatever the basis: 409 naming the policy.
    for (from, to) in [("2026-12-31", None), ("2025-01-01", Some("2026-01-01")), ("2026-03-01", Some("2026-04-01"))] {
        let reply = app
            .post_as(
                admin.bearer(),
                "/api/v1/commission-policies",
                &policy(Some(&agency), "received_amount", 100, None, from, to),
            )
            .await;
        reply.assert_problem(409, "policy_overlap");
        assert_eq!(reply.body["existing_id"], created.body["id"]);
    }
    // The next year, and a default for every agency, are fine.
    let next = policy(Some(&agency), "received_amount", 100, None, "2027-01-01", None);
    assert_eq!(app.post_as(admin.bearer(), "/api/v1/commission-policies", &next).await.status, 201);
    let default = policy(None, "technical_amount", 100, None, "2026-01-01", None);
    assert_eq!(app.post_as(admin.bearer(), "/api/v1/commission-policies", &default).await.status, 201);
    app.post_as(admin.bearer(), "/api/v1/commission-policies", &default).await.assert_problem(409, "policy_overlap");
    for (body, field) in [
        (policy(None, "technical_amount", 10_001, None, "2030-01-01", None), "rate_bp"),
        (policy(None, "technical_amount", 100, None, "2030-01-01", Some("2029-12-31")), "effective_to"),
        (
            policy(Some(&uuid::Uuid::new_v4().to_string()), "technical_amount", 100, None, "2030-01-01", None),
            "agency_id",
        ),
    ] {
        let reply = app.post_as(admin.bearer(), "/api/v1/commission-policies", &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], field, "{body}");
    }
    let listed = app.get_as(admin.bearer(), "/api/v1/commission-policies").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn an_agency_s_statement_applies_the_rate_and_the_yearly_cap_with_its_evidence() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    // ¥30 M 技术交易额 → 2 % = ¥600k, capped at ¥500k for the year.
    let big = brokered(&app, &admin, 4_000_000_000, 3_000_000_000).await;
    let agency = big.agency.clone();
    let p = policy(Some(&agency), "technical_amount", 200, Some(50_000_000), "2026-01-01", Some("2026-12-31"));
    assert_eq!(app.post_as(admin.bearer(), "/api/v1/commission-policies", &p).await.status, 201);
    // A receipt is no evidence under a policy on 技术交易额; a contract without the broker is none.
    let payments = format!("/api/v1/connections/{}/contract/payments", big.connection);
    let receipt = json!({"received_on": "2026-11-25", "received_fen": 1_000_000, "evidence_ref": "回单"});
    assert_eq!(app.post_as(big.institute.bearer(), &payments, &receipt).await.status, 201);
    let _ = crate::contracts::signed(&app, &admin, 9_000_000, 9_000_000).await;

    let path = format!("/api/v1/agencies/{agency}/commission-statement?from=2026-11-01&to=2026-11-30");
    let outsider = app.register("enterprise", "旁观企业").await;
    app.get_as(outsider.bearer(), &path).await.assert_problem(403, "forbidden");
    app.get_as(big.enterprise.bearer(), &path).await.assert_problem(403, "forbidden");
    let statement = app.get_as(big.broker.bearer(), &path).await;
    assert_eq!(statement.status, 200, "{}", statement.body);
    assert_eq!(statement.body["commission_fen"], 50_000_000);
    let rows = statement.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", statement.body);
    assert_eq!(
        [
            &rows[0]["connection_id"],
            &rows[0]["base_fen"],
            &rows[0]["computed_fen"],
            &rows[0]["commission_fen"],
            &rows[0]["capped"],
            &rows[0]["basis"]
        ],
        [
            &json!(big.connection),
            &json!(3_000_000_000_i64),
            &json!(60_000_000),
            &json!(50_000_000),
            &json!(true),
            &json!("technical_amount")
        ]
    );
    // Outside the policy's period: nothing.
    let other_year = app
        .get_as(
            admin.bearer(),
            &format!("/api/v1/agencies/{agency}/commission-statement?from=2027-01-01&to=2027-12-31"),
        )
        .await;
    assert_eq!(other_year.body["rows"], json!([]));
    app.get_as(
        admin.bearer(),
        &format!("/api/v1/agencies/{agency}/commission-statement?from=2026-12-01&to=2026-11-01"),
    )
    .await
    .assert_problem(400, "invalid_query");

    // CSV, with Chinese headers and a BOM on request.
    let csv = app
        .get_as(
            admin.bearer(),
            &format!(
                "/api/v1/agencies/{agency}/commission-statement.csv?from=2026-11-01&to=2026-11-30&headers=zh&bom=true"
            ),
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("\u{feff}日期,计提依据,对接编号"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[1].starts_with("2026-11-20,技术交易额,")
            && lines[1].contains(",30000000.00,")
            && lines[1].ends_with(",2.00,600000.00,500000.00,是"),
        "{}",
        lines[1]
    );
    let plain = app
        .get_as(
            admin.bearer(),
            &format!("/api/v1/agencies/{agency}/commission-statement.csv?from=2026-11-01&to=2026-11-30"),
        )
        .await;
    assert!(plain.body.as_str().unwrap().starts_with("day,basis,connection_id"));
    // A second contract the same month: the year's cap is used up.
    let second = brokered(&app, &admin, 100_000_000, 100_000_000).await;
    let again = app.get_as(admin.bearer(), &path).await;
    assert_eq!(again.body["commission_fen"], 50_000_000, "{}", again.body);
    let last = again.body["rows"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        [&last["connection_id"], &last["computed_fen"], &last["commission_fen"], &last["capped"]],
        [&json!(second.connection), &json!(2_000_000), &json!(0), &json!(true)]
    );
}

#[actix_web::test]
async fn a_policy_on_receipts_pays_on_confirmed_receipts_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let b = brokered(&app, &admin, 10_000_000, 8_000_000).await;
    let p = policy(Some(&b.agency), "received_amount", 300, None, "2026-01-01", None);
    assert_eq!(app.post_as(admin.bearer(), "/api/v1/commission-policies", &p).await.status, 201);
    let payments = format!("/api/v1/connections/{}/contract/payments", b.connection);
    let add =
        |day: &str, fen: i64| json!({"received_on": day, "received_fen": fen, "evidence_ref": format!("回单{day}")});
    let first = app.post_as(b.institute.bearer(), &payments, &add("2026-11-25", 4_000_000)).await;
    assert_eq!(app.post_as(b.institute.bearer(), &payments, &add("2026-11-26", 1_000_000)).await.status, 201);
    let path = format!("/api/v1/agencies/{}/commission-statement?from=2026-01-01&to=2026-12-31", b.agency);
    assert_eq!(app.get_as(admin.bearer(), &path).await.body["commission_fen"], 0, "unconfirmed receipts earn nothing");
    let confirm = format!("{payments}/{}/confirm", first.body["id"].as_str().unwrap());
    assert_eq!(app.post_as(b.enterprise.bearer(), &confirm, &json!({})).await.status, 200);
    let statement = app.get_as(admin.bearer(), &path).await;
    assert_eq!(statement.body["commission_fen"], 120_000, "{}", statement.body);
    assert_eq!(statement.body["rows"][0]["payment_id"], first.body["id"]);
}

//! Payments (到账) over HTTP: the seller side enters and receives, the buyer side confirms; totals;
//! refusals (wrong side, above the total, terminated or unconfirmed contracts).

use crate::common::TestApp;
use crate::contracts::{negotiating, propose, signed, terms};
use serde_json::json;

#[actix_web::test]
async fn the_seller_enters_the_buyer_confirms_and_only_confirmed_receipts_are_received() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = signed(&app, &admin, 2_000_000, 1_500_000).await;
    let path = format!("/api/v1/connections/{}/contract/payments", p.connection);
    let plan = json!({"planned_on": "2026-12-10", "planned_fen": 1_000_000, "note": "首付款"});
    app.post_as(p.enterprise.bearer(), &path, &plan).await.assert_problem(403, "forbidden");
    app.post_as(admin.bearer(), &path, &plan).await.assert_problem(403, "forbidden");
    let planned = app.post_as(p.institute.bearer(), &path, &plan).await;
    assert_eq!(planned.status, 201, "{}", planned.body);
    assert_eq!(planned.body["status"], "planned");
    let direct = app
        .post_as(
            p.institute.bearer(),
            &path,
            &json!({"received_on": "2026-11-28", "received_fen": 500_000, "evidence_ref": "银行回单 0001"}),
        )
        .await;
    assert_eq!((direct.status.as_u16(), direct.body["status"].clone()), (201, json!("received")), "{}", direct.body);
    let totals = |body: &serde_json::Value| {
        [body["planned_fen"].clone(), body["received_fen"].clone(), body["unconfirmed_fen"].clone()]
    };
    let listed = app.get_as(p.enterprise.bearer(), &path).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(totals(&listed.body), [json!(1_000_000), json!(0), json!(500_000)]);
    assert_eq!(listed.body["contract_total_fen"], 2_000_000);

    let confirm = |id: &serde_json::Value| format!("{path}/{}/confirm", id.as_str().unwrap());
    app.post_as(p.institute.bearer(), &confirm(&direct.body["id"]), &json!({})).await.assert_problem(403, "forbidden");
    let confirmed = app.post_as(p.enterprise.bearer(), &confirm(&direct.body["id"]), &json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    app.post_as(p.enterprise.bearer(), &confirm(&direct.body["id"]), &json!({}))
        .await
        .assert_problem(409, "illegal_transition");
    app.post_as(p.enterprise.bearer(), &confirm(&planned.body["id"]), &json!({}))
        .await
        .assert_problem(409, "illegal_transition");

    let receipt = format!("{path}/{}/receipt", planned.body["id"].as_str().unwrap());
    let body = json!({"received_on": "2026-12-11", "received_fen": 1_000_000, "evidence_ref": "银行回单 0002"});
    app.post_as(p.enterprise.bearer(), &receipt, &body).await.assert_problem(403, "forbidden");
    let received = app.post_as(p.institute.bearer(), &receipt, &body).await;
    assert_eq!(received.body["status"], "received", "{}", received.body);
    app.post_as(p.institute.bearer(), &receipt, &body).await.assert_problem(409, "illegal_transition");
    assert_eq!(app.post_as(p.enterprise.bearer(), &confirm(&planned.body["id"]), &json!({})).await.status, 200);
    let listed = app.get_as(p.institute.bearer(), &path).await;
    assert_eq!(totals(&listed.body), [json!(0), json!(1_500_000), json!(0)]);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);

    let outsider = app.register("enterprise", "旁观企业").await;
    app.get_as(outsider.bearer(), &path).await.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn payments_above_the_total_on_unconfirmed_or_terminated_contracts_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = signed(&app, &admin, 1_000_000, 1_000_000).await;
    let path = format!("/api/v1/connections/{}/contract/payments", p.connection);
    let receipt = |fen: i64| json!({"received_on": "2026-11-28", "received_fen": fen, "evidence_ref": "回单"});
    assert_eq!(app.post_as(p.institute.bearer(), &path, &receipt(600_000)).await.status, 201);
    let over = app.post_as(p.institute.bearer(), &path, &receipt(400_001)).await;
    over.assert_problem(422, "validation_failed");
    assert_eq!(over.body["errors"][0]["field"], "received_fen");
    for (body, field) in [
        (json!({"received_on": "2026-11-28", "received_fen": 5}), "evidence_ref"),
        (json!({"planned_on": "2026-11-28"}), "planned_fen"),
        (json!({}), "planned_on"),
        (receipt(0), "received_fen"),
    ] {
        let reply = app.post_as(p.institute.bearer(), &path, &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], field, "{body}");
    }

    // Terminated: no more payments (409), and nothing was written.
    let status = format!("/api/v1/connections/{}/contract/status", p.connection);
    let ended = app.post_as(p.enterprise.bearer(), &status, &json!({"to": "terminated", "note": "协商解除"})).await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    let refused = app.post_as(p.institute.bearer(), &path, &receipt(1)).await;
    refused.assert_problem(409, "contract_not_payable");
    assert_eq!(refused.body["contract_status"], "terminated");
    let planned =
        app.post_as(p.institute.bearer(), &path, &json!({"planned_on": "2027-01-01", "planned_fen": 1})).await;
    planned.assert_problem(409, "contract_not_payable");
    assert_eq!(app.get_as(p.institute.bearer(), &path).await.body["items"].as_array().unwrap().len(), 1);

    // Not confirmed yet: no payments either; no contract at all: 404.
    let q = negotiating(&app, None).await;
    let path = format!("/api/v1/connections/{}/contract/payments", q.connection);
    app.post_as(q.institute.bearer(), &path, &receipt(1)).await.assert_problem(404, "not_found");
    assert_eq!(propose(&app, &q.enterprise, &q.connection, &terms(10, 10)).await.status, 201);
    app.post_as(q.institute.bearer(), &path, &receipt(1)).await.assert_problem(409, "contract_not_payable");
}

//! Account e-mail at registration (issue 13, item 5): a verification link mailed through the real
//! SMTP sink, publishing and opening connections refused until it is used, and registration with
//! an address that has an account answering as for a new one while the owner is mailed.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::{self, credit_code, TestApp, TestDb, PASSWORD};
use crate::delivery::{mailing_app, MailSink};
use crate::subscriptions::eventually;

fn registration(email: &str, name: &str, password: &str) -> Value {
    json!({"email": email, "password": password, "display_name": "注册人",
           "organization": {"kind": "enterprise", "name": name, "region": "宁夏", "credit_code": credit_code()}})
}

fn organizations_named(app: &TestApp, name: &str) -> i64 {
    let mut conn = app.db.connect();
    use techmatch::db::schema::organizations::dsl as o;
    o::organizations.filter(o::name.eq(name)).count().get_result(&mut conn).unwrap()
}

fn queued_to(app: &TestApp, address: &str) -> i64 {
    let mut conn = app.db.connect();
    use techmatch::db::schema::email_outbox::dsl as m;
    m::email_outbox.filter(m::to_address.eq(address)).count().get_result(&mut conn).unwrap()
}

/// Before: registration answered 201 with the account, publishing needed no proof of the address,
/// and a second registration with the same address answered 409 `email_taken`, telling anyone
/// which addresses have accounts. Now: one 202 answer for both, a link mailed to the new address,
/// a notice mailed to the owner of the taken one (nothing created), and publishing and opening
/// connections wait for the link (which expires by the clock and works once).
#[actix_web::test]
async fn registration_mails_a_link_and_answers_the_same_for_a_taken_address() {
    let sink = MailSink::start();
    let (app, clock) = mailing_app(&sink, Utc::now()).await;
    let email = format!("{}@example.org", uuid::Uuid::new_v4().simple());

    let first = app.post("/api/v1/auth/register", &registration(&email, "验证测试企业", PASSWORD)).await;
    assert_eq!(first.status, 202, "{}", first.body);
    let again = app.post("/api/v1/auth/register", &registration(&email, "冒名企业", "Someone-elses-secret-1")).await;
    assert_eq!((again.status, &again.body), (first.status, &first.body), "the same answer for a taken address");
    assert!(first.body.get("user").is_none() && first.body.get("organization").is_none(), "{}", first.body);
    assert_eq!(organizations_named(&app, "冒名企业"), 0, "nothing is created for a taken address");
    assert_eq!(organizations_named(&app, "验证测试企业"), 1);
    // The department has verified the organisation (so its listings skip review, as in most tests).
    diesel::sql_query("UPDATE organizations SET verification = 'verified' WHERE name = '验证测试企业'")
        .execute(&mut app.db.connect())
        .unwrap();

    let to_owner = || sink.all_mails().into_iter().filter(|m| m.to == email).collect::<Vec<_>>();
    eventually("two mails", StdDuration::from_secs(20), || to_owner().len() == 2).await;
    let mails = to_owner();
    let link = mails.iter().find(|m| m.message_id.starts_with("<email-verification-")).expect("the link mail");
    let notice = mails.iter().find(|m| m.message_id.starts_with("<registration-attempt-")).expect("the notice");
    assert_eq!((link.to.as_str(), notice.to.as_str()), (email.as_str(), email.as_str()));
    assert!(notice.body.contains("没有创建任何内容"), "{notice:?}");
    let expired = link.token();
    assert!(link.body.contains(&format!("/verify-email?token={expired}")), "{link:?}");

    // A third attempt within the hour mails the owner no second notice.
    let third = app.post("/api/v1/auth/register", &registration(&email, "冒名企业二", "Someone-elses-secret-2")).await;
    assert_eq!((third.status, &third.body), (first.status, &first.body));
    assert_eq!(queued_to(&app, &email), 2);
    // The other password does not sign in; the owner's does, unverified.
    app.post("/api/v1/auth/login", &json!({"email": email, "password": "Someone-elses-secret-1"}))
        .await
        .assert_problem(401, "invalid_credentials");
    let owner = app.login(&email, PASSWORD).await;
    let me = app.get_as(owner.bearer(), "/api/v1/me").await;
    assert_eq!(me.body["user"]["email_verified_at"], Value::Null, "{}", me.body);

    // Unverified: drafts yes, the market and connections no.
    let supplier = app.register("research_institute", "验证测试研究院").await;
    let supply = app
        .create_supply(&supplier, json!({"title": "枸杞鲜果高效低损采收装备", "summary": "枸杞鲜果采收机", "keywords": ["枸杞采收"], "industries": ["goji"]}))
        .await;
    assert_eq!(supply.status, 201, "{}", supply.body);
    let demand =
        json!({"title": "枸杞鲜果机械化采收", "description": "需要枸杞鲜果低损采收装备", "industries": ["goji"]});
    app.create_demand(&owner, demand.clone()).await.assert_problem(403, "email_unverified");
    let draft = app
        .create_demand(
            &owner,
            json!({"status": "draft", "title": "枸杞鲜果机械化采收", "description": "需要枸杞鲜果低损采收装备"}),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let (draft_id, tag) = (draft.body["id"].as_str().unwrap().to_string(), draft.header("etag").unwrap().to_string());
    app.patch_as(owner.bearer(), &format!("/api/v1/demands/{draft_id}"), &json!({"status": "open"}), Some(&tag))
        .await
        .assert_problem(403, "email_unverified");
    // (a pair the owner is no party to: the unverified address is what is refused first)
    let theirs = app.create_demand(&supplier, demand.clone()).await;
    let (demand_id, supply_id) = (theirs.body["id"].as_str().unwrap(), supply.body["id"].as_str().unwrap());
    app.post_as(owner.bearer(), "/api/v1/connections", &json!({"demand_id": demand_id, "supply_id": supply_id}))
        .await
        .assert_problem(403, "email_unverified");
    // An import submits its rows for the market too.
    let jsonl = "{\"title\": \"枸杞鲜果分选\", \"description\": \"需要分选设备\"}\n";
    app.raw_as(
        owner.bearer(),
        "POST",
        "/api/v1/exchange/imports?kind=demand",
        Some("application/x-ndjson"),
        jsonl.as_bytes(),
    )
    .await
    .assert_problem(403, "email_unverified");

    let long = app.post("/api/v1/auth/verify-email", &json!({"token": "x".repeat(201)})).await;
    long.assert_problem(422, "validation_failed");
    assert_eq!(
        (long.body["errors"][0]["field"].as_str(), long.body["errors"][0]["code"].as_str()),
        (Some("token"), Some("too_long"))
    );

    // The link expires after 48 hours by the clock; a new one works once.
    clock.advance(Duration::hours(49));
    app.post("/api/v1/auth/verify-email", &json!({"token": expired}))
        .await
        .assert_problem(410, "verification_token_invalid");
    let resent = app.post_as(owner.bearer(), "/api/v1/auth/verify-email/resend", &json!({})).await;
    assert_eq!(resent.status, 202, "{}", resent.body);
    eventually("the second link", StdDuration::from_secs(20), || to_owner().len() == 3).await;
    let links = to_owner().into_iter().filter(|m| m.message_id.starts_with("<email-verification-"));
    let token = links.map(|m| m.token()).find(|t| *t != expired).expect("a new token");
    let done = app.post("/api/v1/auth/verify-email", &json!({"token": token})).await;
    assert_eq!(done.status, 204, "{}", done.body);
    app.post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await
        .assert_problem(410, "verification_token_invalid");
    app.post_as(owner.bearer(), "/api/v1/auth/verify-email/resend", &json!({}))
        .await
        .assert_problem(409, "email_already_verified");
    let me = app.get_as(owner.bearer(), "/api/v1/me").await;
    assert!(me.body["user"]["email_verified_at"].is_string(), "{}", me.body);

    // Verified: the draft goes on the market and the connection opens.
    let opened = app
        .patch_as(owner.bearer(), &format!("/api/v1/demands/{draft_id}"), &json!({"status": "open"}), Some(&tag))
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let connection = app
        .post_as(owner.bearer(), "/api/v1/connections", &json!({"demand_id": draft_id, "supply_id": supply_id}))
        .await;
    assert_eq!(connection.status, 201, "{}", connection.body);

    // The owner (and admins) see the attempt in the audit log.
    let admin = app.admin().await;
    let log = app.get_as(admin.bearer(), "/api/v1/audit-log?action=registration_with_taken_email").await;
    assert_eq!(log.body["total"], 2, "{}", log.body);
    assert_eq!(log.body["items"][0]["record_id"], me.body["user"]["id"]);
}

/// `TECHMATCH_REQUIRE_EMAIL_VERIFICATION=false`: the link is still mailed, but an unverified user
/// publishes at once.
#[actix_web::test]
async fn verification_can_be_left_optional() {
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.lifecycle.require_email_verification = false;
    let app = TestApp::spawn_with(db, config).await;
    let user = app.register_account("enterprise", "无需验证企业").await;
    let demand = app
        .create_demand(&user, json!({"title": "枸杞鲜果机械化采收", "description": "需要枸杞鲜果低损采收装备"}))
        .await;
    assert_eq!(demand.status, 201, "{}", demand.body);
    assert_eq!(demand.body["status"], "pending_review", "an unverified organisation's demand waits for review");
    assert!(!app.mailed_token(&user.email, "email-verification").is_empty());
}

//! The audit log over HTTP: what is recorded (listings, verification, exports, contact views,
//! sign-ins), with before and after, in the action's own transaction; who reads which entries;
//! the database refusing UPDATE, DELETE and TRUNCATE.

use crate::common::{Reply, Session, TestApp, PASSWORD};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

async fn entries(app: &TestApp, who: &Session, query: &str) -> Reply {
    app.get_as(who.bearer(), &format!("/api/v1/audit-log?{query}")).await
}

fn items(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

fn actions(reply: &Reply) -> Vec<String> {
    items(reply).iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

fn count(app: &TestApp) -> i64 {
    use techmatch::db::schema::audit_log;
    audit_log::table.count().get_result(&mut app.db.connect()).unwrap()
}

#[actix_web::test]
async fn the_database_refuses_to_change_or_remove_entries() {
    let app = TestApp::spawn().await;
    app.register("enterprise", "审计企业").await; // signs in: one entry
    let before = count(&app);
    assert!(before >= 1);
    let mut conn = app.db.connect();
    for statement in
        ["UPDATE audit_log SET action = 'signed_in', detail = '{}'", "DELETE FROM audit_log", "TRUNCATE audit_log"]
    {
        let error = conn.batch_execute(statement).expect_err(statement).to_string();
        assert!(error.contains("audit_log is append-only"), "{statement}: {error}");
    }
    assert_eq!(count(&app), before, "nothing changed");
}

#[actix_web::test]
async fn listing_creation_edits_and_status_changes_are_recorded_with_before_and_after() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.register("enterprise", "审计需求企业").await;
    let created = app
        .create_demand(&owner, json!({"title": "枸杞烘干设备", "description": "需要节能烘干", "keywords": ["烘干"], "industries": ["goji"]}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/demands/{id}");
    let edited = app.patch_as(owner.bearer(), &path, &json!({"title": "枸杞节能烘干设备"}), Some("\"1\"")).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    // A failed edit (stale version) leaves no entry.
    let stale = app.patch_as(owner.bearer(), &path, &json!({"title": "不会生效"}), Some("\"1\"")).await;
    stale.assert_problem(412, "version_mismatch");
    let withdrawn = app.post_as(owner.bearer(), &format!("{path}/withdraw"), &json!({})).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    // Withdrawing again changes nothing and records nothing.
    app.post_as(owner.bearer(), &format!("{path}/withdraw"), &json!({})).await;

    let reply = entries(&app, &admin, &format!("record_id={id}")).await;
    assert_eq!(actions(&reply), ["listing_status_changed", "listing_updated", "listing_created"]);
    let list = items(&reply);
    for entry in &list {
        assert_eq!(entry["actor_id"], owner.user_id.as_str());
        assert_eq!(entry["actor_organization_id"], owner.organization_id.as_str());
        assert_eq!(entry["organization_id"], owner.organization_id.as_str());
        assert_eq!(entry["record_type"], "demand");
        assert_eq!(entry["client_addr"], "127.0.0.1");
    }
    assert_eq!(list[0]["changes"]["status"], json!({"before": "open", "after": "withdrawn"}));
    assert_eq!(list[1]["changes"], json!({"title": {"before": "枸杞烘干设备", "after": "枸杞节能烘干设备"}}));
    assert_eq!(list[2]["changes"]["title"], json!({"before": null, "after": "枸杞烘干设备"}));
    assert_eq!(list[2]["changes"]["status"], json!({"before": null, "after": "open"}));
    assert!(list[2]["changes"].get("version").is_none(), "no noise fields");
    assert!(!reply.body.to_string().contains("不会生效"), "the failed edit left nothing");
}

#[actix_web::test]
async fn verification_decisions_and_the_listings_a_rejection_takes_off_are_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let institute = app.register("research_institute", "审计认证院所").await;
    let supply = app
        .create_supply(&institute, json!({"title": "滩羊选育技术", "summary": "滩羊选育", "industries": ["tan_sheep"]}))
        .await;
    let supply_id = supply.body["id"].as_str().unwrap().to_string();
    let org = &institute.organization_id;
    let path = format!("/api/v1/organizations/{org}/verification");
    // `register` gives a verified organisation (its supply went on the market directly).
    assert_eq!(app.post_as(admin.bearer(), &path, &json!({"verification": "unverified"})).await.status, 200);
    assert_eq!(app.post_as(admin.bearer(), &path, &json!({"verification": "rejected"})).await.status, 200);

    let decisions = entries(&app, &admin, "action=organization_verification_set").await;
    let list = items(&decisions);
    assert_eq!(list.len(), 2, "{}", decisions.body);
    assert_eq!(list[0]["changes"]["verification"], json!({"before": "unverified", "after": "rejected"}));
    assert_eq!(list[1]["changes"]["verification"], json!({"before": "verified", "after": "unverified"}));
    let admin_id = app.get_as(admin.bearer(), "/api/v1/me").await.body["user"]["id"].clone();
    assert_eq!(list[0]["actor_id"], admin_id);
    assert_eq!(list[0]["record_type"], "organization");
    assert_eq!(list[0]["record_id"], org.as_str());

    let taken = entries(&app, &admin, &format!("record_id={supply_id}&action=listing_status_changed")).await;
    let list = items(&taken);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["changes"]["status"], json!({"before": "published", "after": "draft"}));
    assert_eq!(list[0]["changes"]["off_market_reason"]["after"], "organization_rejected");

    // The institute's members read the decisions about their organisation too.
    let own = entries(&app, &institute, "record_type=organization").await;
    assert_eq!(actions(&own), ["organization_verification_set", "organization_verification_set"]);
}

#[actix_web::test]
async fn exports_and_contact_views_are_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let enterprise = app.register("enterprise", "审计对接企业").await;
    let institute = app.register("research_institute", "审计对接院所").await;
    let demand = app
        .create_demand(&enterprise, json!({"title": "枸杞采收", "description": "采收装备", "industries": ["goji"]}))
        .await;
    let supply = app
        .create_supply(&institute, json!({"title": "枸杞采收机", "summary": "采收机", "industries": ["goji"]}))
        .await;
    let opened = app
        .post_as(
            enterprise.bearer(),
            "/api/v1/connections",
            &json!({"demand_id": demand.body["id"], "supply_id": supply.body["id"]}),
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let id = opened.body["id"].as_str().unwrap().to_string();
    let views = entries(&app, &admin, "action=contacts_viewed").await;
    assert_eq!(items(&views).len(), 0, "no contacts shown before acceptance");
    let accepted =
        app.post_as(institute.bearer(), &format!("/api/v1/connections/{id}/events"), &json!({"to": "contacted"})).await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    let read = app.get_as(enterprise.bearer(), &format!("/api/v1/connections/{id}")).await;
    assert_eq!(read.status, 200);

    let views = items(&entries(&app, &admin, &format!("action=contacts_viewed&record_id={id}")).await);
    assert_eq!(views.len(), 2, "the institute saw the enterprise's contacts, then the enterprise the institute's");
    assert_eq!(views[0]["actor_id"], enterprise.user_id.as_str());
    assert_eq!(
        views[0]["organization_id"],
        institute.organization_id.as_str(),
        "filed under whose contacts were shown"
    );
    assert_eq!(views[1]["actor_id"], institute.user_id.as_str());
    assert_eq!(views[1]["organization_id"], enterprise.organization_id.as_str());
    // The institute reads who saw its contacts.
    let own = actions(&entries(&app, &institute, "action=contacts_viewed").await);
    assert_eq!(own, ["contacts_viewed"]);

    let export = app.get_as(admin.bearer(), "/api/v1/connections/export.csv?status=contacted").await;
    assert_eq!(export.status, 200);
    let exports = items(&entries(&app, &admin, "action=connections_exported").await);
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0]["record_type"], "connection");
    assert_eq!(exports[0]["record_id"], Value::Null);
    assert_eq!(exports[0]["detail"]["rows"], 1);
    assert_eq!(exports[0]["detail"]["filters"]["status"], "contacted");
    // A refused export records nothing.
    let refused = app.get_as(enterprise.bearer(), "/api/v1/connections/export.csv").await;
    refused.assert_problem(403, "forbidden");
    assert_eq!(items(&entries(&app, &admin, "action=connections_exported").await).len(), 1);

    // A move answers with the connection: one view recorded for that answer, none for the
    // service's own read before the move (there were two per move).
    let moved = app
        .post_as(enterprise.bearer(), &format!("/api/v1/connections/{id}/events"), &json!({"to": "negotiating"}))
        .await;
    assert_eq!(moved.status, 201, "{}", moved.body);
    let views = items(&entries(&app, &admin, &format!("action=contacts_viewed&record_id={id}")).await);
    assert_eq!(views.len(), 3);
    let viewers: i64 = {
        use techmatch::db::schema::contact_views;
        contact_views::table.count().get_result(&mut app.db.connect()).unwrap()
    };
    assert_eq!(viewers, 3, "contact_views and the audit log agree");
}

#[actix_web::test]
async fn sign_ins_are_recorded_without_passwords_and_unknown_addresses_only_for_admins() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.register("enterprise", "审计登录企业").await;
    let wrong = "wrong horse battery staple";
    let login = |email: String, password: &'static str| {
        let app = &app;
        async move { app.post("/api/v1/auth/login", &json!({"email": email, "password": password})).await }
    };
    login(owner.email.clone(), "wrong horse battery staple").await.assert_problem(401, "invalid_credentials");
    login("nobody@example.org".into(), "wrong horse battery staple").await.assert_problem(401, "invalid_credentials");

    let all = entries(&app, &admin, "record_type=user&per_page=100").await;
    let text = all.body.to_string();
    assert!(!text.contains(wrong) && !text.contains(PASSWORD), "never a password");
    let failed = items(&entries(&app, &admin, "action=sign_in_failed").await);
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0]["record_id"], Value::Null, "an unknown e-mail names no account");
    assert_eq!(failed[0]["organization_id"], Value::Null);
    assert_eq!(failed[0]["detail"], json!({"reason": "unknown_account", "email": "nobody@example.org"}));
    assert_eq!(failed[1]["record_id"], owner.user_id.as_str());
    assert_eq!(failed[1]["actor_id"], Value::Null, "nobody was signed in");
    assert_eq!(failed[1]["detail"], json!({"reason": "wrong_password"}));
    assert_eq!(failed[1]["client_addr"], "127.0.0.1");
    let signed_in = items(&entries(&app, &admin, &format!("action=signed_in&actor_id={}", owner.user_id)).await);
    assert_eq!(signed_in.len(), 1);
    assert_eq!(signed_in[0]["record_id"], owner.user_id.as_str());

    // The account's own user reads their sign-ins; the unknown address is nowhere for them.
    let own = entries(&app, &owner, "record_type=user").await;
    assert_eq!(actions(&own), ["sign_in_failed", "email_verified", "signed_in", "account_registered"]);
    assert!(!own.body.to_string().contains("nobody@example.org"));
}

#[actix_web::test]
async fn members_read_only_their_own_organisations_entries_and_admins_filter() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.register("enterprise", "审计甲企业").await;
    let b = app.register("enterprise", "审计乙企业").await;
    let body = |title: &str| json!({"title": title, "description": "需求说明", "industries": ["goji"]});
    assert_eq!(app.create_demand(&a, body("甲的需求")).await.status, 201);
    assert_eq!(app.create_demand(&b, body("乙的需求")).await.status, 201);

    let seen_by_a = entries(&app, &a, "").await;
    assert_eq!(actions(&seen_by_a), ["listing_created", "email_verified", "signed_in", "account_registered"]);
    let registered = &items(&seen_by_a)[3];
    assert_eq!(registered["record_id"], a.user_id.as_str());
    assert_eq!(registered["changes"]["organization_role"], json!({"before": null, "after": "owner"}));
    assert_eq!(registered["detail"]["organization_kind"], "enterprise");
    assert!(items(&seen_by_a).iter().all(|e| e["organization_id"] == a.organization_id.as_str()));
    assert!(!seen_by_a.body.to_string().contains("乙的需求"));
    entries(&app, &a, &format!("organization_id={}", b.organization_id)).await.assert_problem(403, "forbidden");
    app.get("/api/v1/audit-log").await.assert_problem(401, "authentication_required");

    // Admins: filters by organisation, actor, record type and action, period, and pages.
    let by_org = entries(&app, &admin, &format!("organization_id={}&action=listing_created", b.organization_id)).await;
    assert_eq!(items(&by_org).len(), 1);
    assert!(by_org.body.to_string().contains("乙的需求"));
    let by_actor = entries(&app, &admin, &format!("actor_id={}&record_type=demand", a.user_id)).await;
    assert_eq!(actions(&by_actor), ["listing_created"]);
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let all_today = entries(&app, &admin, &format!("from={today}&to={today}&per_page=100")).await;
    let total = all_today.body["total"].as_i64().unwrap();
    assert!(total >= 7, "{}", all_today.body);
    assert_eq!(entries(&app, &admin, &format!("from={tomorrow}")).await.body["total"], 0);
    let page = entries(&app, &admin, "per_page=2&page=2").await;
    assert_eq!(items(&page).len(), 2);
    assert_eq!(page.body["total"], total);
    entries(&app, &admin, &format!("from={tomorrow}&to={today}")).await.assert_problem(400, "invalid_query");
    entries(&app, &admin, "action=deleted_everything").await.assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn an_action_whose_entry_cannot_be_written_does_not_happen() {
    let app = TestApp::spawn().await;
    let owner = app.register("enterprise", "审计原子企业").await;
    let created =
        app.create_demand(&owner, json!({"title": "原标题", "description": "需求说明", "industries": ["goji"]})).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    // The test breaks the log for edits only: the edit must fail with it.
    app.db
        .connect()
        .batch_execute(
            "CREATE FUNCTION refuse_edit_entries() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'audit log unavailable'; END; $$; \
             CREATE TRIGGER refuse_edit_entries BEFORE INSERT ON audit_log FOR EACH ROW \
             WHEN (NEW.action = 'listing_updated') EXECUTE FUNCTION refuse_edit_entries();",
        )
        .unwrap();
    let path = format!("/api/v1/demands/{id}");
    let edit = app.patch_as(owner.bearer(), &path, &json!({"title": "新标题"}), Some("\"1\"")).await;
    edit.assert_problem(500, "internal");
    let now = app.get_as(owner.bearer(), &path).await;
    assert_eq!(now.body["title"], "原标题", "the edit was rolled back with its entry");
    assert_eq!(now.body["version"], 1);
}

/// Adding an action means a variant of `AuditAction` and a row of `audit_actions`: this
/// fails when the two differ.
#[test]
fn every_action_and_record_type_of_the_vocabulary_is_accepted_by_the_table() {
    use techmatch::audit::{record, Entry};
    use techmatch::vocab::{AuditAction, AuditRecordType};
    let db = crate::common::TestDb::new();
    let mut conn = db.connect();
    for &action in AuditAction::ALL {
        record(&mut conn, &Entry::anonymous(action, AuditRecordType::User, None))
            .unwrap_or_else(|e| panic!("{action}: {e}"));
    }
    for &kind in AuditRecordType::ALL {
        record(&mut conn, &Entry::anonymous(AuditAction::SignInFailed, kind, None))
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
    let refused =
        conn.batch_execute("INSERT INTO audit_log (action, record_type) VALUES ('deleted_everything', 'user')");
    assert!(refused.unwrap_err().to_string().contains("audit_log_action_fkey"));
}

//! Organisation members over HTTP: invitations (accepted by registering, used → 409, expired →
//! 410), listing members, organisation roles, deactivation and leaving, the last-owner rule,
//! other organisations' members, and the audit entries of every change.

use crate::common::{Reply, Session, TestApp, PASSWORD};
use diesel::prelude::*;
use serde_json::{json, Value};

async fn invite(app: &TestApp, owner: &Session, org: &str, email: &str, role: Option<&str>) -> Reply {
    let mut body = json!({"email": email});
    if let Some(role) = role {
        body["organization_role"] = json!(role);
    }
    app.post_as(owner.bearer(), &format!("/api/v1/organizations/{org}/invitations"), &body).await
}

/// The token mailed for the invitation `invited` answered (the answer never carries it).
fn token(app: &TestApp, invited: &Reply) -> String {
    let id = uuid::Uuid::parse_str(invited.body["id"].as_str().unwrap()).unwrap().simple().to_string();
    app.mailed_token(invited.body["email"].as_str().unwrap(), &format!("invitation-{id}"))
}

async fn accept(app: &TestApp, token: &str) -> Reply {
    app.post("/api/v1/invitations/accept", &json!({"token": token, "password": PASSWORD, "display_name": "新同事"}))
        .await
}

/// Invites a new colleague into `owner`'s organisation, accepts and signs in as them.
async fn colleague(app: &TestApp, owner: &Session, role: Option<&str>) -> Session {
    let email = format!("{}@example.org", uuid::Uuid::new_v4().simple());
    let invited = invite(app, owner, &owner.organization_id, &email, role).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let joined = accept(app, &token(app, &invited)).await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    let mut session = app.login(&email, PASSWORD).await;
    session.organization_id = owner.organization_id.clone();
    session.user_id = joined.body["user"]["id"].as_str().unwrap().to_string();
    session
}

fn member_path(org: &str, user: &str) -> String {
    format!("/api/v1/organizations/{org}/members/{user}")
}

async fn set_role(app: &TestApp, who: &Session, org: &str, user: &str, role: &str) -> Reply {
    app.patch_as(who.bearer(), &member_path(org, user), &json!({"organization_role": role}), None).await
}

async fn deactivate(app: &TestApp, who: &Session, org: &str, user: &str) -> Reply {
    app.post_as(who.bearer(), &format!("{}/deactivate", member_path(org, user)), &json!({})).await
}

async fn audit_actions(app: &TestApp, who: &Session, query: &str) -> Vec<Value> {
    let reply = app.get_as(who.bearer(), &format!("/api/v1/audit-log?{query}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn an_owner_invites_a_colleague_who_registers_with_the_token() {
    let app = TestApp::spawn().await;
    let owner = app.register("university", "成员测试大学").await;
    let me = app.get_as(owner.bearer(), "/api/v1/me").await;
    assert_eq!(me.body["user"]["organization_role"], "owner", "the registering user owns the organisation");

    let invited = invite(&app, &owner, &owner.organization_id, "Colleague@Example.org", None).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    assert_eq!(invited.body["organization_role"], "member");
    assert_eq!(invited.body["organization_id"], owner.organization_id.as_str());
    assert!(invited.body.get("token").is_none(), "the token is mailed, never answered: {}", invited.body);
    let token = token(&app, &invited);
    assert!(token.len() >= 43);
    let ttl = chrono::DateTime::parse_from_rfc3339(invited.body["expires_at"].as_str().unwrap()).unwrap().to_utc()
        - chrono::Utc::now();
    assert!((ttl.num_hours() - 168).abs() <= 1, "7 days by default: {ttl}");
    // Stored as its digest only.
    let stored: String = {
        use techmatch::db::schema::invitations;
        invitations::table.select(invitations::token_hash).first(&mut app.db.connect()).unwrap()
    };
    assert_ne!(stored, token);

    let joined = accept(&app, &token).await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    assert_eq!(joined.body["user"]["email"], "Colleague@Example.org");
    assert_eq!(joined.body["user"]["organization_id"], owner.organization_id.as_str());
    assert_eq!(joined.body["user"]["organization_role"], "member");
    assert_eq!(joined.body["user"]["role"], "member");
    assert!(joined.body["user"]["email_verified_at"].is_string(), "the mailed token proves the address");
    let invitee = app.login("colleague@example.org", PASSWORD).await;
    // The colleague acts for the organisation: publishes a supply for it.
    let supply = app
        .create_supply(&invitee, json!({"title": "同事发布的成果", "summary": "成果简介", "industries": ["goji"]}))
        .await;
    assert_eq!(supply.status, 201, "{}", supply.body);
    assert_eq!(supply.body["organization_id"], owner.organization_id.as_str());

    let members =
        app.get_as(invitee.bearer(), &format!("/api/v1/organizations/{}/members", owner.organization_id)).await;
    assert_eq!(members.status, 200, "{}", members.body);
    assert_eq!(members.body["total"], 2);
    assert_eq!(members.body["items"][0]["organization_role"], "owner");
    assert_eq!(members.body["items"][1]["email"], "Colleague@Example.org");
    assert_eq!(members.body["items"][1]["deactivated_at"], Value::Null);

    // Audited, never with the token.
    let entries = audit_actions(&app, &owner, "record_type=invitation").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["action"], "member_invited");
    assert_eq!(entries[0]["detail"]["email"], "Colleague@Example.org");
    let joined_entries = audit_actions(&app, &owner, "action=invitation_accepted").await;
    assert_eq!(joined_entries.len(), 1);
    assert_eq!(joined_entries[0]["record_id"], joined.body["user"]["id"]);
    assert_eq!(joined_entries[0]["changes"]["organization_role"]["after"], "member");
    let all = app.get_as(owner.bearer(), "/api/v1/audit-log?per_page=100").await;
    assert!(!all.body.to_string().contains(&token), "the token is never logged");

    // A service agency's invitee is a broker, like its registered users.
    let agency = app.register("service_agency", "成员测试转移中心").await;
    let broker = colleague(&app, &agency, None).await;
    let me = app.get_as(broker.bearer(), "/api/v1/me").await;
    assert_eq!(me.body["user"]["role"], "broker");
}

#[actix_web::test]
async fn used_expired_and_unknown_invitations_are_refused_each_with_its_code() {
    let app = TestApp::spawn().await;
    let owner = app.register("enterprise", "邀请状态企业").await;
    let org = owner.organization_id.clone();
    let used = invite(&app, &owner, &org, "used@example.org", None).await;
    let used_token = &token(&app, &used);
    assert_eq!(accept(&app, used_token).await.status, 201);
    accept(&app, used_token).await.assert_problem(409, "invitation_used");

    let late = invite(&app, &owner, &org, "late@example.org", None).await;
    // The test moves the invitation's clock: its expiry is now past.
    diesel::sql_query(
        "UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email = 'late@example.org'",
    )
    .execute(&mut app.db.connect())
    .unwrap();
    accept(&app, &token(&app, &late)).await.assert_problem(410, "invitation_expired");
    app.post("/api/v1/auth/login", &json!({"email": "late@example.org", "password": PASSWORD}))
        .await
        .assert_problem(401, "invalid_credentials");

    accept(&app, "no-such-invitation-token").await.assert_problem(404, "not_found");
    let weak = app
        .post("/api/v1/invitations/accept", &json!({"token": used_token, "password": "short", "display_name": "x"}))
        .await;
    weak.assert_problem(422, "validation_failed");
    // Inviting an address that has an account; a bad address.
    // Inviting an address that has an account answers as for any other (it was 409 `email_taken`,
    // telling any owner which addresses are registered); its mail says so and carries no token.
    let taken = invite(&app, &owner, &org, "used@example.org", None).await;
    assert_eq!(taken.status, 201, "{}", taken.body);
    let id = uuid::Uuid::parse_str(taken.body["id"].as_str().unwrap()).unwrap().simple().to_string();
    let mail = app.mail_body("used@example.org", &format!("invitation-{id}"));
    assert!(mail.contains("此邮箱已有账号") && !mail.contains("token"), "{mail}");
    invite(&app, &owner, &org, "not-an-address", None).await.assert_problem(422, "validation_failed");
    let entries = audit_actions(&app, &owner, "action=member_invited").await;
    assert_eq!(entries.len(), 3, "a refused invitation records nothing");
}

#[actix_web::test]
async fn owners_change_roles_and_the_last_owner_stays() {
    let app = TestApp::spawn().await;
    let owner = app.register("enterprise", "角色测试企业").await;
    let org = owner.organization_id.clone();
    let member = colleague(&app, &owner, None).await;

    // A member manages nobody.
    set_role(&app, &member, &org, &owner.user_id, "member").await.assert_problem(403, "forbidden");
    set_role(&app, &member, &org, &member.user_id, "owner").await.assert_problem(403, "forbidden");
    invite(&app, &member, &org, "x@example.org", None).await.assert_problem(403, "forbidden");
    deactivate(&app, &member, &org, &owner.user_id).await.assert_problem(403, "forbidden");

    // The last owner can be neither demoted nor deactivated, nor leave.
    set_role(&app, &owner, &org, &owner.user_id, "member").await.assert_problem(409, "last_owner");
    deactivate(&app, &owner, &org, &owner.user_id).await.assert_problem(409, "last_owner");

    let promoted = set_role(&app, &owner, &org, &member.user_id, "owner").await;
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert_eq!(promoted.body["organization_role"], "owner");
    // Now the first owner may step down; the promoted one is then the last.
    let stepped_down = set_role(&app, &owner, &org, &owner.user_id, "member").await;
    assert_eq!(stepped_down.status, 200, "{}", stepped_down.body);
    set_role(&app, &member, &org, &member.user_id, "member").await.assert_problem(409, "last_owner");
    // The demoted owner lost the right at once (their token is unchanged).
    invite(&app, &owner, &org, "y@example.org", None).await.assert_problem(403, "forbidden");
    set_role(&app, &member, &org, &uuid::Uuid::new_v4().to_string(), "owner").await.assert_problem(404, "not_found");
    let bad = app
        .patch_as(member.bearer(), &member_path(&org, &owner.user_id), &json!({"organization_role": "boss"}), None)
        .await;
    bad.assert_problem(400, "invalid_body");

    let changes = audit_actions(&app, &member, "action=member_role_changed").await;
    assert_eq!(changes.len(), 2, "refusals record nothing");
    assert_eq!(changes[0]["record_id"], owner.user_id.as_str());
    assert_eq!(changes[0]["actor_id"], owner.user_id.as_str());
    assert_eq!(changes[0]["changes"]["organization_role"], json!({"before": "owner", "after": "member"}));
    assert_eq!(changes[1]["changes"]["organization_role"], json!({"before": "member", "after": "owner"}));
}

#[actix_web::test]
async fn a_deactivated_members_tokens_stop_at_once_and_a_member_may_leave() {
    let app = TestApp::spawn().await;
    let owner = app.register("research_institute", "停用测试院所").await;
    let org = owner.organization_id.clone();
    let leaving = colleague(&app, &owner, None).await;
    let removed = colleague(&app, &owner, None).await;
    assert_eq!(app.get_as(removed.bearer(), "/api/v1/me").await.status, 200);

    let done = deactivate(&app, &owner, &org, &removed.user_id).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body["deactivated_at"].is_string());
    app.get_as(removed.bearer(), "/api/v1/me").await.assert_problem(401, "invalid_token");
    app.post("/api/v1/auth/login", &json!({"email": removed.email, "password": PASSWORD}))
        .await
        .assert_problem(401, "invalid_credentials");
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": removed.refresh_token}))
        .await
        .assert_problem(401, "invalid_refresh_token");
    // Again: unchanged, nothing more recorded; a deactivated member's role is not changed.
    assert_eq!(deactivate(&app, &owner, &org, &removed.user_id).await.status, 200);
    set_role(&app, &owner, &org, &removed.user_id, "owner").await.assert_problem(409, "conflict");

    // A member leaves by deactivating themselves.
    let left = deactivate(&app, &leaving, &org, &leaving.user_id).await;
    assert_eq!(left.status, 200, "{}", left.body);
    app.get_as(leaving.bearer(), "/api/v1/me").await.assert_problem(401, "invalid_token");

    let entries = audit_actions(&app, &owner, "action=member_deactivated").await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["record_id"], leaving.user_id.as_str());
    assert_eq!(entries[0]["detail"]["left"], true);
    assert_eq!(entries[1]["record_id"], removed.user_id.as_str());
    assert_eq!(entries[1]["actor_id"], owner.user_id.as_str());
    assert_eq!(entries[1]["detail"]["left"], false);
    assert!(entries[1]["changes"]["deactivated_at"]["after"].is_string());
    let members = app.get_as(owner.bearer(), &format!("/api/v1/organizations/{org}/members")).await;
    assert_eq!(members.body["total"], 3, "deactivated members stay listed");
}

#[actix_web::test]
async fn another_organisations_members_are_out_of_reach() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app.register("enterprise", "甲方成员企业").await;
    let b = app.register("enterprise", "乙方成员企业").await;
    let a_member = colleague(&app, &a, None).await;

    // B's owner on A's organisation: 403 (the organisation is public, its members are not B's).
    invite(&app, &b, &a.organization_id, "z@example.org", None).await.assert_problem(403, "forbidden");
    app.get_as(b.bearer(), &format!("/api/v1/organizations/{}/members", a.organization_id))
        .await
        .assert_problem(403, "forbidden");
    set_role(&app, &b, &a.organization_id, &a_member.user_id, "owner").await.assert_problem(403, "forbidden");
    deactivate(&app, &b, &a.organization_id, &a_member.user_id).await.assert_problem(403, "forbidden");
    // A's member named under B's organisation: 404, as a missing member.
    set_role(&app, &b, &b.organization_id, &a_member.user_id, "owner").await.assert_problem(404, "not_found");
    deactivate(&app, &b, &b.organization_id, &a_member.user_id).await.assert_problem(404, "not_found");
    // No such organisation.
    let nowhere = uuid::Uuid::new_v4().to_string();
    invite(&app, &a, &nowhere, "z@example.org", None).await.assert_problem(404, "not_found");
    app.get_as(a.bearer(), &format!("/api/v1/organizations/{nowhere}/members")).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/organizations/{}/members", a.organization_id))
        .await
        .assert_problem(401, "authentication_required");
    assert_eq!(app.get_as(a_member.bearer(), "/api/v1/me").await.status, 200, "untouched");

    // Admins list and manage any organisation's members, but invite none into a government one.
    let listed = app.get_as(admin.bearer(), &format!("/api/v1/organizations/{}/members", a.organization_id)).await;
    assert_eq!(listed.body["total"], 2);
    let promoted = set_role(&app, &admin, &a.organization_id, &a_member.user_id, "owner").await;
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    let me = app.get_as(admin.bearer(), "/api/v1/me").await;
    let government = me.body["organization"]["id"].as_str().unwrap();
    invite(&app, &admin, government, "official@example.org", None).await.assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn two_owners_leaving_at_once_leave_one_owner() {
    let app = TestApp::spawn().await;
    let owner = app.register("enterprise", "同时离开企业").await;
    let org = owner.organization_id.clone();
    let second = colleague(&app, &owner, Some("owner")).await;
    for _ in 0..3 {
        // Each round: both owners try to leave at once; the organisation's row lock decides.
        let replies = crate::common::futures_join_all([
            deactivate(&app, &owner, &org, &owner.user_id),
            deactivate(&app, &second, &org, &second.user_id),
        ])
        .await;
        let mut statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{:?}", replies.iter().map(|r| &r.body).collect::<Vec<_>>());
        let refused = replies.iter().find(|r| r.status == 409).unwrap();
        refused.assert_problem(409, "last_owner");
        let owners: i64 = {
            use techmatch::db::schema::users;
            users::table
                .filter(users::organization_id.eq(uuid::Uuid::parse_str(&org).unwrap()))
                .filter(users::organization_role.eq("owner"))
                .filter(users::deactivated_at.is_null())
                .count()
                .get_result(&mut app.db.connect())
                .unwrap()
        };
        assert_eq!(owners, 1);
        // Put the one who left back (an operator's step) for the next round; their access token
        // stands again (the cache is off in tests).
        diesel::sql_query(format!("UPDATE users SET deactivated_at = NULL WHERE organization_id = '{org}'"))
            .execute(&mut app.db.connect())
            .unwrap();
    }
}

#[actix_web::test]
async fn a_deactivation_reaches_the_credential_cache_of_its_instance_at_once() {
    let db = crate::common::TestDb::new();
    let mut config = crate::common::serve_config(&db.url);
    config.auth.auth_cache_ttl_ms = 60_000;
    let app = TestApp::spawn_with(db, config).await;
    let owner = app.register("university", "缓存停用大学").await;
    let member = colleague(&app, &owner, None).await;
    // The member's standing is now remembered for a minute.
    assert_eq!(app.get_as(member.bearer(), "/api/v1/me").await.status, 200);
    let done = deactivate(&app, &owner, &owner.organization_id, &member.user_id).await;
    assert_eq!(done.status, 200, "{}", done.body);
    app.get_as(member.bearer(), "/api/v1/me").await.assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn owners_list_and_revoke_invitations() {
    let app = TestApp::spawn().await;
    let owner = app.register("enterprise", "撤回邀请企业").await;
    let other = app.register("enterprise", "旁观邀请企业").await;
    let org = owner.organization_id.clone();
    let revoked = invite(&app, &owner, &org, "revoked@example.org", None).await;
    let accepted = invite(&app, &owner, &org, "accepted@example.org", Some("owner")).await;
    let pending = invite(&app, &owner, &org, "pending@example.org", None).await;
    let id_of = |r: &Reply| r.body["id"].as_str().unwrap().to_string();
    assert_eq!(accept(&app, &token(&app, &accepted)).await.status, 201);
    let revoke_path = |id: &str| format!("/api/v1/organizations/{org}/invitations/{id}/revoke");

    let done = app.post_as(owner.bearer(), &revoke_path(&id_of(&revoked)), &json!({})).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["status"], "revoked");
    assert!(done.body["revoked_at"].is_string());
    accept(&app, &token(&app, &revoked)).await.assert_problem(410, "invitation_revoked");
    // Again: unchanged; an accepted one cannot be revoked; others' and unknown ones are 404.
    assert_eq!(app.post_as(owner.bearer(), &revoke_path(&id_of(&revoked)), &json!({})).await.status, 200);
    app.post_as(owner.bearer(), &revoke_path(&id_of(&accepted)), &json!({}))
        .await
        .assert_problem(409, "invitation_used");
    app.post_as(owner.bearer(), &revoke_path(&uuid::Uuid::new_v4().to_string()), &json!({}))
        .await
        .assert_problem(404, "not_found");
    let elsewhere = format!("/api/v1/organizations/{}/invitations/{}/revoke", other.organization_id, id_of(&pending));
    app.post_as(other.bearer(), &elsewhere, &json!({})).await.assert_problem(404, "not_found");
    app.post_as(other.bearer(), &revoke_path(&id_of(&pending)), &json!({})).await.assert_problem(403, "forbidden");

    let listed = app.get_as(owner.bearer(), &format!("/api/v1/organizations/{org}/invitations")).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["total"], 3);
    let statuses: Vec<(&str, &str)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["email"].as_str().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [("pending@example.org", "pending"), ("accepted@example.org", "accepted"), ("revoked@example.org", "revoked")]
    );
    assert!(!listed.body.to_string().contains(&token(&app, &pending)), "never the token");
    assert!(listed.body["items"][1]["accepted_user_id"].is_string());
    // A plain member and another organisation see no invitations.
    let member = app.login("accepted@example.org", PASSWORD).await;
    let accepted_user = listed.body["items"][1]["accepted_user_id"].as_str().unwrap();
    assert_eq!(set_role(&app, &owner, &org, accepted_user, "member").await.status, 200);
    app.get_as(member.bearer(), &format!("/api/v1/organizations/{org}/invitations"))
        .await
        .assert_problem(403, "forbidden");
    app.get_as(other.bearer(), &format!("/api/v1/organizations/{org}/invitations"))
        .await
        .assert_problem(403, "forbidden");

    let entries = audit_actions(&app, &owner, "action=invitation_revoked").await;
    assert_eq!(entries.len(), 1, "one revocation recorded");
    assert_eq!(entries[0]["record_id"], id_of(&revoked).as_str());
}

#[actix_web::test]
async fn an_organisation_an_admin_created_gets_its_owner_by_invitation() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = app
        .post_as(admin.bearer(), "/api/v1/organizations", &json!({"kind": "university", "name": "管理员创建的大学"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let org = created.body["id"].as_str().unwrap();
    let invited = invite(&app, &admin, org, "head@example.org", Some("owner")).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let joined = accept(&app, &token(&app, &invited)).await;
    assert_eq!(joined.body["user"]["organization_role"], "owner");
    let mut head = app.login("head@example.org", PASSWORD).await;
    head.organization_id = org.to_string();
    // The new owner manages the organisation from then on.
    let colleague = colleague(&app, &head, None).await;
    let members = app.get_as(colleague.bearer(), &format!("/api/v1/organizations/{org}/members")).await;
    assert_eq!(members.body["total"], 2);
}

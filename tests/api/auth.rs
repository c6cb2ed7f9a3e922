//! Accounts and access control over HTTP: sessions, forged tokens, ownership, roles,
//! mass assignment, throttling.

use crate::common::{
    auth_config, serve_config, Session, TestApp, TestDb, JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, PASSWORD,
};
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(session_user: &str, org: &str) -> Value {
    json!({"sub": session_user, "org": org, "org_kind": "enterprise", "role": "member", "typ": "access",
           "iss": JWT_ISSUER, "aud": JWT_AUDIENCE, "iat": now(), "exp": now() + 600, "jti": uuid::Uuid::new_v4()})
}

fn sign(claims: &Value, secret: &str) -> String {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

#[actix_web::test]
async fn register_login_me_refresh_rotation_and_logout() {
    let app = TestApp::spawn().await;
    let user = app.register_unverified("enterprise", "宁夏某枸杞企业").await;
    let me = app.get_as(user.bearer(), "/api/v1/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["user"]["email"], user.email.as_str());
    assert_eq!(me.body["user"]["role"], "member");
    assert_eq!(me.body["organization"]["kind"], "enterprise");
    assert_eq!(me.body["organization"]["verification"], "unverified");
    assert!(me.body["user"].get("password_hash").is_none());

    let refreshed = app.post("/api/v1/auth/refresh", &json!({"refresh_token": user.refresh_token})).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let new_refresh = refreshed.body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(new_refresh, user.refresh_token);
    let new_access = refreshed.body["access_token"].as_str().unwrap();
    assert_eq!(app.get_as(Some(new_access), "/api/v1/me").await.status, 200);

    // The used-up token again: refused, and the whole family (the new token too) is revoked.
    let reuse = app.post("/api/v1/auth/refresh", &json!({"refresh_token": user.refresh_token})).await;
    reuse.assert_problem(401, "invalid_refresh_token");
    assert!(reuse.header("www-authenticate").unwrap().starts_with("Bearer"));
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": new_refresh}))
        .await
        .assert_problem(401, "invalid_refresh_token");

    // Logout revokes a fresh session's family.
    let second = app.login(&user.email, PASSWORD).await;
    let out = app.post("/api/v1/auth/logout", &json!({"refresh_token": second.refresh_token})).await;
    assert_eq!(out.status, 204);
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": second.refresh_token}))
        .await
        .assert_problem(401, "invalid_refresh_token");

    let wrong = app.post("/api/v1/auth/login", &json!({"email": user.email, "password": "wrong password!"})).await;
    wrong.assert_problem(401, "invalid_credentials");
    let unknown = app.post("/api/v1/auth/login", &json!({"email": "nobody@example.org", "password": PASSWORD})).await;
    unknown.assert_problem(401, "invalid_credentials");
}

#[actix_web::test]
async fn forged_and_misused_tokens_get_401() {
    let app = TestApp::spawn().await;
    let user = app.register("enterprise", "企业").await;
    let base = claims(&user.user_id, &user.organization_id);
    let with = |key: &str, value: Value| {
        let mut c = base.clone();
        c[key] = value;
        c
    };
    let without = |key: &str| {
        let mut c = base.clone();
        c.as_object_mut().unwrap().remove(key);
        c
    };

    // Control: a correctly forged token with the real key is accepted, so the refusals below
    // are about the claims, not the harness.
    assert_eq!(app.get_as(Some(&sign(&base, JWT_SECRET)), "/api/v1/me").await.status, 200);

    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let alg_none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&base));
    let hs512 =
        encode(&Header::new(Algorithm::HS512), &base, &EncodingKey::from_secret(JWT_SECRET.as_bytes())).unwrap();
    let cases: Vec<(&str, String)> = vec![
        ("no exp", sign(&without("exp"), JWT_SECRET)),
        ("exp as a string", sign(&with("exp", json!((now() + 600).to_string())), JWT_SECRET)),
        ("expired", sign(&with("exp", json!(now() - 3600)), JWT_SECRET)),
        ("wrong aud", sign(&with("aud", json!("someone-else")), JWT_SECRET)),
        ("wrong iss", sign(&with("iss", json!("evil")), JWT_SECRET)),
        ("no sub", sign(&without("sub"), JWT_SECRET)),
        ("no iat", sign(&without("iat"), JWT_SECRET)),
        ("not an access token", sign(&with("typ", json!("refresh")), JWT_SECRET)),
        ("alg none", alg_none),
        ("another algorithm", hs512),
        ("another key", sign(&base, "another-secret-of-at-least-32-bytes-long!")),
        ("refresh token as access token", user.refresh_token.clone()),
        ("garbage", "not.a.token".into()),
    ];
    for (name, token) in cases {
        let reply = app.get_as(Some(&token), "/api/v1/me").await;
        assert_eq!(reply.status, 401, "{name}: {}", reply.body);
        assert_eq!(reply.body["code"], "invalid_token", "{name}");
        assert!(reply.header("www-authenticate").unwrap().contains("invalid_token"), "{name}");
        // A bad token is refused even where anonymous reading is allowed.
        assert_eq!(app.get_as(Some(&token), "/api/v1/supplies").await.status, 401, "{name}");
    }
    let scheme = app.raw_as(None, "GET", "/api/v1/me", None, b"").await;
    scheme.assert_problem(401, "authentication_required");
    assert_eq!(scheme.header("www-authenticate"), Some("Bearer realm=\"techmatch\""));

    // An access token is not a refresh token.
    let access_as_refresh = app.post("/api/v1/auth/refresh", &json!({"refresh_token": user.token})).await;
    access_as_refresh.assert_problem(401, "invalid_refresh_token");
}

#[actix_web::test]
async fn password_change_revokes_refresh_tokens() {
    let app = TestApp::spawn().await;
    let user = app.register("university", "宁夏大学").await;
    let wrong = app
        .post_as(
            user.bearer(),
            "/api/v1/me/password",
            &json!({"current_password": "nope nope nope", "new_password": "a brand new password"}),
        )
        .await;
    wrong.assert_problem(422, "validation_failed");
    let short = app
        .post_as(user.bearer(), "/api/v1/me/password", &json!({"current_password": PASSWORD, "new_password": "short"}))
        .await;
    short.assert_problem(422, "validation_failed");
    assert_eq!(short.body["errors"][0]["field"], "new_password");
    let ok = app
        .post_as(
            user.bearer(),
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new password"}),
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.body);
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": user.refresh_token}))
        .await
        .assert_problem(401, "invalid_refresh_token");
    app.post("/api/v1/auth/login", &json!({"email": user.email, "password": PASSWORD}))
        .await
        .assert_problem(401, "invalid_credentials");
    app.login(&user.email, "a brand new password").await;
}

async fn draft_demand(app: &TestApp, owner: &Session) -> String {
    let reply =
        app.create_demand(owner, json!({"title": "未公开的需求", "description": "草稿", "status": "draft"})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn another_enterprise_cannot_read_or_change_a_private_listing() {
    let app = TestApp::spawn().await;
    let a = app.register("enterprise", "企业甲").await;
    let b = app.register("enterprise", "企业乙").await;
    let demand = draft_demand(&app, &a).await;
    let supply = app.create_supply(&a, json!({"title": "草稿成果", "summary": "未发布", "status": "draft"})).await.body
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let missing = uuid::Uuid::new_v4();

    for (path, action) in
        [(format!("/api/v1/demands/{demand}"), "withdraw"), (format!("/api/v1/supplies/{supply}"), "archive")]
    {
        let read = app.get_as(b.bearer(), &path).await;
        read.assert_problem(404, "not_found");
        let missing_path = path.rsplit_once('/').unwrap().0.to_string() + &format!("/{missing}");
        let absent = app.get_as(b.bearer(), &missing_path).await;
        assert_eq!(
            read.body["detail"].as_str().unwrap().split(' ').next(),
            absent.body["detail"].as_str().unwrap().split(' ').next()
        );
        app.get(&path).await.assert_problem(404, "not_found");
        app.get_as(b.bearer(), &format!("{path}/matches")).await.assert_problem(404, "not_found");
        app.patch_as(b.bearer(), &path, &json!({"title": "被篡改"}), Some("\"1\""))
            .await
            .assert_problem(404, "not_found");
        app.post_as(b.bearer(), &format!("{path}/{action}"), &json!({})).await.assert_problem(404, "not_found");
        let own = app.get_as(a.bearer(), &path).await;
        assert_eq!(own.status, 200);
        assert_eq!(own.body["version"], 1, "B's attempts changed nothing");
        assert_ne!(own.body["title"], "被篡改");
    }
    assert_eq!(app.get_as(b.bearer(), "/api/v1/demands?status=draft").await.body["total"], 0);
    assert_eq!(app.get_as(a.bearer(), "/api/v1/demands?status=draft").await.body["total"], 1);
    let b_asks_for_a = format!("/api/v1/supplies?status=draft&organization_id={}", a.organization_id);
    assert_eq!(app.get_as(b.bearer(), &b_asks_for_a).await.body["total"], 0);
    app.get("/api/v1/demands?status=draft").await.assert_problem(401, "authentication_required");

    let admin = app.admin().await;
    assert_eq!(app.get_as(admin.bearer(), &format!("/api/v1/demands/{demand}")).await.status, 200);
    assert_eq!(
        app.get_as(admin.bearer(), &format!("/api/v1/supplies?status=draft&organization_id={}", a.organization_id))
            .await
            .body["total"],
        1
    );

    // A public listing of A: B may read it but not change it.
    let open = app.create_demand(&a, json!({"title": "公开需求", "description": "公开"})).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.get_as(b.bearer(), &format!("/api/v1/demands/{open}")).await.status, 200);
    app.patch_as(b.bearer(), &format!("/api/v1/demands/{open}"), &json!({"title": "x"}), Some("\"1\""))
        .await
        .assert_problem(403, "forbidden");
    app.post_as(b.bearer(), &format!("/api/v1/demands/{open}/withdraw"), &json!({}))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(app.get(&format!("/api/v1/demands/{open}")).await.body["status"], "open");
    let by_admin = app
        .patch_as(admin.bearer(), &format!("/api/v1/demands/{open}"), &json!({"status": "closed"}), Some("\"1\""))
        .await;
    assert_eq!(by_admin.status, 200, "admins moderate: {}", by_admin.body);
}

#[actix_web::test]
async fn bodies_cannot_set_owner_status_verification_or_ids() {
    let app = TestApp::spawn().await;
    let a = app.register("enterprise", "企业甲").await;
    let b = app.register("enterprise", "企业乙").await;
    let created = app.create_demand(&a, json!({"title": "需求", "description": "描述"})).await;
    let id = created.body["id"].as_str().unwrap();
    let path = format!("/api/v1/demands/{id}");
    for field in [
        json!({"organization_id": b.organization_id}),
        json!({"id": uuid::Uuid::new_v4()}),
        json!({"version": 7}),
        json!({"created_at": "2020-01-01T00:00:00Z"}),
        json!({"extra": {"x": 1}}),
    ] {
        app.patch_as(a.bearer(), &path, &field, Some("\"1\"")).await.assert_problem(400, "invalid_body");
        let mut body = json!({"title": "t", "description": "d"});
        body.as_object_mut().unwrap().extend(field.as_object().unwrap().clone());
        app.create_demand(&a, body).await.assert_problem(400, "invalid_body");
    }
    app.patch_as(a.bearer(), &path, &json!({"status": "withdrawn"}), Some("\"1\""))
        .await
        .assert_problem(422, "validation_failed");
    let after = app.get(&path).await;
    assert_eq!(after.body["organization_id"], a.organization_id.as_str());
    assert_eq!(after.body["status"], "open");
    assert_eq!(after.body["version"], 1);

    let register = |extra: Value| {
        let mut body = json!({"email": "x@example.org", "password": PASSWORD, "display_name": "x",
                              "organization": {"kind": "university", "name": "某大学"}});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    app.post("/api/v1/auth/register", &register(json!({"role": "admin"}))).await.assert_problem(400, "invalid_body");
    let mut verified = register(json!({}));
    verified["organization"]["verification"] = json!("verified");
    app.post("/api/v1/auth/register", &verified).await.assert_problem(400, "invalid_body");
    let mut government = register(json!({}));
    government["organization"]["kind"] = json!("government");
    app.post("/api/v1/auth/register", &government).await.assert_problem(422, "validation_failed");
    assert_eq!(app.get("/api/v1/organizations").await.body["total"], 2, "no organisation was created");
}

#[actix_web::test]
async fn the_role_table_case_by_case() {
    let app = TestApp::spawn().await;
    let enterprise = app.register("enterprise", "企业").await;
    let university = app.register("university", "大学").await;
    let institute = app.register("research_institute", "研究院").await;
    let agency = app.register("service_agency", "技术转移中心").await;
    let admin = app.admin().await;
    let supply = json!({"title": "成果", "summary": "摘要"});
    let demand = json!({"title": "需求", "description": "描述"});
    for (who, s, d) in [
        (&enterprise, 201, 201),
        (&university, 201, 403),
        (&institute, 201, 201),
        (&agency, 403, 403),
        (&admin, 403, 403),
    ] {
        assert_eq!(app.create_supply(who, supply.clone()).await.status, s, "{} supply", who.email);
        assert_eq!(app.create_demand(who, demand.clone()).await.status, d, "{} demand", who.email);
    }
    assert_eq!(app.get_as(agency.bearer(), "/api/v1/me").await.body["user"]["role"], "broker");
    app.post("/api/v1/supplies", &supply).await.assert_problem(401, "authentication_required");

    let verify = format!("/api/v1/organizations/{}/verification", enterprise.organization_id);
    for who in [&enterprise, &agency, &university] {
        app.post_as(who.bearer(), &verify, &json!({"verification": "verified"})).await.assert_problem(403, "forbidden");
    }
    let verified = app.post_as(admin.bearer(), &verify, &json!({"verification": "verified"})).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(
        app.get(&format!("/api/v1/organizations/{}", enterprise.organization_id)).await.body["verification"],
        "verified"
    );
    app.post_as(enterprise.bearer(), "/api/v1/organizations", &json!({"kind": "university", "name": "x"}))
        .await
        .assert_problem(403, "forbidden");

    // A rejected organisation keeps reading but can no longer publish or open connections.
    let university_supply = app.create_supply(&university, supply.clone()).await.body["id"].clone();
    let enterprise_demand = app.create_demand(&enterprise, demand.clone()).await.body["id"].clone();
    let reject = format!("/api/v1/organizations/{}/verification", university.organization_id);
    assert_eq!(app.post_as(admin.bearer(), &reject, &json!({"verification": "rejected"})).await.status, 200);
    app.create_supply(&university, supply.clone()).await.assert_problem(403, "forbidden");
    let pair = json!({"demand_id": enterprise_demand, "supply_id": university_supply});
    app.post_as(university.bearer(), "/api/v1/connections", &pair).await.assert_problem(403, "forbidden");
    assert_eq!(app.get_as(university.bearer(), "/api/v1/supplies").await.status, 200);
    assert_eq!(app.create_supply(&enterprise, supply).await.status, 201, "others are not affected");
}

#[actix_web::test]
async fn enterprises_register_with_a_valid_credit_code() {
    let app = TestApp::spawn().await;
    let body = |code: Option<&str>| {
        let mut org = json!({"kind": "enterprise", "name": format!("宁夏某企业{}", code.unwrap_or(""))});
        if let Some(c) = code {
            org["credit_code"] = json!(c);
        }
        json!({"email": "e@example.org", "password": PASSWORD, "display_name": "x", "organization": org})
    };
    for code in [None, Some("91350100M000100Y44"), Some("91350100M000100Y4"), Some("91350100M000100I43")] {
        let reply = app.post("/api/v1/auth/register", &body(code)).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], "organization.credit_code", "{code:?}");
    }
    let first = app.post("/api/v1/auth/register", &body(Some("91350100M000100Y43"))).await;
    assert_eq!(first.status, 202, "{}", first.body);
    let taken = app.post("/api/v1/auth/register", &body(Some("91110000600037341L"))).await;
    assert_eq!((taken.status, &taken.body), (first.status, &first.body), "a taken e-mail is not told apart");
    let mut same_code = body(Some("91350100M000100Y43"));
    same_code["email"] = json!("other@example.org");
    same_code["organization"]["name"] = json!("另一家企业");
    app.post("/api/v1/auth/register", &same_code).await.assert_problem(409, "credit_code_taken");
}

#[actix_web::test]
async fn login_is_throttled_per_account_and_per_address() {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.auth.login_per_account_per_min = 3;
    config.auth.login_per_ip_per_min = 8;
    let app = TestApp::spawn_with(db, config).await;
    let user = app.register("university", "大学").await; // 1 register + 1 login from this address
    let wrong = json!({"email": user.email, "password": "wrong password!"});
    for _ in 0..2 {
        app.post("/api/v1/auth/login", &wrong).await.assert_problem(401, "invalid_credentials");
    }
    let limited = app.post("/api/v1/auth/login", &wrong).await;
    limited.assert_problem(429, "rate_limited");
    assert!(limited.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // Even the right password waits now.
    app.post("/api/v1/auth/login", &json!({"email": user.email, "password": PASSWORD}))
        .await
        .assert_problem(429, "rate_limited");

    // Other accounts from the same address: allowed until the address's budget (8) is spent.
    let mut statuses = Vec::new();
    for i in 0..6 {
        statuses.push(
            app.post("/api/v1/auth/login", &json!({"email": format!("u{i}@example.org"), "password": "x"}))
                .await
                .status
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 429, 429, 429, 429], "the address had 8 attempts: 6 used before");
}

#[actix_web::test]
async fn the_service_refuses_to_start_with_a_short_secret() {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.auth = auth_config();
    config.auth.jwt_secret = "too-short".parse().unwrap();
    let err = techmatch::app::Application::build(config).await.err().expect("refused");
    assert!(err.to_string().contains("at least 32 bytes"), "{err}");
}

/// On c527b2a any 10 characters were a password, `1234567890` and `password123` included.
#[actix_web::test]
async fn common_passwords_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    for weak in ["1234567890", "password123", "qwertyuiop"] {
        let body = json!({"email": "weak@example.org", "password": weak, "display_name": "张三",
            "organization": {"kind": "university", "name": "某大学"}});
        let reply = app.post("/api/v1/auth/register", &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], "password", "{weak}: {}", reply.body);
    }
    let user = app.register("university", "某大学").await;
    let change = json!({"current_password": PASSWORD, "new_password": "1111111111"});
    let reply = app.post_as(user.bearer(), "/api/v1/me/password", &change).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "new_password");
}

//! Issue 11, items 1 and 2: no forged admin (deployment defaults, secrets, tokens checked
//! against the user as stored) and no flood (password hashing bounded, throttled and done
//! without a pooled connection). Each test says what the code before it did.

use diesel::prelude::*;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::common::{
    futures_join_all, serve_config, Reply, TestApp, TestDb, JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, PASSWORD,
};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A token signed with the server's key, as anyone holding the key could make one.
fn forge(user_id: &str, org: &str, org_kind: &str, role: &str) -> String {
    let claims = json!({"sub": user_id, "org": org, "org_kind": org_kind, "role": role, "typ": "access",
        "iss": JWT_ISSUER, "aud": JWT_AUDIENCE, "iat": now(), "exp": now() + 600, "jti": uuid::Uuid::new_v4()});
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(JWT_SECRET.as_bytes())).unwrap()
}

fn sql(app: &TestApp, statement: &str) {
    diesel::sql_query(statement).execute(&mut app.db.connect()).unwrap();
}

fn invalid_token(reply: &Reply) {
    reply.assert_problem(401, "invalid_token");
    assert!(reply.header("www-authenticate").unwrap().contains("invalid_token"));
}

async fn build_with_secret(secret: &str) -> anyhow::Result<techmatch::app::Application> {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.auth.jwt_secret = secret.parse().unwrap();
    techmatch::app::Application::build(config).await
}

/// The old server checked only the secret's length: it started with compose's published
/// fallback `change-me-to-a-random-secret-of-32-bytes-or-more`, with which anyone could sign
/// an admin token, and with 64 times the same letter.
#[actix_web::test]
async fn the_server_refuses_published_and_low_entropy_secrets() {
    for (secret, why) in [
        ("change-me-to-a-random-secret-of-32-bytes-or-more", "published placeholder"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "distinct bytes"),
        ("0123456789abcdef0123456789abcdef0123456789abcdef", "repeats a pattern"),
    ] {
        let err = build_with_secret(secret).await.err().unwrap_or_else(|| panic!("{secret:?} accepted"));
        let message = err.to_string();
        assert!(message.contains("TECHMATCH_JWT_SECRET") && message.contains(why), "{secret:?}: {message}");
    }
    // 48 random bytes in base64, as the README and scripts/run.sh make them.
    assert!(build_with_secret("+g4ewoPTgTk4hrY3FY59fyJ79RVJ5fP3IRXbGab3zX0j5E4hQNiSCyXn4n14DdYw").await.is_ok());
}

/// The old compose file fell back to the published secret when TECHMATCH_JWT_SECRET was unset
/// and ran `techmatch demo` at every start, so `admin@demo.techmatch` existed with the
/// README's password.
#[test]
fn compose_needs_a_secret_and_creates_no_demo_accounts() {
    let compose = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docker-compose.yml")).unwrap();
    let live: Vec<&str> = compose.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
    let secret = live.iter().find(|l| l.contains("TECHMATCH_JWT_SECRET:")).expect("the api sets the secret");
    assert!(secret.contains("${TECHMATCH_JWT_SECRET:?"), "no fallback allowed: {secret}");
    assert!(!compose.contains("change-me"), "a published placeholder is still in the file");
    assert!(!live.iter().any(|l| l.contains("techmatch demo")), "compose runs techmatch demo");
}

/// The old extractor trusted any well-signed token: an admin token for a random user id read
/// the CSV export and the statistics (200).
#[actix_web::test]
async fn an_admin_token_for_no_such_user_is_refused() {
    let app = TestApp::spawn().await;
    let token = forge(&uuid::Uuid::new_v4().to_string(), &uuid::Uuid::new_v4().to_string(), "government", "admin");
    for path in ["/api/v1/connections/export.csv", "/api/v1/stats/listings", "/api/v1/me"] {
        invalid_token(&app.get_as(Some(&token), path).await);
    }
    // Also where anonymous reading is allowed: a token is never silently ignored.
    invalid_token(&app.get_as(Some(&token), "/api/v1/supplies").await);
}

/// The old server kept accepting a deactivated, re-roled or moved user's token until it
/// expired (there was no deactivation at all), and logged a deactivated user in.
#[actix_web::test]
async fn tokens_follow_the_user_as_stored() {
    let app = TestApp::spawn().await;
    let deactivated = app.register("enterprise", "将停用的企业").await;
    let demoted = app.register("service_agency", "技术转移机构").await;
    let moved = app.register("university", "原来的大学").await;
    let other = app.register("university", "另一所大学").await;
    let forged_kind = app.register("enterprise", "种类不符的企业").await;
    for user in [&deactivated, &demoted, &moved, &other] {
        assert_eq!(app.get_as(user.bearer(), "/api/v1/me").await.status, 200);
    }

    sql(&app, &format!("UPDATE users SET deactivated_at = now() WHERE id = '{}'", deactivated.user_id));
    sql(&app, &format!("UPDATE users SET role = 'member' WHERE id = '{}'", demoted.user_id));
    sql(
        &app,
        &format!("UPDATE users SET organization_id = '{}' WHERE id = '{}'", other.organization_id, moved.user_id),
    );
    for user in [&deactivated, &demoted, &moved] {
        invalid_token(&app.get_as(user.bearer(), "/api/v1/me").await);
    }
    // A token naming the right user and organisation but another kind of organisation.
    let wrong_kind = forge(&forged_kind.user_id, &forged_kind.organization_id, "university", "member");
    invalid_token(&app.get_as(Some(&wrong_kind), "/api/v1/me").await);
    assert_eq!(app.get_as(other.bearer(), "/api/v1/me").await.status, 200, "others are untouched");

    // A deactivated account cannot sign in again or refresh its session.
    app.post("/api/v1/auth/login", &json!({"email": deactivated.email, "password": PASSWORD}))
        .await
        .assert_problem(401, "invalid_credentials");
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": deactivated.refresh_token}))
        .await
        .assert_problem(401, "invalid_refresh_token");
    // The moved user signs in again and acts for the new organisation.
    let again = app.login(&moved.email, PASSWORD).await;
    let me = app.get_as(again.bearer(), "/api/v1/me").await;
    assert_eq!(me.body["organization"]["id"], other.organization_id.as_str());
}

/// The old server accepted access tokens issued before a password change until they expired
/// (15 minutes): whoever had stolen one kept it.
#[actix_web::test]
async fn tokens_issued_before_a_password_change_are_refused() {
    let app = TestApp::spawn().await;
    let user = app.register("university", "宁夏大学").await;
    let elsewhere = app.login(&user.email, PASSWORD).await;
    let changed = app
        .post_as(
            user.bearer(),
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new password"}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    invalid_token(&app.get_as(user.bearer(), "/api/v1/me").await);
    invalid_token(&app.get_as(elsewhere.bearer(), "/api/v1/me").await);
    // A token issued right after the change (most likely within the same second) stands.
    let fresh = app.login(&user.email, "a brand new password").await;
    assert_eq!(app.get_as(fresh.bearer(), "/api/v1/me").await.status, 200);
    let refreshed = app.post("/api/v1/auth/refresh", &json!({"refresh_token": fresh.refresh_token})).await;
    let token = refreshed.body["access_token"].as_str().unwrap();
    assert_eq!(app.get_as(Some(token), "/api/v1/me").await.status, 200);
}

/// With a long credential cache, an admin action is still checked at once (the old server
/// checked nothing: a demoted admin's token kept reading statistics for 15 minutes), and a
/// password change on this instance takes effect at once.
#[actix_web::test]
async fn admin_actions_and_own_password_changes_skip_the_cache() {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.auth.auth_cache_ttl_ms = 60_000;
    let app = TestApp::spawn_with(db, config).await;
    let admin = app.admin().await;
    assert_eq!(app.get_as(admin.bearer(), "/api/v1/stats/listings").await.status, 200);
    sql(&app, "UPDATE users SET role = 'member' WHERE email = 'admin@demo.techmatch'");
    invalid_token(&app.get_as(admin.bearer(), "/api/v1/stats/listings").await);

    let user = app.register("university", "宁夏大学").await;
    assert_eq!(app.get_as(user.bearer(), "/api/v1/me").await.status, 200, "now remembered for 60 s");
    let changed = app
        .post_as(
            user.bearer(),
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new password"}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    invalid_token(&app.get_as(user.bearer(), "/api/v1/me").await);
}

async fn wrong_change(app: &TestApp, token: Option<&str>) -> Reply {
    app.post_as(
        token,
        "/api/v1/me/password",
        &json!({"current_password": "wrong wrong wrong", "new_password": "a brand new password"}),
    )
    .await
}

/// The old server let one user run Argon2id for every wrong `POST /me/password` without limit
/// (32 concurrent attempts took it to 5.4 GB); now each user has a budget, then 429.
#[actix_web::test]
async fn password_changes_are_throttled_per_user() {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.auth.password_changes_per_user_per_min = 2;
    let app = TestApp::spawn_with(db, config).await;
    let user = app.register("university", "宁夏大学").await;
    let bystander = app.register("university", "北方民族大学").await;
    wrong_change(&app, user.bearer()).await.assert_problem(422, "validation_failed");
    wrong_change(&app, user.bearer()).await.assert_problem(422, "validation_failed");
    let limited = wrong_change(&app, user.bearer()).await;
    limited.assert_problem(429, "rate_limited");
    assert!(limited.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // Even the right password waits: the budget counts attempts, not failures.
    let right = app
        .post_as(
            user.bearer(),
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new password"}),
        )
        .await;
    right.assert_problem(429, "rate_limited");
    // Another user's budget is their own.
    wrong_change(&app, bystander.bearer()).await.assert_problem(422, "validation_failed");
}

/// Hashing runs in a bounded number of slots: with one slot and no wait, concurrent attempts
/// beyond it answer 503 `hashing_busy` with `Retry-After` instead of each taking 19 MiB and a
/// core (the old server hashed them all at once, each on a pooled connection).
#[actix_web::test]
async fn concurrent_hashing_is_bounded() {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.auth.hash_concurrency = 1;
    config.auth.hash_wait_ms = 0;
    let app = TestApp::spawn_with(db, config).await;
    let user = app.register("university", "宁夏大学").await;
    let replies = futures_join_all((0..16).map(|_| wrong_change(&app, user.bearer()))).await;
    let busy: Vec<&Reply> = replies.iter().filter(|r| r.status == 503).collect();
    let wrong = replies.iter().filter(|r| r.status == 422).count();
    assert_eq!(busy.len() + wrong, 16, "only 422 or 503: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(wrong >= 1 && !busy.is_empty(), "{wrong} wrong, {} busy", busy.len());
    for reply in busy {
        reply.assert_problem(503, "hashing_busy");
        assert_eq!(reply.header("retry-after"), Some("1"));
    }
}

/// Hashing holds no pooled connection: with a pool of one connection, a 300 ms checkout
/// timeout and one hashing slot, a queue of wrong password changes (each about 50 ms of
/// Argon2id) leaves unrelated reads and the changes themselves the connection. The old server
/// verified inside `db::run`, so the queue held the only connection for the whole queue's
/// hashing time and requests answered 503 `database_unavailable`.
#[actix_web::test]
async fn hashing_holds_no_pooled_connection() {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.database.db_pool_size = 1;
    config.database.db_checkout_timeout_ms = 500;
    config.auth.hash_concurrency = 1;
    let app = TestApp::spawn_with(db, config).await;
    let user = app.register("university", "宁夏大学").await;
    let organization = format!("/api/v1/organizations/{}", user.organization_id);
    let changes = futures_join_all((0..16).map(|_| wrong_change(&app, user.bearer())));
    let reads = futures_join_all((0..16).map(|_| app.get(&organization)));
    let (changes, reads) = tokio::join!(changes, reads);
    let statuses = |r: &[Reply]| r.iter().map(|r| r.status.as_u16()).collect::<Vec<_>>();
    assert!(changes.iter().all(|r| r.status == 422), "{:?}", statuses(&changes));
    assert!(reads.iter().all(|r| r.status == 200), "{:?}", statuses(&reads));
}

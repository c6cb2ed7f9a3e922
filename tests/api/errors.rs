//! Every kind of failure answers RFC 9457 problem JSON with a stable code, never a plain-text
//! body and never a 500 for a client mistake.

use crate::common::{serve_config, TestApp};
use serde_json::json;

#[actix_web::test]
async fn malformed_requests_get_problem_json() {
    let app = TestApp::spawn().await;
    let user = app.register("enterprise", "企业").await;
    let t = user.bearer();
    app.raw_as(t, "POST", "/api/v1/demands", Some("application/json"), b"{\"title\": ")
        .await
        .assert_problem(400, "malformed_json");
    app.raw_as(t, "POST", "/api/v1/demands", Some("application/json"), b"not json")
        .await
        .assert_problem(400, "malformed_json");
    app.raw_as(t, "POST", "/api/v1/demands", Some("text/plain"), b"{}")
        .await
        .assert_problem(415, "unsupported_media_type");
    app.raw_as(t, "POST", "/api/v1/demands", None, b"{}").await.assert_problem(415, "unsupported_media_type");
    let unknown = app.post("/api/v1/auth/login", &json!({"email": "a@b.cn", "password": "x", "role": "admin"})).await;
    unknown.assert_problem(400, "invalid_body");
    assert!(unknown.body["detail"].as_str().unwrap().contains("role"));
    let bad_kind = json!({"email": "a@b.cn", "password": "a unique phrase 42", "display_name": "x",
                          "organization": {"kind": "bank", "name": "x"}});
    app.post("/api/v1/auth/register", &bad_kind).await.assert_problem(400, "invalid_body");
    app.post_as(t, "/api/v1/supplies", &json!({"title": 5})).await.assert_problem(400, "invalid_body");
    let owner_in_body = json!({"title": "t", "summary": "s", "organization_id": uuid::Uuid::new_v4()});
    app.post_as(t, "/api/v1/supplies", &owner_in_body).await.assert_problem(400, "invalid_body");
    app.get("/api/v1/supplies/not-a-uuid").await.assert_problem(400, "invalid_path");
    app.get("/api/v1/demands/123/matches").await.assert_problem(400, "invalid_path");
    app.get("/api/v1/demands?page=-1").await.assert_problem(400, "invalid_query");
    app.get("/api/v1/demands?unknown=1").await.assert_problem(400, "invalid_query");
    app.get("/api/v1/nowhere").await.assert_problem(404, "route_not_found");
    app.get("/").await.assert_problem(404, "route_not_found");
    app.raw("DELETE", "/api/v1/supplies", None, b"").await.assert_problem(405, "method_not_allowed");
    app.raw("PUT", "/api/v1/industries", None, b"").await.assert_problem(405, "method_not_allowed");
    app.get(&format!("/api/v1/supplies/{}", uuid::Uuid::new_v4())).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/demands/{}/matches", uuid::Uuid::new_v4())).await.assert_problem(404, "not_found");
    let big = format!("{{\"email\": \"a@b.cn\", \"password\": \"{}\"}}", "x".repeat(70 * 1024));
    app.raw("POST", "/api/v1/auth/login", Some("application/json"), big.as_bytes())
        .await
        .assert_problem(413, "payload_too_large");
}

#[actix_web::test]
async fn duplicate_organization_is_a_conflict() {
    let app = TestApp::spawn().await;
    app.register("university", "宁夏大学").await;
    let again = json!({"email": "new@example.org", "password": "a unique phrase 42", "display_name": "x",
                       "organization": {"kind": "university", "name": "宁夏大学"}});
    app.post("/api/v1/auth/register", &again).await.assert_problem(409, "organization_exists");
    assert_eq!(app.get("/api/v1/organizations").await.body["total"], 1);
    app.post("/api/v1/auth/login", &json!({"email": "new@example.org", "password": "a unique phrase 42"}))
        .await
        .assert_problem(401, "invalid_credentials");
}

#[actix_web::test]
async fn unreachable_database_answers_503_with_retry_after() {
    // A port nothing listens on: every database call fails fast.
    let config = serve_config("postgres://postgres@127.0.0.1:1/techmatch");
    let app = techmatch::app::Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::default();

    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    for path in ["/readyz", "/api/v1/supplies", "/api/v1/industries"] {
        let started = std::time::Instant::now();
        let mut res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "{path} took {:?}", started.elapsed());
        assert_eq!(res.status(), 503, "{path}");
        assert_eq!(res.headers().get("retry-after").unwrap(), "5");
        assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "database_unavailable");
    }
}

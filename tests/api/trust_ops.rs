//! Issue 11, items 4 and 10: a held lock costs its writers a fast 503, not the whole API; a
//! request deadline and a shutdown grace inside compose's; idempotent listing creation; HTTP
//! hygiene (HEAD, nosniff, no-store, the docs page's CSP, gzip, request ids, the access log, a
//! quiet log during a database outage).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use awc::http::header;
use clap::{Args, FromArgMatches};
use serde_json::{json, Value};

use crate::common::{self, hold_write, serve_config, ServerLog, TestApp, TestDb};

fn demand(title: &str) -> Value {
    json!({"title": title, "description": "需要按大小和色泽在线分选枸杞鲜果", "keywords": ["枸杞", "分选"], "industries": ["goji"]})
}

fn supply(title: &str) -> Value {
    json!({"title": title, "summary": "以枸杞鲜果为对象的低损采收装备。", "keywords": ["枸杞采收"], "industries": ["goji"], "trl": 6})
}

/// Item 4. A transaction elsewhere holds `demands` locked (EXCLUSIVE: reads pass, writes wait).
/// More concurrent creates than the pool has connections each answer 503 `database_busy` with
/// `Retry-After` within the lock timeout, while an unrelated read and `/readyz` answer at once;
/// once the lock is gone a create succeeds.
///
/// The old code set no `lock_timeout`: every create waited for the lock for as long as it was
/// held (19.5 s in the break-it run), the waiting creates held the whole pool, and `/readyz` and
/// unrelated reads answered 503 after the checkout timeout. Here the creates would not have
/// answered within the 5 s the test grants.
#[actix_web::test]
async fn a_held_table_lock_costs_writers_a_fast_503_and_not_the_pool() {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.database.db_lock_timeout_ms = 300;
    config.database.db_statement_timeout_ms = 2000;
    let app = std::rc::Rc::new(TestApp::spawn_with(db, config).await);
    let enterprise = app.register("enterprise", "宁夏锁表测试企业").await;

    let held = hold_write(&app.db.url, "LOCK TABLE demands IN EXCLUSIVE MODE".into());
    let writers: Vec<_> = (0..6)
        .map(|i| {
            let (app, token) = (app.clone(), enterprise.token.clone());
            actix_web::rt::spawn(async move {
                let started = Instant::now();
                let reply = app.post_as(Some(&token), "/api/v1/demands", &demand(&format!("枸杞分选需求 {i}"))).await;
                (reply, started.elapsed())
            })
        })
        .collect();
    held.blocks_another(&app.db.url, Duration::from_secs(5)).await;

    for path in ["/api/v1/supplies", "/readyz", "/api/v1/demands"] {
        let started = Instant::now();
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert!(started.elapsed() < Duration::from_millis(1000), "{path} took {:?}", started.elapsed());
    }
    for writer in writers {
        let (reply, took) = actix_web::rt::time::timeout(Duration::from_secs(5), writer)
            .await
            .expect("a create waiting for the lock answers within 5 s")
            .unwrap();
        reply.assert_problem(503, "database_busy");
        assert_eq!(reply.header("retry-after"), Some("5"));
        assert!(took < Duration::from_secs(3), "a create took {took:?}");
    }
    held.commit().await;
    let created = app.post_as(enterprise.bearer(), "/api/v1/demands", &demand("锁释放后的需求")).await;
    assert_eq!(created.status, 201, "{}", created.body);
}

/// Item 4. `Idempotency-Key` on `POST /supplies` and `POST /demands`: a retry with the same key
/// and body returns the first response (same id, `Location`, `ETag`) and creates nothing; the
/// same key with another body is 422 `idempotency_key_reused`; a malformed key is 400.
///
/// The old code ignored the header: a retry after a lost response created a second listing.
#[actix_web::test]
async fn listing_creation_is_idempotent_with_a_key() {
    let app = TestApp::spawn().await;
    let institute = app.register("research_institute", "宁夏幂等测试研究院").await;
    let client = awc::Client::default();
    let post = |path: &str, key: &str, body: &Value| {
        let req = client
            .post(app.url(path))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::AUTHORIZATION, format!("Bearer {}", institute.token)))
            .insert_header(("Idempotency-Key", key.to_string()));
        app.send(req, Some(serde_json::to_vec(body).unwrap()))
    };
    for (path, key, body, other) in [
        ("/api/v1/supplies", "supply-1", supply("幂等供给"), supply("另一个供给")),
        ("/api/v1/demands", "demand-1", demand("幂等需求"), demand("另一个需求")),
    ] {
        let first = post(path, key, &body).await;
        assert_eq!(first.status, 201, "{}", first.body);
        let again = post(path, key, &body).await;
        assert_eq!(again.status, 201, "{}", again.body);
        assert_eq!(again.body, first.body);
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(again.header("etag"), Some("\"1\""));
        post(path, key, &other).await.assert_problem(422, "idempotency_key_reused");
        post(path, "bad key", &other).await.assert_problem(400, "invalid_idempotency_key");
        let page =
            app.get_as(institute.bearer(), &format!("{path}?organization_id={}", institute.organization_id)).await;
        assert_eq!(page.body["total"], 1, "{}", page.body);
        // A key is one request: the supply's key sent to another endpoint is refused.
        if path == "/api/v1/supplies" {
            post("/api/v1/demands", key, &demand("幂等需求")).await.assert_problem(422, "idempotency_key_reused");
        }
    }
}

/// Item 4. The timeouts nest: statement < request deadline < the server's shutdown grace <
/// compose's `stop_grace_period`, so a request ends (or is cut by the server) before the
/// orchestrator's SIGKILL.
///
/// The old code granted 30 s after SIGTERM while compose set no `stop_grace_period` (Docker's
/// default is 10 s): a long request was killed mid-way, its write committed after the client
/// saw a reset; there was no statement timeout and no deadline.
#[test]
fn the_timeouts_nest_inside_compose_s_stop_grace_period() {
    let matches = techmatch::config::ServeConfig::augment_args(clap::Command::new("serve"))
        .try_get_matches_from(["serve", "--database-url", "postgres://x/y", "--jwt-secret", common::JWT_SECRET])
        .unwrap();
    let defaults = techmatch::config::ServeConfig::from_arg_matches(&matches).unwrap();
    let compose = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docker-compose.yml")).unwrap();
    let seconds = |key: &str| -> u64 {
        let line = compose.lines().find(|l| l.trim_start().starts_with(key)).unwrap_or_else(|| panic!("no {key}"));
        line.split(':').nth(1).unwrap().trim().trim_end_matches('s').parse().unwrap()
    };
    let stop_grace = seconds("stop_grace_period:");
    let server_grace = seconds("TECHMATCH_SHUTDOWN_GRACE_SECS:");
    assert_eq!(server_grace, defaults.shutdown_grace_secs);
    assert!(defaults.database.db_lock_timeout_ms < defaults.database.db_statement_timeout_ms);
    assert!(defaults.database.db_statement_timeout_ms < defaults.request_timeout_ms);
    assert!(defaults.request_timeout_ms < server_grace * 1000);
    assert!(server_grace + 5 <= stop_grace, "grace {server_grace} s, compose {stop_grace} s");
}

/// Item 10. HEAD on GET routes (with `Allow` listing it), `nosniff` on every response,
/// `no-store` on token responses, the docs page's offline CSP, gzip, and `X-Request-Id`.
///
/// The old code answered HEAD with 405, sent none of these headers, compressed nothing, let the
/// docs page fetch a logo from cdn.redoc.ly and had no request id.
#[actix_web::test]
async fn http_hygiene_headers_head_gzip_and_request_ids() {
    let app = TestApp::spawn().await;
    let client = awc::Client::default();
    let get = |path: &str, headers: &[(&str, &str)]| {
        let mut req = client.get(app.url(path));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        app.send(req, None)
    };

    // HEAD: the GET's head, no body; `Allow` names HEAD wherever GET is.
    let full = get("/api/v1/industries", &[]).await;
    let head = app.send(client.head(app.url("/api/v1/industries")), None).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.body, Value::Null);
    assert_eq!(head.header("content-type"), full.header("content-type"));
    assert_eq!(head.header("content-length"), Some(serde_json::to_vec(&full.body).unwrap().len().to_string().as_str()));
    for path in ["/healthz", "/readyz", "/docs", "/api/v1/supplies", "/api/v1/openapi.json"] {
        let reply = app.send(client.head(app.url(path)), None).await;
        assert_eq!(reply.status, 200, "HEAD {path}");
    }
    let refused = app.raw("DELETE", "/api/v1/supplies", None, b"").await;
    refused.assert_problem(405, "method_not_allowed");
    assert_eq!(refused.header("allow"), Some("GET, HEAD, POST"));
    let post_only = app.send(client.head(app.url("/api/v1/auth/login")), None).await;
    assert_eq!(post_only.status, 405);
    assert_eq!(post_only.header("allow"), Some("POST"));

    // nosniff everywhere: a success, a problem, an unknown route, the docs.
    for path in ["/api/v1/industries", "/api/v1/supplies/not-a-uuid", "/nowhere", "/docs"] {
        let reply = get(path, &[]).await;
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{path}");
    }

    // no-store where tokens travel.
    let session = app.register("university", "宁夏缓存测试大学").await;
    let login = app.post("/api/v1/auth/login", &json!({"email": session.email, "password": common::PASSWORD})).await;
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let refreshed = app.post("/api/v1/auth/refresh", &json!({"refresh_token": login.body["refresh_token"]})).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    assert_eq!(refreshed.header("cache-control"), Some("no-store"));

    // The docs page may load nothing from elsewhere, and the bundle asks for nothing elsewhere.
    let docs = get("/docs", &[]).await;
    let csp = docs.header("content-security-policy").expect("the docs page has a CSP");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(!csp.contains("http") && !csp.contains('*'), "{csp}");
    assert!(csp.contains("script-src 'self' 'sha256-"), "{csp}");
    let bundle = get("/docs/redoc.standalone.js", &[]).await;
    assert!(!bundle.body.as_str().unwrap().contains("cdn.redoc.ly"));

    // gzip for the bundle and for JSON, when asked for.
    for path in ["/docs/redoc.standalone.js", "/api/v1/openapi.json", "/api/v1/industries"] {
        let reply = get(path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-encoding"), Some("gzip"), "{path}");
    }

    // X-Request-Id: a sane one is kept, anything else is replaced by a new UUID.
    let kept = get("/healthz", &[("x-request-id", "client-req-42")]).await;
    assert_eq!(kept.header("x-request-id"), Some("client-req-42"));
    for sent in [None, Some("has spaces and ünïcode"), Some(&*"x".repeat(200))] {
        let headers: Vec<(&str, &str)> = sent.map(|s| ("x-request-id", s)).into_iter().collect();
        let reply = get("/api/v1/supplies/not-a-uuid", &headers).await;
        let id = reply.header("x-request-id").expect("an id is answered");
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }
}

/// A `techmatch serve` process with JSON logs.
struct Served {
    /// Killed when the `Served` is dropped.
    _child: common::Process,
    port: u16,
    log: ServerLog,
}

impl Served {
    fn start(database_url: &str) -> Self {
        let (child, port, log) = common::start_binary(database_url);
        Self { _child: child, port, log }
    }

    /// The next line that `wanted` accepts; panics after 20 s.
    fn wait_for(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        self.log.wait_until(wanted, Duration::from_secs(20))
    }

    /// Every line logged so far.
    fn all(&mut self) -> Vec<String> {
        self.log.lines().to_vec()
    }

    /// One HTTP/1.1 request; the status and body.
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&Value>) -> (u16, Value) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let body = body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        if !body.is_empty() {
            head.push_str("Content-Type: application/json\r\n");
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }
}

/// Item 10. One access-log line per request (method, route pattern, status, latency, request
/// id, the user once signed in), and the request id on every line logged while serving it.
///
/// The old code logged no line per request (tracing-actix-web's span only), generated its own
/// request id without accepting or returning one, and the handlers' lines carried none.
#[test]
fn every_request_has_one_access_line_and_its_id_on_every_line() {
    let db = TestDb::new();
    let mut server = Served::start(&db.url);
    let email = format!("{}@example.org", uuid::Uuid::new_v4().simple());
    let register = json!({"email": email, "password": common::PASSWORD, "display_name": "日志",
        "organization": {"kind": "university", "name": "宁夏日志测试大学", "region": "宁夏"}});
    let (status, account) =
        server.request("POST", "/api/v1/auth/register", &[("X-Request-Id", "reg-0001")], Some(&register));
    assert_eq!(status, 202, "{account}");
    // A line the handler writes carries the request id of its request.
    let registered = server.wait_for(|l| l.contains("account registered"));
    assert!(registered.contains("reg-0001"), "{registered}");
    let access = server.wait_for(|l| l.contains("request served") && l.contains("reg-0001"));
    let entry: Value = serde_json::from_str(&access).unwrap();
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["route"], "/api/v1/auth/register");
    assert_eq!(entry["status"], 202);
    assert!(entry["latency_ms"].as_f64().is_some(), "{access}");

    let (status, tokens) =
        server.request("POST", "/api/v1/auth/login", &[], Some(&json!({"email": email, "password": common::PASSWORD})));
    assert_eq!(status, 200);
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let (status, me) =
        server.request("GET", "/api/v1/me", &[("Authorization", &bearer), ("X-Request-Id", "me-0002")], None);
    assert_eq!(status, 200);
    let user_id = me["user"]["id"].as_str().unwrap().to_string();
    let access = server.wait_for(|l| l.contains("request served") && l.contains("me-0002"));
    let entry: Value = serde_json::from_str(&access).unwrap();
    assert_eq!(
        (entry["method"].as_str(), entry["route"].as_str(), entry["status"].as_u64()),
        (Some("GET"), Some("/api/v1/me"), Some(200))
    );
    assert_eq!(entry["user_id"], user_id.as_str());
    let (status, _) = server.request(
        "HEAD",
        "/api/v1/supplies/00000000-0000-0000-0000-000000000000",
        &[("X-Request-Id", "head-3")],
        None,
    );
    assert_eq!(status, 404);
    let access = server.wait_for(|l| l.contains("request served") && l.contains("head-3"));
    let entry: Value = serde_json::from_str(&access).unwrap();
    assert_eq!((entry["method"].as_str(), entry["route"].as_str()), (Some("HEAD"), Some("/api/v1/supplies/{id}")));
    let served: Vec<String> = server.all().into_iter().filter(|l| l.contains("request served")).collect();
    assert_eq!(served.len(), 4, "one access line per request:\n{}", served.join("\n"));
}

/// Item 10. With PostgreSQL unreachable, the pool's connection failures are logged at most once
/// a second, however many requests fail meanwhile (each still answers 503 at once).
///
/// The old code logged every failed attempt of r2d2 (about 13 error lines a second).
#[test]
fn a_database_outage_logs_at_most_one_pool_error_a_second() {
    // A port with nothing listening: every connection attempt is refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut server = Served::start(&format!("postgres://techmatch:x@127.0.0.1:{port}/techmatch"));
    let started = Instant::now();
    let mut answered = 0;
    while started.elapsed() < Duration::from_secs(3) {
        let (status, body) = server.request("GET", "/readyz", &[], None);
        assert_eq!(status, 503, "{body}");
        answered += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let errors: Vec<String> = server.all().into_iter().filter(|l| l.contains("\"level\":\"ERROR\"")).collect();
    assert!(!errors.is_empty(), "the outage is logged");
    assert!(
        errors.len() as f64 <= elapsed.ceil() + 1.0,
        "{} error lines in {elapsed:.1} s ({answered} requests):\n{}",
        errors.len(),
        errors.join("\n")
    );
}

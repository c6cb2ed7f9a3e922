//! The operations surface: Prometheus metrics at `/metrics` and CORS for the separate frontend.

use std::collections::HashMap;

use crate::common::{serve_config, Reply, TestApp, TestDb};
use awc::http::{header, Method};
use serde_json::json;

/// Parses the Prometheus text format into `series -> value` (series = name plus labels as printed).
fn parse_metrics(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("`series value` line");
            (series.to_string(), value.parse::<f64>().unwrap_or_else(|_| panic!("bad value in {line}")))
        })
        .collect()
}

fn value(metrics: &HashMap<String, f64>, series: &str) -> f64 {
    *metrics.get(series).unwrap_or_else(|| {
        let mut known: Vec<_> = metrics.keys().filter(|k| k.starts_with(series.split('{').next().unwrap())).collect();
        known.sort();
        panic!("no series {series}; have {known:#?}")
    })
}

async fn scrape(app: &TestApp) -> HashMap<String, f64> {
    let reply = app.get("/metrics").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("text/plain; version=0.0.4"));
    parse_metrics(reply.body.as_str().expect("text body"))
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_time_the_engine() {
    let app = TestApp::with_real_listings().await;
    let list = app.get("/api/v1/supplies?per_page=2").await;
    assert_eq!(list.status, 200);
    let ids: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    let missing = uuid::Uuid::new_v4();
    assert_eq!(app.get(&format!("/api/v1/supplies/{}", ids[0])).await.status, 200);
    assert_eq!(app.get(&format!("/api/v1/supplies/{}", ids[1])).await.status, 200);
    app.get(&format!("/api/v1/supplies/{missing}")).await.assert_problem(404, "not_found");
    assert_eq!(app.get(&format!("/api/v1/supplies/{}/matches?per_page=5", ids[0])).await.status, 200);
    app.get(&format!("/no/such/{missing}")).await.assert_problem(404, "route_not_found");
    app.raw("FOO", "/api/v1/industries", None, b"").await;
    let ready = app.get("/readyz").await;

    let reply = app.get("/metrics").await;
    let text = reply.body.as_str().unwrap();
    assert!(!text.contains(&missing.to_string()) && !text.contains(ids[0]), "raw paths leak into labels:\n{text}");
    let m = scrape(&app).await;
    let route = |method: &str, route: &str, status: u16| {
        format!("{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}}")
    };
    let by_id = "/api/v1/supplies/{id}";
    assert_eq!(value(&m, &format!("techmatch_http_requests_total{}", route("GET", by_id, 200))), 2.0);
    assert_eq!(value(&m, &format!("techmatch_http_requests_total{}", route("GET", by_id, 404))), 1.0);
    assert_eq!(value(&m, &format!("techmatch_http_requests_total{}", route("GET", "/api/v1/supplies", 200))), 1.0);
    assert_eq!(value(&m, &format!("techmatch_http_requests_total{}", route("GET", "unmatched", 404))), 1.0);
    assert_eq!(value(&m, &format!("techmatch_http_requests_total{}", route("OTHER", "/api/v1/industries", 405))), 1.0);
    // Both scrapes of /metrics so far were answered (the second sees the first).
    assert_eq!(value(&m, &format!("techmatch_http_requests_total{}", route("GET", "/metrics", 200))), 1.0);
    let hist = format!("techmatch_http_request_duration_seconds_count{}", route("GET", by_id, 200));
    assert_eq!(value(&m, &hist), 2.0);
    let inf = format!(
        "techmatch_http_request_duration_seconds_bucket{{method=\"GET\",route=\"{by_id}\",status=\"200\",le=\"+Inf\"}}"
    );
    assert_eq!(value(&m, &inf), 2.0);
    assert!(value(&m, &hist.replace("_count", "_sum")) > 0.0);
    // Only the scrape itself is in flight.
    assert_eq!(value(&m, "techmatch_http_requests_in_flight"), 1.0);

    // One engine search, ranking demands for a supply.
    assert_eq!(value(&m, "techmatch_match_search_duration_seconds_count{candidates=\"demand\"}"), 1.0);
    assert!(value(&m, "techmatch_match_search_duration_seconds_sum{candidates=\"demand\"}") > 0.0);
    assert!(!m.contains_key("techmatch_match_search_duration_seconds_count{candidates=\"supply\"}"));

    // The index and the pool, sampled at scrape time.
    let supplies = value(&m, "techmatch_match_index_listings{side=\"supply\"}");
    let demands = value(&m, "techmatch_match_index_listings{side=\"demand\"}");
    assert!(supplies > 50.0 && demands > 20.0, "{supplies} {demands}");
    assert_eq!(supplies, ready.body["indexed_supplies"].as_f64().unwrap());
    assert_eq!(demands, ready.body["indexed_demands"].as_f64().unwrap());
    assert_eq!(value(&m, "techmatch_db_pool_max_connections"), 4.0);
    let (open, idle) = (value(&m, "techmatch_db_pool_connections"), value(&m, "techmatch_db_pool_idle_connections"));
    assert!((1.0..=4.0).contains(&open) && idle <= open, "open {open}, idle {idle}");
}

#[actix_web::test]
async fn metrics_failures_are_problem_json() {
    let app = TestApp::spawn().await;
    app.post("/metrics", &json!({})).await.assert_problem(405, "method_not_allowed");
}

async fn with_origin(app: &TestApp, method: Method, path: &str, origin: &str, preflight: bool) -> Reply {
    let mut req = awc::Client::default().request(method, app.url(path)).insert_header((header::ORIGIN, origin));
    if preflight {
        req = req.insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "PATCH")).insert_header((
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type, if-match, idempotency-key",
        ));
    }
    app.send(req, None).await
}

fn lower_list(reply: &Reply, name: &str) -> Vec<String> {
    let mut items: Vec<String> = reply
        .header(name)
        .unwrap_or_else(|| panic!("no {name} header: {:?}", reply.headers))
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    items.sort();
    items
}

#[actix_web::test]
async fn cors_answers_configured_origins_only() {
    let frontend = "https://app.example.org";
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.cors_origins = vec![format!("{frontend}/"), "http://localhost:5173".into()];
    let app = TestApp::spawn_with(db, config).await;
    let path = "/api/v1/supplies/00000000-0000-0000-0000-000000000000";

    let ok = with_origin(&app, Method::OPTIONS, path, frontend, true).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.header("access-control-allow-origin"), Some(frontend));
    assert_eq!(lower_list(&ok, "access-control-allow-methods"), ["delete", "get", "patch", "post", "put"]);
    assert_eq!(
        lower_list(&ok, "access-control-allow-headers"),
        ["authorization", "content-type", "idempotency-key", "if-match", "if-none-match"]
    );
    assert_eq!(ok.header("access-control-max-age"), Some("3600"));

    let actual = with_origin(&app, Method::GET, path, frontend, false).await;
    actual.assert_problem(404, "not_found");
    assert_eq!(actual.header("access-control-allow-origin"), Some(frontend));
    assert_eq!(
        lower_list(&actual, "access-control-expose-headers"),
        ["content-disposition", "etag", "location", "retry-after"]
    );

    // A method or header outside the lists is refused even from the frontend.
    for (method, headers) in [("TRACE", "authorization"), ("PATCH", "x-forwarded-host")] {
        let req = awc::Client::default()
            .request(Method::OPTIONS, app.url(path))
            .insert_header((header::ORIGIN, frontend))
            .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, method))
            .insert_header((header::ACCESS_CONTROL_REQUEST_HEADERS, headers));
        app.send(req, None).await.assert_problem(400, "cors_rejected");
    }

    let refused = with_origin(&app, Method::OPTIONS, path, "https://evil.example.com", true).await;
    refused.assert_problem(400, "cors_rejected");
    assert_eq!(refused.header("access-control-allow-origin"), None);
    // Non-browser clients still get answers, without CORS headers.
    let other = with_origin(&app, Method::GET, "/api/v1/industries", "https://evil.example.com", false).await;
    assert_eq!(other.status, 200);
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn no_cors_headers_without_configured_origins() {
    let app = TestApp::spawn().await;
    let frontend = "https://app.example.org";
    let preflight = with_origin(&app, Method::OPTIONS, "/api/v1/industries", frontend, true).await;
    preflight.assert_problem(405, "method_not_allowed");
    assert_eq!(preflight.header("access-control-allow-origin"), None);
    let get = with_origin(&app, Method::GET, "/api/v1/industries", frontend, false).await;
    assert_eq!(get.status, 200);
    assert_eq!(get.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn a_bad_cors_origin_stops_the_start() {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.cors_origins = vec!["*".into()];
    let err = techmatch::app::Application::build(config).await.err().expect("refused");
    assert!(err.to_string().contains("TECHMATCH_CORS_ORIGINS"), "{err}");
}

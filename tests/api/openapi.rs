//! The OpenAPI document: the committed `openapi/openapi.json` is what the code generates (from the
//! same route declarations the server mounts, so every served route is documented by
//! construction), every documented route answers, and the server serves it with a docs page.
//!
//! After changing an annotation, regenerate the committed file with
//! `UPDATE_OPENAPI=1 cargo test --test api openapi::` and commit it.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::TestApp;
use serde_json::Value;

/// The document the code generates, as committed.
fn generated() -> String {
    techmatch::routes::document_json(&techmatch::routes::document()).unwrap()
}

fn committed_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json")
}

#[test]
fn committed_document_is_the_generated_one() {
    let generated = generated();
    let path = committed_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write openapi/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| committed.lines().count().min(generated.lines().count()) + 1, |i| i + 1);
        panic!(
            "openapi/openapi.json differs from the document the code generates (first at line {line}: \
             committed {:?}, generated {:?}).\nRegenerate it: UPDATE_OPENAPI=1 cargo test --test api openapi::",
            committed.lines().nth(line - 1).unwrap_or("<end>"),
            generated.lines().nth(line - 1).unwrap_or("<end>"),
        );
    }
}

/// `(METHOD, path)` of every operation in the document.
fn documented_operations() -> BTreeSet<(String, String)> {
    let doc: Value = serde_json::from_str(&generated()).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            if item.get(method).is_some() {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn every_operation_is_described_with_its_errors() {
    let doc: Value = serde_json::from_str(&generated()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            assert!(op["summary"].is_string() || op["description"].is_string(), "{what} has no description");
            let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{what} has no responses"));
            assert!(responses.keys().any(|s| s.starts_with('2')), "{what} documents no success");
            let secured = op["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if secured {
                assert!(responses.contains_key("401"), "{what} takes a token but documents no 401");
            }
            let has_params = op["parameters"].as_array().is_some_and(|p| !p.is_empty());
            if has_params || op.get("requestBody").is_some() {
                assert!(responses.contains_key("400"), "{what} takes input but documents no 400");
            }
        }
    }
}

fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.insert(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[test]
fn references_resolve_and_operation_ids_are_unique() {
    let doc: Value = serde_json::from_str(&generated()).unwrap();
    let mut refs = BTreeSet::new();
    collect_refs(&doc, &mut refs);
    for r in &refs {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("external reference {r}"));
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
    let mut ids = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().expect("every operation has an operationId");
            assert!(ids.insert(id.to_string()), "operationId {id} is used twice");
        }
    }
}

/// Issue 13: what a webhook endpoint receives is part of the document (OpenAPI 3.1 `webhooks`):
/// the payload schema and the three headers, the signature's format among them.
#[test]
fn the_webhook_callback_is_documented_with_its_signature() {
    let doc: Value = serde_json::from_str(&generated()).unwrap();
    let post = &doc["webhooks"]["notification"]["post"];
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/WebhookPayload"
    );
    let headers: BTreeSet<&str> =
        post["parameters"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(headers, BTreeSet::from(["X-Techmatch-Delivery", "X-Techmatch-Event", "X-Techmatch-Signature"]));
    assert!(post["description"].as_str().unwrap().contains("HMAC-SHA256"), "{post}");
    assert!(doc["components"]["schemas"]["WebhookPayload"]["description"].as_str().unwrap().contains("300 seconds"));
}

#[actix_web::test]
async fn every_documented_route_exists_on_the_server() {
    let app = TestApp::spawn().await;
    for (method, path) in documented_operations() {
        let concrete = path.replace("{id}", &uuid::Uuid::nil().to_string());
        let reply = app.raw(&method, &concrete, Some("application/json"), b"{}").await;
        let code = reply.body["code"].as_str().unwrap_or_default();
        assert!(
            !matches!(code, "route_not_found" | "method_not_allowed"),
            "{method} {path} is documented but the server answers {} {code}",
            reply.status
        );
    }
}

#[actix_web::test]
async fn the_document_and_the_docs_page_are_served() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let served: Value = reply.body;
    let generated: Value = serde_json::from_str(&generated()).unwrap();
    assert_eq!(served, generated);
    assert_eq!(served["openapi"], "3.1.0");

    let page = app.get("/docs").await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap_or_default().starts_with("text/html"));
    let html = page.body.as_str().unwrap_or_default();
    assert!(html.contains("/docs/redoc.standalone.js") && html.contains("/api/v1/openapi.json"), "{html}");
    assert!(!html.contains("https://"), "the docs page loads nothing from elsewhere");

    let script = app.get("/docs/redoc.standalone.js").await;
    assert_eq!(script.status, 200);
    assert!(script.header("content-type").unwrap_or_default().starts_with("application/javascript"));
    assert!(script.body.as_str().unwrap_or_default().contains("Redoc"));
}

/// What Schemathesis found where the server and the document disagreed (see scripts/schemathesis.sh).
#[actix_web::test]
async fn the_server_keeps_to_the_document_where_schemathesis_found_it_did_not() {
    let app = TestApp::spawn().await;
    let nil = uuid::Uuid::nil();

    let reply = app.raw("DELETE", &format!("/api/v1/supplies/{nil}"), None, b"").await;
    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, HEAD, PATCH"), "a 405 names the methods of the route");

    let admin = app.admin().await;
    let t = admin.bearer();
    app.get_as(t, "/api/v1/connections/export.csv?per_page=0").await.assert_problem(400, "invalid_query");
    app.get_as(t, "/api/v1/stats/connections?period=weekly").await.assert_problem(400, "invalid_query");
    let preview = serde_json::json!({"target": "supply", "title": "枸杞鲜果分选"});
    app.post("/api/v1/matches?min_score=1.0000000000000002", &preview).await.assert_problem(400, "invalid_query");

    let institute = app.register("research_institute", "某研究院").await;
    let reply = app
        .create_supply(&institute, serde_json::json!({"title": "t1", "summary": "s", "trl": 6.0, "price_fen": 1e3}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!((reply.body["trl"].as_i64(), reply.body["price_fen"].as_i64()), (Some(6), Some(1000)));
    let fraction = serde_json::json!({"title": "t2", "summary": "s", "trl": 6.5});
    app.create_supply(&institute, fraction).await.assert_problem(400, "invalid_body");
    let padded = serde_json::json!({"title": format!(" {}", "a".repeat(200)), "summary": "s"});
    app.create_supply(&institute, padded).await.assert_problem(422, "validation_failed");
    let repeated = serde_json::json!({"title": "t3", "summary": "s", "industries": vec!["goji"; 6]});
    app.create_supply(&institute, repeated).await.assert_problem(422, "validation_failed");
}

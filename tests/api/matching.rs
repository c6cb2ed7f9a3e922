//! Matching over HTTP on the real listings: ranked, explained results in both directions,
//! candidates limited to published supplies and open demands, freshness across instances.

use std::time::Duration;

use crate::common::{self, TestApp, TestDb};
use serde_json::{json, Value};

async fn find_id(app: &TestApp, kind: &str, title: &str) -> String {
    let q: String = url_escape(title);
    let reply = app.get(&format!("/api/v1/{kind}?q={q}&per_page=100")).await;
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == title)
        .unwrap_or_else(|| panic!("{title} not found"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn titles(reply: &common::Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["listing"]["title"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn import_loads_the_real_listings_with_industry_codes() {
    let app = TestApp::with_real_listings().await;
    assert_eq!(app.get("/api/v1/demands").await.body["total"], 53);
    assert_eq!(app.get("/api/v1/supplies").await.body["total"], 110);
    let goji = app.get("/api/v1/supplies?industry=goji&per_page=100").await;
    assert!(goji.body["total"].as_i64().unwrap() >= 5);
    let id = find_id(&app, "supplies", "枸杞鲜果高效低损采收装备").await;
    let s = app.get(&format!("/api/v1/supplies/{id}")).await;
    assert_eq!(s.body["industries"], json!(["goji", "equipment_manufacturing"]));
    assert_eq!(s.body["source_url"], "http://lcj.nx.gov.cn/zwgk/zfxxgkml/ytabl/202508/t20250828_5002075.html");
    assert_eq!(s.body["region"], "宁夏");
    let owner = app.get(&format!("/api/v1/organizations/{}", s.body["organization_id"].as_str().unwrap())).await;
    assert_eq!(owner.body["name"], "宁夏农林科学院");
    assert_eq!(owner.body["kind"], "research_institute");

    // Importing again adds nothing.
    app.db.import_real_listings();
    assert_eq!(app.get("/api/v1/supplies").await.body["total"], 110);
}

#[actix_web::test]
async fn goji_harvesting_demand_finds_the_goji_harvesting_equipment() {
    let app = TestApp::with_real_listings().await;
    let demand = find_id(&app, "demands", "人机交互式枸杞一体化移动采收平台研究开发与示范应用").await;
    let reply = app.get(&format!("/api/v1/demands/{demand}/matches?per_page=5")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let top = titles(&reply);
    assert!(top.iter().take(3).any(|t| t == "枸杞鲜果高效低损采收装备"), "top matches: {top:?}");
    let items = reply.body["items"].as_array().unwrap();
    let scores: Vec<f64> = items.iter().map(|i| i["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "ranked by score: {scores:?}");
    let hit = items.iter().find(|i| i["listing"]["title"] == "枸杞鲜果高效低损采收装备").unwrap();
    let explanation = &hit["explanation"];
    assert!(explanation["matched_keywords"].to_string().contains("枸杞采收"), "{explanation}");
    assert!(explanation["matched_industries"].to_string().contains("goji"), "{explanation}");
    assert!(!explanation["signals"].as_array().unwrap().is_empty());

    // And back: the supply finds the demand.
    let supply = hit["listing"]["id"].as_str().unwrap();
    let back = app.get(&format!("/api/v1/supplies/{supply}/matches?per_page=5")).await;
    assert!(
        titles(&back).iter().any(|t| t == "人机交互式枸杞一体化移动采收平台研究开发与示范应用"),
        "{:?}",
        titles(&back)
    );
}

#[actix_web::test]
async fn only_published_supplies_are_candidates_and_writes_show_at_once() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "研究院").await;
    let demand = app
        .create_demand(
            &org,
            json!({"title": "光伏组件清洗", "description": "需要光伏组件无水清洗技术", "keywords": ["光伏组件"]}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"title": "光伏组件清洗机器人", "summary": "光伏组件无水清洗", "keywords": ["光伏组件"], "status": "draft"});
    let supply = app.create_supply(&org, body).await;
    let id = supply.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/demands/{demand}/matches");
    assert!(titles(&app.get(&path).await).is_empty(), "a draft is not a candidate");
    app.patch_as(org.bearer(), &format!("/api/v1/supplies/{id}"), &json!({"status": "published"}), Some("\"1\"")).await;
    assert_eq!(titles(&app.get(&path).await), ["光伏组件清洗机器人"]);
    app.post_as(org.bearer(), &format!("/api/v1/supplies/{id}/archive"), &json!({})).await;
    assert!(titles(&app.get(&path).await).is_empty(), "an archived supply is not a candidate");
}

#[actix_web::test]
async fn match_filters_and_bounds() {
    let app = TestApp::with_real_listings().await;
    let demand = find_id(&app, "demands", "人机交互式枸杞一体化移动采收平台研究开发与示范应用").await;
    let wine_only = app.get(&format!("/api/v1/demands/{demand}/matches?industry=wine")).await;
    for item in wine_only.body["items"].as_array().unwrap() {
        assert!(item["listing"]["industries"].as_array().unwrap().contains(&Value::from("wine")));
    }
    let strict = app.get(&format!("/api/v1/demands/{demand}/matches?min_score=0.99")).await;
    assert!(strict.body["items"].as_array().unwrap().iter().all(|i| i["score"].as_f64().unwrap() >= 0.99));
    for bad in
        ["min_score=2", "industry=nope", "mode=gift", "trl_min=0", "per_page=500", "page=11&per_page=100", "page=51"]
    {
        app.get(&format!("/api/v1/demands/{demand}/matches?{bad}")).await.assert_problem(400, "invalid_query");
    }
}

#[actix_web::test]
async fn a_write_on_one_instance_shows_in_another_within_two_seconds() {
    let db = TestDb::new();
    let url = db.url.clone();
    let a = TestApp::spawn_on(db).await;
    let b_app = techmatch::app::Application::build(common::serve_config(&url)).await.unwrap();
    let b = format!("http://127.0.0.1:{}", b_app.port());
    let b_index = b_app.matcher();
    actix_web::rt::spawn(b_app.run_until_stopped());

    let org = a.register("enterprise", "企业").await;
    let demand = a
        .create_demand(
            &org,
            json!({"title": "滩羊肉品质检测", "description": "需要滩羊肉快速无损检测", "keywords": ["滩羊"]}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.create_supply(
        &org,
        json!({"title": "滩羊肉近红外无损检测", "summary": "滩羊肉品质快速检测", "keywords": ["滩羊"]}),
    )
    .await;

    // B learns of A's writes only from its polls of the database: once a poll that began after
    // them is applied (within 2 s), B ranks the new supply.
    common::index_polled(&b_index, Duration::from_secs(2)).await;
    let mut res = awc::Client::default().get(format!("{b}/api/v1/demands/{demand}/matches")).send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["items"][0]["listing"]["title"], "滩羊肉近红外无损检测", "{body}");
}

/// A write made by a transaction that stays open across several index polls (another instance's
/// slow request, a bulk import) is still picked up once it commits: each poll reads from the
/// oldest transaction that was running when the previous poll began, not from "now".
#[actix_web::test]
async fn a_long_transaction_is_seen_after_it_commits() {
    let db = TestDb::new();
    let url = db.url.clone();
    let app = TestApp::spawn_on(db).await;
    let org = app.register("research_institute", "研究院").await;
    let demand = app
        .create_demand(
            &org,
            json!({"title": "枸杞烘干", "description": "需要枸杞低温烘干技术", "keywords": ["枸杞烘干"]}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let draft = json!({"title": "枸杞热泵烘干装备", "summary": "枸杞低温热泵烘干", "keywords": ["枸杞烘干"], "status": "draft"});
    let supply = app.create_supply(&org, draft).await.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/demands/{demand}/matches");
    assert!(titles(&app.get(&path).await).is_empty(), "a draft is not a candidate");

    // Publish the supply behind the service's back in a transaction (on its own thread) held
    // open while two polls that began after the write run.
    let publish = format!("UPDATE supplies SET status = 'published', version = version + 1 WHERE id = '{supply}'");
    let writer = common::hold_write(&url, publish);
    for _ in 0..2 {
        common::index_polled(&app.matcher, Duration::from_secs(5)).await;
    }
    assert!(titles(&app.get(&path).await).is_empty(), "not visible before the commit");
    writer.commit().await;

    // The first poll that begins after the commit (applied within 2 s) reads the row.
    common::index_polled(&app.matcher, Duration::from_secs(2)).await;
    assert_eq!(titles(&app.get(&path).await), ["枸杞热泵烘干装备"], "the committed write reached the index");
}

#[actix_web::test]
async fn preview_ranks_an_unsaved_listing_in_both_directions() {
    let app = TestApp::with_real_listings().await;
    let text = json!({"target": "supply", "title": "枸杞鲜果机械化采收", "body": "枸杞鲜果采收依赖人工，需要低损采收装备",
                      "keywords": ["枸杞采收"], "industries": ["goji"]});
    let supplies = app.post("/api/v1/matches?per_page=3", &text).await;
    assert_eq!(supplies.status, 200, "{}", supplies.body);
    assert!(titles(&supplies).contains(&"枸杞鲜果高效低损采收装备".to_string()), "{:?}", titles(&supplies));
    assert!(supplies.body["items"][0]["explanation"]["signals"].is_array());
    let mut reverse = text.clone();
    reverse["target"] = json!("demand");
    let demands = app.post("/api/v1/matches?per_page=5", &reverse).await;
    assert!(
        titles(&demands).contains(&"人机交互式枸杞一体化移动采收平台研究开发与示范应用".to_string()),
        "{:?}",
        titles(&demands)
    );
    assert!(demands.body["items"][0]["listing"]["description"].is_string(), "demands come back");
    let before = app.get("/api/v1/supplies").await.body["total"].clone();
    assert_eq!(before, 110, "a preview stores nothing");

    app.post("/api/v1/matches", &json!({"target": "supply", "title": ""}))
        .await
        .assert_problem(422, "validation_failed");
    app.post("/api/v1/matches", &json!({"target": "supply", "title": "x", "trl": 12}))
        .await
        .assert_problem(422, "validation_failed");
    app.post("/api/v1/matches", &json!({"target": "both", "title": "x"})).await.assert_problem(400, "invalid_body");
    app.post("/api/v1/matches", &json!({"target": "supply", "title": "x\u{0}"}))
        .await
        .assert_problem(400, "nul_character");
    app.post("/api/v1/matches?min_score=3", &json!({"target": "supply", "title": "x"}))
        .await
        .assert_problem(400, "invalid_query");
}

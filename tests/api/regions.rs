//! Regions over HTTP: names and aliases stored as GB/T 2260 codes, the region filter with its
//! sub-regions, unknown regions refused with the field named, and `GET /regions` with its ETag.

use awc::http::header;
use serde_json::{json, Value};

use crate::common::TestApp;

fn supply(title: &str, region: &str) -> Value {
    json!({
        "title": title,
        "summary": "以枸杞鲜果为对象的低损采收装备，已完成样机试验。",
        "keywords": ["枸杞采收"],
        "industries": ["goji"],
        "trl": 6,
        "transfer_modes": ["license"],
        "region": region
    })
}

fn titles(reply: &crate::common::Reply) -> Vec<String> {
    reply.body["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn names_and_aliases_are_stored_as_codes_with_their_names() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "宁夏农林科学院").await;
    for region in ["宁夏", "宁夏回族自治区", "640000"] {
        let created = app.create_supply(&org, supply(&format!("成果 {region}"), region)).await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.body["region"], region);
        assert_eq!(created.body["region_code"], "640000", "{region}");
        assert_eq!(created.body["region_names"]["zh"], "宁夏回族自治区");
    }
    let created = app.create_supply(&org, supply("兴庆区成果", "银川市兴庆区")).await;
    assert_eq!(created.body["region_code"], "640104");
    assert_eq!(
        created.body["region_names"],
        json!({"zh": "宁夏回族自治区银川市兴庆区", "en": "Xingqing District, Yinchuan, Ningxia"})
    );

    // A PATCH changes the code with the text.
    let id = created.body["id"].as_str().unwrap();
    let patched =
        app.patch_as(org.bearer(), &format!("/api/v1/supplies/{id}"), &json!({"region": "中卫"}), Some("\"1\"")).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!((&patched.body["region"], &patched.body["region_code"]), (&json!("中卫"), &json!("640500")));
    let cleared =
        app.patch_as(org.bearer(), &format!("/api/v1/supplies/{id}"), &json!({"region": null}), Some("\"2\"")).await;
    assert_eq!((&cleared.body["region_code"], &cleared.body["region_names"]), (&Value::Null, &Value::Null));

    // The organisation's region is coded too.
    let me = app.get_as(org.bearer(), &format!("/api/v1/organizations/{}", org.organization_id)).await;
    assert_eq!(me.body["region_code"], "640000", "{}", me.body);
    // The organisation list filters by region with its sub-regions: 宁夏 holds it, 银川 does not.
    let names = |r: &crate::common::Reply| -> Vec<String> {
        r.body["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect()
    };
    let in_ningxia = app.get("/api/v1/organizations?region=640000").await;
    assert!(names(&in_ningxia).contains(&"宁夏农林科学院".to_string()), "{}", in_ningxia.body);
    let in_yinchuan = app.get("/api/v1/organizations?region=%E9%93%B6%E5%B7%9D").await;
    assert!(!names(&in_yinchuan).contains(&"宁夏农林科学院".to_string()), "{}", in_yinchuan.body);
    app.get("/api/v1/organizations?region=x").await.assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn the_region_filter_includes_sub_regions_only() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "宁夏农林科学院").await;
    assert_eq!(app.create_supply(&org, supply("兴庆区的成果", "银川市兴庆区")).await.status, 201);
    assert_eq!(app.create_supply(&org, supply("大武口的成果", "石嘴山市大武口区")).await.status, 201);
    let demand = json!({"title": "兴庆区的需求", "description": "需要枸杞采收装备。", "keywords": ["枸杞"],
        "industries": ["goji"], "region": "宁夏银川市兴庆区"});
    let enterprise = app.register("enterprise", "宁夏枸杞企业").await;
    assert_eq!(app.create_demand(&enterprise, demand).await.status, 201);

    for region in [
        "%E5%AE%81%E5%A4%8F",
        "640000",
        "640100",
        "%E9%93%B6%E5%B7%9D",
        "640104",
        "%E5%AE%81%E5%A4%8F%E5%9B%9E%E6%97%8F%E8%87%AA%E6%B2%BB%E5%8C%BA",
    ] {
        let found = app.get(&format!("/api/v1/supplies?region={region}")).await;
        assert_eq!(found.status, 200, "{}", found.body);
        assert!(titles(&found).contains(&"兴庆区的成果".to_string()), "region={region}: {:?}", titles(&found));
    }
    let elsewhere = app.get("/api/v1/supplies?region=640200").await;
    assert_eq!(titles(&elsewhere), ["大武口的成果"]);
    let beijing = app.get("/api/v1/supplies?region=%E5%8C%97%E4%BA%AC").await;
    assert!(titles(&beijing).is_empty());
    let demands = app.get("/api/v1/demands?region=640100").await;
    assert_eq!(titles(&demands), ["兴庆区的需求"]);
    assert!(titles(&app.get("/api/v1/demands?region=640200").await).is_empty());

    let unknown = app.get("/api/v1/supplies?region=%E7%81%AB%E6%98%9F").await;
    unknown.assert_problem(400, "invalid_query");
    assert_eq!(
        (&unknown.body["errors"][0]["field"], &unknown.body["errors"][0]["code"]),
        (&json!("region"), &json!("unknown_value"))
    );
}

#[actix_web::test]
async fn an_unknown_region_is_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "宁夏农林科学院").await;
    let refused = app.create_supply(&org, supply("火星的成果", "火星")).await;
    refused.assert_problem(422, "validation_failed");
    let error = &refused.body["errors"][0];
    assert_eq!(
        (&error["field"], &error["code"], &error["value"], &error["vocabulary"]),
        (&json!("region"), &json!("unknown_value"), &json!("火星"), &json!("regions"))
    );
    assert_eq!(refused.body["errors"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/v1/supplies").await.body["total"], 0);
}

#[actix_web::test]
async fn imported_rows_keep_free_text_regions_without_a_code() {
    let app = TestApp::spawn().await;
    let line = |title: &str, region: &str| {
        json!({"title": title, "summary": "公开报道的技术成果。", "keywords": ["枸杞"], "industries": ["枸杞"],
            "org_kind": "university", "extra": {"region": region, "org_name": "宁夏大学"}})
        .to_string()
    };
    let text = format!("{}\n{}\n", line("可映射的成果", "宁夏银川"), line("不可映射的成果", "黄河流域"));
    let mut conn = app.db.connect();
    let taxonomy = techmatch::industries::taxonomy::Taxonomy::embedded();
    let report = techmatch::import::import(&mut conn, &text, techmatch::import::ListingSide::Supply, taxonomy).unwrap();
    assert_eq!(report.inserted, 2, "{report:?}");
    let all = app.get("/api/v1/supplies?per_page=10").await;
    let by_title = |t: &str| all.body["items"].as_array().unwrap().iter().find(|i| i["title"] == t).unwrap().clone();
    assert_eq!(by_title("可映射的成果")["region_code"], "640100");
    let free = by_title("不可映射的成果");
    assert_eq!((&free["region"], &free["region_code"]), (&json!("黄河流域"), &Value::Null));
    let ningxia = app.get("/api/v1/supplies?region=%E5%AE%81%E5%A4%8F").await;
    assert_eq!(titles(&ningxia), ["可映射的成果"]);
}

#[actix_web::test]
async fn regions_are_listed_with_an_etag_and_answer_304() {
    let app = TestApp::spawn().await;
    let listed = app.get("/api/v1/regions").await;
    assert_eq!(listed.status, 200);
    let items = listed.body["items"].as_array().unwrap();
    assert!(listed.body["source"].as_str().unwrap().contains("GB/T 2260"));
    let yinchuan = items.iter().find(|r| r["code"] == "640100").unwrap();
    assert_eq!(
        (&yinchuan["parent"], &yinchuan["level"], &yinchuan["name_zh"], &yinchuan["name_en"]),
        (&json!("640000"), &json!("city"), &json!("银川市"), &json!("Yinchuan"))
    );
    assert_eq!(items.iter().filter(|r| r["level"] == "province").count(), 34);
    assert_eq!(listed.header("cache-control"), Some("public, max-age=3600"));
    let tag = listed.header("etag").unwrap().to_string();
    let req =
        awc::Client::default().get(app.url("/api/v1/regions")).insert_header((header::IF_NONE_MATCH, tag.clone()));
    let again = app.send(req, None).await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), Some(tag.as_str()));
}

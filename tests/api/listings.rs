//! Supplies and demands over HTTP: CRUD round trips, optimistic concurrency, filters,
//! pagination bounds, validation.

use crate::common::{self, TestApp};
use serde_json::{json, Value};

fn supply(title: &str) -> Value {
    json!({
        "title": title,
        "summary": "以枸杞鲜果为对象的低损采收装备，已完成样机试验。",
        "keywords": ["枸杞采收", "采收机"],
        "industries": ["goji", "equipment_manufacturing"],
        "trl": 6,
        "ip_type": "invention_patent",
        "transfer_modes": ["license", "transfer"],
        "price_fen": 30_000_000,
        "region": "宁夏"
    })
}

#[actix_web::test]
async fn supply_round_trip_create_get_patch() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "宁夏农林科学院").await;

    let created = app.create_supply(&org, supply("枸杞鲜果高效低损采收装备")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.header("location"), Some(format!("/api/v1/supplies/{id}").as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.body["status"], "published");
    assert_eq!(created.body["organization_id"], org.organization_id.as_str());
    assert_eq!(created.body["transfer_modes"], json!(["license", "transfer"]));

    let fetched = app.get_as(org.bearer(), &format!("/api/v1/supplies/{id}")).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, created.body);
    // Others see the listing without its owner's completeness report and review.
    let public = app.get(&format!("/api/v1/supplies/{id}")).await;
    assert!(public.body.get("completeness").is_none() && created.body["completeness"].is_object());
    assert_eq!(public.body["title"], created.body["title"]);

    let patched = app
        .patch_as(
            org.bearer(),
            &format!("/api/v1/supplies/{id}"),
            &json!({"title": "  新标题  ", "trl": null, "keywords": ["a", "a", "b"]}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["title"], "新标题");
    assert_eq!(patched.body["trl"], Value::Null);
    assert_eq!(patched.body["keywords"], json!(["a", "b"]));
    assert_eq!(patched.body["summary"], created.body["summary"]);
    assert_eq!(patched.body["version"], 2);
    assert_eq!(patched.header("etag"), Some("\"2\""));

    let again = app.get_as(org.bearer(), &format!("/api/v1/supplies/{id}")).await;
    assert_eq!(again.body, patched.body);
}

#[actix_web::test]
async fn stale_or_missing_if_match_changes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.register("university", "宁夏大学").await;
    let id = app.create_supply(&org, supply("A")).await.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/supplies/{id}");

    assert_eq!(app.patch_as(org.bearer(), &path, &json!({"title": "B"}), Some("\"1\"")).await.status, 200);
    let stale = app.patch_as(org.bearer(), &path, &json!({"title": "C"}), Some("\"1\"")).await;
    stale.assert_problem(412, "version_mismatch");
    app.patch_as(org.bearer(), &path, &json!({"title": "C"}), None).await.assert_problem(428, "if_match_required");
    app.patch_as(org.bearer(), &path, &json!({"title": "C"}), Some("W/\"2\""))
        .await
        .assert_problem(400, "invalid_if_match");

    let now = app.get(&path).await;
    assert_eq!(now.body["title"], "B");
    assert_eq!(now.body["version"], 2);
}

#[actix_web::test]
async fn concurrent_edits_of_one_version_one_wins() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "宁夏农林科学院").await;
    let id = app.create_demand(&org, json!({"title": "需求", "description": "描述"})).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/demands/{id}");
    let (first, second) = (json!({"title": "甲"}), json!({"title": "乙"}));
    let (a, b) = tokio::join!(
        app.patch_as(org.bearer(), &path, &first, Some("\"1\"")),
        app.patch_as(org.bearer(), &path, &second, Some("\"1\""))
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let winner = if a.status == 200 { a.body["title"].clone() } else { b.body["title"].clone() };
    let now = app.get(&path).await;
    assert_eq!(now.body["title"], winner);
    assert_eq!(now.body["version"], 2);
}

#[actix_web::test]
async fn supply_list_filters_and_pagination() {
    let app = TestApp::spawn().await;
    let org = app.register("university", "宁夏大学").await;
    let other = app.register("enterprise", "宁夏某葡萄酒企业").await;
    app.create_supply(&org, json!({"title": "枸杞多糖提取工艺", "summary": "高纯度枸杞多糖的提取", "keywords": ["枸杞多糖"], "industries": ["goji"], "trl": 4})).await;
    app.create_supply(&org, json!({"title": "葡萄酒酿造酵母", "summary": "本土酿酒酵母筛选 100% 天然", "keywords": ["酿酒酵母"], "industries": ["wine"], "trl": 7})).await;
    app.create_supply(&other, json!({"title": "光伏组件清洗机器人", "summary": "无水清洗", "keywords": ["光伏组件"], "industries": ["clean_energy", "equipment_manufacturing"], "trl": 8})).await;
    app.create_supply(
        &org,
        json!({"title": "草稿成果", "summary": "未发布", "status": "draft", "industries": ["goji"]}),
    )
    .await;

    let titles = |r: &common::Reply| -> Vec<String> {
        r.body["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
    };

    let all = app.get("/api/v1/supplies").await;
    assert_eq!(all.body["total"], 3, "drafts are not listed by default");
    assert_eq!(titles(&app.get("/api/v1/supplies?industry=goji").await), ["枸杞多糖提取工艺"]);
    assert_eq!(titles(&app.get("/api/v1/supplies?industry=wine,clean_energy").await).len(), 2);
    assert_eq!(
        titles(&app.get("/api/v1/supplies?keyword=%E5%85%89%E4%BC%8F%E7%BB%84%E4%BB%B6").await),
        ["光伏组件清洗机器人"]
    );
    assert_eq!(titles(&app.get("/api/v1/supplies?q=%E5%A4%9A%E7%B3%96").await), ["枸杞多糖提取工艺"]);
    assert_eq!(
        titles(&app.get("/api/v1/supplies?q=100%25").await),
        ["葡萄酒酿造酵母"],
        "% is a literal, not a wildcard"
    );
    assert_eq!(titles(&app.get("/api/v1/supplies?trl_min=5&trl_max=7").await), ["葡萄酒酿造酵母"]);
    assert_eq!(titles(&app.get_as(org.bearer(), "/api/v1/supplies?status=draft").await), ["草稿成果"]);
    assert_eq!(app.get(&format!("/api/v1/supplies?organization_id={}", other.organization_id)).await.body["total"], 1);

    let page1 = app.get("/api/v1/supplies?per_page=2&page=1").await;
    let page2 = app.get("/api/v1/supplies?per_page=2&page=2").await;
    assert_eq!((page1.body["total"].clone(), page1.body["per_page"].clone()), (json!(3), json!(2)));
    assert_eq!(titles(&page1).len(), 2);
    assert_eq!(titles(&page2).len(), 1);
    assert!(!titles(&page1).contains(&titles(&page2)[0]));

    for bad in ["per_page=0", "per_page=101", "page=0", "trl_min=10", "industry=nonsense", "status=gone", "page=x"] {
        app.get(&format!("/api/v1/supplies?{bad}")).await.assert_problem(400, "invalid_query");
    }
}

#[actix_web::test]
async fn archive_and_withdraw_take_listings_off_the_market() {
    let app = TestApp::spawn().await;
    let org = app.register("enterprise", "企业甲").await;
    let s = app.create_supply(&org, supply("成果")).await.body["id"].as_str().unwrap().to_string();
    let archived = app.post_as(org.bearer(), &format!("/api/v1/supplies/{s}/archive"), &json!({})).await;
    assert_eq!(archived.body["status"], "archived");
    assert_eq!(archived.body["version"], 2);
    let twice = app.post_as(org.bearer(), &format!("/api/v1/supplies/{s}/archive"), &json!({})).await;
    assert_eq!((twice.status.as_u16(), twice.body["version"].clone()), (200, json!(2)), "archiving is idempotent");
    assert_eq!(app.get("/api/v1/supplies").await.body["total"], 0);
    app.patch_as(org.bearer(), &format!("/api/v1/supplies/{s}"), &json!({"title": "x"}), Some("\"2\""))
        .await
        .assert_problem(409, "archived");

    let d = app.create_demand(&org, json!({"title": "需求", "description": "描述", "deadline": "2027-06-30", "cooperation_modes": ["joint_development"], "budget_fen": 500000000, "trl_min": 5})).await;
    assert_eq!(d.status, 201, "{}", d.body);
    assert_eq!(d.body["deadline"], "2027-06-30");
    assert_eq!(d.body["status"], "open");
    let id = d.body["id"].as_str().unwrap();
    let withdrawn = app.post_as(org.bearer(), &format!("/api/v1/demands/{id}/withdraw"), &json!({})).await;
    assert_eq!(withdrawn.body["status"], "withdrawn");
    assert_eq!(app.get("/api/v1/demands").await.body["total"], 0);
    assert_eq!(app.get_as(org.bearer(), "/api/v1/demands?status=withdrawn").await.body["total"], 1);
    app.patch_as(org.bearer(), &format!("/api/v1/demands/{id}"), &json!({"status": "open"}), Some("\"2\""))
        .await
        .assert_problem(409, "withdrawn");
    app.post_as(org.bearer(), &format!("/api/v1/demands/{}/withdraw", uuid::Uuid::new_v4()), &json!({}))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn validation_lists_every_bad_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "研究院").await;
    let reply = app
        .create_supply(
            &org,
            json!({
                "title": "  ",
                "summary": "字".repeat(5001),
                "keywords": ["ok", "", "长".repeat(31)],
                "industries": ["goji", "not_an_industry"],
                "trl": 10,
                "price_fen": -1,
                "source_url": "ftp://x",
                "status": "archived"
            }),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> =
        reply.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in
        ["title", "summary", "keywords.1", "keywords.2", "industries.1", "trl", "price_fen", "source_url", "status"]
    {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert_eq!(app.get_as(org.bearer(), "/api/v1/supplies?status=draft").await.body["total"], 0);
    assert_eq!(app.get("/api/v1/supplies").await.body["total"], 0);

    // Lengths count characters: 200 Chinese characters (600 bytes) are a valid title.
    let long = app.create_supply(&org, json!({"title": "标".repeat(200), "summary": "字".repeat(5000)})).await;
    assert_eq!(long.status, 201, "{}", long.body);
    app.create_supply(&org, json!({"title": "标".repeat(201), "summary": "x"}))
        .await
        .assert_problem(422, "validation_failed");

    let bad_demand = app
        .create_demand(
            &org,
            json!({"title": "t", "description": "d", "trl_min": 0, "budget_fen": -5, "status": "withdrawn"}),
        )
        .await;
    bad_demand.assert_problem(422, "validation_failed");
    assert_eq!(bad_demand.body["errors"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn nul_characters_are_rejected_with_400() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "研究院").await;
    app.create_supply(&org, json!({"title": "a\u{0}b", "summary": "s"})).await.assert_problem(400, "nul_character");
    app.create_demand(&org, json!({"title": "t", "description": "d", "keywords": ["x\u{0}"]}))
        .await
        .assert_problem(400, "nul_character");
    app.post("/api/v1/auth/login", &json!({"email": "a\u{0}@b.cn", "password": "x"}))
        .await
        .assert_problem(400, "nul_character");
    app.get("/api/v1/supplies?q=%00").await.assert_problem(400, "nul_character");
    assert_eq!(app.get("/api/v1/supplies").await.body["total"], 0);
    assert_eq!(app.get("/api/v1/demands").await.body["total"], 0);
}

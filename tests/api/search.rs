//! One search (issue 14): `q` on the supply, demand and organisation lists through the engine's
//! analysis, `sort`, the new list filters and the search-box completions.

use diesel::RunQueryDsl;
use serde_json::{json, Value};

use crate::common::{self, TestApp};

fn esc(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn titles(reply: &common::Reply) -> Vec<String> {
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
}

async fn search(app: &TestApp, kind: &str, q: &str) -> common::Reply {
    app.get(&format!("/api/v1/{kind}?per_page=100&q={}", esc(q))).await
}

#[actix_web::test]
async fn chinese_queries_find_the_real_listings() {
    let app = TestApp::with_real_listings().await;
    // words apart or together: the harvester comes first, with its matched terms
    for q in ["枸杞 采收", "枸杞采收"] {
        let reply = search(&app, "supplies", q).await;
        let first = &reply.body["items"][0];
        assert_eq!(first["title"], "枸杞鲜果高效低损采收装备", "q={q}: {:?}", titles(&reply));
        let terms: Vec<&str> = first["matched_terms"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert!(terms.contains(&"枸杞") && terms.contains(&"采收"), "{terms:?}");
        assert!(first["relevance"].as_f64().unwrap() > 0.5);
        // every item found carries a matched term, best first
        let items = reply.body["items"].as_array().unwrap();
        assert!(items.iter().all(|i| !i["matched_terms"].as_array().unwrap().is_empty()));
        let rel: Vec<f64> = items.iter().map(|i| i["relevance"].as_f64().unwrap()).collect();
        assert!(rel.windows(2).all(|w| w[0] >= w[1]), "{rel:?}");
    }
    // traditional script: all ten wine demands
    let wine = titles(&search(&app, "demands", "釀酒").await);
    for title in
        ["酿酒葡萄节本增效与品质调控", "国产优质酵母引进与应用", "葡萄酒风格固化技术应用", "小产区葡萄酒风格多样性研究"]
    {
        assert!(wine.iter().any(|t| t == title), "{title} missing from {wine:?}");
    }
    assert!(wine.len() >= 10, "{wine:?}");
    // a keyword
    let by_keyword = titles(&search(&app, "supplies", "农机").await);
    assert_eq!(by_keyword.first().map(String::as_str), Some("枸杞专用液电感应行间中耕株间铲草机"), "{by_keyword:?}");
    // the organisation's name and the region are searched too
    let demands = app.get("/api/v1/demands?per_page=1").await;
    let org = demands.body["items"][0]["organization_id"].as_str().unwrap().to_string();
    let org_name = app.get(&format!("/api/v1/organizations/{org}")).await.body["name"].as_str().unwrap().to_string();
    let by_name = search(&app, "demands", &org_name).await;
    assert!(
        by_name.body["items"].as_array().unwrap().iter().any(|i| i["organization_id"] == org.as_str()),
        "{org_name}: {:?}",
        titles(&by_name)
    );
}

#[actix_web::test]
async fn full_width_case_and_drafts() {
    let app = TestApp::spawn().await;
    let org = app.register("university", "宁夏大学").await;
    app.create_supply(&org, json!({"title": "AI芯片低功耗设计", "summary": "面向边缘计算的神经网络加速器"})).await;
    app.create_supply(&org, json!({"title": "枸杞多糖提取工艺", "summary": "超声辅助提取"})).await;
    app.create_supply(&org, json!({"title": "未发布的芯片草稿", "summary": "草稿", "status": "draft"})).await;
    assert_eq!(titles(&search(&app, "supplies", "ａｉ芯片").await), ["AI芯片低功耗设计"]);
    assert_eq!(titles(&search(&app, "supplies", "Ai\u{200B}芯片").await), ["AI芯片低功耗设计"]);
    // the owner's drafts (not in the index) are searched in place
    let drafts = app.get_as(org.bearer(), &format!("/api/v1/supplies?status=draft&q={}", esc("芯片"))).await;
    assert_eq!(titles(&drafts), ["未发布的芯片草稿"]);
    let none = app.get_as(org.bearer(), &format!("/api/v1/supplies?status=draft&q={}", esc("枸杞"))).await;
    assert_eq!(none.body["total"], 0);
}

#[actix_web::test]
async fn bad_and_empty_queries() {
    let app = TestApp::spawn().await;
    let org = app.register("university", "宁夏大学").await;
    app.create_supply(&org, json!({"title": "枸杞多糖提取工艺", "summary": "研究技术"})).await;
    let long = "枸".repeat(201);
    for kind in ["supplies", "demands", "organizations"] {
        search(&app, kind, &long).await.assert_problem(400, "invalid_query");
        let stop = search(&app, kind, "研究 技术 的").await;
        assert_eq!(stop.status.as_u16(), 200, "{}", stop.body);
        assert_eq!(stop.body["total"], 0, "{kind}: not everything");
        assert_eq!(stop.body["empty_reason"], "stop_words_only");
    }
    assert_eq!(search(&app, "supplies", &"枸".repeat(200)).await.status.as_u16(), 200);
    let bad = app.get("/api/v1/supplies?sort=deadline").await;
    bad.assert_problem(400, "invalid_query");
    let detail = bad.body["detail"].as_str().unwrap();
    assert!(detail.contains("relevance, created, updated, price"), "{detail}");
    let bad = app.get("/api/v1/demands?sort=price").await;
    bad.assert_problem(400, "invalid_query");
    assert!(bad.body["detail"].as_str().unwrap().contains("relevance, created, updated, deadline, budget"));
    app.get("/api/v1/supplies?transfer_mode=gift").await.assert_problem(400, "invalid_query");
    app.get("/api/v1/supplies?price_min=-1").await.assert_problem(400, "invalid_query");
    app.get("/api/v1/supplies?industry=no_such_group").await.assert_problem(400, "invalid_query");
}

#[actix_web::test]
async fn sort_and_the_new_filters() {
    let app = TestApp::spawn().await;
    let uni = app.register("university", "宁夏大学").await;
    let firm = app.register("enterprise", "宁夏某葡萄酒企业").await;
    let supply = |title: &str, price: Option<i64>, ip: &str, modes: Value, industries: Value| {
        json!({"title": title, "summary": "枸杞加工", "price_fen": price, "ip_type": ip,
            "transfer_modes": modes, "industries": industries})
    };
    app.create_supply(&uni, supply("甲", Some(300), "invention_patent", json!(["license"]), json!(["goji"]))).await;
    app.create_supply(&uni, supply("乙", Some(100), "utility_model", json!(["transfer"]), json!(["wine"]))).await;
    app.create_supply(&firm, supply("丙", None, "invention_patent", json!(["transfer", "license"]), json!([]))).await;

    assert_eq!(titles(&app.get("/api/v1/supplies?sort=price").await), ["乙", "甲", "丙"], "no price last");
    assert_eq!(titles(&app.get("/api/v1/supplies?sort=-price").await), ["甲", "乙", "丙"]);
    assert_eq!(titles(&app.get("/api/v1/supplies?sort=created").await), ["甲", "乙", "丙"]);
    assert_eq!(titles(&app.get("/api/v1/supplies?sort=-created").await), ["丙", "乙", "甲"]);
    // with q the same sort applies to the matches
    assert_eq!(titles(&app.get(&format!("/api/v1/supplies?sort=-price&q={}", esc("枸杞"))).await), ["甲", "乙", "丙"]);
    assert_eq!(titles(&app.get("/api/v1/supplies?price_min=200").await), ["甲"]);
    assert_eq!(titles(&app.get("/api/v1/supplies?price_max=200&sort=created").await), ["乙"]);
    assert_eq!(titles(&app.get("/api/v1/supplies?ip_type=utility_model").await), ["乙"]);
    assert_eq!(titles(&app.get("/api/v1/supplies?transfer_mode=license&sort=created").await), ["甲", "丙"]);
    // a group code stands for its industries
    assert_eq!(titles(&app.get("/api/v1/supplies?industry=six_special&sort=created").await), ["甲", "乙"]);
    assert_eq!(titles(&app.get("/api/v1/supplies?organization_kind=enterprise").await), ["丙"]);
    // `register` gives verified organisations; the university loses its verification.
    let sql = format!("UPDATE organizations SET verification = 'unverified' WHERE id = '{}'", uni.organization_id);
    diesel::sql_query(sql).execute(&mut app.db.connect()).unwrap();
    assert_eq!(titles(&app.get("/api/v1/supplies?verified=true").await), ["丙"]);
    assert_eq!(app.get("/api/v1/supplies?created_from=2000-01-01&created_to=2999-12-31").await.body["total"], 3);
    assert_eq!(app.get("/api/v1/supplies?created_from=2999-01-01").await.body["total"], 0);
    assert_eq!(app.get("/api/v1/supplies?created_to=2000-01-01").await.body["total"], 0);

    let admin = app.admin().await;
    let verify = format!("/api/v1/organizations/{}/verification", firm.organization_id);
    assert_eq!(admin_post(&app, &admin, &verify).await, 200);
    assert_eq!(titles(&app.get("/api/v1/supplies?verified=true").await), ["丙"]);
    let orgs = app.get("/api/v1/organizations?verified=true&per_page=100").await;
    let names: Vec<&str> = orgs.body["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"宁夏某葡萄酒企业") && !names.contains(&"宁夏大学"), "{names:?}");

    let demand = |title: &str, budget: i64, deadline: &str| {
        json!({"title": title, "description": "葡萄酒酿造", "budget_fen": budget, "deadline": deadline,
            "cooperation_modes": ["joint_development"]})
    };
    app.create_demand(&firm, demand("早", 500, "2030-01-01")).await;
    app.create_demand(&firm, demand("晚", 100, "2031-06-01")).await;
    assert_eq!(titles(&app.get("/api/v1/demands?sort=deadline").await), ["早", "晚"]);
    assert_eq!(titles(&app.get("/api/v1/demands?sort=-deadline").await), ["晚", "早"]);
    assert_eq!(titles(&app.get("/api/v1/demands?sort=budget").await), ["晚", "早"]);
    assert_eq!(titles(&app.get("/api/v1/demands?deadline_from=2031-01-01").await), ["晚"]);
    assert_eq!(titles(&app.get("/api/v1/demands?deadline_to=2030-01-01").await), ["早"]);
    assert_eq!(titles(&app.get("/api/v1/demands?budget_min=200").await), ["早"]);
    assert_eq!(app.get("/api/v1/demands?cooperation_mode=license").await.body["total"], 0);
    assert_eq!(app.get("/api/v1/demands?cooperation_mode=joint_development").await.body["total"], 2);
}

async fn admin_post(app: &TestApp, admin: &common::Session, path: &str) -> u16 {
    app.post_as(admin.bearer(), path, &json!({"verification": "verified"})).await.status.as_u16()
}

#[actix_web::test]
async fn organisations_by_name() {
    let app = TestApp::spawn().await;
    app.register("university", "宁夏大学").await;
    app.register("enterprise", "宁夏某葡萄酒企业").await;
    app.register("research_institute", "西北農林研究所").await;
    let reply = search(&app, "organizations", "葡萄酒").await;
    let names: Vec<&str> =
        reply.body["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["宁夏某葡萄酒企业"]);
    let terms = reply.body["items"][0]["matched_terms"].as_array().unwrap();
    assert!(terms.contains(&json!("葡萄酒")), "{terms:?}");
    // traditional in the stored name, simplified in the query
    let reply = search(&app, "organizations", "农林").await;
    assert_eq!(reply.body["total"], 1, "{}", reply.body);
    let reply = app.get(&format!("/api/v1/organizations?kind=university&q={}", esc("宁夏"))).await;
    assert_eq!(reply.body["total"], 1);
}

#[actix_web::test]
async fn suggestions_for_the_search_box() {
    let app = TestApp::with_real_listings().await;
    let reply = app.get(&format!("/api/v1/suggestions?prefix={}", esc("枸杞"))).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    let items = reply.body["items"].as_array().unwrap();
    assert_eq!(items[0]["text"], "枸杞");
    assert_eq!(items[0]["kind"], "industry");
    assert_eq!(items[0]["industries"], json!(["goji"]));
    assert!(items.iter().any(|i| i["kind"] == "keyword" && i["listings"].as_u64().unwrap() >= 1), "{items:?}");
    assert!(items.iter().all(|i| i["text"].as_str().unwrap().starts_with("枸杞")));
    let reply = app.get(&format!("/api/v1/suggestions?prefix={}&limit=2", esc("農"))).await;
    let items = reply.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["text"].as_str().unwrap().starts_with('农')), "{items:?}");
    app.get("/api/v1/suggestions").await.assert_problem(400, "invalid_query");
    app.get("/api/v1/suggestions?prefix=a&limit=0").await.assert_problem(400, "invalid_query");
}

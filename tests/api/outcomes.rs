//! Outcomes teach the ranking (issue 14, first part): a pair whose connection failed as
//! `not_relevant` is not suggested again to those parties; other pairs are untouched.

use serde_json::json;

use crate::common::{self, TestApp};

fn ids(reply: &common::Reply) -> Vec<String> {
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().iter().map(|i| i["listing"]["id"].as_str().unwrap().to_string()).collect()
}

async fn matches(app: &TestApp, path: String) -> Vec<String> {
    ids(&app.get(&path).await)
}

#[actix_web::test]
async fn a_pair_failed_as_not_relevant_is_not_suggested_again() {
    let app = TestApp::spawn().await;
    let enterprise = app.register("enterprise", "宁夏枸杞加工企业").await;
    let institute = app.register("university", "宁夏农机研究院").await;
    let demand = |title: &str| json!({"title": title, "description": "需要枸杞鲜果低损采收装备", "keywords": ["枸杞采收"], "industries": ["goji"]});
    let d1 =
        app.create_demand(&enterprise, demand("枸杞鲜果机械化采收")).await.body["id"].as_str().unwrap().to_string();
    let d2 = app.create_demand(&enterprise, demand("枸杞采收装备引进")).await.body["id"].as_str().unwrap().to_string();
    let supply = json!({"title": "枸杞鲜果高效低损采收装备", "summary": "枸杞鲜果采收机", "keywords": ["枸杞采收"], "industries": ["goji"]});
    let s = app.create_supply(&institute, supply).await.body["id"].as_str().unwrap().to_string();
    assert!(matches(&app, format!("/api/v1/demands/{d1}/matches")).await.contains(&s));
    assert!(matches(&app, format!("/api/v1/supplies/{s}/matches")).await.contains(&d1));

    let opened =
        app.post_as(enterprise.bearer(), "/api/v1/connections", &json!({"demand_id": d1, "supply_id": s})).await;
    let id = opened.body["id"].as_str().unwrap().to_string();
    let failed = app
        .post_as(
            institute.bearer(),
            &format!("/api/v1/connections/{id}/events"),
            &json!({"to": "failed", "failure_reason": "not_relevant"}),
        )
        .await;
    assert_eq!(failed.status.as_u16(), 201, "{}", failed.body);
    assert_eq!(failed.body["failure_reason"], "not_relevant");

    // neither side is offered the other again
    assert!(!matches(&app, format!("/api/v1/demands/{d1}/matches?confidence=strong,possible,weak")).await.contains(&s));
    let for_supply = matches(&app, format!("/api/v1/supplies/{s}/matches?confidence=strong,possible,weak")).await;
    assert!(!for_supply.contains(&d1), "{for_supply:?}");
    // the other demand still gets the supply, and the supply still gets it
    assert!(for_supply.contains(&d2));
    assert!(matches(&app, format!("/api/v1/demands/{d2}/matches")).await.contains(&s));
}

fn signal<'a>(item: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    item["explanation"]["signals"].as_array().unwrap().iter().find(|s| s["name"] == name)
}

#[actix_web::test]
async fn accepted_history_raises_an_organisations_supplies_and_declines_lower_them() {
    let app = TestApp::spawn().await;
    let enterprise = app.register("enterprise", "宁夏枸杞加工企业").await;
    let orgs = [
        app.register("university", "甲农机大学").await,
        app.register("university", "乙农机大学").await,
        app.register("university", "丙农机大学").await,
    ];
    let supply = json!({"title": "枸杞鲜果高效低损采收装备", "summary": "枸杞鲜果采收机", "keywords": ["枸杞采收"], "industries": ["goji"]});
    // published in the order 乙, 甲, 丙: equal texts rank in that order without history
    let mut ids = Vec::new();
    for who in [&orgs[1], &orgs[0], &orgs[2]] {
        ids.push(app.create_supply(who, supply.clone()).await.body["id"].as_str().unwrap().to_string());
    }
    let (s_b, s_a, s_c) = (ids[0].clone(), ids[1].clone(), ids[2].clone());
    let demand = |title: &str| json!({"title": title, "description": "需要枸杞鲜果低损采收装备", "keywords": ["枸杞采收"], "industries": ["goji"]});
    let d1 =
        app.create_demand(&enterprise, demand("枸杞鲜果机械化采收")).await.body["id"].as_str().unwrap().to_string();
    let d2 =
        app.create_demand(&enterprise, demand("枸杞鲜果采收装备引进")).await.body["id"].as_str().unwrap().to_string();
    let before = matches(&app, format!("/api/v1/demands/{d2}/matches")).await;
    assert_eq!(before, [s_b.clone(), s_a.clone(), s_c.clone()]);
    let reply = app.get(&format!("/api/v1/demands/{d2}/matches")).await;
    assert!(reply.body["items"].as_array().unwrap().iter().all(|i| signal(i, "history").is_none()), "no history yet");

    // the similar demand d1: 甲 accepted it, 乙 declined it as not relevant
    let open = |s: &str| json!({"demand_id": d1, "supply_id": s});
    let c_a = app.post_as(enterprise.bearer(), "/api/v1/connections", &open(&s_a)).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c_b = app.post_as(enterprise.bearer(), "/api/v1/connections", &open(&s_b)).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let moved =
        app.post_as(orgs[0].bearer(), &format!("/api/v1/connections/{c_a}/events"), &json!({"to": "contacted"})).await;
    assert_eq!(moved.status.as_u16(), 201, "{}", moved.body);
    let moved = app
        .post_as(
            orgs[1].bearer(),
            &format!("/api/v1/connections/{c_b}/events"),
            &json!({"to": "failed", "failure_reason": "not_relevant"}),
        )
        .await;
    assert_eq!(moved.status.as_u16(), 201, "{}", moved.body);

    let reply = app.get(&format!("/api/v1/demands/{d2}/matches?confidence=strong,possible,weak")).await;
    let items = reply.body["items"].as_array().unwrap();
    let order: Vec<&str> = items.iter().map(|i| i["listing"]["id"].as_str().unwrap()).collect();
    assert_eq!(order, [s_a.as_str(), s_c.as_str(), s_b.as_str()], "甲 up, 乙 down, 丙 unchanged");
    let h_a = signal(&items[0], "history").unwrap();
    assert!(h_a["raw"].as_f64().unwrap() > 0.0);
    assert!(items[0]["summary_zh"].as_str().unwrap().contains("相似需求曾与该单位成功对接"));
    assert!(signal(&items[1], "history").is_none(), "absent without history");
    assert!(signal(&items[2], "history").unwrap()["raw"].as_f64().unwrap() < 0.0);
    // bounded: the history moves the score by at most its weight's share
    let scores: Vec<f64> = items.iter().map(|i| i["score"].as_f64().unwrap()).collect();
    assert!(scores[0] - scores[2] < 0.15, "{scores:?}");
}

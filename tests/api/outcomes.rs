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

//! Evidence first (issue 14): a match needs shared topical evidence, carries a confidence tier,
//! and the default answer holds strong and possible matches only.

use crate::common::{self, TestApp};

fn esc(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn demand_id(app: &TestApp, title: &str) -> String {
    let reply = app.get(&format!("/api/v1/demands?per_page=100&q={}", esc(title))).await;
    let items = reply.body["items"].as_array().unwrap();
    items.iter().find(|i| i["title"] == title).unwrap_or_else(|| panic!("{title}"))["id"].as_str().unwrap().to_string()
}

fn titles(reply: &common::Reply) -> Vec<String> {
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["listing"]["title"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn irrigation_demand_matches_only_with_shared_evidence() {
    let app = TestApp::with_real_listings().await;
    let id = demand_id(&app, "高效节水农业项目信息化自动化技术").await;
    let reply = app.get(&format!("/api/v1/demands/{id}/matches?per_page=100")).await;
    let found = titles(&reply);
    for item in reply.body["items"].as_array().unwrap() {
        let evidence = item["explanation"]["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty(), "no shared evidence: {}", item["listing"]["title"]);
        assert!(["strong", "possible"].contains(&item["confidence"].as_str().unwrap()), "{}", item["confidence"]);
    }
    // what a person reads: one Chinese sentence naming the shared words, Chinese industry names,
    // and no signal shown without data on both sides
    let first = &reply.body["items"][0];
    let sentence = first["summary_zh"].as_str().unwrap();
    assert!(sentence.starts_with("双方都涉及「") && sentence.ends_with('。'), "{sentence}");
    assert!(sentence.contains("「节水灌溉」"), "{sentence}");
    for code in first["listing"]["industries"].as_array().unwrap() {
        let name = first["industry_names"][code.as_str().unwrap()].as_str().unwrap();
        assert!(!name.is_empty() && !name.is_ascii(), "{code}: {name}");
    }
    assert_eq!(found.first().map(String::as_str), Some("中阿旱区绿色智能高效节水关键技术与装备规模化应用"));
    // 鼠疫… shares 信息 and 监测: evidence, but weak, so not shown by default
    assert!(!found.iter().any(|t| t.starts_with("鼠疫疫情")), "{found:?}");
    // asking for weak ones too can only add; every one still has evidence
    let all = app.get(&format!("/api/v1/demands/{id}/matches?per_page=100&confidence=strong,possible,weak")).await;
    let every = titles(&all);
    assert!(every.len() > found.len() && every.len() < 99, "not nearly every supply any more: {}", every.len());
    let items = all.body["items"].as_array().unwrap();
    assert!(items.iter().all(|i| !i["explanation"]["evidence"].as_array().unwrap().is_empty()));
    for item in items {
        for signal in item["explanation"]["signals"].as_array().unwrap() {
            assert!(!signal["raw"].is_null(), "a signal without data is shown: {signal}");
        }
        let trl_known = !item["listing"]["trl"].is_null();
        let has_trl = item["explanation"]["signals"].as_array().unwrap().iter().any(|s| s["name"] == "trl");
        assert!(trl_known || !has_trl, "trl shown without the supply's TRL");
    }
    // industry-only neighbours (no shared term or keyword) are gone even among the weak ones
    for unrelated in ["平板显示用高性能ITO靶材关键技术及工程化", "一种镧离子掺杂的深低温热敏电阻材料及制备方法"]
    {
        assert!(!every.iter().any(|t| t == unrelated), "{unrelated} in {every:?}");
    }
    assert!(every.iter().take(3).any(|t| t.starts_with("日光温室配套设备")), "drip irrigation near the top: {every:?}");
    // min_score still cuts
    let path = format!("/api/v1/demands/{id}/matches?per_page=100&confidence=strong,possible,weak&min_score=0.15");
    let strict = app.get(&path).await;
    let strict = strict.body["items"].as_array().unwrap();
    assert!(strict.len() < every.len() && strict.iter().all(|i| i["score"].as_f64().unwrap() >= 0.15));
    app.get(&format!("/api/v1/demands/{id}/matches?confidence=sure")).await.assert_problem(400, "invalid_query");
}

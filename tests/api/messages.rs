//! Problem messages over HTTP: per-field errors with a path, a code and its parameters for
//! every kind of bad input (a wrong type, a missing or unknown field, a too-long title, a bad
//! query value or path), and the language chosen by `Accept-Language` (Chinese by default).

use awc::http::header;
use serde_json::{json, Value};

use crate::common::{Reply, Session, TestApp};

fn supply() -> Value {
    json!({
        "title": "枸杞鲜果高效低损采收装备",
        "summary": "以枸杞鲜果为对象的低损采收装备，已完成样机试验。",
        "keywords": ["枸杞采收"],
        "industries": ["goji"],
        "trl": 6,
        "ip_type": "invention_patent",
        "transfer_modes": ["license"],
        "region": "宁夏"
    })
}

/// POSTs `body` with `Accept-Language: lang` (none when `None`) from a client without defaults.
async fn post_in(app: &TestApp, lang: Option<&str>, session: &Session, path: &str, body: &Value) -> Reply {
    let mut req = awc::Client::default()
        .post(app.url(path))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", session.token)));
    if let Some(lang) = lang {
        req = req.insert_header((header::ACCEPT_LANGUAGE, lang));
    }
    app.send(req, Some(serde_json::to_vec(body).unwrap())).await
}

async fn get_in(app: &TestApp, lang: Option<&str>, path: &str) -> Reply {
    let mut req = awc::Client::default().get(app.url(path));
    if let Some(lang) = lang {
        req = req.insert_header((header::ACCEPT_LANGUAGE, lang));
    }
    app.send(req, None).await
}

fn only_error(reply: &Reply) -> &Value {
    let errors = reply.body["errors"].as_array().unwrap_or_else(|| panic!("errors in {}", reply.body));
    assert_eq!(errors.len(), 1, "{}", reply.body);
    &errors[0]
}

#[actix_web::test]
async fn a_wrong_type_names_the_field_with_invalid_type() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "宁夏农林科学院").await;
    let mut body = supply();
    body["trl"] = json!("six");
    let reply = post_in(&app, Some("en"), &org, "/api/v1/supplies", &body).await;
    reply.assert_problem(400, "invalid_body");
    let error = only_error(&reply);
    assert_eq!(
        (&error["field"], &error["code"], &error["actual"]),
        (&json!("trl"), &json!("invalid_type"), &json!("string"))
    );
    assert!(error["expected"].as_str().unwrap().contains("integer"), "{error}");

    let mut nested = supply();
    nested["keywords"] = json!(["枸杞", 7]);
    let reply = post_in(&app, Some("en"), &org, "/api/v1/supplies", &nested).await;
    reply.assert_problem(400, "invalid_body");
    assert_eq!(only_error(&reply)["field"], "keywords.1", "{}", reply.body);
}

#[actix_web::test]
async fn a_missing_field_and_an_unknown_field_are_named() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "宁夏农林科学院").await;
    let mut body = supply();
    body.as_object_mut().unwrap().remove("title");
    let reply = post_in(&app, Some("en"), &org, "/api/v1/supplies", &body).await;
    reply.assert_problem(400, "invalid_body");
    let error = only_error(&reply);
    assert_eq!((&error["field"], &error["code"]), (&json!("title"), &json!("missing")), "{}", reply.body);
    assert_eq!(error["message"], "is required");

    let mut body = supply();
    body["colour"] = json!("red");
    let reply = post_in(&app, Some("en"), &org, "/api/v1/supplies", &body).await;
    reply.assert_problem(400, "invalid_body");
    let error = only_error(&reply);
    assert_eq!((&error["field"], &error["code"]), (&json!("colour"), &json!("unknown_field")), "{}", reply.body);
    assert!(error["allowed"].as_array().unwrap().contains(&json!("title")), "{error}");

    let mut body = supply();
    body["ip_type"] = json!("trade_secret_x");
    let reply = post_in(&app, Some("en"), &org, "/api/v1/supplies", &body).await;
    let error = only_error(&reply);
    assert_eq!((&error["field"], &error["code"]), (&json!("ip_type"), &json!("invalid_value")), "{}", reply.body);
    assert!(error["allowed"].as_array().unwrap().contains(&json!("invention_patent")), "{error}");
}

#[actix_web::test]
async fn a_too_long_title_gives_too_long_with_max_and_actual_in_either_language() {
    let app = TestApp::spawn().await;
    let org = app.register("research_institute", "宁夏农林科学院").await;
    let mut body = supply();
    body["title"] = json!("枸".repeat(230));

    let english = post_in(&app, Some("en-US,en;q=0.9,zh;q=0.5"), &org, "/api/v1/supplies", &body).await;
    english.assert_problem(422, "validation_failed");
    let error = only_error(&english);
    assert_eq!(
        (&error["field"], &error["code"], &error["max"], &error["actual"]),
        (&json!("title"), &json!("too_long"), &json!(200), &json!(230))
    );
    assert_eq!(error["message"], "must be at most 200 characters (got 230)");
    assert_eq!(english.body["title"], "Validation failed");
    assert_eq!(english.header("content-language"), Some("en"));

    for lang in [Some("zh-CN"), None, Some("en;q=0.3, zh-TW;q=0.8")] {
        let chinese = post_in(&app, lang, &org, "/api/v1/supplies", &body).await;
        chinese.assert_problem(422, "validation_failed");
        let error = only_error(&chinese);
        assert_eq!(
            (&error["field"], &error["code"], &error["max"]),
            (&json!("title"), &json!("too_long"), &json!(200))
        );
        assert_eq!(error["message"], "最多 200 个字符（实际 230 个）", "{lang:?}");
        assert_eq!(chinese.body["title"], "字段校验未通过");
        assert_eq!(chinese.body["detail"], "有 1 个字段无效，逐项见 errors。");
        assert_eq!(chinese.header("content-language"), Some("zh-CN"));
    }
}

#[actix_web::test]
async fn bad_query_values_and_paths_are_named_and_every_problem_speaks_the_language() {
    let app = TestApp::spawn().await;
    let reply = get_in(&app, Some("en"), "/api/v1/supplies?trl_min=high").await;
    reply.assert_problem(400, "invalid_query");
    assert_eq!(
        (&only_error(&reply)["field"], &only_error(&reply)["code"]),
        (&json!("trl_min"), &json!("invalid_value"))
    );

    // Rules the handlers check name the parameter too.
    let reply = get_in(&app, Some("en"), "/api/v1/supplies?sort=colour").await;
    reply.assert_problem(400, "invalid_query");
    let error = only_error(&reply);
    assert_eq!(
        (&error["field"], &error["code"], &error["value"]),
        (&json!("sort"), &json!("invalid_value"), &json!("colour"))
    );
    let reply = get_in(&app, Some("en"), "/api/v1/demands?per_page=500").await;
    let error = only_error(&reply);
    assert_eq!(
        (&error["field"], &error["code"], &error["max"], &error["actual"]),
        (&json!("per_page"), &json!("out_of_range"), &json!(100), &json!(500))
    );
    let reply = get_in(&app, Some("en"), "/api/v1/supplies?industry=mars").await;
    assert_eq!(
        (&only_error(&reply)["field"], &only_error(&reply)["code"]),
        (&json!("industry"), &json!("unknown_value"))
    );

    let reply = get_in(&app, Some("en"), "/api/v1/supplies?colour=red").await;
    reply.assert_problem(400, "invalid_query");
    assert_eq!(only_error(&reply)["code"], "unknown_field", "{}", reply.body);

    let reply = get_in(&app, None, "/api/v1/supplies/not-a-uuid").await;
    reply.assert_problem(400, "invalid_path");
    let error = only_error(&reply);
    assert_eq!(
        (&error["field"], &error["code"], &error["format"]),
        (&json!("id"), &json!("invalid_format"), &json!("uuid"))
    );
    assert_eq!(reply.body["title"], "路径参数无效");

    let missing = format!("/api/v1/supplies/{}", uuid::Uuid::new_v4());
    let chinese = get_in(&app, None, &missing).await;
    chinese.assert_problem(404, "not_found");
    assert_eq!(
        (chinese.body["title"].as_str(), chinese.header("content-language")),
        (Some("记录不存在"), Some("zh-CN"))
    );
    let english = get_in(&app, Some("en"), &missing).await;
    assert_eq!((english.body["title"].as_str(), english.header("content-language")), (Some("Not found"), Some("en")));
    assert!(english.body["detail"].as_str().unwrap().contains("not found"), "{}", english.body);

    let route = get_in(&app, Some("en"), "/api/v1/nowhere").await;
    route.assert_problem(404, "route_not_found");
    assert_eq!(route.body["title"], "Route not found");
    let route = get_in(&app, Some("fr"), "/api/v1/nowhere").await;
    assert_eq!(route.body["title"], "接口不存在");
}

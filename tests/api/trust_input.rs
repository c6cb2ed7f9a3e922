//! Issue 11 ("Trust"), items 3, 7, 8 and 9: input that must not be trusted — body dates outside
//! 0001–9999, look-alike organisation names and control characters in texts, rejected
//! organisations that still publish, brokers that harvest contacts.

use crate::common::{self, Session, TestApp};
use diesel::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;

fn id(reply: &common::Reply) -> String {
    reply.body["id"].as_str().unwrap().to_string()
}

/// The field names of a 422 `validation_failed`.
fn failed_fields(reply: &common::Reply) -> Vec<String> {
    reply.assert_problem(422, "validation_failed");
    reply.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

/// Item 9. The old code passed a body date to PostgreSQL unchecked: `-4713-01-01` (before
/// PostgreSQL's first date) answered 500 `internal`, and `+10000-01-01` was stored and echoed
/// in a form `format: date` cannot write.
#[actix_web::test]
async fn body_dates_outside_years_1_to_9999_are_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let enterprise = app.register("enterprise", "日期测试企业").await;
    for day in ["-4713-01-01", "+10000-01-01", "0000-12-31", "-0001-01-01"] {
        let reply =
            app.create_demand(&enterprise, json!({"title": "需求", "description": "说明", "deadline": day})).await;
        assert_eq!(failed_fields(&reply), ["deadline"], "{day}: {}", reply.body);
    }
    let created =
        app.create_demand(&enterprise, json!({"title": "需求", "description": "说明", "deadline": "9999-12-31"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["deadline"], "9999-12-31");
    let path = format!("/api/v1/demands/{}", id(&created));
    let patched = app.patch_as(enterprise.bearer(), &path, &json!({"deadline": "-4713-01-01"}), Some("\"1\"")).await;
    assert_eq!(failed_fields(&patched), ["deadline"]);
    let unchanged = app.get(&path).await;
    assert_eq!(
        (unchanged.body["deadline"].clone(), unchanged.body["version"].clone()),
        (json!("9999-12-31"), json!(1))
    );
    let first_day = app.patch_as(enterprise.bearer(), &path, &json!({"deadline": "0001-01-01"}), Some("\"1\"")).await;
    assert_eq!(first_day.status, 200, "{}", first_day.body);
}

/// Item 8. The old code compared organisation names as exact strings (per kind): every one of
/// these look-alikes registered with 201, as did a second `宁夏农林科学院` of another kind.
#[actix_web::test]
async fn look_alike_organisation_names_are_taken() {
    let app = TestApp::spawn().await;
    app.register("university", "AI测试大学").await;
    app.register("research_institute", "宁夏农林科学院").await;
    let look_alikes = [
        ("university", "ai测试大学"),
        ("university", "ＡＩ测试大学"),
        ("university", "AI测试\u{200B}大学"),
        ("university", "AI 测试大学"),
        ("university", "A\u{00AD}I测试大学"),
        ("research_institute", "宁夏农林科学院\u{FEFF}"),
        ("university", "宁夏农林科学院"),
    ];
    for (kind, name) in look_alikes {
        let body = json!({"email": format!("{}@example.org", uuid::Uuid::new_v4().simple()),
            "password": common::PASSWORD, "display_name": "仿冒者",
            "organization": {"kind": kind, "name": name}});
        app.post("/api/v1/auth/register", &body).await.assert_problem(409, "organization_exists");
    }
    // An admin creating one is held to the same key.
    let admin = app.admin().await;
    let created = app
        .post_as(admin.bearer(), "/api/v1/organizations", &json!({"kind": "university", "name": "Ａｉ测试大学"}))
        .await;
    created.assert_problem(409, "organization_exists");
    // A different name is fine.
    app.register("university", "AI测试学院").await;
}

/// Item 8. The old code accepted bidirectional controls and C0 controls in every text, and a
/// title of zero-width characters as not blank (all 201).
#[actix_web::test]
async fn bidi_and_control_characters_are_refused_and_invisible_titles_are_blank() {
    let app = TestApp::spawn().await;
    let institute = app.register("research_institute", "字符测试研究院").await;
    let cases = [
        (json!({"title": "成果\u{202E}txt.exe", "summary": "说明"}), "title"),
        (json!({"title": "\u{2066}成果\u{2069}", "summary": "说明"}), "title"),
        (json!({"title": "成果", "summary": "说明\u{200F}"}), "summary"),
        (json!({"title": "成果\u{7}", "summary": "说明"}), "title"),
        (json!({"title": "成果\n第二行", "summary": "说明"}), "title"),
        (json!({"title": "\u{200B}\u{200C}\u{2060}\u{FEFF}", "summary": "说明"}), "title"),
        (json!({"title": "\u{200B} \u{3000}", "summary": "说明"}), "title"),
        (json!({"title": "成果", "summary": "说明", "keywords": ["枸杞", "\u{202D}枸杞"]}), "keywords.1"),
        (json!({"title": "成果", "summary": "说明", "region": "宁夏\u{1B}[31m"}), "region"),
    ];
    for (body, field) in cases {
        let reply = app.create_supply(&institute, body.clone()).await;
        assert_eq!(failed_fields(&reply), [field], "{body}: {}", reply.body);
    }
    // Multi-line texts keep tab, line feed and carriage return; joiners inside a text are fine.
    let ok =
        app.create_supply(&institute, json!({"title": "枸杞👨\u{200D}🔬分选", "summary": "第一行\r\n\t第二行"})).await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    // Names, display names and connection notes follow the same rule.
    let body = json!({"email": "x@example.org", "password": common::PASSWORD, "display_name": "张\u{202E}三",
        "organization": {"kind": "university", "name": "\u{200B}"}});
    let reply = app.post("/api/v1/auth/register", &body).await;
    assert_eq!(failed_fields(&reply), ["display_name", "organization.name"]);
}

async fn supply_and_demand(app: &TestApp, institute: &Session, enterprise: &Session) -> (String, String) {
    let supply = app
        .create_supply(institute, json!({"title": "枸杞鲜果高效低损采收装备", "summary": "枸杞鲜果采收机", "keywords": ["枸杞采收"], "industries": ["goji"]}))
        .await;
    let demand = app
        .create_demand(enterprise, json!({"title": "枸杞鲜果机械化采收", "description": "需要枸杞鲜果低损采收装备", "keywords": ["枸杞采收"], "industries": ["goji"]}))
        .await;
    assert_eq!((supply.status.as_u16(), demand.status.as_u16()), (201, 201), "{} {}", supply.body, demand.body);
    (id(&supply), id(&demand))
}

/// Item 3. The old code let a rejected organisation `PATCH` its draft to `published` (200), left
/// its published listings on the market and in the match index after the rejection, and let it
/// move its connections on.
#[actix_web::test]
async fn a_rejected_organisation_publishes_nothing_and_its_listings_leave_the_market() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let institute = app.register("research_institute", "被驳回的研究院").await;
    let enterprise = app.register("enterprise", "对接企业").await;
    let (supply, demand) = supply_and_demand(&app, &institute, &enterprise).await;
    let draft =
        app.create_supply(&institute, json!({"title": "枸杞草稿成果", "summary": "草稿", "status": "draft"})).await;
    let draft = format!("/api/v1/supplies/{}", id(&draft));
    let opened = app
        .post_as(enterprise.bearer(), "/api/v1/connections", &json!({"demand_id": demand, "supply_id": supply}))
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let connection = id(&opened);
    let matches = format!("/api/v1/demands/{demand}/matches");
    assert_eq!(app.get(&matches).await.body["items"][0]["listing"]["id"], supply.as_str());

    let verify = format!("/api/v1/organizations/{}/verification", institute.organization_id);
    let rejected = app.post_as(admin.bearer(), &verify, &json!({"verification": "rejected"})).await;
    assert_eq!(rejected.status, 200, "{}", rejected.body);

    // Off the market, recorded, and out of the match index of this instance.
    let supply_path = format!("/api/v1/supplies/{supply}");
    app.get(&supply_path).await.assert_problem(404, "not_found");
    let own = app.get_as(institute.bearer(), &supply_path).await;
    assert_eq!((own.body["status"].clone(), own.body["version"].clone()), (json!("draft"), json!(2)));
    let reason: Option<String> = {
        use techmatch::db::schema::supplies::dsl as s;
        let supply_id: uuid::Uuid = supply.parse().unwrap();
        s::supplies.find(supply_id).select(s::off_market_reason).first(&mut app.db.connect()).unwrap()
    };
    assert_eq!(reason.as_deref(), Some("organization_rejected"));
    assert!(app.get(&matches).await.body["items"].as_array().unwrap().is_empty());

    // Nothing goes back on the market while rejected: not the draft, not the taken-off supply.
    for (path, version) in [(&draft, "\"1\""), (&supply_path, "\"2\"")] {
        let reply = app.patch_as(institute.bearer(), path, &json!({"status": "published"}), Some(version)).await;
        reply.assert_problem(403, "forbidden");
    }
    app.create_supply(&institute, json!({"title": "新成果", "summary": "说明"})).await.assert_problem(403, "forbidden");
    let connection_path = format!("/api/v1/connections/{connection}/events");
    let accept = app.post_as(institute.bearer(), &connection_path, &json!({"to": "contacted"})).await;
    accept.assert_problem(403, "forbidden");

    // Restoring the organisation republishes nothing; the owner does.
    let restored = app.post_as(admin.bearer(), &verify, &json!({"verification": "verified"})).await;
    assert_eq!(restored.status, 200);
    app.get(&supply_path).await.assert_problem(404, "not_found");
    common::index_polled(&app.matcher, Duration::from_secs(10)).await;
    assert!(app.get(&matches).await.body["items"].as_array().unwrap().is_empty());
    let republished =
        app.patch_as(institute.bearer(), &supply_path, &json!({"status": "published"}), Some("\"2\"")).await;
    assert_eq!(republished.status, 200, "{}", republished.body);
    assert_eq!(app.get(&matches).await.body["items"][0]["listing"]["id"], supply.as_str());
}

/// Item 3, across instances: another instance's index drops a rejected organisation's listings
/// on its next poll. The old code left them candidates everywhere.
#[actix_web::test]
async fn another_instances_index_drops_a_rejected_organisations_listings() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let institute = app.register("research_institute", "另一实例研究院").await;
    let enterprise = app.register("enterprise", "另一实例企业").await;
    let (supply, demand) = supply_and_demand(&app, &institute, &enterprise).await;
    // A second server on the same database: it learns of writes only from its polls.
    let other = techmatch::app::Application::build(common::serve_config(&app.db.url)).await.unwrap();
    let other_url = format!("http://127.0.0.1:{}", other.port());
    let other_index = other.matcher();
    actix_web::rt::spawn(other.run_until_stopped());
    let matches = format!("{other_url}/api/v1/demands/{demand}/matches");
    let ranked = |url: String| async move {
        let mut res = awc::Client::default().get(url).send().await.unwrap();
        res.json::<Value>().await.unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["listing"]["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ranked(matches.clone()).await, [json!(supply)]);
    let verify = format!("/api/v1/organizations/{}/verification", institute.organization_id);
    assert_eq!(app.post_as(admin.bearer(), &verify, &json!({"verification": "rejected"})).await.status, 200);
    common::index_polled(&other_index, Duration::from_secs(10)).await;
    assert!(ranked(matches).await.is_empty());
}

/// Item 7. The old code showed a verified broker both parties' contacts in the 201 of every
/// connection it opened, and let the broker itself "accept" for both sides; nothing recorded who
/// saw contacts.
#[actix_web::test]
async fn a_broker_sees_contacts_only_after_both_sides_accept_and_views_are_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let institute = app.register("research_institute", "联系方式研究院").await;
    let enterprise = app.register("enterprise", "联系方式企业").await;
    let broker = app.register("service_agency", "联系方式经纪机构").await;
    let verify = format!("/api/v1/organizations/{}/verification", broker.organization_id);
    assert_eq!(app.post_as(admin.bearer(), &verify, &json!({"verification": "verified"})).await.status, 200);
    let (supply, demand) = supply_and_demand(&app, &institute, &enterprise).await;

    let opened =
        app.post_as(broker.bearer(), "/api/v1/connections", &json!({"demand_id": demand, "supply_id": supply})).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    assert_eq!(
        (opened.body["demand"]["contact"].clone(), opened.body["supply"]["contact"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(opened.body["allowed_moves"], json!(["failed", "withdrawn"]), "the broker cannot accept");
    let connection = id(&opened);
    let path = format!("/api/v1/connections/{connection}");
    let events = format!("{path}/events");
    app.post_as(broker.bearer(), &events, &json!({"to": "contacted"})).await.assert_problem(403, "forbidden");

    // The first side's acceptance is recorded; nothing is revealed yet.
    let first = app.post_as(enterprise.bearer(), &events, &json!({"to": "contacted"})).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["status"], "proposed");
    assert_eq!(first.body["supply"]["contact"], Value::Null);
    assert_eq!(first.body["allowed_moves"], json!(["failed", "withdrawn"]), "accepted once");
    app.post_as(enterprise.bearer(), &events, &json!({"to": "contacted"})).await.assert_problem(403, "forbidden");
    let seen = app.get_as(broker.bearer(), &path).await;
    assert_eq!(
        (seen.body["demand"]["contact"].clone(), seen.body["supply"]["contact"].clone()),
        (Value::Null, Value::Null)
    );
    let institute_view = app.get_as(institute.bearer(), &path).await;
    assert_eq!(institute_view.body["allowed_moves"], json!(["contacted", "failed", "withdrawn"]));

    // The second side's acceptance moves it; from then on the broker sees both.
    let second = app.post_as(institute.bearer(), &events, &json!({"to": "contacted"})).await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(second.body["status"], "contacted");
    let seen = app.get_as(broker.bearer(), &path).await;
    assert!(seen.body["demand"]["contact"].is_object() && seen.body["supply"]["contact"].is_object(), "{}", seen.body);

    // Each response that showed another organisation's contacts is recorded: the institute's
    // answer to its acceptance, and the broker's read.
    let viewers: Vec<uuid::Uuid> = {
        use techmatch::db::schema::contact_views::dsl as v;
        let connection_id: uuid::Uuid = connection.parse().unwrap();
        v::contact_views
            .filter(v::connection_id.eq(connection_id))
            .order(v::id)
            .select(v::viewer_id)
            .load(&mut app.db.connect())
            .unwrap()
    };
    let user = |s: &Session| s.user_id.parse::<uuid::Uuid>().unwrap();
    assert_eq!(viewers, [user(&institute), user(&broker)]);
}

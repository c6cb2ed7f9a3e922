//! What a frontend needs to show records without extra calls (issue 17): listings embed their
//! organisation's summary (single, in lists and in match results), connections and contract
//! statistics embed the users they name, organisations are looked up by ids in one call, and
//! single resources, the taxonomy and the vocabularies answer 304 to `If-None-Match`.

use crate::common::{Reply, Session, TestApp};
use crate::contracts;
use serde_json::{json, Value};

/// GET `path` with an optional token and `If-None-Match`.
async fn get_if_none_match(app: &TestApp, token: Option<&str>, path: &str, tag: Option<&str>) -> Reply {
    let mut req = awc::Client::default().get(app.url(path));
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    if let Some(tag) = tag {
        req = req.insert_header(("If-None-Match", tag));
    }
    app.send(req, None).await
}

/// Asserts `reply` is a 304 with no body and the ETag `tag`.
fn assert_not_modified(reply: &Reply, tag: &str) {
    assert_eq!(reply.status, 304, "{}", reply.body);
    assert_eq!(reply.body, Value::Null, "a 304 has no body");
    assert_eq!(reply.header("etag"), Some(tag));
}

fn id(reply: &Reply) -> String {
    assert!(reply.status.is_success(), "{} {}", reply.status, reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

async fn supply(app: &TestApp, who: &Session, title: &str) -> String {
    id(&app
        .create_supply(
            who,
            json!({"title": title, "summary": "枸杞鲜果采收机", "keywords": ["枸杞采收"], "industries": ["goji"]}),
        )
        .await)
}

async fn demand(app: &TestApp, who: &Session, title: &str) -> String {
    id(&app
        .create_demand(who, json!({"title": title, "description": "需要枸杞鲜果低损采收装备", "keywords": ["枸杞采收"], "industries": ["goji"]}))
        .await)
}

async fn verify(app: &TestApp, admin: &Session, org: &str) {
    let path = format!("/api/v1/organizations/{org}/verification");
    assert_eq!(app.post_as(admin.bearer(), &path, &json!({"verification": "verified"})).await.status, 200);
}

fn summary_of(session: &Session, name: &str, kind: &str, verified: bool) -> Value {
    json!({"id": session.organization_id, "name": name, "kind": kind, "verified": verified, "region": "宁夏"})
}

#[actix_web::test]
async fn listings_embed_their_organisation_single_in_lists_and_in_matches() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let institute = app.register("research_institute", "银川某研究所").await;
    let university = app.register("university", "银川某大学").await;
    let enterprise = app.register("enterprise", "中宁某枸杞企业").await;
    verify(&app, &admin, &institute.organization_id).await;
    let from_institute = supply(&app, &institute, "枸杞鲜果高效低损采收装备").await;
    let from_university = supply(&app, &university, "枸杞采收机器人").await;
    let second_from_institute = supply(&app, &institute, "枸杞烘干设备").await;
    let wanted = demand(&app, &enterprise, "枸杞鲜果机械化采收").await;

    let institute_summary = summary_of(&institute, "银川某研究所", "research_institute", true);
    // `register` gives a verified organisation (unverified ones go through review before their
    // listings are public)
    let university_summary = summary_of(&university, "银川某大学", "university", true);
    let enterprise_summary = summary_of(&enterprise, "中宁某枸杞企业", "enterprise", true);
    let expected = |supply_id: &str| {
        if supply_id == from_university {
            university_summary.clone()
        } else {
            institute_summary.clone()
        }
    };

    let one = app.get(&format!("/api/v1/supplies/{from_institute}")).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["organization"], institute_summary);
    assert_eq!(one.body["organization_id"], institute.organization_id, "the listing's own columns stay");
    assert_eq!(one.body["title"], "枸杞鲜果高效低损采收装备");

    let page = app.get("/api/v1/supplies").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let items = page.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        let supply_id = item["id"].as_str().unwrap();
        assert_eq!(item["organization"], expected(supply_id), "{supply_id}");
        assert_eq!(item["organization"]["id"], item["organization_id"]);
    }
    assert!(items.iter().any(|i| i["id"] == second_from_institute.as_str()));

    let demands = app.get("/api/v1/demands").await;
    assert_eq!(demands.body["items"][0]["organization"], enterprise_summary);
    let one_demand = app.get(&format!("/api/v1/demands/{wanted}")).await;
    assert_eq!(one_demand.body["organization"], enterprise_summary);

    let matches = app.get(&format!("/api/v1/demands/{wanted}/matches")).await;
    assert_eq!(matches.status, 200, "{}", matches.body);
    let ranked = matches.body["items"].as_array().unwrap();
    assert!(!ranked.is_empty(), "{}", matches.body);
    for item in ranked {
        let supply_id = item["listing"]["id"].as_str().unwrap();
        assert_eq!(item["listing"]["organization"], expected(supply_id));
    }
    let back = app.get(&format!("/api/v1/supplies/{from_university}/matches")).await;
    assert_eq!(back.body["items"][0]["listing"]["organization"], enterprise_summary, "{}", back.body);

    let preview =
        app.post("/api/v1/matches", &json!({"target": "demand", "title": "枸杞采收", "keywords": ["枸杞采收"]})).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(preview.body["items"][0]["listing"]["organization"], enterprise_summary);
    assert_eq!(preview.body["items"][0]["listing"]["side"], "demand", "the union's tag");
}

#[actix_web::test]
async fn organisations_are_looked_up_by_ids_in_one_call() {
    let app = TestApp::spawn().await;
    let a = app.register_unverified("university", "银川某大学").await;
    let b = app.register_unverified("enterprise", "中宁某枸杞企业").await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let path = format!(
        "/api/v1/organizations/batch?ids={},{unknown},{},{}",
        b.organization_id, a.organization_id, b.organization_id
    );
    let found = app.get(&path).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(
        found.body,
        json!({
            "items": [summary_of(&b, "中宁某枸杞企业", "enterprise", false), summary_of(&a, "银川某大学", "university", false)],
            "missing": [unknown],
        }),
        "in the order asked, duplicates once, unknown ids listed"
    );

    let bad = app.get(&format!("/api/v1/organizations/batch?ids={},not-a-uuid", a.organization_id)).await;
    bad.assert_problem(400, "invalid_query");
    assert!(bad.body["detail"].as_str().unwrap().contains("not-a-uuid"), "{}", bad.body);
    app.get("/api/v1/organizations/batch?ids=").await.assert_problem(400, "invalid_query");
    app.get("/api/v1/organizations/batch").await.assert_problem(400, "invalid_query");
    let too_many: Vec<String> = (0..101).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let over = app.get(&format!("/api/v1/organizations/batch?ids={}", too_many.join(","))).await;
    over.assert_problem(400, "invalid_query");
    assert!(over.body["detail"].as_str().unwrap().contains("100"), "{}", over.body);
    let hundred = app.get(&format!("/api/v1/organizations/batch?ids={}", too_many[..100].join(","))).await;
    assert_eq!(hundred.status, 200, "{}", hundred.body);
    assert_eq!(hundred.body["missing"].as_array().unwrap().len(), 100);
}

#[actix_web::test]
async fn connections_and_contract_statistics_embed_the_users_they_name() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let enterprise = app.register("enterprise", "中宁某枸杞企业").await;
    let institute = app.register("research_institute", "银川某研究所").await;
    let broker = app.register("service_agency", "某技术转移中心").await;
    let wanted = demand(&app, &enterprise, "枸杞鲜果机械化采收").await;
    let offered = supply(&app, &institute, "枸杞鲜果高效低损采收装备").await;
    let opened = app
        .post_as(enterprise.bearer(), "/api/v1/connections", &json!({"demand_id": wanted, "supply_id": offered}))
        .await;
    let connection = id(&opened);
    let opener = json!({"id": enterprise.user_id, "display_name": "测试用户", "organization_id": enterprise.organization_id,
        "organization_name": "中宁某枸杞企业"});
    assert_eq!(opened.body["users"], json!([opener]), "the opener, once though also the first event's actor");

    let path = format!("/api/v1/connections/{connection}/events");
    let moved = app.post_as(institute.bearer(), &path, &json!({"to": "contacted"})).await;
    assert_eq!(moved.status, 201, "{}", moved.body);
    let acceptor = json!({"id": institute.user_id, "display_name": "测试用户", "organization_id": institute.organization_id,
        "organization_name": "银川某研究所"});
    let seen = app.get_as(enterprise.bearer(), &format!("/api/v1/connections/{connection}")).await;
    assert_eq!(seen.body["users"], json!([opener, acceptor]), "{}", seen.body);
    assert_eq!(seen.body["events"][1]["actor_id"], institute.user_id.as_str());

    // A broker's connection, signed: the broker is named once (opener and broker), then the actors
    // of the later events (the first side's acceptance is not an event; the second side's move is).
    verify(&app, &admin, &broker.organization_id).await;
    let other_demand = demand(&app, &enterprise, "枸杞采后保鲜").await;
    let brokered = app
        .post_as(broker.bearer(), "/api/v1/connections", &json!({"demand_id": other_demand, "supply_id": offered}))
        .await;
    let brokered = id(&brokered);
    let path = format!("/api/v1/connections/{brokered}/events");
    for (who, body) in [
        (&enterprise, json!({"to": "contacted"})),
        (&institute, json!({"to": "contacted"})),
        (&enterprise, json!({"to": "negotiating"})),
    ] {
        let moved = app.post_as(who.bearer(), &path, &body).await;
        assert_eq!(moved.status, 201, "{body} {}", moved.body);
    }
    // signed once both sides confirm the contract's terms
    let proposed = contracts::propose(&app, &enterprise, &brokered, &contracts::terms(1_000_000, 1_000_000)).await;
    assert_eq!(proposed.status, 201, "{}", proposed.body);
    let confirmed = contracts::confirm(&app, &institute, &brokered, &proposed.body["version"]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let broker_summary = json!({"id": broker.user_id, "display_name": "测试用户", "organization_id": broker.organization_id,
        "organization_name": "某技术转移中心"});
    let signed = app.get_as(broker.bearer(), &format!("/api/v1/connections/{brokered}")).await;
    assert_eq!(signed.body["status"], "signed", "{}", signed.body);
    assert_eq!(signed.body["users"], json!([broker_summary, acceptor, opener]), "{}", signed.body);

    let stats = app.get_as(admin.bearer(), "/api/v1/stats/contracts").await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    assert_eq!(stats.body["by_broker"][0]["broker_id"], broker.user_id.as_str(), "{}", stats.body);
    assert_eq!(stats.body["brokers"], json!([broker_summary]), "{}", stats.body);
}

#[actix_web::test]
async fn single_resources_answer_304_until_they_change() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let institute = app.register("research_institute", "银川某研究所").await;
    let enterprise = app.register("enterprise", "中宁某枸杞企业").await;
    let offered = supply(&app, &institute, "枸杞鲜果高效低损采收装备").await;
    let wanted = demand(&app, &enterprise, "枸杞鲜果机械化采收").await;

    // A supply: its version is the ETag.
    let path = format!("/api/v1/supplies/{offered}");
    let first = app.get(&path).await;
    let tag = first.header("etag").unwrap().to_string();
    assert_eq!(tag, "\"1\"");
    assert_not_modified(&get_if_none_match(&app, None, &path, Some(&tag)).await, &tag);
    assert_not_modified(&get_if_none_match(&app, None, &path, Some("W/\"1\", \"7\"")).await, &tag);
    let changed =
        app.patch_as(institute.bearer(), &path, &json!({"title": "枸杞鲜果采收装备（第二代）"}), Some(&tag)).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let fresh = get_if_none_match(&app, None, &path, Some(&tag)).await;
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.header("etag"), Some("\"2\""));
    assert_eq!(fresh.body["title"], "枸杞鲜果采收装备（第二代）");

    // A demand, the same way; a private one is still 404 for others, whatever the tag.
    let path = format!("/api/v1/demands/{wanted}");
    assert_not_modified(&get_if_none_match(&app, None, &path, Some("\"1\"")).await, "\"1\"");
    let draft = app
        .create_demand(
            &enterprise,
            json!({"title": "草稿需求", "description": "未发布", "status": "draft", "industries": ["goji"]}),
        )
        .await;
    let path = format!("/api/v1/demands/{}", id(&draft));
    get_if_none_match(&app, None, &path, Some("\"1\"")).await.assert_problem(404, "not_found");
    get_if_none_match(&app, institute.bearer(), &path, Some("*")).await.assert_problem(404, "not_found");
    assert_not_modified(&get_if_none_match(&app, enterprise.bearer(), &path, Some("\"1\"")).await, "\"1\"");

    // An organisation: a hash of its JSON.
    let path = format!("/api/v1/organizations/{}", institute.organization_id);
    let org = app.get(&path).await;
    let org_tag = org.header("etag").unwrap().to_string();
    assert_not_modified(&get_if_none_match(&app, None, &path, Some(&org_tag)).await, &org_tag);
    verify(&app, &admin, &institute.organization_id).await;
    let verified = get_if_none_match(&app, None, &path, Some(&org_tag)).await;
    assert_eq!(verified.status, 200);
    assert_eq!(verified.body["verification"], "verified");
    assert_ne!(verified.header("etag"), Some(org_tag.as_str()));

    // A connection, as its caller sees it.
    let opened = app
        .post_as(enterprise.bearer(), "/api/v1/connections", &json!({"demand_id": wanted, "supply_id": offered}))
        .await;
    let path = format!("/api/v1/connections/{}", id(&opened));
    let seen = app.get_as(enterprise.bearer(), &path).await;
    let seen_tag = seen.header("etag").unwrap().to_string();
    assert_not_modified(&get_if_none_match(&app, enterprise.bearer(), &path, Some(&seen_tag)).await, &seen_tag);
    let moved = app.post_as(institute.bearer(), &format!("{path}/events"), &json!({"to": "contacted"})).await;
    assert_eq!(moved.status, 201, "{}", moved.body);
    let after = get_if_none_match(&app, enterprise.bearer(), &path, Some(&seen_tag)).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.body["status"], "contacted");

    // The taxonomy: cacheable, revalidated by its ETag.
    let taxonomy = app.get("/api/v1/industries").await;
    assert_eq!(taxonomy.header("cache-control"), Some("public, max-age=3600"));
    let tax_tag = taxonomy.header("etag").unwrap().to_string();
    let again = get_if_none_match(&app, None, "/api/v1/industries", Some(&tax_tag)).await;
    assert_not_modified(&again, &tax_tag);
    assert_eq!(again.header("cache-control"), Some("public, max-age=3600"));
    let other = get_if_none_match(&app, None, "/api/v1/industries", Some("\"0000\"")).await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body["groups"].as_array().unwrap().len(), 4);
}

#[actix_web::test]
async fn vocabularies_come_with_chinese_and_english_labels_and_are_cacheable() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/vocabularies").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("public, max-age=3600"));
    let vocabularies = reply.body["vocabularies"].as_array().unwrap();
    let find = |name: &str| vocabularies.iter().find(|v| v["name"] == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(
        find("TransferMode")["values"][2],
        json!({"value": "equity", "zh": "作价入股", "en": "Equity investment"})
    );
    assert_eq!(find("FailureReason")["values"][0], json!({"value": "price_gap", "zh": "价格差距", "en": "Price gap"}));
    assert_eq!(find("OrganizationKind")["values"].as_array().unwrap().len(), 5);
    let names: Vec<&str> = vocabularies.iter().map(|v| v["name"].as_str().unwrap()).collect();
    for wanted in ["SupplyStatus", "DemandStatus", "IpType", "ConnectionStatus", "ContractType", "Role", "Verification"]
    {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    // Every value is one the API accepts and sends: the document's enum, in the same order.
    let doc = app.get("/api/v1/openapi.json").await.body;
    for vocabulary in vocabularies {
        let schema = &doc["components"]["schemas"][vocabulary["name"].as_str().unwrap()];
        let values: Vec<&Value> = vocabulary["values"].as_array().unwrap().iter().map(|v| &v["value"]).collect();
        let listed: Vec<&Value> = schema["enum"].as_array().unwrap_or_else(|| panic!("{schema}")).iter().collect();
        assert_eq!(values, listed, "{}", vocabulary["name"]);
        let zh: Vec<&Value> = vocabulary["values"].as_array().unwrap().iter().map(|v| &v["zh"]).collect();
        assert_eq!(schema["x-enum-labels"]["zh"].as_array().unwrap().iter().collect::<Vec<_>>(), zh);
        assert_eq!(schema["x-enum-varnames"].as_array().unwrap().len(), values.len());
        assert_eq!(schema["x-enum-descriptions"].as_array().unwrap().len(), values.len());
    }
    assert_eq!(doc["components"]["schemas"]["TransferMode"]["x-enum-descriptions"][0], "转让 (Transfer)");
    assert_eq!(doc["components"]["schemas"]["IpType"]["x-enum-varnames"][0], "InventionPatent");
    // The subsets a body may set, and the industry codes with their taxonomy names.
    let editable = &doc["components"]["schemas"]["EditableSupplyStatus"];
    assert_eq!(editable["enum"], json!(["draft", "published"]));
    assert_eq!(editable["x-enum-labels"], json!({"zh": ["草稿", "已发布"], "en": ["Draft", "Published"]}));
    let industries = &doc["components"]["schemas"]["IndustryCode"];
    let goji = industries["enum"].as_array().unwrap().iter().position(|c| c == "goji").unwrap();
    assert_eq!(industries["x-enum-labels"]["zh"][goji], "枸杞");
    assert_eq!(industries["x-enum-varnames"][goji], "Goji");

    let tag = reply.header("etag").unwrap().to_string();
    assert_not_modified(&get_if_none_match(&app, None, "/api/v1/vocabularies", Some(&tag)).await, &tag);
    let other = get_if_none_match(&app, None, "/api/v1/vocabularies", Some("\"stale\"")).await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body, reply.body);
}

#[actix_web::test]
async fn the_document_suits_code_generators() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/v1/openapi.json").await.body;
    assert_eq!(doc["servers"][0]["url"], "/");

    // Public operations say so with `security: []`; the others name the bearer scheme.
    let public = [
        ("/api/v1/industries", "get"),
        ("/api/v1/vocabularies", "get"),
        ("/api/v1/organizations/{id}", "get"),
        ("/api/v1/organizations/batch", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/matches", "post"),
        ("/healthz", "get"),
    ];
    for (path, method) in public {
        assert_eq!(doc["paths"][path][method]["security"], json!([]), "{method} {path}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(operation["security"].is_array(), "{method} {path} declares its security");
        }
    }
    assert_eq!(doc["paths"]["/api/v1/supplies"]["post"]["security"], json!([{"bearer": []}]));

    let schemas = &doc["components"]["schemas"];
    // `extra` is a free-form object, not an object with no properties.
    for model in ["Supply", "Demand"] {
        assert_eq!(schemas[model]["properties"]["extra"]["additionalProperties"], true, "{model}");
    }
    // A page references its item's schema instead of copying it (a list's item with what `q`
    // found in it); a listing with its organisation references the listing's schema.
    assert_eq!(
        schemas["FoundPage_Shown_Supply"]["properties"]["items"]["items"]["allOf"][0],
        json!({"$ref": "#/components/schemas/Shown_Supply"})
    );
    assert_eq!(
        schemas["FoundPage_Shown_Demand"]["properties"]["items"]["items"]["allOf"][0],
        json!({"$ref": "#/components/schemas/Shown_Demand"})
    );
    assert_eq!(
        schemas["FoundPage_Organization"]["properties"]["items"]["items"]["allOf"][0],
        json!({"$ref": "#/components/schemas/Organization"})
    );
    assert_eq!(
        schemas["Page_MatchItem_Shown_Supply"]["properties"]["items"]["items"]["properties"]["listing"],
        json!({"$ref": "#/components/schemas/Shown_Supply"})
    );
    assert_eq!(schemas["Detail_Shown_Supply"]["allOf"][0], json!({"$ref": "#/components/schemas/Shown_Supply"}));
    assert_eq!(schemas["Shown_Supply"]["allOf"][0], json!({"$ref": "#/components/schemas/Supply"}));
    // The preview's listing is a union told apart by `side`.
    let branches = schemas["Listing"]["oneOf"].as_array().unwrap();
    let sides: Vec<&Value> = branches.iter().map(|b| &b["allOf"][1]["properties"]["side"]["enum"][0]).collect();
    assert_eq!(sides, [&json!("supply"), &json!("demand")]);
    assert_eq!(branches[0]["allOf"][0], json!({"$ref": "#/components/schemas/Shown_Supply"}));
}

#[actix_web::test]
async fn the_lifecycle_and_search_keep_their_fields_beside_the_organisation() {
    let app = TestApp::spawn().await;
    let institute = app.register("research_institute", "银川某研究所").await;
    let offered = supply(&app, &institute, "枸杞鲜果高效低损采收装备").await;
    let institute_summary = summary_of(&institute, "银川某研究所", "research_institute", true);

    // The owner reads the listing with its organisation and its completeness report, flat.
    let path = format!("/api/v1/supplies/{offered}");
    let own = app.get_as(institute.bearer(), &path).await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.body["organization"], institute_summary);
    assert!(own.body["completeness"].is_object(), "{}", own.body);
    assert_eq!(own.header("etag"), Some("\"1\""));
    // Others see the listing and its organisation, not the owner's advice.
    let public = app.get(&path).await;
    assert_eq!(public.body["organization"], institute_summary);
    assert!(public.body.get("completeness").is_none(), "{}", public.body);

    // A list with `q`: relevance and matched terms beside the organisation.
    let found = app.get("/api/v1/supplies?q=%E6%9E%B8%E6%9D%9E").await;
    assert_eq!(found.status, 200, "{}", found.body);
    let item = &found.body["items"][0];
    assert_eq!(item["id"], offered.as_str(), "{}", found.body);
    assert_eq!(item["organization"], institute_summary);
    assert!(item["relevance"].as_f64().is_some_and(|r| r > 0.0), "{}", found.body);
    assert!(item["matched_terms"].as_array().is_some_and(|t| !t.is_empty()), "{}", found.body);

    // An empty `sort` or `confidence` is refused, not taken as the default (Schemathesis).
    app.get("/api/v1/supplies?sort=").await.assert_problem(400, "invalid_query");
    app.get(&format!("/api/v1/supplies/{offered}/matches?confidence=")).await.assert_problem(400, "invalid_query");
}

//! 信息汇交 (issue 17, item 6): imports as jobs (JSON Lines, CSV, XLSX), their report and modes,
//! duplicates, who may import for whom, the size limit, and exports (CSV, XLSX, JSON Lines).

use std::time::{Duration, Instant};

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{Reply, Session, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn upload(app: &TestApp, who: &Session, query: &str, content_type: &str, body: &[u8]) -> Reply {
    app.raw_as(who.bearer(), "POST", &format!("/api/v1/exchange/imports?{query}"), Some(content_type), body).await
}

/// Uploads and waits (polling the job, 30 s at most) until the job has finished.
async fn import(app: &TestApp, who: &Session, query: &str, content_type: &str, body: &[u8]) -> Value {
    let reply = upload(app, who, query, content_type, body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    assert_eq!(reply.body["status"], "queued");
    let id = reply.body["id"].as_str().unwrap().to_string();
    assert_eq!(reply.header("location"), Some(format!("/api/v1/exchange/imports/{id}").as_str()));
    finished(app, who, &id).await
}

async fn finished(app: &TestApp, who: &Session, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let job = app.get_as(who.bearer(), &format!("/api/v1/exchange/imports/{id}")).await;
        assert_eq!(job.status, StatusCode::OK, "{}", job.body);
        if job.body["status"] == "succeeded" || job.body["status"] == "failed" {
            return job.body;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "the job did not finish: {}", job.body);
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn report(app: &TestApp, who: &Session, job: &Value) -> Vec<Value> {
    let reply = app
        .get_as(who.bearer(), &format!("/api/v1/exchange/imports/{}/report?per_page=100", job["id"].as_str().unwrap()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

fn line(title: &str, industries: &[&str]) -> String {
    json!({"title": title, "summary": format!("{title}的简介：面向宁夏产业的应用。"), "keywords": ["示范"],
           "industries": industries, "org_kind": "university", "extra": {"region": "宁夏", "year": 2024}})
    .to_string()
}

fn jsonl(lines: &[String]) -> Vec<u8> {
    (lines.join("\n") + "\n").into_bytes()
}

async fn count(app: &TestApp, path: &str) -> i64 {
    app.get(path).await.body["total"].as_i64().unwrap()
}

/// GET returning the raw bytes (exports are not JSON).
async fn bytes(app: &TestApp, who: Option<&Session>, path: &str) -> (StatusCode, String, Vec<u8>) {
    let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
    let mut req = client.get(app.url(path));
    if let Some(s) = who {
        req = req.insert_header(("Authorization", format!("Bearer {}", s.token)));
    }
    let mut res = req.send().await.unwrap();
    let body = res.body().limit(64 * 1024 * 1024).await.unwrap().to_vec();
    let media = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (res.status(), media, body)
}

#[actix_web::test]
async fn a_jsonl_import_by_an_organisation_for_itself() {
    let app = TestApp::spawn().await;
    let uni = app.register("university", "宁夏大学").await;
    let body = jsonl(&[
        line("鱼菜共生立体复合种养技术", &["冷凉蔬菜"]),
        line("酿酒葡萄优质高效栽培", &["葡萄酒"]),
        line("枸杞多糖提取", &["goji"]),
    ]);
    let job = import(&app, &uni, "kind=supply", "application/x-ndjson", &body).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["progress"], json!({"rows_done": 3, "rows_total": 3}));
    assert_eq!(job["counts"], json!({"imported": 3, "duplicates": 0, "near_duplicates": 0, "invalid_rows": 0}));
    assert_eq!(job["organization_id"], uni.organization_id.as_str());
    assert!(report(&app, &uni, &job).await.is_empty());
    let listed = app.get(&format!("/api/v1/supplies?organization_id={}", uni.organization_id)).await;
    assert_eq!(listed.body["total"], 3, "verified: on the market at once");
    let item = &listed.body["items"].as_array().unwrap().iter().find(|i| i["title"] == "枸杞多糖提取").unwrap().clone();
    assert_eq!(item["industries"], json!(["goji"]));
    assert_eq!(item["region"], "宁夏");
    assert_eq!(item["extra"]["year"], 2024);
    // Another organisation cannot see the job; the upload is audited.
    let other = app.register("enterprise", "另一家企业").await;
    app.get_as(other.bearer(), &format!("/api/v1/exchange/imports/{}", job["id"].as_str().unwrap()))
        .await
        .assert_problem(404, "not_found");
    let audit = app.get_as(uni.bearer(), "/api/v1/audit-log?action=listings_imported").await;
    assert_eq!(audit.body["total"], 1, "{}", audit.body);
    assert_eq!(audit.body["items"][0]["detail"]["imported"], 3);
}

#[actix_web::test]
async fn a_csv_with_a_bom_and_chinese_headers_imports_its_valid_rows_and_reports_the_others() {
    let app = TestApp::spawn().await;
    let ent = app.register("enterprise", "宁夏某乳业公司").await;
    let csv = "\u{feff}名称,需求描述,产业,关键词,预算（元）,截止日期\n\
        奶牛场粪污液肥滴灌还田,需突破液肥处理与滴灌适配,牛奶,液肥；滴灌,500000,2099-12-31\n\
        火星农场灌溉,在火星上种菜,火星农业,灌溉,,\n\
        ,没有名称的需求,牛奶,,,\n\
        滩羊肉品质提升,提升滩羊肉品质,滩羊、肉牛,滩羊,abc,\n\
        智能温室控制,冷凉蔬菜温室的智能控制,冷凉蔬菜,温室,,\n";
    let job = import(&app, &ent, "kind=demand&mode=valid_rows_only", "text/csv; charset=utf-8", csv.as_bytes()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["counts"]["imported"], 2);
    assert_eq!(job["counts"]["invalid_rows"], 3);
    let lines = report(&app, &ent, &job).await;
    let find = |row: i64| lines.iter().filter(|l| l["row"] == row).cloned().collect::<Vec<_>>();
    assert_eq!(find(3)[0]["field"], "industries.0");
    assert_eq!(find(3)[0]["code"], "unknown_industry");
    assert_eq!(find(4)[0]["field"], "title");
    assert_eq!(find(4)[0]["code"], "required");
    assert_eq!(find(5)[0]["field"], "money_yuan");
    assert!(find(2).is_empty() && find(6).is_empty());
    let listed = app.get(&format!("/api/v1/demands?organization_id={}", ent.organization_id)).await;
    assert_eq!(listed.body["total"], 2);
    let first = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["title"] == "奶牛场粪污液肥滴灌还田")
        .unwrap()
        .clone();
    assert_eq!(first["budget_fen"], 50_000_000);
    assert_eq!(first["deadline"], "2099-12-31");
    assert_eq!(first["keywords"], json!(["液肥", "滴灌"]));
}

#[actix_web::test]
async fn all_or_nothing_imports_nothing_when_a_row_is_bad() {
    let app = TestApp::spawn().await;
    let uni = app.register("university", "宁夏医科大学").await;
    let body = jsonl(&[
        line("一号成果", &["枸杞"]),
        line("二号成果", &["不存在的产业"]),
        "{not json".into(),
        line("四号成果", &["牛奶"]),
    ]);
    let job = import(&app, &uni, "kind=supply&mode=all_or_nothing", "application/x-ndjson", &body).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["counts"]["imported"], 0);
    assert_eq!(job["counts"]["invalid_rows"], 2);
    let lines = report(&app, &uni, &job).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!((lines[0]["row"].clone(), lines[0]["code"].clone()), (json!(2), json!("unknown_industry")));
    assert_eq!((lines[1]["row"].clone(), lines[1]["code"].clone()), (json!(3), json!("invalid_row")));
    let mut conn = app.db.connect();
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query("SELECT count(*) AS n FROM supplies").get_result(&mut conn).unwrap();
    assert_eq!(n.n, 0, "nothing half-imported");
}

#[actix_web::test]
async fn an_xlsx_import_reads_values_and_never_formulas() {
    let app = TestApp::spawn().await;
    let uni = app.register("research_institute", "宁夏农林科学院").await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in ["title", "summary", "industries", "trl", "价格（元）", "转化方式"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet
        .write_formula(1, 0, rust_xlsxwriter::Formula::new("=\"枸杞\"&\"多糖提取技术\"").set_result("枸杞多糖提取技术"))
        .unwrap();
    sheet.write_string(1, 1, "从枸杞中高效提取多糖").unwrap();
    sheet.write_string(1, 2, "枸杞").unwrap();
    sheet.write_number(1, 3, 6).unwrap();
    sheet.write_formula(1, 4, rust_xlsxwriter::Formula::new("=1000*12").set_result("12000")).unwrap();
    sheet.write_string(1, 5, "转让、许可").unwrap();
    sheet.write_string(2, 0, "滩羊选育").unwrap();
    sheet.write_string(2, 1, "滩羊品种选育").unwrap();
    sheet.write_string(2, 2, "滩羊").unwrap();
    let body = workbook.save_to_buffer().unwrap();
    let job = import(&app, &uni, "kind=supply", XLSX, &body).await;
    assert_eq!(job["status"], "succeeded", "{job} {:?}", report(&app, &uni, &job).await);
    assert_eq!(job["counts"]["imported"], 2);
    let listed = app.get(&format!("/api/v1/supplies?organization_id={}&sort=price", uni.organization_id)).await;
    let items = listed.body["items"].as_array().unwrap();
    let goji = items.iter().find(|i| i["industries"] == json!(["goji"])).unwrap();
    assert_eq!(goji["title"], "枸杞多糖提取技术", "the cached value, not the formula text");
    assert_eq!(goji["price_fen"], 1_200_000);
    assert_eq!(goji["trl"], 6);
    assert_eq!(goji["transfer_modes"], json!(["transfer", "license"]));
}

#[actix_web::test]
async fn uploads_over_the_limit_or_of_unknown_types_are_refused() {
    let app = TestApp::spawn().await;
    let uni = app.register("university", "北方民族大学").await;
    // The test servers' limit is 1 MiB.
    let big = vec![b'x'; 1024 * 1024 + 10];
    upload(&app, &uni, "kind=supply", "text/csv", &big).await.assert_problem(413, "payload_too_large");
    upload(&app, &uni, "kind=supply", "text/plain", b"title\nx\n").await.assert_problem(415, "unsupported_media_type");
    upload(&app, &uni, "kind=nothing", "text/csv", b"title\nx\n").await.assert_problem(400, "invalid_query");
    app.raw("POST", "/api/v1/exchange/imports?kind=supply", Some("text/csv"), b"title\nx\n")
        .await
        .assert_problem(401, "authentication_required");
    // A file that is not what it says fails as a whole, with the reason.
    let job = import(&app, &uni, "kind=supply", XLSX, b"not a workbook").await;
    assert_eq!(job["status"], "failed");
    assert!(job["failure"].as_str().unwrap().contains("xlsx"), "{job}");
    let job = import(&app, &uni, "kind=supply", "text/csv", b"").await;
    assert_eq!((job["status"].clone(), job["failure"].clone()), (json!("failed"), json!("the file is empty")));
}

#[actix_web::test]
async fn exact_duplicates_are_skipped_and_near_duplicates_listed() {
    let app = TestApp::spawn().await;
    let uni = app.register("university", "宁夏大学").await;
    let existing = app
        .create_supply(
            &uni,
            json!({"title": "枸杞多糖高效提取技术", "summary": "高效提取枸杞多糖", "industries": ["goji"]}),
        )
        .await;
    assert_eq!(existing.status, StatusCode::CREATED, "{}", existing.body);
    let existing_id = existing.body["id"].as_str().unwrap().to_string();
    let body = jsonl(&[
        line("枸杞多糖 高效提取技术", &["枸杞"]),
        line("ＡＢＣ 光伏组件清洗机器人", &["清洁能源"]),
        line("abc光伏组件清洗机器人", &["清洁能源"]),
        line("枸杞多糖高效提取新技术", &["枸杞"]),
        line("滩羊肉品质提升", &["滩羊"]),
    ]);
    let job = import(&app, &uni, "kind=supply", "application/x-ndjson", &body).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["counts"], json!({"imported": 3, "duplicates": 2, "near_duplicates": 1, "invalid_rows": 0}));
    let near = &job["near_duplicates"][0];
    assert_eq!(near["row"], 4);
    assert_eq!(near["listing_id"], existing_id.as_str());
    assert!(near["similarity"].as_f64().unwrap() >= 0.8, "{near}");
    let lines = report(&app, &uni, &job).await;
    let dups: Vec<_> = lines.iter().filter(|l| l["code"] == "duplicate").collect();
    assert_eq!(dups.len(), 2);
    assert_eq!(dups[0]["row"], 1, "full-width and white space folded");
    assert_eq!(dups[0]["listing_id"], existing_id.as_str());
    assert_eq!(dups[1]["row"], 3, "an earlier row of the same file");
    assert_eq!(dups[1]["listing_id"], Value::Null);
    let only_near = app
        .get_as(
            uni.bearer(),
            &format!("/api/v1/exchange/imports/{}/report?code=near_duplicate", job["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(only_near.body["total"], 1);
    assert_eq!(count(&app, &format!("/api/v1/supplies?organization_id={}", uni.organization_id)).await, 4);
}

#[actix_web::test]
async fn an_admin_imports_for_other_organisations_and_an_enterprise_may_not() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let uni = app.register("university", "宁夏理工学院").await;
    let ent = app.register("enterprise", "宁夏某新材料公司").await;
    let csv = "title,summary,industries,organization,org_kind\n\
        稀有金属材料制备,钽铌材料制备工艺,新型材料,宁夏理工学院,\n\
        新建单位的成果,由导入创建的单位,新型材料,新建的研究所,research_institute\n\
        无名单位的成果,找不到单位,新型材料,不存在的单位,\n";
    let job = import(&app, &admin, "kind=supply&mode=valid_rows_only", "text/csv", csv.as_bytes()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["organization_id"], Value::Null);
    assert_eq!(job["counts"]["imported"], 2);
    let lines = report(&app, &admin, &job).await;
    assert_eq!((lines[0]["row"].clone(), lines[0]["code"].clone()), (json!(4), json!("unknown_organization")));
    assert_eq!(count(&app, &format!("/api/v1/supplies?organization_id={}", uni.organization_id)).await, 1);
    // A job whose rows name their organisations is the uploader's (and admins') to read.
    let job_path = format!("/api/v1/exchange/imports/{}", job["id"].as_str().unwrap());
    app.get_as(uni.bearer(), &job_path).await.assert_problem(404, "not_found");
    // An admin names the organisation for the whole file.
    let job = import(
        &app,
        &admin,
        &format!("kind=supply&organization_id={}", uni.organization_id),
        "application/x-ndjson",
        &jsonl(&[line("第二项成果", &["新型材料"])]),
    )
    .await;
    assert_eq!(job["counts"]["imported"], 1, "{job}");
    assert_eq!(count(&app, &format!("/api/v1/supplies?organization_id={}", uni.organization_id)).await, 2);
    // The organisation imported for reads that job.
    let job_path = format!("/api/v1/exchange/imports/{}", job["id"].as_str().unwrap());
    assert_eq!(app.get_as(uni.bearer(), &job_path).await.status, StatusCode::OK);

    // An enterprise may not import for another organisation, neither for the file nor by row.
    upload(&app, &ent, &format!("kind=supply&organization_id={}", uni.organization_id), "text/csv", b"title\nx\n")
        .await
        .assert_problem(403, "forbidden");
    let csv = "title,summary,industries,organization\n\
        冒名成果,写成别人的,新型材料,宁夏理工学院\n\
        自己的成果,自己的,新型材料,宁夏某新材料公司\n";
    let job = import(&app, &ent, "kind=supply&mode=valid_rows_only", "text/csv", csv.as_bytes()).await;
    assert_eq!(job["counts"]["imported"], 1, "{job}");
    let lines = report(&app, &ent, &job).await;
    assert_eq!((lines[0]["row"].clone(), lines[0]["code"].clone()), (json!(2), json!("organization_not_allowed")));
    assert_eq!(count(&app, &format!("/api/v1/supplies?organization_id={}", uni.organization_id)).await, 2);
    // A university does not post demands.
    upload(&app, &uni, "kind=demand", "text/csv", b"title\nx\n").await.assert_problem(403, "forbidden");
}

#[actix_web::test]
async fn exports_in_csv_with_chinese_headers_and_in_xlsx() {
    let app = TestApp::spawn().await;
    let uni = app.register("university", "宁夏大学").await;
    for (title, industry) in [("枸杞多糖提取", "goji"), ("=HYPERLINK(\"http://evil\")", "wine")] {
        let r = app
            .create_supply(
                &uni,
                json!({"title": title, "summary": "简介", "industries": [industry], "price_fen": 1234567}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let draft = app.create_supply(&uni, json!({"title": "草稿成果", "summary": "简介", "status": "draft"})).await;
    assert_eq!(draft.status, StatusCode::CREATED);

    let (status, media, body) = bytes(&app, None, "/api/v1/exchange/supplies?format=csv&headers=zh").await;
    assert_eq!(status, StatusCode::OK);
    assert!(media.starts_with("text/csv"), "{media}");
    assert!(body.starts_with("\u{feff}".as_bytes()), "UTF-8 with a BOM");
    let text = String::from_utf8(body).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.contains("名称") && header.contains("国民经济行业分类") && header.contains("价格（元）"),
        "{header}"
    );
    assert_eq!(text.lines().count(), 3, "public listings only: {text}");
    assert!(text.contains("A0171") && text.contains("C1515"), "GB/T 4754 codes: {text}");
    assert!(text.contains("12345.67"));
    assert!(text.contains("'=HYPERLINK"), "formulas made inert: {text}");
    assert!(!text.contains("草稿成果"));
    // The owner exports its drafts; anyone else cannot.
    let (_, _, own) = bytes(&app, Some(&uni), "/api/v1/exchange/supplies?status=draft").await;
    assert!(String::from_utf8(own).unwrap().contains("草稿成果"));
    let (status, _, _) = bytes(&app, None, "/api/v1/exchange/supplies?status=draft").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = bytes(&app, None, "/api/v1/exchange/supplies?per_page=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = bytes(&app, None, "/api/v1/exchange/supplies?format=pdf").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = bytes(&app, None, "/api/v1/exchange/supplies?industry=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, media, body) = bytes(&app, None, "/api/v1/exchange/supplies?format=xlsx&industry=goji").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(media, XLSX);
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(body)).unwrap();
    let range = workbook.worksheet_range("listings").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 2, "the header and the filtered supply: {rows:?}");
    assert_eq!(rows[0][1], "title");
    assert_eq!(rows[1][1], "枸杞多糖提取");
    assert_eq!(rows[1][5], "A0171");

    let (status, _, body) = bytes(&app, None, "/api/v1/exchange/demands?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("description"));
    let audit = app.get_as(admin_token(&app).await.bearer(), "/api/v1/audit-log?action=listings_exported").await;
    assert!(audit.body["total"].as_i64().unwrap() >= 4, "{}", audit.body);
}

async fn admin_token(app: &TestApp) -> Session {
    app.admin().await
}

#[actix_web::test]
async fn a_jsonl_export_imports_back_as_exact_duplicates() {
    let app = TestApp::spawn().await;
    let ent = app.register("enterprise", "宁夏某葡萄酒庄").await;
    for title in ["葡萄酒酿造工艺改进", "酒庄智能灌溉", "葡萄酒品质检测"] {
        let r = app
            .create_demand(
                &ent,
                json!({"title": title, "description": "需求描述", "industries": ["wine"], "budget_fen": 100000}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let (status, media, body) =
        bytes(&app, None, &format!("/api/v1/exchange/demands?format=jsonl&organization_id={}", ent.organization_id))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(media, "application/x-ndjson");
    let first: Value = serde_json::from_slice(body.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["organization"], "宁夏某葡萄酒庄");
    assert_eq!(first["industries_gbt4754"], json!(["C1515", "A0152"]));
    assert_eq!(first["budget_yuan"], "1000.00");
    let job = import(&app, &ent, "kind=demand", "application/x-ndjson", &body).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["counts"], json!({"imported": 0, "duplicates": 3, "near_duplicates": 0, "invalid_rows": 0}));
}

/// The benchmark of issue 17: 10,000 rows (the real listings, repeated with numbered titles)
/// imported by an admin into a database holding the real listings. Run with
/// `scripts/test.sh exchange::import_of_10000_rows --run-ignored only --no-capture`.
#[actix_web::test]
#[ignore = "benchmark: scripts/test.sh exchange::import_of_10000_rows --run-ignored only --no-capture"]
async fn import_of_10000_rows() {
    let db = crate::common::TestDb::new();
    db.import_real_listings();
    let mut config = crate::common::serve_config(&db.url);
    config.import_max_bytes = 64 * 1024 * 1024;
    config.database.db_statement_timeout_ms = 60_000;
    let app = TestApp::spawn_with(db, config).await;
    let admin = app.admin().await;
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/listings/supplies.jsonl")).unwrap();
    let base: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut lines = Vec::new();
    for i in 0..10_000 {
        let mut row = base[i % base.len()].clone();
        let round = i / base.len();
        // Round 0 repeats the stored listings (exact duplicates); later rounds add a number.
        if round > 0 {
            row["title"] = json!(format!("{}（第{}批）", row["title"].as_str().unwrap(), round));
            row["source_url"] = Value::Null;
        }
        lines.push(row.to_string());
    }
    let body = jsonl(&lines);
    let started = Instant::now();
    let job = import(&app, &admin, "kind=supply&mode=valid_rows_only", "application/x-ndjson", &body).await;
    let elapsed = started.elapsed();
    println!(
        "BENCH import 10000 rows ({} bytes): {:.1} s; status {}; counts {}",
        body.len(),
        elapsed.as_secs_f64(),
        job["status"],
        job["counts"]
    );
    assert_eq!(job["status"], "succeeded");
    assert_eq!(job["progress"]["rows_total"], 10_000);
}

#[actix_web::test]
async fn jobs_uploaded_to_two_instances_run_once_each() {
    let a = TestApp::spawn().await;
    let b = TestApp::spawn_on(a.db.shared()).await;
    let uni = a.register("university", "宁夏大学").await;
    let mut ids = Vec::new();
    for (n, app) in [&a, &b, &a, &b].iter().enumerate() {
        let lines: Vec<String> = (0..20).map(|i| line(&format!("第{n}批第{i}项成果"), &["枸杞"])).collect();
        let reply = upload(app, &uni, "kind=supply", "application/x-ndjson", &jsonl(&lines)).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        ids.push(reply.body["id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        let job = finished(&b, &uni, id).await;
        assert_eq!(job["counts"]["imported"], 20, "{job}");
    }
    assert_eq!(count(&a, &format!("/api/v1/supplies?organization_id={}", uni.organization_id)).await, 80);
    let audit = a.get_as(uni.bearer(), "/api/v1/audit-log?action=listings_imported").await;
    assert_eq!(audit.body["total"], 4, "each job ended once: {}", audit.body);
}

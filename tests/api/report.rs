//! The department's report: value views (技术交易额, 到账) by group, the funnel to paid, and the
//! .xlsx workbook read back with calamine.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::json;

use crate::common::{Session, TestApp};
use crate::contracts::{confirm, negotiating, propose, signed, terms};

/// Two counted contracts (one registered and half paid), one waiting for review; all signed
/// 2026-11-20.
async fn fixture(app: &TestApp, admin: &Session) {
    let a = signed(app, admin, 10_000_000, 8_000_000).await;
    let base = format!("/api/v1/connections/{}/contract", a.connection);
    let reg = json!({"registration_no": "2026640100000123", "registered_on": "2026-11-25"});
    assert_eq!(app.post_as(a.institute.bearer(), &format!("{base}/registration"), &reg).await.status, 200);
    let receipt = json!({"received_on": "2026-11-28", "received_fen": 5_000_000, "evidence_ref": "回单 1"});
    let paid = app.post_as(a.institute.bearer(), &format!("{base}/payments"), &receipt).await;
    let confirm_path = format!("{base}/payments/{}/confirm", paid.body["id"].as_str().unwrap());
    assert_eq!(app.post_as(a.enterprise.bearer(), &confirm_path, &json!({})).await.status, 200);
    signed(app, admin, 4_000_000, 2_000_000).await;
    let unverified = negotiating(app, None).await;
    let v = propose(app, &unverified.enterprise, &unverified.connection, &terms(99_000_000, 99_000_000)).await.body
        ["version"]
        .clone();
    assert_eq!(confirm(app, &unverified.institute, &unverified.connection, &v).await.status, 200);
}

#[actix_web::test]
async fn value_views_group_contracts_and_receipts_and_the_funnel_reaches_paid() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    fixture(&app, &admin).await;
    let member = app.register("enterprise", "企业").await;
    app.get_as(member.bearer(), "/api/v1/stats/value").await.assert_problem(403, "forbidden");
    let v = app.get_as(admin.bearer(), "/api/v1/stats/value?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(v.status, 200, "{}", v.body);
    let row = |count: i64, amount: i64, technical: i64, received: i64| json!({"count": count, "amount_fen": amount, "technical_fen": technical, "received_fen": received});
    let mut total = row(2, 14_000_000, 10_000_000, 5_000_000);
    total["key"] = json!(null);
    assert_eq!(v.body["total"], total);
    let mut goji = row(2, 14_000_000, 10_000_000, 5_000_000);
    goji["key"] = json!("goji");
    assert_eq!(v.body["by_industry"], json!([goji]), "each contract once per industry");
    assert_eq!(v.body["by_period"][0]["key"], "2026-11-01");
    assert_eq!(v.body["by_seller_kind"][0]["key"], "research_institute");
    assert_eq!(v.body["by_buyer_kind"][0]["key"], "enterprise");
    assert_eq!(v.body["by_seller_region"][0]["key"], "宁夏");
    assert_eq!(v.body["by_agency"][0]["key"], json!(null), "no broker on these");
    // Opened 3 connections (all now, inside no November window: the funnel is by opening day).
    let f = app.get_as(admin.bearer(), "/api/v1/stats/value").await.body["funnel"].clone();
    assert_eq!(
        f,
        json!({"connections": 3, "from_match": f["from_match"], "contracts": 3, "counted": 2, "registered": 1, "paid": 1})
    );
    // Receipts count in the period they arrive: December has the receipt of none.
    let dec = app.get_as(admin.bearer(), "/api/v1/stats/value?from=2026-11-26&to=2026-12-31").await;
    let mut late = row(0, 0, 0, 5_000_000);
    late["key"] = json!(null);
    assert_eq!(dec.body["total"], late);
    app.get_as(admin.bearer(), "/api/v1/stats/value?period=week").await.assert_problem(400, "invalid_query");
}

async fn download(app: &TestApp, token: &str, path: &str) -> (u16, Option<String>, Vec<u8>) {
    let client = awc::Client::default();
    let mut res = client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = res.body().limit(16 * 1024 * 1024).await.unwrap().to_vec();
    (res.status().as_u16(), content_type, body)
}

#[actix_web::test]
async fn the_xlsx_report_reads_back_with_chinese_headers_figures_and_three_charts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    fixture(&app, &admin).await;
    let member = app.register("enterprise", "企业").await;
    let (status, _, _) = download(&app, &member.token, "/api/v1/stats/report.xlsx").await;
    assert_eq!(status, 403);
    // A period wide enough that the funnel (by the day connections were opened: now) covers them.
    let (status, content_type, bytes) =
        download(&app, &admin.token, "/api/v1/stats/report.xlsx?from=2026-01-01&to=2099-12-31").await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    if let Ok(dir) = std::env::var("TECHMATCH_REPORT_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("techmatch-report.xlsx"), &bytes).unwrap();
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["概要", "按月", "按产业", "其他分组"]);
    let summary = book.worksheet_range("概要").unwrap();
    let cell = |r: &calamine::Range<Data>, row: u32, col: u32| r.get_value((row, col)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(&summary, 0, 0), Data::String("技术合同与到账统计报告（2026-01-01 至 2099-12-31）".into()));
    assert_eq!(cell(&summary, 3, 0), Data::String("指标".into()));
    assert_eq!(cell(&summary, 4, 0), Data::String("合同数（项）".into()));
    assert_eq!(cell(&summary, 4, 1), Data::Float(2.0));
    assert_eq!(cell(&summary, 5, 1), Data::Float(14.0), "合同金额 in 万元");
    assert_eq!(cell(&summary, 6, 1), Data::Float(10.0), "技术交易额 in 万元");
    assert_eq!(cell(&summary, 7, 1), Data::Float(5.0), "到账 in 万元");
    assert_eq!(cell(&summary, 10, 0), Data::String("对接".into()));
    assert_eq!(cell(&summary, 15, 0), Data::String("已到账".into()));
    assert_eq!(cell(&summary, 15, 1), Data::Float(1.0));
    let monthly = book.worksheet_range("按月").unwrap();
    assert_eq!(cell(&monthly, 0, 2), Data::String("合同金额（万元）".into()));
    assert_eq!((cell(&monthly, 1, 0), cell(&monthly, 1, 2)), (Data::String("2026-11".into()), Data::Float(14.0)));
    let industry = book.worksheet_range("按产业").unwrap();
    assert_eq!((cell(&industry, 1, 0), cell(&industry, 1, 1)), (Data::String("枸杞".into()), Data::Float(2.0)));
    let groups = book.worksheet_range("其他分组").unwrap();
    assert_eq!(cell(&groups, 0, 0), Data::String("卖方地区".into()));
    assert_eq!(cell(&groups, 1, 0), Data::String("宁夏".into()));
    // Three native charts: their parts are named in the zip's directory.
    for part in ["xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"] {
        assert!(bytes.windows(part.len()).any(|w| w == part.as_bytes()), "{part} missing");
    }
}

//! Delivery of notifications (issue 13): the inbox over HTTP, e-mail to a real SMTP server on
//! loopback (`techmatch mailsink`, a child process writing .eml files), webhooks to a real HTTP
//! receiver on loopback (an actix-web server in the test), the SSRF refusals, retries and
//! disabling by the clock, and two `techmatch serve` processes sharing the work while one is killed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use chrono::{Duration, TimeZone, Utc};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use techmatch::clock::Clock;
use techmatch::config::SmtpTls;

use crate::common::{self, Reply, Session, TestApp, TestDb};

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn scalar(db: &TestDb, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<N>(&mut db.connect()).unwrap().n
}

async fn eventually(what: &str, within: StdDuration, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < within, "{what} did not happen within {within:?}");
        actix_web::rt::time::sleep(StdDuration::from_millis(20)).await;
    }
}

fn demand(title: &str) -> Value {
    json!({"title": title, "description": "需要枸杞鲜果低损采收装备，日处理 20 吨", "keywords": ["枸杞采收"],
           "industries": ["goji"]})
}

/// An unverified enterprise's demand, reviewed by an admin with `decision`: a `listing_reviewed`
/// notification for the enterprise. Returns the demand's id.
async fn reviewed_demand(app: &TestApp, owner: &Session, title: &str, decision: Value) -> String {
    let admin = app.admin().await;
    let created = app.create_demand(owner, demand(title)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["status"], "pending_review");
    let id = created.body["id"].as_str().unwrap().to_string();
    let reviewed = app.post_as(admin.bearer(), &format!("/api/v1/demands/{id}/review"), &decision).await;
    assert_eq!(reviewed.status, 200, "{}", reviewed.body);
    id
}

/// The inbox as a client that sends no `Accept-Language` (the harness's default client asks
/// for English), so a reader without a setting gets the default, Chinese.
async fn inbox(app: &TestApp, who: &Session, query: &str) -> Reply {
    let req = awc::Client::default()
        .get(app.url(&format!("/api/v1/notifications{query}")))
        .insert_header((actix_web::http::header::AUTHORIZATION, format!("Bearer {}", who.token)));
    let reply = app.send(req, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply
}

async fn inbox_total(app: &TestApp, who: &Session) -> u64 {
    inbox(app, who, "").await.body["total"].as_u64().unwrap()
}

async fn until_inbox_has(app: &TestApp, who: &Session, n: u64) {
    let started = Instant::now();
    while inbox_total(app, who).await < n {
        assert!(started.elapsed() < StdDuration::from_secs(20), "the inbox did not receive {n} notifications");
        actix_web::rt::time::sleep(StdDuration::from_millis(30)).await;
    }
}

/// Before: a review decision was queued in the outbox and nobody could read it. Now the fan-out
/// puts it in the inbox of every member of the organisation, in the reader's language, with an
/// unread count, filters and "mark read".
#[actix_web::test]
async fn a_review_decision_reaches_every_members_inbox_in_their_language() {
    let app = TestApp::spawn().await;
    let owner = app.register_unverified("enterprise", "收件企业").await;
    let outsider = app.register("enterprise", "旁观企业").await;
    // A second member of the organisation, through an invitation.
    let invited = app
        .post_as(
            owner.bearer(),
            &format!("/api/v1/organizations/{}/invitations", owner.organization_id),
            &json!({"email": "colleague@example.com"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let accepted = app
        .post(
            "/api/v1/invitations/accept",
            &json!({"token": app.mailed_token("colleague@example.com", "invitation"),
                    "password": "a-Long-passphrase-2026", "display_name": "同事"}),
        )
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    let colleague = app.login("colleague@example.com", "a-Long-passphrase-2026").await;

    let d = reviewed_demand(
        &app,
        &owner,
        "枸杞鲜果机械化采收",
        json!({"decision": "request_changes", "reason": "incomplete", "note": "请补充预算"}),
    )
    .await;
    until_inbox_has(&app, &owner, 1).await;
    until_inbox_has(&app, &colleague, 1).await;
    assert_eq!(inbox_total(&app, &outsider).await, 0, "another organisation sees nothing");

    let page = inbox(&app, &owner, "").await;
    let item = &page.body["items"][0];
    assert_eq!(item["kind"], "listing_reviewed");
    assert_eq!(item["subject_kind"], "demand");
    assert_eq!(item["subject_id"], d.as_str());
    assert!(item["title"].as_str().unwrap().contains("枸杞鲜果机械化采收"), "{item}");
    assert!(
        item["body"].as_str().unwrap().contains("需要修改") && item["body"].as_str().unwrap().contains("请补充预算")
    );
    assert!(item["read_at"].is_null());
    assert_eq!(page.body["page"], 1);

    // English by Accept-Language, unless the reader chose a language.
    let req = awc::Client::new()
        .get(app.url("/api/v1/notifications"))
        .insert_header(("Authorization", format!("Bearer {}", owner.token)))
        .insert_header(("Accept-Language", "en-US,en;q=0.9"));
    let english = app.send(req, None).await;
    assert!(english.body["items"][0]["body"].as_str().unwrap().contains("needs changes"), "{}", english.body);
    let set = app.patch_as(owner.bearer(), "/api/v1/notification-preferences", &json!({"language": "zh"}), None).await;
    assert_eq!(set.status, 200, "{}", set.body);
    let req = awc::Client::new()
        .get(app.url("/api/v1/notifications"))
        .insert_header(("Authorization", format!("Bearer {}", owner.token)))
        .insert_header(("Accept-Language", "en"));
    assert!(app.send(req, None).await.body["items"][0]["body"].as_str().unwrap().contains("需要修改"));

    // Unread count, filters, mark read (own only), mark all read.
    let count = app.get_as(owner.bearer(), "/api/v1/notifications/unread-count").await;
    assert_eq!(count.body, json!({"unread": 1}));
    assert_eq!(inbox(&app, &owner, "?kind=listing_expired").await.body["total"], 0);
    assert_eq!(inbox(&app, &owner, "?kind=listing_reviewed,listing_expired&unread=true").await.body["total"], 1);
    app.get_as(owner.bearer(), "/api/v1/notifications?kind=nonsense").await.assert_problem(400, "invalid_query");
    app.get_as(owner.bearer(), "/api/v1/notifications?per_page=101").await.assert_problem(400, "invalid_query");
    app.get_as(None, "/api/v1/notifications").await.assert_problem(401, "authentication_required");
    let id = item["id"].as_i64().unwrap();
    app.post_as(outsider.bearer(), &format!("/api/v1/notifications/{id}/read"), &json!({}))
        .await
        .assert_problem(404, "not_found");
    let read = app.post_as(owner.bearer(), &format!("/api/v1/notifications/{id}/read"), &json!({})).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert!(read.body["read_at"].is_string());
    assert_eq!(inbox(&app, &owner, "?unread=true").await.body["total"], 0);
    assert_eq!(app.get_as(colleague.bearer(), "/api/v1/notifications/unread-count").await.body["unread"], 1);
    let all = app.post_as(colleague.bearer(), "/api/v1/notifications/read-all", &json!({})).await;
    assert_eq!(all.body, json!({"marked": 1}));
    assert_eq!(app.get_as(colleague.bearer(), "/api/v1/notifications/unread-count").await.body["unread"], 0);

    // Delivered once: one inbox row per member, the outbox row marked.
    assert_eq!(scalar(&app.db, &format!("SELECT count(*) AS n FROM notifications WHERE subject_id = '{d}'")), 2);
    assert_eq!(
        scalar(&app.db, "SELECT count(*) AS n FROM notification_outbox WHERE delivered_at IS NULL"),
        0,
        "every outbox row is delivered"
    );
}

#[actix_web::test]
async fn preferences_default_to_instant_mail_and_can_be_changed() {
    let app = TestApp::spawn().await;
    let user = app.register("enterprise", "偏好企业").await;
    let got = app.get_as(user.bearer(), "/api/v1/notification-preferences").await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(got.body["language"].is_null());
    let kinds = got.body["kinds"].as_array().unwrap();
    assert!(kinds.iter().any(|k| k["kind"] == "listing_reviewed" && k["email"] == "instant"), "{}", got.body);
    assert!(kinds.iter().any(|k| k["kind"] == "webhook_disabled"));

    let set = app
        .patch_as(
            user.bearer(),
            "/api/v1/notification-preferences",
            &json!({"language": "en", "kinds": [{"kind": "listing_expiring", "email": "weekly"},
                                                 {"kind": "listing_reviewed", "email": "off"}]}),
            None,
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.body["language"], "en");
    let find = |body: &Value, kind: &str| {
        body["kinds"].as_array().unwrap().iter().find(|k| k["kind"] == kind).unwrap()["email"].clone()
    };
    assert_eq!(find(&set.body, "listing_expiring"), "weekly");
    assert_eq!(find(&set.body, "listing_reviewed"), "off");
    assert_eq!(find(&set.body, "listing_expired"), "instant");
    let again = app.get_as(user.bearer(), "/api/v1/notification-preferences").await;
    assert_eq!(again.body, set.body);

    let twice = app
        .patch_as(
            user.bearer(),
            "/api/v1/notification-preferences",
            &json!({"kinds": [{"kind": "listing_expired", "email": "daily"}, {"kind": "listing_expired", "email": "off"}]}),
            None,
        )
        .await;
    twice.assert_problem(422, "validation_failed");
    assert_eq!(twice.body["errors"][0]["field"], "kinds.1");
    app.patch_as(
        user.bearer(),
        "/api/v1/notification-preferences",
        &json!({"kinds": [{"kind": "x", "email": "off"}]}),
        None,
    )
    .await
    .assert_problem(400, "invalid_body");
    app.patch_as(user.bearer(), "/api/v1/notification-preferences", &json!({"email": "off"}), None)
        .await
        .assert_problem(400, "invalid_body");
    app.patch_as(user.bearer(), "/api/v1/notification-preferences", &json!([null, null]), None)
        .await
        .assert_problem(400, "invalid_body");
    assert_eq!(app.get_as(user.bearer(), "/api/v1/notifications?kind=").await.status, 200);
}

/// The local SMTP server `techmatch mailsink`, as a child process on a free loopback port.
pub struct MailSink {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl MailSink {
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("techmatch-mail-{}", uuid::Uuid::new_v4().simple()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_techmatch"))
            .args(["mailsink", "--bind", "127.0.0.1:0", "--dir"])
            .arg(&dir)
            .env("TECHMATCH_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the mail sink starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = loop {
            let line = lines.next().expect("the mail sink logs").unwrap();
            if line.contains("mail sink listening") {
                let entry: Value = serde_json::from_str(&line).unwrap();
                break entry["port"].as_u64().unwrap() as u16;
            }
        };
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
        Self { child, port, dir }
    }

    /// Every mail received so far but the verification links that each registration mails
    /// (which most tests here do not look at); [`MailSink::all_mails`] has them too.
    pub fn mails(&self) -> Vec<Mail> {
        self.all_mails().into_iter().filter(|m| !m.message_id.starts_with("<email-verification-")).collect()
    }

    /// Every mail received so far.
    pub fn all_mails(&self) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut mails: Vec<Mail> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .map(|e| Mail::parse(&std::fs::read_to_string(e.path()).unwrap()))
            .collect();
        mails.sort_by(|a, b| a.message_id.cmp(&b.message_id));
        mails
    }

    /// A server configuration that sends its mail here.
    pub fn configure(&self, config: &mut techmatch::config::ServeConfig) {
        config.delivery.smtp_host = Some("127.0.0.1".into());
        config.delivery.smtp_port = self.port;
        config.delivery.smtp_tls = SmtpTls::None;
        config.delivery.mail_from = "科技成果供需对接平台 <noreply@techmatch.test>".into();
        config.delivery.public_url = "https://techmatch.example".into();
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A test server that mails to `sink`, its lifecycle clock at `now` and moved by the test.
pub async fn mailing_app(sink: &MailSink, now: chrono::DateTime<Utc>) -> (TestApp, Clock) {
    let db = TestDb::new();
    let clock = Clock::manual(now);
    let mut config = common::serve_config(&db.url);
    config.clock = clock.clone();
    sink.configure(&mut config);
    (TestApp::spawn_with(db, config).await, clock)
}

/// A received mail: headers decoded, body as sent.
#[derive(Debug, Clone)]
pub struct Mail {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

fn decode_words(value: &str) -> String {
    // RFC 2047 B-encoded words as lettre writes them (=?utf-8?b?...?=), possibly several.
    value
        .split_whitespace()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
                let bytes = base64::engine::general_purpose::STANDARD.decode(&word[10..word.len() - 2]).unwrap();
                String::from_utf8(bytes).unwrap()
            } else {
                format!("{word} ")
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

impl Mail {
    /// The token after `token: ` in the body (verification, reset and invitation mails).
    pub fn token(&self) -> String {
        let after = self.body.split("token: ").nth(1).unwrap_or_else(|| panic!("no token in {self:?}"));
        after.split_whitespace().next().unwrap().to_string()
    }

    fn parse(text: &str) -> Self {
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        let mut last = String::new();
        for line in head.split("\r\n") {
            if line.starts_with(' ') || line.starts_with('\t') {
                headers.entry(last.clone()).and_modify(|v| v.push_str(line));
            } else if let Some((name, value)) = line.split_once(':') {
                last = name.to_ascii_lowercase();
                headers.insert(last.clone(), value.trim().to_string());
            }
        }
        Mail {
            message_id: headers.get("message-id").cloned().unwrap_or_default(),
            to: headers.get("to").cloned().unwrap_or_default(),
            subject: decode_words(headers.get("subject").map(String::as_str).unwrap_or_default()),
            body: body.replace("\r\n", "\n"),
        }
    }
}

/// Before: nobody was told by e-mail. Now an instant notification is mailed over SMTP to each
/// member, in their language, with a Message-ID naming the outbox row and the user; `off` mails
/// nothing, and a daily digest waits for the next day (China time) by the clock.
#[actix_web::test]
async fn notifications_are_mailed_over_smtp_instant_or_as_a_digest() {
    let sink = MailSink::start();
    let (app, clock) = mailing_app(&sink, Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap()).await; // 10:00 in China
    let owner = app.register_unverified("enterprise", "邮件企业").await;

    reviewed_demand(&app, &owner, "枸杞烘干设备", json!({"decision": "approve"})).await;
    eventually("the mail arrives", StdDuration::from_secs(20), || sink.mails().len() == 1).await;
    let mail = &sink.mails()[0];
    assert_eq!(mail.to, owner.email);
    let outbox_id = scalar(&app.db, "SELECT max(id) AS n FROM notification_outbox");
    let user = uuid::Uuid::parse_str(&owner.user_id).unwrap().simple().to_string();
    assert_eq!(mail.message_id, format!("<notification-{outbox_id}-{user}@techmatch>"));
    assert!(mail.subject.contains("审核结果") && mail.subject.contains("枸杞烘干设备"), "{mail:?}");
    assert!(mail.body.contains("审核通过，已上架"), "{mail:?}");
    assert!(mail.body.contains("https://techmatch.example/api/v1/demands/"), "{mail:?}");

    // Off: the inbox only. Daily: nothing until the next day in China, then one digest.
    let set = app
        .patch_as(
            owner.bearer(),
            "/api/v1/notification-preferences",
            &json!({"language": "en", "kinds": [{"kind": "listing_reviewed", "email": "daily"}]}),
            None,
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    reviewed_demand(&app, &owner, "Goji dryer", json!({"decision": "reject", "reason": "duplicate"})).await;
    reviewed_demand(&app, &owner, "Goji sorter", json!({"decision": "approve"})).await;
    until_inbox_has(&app, &owner, 3).await;
    actix_web::rt::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(sink.mails().len(), 1, "a daily digest waits for the day to end");
    clock.advance(Duration::hours(14)); // 00:00 the next day in China
    eventually("the digest arrives", StdDuration::from_secs(20), || sink.mails().len() == 2).await;
    let digest = sink.mails().into_iter().find(|m| m.message_id.starts_with("<digest-daily-")).unwrap();
    assert_eq!(digest.subject, "Daily digest: 2 notifications", "{digest:?}");
    assert!(digest.body.contains("Goji dryer") && digest.body.contains("was rejected"), "{digest:?}");
    assert!(digest.body.contains("Goji sorter") && digest.body.contains("was approved"), "{digest:?}");
    assert!(digest.message_id.ends_with("-20261203@techmatch>"), "{digest:?}");
    clock.advance(Duration::hours(1));
    actix_web::rt::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(sink.mails().len(), 2, "a digest is sent once");

    app.patch_as(
        owner.bearer(),
        "/api/v1/notification-preferences",
        &json!({"kinds": [{"kind": "listing_reviewed", "email": "off"}]}),
        None,
    )
    .await;
    reviewed_demand(&app, &owner, "Goji press", json!({"decision": "approve"})).await;
    until_inbox_has(&app, &owner, 4).await;
    clock.advance(Duration::days(8));
    actix_web::rt::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(sink.mails().len(), 2, "off mails nothing");
    assert_eq!(
        scalar(
            &app.db,
            "SELECT count(*) AS n FROM email_outbox WHERE sent_at IS NOT NULL \
             AND message_id NOT LIKE '<email-verification-%'"
        ),
        2,
        "each queued mail is marked sent"
    );
}

/// What the test receiver got: one request.
#[derive(Debug, Clone)]
pub struct Received {
    pub delivery: String,
    pub event: String,
    pub signature: String,
    pub body: String,
}

/// What the receiver shares with its handler: what it got, and the status it answers.
type ReceiverState = (Arc<Mutex<Vec<Received>>>, Arc<AtomicU16>);

/// A real HTTP server on loopback that records every request and answers `status`.
pub struct Receiver {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Received>>>,
    pub status: Arc<AtomicU16>,
}

async fn receive(req: HttpRequest, body: web::Bytes, data: web::Data<ReceiverState>) -> HttpResponse {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    data.0.lock().unwrap().push(Received {
        delivery: header("X-Techmatch-Delivery"),
        event: header("X-Techmatch-Event"),
        signature: header("X-Techmatch-Signature"),
        body: String::from_utf8(body.to_vec()).unwrap(),
    });
    let status = data.1.load(Ordering::SeqCst);
    let mut reply = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    if (300..400).contains(&status) {
        reply.insert_header(("Location", "/elsewhere"));
    }
    reply.finish()
}

impl Receiver {
    pub fn start() -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let data = web::Data::new((seen.clone(), status.clone()));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(receive)))
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
        actix_web::rt::spawn(server);
        Self { url: format!("http://127.0.0.1:{port}/hooks/techmatch"), seen, status }
    }

    pub fn received(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }
}

/// Checks a delivery's signature as a receiver would: HMAC-SHA256(secret, t + "." + body).
fn signed_by(received: &Received, secret: &str) -> bool {
    let Some((t, v1)) = received.signature.split_once(",v1=") else { return false };
    let t = t.trim_start_matches("t=");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", received.body).as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    expected == v1
}

async fn add_webhook(app: &TestApp, owner: &Session, url: &str) -> Reply {
    app.post_as(
        owner.bearer(),
        &format!("/api/v1/organizations/{}/webhooks", owner.organization_id),
        &json!({"url": url}),
    )
    .await
}

/// Before: an organisation's systems had to poll. Now each notification is POSTed to its
/// webhook, signed with its secret, with a delivery id that stays the same on retries; the log
/// shows each attempt; only owners manage endpoints.
#[actix_web::test]
async fn a_webhook_receives_each_notification_signed_and_the_log_shows_it() {
    let receiver = Receiver::start();
    let app = TestApp::spawn().await;
    let owner = app.register_unverified("enterprise", "钩子企业").await;
    let outsider = app.register("enterprise", "别家企业").await;

    app.post_as(
        outsider.bearer(),
        &format!("/api/v1/organizations/{}/webhooks", owner.organization_id),
        &json!({"url": receiver.url}),
    )
    .await
    .assert_problem(403, "forbidden");
    let created = add_webhook(&app, &owner, &receiver.url).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let hook = created.body["id"].as_str().unwrap().to_string();
    let listed = app.get_as(owner.bearer(), &format!("/api/v1/organizations/{}/webhooks", owner.organization_id)).await;
    assert_eq!(listed.body["total"], 1);
    assert!(listed.body["items"][0].get("secret").is_none(), "the secret is shown once");

    let d = reviewed_demand(&app, &owner, "枸杞分选机", json!({"decision": "approve"})).await;
    let r = &receiver;
    eventually("the webhook is delivered", StdDuration::from_secs(20), || r.received().len() == 1).await;
    let got = &receiver.received()[0];
    assert_eq!(got.event, "listing_reviewed");
    assert!(signed_by(got, &secret), "{got:?}");
    assert!(!signed_by(got, "whsec_wrong"));
    let body: Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(body["id"], got.delivery.as_str());
    assert_eq!(body["kind"], "listing_reviewed");
    assert_eq!(body["subject"]["id"], d.as_str());
    assert_eq!(body["organization_id"], owner.organization_id.as_str());
    assert!(body["text"]["zh"]["body"].as_str().unwrap().contains("审核通过"), "{body}");
    assert!(body["text"]["en"]["body"].as_str().unwrap().contains("approved"), "{body}");

    let log_path = format!("/api/v1/organizations/{}/webhooks/{hook}/deliveries", owner.organization_id);
    let r = &app;
    let mut log = Reply { status: actix_web::http::StatusCode::OK, headers: Default::default(), body: Value::Null };
    let started = Instant::now();
    while log.body["items"][0]["status"] != "delivered" {
        assert!(started.elapsed() < StdDuration::from_secs(10), "{}", log.body);
        log = r.get_as(owner.bearer(), &log_path).await;
        actix_web::rt::time::sleep(StdDuration::from_millis(20)).await;
    }
    assert_eq!(log.body["total"], 1);
    assert_eq!(log.body["items"][0]["id"], got.delivery.as_str());
    assert_eq!(log.body["items"][0]["attempt_log"][0]["status_code"], 200);
    app.get_as(outsider.bearer(), &log_path).await.assert_problem(403, "forbidden");
    app.get_as(
        owner.bearer(),
        &format!("/api/v1/organizations/{}/webhooks/{}/deliveries", owner.organization_id, uuid::Uuid::new_v4()),
    )
    .await
    .assert_problem(404, "not_found");

    // Paused, nothing is sent; deleted, it is gone.
    let path = format!("/api/v1/organizations/{}/webhooks/{hook}", owner.organization_id);
    let paused = app.patch_as(owner.bearer(), &path, &json!({"enabled": false}), None).await;
    assert_eq!(paused.body["enabled"], false, "{}", paused.body);
    reviewed_demand(&app, &owner, "枸杞清洗机", json!({"decision": "approve"})).await;
    until_inbox_has(&app, &owner, 2).await;
    actix_web::rt::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1);
    let req =
        awc::Client::new().delete(app.url(&path)).insert_header(("Authorization", format!("Bearer {}", owner.token)));
    assert_eq!(app.send(req, None).await.status, 204);
    let listed = app.get_as(owner.bearer(), &format!("/api/v1/organizations/{}/webhooks", owner.organization_id)).await;
    assert_eq!(listed.body["total"], 0);
}

/// Private, loopback and link-local targets are refused (resolved, every address checked),
/// loopback only while the setting allows it.
#[actix_web::test]
async fn webhooks_to_private_loopback_and_link_local_addresses_are_refused() {
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.delivery.webhook_allow_loopback = false;
    let app = TestApp::spawn_with(db, config).await;
    let owner = app.register("enterprise", "安全企业").await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.20/hook",
        "http://172.20.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "ftp://example.com/hook",
        "http://user:pw@example.com/hook",
    ] {
        let refused = add_webhook(&app, &owner, url).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.body["errors"][0]["field"], "url", "{url}: {}", refused.body);
    }
    assert_eq!(scalar(&app.db, "SELECT count(*) AS n FROM webhook_endpoints"), 0);
}

/// A failing receiver is retried with exponential backoff by the clock; a redirect is not
/// followed; after N consecutive failures the endpoint is disabled and the organisation told.
#[actix_web::test]
async fn a_failing_webhook_is_retried_with_backoff_then_disabled_with_a_notification() {
    let receiver = Receiver::start();
    receiver.status.store(500, Ordering::SeqCst);
    let db = TestDb::new();
    let clock = Clock::manual(Utc::now() - Duration::days(10));
    let mut config = common::serve_config(&db.url);
    config.clock = clock.clone();
    config.delivery.webhook_max_failures = 3;
    let app = TestApp::spawn_with(db, config).await;
    let owner = app.register_unverified("enterprise", "故障企业").await;
    let created = add_webhook(&app, &owner, &receiver.url).await;
    let hook = created.body["id"].as_str().unwrap().to_string();

    reviewed_demand(&app, &owner, "枸杞粉碎机", json!({"decision": "approve"})).await;
    let r = &receiver;
    eventually("the first attempt", StdDuration::from_secs(20), || r.received().len() == 1).await;
    // Not before its backoff (30 s after the first failure).
    clock.advance(Duration::seconds(29));
    actix_web::rt::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1, "no retry before the backoff");
    // A redirect is a failure, not followed.
    receiver.status.store(302, Ordering::SeqCst);
    clock.advance(Duration::seconds(2));
    eventually("the second attempt", StdDuration::from_secs(20), || r.received().len() == 2).await;
    actix_web::rt::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 2, "the redirect was not followed");
    let ids: BTreeSet<String> = receiver.received().iter().map(|x| x.delivery.clone()).collect();
    assert_eq!(ids.len(), 1, "a retry carries the same delivery id");
    receiver.status.store(503, Ordering::SeqCst);
    clock.advance(Duration::seconds(61));
    eventually("the third attempt", StdDuration::from_secs(20), || r.received().len() == 3).await;

    // Disabled after 3 consecutive failures; the owner is told in the inbox.
    let started = Instant::now();
    loop {
        let page = inbox(&app, &owner, "?kind=webhook_disabled").await;
        if page.body["total"] == 1 {
            assert!(page.body["items"][0]["body"].as_str().unwrap().contains("已停用"), "{}", page.body);
            break;
        }
        assert!(started.elapsed() < StdDuration::from_secs(20), "no webhook_disabled notification");
        actix_web::rt::time::sleep(StdDuration::from_millis(30)).await;
    }
    let listed = app.get_as(owner.bearer(), &format!("/api/v1/organizations/{}/webhooks", owner.organization_id)).await;
    assert_eq!(listed.body["items"][0]["enabled"], false, "{}", listed.body);
    assert_eq!(listed.body["items"][0]["consecutive_failures"], 3);
    let log = app
        .get_as(owner.bearer(), &format!("/api/v1/organizations/{}/webhooks/{hook}/deliveries", owner.organization_id))
        .await;
    let delivery = &log.body["items"][0];
    assert_eq!(delivery["status"], "failed", "{}", log.body);
    let codes: Vec<i64> =
        delivery["attempt_log"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64().unwrap()).collect();
    assert_eq!(codes, [500, 302, 503]);

    // Enabled again by its owner, it delivers what comes next.
    receiver.status.store(200, Ordering::SeqCst);
    let path = format!("/api/v1/organizations/{}/webhooks/{hook}", owner.organization_id);
    let enabled = app.patch_as(owner.bearer(), &path, &json!({"enabled": true}), None).await;
    assert_eq!(enabled.body["consecutive_failures"], 0, "{}", enabled.body);
    reviewed_demand(&app, &owner, "枸杞包装机", json!({"decision": "approve"})).await;
    eventually("the next delivery", StdDuration::from_secs(20), || {
        r.received().iter().any(|x| x.body.contains("枸杞包装机"))
    })
    .await;
}

/// Two `techmatch serve` processes deliver 120 notifications from one database; one is killed
/// (SIGKILL) in the middle and a third takes its place. Every inbox row exists exactly once; every
/// mail reaches the SMTP server and every webhook the receiver at least once, and deduplicated by
/// Message-ID and `X-Techmatch-Delivery` exactly once; the duplicates are bounded by the batch
/// the killed process held.
#[actix_web::test]
async fn two_instances_deliver_each_notification_once_when_one_is_killed() {
    const N: i64 = 120;
    const BATCH: i64 = 4;
    let sink = MailSink::start();
    let receiver = Receiver::start();
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.delivery.delivery_tick_ms = 600_000; // this in-process server only registers
    let app = TestApp::spawn_with(db, config).await;
    let owner = app.register("enterprise", "双实例企业").await;
    let created = add_webhook(&app, &owner, &receiver.url).await;
    let secret = created.body["secret"].as_str().unwrap().to_string();
    diesel::sql_query(format!(
        "INSERT INTO notification_outbox (kind, recipient_organization_id, subject_kind, subject_id, payload, dedupe_key, created_at) \
         SELECT 'listing_reviewed', '{}', 'demand', gen_random_uuid(), \
                jsonb_build_object('title', 'kill-test ' || i, 'status', 'published'), 'kill-test:' || i, now() \
         FROM generate_series(1, {N}) AS i",
        owner.organization_id
    ))
    .execute(&mut app.db.connect())
    .unwrap();

    let env = [
        ("TECHMATCH_SMTP_HOST", "127.0.0.1".to_string()),
        ("TECHMATCH_SMTP_PORT", sink.port.to_string()),
        ("TECHMATCH_SMTP_TLS", "none".to_string()),
        ("TECHMATCH_WEBHOOK_ALLOW_LOOPBACK", "true".to_string()),
        ("TECHMATCH_DELIVERY_TICK_MS", "20".to_string()),
        ("TECHMATCH_DELIVERY_BATCH", BATCH.to_string()),
    ];
    let (mut first, _, _first_log) = common::start_binary_with(&app.db.url, &env);
    let (mut second, _, _second_log) = common::start_binary_with(&app.db.url, &env);
    let r = &receiver;
    let s = &sink;
    eventually("deliveries under way", StdDuration::from_secs(60), || {
        s.mails().len() >= 30 && r.received().len() >= 30
    })
    .await;
    first.kill().unwrap(); // SIGKILL: no shutdown, its open transactions roll back
    first.wait().unwrap();
    let (mut third, _, _third_log) = common::start_binary_with(&app.db.url, &env);

    let db = &app.db;
    eventually("everything delivered", StdDuration::from_secs(120), || {
        scalar(
            db,
            "SELECT count(*) AS n FROM email_outbox WHERE sent_at IS NOT NULL AND message_id LIKE '<notification-%'",
        ) == N
            && scalar(db, "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered'") == N
    })
    .await;
    // What was sent before the commit has arrived (the sink writes before it answers).
    actix_web::rt::time::sleep(StdDuration::from_millis(500)).await;
    second.kill().unwrap();
    third.kill().unwrap();
    let _ = (second.wait(), third.wait());

    assert_eq!(scalar(db, "SELECT count(*) AS n FROM notification_outbox WHERE delivered_at IS NULL"), 0);
    assert_eq!(scalar(db, "SELECT count(*) AS n FROM notifications"), N, "one inbox row per notification");
    assert_eq!(scalar(db, "SELECT count(DISTINCT outbox_id) AS n FROM notifications"), N);

    let mails = sink.mails();
    let ids: BTreeSet<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len() as i64, N, "every notification mailed, deduplicated by Message-ID exactly once");
    let duplicates = mails.len() as i64 - N;
    assert!((0..=BATCH).contains(&duplicates), "{duplicates} duplicate mails (at most the killed batch)");

    let received = receiver.received();
    assert!(received.iter().all(|x| signed_by(x, &secret)));
    let ids: BTreeSet<&str> = received.iter().map(|x| x.delivery.as_str()).collect();
    assert_eq!(ids.len() as i64, N, "every notification POSTed, deduplicated by delivery id exactly once");
    let duplicates = received.len() as i64 - N;
    assert!((0..=BATCH).contains(&duplicates), "{duplicates} duplicate webhooks (at most the killed batch)");
    println!("kill test: {} mails and {} webhook requests for {N} notifications", mails.len(), received.len());
}

/// The delivery figure of BENCHMARKS.md: one in-process server (tick 20 ms, batch 50) delivers
/// 2,000 queued notifications of one organisation with one member (inbox + instant mail to the
/// mail sink + one webhook to the loopback receiver). Run with
/// `scripts/test.sh -E 'test(delivery_throughput)' --run-ignored only --no-capture`.
#[actix_web::test]
#[ignore = "benchmark: scripts/test.sh -E 'test(delivery_throughput)' --run-ignored only --no-capture"]
async fn delivery_throughput() {
    const N: i64 = 2000;
    let sink = MailSink::start();
    let receiver = Receiver::start();
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    config.delivery.delivery_tick_ms = 20;
    config.delivery.delivery_batch = 50;
    config.database.db_pool_size = 8;
    sink.configure(&mut config);
    let app = TestApp::spawn_with(db, config).await;
    let owner = app.register("enterprise", "基准企业").await;
    assert_eq!(add_webhook(&app, &owner, &receiver.url).await.status, 201);
    let started = Instant::now();
    diesel::sql_query(format!(
        "INSERT INTO notification_outbox (kind, recipient_organization_id, subject_kind, subject_id, payload, dedupe_key, created_at) \
         SELECT 'listing_reviewed', '{}', 'demand', gen_random_uuid(), \
                jsonb_build_object('title', '基准 ' || i, 'status', 'open', 'path', '/api/v1/demands/x'), 'bench:' || i, now() \
         FROM generate_series(1, {N}) AS i",
        owner.organization_id
    ))
    .execute(&mut app.db.connect())
    .unwrap();
    let db = &app.db;
    let mut inbox_at = None;
    eventually("everything delivered", StdDuration::from_secs(600), || {
        if inbox_at.is_none() && scalar(db, "SELECT count(*) AS n FROM notifications") == N {
            inbox_at = Some(started.elapsed());
        }
        scalar(
            db,
            "SELECT count(*) AS n FROM email_outbox WHERE sent_at IS NOT NULL AND message_id LIKE '<notification-%'",
        ) == N
            && scalar(db, "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered'") == N
    })
    .await;
    let all = started.elapsed();
    let inbox = inbox_at.unwrap_or(all);
    println!(
        "delivery: {N} notifications; inbox fan-out {:.2} s ({:.0}/s); inbox + mail + webhook all done {:.2} s ({:.0} notifications/s, {:.0} deliveries/s over 3 channels)",
        inbox.as_secs_f64(),
        N as f64 / inbox.as_secs_f64(),
        all.as_secs_f64(),
        N as f64 / all.as_secs_f64(),
        3.0 * N as f64 / all.as_secs_f64()
    );
    assert_eq!(sink.mails().len() as i64, N);
}

/// Before: a forgotten password could not be recovered, and an invitation's token had to be handed
/// over by hand. Now both are mailed; a reset answers the same whether the address exists, its
/// token works once within 30 minutes (by the clock) and revokes the sessions.
#[actix_web::test]
async fn password_resets_and_invitations_are_mailed() {
    let sink = MailSink::start();
    let (app, clock) = mailing_app(&sink, Utc::now()).await;
    let user = app.register("enterprise", "重置企业").await;

    let known = app.post("/api/v1/auth/password-reset", &json!({"email": user.email})).await;
    let unknown = app.post("/api/v1/auth/password-reset", &json!({"email": "nobody@example.com"})).await;
    assert_eq!(known.status, 202, "{}", known.body);
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body), "the same answer for any address");
    app.post("/api/v1/auth/password-reset", &json!({"email": "not an address"}))
        .await
        .assert_problem(422, "validation_failed");
    eventually("the reset mail", StdDuration::from_secs(20), || sink.mails().len() == 1).await;
    let mail = sink.mails().remove(0);
    assert_eq!(mail.to, user.email);
    assert!(mail.message_id.starts_with("<password-reset-"), "{mail:?}");
    let token = mail.token();
    assert!(mail.body.contains(&format!("https://techmatch.example/reset-password?token={token}")), "{mail:?}");

    // Expired after 30 minutes by the clock; a new one works once and ends the sessions.
    clock.advance(Duration::minutes(31));
    app.post("/api/v1/auth/password-reset/confirm", &json!({"token": token, "new_password": "Brand-new-secret-2026"}))
        .await
        .assert_problem(410, "reset_token_invalid");
    app.post("/api/v1/auth/password-reset", &json!({"email": user.email})).await;
    eventually("the second reset mail", StdDuration::from_secs(20), || sink.mails().len() == 2).await;
    let mail = sink.mails().into_iter().find(|m| !m.body.contains(&token)).unwrap();
    let token = mail.token();
    let weak = app.post("/api/v1/auth/password-reset/confirm", &json!({"token": token, "new_password": "123"})).await;
    weak.assert_problem(422, "validation_failed");
    let done = app
        .post("/api/v1/auth/password-reset/confirm", &json!({"token": token, "new_password": "Brand-new-secret-2026"}))
        .await;
    assert_eq!(done.status, 204, "{}", done.body);
    app.post("/api/v1/auth/password-reset/confirm", &json!({"token": token, "new_password": "Another-secret-2026x"}))
        .await
        .assert_problem(410, "reset_token_invalid");
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": user.refresh_token}))
        .await
        .assert_problem(401, "invalid_refresh_token");
    let signed_in = app.login(&user.email, "Brand-new-secret-2026").await;
    assert!(!signed_in.token.is_empty());

    // An invitation is mailed to the address invited, with its token.
    let invited = app
        .post_as(
            signed_in.bearer(),
            &format!("/api/v1/organizations/{}/invitations", user.organization_id),
            &json!({"email": "newcomer@example.com"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    eventually("the invitation mail", StdDuration::from_secs(20), || s_has(&sink, "newcomer@example.com")).await;
    let mail = sink.mails().into_iter().find(|m| m.to == "newcomer@example.com").unwrap();
    let token = mail.token();
    assert!(mail.body.contains(&format!("/invitations/accept?token={token}")), "{mail:?}");
    let joined = app
        .post(
            "/api/v1/invitations/accept",
            &json!({"token": token, "password": "a-Long-passphrase-2026", "display_name": "新人"}),
        )
        .await;
    assert_eq!(joined.status, 201, "the mailed token is the invitation's: {}", joined.body);
    assert!(mail.subject.contains("重置企业"), "{mail:?}");
}

fn s_has(sink: &MailSink, to: &str) -> bool {
    sink.mails().iter().any(|m| m.to == to)
}

/// Every notification kind on every channel: one message of each kind, queued in the outbox as
/// the producers queue them (`notifications::outbox::queue`; each producer's own tests show it
/// queues its kind from the real cause), reaches the inbox over HTTP, the SMTP server and the
/// webhook receiver, each with the kind's own text.
#[actix_web::test]
async fn every_kind_reaches_the_inbox_the_mail_and_the_webhook() {
    use techmatch::notifications::outbox::{self, NewNotification};
    use techmatch::vocab::NotificationKind;

    let sink = MailSink::start();
    let receiver = Receiver::start();
    let db = TestDb::new();
    let mut config = common::serve_config(&db.url);
    sink.configure(&mut config);
    let app = TestApp::spawn_with(db, config).await;
    let owner = app.register("enterprise", "全类型通知企业").await;
    assert_eq!(add_webhook(&app, &owner, &receiver.url).await.status, 201);
    let mails_before = sink.mails().len();

    let organization = uuid::Uuid::parse_str(&owner.organization_id).unwrap();
    let mut conn = app.db.connect();
    for kind in NotificationKind::ALL {
        let payload = json!({"title": format!("标题-{kind}"), "days_before": 7, "decision": "approve",
                             "path": "/api/v1/demands/x", "score": 0.8});
        let queued = outbox::queue(
            &mut conn,
            &NewNotification {
                kind: *kind,
                recipient_organization_id: Some(organization),
                recipient_user_id: None,
                subject_kind: "demand".into(),
                subject_id: uuid::Uuid::new_v4(),
                payload,
                dedupe_key: format!("every-kind-{kind}"),
                created_at: Utc::now(),
            },
        )
        .unwrap();
        assert!(queued);
    }
    let n = NotificationKind::ALL.len();
    until_inbox_has(&app, &owner, n as u64).await;
    let r = &receiver;
    eventually("every kind mailed", StdDuration::from_secs(30), || sink.mails().len() == mails_before + n).await;
    eventually("every kind posted", StdDuration::from_secs(30), || r.received().len() == n).await;

    let inbox = inbox(&app, &owner, "?per_page=100").await;
    let mails = sink.mails();
    let posted = receiver.received();
    for kind in NotificationKind::ALL {
        let item = inbox.body["items"].as_array().unwrap().iter().find(|i| i["kind"] == kind.as_str());
        let item = item.unwrap_or_else(|| panic!("{kind} not in the inbox: {}", inbox.body));
        assert!(!item["title"].as_str().unwrap().is_empty(), "{item}");
        let text = item["body"].as_str().unwrap();
        assert!(mails.iter().any(|m| m.body.contains(text)), "{kind}: no mail carries «{text}»");
        let hook = posted.iter().find(|p| p.event == kind.as_str()).unwrap_or_else(|| panic!("{kind} not posted"));
        let body: Value = serde_json::from_str(&hook.body).unwrap();
        assert_eq!(body["kind"], kind.as_str());
        assert!(!body["text"]["zh"]["body"].as_str().unwrap().is_empty(), "{body}");
    }
}

/// Before: a saved search's `frequency` was stored but its matches were mailed by the user's
/// `new_match` preference (instant by default). Now a daily search's match waits for the daily
/// digest while an instant search's match is mailed at once.
#[actix_web::test]
async fn a_saved_search_is_mailed_at_its_own_frequency() {
    let sink = MailSink::start();
    let (app, clock) = mailing_app(&sink, Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap()).await; // 10:00 in China
    let buyer = app.register("enterprise", "订阅频率企业").await;
    let university = app.register("university", "订阅频率大学").await;
    for (name, frequency) in [("每日枸杞烘干", "daily"), ("即时枸杞烘干", "instant")] {
        let body = json!({"name": name, "target": "supply", "text": "枸杞 烘干", "frequency": frequency});
        assert_eq!(app.post_as(buyer.bearer(), "/api/v1/subscriptions", &body).await.status, 201);
    }
    let supply = json!({"title": "枸杞鲜果热风烘干设备", "summary": "枸杞鲜果热风烘干设备，低温分段烘干",
                        "keywords": ["枸杞烘干"], "industries": ["goji"]});
    assert_eq!(app.create_supply(&university, supply).await.status, 201);

    until_inbox_has(&app, &buyer, 2).await;
    let to_buyer = || sink.mails().into_iter().filter(|m| m.to == buyer.email).collect::<Vec<_>>();
    eventually("the instant search's mail", StdDuration::from_secs(20), || to_buyer().len() == 1).await;
    assert!(to_buyer()[0].body.contains("即时枸杞烘干"), "{:?}", to_buyer()[0]);
    clock.advance(Duration::hours(14)); // 00:00 the next day in China
    eventually("the daily search's digest", StdDuration::from_secs(20), || to_buyer().len() == 2).await;
    let digest = to_buyer().into_iter().find(|m| m.message_id.starts_with("<digest-daily-")).expect("a digest");
    assert!(digest.body.contains("枸杞鲜果热风烘干设备"), "{digest:?}");
    assert!(digest.subject.contains('1'), "one notification in the digest: {digest:?}");
}

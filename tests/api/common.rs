//! Test harness: a fresh PostgreSQL database per test (cloned from a migrated template) and the
//! real server on a random port, spoken to over HTTP.
//!
//! Needs `DATABASE_URL` pointing at a server where it may create databases (the README's test
//! command starts a throwaway cluster and sets it).
#![allow(dead_code)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use awc::http::{header, StatusCode};
use diesel::prelude::*;
use serde_json::Value;

use techmatch::app::Application;
use techmatch::clock::Clock;
use techmatch::config::{
    AuthConfig, DatabaseConfig, DeliveryConfig, LifecycleConfig, QuotaConfig, Secret, ServeConfig,
};
use techmatch::import::{import, ListingSide};
use techmatch::industries::taxonomy::Taxonomy;
use techmatch::matches::service::MatchService;

const TEMPLATE_LOCK: i64 = 0x7465_7374_7470_6c00;

/// The admin URL of the test server.
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .expect("DATABASE_URL must point at a PostgreSQL server for the tests (run scripts/test.sh)")
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let slash = base.rfind('/').expect("database URL has a path");
    let mut out = format!("{}/{db}", &base[..slash]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

fn migrations_fingerprint() -> String {
    let mut files: Vec<_> = walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"));
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.to_string_lossy().hash(&mut hasher);
        std::fs::read(&file).expect("read migration").hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read migrations dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Creates (once per migrations content) a migrated template database and returns its name.
fn template() -> String {
    let name = format!("techmatch_tpl_{}", migrations_fingerprint());
    let mut admin = PgConnection::establish(&admin_url()).expect("connect to DATABASE_URL");
    diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})")).execute(&mut admin).unwrap();
    let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"
    )))
    .get_result(&mut admin)
    .unwrap();
    if !exists {
        let building = format!("{name}_building");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building}")).execute(&mut admin).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {building}")).execute(&mut admin).unwrap();
        {
            let mut conn = PgConnection::establish(&with_database(&admin_url(), &building)).unwrap();
            techmatch::db::run_migrations(&mut conn).expect("migrations apply");
        }
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}")).execute(&mut admin).unwrap();
    }
    diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})")).execute(&mut admin).unwrap();
    name
}

/// A fresh, migrated database for one test; dropped when this value is (unless it is a
/// [`TestDb::shared`] handle).
pub struct TestDb {
    pub name: String,
    pub url: String,
    owner: bool,
}

impl TestDb {
    pub fn new() -> Self {
        let template = template();
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url()).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}")).execute(&mut admin).unwrap();
        let url = with_database(&admin_url(), &name);
        Self { name, url, owner: true }
    }

    /// Another handle on this database that does not drop it: for a second server on it.
    pub fn shared(&self) -> Self {
        Self { name: self.name.clone(), url: self.url.clone(), owner: false }
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).unwrap()
    }

    /// Imports the real listings of `data/listings` (53 demands, 110 supplies).
    pub fn import_real_listings(&self) {
        let mut conn = self.connect();
        for (file, side) in [("demands.jsonl", ListingSide::Demand), ("supplies.jsonl", ListingSide::Supply)] {
            let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/listings").join(file))
                .unwrap();
            import(&mut conn, &text, side, Taxonomy::embedded()).unwrap();
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.owner {
            return;
        }
        if let Ok(mut admin) = PgConnection::establish(&admin_url()) {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut admin);
        }
    }
}

/// The signing key of test servers (tests forge tokens with it and with others).
pub const JWT_SECRET: &str = "test-secret-of-at-least-32-bytes-for-hs256";
/// Issuer and audience of test servers.
pub const JWT_ISSUER: &str = "techmatch";
pub const JWT_AUDIENCE: &str = "techmatch-api";
/// Password of every account the harness registers.
pub const PASSWORD: &str = "correct horse battery";

/// Token settings for a test: generous login and password-change limits (the throttling tests
/// set their own), no credential cache.
pub fn auth_config() -> AuthConfig {
    AuthConfig {
        jwt_secret: JWT_SECRET.parse::<Secret>().unwrap(),
        jwt_issuer: JWT_ISSUER.into(),
        jwt_audience: JWT_AUDIENCE.into(),
        access_token_ttl_secs: 900,
        refresh_token_ttl_secs: 3600,
        login_per_ip_per_min: 10_000,
        login_per_account_per_min: 10_000,
        login_slow_after_per_min: 10_000,
        login_slowdown_ms: 0,
        trusted_proxies: Vec::new(),
        // Every request looks its token's user up (the trust_auth tests see changes at once).
        auth_cache_ttl_ms: 0,
        password_changes_per_user_per_min: 10_000,
        hash_concurrency: 0,
        hash_wait_ms: 10_000,
        invitation_ttl_hours: 168,
    }
}

/// Quotas for a test: generous (the quota tests set their own), so that no other test meets them.
pub fn quota_config() -> QuotaConfig {
    QuotaConfig {
        quota_proposals_per_day: 100_000,
        quota_listings_per_hour: 100_000,
        quota_open_listings: 100_000,
        quota_unverified_proposals_per_day: 100_000,
        quota_unverified_listings_per_hour: 100_000,
        quota_unverified_open_listings: 100_000,
    }
}

/// Server settings for a test: random port, one worker, fast index refresh and job ticks,
/// generous quotas, the default lifecycle on the system clock (the lifecycle tests give a manual
/// one).
pub fn serve_config(database_url: &str) -> ServeConfig {
    ServeConfig {
        database: DatabaseConfig {
            database_url: database_url.parse::<Secret>().unwrap(),
            db_pool_size: 4,
            db_checkout_timeout_ms: 1000,
            db_statement_timeout_ms: 5000,
            db_lock_timeout_ms: 2000,
        },
        auth: auth_config(),
        quotas: quota_config(),
        lifecycle: LifecycleConfig::default(),
        delivery: DeliveryConfig { delivery_tick_ms: 100, webhook_allow_loopback: true, ..DeliveryConfig::default() },
        jobs_tick_ms: 100,
        clock: Clock::system(),
        contract_review_above_fen: 10_000_000_000,
        bind: "127.0.0.1:0".parse().unwrap(),
        workers: 1,
        max_body_bytes: 64 * 1024,
        import_max_bytes: 1024 * 1024,
        import_near_duplicate_percent: 80,
        index_refresh_ms: 200,
        cors_origins: Vec::new(),
        request_timeout_ms: 10_000,
        shutdown_grace_secs: 20,
    }
}

/// A running server on its own database.
pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    /// The server's matching index.
    pub matcher: Arc<MatchService>,
    client: awc::Client,
}

/// A response: status, headers and body parsed as JSON (`Value::Null` when empty).
pub struct Reply {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the RFC 9457 problem shape with this status and code.
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "body: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_eq!(self.body["type"], format!("urn:techmatch:problem:{code}"));
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
    }
}

impl TestApp {
    /// A server on a fresh database.
    pub async fn spawn() -> Self {
        Self::spawn_on(TestDb::new()).await
    }

    /// A server on a fresh database holding the real listings.
    pub async fn with_real_listings() -> Self {
        let db = TestDb::new();
        db.import_real_listings();
        Self::spawn_on(db).await
    }

    pub async fn spawn_on(db: TestDb) -> Self {
        let config = serve_config(&db.url);
        Self::spawn_with(db, config).await
    }

    /// A server with these settings on `db`.
    pub async fn spawn_with(db: TestDb, config: ServeConfig) -> Self {
        techmatch::telemetry::init(techmatch::config::LogFormat::Pretty);
        let app = Application::build(config).await.expect("server builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let matcher = app.matcher();
        actix_web::rt::spawn(app.run_until_stopped());
        // The tests read the English messages; tests/api/messages.rs checks the Chinese default
        // (no header) and the negotiation.
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .add_default_header((header::ACCEPT_LANGUAGE, "en"))
            .finish();
        Self { address, db, matcher, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn send(&self, req: awc::ClientRequest, body: Option<Vec<u8>>) -> Reply {
        let mut res = match body {
            Some(b) => req.send_body(b).await,
            None => req.send().await,
        }
        .expect("request is answered");
        let bytes = res.body().limit(16 * 1024 * 1024).await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply { status: res.status(), headers: res.headers().clone(), body }
    }

    fn with_token(req: awc::ClientRequest, token: Option<&str>) -> awc::ClientRequest {
        match token {
            Some(t) => req.insert_header((header::AUTHORIZATION, format!("Bearer {t}"))),
            None => req,
        }
    }

    /// GET without a token.
    pub async fn get(&self, path: &str) -> Reply {
        self.get_as(None, path).await
    }

    /// GET with an optional bearer token.
    pub async fn get_as(&self, token: Option<&str>, path: &str) -> Reply {
        self.send(Self::with_token(self.client.get(self.url(path)), token), None).await
    }

    /// POST JSON without a token.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.post_as(None, path, body).await
    }

    /// POST JSON with an optional bearer token.
    pub async fn post_as(&self, token: Option<&str>, path: &str, body: &Value) -> Reply {
        let req = self.client.post(self.url(path)).insert_header((header::CONTENT_TYPE, "application/json"));
        self.send(Self::with_token(req, token), Some(serde_json::to_vec(body).unwrap())).await
    }

    /// PATCH JSON with an optional bearer token and `If-Match`.
    pub async fn patch_as(&self, token: Option<&str>, path: &str, body: &Value, if_match: Option<&str>) -> Reply {
        let mut req = self.client.patch(self.url(path)).insert_header((header::CONTENT_TYPE, "application/json"));
        if let Some(tag) = if_match {
            req = req.insert_header((header::IF_MATCH, tag));
        }
        self.send(Self::with_token(req, token), Some(serde_json::to_vec(body).unwrap())).await
    }

    /// A raw request with any method, content type and body bytes.
    pub async fn raw(&self, method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> Reply {
        self.raw_as(None, method, path, content_type, body).await
    }

    /// A raw request with an optional bearer token.
    pub async fn raw_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let mut req = Self::with_token(self.client.request(method.parse().unwrap(), self.url(path)), token);
        if let Some(ct) = content_type {
            req = req.insert_header((header::CONTENT_TYPE, ct));
        }
        self.send(req, Some(body.to_vec())).await
    }

    /// Registers an organisation of `kind` with one user and logs in; the department has verified
    /// the organisation (set in the database, as `POST /organizations/{id}/verification` would),
    /// so its listings go on the market without review, as most tests expect.
    /// [`TestApp::register_unverified`] leaves it as registration does.
    pub async fn register(&self, kind: &str, name: &str) -> Session {
        let session = self.register_unverified(kind, name).await;
        let mut conn = self.db.connect();
        diesel::sql_query(format!(
            "UPDATE organizations SET verification = 'verified' WHERE id = '{}'",
            session.organization_id
        ))
        .execute(&mut conn)
        .unwrap();
        session
    }

    /// Registers an organisation of `kind` with one user and logs in: unverified, as every new
    /// organisation is until the department verifies it (its listings go through review). The
    /// user's e-mail is verified through `POST /auth/verify-email` with the token of the mail
    /// registration queued ([`TestApp::register_account`] stops before that).
    pub async fn register_unverified(&self, kind: &str, name: &str) -> Session {
        let session = self.register_account(kind, name).await;
        let token = self.mailed_token(&session.email, "email-verification");
        let reply = self.post("/api/v1/auth/verify-email", &serde_json::json!({"token": token})).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
        session
    }

    /// Registers an organisation of `kind` with one user (202, the same answer for any address),
    /// logs in and reads the ids from `GET /me`; the e-mail stays unverified.
    pub async fn register_account(&self, kind: &str, name: &str) -> Session {
        let email = format!("{}@example.org", uuid::Uuid::new_v4().simple());
        let mut organization = serde_json::json!({"kind": kind, "name": name, "region": "宁夏"});
        if kind == "enterprise" {
            organization["credit_code"] = Value::String(credit_code());
        }
        let body = serde_json::json!({"email": email, "password": PASSWORD, "display_name": "测试用户", "organization": organization});
        let reply = self.post("/api/v1/auth/register", &body).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        let mut session = self.login(&email, PASSWORD).await;
        let me = self.get_as(Some(&session.token), "/api/v1/me").await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        session.organization_id = me.body["organization"]["id"].as_str().unwrap().to_string();
        session.user_id = me.body["user"]["id"].as_str().unwrap().to_string();
        session
    }

    /// The body of the newest mail to `address` whose Message-ID starts with `<{kind}`, read from
    /// the mail queue (`email_outbox`) as the SMTP relay would send it.
    pub fn mail_body(&self, address: &str, kind: &str) -> String {
        #[derive(QueryableByName)]
        struct Body {
            #[diesel(sql_type = diesel::sql_types::Text)]
            body: String,
        }
        let mut conn = self.db.connect();
        let mail: Body = diesel::sql_query(
            "SELECT body FROM email_outbox WHERE to_address = $1 AND message_id LIKE $2 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind::<diesel::sql_types::Text, _>(address)
        .bind::<diesel::sql_types::Text, _>(format!("<{kind}%"))
        .get_result(&mut conn)
        .unwrap_or_else(|e| panic!("no {kind} mail to {address}: {e}"));
        mail.body
    }

    /// The token of the newest mail to `address` whose Message-ID starts with `<{kind}`.
    pub fn mailed_token(&self, address: &str, kind: &str) -> String {
        let body = self.mail_body(address, kind);
        let line = body.lines().find_map(|l| l.strip_prefix("令牌 / token: ")).expect("a token line");
        line.trim().to_string()
    }

    /// Logs in (asserting success).
    pub async fn login(&self, email: &str, password: &str) -> Session {
        let reply = self.post("/api/v1/auth/login", &serde_json::json!({"email": email, "password": password})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        Session {
            email: email.to_string(),
            token: reply.body["access_token"].as_str().unwrap().to_string(),
            refresh_token: reply.body["refresh_token"].as_str().unwrap().to_string(),
            organization_id: String::new(),
            user_id: String::new(),
        }
    }

    /// Logs in as the demo admin (creating the demo accounts first).
    pub async fn admin(&self) -> Session {
        let mut conn = self.db.connect();
        techmatch::accounts::demo::ensure_demo_accounts(&mut conn, PASSWORD).unwrap();
        self.login("admin@demo.techmatch", PASSWORD).await
    }

    /// Creates a supply as `session`.
    pub async fn create_supply(&self, session: &Session, fields: Value) -> Reply {
        self.post_as(Some(&session.token), "/api/v1/supplies", &fields).await
    }

    /// Creates a demand as `session`.
    pub async fn create_demand(&self, session: &Session, fields: Value) -> Reply {
        self.post_as(Some(&session.token), "/api/v1/demands", &fields).await
    }
}

/// Returns once `matcher` has applied a poll of the database that began after this call (its
/// refresh count has grown by two: the poll running now may have begun before). Panics when
/// that takes longer than `within`. Checks every 10 ms.
pub async fn index_polled(matcher: &MatchService, within: Duration) {
    let target = matcher.refreshes() + 2;
    let started = Instant::now();
    while matcher.refreshes() < target {
        assert!(started.elapsed() < within, "the index did not poll the database within {within:?}");
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub email: String,
    pub token: String,
    pub refresh_token: String,
    pub organization_id: String,
    pub user_id: String,
}

impl Session {
    pub fn bearer(&self) -> Option<&str> {
        Some(&self.token)
    }
}

/// A random valid unified social credit code (GB 32100-2015).
pub fn credit_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let seed = uuid::Uuid::new_v4();
    let first17: String = std::iter::once('9')
        .chain(std::iter::once('1'))
        .chain(seed.as_bytes().iter().take(15).map(|b| ALPHABET[(*b as usize) % 10] as char))
        .collect();
    let check = techmatch::organizations::credit_code::check_character(&first17).unwrap();
    format!("{first17}{check}")
}

/// A transaction of its own connection (on its own thread) that has run a statement and stays
/// open until [`HeldWrite::commit`]: another instance's slow request, an admin's long edit.
pub struct HeldWrite {
    /// The PostgreSQL backend running the transaction.
    pub pid: i32,
    commit: std::sync::mpsc::Sender<()>,
    writer: std::thread::JoinHandle<()>,
}

/// Runs `sql` in a transaction that stays open until [`HeldWrite::commit`]. Returns once the
/// statement has run.
pub fn hold_write(url: &str, sql: String) -> HeldWrite {
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let (ran_tx, ran_rx) = std::sync::mpsc::channel();
    let (commit, commit_rx) = std::sync::mpsc::channel::<()>();
    let url = url.to_string();
    let writer = std::thread::spawn(move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            let backend = diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result::<Pid>(conn)?;
            diesel::sql_query(sql).execute(conn)?;
            ran_tx.send(backend.pid).unwrap();
            // Commits when told to, or when the test is gone.
            let _ = commit_rx.recv();
            Ok(())
        })
        .unwrap();
    });
    let pid = ran_rx.recv().expect("the held statement runs");
    HeldWrite { pid, commit, writer }
}

impl HeldWrite {
    /// Commits the transaction; returns once it has committed.
    pub async fn commit(self) {
        let _ = self.commit.send(());
        let writer = self.writer;
        actix_web::rt::task::spawn_blocking(move || writer.join().unwrap()).await.unwrap();
    }

    /// Returns once another session of the database waits for this transaction's locks;
    /// panics when none does within `within`. Checks every 10 ms.
    pub async fn blocks_another(&self, url: &str, within: Duration) {
        #[derive(QueryableByName)]
        struct Blocked {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            blocked: bool,
        }
        let started = Instant::now();
        let mut conn = PgConnection::establish(url).unwrap();
        loop {
            let query = format!(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE {} = ANY (pg_blocking_pids(pid))) AS blocked",
                self.pid
            );
            let (back, check) = actix_web::rt::task::spawn_blocking(move || {
                let check = diesel::sql_query(query).get_result::<Blocked>(&mut conn).unwrap();
                (conn, check)
            })
            .await
            .unwrap();
            conn = back;
            if check.blocked {
                return;
            }
            assert!(started.elapsed() < within, "no session waited for the held transaction within {within:?}");
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Runs the futures concurrently on this task and returns their outputs in order.
pub async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().map(|o| o.unwrap()).collect()
}

/// The log lines of a `techmatch serve` process, read as they arrive.
pub struct ServerLog {
    seen: Vec<String>,
    incoming: Receiver<String>,
}

impl ServerLog {
    /// Reads lines until one that `wanted` accepts and returns it; panics when none has come
    /// within `within` (or the process closed its log).
    pub fn wait_until(&mut self, wanted: impl Fn(&str) -> bool, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            match self.incoming.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(e) => panic!("no such log line within {within:?} ({e}); log:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Reads lines until one contains `needle` (see [`ServerLog::wait_until`]).
    pub fn wait_for(&mut self, needle: &str, within: Duration) -> String {
        self.wait_until(|line| line.contains(needle), within)
    }

    /// Every line logged so far.
    pub fn lines(&mut self) -> &[String] {
        self.seen.extend(self.incoming.try_iter());
        &self.seen
    }
}

/// Starts the real binary serving `database_url` (JSON logs at `info`, one worker, a free port):
/// the process, its port and its log.
/// A child process that is killed (and reaped) when dropped, so a failing test leaves no server
/// behind; `Deref` gives the `Child` for `id`, `kill` and `wait`.
pub struct Process(Child);

impl std::ops::Deref for Process {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Process {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn start_binary(database_url: &str) -> (Process, u16, ServerLog) {
    start_binary_with(database_url, &[])
}

/// [`start_binary`] with more environment variables (settings).
pub fn start_binary_with(database_url: &str, env: &[(&str, String)]) -> (Process, u16, ServerLog) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_techmatch"))
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("DATABASE_URL", database_url)
        .env("TECHMATCH_JWT_SECRET", JWT_SECRET)
        .env("TECHMATCH_BIND", "127.0.0.1:0")
        .env("TECHMATCH_WORKERS", "1")
        .env("TECHMATCH_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the techmatch binary starts");
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let child = Process(child);
    let (sink, incoming) = mpsc::channel();
    std::thread::spawn(move || lines.map_while(Result::ok).try_for_each(|line| sink.send(line)));
    let mut log = ServerLog { seen: Vec::new(), incoming };
    let listening = log.wait_for("techmatch listening", Duration::from_secs(60));
    let entry: Value = serde_json::from_str(&listening).unwrap();
    let port = entry["port"].as_u64().unwrap() as u16;
    (child, port, log)
}

/// Names of the tables in the `public` schema (the migrations' bookkeeping table included).
pub fn public_tables(conn: &mut PgConnection) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        tablename: String,
    }
    diesel::sql_query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        .load::<Name>(conn)
        .unwrap()
        .into_iter()
        .map(|n| n.tablename)
        .collect()
}

//! Behind the real reverse proxy: nginx from Debian's package (`scripts/test.sh` installs it when
//! missing) running `deploy/nginx.conf`, with only the upstream and the listening address
//! changed for loopback. Clients reach nginx from distinct loopback addresses (127.0.0.2,
//! 127.0.0.3), so the server sees every request come from nginx (127.0.0.1) and learns the
//! client only from `X-Forwarded-For`.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use socket2::{Domain, Socket, Type};

use crate::common::{serve_config, TestApp, TestDb, PASSWORD};

/// nginx, configured from `deploy/nginx.conf`, until dropped.
struct Nginx {
    child: Child,
    port: u16,
    _dir: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

fn nginx_binary() -> PathBuf {
    std::env::var_os("NGINX").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `deploy/nginx.conf` pointed at `upstream` and listening on a free loopback port, inside the
/// few lines a standalone nginx needs (no daemon, paths in a private folder).
fn start_nginx(upstream: u16) -> Nginx {
    let deploy = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx.conf")).unwrap();
    let port = free_port();
    assert!(deploy.contains("server api:8080;") && deploy.contains("listen 80;"), "deploy/nginx.conf changed shape");
    let site: String = deploy
        .lines()
        .filter(|line| !line.trim_start().starts_with("resolver "))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("server api:8080;", &format!("server 127.0.0.1:{upstream};"))
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"));
    let dir = std::env::temp_dir().join(format!("techmatch-nginx-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\naccess_log off;\nclient_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\nuwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n{site}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new(nginx_binary())
        .arg("-p")
        .arg(&dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start {} (scripts/test.sh installs nginx): {e}", nginx_binary().display()));
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not listen on {port}: {:?}",
            std::fs::read_to_string(dir.join("error.log"))
        );
        std::thread::yield_now();
    }
    Nginx { child, port, _dir: dir }
}

/// `POST path` with a JSON body through nginx, from the loopback address `from`, with extra
/// header lines; the status code.
fn post_from(from: IpAddr, port: u16, path: &str, body: &serde_json::Value, extra: &str) -> u16 {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.bind(&SocketAddr::new(from, 0).into()).unwrap();
    socket.connect(&SocketAddr::from(([127, 0, 0, 1], port)).into()).unwrap();
    let mut stream: TcpStream = socket.into();
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("{response}"))
}

/// On c527b2a every request behind nginx counted against the proxy's address and the account:
/// after a handful of wrong passwords from anyone, the owner's right password got 429 too.
/// Now the forwarded address counts (the peer is a trusted proxy) and the account is throttled
/// per client address: the attacker is refused whatever `X-Forwarded-For` it makes up, the
/// owner signing in from elsewhere is not.
#[actix_web::test]
async fn behind_nginx_an_attacker_is_throttled_and_the_owner_still_signs_in() {
    let db = TestDb::new();
    let mut config = serve_config(&db.url);
    config.auth.login_per_account_per_min = 3;
    config.auth.login_per_ip_per_min = 10;
    config.auth.trusted_proxies = vec![techmatch::client_addr::parse_proxy("127.0.0.1").unwrap()];
    let app = TestApp::spawn_with(db, config).await;
    let user = app.register("enterprise", "某企业").await;
    let upstream: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    let nginx = start_nginx(upstream);
    let port = nginx.port;
    let email = user.email.clone();

    let statuses = actix_web::rt::task::spawn_blocking(move || {
        let attacker: IpAddr = "127.0.0.2".parse().unwrap();
        let owner: IpAddr = "127.0.0.3".parse().unwrap();
        let wrong = json!({"email": email, "password": "not the password"});
        let mut attacks = Vec::new();
        for i in 0..6 {
            let spoof = format!("X-Forwarded-For: 198.51.100.{i}\r\n");
            attacks.push(post_from(attacker, port, "/api/v1/auth/login", &wrong, &spoof));
        }
        let right = json!({"email": email, "password": PASSWORD});
        let owner_status = post_from(owner, port, "/api/v1/auth/login", &right, "");
        (attacks, owner_status)
    })
    .await
    .unwrap();
    assert_eq!(statuses.0, [401, 401, 401, 429, 429, 429], "the attacker's address is throttled, spoofing or not");
    assert_eq!(statuses.1, 200, "the owner, from another address, signs in");

    // The audit log names the client nginx saw: neither the proxy nor a spoofed address. The
    // throttled attempts were refused before any password was checked and are not sign-ins.
    use diesel::prelude::*;
    use techmatch::db::schema::audit_log;
    let user_id = uuid::Uuid::parse_str(&user.user_id).unwrap();
    let seen: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::record_id.eq(user_id))
        .order(audit_log::id)
        .select((audit_log::action, audit_log::client_addr))
        .load(&mut app.db.connect())
        .unwrap();
    let direct = ("signed_in".to_string(), Some("127.0.0.1".to_string()));
    let attack = ("sign_in_failed".to_string(), Some("127.0.0.2".to_string()));
    let owner = ("signed_in".to_string(), Some("127.0.0.3".to_string()));
    let registered = ("account_registered".to_string(), Some("127.0.0.1".to_string()));
    let verified = ("email_verified".to_string(), Some("127.0.0.1".to_string()));
    assert_eq!(seen, [registered, direct, verified, attack.clone(), attack.clone(), attack, owner]);
}

//! Settings from the environment (or the matching command-line flags), validated at start-up.
//! Every variable is listed, with its default, in the README.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

/// A secret string (a database URL with its password, a signing key) that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret value; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

/// How to reach PostgreSQL.
#[derive(clap::Args, Clone, Debug)]
pub struct DatabaseConfig {
    /// PostgreSQL URL, e.g. `postgres://user:pass@host:5432/techmatch`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Secret,
    /// Largest number of pooled connections (r2d2 `max_size`).
    #[arg(long, env = "TECHMATCH_DB_POOL_SIZE", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub db_pool_size: u32,
    /// Milliseconds a request waits for a pooled connection before answering 503.
    #[arg(long, env = "TECHMATCH_DB_CHECKOUT_TIMEOUT_MS", default_value_t = 1500, value_parser = clap::value_parser!(u64).range(100..=30_000))]
    pub db_checkout_timeout_ms: u64,
    /// Milliseconds a statement may run before PostgreSQL cancels it (`statement_timeout` of
    /// every pooled connection); the request answers 503 `database_busy`.
    #[arg(long, env = "TECHMATCH_DB_STATEMENT_TIMEOUT_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub db_statement_timeout_ms: u64,
    /// Milliseconds a statement may wait for a lock (`lock_timeout` of every pooled connection);
    /// the request answers 503 `database_busy`.
    #[arg(long, env = "TECHMATCH_DB_LOCK_TIMEOUT_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub db_lock_timeout_ms: u64,
}

/// Log output format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (default).
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Token and login settings (see `docs/SECURITY.md`).
#[derive(clap::Args, Clone, Debug)]
pub struct AuthConfig {
    /// HMAC key signing access tokens (HS256); at least 32 bytes. The service refuses to start without it.
    #[arg(long, env = "TECHMATCH_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Secret,
    /// `iss` of issued tokens, required on presented ones.
    #[arg(long, env = "TECHMATCH_JWT_ISSUER", default_value = "techmatch")]
    pub jwt_issuer: String,
    /// `aud` of issued tokens, required on presented ones.
    #[arg(long, env = "TECHMATCH_JWT_AUDIENCE", default_value = "techmatch-api")]
    pub jwt_audience: String,
    /// Access token lifetime in seconds.
    #[arg(long, env = "TECHMATCH_ACCESS_TOKEN_TTL_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(60..=86_400))]
    pub access_token_ttl_secs: u64,
    /// Refresh token lifetime in seconds.
    #[arg(long, env = "TECHMATCH_REFRESH_TOKEN_TTL_SECS", default_value_t = 30 * 86_400, value_parser = clap::value_parser!(u64).range(300..=365 * 86_400))]
    pub refresh_token_ttl_secs: u64,
    /// Login and registration attempts allowed per client address per minute (burst of the same size).
    #[arg(long, env = "TECHMATCH_LOGIN_PER_IP_PER_MIN", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub login_per_ip_per_min: u32,
    /// Login attempts allowed per account (e-mail) from one client address per minute (burst of
    /// the same size); the owner signing in from another address is not refused.
    #[arg(long, env = "TECHMATCH_LOGIN_PER_ACCOUNT_PER_MIN", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub login_per_account_per_min: u32,
    /// Login attempts per account from all addresses per minute after which each attempt waits
    /// (up to `TECHMATCH_LOGIN_SLOWDOWN_MS`) before its password is checked.
    #[arg(long, env = "TECHMATCH_LOGIN_SLOW_AFTER_PER_MIN", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub login_slow_after_per_min: u32,
    /// Longest wait, in milliseconds, of a slowed login attempt.
    #[arg(long, env = "TECHMATCH_LOGIN_SLOWDOWN_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(0..=30_000))]
    pub login_slowdown_ms: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (addresses or CIDR networks,
    /// comma-separated, e.g. `10.0.0.0/8,127.0.0.1`); none by default, so the TCP peer is the client.
    #[arg(long, env = "TECHMATCH_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::client_addr::parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Milliseconds a token's user (exists, active, role, organisation, password change) is
    /// remembered before it is looked up again; admin tokens are always looked up. 0 = every request.
    #[arg(long, env = "TECHMATCH_AUTH_CACHE_TTL_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub auth_cache_ttl_ms: u64,
    /// Password changes (`POST /me/password`, right or wrong) allowed per user per minute (burst of the same size).
    #[arg(long, env = "TECHMATCH_PASSWORD_CHANGES_PER_USER_PER_MIN", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub password_changes_per_user_per_min: u32,
    /// Argon2id computations (login, registration, password change) run at once; 0 = one per CPU core.
    #[arg(long, env = "TECHMATCH_HASH_CONCURRENCY", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=256))]
    pub hash_concurrency: u32,
    /// Milliseconds a request waits for a hashing slot before answering 503 `hashing_busy`.
    #[arg(long, env = "TECHMATCH_HASH_WAIT_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(0..=30_000))]
    pub hash_wait_ms: u64,
    /// Hours an invitation to join an organisation stays valid (7 days by default).
    #[arg(long, env = "TECHMATCH_INVITATION_TTL_HOURS", default_value_t = 168, value_parser = clap::value_parser!(u64).range(1..=2160))]
    pub invitation_ttl_hours: u64,
}

/// Shortest accepted JWT secret, in bytes (HS256 keys should be at least the hash size, RFC 7518 §3.2).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Least estimated entropy of a JWT secret, in bits (see [`jwt_secret_weakness`]).
pub const MIN_JWT_SECRET_BITS: f64 = 128.0;

/// Fewest distinct bytes in a JWT secret.
pub const MIN_JWT_SECRET_DISTINCT_BYTES: usize = 10;

/// Secrets that have been published as examples (compose's old fallback, documentation):
/// anyone can sign tokens with them, so the service refuses them whatever their length.
pub const PUBLISHED_JWT_SECRETS: &[&str] = &[
    "change-me-to-a-random-secret-of-32-bytes-or-more",
    "change-me",
    "changeme",
    "secret",
    "your-256-bit-secret",
    "your-secret-key",
];

/// Words that mark a placeholder, anywhere in a secret (case-insensitive).
const PLACEHOLDER_MARKERS: &[&str] =
    &["change-me", "change_me", "changeme", "replace-me", "replace_me", "replaceme", "your-256-bit-secret"];

/// Why `secret` is unfit to sign tokens, or `None` when it will do. Refused: fewer than
/// [`MIN_JWT_SECRET_BYTES`] bytes; a published example or a placeholder word; fewer than
/// [`MIN_JWT_SECRET_DISTINCT_BYTES`] distinct bytes; a repeated pattern (`abcabc…`) or a run
/// (`0123…`, `aaaa…`) over half its length; an estimated entropy (its length times the
/// Shannon entropy of its byte frequencies) below [`MIN_JWT_SECRET_BITS`]. A secret of 48
/// random bytes in base64 (`head -c 48 /dev/urandom | base64`) estimates above 300 bits.
pub fn jwt_secret_weakness(secret: &str) -> Option<String> {
    let bytes = secret.as_bytes();
    let len = bytes.len();
    if len < MIN_JWT_SECRET_BYTES {
        return Some(format!("must be at least {MIN_JWT_SECRET_BYTES} bytes (got {len})"));
    }
    let lower = secret.trim().to_ascii_lowercase();
    if PUBLISHED_JWT_SECRETS.contains(&lower.as_str()) || PLACEHOLDER_MARKERS.iter().any(|m| lower.contains(m)) {
        return Some("is a published placeholder: anyone could sign tokens with it".into());
    }
    let mut counts = [0usize; 256];
    bytes.iter().for_each(|&b| counts[usize::from(b)] += 1);
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    if distinct < MIN_JWT_SECRET_DISTINCT_BYTES {
        return Some(format!("has only {distinct} distinct bytes (at least {MIN_JWT_SECRET_DISTINCT_BYTES} needed)"));
    }
    if (1..=len / 2).any(|period| bytes.iter().skip(period).zip(bytes).all(|(a, b)| a == b)) {
        return Some("repeats a pattern".into());
    }
    let steps = bytes.windows(2).filter(|w| w[0].abs_diff(w[1]) <= 1).count();
    if steps * 2 > len {
        return Some("is mostly runs of neighbouring characters".into());
    }
    let n = len as f64;
    let bits: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum::<f64>()
        * n;
    if bits < MIN_JWT_SECRET_BITS {
        return Some(format!(
            "is too predictable (about {bits:.0} bits of entropy, at least {MIN_JWT_SECRET_BITS} needed)"
        ));
    }
    None
}

impl AuthConfig {
    /// The login throttle's limits.
    pub fn login_limits(&self) -> crate::auth::throttle::LoginLimits {
        crate::auth::throttle::LoginLimits {
            per_ip_per_min: self.login_per_ip_per_min,
            per_account_and_ip_per_min: self.login_per_account_per_min,
            slow_after_per_account_per_min: self.login_slow_after_per_min,
            slowdown_cap: std::time::Duration::from_millis(self.login_slowdown_ms),
            password_changes_per_user_per_min: self.password_changes_per_user_per_min,
        }
    }

    /// Checks the settings that clap cannot: the secret's length and strength.
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(why) = jwt_secret_weakness(self.jwt_secret.expose()) {
            anyhow::bail!(
                "TECHMATCH_JWT_SECRET {why}; generate one with `head -c 48 /dev/urandom | base64` \
                 and give every replica the same value"
            );
        }
        Ok(())
    }
}

/// Per-organisation volume limits (`docs/SECURITY.md`, **Limits**): one set for verified
/// organisations, a tighter one for the others. Admins have none.
#[derive(clap::Args, Clone, Debug)]
pub struct QuotaConfig {
    /// Connections a verified organisation's users may open (`POST /connections`) in 24 hours.
    #[arg(long, env = "TECHMATCH_QUOTA_PROPOSALS_PER_DAY", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub quota_proposals_per_day: u32,
    /// Supplies and demands a verified organisation may create in an hour (drafts included).
    #[arg(long, env = "TECHMATCH_QUOTA_LISTINGS_PER_HOUR", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub quota_listings_per_hour: u32,
    /// Published supplies plus open demands a verified organisation may have at once.
    #[arg(long, env = "TECHMATCH_QUOTA_OPEN_LISTINGS", default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub quota_open_listings: u32,
    /// As `TECHMATCH_QUOTA_PROPOSALS_PER_DAY`, for organisations not (yet) verified.
    #[arg(long, env = "TECHMATCH_QUOTA_UNVERIFIED_PROPOSALS_PER_DAY", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub quota_unverified_proposals_per_day: u32,
    /// As `TECHMATCH_QUOTA_LISTINGS_PER_HOUR`, for organisations not (yet) verified.
    #[arg(long, env = "TECHMATCH_QUOTA_UNVERIFIED_LISTINGS_PER_HOUR", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub quota_unverified_listings_per_hour: u32,
    /// As `TECHMATCH_QUOTA_OPEN_LISTINGS`, for organisations not (yet) verified.
    #[arg(long, env = "TECHMATCH_QUOTA_UNVERIFIED_OPEN_LISTINGS", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub quota_unverified_open_listings: u32,
}

/// The listing lifecycle (issue 12): review before publication, validity and expiry reminders.
/// Read by `serve`, and by `import` and `demo`, which create listings too.
#[derive(clap::Args, Clone, Debug)]
pub struct LifecycleConfig {
    /// Whether listings of verified organisations go on the market without review (those of
    /// unverified organisations always wait for it). `true` or `false`.
    #[arg(long, env = "TECHMATCH_VERIFIED_PUBLISH_DIRECTLY", default_value_t = true, action = clap::ArgAction::Set)]
    pub verified_publish_directly: bool,
    /// Days a supply stays on the market before it expires (unless confirmed or renewed).
    #[arg(long, env = "TECHMATCH_SUPPLY_VALIDITY_DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub supply_validity_days: u32,
    /// Days a demand without a deadline stays on the market (a demand with one expires after it).
    #[arg(long, env = "TECHMATCH_DEMAND_VALIDITY_DAYS", default_value_t = 180, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub demand_validity_days: u32,
    /// Days before expiry at which the owner is reminded, comma-separated (e.g. `7,1`).
    #[arg(long, env = "TECHMATCH_EXPIRY_REMINDER_DAYS", value_delimiter = ',', default_value = "7,1", value_parser = clap::value_parser!(u32).range(1..=365))]
    pub expiry_reminder_days: Vec<u32>,
    /// Days without a move after which an open connection is stale: both sides get a
    /// `connection_stale` notification, once per quiet period.
    #[arg(long, env = "TECHMATCH_CONNECTION_STALE_DAYS", default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub connection_stale_days: u32,
    /// Whether a user must verify their e-mail address (the link mailed at registration) before
    /// putting listings on the market or opening connections (403 `email_unverified`); they can
    /// sign in and write drafts either way. `true` or `false`.
    #[arg(long, env = "TECHMATCH_REQUIRE_EMAIL_VERIFICATION", default_value_t = true, action = clap::ArgAction::Set)]
    pub require_email_verification: bool,
}

impl Default for LifecycleConfig {
    /// The documented defaults.
    fn default() -> Self {
        Self {
            verified_publish_directly: true,
            supply_validity_days: 365,
            demand_validity_days: 180,
            expiry_reminder_days: vec![7, 1],
            connection_stale_days: 14,
            require_email_verification: true,
        }
    }
}

/// How `TECHMATCH_SMTP_TLS` secures the SMTP connection.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SmtpTls {
    /// Plain text (a local relay or the development mail sink only).
    None,
    /// Plain connection upgraded with STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

/// Delivery of notifications (issue 13): the job that fans the outbox out to inboxes, e-mail and
/// webhooks, the SMTP relay and the webhook rules. Every setting has a default; without
/// `TECHMATCH_SMTP_HOST` e-mail stays queued (nothing is lost, nothing is sent).
#[derive(clap::Args, Clone, Debug)]
pub struct DeliveryConfig {
    /// Milliseconds between two delivery passes of this instance (every instance delivers;
    /// `FOR UPDATE SKIP LOCKED` shares the work so nothing is delivered twice).
    #[arg(long, env = "TECHMATCH_DELIVERY_TICK_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(20..=600_000))]
    pub delivery_tick_ms: u64,
    /// Rows one delivery transaction claims at most (outbox rows, e-mails or webhook deliveries).
    #[arg(long, env = "TECHMATCH_DELIVERY_BATCH", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub delivery_batch: u32,
    /// SMTP relay host; e-mail is not sent (stays queued) without one.
    #[arg(long, env = "TECHMATCH_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP relay port.
    #[arg(long, env = "TECHMATCH_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    /// `none`, `starttls` (default) or `tls`.
    #[arg(long, env = "TECHMATCH_SMTP_TLS", value_enum, default_value_t = SmtpTls::Starttls)]
    pub smtp_tls: SmtpTls,
    /// SMTP user name (with `TECHMATCH_SMTP_PASSWORD`); no authentication without it.
    #[arg(long, env = "TECHMATCH_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// SMTP password.
    #[arg(long, env = "TECHMATCH_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<Secret>,
    /// Milliseconds an SMTP conversation may take before it fails (and is retried).
    #[arg(long, env = "TECHMATCH_SMTP_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=120_000))]
    pub smtp_timeout_ms: u64,
    /// The sender of every mail, e.g. `科技成果供需对接平台 <noreply@example.org>`.
    #[arg(long, env = "TECHMATCH_MAIL_FROM", default_value = "techmatch <noreply@techmatch.local>")]
    pub mail_from: String,
    /// The address readers reach the platform at, put before the links of mails.
    #[arg(long, env = "TECHMATCH_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// Whether webhooks may target loopback addresses (127.0.0.0/8, ::1): for local development
    /// and tests only. Private and link-local targets are always refused.
    #[arg(long, env = "TECHMATCH_WEBHOOK_ALLOW_LOOPBACK", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhook_allow_loopback: bool,
    /// Consecutive failed attempts after which a webhook endpoint is disabled (and its
    /// organisation told by a `webhook_disabled` notification).
    #[arg(long, env = "TECHMATCH_WEBHOOK_MAX_FAILURES", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub webhook_max_failures: u32,
    /// Milliseconds a webhook request (connect, send, answer) may take.
    #[arg(long, env = "TECHMATCH_WEBHOOK_TIMEOUT_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub webhook_timeout_ms: u64,
}

impl Default for DeliveryConfig {
    /// The documented defaults.
    fn default() -> Self {
        Self {
            delivery_tick_ms: 1000,
            delivery_batch: 50,
            smtp_host: None,
            smtp_port: 587,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_timeout_ms: 10_000,
            mail_from: "techmatch <noreply@techmatch.local>".into(),
            public_url: "http://127.0.0.1:8080".into(),
            webhook_allow_loopback: false,
            webhook_max_failures: 10,
            webhook_timeout_ms: 5000,
        }
    }
}

/// Settings of `techmatch serve`.
#[derive(clap::Args, Clone, Debug)]
pub struct ServeConfig {
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(flatten)]
    pub auth: AuthConfig,
    #[command(flatten)]
    pub quotas: QuotaConfig,
    #[command(flatten)]
    pub lifecycle: LifecycleConfig,
    #[command(flatten)]
    pub delivery: DeliveryConfig,
    /// Milliseconds between two ticks of this instance's scheduled jobs (the expiry sweep and
    /// the expiry reminders). Every instance ticks; an advisory lock lets one run each job at a time.
    #[arg(long, env = "TECHMATCH_JOBS_TICK_MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(50..=600_000))]
    pub jobs_tick_ms: u64,
    /// The lifecycle's clock: the system clock (tests give a manual one, see [`crate::clock`]).
    #[arg(skip)]
    pub clock: crate::clock::Clock,
    /// A confirmed contract whose total is above this many fen waits for an admin's review before
    /// it counts in the statistics (default ¥100 M).
    #[arg(long, env = "TECHMATCH_CONTRACT_REVIEW_ABOVE_FEN", default_value_t = 10_000_000_000, value_parser = clap::value_parser!(i64).range(0..=1_000_000_000_000_000))]
    pub contract_review_above_fen: i64,
    /// Address and port to listen on; port 0 picks a free one.
    #[arg(long, env = "TECHMATCH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// HTTP worker threads (0 = one per CPU core).
    #[arg(long, env = "TECHMATCH_WORKERS", default_value_t = 0)]
    pub workers: usize,
    /// Largest accepted JSON body in bytes.
    #[arg(long, env = "TECHMATCH_MAX_BODY_BYTES", default_value_t = 256 * 1024, value_parser = clap::value_parser!(u64).range(1024..=16 * 1024 * 1024))]
    pub max_body_bytes: u64,
    /// Largest import upload in bytes (`POST /api/v1/exchange/imports`; 413 above, before the
    /// body is read whole).
    #[arg(long, env = "TECHMATCH_IMPORT_MAX_BYTES", default_value_t = 20 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=256 * 1024 * 1024))]
    pub import_max_bytes: u64,
    /// Similarity of titles (percent, 1–100) from which an imported row is listed as a
    /// near-duplicate of an existing listing.
    #[arg(long, env = "TECHMATCH_IMPORT_NEAR_DUPLICATE_PERCENT", default_value_t = 80, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub import_near_duplicate_percent: u8,
    /// Milliseconds between polls of the database for listing changes made by other instances
    /// (keeps this instance's matching index fresh).
    #[arg(long, env = "TECHMATCH_INDEX_REFRESH_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub index_refresh_ms: u64,
    /// Origins allowed to call the API from a browser (CORS), comma-separated, e.g.
    /// `https://app.example.org,http://localhost:5173`; none by default (no CORS headers).
    #[arg(long, env = "TECHMATCH_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Milliseconds a request may take before it answers 503 `request_timeout` (the deadline
    /// middleware); keep it above the statement timeout.
    #[arg(long, env = "TECHMATCH_REQUEST_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(500..=600_000))]
    pub request_timeout_ms: u64,
    /// Seconds that requests in flight get to finish after SIGTERM; keep it below the
    /// orchestrator's kill delay (compose's `stop_grace_period`, 30 s).
    #[arg(long, env = "TECHMATCH_SHUTDOWN_GRACE_SECS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub shutdown_grace_secs: u64,
}

/// Settings shared by every command.
#[derive(clap::Args, Clone, Debug)]
pub struct LogConfig {
    /// `pretty` or `json`. The level comes from `RUST_LOG` (default `info`).
    #[arg(long, env = "TECHMATCH_LOG_FORMAT", default_value = "pretty", global = true)]
    pub log_format: LogFormat,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_secrets_pass() {
        // 48 random bytes in base64, as scripts/run.sh and the compose instructions make them.
        assert_eq!(jwt_secret_weakness("+g4ewoPTgTk4hrY3FY59fyJ79RVJ5fP3IRXbGab3zX0j5E4hQNiSCyXn4n14DdYw"), None);
        // 32 random bytes in hex (`openssl rand -hex 32`).
        assert_eq!(jwt_secret_weakness("a1a056471735dad84404072afb8fda5d4d33aa146f958bfdab37c2b61f93baed"), None);
        // The integration tests' key.
        assert_eq!(jwt_secret_weakness("test-secret-of-at-least-32-bytes-for-hs256"), None);
    }

    #[test]
    fn published_and_weak_secrets_are_refused() {
        let refused = |s: &str, why: &str| {
            let got = jwt_secret_weakness(s);
            assert!(got.as_deref().is_some_and(|g| g.contains(why)), "{s:?}: {got:?}");
        };
        refused("change-me-to-a-random-secret-of-32-bytes-or-more", "published placeholder");
        refused("  CHANGE-ME-to-a-random-secret-of-32-bytes-or-more ", "published placeholder");
        refused("please-replace-me-with-something-long-and-random", "published placeholder");
        refused("too-short", "at least 32 bytes");
        refused(&"a".repeat(64), "distinct bytes");
        refused(&"ab".repeat(32), "distinct bytes");
        refused(&"0123456789abcdef".repeat(4), "repeats a pattern");
        refused("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "runs of neighbouring");
        refused("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa123456789b", "runs of neighbouring");
        // 16 random bytes in hex: 32 characters but only about 122 bits by this estimate.
        refused("4a93fc6b788ae5e8bde27129b21dd4f3", "too predictable");
    }
}

//! What every handler can reach: the pool, the taxonomy, the matching service, the token
//! service, the login throttle, the trusted proxies, the credential cache, the hashing slots, the
//! organisation quotas, the lifecycle's clock and settings, and the metrics registry. This module
//! sits low: it imports the services it holds, never a handler or the routes.

use std::sync::Arc;

use crate::auth::credentials::CredentialCache;
use crate::auth::password::Hashing;
use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::TokenService;
use crate::client_addr::TrustedProxies;
use crate::clock::Clock;
use crate::db::PgPool;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::lifecycle::Lifecycle;
use crate::matches::service::MatchService;
use crate::metrics::Metrics;
use crate::quota::Quotas;

/// The application state, shared by every worker as `web::Data<AppState>`.
pub struct AppState {
    pub pool: PgPool,
    pub taxonomy: &'static Taxonomy,
    pub matcher: Arc<MatchService>,
    pub tokens: Arc<TokenService>,
    pub throttle: LoginThrottle,
    /// Whose `X-Forwarded-For` names the client (throttles and logs).
    pub trusted_proxies: TrustedProxies,
    /// What tokens are checked against: users' current standing, remembered briefly.
    pub credentials: CredentialCache,
    /// The bounded slots in which passwords are hashed and verified.
    pub hashing: Hashing,
    /// Per-organisation volume limits, counted in PostgreSQL ([`crate::quota`]).
    pub quotas: Quotas,
    /// How long an invitation to join an organisation stays valid (`TECHMATCH_INVITATION_TTL_HOURS`).
    pub invitation_ttl: chrono::Duration,
    /// The lifecycle's clock: every "now" of review, expiry and renewal ([`crate::clock`]).
    pub clock: Clock,
    /// Review and validity settings ([`crate::listing::lifecycle`]).
    pub lifecycle: Lifecycle,
    /// A confirmed contract above this total (fen) waits for an admin's review before it counts.
    pub contract_review_above_fen: i64,
    /// Whether webhooks may target loopback addresses (`TECHMATCH_WEBHOOK_ALLOW_LOOPBACK`).
    pub webhook_allow_loopback: bool,
    /// Where readers reach the platform: the start of links in mails (`TECHMATCH_PUBLIC_URL`).
    pub public_url: String,
    pub metrics: Metrics,
    /// Import and export settings (信息汇交, [`crate::exchange`]).
    pub exchange: ExchangeSettings,
}

/// Settings of the exchange's imports.
#[derive(Debug, Clone, Copy)]
pub struct ExchangeSettings {
    /// Largest upload in bytes (`TECHMATCH_IMPORT_MAX_BYTES`).
    pub max_import_bytes: u64,
    /// Similarity (0–1) from which an imported row is a near-duplicate.
    pub near_duplicate_threshold: f32,
}

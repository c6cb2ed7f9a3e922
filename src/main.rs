//! The `techmatch` command: `serve`, `migrate`, `import`, `eval`, `demo`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use diesel::prelude::*;
use matching::eval::run_eval;
use matching::MatchingConfig;

use techmatch::accounts::demo::ensure_demo_accounts;
use techmatch::app::Application;
use techmatch::config::{DatabaseConfig, LifecycleConfig, LogConfig, ServeConfig};
use techmatch::connections::demo::seed as seed_demo_connections;
use techmatch::fairs::demo::seed as seed_demo_event;
use techmatch::import::{import_with, ListingSide};
use techmatch::industries::taxonomy::Taxonomy;
use techmatch::listing::lifecycle::Lifecycle;
use techmatch::matches::service::MatchService;
use techmatch::reviews::demo::seed as seed_demo_listings;
use techmatch::{db, telemetry};

/// mimalloc instead of glibc's malloc: glibc keeps the freed 19 MiB blocks of Argon2 in each
/// thread's arena (and raises its mmap threshold past them), so a burst of password hashing
/// left the process at gigabytes; mimalloc returns freed memory to the OS (BENCHMARKS.md,
/// "Password flood").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Demo connections created by `techmatch demo`.
const DEMO_CONNECTIONS: usize = 7;

#[derive(Parser)]
#[command(name = "techmatch", version, about = "Technology supply–demand matching API (科技成果供需对接平台)")]
struct Cli {
    #[command(flatten)]
    log: LogConfig,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve(Box<ServeConfig>),
    /// Apply pending database migrations (safe to run from several replicas at once).
    Migrate(DatabaseConfig),
    /// Import listings from a JSON-lines file (format: data/README.md); idempotent.
    Import {
        /// The .jsonl file.
        file: PathBuf,
        /// What the file holds; guessed from the file name when omitted.
        #[arg(long, value_enum)]
        side: Option<ListingSide>,
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(flatten)]
        lifecycle: LifecycleConfig,
    },
    /// Rank the matching development set (eval/) in both directions through the engine, write
    /// run files and print NDCG@10, Recall@50 and MRR@10 (cross-check with eval/evaluate.py).
    Eval {
        /// The development set (supplies.jsonl, demands.jsonl, qrels.tsv).
        #[arg(default_value = "eval")]
        dir: PathBuf,
        /// Where the run files go.
        #[arg(long, default_value = "eval/runs")]
        out: PathBuf,
        /// Plain BM25 (every other signal off), for comparison.
        #[arg(long)]
        plain_bm25: bool,
    },
    /// Create the demo accounts (one per role) used in the README, a handful of demo connections
    /// in varied statuses when there are none yet, and demo listings in every lifecycle state
    /// (review queue, changes requested, rejected, on the market, expired), one awarded challenge
    /// with applications, scores and its connection, and one matchmaking event already held
    /// (registrations, pairs, meetings, roadshows, intents); idempotent.
    Demo {
        /// Password of every demo account.
        #[arg(long, env = "TECHMATCH_DEMO_PASSWORD", default_value = "techmatch-demo-2026", hide_env_values = true)]
        password: String,
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(flatten)]
        lifecycle: LifecycleConfig,
    },
    /// Run a local SMTP server that writes every mail it receives as an .eml file (development and
    /// tests; plain SMTP on loopback: set TECHMATCH_SMTP_TLS=none).
    Mailsink {
        /// Address and port to listen on; port 0 picks a free one (logged).
        #[arg(long, default_value = "127.0.0.1:2525")]
        bind: std::net::SocketAddr,
        /// Folder the .eml files are written to.
        #[arg(long, default_value = "mail")]
        dir: PathBuf,
    },
}

fn connect(config: &DatabaseConfig) -> anyhow::Result<PgConnection> {
    PgConnection::establish(&db::with_fail_fast_options(config.database_url.expose()))
        .context("cannot connect to DATABASE_URL")
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.log.log_format);
    match cli.command {
        Command::Serve(config) => {
            Application::build(*config).await?.run_until_stopped().await?;
        }
        Command::Migrate(config) => {
            let applied = db::run_migrations(&mut connect(&config)?)?;
            tracing::info!(count = applied.len(), versions = ?applied, "migrations applied");
        }
        Command::Import { file, side, database, lifecycle } => {
            let side = side
                .or_else(|| ListingSide::from_file_name(&file))
                .context("cannot tell supplies from demands by the file name: pass --side supply|demand")?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let settings = Lifecycle::from(&lifecycle);
            let report = import_with(
                &mut connect(&database)?,
                &text,
                side,
                Taxonomy::embedded(),
                &settings,
                chrono::Utc::now(),
            )?;
            tracing::info!(file = %file.display(), inserted = report.inserted, skipped = report.skipped, "import finished");
        }
        Command::Eval { dir, out, plain_bm25 } => {
            let config = if plain_bm25 { MatchingConfig::plain_bm25() } else { MatchingConfig::default() };
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            let report = run_eval(&dir, &config, &out).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("demand -> supply: {}\nsupply -> demand: {}", report.d2s, report.s2d);
            println!("run files: {} {}", report.d2s_run.display(), report.s2d_run.display());
        }
        Command::Demo { password, database, lifecycle } => {
            let mut conn = connect(&database)?;
            let accounts = ensure_demo_accounts(&mut conn, &password)?;
            let matcher = MatchService::new(Taxonomy::embedded(), MatchingConfig::default());
            matcher.refresh(&mut conn)?;
            let connections = seed_demo_connections(&mut conn, &matcher, DEMO_CONNECTIONS)?;
            let settings = Lifecycle::from(&lifecycle);
            let listings = seed_demo_listings(&mut conn, &password, &settings, chrono::Utc::now())?;
            let challenges = techmatch::challenges::demo::seed(&mut conn, &matcher)?;
            let event = seed_demo_event(&mut conn, &matcher, Taxonomy::embedded(), chrono::Utc::now())?;
            tracing::info!(accounts, connections, listings, challenges, event = ?event, "demo data ready");
        }
        Command::Mailsink { bind, dir } => {
            std::thread::spawn(move || techmatch::mailsink::serve(bind, &dir))
                .join()
                .map_err(|_| anyhow::anyhow!("the mail sink panicked"))??;
        }
    }
    Ok(())
}

//! The figure of issue 13: time from a listing coming on the market to its `new_match`
//! notifications being in the outbox, and then in the inbox (fanned out by the delivery pass),
//! with 10,000 stored subscriptions and 10,000 listings. Ignored in the normal run; BENCHMARKS.md gives the command and the figures.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::{self, TestApp, TestDb};
use crate::subscriptions::scalar;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[derive(QueryableByName)]
struct Run {
    #[diesel(sql_type = diesel::sql_types::Double)]
    ms: f64,
}

#[actix_web::test]
#[ignore = "benchmark: scripts/test.sh -E 'test(/notify_bench/)' --run-ignored only --no-capture"]
async fn new_match_latency_with_10k_subscriptions_and_10k_listings() {
    let db = TestDb::new();
    db.import_real_listings();
    let mut conn = db.connect();
    // 10,000 listings on the market: the 163 real ones and copies with numbered titles (the trigger
    // is off while seeding, so only the measured listings are queued for matching)
    conn.batch_execute(
        "ALTER TABLE supplies DISABLE TRIGGER supplies_market_entry;
         ALTER TABLE demands DISABLE TRIGGER demands_market_entry;
         UPDATE supplies SET status = 'published', expires_at = now() + interval '300 days';
         UPDATE demands SET status = 'open', expires_at = now() + interval '300 days';
         CREATE TEMP TABLE s AS SELECT * FROM supplies;
         CREATE TEMP TABLE d AS SELECT * FROM demands;
         INSERT INTO supplies SELECT (t).* FROM (
             SELECT jsonb_populate_record(s, jsonb_build_object('id', gen_random_uuid(), 'title', s.title || ' 第' || g || '批')) AS t
             FROM s, generate_series(1, 45) g) x;
         INSERT INTO demands SELECT (t).* FROM (
             SELECT jsonb_populate_record(d, jsonb_build_object('id', gen_random_uuid(), 'title', d.title || ' 第' || g || '批')) AS t
             FROM d, generate_series(1, 93) g) x;
         ALTER TABLE supplies ENABLE TRIGGER supplies_market_entry;
         ALTER TABLE demands ENABLE TRIGGER demands_market_entry;",
    )
    .unwrap();
    let listings = scalar_on(&mut conn, "SELECT (SELECT count(*) FROM supplies) + (SELECT count(*) FROM demands) AS n");
    assert!(listings >= 10_000, "{listings}");

    let mut config = common::serve_config(&db.url);
    config.jobs_tick_ms = 50;
    config.delivery.delivery_tick_ms = 50;
    let app = TestApp::spawn_with(db, config).await;
    let mut subscribers = Vec::new();
    for i in 0..50 {
        subscribers.push(app.register("enterprise", &format!("订阅企业{i}")).await);
    }
    // 10,000 subscriptions: each a real keyword (and every third a second one as text), both
    // sides, minimum scores 0–0.4, spread over 50 users
    let users: Vec<String> = subscribers.iter().map(|s| format!("'{}'", s.user_id)).collect();
    diesel::sql_query(format!(
        "WITH kw AS (SELECT array_agg(k ORDER BY k) AS a FROM (SELECT DISTINCT unnest(keywords) AS k FROM supplies \
                     UNION SELECT DISTINCT unnest(keywords) FROM demands) x),
              u AS (SELECT array_agg(id ORDER BY id) AS a FROM users WHERE id IN ({}))
         INSERT INTO subscriptions (id, user_id, organization_id, name, target, query_text, keywords, min_score,
                                    frequency, created_at, updated_at)
         SELECT gen_random_uuid(), users.id, users.organization_id, '订阅 ' || g,
                CASE WHEN g % 2 = 0 THEN 'supply' ELSE 'demand' END,
                CASE WHEN g % 3 = 0 THEN kw.a[1 + (g * 7) % array_length(kw.a, 1)] END,
                ARRAY[kw.a[1 + g % array_length(kw.a, 1)]], (g % 5) * 0.1, 'instant', now(), now()
         FROM generate_series(1, 10000) g, kw, u JOIN users ON true
         WHERE users.id = u.a[1 + g % array_length(u.a, 1)]",
        users.join(",")
    ))
    .execute(&mut app.db.connect())
    .unwrap();
    assert_eq!(scalar(&app, "SELECT count(*) AS n FROM subscriptions"), 10_000);

    // new listings from the real texts, alternately supplies and demands, each measured alone
    let publisher = app.register("university", "发布单位").await;
    let enterprise = app.register("enterprise", "发布企业").await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/listings");
    let lines = |file: &str| -> Vec<Value> {
        std::fs::read_to_string(root.join(file)).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let (supplies, demands) = (lines("supplies.jsonl"), lines("demands.jsonl"));
    let rounds: usize = std::env::var("NOTIFY_BENCH_LISTINGS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let mut waits = Vec::new();
    let mut inbox_waits = Vec::new();
    let mut runs_ms = Vec::new();
    let mut scored = Vec::new();
    let mut queued = Vec::new();
    for i in 0..rounds + 5 {
        let source = if i % 2 == 0 { &supplies[i / 2 % supplies.len()] } else { &demands[i / 2 % demands.len()] };
        let keywords: Vec<&str> = source["keywords"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).filter(|k| k.chars().count() <= 30).take(10).collect())
            .unwrap_or_default();
        let title = format!("{} 新{i}", source["title"].as_str().unwrap());
        let text = source["summary"].as_str().or(source["description"].as_str()).unwrap_or("说明");
        let started = Instant::now();
        let created = if i % 2 == 0 {
            app.create_supply(&publisher, json!({"title": title, "summary": text, "keywords": keywords})).await
        } else {
            app.create_demand(&enterprise, json!({"title": title, "description": text, "keywords": keywords})).await
        };
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_string();
        let done = format!(
            "SELECT count(*) AS n FROM listing_market_entries WHERE listing_id = '{id}' AND matched_at IS NOT NULL"
        );
        while scalar(&app, &done) == 0 {
            assert!(started.elapsed() < Duration::from_secs(60), "listing {id} not matched");
            actix_web::rt::time::sleep(Duration::from_millis(2)).await;
        }
        let waited = started.elapsed().as_secs_f64() * 1000.0;
        let pending = format!(
            "SELECT count(*) AS n FROM notification_outbox WHERE kind = 'new_match' \
             AND payload->>'listing_id' = '{id}' AND delivered_at IS NULL"
        );
        while scalar(&app, &pending) > 0 {
            assert!(started.elapsed() < Duration::from_secs(60), "listing {id} not fanned out");
            actix_web::rt::time::sleep(Duration::from_millis(2)).await;
        }
        let in_inbox = started.elapsed().as_secs_f64() * 1000.0;
        if i < 5 {
            continue; // warm-up: the first run loads the 10,000 subscriptions into the standing index
        }
        waits.push(waited);
        inbox_waits.push(in_inbox);
        scored.push(scalar(
            &app,
            &format!("SELECT scored::bigint AS n FROM listing_market_entries WHERE listing_id = '{id}'"),
        ) as f64);
        queued.push(scalar(
            &app,
            &format!("SELECT queued::bigint AS n FROM listing_market_entries WHERE listing_id = '{id}'"),
        ) as f64);
        let run: Run = diesel::sql_query(
            "SELECT extract(epoch FROM finished_at - started_at)::float8 * 1000 AS ms FROM job_runs \
             WHERE job = 'new_matches' AND rows_affected > 0 ORDER BY id DESC LIMIT 1",
        )
        .get_result(&mut app.db.connect())
        .unwrap();
        runs_ms.push(run.ms);
    }
    for v in [&mut waits, &mut inbox_waits, &mut runs_ms, &mut scored, &mut queued] {
        v.sort_by(|a, b| a.total_cmp(b));
    }
    let line = |name: &str, v: &[f64]| {
        println!(
            "{name}: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}  mean {:.1}",
            percentile(v, 0.5),
            percentile(v, 0.9),
            percentile(v, 0.99),
            v[v.len() - 1],
            v.iter().sum::<f64>() / v.len() as f64
        )
    };
    println!("{listings} listings, 10000 subscriptions, {rounds} new listings measured (jobs and delivery tick 50 ms)");
    line("on market -> notifications in the outbox, ms (HTTP 201 to matched_at seen)", &waits);
    line("on market -> notifications in the inbox, ms (HTTP 201 to every outbox row delivered)", &inbox_waits);
    line("job run for one listing, ms (job_runs finished - started)", &runs_ms);
    line("subscriptions scored per listing (standing-index candidates)", &scored);
    line("notifications queued per listing", &queued);
}

fn scalar_on(conn: &mut PgConnection, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
}

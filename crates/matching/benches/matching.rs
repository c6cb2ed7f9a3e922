//! Speed harness of the matching engine.
//!
//! ```text
//! MATCHING_BENCH_SIZES=10000,200000 MATCHING_BENCH_CONFIG=tuned \
//!   cargo bench --bench matching
//! ```
//! For each size (listings; default `10000,200000`) it builds a synthetic supply corpus from
//! real text (see `support/synth.rs`), loads it with `upsert_many`, then runs every real
//! demand text of the dev set and the listings (title + description, 142 queries) as a
//! top-20 search, `MATCHING_BENCH_PASSES` times (default 5), and prints build time, p50/p99
//! latency and VmRSS/VmHWM. `MATCHING_BENCH_CONFIG=plain` uses `MatchingConfig::plain_bm25()`.
//! Run one size per process for clean memory figures. Afterwards a criterion group measures
//! the same searches on the smallest size (skip with `MATCHING_BENCH_NO_CRITERION=1`).
//! `MATCHING_ROOT` is the repository root holding `eval/` and `data/` (default: two levels
//! above this crate's directory). `MATCHING_CONFIG` (a JSON object) overrides fields of the configuration.
//! Alongside wall-clock latency the harness prints on-CPU time per query
//! (`CLOCK_THREAD_CPUTIME_ID`), which separates the engine's cost from waiting for a core on a
//! busy machine, and the process CPU time of the build.

// A harness run by hand: a missing file or a bad setting stops it with the reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::time::Instant;

use criterion::{black_box, Criterion};
use matching::{Filters, IndustryDef, MatchEngine, MatchingConfig, Query, Side};

fn taxonomy(root: &std::path::Path) -> Vec<IndustryDef> {
    let text = std::fs::read_to_string(root.join("data/industries.json")).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    v.get("industries")
        .and_then(|x| x.as_array())
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| {
            let mut names = vec![s(i, "name_zh"), s(i, "name_en")];
            names.extend(
                i.get("aliases")
                    .and_then(|a| a.as_array())
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect::<Vec<_>>())
                    .unwrap_or_default(),
            );
            IndustryDef { code: s(i, "code"), group: s(i, "group"), names }
        })
        .collect()
}

fn build(root: &std::path::Path, pools: &synth::Pools, n: usize, cfg: &MatchingConfig) -> (MatchEngine, f64) {
    let mut engine = MatchEngine::new(taxonomy(root), cfg.clone());
    let mut rng = synth::Rng(0x9E37_79B9_7F4A_7C15);
    let cpu0 = synth::process_cpu_s();
    let t = Instant::now();
    let batch = 10_000;
    let mut i = 0u64;
    while (i as usize) < n {
        let m = batch.min(n - i as usize);
        let docs: Vec<_> = (0..m as u64).map(|k| synth::document(pools, &mut rng, i + k)).collect();
        engine.upsert_many(docs);
        i += m as u64;
    }
    engine.shrink_to_fit();
    let wall = t.elapsed().as_secs_f64();
    println!(
        "build n={n}: wall {wall:.2}s, process cpu {:.2}s (includes generating the synthetic documents)",
        synth::process_cpu_s() - cpu0
    );
    (engine, wall)
}

/// The list endpoints' `q` (`MatchEngine::text_query` + `find`, at most 1000 hits, as the API
/// asks): every 20th real keyword alone and joined with the next one (`枸杞 采收`), `passes`
/// times; prints p50/p99 wall and on-CPU milliseconds.
fn list_search(engine: &MatchEngine, pools: &synth::Pools, passes: usize, n: usize) {
    let kws: Vec<&String> = pools.keywords.iter().step_by(20).collect();
    let mut texts: Vec<String> = kws.iter().map(|k| k.to_string()).collect();
    texts.extend(kws.windows(2).map(|w| format!("{} {}", w[0], w[1])));
    let (mut lat, mut cpu, mut hits) = (Vec::new(), Vec::new(), 0usize);
    for _ in 0..passes {
        for text in &texts {
            let c0 = synth::thread_cpu_ns();
            let t = Instant::now();
            let found = engine.find(&engine.text_query(text), Side::Supply, 1000);
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            if let (Some(a), Some(b)) = (c0, synth::thread_cpu_ns()) {
                cpu.push(b.saturating_sub(a) as f64 / 1e6);
            }
            hits += found.len();
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    cpu.sort_by(|a, b| a.total_cmp(b));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "list search (q) n={n}: wall ms p50={:.3} p99={:.3} max={:.3} | on-cpu ms p50={:.3} p99={:.3} (queries={}, avg hits={:.1}) | loadavg {}",
        percentile(&lat, 50.0),
        percentile(&lat, 99.0),
        lat.last().copied().unwrap_or(0.0),
        percentile(&cpu, 50.0),
        percentile(&cpu, 99.0),
        lat.len(),
        hits as f64 / lat.len().max(1) as f64,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn main() {
    let root = std::env::var("MATCHING_ROOT")
        .map_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."), PathBuf::from);
    let sizes: Vec<usize> = std::env::var("MATCHING_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,200000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let passes: usize = std::env::var("MATCHING_BENCH_PASSES").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let cfg_name = std::env::var("MATCHING_BENCH_CONFIG").unwrap_or_else(|_| "tuned".into());
    let mut cfg = if cfg_name == "plain" { MatchingConfig::plain_bm25() } else { MatchingConfig::default() };
    // `MATCHING_CONFIG` (a JSON object) overrides fields of the chosen configuration.
    if let Ok(js) = std::env::var("MATCHING_CONFIG") {
        let mut base = serde_json::to_value(&cfg).unwrap_or(serde_json::Value::Null);
        if let (Some(b), Ok(serde_json::Value::Object(p))) = (base.as_object_mut(), serde_json::from_str(&js)) {
            for (k, v) in p {
                b.insert(k, v);
            }
        }
        cfg = serde_json::from_value(base).unwrap_or(cfg);
    }
    let pools = synth::load(&root);
    if pools.sentences.is_empty() || pools.titles.is_empty() || pools.keywords.is_empty() || pools.industries.is_empty()
    {
        eprintln!("no text found under {} (set MATCHING_ROOT to the repository root)", root.display());
        std::process::exit(1);
    }
    let queries: Vec<Query> =
        pools.queries.iter().map(|(t, b)| Query { title: t.clone(), body: b.clone(), ..Query::default() }).collect();
    println!(
        "pools: {} titles, {} sentences, {} keywords; {} queries; config={cfg_name} {}",
        pools.titles.len(),
        pools.sentences.len(),
        pools.keywords.len(),
        queries.len(),
        std::env::var("MATCHING_CONFIG").unwrap_or_default()
    );
    let mut smallest: Option<MatchEngine> = None;
    for &n in &sizes {
        let (engine, build_s) = build(&root, &pools, n, &cfg);
        let (rss, hwm) = synth::memory_mib();
        let mut lat = Vec::new();
        let mut cpu = Vec::new();
        let mut totals = 0usize;
        for _ in 0..passes {
            for q in &queries {
                let c0 = synth::thread_cpu_ns();
                let t = Instant::now();
                let page = engine.search(q, Side::Supply, &Filters::default(), 0, 20);
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                if let (Some(a), Some(b)) = (c0, synth::thread_cpu_ns()) {
                    cpu.push(b.saturating_sub(a) as f64 / 1e6);
                }
                totals += page.items.len();
            }
        }
        lat.sort_by(|a, b| a.total_cmp(b));
        cpu.sort_by(|a, b| a.total_cmp(b));
        let mean = lat.iter().sum::<f64>() / lat.len().max(1) as f64;
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!(
            "config={cfg_name} n={n} build={build_s:.2}s postings={} rss={rss:.0}MiB hwm={hwm:.0}MiB | top20 wall ms: p50={:.3} p90={:.3} p99={:.3} max={:.3} mean={mean:.3} | on-cpu ms: p50={:.3} p99={:.3} (queries={}, avg items={:.1}) | loadavg {}",
            engine.postings_len(Side::Supply),
            percentile(&lat, 50.0),
            percentile(&lat, 90.0),
            percentile(&lat, 99.0),
            lat.last().copied().unwrap_or(0.0),
            percentile(&cpu, 50.0),
            percentile(&cpu, 99.0),
            lat.len(),
            totals as f64 / lat.len().max(1) as f64,
            load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
        );
        list_search(&engine, &pools, passes, n);
        if smallest.is_none() {
            smallest = Some(engine);
        }
    }
    if std::env::var("MATCHING_BENCH_NO_CRITERION").is_ok() {
        return;
    }
    if let Some(engine) = smallest {
        let mut c = Criterion::default().configure_from_args().sample_size(20);
        c.bench_function(&format!("search_top20_{cfg_name}_{}", engine.len(Side::Supply)), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % queries.len();
                black_box(engine.search(&queries[i], Side::Supply, &Filters::default(), 0, 20))
            })
        });
        c.final_summary();
    }
}

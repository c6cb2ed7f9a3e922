//! Quality harness over the CSL-derived development set (`eval/` of the repository).
//!
//! [`run_eval`] loads `supplies.jsonl`, `demands.jsonl` and `qrels.tsv`, ingests every
//! listing into one [`MatchEngine`] through [`MatchEngine::upsert`] (the API's write path),
//! ranks both directions, writes the run files `d2s.tsv` and `s2d.tsv` (top 100,
//! `qid<TAB>docid<TAB>rank<TAB>score`) and computes the metrics exactly as `evaluate.py`
//! does (without its bootstrap interval).
//!
//! **Label mapping.** CSL's labels are not the platform's industry codes. Each CSL
//! `category` (门类) becomes a *group* `csl:<category>` and each `industry` (学科,
//! discipline) an *industry* `csl:<discipline>` of that group, named by the discipline
//! ([`csl_industries`]). A supply is tagged with its discipline. A demand carries only its
//! category, given as a group-level tag (`Query::groups` / `Document::groups`), never
//! keywords: demand → supply queries are title + description + the category group;
//! supply → demand queries are title + summary + keywords + the discipline.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::MatchingConfig;
use crate::document::{Document, Filters, IndustryDef, Query, Side};
use crate::engine::MatchEngine;

/// A supply line of `supplies.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalSupply {
    /// `S0001` …
    pub id: String,
    /// Paper title.
    pub title: String,
    /// Full abstract.
    pub summary: String,
    /// Author keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// CSL discipline (学科).
    pub industry: String,
    /// CSL category (门类).
    pub category: String,
}

/// A demand line of `demands.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalDemand {
    /// `D001` …
    pub id: String,
    /// Paper title.
    pub title: String,
    /// Leading sentences of the abstract.
    pub description: String,
    /// CSL category (门类).
    pub category: String,
}

/// Metrics of one direction, as `evaluate.py` defines them (means over all judged queries;
/// a query missing from the run scores 0).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// NDCG@10, gain 2^grade − 1, ideal from all judged documents.
    pub ndcg_10: f64,
    /// Share of grade ≥ 1 documents in the top 50.
    pub recall_50: f64,
    /// 1 / rank of the first grade ≥ 1 document in the top 10.
    pub mrr_10: f64,
    /// Recall@50 counting grade 2 only.
    pub recall_50_g2: f64,
    /// MRR@10 counting grade 2 only.
    pub mrr_10_g2: f64,
    /// Number of judged queries.
    pub queries: usize,
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "NDCG@10={:.4}  R@50={:.4}  MRR@10={:.4}  R@50_g2={:.4}  MRR@10_g2={:.4}  (q={})",
            self.ndcg_10, self.recall_50, self.mrr_10, self.recall_50_g2, self.mrr_10_g2, self.queries
        )
    }
}

/// What [`run_eval`] returns.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Demand → supply (89 queries × 911 supplies).
    pub d2s: Metrics,
    /// Supply → demand (the 124 judged supplies × 89 demands).
    pub s2d: Metrics,
    /// Path of the demand → supply run file.
    pub d2s_run: PathBuf,
    /// Path of the supply → demand run file.
    pub s2d_run: PathBuf,
}

/// Errors of the harness.
#[derive(Debug)]
pub enum EvalError {
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line could not be parsed.
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            EvalError::Parse { path, line, message } => write!(f, "{}:{line}: {message}", path.display()),
        }
    }
}

impl std::error::Error for EvalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EvalError::Io { source, .. } => Some(source),
            EvalError::Parse { .. } => None,
        }
    }
}

fn read(path: &Path) -> Result<String, EvalError> {
    fs::read_to_string(path).map_err(|source| EvalError::Io { path: path.to_path_buf(), source })
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, EvalError> {
    let text = read(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v = serde_json::from_str(line).map_err(|e| EvalError::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            message: e.to_string(),
        })?;
        out.push(v);
    }
    Ok(out)
}

/// Judgements: demand id → supply id → grade.
pub type Qrels = HashMap<String, HashMap<String, u8>>;

/// Read `qrels.tsv` (`demand_id<TAB>supply_id<TAB>grade` with a header line).
pub fn read_qrels(path: &Path) -> Result<Qrels, EvalError> {
    let text = read(path)?;
    let mut q: Qrels = HashMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        let bad = |message: String| EvalError::Parse { path: path.to_path_buf(), line: i + 1, message };
        if parts.len() != 3 {
            return Err(bad(format!("expected 3 columns, got {}", parts.len())));
        }
        let g: u8 = parts[2].trim().parse().map_err(|e| bad(format!("grade: {e}")))?;
        q.entry(parts[0].to_string()).or_default().insert(parts[1].to_string(), g);
    }
    Ok(q)
}

/// Swap the roles: supply id → demand id → grade.
pub fn invert_qrels(q: &Qrels) -> Qrels {
    let mut out: Qrels = HashMap::new();
    for (d, m) in q {
        for (s, g) in m {
            out.entry(s.clone()).or_default().insert(d.clone(), *g);
        }
    }
    out
}

/// The synthetic taxonomy of the dev set: one industry `csl:<discipline>` per discipline,
/// in group `csl:<category>`, named by the discipline. Disciplines sorted for stability.
pub fn csl_industries(supplies: &[EvalSupply]) -> Vec<IndustryDef> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for s in supplies {
        seen.entry(s.industry.as_str()).or_insert(s.category.as_str());
    }
    seen.into_iter()
        .map(|(disc, cat)| IndustryDef {
            code: format!("csl:{disc}"),
            group: format!("csl:{cat}"),
            names: vec![disc.to_string()],
        })
        .collect()
}

/// Stable UUID of a dev-set id: two FNV-1a 64-bit hashes of the id (different offset
/// bases) side by side. Deterministic across runs and platforms.
pub fn eval_uuid(id: &str) -> Uuid {
    let fnv = |basis: u64| id.bytes().fold(basis, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3));
    Uuid::from_u128((u128::from(fnv(0xCBF2_9CE4_8422_2325)) << 64) | u128::from(fnv(0x8422_2325_CBF2_9CE4)))
}

/// A supply as a [`Document`].
pub fn supply_document(s: &EvalSupply) -> Document {
    Document {
        id: eval_uuid(&s.id),
        side: Side::Supply,
        title: s.title.clone(),
        body: s.summary.clone(),
        keywords: s.keywords.clone(),
        industries: vec![format!("csl:{}", s.industry)],
        ..Document::default()
    }
}

/// A demand as a [`Document`]: no keywords, its category as a group tag.
pub fn demand_document(d: &EvalDemand) -> Document {
    Document {
        id: eval_uuid(&d.id),
        side: Side::Demand,
        title: d.title.clone(),
        body: d.description.clone(),
        groups: vec![format!("csl:{}", d.category)],
        ..Document::default()
    }
}

/// The demand → supply query: title + description, the category as the only tag.
pub fn demand_query(d: &EvalDemand) -> Query {
    Query {
        title: d.title.clone(),
        body: d.description.clone(),
        groups: vec![format!("csl:{}", d.category)],
        ..Query::default()
    }
}

/// The supply → demand query: title + summary + keywords + discipline.
pub fn supply_query(s: &EvalSupply) -> Query {
    Query {
        title: s.title.clone(),
        body: s.summary.clone(),
        keywords: s.keywords.clone(),
        industries: vec![format!("csl:{}", s.industry)],
        ..Query::default()
    }
}

/// The metrics of one ranked run (query id → document ids best first) against `qrels`.
pub fn evaluate(run: &HashMap<String, Vec<String>>, qrels: &Qrels) -> Metrics {
    let mut sums = [0.0f64; 5];
    let mut counts = [0usize; 5];
    let empty = Vec::new();
    for (qid, rel) in qrels {
        let ranked = run.get(qid).unwrap_or(&empty);
        let gain = |g: u8| f64::from((1u32 << g) - 1);
        let dcg: f64 = ranked
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, d)| gain(rel.get(d).copied().unwrap_or(0)) / ((i + 2) as f64).log2())
            .sum();
        let mut ideal: Vec<f64> = rel.values().map(|&g| gain(g)).collect();
        ideal.sort_by(|a, b| b.total_cmp(a));
        let idcg: f64 = ideal.iter().take(10).enumerate().map(|(i, g)| g / ((i + 2) as f64).log2()).sum();
        let r1: HashSet<&String> = rel.iter().filter(|(_, &g)| g >= 1).map(|(d, _)| d).collect();
        let r2: HashSet<&String> = rel.iter().filter(|(_, &g)| g >= 2).map(|(d, _)| d).collect();
        let top50: HashSet<&String> = ranked.iter().take(50).collect();
        let recall = |rs: &HashSet<&String>| {
            (!rs.is_empty()).then(|| rs.iter().filter(|d| top50.contains(*d)).count() as f64 / rs.len() as f64)
        };
        let mrr = |rs: &HashSet<&String>| {
            ranked.iter().take(10).position(|d| rs.contains(d)).map_or(0.0, |i| 1.0 / (i + 1) as f64)
        };
        let vals = [
            Some(if idcg > 0.0 { dcg / idcg } else { 0.0 }),
            recall(&r1),
            Some(mrr(&r1)),
            recall(&r2),
            (!r2.is_empty()).then(|| mrr(&r2)),
        ];
        for (i, v) in vals.iter().enumerate() {
            if let Some(v) = v {
                sums[i] += v;
                counts[i] += 1;
            }
        }
    }
    let avg = |i: usize| {
        if counts[i] > 0 {
            sums[i] / counts[i] as f64
        } else {
            0.0
        }
    };
    Metrics {
        ndcg_10: avg(0),
        recall_50: avg(1),
        mrr_10: avg(2),
        recall_50_g2: avg(3),
        mrr_10_g2: avg(4),
        queries: qrels.len(),
    }
}

fn write_run(path: &Path, rows: &[(String, Vec<(String, f32)>)]) -> Result<(), EvalError> {
    let io = |source| EvalError::Io { path: path.to_path_buf(), source };
    let mut f = std::io::BufWriter::new(fs::File::create(path).map_err(io)?);
    for (qid, list) in rows {
        for (rank, (doc, score)) in list.iter().enumerate() {
            writeln!(f, "{qid}\t{doc}\t{}\t{score:.6}", rank + 1).map_err(io)?;
        }
    }
    f.flush().map_err(io)
}

/// Run the whole harness: load `dir`, rank both directions with `config`, write
/// `out_dir/d2s.tsv` and `out_dir/s2d.tsv`, return the metrics. Listings are ingested one by
/// one with [`MatchEngine::upsert`], the API's write path.
pub fn run_eval(dir: &Path, config: &MatchingConfig, out_dir: &Path) -> Result<EvalReport, EvalError> {
    run_eval_with(dir, config, out_dir, false)
}

/// [`run_eval`], optionally loading all listings with one [`MatchEngine::upsert_many`] (the
/// start-up path: every keyword joins the dictionary before any listing is cut).
pub fn run_eval_with(
    dir: &Path,
    config: &MatchingConfig,
    out_dir: &Path,
    bulk_load: bool,
) -> Result<EvalReport, EvalError> {
    let supplies: Vec<EvalSupply> = read_jsonl(&dir.join("supplies.jsonl"))?;
    let demands: Vec<EvalDemand> = read_jsonl(&dir.join("demands.jsonl"))?;
    let qrels = read_qrels(&dir.join("qrels.tsv"))?;
    fs::create_dir_all(out_dir).map_err(|source| EvalError::Io { path: out_dir.to_path_buf(), source })?;

    let mut engine = MatchEngine::new(csl_industries(&supplies), config.clone());
    let docs = supplies.iter().map(supply_document).chain(demands.iter().map(demand_document));
    if bulk_load {
        engine.upsert_many(docs.collect());
    } else {
        for d in docs {
            engine.upsert(d);
        }
    }
    engine.infer_neighbour_industries();
    let names: HashMap<Uuid, String> = supplies
        .iter()
        .map(|s| (eval_uuid(&s.id), s.id.clone()))
        .chain(demands.iter().map(|d| (eval_uuid(&d.id), d.id.clone())))
        .collect();
    let rank = |q: &Query, target: Side| -> Vec<(String, f32)> {
        engine
            .search(q, target, &Filters::default(), 0, 100)
            .items
            .into_iter()
            .filter_map(|m| names.get(&m.id).map(|n| (n.clone(), m.score)))
            .collect()
    };

    let d2s_rows: Vec<(String, Vec<(String, f32)>)> =
        demands.iter().map(|d| (d.id.clone(), rank(&demand_query(d), Side::Supply))).collect();
    let s2d_qrels = invert_qrels(&qrels);
    let s2d_rows: Vec<(String, Vec<(String, f32)>)> = supplies
        .iter()
        .filter(|s| s2d_qrels.contains_key(&s.id))
        .map(|s| (s.id.clone(), rank(&supply_query(s), Side::Demand)))
        .collect();

    let d2s_run = out_dir.join("d2s.tsv");
    let s2d_run = out_dir.join("s2d.tsv");
    write_run(&d2s_run, &d2s_rows)?;
    write_run(&s2d_run, &s2d_rows)?;
    let as_run = |rows: &[(String, Vec<(String, f32)>)]| -> HashMap<String, Vec<String>> {
        rows.iter().map(|(q, l)| (q.clone(), l.iter().map(|x| x.0.clone()).collect())).collect()
    };
    Ok(EvalReport {
        d2s: evaluate(&as_run(&d2s_rows), &qrels),
        s2d: evaluate(&as_run(&s2d_rows), &s2d_qrels),
        d2s_run,
        s2d_run,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_match_the_scorer_definitions() {
        let mut qrels: Qrels = HashMap::new();
        qrels.insert("q".into(), [("a".to_string(), 2u8), ("b".to_string(), 1u8)].into_iter().collect());
        let mut run = HashMap::new();
        run.insert("q".to_string(), vec!["x".to_string(), "b".to_string(), "a".to_string()]);
        let m = evaluate(&run, &qrels);
        // dcg = 1/log2(3) + 3/log2(4); idcg = 3 + 1/log2(3)
        let dcg = 1.0 / 3f64.log2() + 3.0 / 2.0;
        let idcg = 3.0 + 1.0 / 3f64.log2();
        assert!((m.ndcg_10 - dcg / idcg).abs() < 1e-12);
        assert!((m.mrr_10 - 0.5).abs() < 1e-12);
        assert!((m.mrr_10_g2 - 1.0 / 3.0).abs() < 1e-12);
        assert!((m.recall_50 - 1.0).abs() < 1e-12);
        // a query missing from the run scores 0
        let m0 = evaluate(&HashMap::new(), &qrels);
        assert_eq!(m0.ndcg_10, 0.0);
        assert_eq!(m0.queries, 1);
    }

    /// The quality harness on the repository's development set, as a regression guard: the
    /// tuned engine must stay above the set's strongest baselines and above plain BM25
    /// (`techmatch eval` prints the full figures). `MATCHING_EVAL_DIR` overrides the data
    /// directory (default: the repository's `eval/`), `MATCHING_CONFIG` (JSON object) overrides fields of
    /// the tuned configuration when tuning (`-- --nocapture` shows the figures).
    #[test]
    fn dev_set() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = std::env::var("MATCHING_EVAL_DIR").map_or_else(|_| root.join("eval"), std::path::PathBuf::from);
        let mut tuned = MatchingConfig::default();
        if let Ok(js) = std::env::var("MATCHING_CONFIG") {
            let mut base = serde_json::to_value(&tuned).unwrap_or(serde_json::Value::Null);
            if let (Some(b), Ok(serde_json::Value::Object(p))) = (base.as_object_mut(), serde_json::from_str(&js)) {
                for (k, v) in p {
                    b.insert(k, v);
                }
            }
            tuned = serde_json::from_value(base).unwrap_or(tuned);
        }
        let out = std::env::temp_dir().join("matching-eval");
        let t = run_eval(&dir, &tuned, &out.join("tuned"));
        let p = run_eval(&dir, &MatchingConfig::plain_bm25(), &out.join("plain_bm25"));
        match (t, p) {
            (Ok(t), Ok(p)) => {
                println!("tuned      d2s {}\ntuned      s2d {}", t.d2s, t.s2d);
                println!("plain_bm25 d2s {}\nplain_bm25 s2d {}", p.d2s, p.s2d);
                println!("runs: {} {}", t.d2s_run.display(), t.s2d_run.display());
                assert!(t.d2s.ndcg_10 > p.d2s.ndcg_10 && t.s2d.ndcg_10 > p.s2d.ndcg_10);
                // The strongest untuned baselines of eval/README.md: 0.655 and 0.721.
                assert!(t.d2s.ndcg_10 > 0.655, "demand -> supply fell to the baseline: {}", t.d2s);
                assert!(t.s2d.ndcg_10 > 0.721, "supply -> demand fell to the baseline: {}", t.s2d);
            }
            (Err(e), _) | (_, Err(e)) => panic!("dev set not readable at {}: {e}", dir.display()),
        }
    }
}

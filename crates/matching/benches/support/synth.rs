//! Synthetic corpora for the speed harness, recombined from real Chinese text: the
//! sentences, titles and keywords of the CSL development set (`eval/`) and of the real
//! listings (`data/listings/`). Deterministic (xorshift64 with a fixed seed).

use std::path::Path;

use serde_json::Value;

/// Deterministic xorshift64 generator.
pub struct Rng(pub u64);

impl Rng {
    /// Next raw value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Text pools.
pub struct Pools {
    pub titles: Vec<String>,
    pub sentences: Vec<String>,
    pub keywords: Vec<String>,
    pub industries: Vec<String>,
    /// Full demand texts used as queries: (title, body).
    pub queries: Vec<(String, String)>,
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn split_sentences(text: &str, out: &mut Vec<String>) {
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        // a '.' between digits is a decimal point, not a full stop
        let full_stop = c == '.' && !chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if full_stop || matches!(c, '。' | '；' | '！' | '？' | ';') {
            if cur.chars().count() >= 8 {
                out.push(std::mem::take(&mut cur));
            } else {
                cur.clear();
            }
        }
    }
    if cur.chars().count() >= 8 {
        out.push(cur);
    }
}

/// Load the pools from the repository root (`main/`).
pub fn load(root: &Path) -> Pools {
    let mut p = Pools { titles: vec![], sentences: vec![], keywords: vec![], industries: vec![], queries: vec![] };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let kws = |v: &Value| -> Vec<String> {
        v.get("keywords")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    for v in
        lines(&root.join("eval/supplies.jsonl")).iter().chain(lines(&root.join("data/listings/supplies.jsonl")).iter())
    {
        p.titles.push(s(v, "title"));
        split_sentences(&s(v, "summary"), &mut p.sentences);
        p.keywords.extend(kws(v));
    }
    for v in lines(&root.join("eval/demands.jsonl")) {
        p.titles.push(s(&v, "title"));
        split_sentences(&s(&v, "description"), &mut p.sentences);
        p.queries.push((s(&v, "title"), s(&v, "description")));
    }
    for v in lines(&root.join("data/listings/demands.jsonl")) {
        p.titles.push(s(&v, "title"));
        split_sentences(&s(&v, "summary"), &mut p.sentences);
        p.keywords.extend(kws(&v));
        p.queries.push((s(&v, "title"), s(&v, "summary")));
    }
    p.keywords.sort();
    p.keywords.dedup();
    if let Ok(t) = std::fs::read_to_string(root.join("data/industries.json")) {
        if let Ok(v) = serde_json::from_str::<Value>(&t) {
            for i in v.get("industries").and_then(Value::as_array).cloned().unwrap_or_default() {
                p.industries.push(s(&i, "code"));
            }
        }
    }
    p
}

/// Build synthetic document number `i`: a real title, 2–4 real sentences (about the length
/// of a real summary), 3–4 real keywords, 0–2 industries, TRL, price, modes, region.
pub fn document(p: &Pools, rng: &mut Rng, i: u64) -> matching::Document {
    use matching::{Document, Side, MODES};
    let n = 2 + rng.below(3);
    let body: String = (0..n).map(|_| p.sentences[rng.below(p.sentences.len())].as_str()).collect();
    let keywords = (0..3 + rng.below(2)).map(|_| p.keywords[rng.below(p.keywords.len())].clone()).collect();
    let industries = (0..rng.below(3)).map(|_| p.industries[rng.below(p.industries.len())].clone()).collect();
    let modes = (0..1 + rng.below(2)).map(|_| MODES[rng.below(MODES.len())].to_string()).collect();
    const REGIONS: [&str; 5] = ["宁夏", "银川", "石嘴山", "北京", "陕西"];
    Document {
        id: uuid::Uuid::from_u128(u128::from(i) + 1),
        side: Side::Supply,
        title: p.titles[rng.below(p.titles.len())].clone(),
        body,
        keywords,
        industries,
        groups: vec![],
        trl: Some(1 + rng.below(9) as u8),
        money_fen: Some((1 + rng.below(500)) as i64 * 1_000_000),
        modes,
        region: Some(REGIONS[rng.below(REGIONS.len())].to_string()),
    }
}

/// VmRSS and VmHWM of this process in MiB (0 when /proc is unavailable).
pub fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|x| x.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// On-CPU time of the calling thread in nanoseconds (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`),
/// so latency can be told apart from time spent waiting for a core on a busy machine.
/// `None` off Linux or on failure.
#[cfg(target_os = "linux")]
pub fn thread_cpu_ns() -> Option<u64> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

/// Not available off Linux.
#[cfg(not(target_os = "linux"))]
pub fn thread_cpu_ns() -> Option<u64> {
    None
}

/// User + system CPU seconds of the whole process so far (from `/proc/self/stat`, 100 Hz
/// ticks); 0 when unavailable.
pub fn process_cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // fields after the command name, which is in parentheses
    let rest = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name
    (ticks(11) + ticks(12)) / 100.0
}

//! Engine-level tests: explanations, filters, updates, exclusion.

use uuid::Uuid;

use matching::*;

fn taxonomy() -> Vec<IndustryDef> {
    vec![
        IndustryDef {
            code: "goji".into(),
            group: "six_special".into(),
            names: vec!["枸杞".into(), "goji".into(), "宁夏枸杞".into()],
        },
        IndustryDef {
            code: "wine".into(),
            group: "six_special".into(),
            names: vec!["葡萄酒".into(), "wine".into(), "酿酒葡萄".into()],
        },
        IndustryDef {
            code: "clean_energy".into(),
            group: "six_new".into(),
            names: vec!["清洁能源".into(), "光伏".into(), "储能".into()],
        },
    ]
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn supply(n: u128, title: &str, body: &str, kws: &[&str], inds: &[&str]) -> Document {
    Document {
        id: id(n),
        side: Side::Supply,
        title: title.into(),
        body: body.into(),
        keywords: kws.iter().map(|s| s.to_string()).collect(),
        industries: inds.iter().map(|s| s.to_string()).collect(),
        ..Document::default()
    }
}

fn engine() -> MatchEngine {
    let mut e = MatchEngine::new(taxonomy(), MatchingConfig::default());
    e.upsert(Document {
        trl: Some(7),
        region: Some("宁夏".into()),
        modes: vec!["license".into()],
        ..supply(
            1,
            "枸杞多糖高效提取工艺",
            "采用超声辅助提取枸杞多糖，得率提高30%。",
            &["枸杞多糖", "超声提取"],
            &["goji"],
        )
    });
    e.upsert(Document {
        trl: Some(4),
        region: Some("甘肃".into()),
        modes: vec!["transfer".into()],
        ..supply(2, "酿酒葡萄霜冻预警", "基于气象数据的葡萄园霜冻预警模型。", &["霜冻预警", "葡萄园"], &["wine"])
    });
    e.upsert(Document {
        trl: Some(8),
        region: Some("宁夏回族自治区".into()),
        modes: vec!["joint_development".into(), "license".into()],
        ..supply(
            3,
            "光伏组件清洗机器人",
            "面向荒漠光伏电站的组件自动清洗机器人，节水。",
            &["光伏组件", "清洗机器人"],
            &["clean_energy"],
        )
    });
    e
}

fn demand_query(title: &str, body: &str) -> Query {
    Query { title: title.into(), body: body.into(), ..Query::default() }
}

fn ids(p: &MatchPage) -> Vec<Uuid> {
    p.items.iter().map(|m| m.id).collect()
}

#[test]
fn explanation_names_keyword_and_industry() {
    let e = engine();
    let q = Query {
        industries: vec!["goji".into()],
        ..demand_query("寻求枸杞多糖提取技术", "企业希望提高枸杞多糖的提取得率，降低能耗。")
    };
    let page = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
    let top = &page.items[0];
    assert_eq!(top.id, id(1));
    assert!(top.score > 0.0 && top.score <= 1.0);
    let ex = &top.explanation;
    assert!(ex.matched_keywords.contains(&"枸杞多糖".to_string()), "{ex:?}");
    assert_eq!(ex.matched_industries, vec!["goji".to_string()]);
    assert!(ex.matched_terms.iter().any(|t| t.term == "枸杞多糖"), "{ex:?}");
    let sum: f32 = ex.signals.iter().map(|s| s.share).sum();
    assert!((sum - 1.0).abs() < 1e-4, "shares sum to {sum}");
    let contrib: f32 = ex.signals.iter().map(|s| s.contribution).sum();
    assert!((contrib - top.score).abs() < 1e-4);
    assert!(ex.signals.iter().any(|s| s.name == "keyword" && s.value > 0.0));
    // JSON is snake_case
    let js = serde_json::to_string(top).unwrap_or_default();
    assert!(js.contains("\"matched_keywords\"") && js.contains("\"same_group_industries\""), "{js}");
}

#[test]
fn alias_in_text_gives_industry_evidence() {
    let e = engine();
    // No tags at all: 葡萄酒's alias 酿酒葡萄 in the query, wine tagged on doc 2.
    let q = demand_query("酿酒葡萄园管理", "需要解决酿酒葡萄越冬霜冻问题");
    let page = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
    let m = page.items.iter().find(|m| m.id == id(2)).expect("doc 2 found");
    assert_eq!(m.explanation.matched_industries, vec!["wine".to_string()]);
    assert!(m.explanation.matched_aliases.iter().any(|a| a.alias == "酿酒葡萄" && a.industry == "wine" && a.in_query));
    // Same group (six_special) shows for the goji supply when the query names wine.
    let q2 = Query { industries: vec!["wine".into()], ..demand_query("枸杞多糖", "") };
    let p2 = e.search(&q2, Side::Supply, &Filters::default(), 0, 10);
    let m1 = p2.items.iter().find(|m| m.id == id(1)).expect("doc 1 found");
    assert_eq!(m1.explanation.same_group_industries, vec!["goji".to_string()]);
    assert_eq!(m1.explanation.matched_groups, vec!["six_special".to_string()]);
}

#[test]
fn group_level_tag_is_expressible() {
    let e = engine();
    let q = Query { groups: vec!["six_new".into()], ..demand_query("机器人 提取 预警", "") };
    let p = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
    let m3 = p.items.iter().find(|m| m.id == id(3)).expect("doc 3");
    let m1 = p.items.iter().find(|m| m.id == id(1)).expect("doc 1");
    let ind = |m: &Match| m.explanation.signals.iter().find(|s| s.name == "industry").map_or(0.0, |s| s.value);
    assert!(ind(m3) > 0.0 && ind(m1) == 0.0);
}

#[test]
fn filters() {
    let e = engine();
    let q = demand_query("技术需求", "枸杞多糖 霜冻预警 光伏组件 清洗机器人");
    let all = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
    assert_eq!(all.total, 3);
    let f = Filters { trl_min: Some(5), ..Filters::default() };
    let mut got = ids(&e.search(&q, Side::Supply, &f, 0, 10));
    got.sort();
    assert_eq!(got, vec![id(1), id(3)]);
    let f = Filters { trl_min: Some(5), trl_max: Some(7), ..Filters::default() };
    assert_eq!(ids(&e.search(&q, Side::Supply, &f, 0, 10)), vec![id(1)]);
    let f = Filters { region: Some("宁夏".into()), ..Filters::default() };
    let mut got = ids(&e.search(&q, Side::Supply, &f, 0, 10));
    got.sort();
    assert_eq!(got, vec![id(1), id(3)]);
    let f = Filters { modes: vec!["transfer".into()], ..Filters::default() };
    assert_eq!(ids(&e.search(&q, Side::Supply, &f, 0, 10)), vec![id(2)]);
    let f = Filters { industries: vec!["clean_energy".into()], ..Filters::default() };
    assert_eq!(ids(&e.search(&q, Side::Supply, &f, 0, 10)), vec![id(3)]);
    let f = Filters { industries: vec!["six_special".into()], ..Filters::default() };
    assert_eq!(e.search(&q, Side::Supply, &f, 0, 10).total, 2);
    let f = Filters { industries: vec!["no_such_code".into()], ..Filters::default() };
    assert_eq!(e.search(&q, Side::Supply, &f, 0, 10).total, 0);
    // min_score drops the weaker matches and total follows.
    let scores: Vec<f32> = all.items.iter().map(|m| m.score).collect();
    let cut = (scores[0] + scores[2]) / 2.0;
    let f = Filters { min_score: Some(cut), ..Filters::default() };
    let p = e.search(&q, Side::Supply, &f, 0, 10);
    assert!(p.items.iter().all(|m| m.score >= cut));
    assert!(p.total < 3 && p.total >= 1);
    // the other side is empty
    assert_eq!(e.search(&q, Side::Demand, &Filters::default(), 0, 10).total, 0);
}

#[test]
fn paging() {
    let e = engine();
    let q = demand_query("", "枸杞多糖 霜冻预警 光伏组件");
    let all = ids(&e.search(&q, Side::Supply, &Filters::default(), 0, 10));
    let p2 = e.search(&q, Side::Supply, &Filters::default(), 1, 1);
    assert_eq!(p2.total, 3);
    assert_eq!(ids(&p2), vec![all[1]]);
}

#[test]
fn upsert_replaces_and_remove_removes() {
    let mut e = engine();
    assert_eq!(e.len(Side::Supply), 3);
    let q = demand_query("", "枸杞多糖");
    assert_eq!(ids(&e.search(&q, Side::Supply, &Filters::default(), 0, 10)), vec![id(1)]);
    e.upsert(supply(1, "滴灌水肥一体化", "智能滴灌控制系统", &["水肥一体化"], &[]));
    assert_eq!(e.len(Side::Supply), 3);
    assert!(e.search(&q, Side::Supply, &Filters::default(), 0, 10).items.is_empty());
    let q2 = demand_query("", "水肥一体化");
    assert_eq!(ids(&e.search(&q2, Side::Supply, &Filters::default(), 0, 10)), vec![id(1)]);
    // moving a document to the other side
    e.upsert(Document { side: Side::Demand, ..supply(1, "水肥一体化需求", "", &[], &[]) });
    assert_eq!(e.len(Side::Supply), 2);
    assert_eq!(e.len(Side::Demand), 1);
    assert!(e.remove(id(1)));
    assert!(!e.remove(id(1)));
    assert_eq!(e.len(Side::Demand), 0);
    assert!(e.search(&q2, Side::Demand, &Filters::default(), 0, 10).items.is_empty());
    // many replacements trigger compaction and results stay right
    for _ in 0..20 {
        e.upsert(supply(2, "酿酒葡萄霜冻预警", "葡萄园霜冻预警模型。", &["霜冻预警"], &["wine"]));
    }
    let q3 = demand_query("", "霜冻预警");
    assert_eq!(ids(&e.search(&q3, Side::Supply, &Filters::default(), 0, 10)), vec![id(2)]);
    assert_eq!(e.len(Side::Supply), 2);
}

#[test]
fn excluded_id_never_returned() {
    let e = engine();
    let q = Query { exclude: Some(id(1)), ..demand_query("枸杞多糖提取", "枸杞多糖") };
    let p = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
    assert!(p.items.iter().all(|m| m.id != id(1)));
    let dq = e.document_query(id(3)).expect("stored");
    assert_eq!(dq.exclude, Some(id(3)));
    assert_eq!(dq.industries, vec!["clean_energy".to_string()]);
    assert!(dq.keywords.contains(&"光伏组件".to_string()));
    let p = e.search(&dq, Side::Supply, &Filters::default(), 0, 10);
    assert!(p.items.iter().all(|m| m.id != id(3)));
    assert!(e.document_query(id(99)).is_none());
}

#[test]
fn compatibility_signals_order_results() {
    let mut e = MatchEngine::new(taxonomy(), MatchingConfig::default());
    // Two supplies with the same text; one is mature and affordable.
    e.upsert(Document {
        trl: Some(3),
        money_fen: Some(90_000_000),
        ..supply(10, "储能电池管理", "储能电池管理系统", &[], &[])
    });
    e.upsert(Document {
        trl: Some(7),
        money_fen: Some(10_000_000),
        ..supply(11, "储能电池管理", "储能电池管理系统", &[], &[])
    });
    let q = Query { trl: Some(6), money_fen: Some(20_000_000), ..demand_query("储能电池管理", "") };
    let p = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
    assert_eq!(ids(&p), vec![id(11), id(10)]);
    let trl = p.items[1].explanation.signals.iter().find(|s| s.name == "trl").map(|s| s.raw);
    assert_eq!(trl, Some(-3.0));
}

#[test]
fn full_width_query_matches_half_width_doc() {
    let mut e = MatchEngine::new(taxonomy(), MatchingConfig::default());
    e.upsert(supply(20, "InSAR地表形变监测", "利用InSAR技术监测矿区地表沉降", &["InSAR"], &[]));
    let q = demand_query("ＩｎＳＡＲ\u{200B}监测", "");
    let p = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
    assert_eq!(ids(&p), vec![id(20)]);
    assert!(p.items[0].explanation.matched_keywords.contains(&"insar".to_string()));
}

#[test]
fn many_documents_prune_exactly() {
    // Enough documents that retrieval prunes; the top hit must still be the best one.
    let mut cfg = MatchingConfig::plain_bm25();
    cfg.retrieval_depth = 5;
    let mut e = MatchEngine::new(taxonomy(), cfg);
    let mut docs = Vec::new();
    for i in 0..300u128 {
        let body = if i == 217 {
            "葡萄园霜冻预警 枸杞 枸杞多糖 光伏组件"
        } else if i % 3 == 0 {
            "枸杞 种植 管理"
        } else {
            "光伏 电站 运维"
        };
        docs.push(supply(1000 + i, "", body, &[], &[]));
    }
    e.upsert_many(docs);
    let q = demand_query("", "枸杞多糖 霜冻预警 光伏组件 枸杞 电站");
    let p = e.search(&q, Side::Supply, &Filters::default(), 0, 3);
    assert_eq!(p.items[0].id, id(1217));
}

#[test]
fn max_score_pruning_is_exact() {
    // Random documents over a small vocabulary; a shallow retrieval (which prunes) must
    // return exactly the top of an exhaustive one.
    let vocab = [
        "枸杞",
        "多糖",
        "光伏",
        "组件",
        "清洗",
        "机器人",
        "葡萄",
        "霜冻",
        "预警",
        "滴灌",
        "奶牛",
        "粪污",
        "氢能",
        "储能",
        "电池",
        "算力",
        "物流",
        "冷链",
        "肉牛",
        "滩羊",
        "硒砂瓜",
        "马铃薯",
    ];
    let mut x: u64 = 42;
    let mut next = |n: usize| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((x >> 33) as usize) % n
    };
    let mut docs = Vec::new();
    for i in 0..1500u128 {
        let len = 3 + next(12);
        let body: Vec<&str> = (0..len).map(|_| vocab[next(vocab.len())]).collect();
        docs.push(supply(5000 + i, vocab[next(vocab.len())], &body.join(" "), &[], &[]));
    }
    let exact_cfg = MatchingConfig {
        retrieval_depth: 5000,
        update_only_df_min: usize::MAX,
        max_accumulators: usize::MAX,
        ..MatchingConfig::plain_bm25()
    };
    let pruned_cfg = MatchingConfig { retrieval_depth: 10, ..exact_cfg.clone() };
    let mut exact = MatchEngine::new(taxonomy(), exact_cfg);
    let mut pruned = MatchEngine::new(taxonomy(), pruned_cfg);
    exact.upsert_many(docs.clone());
    pruned.upsert_many(docs);
    for text in ["枸杞 多糖 光伏", "霜冻 预警 葡萄 葡萄 滴灌 奶牛 粪污", "硒砂瓜 马铃薯 冷链 物流 算力 氢能 储能 电池"]
    {
        let q = demand_query("", text);
        let a = exact.search(&q, Side::Supply, &Filters::default(), 0, 10);
        let b = pruned.search(&q, Side::Supply, &Filters::default(), 0, 10);
        let raw = |p: &MatchPage| -> Vec<(Uuid, i64)> {
            p.items.iter().map(|m| (m.id, (m.explanation.signals[0].raw * 1000.0).round() as i64)).collect()
        };
        assert!(!a.items.is_empty(), "{text}: the exact search finds documents");
        assert_eq!(raw(&a), raw(&b));
    }
}

#[test]
fn keyword_candidates_get_exact_text_score() {
    // With aggressive update-only settings, a keyword candidate's BM25F must equal the
    // exhaustive one.
    let mut cfg = MatchingConfig {
        update_only_df_min: 0,
        update_only_df_ratio: 0.0,
        max_accumulators: 1,
        ..MatchingConfig::default()
    };
    cfg.retrieval_depth = 1;
    let mut e = MatchEngine::new(taxonomy(), cfg);
    let mut full = MatchEngine::new(taxonomy(), MatchingConfig::default());
    let docs = vec![
        supply(1, "枸杞多糖提取", "枸杞 多糖 提取 工艺", &["枸杞多糖"], &[]),
        supply(2, "枸杞种植", "枸杞 种植 管理 提取", &["枸杞种植"], &[]),
        supply(3, "光伏", "光伏 组件 提取", &["光伏组件"], &[]),
    ];
    e.upsert_many(docs.clone());
    full.upsert_many(docs);
    let q = demand_query("需要枸杞种植和光伏组件", "提取 枸杞");
    let a = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
    let b = full.search(&q, Side::Supply, &Filters::default(), 0, 10);
    let text = |p: &MatchPage, id: Uuid| {
        p.items.iter().find(|m| m.id == id).map(|m| (m.explanation.signals[0].raw * 1000.0).round() as i64)
    };
    for n in [2u128, 3] {
        assert!(text(&a, id(n)).is_some(), "keyword candidate {n} returned");
        assert_eq!(text(&a, id(n)), text(&b, id(n)));
    }
}

//! Evidence first: a candidate sharing only stop words or an industry tag with the query is not
//! a match; every match names its evidence and carries a confidence tier.

use uuid::Uuid;

use matching::*;

fn engine(config: MatchingConfig) -> MatchEngine {
    let taxonomy = vec![IndustryDef { code: "goji".into(), group: "six_special".into(), names: vec!["枸杞".into()] }];
    let mut e = MatchEngine::new(taxonomy, config);
    let doc = |n: u128, title: &str, body: &str| Document {
        id: Uuid::from_u128(n),
        side: Side::Supply,
        title: title.into(),
        body: body.into(),
        industries: vec!["goji".into()],
        ..Document::default()
    };
    e.upsert_many(vec![
        doc(1, "枸杞多糖提取工艺", "超声辅助提取枸杞多糖"),
        doc(2, "鼠疫监测平台研究", "研究系统的应用"),
        doc(3, "热敏电阻材料", "材料制备"),
    ]);
    e
}

fn query() -> Query {
    Query {
        title: "枸杞多糖的研究".into(),
        body: "研究系统的应用与方法".into(),
        industries: vec!["goji".into()],
        ..Query::default()
    }
}

#[test]
fn stop_words_and_industry_alone_make_no_match() {
    let e = engine(MatchingConfig::default());
    let page = e.search(&query(), Side::Supply, &Filters::default(), 0, 10);
    let ids: Vec<u128> = page.items.iter().map(|m| m.id.as_u128()).collect();
    assert_eq!(ids, vec![1]);
    let m = &page.items[0];
    let mut evidence = m.explanation.evidence.clone();
    evidence.sort();
    assert_eq!(evidence, vec!["多糖".to_string(), "枸杞".to_string()], "no stop word (研究, 系统, 应用)");
    assert_eq!(m.confidence, Confidence::of(m.score, e.config()));

    // without the rule the stop-word neighbour comes back
    let off = engine(MatchingConfig { require_evidence: false, ..MatchingConfig::default() });
    let page = off.search(&query(), Side::Supply, &Filters::default(), 0, 10);
    assert!(page.items.iter().any(|m| m.id.as_u128() == 2));
}

#[test]
fn confidence_tiers_filter() {
    let e = engine(MatchingConfig::default());
    let all = e.search(&query(), Side::Supply, &Filters::default(), 0, 10);
    let tier = all.items[0].confidence;
    let other = if tier == Confidence::Weak { Confidence::Strong } else { Confidence::Weak };
    let only_other = Filters { confidence: vec![other], ..Filters::default() };
    assert!(e.search(&query(), Side::Supply, &only_other, 0, 10).items.is_empty());
    let same = Filters { confidence: vec![tier], ..Filters::default() };
    assert_eq!(e.search(&query(), Side::Supply, &same, 0, 10).items.len(), 1);
    let c = MatchingConfig::default();
    assert_eq!(Confidence::of(c.strong_score, &c), Confidence::Strong);
    assert_eq!(Confidence::of(c.possible_score, &c), Confidence::Possible);
    assert_eq!(Confidence::of(c.possible_score - 0.01, &c), Confidence::Weak);
}

#[test]
fn signals_without_data_are_left_out() {
    let names = |config: MatchingConfig| -> Vec<String> {
        let e = engine(config);
        let q = Query { trl: Some(5), modes: vec!["license".into()], ..query() };
        let page = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
        page.items[0].explanation.signals.iter().map(|s| s.name.clone()).collect()
    };
    // the supplies state no TRL and no modes
    let shown = names(MatchingConfig::default());
    assert!(!shown.contains(&"trl".to_string()) && !shown.contains(&"modes".to_string()), "{shown:?}");
    assert!(shown.contains(&"text".to_string()));
    let old = names(MatchingConfig { omit_unknown_signals: false, ..MatchingConfig::default() });
    assert!(old.contains(&"trl".to_string()) && old.contains(&"modes".to_string()), "{old:?}");
}

#[test]
fn neighbours_give_a_group_only_demand_an_industry() {
    let config = MatchingConfig { neighbour_depth: 10, neighbour_industry_credit: 1.0, ..MatchingConfig::default() };
    let taxonomy = vec![
        IndustryDef { code: "goji".into(), group: "six_special".into(), names: vec!["枸杞".into()] },
        IndustryDef { code: "wine".into(), group: "six_special".into(), names: vec!["葡萄酒".into()] },
    ];
    let mut e = MatchEngine::new(taxonomy, config);
    let supply = |n: u128, title: &str, ind: &str| Document {
        id: Uuid::from_u128(n),
        side: Side::Supply,
        title: title.into(),
        industries: vec![ind.into()],
        ..Document::default()
    };
    e.upsert(supply(1, "鲜果采收装备", "goji"));
    e.upsert(supply(2, "鲜果采收机械", "goji"));
    e.upsert(Document {
        id: Uuid::from_u128(9),
        side: Side::Demand,
        title: "鲜果采收".into(),
        groups: vec!["six_special".into()],
        ..Document::default()
    });
    let industry = |e: &MatchEngine| -> f32 {
        let q = Query { title: "鲜果采收".into(), industries: vec!["goji".into()], ..Query::default() };
        let page = e.search(&q, Side::Demand, &Filters::default(), 0, 10);
        page.items[0].explanation.signals.iter().find(|s| s.name == "industry").map(|s| s.raw).unwrap()
    };
    assert_eq!(industry(&e), 0.5, "same group only");
    e.infer_neighbour_industries();
    assert_eq!(industry(&e), 1.0, "both neighbours are goji");
}

#[test]
fn feedback_terms_retrieve_but_are_not_evidence() {
    let config = MatchingConfig { prf_docs: 1, prf_weight: 1.0, ..MatchingConfig::default() };
    let doc = |n: u128, title: &str, kws: &[&str]| Document {
        id: Uuid::from_u128(n),
        side: Side::Supply,
        title: title.into(),
        keywords: kws.iter().map(|s| s.to_string()).collect(),
        ..Document::default()
    };
    let build = |config: MatchingConfig| {
        let mut e = MatchEngine::new(Vec::new(), config);
        e.upsert_many(vec![doc(1, "滴灌装置", &["水肥一体化"]), doc(2, "水肥一体化推广", &[])]);
        e
    };
    let q = Query { title: "滴灌装置".into(), ..Query::default() };
    // without the evidence rule the feedback term retrieves doc 2
    let open = build(MatchingConfig { require_evidence: false, ..config.clone() });
    assert_eq!(open.search(&q, Side::Supply, &Filters::default(), 0, 10).items.len(), 2);
    let e = build(config);
    let page = e.search(&q, Side::Supply, &Filters::default(), 0, 10);
    let ids: Vec<u128> = page.items.iter().map(|m| m.id.as_u128()).collect();
    assert_eq!(ids, vec![1], "doc 2 shares only a feedback term with the query");
    assert!(page.items[0].explanation.evidence.iter().all(|w| w != "水肥一体化"));
}

#[test]
fn history_is_its_own_bounded_signal() {
    let e = engine(MatchingConfig::default());
    let plain = e.search(&query(), Side::Supply, &Filters::default(), 0, 10).items[0].clone();
    assert!(plain.explanation.signals.iter().all(|s| s.name != "history"), "absent without history");
    let q = Query { history: vec![(Uuid::from_u128(1), 5.0)], ..query() };
    let boosted = e.search(&q, Side::Supply, &Filters::default(), 0, 10).items[0].clone();
    let h = boosted.explanation.signals.iter().find(|s| s.name == "history").unwrap();
    assert_eq!((h.raw, h.value), (1.0, 1.0), "clamped to 1");
    assert!(boosted.score > plain.score && boosted.score <= 1.0);
    let q = Query { history: vec![(Uuid::from_u128(1), -1.0)], ..query() };
    let lowered = e.search(&q, Side::Supply, &Filters::default(), 0, 10).items[0].clone();
    assert!(lowered.score < plain.score);
}

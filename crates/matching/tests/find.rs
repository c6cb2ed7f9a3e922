//! Text search of the list endpoints (`MatchEngine::find`) and search-box completions.

use uuid::Uuid;

use matching::*;

fn engine() -> MatchEngine {
    let taxonomy = vec![
        IndustryDef {
            code: "goji".into(), group: "six_special".into(), names: vec!["枸杞".into(), "宁夏枸杞".into()]
        },
        IndustryDef {
            code: "wine".into(),
            group: "six_special".into(),
            names: vec!["葡萄酒".into(), "酿酒葡萄".into(), "酿酒".into()],
        },
    ];
    let mut e = MatchEngine::new(taxonomy, MatchingConfig::default());
    let doc = |n: u128, title: &str, body: &str, kws: &[&str], region: Option<&str>| Document {
        id: Uuid::from_u128(n),
        side: Side::Supply,
        title: title.into(),
        body: body.into(),
        keywords: kws.iter().map(|s| s.to_string()).collect(),
        region: region.map(str::to_string),
        ..Document::default()
    };
    e.upsert_many(vec![
        doc(1, "枸杞鲜果高效低损采收装备", "移动平台与振动采收。", &["农机"], Some("宁夏")),
        doc(2, "枸杞多糖提取工艺", "超声辅助提取。", &["枸杞多糖"], None),
        doc(3, "葡萄酒酿造工艺优化", "酿酒葡萄发酵控制。", &[], Some("甘肃")),
        doc(4, "AI芯片低功耗设计", "面向边缘计算的神经网络加速器。", &["ai芯片"], None),
        doc(5, "小麦抗旱品种选育", "旱地小麦。", &["育种"], None),
    ]);
    e
}

fn ids(e: &MatchEngine, q: &str) -> Vec<u128> {
    let q = e.text_query(q);
    e.find(&q, Side::Supply, 100).iter().map(|h| h.id.as_u128()).collect()
}

#[test]
fn words_apart_and_together_find_the_harvester_first() {
    let e = engine();
    assert_eq!(ids(&e, "枸杞 采收").first(), Some(&1));
    assert_eq!(ids(&e, "枸杞采收").first(), Some(&1));
    // both goji supplies carry 枸杞, only one 采收
    assert_eq!(ids(&e, "枸杞 采收"), vec![1, 2]);
}

#[test]
fn traditional_full_width_and_keywords() {
    let e = engine();
    assert_eq!(ids(&e, "釀酒"), vec![3]);
    assert_eq!(ids(&e, "ＡＩ芯片"), vec![4]);
    assert_eq!(ids(&e, "农机"), vec![1]);
    assert_eq!(ids(&e, "甘肃"), vec![3], "region is searched");
    let q = e.text_query("ａｉ芯片");
    let hits = e.find(&q, Side::Supply, 10);
    assert!(hits[0].terms.iter().any(|t| t.contains("芯片")), "{hits:?}");
    assert!(hits[0].relevance > 0.0 && hits[0].relevance <= 1.0);
}

#[test]
fn an_industry_name_finds_its_aliases() {
    let e = engine();
    // 葡萄酒 is in doc 3's title; 酿酒葡萄 (another name of the industry) too
    let q = e.text_query("葡萄酒");
    assert!(q.terms().contains(&"酿酒葡萄"), "{:?}", q.terms());
    assert_eq!(ids(&e, "葡萄酒"), vec![3]);
}

#[test]
fn stop_words_only_and_nothing_to_search() {
    let e = engine();
    assert_eq!(e.text_query("研究 技术 的").empty(), Some(EmptyText::StopWordsOnly));
    assert_eq!(e.text_query("，。！").empty(), Some(EmptyText::NoTerms));
    assert!(ids(&e, "研究 技术 的").is_empty());
    assert_eq!(e.text_query("枸杞").empty(), None);
}

#[test]
fn removed_documents_are_not_found() {
    let mut e = engine();
    assert!(e.remove(Uuid::from_u128(1)));
    assert_eq!(ids(&e, "采收"), Vec::<u128>::new());
}

#[test]
fn completions_of_a_prefix() {
    let e = engine();
    let s = e.suggest("枸杞", 10);
    assert_eq!(s[0].text, "枸杞");
    assert_eq!(s[0].kind, SuggestionKind::Industry);
    assert_eq!(s[0].industries, vec!["goji".to_string()]);
    assert!(s.iter().any(|x| x.text == "枸杞多糖" && x.kind == SuggestionKind::Keyword && x.listings == 1), "{s:?}");
    assert_eq!(e.suggest("農", 10).first().map(|x| x.text.as_str()), Some("农机"));
    assert!(e.suggest("", 10).is_empty());
    assert_eq!(e.suggest("枸杞", 1).len(), 1);
}

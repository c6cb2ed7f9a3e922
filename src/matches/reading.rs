//! What a person reads beside a match: one Chinese sentence built from the explanation, and the
//! Chinese name of every industry and group code it mentions.

use std::collections::BTreeMap;

use matching::Explanation;

use crate::industries::taxonomy::Taxonomy;

/// Most evidence words quoted in the sentence.
const QUOTED: usize = 3;

/// The Chinese name of an industry or group code (the code itself when unknown).
fn name_zh<'a>(taxonomy: &'a Taxonomy, code: &'a str) -> &'a str {
    if let Some(i) = taxonomy.get(code) {
        return &i.name_zh;
    }
    taxonomy.groups.iter().find(|g| g.code == code).map_or(code, |g| g.name_zh.as_str())
}

/// One sentence, e.g. `双方都涉及「枸杞」「采收」；同属枸杞产业；成熟度符合需求。`: the shared
/// evidence, the shared industry (or group), then each compatibility signal the explanation
/// holds (a signal without data on either side is absent from it, so it is not mentioned).
pub fn sentence(explanation: &Explanation, taxonomy: &Taxonomy) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !explanation.evidence.is_empty() {
        let quoted: String = explanation.evidence.iter().take(QUOTED).map(|w| format!("「{w}」")).collect();
        parts.push(format!("双方都涉及{quoted}"));
    }
    if !explanation.matched_industries.is_empty() {
        let names: Vec<&str> = explanation.matched_industries.iter().map(|c| name_zh(taxonomy, c)).collect();
        parts.push(format!("同属{}产业", names.join("、")));
    } else if !explanation.matched_groups.is_empty() {
        let names: Vec<&str> = explanation.matched_groups.iter().map(|c| name_zh(taxonomy, c)).collect();
        parts.push(format!("同属「{}」产业门类", names.join("、")));
    }
    for s in &explanation.signals {
        let good = s.value >= 0.99;
        let text = match s.name.as_str() {
            "trl" if good => "成熟度符合需求",
            "trl" => "成熟度低于需求",
            "money" if good => "报价在预算内",
            "money" => "报价超出预算",
            "modes" if good => "合作方式一致",
            "modes" => "合作方式不同",
            "region" if good => "位于同一地区",
            "history" if s.raw > 0.0 => "相似需求曾与该单位成功对接",
            "history" if s.raw < 0.0 => "相似需求曾被该单位认为不相关",
            _ => continue,
        };
        parts.push(text.to_string());
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("{}。", parts.join("；"))
}

/// `code → name_zh` for every industry and group code in the explanation and in `also` (the
/// listing's own industries).
pub fn industry_names<'a>(
    explanation: &'a Explanation,
    also: impl Iterator<Item = &'a String>,
    taxonomy: &Taxonomy,
) -> BTreeMap<String, String> {
    let codes = explanation
        .matched_industries
        .iter()
        .chain(&explanation.matched_groups)
        .chain(&explanation.same_group_industries)
        .chain(explanation.matched_aliases.iter().map(|a| &a.industry))
        .chain(also);
    codes.map(|c| (c.clone(), name_zh(taxonomy, c).to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use matching::SignalShare;

    fn signal(name: &str, value: f32) -> SignalShare {
        SignalShare { name: name.into(), raw: 0.0, value, weight: 0.05, contribution: 0.0, share: 0.0 }
    }

    #[test]
    fn one_sentence_from_the_explanation() {
        let t = Taxonomy::embedded();
        let e = Explanation {
            evidence: vec!["枸杞采收".into(), "移动平台".into(), "振动".into(), "第四个".into()],
            matched_industries: vec!["goji".into()],
            signals: vec![signal("text", 0.8), signal("trl", 1.0), signal("money", 0.4)],
            ..Explanation::default()
        };
        assert_eq!(
            sentence(&e, t),
            "双方都涉及「枸杞采收」「移动平台」「振动」；同属枸杞产业；成熟度符合需求；报价超出预算。"
        );
        let names = industry_names(&e, [String::from("wine")].iter(), t);
        assert_eq!(names.get("goji").map(String::as_str), Some("枸杞"));
        assert_eq!(names.get("wine").map(String::as_str), Some("葡萄酒"));
        let group = Explanation { matched_groups: vec!["six_special".into()], ..Explanation::default() };
        assert_eq!(sentence(&group, t), "同属「六特」产业门类。");
        assert_eq!(sentence(&Explanation::default(), t), "");
    }
}

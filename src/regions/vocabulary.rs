//! The region vocabulary, embedded from `data/regions.json` (GB/T 2260 codes): each region with
//! its Chinese and English names and aliases, its level and parent derived from the code (a
//! province `XX0000`, a city `XXXX00`, a county below its city or, without one, its province).
//! [`resolve`] turns what people write (`宁夏`, `宁夏回族自治区`, `银川`, `宁夏银川市兴庆区`,
//! `640104`, `Ningxia`) into a code; a region filter takes the code's prefix ([`prefix`]) so that
//! it includes every sub-region. A low module: no feature, no database.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;

const DATA: &str = include_str!("../../data/regions.json");

/// Level of an administrative division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 省级: province, autonomous region, municipality, special administrative region.
    Province,
    /// 地级: prefecture-level city.
    City,
    /// 县级: district, county, county-level city.
    County,
}

#[derive(Deserialize)]
struct File {
    source: String,
    regions: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    code: String,
    name_zh: String,
    name_en: String,
    #[serde(default)]
    aliases: Vec<String>,
}

/// One region as `GET /regions` lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionEntry {
    /// The GB/T 2260 code, six digits.
    #[schema(example = "640100", pattern = "^[0-9]{6}$")]
    pub code: String,
    /// The parent region's code (`null` for a province).
    #[schema(example = "640000")]
    pub parent: Option<String>,
    pub level: Level,
    /// The official Chinese name.
    #[schema(example = "银川市")]
    pub name_zh: String,
    /// The English name.
    #[schema(example = "Yinchuan")]
    pub name_en: String,
    /// Other names accepted for it (short names, English forms).
    #[schema(example = json!(["银川"]))]
    pub aliases: Vec<String>,
}

/// A region's names from its province down, as a listing shows them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RegionNames {
    /// `宁夏回族自治区银川市兴庆区`.
    #[schema(example = "宁夏回族自治区银川市兴庆区")]
    pub zh: String,
    /// `Xingqing District, Yinchuan, Ningxia`.
    #[schema(example = "Xingqing District, Yinchuan, Ningxia")]
    pub en: String,
}

/// Every region and where the codes come from.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    /// Where the codes come from.
    pub source: String,
    /// Provinces first, then each province's cities and counties, in code order.
    pub items: Vec<RegionEntry>,
}

struct Vocabulary {
    list: RegionList,
    by_code: HashMap<String, usize>,
    /// Normalised name or alias → the codes it names (an alias may name several, e.g. a county
    /// and its city; the shallowest wins).
    by_name: HashMap<String, Vec<usize>>,
    longest_name: usize,
}

/// NFKC, lower case, without white space and the separators people put between levels.
pub fn normalise(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '/' | '-' | ',' | '，' | '、' | '>' | '|'))
        .collect()
}

fn level_of(code: &str) -> Level {
    if code.ends_with("0000") {
        Level::Province
    } else if code.ends_with("00") {
        Level::City
    } else {
        Level::County
    }
}

fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        // The file is part of the binary and a unit test parses it; an error here is a build mistake.
        #[allow(clippy::expect_used)]
        let file: File = serde_json::from_str(DATA).expect("data/regions.json parses");
        let codes: std::collections::HashSet<&str> = file.regions.iter().map(|r| r.code.as_str()).collect();
        let mut items: Vec<RegionEntry> = file
            .regions
            .iter()
            .map(|r| {
                let level = level_of(&r.code);
                let province = format!("{}0000", &r.code[..2]);
                let city = format!("{}00", &r.code[..4]);
                let parent = match level {
                    Level::Province => None,
                    Level::City => Some(province),
                    Level::County if codes.contains(city.as_str()) => Some(city),
                    Level::County => Some(province),
                };
                RegionEntry {
                    code: r.code.clone(),
                    parent,
                    level,
                    name_zh: r.name_zh.clone(),
                    name_en: r.name_en.clone(),
                    aliases: r.aliases.clone(),
                }
            })
            .collect();
        items.sort_by(|a, b| a.code.cmp(&b.code));
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut longest_name = 0;
        for (i, region) in items.iter().enumerate() {
            by_code.insert(region.code.clone(), i);
            for name in std::iter::once(&region.name_zh).chain([&region.name_en]).chain(&region.aliases) {
                let key = normalise(name);
                longest_name = longest_name.max(key.chars().count());
                let entry = by_name.entry(key).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
        Vocabulary { list: RegionList { source: file.source, items }, by_code, by_name, longest_name }
    })
}

/// Every region, provinces and their sub-regions in code order, with the data's source.
pub fn list() -> &'static RegionList {
    &vocabulary().list
}

/// The region of `code`.
pub fn get(code: &str) -> Option<&'static RegionEntry> {
    let v = vocabulary();
    v.by_code.get(code).map(|&i| &v.list.items[i])
}

fn is_within(code: &str, ancestor: &str) -> bool {
    let mut current = get(code);
    while let Some(region) = current {
        if region.code == ancestor {
            return true;
        }
        current = region.parent.as_deref().and_then(get);
    }
    false
}

/// The code of what `text` names: a code of the vocabulary, a name or alias (`宁夏`,
/// `宁夏回族自治区`, `银川`, `Ningxia`), or names from the province down written together
/// (`宁夏银川市兴庆区`, `银川兴庆区`; each level must lie within the one before it). `None` when
/// the text names no region of the vocabulary, or names more than one.
pub fn resolve(text: &str) -> Option<&'static str> {
    let v = vocabulary();
    let key = normalise(text);
    if key.is_empty() {
        return None;
    }
    if let Some(region) = get(&key) {
        return Some(&region.code);
    }
    // Longest known name at each step, each within the region before it.
    let chars: Vec<char> = key.chars().collect();
    let mut at = 0;
    let mut current: Option<&'static RegionEntry> = None;
    while at < chars.len() {
        let mut step = None;
        for len in (1..=v.longest_name.min(chars.len() - at)).rev() {
            let piece: String = chars[at..at + len].iter().collect();
            let Some(found) = v.by_name.get(&piece) else { continue };
            let inside: Vec<&RegionEntry> = found
                .iter()
                .map(|&i| &v.list.items[i])
                .filter(|r| current.map_or(true, |c| r.code != c.code && is_within(&r.code, &c.code)))
                .collect();
            if let Some(region) = inside.iter().min_by_key(|r| r.level as u8) {
                step = Some((len, *region));
                break;
            }
        }
        let (len, region) = step?;
        at += len;
        current = Some(region);
    }
    current.map(|r| r.code.as_str())
}

/// The code prefix a filter on `code` matches: `64` for Ningxia, `6401` for Yinchuan, the whole
/// code for a county. A stored code starting with it lies within the region.
pub fn prefix(code: &str) -> &str {
    match level_of(code) {
        Level::Province => &code[..2],
        Level::City => &code[..4],
        Level::County => code,
    }
}

/// The names of `code`'s region from its province down.
pub fn names(code: &str) -> Option<RegionNames> {
    let mut chain = Vec::new();
    let mut current = get(code);
    while let Some(region) = current {
        chain.push(region);
        current = region.parent.as_deref().and_then(get);
    }
    if chain.is_empty() {
        return None;
    }
    let en = chain.iter().map(|r| r.name_en.as_str()).collect::<Vec<_>>().join(", ");
    chain.reverse();
    let zh = chain.iter().map(|r| r.name_zh.as_str()).collect::<String>();
    Some(RegionNames { zh, en })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_holds_every_province_and_ningxia_below_it() {
        let items = &list().items;
        assert_eq!(items.iter().filter(|r| r.level == Level::Province).count(), 34);
        let ningxia: Vec<&RegionEntry> = items.iter().filter(|r| r.code.starts_with("64")).collect();
        assert_eq!(ningxia.iter().filter(|r| r.level == Level::City).count(), 5);
        assert_eq!(ningxia.iter().filter(|r| r.level == Level::County).count(), 22);
        assert!(items.iter().all(|r| r.code.len() == 6 && r.code.bytes().all(|b| b.is_ascii_digit())));
        assert!(list().source.contains("GB/T 2260"));
    }

    #[test]
    fn names_aliases_and_combinations_resolve_to_codes() {
        for (text, code) in [
            ("宁夏", "640000"),
            ("宁夏回族自治区", "640000"),
            (" 宁夏回族自治区 ", "640000"),
            ("Ningxia", "640000"),
            ("640000", "640000"),
            ("银川", "640100"),
            ("银川市", "640100"),
            ("宁夏银川", "640100"),
            ("宁夏回族自治区银川市", "640100"),
            ("银川市兴庆区", "640104"),
            ("宁夏·银川·兴庆区", "640104"),
            ("宁夏回族自治区银川市兴庆区", "640104"),
            ("中卫", "640500"),
            ("固原市西吉县", "640422"),
            ("北京", "110000"),
            ("内蒙古", "150000"),
            ("ＮＩＮＧＸＩＡ", "640000"),
        ] {
            assert_eq!(resolve(text), Some(code), "{text}");
        }
        for text in ["火星", "", "银川市大武口区", "北京银川", "640199", "宁夏火星"] {
            assert_eq!(resolve(text), None, "{text}");
        }
    }

    #[test]
    fn prefixes_and_names_follow_the_levels() {
        assert_eq!((prefix("640000"), prefix("640100"), prefix("640104")), ("64", "6401", "640104"));
        let names = names("640104").unwrap();
        assert_eq!(names.zh, "宁夏回族自治区银川市兴庆区");
        assert_eq!(names.en, "Xingqing District, Yinchuan, Ningxia");
        assert_eq!(get("640181").and_then(|r| r.parent.clone()).as_deref(), Some("640100"));
    }
}

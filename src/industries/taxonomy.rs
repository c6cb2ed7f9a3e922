//! The industry taxonomy of `data/industries.json`, compiled into the binary: Ningxia's 18
//! priority industries "六新六特六优" (13th Party Congress of the Ningxia Hui Autonomous Region,
//! 2022) in three groups, plus the "+N" frontier fields. The `industries` table is seeded with
//! the same entries by a migration (a test checks that they agree).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A group of industries (六新, 六特, 六优, +N).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndustryGroup {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// One industry with its common names and sub-chains (`aliases`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Industry {
    pub code: String,
    pub group: String,
    pub name_zh: String,
    pub name_en: String,
    pub aliases: Vec<String>,
}

/// The whole taxonomy with lookups by code and by name.
#[derive(Debug)]
pub struct Taxonomy {
    pub groups: Vec<IndustryGroup>,
    pub industries: Vec<Industry>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

#[derive(Deserialize)]
struct TaxonomyFile {
    groups: Vec<IndustryGroup>,
    industries: Vec<Industry>,
}

impl Taxonomy {
    /// Parses a taxonomy file (the shape of `data/industries.json`).
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let file: TaxonomyFile = serde_json::from_str(text)?;
        let by_code = file.industries.iter().enumerate().map(|(i, ind)| (ind.code.clone(), i)).collect();
        let mut by_name = HashMap::new();
        // Aliases first, so that exact names (inserted after) win over an alias shared by two industries.
        for (i, ind) in file.industries.iter().enumerate() {
            for alias in &ind.aliases {
                by_name.entry(alias.to_lowercase()).or_insert(i);
            }
        }
        for (i, ind) in file.industries.iter().enumerate() {
            by_name.insert(ind.name_zh.to_lowercase(), i);
            by_name.insert(ind.name_en.to_lowercase(), i);
            by_name.insert(ind.code.clone(), i);
        }
        Ok(Self { groups: file.groups, industries: file.industries, by_code, by_name })
    }

    /// The taxonomy compiled from `data/industries.json`.
    pub fn embedded() -> &'static Taxonomy {
        static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
        TAXONOMY.get_or_init(|| {
            Taxonomy::from_json(include_str!("../../data/industries.json"))
                .unwrap_or_else(|e| panic!("data/industries.json is invalid: {e}"))
        })
    }

    /// True when `code` is an industry code.
    pub fn contains(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// The industry with this code.
    pub fn get(&self, code: &str) -> Option<&Industry> {
        self.by_code.get(code).map(|&i| &self.industries[i])
    }

    /// Resolves a code, Chinese or English name, or alias (case-insensitive) to a code. Exact
    /// names win; an alias shared by several industries resolves to the first listed.
    pub fn resolve(&self, name: &str) -> Option<&str> {
        self.by_name.get(&name.trim().to_lowercase()).map(|&i| self.industries[i].code.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_taxonomy_has_18_priority_industries_plus_n() {
        let t = Taxonomy::embedded();
        assert_eq!(t.groups.len(), 4);
        assert_eq!(t.industries.len(), 20);
        let priority = t.industries.iter().filter(|i| i.group != "plus_n").count();
        assert_eq!(priority, 18);
        assert!(t.industries.iter().all(|i| t.groups.iter().any(|g| g.code == i.group)));
    }

    #[test]
    fn resolves_names_aliases_and_codes() {
        let t = Taxonomy::embedded();
        assert_eq!(t.resolve("枸杞"), Some("goji"));
        assert_eq!(t.resolve("goji"), Some("goji"));
        assert_eq!(t.resolve("New Materials"), Some("new_materials"));
        assert_eq!(t.resolve("石墨烯"), Some("new_materials"));
        // 氢能 is both an alias of clean energy and the name of the +N field: the name wins.
        assert_eq!(t.resolve("氢能"), Some("hydrogen"));
        assert_eq!(t.resolve("不存在的产业"), None);
    }
}

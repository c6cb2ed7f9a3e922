//! The industry taxonomy as the engine sees it: codes, groups and the names/aliases that
//! act as synonyms (an alias in a text is evidence for its industry).

use rustc_hash::FxHashMap;

use crate::analyzer::normalize;
use crate::document::IndustryDef;

/// Compact id of an industry (index into [`Taxonomy::industries`]).
pub(crate) type IndustryId = u16;
/// Compact id of a group (index into [`Taxonomy::groups`]).
pub(crate) type GroupId = u16;

/// The taxonomy, with lookups by code and by normalised alias.
#[derive(Debug, Clone, Default)]
pub(crate) struct Taxonomy {
    /// Industry codes, by [`IndustryId`].
    pub(crate) industries: Vec<String>,
    /// Group of each industry, by [`IndustryId`].
    pub(crate) industry_group: Vec<GroupId>,
    /// Group codes, by [`GroupId`].
    pub(crate) groups: Vec<String>,
    industry_by_code: FxHashMap<String, IndustryId>,
    group_by_code: FxHashMap<String, GroupId>,
    /// Normalised name or alias → (alias id, the industries it names). One alias may name
    /// several industries: 光伏 is both a material chain and an energy source.
    pub(crate) aliases: FxHashMap<String, (u32, Vec<IndustryId>)>,
    /// Normalised aliases by alias id.
    pub(crate) alias_names: Vec<String>,
    /// Alias ids of each industry's names, by [`IndustryId`].
    pub(crate) industry_aliases: Vec<Vec<u32>>,
}

impl Taxonomy {
    /// Build from the definitions. Duplicate codes keep the first definition; names are
    /// normalised with [`normalize`]; names shorter than 2 characters are ignored.
    pub(crate) fn new(defs: &[IndustryDef]) -> Self {
        let mut t = Taxonomy::default();
        for def in defs {
            if t.industry_by_code.contains_key(&def.code) {
                continue;
            }
            let gid = match t.group_by_code.get(&def.group) {
                Some(g) => *g,
                None => {
                    let g = t.groups.len() as GroupId;
                    t.groups.push(def.group.clone());
                    t.group_by_code.insert(def.group.clone(), g);
                    g
                }
            };
            let iid = t.industries.len() as IndustryId;
            t.industries.push(def.code.clone());
            t.industry_group.push(gid);
            t.industry_by_code.insert(def.code.clone(), iid);
            t.industry_aliases.push(Vec::new());
            for name in &def.names {
                let n = normalize(name.trim());
                if n.chars().count() < 2 {
                    continue;
                }
                let next = t.alias_names.len() as u32;
                let e = t.aliases.entry(n.clone()).or_insert_with(|| (next, Vec::new()));
                if e.0 == next {
                    t.alias_names.push(n);
                }
                if !e.1.contains(&iid) {
                    e.1.push(iid);
                }
                let alias = e.0;
                if let Some(names) = t.industry_aliases.get_mut(iid as usize) {
                    if !names.contains(&alias) {
                        names.push(alias);
                    }
                }
            }
        }
        t
    }

    /// Industry id of a code.
    pub(crate) fn industry(&self, code: &str) -> Option<IndustryId> {
        self.industry_by_code.get(code).copied()
    }

    /// Group id of a group code.
    pub(crate) fn group(&self, code: &str) -> Option<GroupId> {
        self.group_by_code.get(code).copied()
    }

    /// Group of an industry.
    pub(crate) fn group_of(&self, id: IndustryId) -> GroupId {
        self.industry_group.get(id as usize).copied().unwrap_or(GroupId::MAX)
    }

    /// Industry code by id (empty string for an unknown id).
    pub(crate) fn code(&self, id: IndustryId) -> &str {
        self.industries.get(id as usize).map(String::as_str).unwrap_or("")
    }

    /// Alias text by alias id (empty string for an unknown id).
    pub(crate) fn alias(&self, id: u32) -> &str {
        self.alias_names.get(id as usize).map(String::as_str).unwrap_or("")
    }

    /// Evidence from tags plus the aliases among `tokens` (normalised index terms).
    pub(crate) fn evidence<'a>(
        &self,
        industries: &[String],
        groups: &[String],
        tokens: impl IntoIterator<Item = &'a str>,
    ) -> IndustryEvidence {
        let tagged = self.resolve_industries(industries);
        let groups = self.resolve_groups(groups);
        let mut inferred: Vec<(IndustryId, u32)> = Vec::new();
        for tok in tokens {
            if let Some((aid, inds)) = self.aliases.get(tok) {
                for &i in inds {
                    if !tagged.contains(&i) && !inferred.iter().any(|(x, _)| *x == i) {
                        inferred.push((i, *aid));
                    }
                }
            }
        }
        IndustryEvidence { tagged, groups, inferred, neighbours: Vec::new() }
    }

    /// Group code by id (empty string for an unknown id).
    pub(crate) fn group_code(&self, id: GroupId) -> &str {
        self.groups.get(id as usize).map(String::as_str).unwrap_or("")
    }

    /// Resolve industry codes, dropping unknown ones and duplicates.
    pub(crate) fn resolve_industries(&self, codes: &[String]) -> Vec<IndustryId> {
        let mut v: Vec<IndustryId> = codes.iter().filter_map(|c| self.industry(c)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Resolve group codes, dropping unknown ones and duplicates.
    pub(crate) fn resolve_groups(&self, codes: &[String]) -> Vec<GroupId> {
        let mut v: Vec<GroupId> = codes.iter().filter_map(|c| self.group(c)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Industry evidence of one listing or query.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct IndustryEvidence {
    /// Tagged industries.
    pub(crate) tagged: Vec<IndustryId>,
    /// Tagged groups (group-level tags).
    pub(crate) groups: Vec<GroupId>,
    /// Industries inferred from an alias in the text, with the alias id
    /// ([`Taxonomy::alias_names`]); never one that is also tagged.
    pub(crate) inferred: Vec<(IndustryId, u32)>,
    /// Industries voted by the nearest documents of the other side, with their vote share
    /// (only for a listing without tagged industries; see
    /// `MatchEngine::infer_neighbour_industries`).
    pub(crate) neighbours: Vec<(IndustryId, f32)>,
}

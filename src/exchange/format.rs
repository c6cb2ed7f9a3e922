//! The exchange format's correspondence of our industry codes with GB/T 4754-2017
//! 国民经济行业分类 (`data/industry_gbt4754.csv`, embedded at build time; docs/EXCHANGE.md
//! explains its columns and sources).

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The mapping table as shipped.
pub const TABLE: &str = include_str!("../../data/industry_gbt4754.csv");

/// GB/T 4754-2017 codes of each industry code, in the table's order.
fn codes() -> &'static BTreeMap<String, Vec<String>> {
    static CODES: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut reader = csv::Reader::from_reader(TABLE.as_bytes());
        for record in reader.records().flatten() {
            if let (Some(industry), Some(code)) = (record.get(0), record.get(2)) {
                out.entry(industry.to_string()).or_default().push(code.to_string());
            }
        }
        out
    })
}

/// The GB/T 4754-2017 codes of `industries` (our codes), without repeats, in order.
pub fn gbt4754(industries: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for industry in industries {
        for code in codes().get(industry).map(Vec::as_slice).unwrap_or_default() {
            if !out.contains(code) {
                out.push(code.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::industries::taxonomy::Taxonomy;

    #[test]
    fn every_industry_has_a_gbt4754_code_and_every_row_a_source() {
        let taxonomy = Taxonomy::embedded();
        for industry in &taxonomy.industries {
            assert!(
                !gbt4754(std::slice::from_ref(&industry.code)).is_empty(),
                "{} has no GB/T 4754 code",
                industry.code
            );
        }
        let mut reader = csv::Reader::from_reader(TABLE.as_bytes());
        for record in reader.records() {
            let record = record.unwrap();
            assert_eq!(record.len(), 8, "{record:?}");
            assert!(taxonomy.contains(&record[0]), "unknown industry {}", &record[0]);
            assert!(["exact", "partial", "approximate"].contains(&&record[5]), "{record:?}");
            assert!(!record[6].is_empty(), "a row without its source: {record:?}");
            if &record[5] == "approximate" {
                assert!(!record[7].is_empty(), "an approximate row says why: {record:?}");
            }
        }
        assert_eq!(gbt4754(&["wine".into(), "dairy".into()]), ["C1515", "A0152", "A0311", "C144"]);
    }
}

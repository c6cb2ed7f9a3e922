//! Document and query fields in the form the index compares them: sides as array indexes,
//! cooperation modes as bit masks, keywords and regions normalised.

use crate::analyzer::normalize;
use crate::document::{Side, MODES};

/// Index of a side in the engine's `[supply, demand]` arrays.
pub(crate) fn side_ix(side: Side) -> usize {
    match side {
        Side::Supply => 0,
        Side::Demand => 1,
    }
}

/// Bit mask of the known modes in `modes`.
pub(crate) fn mode_mask(modes: &[String]) -> u8 {
    let mut m = 0u8;
    for s in modes {
        let s = s.trim().to_ascii_lowercase();
        if let Some(i) = MODES.iter().position(|x| *x == s) {
            m |= 1 << i;
        }
    }
    m
}

/// The mode names of a bit mask, in [`MODES`] order.
pub(crate) fn mode_names(mask: u8) -> Vec<String> {
    MODES.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, s)| s.to_string()).collect()
}

/// Keywords normalised and trimmed, empty ones and repeats dropped (first occurrence kept).
pub(crate) fn norm_keywords(keywords: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keywords {
        let n = normalize(k.trim());
        let n = n.trim();
        if !n.is_empty() && !out.iter().any(|x| x == n) {
            out.push(n.to_string());
        }
    }
    out
}

/// The region normalised; `None` when absent or blank.
pub(crate) fn norm_region(r: &Option<String>) -> Option<String> {
    r.as_deref().map(|s| normalize(s.trim())).filter(|s| !s.is_empty())
}

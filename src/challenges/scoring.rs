//! The panel's result as a pure function: each application's mean score per criterion over the
//! reviewers who scored it, the weighted mean of those (weights as given, normalised by their
//! sum), and the ranking by weighted mean (competition ranking: ties share a rank, the next rank
//! skips). Applications nobody scored have no weighted mean and no rank and come last.

use uuid::Uuid;

/// One application's score sheets: each reviewer's scores, one per criterion.
#[derive(Debug, Clone)]
pub struct Sheets {
    pub application: Uuid,
    pub by_reviewer: Vec<Vec<i32>>,
}

/// One application's place in the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub application: Uuid,
    /// How many reviewers scored it.
    pub reviewers: usize,
    /// The mean score of each criterion (empty when nobody scored it).
    pub criterion_means: Vec<f64>,
    /// The weighted mean, 0–100.
    pub weighted: Option<f64>,
    /// 1 for the best; ties share a rank.
    pub rank: Option<usize>,
}

/// Rounds to two decimals (what the API shows).
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Ranks `sheets` by the weighted mean of their criterion means under `weights` (see the module
/// docs). Sheets with another number of scores than `weights` are ignored (they cannot be
/// stored: the service checks the length).
pub fn rank(weights: &[u32], sheets: &[Sheets]) -> Vec<Ranked> {
    let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
    let mut out: Vec<Ranked> = sheets
        .iter()
        .map(|s| {
            let valid: Vec<&Vec<i32>> = s.by_reviewer.iter().filter(|v| v.len() == weights.len()).collect();
            if valid.is_empty() || total <= 0.0 {
                return Ranked {
                    application: s.application,
                    reviewers: 0,
                    criterion_means: Vec::new(),
                    weighted: None,
                    rank: None,
                };
            }
            let n = valid.len() as f64;
            let means: Vec<f64> =
                (0..weights.len()).map(|i| valid.iter().map(|v| f64::from(v[i])).sum::<f64>() / n).collect();
            let weighted = means.iter().zip(weights).map(|(m, &w)| m * f64::from(w)).sum::<f64>() / total;
            Ranked {
                application: s.application,
                reviewers: valid.len(),
                criterion_means: means.into_iter().map(round2).collect(),
                weighted: Some(round2(weighted)),
                rank: None,
            }
        })
        .collect();
    out.sort_by(|a, b| match (a.weighted, b.weighted) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(a.application.cmp(&b.application)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.application.cmp(&b.application),
    });
    let mut previous: Option<(f64, usize)> = None;
    for (i, r) in out.iter_mut().enumerate() {
        let Some(w) = r.weighted else { break };
        let rank = match previous {
            Some((p, rank)) if p == w => rank,
            _ => i + 1,
        };
        r.rank = Some(rank);
        previous = Some((w, rank));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn weighted_means_follow_the_weights() {
        // Criteria weighted 60/40: A is strong on the first, B on the second.
        let sheets = vec![
            Sheets { application: id(1), by_reviewer: vec![vec![90, 50], vec![80, 60]] },
            Sheets { application: id(2), by_reviewer: vec![vec![60, 100]] },
        ];
        let ranked = rank(&[60, 40], &sheets);
        // B: 0.6·60 + 0.4·100 = 76 beats A: 0.6·85 + 0.4·55 = 73.
        assert_eq!(ranked[0].application, id(2));
        assert_eq!(ranked[0].weighted, Some(76.0));
        assert_eq!(ranked[0].rank, Some(1));
        assert_eq!(ranked[1].application, id(1));
        assert_eq!(ranked[1].criterion_means, vec![85.0, 55.0]);
        assert_eq!(ranked[1].weighted, Some(73.0));
        assert_eq!(ranked[1].reviewers, 2);
        assert_eq!(ranked[1].rank, Some(2));
    }

    #[test]
    fn ties_share_a_rank_and_unscored_come_last() {
        let sheets = vec![
            Sheets { application: id(3), by_reviewer: vec![] },
            Sheets { application: id(1), by_reviewer: vec![vec![70]] },
            Sheets { application: id(2), by_reviewer: vec![vec![70]] },
            Sheets { application: id(4), by_reviewer: vec![vec![50]] },
        ];
        let ranked = rank(&[100], &sheets);
        let ranks: Vec<(Uuid, Option<usize>)> = ranked.iter().map(|r| (r.application, r.rank)).collect();
        assert_eq!(ranks, vec![(id(1), Some(1)), (id(2), Some(1)), (id(4), Some(3)), (id(3), None)]);
        assert_eq!(ranked[3].weighted, None);
    }

    #[test]
    fn sheets_of_the_wrong_length_do_not_count() {
        let sheets = vec![Sheets { application: id(1), by_reviewer: vec![vec![10], vec![80, 80]] }];
        let ranked = rank(&[50, 50], &sheets);
        assert_eq!(ranked[0].reviewers, 1);
        assert_eq!(ranked[0].weighted, Some(80.0));
    }
}

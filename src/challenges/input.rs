//! Bodies and queries of `/api/v1/challenges…`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::{Criterion, Milestone};
use crate::error::ApiError;
use crate::error::{FieldCode, FieldError};
use crate::spec::text::{LongText, Note, Region, Title};
use crate::validation::{self, Fields};
use crate::vocab::{ChallengeApplicationStatus, ChallengeStatus, OrganizationKind};

const MAX_NOTE_CHARS: usize = 2000;
/// The kinds that may take a challenge on (揭榜方).
pub const APPLICANT_KINDS: [OrganizationKind; 3] =
    [OrganizationKind::University, OrganizationKind::ResearchInstitute, OrganizationKind::Enterprise];

/// A criterion as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChallengeCriterionInput)]
pub struct CriterionInput {
    /// 1–100 characters, unique within the challenge.
    #[schema(value_type = Title)]
    pub name: String,
    /// 1–100; the weights sum to 100.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 1, maximum = 100)]
    pub weight: i64,
}

/// A milestone as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChallengeMilestoneInput)]
pub struct MilestoneInput {
    #[schema(value_type = Title)]
    pub title: String,
    pub due_on: NaiveDate,
}

/// Body of `POST /api/v1/challenges`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChallengeInput {
    /// The demand published as a challenge: the caller's organisation's (admins: any), open.
    pub demand_id: Uuid,
    /// Default: the demand's title.
    #[schema(value_type = Option<Title>)]
    pub title: Option<String>,
    /// Default: the demand's description.
    #[schema(value_type = Option<LongText>)]
    pub description: Option<String>,
    /// Reward or budget in fen (0.01 CNY), 0–10^15.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub reward_fen: i64,
    pub opens_at: DateTime<Utc>,
    /// After `opens_at`.
    pub closes_at: DateTime<Utc>,
    /// Who may apply: `university`, `research_institute`, `enterprise` (default: all three).
    #[schema(max_items = 3)]
    pub eligible_kinds: Option<Vec<OrganizationKind>>,
    /// An applicant's region must name one of these (default: any region). At most 10.
    #[schema(max_items = 10, value_type = Option<Vec<Region>>)]
    pub eligible_regions: Option<Vec<String>>,
    /// At most 20.
    #[schema(max_items = 20)]
    pub milestones: Option<Vec<MilestoneInput>>,
    /// 1–10 criteria whose weights sum to 100.
    #[schema(min_items = 1, max_items = 10)]
    pub criteria: Vec<CriterionInput>,
}

/// A checked new challenge.
#[derive(Debug, Clone)]
pub struct NewChallenge {
    pub demand_id: Uuid,
    pub title: Option<String>,
    pub description: Option<String>,
    pub reward_fen: i64,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub eligible_kinds: Vec<OrganizationKind>,
    pub eligible_regions: Vec<String>,
    pub milestones: Vec<Milestone>,
    pub criteria: Vec<Criterion>,
}

fn instant(f: &mut Fields, field: &str, at: DateTime<Utc>) {
    if !(1..=9999).contains(&at.year()) {
        f.push(
            validation::range_error(field, 1, 9999, i64::from(at.year()))
                .says("应为公元 0001–9999 年间的时刻", "must be an instant of the years 0001–9999"),
        );
    }
}

impl CreateChallengeInput {
    /// 422 naming each bad field.
    pub fn parse(self) -> Result<NewChallenge, ApiError> {
        let mut f = Fields::new();
        let title = f.opt_text("title", self.title, 200);
        let description = f.opt_long_text("description", self.description, 5000);
        f.money("reward_fen", Some(self.reward_fen));
        instant(&mut f, "opens_at", self.opens_at);
        instant(&mut f, "closes_at", self.closes_at);
        if self.closes_at <= self.opens_at {
            f.push(
                FieldError::new("closes_at", FieldCode::Inconsistent)
                    .with("other", "opens_at")
                    .says("截止时间必须晚于开放时间", "the window must close after it opens"),
            );
        }
        let kinds = self.eligible_kinds.unwrap_or_else(|| APPLICANT_KINDS.to_vec());
        let mut eligible_kinds = Vec::new();
        for (i, k) in kinds.into_iter().enumerate() {
            if !APPLICANT_KINDS.contains(&k) {
                f.push(
                    FieldError::new(format!("eligible_kinds.{i}"), FieldCode::NotAllowed)
                        .with("allowed", APPLICANT_KINDS.iter().map(|k| k.to_string()).collect::<Vec<_>>())
                        .says(
                            "只有高校、科研院所和企业可以揭榜",
                            "only universities, research institutes and enterprises apply",
                        ),
                );
            } else if !eligible_kinds.contains(&k) {
                eligible_kinds.push(k);
            }
        }
        if eligible_kinds.is_empty() {
            f.push(
                FieldError::new("eligible_kinds", FieldCode::TooShort)
                    .with("min", 1)
                    .with("actual", 0)
                    .says("至少一种机构类型", "at least one kind"),
            );
        }
        let eligible_regions = f.terms("eligible_regions", self.eligible_regions.unwrap_or_default(), 10, 100);
        let sent_milestones = self.milestones.unwrap_or_default();
        if sent_milestones.len() > 20 {
            f.push(
                FieldError::new("milestones", FieldCode::TooMany).with("max", 20).with("actual", sent_milestones.len()),
            );
        }
        let milestones = sent_milestones
            .into_iter()
            .enumerate()
            .map(|(i, m)| Milestone {
                title: f.text(&format!("milestones.{i}.title"), m.title, 200),
                due_on: f.day(&format!("milestones.{i}.due_on"), Some(m.due_on)).unwrap_or(m.due_on),
            })
            .collect();
        let n = self.criteria.len();
        if !(1..=10).contains(&n) {
            let code = if n == 0 { FieldCode::TooShort } else { FieldCode::TooMany };
            f.push(
                FieldError::new("criteria", code)
                    .with("min", 1)
                    .with("max", 10)
                    .with("actual", n)
                    .says(format!("评价标准应为 1–10 项（实际 {n} 项）"), format!("1–10 criteria (got {n})")),
            );
        }
        let mut criteria: Vec<Criterion> = Vec::new();
        let mut sum = 0i64;
        for (i, c) in self.criteria.into_iter().enumerate() {
            let name = f.text(&format!("criteria.{i}.name"), c.name, 100);
            if !(1..=100).contains(&c.weight) {
                f.push(validation::range_error(&format!("criteria.{i}.weight"), 1, 100, c.weight));
            } else {
                sum += c.weight;
            }
            if criteria.iter().any(|k| k.name == name) {
                f.push(
                    FieldError::new(format!("criteria.{i}.name"), FieldCode::InvalidValue)
                        .says("评价标准名称不能重复", "criteria names are unique"),
                );
            }
            criteria.push(Criterion { name, weight: u32::try_from(c.weight.clamp(0, 100)).unwrap_or(0) });
        }
        if (1..=10).contains(&n) && sum != 100 && criteria.iter().all(|c| c.weight > 0) {
            f.push(
                FieldError::new("criteria", FieldCode::InvalidValue).with("expected", "100").with("actual", sum).says(
                    format!("各项权重之和应为 100（实际 {sum}）"),
                    format!("the weights must sum to 100 (got {sum})"),
                ),
            );
        }
        f.finish()?;
        Ok(NewChallenge {
            demand_id: self.demand_id,
            title,
            description,
            reward_fen: self.reward_fen,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            eligible_kinds,
            eligible_regions,
            milestones,
            criteria,
        })
    }
}

/// Body of `POST /api/v1/challenges/{id}/status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = ChallengeMoveInput)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// The status asked for (see the challenge's `allowed_moves`; `awarded` comes with
    /// `POST …/award`).
    pub to: ChallengeStatus,
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// Body of `POST /api/v1/challenges/{id}/applications`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChallengeApplyInput)]
pub struct ApplyInput {
    /// The proposal (方案): 1–5000 characters.
    #[schema(value_type = LongText)]
    pub proposal: String,
    /// The team: 1–2000 characters.
    #[schema(value_type = Note)]
    pub team_summary: String,
    /// The price asked, in fen.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub price_fen: i64,
    /// Days to deliver, 1–3650.
    #[serde(deserialize_with = "crate::validation::integer")]
    #[schema(minimum = 1, maximum = 3650)]
    pub duration_days: i64,
    /// 1–5 published supplies of the caller's organisation (another organisation's: 404).
    #[schema(min_items = 1, max_items = 5)]
    pub supply_ids: Vec<Uuid>,
}

/// A checked application.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub proposal: String,
    pub team_summary: String,
    pub price_fen: i64,
    pub duration_days: i32,
    pub supply_ids: Vec<Uuid>,
}

impl ApplyInput {
    pub fn parse(self) -> Result<NewApplication, ApiError> {
        let mut f = Fields::new();
        let proposal = f.long_text("proposal", self.proposal, 5000);
        let team_summary = f.long_text("team_summary", self.team_summary, 2000);
        f.money("price_fen", Some(self.price_fen));
        let duration_days = f.small_range("duration_days", Some(self.duration_days), 1, 3650).unwrap_or(1);
        let mut supply_ids = self.supply_ids;
        if !(1..=5).contains(&supply_ids.len()) {
            let n = supply_ids.len();
            let code = if n == 0 { FieldCode::TooShort } else { FieldCode::TooMany };
            f.push(
                FieldError::new("supply_ids", code)
                    .with("min", 1)
                    .with("max", 5)
                    .with("actual", n)
                    .says(format!("应关联 1–5 项成果（实际 {n} 项）"), format!("1–5 supplies (got {n})")),
            );
        }
        let mut seen = Vec::new();
        supply_ids.retain(|id| {
            let new = !seen.contains(id);
            seen.push(*id);
            new
        });
        f.finish()?;
        Ok(NewApplication {
            proposal,
            team_summary,
            price_fen: self.price_fen,
            duration_days: i32::from(duration_days),
            supply_ids,
        })
    }
}

/// Body of `POST /api/v1/challenges/{id}/reviewers`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChallengeAppointInput)]
pub struct AppointInput {
    /// The user appointed (of any organisation).
    pub user_id: Uuid,
}

/// Body of `POST …/applications/{application_id}/conflict`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChallengeConflictInput)]
pub struct ConflictInput {
    /// Why the reviewer steps aside (回避).
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// A score as sent: an integer (`90.0` is read as 90).
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Score(#[serde(deserialize_with = "crate::validation::integer")] pub i64);

/// Body of `POST …/applications/{application_id}/scores`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChallengeScoreInput)]
pub struct ScoreInput {
    /// One score 0–100 per criterion, in the challenge's order of `criteria`.
    #[schema(min_items = 1, max_items = 10, value_type = Vec<i64>)]
    pub scores: Vec<Score>,
    #[schema(value_type = Option<Note>)]
    pub comment: Option<String>,
}

/// Body of `POST /api/v1/challenges/{id}/award`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ChallengeAwardInput)]
pub struct AwardInput {
    /// 1–10 submitted applications of the challenge.
    #[schema(min_items = 1, max_items = 10)]
    pub winners: Vec<Uuid>,
    #[schema(value_type = Option<Note>)]
    pub note: Option<String>,
}

/// Checks an optional note of at most 2000 characters.
pub fn note(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    let mut f = Fields::new();
    let note = f.opt_long_text(field, value, MAX_NOTE_CHARS);
    f.finish()?;
    Ok(note)
}

/// Query of `GET /api/v1/challenges`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChallengeListParams {
    /// Only challenges in this status.
    pub status: Option<ChallengeStatus>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Query of `GET /api/v1/challenges/{id}/applications`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationListParams {
    /// Only applications in this status.
    pub status: Option<ChallengeApplicationStatus>,
    /// Page number, 1–10000 (default 1).
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

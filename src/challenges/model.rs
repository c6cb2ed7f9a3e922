//! Challenge and application records, and the views returned by the API.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{challenge_applications, challenges};
use crate::vocab::{ChallengeApplicationStatus, ChallengeStatus, OrganizationKind};

/// An evaluation criterion and its weight (the weights of a challenge sum to 100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = ChallengeCriterion)]
pub struct Criterion {
    /// e.g. 技术先进性.
    pub name: String,
    /// 1–100; the weights of a challenge sum to 100.
    pub weight: u32,
}

/// A milestone of the work asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = ChallengeMilestone)]
pub struct Milestone {
    pub title: String,
    pub due_on: NaiveDate,
}

/// A challenge as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = challenges)]
pub struct Challenge {
    pub id: Uuid,
    pub demand_id: Uuid,
    pub organization_id: Uuid,
    pub created_by: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub reward_fen: i64,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub eligible_kinds: Vec<OrganizationKind>,
    pub eligible_regions: Vec<String>,
    pub milestones: serde_json::Value,
    pub criteria: serde_json::Value,
    pub status: ChallengeStatus,
    pub status_note: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub result_note: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Challenge {
    /// The criteria as stored (empty if the column were ever unreadable).
    pub fn criteria(&self) -> Vec<Criterion> {
        serde_json::from_value(self.criteria.clone()).unwrap_or_default()
    }

    /// The milestones as stored.
    pub fn milestones(&self) -> Vec<Milestone> {
        serde_json::from_value(self.milestones.clone()).unwrap_or_default()
    }

    /// The criteria's weights, in order.
    pub fn weights(&self) -> Vec<u32> {
        self.criteria().iter().map(|c| c.weight).collect()
    }
}

/// A challenge as returned.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeView {
    pub id: Uuid,
    /// The demand the challenge publishes.
    pub demand_id: Uuid,
    /// The demand's organisation: the challenge's owner (揭榜挂帅发布方).
    pub organization_id: Uuid,
    pub organization_name: String,
    pub title: String,
    pub description: String,
    /// The reward or budget in fen (0.01 CNY).
    pub reward_fen: i64,
    /// Applications are taken from `opens_at` (included) to `closes_at` (excluded) while `open`.
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Whether applications are taken now.
    pub accepting_applications: bool,
    /// Organisation kinds that may apply.
    pub eligible_kinds: Vec<OrganizationKind>,
    /// Regions an applicant's region must name (empty: any).
    pub eligible_regions: Vec<String>,
    pub milestones: Vec<Milestone>,
    pub criteria: Vec<Criterion>,
    /// `draft`, `screening`, `open`, `closed`, `evaluating`, `awarded`, `no_award` or `cancelled`.
    pub status: ChallengeStatus,
    /// Statuses the caller may move the challenge to through `POST …/status`.
    pub allowed_moves: Vec<ChallengeStatus>,
    /// The note of the last status change.
    pub status_note: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When it was awarded, found without award, or cancelled.
    pub decided_at: Option<DateTime<Utc>>,
    pub result_note: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An application as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = challenge_applications)]
pub struct Application {
    pub id: Uuid,
    pub challenge_id: Uuid,
    pub organization_id: Uuid,
    pub submitted_by: Option<Uuid>,
    pub proposal: String,
    pub team_summary: String,
    pub price_fen: i64,
    pub duration_days: i32,
    pub supply_ids: Vec<Uuid>,
    pub status: ChallengeApplicationStatus,
    pub connection_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An application (揭榜方案) as returned.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeApplicationView)]
pub struct ApplicationView {
    pub id: Uuid,
    pub challenge_id: Uuid,
    /// The applicant (揭榜方).
    pub organization_id: Uuid,
    pub organization_name: String,
    pub submitted_by: Option<Uuid>,
    pub proposal: String,
    pub team_summary: String,
    /// The price asked, in fen.
    pub price_fen: i64,
    pub duration_days: i32,
    /// The applicant's own supplies the proposal builds on; the award's connection joins the
    /// challenge's demand and the first.
    pub supply_ids: Vec<Uuid>,
    /// `submitted`, `withdrawn`, `awarded` or `not_awarded`.
    pub status: ChallengeApplicationStatus,
    /// The connection the award opened, for a winner.
    pub connection_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ApplicationView {
    pub fn new(a: Application, organization_name: String) -> Self {
        Self {
            id: a.id,
            challenge_id: a.challenge_id,
            organization_id: a.organization_id,
            organization_name,
            submitted_by: a.submitted_by,
            proposal: a.proposal,
            team_summary: a.team_summary,
            price_fen: a.price_fen,
            duration_days: a.duration_days,
            supply_ids: a.supply_ids,
            status: a.status,
            connection_id: a.connection_id,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// A reviewer on a challenge's panel.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeReviewer)]
pub struct Reviewer {
    pub user_id: Uuid,
    pub display_name: String,
    pub organization_id: Uuid,
    pub organization_name: String,
}

/// A challenge's review panel.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengePanel)]
pub struct Panel {
    pub challenge_id: Uuid,
    pub reviewers: Vec<Reviewer>,
}

/// One reviewer's scores of one application.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeScoreSheet)]
pub struct ScoreSheet {
    pub application_id: Uuid,
    pub reviewer_id: Uuid,
    /// One 0–100 score per criterion, in the criteria's order.
    pub scores: Vec<i32>,
    pub comment: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// One application in the panel's ranking.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeRankedApplication)]
pub struct RankedApplication {
    pub application_id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub status: ChallengeApplicationStatus,
    /// How many reviewers scored it.
    pub reviewers: usize,
    /// Mean score of each criterion (empty until scored).
    pub criterion_means: Vec<f64>,
    /// Weighted mean, 0–100, two decimals; `null` until scored.
    pub weighted_score: Option<f64>,
    /// 1 for the best; ties share a rank; `null` until scored.
    pub rank: Option<usize>,
}

/// The panel's result so far (admins, the owner, the reviewers).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeEvaluation)]
pub struct Evaluation {
    pub challenge_id: Uuid,
    pub status: ChallengeStatus,
    pub criteria: Vec<Criterion>,
    pub reviewers: Vec<Reviewer>,
    /// Every application that was not withdrawn, best first.
    pub ranking: Vec<RankedApplication>,
}

/// A winner named by the award.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeWinner)]
pub struct Winner {
    pub application_id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// The connection opened for it (`negotiating`, linked to the challenge).
    pub connection_id: Option<Uuid>,
    pub weighted_score: Option<f64>,
    pub rank: Option<usize>,
}

/// The award's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeAward)]
pub struct Award {
    pub challenge: ChallengeView,
    pub winners: Vec<Winner>,
}

/// Summary of the panel's scores in the public result.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeScoreSummary)]
pub struct ScoreSummary {
    /// Applications that were not withdrawn.
    pub applications: usize,
    /// Applications the panel scored.
    pub scored: usize,
    pub reviewers: usize,
    pub highest: Option<f64>,
    pub lowest: Option<f64>,
    pub mean: Option<f64>,
}

/// The public result (公示) of an awarded challenge, or one closed without award.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeResult)]
pub struct PublicResult {
    pub challenge_id: Uuid,
    pub title: String,
    pub organization_name: String,
    pub reward_fen: i64,
    /// `awarded` or `no_award`.
    pub status: ChallengeStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub result_note: Option<String>,
    pub criteria: Vec<Criterion>,
    pub winners: Vec<Winner>,
    pub scores: ScoreSummary,
}

/// A likely solver the engine suggests: a supply and its holder, explained.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChallengeSuggestion)]
pub struct Suggestion {
    pub supply_id: Uuid,
    pub supply_title: String,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// The match score, 0–1.
    pub score: f32,
    /// Why, as a sentence a broker can read aloud.
    pub reason: String,
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
}

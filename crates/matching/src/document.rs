//! What goes into the engine: documents (listings), queries and filters, and the vocabulary
//! they share (sides, industry definitions, cooperation modes).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which kind of listing a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// A technology achievement offered by a university or institute (科技成果).
    Supply,
    /// A technology need posted by an enterprise (技术需求).
    Demand,
}

impl Side {
    /// The other side (the side a listing of this side is matched against).
    pub fn opposite(self) -> Side {
        match self {
            Side::Supply => Side::Demand,
            Side::Demand => Side::Supply,
        }
    }
}

/// One industry of the taxonomy (`data/industries.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndustryDef {
    /// Stable code, e.g. `goji`.
    pub code: String,
    /// Code of the industry's group, e.g. `six_special`.
    pub group: String,
    /// `name_zh`, `name_en` and the aliases. Each name found in a text counts as evidence
    /// for the industry and is added to the segmentation dictionary.
    pub names: Vec<String>,
}

/// The cooperation / transfer modes the engine understands. Other strings are ignored.
pub const MODES: [&str; 6] =
    ["transfer", "license", "equity", "joint_development", "technical_service", "technical_consulting"];

/// A listing as indexed by the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Document {
    /// Listing id (the database primary key).
    pub id: Uuid,
    /// Supply or demand.
    pub side: Side,
    /// Title.
    pub title: String,
    /// Supply summary / demand description.
    pub body: String,
    /// Publisher's keywords (also added to the segmentation dictionary).
    pub keywords: Vec<String>,
    /// Industry codes (unknown codes are ignored).
    pub industries: Vec<String>,
    /// Group-level tags (group codes) for a listing whose publisher only picked a broad
    /// area. The groups of `industries` need not be repeated here.
    pub groups: Vec<String>,
    /// Supply: offered TRL 1..=9; demand: minimum TRL wanted.
    pub trl: Option<u8>,
    /// Supply: asking price; demand: budget; in fen (0.01 CNY).
    pub money_fen: Option<i64>,
    /// Cooperation modes, see [`MODES`].
    pub modes: Vec<String>,
    /// Region, free text (e.g. 宁夏, 银川). Compared after normalisation; one containing the
    /// other counts as the same region.
    pub region: Option<String>,
}

impl Default for Document {
    fn default() -> Self {
        Self {
            id: Uuid::nil(),
            side: Side::Supply,
            title: String::new(),
            body: String::new(),
            keywords: Vec::new(),
            industries: Vec::new(),
            groups: Vec::new(),
            trl: None,
            money_fen: None,
            modes: Vec::new(),
            region: None,
        }
    }
}

/// What to match: the content fields of a [`Document`] without id and side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    /// Title (its terms weigh `MatchingConfig::query_title_boost`).
    pub title: String,
    /// Description / summary.
    pub body: String,
    /// Keywords (terms weigh `MatchingConfig::query_keyword_boost`; a keyword found verbatim
    /// in a document's text counts as keyword agreement).
    pub keywords: Vec<String>,
    /// Industry codes.
    pub industries: Vec<String>,
    /// Group-level tags (group codes), e.g. when an enterprise only picked a broad area.
    pub groups: Vec<String>,
    /// Offered (query is a supply) or minimum wanted (query is a demand) TRL.
    pub trl: Option<u8>,
    /// Price (supply) or budget (demand), in fen.
    pub money_fen: Option<i64>,
    /// Cooperation modes, see [`MODES`].
    pub modes: Vec<String>,
    /// Region; only when set does region agreement take part in the score.
    pub region: Option<String>,
    /// A document id never to return (the listing the query was made from).
    pub exclude: Option<Uuid>,
    /// Outcome history by document id, each in `-1..=1`: positive when the document's owner
    /// connected successfully with listings similar to the query, negative when it declined
    /// them. Documents absent here get no `history` signal.
    pub history: Vec<(Uuid, f32)>,
}

/// Hard filters on the returned documents. Empty / `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    /// Keep documents tagged with at least one of these industry codes; a group code here
    /// keeps every document tagged with an industry of that group (or with the group).
    pub industries: Vec<String>,
    /// Keep documents with TRL ≥ this (documents without TRL are dropped when set).
    pub trl_min: Option<u8>,
    /// Keep documents with TRL ≤ this (documents without TRL are dropped when set).
    pub trl_max: Option<u8>,
    /// Keep documents whose region equals this one or contains it / is contained in it
    /// (after normalisation).
    pub region: Option<String>,
    /// Keep documents offering at least one of these modes.
    pub modes: Vec<String>,
    /// Keep matches whose score (0..=1) is at least this.
    pub min_score: Option<f32>,
    /// Keep matches of these confidence tiers (empty: every tier).
    pub confidence: Vec<Confidence>,
    /// Never return these documents (e.g. pairs the parties marked as not relevant).
    pub exclude: Vec<Uuid>,
}

/// How sure a match is: its score against [`crate::MatchingConfig::strong_score`] and
/// [`crate::MatchingConfig::possible_score`], thresholds calibrated on the development set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Score at least `strong_score`.
    Strong,
    /// Score at least `possible_score`.
    Possible,
    /// Below `possible_score`: shared evidence, little else.
    Weak,
}

impl Confidence {
    /// The tier of `score` under `config`'s thresholds.
    pub fn of(score: f32, config: &crate::config::MatchingConfig) -> Self {
        if score >= config.strong_score {
            Confidence::Strong
        } else if score >= config.possible_score {
            Confidence::Possible
        } else {
            Confidence::Weak
        }
    }
}

//! The contract record and the view returned by the API.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::contracts;
use crate::vocab::{ContractReview, ContractReviewReason, ContractStatus, ContractSubKind, ContractType};

/// A contract as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contracts)]
pub struct Contract {
    pub id: Uuid,
    pub connection_id: Uuid,
    pub status: ContractStatus,
    pub contract_type: ContractType,
    pub sub_kind: Option<ContractSubKind>,
    pub total_fen: i64,
    pub technical_fen: i64,
    pub signed_on: NaiveDate,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub proposed_by: Option<Uuid>,
    pub proposer_organization_id: Option<Uuid>,
    pub proposed_at: DateTime<Utc>,
    pub proposal_note: Option<String>,
    pub disputed_by: Option<Uuid>,
    pub dispute_note: Option<String>,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub review: ContractReview,
    pub review_reasons: Vec<ContractReviewReason>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
    pub registration_no: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub status_note: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Contract {
    /// Whether the contract counts in the statistics: confirmed by both sides and not waiting
    /// for (or refused by) the department's review.
    pub fn counts(&self) -> bool {
        self.status.is_confirmed() && matches!(self.review, ContractReview::NotRequired | ContractReview::Approved)
    }
}

/// A party of the contract: the organisation behind one side of the connection.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ContractParty)]
pub struct Party {
    pub organization_id: Uuid,
    pub organization_name: String,
    /// The listing of this side (the demand for the buyer, the supply for the seller).
    pub listing_id: Uuid,
}

/// A contract as returned.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractView {
    pub id: Uuid,
    pub connection_id: Uuid,
    /// `proposed`, `disputed`, `signed`, `registered`, `in_performance`, `completed` or `terminated`.
    pub status: ContractStatus,
    /// 技术开发, 转让, 许可, 咨询 or 服务.
    pub contract_type: ContractType,
    pub sub_kind: Option<ContractSubKind>,
    /// 买方 (委托方, 受让方, 被许可方): the demand's organisation.
    pub buyer: Party,
    /// 卖方 (受托方, 让与方, 许可方): the supply's organisation; it registers the contract.
    pub seller: Party,
    /// The contract total in fen (0.01 CNY).
    pub total_fen: i64,
    /// 技术交易额: the technical part of the total, in fen; at most `total_fen`.
    pub technical_fen: i64,
    pub signed_on: NaiveDate,
    /// First day of the term; `null` only on contracts carried over from one-sided signing.
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    /// The user who put the current terms.
    pub proposed_by: Option<Uuid>,
    /// That user's organisation: the other side confirms.
    pub proposer_organization_id: Option<Uuid>,
    pub proposed_at: DateTime<Utc>,
    pub proposal_note: Option<String>,
    pub disputed_by: Option<Uuid>,
    /// Why the other side disputed the terms (until they are proposed again).
    pub dispute_note: Option<String>,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The department's review: `not_required`, `pending`, `approved` or `rejected`.
    pub review: ContractReview,
    /// Why it is (or was) reviewed.
    pub review_reasons: Vec<ContractReviewReason>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
    /// Whether the contract counts in the statistics (confirmed, review not pending or rejected).
    pub counts_in_statistics: bool,
    /// 技术合同登记号, once registered.
    pub registration_no: Option<String>,
    pub registered_on: Option<NaiveDate>,
    /// The note of the last status change after signing (e.g. why it was terminated).
    pub status_note: Option<String>,
    /// Statuses the contract may be moved to next through `POST …/contract/status`.
    pub allowed_moves: Vec<ContractStatus>,
    /// Sent back as `version` when confirming, so that a confirmation names the terms it saw.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContractView {
    /// The view of `c` with its two parties.
    pub fn new(c: Contract, buyer: Party, seller: Party) -> Self {
        let counts_in_statistics = c.counts();
        Self {
            id: c.id,
            connection_id: c.connection_id,
            allowed_moves: c.status.allowed_moves().to_vec(),
            status: c.status,
            contract_type: c.contract_type,
            sub_kind: c.sub_kind,
            buyer,
            seller,
            total_fen: c.total_fen,
            technical_fen: c.technical_fen,
            signed_on: c.signed_on,
            term_start: c.term_start,
            term_end: c.term_end,
            proposed_by: c.proposed_by,
            proposer_organization_id: c.proposer_organization_id,
            proposed_at: c.proposed_at,
            proposal_note: c.proposal_note,
            disputed_by: c.disputed_by,
            dispute_note: c.dispute_note,
            confirmed_by: c.confirmed_by,
            confirmed_at: c.confirmed_at,
            review: c.review,
            review_reasons: c.review_reasons,
            reviewed_by: c.reviewed_by,
            reviewed_at: c.reviewed_at,
            review_note: c.review_note,
            counts_in_statistics,
            registration_no: c.registration_no,
            registered_on: c.registered_on,
            status_note: c.status_note,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

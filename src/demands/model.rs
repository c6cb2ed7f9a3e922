//! The demand record as stored and returned, and the rows written to insert or change one.

use chrono::NaiveDate;

use matching::{Document, Side};

use crate::db::schema::demands;
use crate::error::ErrorCode;
use crate::listing::completeness::Facts;
use crate::listing::model::listing_model;
use crate::listing::{Head, Kind, Listing};

use crate::vocab::{DemandStatus, ListingKind, TransferMode};

listing_model! {
    /// A demand (技术需求) as stored and returned.
    stored: Demand,
    new: NewDemand,
    changes: DemandChanges,
    table: demands,
    status: DemandStatus,
    owner: {
        /// The enterprise (or institute) with the need.
    },
    body: description,
    own: {
        /// Lowest technology readiness level the enterprise will take, 1–9.
        #[schema(minimum = 1, maximum = 9)]
        trl_min: Option<i16>,
        /// Budget in fen (0.01 CNY); `null` when not stated.
        budget_fen: Option<i64>,
        /// Last day the need stands (a calendar date in China, `YYYY-MM-DD`): the demand expires at
        /// the end of that day (UTC+8).
        deadline: Option<NaiveDate>,
        /// Cooperation modes wanted.
        cooperation_modes: Vec<TransferMode>,
    },
    status_values: {
        /// `draft`, `pending_review`, `changes_requested`, `rejected`, `open`, `closed`, `expired` or
        /// `withdrawn` (docs/API.md, **Listing lifecycle**).
    },
    extra: {
        /// Facts kept from an import (event, issuer, year…).
    },
}

impl Listing for Demand {
    type Status = DemandStatus;

    const KIND: Kind<DemandStatus> = Kind {
        noun: "demand",
        path: "/api/v1/demands",
        off_market: DemandStatus::Withdrawn,
        off_market_code: ErrorCode::Withdrawn,
        off_market_action: "withdraw",
        off_market_detail: "a withdrawn demand cannot be changed",
        public: &[DemandStatus::Open, DemandStatus::Closed],
        candidate: DemandStatus::Open,
        side: Side::Demand,
        kind: ListingKind::Demand,
        draft: DemandStatus::Draft,
        pending_review: DemandStatus::PendingReview,
        changes_requested: DemandStatus::ChangesRequested,
        rejected: DemandStatus::Rejected,
        expired: DemandStatus::Expired,
        closed: Some(DemandStatus::Closed),
    };

    fn region_code(&self) -> Option<&str> {
        self.region_code.as_deref()
    }

    fn head(&self) -> Head<DemandStatus> {
        Head {
            id: self.id,
            organization_id: self.organization_id,
            version: self.version,
            status: self.status,
            expires_at: self.expires_at,
            submitted_at: self.submitted_at,
        }
    }

    fn facts(&self) -> Facts {
        Facts {
            kind: ListingKind::Demand,
            trl: self.trl_min.is_some(),
            ip_type: None,
            ip_number: false,
            modes: !self.cooperation_modes.is_empty(),
            money: self.budget_fen.is_some(),
            scenario: self.application_scenario.is_some(),
            contact: false,
        }
    }

    fn deadline(&self) -> Option<NaiveDate> {
        self.deadline
    }

    fn title(&self) -> &str {
        &self.title
    }

    /// The engine document of a demand (budget as money, minimum TRL wanted).
    fn document(&self) -> Document {
        Document {
            id: self.id,
            side: Side::Demand,
            title: self.title.clone(),
            body: self.description.clone(),
            keywords: self.keywords.clone(),
            industries: self.industries.clone(),
            groups: Vec::new(),
            trl: self.trl_min.and_then(|v| u8::try_from(v).ok()),
            money_fen: self.budget_fen,
            modes: self.cooperation_modes.iter().map(|m| m.as_str().to_string()).collect(),
            region: self.region.clone(),
        }
    }
}

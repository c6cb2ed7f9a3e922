//! The supply record as stored and returned, and the rows written to insert or change one.

use matching::{Document, Side};

use crate::db::schema::supplies;
use crate::error::ErrorCode;
use crate::listing::completeness::Facts;
use crate::listing::model::listing_model;
use crate::listing::{Head, Kind, Listing};

use crate::vocab::{IpType, ListingKind, SupplyStatus, TransferMode};

listing_model! {
    /// A supply (科技成果) as stored and returned.
    stored: Supply,
    new: NewSupply,
    changes: SupplyChanges,
    table: supplies,
    status: SupplyStatus,
    owner: {
        /// The organisation that holds the achievement.
    },
    body: summary,
    own: {
        /// Technology readiness level offered, 1–9 (GB/T 22900 levels).
        #[schema(minimum = 1, maximum = 9)]
        trl: Option<i16>,
        /// Kind of intellectual property protecting the achievement.
        ip_type: Option<IpType>,
        /// Patent or registration number of the right (e.g. `ZL202310123456.7`).
        ip_number: Option<String>,
        /// Transfer modes offered.
        transfer_modes: Vec<TransferMode>,
        /// Asking price in fen (0.01 CNY); `null` means negotiable.
        price_fen: Option<i64>,
    },
    status_values: {
        /// `draft`, `pending_review`, `changes_requested`, `rejected`, `published`, `expired` or `archived`
        /// (docs/API.md, **Listing lifecycle**).
    },
    extra: {
        /// Facts kept from an import (event, year, maturity note…).
    },
}

impl Listing for Supply {
    type Status = SupplyStatus;

    const KIND: Kind<SupplyStatus> = Kind {
        noun: "supply",
        path: "/api/v1/supplies",
        off_market: SupplyStatus::Archived,
        off_market_code: ErrorCode::Archived,
        off_market_action: "archive",
        off_market_detail: "an archived supply cannot be changed",
        public: &[SupplyStatus::Published],
        candidate: SupplyStatus::Published,
        side: Side::Supply,
        kind: ListingKind::Supply,
        draft: SupplyStatus::Draft,
        pending_review: SupplyStatus::PendingReview,
        changes_requested: SupplyStatus::ChangesRequested,
        rejected: SupplyStatus::Rejected,
        expired: SupplyStatus::Expired,
        closed: None,
    };

    fn region_code(&self) -> Option<&str> {
        self.region_code.as_deref()
    }

    fn head(&self) -> Head<SupplyStatus> {
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
            kind: ListingKind::Supply,
            trl: self.trl.is_some(),
            ip_type: self.ip_type,
            ip_number: self.ip_number.is_some(),
            modes: !self.transfer_modes.is_empty(),
            money: self.price_fen.is_some(),
            scenario: self.application_scenario.is_some(),
            contact: false,
        }
    }

    fn title(&self) -> &str {
        &self.title
    }

    /// The engine document of a supply (asking price as money, offered TRL).
    fn document(&self) -> Document {
        Document {
            id: self.id,
            side: Side::Supply,
            title: self.title.clone(),
            body: self.summary.clone(),
            keywords: self.keywords.clone(),
            industries: self.industries.clone(),
            groups: Vec::new(),
            trl: self.trl.and_then(|v| u8::try_from(v).ok()),
            money_fen: self.price_fen,
            modes: self.transfer_modes.iter().map(|m| m.as_str().to_string()).collect(),
            region: self.region.clone(),
        }
    }
}

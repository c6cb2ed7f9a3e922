//! The supply record as stored and returned, and the rows written to insert or change one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use matching::{Document, Side};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::supplies;
use crate::error::ErrorCode;
use crate::listing::{Head, Kind, Listing};
use crate::spec::IndustryCode;
use crate::vocab::{IpType, SupplyStatus, TransferMode};

/// A supply (科技成果) as stored and returned.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = supplies)]
pub struct Supply {
    pub id: Uuid,
    /// The organisation that holds the achievement.
    pub organization_id: Uuid,
    pub title: String,
    pub summary: String,
    pub keywords: Vec<String>,
    /// Industry codes (see `GET /api/v1/industries`).
    #[schema(value_type = Vec<IndustryCode>)]
    pub industries: Vec<String>,
    /// Technology readiness level offered, 1–9 (GB/T 22900 levels).
    #[schema(minimum = 1, maximum = 9)]
    pub trl: Option<i16>,
    /// Kind of intellectual property protecting the achievement.
    pub ip_type: Option<IpType>,
    /// Transfer modes offered.
    pub transfer_modes: Vec<TransferMode>,
    /// Asking price in fen (0.01 CNY); `null` means negotiable.
    pub price_fen: Option<i64>,
    pub region: Option<String>,
    /// `draft`, `published` or `archived`.
    pub status: SupplyStatus,
    pub source_url: Option<String>,
    /// Facts kept from an import (event, year, maturity note…).
    #[schema(value_type = Object)]
    pub extra: serde_json::Value,
    /// Bumped by every change; sent as the `ETag`.
    #[schema(minimum = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A checked supply ready to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = supplies)]
pub struct NewSupply {
    pub organization_id: Uuid,
    pub title: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub industries: Vec<String>,
    pub trl: Option<i16>,
    pub ip_type: Option<IpType>,
    pub transfer_modes: Vec<TransferMode>,
    pub price_fen: Option<i64>,
    pub region: Option<String>,
    pub status: SupplyStatus,
    pub source_url: Option<String>,
    pub extra: serde_json::Value,
}

/// Checked changes of a PATCH; `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = supplies)]
pub struct SupplyChanges {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub keywords: Option<Vec<String>>,
    pub industries: Option<Vec<String>>,
    pub trl: Option<Option<i16>>,
    pub ip_type: Option<Option<IpType>>,
    pub transfer_modes: Option<Vec<TransferMode>>,
    pub price_fen: Option<Option<i64>>,
    pub region: Option<Option<String>>,
    pub status: Option<SupplyStatus>,
    pub source_url: Option<Option<String>>,
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
    };

    fn head(&self) -> Head<SupplyStatus> {
        Head { id: self.id, organization_id: self.organization_id, version: self.version, status: self.status }
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

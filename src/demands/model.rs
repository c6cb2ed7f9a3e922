//! The demand record as stored and returned, and the rows written to insert or change one.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use matching::{Document, Side};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::demands;
use crate::error::ErrorCode;
use crate::listing::{Head, Kind, Listing};
use crate::spec::IndustryCode;
use crate::vocab::{DemandStatus, TransferMode};

/// A demand (技术需求) as stored and returned.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = demands)]
pub struct Demand {
    pub id: Uuid,
    /// The enterprise (or institute) with the need.
    pub organization_id: Uuid,
    pub title: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// Industry codes (see `GET /api/v1/industries`).
    #[schema(value_type = Vec<IndustryCode>)]
    pub industries: Vec<String>,
    /// Lowest technology readiness level the enterprise will take, 1–9.
    #[schema(minimum = 1, maximum = 9)]
    pub trl_min: Option<i16>,
    /// Budget in fen (0.01 CNY); `null` when not stated.
    pub budget_fen: Option<i64>,
    /// Last day the need stands (a calendar date, `YYYY-MM-DD`).
    pub deadline: Option<NaiveDate>,
    /// Cooperation modes wanted.
    pub cooperation_modes: Vec<TransferMode>,
    pub region: Option<String>,
    /// `draft`, `open`, `closed` or `withdrawn`.
    pub status: DemandStatus,
    pub source_url: Option<String>,
    /// Facts kept from an import (event, issuer, year…).
    #[schema(value_type = Object)]
    pub extra: serde_json::Value,
    /// Bumped by every change; sent as the `ETag`.
    #[schema(minimum = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A checked demand ready to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = demands)]
pub struct NewDemand {
    pub organization_id: Uuid,
    pub title: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub industries: Vec<String>,
    pub trl_min: Option<i16>,
    pub budget_fen: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub cooperation_modes: Vec<TransferMode>,
    pub region: Option<String>,
    pub status: DemandStatus,
    pub source_url: Option<String>,
    pub extra: serde_json::Value,
}

/// Checked changes of a PATCH; `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = demands)]
pub struct DemandChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub keywords: Option<Vec<String>>,
    pub industries: Option<Vec<String>>,
    pub trl_min: Option<Option<i16>>,
    pub budget_fen: Option<Option<i64>>,
    pub deadline: Option<Option<NaiveDate>>,
    pub cooperation_modes: Option<Vec<TransferMode>>,
    pub region: Option<Option<String>>,
    pub status: Option<DemandStatus>,
    pub source_url: Option<Option<String>>,
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
    };

    fn head(&self) -> Head<DemandStatus> {
        Head { id: self.id, organization_id: self.organization_id, version: self.version, status: self.status }
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

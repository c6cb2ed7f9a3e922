//! The demand record as stored and returned, and the rows written to insert or change one.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use matching::{Document, Side};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::demands;
use crate::listing::{Head, Kind, Listing};
use crate::matches::documents::demand_document;
use crate::openapi::IndustryCode;
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
    #[schema(value_type = Vec<TransferMode>)]
    pub cooperation_modes: Vec<String>,
    pub region: Option<String>,
    /// `draft`, `open`, `closed` or `withdrawn`.
    #[schema(value_type = DemandStatus)]
    pub status: String,
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
    pub cooperation_modes: Vec<String>,
    pub region: Option<String>,
    pub status: String,
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
    pub cooperation_modes: Option<Vec<String>>,
    pub region: Option<Option<String>>,
    pub status: Option<String>,
    pub source_url: Option<Option<String>>,
}

impl Listing for Demand {
    const KIND: Kind = Kind {
        noun: "demand",
        path: "/api/v1/demands",
        off_market: "withdrawn",
        off_market_action: "withdraw",
        off_market_detail: "a withdrawn demand cannot be changed",
        public: &["open", "closed"],
        candidate: "open",
        side: Side::Demand,
    };

    fn head(&self) -> Head<'_> {
        Head { id: self.id, organization_id: self.organization_id, version: self.version, status: &self.status }
    }

    fn document(&self) -> Document {
        demand_document(self)
    }
}

//! Connection and event records, and the view returned by the API.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use matching::Explanation;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::summary::UserSummary;
use crate::db::schema::{connection_events, connections};
use crate::vocab::{ConnectionStatus, ContractType, FailureReason};

/// A connection as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = connections)]
pub struct Connection {
    pub id: Uuid,
    pub demand_id: Uuid,
    pub supply_id: Uuid,
    pub status: ConnectionStatus,
    pub opened_by: Option<Uuid>,
    pub broker_id: Option<Uuid>,
    pub match_score: Option<f32>,
    pub match_explanation: Option<serde_json::Value>,
    pub contract_amount_fen: Option<i64>,
    pub contract_type: Option<ContractType>,
    pub contract_registration_no: Option<String>,
    pub failure_reason: Option<FailureReason>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of the outcome log: one move, never changed or deleted.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = connection_events)]
pub struct ConnectionEvent {
    /// Increasing with time within a connection.
    pub id: i64,
    #[serde(skip)]
    pub connection_id: Uuid,
    /// `null` for the opening event.
    pub from_status: Option<ConnectionStatus>,
    /// The status reached by this move.
    pub to_status: ConnectionStatus,
    /// The user who made the move.
    pub actor_id: Option<Uuid>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Contact details of one side, revealed to the other side from `contacted` on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct Contact {
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// One side of a connection: the listing and the organisation behind it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ConnectionParty)]
pub struct Side {
    pub listing_id: Uuid,
    pub title: String,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// `null` until the caller may see it (see [`crate::connections::service`]).
    pub contact: Option<Contact>,
}

/// A connection as returned: both sides, the match at opening, the outcome and the log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConnectionView {
    pub id: Uuid,
    /// `proposed`, `contacted`, `negotiating`, `signed`, `failed` or `withdrawn`.
    pub status: ConnectionStatus,
    /// Statuses the caller may move this connection to next (`contacted` only for the side
    /// that may accept the proposal).
    pub allowed_moves: Vec<ConnectionStatus>,
    pub demand: Side,
    pub supply: Side,
    pub opened_by: Option<Uuid>,
    /// The broker who brought the parties together, if any.
    pub broker_id: Option<Uuid>,
    /// The match score (0–1) when the connection was opened; `null` if the pair was outside
    /// the matcher's candidates.
    pub match_score: Option<f32>,
    /// The match explanation when the connection was opened.
    #[schema(value_type = Option<Explanation>)]
    pub match_explanation: Option<serde_json::Value>,
    /// Contract total in fen (0.01 CNY), once both sides confirmed the contract
    /// (`GET /connections/{id}/contract` has the contract).
    pub contract_amount_fen: Option<i64>,
    pub contract_type: Option<ContractType>,
    /// 技术合同登记号, once the seller side recorded the contract's registration.
    pub contract_registration_no: Option<String>,
    pub failure_reason: Option<FailureReason>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The outcome log, oldest first.
    pub events: Vec<ConnectionEvent>,
    /// Every user the connection names (`opened_by`, `broker_id`, each event's `actor_id`), once
    /// each, in that order: who they are without another call.
    pub users: Vec<UserSummary>,
}

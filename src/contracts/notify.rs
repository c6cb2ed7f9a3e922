//! The notification contracts cause (`contract_updated`), queued in the transaction of its
//! cause ([`crate::notifications::outbox`]): the other side is told when one side proposes terms,
//! confirms them (the connection is signed) or disputes them.

use chrono::Utc;
use diesel::PgConnection;
use serde_json::json;

use uuid::Uuid;

use super::model::{Contract, Party};
use crate::error::ApiError;
use crate::notifications::outbox::{self, NewNotification};
use crate::vocab::NotificationKind;

/// What happened to the terms.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    Proposed,
    Confirmed,
    Disputed,
}

impl Step {
    fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Confirmed => "confirmed",
            Self::Disputed => "disputed",
        }
    }
}

/// Queues `contract_updated` about `connection` for the organisation of the side that did not
/// act (the seller when `buyer_acted`, else the buyer), once per contract version and step.
pub fn tell_other_side(
    conn: &mut PgConnection,
    (buyer, seller): (&Party, &Party),
    buyer_acted: bool,
    connection: Uuid,
    contract: &Contract,
    step: Step,
) -> Result<(), ApiError> {
    let (by, told) = if buyer_acted { (buyer, seller) } else { (seller, buyer) };
    let (demand, supply) = titles(conn, buyer, seller)?;
    outbox::queue(
        conn,
        &NewNotification {
            kind: NotificationKind::ContractUpdated,
            recipient_organization_id: Some(told.organization_id),
            recipient_user_id: None,
            subject_kind: "connection".into(),
            subject_id: connection,
            payload: json!({
                "step": step.as_str(),
                "title": demand,
                "demand_title": demand,
                "supply_title": supply,
                "by": by.organization_name,
                "total_fen": contract.total_fen,
                "note": contract.dispute_note,
                "connection_id": connection,
                "path": format!("/api/v1/connections/{connection}/contract"),
            }),
            dedupe_key: format!("contract_updated:{}:{}:{}", contract.id, contract.version, step.as_str()),
            created_at: Utc::now(),
        },
    )?;
    Ok(())
}

/// The titles of the buyer's demand and the seller's supply.
fn titles(conn: &mut PgConnection, buyer: &Party, seller: &Party) -> Result<(String, String), ApiError> {
    use crate::db::schema::{demands, supplies};
    use diesel::prelude::*;
    let demand = demands::table.find(buyer.listing_id).select(demands::title).first(conn)?;
    let supply = supplies::table.find(seller.listing_id).select(supplies::title).first(conn)?;
    Ok((demand, supply))
}

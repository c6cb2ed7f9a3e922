//! Demo contracts for the run command's demo connections ([`crate::connections::demo`]).

use chrono::{Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::principal::Principal;
use crate::connections::repo::{self as connection_repo, MoveChanges};
use crate::db::schema::contracts;
use crate::error::ApiError;
use crate::vocab::{ConnectionStatus, ContractReview, ContractStatus, ContractType};

/// Signs the `negotiating` connection `id` with a confirmed contract of `total_fen` (技术交易额
/// 80 % of it), as demo data (marked in the notes), and moves the connection to `signed`.
pub fn sign(
    conn: &mut PgConnection,
    actor: &Principal,
    id: Uuid,
    total_fen: i64,
    kind: ContractType,
) -> Result<(), ApiError> {
    let today = Utc::now().date_naive();
    conn.transaction(|conn| {
        diesel::insert_into(contracts::table)
            .values((
                contracts::connection_id.eq(id),
                contracts::status.eq(ContractStatus::Signed),
                contracts::contract_type.eq(kind),
                contracts::total_fen.eq(total_fen),
                contracts::technical_fen.eq(total_fen / 5 * 4),
                contracts::signed_on.eq(today),
                contracts::term_start.eq(Some(today)),
                contracts::term_end.eq(Some(today + Duration::days(365))),
                contracts::proposal_note.eq(Some("演示数据：合同金额为虚构")),
                contracts::confirmed_at.eq(Some(Utc::now())),
                contracts::review.eq(ContractReview::NotRequired),
            ))
            .execute(conn)?;
        let changes = MoveChanges {
            status: ConnectionStatus::Signed,
            contract_amount_fen: Some(total_fen),
            contract_type: Some(kind),
            failure_reason: None,
        };
        connection_repo::guarded_move(conn, id, ConnectionStatus::Negotiating, &changes)?;
        connection_repo::append_event(
            conn,
            id,
            Some(ConnectionStatus::Negotiating),
            ConnectionStatus::Signed,
            actor.user_id,
            Some("演示数据：合同金额为虚构"),
        )
    })
}

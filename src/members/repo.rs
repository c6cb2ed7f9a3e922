//! Invitation and membership queries.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Invitation, NewInvitation};
use crate::accounts::model::User;
use crate::db::schema::{invitations, organizations, users};
use crate::db::FoundExtension;
use crate::error::ApiError;
use crate::pagination::PageRequest;
use crate::vocab::{OrganizationKind, OrganizationRole};

/// Locks the organisation's row until the transaction ends, so that membership changes of one
/// organisation run one after the other (the last-owner rule counts under it); returns its
/// kind; 404 when absent.
pub fn lock_organization(conn: &mut PgConnection, id: Uuid) -> Result<OrganizationKind, ApiError> {
    organizations::table
        .find(id)
        .select(organizations::kind)
        .for_update()
        .first(conn)
        .or_not_found(|| format!("organization {id}"))
}

/// Inserts an invitation.
pub fn insert_invitation(conn: &mut PgConnection, new: &NewInvitation) -> Result<Invitation, ApiError> {
    Ok(diesel::insert_into(invitations::table).values(new).returning(Invitation::as_returning()).get_result(conn)?)
}

/// The invitation with this token digest, locked until the transaction ends.
pub fn invitation_for_update(conn: &mut PgConnection, digest: &str) -> Result<Option<Invitation>, ApiError> {
    Ok(invitations::table
        .filter(invitations::token_hash.eq(digest))
        .select(Invitation::as_select())
        .for_update()
        .first(conn)
        .optional()?)
}

/// The invitation `id` of `organization_id`, locked until the transaction ends; 404 when
/// absent or another organisation's.
pub fn invitation_of(conn: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<Invitation, ApiError> {
    invitations::table
        .filter(invitations::id.eq(id))
        .filter(invitations::organization_id.eq(organization_id))
        .select(Invitation::as_select())
        .for_update()
        .first(conn)
        .or_not_found(|| format!("invitation {id}"))
}

/// Marks an invitation revoked now.
pub fn revoke_invitation(conn: &mut PgConnection, id: Uuid) -> Result<Invitation, ApiError> {
    Ok(diesel::update(invitations::table.find(id))
        .set(invitations::revoked_at.eq(diesel::dsl::now))
        .returning(Invitation::as_returning())
        .get_result(conn)?)
}

/// One page of an organisation's invitations, newest first, with the total.
pub fn invitations(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: PageRequest,
) -> Result<(Vec<Invitation>, i64), ApiError> {
    let total = invitations::table.filter(invitations::organization_id.eq(organization_id)).count().get_result(conn)?;
    let items = invitations::table
        .filter(invitations::organization_id.eq(organization_id))
        .order((invitations::created_at.desc(), invitations::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Invitation::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Marks an invitation accepted by `user_id`.
pub fn mark_accepted(conn: &mut PgConnection, id: Uuid, user_id: Uuid) -> Result<(), ApiError> {
    diesel::update(invitations::table.find(id))
        .set((invitations::accepted_at.eq(diesel::dsl::now), invitations::accepted_user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}

/// One page of an organisation's users (deactivated ones included), oldest first, with the total.
pub fn members(
    conn: &mut PgConnection,
    organization_id: Uuid,
    page: PageRequest,
) -> Result<(Vec<User>, i64), ApiError> {
    let total = users::table.filter(users::organization_id.eq(organization_id)).count().get_result(conn)?;
    let items = users::table
        .filter(users::organization_id.eq(organization_id))
        .order((users::created_at, users::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(User::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// The user `user_id` if they belong to `organization_id`; 404 otherwise (a user of another
/// organisation answers as a missing one).
pub fn member(conn: &mut PgConnection, organization_id: Uuid, user_id: Uuid) -> Result<User, ApiError> {
    users::table
        .filter(users::id.eq(user_id))
        .filter(users::organization_id.eq(organization_id))
        .select(User::as_select())
        .first(conn)
        .or_not_found(|| format!("member {user_id}"))
}

/// The organisation role of `user_id` in `organization_id` while active; `None` otherwise.
pub fn active_role(
    conn: &mut PgConnection,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<Option<OrganizationRole>, ApiError> {
    Ok(users::table
        .filter(users::id.eq(user_id))
        .filter(users::organization_id.eq(organization_id))
        .filter(users::deactivated_at.is_null())
        .select(users::organization_role)
        .first(conn)
        .optional()?)
}

/// Active owners of an organisation.
pub fn active_owners(conn: &mut PgConnection, organization_id: Uuid) -> Result<i64, ApiError> {
    Ok(users::table
        .filter(users::organization_id.eq(organization_id))
        .filter(users::organization_role.eq(OrganizationRole::Owner))
        .filter(users::deactivated_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Sets a user's organisation role.
pub fn set_organization_role(conn: &mut PgConnection, user_id: Uuid, role: OrganizationRole) -> Result<User, ApiError> {
    Ok(diesel::update(users::table.find(user_id))
        .set((users::organization_role.eq(role), users::updated_at.eq(diesel::dsl::now)))
        .returning(User::as_returning())
        .get_result(conn)?)
}

/// Deactivates a user now.
pub fn deactivate(conn: &mut PgConnection, user_id: Uuid) -> Result<User, ApiError> {
    Ok(diesel::update(users::table.find(user_id))
        .set((users::deactivated_at.eq(diesel::dsl::now), users::updated_at.eq(diesel::dsl::now)))
        .returning(User::as_returning())
        .get_result(conn)?)
}

//! User and refresh-token queries.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::model::{NewUser, User};
use crate::db::schema::{refresh_tokens, users};
use crate::db::FoundExtension;
use crate::error::{ApiError, ErrorCode};

diesel::define_sql_function! {
    /// PostgreSQL's `lower(text)`, matching the `users_email_key` index.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Inserts a user; 409 `conflict` when the e-mail is taken (case-insensitive).
pub fn insert_user(conn: &mut PgConnection, new: &NewUser) -> Result<User, ApiError> {
    diesel::insert_into(users::table).values(new).returning(User::as_returning()).get_result(conn).map_err(|e| {
        match ApiError::from(e) {
            ApiError::Conflict { .. } => {
                ApiError::Conflict { code: ErrorCode::EmailTaken, detail: "an account with this e-mail exists".into() }
            }
            other => other,
        }
    })
}

/// The user with this e-mail (case-insensitive).
pub fn user_by_email(conn: &mut PgConnection, email: &str) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(lower(users::email).eq(email.to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// The user with this id; 404 when absent.
pub fn user(conn: &mut PgConnection, id: Uuid) -> Result<User, ApiError> {
    users::table.find(id).select(User::as_select()).first(conn).or_not_found(|| format!("user {id}"))
}

/// Replaces a user's password hash if it is still `old` (no other change came in between)
/// and stamps `password_changed_at` with this server's clock, the one that stamps tokens'
/// `iat`; returns whether it did.
pub fn set_password_hash(conn: &mut PgConnection, id: Uuid, old: &str, hash: &str) -> Result<bool, ApiError> {
    let changed = diesel::update(users::table.find(id).filter(users::password_hash.eq(old)))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(Utc::now()),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// A stored refresh token.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Stores a refresh token digest.
pub fn insert_refresh(
    conn: &mut PgConnection,
    user_id: Uuid,
    family_id: Uuid,
    digest: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), ApiError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::token_hash.eq(digest),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The refresh token with this digest, locked for the rest of the transaction.
pub fn refresh_for_update(conn: &mut PgConnection, digest: &str) -> Result<Option<RefreshToken>, ApiError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest))
        .select(RefreshToken::as_select())
        .for_update()
        .first(conn)
        .optional()?)
}

/// Marks a token as used by a rotation.
pub fn mark_rotated(conn: &mut PgConnection, id: Uuid) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::rotated_at.eq(diesel::dsl::now))
        .execute(conn)?;
    Ok(())
}

/// Revokes every live token of a family (logout, or reuse of a rotated token).
pub fn revoke_family(conn: &mut PgConnection, family_id: Uuid) -> Result<usize, ApiError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)?)
}

/// Revokes every live token of a user (password change).
pub fn revoke_user(conn: &mut PgConnection, user_id: Uuid) -> Result<usize, ApiError> {
    Ok(diesel::update(
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)?)
}

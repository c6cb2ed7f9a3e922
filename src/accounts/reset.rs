//! Password reset by e-mail: [`request`] answers the same whether the address has an account or
//! not and, when it has, mails a single-use token valid [`RESET_TTL_MINUTES`] by the lifecycle
//! clock (stored as its digest only); [`confirm`] sets the new password, marks the token used and
//! revokes every refresh token of the user (access tokens issued before are refused, as after a
//! password change), in one transaction; the link came by mail, so the address counts as verified.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::{email, new_password};
use super::repo;
use crate::auth::credentials::CredentialCache;
use crate::auth::password::{self, Hashing};
use crate::auth::tokens::{new_refresh_token, refresh_token_digest};
use crate::db::schema::{password_resets, users};
use crate::db::{self, PgPool};
use crate::error::{ApiError, ErrorCode};
use crate::notifications::email::{self as mail, NewEmail};
use crate::spec::text::{AccountEmail, NewPassword};
use crate::validation::Fields;

/// How long a reset token is valid.
pub const RESET_TTL_MINUTES: i64 = 30;

/// Body of `POST /api/v1/auth/password-reset`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestInput {
    #[schema(value_type = AccountEmail)]
    pub email: String,
}

/// The answer to a reset request, the same for every address.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequested {
    #[schema(example = "如该邮箱已注册，重置链接已发送（30 分钟内有效）。")]
    pub detail: String,
}

/// Body of `POST /api/v1/auth/password-reset/confirm`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmInput {
    /// The token from the mail.
    #[schema(max_length = 200, pattern = "^[^\\x00]*$")]
    pub token: String,
    /// 10–128 characters.
    #[schema(value_type = NewPassword)]
    pub new_password: String,
}

/// Queues a reset mail for `address` when it names an active account; the answer is the same
/// either way. 422 only for a malformed address.
pub fn request(
    conn: &mut PgConnection,
    input: ResetRequestInput,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<ResetRequested, ApiError> {
    let mut f = Fields::new();
    let address = email(&mut f, "email", input.email);
    f.finish()?;
    conn.transaction(|conn| {
        if let Some(user) = repo::user_by_email(conn, &address)?.filter(|u| u.deactivated_at.is_none()) {
            let (token, digest) = new_refresh_token();
            let id = Uuid::new_v4();
            diesel::insert_into(password_resets::table)
                .values((
                    password_resets::id.eq(id),
                    password_resets::user_id.eq(user.id),
                    password_resets::token_hash.eq(digest),
                    password_resets::created_at.eq(now),
                    password_resets::expires_at.eq(now + Duration::minutes(RESET_TTL_MINUTES)),
                ))
                .execute(conn)?;
            let link = format!("{}/reset-password?token={token}", public_url.trim_end_matches('/'));
            mail::queue(
                conn,
                &NewEmail {
                    message_id: format!("<password-reset-{}@techmatch>", id.simple()),
                    user_id: Some(user.id),
                    to_address: user.email.clone(),
                    subject: "重置密码 / Reset your password".into(),
                    body: format!(
                        "有人（希望是您）请求重置此账号的密码。30 分钟内有效，仅能使用一次：\n{link}\n\n\
                         令牌 / token: {token}\n\n\
                         Someone (hopefully you) asked to reset this account's password. The link works once, \
                         within 30 minutes. If it was not you, ignore this mail: nothing changes."
                    ),
                },
                now,
            )?;
        }
        Ok(ResetRequested { detail: "如该邮箱已注册，重置链接已发送（30 分钟内有效）。".into() })
    })
}

fn invalid() -> ApiError {
    ApiError::Status {
        status: actix_web::http::StatusCode::GONE,
        code: ErrorCode::ResetTokenInvalid,
        detail: "the reset token is unknown, used or expired: ask for a new one".into(),
    }
}

/// Sets the new password of the token's user: 422 for a blank token or one over 200 characters
/// and for a weak password, 410 `reset_token_invalid` for an unknown, used or expired token (by
/// `now`). The password is hashed before the
/// transaction; the token is taken with a row lock, so two uses of one token set it once.
pub async fn confirm(
    pool: &PgPool,
    hashing: &Hashing,
    cache: &CredentialCache,
    input: ResetConfirmInput,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut f = Fields::new();
    let token = f.text("token", input.token, 200);
    new_password(&mut f, "new_password", &input.new_password);
    f.finish()?;
    let digest = refresh_token_digest(&token);
    let new = input.new_password;
    let hash = hashing.run(move || password::hash(&new)).await??;
    let user_id = db::run(pool, move |conn| {
        conn.transaction(|conn| {
            let found: Option<(Uuid, Uuid)> = password_resets::table
                .filter(password_resets::token_hash.eq(&digest))
                .filter(password_resets::used_at.is_null())
                .filter(password_resets::expires_at.gt(now))
                .select((password_resets::id, password_resets::user_id))
                .for_update()
                .first(conn)
                .optional()?;
            let (id, user_id) = found.ok_or_else(invalid)?;
            diesel::update(password_resets::table.find(id)).set(password_resets::used_at.eq(now)).execute(conn)?;
            diesel::update(users::table.find(user_id))
                .set((
                    users::password_hash.eq(&hash),
                    users::password_changed_at.eq(Utc::now()),
                    users::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)?;
            repo::revoke_user(conn, user_id)?;
            super::verification::mark_verified(conn, user_id, now)?;
            Ok(user_id)
        })
    })
    .await?;
    cache.forget(user_id);
    Ok(())
}

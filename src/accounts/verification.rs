//! E-mail verification (issue 13, item 5). Registration mails a single-use token valid
//! [`VERIFY_TTL_HOURS`] by the lifecycle clock (stored as its digest only); [`confirm`] marks the
//! address verified. While `TECHMATCH_REQUIRE_EMAIL_VERIFICATION` is on (the default), an
//! unverified user signs in, reads and writes drafts, but [`require_verified_email`] refuses
//! putting a listing on the market and opening a connection (403 `email_unverified`).
//!
//! Registration with an address that has an account creates nothing and answers as for a new
//! one; [`queue_taken_notice`] mails the owner instead (at most once an hour per account), so the
//! answer tells nobody which addresses have accounts.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::User;
use crate::audit::{self, Entry};
use crate::auth::principal::Principal;
use crate::auth::tokens::{new_refresh_token, refresh_token_digest};
use crate::db::schema::{email_verifications, users};
use crate::error::{ApiError, ErrorCode};
use crate::notifications::email::{self as mail, NewEmail};
use crate::validation::Fields;
use crate::vocab::{AuditAction, AuditRecordType};

/// How long a verification token is valid.
pub const VERIFY_TTL_HOURS: i64 = 48;

/// The answer to a registration, the same whether the address was new or had an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationAccepted {
    #[schema(example = "注册申请已受理。请查收发往该邮箱的邮件：点击其中的链接验证邮箱（48 小时内有效），然后登录。")]
    pub detail: String,
}

impl RegistrationAccepted {
    /// The one answer to every accepted registration.
    pub fn new() -> Self {
        Self {
            detail: "注册申请已受理。请查收发往该邮箱的邮件：点击其中的链接验证邮箱（48 小时内有效），然后登录。"
                .into(),
        }
    }
}

impl Default for RegistrationAccepted {
    fn default() -> Self {
        Self::new()
    }
}

/// The answer to a request for a new verification mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationSent {
    #[schema(example = "验证邮件已发送至 user@example.com（48 小时内有效）。")]
    pub detail: String,
}

/// Body of `POST /api/v1/auth/verify-email`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailInput {
    /// The token from the mail.
    #[schema(max_length = 200, pattern = "^[^\\x00]*$")]
    pub token: String,
}

fn link(public_url: &str, token: &str) -> String {
    format!("{}/verify-email?token={token}", public_url.trim_end_matches('/'))
}

/// Stores a new token for `user` and queues the verification mail, in the caller's transaction.
pub fn queue_verification(
    conn: &mut PgConnection,
    user: &User,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<(), ApiError> {
    let (token, digest) = new_refresh_token();
    let id = Uuid::new_v4();
    diesel::insert_into(email_verifications::table)
        .values((
            email_verifications::id.eq(id),
            email_verifications::user_id.eq(user.id),
            email_verifications::token_hash.eq(digest),
            email_verifications::created_at.eq(now),
            email_verifications::expires_at.eq(now + Duration::hours(VERIFY_TTL_HOURS)),
        ))
        .execute(conn)?;
    let link = link(public_url, &token);
    mail::queue(
        conn,
        &NewEmail {
            message_id: format!("<email-verification-{}@techmatch>", id.simple()),
            user_id: Some(user.id),
            to_address: user.email.clone(),
            subject: "验证您的邮箱 / Verify your e-mail address".into(),
            body: format!(
                "{name}，您好：\n\n请点击下面的链接验证邮箱（{VERIFY_TTL_HOURS} 小时内有效，仅能使用一次）。\
                 验证之前可以登录和保存草稿，但不能发布成果/需求或发起对接：\n{link}\n\n\
                 令牌 / token: {token}\n\n\
                 Please confirm this address with the link above (valid {VERIFY_TTL_HOURS} hours, once). Until \
                 then you can sign in and save drafts, but not publish listings or open connections. If you did \
                 not register on techmatch, ignore this mail.",
                name = user.display_name
            ),
        },
        now,
    )?;
    Ok(())
}

/// Mails the owner of a taken address that someone registered with it, at most once per hour
/// (the Message-ID names the account and the hour), and records it in the audit log (readable
/// by the account's user and admins). Nothing else changes.
pub fn queue_taken_notice(
    conn: &mut PgConnection,
    user: &User,
    now: DateTime<Utc>,
    public_url: &str,
    client: std::net::IpAddr,
) -> Result<(), ApiError> {
    if user.deactivated_at.is_some() {
        return Ok(());
    }
    let reset = format!("{}/reset-password", public_url.trim_end_matches('/'));
    mail::queue(
        conn,
        &NewEmail {
            message_id: format!("<registration-attempt-{}-{}@techmatch>", user.id.simple(), now.format("%Y%m%d%H")),
            user_id: Some(user.id),
            to_address: user.email.clone(),
            subject: "有人使用您的邮箱注册 / Someone registered with your address".into(),
            body: format!(
                "{name}，您好：\n\n刚才有人使用此邮箱在 techmatch 注册新机构。此邮箱已有账号，因此没有创建任何内容。\n\
                 如果是您本人：请直接用原账号登录；忘记密码可在此重置：{reset}\n\
                 如果不是您：无需处理，您的账号没有任何变化。\n\n\
                 Someone just tried to register a new organisation on techmatch with this address. It already \
                 has an account, so nothing was created. If it was you, sign in with your account (forgotten \
                 password: {reset}). If it was not you, nothing changed and there is nothing to do.",
                name = user.display_name
            ),
        },
        now,
    )?;
    let mut entry = Entry::anonymous(AuditAction::RegistrationWithTakenEmail, AuditRecordType::User, Some(client));
    entry.record_id = Some(user.id);
    entry.organization_id = Some(user.organization_id);
    audit::record(conn, &entry)
}

fn invalid() -> ApiError {
    ApiError::Status {
        status: actix_web::http::StatusCode::GONE,
        code: ErrorCode::VerificationTokenInvalid,
        detail: "the verification token is unknown, used or expired: ask for a new mail".into(),
    }
}

/// Marks the token's user verified (the token used up, an `email_verified` audit entry): 422 for
/// a blank token or one over 200 characters, 410
/// `verification_token_invalid` for an unknown, used or expired token (by `now`). The token is
/// taken with a row lock, so two uses of one token verify once; the entry names `client`.
/// Returns the user's id.
pub fn confirm(
    conn: &mut PgConnection,
    input: VerifyEmailInput,
    now: DateTime<Utc>,
    client: std::net::IpAddr,
) -> Result<Uuid, ApiError> {
    let mut f = Fields::new();
    let token = f.text("token", input.token, 200);
    f.finish()?;
    let digest = refresh_token_digest(&token);
    conn.transaction(|conn| {
        let found: Option<(Uuid, Uuid)> = email_verifications::table
            .filter(email_verifications::token_hash.eq(&digest))
            .filter(email_verifications::used_at.is_null())
            .filter(email_verifications::expires_at.gt(now))
            .select((email_verifications::id, email_verifications::user_id))
            .for_update()
            .first(conn)
            .optional()?;
        let (id, user_id) = found.ok_or_else(invalid)?;
        diesel::update(email_verifications::table.find(id)).set(email_verifications::used_at.eq(now)).execute(conn)?;
        if let Some(organization_id) = mark_verified(conn, user_id, now)? {
            let mut entry = Entry::anonymous(AuditAction::EmailVerified, AuditRecordType::User, Some(client));
            (entry.record_id, entry.organization_id) = (Some(user_id), Some(organization_id));
            (entry.actor_id, entry.actor_organization_id) = (Some(user_id), Some(organization_id));
            let changes = serde_json::json!({"email_verified_at": {"before": null, "after": now}});
            audit::record(conn, &entry.with_changes(changes))?;
        }
        Ok(user_id)
    })
}

/// Queues a new verification mail for the caller: 409 `email_already_verified` when their
/// address is verified.
pub fn resend(
    conn: &mut PgConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<VerificationSent, ApiError> {
    conn.transaction(|conn| {
        let user = super::repo::user(conn, caller.user_id)?;
        if user.email_verified_at.is_some() {
            return Err(ApiError::Conflict {
                code: ErrorCode::EmailAlreadyVerified,
                detail: "this account's e-mail address is verified already".into(),
            });
        }
        queue_verification(conn, &user, now, public_url)?;
        Ok(VerificationSent {
            detail: format!("验证邮件已发送至 {}（{VERIFY_TTL_HOURS} 小时内有效）。", user.email)
        })
    })
}

/// Marks `user_id`'s address verified at `now` when it is not (a password reset through the
/// mailed link proves the address as well): the user's organisation when it changed, `None`
/// when the address was verified already.
pub fn mark_verified(conn: &mut PgConnection, user_id: Uuid, now: DateTime<Utc>) -> Result<Option<Uuid>, ApiError> {
    Ok(diesel::update(users::table.find(user_id).filter(users::email_verified_at.is_null()))
        .set(users::email_verified_at.eq(now))
        .returning(users::organization_id)
        .get_result(conn)
        .optional()?)
}

/// 403 `email_unverified` when verification is `required` and the caller (not an admin) has not
/// verified their e-mail address. Called where a listing heads for the market and where a
/// connection is opened.
pub fn require_verified_email(conn: &mut PgConnection, caller: &Principal, required: bool) -> Result<(), ApiError> {
    if !required || caller.is_admin() {
        return Ok(());
    }
    let verified: Option<Option<DateTime<Utc>>> =
        users::table.find(caller.user_id).select(users::email_verified_at).first(conn).optional()?;
    match verified {
        Some(Some(_)) => Ok(()),
        _ => Err(ApiError::Status {
            status: actix_web::http::StatusCode::FORBIDDEN,
            code: ErrorCode::EmailUnverified,
            detail: "verify your e-mail address (the link in the registration mail) before publishing or opening \
                     connections"
                .into(),
        }),
    }
}

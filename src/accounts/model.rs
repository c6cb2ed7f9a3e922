//! User records and the bodies of the account endpoints.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::password::{self, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::db::schema::users;
use crate::error::{FieldCode, FieldError};
use crate::organizations::model::{Organization, OrganizationInput};
use crate::spec::text::{AccountEmail, DisplayName, NewPassword};
use crate::validation::Fields;
use crate::vocab::{OrganizationRole, Role};

/// A user as stored; the password hash never leaves the service (see [`UserView`]).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub organization_role: OrganizationRole,
    pub email_verified_at: Option<DateTime<Utc>>,
}

/// A user as returned.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub display_name: String,
    /// `member`, `broker` or `admin`.
    pub role: Role,
    /// `owner` (manages the organisation's members) or `member`.
    pub organization_role: OrganizationRole,
    /// When the user confirmed their e-mail address (the token mailed at registration, an
    /// accepted invitation or a password reset); `null` until then.
    pub email_verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            organization_id: u.organization_id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            organization_role: u.organization_role,
            email_verified_at: u.email_verified_at,
            created_at: u.created_at,
        }
    }
}

/// A user ready to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub organization_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub organization_role: OrganizationRole,
    /// `None` until the user proves the address (registration); the time of creation when the
    /// address is proved already (an accepted invitation, accounts made by operators).
    pub email_verified_at: Option<DateTime<Utc>>,
}

/// Body of `POST /api/v1/auth/register`: a user and the organisation they act for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    /// An e-mail address (at most 254 characters), the sign-in name.
    #[schema(value_type = AccountEmail)]
    pub email: String,
    /// 10–128 characters.
    #[schema(value_type = NewPassword)]
    pub password: String,
    /// 1–100 characters.
    #[schema(value_type = DisplayName)]
    pub display_name: String,
    /// `enterprise`, `university`, `research_institute` or `service_agency` (whose users are
    /// brokers); government accounts are created by operators (`techmatch create-user`).
    pub organization: OrganizationInput,
}

/// Body of `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    #[schema(pattern = "^[^\\x00]*$", example = "enterprise@demo.techmatch")]
    pub email: String,
    #[schema(pattern = "^[^\\x00]*$", example = "techmatch-demo-2026")]
    pub password: String,
}

/// Body of `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshInput {
    /// The refresh token of the last login or refresh.
    pub refresh_token: String,
}

/// Body of `POST /api/v1/me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeInput {
    #[schema(pattern = "^[^\\x00]*$")]
    pub current_password: String,
    /// 10–128 characters.
    #[schema(value_type = NewPassword)]
    pub new_password: String,
}

/// Tokens handed out by login and refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// A JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(value_type = String, pattern = "^Bearer$", example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: i64,
    pub refresh_token: String,
    /// Seconds the refresh token lives (it is replaced at every refresh).
    pub refresh_expires_in: i64,
}

/// `GET /api/v1/me`, and the answer to an accepted invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub user: UserView,
    pub organization: Organization,
}

/// Checks an e-mail address loosely (one `@`, a dot in the domain, no spaces, ≤ 254 characters)
/// and returns it trimmed.
pub fn email(f: &mut Fields, field: &str, value: String) -> String {
    let email = f.text(field, value, 254);
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    };
    if !email.is_empty() && (!valid || email.contains(char::is_whitespace)) {
        f.push(FieldError::new(field, FieldCode::InvalidFormat).with("format", "email"));
    }
    email
}

/// Checks a new password: 10–128 characters (not trimmed) and not one of the passwords
/// attackers try first ([`password::too_guessable`]).
pub fn new_password(f: &mut Fields, field: &str, value: &str) {
    if value.contains('\0') {
        f.text(field, value.to_string(), MAX_PASSWORD_CHARS);
        return;
    }
    let len = value.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&len) {
        let code = if len < MIN_PASSWORD_CHARS { FieldCode::TooShort } else { FieldCode::TooLong };
        f.push(
            FieldError::new(field, code)
                .with("min", MIN_PASSWORD_CHARS)
                .with("max", MAX_PASSWORD_CHARS)
                .with("actual", len),
        );
    } else if let Some(why) = password::too_guessable(value) {
        f.push(FieldError::new(field, FieldCode::WeakPassword).with("reason", why.to_string()));
    }
}

//! Account rules: registration, login, refresh rotation with reuse detection, logout,
//! password change. Blocking (Argon2 and Diesel): call through [`crate::db::run`].

use chrono::{Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::model::{email, new_password, Account, NewUser, RegisterInput, Session, User};
use super::repo;
use crate::auth::password;
use crate::auth::principal::Principal;
use crate::auth::tokens::{new_refresh_token, refresh_token_digest, TokenService};
use crate::error::{ApiError, ErrorCode};
use crate::organizations::repo as org_repo;
use crate::validation::Fields;
use crate::vocab::{OrganizationKind, Role};

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized { code: ErrorCode::InvalidCredentials, detail: "wrong e-mail or password".into() }
}

fn invalid_refresh(detail: &str) -> ApiError {
    ApiError::Unauthorized { code: ErrorCode::InvalidRefreshToken, detail: detail.into() }
}

/// The principal of a stored user (its organisation's kind looked up).
pub fn principal_of(conn: &mut PgConnection, user: &User) -> Result<Principal, ApiError> {
    let org = org_repo::get(conn, user.organization_id)?;
    Ok(Principal { user_id: user.id, organization_id: org.id, org_kind: org.kind, role: user.role })
}

/// Creates the organisation and its first user (role `broker` for a service agency, `member`
/// otherwise) in one transaction; 422 for bad fields, 409 `email_taken` or `conflict`.
pub fn register(conn: &mut PgConnection, input: RegisterInput) -> Result<Account, ApiError> {
    let mut f = Fields::new();
    let email = email(&mut f, "email", input.email);
    new_password(&mut f, "password", &input.password);
    let display_name = f.text("display_name", input.display_name, 100);
    if input.organization.kind == OrganizationKind::Government {
        f.error("organization.kind", "government accounts are created by operators");
    }
    let kind = input.organization.kind;
    let organization = match input.organization.parse("organization.") {
        Ok(org) => Some(org),
        Err(ApiError::Validation(errors)) => {
            errors.into_iter().for_each(|e| f.error(e.field, e.message));
            None
        }
        Err(other) => return Err(other),
    };
    f.finish()?;
    let organization =
        organization.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("organization parsed without errors")))?;
    let password_hash = password::hash(&input.password)?;
    let role = if kind == OrganizationKind::ServiceAgency { Role::Broker } else { Role::Member };
    conn.transaction(|conn| {
        let org = org_repo::insert(conn, &organization)?;
        let user =
            repo::insert_user(conn, &NewUser { organization_id: org.id, email, display_name, password_hash, role })?;
        Ok(Account { user: user.into(), organization: org })
    })
}

fn issue(
    conn: &mut PgConnection,
    tokens: &TokenService,
    principal: &Principal,
    family: Uuid,
) -> Result<Session, ApiError> {
    let access_token = tokens.issue_access(principal)?;
    let (refresh_token, digest) = new_refresh_token();
    let expires_at = Utc::now() + Duration::seconds(tokens.refresh_ttl_secs());
    repo::insert_refresh(conn, principal.user_id, family, &digest, expires_at)?;
    Ok(Session {
        access_token,
        token_type: "Bearer",
        expires_in: tokens.access_ttl_secs(),
        refresh_token,
        refresh_expires_in: tokens.refresh_ttl_secs(),
    })
}

/// Checks the password and starts a session (a new refresh-token family); 401
/// `invalid_credentials` for an unknown e-mail or a wrong password alike.
pub fn login(
    conn: &mut PgConnection,
    tokens: &TokenService,
    email: &str,
    password_text: &str,
) -> Result<Session, ApiError> {
    let Some(user) = repo::user_by_email(conn, email.trim())? else {
        password::verify_dummy(password_text);
        return Err(invalid_credentials());
    };
    if !password::verify(password_text, &user.password_hash) {
        return Err(invalid_credentials());
    }
    let principal = principal_of(conn, &user)?;
    issue(conn, tokens, &principal, Uuid::new_v4())
}

/// Exchanges a refresh token for a new pair. The presented token is used up; presenting a
/// used-up token again revokes its whole family (someone else may hold a copy) and answers 401.
pub fn refresh(conn: &mut PgConnection, tokens: &TokenService, token: &str) -> Result<Session, ApiError> {
    let digest = refresh_token_digest(token);
    let outcome = conn.transaction(|conn| {
        let Some(stored) = repo::refresh_for_update(conn, &digest)? else {
            return Ok(Err(invalid_refresh("unknown refresh token")));
        };
        if stored.revoked_at.is_some() {
            return Ok(Err(invalid_refresh("the refresh token has been revoked")));
        }
        if stored.rotated_at.is_some() {
            repo::revoke_family(conn, stored.family_id)?;
            tracing::warn!(user_id = %stored.user_id, family = %stored.family_id, "refresh token reused; family revoked");
            return Ok(Err(invalid_refresh("the refresh token was already used; sign in again")));
        }
        if stored.expires_at <= Utc::now() {
            return Ok(Err(invalid_refresh("the refresh token has expired")));
        }
        repo::mark_rotated(conn, stored.id)?;
        let user = repo::user(conn, stored.user_id)?;
        let principal = principal_of(conn, &user)?;
        issue(conn, tokens, &principal, stored.family_id).map(Ok)
    })?;
    outcome
}

/// Revokes the family of a refresh token (idempotent; an unknown token is not an error).
pub fn logout(conn: &mut PgConnection, token: &str) -> Result<(), ApiError> {
    let digest = refresh_token_digest(token);
    conn.transaction(|conn| {
        if let Some(stored) = repo::refresh_for_update(conn, &digest)? {
            repo::revoke_family(conn, stored.family_id)?;
        }
        Ok(())
    })
}

/// Changes the caller's password after checking the current one, and revokes every refresh
/// token of the user (other sessions end when their access token expires).
pub fn change_password(conn: &mut PgConnection, user_id: Uuid, current: &str, new: &str) -> Result<(), ApiError> {
    let mut f = Fields::new();
    new_password(&mut f, "new_password", new);
    f.finish()?;
    let user = repo::user(conn, user_id)?;
    if !password::verify(current, &user.password_hash) {
        return Err(ApiError::invalid_field("current_password", "does not match"));
    }
    let hash = password::hash(new)?;
    conn.transaction(|conn| {
        repo::set_password_hash(conn, user_id, &hash)?;
        repo::revoke_user(conn, user_id)?;
        Ok(())
    })
}

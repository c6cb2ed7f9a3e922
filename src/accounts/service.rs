//! Account rules: registration, login, refresh rotation with reuse detection, logout,
//! password change. The blocking ones (Diesel) are called through [`crate::db::run`]; the ones
//! that hash ([`register`], [`login`], [`change_password`]) are async: they read what they need,
//! give the pooled connection back, hash in a bounded slot ([`Hashing`]) and then write, so a
//! connection never waits for Argon2.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::model::{email, new_password, NewUser, RegisterInput, Session, User};
use super::repo;
use super::verification;
use crate::audit::{self, Entry};
use crate::auth::credentials::{self, CredentialCache};
use crate::auth::password::{self, Hashing};
use crate::auth::principal::Principal;
use crate::auth::tokens::{new_refresh_token, refresh_token_digest, TokenService};
use crate::db::{self, PgPool};
use crate::error::{ApiError, ErrorCode};
use crate::error::{FieldCode, FieldError};
use crate::organizations::model::NewOrganization;
use crate::organizations::repo as org_repo;
use crate::validation::Fields;
use crate::vocab::{AuditAction, AuditRecordType, OrganizationKind, OrganizationRole, Role};

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized { code: ErrorCode::InvalidCredentials, detail: "wrong e-mail or password".into() }
}

fn invalid_refresh(detail: &str) -> ApiError {
    ApiError::Unauthorized { code: ErrorCode::InvalidRefreshToken, detail: detail.into() }
}

/// The principal of a stored user (its organisation's kind looked up).
pub fn principal_of(conn: &mut PgConnection, user: &User) -> Result<Principal, ApiError> {
    let org = org_repo::get(conn, user.organization_id)?;
    Ok(Principal { user_id: user.id, organization_id: org.id, org_kind: org.kind, role: user.role, client: None })
}

/// The principal of a user just created in an organisation of `kind`.
fn principal_of_new(user: &User, kind: OrganizationKind) -> Principal {
    Principal { user_id: user.id, organization_id: user.organization_id, org_kind: kind, role: user.role, client: None }
}

/// What a registration did: the new account, or nothing because the address has an account
/// (whose owner was mailed instead). The caller answers both alike.
pub enum Registered {
    New { user_id: Uuid, organization_id: Uuid },
    AddressTaken { user_id: Uuid },
}

/// Creates the organisation and its first user (role `broker` for a service agency, `member`
/// otherwise; the organisation's owner, e-mail unverified) in one transaction with its audit
/// entry (`account_registered`) and the verification mail ([`verification::queue_verification`]);
/// 422 for bad fields, 409 `organization_exists`, `credit_code_taken` or `conflict` (the
/// organisation is checked first, so these say the same for any address). When the address has
/// an account, that transaction is rolled back and the owner mailed
/// ([`verification::queue_taken_notice`]). The password is hashed before a connection is taken,
/// in both cases.
pub async fn register(
    pool: &PgPool,
    hashing: &Hashing,
    input: RegisterInput,
    client: IpAddr,
    now: DateTime<Utc>,
    public_url: String,
) -> Result<Registered, ApiError> {
    let (organization, email, display_name, role, password_text) = parse_registration(input)?;
    let password_hash = hashing.run(move || password::hash(&password_text)).await??;
    let address = email.clone();
    let url = public_url.clone();
    let created = db::run(pool, move |conn| {
        conn.transaction(|conn| {
            let org = org_repo::insert(conn, &organization)?;
            let user = repo::insert_user(
                conn,
                &NewUser {
                    organization_id: org.id,
                    email,
                    display_name,
                    password_hash,
                    role,
                    organization_role: OrganizationRole::Owner,
                    email_verified_at: None,
                },
            )?;
            let principal = Principal { client: Some(client), ..principal_of_new(&user, org.kind) };
            let entry = Entry::by(&principal, AuditAction::AccountRegistered, AuditRecordType::User, user.id, org.id)
                .with_changes(serde_json::json!({
                    "role": {"before": null, "after": user.role},
                    "organization_role": {"before": null, "after": user.organization_role},
                }))
                .with_detail(serde_json::json!({ "organization_kind": org.kind, "organization_name": org.name }));
            audit::record(conn, &entry)?;
            verification::queue_verification(conn, &user, now, &url)?;
            Ok(Registered::New { user_id: user.id, organization_id: org.id })
        })
    })
    .await;
    match created {
        Ok(registered) => Ok(registered),
        Err(ApiError::Conflict { code: ErrorCode::EmailTaken, .. }) => {
            let user_id = db::run(pool, move |conn| {
                conn.transaction(|conn| {
                    let owner = repo::user_by_email(conn, &address)?
                        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a taken address without its user")))?;
                    verification::queue_taken_notice(conn, &owner, now, &public_url, client)?;
                    Ok(owner.id)
                })
            })
            .await?;
            Ok(Registered::AddressTaken { user_id })
        }
        Err(other) => Err(other),
    }
}

type Registration = (NewOrganization, String, String, Role, String);

fn parse_registration(input: RegisterInput) -> Result<Registration, ApiError> {
    let mut f = Fields::new();
    let email = email(&mut f, "email", input.email);
    new_password(&mut f, "password", &input.password);
    let display_name = f.text("display_name", input.display_name, 100);
    if input.organization.kind == OrganizationKind::Government {
        f.error(
            "organization.kind",
            FieldCode::NotAllowed,
            "政府账号由运营人员创建",
            "government accounts are created by operators",
        );
    }
    let kind = input.organization.kind;
    let organization = match input.organization.parse("organization.") {
        Ok(org) => Some(org),
        Err(ApiError::Validation(errors)) => {
            errors.into_iter().for_each(|e| f.push(e));
            None
        }
        Err(other) => return Err(other),
    };
    f.finish()?;
    let organization =
        organization.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("organization parsed without errors")))?;
    let role = if kind == OrganizationKind::ServiceAgency { Role::Broker } else { Role::Member };
    Ok((organization, email, display_name, role, input.password))
}

fn issue(
    conn: &mut PgConnection,
    tokens: &TokenService,
    principal: &Principal,
    family: Uuid,
    password_changed_at: Option<DateTime<Utc>>,
) -> Result<Session, ApiError> {
    let access_token = tokens.issue_access(principal, password_changed_at)?;
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

/// A failed sign-in's audit entry: about the account when there is one (its organisation's
/// members do not read it, only the account's user and admins), else about nobody, with the
/// e-mail tried when it looks like one (so that a password typed into the e-mail field is not
/// kept), readable by admins only. Never the password.
fn failed_sign_in(client: IpAddr, account: Option<(Uuid, Uuid)>, email: &str, reason: &str) -> Entry {
    let mut entry = Entry::anonymous(AuditAction::SignInFailed, AuditRecordType::User, Some(client));
    match account {
        Some((user_id, organization_id)) => {
            entry.record_id = Some(user_id);
            entry.organization_id = Some(organization_id);
            entry.with_detail(serde_json::json!({ "reason": reason }))
        }
        None => {
            let email = email.trim().to_lowercase();
            let looks_like_email = email.contains('@') && !email.contains(char::is_whitespace) && email.len() <= 254;
            entry.with_detail(serde_json::json!({ "reason": reason, "email": looks_like_email.then_some(email) }))
        }
    }
}

/// Checks the password and starts a session (a new refresh-token family); 401
/// `invalid_credentials` for an unknown e-mail, a wrong password or a deactivated account
/// alike. The stored hash is read, the connection given back, the password verified in a
/// hashing slot, and the session written only if the hash is still the one verified against.
/// Every attempt is audited (`signed_in` in the session's transaction, `sign_in_failed` with a
/// reason otherwise); an unknown e-mail costs the same hashing and one write, like the others.
pub async fn login(
    pool: &PgPool,
    hashing: &Hashing,
    tokens: Arc<TokenService>,
    email: String,
    password_text: String,
    client: IpAddr,
) -> Result<Session, ApiError> {
    let tried = email.clone();
    let user = db::run(pool, move |conn| repo::user_by_email(conn, email.trim())).await?;
    let Some(user) = user else {
        hashing.run(move || password::verify_dummy(&password_text)).await?;
        let entry = failed_sign_in(client, None, &tried, "unknown_account");
        db::run(pool, move |conn| audit::record(conn, &entry)).await?;
        return Err(invalid_credentials());
    };
    let User { id, organization_id, password_hash, .. } = user;
    let verified_hash = password_hash.clone();
    if !hashing.run(move || password::verify(&password_text, &verified_hash)).await? {
        let entry = failed_sign_in(client, Some((id, organization_id)), &tried, "wrong_password");
        db::run(pool, move |conn| audit::record(conn, &entry)).await?;
        return Err(invalid_credentials());
    }
    let outcome = db::run(pool, move |conn| {
        let Some(standing) = credentials::load(conn, id)? else { return Ok(Err("no_account")) };
        if standing.deactivated || repo::user(conn, id)?.password_hash != password_hash {
            tracing::info!(user_id = %id, deactivated = standing.deactivated, "login refused after verification");
            return Ok(Err(if standing.deactivated { "deactivated" } else { "password_changed" }));
        }
        conn.transaction(|conn| {
            let principal = Principal { client: Some(client), ..standing.principal(id) };
            let session = issue(conn, &tokens, &principal, Uuid::new_v4(), standing.password_changed_at)?;
            let entry =
                Entry::by(&principal, AuditAction::SignedIn, AuditRecordType::User, id, standing.organization_id);
            audit::record(conn, &entry)?;
            Ok(Ok(session))
        })
    })
    .await?;
    match outcome {
        Ok(session) => Ok(session),
        Err(reason) => {
            let entry = failed_sign_in(client, Some((id, organization_id)), &tried, reason);
            db::run(pool, move |conn| audit::record(conn, &entry)).await?;
            Err(invalid_credentials())
        }
    }
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
        let standing = credentials::load(conn, stored.user_id)?.filter(|s| !s.deactivated);
        let Some(standing) = standing else {
            repo::revoke_family(conn, stored.family_id)?;
            return Ok(Err(invalid_refresh("the account is deactivated")));
        };
        repo::mark_rotated(conn, stored.id)?;
        let principal = standing.principal(stored.user_id);
        issue(conn, tokens, &principal, stored.family_id, standing.password_changed_at).map(Ok)
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
/// token of the user; access tokens issued before the change are refused from then on
/// ([`credentials`]: at once on this instance, within the credential cache's TTL on others).
/// The stored hash is read, the connection given back, the current password verified and the
/// new one hashed in one hashing slot, then the hash replaced only if it is still the one read.
pub async fn change_password(
    pool: &PgPool,
    hashing: &Hashing,
    cache: &CredentialCache,
    user_id: Uuid,
    current: String,
    new: String,
) -> Result<(), ApiError> {
    let mut f = Fields::new();
    new_password(&mut f, "new_password", &new);
    f.finish()?;
    let stored = db::run(pool, move |conn| Ok(repo::user(conn, user_id)?.password_hash)).await?;
    let checked = stored.clone();
    let hash = hashing
        .run(move || if password::verify(&current, &checked) { password::hash(&new).map(Some) } else { Ok(None) })
        .await??;
    let mismatch = || ApiError::invalid_field(FieldError::new("current_password", FieldCode::Mismatch));
    let hash = hash.ok_or_else(mismatch)?;
    db::run(pool, move |conn| {
        conn.transaction(|conn| {
            if !repo::set_password_hash(conn, user_id, &stored, &hash)? {
                return Err(mismatch());
            }
            repo::revoke_user(conn, user_id)?;
            Ok(())
        })
    })
    .await?;
    cache.forget(user_id);
    Ok(())
}

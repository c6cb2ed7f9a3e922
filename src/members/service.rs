//! Membership rules: invite, accept (registering a new account), list, change an organisation
//! role, deactivate (or leave). Every change runs in one transaction that first locks the
//! organisation's row, so the last-owner rule holds under concurrent requests, and writes its
//! audit entry in that transaction.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::model::{AcceptInput, InvitationCreated, InvitationInput, InvitationView, Member, NewInvitation, RoleInput};
use super::repo;
use crate::accounts::model::{email, new_password, Account, NewUser};
use crate::accounts::repo as account_repo;
use crate::audit::{self, Entry};
use crate::auth::password::{self, Hashing};
use crate::auth::policy;
use crate::auth::principal::Principal;
use crate::auth::tokens::{new_refresh_token, refresh_token_digest};
use crate::db::{self, PgPool};
use crate::error::{ApiError, ErrorCode};
use crate::organizations::repo as org_repo;
use crate::pagination::PageRequest;
use crate::validation::{query_text, Fields};
use crate::vocab::{AuditAction, AuditRecordType, InvitationStatus, OrganizationKind, OrganizationRole, Role};

fn last_owner() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::LastOwner,
        detail: "the organisation would be left without an active owner: make another member owner first".into(),
    }
}

/// Creates an invitation into `organization_id` for `input.email`, valid for `ttl`, and mails
/// its token (stored as its digest only) to the address: only the address's owner can accept
/// it, so an accepted invitation proves the address. 404 for no such organisation, 403 unless
/// the caller is one of its active owners (or an admin) and for government organisations (their
/// accounts are created by operators). The answer is the same when the address has an account
/// (it used to be 409 `email_taken`, which told any owner which addresses have accounts): the
/// invitation is recorded, and the mail says the address has an account already instead of
/// carrying a token.
pub fn invite(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    input: InvitationInput,
    ttl: Duration,
    public_url: &str,
) -> Result<InvitationCreated, ApiError> {
    let mut f = Fields::new();
    let address = email(&mut f, "email", input.email);
    f.finish()?;
    let organization_role = input.organization_role.unwrap_or(OrganizationRole::Member);
    conn.transaction(|conn| {
        let kind = repo::lock_organization(conn, organization_id)?;
        policy::require_member_manager(conn, caller, organization_id)?;
        if kind == OrganizationKind::Government {
            return Err(ApiError::Forbidden("accounts of government organisations are created by operators".into()));
        }
        let taken = account_repo::user_by_email(conn, &address)?.is_some();
        let (token, digest) = new_refresh_token();
        let invitation = repo::insert_invitation(
            conn,
            &NewInvitation {
                organization_id,
                email: address,
                organization_role,
                token_hash: digest,
                invited_by: caller.user_id,
                expires_at: Utc::now() + ttl,
            },
        )?;
        let entry =
            Entry::by(caller, AuditAction::MemberInvited, AuditRecordType::Invitation, invitation.id, organization_id)
                .with_detail(serde_json::json!({
                    "email": invitation.email,
                    "organization_role": organization_role,
                    "expires_at": invitation.expires_at,
                }));
        audit::record(conn, &entry)?;
        // The invitation is mailed in the same transaction (the e-mail outbox).
        let organization = crate::organizations::repo::get(conn, organization_id)?;
        let name = &organization.name;
        let body = if taken {
            format!(
                "「{name}」邀请您加入科技成果供需对接平台，但此邮箱已有账号（一个账号属于一个机构），因此无法接受这份邀请。\n\
                 如需加入「{name}」，请对方邀请您的另一个邮箱；如果不认识对方，无需处理。\n\n\
                 {name} invited this address to the platform, but it already has an account (an account belongs to one \
                 organisation), so the invitation cannot be accepted. Ask them to invite another address of yours; if \
                 you do not know them, there is nothing to do."
            )
        } else {
            let link = format!("{}/invitations/accept?token={token}", public_url.trim_end_matches('/'));
            format!(
                "「{name}」邀请您加入科技成果供需对接平台。请在 {expires} 前接受邀请：\n{link}\n\n\
                 令牌 / token: {token}\n（POST /api/v1/invitations/accept，附上令牌、密码和姓名）\n\n\
                 {name} invites you to the platform. Accept before {expires} (UTC) with the link or the token above.",
                expires = invitation.expires_at.format("%Y-%m-%d %H:%M UTC"),
            )
        };
        crate::notifications::email::queue(
            conn,
            &crate::notifications::email::NewEmail {
                message_id: format!("<invitation-{}@techmatch>", invitation.id.simple()),
                user_id: None,
                to_address: invitation.email.clone(),
                subject: format!("邀请您加入「{name}」 / Invitation to join {name}"),
                body,
            },
            Utc::now(),
        )?;
        Ok(InvitationCreated {
            id: invitation.id,
            organization_id,
            email: invitation.email,
            organization_role,
            expires_at: invitation.expires_at,
        })
    })
}

/// 404 for no such invitation, 409 `invitation_used` once accepted, 410 `invitation_expired`
/// after its expiry.
fn usable(conn: &mut PgConnection, digest: &str, now: DateTime<Utc>) -> Result<super::model::Invitation, ApiError> {
    let invitation =
        repo::invitation_for_update(conn, digest)?.ok_or_else(|| ApiError::NotFound("no such invitation".into()))?;
    if invitation.accepted_at.is_some() {
        return Err(ApiError::Conflict {
            code: ErrorCode::InvitationUsed,
            detail: "this invitation has already been accepted: sign in instead".into(),
        });
    }
    if invitation.revoked_at.is_some() {
        return Err(ApiError::Status {
            status: actix_web::http::StatusCode::GONE,
            code: ErrorCode::InvitationRevoked,
            detail: "the organisation's owner revoked this invitation".into(),
        });
    }
    if invitation.expires_at <= now {
        return Err(ApiError::Status {
            status: actix_web::http::StatusCode::GONE,
            code: ErrorCode::InvitationExpired,
            detail: "this invitation has expired: ask the organisation's owner for a new one".into(),
        });
    }
    Ok(invitation)
}

/// Accepts an invitation by registering a new account with its e-mail in its organisation
/// (platform role `broker` in a service agency, `member` otherwise; the invitation's
/// organisation role). The invitation is checked before the password is hashed (a used or
/// expired one costs no hashing) and again, locked, in the creating transaction.
pub async fn accept(pool: &PgPool, hashing: &Hashing, input: AcceptInput, client: IpAddr) -> Result<Account, ApiError> {
    let AcceptInput { token, password: password_text, display_name } = input;
    query_text("token", Some(&token))?;
    let mut f = Fields::new();
    new_password(&mut f, "password", &password_text);
    let display_name = f.text("display_name", display_name, 100);
    f.finish()?;
    let digest = refresh_token_digest(&token);
    let checked = digest.clone();
    db::run(pool, move |conn| conn.transaction(|conn| usable(conn, &checked, Utc::now()).map(|_| ()))).await?;
    let password_hash = hashing.run(move || password::hash(&password_text)).await??;
    db::run(pool, move |conn| {
        conn.transaction(|conn| {
            let invitation = usable(conn, &digest, Utc::now())?;
            let organization_id = invitation.organization_id;
            let kind = repo::lock_organization(conn, organization_id)?;
            let role = if kind == OrganizationKind::ServiceAgency { Role::Broker } else { Role::Member };
            let user = account_repo::insert_user(
                conn,
                &NewUser {
                    organization_id,
                    email: invitation.email.clone(),
                    display_name,
                    password_hash,
                    role,
                    organization_role: invitation.organization_role,
                    email_verified_at: Some(Utc::now()),
                },
            )?;
            repo::mark_accepted(conn, invitation.id, user.id)?;
            let joined = Principal { user_id: user.id, organization_id, org_kind: kind, role, client: Some(client) };
            let entry =
                Entry::by(&joined, AuditAction::InvitationAccepted, AuditRecordType::User, user.id, organization_id)
                    .with_changes(serde_json::json!({
                        "organization_role": {"before": null, "after": invitation.organization_role},
                    }))
                    .with_detail(serde_json::json!({ "invitation_id": invitation.id, "email": invitation.email }));
            audit::record(conn, &entry)?;
            let organization = org_repo::get(conn, organization_id)?;
            Ok(Account { user: user.into(), organization })
        })
    })
    .await
}

/// One page of the organisation's invitations with where each stands (its owners and admins);
/// 404 for no such organisation, 403 for anyone else.
pub fn invitations(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    page: PageRequest,
) -> Result<(Vec<InvitationView>, i64), ApiError> {
    org_repo::get(conn, organization_id)?;
    policy::require_member_manager(conn, caller, organization_id)?;
    let (items, total) = repo::invitations(conn, organization_id, page)?;
    let now = Utc::now();
    Ok((
        items.into_iter().map(|invitation| InvitationView { status: invitation.status(now), invitation }).collect(),
        total,
    ))
}

/// Revokes a pending invitation (its owners and admins): it can no longer be accepted (410
/// `invitation_revoked`). 404 for another organisation's invitation, 409 `invitation_used` once
/// accepted; revoking again (or an expired one) answers it as it stands and records nothing new.
pub fn revoke(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    id: Uuid,
) -> Result<InvitationView, ApiError> {
    conn.transaction(|conn| {
        repo::lock_organization(conn, organization_id)?;
        policy::require_member_manager(conn, caller, organization_id)?;
        let invitation = repo::invitation_of(conn, organization_id, id)?;
        let now = Utc::now();
        match invitation.status(now) {
            InvitationStatus::Accepted => Err(ApiError::Conflict {
                code: ErrorCode::InvitationUsed,
                detail: "this invitation has already been accepted: deactivate the member instead".into(),
            }),
            InvitationStatus::Revoked | InvitationStatus::Expired => {
                Ok(InvitationView { status: invitation.status(now), invitation })
            }
            InvitationStatus::Pending => {
                let revoked = repo::revoke_invitation(conn, id)?;
                let entry =
                    Entry::by(caller, AuditAction::InvitationRevoked, AuditRecordType::Invitation, id, organization_id)
                        .with_changes(serde_json::json!({"revoked_at": {"before": null, "after": revoked.revoked_at}}))
                        .with_detail(serde_json::json!({ "email": revoked.email }));
                audit::record(conn, &entry)?;
                Ok(InvitationView { status: InvitationStatus::Revoked, invitation: revoked })
            }
        }
    })
}

/// One page of the organisation's members (deactivated ones included), for its own members and
/// admins; 404 for no such organisation, 403 for anyone else.
pub fn list(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    page: PageRequest,
) -> Result<(Vec<Member>, i64), ApiError> {
    org_repo::get(conn, organization_id)?;
    if !caller.is_admin() && caller.organization_id != organization_id {
        return Err(ApiError::Forbidden("only the organisation's own members see its members".into()));
    }
    let (users, total) = repo::members(conn, organization_id, page)?;
    Ok((users.into_iter().map(Member::from).collect(), total))
}

/// Sets a member's organisation role (the organisation's owners and admins); 409 `last_owner`
/// when it demotes the last active owner, 409 `conflict` for a deactivated member. Setting the
/// role a member has changes (and records) nothing.
pub fn change_role(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    user_id: Uuid,
    input: RoleInput,
) -> Result<Member, ApiError> {
    conn.transaction(|conn| {
        repo::lock_organization(conn, organization_id)?;
        policy::require_member_manager(conn, caller, organization_id)?;
        let member = repo::member(conn, organization_id, user_id)?;
        if member.deactivated_at.is_some() {
            return Err(ApiError::Conflict { code: ErrorCode::Conflict, detail: "the member is deactivated".into() });
        }
        let before = member.organization_role;
        let after = input.organization_role;
        if before == after {
            return Ok(member.into());
        }
        if before == OrganizationRole::Owner && repo::active_owners(conn, organization_id)? <= 1 {
            return Err(last_owner());
        }
        let changed = repo::set_organization_role(conn, user_id, after)?;
        let entry = Entry::by(caller, AuditAction::MemberRoleChanged, AuditRecordType::User, user_id, organization_id)
            .with_changes(serde_json::json!({"organization_role": {"before": before, "after": after}}));
        audit::record(conn, &entry)?;
        Ok(changed.into())
    })
}

/// Deactivates a member (the organisation's owners and admins) or the caller themselves
/// (leaving): their refresh tokens are revoked and their access tokens refused (the caller
/// forgets them in the credential cache). 409 `last_owner` for the last active owner. An
/// already deactivated member is answered unchanged.
pub fn deactivate(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<Member, ApiError> {
    conn.transaction(|conn| {
        repo::lock_organization(conn, organization_id)?;
        let leaving = caller.user_id == user_id && caller.organization_id == organization_id;
        if !leaving {
            policy::require_member_manager(conn, caller, organization_id)?;
        }
        let member = repo::member(conn, organization_id, user_id)?;
        if member.deactivated_at.is_some() {
            return Ok(member.into());
        }
        if member.organization_role == OrganizationRole::Owner && repo::active_owners(conn, organization_id)? <= 1 {
            return Err(last_owner());
        }
        let changed = repo::deactivate(conn, user_id)?;
        account_repo::revoke_user(conn, user_id)?;
        let entry = Entry::by(caller, AuditAction::MemberDeactivated, AuditRecordType::User, user_id, organization_id)
            .with_changes(serde_json::json!({"deactivated_at": {"before": null, "after": changed.deactivated_at}}))
            .with_detail(serde_json::json!({ "left": leaving }));
        audit::record(conn, &entry)?;
        Ok(changed.into())
    })
}

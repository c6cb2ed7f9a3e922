//! Invitations, members and the bodies of the member endpoints.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::model::User;
use crate::db::schema::invitations;
use crate::spec::text::{AccountEmail, DisplayName, NewPassword};
use crate::vocab::{InvitationStatus, OrganizationRole, Role};

/// An invitation as stored and listed (the token never: it is stored only as its digest).
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub organization_role: OrganizationRole,
    /// The owner (or admin) who invited.
    pub invited_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// The account the invitation created.
    pub accepted_user_id: Option<Uuid>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// Where the invitation stands at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> InvitationStatus {
        if self.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
}

/// An invitation as listed: the stored one and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    #[serde(flatten)]
    pub invitation: Invitation,
    /// `pending`, `accepted`, `expired` or `revoked`.
    pub status: InvitationStatus,
}

/// An invitation ready to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = invitations)]
pub struct NewInvitation {
    pub organization_id: Uuid,
    pub email: String,
    pub organization_role: OrganizationRole,
    pub token_hash: String,
    pub invited_by: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Body of `POST /api/v1/organizations/{id}/invitations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationInput {
    /// The colleague's e-mail address: the sign-in name of the account the invitation creates.
    #[schema(value_type = AccountEmail)]
    pub email: String,
    /// `member` (default) or `owner`.
    pub organization_role: Option<OrganizationRole>,
}

/// An invitation as answered to the owner who made it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationCreated {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub organization_role: OrganizationRole,
    pub expires_at: DateTime<Utc>,
}

/// Body of `POST /api/v1/invitations/accept`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInput {
    /// The invitation's token.
    #[schema(pattern = "^[^\\x00]*$")]
    pub token: String,
    /// The new account's password, 10–128 characters.
    #[schema(value_type = NewPassword)]
    pub password: String,
    /// 1–100 characters.
    #[schema(value_type = DisplayName)]
    pub display_name: String,
}

/// Body of `PATCH /api/v1/organizations/{id}/members/{user_id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    /// `owner` or `member`.
    pub organization_role: OrganizationRole,
}

/// A member of an organisation as its members (and admins) see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Member {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub display_name: String,
    /// The platform role: `member`, `broker` or `admin`.
    pub role: Role,
    /// `owner` or `member` within the organisation.
    pub organization_role: OrganizationRole,
    pub created_at: DateTime<Utc>,
    /// When the member was deactivated (or left); null while active.
    pub deactivated_at: Option<DateTime<Utc>>,
}

impl From<User> for Member {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            organization_id: u.organization_id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            organization_role: u.organization_role,
            created_at: u.created_at,
            deactivated_at: u.deactivated_at,
        }
    }
}

//! Who may do what: the one place every handler asks. The role table is in `docs/SECURITY.md`.
//!
//! - Anyone (even without a token) reads public listings: published supplies, open or closed
//!   demands, and the organisations and industries.
//! - Private listings (drafts, listings in or sent back by review, rejected and expired ones,
//!   archived supplies, withdrawn demands) are seen only by members of
//!   the owning organisation and by admins; to anyone else they answer 404, exactly as a missing id.
//! - Supplies are created by universities, research institutes and enterprises; demands by
//!   enterprises and research institutes. The owner is always the caller's organisation.
//! - A listing is changed only by its organisation's members and by admins (403 for others who
//!   can see it).
//! - Admins verify organisations; brokers read everything public and (with the connections
//!   issue) open connections between parties.

use diesel::PgConnection;
use uuid::Uuid;

use super::principal::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::vocab::{OrganizationKind, OrganizationRole, Role, Verification};

/// Organisation kinds that may publish supplies (科技成果).
pub const SUPPLY_PUBLISHERS: [OrganizationKind; 3] =
    [OrganizationKind::University, OrganizationKind::ResearchInstitute, OrganizationKind::Enterprise];

/// Organisation kinds that may post demands (技术需求).
pub const DEMAND_PUBLISHERS: [OrganizationKind; 2] =
    [OrganizationKind::Enterprise, OrganizationKind::ResearchInstitute];

/// 403 unless the caller's organisation may publish supplies.
pub fn require_supply_publisher(p: &Principal) -> Result<(), ApiError> {
    if SUPPLY_PUBLISHERS.contains(&p.org_kind) && p.role != Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only universities, research institutes and enterprises publish supplies".into()))
    }
}

/// 403 unless the caller's organisation may post demands.
pub fn require_demand_publisher(p: &Principal) -> Result<(), ApiError> {
    if DEMAND_PUBLISHERS.contains(&p.org_kind) && p.role != Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only enterprises and research institutes post demands".into()))
    }
}

/// 403 when the department has rejected the caller's organisation (`None`: no such
/// organisation): it may still read and sign in, but neither publish listings nor open connections.
pub fn require_not_rejected(verification: Option<Verification>) -> Result<(), ApiError> {
    if verification == Some(Verification::Rejected) {
        return Err(ApiError::Forbidden(
            "the department has rejected this organisation's verification: it cannot publish or open connections"
                .into(),
        ));
    }
    Ok(())
}

/// 403 when the department has rejected the caller's organisation; admins (who act for the
/// department) pass. The one check of every write path that puts something on the market or
/// moves it forward: creating and updating a listing (its status included), opening a connection
/// and moving one other than to `failed` or `withdrawn`. Taking a listing off the market stays
/// allowed.
pub fn require_writer(conn: &mut PgConnection, caller: &Principal) -> Result<(), ApiError> {
    if caller.is_admin() {
        return Ok(());
    }
    require_not_rejected(crate::organizations::repo::verification(conn, caller.organization_id)?)
}

/// Whether `caller` may see a record owned by `owner` that is public or not.
pub fn can_read(caller: Option<&Principal>, owner: Uuid, is_public: bool) -> bool {
    is_public || caller.is_some_and(|p| p.is_admin() || p.organization_id == owner)
}

/// 404 (as for a missing id) unless `caller` may see the record.
pub fn require_read(
    caller: Option<&Principal>,
    owner: Uuid,
    is_public: bool,
    what: impl FnOnce() -> String,
) -> Result<(), ApiError> {
    if can_read(caller, owner, is_public) {
        Ok(())
    } else {
        Err(ApiError::NotFound(what()))
    }
}

/// 404 when the caller cannot see the record, 403 when they can but it is not theirs.
pub fn require_edit(
    caller: &Principal,
    owner: Uuid,
    is_public: bool,
    what: impl FnOnce() -> String,
) -> Result<(), ApiError> {
    require_read(Some(caller), owner, is_public, what)?;
    if caller.is_admin() || caller.organization_id == owner {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only the owning organisation may change this listing".into()))
    }
}

/// 403 unless the caller is a department admin.
pub fn require_admin(caller: &Principal) -> Result<(), ApiError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only department administrators may do this".into()))
    }
}

/// 403 unless the caller manages `organization_id`'s members: an admin, or one of its active
/// owners (looked up now, not taken from the token, so a demotion counts at once).
pub fn require_member_manager(
    conn: &mut PgConnection,
    caller: &Principal,
    organization_id: Uuid,
) -> Result<(), ApiError> {
    if caller.is_admin() {
        return Ok(());
    }
    let role = if caller.organization_id == organization_id {
        crate::members::repo::active_role(conn, organization_id, caller.user_id)?
    } else {
        None
    };
    if role == Some(OrganizationRole::Owner) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only the organisation's owners manage its members".into()))
    }
}

/// The organisation a list of private listings is limited to: the caller's own, or the one
/// asked for when the caller is an admin. Anonymous callers get 401.
pub fn private_list_scope(caller: Option<&Principal>, asked: Option<Uuid>) -> Result<Option<Uuid>, ApiError> {
    match caller {
        None => Err(ApiError::Unauthorized {
            code: ErrorCode::AuthenticationRequired,
            detail: "sign in to list unpublished listings".into(),
        }),
        Some(p) if p.is_admin() => Ok(asked),
        Some(p) => Ok(Some(p.organization_id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(kind: OrganizationKind, role: Role) -> Principal {
        Principal { user_id: Uuid::new_v4(), organization_id: Uuid::new_v4(), org_kind: kind, role, client: None }
    }

    #[test]
    fn publishers_by_organisation_kind() {
        use OrganizationKind::*;
        for (kind, supply, demand) in [
            (Enterprise, true, true),
            (University, true, false),
            (ResearchInstitute, true, true),
            (ServiceAgency, false, false),
            (Government, false, false),
        ] {
            let p = principal(kind, Role::Member);
            assert_eq!(require_supply_publisher(&p).is_ok(), supply, "{kind} supply");
            assert_eq!(require_demand_publisher(&p).is_ok(), demand, "{kind} demand");
        }
    }

    #[test]
    fn private_records_are_hidden_from_other_organisations() {
        let owner = principal(OrganizationKind::Enterprise, Role::Member);
        let other = principal(OrganizationKind::Enterprise, Role::Member);
        let admin = principal(OrganizationKind::Government, Role::Admin);
        let broker = principal(OrganizationKind::ServiceAgency, Role::Broker);
        let org = owner.organization_id;
        assert!(can_read(Some(&owner), org, false));
        assert!(can_read(Some(&admin), org, false));
        assert!(!can_read(Some(&other), org, false));
        assert!(!can_read(Some(&broker), org, false));
        assert!(!can_read(None, org, false));
        assert!(can_read(None, org, true));
        assert!(matches!(require_edit(&other, org, false, String::new), Err(ApiError::NotFound(_))));
        assert!(matches!(require_edit(&other, org, true, String::new), Err(ApiError::Forbidden(_))));
        assert!(require_edit(&admin, org, false, String::new).is_ok());
    }
}

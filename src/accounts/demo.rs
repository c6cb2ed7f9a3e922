//! Demo accounts for the run command, one per role, so a newcomer can get a token at once.
//! They act for organisations that own imported listings (created here if the import has not
//! run), marked verified. Idempotent: existing accounts are left alone.

use diesel::prelude::*;

use super::model::NewUser;
use super::repo;
use crate::auth::password;
use crate::error::ApiError;
use crate::organizations::{model::NewOrganization, repo as org_repo};
use crate::vocab::{OrganizationKind, OrganizationRole, Role, Verification};

/// One demo account: e-mail, display name, role, organisation kind and name.
pub const DEMO_ACCOUNTS: [(&str, &str, Role, OrganizationKind, &str); 4] = [
    (
        "enterprise@demo.techmatch",
        "演示企业用户",
        Role::Member,
        OrganizationKind::Enterprise,
        "公开需求发布单位（导入占位）",
    ),
    ("institute@demo.techmatch", "演示科研人员", Role::Member, OrganizationKind::ResearchInstitute, "宁夏农林科学院"),
    (
        "broker@demo.techmatch",
        "演示技术经纪人",
        Role::Broker,
        OrganizationKind::ServiceAgency,
        "宁夏技术转移中心（演示）",
    ),
    (
        "admin@demo.techmatch",
        "演示管理员",
        Role::Admin,
        OrganizationKind::Government,
        "宁夏回族自治区科学技术厅（演示）",
    ),
];

/// Creates the missing demo accounts with `password`; returns how many were created.
pub fn ensure_demo_accounts(conn: &mut PgConnection, password_text: &str) -> Result<usize, ApiError> {
    let mut created = 0;
    for (email, display_name, role, kind, org_name) in DEMO_ACCOUNTS {
        if repo::user_by_email(conn, email)?.is_some() {
            continue;
        }
        let org = org_repo::get_or_create(
            conn,
            &NewOrganization {
                kind,
                name: org_name.into(),
                name_key: crate::text_rules::identity_key(org_name),
                region: Some("宁夏".into()),
                region_code: Some("640000".into()),
                credit_code: None,
                contact_email: Some(email.into()),
                contact_phone: None,
                is_placeholder: true,
            },
        )?;
        // Demo organisations stand for known, checked ones (the demo broker opens connections),
        // with a contact address even when the import created them without one (so that a
        // connection's contacts can be seen once it is accepted).
        org_repo::set_verification(conn, org.id, Verification::Verified)?;
        org_repo::set_contact_email_if_missing(conn, org.id, email)?;
        let user = NewUser {
            organization_id: org.id,
            email: email.into(),
            display_name: display_name.into(),
            password_hash: password::hash(password_text)?,
            role,
            organization_role: OrganizationRole::Owner,
            email_verified_at: Some(chrono::Utc::now()),
        };
        repo::insert_user(conn, &user)?;
        created += 1;
    }
    Ok(created)
}

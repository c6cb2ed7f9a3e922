//! Whose listing each row becomes. An organisation imports for itself; an admin or a member of
//! a technology-transfer agency (`service_agency`) imports for others, each row naming its
//! organisation by `credit_code` (统一社会信用代码, looked up first) or `organization` (its name,
//! compared by identity key: NFKC, lower case, no white space). Admins may also name an
//! organisation that does not exist yet when the row gives its `org_kind`: it is created
//! (unverified), as the CLI import does; a row of an admin's upload naming none but giving
//! `org_kind` goes to the placeholder organisation of that kind, as in the CLI.

use std::collections::HashMap;

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Issue, JobRow};
use super::record::Record;
use crate::db::schema::organizations;
use crate::error::ApiError;
use crate::organizations::model::NewOrganization;
use crate::text_rules::identity_key;
use crate::vocab::{OrganizationKind, Role, Verification};

/// The owner of a row: an existing organisation or one the import creates.
#[derive(Debug, Clone)]
pub enum Owner {
    Existing { id: Uuid, kind: OrganizationKind, verified: bool },
    New(NewOrganization),
}

impl Owner {
    /// The key duplicates are compared under: the id, or the new organisation's identity key.
    pub fn key(&self) -> String {
        match self {
            Owner::Existing { id, .. } => id.to_string(),
            Owner::New(new) => format!("new:{}", new.name_key),
        }
    }

    pub fn kind(&self) -> OrganizationKind {
        match self {
            Owner::Existing { kind, .. } => *kind,
            Owner::New(new) => new.kind,
        }
    }
}

/// The placeholder organisations of the CLI import, by kind (research institutes for any other).
const PLACEHOLDERS: [(OrganizationKind, &str); 3] = [
    (OrganizationKind::Enterprise, "公开需求发布单位（导入占位）"),
    (OrganizationKind::University, "高校成果持有单位（导入占位）"),
    (OrganizationKind::ResearchInstitute, "科研院所成果持有单位（导入占位）"),
];

/// Longest organisation name (as at registration).
const MAX_NAME_CHARS: usize = 200;

type Known = (Uuid, OrganizationKind, String, Option<String>, Verification);

/// The organisations the rows (and the job) name, looked up in one query.
pub struct Owners {
    by_id: HashMap<Uuid, Known>,
    by_code: HashMap<String, Uuid>,
    by_key: HashMap<String, Uuid>,
    for_others: bool,
    admin: bool,
    actor_organization: Uuid,
    default: Option<Uuid>,
}

fn org_kind(text: &str) -> Option<OrganizationKind> {
    match text.trim() {
        "institute" => Some(OrganizationKind::ResearchInstitute),
        t => OrganizationKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == t || crate::vocab::Vocabulary::label_zh(*k) == t),
    }
}

impl Owners {
    /// Looks up the job's organisation and every organisation the records name.
    pub fn load(conn: &mut PgConnection, job: &JobRow, records: &[&Record]) -> Result<Self, ApiError> {
        let codes: Vec<String> = records.iter().filter_map(|r| r.credit_code.clone()).collect();
        let mut keys: Vec<String> =
            records.iter().filter_map(|r| r.organization.as_deref().map(identity_key)).collect();
        keys.extend(PLACEHOLDERS.iter().map(|(_, name)| identity_key(name)));
        let ids: Vec<Uuid> = job.organization_id.into_iter().collect();
        let found: Vec<(Uuid, OrganizationKind, String, Option<String>, Verification)> = organizations::table
            .filter(
                organizations::id
                    .eq_any(&ids)
                    .or(organizations::credit_code.eq_any(&codes))
                    .or(organizations::name_key.eq_any(&keys)),
            )
            .select((
                organizations::id,
                organizations::kind,
                organizations::name_key,
                organizations::credit_code,
                organizations::verification,
            ))
            .load(conn)?;
        let mut owners = Owners {
            by_id: HashMap::new(),
            by_code: HashMap::new(),
            by_key: HashMap::new(),
            for_others: job.actor_role == Role::Admin || job.actor_org_kind == OrganizationKind::ServiceAgency,
            admin: job.actor_role == Role::Admin,
            actor_organization: job.actor_organization_id,
            default: job.organization_id,
        };
        for org in found {
            if let Some(code) = &org.3 {
                owners.by_code.insert(code.clone(), org.0);
            }
            owners.by_key.insert(org.2.clone(), org.0);
            owners.by_id.insert(org.0, org);
        }
        Ok(owners)
    }

    fn existing(&self, id: Uuid) -> Option<Owner> {
        self.by_id.get(&id).map(|o| Owner::Existing { id: o.0, kind: o.1, verified: o.4 == Verification::Verified })
    }

    /// The owner of `record` (row `row`), or why it has none.
    pub fn of(&self, row: i32, record: &Record) -> Result<Owner, Issue> {
        let named = record
            .credit_code
            .as_ref()
            .and_then(|c| self.by_code.get(c))
            .or_else(|| record.organization.as_deref().and_then(|n| self.by_key.get(&identity_key(n))))
            .copied();
        let names_one = record.credit_code.is_some() || record.organization.is_some();
        if let Some(id) = named {
            if !self.for_others && id != self.actor_organization {
                return Err(Issue::new(
                    row,
                    Some("organization"),
                    "organization_not_allowed",
                    "only admins and technology-transfer agencies import listings of other organisations",
                ));
            }
            return self
                .existing(id)
                .ok_or_else(|| Issue::new(row, Some("organization"), "unknown_organization", "unknown organisation"));
        }
        if names_one {
            if !self.for_others {
                return Err(Issue::new(
                    row,
                    Some("organization"),
                    "organization_not_allowed",
                    "only admins and technology-transfer agencies import listings of other organisations",
                ));
            }
            return match (&record.organization, record.org_kind.as_deref().and_then(org_kind)) {
                (Some(name), Some(_)) if self.admin && name.trim().chars().count() > MAX_NAME_CHARS => Err(Issue::new(
                    row,
                    Some("organization"),
                    "too_long",
                    format!("an organisation's name is at most {MAX_NAME_CHARS} characters"),
                )),
                (Some(name), Some(kind)) if self.admin => {
                    Ok(Owner::New(new_organization(kind, name.trim(), record, false)))
                }
                _ => Err(Issue::new(
                    row,
                    Some("organization"),
                    "unknown_organization",
                    format!(
                        "no organisation with this {}{}",
                        if record.credit_code.is_some() { "credit code" } else { "name" },
                        if self.admin { " (give `org_kind` to create it)" } else { "" }
                    ),
                )),
            };
        }
        if let Some(id) = self.default {
            return self
                .existing(id)
                .ok_or_else(|| Issue::new(row, Some("organization"), "unknown_organization", "unknown organisation"));
        }
        match record.org_kind.as_deref().and_then(org_kind) {
            Some(kind) if self.admin => {
                let name = PLACEHOLDERS.iter().find(|(k, _)| *k == kind).map_or(PLACEHOLDERS[2].1, |(_, n)| n);
                match self.by_key.get(&identity_key(name)).and_then(|id| self.existing(*id)) {
                    Some(existing) => Ok(existing),
                    None => Ok(Owner::New(new_organization(kind, name, record, true))),
                }
            }
            _ => Err(Issue::new(
                row,
                Some("organization"),
                "organization_required",
                "name the row's organisation (`organization` or `credit_code`), or upload with `organization_id`",
            )),
        }
    }
}

fn new_organization(kind: OrganizationKind, name: &str, record: &Record, is_placeholder: bool) -> NewOrganization {
    // A region the vocabulary knows is stored with its code; other text is kept as written.
    let region = record.region.as_deref().map(str::trim).filter(|r| !r.is_empty());
    NewOrganization {
        kind,
        name_key: identity_key(name),
        name: name.to_string(),
        region_code: region.and_then(crate::regions::vocabulary::resolve).map(str::to_string),
        region: region.map(str::to_string),
        credit_code: None,
        contact_email: None,
        contact_phone: None,
        is_placeholder,
    }
}

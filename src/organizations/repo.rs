//! Organisation queries.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{NewOrganization, Organization};
use crate::db::schema::organizations;
use crate::db::FoundExtension;
use crate::error::ApiError;
use crate::pagination::PageRequest;
use crate::vocab::{OrganizationKind, Verification};

/// Inserts an organisation; 409 `organization_exists` when one of the same name (the same
/// identity key) exists.
pub fn insert(conn: &mut PgConnection, new: &NewOrganization) -> Result<Organization, ApiError> {
    Ok(diesel::insert_into(organizations::table)
        .values(new)
        .returning(Organization::as_returning())
        .get_result(conn)?)
}

/// The organisation with this id; 404 when absent.
pub fn get(conn: &mut PgConnection, id: Uuid) -> Result<Organization, ApiError> {
    organizations::table
        .find(id)
        .select(Organization::as_select())
        .first(conn)
        .or_not_found(|| format!("organization {id}"))
}

/// Finds or creates the organisation of this name (used by the importer and the demo): an
/// existing one with the same identity key is returned, whatever its kind.
pub fn get_or_create(conn: &mut PgConnection, new: &NewOrganization) -> Result<Organization, ApiError> {
    diesel::insert_into(organizations::table).values(new).on_conflict_do_nothing().execute(conn)?;
    Ok(organizations::table
        .filter(organizations::name_key.eq(&new.name_key))
        .select(Organization::as_select())
        .first(conn)?)
}

/// The filters of the organisation list.
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    /// Of this kind (any when `None`).
    pub kind: Option<OrganizationKind>,
    /// Verified ones only.
    pub verified_only: bool,
    /// In the region whose GB/T 2260 code starts with this prefix (sub-regions included).
    pub region_prefix: Option<String>,
}

/// The organisations `filter` keeps.
fn filtered(filter: &OrgFilter) -> organizations::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = organizations::table.into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(organizations::kind.eq(kind));
    }
    if filter.verified_only {
        query = query.filter(organizations::verification.eq(Verification::Verified));
    }
    if let Some(prefix) = &filter.region_prefix {
        query = query.filter(organizations::region_code.like(format!("{prefix}%")));
    }
    query
}

/// At most `cap` of the organisations `filter` keeps, by name.
pub fn all(conn: &mut PgConnection, filter: &OrgFilter, cap: i64) -> Result<Vec<Organization>, ApiError> {
    Ok(filtered(filter)
        .order((organizations::name, organizations::id))
        .limit(cap)
        .select(Organization::as_select())
        .load(conn)?)
}

/// One page of the organisations `filter` keeps, by name, with the total.
pub fn list(
    conn: &mut PgConnection,
    filter: &OrgFilter,
    page: PageRequest,
) -> Result<(Vec<Organization>, i64), ApiError> {
    let total = filtered(filter).count().get_result(conn)?;
    let items = filtered(filter)
        .order((organizations::name, organizations::id))
        .offset(page.offset())
        .limit(page.limit())
        .select(Organization::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// Every organisation's id and name (for the text search of listings by their owner's name).
pub fn names(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, ApiError> {
    Ok(organizations::table.select((organizations::id, organizations::name)).load(conn)?)
}

/// Sets the verification status; 404 when absent.
pub fn set_verification(
    conn: &mut PgConnection,
    id: Uuid,
    verification: Verification,
) -> Result<Organization, ApiError> {
    diesel::update(organizations::table.find(id))
        .set((organizations::verification.eq(verification), organizations::updated_at.eq(diesel::dsl::now)))
        .returning(Organization::as_returning())
        .get_result(conn)
        .or_not_found(|| format!("organization {id}"))
}

/// The verification of an organisation; `None` when it does not exist.
pub fn verification(conn: &mut PgConnection, id: Uuid) -> Result<Option<Verification>, ApiError> {
    Ok(organizations::table.find(id).select(organizations::verification).first(conn).optional()?)
}

/// Sets the contact e-mail of an organisation that has none (imported placeholder
/// organisations have none); leaves an existing one alone.
pub fn set_contact_email_if_missing(conn: &mut PgConnection, id: Uuid, email: &str) -> Result<(), ApiError> {
    diesel::update(organizations::table.find(id).filter(organizations::contact_email.is_null()))
        .set((organizations::contact_email.eq(email), organizations::updated_at.eq(diesel::dsl::now)))
        .execute(conn)?;
    Ok(())
}

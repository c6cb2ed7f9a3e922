//! Organisation records and the input that creates one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::credit_code;
use crate::db::schema::organizations;
use crate::error::ApiError;
use crate::error::{FieldCode, FieldError};
use crate::spec::text::{Email, Phone, Region, Title};
use crate::validation::Fields;
use crate::vocab::{OrganizationKind, Verification};

/// An organisation as stored and returned.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: Uuid,
    /// `enterprise`, `university`, `research_institute`, `service_agency` or `government`.
    pub kind: OrganizationKind,
    pub name: String,
    pub region: Option<String>,
    /// The GB/T 2260 code `region` names (see `GET /api/v1/regions`); `null` when it names none.
    #[schema(pattern = "^[0-9]{6}$", example = "640000")]
    pub region_code: Option<String>,
    /// 统一社会信用代码, enterprises only.
    pub credit_code: Option<String>,
    /// `unverified`, `verified` or `rejected`; only department admins change it.
    pub verification: Verification,
    /// Created by the importer for public listings whose holder is not named.
    pub is_placeholder: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Contact e-mail; shown to the other party of a connection once it is `contacted`.
    #[serde(skip)]
    pub contact_email: Option<String>,
    /// Contact phone; shown like `contact_email`.
    #[serde(skip)]
    pub contact_phone: Option<String>,
}

/// An organisation as given at registration (or by an admin creating one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    /// `government` only through `POST /api/v1/organizations` (admins), never at registration.
    pub kind: OrganizationKind,
    /// 1–200 characters.
    #[schema(value_type = Title)]
    pub name: String,
    /// A region of `GET /api/v1/regions` by code, name or alias (`宁夏`, `银川市`, `640100`),
    /// at most 100 characters; its code is stored as `region_code` (422 `unknown_value` otherwise).
    #[schema(value_type = Option<Region>)]
    pub region: Option<String>,
    /// 统一社会信用代码 (18 characters with a check character, GB 32100-2015): required for enterprises;
    /// blank counts as absent.
    #[schema(
        pattern = "^([ \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]{0,18}|[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10})$",
        example = "91640100MA76H12345"
    )]
    pub credit_code: Option<String>,
    /// Contact e-mail for connections (at most 254 characters).
    #[schema(value_type = Option<Email>)]
    pub contact_email: Option<String>,
    /// Contact phone for connections (at most 40 characters).
    #[schema(value_type = Option<Phone>)]
    pub contact_phone: Option<String>,
}

/// Body of `POST /api/v1/organizations/{id}/verification` (admins only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationInput {
    pub verification: Verification,
}

/// A checked organisation ready to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization {
    pub kind: OrganizationKind,
    pub name: String,
    /// The identity key of `name` ([`crate::text_rules::identity_key`]), unique.
    pub name_key: String,
    pub region: Option<String>,
    pub region_code: Option<String>,
    pub credit_code: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub is_placeholder: bool,
}

impl OrganizationInput {
    /// Checks the fields; `field` prefixes the error paths (e.g. `organization.name`).
    pub fn parse(self, prefix: &str) -> Result<NewOrganization, ApiError> {
        let mut f = Fields::new();
        let name = f.text(&format!("{prefix}name"), self.name, 200);
        let (region, region_code) = f.region(&format!("{prefix}region"), self.region);
        let code_field = format!("{prefix}credit_code");
        let credit_code = f.opt_code(&code_field, self.credit_code, 18).map(|c| c.to_ascii_uppercase());
        match (&credit_code, self.kind) {
            (Some(code), _) => {
                if let Err(e) = credit_code::validate(code) {
                    f.push(
                        FieldError::new(&code_field, FieldCode::InvalidFormat)
                            .with("format", "credit_code")
                            .says("不是有效的统一社会信用代码（18 位，校验位须正确）", e.to_string()),
                    );
                }
            }
            (None, OrganizationKind::Enterprise) => f.error(
                &code_field,
                FieldCode::Missing,
                "企业须填写统一社会信用代码",
                "enterprises must give their unified social credit code",
            ),
            (None, _) => {}
        }
        let contact_email = f.opt_text(&format!("{prefix}contact_email"), self.contact_email, 254);
        let contact_phone = f.opt_text(&format!("{prefix}contact_phone"), self.contact_phone, 40);
        f.finish()?;
        Ok(NewOrganization {
            kind: self.kind,
            name_key: crate::text_rules::identity_key(&name),
            name,
            region,
            region_code,
            credit_code,
            contact_email,
            contact_phone,
            is_placeholder: false,
        })
    }
}

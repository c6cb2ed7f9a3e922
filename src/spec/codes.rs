//! Schemas built from the compiled taxonomy and vocabularies: industry codes, the comma-separated
//! code lists of the list filters, and the statuses a body may set.

use std::borrow::Cow;

use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use super::text::WHITE_SPACE_CLASS;
use crate::industries::taxonomy::Taxonomy;

/// An industry code of the taxonomy (`GET /api/v1/industries`), e.g. `goji`, `new_materials`,
/// `hydrogen`. The enumeration is built from the compiled `data/industries.json`.
pub struct IndustryCode;

impl PartialSchema for IndustryCode {
    fn schema() -> RefOr<Schema> {
        let codes: Vec<&str> = Taxonomy::embedded().industries.iter().map(|i| i.code.as_str()).collect();
        let example = codes.first().copied().unwrap_or_default();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An industry code of the taxonomy (`GET /api/v1/industries`)."))
            .enum_values(Some(codes))
            .examples([example])
            .into()
    }
}

impl ToSchema for IndustryCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("IndustryCode")
    }
}

/// An industry code or an industry group code (`six_new`, `six_special`, `six_advantage`,
/// `plus_n`): the match filters accept both.
pub struct IndustryOrGroupCode;

impl PartialSchema for IndustryOrGroupCode {
    fn schema() -> RefOr<Schema> {
        let taxonomy = Taxonomy::embedded();
        let codes: Vec<&str> = taxonomy
            .industries
            .iter()
            .map(|i| i.code.as_str())
            .chain(taxonomy.groups.iter().map(|g| g.code.as_str()))
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An industry code or an industry group code (`GET /api/v1/industries`)."))
            .enum_values(Some(codes))
            .into()
    }
}

impl ToSchema for IndustryOrGroupCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("IndustryOrGroupCode")
    }
}

/// A pattern for a comma-separated list of `codes` as the list filters read it: each item is
/// trimmed, empty items are skipped (so an empty value means no filter), any other item must be
/// one of `codes`.
fn code_list_pattern(codes: &[&str]) -> String {
    let item = format!("[{WHITE_SPACE_CLASS}]*({})?[{WHITE_SPACE_CLASS}]*", codes.join("|"));
    format!("^{item}(,{item})*$")
}

fn code_list_schema(description: &str, codes: &[&str], example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(code_list_pattern(codes)))
        .examples([example])
        .into()
}

macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident, $description:expr, $codes:expr, $example:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let codes: Vec<&str> = $codes;
                code_list_schema($description, &codes, $example)
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

code_list!(
    /// Comma-separated industry codes (a list filter).
    IndustryList,
    "Comma-separated industry codes (`IndustryCode`); blank items are ignored.",
    Taxonomy::embedded().industries.iter().map(|i| i.code.as_str()).collect(),
    "goji,dairy"
);

code_list!(
    /// Comma-separated industry or group codes (the match filter).
    IndustryOrGroupList,
    "Comma-separated industry or group codes (`IndustryOrGroupCode`); blank items are ignored.",
    {
        let t = Taxonomy::embedded();
        t.industries.iter().map(|i| i.code.as_str()).chain(t.groups.iter().map(|g| g.code.as_str())).collect()
    },
    "goji,six_new"
);

code_list!(
    /// Comma-separated cooperation / transfer modes (the match filter).
    TransferModeList,
    "Comma-separated cooperation / transfer modes (`TransferMode`); blank items are ignored.",
    crate::vocab::TransferMode::ALL.iter().map(|m| m.as_str()).collect(),
    "transfer,license"
);

/// The statuses a supply may be given through its body (archiving has its own endpoint).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditableSupplyStatus {
    Draft,
    Published,
}

/// The statuses a new demand may be created in (`open` submits it).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NewDemandStatus {
    Draft,
    Open,
}

/// The statuses a demand may be given through its body (withdrawing has its own endpoint).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditableDemandStatus {
    Draft,
    Open,
    Closed,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enum_of<T: ToSchema>() -> Vec<String> {
        let RefOr::T(Schema::Object(o)) = T::schema() else { panic!("{} is an inline object schema", T::name()) };
        o.enum_values.unwrap_or_default().iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
    }

    #[test]
    fn vocabulary_schemas_list_the_stored_values() {
        use crate::vocab::*;
        fn check<T: ToSchema + Copy + std::fmt::Display>(all: &[T]) {
            assert_eq!(enum_of::<T>(), all.iter().map(|v| v.to_string()).collect::<Vec<_>>(), "{}", T::name());
        }
        check(TransferMode::ALL);
        check(IpType::ALL);
        check(SupplyStatus::ALL);
        check(DemandStatus::ALL);
        check(OrganizationKind::ALL);
        check(Role::ALL);
        check(Verification::ALL);
        check(ConnectionStatus::ALL);
        check(ContractType::ALL);
        check(FailureReason::ALL);
    }

    #[test]
    fn list_patterns_read_lists_as_the_filters_do() {
        let re = code_list_pattern(&["goji", "dairy"]);
        assert!(re.starts_with('^') && re.ends_with('$') && re.contains("(goji|dairy)"), "{re}");
    }

    #[test]
    fn industry_codes_come_from_the_taxonomy() {
        let RefOr::T(Schema::Object(o)) = IndustryCode::schema() else { panic!("an inline object schema") };
        assert_eq!(o.enum_values.map(|v| v.len()), Some(Taxonomy::embedded().industries.len()));
    }
}

//! The vocabularies as served ([`every`]) and as stated in the OpenAPI document
//! ([`label_schemas`]).

use std::collections::HashMap;

use serde::Serialize;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::{OpenApi, RefOr, Schema};
use utoipa::ToSchema;

use crate::industries::taxonomy::Taxonomy;
use crate::vocab::*;

/// One value of a vocabulary with its labels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LabelView {
    /// The value as sent and stored, e.g. `transfer`.
    pub value: &'static str,
    /// Chinese label, e.g. 转让.
    pub zh: &'static str,
    /// English label, e.g. Transfer.
    pub en: &'static str,
}

/// One vocabulary: its name (the name of its schema in the OpenAPI document) and its values, in
/// their order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VocabularyView {
    #[schema(example = "TransferMode")]
    pub name: &'static str,
    pub values: Vec<LabelView>,
}

/// Every vocabulary of the API.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VocabularyList {
    pub vocabularies: Vec<VocabularyView>,
}

fn view<V: Vocabulary>() -> VocabularyView {
    let values = V::ALL.iter().map(|v| LabelView { value: v.as_str(), zh: v.label_zh(), en: v.label_en() });
    VocabularyView { name: V::NAME, values: values.collect() }
}

/// The vocabularies of [`crate::vocab`] that no request or response carries (kept inside the
/// server: the statistics' listing events); they are not served.
#[cfg_attr(not(test), allow(dead_code))]
const INTERNAL: &[&str] = &["ListingEventKind"];

/// Every `vocabulary!` of [`crate::vocab`] that the API exchanges, each a schema of the OpenAPI
/// document (a unit test checks that none is missing but [`INTERNAL`]).
pub fn every() -> VocabularyList {
    VocabularyList {
        vocabularies: vec![
            view::<TransferMode>(),
            view::<IpType>(),
            view::<SupplyStatus>(),
            view::<DemandStatus>(),
            view::<OrganizationKind>(),
            view::<Role>(),
            view::<Verification>(),
            view::<ConnectionStatus>(),
            view::<ContractType>(),
            view::<FailureReason>(),
            view::<Quota>(),
            view::<OrganizationRole>(),
            view::<InvitationStatus>(),
            view::<AuditAction>(),
            view::<AuditRecordType>(),
            view::<ListingKind>(),
            view::<ReviewDecision>(),
            view::<ReviewReason>(),
            view::<CompletenessItem>(),
            view::<ContractSubKind>(),
            view::<ContractStatus>(),
            view::<ContractReview>(),
            view::<ContractReviewReason>(),
            view::<PaymentStatus>(),
            view::<CommissionBasis>(),
            view::<ImportStatus>(),
            view::<ImportMode>(),
            view::<ExchangeFormat>(),
            view::<SubscriptionFrequency>(),
            view::<EventStatus>(),
            view::<EventFormat>(),
            view::<EventPairStatus>(),
            view::<MeetingStatus>(),
            view::<RoadshowKind>(),
            view::<ChallengeStatus>(),
            view::<ChallengeApplicationStatus>(),
            view::<NotificationKind>(),
            view::<EmailFrequency>(),
            view::<WebhookDeliveryStatus>(),
        ],
    }
}

/// The schemas whose values take the labels of a vocabulary: its own, and the subsets a body
/// may set.
const LABELLED_BY: &[(&str, &str)] =
    &[("EditableSupplyStatus", "SupplyStatus"), ("EditableDemandStatus", "DemandStatus")];

/// The labels of each labelled schema, by schema name and value: the vocabularies (and the
/// subsets of [`LABELLED_BY`]) and the industry codes with their taxonomy names.
fn labels_by_schema() -> HashMap<&'static str, HashMap<&'static str, (&'static str, &'static str)>> {
    let mut by_schema: HashMap<&'static str, HashMap<_, _>> = HashMap::new();
    for vocabulary in every().vocabularies {
        by_schema.insert(vocabulary.name, vocabulary.values.iter().map(|v| (v.value, (v.zh, v.en))).collect());
    }
    for (schema, vocabulary) in LABELLED_BY {
        if let Some(labels) = by_schema.get(vocabulary).cloned() {
            by_schema.insert(schema, labels);
        }
    }
    let taxonomy = Taxonomy::embedded();
    let industries: HashMap<_, _> =
        taxonomy.industries.iter().map(|i| (i.code.as_str(), (i.name_zh.as_str(), i.name_en.as_str()))).collect();
    let mut with_groups = industries.clone();
    with_groups.extend(taxonomy.groups.iter().map(|g| (g.code.as_str(), (g.name_zh.as_str(), g.name_en.as_str()))));
    by_schema.insert("IndustryCode", industries);
    by_schema.insert("IndustryOrGroupCode", with_groups);
    by_schema
}

/// Adds the labels to each labelled enum schema in `doc` ([`labels_by_schema`]), as code
/// generators read them: `x-enum-varnames` (identifiers, openapi-generator and
/// openapi-typescript's `--enum`), `x-enum-descriptions` (`转让 (Transfer)`, the same generators'
/// doc comments) and `x-enum-labels` (`{"zh": [...], "en": [...]}`, for tools of our own), each in
/// the order of `enum`. A schema with a value that has no label is left alone.
pub fn label_schemas(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else { return };
    for (name, labels) in labels_by_schema() {
        let Some(RefOr::T(Schema::Object(schema))) = components.schemas.get_mut(name) else { continue };
        let values: Vec<String> =
            schema.enum_values.iter().flatten().filter_map(|v| v.as_str()).map(String::from).collect();
        let Some(pairs) = values.iter().map(|v| labels.get(v.as_str()).copied()).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let names: Vec<String> = values.iter().map(|v| pascal_case(v)).collect();
        let descriptions: Vec<String> = pairs.iter().map(|(zh, en)| format!("{zh} ({en})")).collect();
        let zh: Vec<&str> = pairs.iter().map(|p| p.0).collect();
        let en: Vec<&str> = pairs.iter().map(|p| p.1).collect();
        let extensions = ExtensionsBuilder::new()
            .add("x-enum-varnames", names)
            .add("x-enum-descriptions", descriptions)
            .add("x-enum-labels", serde_json::json!({"zh": zh, "en": en}))
            .build();
        match schema.extensions.as_mut() {
            Some(existing) => existing.merge(extensions),
            None => schema.extensions = Some(extensions),
        }
    }
}

/// `joint_development` → `JointDevelopment`.
fn pascal_case(value: &str) -> String {
    value
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_is_served() {
        let source = include_str!("../vocab.rs");
        let declared = source.matches("\nvocabulary! {").count();
        let served = every().vocabularies;
        assert_eq!(served.len() + INTERNAL.len(), declared, "add the new vocabulary to `every` (or to `INTERNAL`)");
        assert!(served.iter().all(|v| !INTERNAL.contains(&v.name)), "an internal vocabulary is not served");
        let mut names: Vec<_> = served.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len() + INTERNAL.len(), declared, "each vocabulary once");
    }

    #[test]
    fn every_value_has_a_chinese_and_an_english_label() {
        for vocabulary in every().vocabularies {
            for v in &vocabulary.values {
                let what = format!("{}.{}", vocabulary.name, v.value);
                assert!(v.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{what}: zh {:?}", v.zh);
                assert!(!v.en.trim().is_empty() && v.en.is_ascii(), "{what}: en {:?}", v.en);
            }
            for pick in [|v: &LabelView| v.zh, |v: &LabelView| v.en] {
                let mut labels: Vec<_> = vocabulary.values.iter().map(pick).collect();
                labels.sort_unstable();
                labels.dedup();
                assert_eq!(labels.len(), vocabulary.values.len(), "{}: labels are distinct", vocabulary.name);
            }
        }
    }

    #[test]
    fn variable_names_are_pascal_case() {
        assert_eq!(pascal_case("joint_development"), "JointDevelopment");
        assert_eq!(pascal_case("none"), "None");
    }
}

//! The schema of the body of `POST /api/v1/connections/{id}/events`, one variant per kind of
//! move, so that the fields each target status needs (and forbids) are part of the contract.
//! The server reads the same JSON into the lenient [`super::input::MoveInput`] so that a 422 can
//! name every missing or misplaced field; the variants here accept exactly the shapes that parse
//! accepts (a test holds the two together), and the document calls the union `MoveInput`.
// The fields are only deserialised (by the test), never read.
#![allow(dead_code)]

use serde::Deserialize;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::spec::text::{Note, Reason};
use crate::vocab::{ConnectionStatus, FailureReason};

/// A move of the connection to `to`. `failed` needs a failure reason, and a note when the reason
/// is `other`; the other moves carry none. `signed` is not a move: a connection is signed when
/// the other side confirms the contract (`POST /connections/{id}/contract/confirm`).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(as = MoveInput)]
pub enum MoveBody {
    Advance(AdvanceMove),
    Fail(FailMove),
    FailOther(FailOtherMove),
}

/// A move that advances or withdraws the connection; it carries no failure.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(title = "Advance or withdraw")]
pub struct AdvanceMove {
    /// The status the client last saw: the move applies only if the connection is still in it
    /// (409 `illegal_transition` otherwise).
    from: Option<ConnectionStatus>,
    #[schema(inline)]
    to: AdvanceTo,
    #[schema(value_type = Option<Note>)]
    note: Option<String>,
    #[serde(default)]
    #[schema(schema_with = absent, required = false)]
    failure_reason: (),
}

/// The statuses a move can advance to, or withdraw.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdvanceTo {
    Contacted,
    Negotiating,
    Withdrawn,
}

/// A move to `failed` for a listed reason; the note is optional.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(title = "Fail")]
pub struct FailMove {
    /// The status the client last saw: the move applies only if the connection is still in it
    /// (409 `illegal_transition` otherwise).
    from: Option<ConnectionStatus>,
    #[schema(inline)]
    to: FailTo,
    #[schema(value_type = Option<Note>)]
    note: Option<String>,
    #[schema(inline)]
    failure_reason: ListedReason,
}

/// A move to `failed` for another reason: the note that says why is required.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(title = "Fail for another reason")]
pub struct FailOtherMove {
    /// The status the client last saw: the move applies only if the connection is still in it
    /// (409 `illegal_transition` otherwise).
    from: Option<ConnectionStatus>,
    #[schema(inline)]
    to: FailTo,
    #[schema(value_type = Reason)]
    note: String,
    #[schema(inline)]
    failure_reason: OtherReason,
}

/// The status of a failing move.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailTo {
    Failed,
}

/// The failure reason that needs a note.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OtherReason {
    Other,
}

/// A field a move of this kind does not carry: absent or `null`.
fn absent() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Null)
}

/// Every failure reason but `other` (which needs a note), from the vocabulary.
#[derive(Deserialize)]
#[serde(try_from = "FailureReason")]
pub struct ListedReason(FailureReason);

impl TryFrom<FailureReason> for ListedReason {
    type Error = &'static str;

    fn try_from(reason: FailureReason) -> Result<Self, Self::Error> {
        match reason {
            FailureReason::Other => Err("`other` needs a note"),
            listed => Ok(Self(listed)),
        }
    }
}

impl PartialSchema for ListedReason {
    fn schema() -> RefOr<Schema> {
        let reasons: Vec<&str> =
            FailureReason::ALL.iter().filter(|r| **r != FailureReason::Other).map(|r| r.as_str()).collect();
        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(reasons)).into()
    }
}

impl ToSchema for ListedReason {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::MoveBody;
    use crate::connections::input::MoveInput;

    /// Whether the lenient parse takes the body (to a 2xx or a 409, never a 400 or 422).
    fn lenient(body: &serde_json::Value) -> bool {
        serde_json::from_value::<MoveInput>(body.clone()).ok().is_some_and(|m| m.parse().is_ok())
    }

    #[test]
    fn the_schema_accepts_what_the_parse_accepts() {
        let bodies = [
            json!({"to": "contacted"}),
            json!({"to": "negotiating", "from": "contacted", "note": "谈"}),
            json!({"to": "withdrawn", "from": null, "note": null}),
            json!({"to": "contacted", "contract_type": "transfer"}),
            json!({"to": "signed"}),
            json!({"to": "signed", "contract_amount_fen": 100, "contract_type": "license"}),
            json!({"to": "failed", "failure_reason": "price_gap"}),
            json!({"to": "failed", "failure_reason": "other", "note": "双方战略调整"}),
            json!({"to": "failed", "failure_reason": "other"}),
            json!({"to": "failed"}),
            json!({"to": "failed", "failure_reason": "price_gap", "contract_amount_fen": 5}),
            json!({"to": "failed", "failure_reason": "price_gap", "from": "negotiating"}),
            json!({"to": "contacted", "extra": 1}),
        ];
        for body in bodies {
            let schema = serde_json::from_value::<MoveBody>(body.clone()).is_ok();
            assert_eq!(schema, lenient(&body), "{body}");
        }
    }
}

//! The pieces that exist only to describe the API in its OpenAPI document, shared by every
//! feature: the [`Problem`] body of every error, the reusable error responses and their sets,
//! schemas built from the compiled taxonomy and vocabularies ([`IndustryCode`], [`IndustryList`],
//! …) and the text types that carry their pattern once ([`text`]).
//!
//! This module sits low: it imports the error type, the vocabularies and the taxonomy, never a
//! feature. The document itself is assembled in [`crate::routes`].

mod codes;
pub mod normal;
mod problem;
mod responses;
pub mod text;

pub use codes::{
    EditableDemandStatus, EditableSupplyStatus, IndustryCode, IndustryList, IndustryOrGroupCode, IndustryOrGroupList,
    NewDemandStatus, TransferModeList,
};
pub use problem::Problem;
pub use responses::{
    BadRequest, Forbidden, HashingUnavailable, JsonBody, NotFound, PasswordChangesLimited, PayloadTooLarge,
    ServiceUnavailable, Std, TooManyRequests, Unauthorized, UnsupportedMediaType, ValidationFailed,
};
pub use text::Keyword;

/// Name of the bearer security scheme in the document.
pub const BEARER: &str = "bearer";

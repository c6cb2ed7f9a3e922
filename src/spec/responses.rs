//! The error responses every operation shares, registered once as components and referenced by
//! status. Each type is both a component (`ToResponse`) and a one-entry response set
//! (`IntoResponses`), so an operation lists `responses((status = 200, …), Std, JsonBody, NotFound)`
//! instead of restating status, description and headers; [`Std`] and [`JsonBody`] bundle the sets
//! that travel together.

use std::collections::BTreeMap;

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, Header, HeaderBuilder, Ref, RefOr};
use utoipa::{IntoResponses, ToResponse};

use crate::error::PROBLEM_JSON;

type Responses = BTreeMap<String, RefOr<Response>>;

fn problem_content() -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build()
}

/// A problem response with a description and optional headers.
fn problem(description: &str, headers: Vec<(&str, Header)>) -> RefOr<Response> {
    let mut builder = ResponseBuilder::new().description(description).content(PROBLEM_JSON, problem_content());
    for (name, h) in headers {
        builder = builder.header(name, h);
    }
    builder.build().into()
}

fn www_authenticate() -> (&'static str, Header) {
    let header = HeaderBuilder::new()
        .schema(Object::with_type(SchemaType::Type(Type::String)))
        .description(Some("`Bearer realm=\"techmatch\"`, with `error=\"invalid_token\"` for a bad token."))
        .build();
    ("WWW-Authenticate", header)
}

fn retry_after(description: &str) -> (&'static str, Header) {
    let header = HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
        .description(Some(description))
        .build();
    ("Retry-After", header)
}

macro_rules! problem_response {
    ($(#[$meta:meta])* $name:ident = $status:literal, $description:expr $(, $header:expr)* $(,)?) => {
        $(#[$meta])*
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), problem($description, vec![$($header),*]))
            }
        }

        impl IntoResponses for $name {
            fn responses() -> Responses {
                Responses::from([($status.to_string(), Ref::from_response_name(stringify!($name)).into())])
            }
        }
    };
}

macro_rules! response_set {
    ($(#[$meta:meta])* $name:ident = $($member:ident)+) => {
        $(#[$meta])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> Responses {
                let mut all = Responses::new();
                $(all.extend(<$member as IntoResponses>::responses());)+
                all
            }
        }
    };
}

problem_response!(
    /// 400: the request is malformed.
    BadRequest = 400,
    "The request is malformed: `malformed_json` (the body is not JSON), `invalid_body` (the JSON does not fit the \
schema: unknown field, wrong type, unknown enum value), `invalid_path` (a path parameter does not parse), \
`invalid_query` (a query parameter is unknown, malformed or out of range), `nul_character` (a text holds U+0000), \
`invalid_if_match` or `invalid_idempotency_key` (a header is malformed)."
);

problem_response!(
    /// 401: no valid bearer token.
    Unauthorized = 401,
    "`authentication_required` (no bearer token where one is needed) or `invalid_token` (the token is forged, \
expired, or not an access token; also answered when an optional token is sent and is not valid).",
    www_authenticate()
);

problem_response!(
    /// 403: the caller's role or organisation may not do this.
    Forbidden = 403,
    "`forbidden`: the caller's role or organisation may not do this."
);

problem_response!(
    /// 404: no such record, or not visible to the caller.
    NotFound = 404,
    "`not_found`: no such record, or another organisation's private record."
);

problem_response!(
    /// 413: the body is too large.
    PayloadTooLarge = 413,
    "`payload_too_large`: the body exceeds `TECHMATCH_MAX_BODY_BYTES` (256 KiB by default)."
);

problem_response!(
    /// 415: the body is not JSON.
    UnsupportedMediaType = 415,
    "`unsupported_media_type`: the body must be sent as `application/json`."
);

problem_response!(
    /// 422: fields are invalid.
    ValidationFailed = 422,
    "`validation_failed`: the JSON is well-formed but fields are invalid; `errors` lists each field with its \
message (lengths are counted in characters, as sent)."
);

problem_response!(
    /// 429: too many attempts, or a quota of the organisation used up.
    TooManyRequests = 429,
    "Too many requests of this kind: `rate_limited` (login and registration: too many attempts from this address \
or for this account) or `quota_exceeded` (connections and listings: the caller's organisation has used up a quota, \
named by `quota` — `proposals_per_day`, `listings_per_hour` or `open_listings` — with its size in `limit`; \
verified organisations have larger quotas, admins none).",
    retry_after("Seconds to wait before trying again: until the window frees a slot (for `open_listings`, a fixed \
hint of 3600: a slot frees when the organisation takes a listing off the market).")
);

problem_response!(
    /// 503: PostgreSQL is unreachable or the pool is exhausted.
    ServiceUnavailable = 503,
    "`database_unavailable`: PostgreSQL is unreachable or every pooled connection is busy; retry later.",
    retry_after("Seconds to wait before retrying (5).")
);

problem_response!(
    /// 503 of the operations that hash a password: the database, or every hashing slot, is busy.
    HashingUnavailable = 503,
    "`database_unavailable`: PostgreSQL is unreachable or every pooled connection is busy; or `hashing_busy`: \
every password hashing slot stayed busy (`TECHMATCH_HASH_CONCURRENCY` at once, waited for \
`TECHMATCH_HASH_WAIT_MS`). Retry later.",
    retry_after("Seconds to wait before retrying.")
);

problem_response!(
    /// 429 of `POST /me/password`.
    PasswordChangesLimited = 429,
    "`rate_limited`: too many password changes by this user (`TECHMATCH_PASSWORD_CHANGES_PER_USER_PER_MIN`).",
    retry_after("Seconds to wait before trying again.")
);

response_set!(
    /// What every operation that reads a path, a query or a body and uses the database may answer:
    /// 400 and 503.
    Std = BadRequest ServiceUnavailable
);

response_set!(
    /// What an operation with a JSON body adds: 413 and 415.
    JsonBody = PayloadTooLarge UnsupportedMediaType
);

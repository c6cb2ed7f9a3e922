//! Every machine-readable `code` of an error body, in one list. A low module: it imports
//! nothing of the features, so anything may name a code. docs/API.md's error table lists
//! exactly [`ErrorCode::ALL`] (checked by a test below).

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = ($text:literal, $status:literal),)+) => {
        /// The stable machine-readable `code` of an error body (also the last segment of its
        /// `type`, `urn:techmatch:problem:<code>`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of docs/API.md's table.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The code as sent.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// The HTTP status answered with this code.
            pub fn status(self) -> u16 {
                match self { $(Self::$variant => $status),+ }
            }

            /// What the code means, one sentence (its doc comment).
            pub fn meaning(self) -> &'static str {
                match self { $(Self::$variant => concat!($($doc),+).trim_start()),+ }
            }
        }
    };
}

error_codes! {
    /// 400: the body is not JSON (or could not be read).
    MalformedJson = ("malformed_json", 400),
    /// 400: the JSON does not fit the schema (unknown field, wrong type, a value outside a closed vocabulary).
    InvalidBody = ("invalid_body", 400),
    /// 400: a path parameter does not parse (e.g. not a UUID).
    InvalidPath = ("invalid_path", 400),
    /// 400: a query parameter is unknown or out of range.
    InvalidQuery = ("invalid_query", 400),
    /// 400: a text holds U+0000.
    NulCharacter = ("nul_character", 400),
    /// 400: `If-Match` is not one strong ETag.
    InvalidIfMatch = ("invalid_if_match", 400),
    /// 400: a CORS preflight from an origin, method or header that is not allowed.
    CorsRejected = ("cors_rejected", 400),
    /// 400: an `Idempotency-Key` that is not 1–200 visible ASCII characters.
    InvalidIdempotencyKey = ("invalid_idempotency_key", 400),
    /// 400: any other request the framework refuses before a handler runs.
    BadRequest = ("bad_request", 400),
    /// 401: no bearer token where one is needed.
    AuthenticationRequired = ("authentication_required", 401),
    /// 401: the bearer token is forged, expired or not an access token.
    InvalidToken = ("invalid_token", 401),
    /// 401: wrong e-mail or password.
    InvalidCredentials = ("invalid_credentials", 401),
    /// 401: an unknown, used-up, revoked or expired refresh token.
    InvalidRefreshToken = ("invalid_refresh_token", 401),
    /// 403: the caller's role or organisation may not do this.
    Forbidden = ("forbidden", 403),
    /// 404: no such record, or another organisation's private record.
    NotFound = ("not_found", 404),
    /// 404: no such route.
    RouteNotFound = ("route_not_found", 404),
    /// 405: the route exists, the method does not.
    MethodNotAllowed = ("method_not_allowed", 405),
    /// 409: an account with this e-mail exists.
    EmailTaken = ("email_taken", 409),
    /// 409: an organisation of this name exists (names compared by their identity key: NFKC, lower case, without white space and invisible characters).
    OrganizationExists = ("organization_exists", 409),
    /// 409: an organisation with this credit code exists.
    CreditCodeTaken = ("credit_code_taken", 409),
    /// 409: another unique key is taken.
    Conflict = ("conflict", 409),
    /// 409: the supply is archived and cannot change.
    Archived = ("archived", 409),
    /// 409: the demand is withdrawn and cannot change.
    Withdrawn = ("withdrawn", 409),
    /// 409: review rejected the listing; it cannot change (it can still be archived or withdrawn).
    Rejected = ("rejected", 409),
    /// 409: the demand and supply already have an open connection.
    ConnectionExists = ("connection_exists", 409),
    /// 409: the move is not allowed from the current status of the connection or listing.
    IllegalTransition = ("illegal_transition", 409),
    /// 409: a connection needs an open demand and a published supply.
    ListingNotAvailable = ("listing_not_available", 409),
    /// 409: the invitation has already been accepted.
    InvitationUsed = ("invitation_used", 409),
    /// 409: the change would leave the organisation without an active owner.
    LastOwner = ("last_owner", 409),
    /// 410: the invitation has expired; the owner invites again.
    InvitationExpired = ("invitation_expired", 410),
    /// 410: the organisation's owner revoked the invitation.
    InvitationRevoked = ("invitation_revoked", 410),
    /// 410: the password reset token is unknown, used or older than 30 minutes; ask for a new one.
    ResetTokenInvalid = ("reset_token_invalid", 410),
    /// 409: a review decision on a listing that is not pending review; `current_status` gives its status.
    NotPendingReview = ("not_pending_review", 409),
    /// 409: payments are recorded on a contract both sides confirmed that is not terminated.
    ContractNotPayable = ("contract_not_payable", 409),
    /// 409: a commission policy overlaps another for the same scope and period.
    PolicyOverlap = ("policy_overlap", 409),
    /// 409: registration for an event is possible only while it is `registration_open` and within its registration window.
    RegistrationClosed = ("registration_closed", 409),
    /// 409: the action is not possible in the event's current status; `event_status` gives it and `allowed_in` where it is.
    EventNotActive = ("event_not_active", 409),
    /// 409: a party of the meeting, or the table, already has a meeting in this slot; `taken` says which.
    SlotTaken = ("slot_taken", 409),
    /// 409: an intent agreement is already recorded for this pair.
    IntentExists = ("intent_exists", 409),
    /// 409: the challenge takes no applications now (its window is not open) or applications can no longer be withdrawn.
    ChallengeClosed = ("challenge_closed", 409),
    /// 409: the organisation has a submitted application to this challenge already; `existing_id` names it.
    AlreadyApplied = ("already_applied", 409),
    /// 409: the record is not in the status this action needs; `current_status` gives its status.
    WrongStatus = ("wrong_status", 409),
    /// 403: the organisation's kind or region is not among the challenge's eligible ones, or it owns the challenge.
    NotEligible = ("not_eligible", 403),
    /// 403: a reviewer scores no application of their own organisation and none they declared a conflict with.
    ConflictOfInterest = ("conflict_of_interest", 403),
    /// 412: `If-Match` names a version that is no longer current.
    VersionMismatch = ("version_mismatch", 412),
    /// 413: the body exceeds the size limit.
    PayloadTooLarge = ("payload_too_large", 413),
    /// 415: the body is not `application/json`.
    UnsupportedMediaType = ("unsupported_media_type", 415),
    /// 422: fields are invalid, each listed in `errors`.
    ValidationFailed = ("validation_failed", 422),
    /// 422: an `Idempotency-Key` already used with a different body.
    IdempotencyKeyReused = ("idempotency_key_reused", 422),
    /// 428: an update without `If-Match`.
    IfMatchRequired = ("if_match_required", 428),
    /// 429: too many login attempts or password changes.
    RateLimited = ("rate_limited", 429),
    /// 429: the organisation has used up a quota, named by `quota` (`proposals_per_day`, `listings_per_hour`, `open_listings`) with its size in `limit`; `Retry-After` in seconds.
    QuotaExceeded = ("quota_exceeded", 429),
    /// 503: PostgreSQL is unreachable or the pool is exhausted.
    DatabaseUnavailable = ("database_unavailable", 503),
    /// 503: a statement waited for a lock or ran longer than the database timeouts allow; nothing was changed.
    DatabaseBusy = ("database_busy", 503),
    /// 503: the request did not finish within the server's request deadline.
    RequestTimeout = ("request_timeout", 503),
    /// 503: every password hashing slot stayed busy (a flood of logins or password changes); `Retry-After` in seconds.
    HashingBusy = ("hashing_busy", 503),
    /// 500: a bug, logged with its cause and never described to the client.
    Internal = ("internal", 500),
}

/// In the document: the codes as an enumeration, each with its status and meaning in the
/// description, so the list of codes is documented where generators read it.
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut description = String::from(
            "The stable machine-readable `code` of an error body (also the last segment of its `type`, \
`urn:techmatch:problem:<code>`):\n",
        );
        for code in Self::ALL {
            description.push_str(&format!("\n- `{}` — {}", code.as_str(), code.meaning()));
        }
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(description))
            .enum_values(Some(Self::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCode {}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// The (status, code) pairs of docs/API.md's error table, in order; a row may name several
    /// codes (`` `a`, `b` `` or `` `a` / `b` ``).
    fn documented() -> Vec<(u16, String)> {
        let doc = include_str!("../docs/API.md");
        let mut rows = Vec::new();
        let mut in_table = false;
        for line in doc.lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() >= 4 && cells[1] == "status" && cells[2] == "code" {
                in_table = true;
                continue;
            }
            if !in_table || cells.len() < 4 || cells[1].starts_with("---") {
                if in_table && !line.starts_with('|') {
                    break;
                }
                continue;
            }
            let status: u16 = cells[1].parse().unwrap_or_else(|_| panic!("status of `{line}`"));
            for code in cells[2].split('`').skip(1).step_by(2) {
                rows.push((status, code.to_string()));
            }
        }
        rows
    }

    #[test]
    fn api_md_lists_every_code_with_its_status() {
        let documented = documented();
        let all: Vec<(u16, String)> = ErrorCode::ALL.iter().map(|c| (c.status(), c.as_str().to_string())).collect();
        assert_eq!(documented, all, "docs/API.md's error table and ErrorCode::ALL differ");
    }

    #[test]
    fn serialises_as_its_code() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).ok(), Some(serde_json::json!(code.as_str())));
        }
    }
}

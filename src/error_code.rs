//! Every machine-readable `code` of an error body, in one list. A low module: it imports
//! nothing of the features, so anything may name a code. docs/API.md's error table lists
//! exactly [`ErrorCode::ALL`] (checked by a test below).

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = ($text:literal, $status:literal, $title_zh:literal, $title_en:literal, $detail_zh:literal),)+) => {
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

            /// The problem's `title` in `lang`: short, the same for every problem of this code.
            pub fn title(self, lang: crate::lang::Lang) -> &'static str {
                match self { $(Self::$variant => lang.pick($title_zh, $title_en)),+ }
            }

            /// The code's meaning in Chinese: the `detail` of a problem answered in Chinese.
            pub fn detail_zh(self) -> &'static str {
                match self { $(Self::$variant => $detail_zh),+ }
            }
        }
    };
}

error_codes! {
    /// 400: the body is not JSON (or could not be read).
    MalformedJson = ("malformed_json", 400, "请求体不是 JSON", "Malformed JSON", "请求体不是有效的 JSON（或无法读取）。"),
    /// 400: the JSON does not fit the schema (unknown field, wrong type, a value outside a closed vocabulary).
    InvalidBody = ("invalid_body", 400, "请求体不符合定义", "Invalid body", "请求体的 JSON 不符合接口定义（未知字段、类型错误、缺少字段或取值不在可选范围内），见 errors。"),
    /// 400: a path parameter does not parse (e.g. not a UUID).
    InvalidPath = ("invalid_path", 400, "路径参数无效", "Invalid path parameter", "路径参数无法解析（例如不是 UUID）。"),
    /// 400: a query parameter is unknown or out of range.
    InvalidQuery = ("invalid_query", 400, "查询参数无效", "Invalid query parameter", "查询参数未知、无法解析或超出范围。"),
    /// 400: a text holds U+0000.
    NulCharacter = ("nul_character", 400, "包含空字符", "NUL character", "文本中含有空字符 U+0000。"),
    /// 400: `If-Match` is not one strong ETag.
    InvalidIfMatch = ("invalid_if_match", 400, "If-Match 无效", "Invalid If-Match", "If-Match 必须是一个强 ETag。"),
    /// 400: a CORS preflight from an origin, method or header that is not allowed.
    CorsRejected = ("cors_rejected", 400, "跨域请求被拒绝", "CORS request rejected", "跨域预检请求的来源、方法或请求头不被允许。"),
    /// 400: an `Idempotency-Key` that is not 1–200 visible ASCII characters.
    InvalidIdempotencyKey = ("invalid_idempotency_key", 400, "幂等键无效", "Invalid Idempotency-Key", "Idempotency-Key 必须是 1–200 个可见 ASCII 字符。"),
    /// 400: any other request the framework refuses before a handler runs.
    BadRequest = ("bad_request", 400, "请求无效", "Bad request", "请求在处理前被拒绝。"),
    /// 401: no bearer token where one is needed.
    AuthenticationRequired = ("authentication_required", 401, "需要登录", "Authentication required", "此操作需要 Bearer 令牌，请先登录。"),
    /// 401: the bearer token is forged, expired or not an access token.
    InvalidToken = ("invalid_token", 401, "令牌无效", "Invalid token", "Bearer 令牌无效、已过期或不是访问令牌。"),
    /// 401: wrong e-mail or password.
    InvalidCredentials = ("invalid_credentials", 401, "邮箱或密码错误", "Invalid credentials", "邮箱或密码错误。"),
    /// 401: an unknown, used-up, revoked or expired refresh token.
    InvalidRefreshToken = ("invalid_refresh_token", 401, "刷新令牌无效", "Invalid refresh token", "刷新令牌未知、已使用、已撤销或已过期。"),
    /// 403: the caller's role or organisation may not do this.
    Forbidden = ("forbidden", 403, "无权操作", "Forbidden", "当前角色或所属机构无权执行此操作。"),
    /// 404: no such record, or another organisation's private record.
    NotFound = ("not_found", 404, "记录不存在", "Not found", "记录不存在，或属于其他机构且不公开。"),
    /// 404: no such route.
    RouteNotFound = ("route_not_found", 404, "接口不存在", "Route not found", "没有这个接口地址。"),
    /// 405: the route exists, the method does not.
    MethodNotAllowed = ("method_not_allowed", 405, "方法不允许", "Method not allowed", "该地址不支持此 HTTP 方法，可用方法见 Allow 响应头。"),
    /// 409: an account with this e-mail exists.
    EmailTaken = ("email_taken", 409, "邮箱已注册", "E-mail taken", "已有使用该邮箱的账号。"),
    /// 409: an organisation of this name exists (names compared by their identity key: NFKC, lower case, without white space and invisible characters).
    OrganizationExists = ("organization_exists", 409, "机构已存在", "Organisation exists", "已有同名机构（名称经规范化后比较）。"),
    /// 409: an organisation with this credit code exists.
    CreditCodeTaken = ("credit_code_taken", 409, "信用代码已被使用", "Credit code taken", "已有使用该统一社会信用代码的机构。"),
    /// 409: another unique key is taken.
    Conflict = ("conflict", 409, "记录冲突", "Conflict", "另一个唯一键已被占用。"),
    /// 409: the supply is archived and cannot change.
    Archived = ("archived", 409, "成果已归档", "Archived", "该科技成果已归档，不能修改。"),
    /// 409: the demand is withdrawn and cannot change.
    Withdrawn = ("withdrawn", 409, "需求已撤回", "Withdrawn", "该技术需求已撤回，不能修改。"),
    /// 409: review rejected the listing; it cannot change (it can still be archived or withdrawn).
    Rejected = ("rejected", 409, "审核未通过", "Rejected", "该条目审核未通过，不能修改（仍可归档或撤回）。"),
    /// 409: the demand and supply already have an open connection.
    ConnectionExists = ("connection_exists", 409, "对接已存在", "Connection exists", "该需求与成果已有进行中的对接，见 existing_id。"),
    /// 409: the move is not allowed from the current status of the connection or listing.
    IllegalTransition = ("illegal_transition", 409, "状态变更不允许", "Illegal transition", "当前状态不允许此变更，可选状态见 allowed。"),
    /// 409: a connection needs an open demand and a published supply.
    ListingNotAvailable = ("listing_not_available", 409, "条目不可对接", "Listing not available", "对接需要开放中的需求和已发布的成果。"),
    /// 409: the invitation has already been accepted.
    InvitationUsed = ("invitation_used", 409, "邀请已使用", "Invitation used", "该邀请已被接受。"),
    /// 409: the change would leave the organisation without an active owner.
    LastOwner = ("last_owner", 409, "最后一位负责人", "Last owner", "此变更会使机构没有在任的负责人。"),
    /// 410: the invitation has expired; the owner invites again.
    InvitationExpired = ("invitation_expired", 410, "邀请已过期", "Invitation expired", "邀请已过期，请负责人重新邀请。"),
    /// 410: the organisation's owner revoked the invitation.
    InvitationRevoked = ("invitation_revoked", 410, "邀请已撤销", "Invitation revoked", "机构负责人已撤销该邀请。"),
    /// 410: the password reset token is unknown, used or older than 30 minutes; ask for a new one.
    ResetTokenInvalid = ("reset_token_invalid", 410, "重置链接无效", "Reset token invalid", "密码重置链接未知、已使用或已超过 30 分钟，请重新申请。"),
    /// 410: the e-mail verification token is unknown, used or older than 48 hours; ask for a new mail.
    VerificationTokenInvalid = ("verification_token_invalid", 410, "验证链接无效", "Verification token invalid", "邮箱验证链接未知、已使用或已超过 48 小时，请重新发送验证邮件。"),
    /// 409: a verification mail asked for an address that is verified already.
    EmailAlreadyVerified = ("email_already_verified", 409, "邮箱已验证", "E-mail already verified", "该账号的邮箱已经验证，无需再次验证。"),
    /// 403: the user's e-mail is not verified yet: no listing goes on the market and no connection is opened until it is.
    EmailUnverified = ("email_unverified", 403, "邮箱未验证", "E-mail not verified", "请先点击注册邮件中的链接验证邮箱，再发布成果/需求或发起对接。"),
    /// 409: a review decision on a listing that is not pending review; `current_status` gives its status.
    NotPendingReview = ("not_pending_review", 409, "不在待审核状态", "Not pending review", "该条目不在待审核状态，当前状态见 current_status。"),
    /// 409: payments are recorded on a contract both sides confirmed that is not terminated.
    ContractNotPayable = ("contract_not_payable", 409, "合同不能登记到账", "Contract not payable", "只有双方确认且未终止的合同才能登记到账。"),
    /// 409: a commission policy overlaps another for the same scope and period.
    PolicyOverlap = ("policy_overlap", 409, "佣金政策重叠", "Policy overlap", "同一范围和期间已有佣金政策。"),
    /// 409: registration for an event is possible only while it is `registration_open` and within its registration window.
    RegistrationClosed = ("registration_closed", 409, "报名已截止", "Registration closed", "对接会不在报名期内，不能报名。"),
    /// 409: the action is not possible in the event's current status; `event_status` gives it and `allowed_in` where it is.
    EventNotActive = ("event_not_active", 409, "对接会状态不允许此操作", "Event not active", "对接会当前状态不允许此操作，见 event_status 和 allowed_in。"),
    /// 409: a party of the meeting, or the table, already has a meeting in this slot; `taken` says which.
    SlotTaken = ("slot_taken", 409, "时段已被占用", "Slot taken", "该时段一方或该桌已有洽谈安排，见 taken。"),
    /// 409: an intent agreement is already recorded for this pair.
    IntentExists = ("intent_exists", 409, "意向协议已存在", "Intent exists", "这一对接配对已签订意向协议。"),
    /// 409: the challenge takes no applications now (its window is not open) or applications can no longer be withdrawn.
    ChallengeClosed = ("challenge_closed", 409, "不在揭榜期内", "Challenge closed", "揭榜挂帅不在征集期内，不能申请或撤回。"),
    /// 409: the organisation has a submitted application to this challenge already; `existing_id` names it.
    AlreadyApplied = ("already_applied", 409, "已提交揭榜方案", "Already applied", "本机构已对该揭榜挂帅提交方案，见 existing_id。"),
    /// 409: the record is not in the status this action needs; `current_status` gives its status.
    WrongStatus = ("wrong_status", 409, "状态不允许此操作", "Wrong status", "记录当前状态不允许此操作，见 current_status。"),
    /// 403: the organisation's kind or region is not among the challenge's eligible ones, or it owns the challenge.
    NotEligible = ("not_eligible", 403, "不符合揭榜条件", "Not eligible", "本机构的类型或地区不在揭榜条件内，或是发榜机构本身。"),
    /// 403: a reviewer scores no application of their own organisation and none they declared a conflict with.
    ConflictOfInterest = ("conflict_of_interest", 403, "需回避", "Conflict of interest", "评审专家不能为本机构或已声明回避的方案打分。"),
    /// 412: `If-Match` names a version that is no longer current.
    VersionMismatch = ("version_mismatch", 412, "版本已变化", "Version mismatch", "记录已被修改，If-Match 中的版本不是当前版本。"),
    /// 413: the body exceeds the size limit.
    PayloadTooLarge = ("payload_too_large", 413, "请求体过大", "Payload too large", "请求体超过大小限制。"),
    /// 415: the body is not `application/json`.
    UnsupportedMediaType = ("unsupported_media_type", 415, "媒体类型不支持", "Unsupported media type", "请求体必须是 application/json。"),
    /// 422: fields are invalid, each listed in `errors`.
    ValidationFailed = ("validation_failed", 422, "字段校验未通过", "Validation failed", "有字段无效，逐项见 errors。"),
    /// 422: an `Idempotency-Key` already used with a different body.
    IdempotencyKeyReused = ("idempotency_key_reused", 422, "幂等键已被使用", "Idempotency key reused", "该 Idempotency-Key 已用于另一个请求体。"),
    /// 428: an update without `If-Match`.
    IfMatchRequired = ("if_match_required", 428, "需要 If-Match", "If-Match required", "修改时须在 If-Match 中给出所编辑版本的 ETag。"),
    /// 429: too many login attempts or password changes.
    RateLimited = ("rate_limited", 429, "尝试过于频繁", "Rate limited", "登录或修改密码的尝试过多，请稍后重试（见 Retry-After）。"),
    /// 429: the organisation has used up a quota, named by `quota` (`proposals_per_day`, `listings_per_hour`, `open_listings`) with its size in `limit`; `Retry-After` in seconds.
    QuotaExceeded = ("quota_exceeded", 429, "配额已用完", "Quota exceeded", "机构的配额已用完（quota、limit），请稍后重试（见 Retry-After）。"),
    /// 503: PostgreSQL is unreachable or the pool is exhausted.
    DatabaseUnavailable = ("database_unavailable", 503, "数据库不可用", "Database unavailable", "数据库暂时不可用，请稍后重试。"),
    /// 503: a statement waited for a lock or ran longer than the database timeouts allow; nothing was changed.
    DatabaseBusy = ("database_busy", 503, "数据库繁忙", "Database busy", "数据库繁忙（锁等待或语句超时），未做任何修改，请稍后重试。"),
    /// 503: the request did not finish within the server's request deadline.
    RequestTimeout = ("request_timeout", 503, "请求超时", "Request timeout", "请求未能在服务器时限内完成，请稍后重试。"),
    /// 503: every password hashing slot stayed busy (a flood of logins or password changes); `Retry-After` in seconds.
    HashingBusy = ("hashing_busy", 503, "服务繁忙", "Hashing busy", "密码校验繁忙，请稍后重试（见 Retry-After）。"),
    /// 500: a bug, logged with its cause and never described to the client.
    Internal = ("internal", 500, "服务器内部错误", "Internal error", "服务器内部错误，已记录。"),
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

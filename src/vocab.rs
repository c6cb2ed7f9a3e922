//! Controlled vocabularies of the platform, stored as text in PostgreSQL (each table has a
//! CHECK constraint listing the same values) and exchanged as snake_case strings in JSON. Each
//! enum goes through Diesel as `Text` (a stored value outside the vocabulary is a
//! deserialisation error).

/// What every vocabulary enum offers, for code generic over one (e.g. a listing's statuses).
pub trait Vocabulary: Copy + Eq + std::fmt::Debug + std::fmt::Display + Send + Sync + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];

    /// The stored and serialised form.
    fn as_str(self) -> &'static str;
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = Self::ALL;

            fn as_str(self) -> &'static str {
                Self::as_str(self)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>) -> diesel::serialize::Result {
                std::io::Write::write_all(out, self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(value.as_bytes())?;
                Self::parse(text).ok_or_else(|| format!("`{text}` is not a {}", stringify!($name)).into())
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored and serialised form.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses the stored form; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Cooperation or transfer mode: the technology-contract kinds of China's Civil Code
    /// (book 3, chapter 20) and the transfer routes of the Law on Promoting the Transformation of
    /// Scientific and Technological Achievements (art. 16).
    TransferMode {
        /// 转让
        Transfer = "transfer",
        /// 许可
        License = "license",
        /// 作价入股
        Equity = "equity",
        /// 合作开发
        JointDevelopment = "joint_development",
        /// 技术服务
        TechnicalService = "technical_service",
        /// 技术咨询
        TechnicalConsulting = "technical_consulting",
    }
}

vocabulary! {
    /// Kind of intellectual property protecting a supply.
    IpType {
        /// 发明专利
        InventionPatent = "invention_patent",
        /// 实用新型专利
        UtilityModel = "utility_model",
        /// 外观设计专利
        DesignPatent = "design_patent",
        /// 软件著作权
        SoftwareCopyright = "software_copyright",
        /// 植物新品种权
        PlantVariety = "plant_variety",
        /// 集成电路布图设计
        IntegratedCircuitLayout = "integrated_circuit_layout",
        /// 技术秘密
        TechnicalSecret = "technical_secret",
        /// No registered right.
        None = "none",
    }
}

vocabulary! {
    /// Life cycle of a supply (docs/API.md, **Listing lifecycle**): only `published` supplies are
    /// public and match candidates.
    SupplyStatus {
        /// 草稿: private, being written.
        Draft = "draft",
        /// 待审核: submitted, waiting in the department's review queue.
        PendingReview = "pending_review",
        /// 需修改: sent back by review with a reason; the owner edits and submits again.
        ChangesRequested = "changes_requested",
        /// 未通过: refused by review; it cannot be changed (only archived).
        Rejected = "rejected",
        /// 已发布: on the market.
        Published = "published",
        /// 已过期: its validity ended; the owner renews it.
        Expired = "expired",
        /// 已下架: taken off the market by its owner.
        Archived = "archived",
    }
}

vocabulary! {
    /// Life cycle of a demand (docs/API.md, **Listing lifecycle**): only `open` demands are match
    /// candidates; `open` and `closed` ones are public.
    DemandStatus {
        /// 草稿: private, being written.
        Draft = "draft",
        /// 待审核: submitted, waiting in the department's review queue.
        PendingReview = "pending_review",
        /// 需修改: sent back by review with a reason; the owner edits and submits again.
        ChangesRequested = "changes_requested",
        /// 未通过: refused by review; it cannot be changed (only withdrawn).
        Rejected = "rejected",
        /// 征集中: on the market.
        Open = "open",
        /// The need has been met or the call has ended.
        Closed = "closed",
        /// 已过期: its deadline or validity passed; the owner renews it.
        Expired = "expired",
        /// Taken back by its enterprise.
        Withdrawn = "withdrawn",
    }
}

vocabulary! {
    /// The two kinds of listing.
    ListingKind {
        /// 科技成果
        Supply = "supply",
        /// 技术需求
        Demand = "demand",
    }
}

vocabulary! {
    /// A department admin's decision on a listing pending review.
    ReviewDecision {
        /// 通过: the listing goes on the market.
        Approve = "approve",
        /// 不予通过: refused for good (a reason is required).
        Reject = "reject",
        /// 退回修改: back to the owner to change (a reason is required).
        RequestChanges = "request_changes",
    }
}

vocabulary! {
    /// Why review rejected a listing or sent it back (Chinese labels: [`ReviewReason::label_zh`]).
    ReviewReason {
        /// 信息不完整: facts buyers need are missing (see the completeness report).
        Incomplete = "incomplete",
        /// 效益不明确: the benefit or application is not clear.
        UnclearBenefit = "unclear_benefit",
        /// 重复发布: the same listing is already on the platform.
        Duplicate = "duplicate",
        /// 不属于平台范围: not a technology offer or need.
        OutOfScope = "out_of_scope",
        /// 无法核实: claims (IP, results) cannot be verified.
        NotVerifiable = "not_verifiable",
        /// 内容不当: advertising, offensive or unlawful content.
        Inappropriate = "inappropriate",
        /// 其他: anything else; a note is required.
        Other = "other",
    }
}

impl ReviewReason {
    /// The Chinese label shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Incomplete => "信息不完整",
            Self::UnclearBenefit => "效益不明确",
            Self::Duplicate => "重复发布",
            Self::OutOfScope => "不属于平台范围",
            Self::NotVerifiable => "无法核实",
            Self::Inappropriate => "内容不当",
            Self::Other => "其他",
        }
    }
}

vocabulary! {
    /// What a buyer asks for that a listing may lack (its completeness report; Chinese labels:
    /// [`CompletenessItem::label_zh`]).
    CompletenessItem {
        /// 技术成熟度: a supply's TRL, or the lowest TRL a demand takes.
        Trl = "trl",
        /// 知识产权类型: the kind of IP protecting a supply.
        IpType = "ip_type",
        /// 知识产权号: the patent or registration number of a registered right.
        IpNumber = "ip_number",
        /// 转化方式: transfer modes offered, or cooperation modes wanted.
        TransferModes = "transfer_modes",
        /// 价格: a supply's asking price.
        Price = "price",
        /// 预算: a demand's budget.
        Budget = "budget",
        /// 应用场景: where the technology is (to be) applied.
        ApplicationScenario = "application_scenario",
        /// 联系方式: the organisation's contact e-mail or phone.
        Contact = "contact",
    }
}

impl CompletenessItem {
    /// The Chinese label shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Trl => "技术成熟度",
            Self::IpType => "知识产权类型",
            Self::IpNumber => "知识产权号",
            Self::TransferModes => "转化方式",
            Self::Price => "价格",
            Self::Budget => "预算",
            Self::ApplicationScenario => "应用场景",
            Self::Contact => "联系方式",
        }
    }
}

vocabulary! {
    /// A change in a listing's lifecycle recorded in `listing_events` (statistics).
    ListingEventKind {
        /// Review approved it.
        Approved = "approved",
        /// Review rejected it.
        Rejected = "rejected",
        /// Review sent it back for changes.
        ChangesRequested = "changes_requested",
        /// Its validity ended (the expiry sweep).
        Expired = "expired",
        /// Its owner renewed it after expiry.
        Renewed = "renewed",
        /// Its owner confirmed it is still available (validity restarted).
        Confirmed = "confirmed",
    }
}

vocabulary! {
    /// What a notification in the outbox is about (`notification_outbox.kind`; ARCHITECTURE.md,
    /// "A notification kind").
    NotificationKind {
        /// 即将到期: a listing on the market expires soon (7 and 1 days before by default).
        ListingExpiring = "listing_expiring",
        /// 已过期: a listing left the market at its expiry.
        ListingExpired = "listing_expired",
        /// 审核结果: review decided on a listing.
        ListingReviewed = "listing_reviewed",
    }
}

vocabulary! {
    /// Kind of organisation.
    OrganizationKind {
        /// 企业
        Enterprise = "enterprise",
        /// 高校
        University = "university",
        /// 科研院所
        ResearchInstitute = "research_institute",
        /// 技术转移机构
        ServiceAgency = "service_agency",
        /// 政府部门 (科技厅/局)
        Government = "government",
    }
}

vocabulary! {
    /// A user's role within the platform.
    Role {
        /// Acts for their own organisation.
        Member = "member",
        /// 技术经纪人: a member of a technology-transfer agency who brings parties together.
        Broker = "broker",
        /// Department administrator (科技厅/局): verifies organisations, moderates, reads statistics.
        Admin = "admin",
    }
}

vocabulary! {
    /// Verification of an organisation by the department.
    Verification {
        Unverified = "unverified",
        Verified = "verified",
        Rejected = "rejected",
    }
}

vocabulary! {
    /// Status of a connection (对接). `proposed` → `contacted` → `negotiating` → `signed`; any open
    /// status may end in `failed` or `withdrawn`; `signed`, `failed` and `withdrawn` are final.
    ConnectionStatus {
        /// Opened by a party or a broker; the other side has not answered yet.
        Proposed = "proposed",
        /// Both sides have accepted to talk: contact details are revealed.
        Contacted = "contacted",
        /// Terms are being negotiated.
        Negotiating = "negotiating",
        /// A technology contract was signed.
        Signed = "signed",
        /// Talks ended without a contract (a coded reason is recorded).
        Failed = "failed",
        /// A party took the connection back.
        Withdrawn = "withdrawn",
    }
}

impl ConnectionStatus {
    /// The statuses this one may move to (empty for final statuses).
    pub fn allowed_moves(self) -> &'static [ConnectionStatus] {
        use ConnectionStatus::*;
        match self {
            Proposed => &[Contacted, Failed, Withdrawn],
            Contacted => &[Negotiating, Failed, Withdrawn],
            Negotiating => &[Signed, Failed, Withdrawn],
            Signed | Failed | Withdrawn => &[],
        }
    }

    /// True for `signed`, `failed` and `withdrawn`.
    pub fn is_final(self) -> bool {
        self.allowed_moves().is_empty()
    }
}

vocabulary! {
    /// Kind of technology contract signed (the technology-contract kinds of China's Civil Code,
    /// book 3, chapter 20, as registered with technology markets).
    ContractType {
        /// 技术开发合同
        Development = "development",
        /// 技术转让合同
        Transfer = "transfer",
        /// 技术许可合同
        License = "license",
        /// 技术咨询合同
        Consulting = "consulting",
        /// 技术服务合同
        Service = "service",
    }
}

vocabulary! {
    /// Why a connection failed.
    FailureReason {
        /// 价格差距: the parties could not agree on price.
        PriceGap = "price_gap",
        /// 技术成熟度不足: the technology is too early for the enterprise.
        TechnologyTooEarly = "technology_too_early",
        /// 效益不明: the expected benefit is unclear.
        BenefitUnclear = "benefit_unclear",
        /// 无回应: one side did not answer.
        NoResponse = "no_response",
        /// 知识产权问题: ownership or scope of the IP.
        IpIssue = "ip_issue",
        /// 承接能力不足: the enterprise cannot absorb the technology.
        Capacity = "capacity",
        /// Anything else; a note is required.
        Other = "other",
        /// 不相关: the pairing itself was wrong; the matches of either listing no longer suggest
        /// the other.
        NotRelevant = "not_relevant",
    }
}

vocabulary! {
    /// A per-organisation volume limit (`quota` of a 429 `quota_exceeded`; `docs/SECURITY.md`, **Limits**).
    Quota {
        /// Connections opened by the organisation's users in the last 24 hours.
        ProposalsPerDay = "proposals_per_day",
        /// Supplies and demands created by the organisation in the last hour.
        ListingsPerHour = "listings_per_hour",
        /// Published supplies and open demands of the organisation at once.
        OpenListings = "open_listings",
    }
}

vocabulary! {
    /// A user's role within their organisation (beside the platform [`Role`]): owners invite
    /// colleagues, change their organisation role and deactivate them.
    OrganizationRole {
        /// 负责人: manages the organisation's members; every organisation keeps at least one.
        Owner = "owner",
        /// 成员: acts for the organisation.
        Member = "member",
    }
}

vocabulary! {
    /// Where an invitation stands (computed from its stamps and the clock).
    InvitationStatus {
        /// 待接受: can be accepted until `expires_at`.
        Pending = "pending",
        /// 已接受
        Accepted = "accepted",
        /// 已过期
        Expired = "expired",
        /// 已撤回
        Revoked = "revoked",
    }
}

vocabulary! {
    /// What an audit-log entry records (`src/audit`; the `audit_log.action` CHECK lists the same).
    AuditAction {
        /// 创建成果/需求: a listing was created.
        ListingCreated = "listing_created",
        /// 修改成果/需求: a listing's fields changed (status unchanged).
        ListingUpdated = "listing_updated",
        /// 成果/需求状态变更: a listing's status changed (with any other fields of the same change).
        ListingStatusChanged = "listing_status_changed",
        /// 审核决定: a review decision on a listing (issue 12, item 1).
        ListingReviewed = "listing_reviewed",
        /// 到期下架: a listing expired (issue 12, item 3).
        ListingExpired = "listing_expired",
        /// 续期: a listing was renewed (issue 12, item 3).
        ListingRenewed = "listing_renewed",
        /// 机构认证决定: an admin set an organisation's verification.
        OrganizationVerificationSet = "organization_verification_set",
        /// 注册: an organisation and its first user (its owner) registered.
        AccountRegistered = "account_registered",
        /// 邀请成员: an owner invited a colleague.
        MemberInvited = "member_invited",
        /// 撤回邀请: an owner revoked a pending invitation.
        InvitationRevoked = "invitation_revoked",
        /// 接受邀请: an invitation was accepted (a new member's account created).
        InvitationAccepted = "invitation_accepted",
        /// 成员角色变更: a member's organisation role changed.
        MemberRoleChanged = "member_role_changed",
        /// 停用成员: a member was deactivated (or left).
        MemberDeactivated = "member_deactivated",
        /// 导出对接记录: connections were exported as CSV.
        ConnectionsExported = "connections_exported",
        /// 查看联系方式: a response showed another organisation's contact details.
        ContactsViewed = "contacts_viewed",
        /// 登录成功
        SignedIn = "signed_in",
        /// 登录失败 (the password is never recorded).
        SignInFailed = "sign_in_failed",
    }
}

vocabulary! {
    /// The kind of record an audit-log entry is about.
    AuditRecordType {
        Supply = "supply",
        Demand = "demand",
        Organization = "organization",
        User = "user",
        Invitation = "invitation",
        Connection = "connection",
    }
}

#[cfg(test)]
mod tests {
    use super::ConnectionStatus::{self, *};

    #[test]
    fn connection_moves_follow_the_funnel() {
        assert_eq!(Proposed.allowed_moves(), [Contacted, Failed, Withdrawn]);
        assert_eq!(Negotiating.allowed_moves(), [Signed, Failed, Withdrawn]);
        for s in [Signed, Failed, Withdrawn] {
            assert!(s.is_final());
        }
        assert!(!Proposed.allowed_moves().contains(&Signed), "no skipping stages");
        assert_eq!(ConnectionStatus::ALL.iter().filter(|s| !s.is_final()).count(), 3);
    }
}

vocabulary! {
    /// A contract kind's sub-kind, as the Civil Code names them (book 3, chapter 20): art. 851
    /// (开发: 委托开发, 合作开发), art. 862 (转让: 专利权转让, 专利申请权转让, 技术秘密转让; 许可:
    /// 专利实施许可, 技术秘密使用许可), art. 887 (服务: 技术中介, 技术培训). 技术咨询 has none
    /// there. Each belongs to one [`ContractType`] ([`ContractSubKind::contract_type`]).
    ContractSubKind {
        /// 委托开发合同
        CommissionedDevelopment = "commissioned_development",
        /// 合作开发合同
        CooperativeDevelopment = "cooperative_development",
        /// 专利权转让合同
        PatentTransfer = "patent_transfer",
        /// 专利申请权转让合同
        PatentApplicationTransfer = "patent_application_transfer",
        /// 技术秘密转让合同
        TechnicalSecretTransfer = "technical_secret_transfer",
        /// 专利实施许可合同
        PatentLicense = "patent_license",
        /// 技术秘密使用许可合同
        TechnicalSecretLicense = "technical_secret_license",
        /// 技术中介合同
        TechnicalIntermediary = "technical_intermediary",
        /// 技术培训合同
        TechnicalTraining = "technical_training",
    }
}

impl ContractSubKind {
    /// The contract kind this sub-kind belongs to.
    pub fn contract_type(self) -> ContractType {
        use ContractSubKind::*;
        match self {
            CommissionedDevelopment | CooperativeDevelopment => ContractType::Development,
            PatentTransfer | PatentApplicationTransfer | TechnicalSecretTransfer => ContractType::Transfer,
            PatentLicense | TechnicalSecretLicense => ContractType::License,
            TechnicalIntermediary | TechnicalTraining => ContractType::Service,
        }
    }
}

impl ContractType {
    /// The Chinese name (as on the registry's forms).
    pub fn label_zh(self) -> &'static str {
        match self {
            ContractType::Development => "技术开发",
            ContractType::Transfer => "技术转让",
            ContractType::License => "技术许可",
            ContractType::Consulting => "技术咨询",
            ContractType::Service => "技术服务",
        }
    }
}

vocabulary! {
    /// Life cycle of a technology contract: `proposed` (terms put by one side) ⇄ `disputed`
    /// (the other side objected, with a note) → `signed` (the other side confirmed) →
    /// `registered` (技术合同认定登记) → `in_performance` → `completed`; `terminated` from any
    /// confirmed status before `completed`.
    ContractStatus {
        /// 待确认
        Proposed = "proposed",
        /// 有异议
        Disputed = "disputed",
        /// 已签订 (both sides confirmed)
        Signed = "signed",
        /// 已登记
        Registered = "registered",
        /// 履行中
        InPerformance = "in_performance",
        /// 已完成
        Completed = "completed",
        /// 已终止
        Terminated = "terminated",
    }
}

impl ContractStatus {
    /// Whether both sides have confirmed the contract.
    pub fn is_confirmed(self) -> bool {
        !matches!(self, ContractStatus::Proposed | ContractStatus::Disputed)
    }

    /// The statuses `POST …/contract/status` may set from this one (`registered` is set by the
    /// registration instead).
    pub fn allowed_moves(self) -> &'static [ContractStatus] {
        use ContractStatus::*;
        match self {
            Signed | Registered => &[InPerformance, Terminated],
            InPerformance => &[Completed, Terminated],
            Proposed | Disputed | Completed | Terminated => &[],
        }
    }
}

vocabulary! {
    /// The department's review of a confirmed contract before it counts in the statistics.
    ContractReview {
        /// Counts as soon as confirmed.
        NotRequired = "not_required",
        /// Waits for an admin; does not count yet.
        Pending = "pending",
        /// An admin approved it: counts.
        Approved = "approved",
        /// An admin rejected it: never counts.
        Rejected = "rejected",
    }
}

vocabulary! {
    /// Why a confirmed contract waits for review.
    ContractReviewReason {
        /// The total is above `TECHMATCH_CONTRACT_REVIEW_ABOVE_FEN`.
        LargeAmount = "large_amount",
        /// The demand's or the supply's organisation is not verified.
        UnverifiedParty = "unverified_party",
        /// Signed by one side before contracts needed both (carried over by the migration).
        OneSidedLegacy = "one_sided_legacy",
    }
}

vocabulary! {
    /// An instalment of a contract's payments (到账).
    PaymentStatus {
        /// 计划: expected on a day, for an amount.
        Planned = "planned",
        /// 已到账 as the seller side recorded it (date, amount, evidence); not yet counted.
        Received = "received",
        /// 买方已确认: the buyer side confirmed the receipt; counted as received.
        Confirmed = "confirmed",
    }
}

vocabulary! {
    /// What a commission policy's rate applies to.
    CommissionBasis {
        /// 技术交易额 of confirmed contracts that count, on their signing day.
        TechnicalAmount = "technical_amount",
        /// Receipts (到账) the buyer side confirmed, on their day of receipt.
        ReceivedAmount = "received_amount",
    }
}

//! Controlled vocabularies of the platform, stored as text in PostgreSQL (each table has a
//! CHECK constraint listing the same values) and exchanged as snake_case strings in JSON. Each
//! enum goes through Diesel as `Text` (a stored value outside the vocabulary is a
//! deserialisation error).

/// What every vocabulary enum offers, for code generic over one (e.g. a listing's statuses).
pub trait Vocabulary:
    Copy + Eq + std::fmt::Debug + std::fmt::Display + serde::Serialize + Send + Sync + 'static
{
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The enum's name, as its schema is named in the OpenAPI document (e.g. `TransferMode`).
    const NAME: &'static str;

    /// The stored and serialised form.
    fn as_str(self) -> &'static str;
    /// The Chinese label shown to users, e.g. 转让.
    fn label_zh(self) -> &'static str;
    /// The English label, e.g. Transfer.
    fn label_en(self) -> &'static str;
}

/// Declares a vocabulary: each value with its stored form and its Chinese and English labels,
/// side by side (`Transfer = "transfer" => ("转让", "Transfer")`), so a value cannot be added
/// without its labels.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $text:tt => ($zh:literal, $en:literal)),+ $(,)?
    }) => {
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
            const NAME: &'static str = stringify!($name);

            fn as_str(self) -> &'static str {
                Self::as_str(self)
            }

            fn label_zh(self) -> &'static str {
                match self { $(Self::$variant => $zh),+ }
            }

            fn label_en(self) -> &'static str {
                match self { $(Self::$variant => $en),+ }
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
        Transfer = "transfer" => ("转让", "Transfer"),
        /// 许可
        License = "license" => ("许可", "License"),
        /// 作价入股
        Equity = "equity" => ("作价入股", "Equity investment"),
        /// 合作开发
        JointDevelopment = "joint_development" => ("合作开发", "Joint development"),
        /// 技术服务
        TechnicalService = "technical_service" => ("技术服务", "Technical service"),
        /// 技术咨询
        TechnicalConsulting = "technical_consulting" => ("技术咨询", "Technical consulting"),
    }
}

vocabulary! {
    /// Kind of intellectual property protecting a supply.
    IpType {
        /// 发明专利
        InventionPatent = "invention_patent" => ("发明专利", "Invention patent"),
        /// 实用新型专利
        UtilityModel = "utility_model" => ("实用新型专利", "Utility model patent"),
        /// 外观设计专利
        DesignPatent = "design_patent" => ("外观设计专利", "Design patent"),
        /// 软件著作权
        SoftwareCopyright = "software_copyright" => ("软件著作权", "Software copyright"),
        /// 植物新品种权
        PlantVariety = "plant_variety" => ("植物新品种权", "Plant variety right"),
        /// 集成电路布图设计
        IntegratedCircuitLayout = "integrated_circuit_layout" => ("集成电路布图设计", "Integrated circuit layout design"),
        /// 技术秘密
        TechnicalSecret = "technical_secret" => ("技术秘密", "Technical secret"),
        /// No registered right.
        None = "none" => ("无", "None"),
    }
}

vocabulary! {
    /// Life cycle of a supply (docs/API.md, **Listing lifecycle**): only `published` supplies are
    /// public and match candidates.
    SupplyStatus {
        /// 草稿: private, being written.
        Draft = "draft" => ("草稿", "Draft"),
        /// 待审核: submitted, waiting in the department's review queue.
        PendingReview = "pending_review" => ("待审核", "Pending review"),
        /// 需修改: sent back by review with a reason; the owner edits and submits again.
        ChangesRequested = "changes_requested" => ("需修改", "Changes requested"),
        /// 未通过: refused by review; it cannot be changed (only archived).
        Rejected = "rejected" => ("未通过", "Rejected"),
        /// 已发布: on the market.
        Published = "published" => ("已发布", "Published"),
        /// 已过期: its validity ended; the owner renews it.
        Expired = "expired" => ("已过期", "Expired"),
        /// 已下架: taken off the market by its owner.
        Archived = "archived" => ("已下架", "Archived"),
    }
}

vocabulary! {
    /// Life cycle of a demand (docs/API.md, **Listing lifecycle**): only `open` demands are match
    /// candidates; `open` and `closed` ones are public.
    DemandStatus {
        /// 草稿: private, being written.
        Draft = "draft" => ("草稿", "Draft"),
        /// 待审核: submitted, waiting in the department's review queue.
        PendingReview = "pending_review" => ("待审核", "Pending review"),
        /// 需修改: sent back by review with a reason; the owner edits and submits again.
        ChangesRequested = "changes_requested" => ("需修改", "Changes requested"),
        /// 未通过: refused by review; it cannot be changed (only withdrawn).
        Rejected = "rejected" => ("未通过", "Rejected"),
        /// 征集中: on the market.
        Open = "open" => ("征集中", "Open"),
        /// The need has been met or the call has ended.
        Closed = "closed" => ("已关闭", "Closed"),
        /// 已过期: its deadline or validity passed; the owner renews it.
        Expired = "expired" => ("已过期", "Expired"),
        /// Taken back by its enterprise.
        Withdrawn = "withdrawn" => ("已撤回", "Withdrawn"),
    }
}

vocabulary! {
    /// The two kinds of listing.
    ListingKind {
        /// 科技成果
        Supply = "supply" => ("科技成果", "Supply"),
        /// 技术需求
        Demand = "demand" => ("技术需求", "Demand"),
    }
}

vocabulary! {
    /// A department admin's decision on a listing pending review.
    ReviewDecision {
        /// 通过: the listing goes on the market.
        Approve = "approve" => ("通过", "Approve"),
        /// 不予通过: refused for good (a reason is required).
        Reject = "reject" => ("不予通过", "Reject"),
        /// 退回修改: back to the owner to change (a reason is required).
        RequestChanges = "request_changes" => ("退回修改", "Request changes"),
    }
}

vocabulary! {
    /// Why review rejected a listing or sent it back.
    ReviewReason {
        /// 信息不完整: facts buyers need are missing (see the completeness report).
        Incomplete = "incomplete" => ("信息不完整", "Incomplete information"),
        /// 效益不明确: the benefit or application is not clear.
        UnclearBenefit = "unclear_benefit" => ("效益不明确", "Unclear benefit"),
        /// 重复发布: the same listing is already on the platform.
        Duplicate = "duplicate" => ("重复发布", "Duplicate"),
        /// 不属于平台范围: not a technology offer or need.
        OutOfScope = "out_of_scope" => ("不属于平台范围", "Out of scope"),
        /// 无法核实: claims (IP, results) cannot be verified.
        NotVerifiable = "not_verifiable" => ("无法核实", "Cannot be verified"),
        /// 内容不当: advertising, offensive or unlawful content.
        Inappropriate = "inappropriate" => ("内容不当", "Inappropriate content"),
        /// 其他: anything else; a note is required.
        Other = "other" => ("其他", "Other"),
    }
}

vocabulary! {
    /// What a buyer asks for that a listing may lack (its completeness report).
    CompletenessItem {
        /// 技术成熟度: a supply's TRL, or the lowest TRL a demand takes.
        Trl = "trl" => ("技术成熟度", "Technology readiness level"),
        /// 知识产权类型: the kind of IP protecting a supply.
        IpType = "ip_type" => ("知识产权类型", "IP type"),
        /// 知识产权号: the patent or registration number of a registered right.
        IpNumber = "ip_number" => ("知识产权号", "IP number"),
        /// 转化方式: transfer modes offered, or cooperation modes wanted.
        TransferModes = "transfer_modes" => ("转化方式", "Transfer modes"),
        /// 价格: a supply's asking price.
        Price = "price" => ("价格", "Price"),
        /// 预算: a demand's budget.
        Budget = "budget" => ("预算", "Budget"),
        /// 应用场景: where the technology is (to be) applied.
        ApplicationScenario = "application_scenario" => ("应用场景", "Application scenario"),
        /// 联系方式: the organisation's contact e-mail or phone.
        Contact = "contact" => ("联系方式", "Contact details"),
    }
}

vocabulary! {
    /// A change in a listing's lifecycle recorded in `listing_events` (statistics).
    ListingEventKind {
        /// Review approved it.
        Approved = "approved" => ("审核通过", "Approved"),
        /// Review rejected it.
        Rejected = "rejected" => ("审核未通过", "Rejected"),
        /// Review sent it back for changes.
        ChangesRequested = "changes_requested" => ("退回修改", "Changes requested"),
        /// Its validity ended (the expiry sweep).
        Expired = "expired" => ("已过期", "Expired"),
        /// Its owner renewed it after expiry.
        Renewed = "renewed" => ("已续期", "Renewed"),
        /// Its owner confirmed it is still available (validity restarted).
        Confirmed = "confirmed" => ("已确认有效", "Confirmed"),
    }
}

vocabulary! {
    /// What a notification in the outbox is about (`notification_outbox.kind`; ARCHITECTURE.md,
    /// "A notification kind").
    NotificationKind {
        /// 即将到期: a listing on the market expires soon (7 and 1 days before by default).
        ListingExpiring = "listing_expiring" => ("即将到期", "Listing expiring"),
        /// 已过期: a listing left the market at its expiry.
        ListingExpired = "listing_expired" => ("已过期", "Listing expired"),
        /// 审核结果: review decided on a listing.
        ListingReviewed = "listing_reviewed" => ("审核结果", "Listing reviewed"),
        /// 新匹配: a listing came on the market that matches a subscription or one of the
        /// organisation's own open listings.
        NewMatch = "new_match" => ("新匹配", "New match"),
        /// 对接请求: a connection was proposed to the organisation.
        ConnectionProposed = "connection_proposed" => ("新的对接请求", "Connection proposed"),
        /// 对接已接受: the other side accepted a proposed connection (`contacted`).
        ConnectionAccepted = "connection_accepted" => ("对接已接受", "Connection accepted"),
        /// 对接进展: a connection changed status.
        ConnectionMoved = "connection_moved" => ("对接进展", "Connection moved"),
        /// 对接停滞: an open connection has not moved for the configured number of days.
        ConnectionStale = "connection_stale" => ("对接停滞", "Connection stale"),
        /// 对接会推荐配对: the engine proposed a pair for an organisation's listing at an event.
        EventPairProposed = "event_pair_proposed" => ("对接会推荐配对", "Event pair proposed"),
        /// 洽谈已安排: a meeting of the organisation was scheduled at an event.
        EventMeetingScheduled = "event_meeting_scheduled" => ("洽谈已安排", "Meeting scheduled"),
        /// 揭榜推荐: the engine suggests an organisation's supplies for an open challenge.
        ChallengeSuggested = "challenge_suggested" => ("揭榜推荐", "Challenge suggested"),
        /// 合同进展: the other side proposed contract terms, confirmed them (signed) or disputed them.
        ContractUpdated = "contract_updated" => ("合同进展", "Contract update"),
        /// Webhook 已停用: an organisation's webhook endpoint failed too often in a row and was disabled.
        WebhookDisabled = "webhook_disabled" => ("Webhook 已停用", "Webhook disabled"),
    }
}

vocabulary! {
    /// How often a subscription's notifications are delivered by e-mail: each at once, or
    /// batched in a daily or weekly digest (the inbox shows each at once).
    SubscriptionFrequency {
        /// 即时
        Instant = "instant" => ("即时", "Instant"),
        /// 每日汇总
        Daily = "daily" => ("每日汇总", "Daily digest"),
        /// 每周汇总
        Weekly = "weekly" => ("每周汇总", "Weekly digest"),
    }
}

vocabulary! {
    /// Kind of organisation.
    OrganizationKind {
        /// 企业
        Enterprise = "enterprise" => ("企业", "Enterprise"),
        /// 高校
        University = "university" => ("高校", "University"),
        /// 科研院所
        ResearchInstitute = "research_institute" => ("科研院所", "Research institute"),
        /// 技术转移机构
        ServiceAgency = "service_agency" => ("技术转移机构", "Technology transfer agency"),
        /// 政府部门 (科技厅/局)
        Government = "government" => ("政府部门", "Government department"),
    }
}

vocabulary! {
    /// A user's role within the platform.
    Role {
        /// Acts for their own organisation.
        Member = "member" => ("成员", "Member"),
        /// 技术经纪人: a member of a technology-transfer agency who brings parties together.
        Broker = "broker" => ("技术经纪人", "Technology broker"),
        /// Department administrator (科技厅/局): verifies organisations, moderates, reads statistics.
        Admin = "admin" => ("管理员", "Administrator"),
    }
}

vocabulary! {
    /// Verification of an organisation by the department.
    Verification {
        Unverified = "unverified" => ("未认证", "Unverified"),
        Verified = "verified" => ("已认证", "Verified"),
        Rejected = "rejected" => ("认证未通过", "Rejected"),
    }
}

vocabulary! {
    /// Status of a connection (对接). `proposed` → `contacted` → `negotiating` → `signed`; any open
    /// status may end in `failed` or `withdrawn`; `signed`, `failed` and `withdrawn` are final.
    ConnectionStatus {
        /// Opened by a party or a broker; the other side has not answered yet.
        Proposed = "proposed" => ("已发起", "Proposed"),
        /// Both sides have accepted to talk: contact details are revealed.
        Contacted = "contacted" => ("已接洽", "Contacted"),
        /// Terms are being negotiated.
        Negotiating = "negotiating" => ("洽谈中", "Negotiating"),
        /// A technology contract was signed.
        Signed = "signed" => ("已签约", "Signed"),
        /// Talks ended without a contract (a coded reason is recorded).
        Failed = "failed" => ("未成功", "Failed"),
        /// A party took the connection back.
        Withdrawn = "withdrawn" => ("已撤回", "Withdrawn"),
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
        Development = "development" => ("技术开发合同", "Technology development contract"),
        /// 技术转让合同
        Transfer = "transfer" => ("技术转让合同", "Technology transfer contract"),
        /// 技术许可合同
        License = "license" => ("技术许可合同", "Technology license contract"),
        /// 技术咨询合同
        Consulting = "consulting" => ("技术咨询合同", "Technical consulting contract"),
        /// 技术服务合同
        Service = "service" => ("技术服务合同", "Technical service contract"),
    }
}

vocabulary! {
    /// Why a connection failed.
    FailureReason {
        /// 价格差距: the parties could not agree on price.
        PriceGap = "price_gap" => ("价格差距", "Price gap"),
        /// 技术成熟度不足: the technology is too early for the enterprise.
        TechnologyTooEarly = "technology_too_early" => ("技术成熟度不足", "Technology too early"),
        /// 效益不明: the expected benefit is unclear.
        BenefitUnclear = "benefit_unclear" => ("效益不明", "Benefit unclear"),
        /// 无回应: one side did not answer.
        NoResponse = "no_response" => ("无回应", "No response"),
        /// 知识产权问题: ownership or scope of the IP.
        IpIssue = "ip_issue" => ("知识产权问题", "Intellectual property issue"),
        /// 承接能力不足: the enterprise cannot absorb the technology.
        Capacity = "capacity" => ("承接能力不足", "Insufficient capacity to absorb"),
        /// Anything else; a note is required.
        Other = "other" => ("其他", "Other"),
        /// 不相关: the pairing itself was wrong; the matches of either listing no longer suggest
        /// the other.
        NotRelevant = "not_relevant" => ("不相关", "Not relevant"),
    }
}

vocabulary! {
    /// A per-organisation volume limit (`quota` of a 429 `quota_exceeded`; `docs/SECURITY.md`, **Limits**).
    Quota {
        /// Connections opened by the organisation's users in the last 24 hours.
        ProposalsPerDay = "proposals_per_day" => ("每日发起对接数", "Connections opened per day"),
        /// Supplies and demands created by the organisation in the last hour.
        ListingsPerHour = "listings_per_hour" => ("每小时发布数", "Listings created per hour"),
        /// Published supplies and open demands of the organisation at once.
        OpenListings = "open_listings" => ("在架成果/需求数", "Listings on the market"),
    }
}

vocabulary! {
    /// A user's role within their organisation (beside the platform [`Role`]): owners invite
    /// colleagues, change their organisation role and deactivate them.
    OrganizationRole {
        /// 负责人: manages the organisation's members; every organisation keeps at least one.
        Owner = "owner" => ("负责人", "Owner"),
        /// 成员: acts for the organisation.
        Member = "member" => ("成员", "Member"),
    }
}

vocabulary! {
    /// Where an invitation stands (computed from its stamps and the clock).
    InvitationStatus {
        /// 待接受: can be accepted until `expires_at`.
        Pending = "pending" => ("待接受", "Pending"),
        /// 已接受
        Accepted = "accepted" => ("已接受", "Accepted"),
        /// 已过期
        Expired = "expired" => ("已过期", "Expired"),
        /// 已撤回
        Revoked = "revoked" => ("已撤回", "Revoked"),
    }
}

vocabulary! {
    /// What an audit-log entry records (`src/audit`; the `audit_log.action` CHECK lists the same).
    AuditAction {
        /// 创建成果/需求: a listing was created.
        ListingCreated = "listing_created" => ("创建成果/需求", "Listing created"),
        /// 修改成果/需求: a listing's fields changed (status unchanged).
        ListingUpdated = "listing_updated" => ("修改成果/需求", "Listing updated"),
        /// 成果/需求状态变更: a listing's status changed (with any other fields of the same change).
        ListingStatusChanged = "listing_status_changed" => ("成果/需求状态变更", "Listing status changed"),
        /// 审核决定: a review decision on a listing (issue 12, item 1).
        ListingReviewed = "listing_reviewed" => ("审核决定", "Listing reviewed"),
        /// 到期下架: a listing expired (issue 12, item 3).
        ListingExpired = "listing_expired" => ("到期下架", "Listing expired"),
        /// 续期: a listing was renewed (issue 12, item 3).
        ListingRenewed = "listing_renewed" => ("续期", "Listing renewed"),
        /// 机构认证决定: an admin set an organisation's verification.
        OrganizationVerificationSet = "organization_verification_set" => ("机构认证决定", "Organisation verification set"),
        /// 注册: an organisation and its first user (its owner) registered.
        AccountRegistered = "account_registered" => ("注册", "Account registered"),
        /// 邮箱验证: a user confirmed their e-mail address with the mailed token (issue 13).
        EmailVerified = "email_verified" => ("邮箱验证", "E-mail verified"),
        /// 已注册邮箱再次注册: someone registered with this account's address; the owner was mailed, nothing was created.
        RegistrationWithTakenEmail = "registration_with_taken_email" => ("已注册邮箱再次注册", "Registration with a taken e-mail"),
        /// 邀请成员: an owner invited a colleague.
        MemberInvited = "member_invited" => ("邀请成员", "Member invited"),
        /// 撤回邀请: an owner revoked a pending invitation.
        InvitationRevoked = "invitation_revoked" => ("撤回邀请", "Invitation revoked"),
        /// 接受邀请: an invitation was accepted (a new member's account created).
        InvitationAccepted = "invitation_accepted" => ("接受邀请", "Invitation accepted"),
        /// 成员角色变更: a member's organisation role changed.
        MemberRoleChanged = "member_role_changed" => ("成员角色变更", "Member role changed"),
        /// 停用成员: a member was deactivated (or left).
        MemberDeactivated = "member_deactivated" => ("停用成员", "Member deactivated"),
        /// 导出对接记录: connections were exported as CSV.
        ConnectionsExported = "connections_exported" => ("导出对接记录", "Connections exported"),
        /// 查看联系方式: a response showed another organisation's contact details.
        ContactsViewed = "contacts_viewed" => ("查看联系方式", "Contacts viewed"),
        /// 登录成功
        SignedIn = "signed_in" => ("登录成功", "Signed in"),
        /// 登录失败 (the password is never recorded).
        SignInFailed = "sign_in_failed" => ("登录失败", "Sign-in failed"),
        /// 提出合同条款: one side proposed (or proposed again) a contract's terms.
        ContractProposed = "contract_proposed" => ("提出合同条款", "Contract proposed"),
        /// 确认合同: the other side confirmed the terms (the connection is signed).
        ContractConfirmed = "contract_confirmed" => ("确认合同", "Contract confirmed"),
        /// 对合同条款提出异议: the other side disputed the terms.
        ContractDisputed = "contract_disputed" => ("对合同条款提出异议", "Contract disputed"),
        /// 审核合同: an admin's review decision on a contract.
        ContractReviewed = "contract_reviewed" => ("审核合同", "Contract reviewed"),
        /// 技术合同登记: the seller side recorded the registration.
        ContractRegistered = "contract_registered" => ("技术合同登记", "Contract registered"),
        /// 合同状态变更: a confirmed contract moved (in performance, completed, terminated).
        ContractStatusChanged = "contract_status_changed" => ("合同状态变更", "Contract status changed"),
        /// 登记付款: the seller side entered an instalment or recorded a receipt.
        PaymentRecorded = "payment_recorded" => ("登记付款", "Payment recorded"),
        /// 确认到账: the buyer side confirmed a receipt.
        PaymentConfirmed = "payment_confirmed" => ("确认到账", "Payment confirmed"),
        /// 创建佣金政策: an admin created a commission policy.
        CommissionPolicyCreated = "commission_policy_created" => ("创建佣金政策", "Commission policy created"),
        /// 创建对接会: an organiser created a matchmaking event.
        EventCreated = "event_created" => ("创建对接会", "Event created"),
        /// 对接会状态变更: an event moved (registration opened or closed, started, finished, cancelled).
        EventStatusChanged = "event_status_changed" => ("对接会状态变更", "Event status changed"),
        /// 报名对接会: an organisation registered (or added listings to its registration).
        EventRegistered = "event_registered" => ("报名对接会", "Registered for an event"),
        /// 推荐对接配对: the engine proposed pairs among an event's registered listings.
        EventPairsProposed = "event_pairs_proposed" => ("推荐对接配对", "Event pairs proposed"),
        /// 表达对接意向: a side marked its interest in a proposed pair.
        EventInterestMarked = "event_interest_marked" => ("表达对接意向", "Interest marked"),
        /// 安排洽谈: the organiser scheduled a meeting into a slot.
        EventMeetingScheduled = "event_meeting_scheduled" => ("安排洽谈", "Meeting scheduled"),
        /// 洽谈状态变更: a meeting was held or cancelled.
        EventMeetingStatusChanged = "event_meeting_status_changed" => ("洽谈状态变更", "Meeting status changed"),
        /// 签到: a registered organisation checked in at the event.
        EventCheckedIn = "event_checked_in" => ("签到", "Checked in"),
        /// 签订意向协议: an intent agreement was recorded against a pair.
        EventIntentRecorded = "event_intent_recorded" => ("签订意向协议", "Intent agreement recorded"),
        /// 安排路演: a roadshow or reverse roadshow slot was scheduled.
        EventRoadshowScheduled = "event_roadshow_scheduled" => ("安排路演", "Roadshow scheduled"),
        /// 发布揭榜挂帅: a challenge was created from a demand.
        ChallengeCreated = "challenge_created" => ("创建揭榜挂帅", "Challenge created"),
        /// 揭榜挂帅状态变更: a challenge moved (screening, open, closed, evaluating, no award, cancelled).
        ChallengeStatusChanged = "challenge_status_changed" => ("揭榜挂帅状态变更", "Challenge status changed"),
        /// 指定评审专家: an admin appointed a reviewer.
        ChallengeReviewerAppointed = "challenge_reviewer_appointed" => ("指定评审专家", "Challenge reviewer appointed"),
        /// 揭榜挂帅授奖: winners named, connections opened.
        ChallengeAwarded = "challenge_awarded" => ("揭榜挂帅授奖", "Challenge awarded"),
        /// 提交揭榜方案: an organisation applied.
        ChallengeApplicationSubmitted = "challenge_application_submitted" => ("提交揭榜方案", "Challenge application submitted"),
        /// 撤回揭榜方案: an organisation withdrew its application.
        ChallengeApplicationWithdrawn = "challenge_application_withdrawn" => ("撤回揭榜方案", "Challenge application withdrawn"),
        /// 声明回避: a reviewer declared a conflict of interest with an application.
        ChallengeConflictDeclared = "challenge_conflict_declared" => ("声明回避", "Conflict of interest declared"),
        /// 评分: a reviewer scored an application.
        ChallengeApplicationScored = "challenge_application_scored" => ("评审打分", "Challenge application scored"),
        /// 批量导入成果/需求: an import job finished (信息汇交; its counts in the detail).
        ListingsImported = "listings_imported" => ("批量导入成果/需求", "Listings imported"),
        /// 导出成果/需求: listings were exported (信息汇交; format, filters and row count in the detail).
        ListingsExported = "listings_exported" => ("导出成果/需求", "Listings exported"),
    }
}

vocabulary! {
    /// The kind of record an audit-log entry is about.
    AuditRecordType {
        Supply = "supply" => ("科技成果", "Supply"),
        Demand = "demand" => ("技术需求", "Demand"),
        Organization = "organization" => ("机构", "Organisation"),
        User = "user" => ("用户", "User"),
        Invitation = "invitation" => ("邀请", "Invitation"),
        Connection = "connection" => ("对接", "Connection"),
        Contract = "contract" => ("技术合同", "Contract"),
        Payment = "payment" => ("付款", "Payment"),
        CommissionPolicy = "commission_policy" => ("佣金政策", "Commission policy"),
        Event = "event" => ("对接会", "Event"),
        EventRegistration = "event_registration" => ("对接会报名", "Event registration"),
        EventPair = "event_pair" => ("对接配对", "Event pair"),
        EventMeeting = "event_meeting" => ("洽谈", "Event meeting"),
        EventRoadshow = "event_roadshow" => ("路演", "Roadshow"),
        Challenge = "challenge" => ("揭榜挂帅", "Challenge"),
        ChallengeApplication = "challenge_application" => ("揭榜方案", "Challenge application"),
        ImportJob = "import_job" => ("导入任务", "Import job"),
    }
}

vocabulary! {
    /// Where an import job stands (信息汇交).
    ImportStatus {
        /// 排队中: uploaded, waiting for a job runner.
        Queued = "queued" => ("排队中", "Queued"),
        /// 处理中: a runner is checking and importing its rows.
        Running = "running" => ("处理中", "Running"),
        /// 已完成: finished; its rows are imported (or skipped and reported).
        Succeeded = "succeeded" => ("已完成", "Succeeded"),
        /// 失败: nothing imported (an unreadable file, or a row error in all-or-nothing mode).
        Failed = "failed" => ("失败", "Failed"),
    }
}

vocabulary! {
    /// What an import does with invalid rows.
    ImportMode {
        /// 全部或全不: any row error imports nothing.
        AllOrNothing = "all_or_nothing" => ("全部或全不", "All or nothing"),
        /// 仅导入有效行: valid rows are imported, invalid ones reported.
        ValidRowsOnly = "valid_rows_only" => ("仅导入有效行", "Valid rows only"),
    }
}

vocabulary! {
    /// A file format of the exchange (信息汇交).
    ExchangeFormat {
        /// JSON Lines: one listing per line.
        Jsonl = "jsonl" => ("JSON Lines 文件", "JSON Lines"),
        /// CSV, UTF-8 (a byte-order mark is tolerated on import and written on export).
        Csv = "csv" => ("CSV 文件", "CSV"),
        /// Excel workbook (.xlsx), the first sheet.
        Xlsx = "xlsx" => ("Excel 工作簿", "Excel workbook"),
    }
}

vocabulary! {
    /// How a user gets a kind of notification by e-mail (the inbox always has it).
    EmailFrequency {
        /// 不发邮件: inbox only.
        Off = "off" => ("不发邮件", "Off"),
        /// 即时: one mail per notification, within seconds.
        Instant = "instant" => ("即时", "Instant"),
        /// 每日摘要: one mail a day (after 00:00 China time) listing the day's notifications.
        Daily = "daily" => ("每日摘要", "Daily digest"),
        /// 每周摘要: one mail a week (after Monday 00:00 China time).
        Weekly = "weekly" => ("每周摘要", "Weekly digest"),
    }
}

vocabulary! {
    /// Where a webhook delivery stands.
    WebhookDeliveryStatus {
        /// 待投递: not yet accepted by the endpoint; retried with backoff.
        Pending = "pending" => ("待投递", "Pending"),
        /// 已投递: the endpoint answered 2xx.
        Delivered = "delivered" => ("已投递", "Delivered"),
        /// 投递失败: retried for 24 hours without success, or the endpoint was disabled.
        Failed = "failed" => ("投递失败", "Failed"),
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
        CommissionedDevelopment = "commissioned_development" => ("委托开发合同", "Commissioned development contract"),
        /// 合作开发合同
        CooperativeDevelopment = "cooperative_development" => ("合作开发合同", "Cooperative development contract"),
        /// 专利权转让合同
        PatentTransfer = "patent_transfer" => ("专利权转让合同", "Patent transfer contract"),
        /// 专利申请权转让合同
        PatentApplicationTransfer = "patent_application_transfer" => ("专利申请权转让合同", "Patent application transfer contract"),
        /// 技术秘密转让合同
        TechnicalSecretTransfer = "technical_secret_transfer" => ("技术秘密转让合同", "Technical secret transfer contract"),
        /// 专利实施许可合同
        PatentLicense = "patent_license" => ("专利实施许可合同", "Patent license contract"),
        /// 技术秘密使用许可合同
        TechnicalSecretLicense = "technical_secret_license" => ("技术秘密使用许可合同", "Technical secret license contract"),
        /// 技术中介合同
        TechnicalIntermediary = "technical_intermediary" => ("技术中介合同", "Technical intermediary contract"),
        /// 技术培训合同
        TechnicalTraining = "technical_training" => ("技术培训合同", "Technical training contract"),
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

vocabulary! {
    /// Life cycle of a technology contract: `proposed` (terms put by one side) ⇄ `disputed`
    /// (the other side objected, with a note) → `signed` (the other side confirmed) →
    /// `registered` (技术合同认定登记) → `in_performance` → `completed`; `terminated` from any
    /// confirmed status before `completed`.
    ContractStatus {
        /// 待确认
        Proposed = "proposed" => ("待确认", "Proposed"),
        /// 有异议
        Disputed = "disputed" => ("有异议", "Disputed"),
        /// 已签订 (both sides confirmed)
        Signed = "signed" => ("已签订", "Signed"),
        /// 已登记
        Registered = "registered" => ("已登记", "Registered"),
        /// 履行中
        InPerformance = "in_performance" => ("履行中", "In performance"),
        /// 已完成
        Completed = "completed" => ("已完成", "Completed"),
        /// 已终止
        Terminated = "terminated" => ("已终止", "Terminated"),
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
        NotRequired = "not_required" => ("无需审核", "Not required"),
        /// Waits for an admin; does not count yet.
        Pending = "pending" => ("待审核", "Pending review"),
        /// An admin approved it: counts.
        Approved = "approved" => ("审核通过", "Approved"),
        /// An admin rejected it: never counts.
        Rejected = "rejected" => ("审核未通过", "Rejected"),
    }
}

vocabulary! {
    /// Why a confirmed contract waits for review.
    ContractReviewReason {
        /// The total is above `TECHMATCH_CONTRACT_REVIEW_ABOVE_FEN`.
        LargeAmount = "large_amount" => ("金额较大", "Large amount"),
        /// The demand's or the supply's organisation is not verified.
        UnverifiedParty = "unverified_party" => ("当事方未认证", "Unverified party"),
        /// Signed by one side before contracts needed both (carried over by the migration).
        OneSidedLegacy = "one_sided_legacy" => ("单方签订（历史合同）", "Signed by one side (legacy)"),
    }
}

vocabulary! {
    /// An instalment of a contract's payments (到账).
    PaymentStatus {
        /// 计划: expected on a day, for an amount.
        Planned = "planned" => ("计划", "Planned"),
        /// 已到账 as the seller side recorded it (date, amount, evidence); not yet counted.
        Received = "received" => ("已到账", "Received"),
        /// 买方已确认: the buyer side confirmed the receipt; counted as received.
        Confirmed = "confirmed" => ("买方已确认", "Confirmed by buyer"),
    }
}

vocabulary! {
    /// What a commission policy's rate applies to.
    CommissionBasis {
        /// 技术交易额 of confirmed contracts that count, on their signing day.
        TechnicalAmount = "technical_amount" => ("技术交易额", "Technical transaction amount"),
        /// Receipts (到账) the buyer side confirmed, on their day of receipt.
        ReceivedAmount = "received_amount" => ("到账金额", "Amount received"),
    }
}

vocabulary! {
    /// Life cycle of a matchmaking event (对接会): `draft` → `registration_open` →
    /// `registration_closed` (by the organiser, or by the scheduler at `registration_closes_at`) →
    /// `in_progress` → `finished`; `cancelled` from any status before `finished`.
    EventStatus {
        /// 草稿: only the organiser sees it.
        Draft = "draft" => ("草稿", "Draft"),
        /// 报名中: organisations register within the registration window.
        RegistrationOpen = "registration_open" => ("报名中", "Registration open"),
        /// 报名截止: pairs, interests and meetings are prepared.
        RegistrationClosed = "registration_closed" => ("报名截止", "Registration closed"),
        /// 进行中: check-in, meetings, roadshows and intent agreements.
        InProgress = "in_progress" => ("进行中", "In progress"),
        /// 已结束
        Finished = "finished" => ("已结束", "Finished"),
        /// 已取消
        Cancelled = "cancelled" => ("已取消", "Cancelled"),
    }
}

impl EventStatus {
    /// The statuses an event may move to from this one.
    pub fn allowed_moves(self) -> &'static [EventStatus] {
        use EventStatus::*;
        match self {
            Draft => &[RegistrationOpen, Cancelled],
            RegistrationOpen => &[RegistrationClosed, Cancelled],
            RegistrationClosed => &[InProgress, Cancelled],
            InProgress => &[Finished, Cancelled],
            Finished | Cancelled => &[],
        }
    }
}

vocabulary! {
    /// Where an event takes place.
    EventFormat {
        /// 线下
        Onsite = "onsite" => ("线下", "On site"),
        /// 线上
        Online = "online" => ("线上", "Online"),
        /// 线上线下结合
        Hybrid = "hybrid" => ("线上线下结合", "Hybrid"),
    }
}

vocabulary! {
    /// Where a proposed pair stands, from both sides' interest.
    EventPairStatus {
        /// 待确认意向: at least one side has not answered, neither declined.
        Proposed = "proposed" => ("待确认意向", "Proposed"),
        /// 双方有意向: both sides are interested (a meeting is requested).
        Mutual = "mutual" => ("双方有意向", "Mutual interest"),
        /// 无意向: a side is not interested.
        Declined = "declined" => ("无意向", "Declined"),
    }
}

vocabulary! {
    /// A meeting (洽谈) of a pair at an event: `requested` (mutual interest) → `scheduled` (a slot
    /// at a table) → `held`; `cancelled` from `requested` or `scheduled`.
    MeetingStatus {
        /// 待安排
        Requested = "requested" => ("待安排", "Requested"),
        /// 已安排
        Scheduled = "scheduled" => ("已安排", "Scheduled"),
        /// 已洽谈
        Held = "held" => ("已洽谈", "Held"),
        /// 已取消
        Cancelled = "cancelled" => ("已取消", "Cancelled"),
    }
}

vocabulary! {
    /// A roadshow slot: a supply presented (路演) or a demand published (需求发布, reverse roadshow).
    RoadshowKind {
        /// 成果路演: a supply is presented.
        Roadshow = "roadshow" => ("成果路演", "Roadshow"),
        /// 需求发布: a demand is presented (reverse roadshow).
        ReverseRoadshow = "reverse_roadshow" => ("需求发布", "Reverse roadshow"),
    }
}

vocabulary! {
    /// Life cycle of a challenge (揭榜挂帅 / 挑战赛), docs/API.md **Challenges**: the rules are
    /// in [`crate::challenges::lifecycle`].
    ChallengeStatus {
        /// 草稿: private to its organisation and admins.
        Draft = "draft" => ("草稿", "Draft"),
        /// 待审核: the department screens it.
        Screening = "screening" => ("待审核", "Screening"),
        /// 征集中: published; applications are taken between `opens_at` and `closes_at`.
        Open = "open" => ("征集中", "Open"),
        /// 征集截止: the window ended.
        Closed = "closed" => ("征集截止", "Closed"),
        /// 评审中: the panel scores the applications.
        Evaluating = "evaluating" => ("评审中", "Evaluating"),
        /// 已揭榜: winners named, connections opened.
        Awarded = "awarded" => ("已揭榜", "Awarded"),
        /// 未揭榜: no application was chosen.
        NoAward = "no_award" => ("未揭榜", "No award"),
        /// 已取消
        Cancelled = "cancelled" => ("已取消", "Cancelled"),
    }
}

vocabulary! {
    /// Status of an application (揭榜方案) to a challenge.
    ChallengeApplicationStatus {
        /// 已提交
        Submitted = "submitted" => ("已提交", "Submitted"),
        /// 已撤回
        Withdrawn = "withdrawn" => ("已撤回", "Withdrawn"),
        /// 揭榜成功: a winner of the award.
        Awarded = "awarded" => ("揭榜成功", "Awarded"),
        /// 未入选
        NotAwarded = "not_awarded" => ("未入选", "Not awarded"),
    }
}

//! Controlled vocabularies of the platform, stored as text in PostgreSQL (each table has a
//! CHECK constraint listing the same values) and exchanged as snake_case strings in JSON. Each
//! enum goes through Diesel as `Text` (a stored value outside the vocabulary is a
//! deserialisation error).

/// What every vocabulary enum offers, for code generic over one (e.g. a listing's statuses).
pub trait Vocabulary: Copy + Eq + std::fmt::Debug + std::fmt::Display + Send + Sync + 'static {
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
    /// Life cycle of a supply: only `published` supplies are public and match candidates.
    SupplyStatus {
        Draft = "draft" => ("草稿", "Draft"),
        Published = "published" => ("已发布", "Published"),
        Archived = "archived" => ("已归档", "Archived"),
    }
}

vocabulary! {
    /// Life cycle of a demand: only `open` demands are public and match candidates.
    DemandStatus {
        Draft = "draft" => ("草稿", "Draft"),
        Open = "open" => ("征集中", "Open"),
        /// The need has been met or the call has ended.
        Closed = "closed" => ("已关闭", "Closed"),
        /// Taken back by its enterprise.
        Withdrawn = "withdrawn" => ("已撤回", "Withdrawn"),
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

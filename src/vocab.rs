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
    /// Life cycle of a supply: only `published` supplies are public and match candidates.
    SupplyStatus {
        Draft = "draft",
        Published = "published",
        Archived = "archived",
    }
}

vocabulary! {
    /// Life cycle of a demand: only `open` demands are public and match candidates.
    DemandStatus {
        Draft = "draft",
        Open = "open",
        /// The need has been met or the call has ended.
        Closed = "closed",
        /// Taken back by its enterprise.
        Withdrawn = "withdrawn",
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

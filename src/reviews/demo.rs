//! Demo listings in every lifecycle state for `techmatch demo`, so the README can show the
//! review queue: an unverified start-up (`startup@demo.techmatch`, created here) whose demands
//! wait for review, were sent back, rejected or approved, and supplies of the demo institute
//! (verified) as a draft, on the market and expired. Every change goes through the lifecycle's
//! own service functions (review decisions, the expiry sweep). Idempotent: skipped when the demo
//! listings exist.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::accounts::model::NewUser;
use crate::accounts::{repo as account_repo, service as account_service};
use crate::auth::password;
use crate::db::schema::{demands, supplies};
use crate::demands::input::DemandInput;
use crate::demands::model::Demand;
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::expiry;
use crate::listing::kind::Listing;
use crate::listing::lifecycle::Lifecycle;
use crate::listing::review::{self, Decision};
use crate::listing::store::ListingStore;
use crate::organizations::{model::NewOrganization, repo as org_repo};
use crate::supplies::input::SupplyInput;
use crate::supplies::model::Supply;
use crate::vocab::{
    DemandStatus, IpType, OrganizationKind, OrganizationRole, ReviewDecision, ReviewReason, Role, SupplyStatus,
    TransferMode,
};

/// The unverified demo account whose listings go through review.
pub const STARTUP_EMAIL: &str = "startup@demo.techmatch";
const STARTUP_ORG: &str = "宁夏新锐农业科技有限公司（演示，未认证）";
/// Marks the demo listings (`extra.demo`).
const MARK: &str = "lifecycle";

fn demand(title: &str, description: &str, industries: &[&str], complete: bool) -> DemandInput {
    DemandInput {
        title: title.into(),
        description: description.into(),
        keywords: Vec::new(),
        industries: industries.iter().map(|s| s.to_string()).collect(),
        trl_min: complete.then_some(5),
        budget_fen: complete.then_some(50_000_000),
        deadline: None,
        cooperation_modes: if complete { vec![TransferMode::JointDevelopment] } else { Vec::new() },
        region: Some("宁夏".into()),
        application_scenario: complete.then(|| "公司自有的枸杞种植基地与加工车间".to_string()),
        status: Some(DemandStatus::Open),
        source_url: None,
    }
}

fn supply(title: &str, summary: &str, industries: &[&str]) -> SupplyInput {
    SupplyInput {
        title: title.into(),
        summary: summary.into(),
        keywords: Vec::new(),
        industries: industries.iter().map(|s| s.to_string()).collect(),
        trl: Some(6),
        ip_type: Some(IpType::InventionPatent),
        ip_number: None,
        transfer_modes: vec![TransferMode::License],
        price_fen: None,
        region: Some("宁夏".into()),
        application_scenario: None,
        status: Some(SupplyStatus::Published),
        source_url: None,
    }
}

/// The unverified start-up's organisation and account (created when missing).
fn startup(conn: &mut PgConnection, password_text: &str) -> Result<uuid::Uuid, ApiError> {
    if let Some(user) = account_repo::user_by_email(conn, STARTUP_EMAIL)? {
        return Ok(user.organization_id);
    }
    let org = org_repo::get_or_create(
        conn,
        &NewOrganization {
            kind: OrganizationKind::Enterprise,
            name: STARTUP_ORG.into(),
            name_key: crate::text_rules::identity_key(STARTUP_ORG),
            region: Some("宁夏".into()),
            region_code: Some("640000".into()),
            credit_code: None,
            contact_email: None,
            contact_phone: None,
            is_placeholder: true,
        },
    )?;
    account_repo::insert_user(
        conn,
        &NewUser {
            organization_id: org.id,
            email: STARTUP_EMAIL.into(),
            display_name: "演示初创企业用户".into(),
            password_hash: password::hash(password_text)?,
            role: Role::Member,
            organization_role: OrganizationRole::Owner,
            email_verified_at: Some(chrono::Utc::now()),
        },
    )?;
    Ok(org.id)
}

/// Inserts a demand of the start-up waiting for review since `submitted_at`.
fn submitted(
    conn: &mut PgConnection,
    owner: uuid::Uuid,
    input: DemandInput,
    submitted_at: DateTime<Utc>,
    settings: &Lifecycle,
) -> Result<Demand, ApiError> {
    let mut new = input.parse(owner, Taxonomy::embedded())?;
    new.extra = json!({ "demo": MARK });
    let expires_at = settings.expiry(Demand::KIND.kind, new.deadline, submitted_at);
    <Demand as ListingStore>::place(&mut new, DemandStatus::PendingReview, expires_at, Some(submitted_at));
    <Demand as ListingStore>::insert(conn, &new)
}

/// Inserts a supply of `owner` in `status`, expiring at `expires_at`.
fn offered(
    conn: &mut PgConnection,
    owner: uuid::Uuid,
    input: SupplyInput,
    status: SupplyStatus,
    expires_at: DateTime<Utc>,
) -> Result<Supply, ApiError> {
    let mut new = input.parse(owner, Taxonomy::embedded())?;
    new.extra = json!({ "demo": MARK });
    <Supply as ListingStore>::place(&mut new, status, expires_at, None);
    <Supply as ListingStore>::insert(conn, &new)
}

/// Creates the demo listings (see the module docs) at `now`; returns how many, 0 when they exist
/// or the demo admin and institute accounts do not.
pub fn seed(
    conn: &mut PgConnection,
    password_text: &str,
    settings: &Lifecycle,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let marked = diesel::dsl::sql::<diesel::sql_types::Bool>("extra->>'demo' = 'lifecycle'");
    let existing: i64 = demands::table.filter(marked.clone()).count().get_result(conn)?;
    let existing_supplies: i64 = supplies::table.filter(marked).count().get_result(conn)?;
    if existing + existing_supplies > 0 {
        return Ok(0);
    }
    let Some(admin) = account_repo::user_by_email(conn, "admin@demo.techmatch")? else { return Ok(0) };
    let admin = account_service::principal_of(conn, &admin)?;
    let Some(institute) = account_repo::user_by_email(conn, "institute@demo.techmatch")? else { return Ok(0) };
    let startup = startup(conn, password_text)?;
    conn.transaction(|conn| {
        let decide = |conn: &mut PgConnection, id, decision, reason, note: &str| {
            let decision = Decision { decision, reason, note: Some(note.to_string()) };
            review::decide::<Demand>(conn, &admin, id, &decision, now, settings).map(|_| ())
        };
        // Waiting for review: one complete, one that misses most of what buyers ask for.
        submitted(
            conn,
            startup,
            demand(
                "（演示）枸杞鲜果自动分级分选设备",
                "需要按果径与色泽对枸杞鲜果自动分级分选的设备，日处理 20 吨，破损率低于 1%。",
                &["goji", "equipment_manufacturing"],
                true,
            ),
            now - Duration::hours(30),
            settings,
        )?;
        submitted(
            conn,
            startup,
            demand("（演示）酒庄数字化管理系统", "希望有一套管理酒庄的系统。", &["wine", "digital_information"], false),
            now - Duration::hours(3),
            settings,
        )?;
        // Sent back for changes, rejected, approved.
        let back = submitted(
            conn,
            startup,
            demand("（演示）奶牛场粪污资源化利用", "需要粪污处理技术。", &["dairy"], false),
            now - Duration::hours(50),
            settings,
        )?;
        decide(
            conn,
            back.id,
            ReviewDecision::RequestChanges,
            Some(ReviewReason::Incomplete),
            "请补充养殖规模、现有处理工艺、预算和期望的合作方式。",
        )?;
        let refused = submitted(
            conn,
            startup,
            demand("（演示）招聘农产品销售人员", "招聘销售人员若干名，负责枸杞产品线上销售。", &["e_commerce"], false),
            now - Duration::hours(26),
            settings,
        )?;
        decide(
            conn,
            refused.id,
            ReviewDecision::Reject,
            Some(ReviewReason::OutOfScope),
            "招聘信息不属于技术需求，请通过招聘渠道发布。",
        )?;
        let approved = submitted(
            conn,
            startup,
            demand(
                "（演示）冷凉蔬菜产地预冷保鲜技术",
                "需要适合宁夏冷凉蔬菜产地的快速预冷与保鲜技术，降低运输损耗。",
                &["cool_vegetables", "modern_logistics"],
                true,
            ),
            now - Duration::hours(20),
            settings,
        )?;
        decide(conn, approved.id, ReviewDecision::Approve, None, "信息完整，准予发布。")?;
        // The verified institute's supplies: a draft, one on the market, one that expired.
        let owner = institute.organization_id;
        let valid = settings.expiry(Supply::KIND.kind, None, now);
        let mut draft = supply("（演示）枸杞多糖微胶囊包埋技术", "枸杞多糖的微胶囊包埋工艺，提高稳定性。", &["goji"]);
        draft.status = Some(SupplyStatus::Draft);
        offered(conn, owner, draft, SupplyStatus::Draft, valid)?;
        let on_market = supply(
            "（演示）设施蔬菜水肥一体化智能控制系统",
            "按作物需水需肥规律自动控制灌溉与施肥，节水 30% 以上。",
            &["cool_vegetables", "digital_information"],
        );
        offered(conn, owner, on_market, SupplyStatus::Published, valid)?;
        let stale = supply("（演示）滩羊肉冷链保鲜技术", "滩羊肉冷链运输中的保鲜与品质监测技术。", &["tan_sheep"]);
        offered(conn, owner, stale, SupplyStatus::Published, now - Duration::minutes(1))?;
        // The expiry sweep takes it off the market as it would on any instance's tick.
        expiry::sweep::<Supply>(conn, now)?;
        Ok(8)
    })
}

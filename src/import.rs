//! `techmatch import <file.jsonl>`: loads public listings in the format of
//! `data/listings/*.jsonl` (see `data/README.md`).
//!
//! Each line becomes a published supply or an open demand. Chinese industry names (or aliases,
//! or codes) are stored as codes; each listing is owned by the named institution
//! (`extra.org_name`) or by a placeholder organisation of its kind; `source_url` is kept and
//! the rest of `extra` is stored as is. The whole file is checked first and imported in one
//! transaction: one bad line imports nothing. Listings already present (same `source_url` and
//! title) are skipped, so importing twice is harmless.

use std::path::Path;

use diesel::prelude::*;
use serde::Deserialize;

use crate::db::schema::{demands, supplies};
use crate::demands::{input::DemandInput, model::NewDemand, repo as demand_repo};
use crate::error::ApiError;
use crate::industries::taxonomy::Taxonomy;
use crate::listing::lifecycle::Lifecycle;
use crate::organizations::{model::NewOrganization, repo as org_repo};
use crate::supplies::{input::SupplyInput, model::NewSupply, repo as supply_repo};
use crate::vocab::{DemandStatus, ListingKind, OrganizationKind, SupplyStatus};

/// Which kind of listing a file holds.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListingSide {
    Supply,
    Demand,
}

impl ListingSide {
    /// Guesses the side from a file name (`demands.jsonl`, `supplies.jsonl`).
    pub fn from_file_name(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_lowercase();
        if name.contains("demand") {
            Some(Self::Demand)
        } else if name.contains("suppl") {
            Some(Self::Supply)
        } else {
            None
        }
    }
}

/// One line of a listings file.
#[derive(Debug, Deserialize)]
pub struct ListingRecord {
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    /// `enterprise`, `university` or `institute`.
    pub org_kind: String,
    pub source_url: Option<String>,
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub skipped: usize,
}

enum Checked {
    Supply(NewSupply),
    Demand(NewDemand),
}

fn organization_for(record: &ListingRecord) -> Result<NewOrganization, String> {
    let kind = match record.org_kind.as_str() {
        "enterprise" => OrganizationKind::Enterprise,
        "university" => OrganizationKind::University,
        "institute" | "research_institute" => OrganizationKind::ResearchInstitute,
        other => return Err(format!("org_kind: unknown kind `{other}`")),
    };
    let named = record.extra.get("org_name").and_then(|v| v.as_str()).map(str::trim).filter(|n| !n.is_empty());
    let (name, is_placeholder) = match named {
        Some(name) => (name.to_string(), false),
        None => (
            match kind {
                OrganizationKind::Enterprise => "公开需求发布单位（导入占位）",
                OrganizationKind::University => "高校成果持有单位（导入占位）",
                _ => "科研院所成果持有单位（导入占位）",
            }
            .to_string(),
            true,
        ),
    };
    let region = record.extra.get("region").and_then(|v| v.as_str()).map(str::trim).filter(|r| !r.is_empty());
    Ok(NewOrganization {
        kind,
        name_key: crate::text_rules::identity_key(&name),
        name,
        region_code: region.and_then(crate::regions::vocabulary::resolve).map(str::to_string),
        region: region.map(str::to_string),
        credit_code: None,
        contact_email: None,
        contact_phone: None,
        is_placeholder,
    })
}

fn describe(err: ApiError) -> String {
    match err {
        ApiError::Validation(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message(crate::lang::Lang::En)))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn check(record: ListingRecord, side: ListingSide, taxonomy: &Taxonomy) -> Result<(NewOrganization, Checked), String> {
    let org = organization_for(&record)?;
    let mut industries = Vec::new();
    for name in &record.industries {
        let code = taxonomy.resolve(name).ok_or_else(|| format!("industries: unknown industry `{name}`"))?;
        industries.push(code.to_string());
    }
    // A region the vocabulary knows is stored with its code; other text is kept as written, without
    // a code (imported rows are public records, not forms a person can correct).
    let region = {
        let mut f = crate::validation::Fields::new();
        let text = record.extra.get("region").and_then(|v| v.as_str()).map(str::to_string);
        let text = f.opt_text("region", text, crate::validation::MAX_REGION_CHARS);
        f.finish().map_err(describe)?;
        text
    };
    let region_code = region.as_deref().and_then(crate::regions::vocabulary::resolve).map(str::to_string);
    let free_text = region.clone().filter(|_| region_code.is_none());
    let region = region.filter(|_| region_code.is_some());
    let extra = serde_json::Value::Object(record.extra.clone());
    // The owner is set once the organisation exists (in the transaction).
    let placeholder_owner = uuid::Uuid::nil();
    let checked = match side {
        ListingSide::Supply => {
            let mut new = SupplyInput {
                title: record.title,
                summary: record.summary,
                keywords: record.keywords,
                industries,
                trl: None,
                ip_type: None,
                ip_number: None,
                transfer_modes: Vec::new(),
                price_fen: None,
                region,
                application_scenario: None,
                status: Some(SupplyStatus::Published),
                source_url: record.source_url,
            }
            .parse(placeholder_owner, taxonomy)
            .map_err(describe)?;
            new.extra = extra;
            if free_text.is_some() {
                new.region = free_text;
            }
            Checked::Supply(new)
        }
        ListingSide::Demand => {
            // Budgets are rarely published; `extra.budget_cny` is in yuan.
            let budget_fen =
                record.extra.get("budget_cny").and_then(|v| v.as_f64()).map(|yuan| (yuan * 100.0).round() as i64);
            let mut new = DemandInput {
                title: record.title,
                description: record.summary,
                keywords: record.keywords,
                industries,
                trl_min: None,
                budget_fen,
                deadline: None,
                cooperation_modes: Vec::new(),
                region,
                application_scenario: None,
                status: Some(DemandStatus::Open),
                source_url: record.source_url,
            }
            .parse(placeholder_owner, taxonomy)
            .map_err(describe)?;
            new.extra = extra;
            if free_text.is_some() {
                new.region = free_text;
            }
            Checked::Demand(new)
        }
    };
    Ok((org, checked))
}

/// [`import_with`] the default lifecycle settings at the system clock's now.
pub fn import(
    conn: &mut PgConnection,
    text: &str,
    side: ListingSide,
    taxonomy: &Taxonomy,
) -> anyhow::Result<ImportReport> {
    import_with(conn, text, side, taxonomy, &Lifecycle::default(), chrono::Utc::now())
}

/// Checks every line of `text`, then inserts them all in one transaction. Errors list each bad
/// line (`line 3: title: must be 1–200 characters`) and nothing is written. Imported listings are
/// an operator's load of public records: they go on the market without review, valid from `now`
/// for the validity period of `settings`.
pub fn import_with(
    conn: &mut PgConnection,
    text: &str,
    side: ListingSide,
    taxonomy: &Taxonomy,
    settings: &Lifecycle,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<ImportReport> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: ListingRecord = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {}: {e}", i + 1));
                continue;
            }
        };
        match check(record, side, taxonomy) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(format!("line {}: {e}", i + 1)),
        }
    }
    if !errors.is_empty() {
        anyhow::bail!("nothing imported; {} bad line(s):\n{}", errors.len(), errors.join("\n"));
    }
    conn.transaction(|conn| {
        let mut report = ImportReport::default();
        for (org, checked) in rows {
            let owner = org_repo::get_or_create(conn, &org)?.id;
            let inserted = match checked {
                // Marked as imported: the hourly creation quota counts only what users create.
                Checked::Supply(mut new) => {
                    new.organization_id = owner;
                    new.expires_at = settings.expiry(ListingKind::Supply, None, now);
                    let inserted = supply_repo::insert_if_new(conn, &new)?;
                    if let Some(supply) = &inserted {
                        diesel::update(supplies::table.find(supply.id))
                            .set(supplies::imported.eq(true))
                            .execute(conn)?;
                    }
                    inserted.is_some()
                }
                Checked::Demand(mut new) => {
                    new.organization_id = owner;
                    new.expires_at = settings.expiry(ListingKind::Demand, new.deadline, now);
                    let inserted = demand_repo::insert_if_new(conn, &new)?;
                    if let Some(demand) = &inserted {
                        diesel::update(demands::table.find(demand.id)).set(demands::imported.eq(true)).execute(conn)?;
                    }
                    inserted.is_some()
                }
            };
            if inserted {
                report.inserted += 1;
            } else {
                report.skipped += 1;
            }
        }
        Ok::<_, ApiError>(report)
    })
    .map_err(|e| anyhow::anyhow!("import failed: {e}"))
}

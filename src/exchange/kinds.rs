//! What an import needs of each kind of listing ([`Importable`]): turning a [`Record`] into a
//! checked row with the same validation as `POST /supplies` and `POST /demands`
//! (`SupplyInput::parse`, `DemandInput::parse`), and the few queries of the import.

use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use super::record::Record;
use crate::auth::policy::{DEMAND_PUBLISHERS, SUPPLY_PUBLISHERS};
use crate::db::schema::{demands, supplies};
use crate::demands::{input::DemandInput, model::Demand, model::NewDemand};
use crate::error::{ApiError, FieldCode, FieldError};
use crate::industries::taxonomy::Taxonomy;
use crate::lang::Lang;
use crate::listing::search::Searchable;
use crate::listing::ListingStore;
use crate::supplies::{input::SupplyInput, model::NewSupply, model::Supply};
use crate::validation::{Fields, MAX_REGION_CHARS};
use crate::vocab::{DemandStatus, IpType, OrganizationKind, SupplyStatus, TransferMode, Vocabulary};

/// A field's problem: (field, code, message).
pub type Problem = (String, &'static str, String);

/// A kind of listing an import creates.
pub trait Importable: ListingStore + Searchable {
    /// The organisation kinds that may hold this kind of listing.
    const PUBLISHERS: &'static [OrganizationKind];
    /// The row checked as the create endpoint checks a body (owner set later), or every problem.
    fn check(record: &Record, taxonomy: &Taxonomy) -> Result<Self::New, Vec<Problem>>;
    /// The title of a checked row.
    fn new_title(new: &Self::New) -> &str;
    /// Sets the owner of a checked row.
    fn set_owner(new: &mut Self::New, owner: Uuid);
    /// Inserts rows, skipping any with the `source_url` and title of an existing listing;
    /// returns those inserted, marked as imported.
    fn insert_imported(conn: &mut PgConnection, rows: &[Self::New]) -> Result<Vec<Self>, ApiError>;
    /// (id, organisation, title) of every listing of `owners`.
    fn titles_of(conn: &mut PgConnection, owners: &[Uuid]) -> Result<Vec<(Uuid, Uuid, String)>, ApiError>;
    /// (id, title) of the listings `ids`.
    fn titles(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>, ApiError>;
}

/// The shared typed values of a record, and the problems found reading them.
struct Typed {
    industries: Vec<String>,
    trl: Option<i64>,
    money_fen: Option<i64>,
    deadline: Option<NaiveDate>,
    modes: Vec<TransferMode>,
    ip_type: Option<IpType>,
    /// The region for the create endpoint's input: only a text the region vocabulary knows.
    region: Option<String>,
    /// A region text the vocabulary does not know, kept as written without a code (imported
    /// rows are public records, not forms a person can correct).
    free_region: Option<String>,
    problems: Vec<Problem>,
}

/// A vocabulary value by its code or its Chinese or English label.
fn by_label<V: Vocabulary>(text: &str) -> Option<V> {
    let t = text.trim();
    V::ALL.iter().copied().find(|v| v.as_str() == t || v.label_zh() == t || v.label_en().eq_ignore_ascii_case(t))
}

fn typed(record: &Record, taxonomy: &Taxonomy) -> Typed {
    let mut problems = Vec::new();
    let mut industries = Vec::new();
    for (i, name) in record.industries.iter().enumerate() {
        match taxonomy.resolve(name) {
            Some(code) => industries.push(code.to_string()),
            None => problems.push((
                format!("industries.{i}"),
                "unknown_industry",
                format!("unknown industry `{name}` (a code, name or alias of GET /api/v1/industries)"),
            )),
        }
    }
    let trl = record.trl.as_deref().and_then(|t| match t.trim().parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            problems.push(("trl".into(), "invalid", format!("`{t}` is not a whole number")));
            None
        }
    });
    let money_fen = record.money_yuan.as_deref().and_then(|t| match t.trim().replace([',', '，'], "").parse::<f64>() {
        Ok(yuan) if yuan.is_finite() && (0.0..=1e13).contains(&yuan) => Some((yuan * 100.0).round() as i64),
        _ => {
            problems.push(("money_yuan".into(), "invalid", format!("`{t}` is not an amount in yuan (0–10^13)")));
            None
        }
    });
    let deadline = record.deadline.as_deref().and_then(|t| {
        let t = t.trim();
        match NaiveDate::parse_from_str(t, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d")) {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(("deadline".into(), "invalid", format!("`{t}` is not a date (YYYY-MM-DD)")));
                None
            }
        }
    });
    let mut modes = Vec::new();
    for (i, m) in record.modes.iter().enumerate() {
        match by_label::<TransferMode>(m) {
            Some(mode) => modes.push(mode),
            None => problems.push((format!("modes.{i}"), "unknown_value", format!("unknown mode `{m}`"))),
        }
    }
    let ip_type = record.ip_type.as_deref().and_then(|t| {
        let found = by_label::<IpType>(t);
        if found.is_none() {
            problems.push(("ip_type".into(), "unknown_value", format!("unknown IP type `{t}`")));
        }
        found
    });
    let (region, free_region) = region(record, &mut problems);
    Typed { industries, trl, money_fen, deadline, modes, ip_type, region, free_region, problems }
}

/// The row's region checked as a text (length, characters), then split: (a text naming a region
/// of the vocabulary, passed to the create endpoint's input; other text, kept without a code).
fn region(record: &Record, problems: &mut Vec<Problem>) -> (Option<String>, Option<String>) {
    let mut f = Fields::new();
    let text = f.opt_text("region", record.region.clone(), MAX_REGION_CHARS);
    match f.finish() {
        Ok(()) => match text {
            Some(t) if crate::regions::vocabulary::resolve(&t).is_some() => (Some(t), None),
            other => (None, other),
        },
        Err(ApiError::Validation(fields)) => {
            problems.extend(fields.iter().map(|e| (e.field.clone(), code_of(e), e.message(Lang::En))));
            (None, None)
        }
        Err(other) => {
            problems.push(("row".into(), "invalid", other.to_string()));
            (None, None)
        }
    }
}

/// The code of a field error of the create endpoints' validation.
fn code_of(e: &FieldError) -> &'static str {
    match e.code {
        FieldCode::Missing | FieldCode::Blank => "required",
        FieldCode::TooLong | FieldCode::TooMany => "too_long",
        _ => "invalid",
    }
}

fn finish<N>(parsed: Result<N, ApiError>, mut problems: Vec<Problem>, body: &str) -> Result<N, Vec<Problem>> {
    match parsed {
        Ok(new) if problems.is_empty() => Ok(new),
        Ok(_) => Err(problems),
        Err(ApiError::Validation(fields)) => {
            for e in fields {
                let field = if e.field == body { "summary".to_string() } else { e.field.clone() };
                // Industries were resolved (and reported) above.
                if !field.starts_with("industries.") || problems.iter().all(|p| !p.0.starts_with("industries.")) {
                    problems.push((field, code_of(&e), e.message(Lang::En)));
                }
            }
            Err(problems)
        }
        Err(other) => {
            problems.push(("row".into(), "invalid", other.to_string()));
            Err(problems)
        }
    }
}

impl Importable for Supply {
    const PUBLISHERS: &'static [OrganizationKind] = &SUPPLY_PUBLISHERS;

    fn check(record: &Record, taxonomy: &Taxonomy) -> Result<NewSupply, Vec<Problem>> {
        let t = typed(record, taxonomy);
        let parsed = SupplyInput {
            title: record.title.clone().unwrap_or_default(),
            summary: record.summary.clone().unwrap_or_default(),
            keywords: record.keywords.clone(),
            industries: t.industries,
            trl: t.trl,
            ip_type: t.ip_type,
            ip_number: record.ip_number.clone(),
            transfer_modes: t.modes,
            price_fen: t.money_fen,
            region: t.region,
            application_scenario: record.scenario.clone(),
            status: Some(SupplyStatus::Published),
            source_url: record.source_url.clone(),
        }
        .parse(Uuid::nil(), taxonomy)
        .map(|mut new| {
            new.extra = serde_json::Value::Object(record.extra.clone());
            if t.free_region.is_some() {
                new.region = t.free_region;
            }
            new
        });
        finish(parsed, t.problems, "summary")
    }

    fn new_title(new: &NewSupply) -> &str {
        &new.title
    }

    fn set_owner(new: &mut NewSupply, owner: Uuid) {
        new.organization_id = owner;
    }

    fn insert_imported(conn: &mut PgConnection, rows: &[NewSupply]) -> Result<Vec<Supply>, ApiError> {
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(500) {
            let inserted: Vec<Supply> = diesel::insert_into(supplies::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .returning(Supply::as_returning())
                .get_results(conn)?;
            let ids: Vec<Uuid> = inserted.iter().map(|s| s.id).collect();
            diesel::update(supplies::table.filter(supplies::id.eq_any(&ids)))
                .set(supplies::imported.eq(true))
                .execute(conn)?;
            out.extend(inserted);
        }
        Ok(out)
    }

    fn titles_of(conn: &mut PgConnection, owners: &[Uuid]) -> Result<Vec<(Uuid, Uuid, String)>, ApiError> {
        Ok(supplies::table
            .filter(supplies::organization_id.eq_any(owners))
            .select((supplies::id, supplies::organization_id, supplies::title))
            .load(conn)?)
    }

    fn titles(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>, ApiError> {
        Ok(supplies::table.filter(supplies::id.eq_any(ids)).select((supplies::id, supplies::title)).load(conn)?)
    }
}

impl Importable for Demand {
    const PUBLISHERS: &'static [OrganizationKind] = &DEMAND_PUBLISHERS;

    fn check(record: &Record, taxonomy: &Taxonomy) -> Result<NewDemand, Vec<Problem>> {
        let t = typed(record, taxonomy);
        let parsed = DemandInput {
            title: record.title.clone().unwrap_or_default(),
            description: record.summary.clone().unwrap_or_default(),
            keywords: record.keywords.clone(),
            industries: t.industries,
            trl_min: t.trl,
            budget_fen: t.money_fen,
            deadline: t.deadline,
            cooperation_modes: t.modes,
            region: t.region,
            application_scenario: record.scenario.clone(),
            status: Some(DemandStatus::Open),
            source_url: record.source_url.clone(),
        }
        .parse(Uuid::nil(), taxonomy)
        .map(|mut new| {
            new.extra = serde_json::Value::Object(record.extra.clone());
            if t.free_region.is_some() {
                new.region = t.free_region;
            }
            new
        });
        finish(parsed, t.problems, "description")
    }

    fn new_title(new: &NewDemand) -> &str {
        &new.title
    }

    fn set_owner(new: &mut NewDemand, owner: Uuid) {
        new.organization_id = owner;
    }

    fn insert_imported(conn: &mut PgConnection, rows: &[NewDemand]) -> Result<Vec<Demand>, ApiError> {
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(500) {
            let inserted: Vec<Demand> = diesel::insert_into(demands::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .returning(Demand::as_returning())
                .get_results(conn)?;
            let ids: Vec<Uuid> = inserted.iter().map(|d| d.id).collect();
            diesel::update(demands::table.filter(demands::id.eq_any(&ids)))
                .set(demands::imported.eq(true))
                .execute(conn)?;
            out.extend(inserted);
        }
        Ok(out)
    }

    fn titles_of(conn: &mut PgConnection, owners: &[Uuid]) -> Result<Vec<(Uuid, Uuid, String)>, ApiError> {
        Ok(demands::table
            .filter(demands::organization_id.eq_any(owners))
            .select((demands::id, demands::organization_id, demands::title))
            .load(conn)?)
    }

    fn titles(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>, ApiError> {
        Ok(demands::table.filter(demands::id.eq_any(ids)).select((demands::id, demands::title)).load(conn)?)
    }
}

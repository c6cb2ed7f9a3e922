//! The database schema: migrations revert cleanly, the seeded taxonomy equals data/industries.json,
//! a bad import writes nothing, the outcome log refuses updates.

use crate::common::{self, TestApp, TestDb};
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;
use techmatch::import::{import, ListingSide};
use techmatch::industries::taxonomy::Taxonomy;

/// The tables the migrations made (their bookkeeping table left out).
fn user_tables(conn: &mut PgConnection) -> Vec<String> {
    common::public_tables(conn).into_iter().filter(|t| t != "__diesel_schema_migrations").collect()
}

#[test]
fn every_migration_reverts_and_reapplies() {
    let db = TestDb::new();
    let mut conn = db.connect();
    let migrated = user_tables(&mut conn);
    assert!(migrated.len() >= 9, "{migrated:?}");
    conn.revert_all_migrations(techmatch::db::MIGRATIONS).unwrap();
    assert!(user_tables(&mut conn).is_empty(), "left behind: {:?}", user_tables(&mut conn));
    let applied = techmatch::db::run_migrations(&mut conn).unwrap();
    let embedded =
        diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&techmatch::db::MIGRATIONS).unwrap();
    assert_eq!(applied.len(), embedded.len());
    assert_eq!(user_tables(&mut conn), migrated);
}

#[actix_web::test]
async fn seeded_industries_equal_the_taxonomy_file() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/industries").await;
    assert_eq!(reply.status, 200);
    let taxonomy = Taxonomy::embedded();
    let groups = reply.body["groups"].as_array().unwrap();
    assert_eq!(groups.len(), taxonomy.groups.len());
    let mut served = Vec::new();
    for group in groups {
        for industry in group["industries"].as_array().unwrap() {
            served.push((group["code"].as_str().unwrap().to_string(), industry.clone()));
        }
    }
    assert_eq!(served.len(), taxonomy.industries.len());
    for ((group, json), expected) in served.iter().zip(&taxonomy.industries) {
        assert_eq!(group, &expected.group);
        assert_eq!(json["code"], expected.code.as_str());
        assert_eq!(json["name_zh"], expected.name_zh.as_str());
        assert_eq!(json["name_en"], expected.name_en.as_str());
        assert_eq!(json["aliases"], serde_json::json!(expected.aliases));
    }
}

#[test]
fn a_bad_line_imports_nothing() {
    let db = TestDb::new();
    let mut conn = db.connect();
    let good = r#"{"title": "好成果", "summary": "摘要", "keywords": ["k"], "industries": ["枸杞"], "org_kind": "university", "source_url": "https://example.org/1"}"#;
    let unknown_industry =
        r#"{"title": "坏成果", "summary": "摘要", "industries": ["不存在"], "org_kind": "university"}"#;
    let err =
        import(&mut conn, &format!("{good}\n{unknown_industry}\n{{oops\n"), ListingSide::Supply, Taxonomy::embedded())
            .unwrap_err()
            .to_string();
    assert!(err.contains("line 2") && err.contains("line 3"), "{err}");
    let count: i64 = techmatch::db::schema::supplies::table.count().get_result(&mut conn).unwrap();
    assert_eq!(count, 0);
    let report = import(&mut conn, good, ListingSide::Supply, Taxonomy::embedded()).unwrap();
    assert_eq!((report.inserted, report.skipped), (1, 0));
}

#[test]
fn the_outcome_log_is_append_only() {
    let db = TestDb::new();
    let mut conn = db.connect();
    diesel::sql_query(
        "WITH o AS (INSERT INTO organizations (kind, name) VALUES ('enterprise', 'e') RETURNING id),
              d AS (INSERT INTO demands (organization_id, title, description) SELECT id, 't', 'd' FROM o RETURNING id),
              s AS (INSERT INTO supplies (organization_id, title, summary) SELECT id, 't', 's' FROM o RETURNING id),
              c AS (INSERT INTO connections (demand_id, supply_id) SELECT d.id, s.id FROM d, s RETURNING id)
         INSERT INTO connection_events (connection_id, to_status) SELECT id, 'proposed' FROM c",
    )
    .execute(&mut conn)
    .unwrap();
    for statement in
        ["UPDATE connection_events SET note = 'x'", "DELETE FROM connection_events", "TRUNCATE connection_events"]
    {
        let err = diesel::sql_query(statement).execute(&mut conn).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{statement}: {err}");
    }
}

/// Every audit action, audited record type and notification kind the code writes is a row of its
/// lookup table (migration 000026), so no write fails on the foreign key; and the tables hold no
/// value the code cannot read back.
#[test]
fn lookup_tables_hold_exactly_the_code_values() {
    use techmatch::vocab::{AuditAction, AuditRecordType, NotificationKind};
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    fn names(conn: &mut PgConnection, table: &str) -> Vec<String> {
        let mut names: Vec<String> = diesel::sql_query(format!("SELECT name FROM {table}"))
            .load::<Name>(conn)
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect();
        names.sort();
        names
    }
    fn sorted(values: impl Iterator<Item = &'static str>) -> Vec<String> {
        let mut values: Vec<String> = values.map(str::to_string).collect();
        values.sort();
        values
    }
    let db = TestDb::new();
    let mut conn = db.connect();
    assert_eq!(names(&mut conn, "audit_actions"), sorted(AuditAction::ALL.iter().map(|v| v.as_str())));
    assert_eq!(names(&mut conn, "audit_record_types"), sorted(AuditRecordType::ALL.iter().map(|v| v.as_str())));
    assert_eq!(names(&mut conn, "notification_kinds"), sorted(NotificationKind::ALL.iter().map(|v| v.as_str())));
    let refused = diesel::sql_query("INSERT INTO audit_log (action, record_type) VALUES ('no_such_action', 'supply')")
        .execute(&mut conn);
    assert!(refused.is_err(), "an unknown action was stored");
}

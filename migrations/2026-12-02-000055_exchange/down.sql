-- The lookup values go only while no audit entry uses them (the log is append-only).
DELETE FROM audit_actions WHERE name IN ('listings_imported', 'listings_exported');
DELETE FROM audit_record_types WHERE name = 'import_job';
DROP TABLE import_job_issues;
DROP TABLE import_jobs;

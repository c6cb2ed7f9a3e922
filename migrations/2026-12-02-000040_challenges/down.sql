-- Refused (foreign keys) once the append-only audit log holds challenge entries.
DELETE FROM notification_outbox WHERE kind = 'challenge_suggested';
DELETE FROM notification_kinds WHERE name = 'challenge_suggested';
DELETE FROM audit_record_types WHERE name IN ('challenge', 'challenge_application');
DELETE FROM audit_actions WHERE name IN ('challenge_created', 'challenge_status_changed',
    'challenge_reviewer_appointed', 'challenge_awarded', 'challenge_application_submitted',
    'challenge_application_withdrawn', 'challenge_conflict_declared', 'challenge_application_scored');
DROP INDEX connections_challenge_idx;
ALTER TABLE connections DROP COLUMN challenge_id;
DROP TABLE challenge_scores;
DROP TABLE challenge_conflicts;
DROP TABLE challenge_reviewers;
DROP TABLE challenge_applications;
DROP TABLE challenges;

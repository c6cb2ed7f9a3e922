DELETE FROM notification_outbox WHERE kind IN ('event_pair_proposed', 'event_meeting_scheduled');
DELETE FROM notification_kinds WHERE name IN ('event_pair_proposed', 'event_meeting_scheduled');
-- Reverting removes the entries of the actions it removes (the log is append-only otherwise).
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete;
DELETE FROM audit_log WHERE action LIKE 'event\_%' OR record_type LIKE 'event%';
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_or_delete;
DELETE FROM audit_actions WHERE name IN
    ('event_created', 'event_status_changed', 'event_registered', 'event_pairs_proposed',
     'event_interest_marked', 'event_meeting_scheduled', 'event_meeting_status_changed',
     'event_checked_in', 'event_intent_recorded', 'event_roadshow_scheduled');
DELETE FROM audit_record_types WHERE name IN
    ('event', 'event_registration', 'event_pair', 'event_meeting', 'event_roadshow');
DROP INDEX connections_event_idx;
ALTER TABLE connections DROP COLUMN event_id;
DROP TABLE event_roadshows;
DROP TABLE event_meeting_bookings;
DROP TABLE event_meetings;
DROP TABLE event_pairs;
DROP TABLE event_registration_listings;
DROP TABLE event_registrations;
DROP TABLE event_venues;
DROP TABLE events;

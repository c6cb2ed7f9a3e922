DROP TABLE connection_events;
DROP FUNCTION connection_events_append_only();
DROP TABLE connections;

DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE email_outbox;
DROP TABLE notification_preferences;
DROP TABLE notifications;
DROP TABLE notification_settings;
DELETE FROM notification_kinds WHERE name = 'webhook_disabled';

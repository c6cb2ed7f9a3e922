DELETE FROM notification_outbox
    WHERE kind IN ('new_match', 'connection_proposed', 'connection_accepted', 'connection_moved', 'connection_stale');
DELETE FROM notification_kinds
    WHERE name IN ('new_match', 'connection_proposed', 'connection_accepted', 'connection_moved', 'connection_stale');
DROP TRIGGER demands_market_entry ON demands;
DROP TRIGGER supplies_market_entry ON supplies;
DROP FUNCTION queue_market_entry();
DROP TABLE listing_market_entries;
DROP TABLE listing_match_optouts;
DROP TABLE subscriptions;

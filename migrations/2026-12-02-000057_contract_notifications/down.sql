DELETE FROM notification_kinds WHERE name = 'contract_updated';

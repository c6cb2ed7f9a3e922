DROP TABLE contract_payments;
